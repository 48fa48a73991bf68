// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_blk: what happens when the device fails, breaks a rule or stops
 * answering.
 */

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/hdreg.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <vireo/compat-blk.h>
#include <vireo/driver.h>
#include "vireo_blk.h"

/* ---- failing everything ------------------------------------------------ */

void vireo_blk_schedule_abort(struct vireo_blk *vblk)
{
	if (!vireo_blk_dead(vblk) &&
	    !test_bit(VIREO_BLK_REMOVING, &vblk->state))
		schedule_work(&vblk->abort_work);
}

/* Take back every request the device still holds; it must be reset. */
void vireo_blk_reclaim(struct vireo_blk *vblk, bool complete)
{
	struct vireo_blk_vq *bvq;
	struct vireo_blk_req *br;
	struct request *req;
	unsigned int i, n = 0;

	for (i = 0; i < vblk->nvqs; i++) {
		bvq = &vblk->vqs[i];
		spin_lock_irq(&bvq->lock);
		while ((req = vireo_vq_shutdown(bvq->vq))) {
			n++;
			if (!complete)
				continue;
			br = blk_mq_rq_to_pdu(req);
			br->status = VIREO_BLK_S_IOERR;
			blk_mq_complete_request(req);
		}
		spin_unlock_irq(&bvq->lock);
	}
	if (n && !complete)
		dev_warn(&vblk->vdev->dev, "%u requests left on the queues at removal\n",
			 n);
}

/**
 * vireo_blk_abort - reset the device and fail every outstanding request
 * @vblk: the device state
 *
 * For a device that broke a rule or disappeared: its requests will never
 * complete, and waiting for them would hang every writer (and removal,
 * which waits for in-flight requests). With submissions quiesced and the
 * device reset, no one else touches the rings; each request still on them
 * completes with an I/O error, and from then on VIREO_BLK_DEAD fails new
 * ones at once.
 *
 * It takes no lock of the driver's own: a cache mode change or capacity
 * update may hold @cfg_lock while it waits for the queue to drain, which
 * only this can make happen on a failed device.
 *
 * Context: process context; sleeps. Only the first call does anything.
 */
void vireo_blk_abort(struct vireo_blk *vblk)
{
	struct request_queue *q = vblk->disk->queue;

	if (test_and_set_bit(VIREO_BLK_DEAD, &vblk->state))
		return;
	dev_err(&vblk->vdev->dev, "%s: device failed; failing all I/O\n",
		vblk->disk->disk_name);
	blk_mq_quiesce_queue(q);
	vireo_reset_device(vblk->vdev);
	vireo_blk_reclaim(vblk, true);
	blk_mq_unquiesce_queue(q);
	/* Queues stopped on a full ring now fail their requests instead. */
	blk_mq_start_stopped_hw_queues(q, true);
}

void vireo_blk_abort_work(struct work_struct *work)
{
	vireo_blk_abort(container_of(work, struct vireo_blk, abort_work));
}

bool vireo_blk_any_broken(struct vireo_blk *vblk)
{
	unsigned int i;

	for (i = 0; i < vblk->nvqs; i++)
		if (vireo_vq_is_broken(vblk->vqs[i].vq))
			return true;
	return false;
}
