// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_balloon: queue numbering by the offered feature
 * set, the features negotiated, config space checks and the statistics
 * protocol.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "vireo_balloon_test.h"

VIREO_IMPORT_NS();

#define F(x)	BIT_ULL(BT_F_##x)
#define NONE	VIREO_BALLOON_NO_QUEUE

/**
 * struct bt_layout_case - where QEMU puts the queues
 * @offered: features the device offers (QEMU creates one queue each)
 * @negotiated: features the driver took
 * @nvqs: queues the driver must create
 * @stats: the stats queue's number, or NONE
 * @report: the reporting queue's number, or NONE
 */
struct bt_layout_case {
	u64 offered;
	u64 negotiated;
	unsigned int nvqs;
	unsigned int stats;
	unsigned int report;
};

/*
 * QEMU 7.2 (realize): inflate 0, deflate 1, then stats, free page hint
 * and reporting, each present if OFFERED. Numbering by the negotiated
 * set instead puts the reporting queue on the hint queue in the third
 * and last rows.
 */
static const struct bt_layout_case bt_layouts[] = {
	{ 0, 0, 2, NONE, NONE },
	{ F(STATS_VQ), F(STATS_VQ), 3, 2, NONE },
	{ F(STATS_VQ) | F(FREE_PAGE_HINT) | F(REPORTING),
	  F(STATS_VQ) | F(REPORTING), 5, 2, 4 },
	{ F(STATS_VQ) | F(FREE_PAGE_HINT), F(STATS_VQ), 3, 2, NONE },
	{ F(STATS_VQ) | F(REPORTING), F(STATS_VQ) | F(REPORTING), 4, 2, 3 },
	{ F(STATS_VQ) | F(REPORTING), F(REPORTING), 4, NONE, 3 },
	{ F(REPORTING), 0, 2, NONE, NONE },
	{ F(FREE_PAGE_HINT) | F(REPORTING), F(REPORTING), 4, NONE, 3 },
};

static void bt_layout_table(struct kunit *test)
{
	struct vireo_balloon_layout l;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bt_layouts); i++) {
		const struct bt_layout_case *c = &bt_layouts[i];

		vireo_balloon_layout(c->offered, c->negotiated, &l);
		KUNIT_EXPECT_EQ_MSG(test, l.nvqs, c->nvqs, "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, l.stats, c->stats, "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, l.report, c->report, "row %u", i);
	}
}

/*
 * A device offering STATS_VQ and FREE_PAGE_HINT (four queues): the
 * driver takes STATS_VQ, not the hint, creates the three queues it
 * uses, and the stats buffer arrives on queue 2.
 */
static void bt_queues_bound(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	u64 neg;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, F(STATS_VQ) | F(FREE_PAGE_HINT) | F(DEFLATE_ON_OOM));
	KUNIT_ASSERT_EQ(test, s->nqueues, 4U);
	sb = bt_dev_new(test, s, false);
	vireo_simbus_set_mode(sb, 2, VIREO_SIMBUS_HOLD);
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));

	neg = READ_ONCE(sb->guest_features);
	KUNIT_EXPECT_TRUE(test, neg & F(STATS_VQ));
	KUNIT_EXPECT_TRUE(test, neg & F(DEFLATE_ON_OOM));
	KUNIT_EXPECT_FALSE(test, neg & F(FREE_PAGE_HINT));
	KUNIT_EXPECT_EQ(test, sb->nvqs, 3U);
	KUNIT_EXPECT_TRUE(test, bt_wait_held(sb, 2, 1, BT_WAIT_MS));
	KUNIT_EXPECT_EQ(test, vireo_simbus_kicks(sb, 3), 0U);
}

/* Without STATS_VQ: two queues, and the balloon works. */
static void bt_queues_minimal(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, 0);
	sb = bt_dev_new(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	KUNIT_EXPECT_EQ(test, sb->nvqs, 2U);
	bt_set_target(sb, 256);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 256, BT_WAIT_MS));
	bt_set_target(sb, 0);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 0, BT_WAIT_MS));
}

