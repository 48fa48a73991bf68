// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_balloon: probe, removal, the target and the work item, debugfs.
 *
 * The host's target arrives in config (num_pages, le32 even on a legacy
 * device). A config change queues the work item, which moves the balloon
 * towards the target in requests of VIREO_BALLOON_BATCH pages, at most
 * vireo_balloon_batches per run before it requeues itself, so inflation
 * never monopolises a CPU. Inflation leaves reserve_mb available to the
 * guest, and backs off when that is reached or pages cannot be
 * allocated. A target beyond the guest's memory is clamped (and said
 * once).
 */
#include <linux/debugfs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "vireo_balloon.h"

unsigned int vireo_balloon_ack_timeout_ms = 5000;
module_param_named(ack_timeout_ms, vireo_balloon_ack_timeout_ms, uint, 0644);
MODULE_PARM_DESC(ack_timeout_ms,
		 "How long to wait for the device to return a request before giving up on it (ms, default 5000)");

unsigned int vireo_balloon_oom_pages = 256;
module_param_named(oom_pages, vireo_balloon_oom_pages, uint, 0644);
MODULE_PARM_DESC(oom_pages,
		 "4 KiB pages given back per OOM notification with DEFLATE_ON_OOM (default 256)");

static unsigned int vireo_balloon_batches = 16;
module_param_named(batches, vireo_balloon_batches, uint, 0644);
MODULE_PARM_DESC(batches,
		 "Requests of 256 pages per run of the work item before it yields (default 16)");

static unsigned int vireo_balloon_reserve_mb = 16;
module_param_named(reserve_mb, vireo_balloon_reserve_mb, uint, 0644);
MODULE_PARM_DESC(reserve_mb,
		 "Memory inflation leaves available to the guest (MiB of si_mem_available(), default 16)");

/* How long to back off when no page could be allocated for inflation. */
#define VIREO_BALLOON_BACKOFF	(HZ / 5)

/* Filled in at load time: PAGE_POISON and REPORTING depend on the kernel. */
static unsigned int vireo_balloon_features[6];

static struct dentry *vireo_balloon_debugfs_root;

/**
 * vireo_balloon_timeout - the bound on a wait for the device
 *
 * Context: any.
 * Return: ack_timeout_ms in jiffies, at least one.
 */
long vireo_balloon_timeout(void)
{
	return max_t(long, 1,
		     msecs_to_jiffies(READ_ONCE(vireo_balloon_ack_timeout_ms)));
}

/**
 * vireo_balloon_set_dead - stop using a device that failed
 * @vb: the balloon
 * @why: what failed, for the one message
 *
 * Context: any.
 */
void vireo_balloon_set_dead(struct vireo_balloon *vb, const char *why)
{
	if (test_and_set_bit(VIREO_BALLOON_DEAD, &vb->state))
		return;
	dev_err(&vb->vdev->dev,
		"balloon: %s; the balloon stops here (%u pages held)\n",
		why, READ_ONCE(vb->num_pages));
	/* Other waits for the device end now. */
	wake_up_all(&vb->ack_wq);
}

/**
 * vireo_balloon_write_actual - tell the host how full the balloon is
 * @vb: the balloon
 *
 * Context: process context; the balloon lock is held.
 */
void vireo_balloon_write_actual(struct vireo_balloon *vb)
{
	__le32 actual = cpu_to_le32(vb->num_pages);

	/* Also after a reset: the host's view should match the guest's. */
	vireo_config_write(vb->vdev,
			   offsetof(struct vireo_balloon_config, actual),
			   &actual, sizeof(actual));
}

/* What the guest could give at most, in 4 KiB pages. */
static u64 vireo_balloon_capacity(struct vireo_balloon *vb)
{
	u64 pages = totalram_pages();

	/* Without DEFLATE_ON_OOM the ballooned pages left totalram. */
	if (!vireo_balloon_has(vb, VIREO_BALLOON_F_DEFLATE_ON_OOM))
		pages += READ_ONCE(vb->num_pages) / VIREO_BALLOON_PPP;
	return pages * VIREO_BALLOON_PPP;
}

