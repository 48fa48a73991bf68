// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_rng.ko against a hostile simulated device.
 *
 * Every case registers real entropy devices (type 4) on vireo_simbus, so
 * the real vireo_rng driver binds and registers an hwrng. Two ways of
 * reading it:
 *
 * - through the hwrng core, as its fill thread does on its own whenever
 *   vireo_rng is the current source (the core holds a reference to the
 *   source for the duration of a read, so removal races are the core's
 *   and the driver's, as in real life);
 * - by calling the source's .read directly, to time a single read. The
 *   core serialises reads, so these cases first register a decoy source
 *   of higher quality: it becomes current and the fill thread reads the
 *   decoy, leaving vireo_rng to the test. vireo_rng_test finds the
 *   driver's struct hwrng through the device's driver data, which the
 *   driver makes start with it (checked before use).
 *
 * Everything that may block runs in a thread of its own and is waited for
 * with a timeout.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hw_random.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"

VIREO_IMPORT_NS();

#define RNG_RING	64U
#define RNG_BOUND_MS	10000U
/* The driver's longest blocking wait (VIREO_RNG_WAIT) is 1 s; allow 3. */
#define RNG_READ_MS	3000
#define RNG_SPURIOUS	100000U
#define RNG_CYCLES	100U
#define RNG_FILL	0x5a

static void rng_default_setup(struct vireo_simbus_setup *s)
{
	memset(s, 0, sizeof(*s));
	s->device = VIREO_ID_RNG;
	s->vendor = VIREO_PCI_VENDOR_ID;
	s->features = BIT_ULL(VIREO_RING_F_INDIRECT_DESC) |
		      BIT_ULL(VIREO_RING_F_EVENT_IDX);
	s->nqueues = 1;
	s->queue_num[0] = RNG_RING;
	s->fill = RNG_FILL;
	s->status_byte = RNG_FILL;
}

static void rng_sb_release(void *data)
{
	struct vireo_simbus_dev *sb = data;

	vireo_simbus_del(sb);
	vireo_simbus_put(sb);
}

static struct vireo_simbus_dev *rng_dev(struct kunit *test,
					const struct vireo_simbus_setup *s,
					bool add)
{
	struct vireo_simbus_dev *sb = vireo_simbus_alloc(s);

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rng_sb_release,
							sb), 0);
	if (add)
		KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

static bool rng_bound(struct vireo_simbus_dev *sb)
{
	struct device_driver *drv = READ_ONCE(sb->vdev.dev.driver);

	return drv && !strcmp(drv->name, "vireo_rng");
}

static char rng_who_buf[32];

static const char *rng_who(struct vireo_simbus_dev *sb)
{
	snprintf(rng_who_buf, sizeof(rng_who_buf), " %s: ",
		 dev_name(&sb->vdev.dev));
	return rng_who_buf;
}

/*
 * The driver's hwrng: its driver data starts with it. Checked: the name
 * must point into the same allocation and read "vireo_rng.".
 */
static struct hwrng *rng_hwrng(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct hwrng *h = sb->vdev.priv;

	KUNIT_ASSERT_TRUE(test, rng_bound(sb));
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_TRUE_MSG(test, (unsigned long)h->name > (unsigned long)h &&
			      (unsigned long)h->name - (unsigned long)h < 512,
			      "vireo_rng's driver data does not start with its hwrng");
	KUNIT_ASSERT_EQ(test, strncmp(h->name, "vireo_rng.", 10), 0);
	KUNIT_ASSERT_NOT_NULL(test, h->read);
	return h;
}

/* ---- a decoy source, so that the core's fill thread leaves ours alone --- */

static int rng_decoy_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	memset(data, 0, max);
	return max;
}

static void rng_decoy_del(void *data)
{
	hwrng_unregister(data);
}

static void rng_decoy(struct kunit *test)
{
	struct hwrng *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->name = "vireo_rng_test_decoy";
	d->read = rng_decoy_read;
	d->quality = 1024;
	KUNIT_ASSERT_EQ(test, hwrng_register(d), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rng_decoy_del, d),
			0);
}

/* A bound device the test alone reads. */
static struct vireo_simbus_dev *rng_private_dev(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	rng_default_setup(s);
	rng_decoy(test);
	sb = rng_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, rng_bound(sb));
	return sb;
}

/**
 * struct rng_read - one direct read from a thread
 * @h: the source
 * @wait: a blocking read
 * @buf: where to
 * @ret: what .read returned
 * @ms: how long it took
 */
