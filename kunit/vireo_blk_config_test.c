// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_blk.ko against a hostile simulated device: what
 * the device says about itself.
 *
 * vireo_blk_config: every config field at its extremes and odd queue
 * sizes (the device binds and I/O works, or probe fails cleanly with one
 * line saying why), the memory a bind costs with the largest rings, and
 * config changes, garbage included. The helpers are in
 * vireo_blk_test_lib.c.
 */

#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_blk_test.h"

/* ---- vireo_blk_config -------------------------------------------------- */

/**
 * struct bt_cfg_param - one extreme config value
 * @name: for the case's parameter description
 * @off: the field's offset (or -1 for a queue size)
 * @unused: padding
 * @val: the value
 * @ring: queue size of every queue, when @off is -1
 */
struct bt_cfg_param {
	const char *name;
	int off;
	unsigned int unused;
	u64 val;
	u32 ring;
};

/* The size of the field at each offset. */
static const u8 bt_field_size[sizeof(struct bt_config)] = {
	[BT_CFG(capacity)] = 8,
	[BT_CFG(size_max)] = 4,
	[BT_CFG(seg_max)] = 4,
	[BT_CFG(cylinders)] = 2,
	[BT_CFG(heads)] = 1,
	[BT_CFG(sectors)] = 1,
	[BT_CFG(blk_size)] = 4,
	[BT_CFG(physical_block_exp)] = 1,
	[BT_CFG(alignment_offset)] = 1,
	[BT_CFG(min_io_size)] = 2,
	[BT_CFG(opt_io_size)] = 4,
	[BT_CFG(wce)] = 1,
	[BT_CFG(num_queues)] = 2,
	[BT_CFG(max_discard_sectors)] = 4,
	[BT_CFG(max_discard_seg)] = 4,
	[BT_CFG(discard_sector_alignment)] = 4,
	[BT_CFG(max_write_zeroes_sectors)] = 4,
	[BT_CFG(max_write_zeroes_seg)] = 4,
	[BT_CFG(write_zeroes_may_unmap)] = 1,
};

#define BT_P(fld, v) { #fld " " #v, BT_CFG(fld), 0, v }
#define BT_Q(n) { "queue size " #n, -1, 0, 0, n }

static const struct bt_cfg_param bt_cfg_params[] = {
	BT_P(capacity, 0), BT_P(capacity, 1), BT_P(capacity, U64_MAX),
	BT_P(capacity, LLONG_MAX >> 9), BT_P(capacity, (LLONG_MAX >> 9) + 1),
	BT_P(size_max, 0), BT_P(size_max, 1), BT_P(size_max, 4095),
	BT_P(size_max, 4096), BT_P(size_max, U32_MAX),
	BT_P(seg_max, 0), BT_P(seg_max, 1), BT_P(seg_max, U32_MAX),
	BT_P(blk_size, 0), BT_P(blk_size, 1), BT_P(blk_size, 511),
	BT_P(blk_size, 513), BT_P(blk_size, 4096), BT_P(blk_size, 65536),
	BT_P(blk_size, U32_MAX),
	BT_P(physical_block_exp, 3), BT_P(physical_block_exp, 20),
	BT_P(physical_block_exp, 63), BT_P(physical_block_exp, 64),
	BT_P(physical_block_exp, 255),
	BT_P(alignment_offset, 255), BT_P(min_io_size, U16_MAX),
	BT_P(opt_io_size, U32_MAX),
	BT_P(cylinders, 0), BT_P(heads, 0), BT_P(sectors, 0),
	BT_P(num_queues, 0), BT_P(num_queues, U16_MAX),
	BT_P(max_discard_sectors, 0), BT_P(max_discard_sectors, 1),
	BT_P(max_discard_sectors, U32_MAX),
	BT_P(max_discard_seg, 0), BT_P(max_discard_seg, 1),
	BT_P(max_discard_seg, U32_MAX),
	BT_P(discard_sector_alignment, 0), BT_P(discard_sector_alignment, 3),
	BT_P(discard_sector_alignment, U32_MAX),
	BT_P(max_write_zeroes_sectors, 0), BT_P(max_write_zeroes_sectors, 1),
	BT_P(max_write_zeroes_sectors, U32_MAX),
	BT_P(max_write_zeroes_seg, 0), BT_P(max_write_zeroes_seg, U32_MAX),
	BT_P(write_zeroes_may_unmap, 0xff),
	BT_P(wce, 0), BT_P(wce, 1), BT_P(wce, 0xff),
	BT_Q(0), BT_Q(1), BT_Q(2), BT_Q(3), BT_Q(4), BT_Q(255), BT_Q(32768),
	BT_Q(32769), BT_Q(65535),
};

static void bt_cfg_desc(const struct bt_cfg_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bt_cfg, bt_cfg_params, bt_cfg_desc);

/*
 * Lines the device caused, other than the summary of a successful probe
 * and the generic "probe failed" lines.
 */