/* The host's target, validated: 0 if unreadable, clamped if too large. */
static u32 vireo_balloon_read_target(struct vireo_balloon *vb)
{
	u64 cap = vireo_balloon_capacity(vb);
	__le32 raw;
	u32 target;

	if (vireo_config_read(vb->vdev,
			      offsetof(struct vireo_balloon_config, num_pages),
			      &raw, sizeof(raw)))
		return READ_ONCE(vb->num_pages);
	target = le32_to_cpu(raw);
	if (target > cap) {
		atomic64_inc(&vb->cnt.clamped);
		if (!test_and_set_bit(VIREO_BALLOON_CLAMP_SAID, &vb->state))
			dev_warn(&vb->vdev->dev,
				 "balloon: host asks for %u pages, the guest has %llu; clamping\n",
				 target, cap);
		target = cap;
	}
	/* Whole guest pages only. */
	target = round_down(target, VIREO_BALLOON_PPP);
	WRITE_ONCE(vb->target, target);
	return target;
}

static void vireo_balloon_requeue(struct vireo_balloon *vb, unsigned long delay)
{
	if (!vireo_balloon_is(vb, VIREO_BALLOON_DYING))
		mod_delayed_work(system_freezable_wq, &vb->update_work, delay);
}

/*
 * Guest pages inflation may still take. Allocating until the allocator
 * fails would leave the guest nothing: its next allocation would OOM,
 * and every page the OOM killer frees would go into the balloon.
 */
static unsigned long vireo_balloon_headroom(void)
{
	unsigned long reserve = (unsigned long)READ_ONCE(vireo_balloon_reserve_mb)
				<< (20 - PAGE_SHIFT);
	long avail = si_mem_available();

	return avail > 0 && avail > reserve ? avail - reserve : 0;
}

/* One step towards @target; false when there is nothing (more) to do. */
static bool vireo_balloon_step(struct vireo_balloon *vb, u32 target,
			       unsigned long *backoff)
{
	u32 cur = READ_ONCE(vb->num_pages);
	unsigned int want;

	if (target > cur) {
		want = DIV_ROUND_UP(target - cur, VIREO_BALLOON_PPP);
		want = min_t(unsigned long, want, vireo_balloon_headroom());
		if (!want)
			atomic64_inc(&vb->cnt.throttled);
		else if (vireo_balloon_fill(vb, want))
			return true;
		*backoff = VIREO_BALLOON_BACKOFF;
	} else if (target < cur) {
		want = (cur - target) / VIREO_BALLOON_PPP;
		if (vireo_balloon_leak(vb, want))
			return true;
		/* Only pages being migrated are left: retry shortly. */
		if (!vireo_balloon_is(vb, VIREO_BALLOON_DEAD))
			*backoff = 1;
	}
	return false;
}

static void vireo_balloon_update(struct work_struct *work)
{
	struct vireo_balloon *vb = container_of(to_delayed_work(work),
						struct vireo_balloon,
						update_work);
	unsigned int i, batches = max(1U, READ_ONCE(vireo_balloon_batches));
	unsigned long backoff = 0;
	u32 target;

	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD) ||
	    vireo_balloon_is(vb, VIREO_BALLOON_ABORT))
		return;
	target = vireo_balloon_read_target(vb);
	for (i = 0; i < batches; i++) {
		if (!vireo_balloon_step(vb, target, &backoff)) {
			if (backoff)
				vireo_balloon_requeue(vb, backoff);
			return;
		}
		cond_resched();
	}
	/* More to do: yield, then continue with a fresh target. */
	vireo_balloon_requeue(vb, 0);
}

static void vireo_balloon_config_changed(struct vireo_device *vdev)
{
	vireo_balloon_requeue(vdev->priv, 0);
}

/* ---- debugfs ------------------------------------------------------------ */