struct rng_read {
	struct hwrng *h;
	bool wait;
	u8 buf[PAGE_SIZE];
	int ret;
	s64 ms;
};

static long rng_read_fn(void *arg)
{
	struct rng_read *r = arg;
	ktime_t t0 = ktime_get();

	r->ret = r->h->read(r->h, r->buf, sizeof(r->buf), r->wait);
	r->ms = ktime_ms_delta(ktime_get(), t0);
	return 0;
}

/* One read, bounded; true if it returned. */
static bool rng_do_read(struct kunit *test, struct vireo_simbus_dev *sb,
			struct rng_read *r, bool wait)
{
	struct vireo_simbus_call *call;
	bool done;

	r->h = rng_hwrng(test, sb);
	r->wait = wait;
	call = vireo_simbus_call_start(rng_read_fn, r, "vireo_rng_test_rd");
	KUNIT_ASSERT_NOT_NULL(test, call);
	done = vireo_simbus_call_wait(call, RNG_BOUND_MS);
	if (!done) {
		KUNIT_FAIL(test, "a read blocked for %u ms", RNG_BOUND_MS);
		/* Let it go, so that the case can end. */
		vireo_simbus_rescue(sb, RNG_FILL);
		KUNIT_ASSERT_TRUE(test, vireo_simbus_call_wait(call, RNG_BOUND_MS));
	}
	vireo_simbus_call_put(call);
	return done;
}

/* Read until bytes come; the device fills with RNG_FILL. */
static void rng_expect_data(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct rng_read *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < 10; i++) {
		if (!rng_do_read(test, sb, r, true))
			return;
		if (r->ret)
			break;
	}
	KUNIT_ASSERT_GT(test, r->ret, 0);
	KUNIT_EXPECT_EQ(test, r->buf[0], RNG_FILL);
}

/* Run @fn(@sb) in a thread; it must return within RNG_BOUND_MS. */
static void rng_bounded(struct kunit *test, struct vireo_simbus_dev *sb,
			long (*fn)(void *), const char *what)
{
	struct vireo_simbus_call *call;

	call = vireo_simbus_call_start(fn, sb, "vireo_rng_test_rm");
	KUNIT_ASSERT_NOT_NULL(test, call);
	if (!vireo_simbus_call_wait(call, RNG_BOUND_MS)) {
		KUNIT_FAIL(test, "%s: blocked for %u ms", what, RNG_BOUND_MS);
		vireo_simbus_rescue(sb, RNG_FILL);
		KUNIT_ASSERT_TRUE(test, vireo_simbus_call_wait(call, RNG_BOUND_MS));
	}
	vireo_simbus_call_put(call);
}

static void rng_inject_stop(void *data)
{
	vireo_simbus_inject_stop(data);
}

static void rng_inject(struct kunit *test, struct vireo_simbus_dev *sb,
		       const struct vireo_simbus_inject *in)
{
	KUNIT_ASSERT_EQ(test, vireo_simbus_inject_start(sb, in), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, rng_inject_stop,
							sb), 0);
}

/* ---- vireo_rng_basic --------------------------------------------------- */

static void rb_reads(struct kunit *test)
{
	rng_expect_data(test, rng_private_dev(test));
}

/* Queue sizes: bind cleanly or fail with one message. */
static const u32 rng_sizes[] = { 0, 1, 2, 3, 255, 32768, 32769, 65535 };

static void rng_size_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "queue size %u", *n);
}

KUNIT_ARRAY_PARAM(rng_size, rng_sizes, rng_size_desc);

static void rb_queue_size(struct kunit *test)
{
	const u32 *num = test->param_value;
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	u64 mark;

	KUNIT_ASSERT_NOT_NULL(test, s);
	rng_default_setup(s);
	s->queue_num[0] = *num;
	rng_decoy(test);
	mark = vireo_simbus_log_mark();
	sb = rng_dev(test, s, true);
	if (rng_bound(sb)) {
		rng_expect_data(test, sb);
		return;
	}
	KUNIT_EXPECT_TRUE(test, sb->status & VIREO_STATUS_FAILED);
	/* One line says why, besides the generic "probe failed" ones. */
	KUNIT_EXPECT_EQ(test, vireo_simbus_probe_cause_lines(mark, rng_who(sb)),
			1U);
}

static struct kunit_case rb_cases[] = {
	KUNIT_CASE(rb_reads),
	KUNIT_CASE_PARAM(rb_queue_size, rng_size_gen_params),
	{}
};

