// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_blk.ko against a hostile simulated device: a
 * device that misbehaves while the driver uses it.
 *
 * vireo_blk_stuck: a device that never completes, or vanishes, idle or
 * holding requests; vireo_blk_irq: spurious interrupts and config-change
 * events by the hundred thousand from another CPU, during I/O and
 * remove; vireo_blk_violation: used-ring violations during probe, I/O
 * and remove; vireo_blk_remove: bind/unbind loops under I/O. The helpers
 * are in vireo_blk_test_lib.c.
 *
 * Cases whose names end in _defect check what a driver must do but the
 * current one does not (see Documentation/kunit.rst); they are expected
 * to fail until the driver is fixed.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_blk_test.h"

/* ---- vireo_blk_stuck --------------------------------------------------- */

/* A bound healthy device with a short request timeout. */
static struct vireo_simbus_dev *bt_bound_dev(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	bt_set_rq_timeout(test, sb);
	return sb;
}

/* Start one read on a device that holds every chain; wait until it does. */
static struct vireo_simbus_call *bt_stuck_read(struct kunit *test,
					       struct vireo_simbus_dev *sb,
					       struct bt_io *io)
{
	struct vireo_simbus_call *call;

	bt_all_modes(sb, VIREO_SIMBUS_HOLD);
	io->devt = bt_devt(sb);
	io->nr = 1;
	call = bt_io_start(test, io);
	KUNIT_EXPECT_TRUE(test, bt_wait_held(sb, 1));
	return call;
}

/*
 * DEFECT: a device that never completes. The request must fail with an
 * error in bounded time (here: 15 times the request timeout); today the
 * timeout handler re-arms the timer for ever.
 */
static void bs_io_fails_bounded_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read on a stuck device"))
		KUNIT_EXPECT_EQ(test, io->first_err, -EIO);
	vireo_simbus_call_put(call);
}

/*
 * DEFECT: unbinding the driver from a stuck device with a request in
 * flight must return in bounded time, failing the request; today remove
 * waits in del_gendisk() for the request for ever.
 */
static void bs_unbind_bounded_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	unbind = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_blk_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS,
			  "unbind from a stuck device");
	vireo_simbus_call_put(unbind);
	KUNIT_EXPECT_FALSE(test, bt_bound(sb));
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read after unbind"))
		KUNIT_EXPECT_NE(test, io->first_err, 0);
	vireo_simbus_call_put(call);
}

/* DEFECT: the same, unregistering the device (hot unplug). */
static void bs_unregister_bounded_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *del;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	del = vireo_simbus_call_start(vireo_simbus_del_fn, sb, "vireo_blk_del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	bt_wait_or_rescue(test, sb, del, BT_BOUND_MS,
			  "unregistering a stuck device");
	vireo_simbus_call_put(del);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read after unregistering"))
		KUNIT_EXPECT_NE(test, io->first_err, 0);
	vireo_simbus_call_put(call);
}

/*
 * DEFECT: a device stuck from the start. Probe reads the partition table;
 * it must give up (fail, or bind a disk whose I/O fails) in bounded time
 * (BT_PROBE_BOUND_MS).
 */
static void bs_stuck_probe_defect(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct vireo_simbus_call *reg;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, false);
	bt_all_modes(sb, VIREO_SIMBUS_HOLD);
	reg = vireo_simbus_call_start(vireo_simbus_add_fn, sb, "vireo_blk_reg");
	KUNIT_ASSERT_NOT_NULL(test, reg);
	if (bt_wait_or_rescue(test, sb, reg, BT_PROBE_BOUND_MS,
			      "probe of a stuck device"))
		KUNIT_EXPECT_EQ(test, reg->ret, 0L);
	vireo_simbus_call_put(reg);
}

/*
 * A device that vanishes with nothing in flight: the next request's
 * notify fails, the driver gives up on the device: the request fails with
 * EIO, later ones too, one message says so, and removal completes.
 */
