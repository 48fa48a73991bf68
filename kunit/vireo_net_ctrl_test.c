// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_net's control queue against a hostile simulated
 * device.
 *
 * vireo_net_ctrl: the control queue's code (drivers/net/vireo_net_ctrl.c,
 * built into this module) bound through the bus to a simulated device by
 * a small test driver that does what vireo_net does with it: create the
 * queue, attach, and on remove reset, detach and delete. The device then
 * answers each command as the case scripts it: OK, ERR, an ack that is
 * neither, a used length too short for the ack, a broken used ring, or
 * nothing at all; and the case checks the error returned, the counters,
 * that one message is printed for a flood, that a device that never
 * answers costs a bounded wait, then fails later commands at once, and
 * that removal completes. The bytes each command puts on the wire are
 * checked against the specification's layout (vireo_net_test.h).
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_net_test.h"
/* The code under test, built in: it has no exported interface. */
#include "../drivers/net/vireo_net_ctrl.c"

/* The unit device has the control queue only. */
#define NU_CTRLQ	0U

/* The command timeout of the next device bound. */
static unsigned int nu_timeout_ms = NT_UNIT_TIMEOUT_MS;

static const unsigned int nu_features[] = {
	NT_F_CTRL_VQ, NT_F_CTRL_RX, NT_F_CTRL_VLAN, NT_F_CTRL_RX_EXTRA,
	NT_F_GUEST_ANNOUNCE, NT_F_MQ, NT_F_CTRL_MAC_ADDR,
	NT_F_CTRL_GUEST_OFFLOADS,
};

static const struct vireo_device_id nu_ids[] = {
	{ NT_ID_CTRL_UNIT, VIREO_DEV_ANY_ID },
	{}
};

/**
 * struct nu_unit - what the test driver keeps per device
 * @ctrl: the control queue's state
 * @keep: remove leaves @ctrl for the case to free (nu_unit_free()),
 *	because a thread of the case may still be inside a call. vireo_net
 *	has no such caller: its callers are gone before it frees the state.
 */
struct nu_unit {
	struct vireo_net_ctrl ctrl;
	bool keep;
};

/* Whether the next device bound keeps its state past remove. */
static bool nu_keep;

static int nu_probe(struct vireo_device *vdev)
{
	struct vireo_vq_info info = {
		.name = "vireo_net_test_ctrl",
		.callback = vireo_net_ctrl_callback,
	};
	struct vireo_virtqueue *vq = NULL;
	struct nu_unit *u;
	int err;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	u->keep = nu_keep;
	err = vireo_net_ctrl_init(&u->ctrl, vdev, nu_timeout_ms);
	if (err)
		goto free_unit;
	if (vireo_has_feature(vdev, NT_F_CTRL_VQ)) {
		err = vireo_find_vqs(vdev, 1, &vq, &info);
		if (err)
			goto destroy_ctrl;
	}
	vireo_net_ctrl_attach(&u->ctrl, vq);
	vdev->priv = u;
	return 0;

destroy_ctrl:
	vireo_net_ctrl_destroy(&u->ctrl);
free_unit:
	kfree(u);
	return err;
}

static void nu_unit_free(struct nu_unit *u)
{
	vireo_net_ctrl_destroy(&u->ctrl);
	kfree(u);
}

/* As vireo_net's remove: the device is reset before the queue goes. */
static void nu_remove(struct vireo_device *vdev)
{
	struct nu_unit *u = vdev->priv;

	vireo_reset_device(vdev);
	vireo_net_ctrl_detach(&u->ctrl);
	vireo_del_vqs(vdev);
	if (!u->keep)
		nu_unit_free(u);
}

static struct vireo_driver nu_driver = {
	.driver.name = "vireo_net_ctrl_test",
	.id_table = nu_ids,
	.feature_table = nu_features,
	.feature_table_size = ARRAY_SIZE(nu_features),
	.probe = nu_probe,
	.remove = nu_remove,
};

