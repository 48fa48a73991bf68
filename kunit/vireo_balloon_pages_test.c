// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_balloon: inflating and deflating, the target's
 * validation, MUST_TELL_HOST ordering, and removal with a device that
 * answers, one that stopped answering and one that vanished.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include "vireo_balloon_test.h"

VIREO_IMPORT_NS();

#define BT_SMALL	1024U	/* 4 MiB */
#define BT_TINY		512U

/* A balloon with a stats queue the device leaves alone. */
static struct vireo_simbus_dev *bt_plain(struct kunit *test, u64 features)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, features | BIT_ULL(BT_F_STATS_VQ));
	sb = bt_dev_new(test, s, false);
	vireo_simbus_set_mode(sb, 2, VIREO_SIMBUS_IGNORE);
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	return sb;
}

static void bt_inflate_to(struct kunit *test, struct vireo_simbus_dev *sb,
			  u32 pages)
{
	bt_set_target(sb, pages);
	KUNIT_ASSERT_TRUE_MSG(test, bt_wait_actual(sb, pages, BT_WAIT_MS),
			      "actual %u, wanted %u", bt_actual(sb), pages);
}

/*
 * Inflate and deflate: the host hears of every page exactly once, in
 * requests of at most 256 PFNs, each page in the balloon when it hears;
 * without DEFLATE_ON_OOM the guest's memory shrinks by the balloon.
 */
static void bt_inflate_deflate(struct kunit *test)
{
	unsigned long ram = totalram_pages();
	struct vireo_simbus_dev *sb = bt_plain(test, 0);
	struct vireo_balloon *vb = bt_vb(test, sb);
	struct bt_dev *d = bt_priv(sb);

	bt_inflate_to(test, sb, BT_SMALL);
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram - BT_SMALL);
	KUNIT_EXPECT_EQ(test, d->pfns[BT_Q_INFLATE], (unsigned long)BT_SMALL);
	KUNIT_EXPECT_GE(test, d->requests[BT_Q_INFLATE], BT_SMALL / BT_PFN_MAX);
	KUNIT_EXPECT_EQ(test, d->bad_shape, 0U);
	KUNIT_EXPECT_EQ(test, d->not_ballooned, 0U);
	KUNIT_EXPECT_EQ(test, vb->num_pages, BT_SMALL);

	bt_inflate_to(test, sb, 0);
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram);
	KUNIT_EXPECT_EQ(test, d->pfns[BT_Q_DEFLATE], (unsigned long)BT_SMALL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.released), (s64)BT_SMALL);
	KUNIT_EXPECT_EQ(test, d->bad_shape, 0U);
}

/*
 * DEFLATE_ON_OOM: the guest's memory does not shrink, and the OOM
 * notifier gives back oom_pages (256) pages, telling the host.
 */
static void bt_deflate_on_oom(struct kunit *test)
{
	unsigned long ram = totalram_pages(), freed = 0;
	struct vireo_simbus_dev *sb = bt_plain(test,
					       BIT_ULL(BT_F_DEFLATE_ON_OOM));
	struct vireo_balloon *vb = bt_vb(test, sb);

	KUNIT_ASSERT_TRUE(test, vb->oom_registered);
	bt_inflate_to(test, sb, BT_SMALL);
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram);

	vb->oom_nb.notifier_call(&vb->oom_nb, 0, &freed);
	KUNIT_EXPECT_EQ(test, freed, 256UL);
	KUNIT_EXPECT_EQ(test, bt_actual(sb), BT_SMALL - 256);
	KUNIT_EXPECT_EQ(test, bt_priv(sb)->pfns[BT_Q_DEFLATE], 256UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.oom_deflated), 256LL);
}

/* A used length on a read-only request is counted, and changes nothing. */
static void bt_bad_used_len(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_plain(test, 0);
	struct vireo_balloon *vb = bt_vb(test, sb);

	bt_priv(sb)->used_len = 4096;
	bt_inflate_to(test, sb, BT_TINY);
	KUNIT_EXPECT_GE(test, atomic64_read(&vb->cnt.bad_len),
			(s64)(BT_TINY / BT_PFN_MAX));
	KUNIT_EXPECT_FALSE(test, vireo_balloon_is(vb, VIREO_BALLOON_DEAD));
	bt_inflate_to(test, sb, 0);
}

/*
 * num_pages of 0xffffffff (16 TiB) is clamped to the guest's memory, and
 * said once. The inflate queue holds the first request, so the balloon
 * takes no more than one request's pages meanwhile.
 */
