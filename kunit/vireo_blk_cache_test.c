// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite vireo_blk_cache: the real vireo_blk on vireo_simbus, with a
 * write cache that nothing could flush (CONFIG_WCE without FLUSH).
 * Acknowledged writes must never sit in such a cache: probe switches the
 * device to write-through, a device that will not go makes the disk
 * read-only, and cache_type refuses write back. On the driver before the
 * hardening issue each of these cases failed: the device was left in
 * write-back while the kernel believed it write-through.
 */

#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include "vireo_blk_test.h"

/* A device offering CONFIG_WCE but not FLUSH, its cache mode @wce. */
static struct vireo_simbus_dev *bw_dev(struct kunit *test, u8 wce,
				       unsigned int config_len)
{
	struct vireo_simbus_setup *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	s->features &= ~BIT_ULL(BT_F_FLUSH);
	s->config[BT_CFG(wce)] = wce;
	if (config_len)
		s->config_len = config_len;
	return bt_dev(test, s, true);
}

/* The device's cache mode now, as the driver left it in config space. */
static u8 bw_wce(struct vireo_simbus_dev *sb)
{
	return READ_ONCE(sb->setup.config[BT_CFG(wce)]);
}

/* The bound device's disk; the caller puts it. */
static struct device *bw_disk(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct device *dev;

	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	dev = device_find_child(&sb->vdev.dev, NULL, bt_is_disk);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	return dev;
}

/* The device starts in write-back: probe switches it to write-through. */
static void bw_probe_switches_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bw_dev(test, 1, 0);
	struct device *dev = bw_disk(test, sb);

	KUNIT_EXPECT_EQ(test, bw_wce(sb), 0);
	KUNIT_EXPECT_FALSE(test, get_disk_ro(dev_to_disk(dev)));
	put_device(dev);
}

/*
 * The cache mode cannot be read or changed (config space ends before
 * it): the device may be in write-back for good, so the disk is
 * read-only, and one message says why.
 */
static void bw_unswitchable_read_only_defect(struct kunit *test)
{
	u64 mark = vireo_simbus_log_mark();
	struct vireo_simbus_dev *sb = bw_dev(test, 1, BT_CFG(wce));
	struct device *dev = bw_disk(test, sb);

	KUNIT_EXPECT_TRUE(test, get_disk_ro(dev_to_disk(dev)));
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "would not be flushed"), 1U);
	put_device(dev);
}

/* Writing "write back" to cache_type: refused, the device untouched. */
static void bw_store_refused_defect(struct kunit *test)
{
	static const char wb[] = "write back\n";
	struct vireo_simbus_dev *sb = bw_dev(test, 0, 0);
	struct device *dev = bw_disk(test, sb);
	struct file *f;
	char *path;
	loff_t pos = 0;
	ssize_t ret;

	path = kasprintf(GFP_KERNEL, "/sys/block/%s/cache_type", dev_name(dev));
	KUNIT_ASSERT_NOT_NULL(test, path);
	f = filp_open(path, O_WRONLY, 0);
	kfree(path);
	put_device(dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	ret = kernel_write(f, wb, sizeof(wb) - 1, &pos);
	filp_close(f, NULL);
	KUNIT_EXPECT_EQ(test, ret, (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, bw_wce(sb), 0);
}

static struct kunit_case bw_cases[] = {
	KUNIT_CASE(bw_probe_switches_defect),
	KUNIT_CASE(bw_unswitchable_read_only_defect),
	KUNIT_CASE(bw_store_refused_defect),
	{}
};

static struct kunit_suite bw_suite = {
	.name = "vireo_blk_cache",
	.test_cases = bw_cases,
};

kunit_test_suites(&bw_suite);