static int nu_suite_init(struct kunit_suite *suite)
{
	return vireo_register_driver(&nu_driver);
}

static void nu_suite_exit(struct kunit_suite *suite)
{
	vireo_unregister_driver(&nu_driver);
}

static bool nu_bound(struct vireo_simbus_dev *sb)
{
	return READ_ONCE(sb->vdev.dev.driver) == &nu_driver.driver;
}

/* A bound unit device offering @features, answering OK. */
static struct vireo_simbus_dev *nu_dev(struct kunit *test, u64 features)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->device = NT_ID_CTRL_UNIT;
	s->vendor = VIREO_PCI_VENDOR_ID;
	s->features = features | BIT_ULL(VIREO_RING_F_INDIRECT_DESC) |
		      BIT_ULL(VIREO_RING_F_EVENT_IDX);
	s->nqueues = 1;
	s->queue_num[0] = NT_RING;
	s->handler = nt_handler;
	s->priv = nt_new_state(test, NU_CTRLQ);
	sb = nt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, nu_bound(sb));
	return sb;
}

static struct vireo_net_ctrl *nu_ctrl(struct vireo_simbus_dev *sb)
{
	struct nu_unit *u = sb->vdev.priv;

	return &u->ctrl;
}

/* ---- commands from a thread of their own -------------------------------- */

/**
 * struct nu_op - commands a thread sends
 * @ctrl: the control queue
 * @class: the command's class
 * @cmd: the command
 * @data: its payload
 * @len: bytes of @data
 * @repeat: how many times to send it (at least once)
 * @first: what the first returned
 * @last: what the last returned
 * @same: how many returned the same as the first
 */
struct nu_op {
	struct vireo_net_ctrl *ctrl;
	u8 class;
	u8 cmd;
	u8 data[8];
	unsigned int len;
	unsigned int repeat;
	int first;
	int last;
	unsigned int same;
};

static long nu_op_fn(void *arg)
{
	struct nu_op *op = arg;
	unsigned int i;

	for (i = 0; i < max(op->repeat, 1U); i++) {
		op->last = vireo_net_ctrl_cmd(op->ctrl, op->class, op->cmd,
					      op->data, op->len);
		if (!i)
			op->first = op->last;
		if (op->last == op->first)
			op->same++;
	}
	return 0;
}

/* Send @repeat VLAN_ADD 7 commands from a thread; false if it hung. */
static bool nu_send(struct kunit *test, struct vireo_simbus_dev *sb,
		    struct nu_op *op, unsigned int repeat, const char *what)
{
	struct vireo_simbus_call *call;
	bool ok;

	memset(op, 0, sizeof(*op));
	op->ctrl = nu_ctrl(sb);
	op->class = NT_CTRL_VLAN;
	op->cmd = NT_CTRL_VLAN_ADD;
	op->data[0] = 7;
	op->len = 2;
	op->repeat = repeat;
	call = vireo_simbus_call_start(nu_op_fn, op, "vireo_net_ctrl_op");
	KUNIT_ASSERT_NOT_NULL(test, call);
	ok = nt_wait_or_rescue(test, sb, call, NT_BOUND_MS, what);
	vireo_simbus_call_put(call);
	return ok;
}

/* One command; its result. */
static int nu_send1(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct nu_op *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, op);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, 1, "one command"));
	return op->first;
}

/* ---- vireo_net_ctrl: answers ------------------------------------------ */

/* OK is success, and the device saw the command as sent. */
static void nc_ok(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	struct nt_state *st = nt_state(sb);

	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), 0);
	KUNIT_EXPECT_EQ(test, st->ncmds, 1U);
	KUNIT_EXPECT_EQ(test, st->last.class, NT_CTRL_VLAN);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_VLAN_ADD);
	KUNIT_EXPECT_EQ(test, st->last.len, 2);
	KUNIT_EXPECT_EQ(test, st->last.data[0], 7);
	/* The ack is the one writable byte, after everything readable. */
	KUNIT_EXPECT_EQ(test, st->last.nwrite, 1);
	KUNIT_EXPECT_EQ(test, ctrl->stats.commands, 1ULL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.errors, 0ULL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.bad_acks, 0ULL);
}