static void bs_vanish_idle(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *del;
	u64 mark;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	io->nr = 8;
	mark = vireo_simbus_log_mark();
	vireo_simbus_vanish(sb);
	call = bt_io_start(test, io);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "I/O on a vanished device")) {
		KUNIT_EXPECT_EQ(test, io->ok, 0U);
		KUNIT_EXPECT_EQ(test, io->first_err, -EIO);
	}
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "device failed"), 1U);
	del = vireo_simbus_call_start(vireo_simbus_del_fn, sb, "vireo_blk_del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	bt_wait_or_rescue(test, sb, del, BT_BOUND_MS,
			  "unregistering a vanished device");
	vireo_simbus_call_put(del);
}

/*
 * DEFECT: a device that vanishes while it holds a request, with no new
 * request after it. Nothing kicks the device again, so only the request
 * timeout can notice; it must fail the request (the device's status reads
 * 0xff), not re-arm for ever.
 */
static void bs_vanish_with_held_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	vireo_simbus_vanish(sb);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read held by a vanished device"))
		KUNIT_EXPECT_EQ(test, io->first_err, -EIO);
	vireo_simbus_call_put(call);
}

static struct kunit_case bs_cases[] = {
	KUNIT_CASE_SLOW(bs_io_fails_bounded_defect),
	KUNIT_CASE_SLOW(bs_unbind_bounded_defect),
	KUNIT_CASE_SLOW(bs_unregister_bounded_defect),
	KUNIT_CASE_SLOW(bs_stuck_probe_defect),
	KUNIT_CASE(bs_vanish_idle),
	KUNIT_CASE_SLOW(bs_vanish_with_held_defect),
	{}
};

static struct kunit_suite bs_suite = {
	.name = "vireo_blk_stuck",
	.test_cases = bs_cases,
};

/* ---- vireo_blk_irq ----------------------------------------------------- */

/* Start an injector and stop it when the case ends. */
static void bt_inject_stop(void *data)
{
	vireo_simbus_inject_stop(data);
}

static void bt_inject(struct kunit *test, struct vireo_simbus_dev *sb,
		      const struct vireo_simbus_inject *in)
{
	KUNIT_ASSERT_EQ(test, vireo_simbus_inject_start(sb, in), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bt_inject_stop,
							sb), 0);
}

/*
 * 10^5 interrupts without work on every queue, from another CPU, while a
 * thread reads and writes: every request still succeeds.
 */
static void bi_spurious_during_io(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.rounds = BT_SPURIOUS,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;
	unsigned int irqs;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	io->stop = false;
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&sb->inject_done,
							  120 * HZ), 0UL);
	WRITE_ONCE(io->stop, true);
	if (bt_wait_or_rescue(test, sb, call, BT_IO_MS, "I/O during a storm")) {
		KUNIT_EXPECT_GT(test, io->ok, 0U);
		KUNIT_EXPECT_EQ(test, io->failed, 0U);
	}
	vireo_simbus_call_put(call);
	irqs = atomic_read(&sb->counts.irqs);
	kunit_info(test, "%u interrupts injected, %u handled, %u requests\n",
		   irqs, atomic_read(&sb->counts.irqs_handled), io->ok);
	KUNIT_EXPECT_GE(test, irqs, BT_SPURIOUS);
}

/* Interrupts that do carry work, on a device that otherwise holds. */
static void bi_with_work(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.with_work = true,
		.delay_us = 100,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	bt_all_modes(sb, VIREO_SIMBUS_HOLD);
	io->devt = bt_devt(sb);
	io->nr = 200;
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	if (bt_wait_or_rescue(test, sb, call, BT_IO_MS * 3,
			      "I/O completed by injected interrupts")) {
		KUNIT_EXPECT_EQ(test, io->ok, 200U);
		KUNIT_EXPECT_EQ(test, io->first_err, 0);
	}
	vireo_simbus_call_put(call);
}

/* Config-change events by the thousand during I/O and a capacity flip. */
static void bi_config_storm(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.config = true,
		.queues = BIT(0),
		.rounds = 2000,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;
	u64 cap;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	for (i = 0; i < 200 && !completion_done(&sb->inject_done); i++) {
		cap = i & 1 ? BT_CAPACITY : 2 * BT_CAPACITY;
		vireo_simbus_set_config(sb, BT_CFG(capacity), &cap, sizeof(cap));
		usleep_range(1000, 2000);
	}
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&sb->inject_done,
							  60 * HZ), 0UL);
	WRITE_ONCE(io->stop, true);
	if (bt_wait_or_rescue(test, sb, call, BT_IO_MS, "I/O during events"))
		KUNIT_EXPECT_EQ(test, io->failed, 0U);
	vireo_simbus_call_put(call);
}