static int vireo_balloon_counters_show(struct seq_file *m, void *v)
{
	struct vireo_balloon *vb = m->private;
	struct vireo_balloon_counters *c = &vb->cnt;

	seq_printf(m, "num_pages %u\ntarget %u\nfeatures 0x%llx\n",
		   READ_ONCE(vb->num_pages), READ_ONCE(vb->target),
		   vb->features);
	seq_printf(m, "dead %d\nlimbo_pages %lu\n",
		   vireo_balloon_is(vb, VIREO_BALLOON_DEAD),
		   READ_ONCE(vb->limbo_pages));
	seq_printf(m, "inflated %lld\ndeflated %lld\nreleased %lld\n",
		   atomic64_read(&c->inflated), atomic64_read(&c->deflated),
		   atomic64_read(&c->released));
	seq_printf(m, "oom_deflated %lld\nmigrated %lld\nalloc_failed %lld\n",
		   atomic64_read(&c->oom_deflated),
		   atomic64_read(&c->migrated),
		   atomic64_read(&c->alloc_failed));
	seq_printf(m, "throttled %lld\n", atomic64_read(&c->throttled));
	seq_printf(m, "clamped %lld\nbad_len %lld\nbad_token %lld\ntimeouts %lld\n",
		   atomic64_read(&c->clamped), atomic64_read(&c->bad_len),
		   atomic64_read(&c->bad_token), atomic64_read(&c->timeouts));
	seq_printf(m, "stats_sent %lld\nreported %lld\nreport_failed %lld\n",
		   atomic64_read(&c->stats_sent), atomic64_read(&c->reported),
		   atomic64_read(&c->report_failed));
	seq_printf(m, "queues %u stats %d hint %d report %d\n",
		   vb->layout.nvqs, (int)vb->layout.stats,
		   (int)vb->layout.hint, (int)vb->layout.report);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vireo_balloon_counters);

static void vireo_balloon_debugfs_init(struct vireo_balloon *vb)
{
	vb->debugfs = debugfs_create_dir(dev_name(&vb->vdev->dev),
					 vireo_balloon_debugfs_root);
	debugfs_create_file("counters", 0444, vb->debugfs, vb,
			    &vireo_balloon_counters_fops);
}

/* ---- probe and removal ------------------------------------------------- */

static const char *vireo_balloon_vq_name(const struct vireo_balloon_layout *l,
					 unsigned int i)
{
	if (i == 0)
		return "inflate";
	if (i == 1)
		return "deflate";
	if (i == l->stats)
		return "stats";
	if (i == l->report)
		return "reporting";
	/* Created only so that the queues after it get the right number. */
	return i == l->hint ? "free_page_hint (unused)" : "unused";
}

static int vireo_balloon_init_vqs(struct vireo_balloon *vb)
{
	struct vireo_vq_info info[VIREO_BALLOON_MAX_QUEUES] = {};
	struct vireo_virtqueue *vqs[VIREO_BALLOON_MAX_QUEUES];
	struct vireo_balloon_layout *l = &vb->layout;
	unsigned int i;
	int err;

	vireo_balloon_layout(vireo_offered_features(vb->vdev), vb->features, l);
	for (i = 0; i < l->nvqs; i++) {
		info[i].name = vireo_balloon_vq_name(l, i);
		info[i].max_sg = 1;
		info[i].max_bufs = 1;
		info[i].exact_len = true;
		if (i < 2 || i == l->report)
			info[i].callback = vireo_balloon_ack_cb;
		else if (i == l->stats)
			info[i].callback = vireo_balloon_stats_cb;
	}
	/*
	 * A report is up to PAGE_REPORTING_CAPACITY pages; with the table
	 * preallocated, posting one never allocates.
	 */
	if (l->report != VIREO_BALLOON_NO_QUEUE)
		info[l->report].max_sg = PAGE_REPORTING_CAPACITY;

	err = vireo_find_vqs(vb->vdev, l->nvqs, vqs, info);
	if (err)
		return err;
	vb->inflate_vq = vqs[0];
	vb->deflate_vq = vqs[1];
	if (l->stats != VIREO_BALLOON_NO_QUEUE)
		vb->stats_vq = vqs[l->stats];
	if (l->report != VIREO_BALLOON_NO_QUEUE)
		vb->report_vq = vqs[l->report];
	return 0;
}

/* The value freed pages hold: what the device must keep in them. */
static void vireo_balloon_write_poison(struct vireo_balloon *vb)
{
	/* page_poison takes precedence over init_on_free in the kernel. */
	u32 val = page_poisoning_enabled_static() ?
		  PAGE_POISON * 0x01010101U : 0;
	__le32 le = cpu_to_le32(val);

	if (vireo_config_write(vb->vdev,
			       offsetof(struct vireo_balloon_config, poison_val),
			       &le, sizeof(le)))
		dev_warn(&vb->vdev->dev,
			 "balloon: PAGE_POISON without room for poison_val\n");
}

