/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vireo_balloon suites' wire facts and shared helpers
 * (vireo_balloon_test_lib.c).
 *
 * The wire facts are restated here from the virtio specification and
 * QEMU 7.2's device (Documentation/balloon.rst), not taken from the
 * driver's wire header, so that a mistake there is caught rather than
 * copied. The driver's own state (struct vireo_balloon, for its
 * counters) comes from its header.
 */
#ifndef _VIREO_BALLOON_TEST_H
#define _VIREO_BALLOON_TEST_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/types.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "../drivers/balloon/vireo_balloon.h"

/* The balloon device's type and feature bits (wire facts). */
#define BT_ID_BALLOON		5
#define BT_F_MUST_TELL_HOST	0
#define BT_F_STATS_VQ		1
#define BT_F_DEFLATE_ON_OOM	2
#define BT_F_FREE_PAGE_HINT	3
#define BT_F_PAGE_POISON	4
#define BT_F_REPORTING		5

/* Config: le32 num_pages at 0, le32 actual at 4, poison_val at 12. */
#define BT_CFG_NUM_PAGES	0
#define BT_CFG_ACTUAL		4
#define BT_CFG_POISON		12
#define BT_CFG_LEN		16

/* QEMU's queue sizes: inflate, deflate, stats 128; hint 1024; report 32. */
#define BT_Q_INFLATE		0
#define BT_Q_DEFLATE		1
#define BT_RING			128
#define BT_RING_HINT		1024
#define BT_RING_REPORT		32

/* Stats: packed {u16 tag; u64 val} records, tags 0-9 (wire facts). */
#define BT_STAT_LEN		10
#define BT_STATS_NR		10
#define BT_S_MEMFREE		4
#define BT_S_MEMTOT		5
#define BT_S_AVAIL		6

/* One request carries at most 256 PFNs (1 KiB). */
#define BT_PFN_MAX		256

/* The driver's ack_timeout_ms default (Documentation/balloon.rst). */
#define BT_ACK_TIMEOUT_MS	5000U

/* Longest a test waits for the driver to reach a state. */
#define BT_WAIT_MS		20000U

/**
 * struct bt_dev - what the device side saw (the setup's priv)
 * @lock: guards the fields below (taken in the device's handler)
 * @pfns: PFNs seen on the inflate and the deflate queue
 * @requests: requests seen on each of the two queues
 * @bad_shape: requests that were not one device-readable buffer of
 *	whole le32s, at most BT_PFN_MAX of them
 * @not_ballooned: inflate PFNs whose page was not a balloon page
 * @not_held: deflate PFNs whose page was already free when the device
 *	saw the request
 * @used_len: the used length the handler reports for inflate/deflate
 * @stats: the last statistics buffer the device read
 * @stats_len: its length
 * @stats_reads: statistics buffers read
 * @stats_used_len: the used length reported for a statistics buffer
 */
struct bt_dev {
	spinlock_t lock;	/* see above */
	unsigned long pfns[2];
	unsigned int requests[2];
	unsigned int bad_shape;
	unsigned int not_ballooned;
	unsigned int not_held;
	u32 used_len;
	u8 stats[BT_STATS_NR * BT_STAT_LEN + 16];
	unsigned int stats_len;
	unsigned int stats_reads;
	u32 stats_used_len;
};

void bt_setup(struct vireo_simbus_setup *s, u64 features);
struct vireo_simbus_dev *bt_dev_new(struct kunit *test,
				    struct vireo_simbus_setup *s, bool add);
struct bt_dev *bt_priv(struct vireo_simbus_dev *sb);
bool bt_bound(struct vireo_simbus_dev *sb);
struct vireo_balloon *bt_vb(struct kunit *test, struct vireo_simbus_dev *sb);
void bt_set_target(struct vireo_simbus_dev *sb, u32 pages);
u32 bt_actual(struct vireo_simbus_dev *sb);
bool bt_wait_actual(struct vireo_simbus_dev *sb, u32 pages, unsigned int ms);
bool bt_wait_held(struct vireo_simbus_dev *sb, unsigned int q,
		  unsigned int n, unsigned int ms);
bool bt_unbind_bounded(struct kunit *test, struct vireo_simbus_dev *sb,
		       unsigned int ms);
const char *bt_who(struct vireo_simbus_dev *sb);

#endif /* _VIREO_BALLOON_TEST_H */
