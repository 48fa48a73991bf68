// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_core.ko, the vireo bus.
 *
 * A fake transport keeps the device in memory: a status byte, an offer of
 * feature bits, a few bytes of config space, and a log of what the core
 * asked it to do ("R" reset, "S<hex>" status write, "F" finalize_features,
 * "Q<n>" find_vqs, "D" del_vqs). Fake drivers add "P" (probe) and "X"
 * (remove) to the same log and record what they saw. Tests register both
 * through the public API and compare the log and the records with what
 * the handshake, feature negotiation, remove and config-change rules say.
 *
 * All ids below are reserved for this suite, so no real vireo driver
 * binds the fake devices. Failed probes, feature tests of unlisted bits
 * and forgotten queues print errors and one-time warnings; that is
 * expected.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <vireo/transport.h>

VIREO_IMPORT_NS();

#define CT_ID_X		0x7f000001U
#define CT_ID_Y		0x7f000002U
#define CT_ID_Z		0x7f000003U
#define CT_ID_W		0x7f000004U
#define CT_ID_V		0x7f000005U
#define CT_VENDOR_A	0x7f00a001U
#define CT_VENDOR_B	0x7f00b002U

#define CT_STATUS_OK	(VIREO_STATUS_ACKNOWLEDGE | VIREO_STATUS_DRIVER | \
			 VIREO_STATUS_DRIVER_OK)
#define CT_CONFIG_SIZE	8U
#define CT_LOG_SIZE	128U
#define CT_RING_NUM	8U
#define CT_MAX_VQS	2U
#define CT_TIMEOUT	msecs_to_jiffies(5000)

/**
 * struct ct_dev - a fake device and its in-memory transport
 * @vdev: the device on the bus
 * @status: the status byte
 * @offered: the feature bits the device offers
 * @config: device-specific config space
 * @resets: calls of reset
 * @finalizes: calls of finalize_features
 * @finalized: vdev->features as finalize_features saw them
 * @live_vqs: queues created and not yet deleted
 * @del_vqs_calls: calls of del_vqs
 * @affinity_index: the queue set_vq_affinity was last called for
 * @affinity_mask: the mask it was given
 * @affinity_ret: what set_vq_affinity returns
 * @log: what the core and the driver did, in order, space-separated
 */
struct ct_dev {
	struct vireo_device vdev;
	u8 status;
	u64 offered;
	u8 config[CT_CONFIG_SIZE];
	unsigned int resets;
	unsigned int finalizes;
	u64 finalized;
	unsigned int live_vqs;
	unsigned int del_vqs_calls;
	unsigned int affinity_index;
	const struct cpumask *affinity_mask;
	int affinity_ret;
	char log[CT_LOG_SIZE];
};

/**
 * struct ct_drv - a fake driver and what it saw
 * @drv: the driver on the bus
 * @ids: its id table: one entry, room for a second, and the terminator
 * @probe_vqs: queues probe creates with vireo_find_vqs()
 * @probe_ready: probe calls vireo_device_ready() itself
 * @probe_sleep_ms: probe sleeps this long before it returns
 * @probe_err: what probe returns
 * @remove_forgets: remove neither resets the device nor deletes queues
 * @probing: probe is running
 * @probes: calls of probe
 * @removes: calls of remove
 * @probe_finalizes: finalize_features calls when probe started
 * @probe_features: vdev->features when probe started
 * @probe_exit_status: the status byte when probe returned
 * @changes: calls of config_changed
 * @changed: completed by every config_changed call
 * @changed_atomic: a config_changed call came in atomic context
 * @changed_outside: a config_changed call came during probe or remove
 * @changed_status: the status byte at the last config_changed call
 * @block_changes: config_changed waits for @unblock before it returns
 * @unblock: lets a blocked config_changed call return
 * @unregister_work: unregisters the driver from another thread
 */
struct ct_drv {
	struct vireo_driver drv;
	struct vireo_device_id ids[3];
	unsigned int probe_vqs;
	bool probe_ready;
	unsigned int probe_sleep_ms;
	int probe_err;
	bool remove_forgets;
	bool probing;
	unsigned int probes;
	unsigned int removes;
	unsigned int probe_finalizes;
	u64 probe_features;
	u8 probe_exit_status;
	atomic_t changes;
	struct completion changed;
	bool changed_atomic;
	bool changed_outside;
	u8 changed_status;
	bool block_changes;
	struct completion unblock;
	struct work_struct unregister_work;
};

static struct ct_dev *to_ct_dev(struct vireo_device *vdev)
{
	return container_of(vdev, struct ct_dev, vdev);
}

static struct ct_drv *to_ct_drv(struct vireo_device *vdev)
{
	return container_of(drv_to_vireo(vdev->dev.driver), struct ct_drv, drv);
}

static __printf(2, 3) void ct_log(struct ct_dev *cd, const char *fmt, ...)
{
	size_t len = strlen(cd->log);
	va_list args;

	if (len)
		len += scnprintf(cd->log + len, sizeof(cd->log) - len, " ");
	va_start(args, fmt);
	vscnprintf(cd->log + len, sizeof(cd->log) - len, fmt, args);
	va_end(args);
}

static void ct_log_clear(struct ct_dev *cd)
{
	cd->log[0] = '\0';
}

/* The fake transport. */

static bool ct_range_ok(unsigned int offset, unsigned int len)
{
	return offset <= CT_CONFIG_SIZE && len <= CT_CONFIG_SIZE - offset;
}