static void bt_bogus_target(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_plain(test, 0);
	struct vireo_balloon *vb = bt_vb(test, sb);
	u64 mark = vireo_simbus_log_mark();
	u64 cap;

	vireo_simbus_set_mode(sb, BT_Q_INFLATE, VIREO_SIMBUS_HOLD);
	bt_set_target(sb, U32_MAX);
	KUNIT_ASSERT_TRUE(test, bt_wait_held(sb, BT_Q_INFLATE, 1, BT_WAIT_MS));
	cap = (u64)totalram_pages() + vb->num_pages;
	KUNIT_EXPECT_LE(test, (u64)READ_ONCE(vb->target), cap);
	KUNIT_EXPECT_GT(test, READ_ONCE(vb->target), 0U);
	KUNIT_EXPECT_GE(test, atomic64_read(&vb->cnt.clamped), 1LL);

	/* A second bogus target while the first is in flight: no new line. */
	bt_set_target(sb, U32_MAX - 1);
	msleep(50);
	bt_set_target(sb, 0);
	vireo_simbus_set_mode(sb, BT_Q_INFLATE, VIREO_SIMBUS_COMPLETE);
	vireo_simbus_release_held(sb, BT_Q_INFLATE, 0);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 0, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "clamping"), 1U);
	KUNIT_EXPECT_FALSE(test, vireo_balloon_is(vb, VIREO_BALLOON_DEAD));
}

static struct kunit_case bt_inflate_cases[] = {
	KUNIT_CASE(bt_inflate_deflate),
	KUNIT_CASE(bt_deflate_on_oom),
	KUNIT_CASE(bt_bad_used_len),
	KUNIT_CASE(bt_bogus_target),
	{}
};

static struct kunit_suite bt_inflate_suite = {
	.name = "vireo_balloon_inflate",
	.test_cases = bt_inflate_cases,
};

/*
 * MUST_TELL_HOST: no page of a deflate request goes back to the
 * allocator before the device has returned the request. The device
 * holds the request: nothing is released meanwhile. Then the device
 * looks at each request from its own work item, later: every page it
 * reads about is still held by the guest.
 */
static void bt_mth_order(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_plain(test,
					       BIT_ULL(BT_F_MUST_TELL_HOST));
	struct vireo_balloon *vb = bt_vb(test, sb);
	struct bt_dev *d = bt_priv(sb);
	s64 released;

	KUNIT_ASSERT_TRUE(test, vireo_balloon_has(vb, BT_F_MUST_TELL_HOST));
	bt_inflate_to(test, sb, BT_SMALL);

	vireo_simbus_set_mode(sb, BT_Q_DEFLATE, VIREO_SIMBUS_HOLD);
	released = atomic64_read(&vb->cnt.released);
	bt_set_target(sb, 0);
	KUNIT_ASSERT_TRUE(test, bt_wait_held(sb, BT_Q_DEFLATE, 1, BT_WAIT_MS));
	msleep(100);
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.released), released);
	KUNIT_EXPECT_EQ(test, bt_actual(sb), BT_SMALL);

	vireo_simbus_set_mode(sb, BT_Q_DEFLATE, VIREO_SIMBUS_DEFER);
	vireo_simbus_release_held(sb, BT_Q_DEFLATE, 0);
	KUNIT_ASSERT_TRUE(test, bt_wait_actual(sb, 0, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.released),
			released + BT_SMALL);
	/* The held request was not read by the handler; the others were. */
	KUNIT_EXPECT_EQ(test, d->pfns[BT_Q_DEFLATE],
			(unsigned long)(BT_SMALL - BT_PFN_MAX));
	KUNIT_EXPECT_EQ(test, d->not_held, 0U);
}

/*
 * Without MUST_TELL_HOST the driver may reuse pages at once (the
 * specification allows it, and vireo_balloon does): the same held
 * request shows pages released. This is what bt_mth_order tells apart.
 */
static void bt_no_mth_early(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_plain(test, 0);
	struct vireo_balloon *vb = bt_vb(test, sb);

	bt_inflate_to(test, sb, BT_TINY);
	vireo_simbus_set_mode(sb, BT_Q_DEFLATE, VIREO_SIMBUS_HOLD);
	bt_set_target(sb, 0);
	KUNIT_ASSERT_TRUE(test, bt_wait_held(sb, BT_Q_DEFLATE, 1, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.released), (s64)BT_PFN_MAX);
	vireo_simbus_set_mode(sb, BT_Q_DEFLATE, VIREO_SIMBUS_COMPLETE);
	vireo_simbus_release_held(sb, BT_Q_DEFLATE, 0);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 0, BT_WAIT_MS));
}

static struct kunit_case bt_mth_cases[] = {
	KUNIT_CASE(bt_mth_order),
	KUNIT_CASE(bt_no_mth_early),
	{}
};