/*
 * PAGE_POISON only when freed pages really are poisoned or zeroed, and
 * free page reporting only with it (and with the kernel's interface,
 * which the KUnit kernel lacks).
 */
static void bt_poison_policy(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	bool poison = page_poisoning_enabled_static() || want_init_on_free();
	struct vireo_simbus_dev *sb;
	u64 neg;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, F(STATS_VQ) | F(PAGE_POISON) | F(REPORTING));
	sb = bt_dev_new(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	neg = READ_ONCE(sb->guest_features);
	KUNIT_EXPECT_EQ(test, !!(neg & F(PAGE_POISON)), poison);
	if (!poison || !IS_ENABLED(CONFIG_PAGE_REPORTING))
		KUNIT_EXPECT_FALSE(test, neg & F(REPORTING));
	/* Queue 3 (reporting) is created only if reporting was taken. */
	KUNIT_EXPECT_EQ(test, sb->nvqs, neg & F(REPORTING) ? 4U : 3U);
}

static struct kunit_case bt_queue_cases[] = {
	KUNIT_CASE(bt_layout_table),
	KUNIT_CASE(bt_queues_bound),
	KUNIT_CASE(bt_queues_minimal),
	KUNIT_CASE(bt_poison_policy),
	{}
};

static struct kunit_suite bt_queue_suite = {
	.name = "vireo_balloon_queues",
	.test_cases = bt_queue_cases,
};

/* Config space without actual: no bind, one message saying why. */
static void bt_short_config(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	u64 mark = vireo_simbus_log_mark();
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, F(STATS_VQ));
	s->config_len = 4;
	sb = bt_dev_new(test, s, true);
	KUNIT_EXPECT_FALSE(test, bt_bound(sb));
	KUNIT_EXPECT_EQ(test, vireo_simbus_probe_cause_lines(mark, bt_who(sb)),
			1U);
}

/* Eight bytes (no poison_val): enough. */
static void bt_eight_byte_config(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, 0);
	s->config_len = 8;
	sb = bt_dev_new(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	bt_set_target(sb, 256);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 256, BT_WAIT_MS));
	bt_set_target(sb, 0);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 0, BT_WAIT_MS));
}

/* A target set before the driver came is acted on at probe. */
static void bt_target_before_probe(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	__le32 v = cpu_to_le32(256);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, 0);
	memcpy(s->config + BT_CFG_NUM_PAGES, &v, sizeof(v));
	sb = bt_dev_new(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 256, BT_WAIT_MS));
	bt_set_target(sb, 0);
	KUNIT_EXPECT_TRUE(test, bt_wait_actual(sb, 0, BT_WAIT_MS));
}

static struct kunit_case bt_config_cases[] = {
	KUNIT_CASE(bt_short_config),
	KUNIT_CASE(bt_eight_byte_config),
	KUNIT_CASE(bt_target_before_probe),
	{}
};

static struct kunit_suite bt_config_suite = {
	.name = "vireo_balloon_config",
	.test_cases = bt_config_cases,
};

/* ---- statistics --------------------------------------------------------- */

static struct vireo_simbus_dev *bt_stats_dev(struct kunit *test,
					     enum vireo_simbus_mode mode)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_setup(s, F(STATS_VQ));
	sb = bt_dev_new(test, s, false);
	vireo_simbus_set_mode(sb, 2, mode);
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	return sb;
}

/* Wait until the driver has posted the stats buffer @n times. */
static bool bt_wait_sent(struct vireo_balloon *vb, s64 n)
{
	unsigned long end = jiffies + msecs_to_jiffies(BT_WAIT_MS);

	while (atomic64_read(&vb->cnt.stats_sent) < n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(2000, 3000);
	}
	return true;
}