static int ct_get(struct vireo_device *vdev, unsigned int offset, void *buf,
		  unsigned int len)
{
	if (!ct_range_ok(offset, len))
		return -EINVAL;
	memcpy(buf, to_ct_dev(vdev)->config + offset, len);
	return 0;
}

static int ct_set(struct vireo_device *vdev, unsigned int offset,
		  const void *buf, unsigned int len)
{
	if (!ct_range_ok(offset, len))
		return -EINVAL;
	memcpy(to_ct_dev(vdev)->config + offset, buf, len);
	return 0;
}

static u8 ct_get_status(struct vireo_device *vdev)
{
	return to_ct_dev(vdev)->status;
}

static void ct_set_status(struct vireo_device *vdev, u8 status)
{
	struct ct_dev *cd = to_ct_dev(vdev);

	cd->status = status;
	ct_log(cd, "S%x", status);
}

static void ct_reset(struct vireo_device *vdev)
{
	struct ct_dev *cd = to_ct_dev(vdev);

	cd->status = 0;
	cd->resets++;
	ct_log(cd, "R");
}

static u64 ct_get_features(struct vireo_device *vdev)
{
	return to_ct_dev(vdev)->offered;
}

/* Records the negotiation's result; unlike a real transport, no filter. */
static int ct_finalize_features(struct vireo_device *vdev)
{
	struct ct_dev *cd = to_ct_dev(vdev);

	cd->finalizes++;
	cd->finalized = vdev->features;
	ct_log(cd, "F");
	return 0;
}

static bool ct_notify(struct vireo_virtqueue *vq)
{
	return true;
}

static void ct_free_vqs(struct vireo_device *vdev)
{
	struct vireo_virtqueue *vq, *tmp;

	list_for_each_entry_safe(vq, tmp, &vdev->vqs, list) {
		list_del(&vq->list);
		vireo_vring_destroy(vq);
		to_ct_dev(vdev)->live_vqs--;
	}
}

static int ct_find_vqs(struct vireo_device *vdev, unsigned int nvqs,
		       struct vireo_virtqueue *vqs[],
		       const struct vireo_vq_info info[])
{
	struct ct_dev *cd = to_ct_dev(vdev);
	struct vireo_virtqueue *vq;
	unsigned int i;

	ct_log(cd, "Q%u", nvqs);
	for (i = 0; i < nvqs; i++) {
		vq = vireo_vring_create(vdev, i, CT_RING_NUM,
					VIREO_VRING_LEGACY_ALIGN, ct_notify,
					&info[i]);
		if (IS_ERR(vq)) {
			ct_free_vqs(vdev);
			return PTR_ERR(vq);
		}
		list_add_tail(&vq->list, &vdev->vqs);
		cd->live_vqs++;
		vqs[i] = vq;
	}
	return 0;
}

static void ct_del_vqs(struct vireo_device *vdev)
{
	struct ct_dev *cd = to_ct_dev(vdev);

	cd->del_vqs_calls++;
	ct_log(cd, "D");
	ct_free_vqs(vdev);
}

static const char *ct_bus_name(struct vireo_device *vdev)
{
	return "vireo-kunit";
}

static int ct_set_vq_affinity(struct vireo_device *vdev, unsigned int index,
			      const struct cpumask *mask)
{
	struct ct_dev *cd = to_ct_dev(vdev);

	ct_log(cd, "A%u", index);
	cd->affinity_index = index;
	cd->affinity_mask = mask;
	return cd->affinity_ret;
}

static const struct vireo_config_ops ct_config_ops = {
	.get = ct_get,
	.set = ct_set,
	.get_status = ct_get_status,
	.set_status = ct_set_status,
	.reset = ct_reset,
	.get_features = ct_get_features,
	.finalize_features = ct_finalize_features,
	.find_vqs = ct_find_vqs,
	.del_vqs = ct_del_vqs,
	.bus_name = ct_bus_name,
	.set_vq_affinity = ct_set_vq_affinity,
};

static void ct_dev_release(struct device *dev)
{
	kfree(to_ct_dev(dev_to_vireo(dev)));
}

static void ct_dev_del(void *vdev)
{
	vireo_unregister_device(vdev);
}

/* Registers a fake device; it is unregistered when the test ends. */
static struct ct_dev *ct_dev_add(struct kunit *test, u32 device, u32 vendor,
				 u64 offered)
{
	struct ct_dev *cd = kzalloc(sizeof(*cd), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, cd);
	cd->vdev.id.device = device;
	cd->vdev.id.vendor = vendor;
	cd->vdev.config = &ct_config_ops;
	cd->vdev.dev.release = ct_dev_release;
	cd->offered = offered;
	err = vireo_register_device(&cd->vdev);
	if (err)
		put_device(&cd->vdev.dev);	/* the driver core owns it now */
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ct_dev_del,
							&cd->vdev), 0);
	return cd;
}

/* Unregisters @cd now instead of at the end of the test. */
static void ct_dev_remove(struct kunit *test, struct ct_dev *cd)
{
	kunit_release_action(test, ct_dev_del, &cd->vdev);
}

/* The fake drivers. */

static int ct_probe_vqs(struct vireo_device *vdev, unsigned int nvqs)
{
	static const struct vireo_vq_info info[CT_MAX_VQS] = {
		{ .name = "ct0" }, { .name = "ct1" },
	};
	struct vireo_virtqueue *vqs[CT_MAX_VQS];

	if (nvqs > CT_MAX_VQS)
		return -EINVAL;
	return vireo_find_vqs(vdev, nvqs, vqs, info);
}