/* ERR is the device refusing: -EINVAL, counted, the queue still works. */
static void nc_err(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);

	nt_set_ack(sb, NT_ERR, -1);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.errors, 1ULL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.bad_acks, 0ULL);
	nt_set_ack(sb, NT_OK, -1);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), 0);
}

/* Acks that are neither OK nor ERR. */
static const u8 nc_bad_ack_values[] = { 2, 3, 0x7f, 0x80, 0xfe, 0xff };

static void nc_bad_ack_desc(const u8 *v, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "ack %#x", *v);
}

KUNIT_ARRAY_PARAM(nc_bad_ack, nc_bad_ack_values, nc_bad_ack_desc);

/* Any other ack is a device error: -EIO, counted, one message. */
static void nc_bad_ack(struct kunit *test)
{
	const u8 *ack = test->param_value;
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	u64 mark = vireo_simbus_log_mark();

	nt_set_ack(sb, *ack, -1);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), -EIO);
	KUNIT_EXPECT_EQ(test, ctrl->stats.bad_acks, 1ULL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.errors, 0ULL);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "invalid answer"), 1U);
	/* A device error about one command does not stop the next. */
	nt_set_ack(sb, NT_OK, -1);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), 0);
}

/*
 * A used length of 0 says the device wrote no ack, whatever the byte
 * holds (here a valid OK, written anyway): -EIO.
 */
static void nc_short_len(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);

	nt_set_ack(sb, NT_OK, 0);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), -EIO);
	KUNIT_EXPECT_EQ(test, ctrl->stats.bad_acks, 1ULL);
	nt_set_ack(sb, NT_OK, -1);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), 0);
}

/* A flood of bad answers: every one fails and counts, one message only. */
static void nc_flood(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct nu_op *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	u64 mark = vireo_simbus_log_mark();

	KUNIT_ASSERT_NOT_NULL(test, op);
	nt_set_ack(sb, 0x42, -1);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, NT_FLOOD / 2,
					"a flood of bad acks"));
	nt_set_ack(sb, NT_OK, 0);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, NT_FLOOD / 2,
					"a flood of short answers"));
	KUNIT_EXPECT_EQ(test, op->first, -EIO);
	KUNIT_EXPECT_EQ(test, op->same, NT_FLOOD / 2);
	KUNIT_EXPECT_EQ(test, ctrl->stats.bad_acks, (u64)NT_FLOOD);
	KUNIT_EXPECT_EQ(test, ctrl->stats.commands, (u64)NT_FLOOD);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "control"), 1U);
}

/* ---- vireo_net_ctrl: a device that does not answer ---------------------- */

/*
 * The device takes the command and never answers: a bounded wait, then
 * -ETIMEDOUT and one message. Later commands fail at once, without
 * reaching the device (no kick) and without a message; once the device
 * returns the buffer, the next command takes it back and works.
 */
static void nc_no_answer(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct nu_op *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	u64 mark = vireo_simbus_log_mark();
	unsigned int kicks;

	KUNIT_ASSERT_NOT_NULL(test, op);
	vireo_simbus_set_mode(sb, NU_CTRLQ, VIREO_SIMBUS_HOLD);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, 1,
					"command to a silent device"));
	KUNIT_EXPECT_EQ(test, op->first, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, vireo_simbus_held(sb, NU_CTRLQ), 1U);
	KUNIT_EXPECT_EQ(test, ctrl->stats.timeouts, 1ULL);
	KUNIT_EXPECT_TRUE(test, ctrl->stuck);

	kicks = vireo_simbus_kicks(sb, NU_CTRLQ);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, 100,
					"commands while stuck"));
	KUNIT_EXPECT_EQ(test, op->first, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, op->same, 100U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_kicks(sb, NU_CTRLQ), kicks);
	KUNIT_EXPECT_EQ(test, ctrl->stats.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.commands, 1ULL);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, nt_who(sb),
						     "not answered"), 1U);

	/* The late answer (an ERR, for a command already failed) is dropped. */
	vireo_simbus_set_mode(sb, NU_CTRLQ, VIREO_SIMBUS_COMPLETE);
	KUNIT_EXPECT_EQ(test, vireo_simbus_release_held(sb, NU_CTRLQ, NT_ERR),
			1U);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), 0);
	KUNIT_EXPECT_FALSE(test, ctrl->stuck);
	KUNIT_EXPECT_EQ(test, ctrl->stats.errors, 0ULL);
}

