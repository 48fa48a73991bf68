/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vireo_console suites' wire facts, limits and shared helpers
 * (vireo_console_test_lib.c).
 *
 * The wire facts are restated here from the legacy (0.9.5) virtio
 * specification, not taken from the driver's headers, so that a mistake
 * in those is caught rather than copied.
 */
#ifndef _VIREO_CONSOLE_TEST_H
#define _VIREO_CONSOLE_TEST_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"

/* The console device's type and feature bits (wire facts). */
#define CT_ID_CONSOLE		3
#define CT_F_SIZE		0
#define CT_F_MULTIPORT		1
#define CT_F_EMERG_WRITE	2

/* Control events (wire facts). */
#define CT_DEVICE_READY		0
#define CT_PORT_ADD		1
#define CT_PORT_REMOVE		2
#define CT_PORT_READY		3
#define CT_CONSOLE_PORT		4
#define CT_RESIZE		5
#define CT_PORT_OPEN		6
#define CT_PORT_NAME		7

/**
 * struct ct_config - the console device's config space (legacy layout)
 * @cols: width (SIZE)
 * @rows: height (SIZE)
 * @max_nr_ports: ports (MULTIPORT)
 * @emerg_wr: emergency write (EMERG_WRITE)
 */
struct ct_config {
	u16 cols;
	u16 rows;
	u32 max_nr_ports;
	u32 emerg_wr;
} __packed;

static_assert(sizeof(struct ct_config) == 12);

/**
 * struct ct_ctrl - a control message's header (wire fact)
 * @id: port
 * @event: CT_* event
 * @value: argument
 */
struct ct_ctrl {
	u32 id;
	u16 event;
	u16 value;
} __packed;

static_assert(sizeof(struct ct_ctrl) == 8);

/* Queue sizes of the simulated device. */
#define CT_RING			64U
/* max_nr_ports that fits vireo_simbus's 8 queues: ports 0 to 2. */
#define CT_PORTS		3U
/* Queue numbers: port 0's pair, the control pair, then ports 1 and 2. */
static inline unsigned int ct_qrx(u32 id)
{
	return id ? 2 * (id + 1) : 0;
}

static inline unsigned int ct_qtx(u32 id)
{
	return ct_qrx(id) + 1;
}

#define CT_Q_CRX		2U
#define CT_Q_CTX		3U
/* Bytes of a host control message the test can script. */
#define CT_MSG_MAX		1024U
/* Guest control messages the device records. */
#define CT_LOG			512U
/* Bytes of a host data buffer the test can script. */
#define CT_RX_MAX		8192U
/* Bytes of guest data the device keeps per transmit queue. */
#define CT_CAP			(512U * 1024U)
/* Bounds for what may hang: long enough for TCG, KASAN and lockdep. */
#define CT_BOUND_MS		20000U
/* The driver's receive buffer and control buffer sizes, as documented. */
#define CT_RX_BUF		4096U
#define CT_CTRL_BUF		512U
#define CT_CTRL_BACKLOG		128U

/**
 * struct ct_gmsg - a control message the guest sent
 * @id: port
 * @event: CT_* event
 * @value: argument
 * @len: bytes the device read
 */
struct ct_gmsg {
	u32 id;
	u16 event;
	u16 value;
	u32 len;
};

/**
 * struct ct_state - the scripted console device (setup.priv)
 * @hmsg: the next host control message, header included
 * @hmsg_len: its bytes
 * @hmsg_used: the used length to report; negative: @hmsg_len
 * @ready_posted: control receive buffers available when DEVICE_READY came
 * @log: the guest's control messages, message i at i % CT_LOG
 * @nlog: messages received
 * @rx: what the device writes into the next receive buffer
 * @rx_len: its bytes
 * @rx_used: the used length to report; negative: @rx_len
 * @rx_room: writable bytes of the last receive buffer filled
 * @cap: per transmit queue: the guest's bytes, in order
 * @cap_len: per transmit queue: bytes in @cap
 * @cap_bufs: per transmit queue: buffers received
 * @cap_lost: per transmit queue: bytes beyond CT_CAP
 * @last_iovs: per transmit queue: pieces of the last buffer received
 */
struct ct_state {
	u8 hmsg[CT_MSG_MAX];
	unsigned int hmsg_len;
	int hmsg_used;
	unsigned int ready_posted;
	struct ct_gmsg log[CT_LOG];
	unsigned int nlog;
	u8 rx[CT_RX_MAX];
	unsigned int rx_len;
	int rx_used;
	u32 rx_room;
	u8 *cap[VIREO_SIMBUS_MAX_QUEUES];
	size_t cap_len[VIREO_SIMBUS_MAX_QUEUES];
	unsigned int cap_bufs[VIREO_SIMBUS_MAX_QUEUES];
	size_t cap_lost[VIREO_SIMBUS_MAX_QUEUES];
	unsigned int last_iovs[VIREO_SIMBUS_MAX_QUEUES];
};

struct file;

struct ct_state *ct_state(struct vireo_simbus_dev *sb);
void ct_setup(struct kunit *test, struct vireo_simbus_setup *s, u64 features,
	      u32 max_ports);
struct vireo_simbus_dev *ct_dev(struct kunit *test,
				const struct vireo_simbus_setup *s);
bool ct_bound(struct vireo_simbus_dev *sb);
const char *ct_who(struct vireo_simbus_dev *sb);
bool ct_host_msg(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		 u16 event, u16 value, const void *payload,
		 unsigned int plen, int used);
int ct_debugfs_read(struct kunit *test, const char *path, char *buf,
		    size_t size);
long long ct_counter(struct kunit *test, struct vireo_simbus_dev *sb,
		     const char *name);
bool ct_wait_counter(struct kunit *test, struct vireo_simbus_dev *sb,
		     const char *name, long long want);
int ct_knob(struct kunit *test, struct vireo_simbus_dev *sb,
	    const char *name, const char *val);
unsigned int ct_gmark(struct vireo_simbus_dev *sb);
bool ct_wait_gmsg(struct vireo_simbus_dev *sb, unsigned int mark, u32 id,
		  u16 event, u16 value);
unsigned int ct_count_gmsg(struct vireo_simbus_dev *sb, unsigned int mark,
			   u16 event);
bool ct_port_name(struct vireo_simbus_dev *sb, u32 id, char *buf,
		  size_t size);
bool ct_wait_port(struct vireo_simbus_dev *sb, u32 id, bool present);
void ct_add_port(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		 const char *name);
int ct_read_attr(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		 const char *attr, char *buf, size_t size);
struct file *ct_open(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		     int flags);
void ct_close(struct file *f);
bool ct_rx(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
	   const void *data, unsigned int len, int used);
size_t ct_tx_len(struct vireo_simbus_dev *sb, u32 id);
size_t ct_tx_take(struct vireo_simbus_dev *sb, u32 id, void *out,
		  size_t max);
bool ct_wait_tx(struct vireo_simbus_dev *sb, u32 id, size_t len);
void ct_pattern(u8 *buf, size_t len, u32 seed);

#endif /* _VIREO_CONSOLE_TEST_H */