static int ct_probe(struct vireo_device *vdev)
{
	struct ct_drv *cdrv = to_ct_drv(vdev);
	struct ct_dev *cd = to_ct_dev(vdev);
	int err = 0;

	ct_log(cd, "P");
	WRITE_ONCE(cdrv->probing, true);
	cdrv->probes++;
	cdrv->probe_finalizes = cd->finalizes;
	cdrv->probe_features = vdev->features;
	if (cdrv->probe_vqs)
		err = ct_probe_vqs(vdev, cdrv->probe_vqs);
	if (!err && cdrv->probe_ready)
		vireo_device_ready(vdev);
	if (cdrv->probe_sleep_ms)
		msleep(cdrv->probe_sleep_ms);
	cdrv->probe_exit_status = cd->status;
	WRITE_ONCE(cdrv->probing, false);
	return err ?: cdrv->probe_err;
}

static void ct_remove(struct vireo_device *vdev)
{
	struct ct_drv *cdrv = to_ct_drv(vdev);

	ct_log(to_ct_dev(vdev), "X");
	WRITE_ONCE(cdrv->removes, cdrv->removes + 1);
	if (cdrv->remove_forgets)
		return;
	vireo_reset_device(vdev);
	if (cdrv->probe_vqs)
		vireo_del_vqs(vdev);
}

/* Notes a config_changed call that overlaps probe or remove. */
static void ct_check_outside(struct ct_drv *cdrv)
{
	if (READ_ONCE(cdrv->probing) || READ_ONCE(cdrv->removes))
		cdrv->changed_outside = true;
}

static void ct_config_changed(struct vireo_device *vdev)
{
	struct ct_drv *cdrv = to_ct_drv(vdev);

	/*
	 * With CONFIG_DEBUG_ATOMIC_SLEEP this splats in atomic context; the
	 * test kernel also has PREEMPT_COUNT, so preemptible() is exact.
	 */
	might_sleep();
	if (in_interrupt() || !preemptible())
		cdrv->changed_atomic = true;
	ct_check_outside(cdrv);
	cdrv->changed_status = to_ct_dev(vdev)->status;
	atomic_inc(&cdrv->changes);
	complete(&cdrv->changed);
	/* Bounded, so a broken core cannot hang the whole run. */
	if (READ_ONCE(cdrv->block_changes))
		wait_for_completion_timeout(&cdrv->unblock, CT_TIMEOUT);
	ct_check_outside(cdrv);
}

static void ct_drv_del(void *drv)
{
	vireo_unregister_driver(drv);
}

/* A fake driver for {@device, @vendor}, not yet registered. */
static struct ct_drv *ct_drv_alloc(struct kunit *test, const char *name,
				   u32 device, u32 vendor)
{
	struct ct_drv *cdrv = kunit_kzalloc(test, sizeof(*cdrv), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cdrv);
	cdrv->ids[0].device = device;
	cdrv->ids[0].vendor = vendor;
	cdrv->drv.driver.name = name;
	cdrv->drv.id_table = cdrv->ids;
	cdrv->drv.probe = ct_probe;
	cdrv->drv.remove = ct_remove;
	cdrv->drv.config_changed = ct_config_changed;
	atomic_set(&cdrv->changes, 0);
	init_completion(&cdrv->changed);
	init_completion(&cdrv->unblock);
	return cdrv;
}

/* Registers @cdrv; it is unregistered when the test ends. */
static void ct_drv_register(struct kunit *test, struct ct_drv *cdrv)
{
	KUNIT_ASSERT_EQ(test, vireo_register_driver(&cdrv->drv), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ct_drv_del,
							&cdrv->drv), 0);
}

static struct ct_drv *ct_drv_add(struct kunit *test, const char *name,
				 u32 device, u32 vendor)
{
	struct ct_drv *cdrv = ct_drv_alloc(test, name, device, vendor);

	ct_drv_register(test, cdrv);
	return cdrv;
}

/* Unregisters @cdrv now instead of at the end of the test. */
static void ct_drv_remove(struct kunit *test, struct ct_drv *cdrv)
{
	kunit_release_action(test, ct_drv_del, &cdrv->drv);
}

static void ct_unregister_work(struct work_struct *work)
{
	struct ct_drv *cdrv = container_of(work, struct ct_drv,
					   unregister_work);

	vireo_unregister_driver(&cdrv->drv);
}

/* Starts unregistering @cdrv in another thread and returns at once. */
static void ct_drv_remove_async(struct kunit *test, struct ct_drv *cdrv)
{
	kunit_remove_action(test, ct_drv_del, &cdrv->drv);
	INIT_WORK(&cdrv->unregister_work, ct_unregister_work);
	queue_work(system_unbound_wq, &cdrv->unregister_work);
}

static bool ct_bound(struct ct_dev *cd, struct ct_drv *cdrv)
{
	return cd->vdev.dev.driver == &cdrv->drv.driver;
}

/* Raises a config change with interrupts off, as a transport's IRQ does. */
static void ct_change_irqs_off(struct ct_dev *cd)
{
	unsigned long flags;

	local_irq_save(flags);
	vireo_config_changed(&cd->vdev);
	local_irq_restore(flags);
}

/* Waits for every delivery already queued to finish; returns the total. */
static int ct_changes_settled(struct ct_dev *cd, struct ct_drv *cdrv)
{
	flush_work(&cd->vdev.config_work);
	return atomic_read(&cdrv->changes);
}