/* Unbinding after a command timed out completes, and frees everything. */
static void nc_no_answer_unbind(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_simbus_call *unbind;

	vireo_simbus_set_mode(sb, NU_CTRLQ, VIREO_SIMBUS_HOLD);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), -ETIMEDOUT);
	unbind = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_net_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	nt_wait_or_rescue(test, sb, unbind, NT_BOUND_MS,
			  "unbind with a command held");
	vireo_simbus_call_put(unbind);
	KUNIT_EXPECT_FALSE(test, nu_bound(sb));
}

static void nu_restore(void *unused)
{
	nu_timeout_ms = NT_UNIT_TIMEOUT_MS;
	nu_keep = false;
}

/*
 * Unbinding while a command waits (with a timeout far longer than the
 * case): removal wakes it, it fails with -ENODEV rather than -ETIMEDOUT,
 * and removal completes.
 */
static void nc_unbind_while_waiting(struct kunit *test)
{
	struct nu_op *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;
	struct vireo_simbus_dev *sb;
	struct nu_unit *u;

	KUNIT_ASSERT_NOT_NULL(test, op);
	nu_timeout_ms = 30000;
	nu_keep = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nu_restore,
							NULL), 0);
	sb = nu_dev(test, NT_CTRL_FEATURES);
	nu_restore(NULL);
	u = sb->vdev.priv;
	vireo_simbus_set_mode(sb, NU_CTRLQ, VIREO_SIMBUS_HOLD);

	op->ctrl = &u->ctrl;
	op->class = NT_CTRL_ANNOUNCE;
	op->cmd = NT_CTRL_ANNOUNCE_ACK;
	call = vireo_simbus_call_start(nu_op_fn, op, "vireo_net_ctrl_op");
	KUNIT_ASSERT_NOT_NULL(test, call);
	KUNIT_EXPECT_TRUE(test, nt_wait_held(sb, NU_CTRLQ, 1));

	unbind = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_net_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	nt_wait_or_rescue(test, sb, unbind, NT_BOUND_MS,
			  "unbind with a command waiting");
	vireo_simbus_call_put(unbind);
	if (nt_wait_or_rescue(test, sb, call, NT_BOUND_MS,
			      "command waiting across unbind")) {
		KUNIT_EXPECT_EQ(test, op->first, -ENODEV);
		nu_unit_free(u);
	}
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_FALSE(test, nu_bound(sb));
}

/* A used ring the device breaks: -EIO now and for every later command. */
static void nc_broken(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct nu_op *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);
	unsigned int kicks;

	KUNIT_ASSERT_NOT_NULL(test, op);
	vireo_simbus_set_fault(sb, NU_CTRLQ, VIREO_SIMQ_BAD_ID);
	KUNIT_EXPECT_EQ(test, nu_send1(test, sb), -EIO);
	kicks = vireo_simbus_kicks(sb, NU_CTRLQ);
	vireo_simbus_set_fault(sb, NU_CTRLQ, VIREO_SIMQ_BEHAVE);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, 10,
					"commands on a broken queue"));
	KUNIT_EXPECT_EQ(test, op->first, -EIO);
	KUNIT_EXPECT_EQ(test, op->same, 10U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_kicks(sb, NU_CTRLQ), kicks);
}

