// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_net against a hostile simulated device: the
 * module's shared helpers.
 *
 * The device is a vireo_simbus device whose handler (nt_handler) plays a
 * network device: on the control queue it records each command (class,
 * command, payload, the chain's shape) and answers with the ack and the
 * used length the case scripted, right or wrong.
 *
 * On a receive queue it leaves the buffers the driver posts alone
 * (VIREO_SIMBUS_IGNORE) until the case delivers a frame: then it writes
 * the frame the case crafted, header included, into the oldest buffer
 * and reports the used length the case chose (nt_rx()).
 *
 * One module, a few suites a file: vireo_net_ctrl_test.c (the control
 * queue, unit-tested with a small driver of its own on a device type no
 * real driver serves), vireo_net_config_test.c (the real driver: config
 * space and the control queue through the interface),
 * vireo_net_rx_test.c (the real driver: frames the device got wrong).
 * This file holds what they share: the scripted device, devices freed at
 * the end of a case, the interface, unbinding from a thread and waiting
 * with a rescue.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_net_test.h"

VIREO_IMPORT_NS();

struct nt_state *nt_state(struct vireo_simbus_dev *sb)
{
	return sb->setup.priv;
}

/* Count the readable and writable descriptors of a chain. */
static void nt_shape(struct nt_cmd *c, const struct vireo_simq_iov *iov,
		     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (iov[i].write)
			c->nwrite++;
		else
			c->nread++;
	}
}

/* A control command: record it, then answer as scripted. */
static u32 nt_ctrl(struct nt_state *st, const struct vireo_simq_iov *iov,
		   unsigned int n)
{
	size_t got = vireo_simq_copy_from(iov, n, st->scratch,
					  sizeof(st->scratch));
	struct nt_cmd c = {};
	u8 ack = st->ack;

	if (got >= 2) {
		c.class = st->scratch[0];
		c.cmd = st->scratch[1];
		c.len = got - 2;
		memcpy(c.data, st->scratch + 2, min_t(size_t, c.len,
						      sizeof(c.data)));
		memcpy(st->last_data, st->scratch + 2,
		       min_t(size_t, c.len, sizeof(st->last_data)));
	}
	nt_shape(&c, iov, n);
	st->log[st->ncmds % NT_LOG] = c;
	st->ncmds++;
	st->last = c;
	vireo_simq_copy_to(iov, n, &ack, sizeof(ack));
	if (st->ack_len >= 0)
		return st->ack_len;
	return vireo_simq_writable(iov, n);
}

/* A receive buffer: the scripted frame, and the scripted used length. */
static u32 nt_rx_fill(struct nt_state *st, const struct vireo_simq_iov *iov,
		      unsigned int n)
{
	st->rx_room = vireo_simq_writable(iov, n);
	vireo_simq_copy_to(iov, n, st->frame, st->frame_len);
	st->rx_filled++;
	if (st->rx_used == NT_USED_OVER)
		return st->rx_room + 1;
	if (st->rx_used >= 0)
		return st->rx_used;
	return st->frame_len;
}

/* The device's handler: see the file's comment. */
u32 nt_handler(struct vireo_simbus_dev *sb, unsigned int q,
	       const struct vireo_simq_iov *iov, unsigned int n)
{
	struct nt_state *st = nt_state(sb);

	if (q == st->ctrlq)
		return nt_ctrl(st, iov, n);
	if (q == st->rxq)
		return nt_rx_fill(st, iov, n);
	return vireo_simbus_default_handler(sb, q, iov, n);
}

/* Change the answer, under the control queue's device lock. */
void nt_set_ack(struct vireo_simbus_dev *sb, u8 ack, int ack_len)
{
	struct nt_state *st = nt_state(sb);
	struct vireo_simbus_queue *q = &sb->queues[st->ctrlq];
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	st->ack = ack;
	st->ack_len = ack_len;
	spin_unlock_irqrestore(&q->lock, flags);
}