/* The cases. */

static void ct_match(struct kunit *test)
{
	struct ct_drv *dx, *dy, *dz, *dany;
	struct ct_dev *d[6];

	dx = ct_drv_add(test, "vireo_kunit_x", CT_ID_X, VIREO_DEV_ANY_ID);
	dy = ct_drv_alloc(test, "vireo_kunit_y", CT_ID_Y, VIREO_DEV_ANY_ID);
	dy->ids[1] = (struct vireo_device_id){ CT_ID_W, CT_VENDOR_A };
	ct_drv_register(test, dy);
	dz = ct_drv_add(test, "vireo_kunit_z", CT_ID_Z, CT_VENDOR_A);

	d[0] = ct_dev_add(test, CT_ID_X, CT_VENDOR_B, 0);
	d[1] = ct_dev_add(test, CT_ID_Z, CT_VENDOR_A, 0);
	d[2] = ct_dev_add(test, CT_ID_Z, CT_VENDOR_B, 0);
	d[3] = ct_dev_add(test, CT_ID_W, CT_VENDOR_A, 0);
	d[4] = ct_dev_add(test, CT_ID_V, CT_VENDOR_A, 0);
	d[5] = ct_dev_add(test, CT_ID_W, CT_VENDOR_B, 0);

	KUNIT_EXPECT_TRUE(test, ct_bound(d[0], dx));
	KUNIT_EXPECT_TRUE(test, ct_bound(d[1], dz));
	KUNIT_EXPECT_NULL(test, d[2]->vdev.dev.driver);
	/* The second table entry matches, for its vendor only. */
	KUNIT_EXPECT_TRUE(test, ct_bound(d[3], dy));
	KUNIT_EXPECT_NULL(test, d[4]->vdev.dev.driver);
	KUNIT_EXPECT_NULL(test, d[5]->vdev.dev.driver);
	KUNIT_EXPECT_EQ(test, dx->probes, 1U);
	KUNIT_EXPECT_EQ(test, dy->probes, 1U);
	KUNIT_EXPECT_EQ(test, dz->probes, 1U);

	/* Any device type, but only of the vendor no other suite uses. */
	dany = ct_drv_add(test, "vireo_kunit_any", VIREO_DEV_ANY_ID,
			  CT_VENDOR_B);
	KUNIT_EXPECT_EQ(test, dany->probes, 2U);
	KUNIT_EXPECT_TRUE(test, ct_bound(d[2], dany));
	KUNIT_EXPECT_TRUE(test, ct_bound(d[5], dany));
	KUNIT_EXPECT_NULL(test, d[4]->vdev.dev.driver);
	KUNIT_EXPECT_TRUE(test, ct_bound(d[0], dx));
	ct_drv_remove(test, dany);
	KUNIT_EXPECT_EQ(test, dany->removes, 2U);
	KUNIT_EXPECT_NULL(test, d[2]->vdev.dev.driver);
	KUNIT_EXPECT_NULL(test, d[5]->vdev.dev.driver);
}

static void ct_handshake(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cdrv = ct_drv_add(test, "vireo_kunit_hs", CT_ID_X, CT_VENDOR_A);
	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	/* Registration acks; probe resets and starts over. */
	KUNIT_EXPECT_STREQ(test, cd->log, "R S1 R S1 S3 F P S7");
	KUNIT_EXPECT_EQ(test, cd->status, CT_STATUS_OK);
	KUNIT_EXPECT_EQ(test, cd->resets, 2U);
	KUNIT_EXPECT_EQ(test, cdrv->probe_finalizes, 1U);
	/* DRIVER_OK only after probe returned. */
	KUNIT_EXPECT_EQ(test, cdrv->probe_exit_status,
			VIREO_STATUS_ACKNOWLEDGE | VIREO_STATUS_DRIVER);
}

static void ct_handshake_ready_in_probe(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	ct_log_clear(cd);
	cdrv = ct_drv_alloc(test, "vireo_kunit_hs", CT_ID_X, CT_VENDOR_A);
	cdrv->probe_ready = true;
	ct_drv_register(test, cdrv);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	/* The driver set DRIVER_OK in probe; the core does not again. */
	KUNIT_EXPECT_EQ(test, cdrv->probe_exit_status, CT_STATUS_OK);
	KUNIT_EXPECT_STREQ(test, cd->log, "R S1 S3 F P S7");
	KUNIT_EXPECT_EQ(test, cd->status, CT_STATUS_OK);
}

static void ct_features(struct kunit *test)
{
	static const unsigned int table[] = { 1, 5, 7 };
	const u64 want = BIT_ULL(1) | BIT_ULL(5) | BIT_ULL(28) | BIT_ULL(29) |
			 BIT_ULL(33) | BIT_ULL(40);
	struct vireo_device *vdev;
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, want | BIT_ULL(0));
	vdev = &cd->vdev;
	cdrv = ct_drv_alloc(test, "vireo_kunit_feat", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.feature_table = table;
	cdrv->drv.feature_table_size = ARRAY_SIZE(table);
	ct_drv_register(test, cdrv);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));

	KUNIT_EXPECT_EQ(test, cd->finalizes, 1U);
	KUNIT_EXPECT_EQ(test, cd->finalized, want);
	KUNIT_EXPECT_EQ(test, cdrv->probe_features, want);
	KUNIT_EXPECT_EQ(test, vdev->features, want);
	KUNIT_EXPECT_TRUE(test, vireo_has_feature(vdev, 1));
	KUNIT_EXPECT_TRUE(test, vireo_has_feature(vdev, 5));
	KUNIT_EXPECT_FALSE(test, vireo_has_feature(vdev, 7));
	KUNIT_EXPECT_TRUE(test, vireo_has_feature(vdev, 28));
	KUNIT_EXPECT_FALSE(test, vireo_has_feature(vdev, 41));
	/* Offered but never listed: a driver bug, reported as false. */
	KUNIT_EXPECT_FALSE(test, vireo_has_feature(vdev, 0));
	KUNIT_EXPECT_FALSE(test, vireo_has_feature(vdev, 64));
	KUNIT_EXPECT_FALSE(test, vireo_has_feature(vdev, UINT_MAX));
}

