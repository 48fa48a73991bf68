/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vireo_blk suites' wire facts, limits and shared helpers
 * (vireo_blk_test_lib.c).
 */
#ifndef _VIREO_BLK_TEST_H
#define _VIREO_BLK_TEST_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"

/* Feature bits and status values of the legacy block device (wire facts). */
#define BT_F_SIZE_MAX		1
#define BT_F_SEG_MAX		2
#define BT_F_GEOMETRY		4
#define BT_F_BLK_SIZE		6
#define BT_F_FLUSH		9
#define BT_F_TOPOLOGY		10
#define BT_F_CONFIG_WCE		11
#define BT_F_MQ			12
#define BT_F_DISCARD		13
#define BT_F_WRITE_ZEROES	14
#define BT_S_OK			0
#define BT_S_IOERR		1

#define BT_FEATURES	(BIT_ULL(BT_F_SIZE_MAX) | BIT_ULL(BT_F_SEG_MAX) | \
			 BIT_ULL(BT_F_GEOMETRY) | BIT_ULL(BT_F_BLK_SIZE) | \
			 BIT_ULL(BT_F_FLUSH) | BIT_ULL(BT_F_TOPOLOGY) | \
			 BIT_ULL(BT_F_CONFIG_WCE) | BIT_ULL(BT_F_MQ) | \
			 BIT_ULL(BT_F_DISCARD) | BIT_ULL(BT_F_WRITE_ZEROES) | \
			 BIT_ULL(VIREO_RING_F_INDIRECT_DESC) | \
			 BIT_ULL(VIREO_RING_F_EVENT_IDX))

#define BT_CAPACITY	2048ULL		/* sectors: 1 MiB */
#define BT_RING		128U
/* Long enough for a healthy device under TCG, KASAN and lockdep. */
#define BT_IO_MS	20000U
/* How long a stuck device may delay an error or a removal. */
#define BT_BOUND_MS	15000U
/* The request timeout the stuck cases set, as a user would (io_timeout). */
#define BT_RQ_TIMEOUT	HZ
/*
 * During probe the disk has the default io_timeout (30 s), which a test
 * cannot shorten before the disk exists: allow three of them (the driver
 * retries a request up to three times), and stay below the hung-task
 * detector's 120 s.
 */
#define BT_PROBE_BOUND_MS	100000U
#define BT_SPURIOUS	100000U
#define BT_CYCLES	100U

/**
 * struct bt_config - the legacy virtio-blk config space (wire layout)
 * @capacity: sectors
 * @size_max: largest segment
 * @seg_max: segments per request
 * @cylinders: geometry
 * @heads: geometry
 * @sectors: geometry
 * @blk_size: logical block size
 * @physical_block_exp: log2 of logical blocks per physical block
 * @alignment_offset: in logical blocks
 * @min_io_size: in logical blocks
 * @opt_io_size: in logical blocks
 * @wce: write cache enabled
 * @unused0: padding
 * @num_queues: request queues
 * @max_discard_sectors: discard limit
 * @max_discard_seg: discard ranges
 * @discard_sector_alignment: discard granularity
 * @max_write_zeroes_sectors: write-zeroes limit
 * @max_write_zeroes_seg: write-zeroes ranges
 * @write_zeroes_may_unmap: write-zeroes may deallocate
 * @unused1: padding
 */
struct bt_config {
	u64 capacity;
	u32 size_max;
	u32 seg_max;
	u16 cylinders;
	u8 heads;
	u8 sectors;
	u32 blk_size;
	u8 physical_block_exp;
	u8 alignment_offset;
	u16 min_io_size;
	u32 opt_io_size;
	u8 wce;
	u8 unused0;
	u16 num_queues;
	u32 max_discard_sectors;
	u32 max_discard_seg;
	u32 discard_sector_alignment;
	u32 max_write_zeroes_sectors;
	u32 max_write_zeroes_seg;
	u8 write_zeroes_may_unmap;
	u8 unused1[3];
} __packed;

static_assert(sizeof(struct bt_config) == 60);

#define BT_CFG(field)	offsetof(struct bt_config, field)

/**
 * struct bt_io - I/O a thread submits
 * @devt: the disk, or 0 to find it through @sb each time
 * @sb: the device, when @devt is 0
 * @nr: requests to submit (until @stop when 0)
 * @write: write instead of read (alternate when @mixed)
 * @mixed: alternate reads and writes
 * @stop: stop submitting
 * @ok: requests that succeeded
 * @failed: requests that failed
 * @open_failed: opens that failed (the disk was gone)
 * @first_err: the first error
 */
struct bt_io {
	dev_t devt;
	struct vireo_simbus_dev *sb;
	unsigned int nr;
	bool write;
	bool mixed;
	bool stop;
	unsigned int ok;
	unsigned int failed;
	unsigned int open_failed;
	int first_err;
};

void bt_default_setup(struct vireo_simbus_setup *s);
void bt_set(struct vireo_simbus_setup *s, unsigned int off, unsigned int size,
	    u64 val);
struct vireo_simbus_dev *bt_dev(struct kunit *test,
				const struct vireo_simbus_setup *s, bool add);
bool bt_bound(struct vireo_simbus_dev *sb);
int bt_is_disk(struct device *dev, void *data);
dev_t bt_devt(struct vireo_simbus_dev *sb);
void bt_set_rq_timeout(struct kunit *test, struct vireo_simbus_dev *sb);
const char *bt_who(struct vireo_simbus_dev *sb);
struct vireo_simbus_call *bt_io_start(struct kunit *test, struct bt_io *io);
void bt_expect_io_works(struct kunit *test, struct vireo_simbus_dev *sb,
			unsigned int nr);
bool bt_wait_or_rescue(struct kunit *test, struct vireo_simbus_dev *sb,
		       struct vireo_simbus_call *call, unsigned int ms,
		       const char *what);
void bt_all_modes(struct vireo_simbus_dev *sb, enum vireo_simbus_mode mode);
bool bt_wait_held(struct vireo_simbus_dev *sb, unsigned int n);

#endif /* _VIREO_BLK_TEST_H */