static unsigned int bt_cause_lines(struct vireo_simbus_dev *sb, u64 mark)
{
	const char *who = bt_who(sb);

	return vireo_simbus_probe_cause_lines(mark, who) -
	       vireo_simbus_log_count(mark, who, "queue(s) of depth");
}

/*
 * Bind cleanly (and then do I/O) or fail cleanly: no driver, the status
 * says FAILED, nothing left behind, and one line says why.
 */
static void bc_extremes(struct kunit *test)
{
	const struct bt_cfg_param *p = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	unsigned int i;
	u64 mark;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	if (p->off >= 0) {
		bt_set(s, p->off, bt_field_size[p->off], p->val);
	} else {
		for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
			s->queue_num[i] = p->ring;
	}
	mark = vireo_simbus_log_mark();
	sb = bt_dev(test, s, true);

	if (bt_bound(sb)) {
		KUNIT_EXPECT_TRUE(test, sb->status & VIREO_STATUS_DRIVER_OK);
		KUNIT_EXPECT_LE(test, bt_cause_lines(sb, mark), 1U);
		/* The I/O covers the first 128 sectors. */
		if (p->off != BT_CFG(capacity) || p->val >= BT_CAPACITY)
			bt_expect_io_works(test, sb, 4);
	} else {
		KUNIT_EXPECT_TRUE(test, sb->status & VIREO_STATUS_FAILED);
		KUNIT_EXPECT_TRUE(test, list_empty(&sb->vdev.vqs));
		KUNIT_EXPECT_EQ(test, bt_cause_lines(sb, mark), 1U);
		KUNIT_EXPECT_EQ(test,
				vireo_simbus_log_count(mark, bt_who(sb),
						       "probe by vireo_blk failed"),
				1U);
	}
	kunit_info(test, "%s: %s\n", p->name,
		   bt_bound(sb) ? "bound" : "refused");
}

/* Memory the system has handed out, in bytes. */
static long bt_used_bytes(void)
{
	struct sysinfo si;

	si_meminfo(&si);
	return (long)(si.totalram - si.freeram) * PAGE_SIZE;
}

/*
 * A device offering the largest ring and unlimited segments must not make
 * the driver allocate without bound. The bound covers everything the bind
 * costs: with @mq two queues of 32768 (rings, preallocated indirect
 * tables and the simulated device's own bookkeeping take about 5 MiB per
 * queue), else one.
 */
static void bt_memory(struct kunit *test, bool mq, long bound)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	long before, used;
	unsigned int i;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	bt_set(s, BT_CFG(seg_max), 4, U32_MAX);
	bt_set(s, BT_CFG(size_max), 4, U32_MAX);
	bt_set(s, BT_CFG(num_queues), 2, mq ? U16_MAX : 1);
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
		s->queue_num[i] = VIREO_VRING_MAX_NUM;
	sb = bt_dev(test, s, false);
	before = bt_used_bytes();
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	used = bt_used_bytes() - before;
	kunit_info(test, "bind with %u queue(s) of 32768: %ld KiB\n",
		   mq ? 2 : 1, used >> 10);
	KUNIT_EXPECT_TRUE(test, bt_bound(sb));
	KUNIT_EXPECT_LE_MSG(test, used, bound,
			    "binding took %ld MiB, more than %ld MiB",
			    used >> 20, bound >> 20);
}

static void bc_memory_huge_ring_defect(struct kunit *test)
{
	bt_memory(test, false, SZ_16M);
}

static void bc_memory_huge_ring_mq_defect(struct kunit *test)
{
	bt_memory(test, true, SZ_32M);
}

/* The capacity follows a config change; garbage never crashes. */
static void bc_config_change(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct device *dev;
	u64 cap = 4096, bad = U64_MAX;
	unsigned int i;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));

	vireo_simbus_set_config(sb, BT_CFG(capacity), &cap, sizeof(cap));
	vireo_simbus_config_changed(sb);
	flush_work(&sb->vdev.config_work);
	dev = device_find_child(&sb->vdev.dev, NULL, bt_is_disk);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, get_capacity(dev_to_disk(dev)), (sector_t)cap);

	/* All ones everywhere, as a vanished device would read. */
	for (i = 0; i < sizeof(struct bt_config); i++)
		vireo_simbus_set_config(sb, i, "\xff", 1);
	vireo_simbus_config_changed(sb);
	flush_work(&sb->vdev.config_work);
	KUNIT_EXPECT_NE(test, get_capacity(dev_to_disk(dev)), (sector_t)bad);
	put_device(dev);
}

static struct kunit_case bc_cases[] = {
	KUNIT_CASE_PARAM(bc_extremes, bt_cfg_gen_params),
	KUNIT_CASE(bc_memory_huge_ring_defect),
	KUNIT_CASE(bc_memory_huge_ring_mq_defect),
	KUNIT_CASE(bc_config_change),
	{}
};

static struct kunit_suite bc_suite = {
	.name = "vireo_blk_config",
	.test_cases = bc_cases,
};

kunit_test_suites(&bc_suite);