static void ct_features_transport_range(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	/* No table at all: of an offer of everything, bits 28..41 remain. */
	cd = ct_dev_add(test, CT_ID_Y, CT_VENDOR_A, U64_MAX);
	cdrv = ct_drv_add(test, "vireo_kunit_tr", CT_ID_Y, CT_VENDOR_A);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	KUNIT_EXPECT_EQ(test, cd->finalized, GENMASK_ULL(41, 28));
	KUNIT_EXPECT_EQ(test, cd->vdev.features, GENMASK_ULL(41, 28));
}

static void ct_features_table_limit(struct kunit *test)
{
	static const unsigned int top[] = { 63 };
	static const unsigned int bad[] = { 1, 64 };
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, BIT_ULL(63) | BIT_ULL(1));
	cdrv = ct_drv_alloc(test, "vireo_kunit_top", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.feature_table = top;
	cdrv->drv.feature_table_size = ARRAY_SIZE(top);
	ct_drv_register(test, cdrv);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	KUNIT_EXPECT_TRUE(test, vireo_has_feature(&cd->vdev, 63));

	/* An entry >= 64 fails the probe before the transport sees it. */
	cd = ct_dev_add(test, CT_ID_Y, CT_VENDOR_A, BIT_ULL(1));
	ct_log_clear(cd);
	cdrv = ct_drv_alloc(test, "vireo_kunit_bad", CT_ID_Y, CT_VENDOR_A);
	cdrv->drv.feature_table = bad;
	cdrv->drv.feature_table_size = ARRAY_SIZE(bad);
	ct_drv_register(test, cdrv);
	KUNIT_EXPECT_NULL(test, cd->vdev.dev.driver);
	KUNIT_EXPECT_EQ(test, cdrv->probes, 0U);
	KUNIT_EXPECT_EQ(test, cd->finalizes, 0U);
	KUNIT_EXPECT_TRUE(test, cd->status & VIREO_STATUS_FAILED);
	KUNIT_EXPECT_FALSE(test, cd->status & VIREO_STATUS_DRIVER_OK);
}

static void ct_probe_failure(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	ct_log_clear(cd);
	cdrv = ct_drv_alloc(test, "vireo_kunit_fail", CT_ID_X, CT_VENDOR_A);
	cdrv->probe_vqs = 2;
	cdrv->probe_err = -EIO;
	ct_drv_register(test, cdrv);

	KUNIT_EXPECT_EQ(test, cdrv->probes, 1U);
	KUNIT_EXPECT_NULL(test, cd->vdev.dev.driver);
	/* Reset before the rings go, then FAILED. */
	KUNIT_EXPECT_STREQ(test, cd->log, "R S1 S3 F P Q2 R D S80");
	KUNIT_EXPECT_EQ(test, cd->status, VIREO_STATUS_FAILED);
	/* An unbound device keeps no features from the failed driver. */
	KUNIT_EXPECT_EQ(test, cd->vdev.features, 0ULL);
	KUNIT_EXPECT_EQ(test, cd->del_vqs_calls, 1U);
	KUNIT_EXPECT_EQ(test, cd->live_vqs, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&cd->vdev.vqs));
	KUNIT_EXPECT_EQ(test, cdrv->removes, 0U);

	/* The next driver starts from a reset device, FAILED cleared. */
	ct_drv_remove(test, cdrv);
	ct_log_clear(cd);
	cdrv = ct_drv_add(test, "vireo_kunit_ok", CT_ID_X, CT_VENDOR_A);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	KUNIT_EXPECT_STREQ(test, cd->log, "R S1 S3 F P S7");
	KUNIT_EXPECT_EQ(test, cd->status, CT_STATUS_OK);
}

static void ct_probe_failure_no_vqs(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	ct_log_clear(cd);
	cdrv = ct_drv_alloc(test, "vireo_kunit_fail", CT_ID_X, CT_VENDOR_A);
	cdrv->probe_err = -ENODEV;
	ct_drv_register(test, cdrv);

	KUNIT_EXPECT_NULL(test, cd->vdev.dev.driver);
	KUNIT_EXPECT_STREQ(test, cd->log, "R S1 S3 F P R S80");
	KUNIT_EXPECT_EQ(test, cd->del_vqs_calls, 0U);
}

/* A bound device with one queue and a clean log. */
static struct ct_dev *ct_bind_with_vq(struct kunit *test, struct ct_drv *cdrv)
{
	struct ct_dev *cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A,
				       BIT_ULL(28));

	cdrv->probe_vqs = 1;
	ct_drv_register(test, cdrv);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	KUNIT_ASSERT_EQ(test, cd->live_vqs, 1U);
	KUNIT_ASSERT_EQ(test, cd->vdev.features, BIT_ULL(28));
	ct_log_clear(cd);
	cd->resets = 0;
	return cd;
}

