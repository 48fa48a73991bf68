// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_balloon: the statistics queue.
 *
 * The driver keeps one buffer of statistics with the device. When the
 * host wants fresh values it returns the buffer (QEMU does so every
 * guest-stats-polling-interval seconds); the driver refills it and posts
 * it again. Only the standard tags 0 to 9 are sent: QEMU 7.2 keeps no
 * others. The buffer is only ever written by the driver, never read back.
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include "vireo_balloon.h"

static void vireo_balloon_stat(struct vireo_balloon *vb, u16 tag, u64 val)
{
	vb->stats[tag].tag = tag;
	vb->stats[tag].val = val;
}

/* Take the kernel's current figures. */
static void vireo_balloon_fill_stats(struct vireo_balloon *vb)
{
	unsigned long *ev = vb->events;
	struct sysinfo i;
	u64 htlb_alloc, htlb_fail;

	all_vm_events(ev);
	si_meminfo(&i);
	vireo_balloon_htlb_events(ev, &htlb_alloc, &htlb_fail);

	vireo_balloon_stat(vb, VIREO_BALLOON_S_SWAP_IN,
			   (u64)ev[PSWPIN] << PAGE_SHIFT);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_SWAP_OUT,
			   (u64)ev[PSWPOUT] << PAGE_SHIFT);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_MAJFLT, ev[PGMAJFAULT]);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_MINFLT, ev[PGFAULT]);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_MEMFREE,
			   (u64)i.freeram * i.mem_unit);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_MEMTOT,
			   (u64)i.totalram * i.mem_unit);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_AVAIL,
			   (u64)si_mem_available() << PAGE_SHIFT);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_CACHES,
			   (u64)global_node_page_state(NR_FILE_PAGES) <<
			   PAGE_SHIFT);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_HTLB_PGALLOC, htlb_alloc);
	vireo_balloon_stat(vb, VIREO_BALLOON_S_HTLB_PGFAIL, htlb_fail);
}

/* Refill and post the buffer; the caller holds stats_lock. */
static int vireo_balloon_post_stats(struct vireo_balloon *vb)
{
	struct scatterlist sg;
	int err;

	vireo_balloon_fill_stats(vb);
	sg_init_one(&sg, vb->stats, sizeof(vb->stats));
	err = vireo_vq_add_buf(vb->stats_vq, &sg, 1, 0, vb->stats, GFP_KERNEL);
	if (err)
		return err;
	vb->stats_posted = true;
	atomic64_inc(&vb->cnt.stats_sent);
	return 0;
}

/**
 * vireo_balloon_stats_start - post the first statistics buffer
 * @vb: the balloon; it has a stats queue
 *
 * The device holds it until it wants statistics. The kick comes later,
 * from vireo_balloon_stats_kick(), once the device is live.
 *
 * Context: process context, in probe before DRIVER_OK.
 * Return: 0, or a negative errno.
 */
int vireo_balloon_stats_start(struct vireo_balloon *vb)
{
	int err;

	vb->events = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*vb->events),
			     GFP_KERNEL);
	if (!vb->events)
		return -ENOMEM;
	mutex_lock(&vb->stats_lock);
	/* jiffies starts near the wrap: never compare with a zero stamp. */
	vb->stats_next = jiffies;
	err = vireo_balloon_post_stats(vb);
	mutex_unlock(&vb->stats_lock);
	return err;
}

/**
 * vireo_balloon_stats_kick - notify the device of the posted buffer
 * @vb: the balloon
 *
 * Context: process context, after DRIVER_OK.
 */
void vireo_balloon_stats_kick(struct vireo_balloon *vb)
{
	if (!vb->stats_vq)
		return;
	mutex_lock(&vb->stats_lock);
	if (!vireo_vq_kick(vb->stats_vq))
		dev_err(&vb->vdev->dev,
			"balloon: stats queue did not take the notify\n");
	mutex_unlock(&vb->stats_lock);
}

/**
 * vireo_balloon_stats_cb - stats queue callback: the host wants statistics
 * @vq: the stats queue
 *
 * Context: hard IRQ.
 */
void vireo_balloon_stats_cb(struct vireo_virtqueue *vq)
{
	struct vireo_balloon *vb = vq->vdev->priv;
	unsigned long next = READ_ONCE(vb->stats_next);
	unsigned long delay = 0;

	if (vireo_balloon_is(vb, VIREO_BALLOON_DYING))
		return;
	if (time_before(jiffies, next))
		delay = next - jiffies;
	queue_delayed_work(system_freezable_wq, &vb->stats_work, delay);
}

/**
 * vireo_balloon_stats_work - answer the host's request for statistics
 * @work: the balloon's stats_work
 *
 * An interrupt without a returned buffer does nothing. A returned
 * buffer is refilled and posted again whatever the used length said (an
 * out-only buffer has no used bytes; another value is counted).
 *
 * Context: process context (workqueue).
 */
void vireo_balloon_stats_work(struct work_struct *work)
{
	struct vireo_balloon *vb = container_of(to_delayed_work(work),
						struct vireo_balloon, stats_work);
	unsigned int len;
	void *token;

	mutex_lock(&vb->stats_lock);
	if (vireo_balloon_is(vb, VIREO_BALLOON_DYING) ||
	    vireo_balloon_is(vb, VIREO_BALLOON_RESET))
		goto out;
	token = vireo_vq_get_buf(vb->stats_vq, &len);
	if (!token)
		goto out;
	vb->stats_posted = false;
	if (token != vb->stats)
		atomic64_inc(&vb->cnt.bad_token);
	if (len) {
		atomic64_inc(&vb->cnt.bad_len);
		dev_err_ratelimited(&vb->vdev->dev,
				    "stats: used length %u for a read-only buffer\n",
				    len);
	}
	if (vireo_balloon_post_stats(vb) || !vireo_vq_kick(vb->stats_vq))
		dev_err_ratelimited(&vb->vdev->dev,
				    "stats: could not give the buffer back\n");
	WRITE_ONCE(vb->stats_next,
		   jiffies + msecs_to_jiffies(1000 / VIREO_BALLOON_STATS_HZ));
out:
	mutex_unlock(&vb->stats_lock);
}