void nt_reset_log(struct vireo_simbus_dev *sb)
{
	struct nt_state *st = nt_state(sb);
	struct vireo_simbus_queue *q = &sb->queues[st->ctrlq];
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	st->ncmds = 0;
	memset(&st->last, 0, sizeof(st->last));
	spin_unlock_irqrestore(&q->lock, flags);
}

/* A device answering OK with the right length; freed with the case. */
struct nt_state *nt_new_state(struct kunit *test, unsigned int ctrlq)
{
	struct nt_state *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->ctrlq = ctrlq;
	st->rxq = UINT_MAX;
	st->ack = NT_OK;
	st->ack_len = -1;
	return st;
}

/*
 * A well-behaved network device for the real vireo_net: MAC NT_MAC, link
 * up, one queue pair and the control queue, offering @features. Its
 * receive queue leaves the buffers the driver posts alone until the case
 * delivers a frame (nt_rx()).
 */
void nt_default_setup(struct kunit *test, struct vireo_simbus_setup *s,
		      u64 features)
{
	struct nt_config c = {
		.mac = NT_MAC,
		.status = NT_S_LINK_UP,
		.max_virtqueue_pairs = 1,
		.mtu = 1500,
	};
	struct nt_state *st = nt_new_state(test, NT_CTRLQ);
	unsigned int i;

	memset(s, 0, sizeof(*s));
	st->rxq = NT_RXQ;
	s->device = NT_ID_NET;
	s->vendor = VIREO_PCI_VENDOR_ID;
	s->features = features;
	memcpy(s->config, &c, sizeof(c));
	s->config_len = sizeof(c);
	s->nqueues = VIREO_SIMBUS_MAX_QUEUES;
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
		s->queue_num[i] = NT_RING;
	s->handler = nt_handler;
	s->priv = st;
}

void nt_set_cfg(struct vireo_simbus_setup *s, unsigned int off,
		unsigned int size, u64 val)
{
	memcpy(s->config + off, &val, size);	/* little-endian x86 */
}

bool nt_bound(struct vireo_simbus_dev *sb)
{
	struct device_driver *drv = READ_ONCE(sb->vdev.dev.driver);

	return drv && !strcmp(drv->name, "vireo_net");
}

/* The interface of a bound device, found by its parent; NULL if none. */
struct net_device *nt_ndev(struct vireo_simbus_dev *sb)
{
	struct net_device *dev, *found = NULL;

	rtnl_lock();
	for_each_netdev(&init_net, dev) {
		if (dev->dev.parent == &sb->vdev.dev) {
			found = dev;
			break;
		}
	}
	rtnl_unlock();
	return found;
}