static void ct_remove_clean(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cdrv = ct_drv_alloc(test, "vireo_kunit_rm", CT_ID_X, CT_VENDOR_A);
	cd = ct_bind_with_vq(test, cdrv);
	ct_drv_remove(test, cdrv);

	KUNIT_EXPECT_EQ(test, cdrv->removes, 1U);
	KUNIT_EXPECT_NULL(test, cd->vdev.dev.driver);
	/* The core resets after remove even though the driver did. */
	KUNIT_EXPECT_STREQ(test, cd->log, "X R D R");
	KUNIT_EXPECT_EQ(test, cd->status, 0);
	KUNIT_EXPECT_EQ(test, cd->resets, 2U);
	KUNIT_EXPECT_EQ(test, cd->vdev.features, 0ULL);
	KUNIT_EXPECT_EQ(test, cd->del_vqs_calls, 1U);
	KUNIT_EXPECT_EQ(test, cd->live_vqs, 0U);
}

static void ct_remove_forgetful(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cdrv = ct_drv_alloc(test, "vireo_kunit_rm", CT_ID_X, CT_VENDOR_A);
	cdrv->remove_forgets = true;
	cd = ct_bind_with_vq(test, cdrv);
	ct_drv_remove(test, cdrv);

	KUNIT_EXPECT_EQ(test, cdrv->removes, 1U);
	/* The core stops the device before it frees the rings. */
	KUNIT_EXPECT_STREQ(test, cd->log, "X R D");
	KUNIT_EXPECT_EQ(test, cd->status, 0);
	KUNIT_EXPECT_EQ(test, cd->resets, 1U);
	KUNIT_EXPECT_EQ(test, cd->vdev.features, 0ULL);
	KUNIT_EXPECT_EQ(test, cd->del_vqs_calls, 1U);
	KUNIT_EXPECT_EQ(test, cd->live_vqs, 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&cd->vdev.vqs));
}

static void ct_remove_on_device_unregister(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cdrv = ct_drv_alloc(test, "vireo_kunit_rm", CT_ID_X, CT_VENDOR_A);
	cdrv->remove_forgets = true;
	cd = ct_bind_with_vq(test, cdrv);
	/* Keep the memory to look at after the registration is gone. */
	get_device(&cd->vdev.dev);
	ct_dev_remove(test, cd);

	KUNIT_EXPECT_EQ(test, cdrv->removes, 1U);
	KUNIT_EXPECT_STREQ(test, cd->log, "X R D");
	KUNIT_EXPECT_EQ(test, cd->status, 0);
	KUNIT_EXPECT_EQ(test, cd->live_vqs, 0U);
	KUNIT_EXPECT_EQ(test, cd->vdev.features, 0ULL);
	put_device(&cd->vdev.dev);
}

static void ct_config_before_probe(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	ct_change_irqs_off(cd);
	ct_change_irqs_off(cd);

	/* Time enough for a delivery during probe to show. */
	cdrv = ct_drv_alloc(test, "vireo_kunit_cfg", CT_ID_X, CT_VENDOR_A);
	cdrv->probe_sleep_ms = 50;
	ct_drv_register(test, cdrv);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&cdrv->changed,
							  CT_TIMEOUT), 0UL);
	KUNIT_EXPECT_EQ(test, ct_changes_settled(cd, cdrv), 1);
	KUNIT_EXPECT_FALSE(test, cdrv->changed_outside);
	KUNIT_EXPECT_FALSE(test, cdrv->changed_atomic);
	KUNIT_EXPECT_EQ(test, cdrv->changed_status, CT_STATUS_OK);
}

static void ct_config_after_probe(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;
	int i;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	cdrv = ct_drv_add(test, "vireo_kunit_cfg", CT_ID_X, CT_VENDOR_A);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	KUNIT_EXPECT_EQ(test, ct_changes_settled(cd, cdrv), 0);

	/* Each event, once the last was delivered, gets its own call. */
	for (i = 1; i <= 3; i++) {
		ct_change_irqs_off(cd);
		KUNIT_ASSERT_GT(test,
				wait_for_completion_timeout(&cdrv->changed,
							    CT_TIMEOUT), 0UL);
		KUNIT_EXPECT_EQ(test, ct_changes_settled(cd, cdrv), i);
	}
	KUNIT_EXPECT_FALSE(test, cdrv->changed_atomic);
	KUNIT_EXPECT_FALSE(test, cdrv->changed_outside);
}

static void ct_config_after_remove(struct kunit *test)
{
	struct ct_drv *cdrv, *next;
	struct ct_dev *cd;
	int seen;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	cdrv = ct_drv_add(test, "vireo_kunit_cfg", CT_ID_X, CT_VENDOR_A);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	/* Racing with remove: delivered before it starts, or not at all. */
	ct_change_irqs_off(cd);
	ct_drv_remove(test, cdrv);
	seen = atomic_read(&cdrv->changes);
	KUNIT_EXPECT_LE(test, seen, 1);
	KUNIT_EXPECT_FALSE(test, cdrv->changed_outside);

	ct_change_irqs_off(cd);
	KUNIT_EXPECT_EQ(test, ct_changes_settled(cd, cdrv), seen);
	KUNIT_EXPECT_FALSE(test, cdrv->changed_outside);

	/* The event is kept for the next driver. */
	next = ct_drv_add(test, "vireo_kunit_cfg2", CT_ID_X, CT_VENDOR_A);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, next));
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&next->changed,
							  CT_TIMEOUT), 0UL);
	KUNIT_EXPECT_EQ(test, ct_changes_settled(cd, next), 1);
	KUNIT_EXPECT_FALSE(test, next->changed_outside);
}