static struct kunit_suite rb_suite = {
	.name = "vireo_rng_basic",
	.test_cases = rb_cases,
};

/* ---- vireo_rng_stuck --------------------------------------------------- */

/* A stuck device: a blocking read returns (0) within the driver's bound. */
static void rs_read_bounded(struct kunit *test)
{
	struct vireo_simbus_dev *sb = rng_private_dev(test);
	struct rng_read *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	/* A whole buffer's worth: nothing is left over after this. */
	rng_expect_data(test, sb);
	vireo_simbus_set_mode(sb, 0, VIREO_SIMBUS_HOLD);
	if (!rng_do_read(test, sb, r, true))
		return;
	/* Leftover bytes of the last buffer may come first. */
	while (r->ret > 0)
		if (!rng_do_read(test, sb, r, true))
			return;
	KUNIT_EXPECT_EQ(test, r->ret, 0);
	KUNIT_EXPECT_LE(test, r->ms, (s64)RNG_READ_MS);
	KUNIT_EXPECT_EQ(test, vireo_simbus_held(sb, 0), 1U);
	/* A non-blocking read does not wait at all. */
	KUNIT_ASSERT_TRUE(test, rng_do_read(test, sb, r, false));
	KUNIT_EXPECT_EQ(test, r->ret, 0);
	KUNIT_EXPECT_LE(test, r->ms, 500LL);
	/* The device finally answers: the same buffer brings the data. */
	vireo_simbus_set_mode(sb, 0, VIREO_SIMBUS_COMPLETE);
	vireo_simbus_release_held(sb, 0, RNG_FILL);
	rng_expect_data(test, sb);
}

/*
 * A vanished device: the notify fails, reads fail with EIO at once from
 * then on, one message says so, removal completes.
 */
static void rs_vanish(struct kunit *test)
{
	struct vireo_simbus_dev *sb = rng_private_dev(test);
	struct rng_read *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int i;
	u64 mark;

	KUNIT_ASSERT_NOT_NULL(test, r);
	rng_expect_data(test, sb);
	mark = vireo_simbus_log_mark();
	vireo_simbus_vanish(sb);
	/* Drain what is left of the last buffer first. */
	for (i = 0; i < 200; i++) {
		if (!rng_do_read(test, sb, r, true))
			return;
		if (r->ret <= 0)
			break;
	}
	KUNIT_EXPECT_EQ(test, r->ret, -EIO);
	KUNIT_ASSERT_TRUE(test, rng_do_read(test, sb, r, true));
	KUNIT_EXPECT_EQ(test, r->ret, -EIO);
	KUNIT_EXPECT_LE(test, r->ms, 500LL);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, rng_who(sb),
						     "no more entropy"), 1U);
	rng_bounded(test, sb, vireo_simbus_del_fn, "removing a vanished device");
}

/* A broken used ring: reads fail with EIO, one message each layer. */
static void rs_bad_used(struct kunit *test)
{
	struct vireo_simbus_dev *sb = rng_private_dev(test);
	struct rng_read *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	int i;
	u64 mark;

	KUNIT_ASSERT_NOT_NULL(test, r);
	rng_expect_data(test, sb);
	mark = vireo_simbus_log_mark();
	vireo_simbus_set_fault(sb, 0, VIREO_SIMQ_BAD_ID);
	for (i = 0; i < 200; i++) {
		if (!rng_do_read(test, sb, r, true))
			return;
		if (r->ret < 0)
			break;
	}
	KUNIT_EXPECT_EQ(test, r->ret, -EIO);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, rng_who(sb),
						     "queue marked broken"), 1U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, rng_who(sb),
						     "no more entropy"), 1U);
}

/*
 * Removal while the hwrng core's fill thread is blocked reading a stuck
 * device: no decoy, so vireo_rng is the current source.
 */
static void rs_remove_reader_blocked(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	rng_default_setup(s);
	sb = rng_dev(test, s, false);
	vireo_simbus_set_mode(sb, 0, VIREO_SIMBUS_HOLD);
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	KUNIT_ASSERT_TRUE(test, rng_bound(sb));
	for (i = 0; i < 150 && !vireo_simbus_held(sb, 0); i++)
		msleep(20);
	if (!vireo_simbus_held(sb, 0))
		kunit_skip(test, "the hwrng core never read vireo_rng (not current?)");
	/* The reader is now waiting for the held buffer. */
	msleep(200);
	rng_bounded(test, sb, vireo_simbus_unbind_fn, "unbind with a reader blocked");
	KUNIT_EXPECT_FALSE(test, rng_bound(sb));
}