void nt_up(struct kunit *test, struct net_device *ndev)
{
	int err;

	rtnl_lock();
	err = dev_open(ndev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
}

void nt_rx_counts(struct net_device *ndev, struct nt_rx_counts *c)
{
	struct rtnl_link_stats64 st;

	dev_get_stats(ndev, &st);
	c->packets = st.rx_packets;
	c->dropped = st.rx_dropped;
	c->errors = st.rx_errors;
	c->bytes = st.rx_bytes;
}

/*
 * The device fills the oldest receive buffer the driver posted with
 * @frame (@len bytes, the header first) and reports @used bytes (or @len
 * if negative). Waits until the interface counted something: a packet,
 * a drop or an error. False if it counted nothing within 5 s.
 */
bool nt_rx(struct kunit *test, struct vireo_simbus_dev *sb,
	   struct net_device *ndev, const void *frame, unsigned int len,
	   int used)
{
	struct nt_state *st = nt_state(sb);
	struct vireo_simbus_queue *q = &sb->queues[st->rxq];
	struct nt_rx_counts before, now;
	unsigned long flags;
	unsigned int i;

	KUNIT_ASSERT_LE(test, len, NT_FRAME_MAX);
	nt_rx_counts(ndev, &before);
	spin_lock_irqsave(&q->lock, flags);
	memcpy(st->frame, frame, len);
	st->frame_len = len;
	st->rx_used = used;
	spin_unlock_irqrestore(&q->lock, flags);
	if (vireo_simbus_process_n(sb, st->rxq, 1) != 1) {
		KUNIT_FAIL(test, "the driver posted no receive buffer");
		return false;
	}
	for (i = 0; i < 250; i++) {
		nt_rx_counts(ndev, &now);
		if (now.packets != before.packets ||
		    now.dropped != before.dropped ||
		    now.errors != before.errors)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * The most recent command of @class/@cmd among the last NT_LOG, copied
 * into @out under the control queue's device lock; false if none.
 */
bool nt_find_cmd(struct vireo_simbus_dev *sb, u8 class, u8 cmd,
		 struct nt_cmd *out)
{
	struct nt_state *st = nt_state(sb);
	struct vireo_simbus_queue *q = &sb->queues[st->ctrlq];
	unsigned int k, n, idx;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&q->lock, flags);
	n = min(st->ncmds, NT_LOG);
	for (k = 0; k < n && !found; k++) {
		idx = (st->ncmds - 1 - k) % NT_LOG;
		if (st->log[idx].class == class && st->log[idx].cmd == cmd) {
			*out = st->log[idx];
			found = true;
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return found;
}

/* Wait until the device received @n control commands; false after 10 s. */
bool nt_wait_cmds(struct vireo_simbus_dev *sb, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (READ_ONCE(nt_state(sb)->ncmds) >= n)
			return true;
		msleep(20);
	}
	return false;
}

/* ---- devices ----------------------------------------------------------- */

static void nt_sb_release(void *data)
{
	struct vireo_simbus_dev *sb = data;

	vireo_simbus_del(sb);
	vireo_simbus_put(sb);
}

/* A device, registered (and probed) unless @add is false; freed at the end. */
struct vireo_simbus_dev *nt_dev(struct kunit *test,
				const struct vireo_simbus_setup *s, bool add)
{
	struct vireo_simbus_dev *sb = vireo_simbus_alloc(s);

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nt_sb_release,
							sb), 0);
	if (add)
		KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

/*
 * A network device for the real driver, its receive queues (the even
 * ones but the control queue) leaving posted buffers alone; registered
 * (and probed) unless @add is false; freed at the end.
 */
struct vireo_simbus_dev *nt_net_dev(struct kunit *test,
				    const struct vireo_simbus_setup *s,
				    bool add)
{
	struct vireo_simbus_dev *sb = nt_dev(test, s, false);
	unsigned int q;

	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q += 2)
		if (q != nt_state(sb)->ctrlq)
			vireo_simbus_set_mode(sb, q, VIREO_SIMBUS_IGNORE);
	if (add)
		KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

static char nt_who_buf[32];

/* " vireoN: ", to count a device's messages. */
const char *nt_who(struct vireo_simbus_dev *sb)
{
	snprintf(nt_who_buf, sizeof(nt_who_buf), " %s: ",
		 dev_name(&sb->vdev.dev));
	return nt_who_buf;
}

/* Wait until queue @q holds at least @n chains; false after 10 s. */
bool nt_wait_held(struct vireo_simbus_dev *sb, unsigned int q,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (vireo_simbus_held(sb, q) >= n)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * Wait for @call; if it does not return within @ms, fail with @what and
 * rescue it by making the device answer everything, then wait again.
 * Returns true if it returned in time.
 */
bool nt_wait_or_rescue(struct kunit *test, struct vireo_simbus_dev *sb,
		       struct vireo_simbus_call *call, unsigned int ms,
		       const char *what)
{
	unsigned int tries;

	if (vireo_simbus_call_wait(call, ms))
		return true;
	KUNIT_FAIL(test, "%s: still blocked after %u ms", what, ms);
	for (tries = 0; tries < 60; tries++) {
		vireo_simbus_rescue(sb, NT_OK);
		if (vireo_simbus_call_wait(call, 1000))
			return false;
	}
	KUNIT_FAIL_AND_ABORT(test, "%s: not even rescued", what);
	return false;
}

MODULE_DESCRIPTION("KUnit tests for vireo_net against a hostile simulated device");
MODULE_LICENSE("GPL");
