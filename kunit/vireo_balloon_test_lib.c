// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_balloon.ko against a hostile simulated device:
 * the shared helpers.
 *
 * Every case registers a real balloon device (type 5) on vireo_simbus,
 * so the real vireo_balloon binds to it. The device side looks at every
 * inflate and deflate request (vireo_balloon_test_handler()): its shape,
 * whether each page is in the balloon when the host hears of it, and
 * whether a page being deflated is still held when the host hears of
 * it; and it keeps a copy of each statistics buffer it reads.
 *
 * Targets stay small (a few MiB): the KUnit guest has 1 GiB and runs
 * with KASAN.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "vireo_balloon_test.h"

VIREO_IMPORT_NS();

/* The pages behind @n PFNs at @buf, checked for @q's expectation. */
static void bt_check_pfns(struct bt_dev *d, unsigned int q,
			  const __le32 *buf, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		unsigned long pfn = le32_to_cpu(buf[i]) >>
				    (PAGE_SHIFT - 12);
		struct page *page;

		if (!pfn_valid(pfn)) {
			d->bad_shape++;
			continue;
		}
		page = pfn_to_page(pfn);
		if (q == BT_Q_INFLATE && !PageOffline(page))
			d->not_ballooned++;
		if (q == BT_Q_DEFLATE && !page_ref_count(page))
			d->not_held++;
	}
}

static u32 bt_handle_pfns(struct bt_dev *d, unsigned int q,
			  const struct vireo_simq_iov *iov, unsigned int n)
{
	__le32 buf[BT_PFN_MAX];
	unsigned int len;

	d->requests[q]++;
	if (n != 1 || iov[0].write || iov[0].len % 4 ||
	    iov[0].len > sizeof(buf) || !iov[0].len) {
		d->bad_shape++;
		return d->used_len;
	}
	len = vireo_simq_copy_from(iov, n, buf, iov[0].len);
	d->pfns[q] += len / 4;
	bt_check_pfns(d, q, buf, len / 4);
	return d->used_len;
}

static u32 bt_handle_stats(struct bt_dev *d, const struct vireo_simq_iov *iov,
			   unsigned int n)
{
	unsigned int i, len = 0;

	for (i = 0; i < n; i++)
		if (!iov[i].write)
			len += iov[i].len;
	d->stats_len = len;
	vireo_simq_copy_from(iov, n, d->stats,
			     min_t(unsigned int, len, sizeof(d->stats)));
	d->stats_reads++;
	return d->stats_used_len;
}

/* The device: inflate and deflate checked, stats copied, others plain. */
static u32 vireo_balloon_test_handler(struct vireo_simbus_dev *sb,
				      unsigned int q,
				      const struct vireo_simq_iov *iov,
				      unsigned int n)
{
	struct bt_dev *d = sb->setup.priv;
	u32 ret;

	spin_lock(&d->lock);
	if (q == BT_Q_INFLATE || q == BT_Q_DEFLATE)
		ret = bt_handle_pfns(d, q, iov, n);
	else if (q == 2)
		ret = bt_handle_stats(d, iov, n);
	else
		ret = 0;
	spin_unlock(&d->lock);
	return ret;
}

/**
 * bt_setup - a QEMU-like balloon
 * @s: the setup to fill
 * @features: offered features; a queue exists for each offered one, in
 *	QEMU's order (stats, hint, reporting after inflate and deflate)
 *
 * Context: any.
 */
void bt_setup(struct vireo_simbus_setup *s, u64 features)
{
	unsigned int q = 2;

	memset(s, 0, sizeof(*s));
	s->device = BT_ID_BALLOON;
	s->vendor = VIREO_PCI_VENDOR_ID;
	s->features = features | BIT_ULL(VIREO_RING_F_INDIRECT_DESC) |
		      BIT_ULL(VIREO_RING_F_EVENT_IDX);
	s->config_len = BT_CFG_LEN;
	s->queue_num[0] = BT_RING;
	s->queue_num[1] = BT_RING;
	if (features & BIT_ULL(BT_F_STATS_VQ))
		s->queue_num[q++] = BT_RING;
	if (features & BIT_ULL(BT_F_FREE_PAGE_HINT))
		s->queue_num[q++] = BT_RING_HINT;
	if (features & BIT_ULL(BT_F_REPORTING))
		s->queue_num[q++] = BT_RING_REPORT;
	s->nqueues = q;
	s->handler = vireo_balloon_test_handler;
}

static void bt_release(void *data)
{
	struct vireo_simbus_dev *sb = data;

	vireo_simbus_del(sb);
	vireo_simbus_put(sb);
}

/**
 * bt_dev_new - register a balloon device (released at the end of the case)
 * @test: the case
 * @s: its setup; @s->priv is replaced by a fresh struct bt_dev
 * @add: register it now
 *
 * Context: process context.
 * Return: the device.
 */