/* Interrupts without work from another CPU while commands run. */
static void nu_inject_stop(void *data)
{
	vireo_simbus_inject_stop(data);
}

static void nc_spurious(struct kunit *test)
{
	struct vireo_simbus_inject in = { .queues = BIT(NU_CTRLQ) };
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct nu_op *op = kunit_kzalloc(test, sizeof(*op), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, op);
	KUNIT_ASSERT_EQ(test, vireo_simbus_inject_start(sb, &in), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nu_inject_stop,
							sb), 0);
	KUNIT_ASSERT_TRUE(test, nu_send(test, sb, op, 500,
					"commands in an interrupt storm"));
	KUNIT_EXPECT_EQ(test, op->first, 0);
	KUNIT_EXPECT_EQ(test, op->same, 500U);
	vireo_simbus_inject_stop(sb);
	kunit_info(test, "%d interrupts injected\n",
		   atomic_read(&sb->counts.irqs));
}

/* ---- vireo_net_ctrl: features, arguments and the wire ------------------- */

/* Each helper refuses without its feature, sending nothing. */
static void nc_no_features(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, BIT_ULL(NT_F_CTRL_VQ));
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	struct net_device *ndev = alloc_etherdev(0);
	u8 mac[ETH_ALEN] = { 0x02, 1, 2, 3, 4, 5 };

	KUNIT_ASSERT_NOT_NULL(test, ndev);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(ctrl, ndev), -EOPNOTSUPP);
	free_netdev(ndev);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_mac(ctrl, mac), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_vlan(ctrl, 5, true), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_pairs(ctrl, 1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_offloads(ctrl, 0),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_announce_ack(ctrl), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, nt_state(sb)->ncmds, 0U);
	/* The generic command checks no feature. */
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_cmd(ctrl, NT_CTRL_ANNOUNCE,
						 NT_CTRL_ANNOUNCE_ACK, NULL, 0),
			0);
}

/* Without CTRL_VQ there is no queue: every command -EOPNOTSUPP. */
static void nc_no_queue(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, 0);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);

	KUNIT_EXPECT_NULL(test, ctrl->vq);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_cmd(ctrl, NT_CTRL_ANNOUNCE,
						 NT_CTRL_ANNOUNCE_ACK, NULL, 0),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_vlan(ctrl, 5, true), -EOPNOTSUPP);
}