static void ct_config_remove_waits(struct kunit *test)
{
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	cdrv = ct_drv_add(test, "vireo_kunit_cfg", CT_ID_X, CT_VENDOR_A);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));
	WRITE_ONCE(cdrv->block_changes, true);
	ct_change_irqs_off(cd);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&cdrv->changed,
							  CT_TIMEOUT), 0UL);

	/* config_changed is running: remove must wait for it to return. */
	ct_drv_remove_async(test, cdrv);
	msleep(100);
	KUNIT_EXPECT_EQ(test, READ_ONCE(cdrv->removes), 0U);
	complete(&cdrv->unblock);
	flush_work(&cdrv->unregister_work);
	KUNIT_EXPECT_EQ(test, cdrv->removes, 1U);
	KUNIT_EXPECT_NULL(test, cd->vdev.dev.driver);
	KUNIT_EXPECT_FALSE(test, cdrv->changed_outside);
}

/* Finds the bus's sysfs attribute @name of @cd and returns its text. */
static const char *ct_show(struct kunit *test, struct ct_dev *cd,
			   const char *name)
{
	const struct attribute_group **groups = cd->vdev.dev.bus->dev_groups;
	struct device_attribute *attr;
	struct attribute **a;
	char *buf;

	/* sysfs_emit() wants a whole page, as sysfs would pass. */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, groups);
	for (; *groups; groups++) {
		for (a = (*groups)->attrs; *a; a++) {
			if (strcmp((*a)->name, name))
				continue;
			attr = container_of(*a, struct device_attribute, attr);
			KUNIT_ASSERT_GT(test, attr->show(&cd->vdev.dev, attr,
							 buf), 0L);
			return buf;
		}
	}
	KUNIT_FAIL_AND_ABORT(test, "no attribute %s", name);
	return NULL;
}

/* The device is named after its index. */
static void ct_expect_name(struct kunit *test, struct ct_dev *cd)
{
	char name[16];

	snprintf(name, sizeof(name), "vireo%d", cd->vdev.index);
	KUNIT_EXPECT_STREQ(test, dev_name(&cd->vdev.dev), name);
}

static void ct_index_and_name(struct kunit *test)
{
	struct ct_dev *a, *b, *c;
	int freed;

	a = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	b = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	KUNIT_EXPECT_GE(test, a->vdev.index, 0);
	KUNIT_EXPECT_NE(test, a->vdev.index, b->vdev.index);
	ct_expect_name(test, a);
	ct_expect_name(test, b);

	/* The IDA hands out the lowest free index: the one just freed. */
	if (b->vdev.index < a->vdev.index)
		swap(a, b);
	freed = a->vdev.index;
	ct_dev_remove(test, a);
	c = ct_dev_add(test, CT_ID_Y, CT_VENDOR_A, 0);
	KUNIT_EXPECT_EQ(test, c->vdev.index, freed);
	ct_expect_name(test, c);
}

static void ct_sysfs_and_uevent(struct kunit *test)
{
	static const unsigned int table[] = { 1, 5 };
	/* Bits 1, 5, 28, 29, 33 and 40, bit 0 first. */
	static const char features[] =
		"0100010000000000000000000000110001000000100000000000000000000000\n";
	struct kobj_uevent_env *env;
	struct ct_drv *cdrv;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A,
			BIT_ULL(1) | BIT_ULL(5) | BIT_ULL(28) | BIT_ULL(29) |
			BIT_ULL(33) | BIT_ULL(40));
	cdrv = ct_drv_alloc(test, "vireo_kunit_sysfs", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.feature_table = table;
	cdrv->drv.feature_table_size = ARRAY_SIZE(table);
	ct_drv_register(test, cdrv);
	KUNIT_ASSERT_TRUE(test, ct_bound(cd, cdrv));

	KUNIT_EXPECT_STREQ(test, ct_show(test, cd, "device"), "0x7f000001\n");
	KUNIT_EXPECT_STREQ(test, ct_show(test, cd, "vendor"), "0x7f00a001\n");
	KUNIT_EXPECT_STREQ(test, ct_show(test, cd, "status"), "0x00000007\n");
	KUNIT_EXPECT_STREQ(test, ct_show(test, cd, "features"), features);
	KUNIT_EXPECT_STREQ(test, ct_show(test, cd, "modalias"),
			   "vireo:d7F000001v7F00A001\n");

	env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env);
	KUNIT_ASSERT_EQ(test, cd->vdev.dev.bus->uevent(&cd->vdev.dev, env), 0);
	KUNIT_ASSERT_EQ(test, env->envp_idx, 1);
	KUNIT_EXPECT_STREQ(test, env->envp[0],
			   "MODALIAS=vireo:d7F000001v7F00A001");
}