static struct kunit_suite bt_mth_suite = {
	.name = "vireo_balloon_mth",
	.test_cases = bt_mth_cases,
};

/* Removal of an inflated balloon tells the host and returns every page. */
static void bt_remove_inflated(struct kunit *test)
{
	unsigned long ram = totalram_pages();
	struct vireo_simbus_dev *sb = bt_plain(test, 0);

	bt_inflate_to(test, sb, BT_SMALL);
	KUNIT_ASSERT_TRUE(test, bt_unbind_bounded(test, sb, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram);
	KUNIT_EXPECT_EQ(test, bt_priv(sb)->pfns[BT_Q_DEFLATE],
			(unsigned long)BT_SMALL);
	KUNIT_EXPECT_EQ(test, bt_actual(sb), 0U);
}

/*
 * The device holds an inflate request and never answers: removal does
 * not wait for it (well under ack_timeout_ms), and every page comes back
 * after the reset.
 */
static void bt_remove_stuck(struct kunit *test)
{
	unsigned long ram = totalram_pages();
	struct vireo_simbus_dev *sb = bt_plain(test, 0);
	ktime_t t0;

	bt_inflate_to(test, sb, BT_TINY);
	vireo_simbus_set_mode(sb, BT_Q_INFLATE, VIREO_SIMBUS_HOLD);
	bt_set_target(sb, BT_SMALL);
	KUNIT_ASSERT_TRUE(test, bt_wait_held(sb, BT_Q_INFLATE, 1, BT_WAIT_MS));
	t0 = ktime_get();
	KUNIT_ASSERT_TRUE(test, bt_unbind_bounded(test, sb, BT_WAIT_MS));
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), t0),
			(s64)BT_ACK_TIMEOUT_MS);
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram);
}

/* The device vanished while inflated: removal still returns every page. */
static void bt_remove_vanished(struct kunit *test)
{
	unsigned long ram = totalram_pages();
	struct vireo_simbus_dev *sb = bt_plain(test, 0);

	bt_inflate_to(test, sb, BT_TINY);
	vireo_simbus_vanish(sb);
	KUNIT_ASSERT_TRUE(test, bt_unbind_bounded(test, sb, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram);
}

/*
 * A deflate request the device keeps past ack_timeout_ms kills the
 * balloon (one message); under MUST_TELL_HOST its pages stay off the
 * allocator until removal has reset the device, then come back.
 */
static void bt_timeout_dead(struct kunit *test)
{
	unsigned long ram = totalram_pages();
	struct vireo_simbus_dev *sb = bt_plain(test,
					       BIT_ULL(BT_F_MUST_TELL_HOST));
	struct vireo_balloon *vb = bt_vb(test, sb);
	u64 mark = vireo_simbus_log_mark();
	unsigned long end;

	bt_inflate_to(test, sb, BT_TINY);
	vireo_simbus_set_mode(sb, BT_Q_DEFLATE, VIREO_SIMBUS_HOLD);
	bt_set_target(sb, 0);
	end = jiffies + msecs_to_jiffies(BT_ACK_TIMEOUT_MS +
					 BT_WAIT_MS);
	while (!vireo_balloon_is(vb, VIREO_BALLOON_DEAD) &&
	       time_before(jiffies, end))
		msleep(20);
	KUNIT_ASSERT_TRUE(test, vireo_balloon_is(vb, VIREO_BALLOON_DEAD));
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.timeouts), 1LL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vb->limbo_pages), (unsigned long)BT_PFN_MAX);
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram - BT_TINY);
	/* A new target does nothing now. */
	bt_set_target(sb, BT_SMALL);
	msleep(50);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vb->num_pages), BT_TINY - BT_PFN_MAX);
	KUNIT_EXPECT_EQ(test, bt_priv(sb)->requests[BT_Q_INFLATE],
			BT_TINY / BT_PFN_MAX);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "the balloon stops"), 1U);

	KUNIT_ASSERT_TRUE(test, bt_unbind_bounded(test, sb, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, totalram_pages(), ram);
}

static struct kunit_case bt_remove_cases[] = {
	KUNIT_CASE(bt_remove_inflated),
	KUNIT_CASE(bt_remove_stuck),
	KUNIT_CASE(bt_remove_vanished),
	KUNIT_CASE_SLOW(bt_timeout_dead),
	{}
};

static struct kunit_suite bt_remove_suite = {
	.name = "vireo_balloon_remove",
	.test_cases = bt_remove_cases,
};

kunit_test_suites(&bt_inflate_suite, &bt_mth_suite, &bt_remove_suite);