/* Interrupts go on during unbind and after the reset; all are harmless. */
static void bi_during_remove(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.config = true,
		.with_work = true,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct vireo_simbus_call *unbind;
	unsigned int before;

	bt_inject(test, sb, &in);
	msleep(50);
	unbind = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_blk_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS, "unbind under a storm");
	vireo_simbus_call_put(unbind);
	KUNIT_EXPECT_FALSE(test, bt_bound(sb));
	before = atomic_read(&sb->counts.irqs_no_queue);
	msleep(100);
	vireo_simbus_inject_stop(sb);
	KUNIT_EXPECT_GT(test, atomic_read(&sb->counts.irqs_no_queue), before);
}

static struct kunit_case bi_cases[] = {
	KUNIT_CASE_SLOW(bi_spurious_during_io),
	KUNIT_CASE(bi_with_work),
	KUNIT_CASE(bi_config_storm),
	KUNIT_CASE(bi_during_remove),
	{}
};

static struct kunit_suite bi_suite = {
	.name = "vireo_blk_irq",
	.test_cases = bi_cases,
};

/* ---- vireo_blk_violation ----------------------------------------------- */

/**
 * struct bt_fault_param - a way to corrupt the used ring
 * @name: for the parameter's description
 * @fault: the simulated device's fault mode
 * @direct: without indirect descriptors (a non-head id needs a chain of
 *	several ring descriptors)
 * @fatal: the ring must mark the queue broken; else (a length beyond the
 *	buffer, which legacy devices are known to report) it clamps the
 *	length, warns once, and I/O goes on
 */
struct bt_fault_param {
	const char *name;
	enum vireo_simq_fault fault;
	bool direct;
	bool fatal;
};

static const struct bt_fault_param bt_faults[] = {
	{ "bad id", VIREO_SIMQ_BAD_ID, false, true },
	{ "non-head id", VIREO_SIMQ_NON_HEAD_ID, true, true },
	{ "length too large", VIREO_SIMQ_LEN_TOO_LARGE, false, false },
	{ "index jump", VIREO_SIMQ_IDX_JUMP, false, true },
	{ "completed twice", VIREO_SIMQ_TWICE, false, true },
};

static void bt_fault_desc(const struct bt_fault_param *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bt_fault, bt_faults, bt_fault_desc);

/*
 * A device that corrupts the used ring during I/O: the ring marks the
 * queue broken (once), the driver fails every request with EIO (once),
 * later requests fail at once, and removal completes.
 */
static void bv_fault_during_io(struct kunit *test)
{
	const struct bt_fault_param *f = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *del;
	unsigned int q;
	u64 mark;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, io);
	bt_default_setup(s);
	if (f->direct)
		s->features &= ~BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	sb = bt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	bt_set_rq_timeout(test, sb);
	io->devt = bt_devt(sb);
	io->nr = 8;
	mark = vireo_simbus_log_mark();
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		vireo_simbus_set_fault(sb, q, f->fault);
	call = bt_io_start(test, io);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "I/O on a misbehaving device")) {
		KUNIT_EXPECT_EQ(test, io->first_err, f->fatal ? -EIO : 0);
		KUNIT_EXPECT_EQ(test, io->ok, f->fatal ? 0U : io->nr);
	}
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "queue marked broken"),
			f->fatal ? 1U : 0U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "device failed"),
			f->fatal ? 1U : 0U);
	if (!f->fatal)
		KUNIT_EXPECT_EQ(test,
				vireo_simbus_log_count(mark, bt_who(sb),
						       "clamping"), 1U);
	del = vireo_simbus_call_start(vireo_simbus_del_fn, sb, "vireo_blk_del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	bt_wait_or_rescue(test, sb, del, BT_BOUND_MS,
			  "unregistering a misbehaving device");
	vireo_simbus_call_put(del);
}