static int vireo_balloon_check_config(struct vireo_balloon *vb)
{
	__le32 v;
	int err;

	/* num_pages and actual must exist; later fields are optional. */
	err = vireo_config_read(vb->vdev,
				offsetof(struct vireo_balloon_config, actual),
				&v, sizeof(v));
	if (err)
		dev_err(&vb->vdev->dev,
			"balloon: config space too small (%d)\n", err);
	return err;
}

static void vireo_balloon_init_state(struct vireo_balloon *vb,
				     struct vireo_device *vdev)
{
	vb->vdev = vdev;
	vb->features = vdev->features;
	mutex_init(&vb->lock);
	mutex_init(&vb->stats_lock);
	init_waitqueue_head(&vb->ack_wq);
	INIT_DELAYED_WORK(&vb->update_work, vireo_balloon_update);
	INIT_DELAYED_WORK(&vb->stats_work, vireo_balloon_stats_work);
	vireo_balloon_pages_init(vb);
}

static void vireo_balloon_shutdown_vq(struct vireo_virtqueue *vq)
{
	if (vq)
		while (vireo_vq_shutdown(vq))
			;
}

/*
 * Take back every buffer the (reset) device still had. The unused queues
 * never had any.
 */
static void vireo_balloon_reclaim(struct vireo_balloon *vb)
{
	vireo_balloon_shutdown_vq(vb->inflate_vq);
	vireo_balloon_shutdown_vq(vb->deflate_vq);
	vireo_balloon_shutdown_vq(vb->stats_vq);
	vireo_balloon_shutdown_vq(vb->report_vq);
}

static void vireo_balloon_reset(struct vireo_balloon *vb)
{
	if (test_and_set_bit(VIREO_BALLOON_RESET, &vb->state))
		return;
	vireo_reset_device(vb->vdev);
}

static void vireo_balloon_start_extras(struct vireo_balloon *vb)
{
	if (vireo_balloon_has(vb, VIREO_BALLOON_F_DEFLATE_ON_OOM))
		vireo_balloon_oom_register(vb);
	if (vb->report_vq)
		vireo_balloon_report_register(vb);
}

static int vireo_balloon_probe(struct vireo_device *vdev)
{
	struct vireo_balloon *vb;
	int err;

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vireo_balloon_init_state(vb, vdev);
	err = vireo_balloon_check_config(vb);
	if (err)
		goto err_free;

	vdev->priv = vb;
	err = vireo_balloon_init_vqs(vb);
	if (err)
		goto err_clear_priv;
	if (vireo_balloon_has(vb, VIREO_BALLOON_F_PAGE_POISON))
		vireo_balloon_write_poison(vb);
	if (vb->stats_vq) {
		err = vireo_balloon_stats_start(vb);
		if (err)
			goto err_del_vqs;
	}

	/* Kicks are allowed only from DRIVER_OK on. */
	vireo_device_ready(vdev);
	vireo_balloon_stats_kick(vb);
	vireo_balloon_start_extras(vb);
	vireo_balloon_debugfs_init(vb);
	/* The target may have been set before we came. */
	vireo_balloon_requeue(vb, 0);
	return 0;

err_del_vqs:
	vireo_reset_device(vdev);
	vireo_balloon_reclaim(vb);
	vireo_del_vqs(vdev);
err_clear_priv:
	vdev->priv = NULL;
err_free:
	kfree(vb->events);
	kfree(vb);
	return err;
}

/* Stop everything that could touch the balloon or queue more work. */
static void vireo_balloon_stop(struct vireo_balloon *vb)
{
	set_bit(VIREO_BALLOON_DYING, &vb->state);
	set_bit(VIREO_BALLOON_ABORT, &vb->state);
	wake_up_all(&vb->ack_wq);
	vireo_balloon_oom_unregister(vb);
	vireo_balloon_report_unregister(vb);
	cancel_delayed_work_sync(&vb->update_work);
	cancel_delayed_work_sync(&vb->stats_work);
	clear_bit(VIREO_BALLOON_ABORT, &vb->state);
}

/* Deflate telling the host, while it answers; bounded per request. */
static void vireo_balloon_drain(struct vireo_balloon *vb)
{
	while (READ_ONCE(vb->num_pages) &&
	       vireo_balloon_leak(vb, VIREO_BALLOON_BATCH))
		cond_resched();
}