static void ct_config_access(struct kunit *test)
{
	static const u8 bytes[CT_CONFIG_SIZE] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	};
	struct vireo_vq_info info = { .name = "ct0" };
	struct vireo_virtqueue *vq;
	struct vireo_device *vdev;
	struct ct_dev *cd;
	u32 v32 = 0, want32;
	u8 v8 = 0;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	vdev = &cd->vdev;
	KUNIT_ASSERT_EQ(test, vireo_config_write(vdev, 0, bytes,
						 sizeof(bytes)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(cd->config, bytes, sizeof(bytes)), 0);
	KUNIT_EXPECT_EQ(test, vireo_cread8(vdev, 7, &v8), 0);
	KUNIT_EXPECT_EQ(test, v8, 0x88);
	memcpy(&want32, bytes + 4, sizeof(want32));
	KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 4, &v32), 0);
	KUNIT_EXPECT_EQ(test, v32, want32);

	KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 5, &v32), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_config_read(vdev, 0, &v8, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_config_read(vdev, 0, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_config_write(vdev, 0, NULL, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_config_write(vdev, 0, bytes, 0), -EINVAL);

	/* Bad arguments never reach the transport. */
	ct_log_clear(cd);
	KUNIT_EXPECT_EQ(test, vireo_find_vqs(vdev, 0, &vq, &info), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_find_vqs(vdev, 1, NULL, &info), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_find_vqs(vdev, 1, &vq, NULL), -EINVAL);
	KUNIT_EXPECT_STREQ(test, cd->log, "");
}

/*
 * vireo_set_vq_affinity() passes a queue and mask through to the
 * transport and returns its answer; bad masks never reach it, and a
 * transport without the operation gets -EOPNOTSUPP.
 */
static void ct_set_vq_affinity_pass(struct kunit *test)
{
	struct vireo_config_ops *ops;
	struct vireo_device *vdev;
	struct ct_dev *cd;

	cd = ct_dev_add(test, CT_ID_X, CT_VENDOR_A, 0);
	vdev = &cd->vdev;
	ct_log_clear(cd);
	KUNIT_EXPECT_EQ(test, vireo_set_vq_affinity(vdev, 1, cpu_online_mask),
			0);
	KUNIT_EXPECT_EQ(test, cd->affinity_index, 1U);
	KUNIT_EXPECT_PTR_EQ(test, cd->affinity_mask, cpu_online_mask);
	cd->affinity_ret = -EOPNOTSUPP;
	KUNIT_EXPECT_EQ(test, vireo_set_vq_affinity(vdev, 0, cpu_online_mask),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, cd->affinity_index, 0U);
	KUNIT_EXPECT_STREQ(test, cd->log, "A1 A0");

	ct_log_clear(cd);
	KUNIT_EXPECT_EQ(test, vireo_set_vq_affinity(vdev, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_set_vq_affinity(vdev, 0, cpu_none_mask),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, cd->log, "");

	ops = kunit_kmalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = ct_config_ops;
	ops->set_vq_affinity = NULL;
	vdev->config = ops;
	KUNIT_EXPECT_EQ(test, vireo_set_vq_affinity(vdev, 0, cpu_online_mask),
			-EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, cd->log, "");
	vdev->config = &ct_config_ops;
}

/* Registering must fail; if it does not, undo it for the next cases. */
static void ct_expect_rejected(struct kunit *test, struct ct_drv *cdrv)
{
	int err = vireo_register_driver(&cdrv->drv);

	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	if (!err)
		vireo_unregister_driver(&cdrv->drv);
}

static void ct_register_driver_checks(struct kunit *test)
{
	struct ct_drv *cdrv;

	cdrv = ct_drv_alloc(test, "vireo_kunit_reg", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.probe = NULL;
	ct_expect_rejected(test, cdrv);

	cdrv = ct_drv_alloc(test, "vireo_kunit_reg", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.remove = NULL;
	ct_expect_rejected(test, cdrv);

	cdrv = ct_drv_alloc(test, "vireo_kunit_reg", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.id_table = NULL;
	ct_expect_rejected(test, cdrv);

	cdrv = ct_drv_alloc(test, "vireo_kunit_reg", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.driver.name = NULL;
	ct_expect_rejected(test, cdrv);

	/* config_changed and the feature table are optional. */
	cdrv = ct_drv_alloc(test, "vireo_kunit_reg", CT_ID_X, CT_VENDOR_A);
	cdrv->drv.config_changed = NULL;
	ct_drv_register(test, cdrv);
}

static struct kunit_case ct_cases[] = {
	KUNIT_CASE(ct_match),
	KUNIT_CASE(ct_handshake),
	KUNIT_CASE(ct_handshake_ready_in_probe),
	KUNIT_CASE(ct_features),
	KUNIT_CASE(ct_features_transport_range),
	KUNIT_CASE(ct_features_table_limit),
	KUNIT_CASE(ct_probe_failure),
	KUNIT_CASE(ct_probe_failure_no_vqs),
	KUNIT_CASE(ct_remove_clean),
	KUNIT_CASE(ct_remove_forgetful),
	KUNIT_CASE(ct_remove_on_device_unregister),
	KUNIT_CASE(ct_config_before_probe),
	KUNIT_CASE(ct_config_after_probe),
	KUNIT_CASE(ct_config_after_remove),
	KUNIT_CASE(ct_config_remove_waits),
	KUNIT_CASE(ct_index_and_name),
	KUNIT_CASE(ct_sysfs_and_uevent),
	KUNIT_CASE(ct_config_access),
	KUNIT_CASE(ct_set_vq_affinity_pass),
	KUNIT_CASE(ct_register_driver_checks),
	{}
};

static struct kunit_suite ct_suite = {
	.name = "vireo_core",
	.test_cases = ct_cases,
};

kunit_test_suite(ct_suite);

MODULE_DESCRIPTION("KUnit tests for the vireo bus core");
MODULE_LICENSE("GPL");