struct vireo_simbus_dev *bt_dev_new(struct kunit *test,
				    struct vireo_simbus_setup *s, bool add)
{
	struct vireo_simbus_dev *sb;
	struct bt_dev *d;

	d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	spin_lock_init(&d->lock);
	s->priv = d;
	sb = vireo_simbus_alloc(s);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bt_release, sb),
			0);
	if (add)
		KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

/**
 * bt_priv - what the device side saw
 * @sb: the device
 *
 * Context: any.
 * Return: the device's struct bt_dev.
 */
struct bt_dev *bt_priv(struct vireo_simbus_dev *sb)
{
	return sb->setup.priv;
}

/**
 * bt_bound - vireo_balloon is bound to the device
 * @sb: the device
 *
 * Context: process context.
 * Return: true if so.
 */
bool bt_bound(struct vireo_simbus_dev *sb)
{
	struct device_driver *drv = READ_ONCE(sb->vdev.dev.driver);

	return drv && !strcmp(drv->name, "vireo_balloon");
}

/**
 * bt_vb - the driver's state
 * @test: the case
 * @sb: the device; vireo_balloon must be bound
 *
 * Context: process context.
 * Return: the driver data.
 */
struct vireo_balloon *bt_vb(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct vireo_balloon *vb;

	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	vb = sb->vdev.priv;
	KUNIT_ASSERT_NOT_NULL(test, vb);
	KUNIT_ASSERT_PTR_EQ(test, vb->vdev, &sb->vdev);
	return vb;
}

/**
 * bt_set_target - the host sets num_pages and raises a config change
 * @sb: the device
 * @pages: the target, in 4 KiB pages
 *
 * Context: process context.
 */
void bt_set_target(struct vireo_simbus_dev *sb, u32 pages)
{
	__le32 v = cpu_to_le32(pages);

	vireo_simbus_set_config(sb, BT_CFG_NUM_PAGES, &v, sizeof(v));
	vireo_simbus_config_changed(sb);
}

/**
 * bt_actual - what the driver wrote into actual
 * @sb: the device
 *
 * Context: process context.
 * Return: actual, read as le32.
 */
u32 bt_actual(struct vireo_simbus_dev *sb)
{
	unsigned long flags;
	__le32 v;

	spin_lock_irqsave(&sb->cfg_lock, flags);
	memcpy(&v, sb->setup.config + BT_CFG_ACTUAL, sizeof(v));
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
	return le32_to_cpu(v);
}

/**
 * bt_wait_actual - wait until actual reads @pages
 * @sb: the device
 * @pages: the value
 * @ms: the bound
 *
 * Context: process context.
 * Return: true if it did within @ms.
 */
bool bt_wait_actual(struct vireo_simbus_dev *sb, u32 pages, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (bt_actual(sb) != pages) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(5000, 6000);
	}
	return true;
}

/**
 * bt_wait_held - wait until queue @q holds @n chains
 * @sb: the device
 * @q: the queue
 * @n: chains
 * @ms: the bound
 *
 * Context: process context.
 * Return: true if it did within @ms.
 */
bool bt_wait_held(struct vireo_simbus_dev *sb, unsigned int q,
		  unsigned int n, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (vireo_simbus_held(sb, q) != n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(2000, 3000);
	}
	return true;
}

/**
 * bt_unbind_bounded - unbind the driver from a thread, bounded
 * @test: the case
 * @sb: the device
 * @ms: how long removal may take
 *
 * If removal hangs, the device is rescued so that the case can end.
 *
 * Context: process context.
 * Return: true if removal finished within @ms.
 */
bool bt_unbind_bounded(struct kunit *test, struct vireo_simbus_dev *sb,
		       unsigned int ms)
{
	struct vireo_simbus_call *call;
	bool done;

	call = vireo_simbus_call_start(vireo_simbus_unbind_fn, sb,
				       "vireo_balloon_test_unbind");
	KUNIT_ASSERT_NOT_NULL(test, call);
	done = vireo_simbus_call_wait(call, ms);
	if (!done) {
		vireo_simbus_rescue(sb, 0);
		KUNIT_EXPECT_TRUE(test, vireo_simbus_call_wait(call, BT_WAIT_MS));
	}
	vireo_simbus_call_put(call);
	return done;
}

static char bt_who_buf[32];

/**
 * bt_who - " vireoN: ", to find the device's lines in the log
 * @sb: the device
 *
 * Context: process context (one case at a time).
 * Return: a static string.
 */
const char *bt_who(struct vireo_simbus_dev *sb)
{
	snprintf(bt_who_buf, sizeof(bt_who_buf), " %s: ",
		 dev_name(&sb->vdev.dev));
	return bt_who_buf;
}

MODULE_DESCRIPTION("KUnit tests for vireo_balloon against a hostile simulated device");
MODULE_LICENSE("GPL");