static struct kunit_case rs_cases[] = {
	KUNIT_CASE(rs_read_bounded),
	KUNIT_CASE(rs_vanish),
	KUNIT_CASE(rs_bad_used),
	KUNIT_CASE(rs_remove_reader_blocked),
	{}
};

static struct kunit_suite rs_suite = {
	.name = "vireo_rng_stuck",
	.test_cases = rs_cases,
};

/* ---- vireo_rng_irq ----------------------------------------------------- */

/* 10^5 interrupts without work while reading: reads still bring data. */
static void ri_spurious(struct kunit *test)
{
	struct vireo_simbus_inject in = { .queues = BIT(0),
					  .rounds = RNG_SPURIOUS };
	struct vireo_simbus_dev *sb = rng_private_dev(test);
	unsigned int reads = 0;

	rng_inject(test, sb, &in);
	while (!completion_done(&sb->inject_done) && reads < 100000) {
		rng_expect_data(test, sb);
		reads++;
	}
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&sb->inject_done,
							  120 * HZ), 0UL);
	rng_expect_data(test, sb);
	kunit_info(test, "%u interrupts injected, %u handled, %u reads\n",
		   atomic_read(&sb->counts.irqs),
		   atomic_read(&sb->counts.irqs_handled), reads);
	KUNIT_EXPECT_GE(test, (unsigned int)atomic_read(&sb->counts.irqs),
			RNG_SPURIOUS);
}

/*
 * DEFECT candidate: the device puts a used entry on the queue as soon as
 * it exists and interrupts during probe. The driver must bind (with a
 * broken queue whose reads fail) or fail probe, with one message.
 */
static void ri_used_before_post(struct kunit *test)
{
	struct vireo_simbus_inject in = { .queues = BIT(0) };
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	struct rng_read *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	u64 mark;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, r);
	rng_default_setup(s);
	rng_decoy(test);
	sb = rng_dev(test, s, false);
	sb->early_used = true;
	rng_inject(test, sb, &in);
	mark = vireo_simbus_log_mark();
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	vireo_simbus_inject_stop(sb);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, rng_who(sb),
						     "queue marked broken"), 1U);
	if (rng_bound(sb)) {
		KUNIT_ASSERT_TRUE(test, rng_do_read(test, sb, r, true));
		KUNIT_EXPECT_LE(test, r->ret, 0);
	}
}

/*
 * Bind and unbind 100 times while the hwrng core reads (no decoy) and
 * interrupts with work race it.
 */
static void ri_bind_unbind_loop(struct kunit *test)
{
	struct vireo_simbus_inject in = { .queues = BIT(0), .with_work = true,
					  .delay_us = 50 };
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	unsigned int i, bound = 0;

	KUNIT_ASSERT_NOT_NULL(test, s);
	rng_default_setup(s);
	sb = rng_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, rng_bound(sb));
	/* Completions only from the injector, at random moments. */
	vireo_simbus_set_mode(sb, 0, VIREO_SIMBUS_HOLD);
	rng_inject(test, sb, &in);
	for (i = 0; i < RNG_CYCLES; i++) {
		rng_bounded(test, sb, vireo_simbus_unbind_fn, "unbind under reads");
		KUNIT_ASSERT_FALSE(test, rng_bound(sb));
		if (device_attach(&sb->vdev.dev) == 1)
			bound++;
		cond_resched();
	}
	vireo_simbus_inject_stop(sb);
	kunit_info(test, "%u cycles, %u kicks, %u completed, %u interrupts\n",
		   i, vireo_simbus_kicks(sb, 0), vireo_simbus_completed(sb, 0),
		   atomic_read(&sb->counts.irqs));
	KUNIT_EXPECT_EQ(test, bound, RNG_CYCLES);
}

static struct kunit_case ri_cases[] = {
	KUNIT_CASE_SLOW(ri_spurious),
	KUNIT_CASE(ri_used_before_post),
	KUNIT_CASE_SLOW(ri_bind_unbind_loop),
	{}
};

static struct kunit_suite ri_suite = {
	.name = "vireo_rng_irq",
	.test_cases = ri_cases,
};

kunit_test_suites(&rb_suite, &rs_suite, &ri_suite);

MODULE_DESCRIPTION("KUnit tests for vireo_rng against a hostile simulated device");
MODULE_LICENSE("GPL");
