// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_balloon: free page reporting and deflate on OOM.
 *
 * Free page reporting: the kernel's page-reporting work hands the driver
 * lists of free pages, which it posts on the reporting queue (device-
 * writable, as QEMU expects) and waits for; the device discards them.
 * The pages go back to the free lists when the report returns, so the
 * driver must not return while the device could still discard them: if
 * the device does not answer within ack_timeout_ms (or removal is under
 * way) the driver resets the device, after which it touches nothing,
 * and fails the report. Only one page-reporting device may exist in the
 * system (the in-kernel virtio_balloon may have it): registration then
 * fails and vireo_balloon goes on without reporting.
 *
 * Deflate on OOM: before the OOM killer acts, the notifier gives back up
 * to oom_pages pages.
 */
#include <linux/oom.h>
#include <linux/scatterlist.h>
#include <linux/wait.h>
#include "vireo_balloon.h"

static int vireo_balloon_oom_notify(struct notifier_block *nb,
				    unsigned long dummy, void *parm)
{
	struct vireo_balloon *vb = container_of(nb, struct vireo_balloon,
						oom_nb);
	unsigned long want = READ_ONCE(vireo_balloon_oom_pages) /
			     VIREO_BALLOON_PPP;
	unsigned long *freed = parm;
	unsigned long done = 0;
	unsigned int n;

	while (done < want) {
		n = vireo_balloon_leak(vb, min_t(unsigned long, want - done,
						 VIREO_BALLOON_BATCH));
		if (!n)
			break;
		done += n;
	}
	*freed += done;
	atomic64_add(done * VIREO_BALLOON_PPP, &vb->cnt.oom_deflated);
	return NOTIFY_OK;
}

/**
 * vireo_balloon_oom_register - deflate on OOM (DEFLATE_ON_OOM)
 * @vb: the balloon
 *
 * Context: process context, in probe.
 * Return: 0, or a negative errno (the balloon then works without it).
 */
int vireo_balloon_oom_register(struct vireo_balloon *vb)
{
	int err;

	vb->oom_nb.notifier_call = vireo_balloon_oom_notify;
	vb->oom_nb.priority = 80;	/* before other OOM helpers' default */
	err = register_oom_notifier(&vb->oom_nb);
	if (err)
		dev_warn(&vb->vdev->dev,
			 "balloon: no OOM notifier (%d); no deflate on OOM\n",
			 err);
	else
		vb->oom_registered = true;
	return err;
}

/**
 * vireo_balloon_oom_unregister - undo vireo_balloon_oom_register()
 * @vb: the balloon
 *
 * Context: process context.
 */
void vireo_balloon_oom_unregister(struct vireo_balloon *vb)
{
	if (!vb->oom_registered)
		return;
	unregister_oom_notifier(&vb->oom_nb);
	vb->oom_registered = false;
}

/* The device kept a report: reset it so that the pages may be reused. */
static void vireo_balloon_report_abandon(struct vireo_balloon *vb, bool tmo)
{
	if (tmo)
		atomic64_inc(&vb->cnt.timeouts);
	vireo_balloon_set_dead(vb, tmo ? "device did not return reported pages in time" :
			       "reporting queue broken or removal under way");
	/*
	 * The locks keep the other queues' users out of their rings while
	 * the reset quiesces them; a request waited for under vb->lock ends
	 * within ack_timeout_ms, as the balloon is dead now.
	 */
	mutex_lock(&vb->lock);
	mutex_lock(&vb->stats_lock);
	if (!test_and_set_bit(VIREO_BALLOON_RESET, &vb->state))
		vireo_reset_device(vb->vdev);
	mutex_unlock(&vb->stats_lock);
	mutex_unlock(&vb->lock);
	while (vireo_vq_shutdown(vb->report_vq))
		;
}

static unsigned int vireo_balloon_sg_pages(struct scatterlist *sg,
					   unsigned int nents)
{
	struct scatterlist *s;
	unsigned int i, bytes = 0;

	for_each_sg(sg, s, nents, i)
		bytes += s->length;
	return bytes >> VIREO_BALLOON_PFN_SHIFT;
}

static int vireo_balloon_report(struct page_reporting_dev_info *prdev,
				struct scatterlist *sg, unsigned int nents)
{
	struct vireo_balloon *vb = container_of(prdev, struct vireo_balloon,
						prdev);
	int ret;

	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD) ||
	    vireo_balloon_is(vb, VIREO_BALLOON_ABORT))
		return -EIO;
	/* Device-writable, as QEMU reads them; never allocates (max_sg). */
	ret = vireo_vq_add_buf(vb->report_vq, sg, 0, nents, vb, GFP_NOWAIT);
	if (ret) {
		atomic64_inc(&vb->cnt.report_failed);
		return ret;
	}
	if (!vireo_vq_kick(vb->report_vq)) {
		atomic64_inc(&vb->cnt.report_failed);
		vireo_balloon_report_abandon(vb, false);
		return -EIO;
	}
	ret = vireo_balloon_wait(vb, vb->report_vq, U32_MAX);
	if (ret == 1) {
		atomic64_add(vireo_balloon_sg_pages(sg, nents),
			     &vb->cnt.reported);
		return 0;
	}
	atomic64_inc(&vb->cnt.report_failed);
	vireo_balloon_report_abandon(vb, ret == -ETIMEDOUT);
	return -EIO;
}

/**
 * vireo_balloon_report_register - report free pages (REPORTING)
 * @vb: the balloon; it has a reporting queue
 *
 * Context: process context, in probe.
 * Return: 0, or a negative errno (the balloon then works without it).
 */
int vireo_balloon_report_register(struct vireo_balloon *vb)
{
	int err;

	if (!vireo_balloon_has(vb, VIREO_BALLOON_F_PAGE_POISON)) {
		/* The kernel poisons pages the device would not keep. */
		dev_info(&vb->vdev->dev,
			 "balloon: device lacks PAGE_POISON; no free page reporting\n");
		return -EOPNOTSUPP;
	}
	vb->prdev.report = vireo_balloon_report;
	err = vireo_page_reporting_register(&vb->prdev);
	if (err)
		dev_warn(&vb->vdev->dev,
			 "balloon: free page reporting unavailable (%d)%s\n",
			 err, err == -EBUSY ?
			 ": another device reports already" : "");
	else
		vb->report_registered = true;
	return err;
}

/**
 * vireo_balloon_report_unregister - undo vireo_balloon_report_register()
 * @vb: the balloon
 *
 * A report in progress ends within ack_timeout_ms, or within
 * VIREO_BALLOON_GRACE_MS once removal has set ABORT (vireo_balloon_wait()).
 *
 * Context: process context.
 */
void vireo_balloon_report_unregister(struct vireo_balloon *vb)
{
	if (!vb->report_registered)
		return;
	vireo_page_reporting_unregister(&vb->prdev);
	vb->report_registered = false;
}