/* Out-of-range arguments fail before anything is sent. */
static void nc_bad_args(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	u8 big[65] = {};
	u8 mcast[ETH_ALEN] = { 0x01, 0, 0x5e, 0, 0, 1 };
	u8 zero[ETH_ALEN] = {};

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_vlan(ctrl, 4096, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_vlan(ctrl, 0xffff, false),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_pairs(ctrl, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_pairs(ctrl, 0x8001), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_mac(ctrl, mcast),
			-EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_mac(ctrl, zero),
			-EADDRNOTAVAIL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_cmd(ctrl, 0, 0, big, sizeof(big)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, nt_state(sb)->ncmds, 0U);
}

/* What each helper puts on the wire (guest-native order, legacy). */
static void nc_wire(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);
	struct nt_state *st = nt_state(sb);
	u8 mac[ETH_ALEN] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	u16 v16;
	u64 v64;

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_mac(ctrl, mac), 0);
	KUNIT_EXPECT_EQ(test, st->last.class, NT_CTRL_MAC);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_MAC_ADDR_SET);
	KUNIT_EXPECT_EQ(test, st->last.len, ETH_ALEN);
	KUNIT_EXPECT_MEMEQ(test, st->last.data, mac, ETH_ALEN);

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_vlan(ctrl, 0x123, true), 0);
	memcpy(&v16, st->last.data, 2);
	KUNIT_EXPECT_EQ(test, st->last.class, NT_CTRL_VLAN);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_VLAN_ADD);
	KUNIT_EXPECT_EQ(test, st->last.len, 2);
	KUNIT_EXPECT_EQ(test, v16, 0x123);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_vlan(ctrl, 4095, false), 0);
	memcpy(&v16, st->last.data, 2);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_VLAN_DEL);
	KUNIT_EXPECT_EQ(test, v16, 4095);

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_pairs(ctrl, 0x8000), 0);
	memcpy(&v16, st->last.data, 2);
	KUNIT_EXPECT_EQ(test, st->last.class, NT_CTRL_MQ);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_MQ_PAIRS_SET);
	KUNIT_EXPECT_EQ(test, st->last.len, 2);
	KUNIT_EXPECT_EQ(test, v16, 0x8000);

	v64 = BIT_ULL(NT_F_GUEST_CSUM) | BIT_ULL(NT_F_GUEST_TSO6);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_set_offloads(ctrl, v64), 0);
	memcpy(&v64, st->last.data, 8);
	KUNIT_EXPECT_EQ(test, st->last.class, NT_CTRL_OFFLOADS);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_OFFLOADS_SET);
	KUNIT_EXPECT_EQ(test, st->last.len, 8);
	KUNIT_EXPECT_EQ(test, v64, BIT_ULL(NT_F_GUEST_CSUM) |
			BIT_ULL(NT_F_GUEST_TSO6));

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_announce_ack(ctrl), 0);
	KUNIT_EXPECT_EQ(test, st->last.class, NT_CTRL_ANNOUNCE);
	KUNIT_EXPECT_EQ(test, st->last.cmd, NT_CTRL_ANNOUNCE_ACK);
	KUNIT_EXPECT_EQ(test, st->last.len, 0);
	KUNIT_EXPECT_EQ(test, st->ncmds, 6U);
	KUNIT_EXPECT_EQ(test, ctrl->stats.commands, 6ULL);
}

/* ---- vireo_net_ctrl: the receive filter --------------------------------- */

/*
 * register_netdev() initialises the address list lock and gives it its
 * lockdep class; these interfaces are never registered, so the test does
 * it, with one class for all of them.
 */
static struct lock_class_key nu_addr_lock_key;

/* Unregistering would flush the address lists; free_netdev() does not. */
static void nu_free_netdev(void *data)
{
	struct net_device *ndev = data;

	dev_uc_flush(ndev);
	dev_mc_flush(ndev);
	free_netdev(ndev);
}

/* An unregistered interface with @nuc unicast and @nmc multicast addresses. */
static struct net_device *nu_netdev(struct kunit *test, unsigned int nuc,
				    unsigned int nmc)
{
	struct net_device *ndev = alloc_etherdev(0);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, ndev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nu_free_netdev,
							ndev), 0);
	spin_lock_init(&ndev->addr_list_lock);
	lockdep_set_class(&ndev->addr_list_lock, &nu_addr_lock_key);
	for (i = 0; i < nuc; i++) {
		u8 uc[ETH_ALEN] = { 0x02, 0, 0, 0, i >> 8, i };

		KUNIT_ASSERT_EQ(test, dev_uc_add(ndev, uc), 0);
	}
	for (i = 0; i < nmc; i++) {
		u8 mc[ETH_ALEN] = { 0x33, 0x33, 0xff, 0, i >> 8, i };

		KUNIT_ASSERT_EQ(test, dev_mc_add(ndev, mc), 0);
	}
	return ndev;
}

/* The n-th logged command's class, command and one-byte payload. */
static void nu_expect_cmd(struct kunit *test, struct nt_state *st,
			  unsigned int n, u8 class, u8 cmd, int val)
{
	KUNIT_ASSERT_LT(test, n, st->ncmds);
	KUNIT_EXPECT_EQ_MSG(test, st->log[n].class, class, "command %u", n);
	KUNIT_EXPECT_EQ_MSG(test, st->log[n].cmd, cmd, "command %u", n);
	if (val >= 0) {
		KUNIT_EXPECT_EQ_MSG(test, st->log[n].len, 1, "command %u", n);
		KUNIT_EXPECT_EQ_MSG(test, st->log[n].data[0], val,
				    "command %u", n);
	}
}