/**
 * vireo_balloon_remove - unbind, giving every page back
 * @vdev: the device
 *
 * Stop the work, the OOM notifier and reporting (waits end at once);
 * deflate everything telling the host while it answers (a request the
 * device does not return within ack_timeout_ms ends that); reset the
 * device, after which it no longer looks at any page; then give back
 * whatever is left, unannounced, and free the queues.
 *
 * Context: process context.
 */
static void vireo_balloon_remove(struct vireo_device *vdev)
{
	struct vireo_balloon *vb = vdev->priv;
	unsigned long left;

	vireo_balloon_stop(vb);
	vireo_balloon_drain(vb);
	vireo_balloon_reset(vb);
	/* A stats interrupt that ran before the reset may have queued it. */
	cancel_delayed_work_sync(&vb->stats_work);
	vireo_balloon_reclaim(vb);
	left = vireo_balloon_release_all(vb);
	vireo_del_vqs(vdev);
	debugfs_remove_recursive(vb->debugfs);
	vdev->priv = NULL;
	if (left) {
		/* Compaction still holds pages whose list lives in @vb. */
		dev_err(&vdev->dev,
			"balloon: %lu pages still isolated; leaking the state\n",
			left);
		return;
	}
	kfree(vb->events);
	kfree(vb);
}

static const struct vireo_device_id vireo_balloon_id_table[] = {
	{ VIREO_ID_BALLOON, VIREO_DEV_ANY_ID },
	{ 0 },
};

static struct vireo_driver vireo_balloon_driver = {
	.driver.name	= "vireo_balloon",
	.id_table	= vireo_balloon_id_table,
	.feature_table	= vireo_balloon_features,
	.probe		= vireo_balloon_probe,
	.remove		= vireo_balloon_remove,
	.config_changed	= vireo_balloon_config_changed,
};

/*
 * PAGE_POISON promises the device that freed pages hold poison_val; that
 * is true only if the kernel poisons (page_poison=1) or zeroes
 * (init_on_free=1) them. Without it the feature is refused, and so is
 * free page reporting. Reporting also needs the kernel's interface.
 */
static unsigned int vireo_balloon_build_features(void)
{
	bool poison = page_poisoning_enabled_static() || want_init_on_free();
	unsigned int n = 0;

	vireo_balloon_features[n++] = VIREO_BALLOON_F_MUST_TELL_HOST;
	vireo_balloon_features[n++] = VIREO_BALLOON_F_STATS_VQ;
	vireo_balloon_features[n++] = VIREO_BALLOON_F_DEFLATE_ON_OOM;
	if (poison)
		vireo_balloon_features[n++] = VIREO_BALLOON_F_PAGE_POISON;
	if (poison && VIREO_BALLOON_HAVE_REPORTING)
		vireo_balloon_features[n++] = VIREO_BALLOON_F_REPORTING;
	if (!poison)
		pr_info("vireo_balloon: freed pages are neither poisoned nor zeroed (no page_poison=1 or init_on_free=1): PAGE_POISON and FREE_PAGE_REPORTING refused\n");
	else if (!VIREO_BALLOON_HAVE_REPORTING)
		pr_info("vireo_balloon: this kernel has no page reporting (CONFIG_PAGE_REPORTING): FREE_PAGE_REPORTING refused\n");
	return n;
}

static int __init vireo_balloon_init(void)
{
	int err;

	vireo_balloon_driver.feature_table_size = vireo_balloon_build_features();
	vireo_balloon_debugfs_root = debugfs_create_dir("vireo_balloon", NULL);
	err = vireo_register_driver(&vireo_balloon_driver);
	if (err)
		debugfs_remove_recursive(vireo_balloon_debugfs_root);
	return err;
}
module_init(vireo_balloon_init);

static void __exit vireo_balloon_exit(void)
{
	vireo_unregister_driver(&vireo_balloon_driver);
	debugfs_remove_recursive(vireo_balloon_debugfs_root);
}
module_exit(vireo_balloon_exit);

VIREO_IMPORT_NS();
/* The bus's modalias is "vireo:d%08Xv%08X"; this lets modprobe find us. */
MODULE_ALIAS("vireo:d00000005v*");
MODULE_DESCRIPTION("vireo memory balloon driver");
MODULE_LICENSE("GPL");