/* Check one statistics buffer the device read. */
static void bt_check_stats(struct kunit *test, struct bt_dev *d)
{
	u64 val[BT_STATS_NR];
	unsigned int i;
	u16 tag;

	KUNIT_ASSERT_EQ(test, d->stats_len, BT_STATS_NR * BT_STAT_LEN);
	for (i = 0; i < BT_STATS_NR; i++) {
		memcpy(&tag, d->stats + i * BT_STAT_LEN, sizeof(tag));
		memcpy(&val[i], d->stats + i * BT_STAT_LEN + 2, sizeof(u64));
		KUNIT_EXPECT_EQ(test, tag, (u16)i);
	}
	KUNIT_EXPECT_EQ(test, val[BT_S_MEMTOT],
			(u64)totalram_pages() << PAGE_SHIFT);
	KUNIT_EXPECT_GT(test, val[BT_S_MEMFREE], 0ULL);
	KUNIT_EXPECT_LE(test, val[BT_S_MEMFREE], val[BT_S_MEMTOT]);
	KUNIT_EXPECT_LE(test, val[BT_S_AVAIL], val[BT_S_MEMTOT]);
}

/*
 * The protocol as QEMU plays it: the device keeps the buffer and returns
 * it when it wants statistics; each time the driver refills it and posts
 * it again, with the ten standard records. A used length on this
 * read-only buffer is counted; an interrupt without a buffer does
 * nothing.
 */
static void bt_stats_protocol(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_stats_dev(test, VIREO_SIMBUS_IGNORE);
	struct vireo_balloon *vb = bt_vb(test, sb);
	struct bt_dev *d = bt_priv(sb);
	unsigned int i;
	s64 sent;

	KUNIT_ASSERT_GE(test, vireo_simbus_kicks(sb, 2), 1U);
	KUNIT_EXPECT_EQ(test, d->stats_reads, 0U);
	for (i = 1; i <= 5; i++) {
		KUNIT_ASSERT_EQ(test, vireo_simbus_process_n(sb, 2, 1), 1U);
		KUNIT_ASSERT_TRUE(test, bt_wait_sent(vb, i + 1));
		KUNIT_EXPECT_EQ(test, d->stats_reads, i);
		bt_check_stats(test, d);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.stats_sent), 6LL);

	d->stats_used_len = 77;
	KUNIT_ASSERT_EQ(test, vireo_simbus_process_n(sb, 2, 1), 1U);
	KUNIT_ASSERT_TRUE(test, bt_wait_sent(vb, 7));
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.bad_len), 1LL);

	sent = atomic64_read(&vb->cnt.stats_sent);
	vireo_simbus_interrupt(sb, 2);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic64_read(&vb->cnt.stats_sent), sent);
	KUNIT_EXPECT_FALSE(test, vireo_balloon_is(vb, VIREO_BALLOON_DEAD));
}

/*
 * A device that returns the buffer at once, forever: the driver answers
 * at most VIREO_BALLOON_STATS_HZ times a second (with slack for the
 * tick), and unbinds normally.
 */
static void bt_stats_flood(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_stats_dev(test, VIREO_SIMBUS_COMPLETE);
	struct vireo_balloon *vb = bt_vb(test, sb);
	s64 before, sent;

	msleep(100);
	before = atomic64_read(&vb->cnt.stats_sent);
	msleep(1000);
	sent = atomic64_read(&vb->cnt.stats_sent) - before;
	KUNIT_EXPECT_GT(test, sent, 0LL);
	KUNIT_EXPECT_LE(test, sent, 3LL * VIREO_BALLOON_STATS_HZ);
	KUNIT_EXPECT_TRUE(test, bt_unbind_bounded(test, sb, BT_WAIT_MS));
}

static struct kunit_case bt_stats_cases[] = {
	KUNIT_CASE(bt_stats_protocol),
	KUNIT_CASE(bt_stats_flood),
	{}
};

static struct kunit_suite bt_stats_suite = {
	.name = "vireo_balloon_stats",
	.test_cases = bt_stats_cases,
};

kunit_test_suites(&bt_queue_suite, &bt_config_suite, &bt_stats_suite);