/*
 * Parse the last TABLE_SET: two tables, each a u32 count then that many
 * addresses; the sizes must add up exactly.
 */
static void nu_expect_tables(struct kunit *test, struct nt_state *st,
			     u32 nuc, u32 nmc)
{
	const u8 *p = st->last_data;
	u32 n;

	KUNIT_ASSERT_EQ(test, st->last.class, NT_CTRL_MAC);
	KUNIT_ASSERT_EQ(test, st->last.cmd, NT_CTRL_MAC_TABLE_SET);
	KUNIT_ASSERT_EQ(test, (u32)st->last.len, 8 + (nuc + nmc) * ETH_ALEN);
	memcpy(&n, p, 4);
	KUNIT_EXPECT_EQ(test, n, nuc);
	if (nuc) {
		KUNIT_EXPECT_EQ(test, p[4], 0x02);
		KUNIT_EXPECT_EQ(test, p[4 + (nuc - 1) * ETH_ALEN + 5],
				(u8)(nuc - 1));
	}
	p += 4 + nuc * ETH_ALEN;
	memcpy(&n, p, 4);
	KUNIT_EXPECT_EQ(test, n, nmc);
	if (nmc) {
		KUNIT_EXPECT_EQ(test, p[4], 0x33);
		KUNIT_EXPECT_EQ(test, p[4 + (nmc - 1) * ETH_ALEN + 5],
				(u8)(nmc - 1));
	}
}

/* Filters on, both tables programmed, with the addresses in them. */
static void nc_rx_mode(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct net_device *ndev = nu_netdev(test, 2, 3);
	struct nt_state *st = nt_state(sb);

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(nu_ctrl(sb), ndev), 0);
	KUNIT_ASSERT_EQ(test, st->ncmds, 4U);
	nu_expect_cmd(test, st, 0, NT_CTRL_RX, NT_CTRL_RX_PROMISC, 0);
	nu_expect_cmd(test, st, 1, NT_CTRL_RX, NT_CTRL_RX_ALLMULTI, 0);
	nu_expect_cmd(test, st, 2, NT_CTRL_RX, NT_CTRL_RX_ALLUNI, 0);
	nu_expect_tables(test, st, 2, 3);
	/* Each table in a descriptor of its own, after the header. */
	KUNIT_EXPECT_EQ(test, st->last.nread, 3);
	KUNIT_EXPECT_EQ(test, st->last.nwrite, 1);

	nt_reset_log(sb);
	ndev->flags |= IFF_PROMISC | IFF_ALLMULTI;
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(nu_ctrl(sb), ndev), 0);
	nu_expect_cmd(test, st, 0, NT_CTRL_RX, NT_CTRL_RX_PROMISC, 1);
	nu_expect_cmd(test, st, 1, NT_CTRL_RX, NT_CTRL_RX_ALLMULTI, 1);
	nu_expect_tables(test, st, 2, 3);
}

/* Full tables (64 each) are programmed as they are. */
static void nc_rx_mode_full(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct net_device *ndev = nu_netdev(test, 64, 64);
	struct nt_state *st = nt_state(sb);

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(nu_ctrl(sb), ndev), 0);
	nu_expect_cmd(test, st, 0, NT_CTRL_RX, NT_CTRL_RX_PROMISC, 0);
	nu_expect_cmd(test, st, 1, NT_CTRL_RX, NT_CTRL_RX_ALLMULTI, 0);
	nu_expect_tables(test, st, 64, 64);
}

/*
 * Lists longer than the tables widen reception, never drop addresses:
 * without CTRL_RX_EXTRA, unicast overflow means promiscuous; multicast
 * overflow means all-multicast; the overflowing table goes empty.
 */