/*
 * DEFECT: the device puts a used entry on every queue the moment it
 * exists, before the driver posted anything, and raises the interrupt
 * while probe is still running. The driver must survive (bind with a
 * failed disk or fail the probe); today its abort work can run before
 * the disk exists.
 */
static void bv_used_before_post_defect(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
	};
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct vireo_simbus_call *reg;
	u64 mark;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, false);
	sb->early_used = true;
	mark = vireo_simbus_log_mark();
	bt_inject(test, sb, &in);
	reg = vireo_simbus_call_start(vireo_simbus_add_fn, sb, "vireo_blk_reg");
	KUNIT_ASSERT_NOT_NULL(test, reg);
	bt_wait_or_rescue(test, sb, reg, BT_BOUND_MS,
			  "probe of a device that completes nothing it got");
	vireo_simbus_call_put(reg);
	vireo_simbus_inject_stop(sb);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "queue marked broken"), 1U);
	kunit_info(test, "%u interrupts injected during probe\n",
		   atomic_read(&sb->counts.irqs));
}

/*
 * While the driver is being removed with requests in flight, the device
 * answers with garbage: removal still completes and the requests fail.
 */
static void bv_garbage_during_remove(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.with_work = true,
		.delay_us = 200,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;
	unsigned int q;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		vireo_simbus_set_fault(sb, q, VIREO_SIMQ_BAD_ID);
	unbind = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb, "vireo_blk_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	msleep(20);
	bt_inject(test, sb, &in);
	bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS,
			  "unbind while the device answers garbage");
	vireo_simbus_call_put(unbind);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS, "read at unbind"))
		KUNIT_EXPECT_NE(test, io->first_err, 0);
	vireo_simbus_call_put(call);
}

static struct kunit_case bv_cases[] = {
	KUNIT_CASE_PARAM(bv_fault_during_io, bt_fault_gen_params),
	KUNIT_CASE(bv_garbage_during_remove),
	KUNIT_CASE(bv_used_before_post_defect),
	{}
};

static struct kunit_suite bv_suite = {
	.name = "vireo_blk_violation",
	.test_cases = bv_cases,
};

/* ---- vireo_blk_remove -------------------------------------------------- */

/*
 * Bind and unbind 100 times while a thread keeps opening the disk and
 * doing I/O and interrupts (with work) and config events race both.
 */
static void br_bind_unbind_loop(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.config = true,
		.delay_us = 50,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;
	unsigned int i, bound = 0;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->sb = sb;
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	for (i = 0; i < BT_CYCLES; i++) {
		unbind = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb,
						 "vireo_blk_unbind");
		KUNIT_ASSERT_NOT_NULL(test, unbind);
		if (!bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS,
				       "unbind under I/O")) {
			vireo_simbus_call_put(unbind);
			break;
		}
		vireo_simbus_call_put(unbind);
		KUNIT_ASSERT_FALSE(test, bt_bound(sb));
		if (device_attach(&sb->vdev.dev) == 1)
			bound++;
		cond_resched();
	}
	WRITE_ONCE(io->stop, true);
	bt_wait_or_rescue(test, sb, call, BT_BOUND_MS, "I/O thread");
	vireo_simbus_call_put(call);
	vireo_simbus_inject_stop(sb);
	kunit_info(test, "%u cycles, %u rebinds, %u requests ok, %u failed, %u opens failed, %u interrupts\n",
		   i, bound, io->ok, io->failed, io->open_failed,
		   atomic_read(&sb->counts.irqs));
	KUNIT_EXPECT_EQ(test, i, BT_CYCLES);
	KUNIT_EXPECT_EQ(test, bound, BT_CYCLES);
	KUNIT_EXPECT_GT(test, io->ok, 0U);
	/* A request cut off by removal fails; none may hang or crash. */
	if (bt_bound(sb))
		bt_expect_io_works(test, sb, 4);
}

static struct kunit_case br_cases[] = {
	KUNIT_CASE_SLOW(br_bind_unbind_loop),
	{}
};

static struct kunit_suite br_suite = {
	.name = "vireo_blk_remove",
	.test_cases = br_cases,
};

kunit_test_suites(&bs_suite, &bi_suite, &bv_suite, &br_suite);