static void nc_rx_mode_overflow(struct kunit *test)
{
	struct vireo_simbus_dev *sb;
	struct net_device *ndev = nu_netdev(test, 65, 200);
	struct nt_state *st;

	sb = nu_dev(test, NT_CTRL_FEATURES & ~BIT_ULL(NT_F_CTRL_RX_EXTRA));
	st = nt_state(sb);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(nu_ctrl(sb), ndev), 0);
	KUNIT_ASSERT_EQ(test, st->ncmds, 3U);
	nu_expect_cmd(test, st, 0, NT_CTRL_RX, NT_CTRL_RX_PROMISC, 1);
	nu_expect_cmd(test, st, 1, NT_CTRL_RX, NT_CTRL_RX_ALLMULTI, 1);
	nu_expect_tables(test, st, 0, 0);
}

/* With CTRL_RX_EXTRA, unicast overflow is ALLUNI, not promiscuous. */
static void nc_rx_mode_overflow_extra(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct net_device *ndev = nu_netdev(test, 65, 3);
	struct nt_state *st = nt_state(sb);

	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(nu_ctrl(sb), ndev), 0);
	KUNIT_ASSERT_EQ(test, st->ncmds, 4U);
	nu_expect_cmd(test, st, 0, NT_CTRL_RX, NT_CTRL_RX_PROMISC, 0);
	nu_expect_cmd(test, st, 1, NT_CTRL_RX, NT_CTRL_RX_ALLMULTI, 0);
	nu_expect_cmd(test, st, 2, NT_CTRL_RX, NT_CTRL_RX_ALLUNI, 1);
	nu_expect_tables(test, st, 0, 3);
}

/*
 * A device that stops answering in the middle: the rest fail at once,
 * the tables are not rewritten while the device holds the buffer, and
 * the first error is returned.
 */
static void nc_rx_mode_stuck(struct kunit *test)
{
	struct vireo_simbus_dev *sb = nu_dev(test, NT_CTRL_FEATURES);
	struct net_device *ndev = nu_netdev(test, 2, 3);
	struct vireo_net_ctrl *ctrl = nu_ctrl(sb);

	vireo_simbus_set_mode(sb, NU_CTRLQ, VIREO_SIMBUS_HOLD);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(ctrl, ndev), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, ctrl->stats.commands, 1ULL);
	KUNIT_EXPECT_EQ(test, ctrl->stats.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, vireo_net_ctrl_rx_mode(ctrl, ndev), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, ctrl->stats.commands, 1ULL);
}

static struct kunit_case nc_cases[] = {
	KUNIT_CASE(nc_ok),
	KUNIT_CASE(nc_err),
	KUNIT_CASE_PARAM(nc_bad_ack, nc_bad_ack_gen_params),
	KUNIT_CASE(nc_short_len),
	KUNIT_CASE_SLOW(nc_flood),
	KUNIT_CASE(nc_no_answer),
	KUNIT_CASE(nc_no_answer_unbind),
	KUNIT_CASE(nc_unbind_while_waiting),
	KUNIT_CASE(nc_broken),
	KUNIT_CASE_SLOW(nc_spurious),
	KUNIT_CASE(nc_no_features),
	KUNIT_CASE(nc_no_queue),
	KUNIT_CASE(nc_bad_args),
	KUNIT_CASE(nc_wire),
	KUNIT_CASE(nc_rx_mode),
	KUNIT_CASE(nc_rx_mode_full),
	KUNIT_CASE(nc_rx_mode_overflow),
	KUNIT_CASE(nc_rx_mode_overflow_extra),
	KUNIT_CASE(nc_rx_mode_stuck),
	{}
};

static struct kunit_suite nc_suite = {
	.name = "vireo_net_ctrl",
	.suite_init = nu_suite_init,
	.suite_exit = nu_suite_exit,
	.test_cases = nc_cases,
};

kunit_test_suites(&nc_suite);
