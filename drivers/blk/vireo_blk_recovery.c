// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_blk: what happens when the device fails, breaks a rule or stops
 * answering.
 *
 * Two ways out, both run by one work item under @recover_mutex:
 *
 * - abort: a queue broke (the ring caught the device breaking a rule, or
 *   the transport found it gone). Its requests will never complete, so
 *   the device is reset, every request still on it fails with EIO, and
 *   from then on VIREO_BLK_DEAD fails new ones at once.
 * - reset: a request was not completed within the queue's io_timeout and
 *   nothing is broken: a stalled backend, a device that reset itself or
 *   lost bus mastering. As NVMe does, the device is reset, the queues are
 *   re-created and the outstanding requests retried; a request is tried
 *   VIREO_BLK_MAX_ATTEMPTS times at most, and after VIREO_BLK_MAX_RESETS
 *   resets in a row without a completion in between the device is
 *   aborted instead.
 *
 * The work may be queued only while VIREO_BLK_READY is set: from the
 * moment the disk exists until remove disarms it. Arming and queueing
 * happen under @arm_lock, so once vireo_blk_disarm() returns nothing can
 * queue the work again.
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

/* ---- arming -------------------------------------------------------------- */

/**
 * vireo_blk_schedule - ask the recovery work to abort or reset
 * @vblk: the device state
 * @why: VIREO_BLK_WANT_ABORT or VIREO_BLK_WANT_RESET
 *
 * Does nothing once the device is dead or before the disk exists or after
 * remove disarmed recovery.
 *
 * Context: any, including hard IRQ.
 */
void vireo_blk_schedule(struct vireo_blk *vblk, unsigned int why)
{
	unsigned long flags;

	spin_lock_irqsave(&vblk->arm_lock, flags);
	if (test_bit(VIREO_BLK_READY, &vblk->state) && !vireo_blk_dead(vblk)) {
		set_bit(why, &vblk->state);
		queue_work(system_long_wq, &vblk->recover_work);
	}
	spin_unlock_irqrestore(&vblk->arm_lock, flags);
}

/* The disk exists: failures may be acted on from now. */
void vireo_blk_arm(struct vireo_blk *vblk)
{
	spin_lock_irq(&vblk->arm_lock);
	set_bit(VIREO_BLK_READY, &vblk->state);
	spin_unlock_irq(&vblk->arm_lock);
}

/*
 * No recovery is queued or running once this returns, and none can be
 * queued again, whatever callbacks and timeouts still do.
 */
void vireo_blk_disarm(struct vireo_blk *vblk)
{
	spin_lock_irq(&vblk->arm_lock);
	clear_bit(VIREO_BLK_READY, &vblk->state);
	spin_unlock_irq(&vblk->arm_lock);
	cancel_work_sync(&vblk->recover_work);
}

/* ---- taking requests back -------------------------------------------------- */

/*
 * Fail a request taken back from a reset device, or send it again if it
 * may be retried.
 */
static void vireo_blk_settle(struct request *req, enum vireo_blk_fate fate)
{
	struct vireo_blk_req *br = blk_mq_rq_to_pdu(req);

	if (fate == VIREO_BLK_RETRY && br->attempts < VIREO_BLK_MAX_ATTEMPTS) {
		/* queue_rq builds the payload again. */
		vireo_blk_release(req);
		blk_mq_requeue_request(req, false);
		return;
	}
	br->status = VIREO_BLK_S_IOERR;
	blk_mq_complete_request(req);
}

/**
 * vireo_blk_reclaim - take back every request the device still holds
 * @vblk: the device state; the device must have been reset
 * @fate: what becomes of each request
 *
 * Context: process context; takes each queue's lock.
 * Return: the number of requests taken back.
 */
unsigned int vireo_blk_reclaim(struct vireo_blk *vblk,
			       enum vireo_blk_fate fate)
{
	struct vireo_blk_vq *bvq;
	struct request *req;
	unsigned int i, n = 0;

	for (i = 0; i < vblk->nvqs; i++) {
		bvq = &vblk->vqs[i];
		spin_lock_irq(&bvq->lock);
		while ((req = vireo_vq_shutdown(bvq->vq))) {
			n++;
			if (fate != VIREO_BLK_FORGET)
				vireo_blk_settle(req, fate);
		}
		spin_unlock_irq(&bvq->lock);
	}
	return n;
}

/* ---- abort ----------------------------------------------------------------- */

/*
 * Reset the device and fail every outstanding request, for good. The
 * caller holds @recover_mutex. It takes no other lock of the driver's: a
 * cache mode change may hold @cfg_lock while it waits for the queue to
 * drain, which only this can make happen on a failed device.
 */
static void vireo_blk_abort_locked(struct vireo_blk *vblk, const char *why)
{
	struct request_queue *q = vblk->disk->queue;

	if (test_and_set_bit(VIREO_BLK_DEAD, &vblk->state))
		return;
	dev_err(&vblk->vdev->dev, "%s: %s; failing all I/O\n",
		vblk->disk->disk_name, why);
	blk_mq_quiesce_queue(q);
	vireo_reset_device(vblk->vdev);
	vireo_blk_reclaim(vblk, VIREO_BLK_FAIL);
	blk_mq_unquiesce_queue(q);
	/* Queues stopped on a full ring now fail their requests instead. */
	blk_mq_start_stopped_hw_queues(q, true);
	blk_mq_kick_requeue_list(q);
}

/**
 * vireo_blk_abort - reset the device and fail every outstanding request
 * @vblk: the device state; its disk must exist
 * @why: what failed, for the one message
 *
 * Context: process context; sleeps. Only the first call does anything.
 */
void vireo_blk_abort(struct vireo_blk *vblk, const char *why)
{
	mutex_lock(&vblk->recover_mutex);
	vireo_blk_abort_locked(vblk, why);
	mutex_unlock(&vblk->recover_mutex);
}

bool vireo_blk_any_broken(struct vireo_blk *vblk)
{
	unsigned int i;

	for (i = 0; i < vblk->nvqs; i++)
		if (vireo_vq_is_broken(vblk->vqs[i].vq))
			return true;
	return false;
}

/**
 * vireo_blk_failed - has the device failed for good, or a queue broken?
 * @vblk: the device state
 *
 * Context: process context; takes @recover_mutex, so the caller must not
 * then wait for the queue to drain while holding it.
 * Return: true if so; config the device reports is then not to be trusted.
 */
bool vireo_blk_failed(struct vireo_blk *vblk)
{
	bool failed;

	mutex_lock(&vblk->recover_mutex);
	failed = vireo_blk_dead(vblk) || vireo_blk_any_broken(vblk);
	mutex_unlock(&vblk->recover_mutex);
	return failed;
}

/* ---- reset and retry --------------------------------------------------------- */

/*
 * The device forgot everything on reset: handshake, features, queues.
 * Build the queues again, as large as before, and tell it we are ready.
 */
static int vireo_blk_restart_device(struct vireo_blk *vblk)
{
	int err;

	vireo_del_vqs(vblk->vdev);
	err = vireo_device_reinit(vblk->vdev);
	if (err)
		return err;
	err = vireo_blk_init_vqs(vblk);
	if (err)
		return err;
	/* The tag depth was sized for the old rings: they must not shrink. */
	if (vireo_blk_ring_size(vblk) < vblk->ring_size) {
		vireo_reset_device(vblk->vdev);
		return -ENOSPC;
	}
	vireo_device_ready(vblk->vdev);
	return 0;
}

/*
 * A request timed out and nothing is broken. The caller holds
 * @recover_mutex.
 */
static void vireo_blk_reset_locked(struct vireo_blk *vblk)
{
	struct request_queue *q = vblk->disk->queue;
	unsigned int n, nth;
	int err;

	if (vireo_blk_dead(vblk))
		return;
	/* A completion may zero the count meanwhile: say which this was. */
	nth = ++vblk->resets;
	if (nth > VIREO_BLK_MAX_RESETS) {
		vireo_blk_abort_locked(vblk, "device still not answering after resets");
		return;
	}
	blk_mq_quiesce_queue(q);
	vireo_reset_device(vblk->vdev);
	n = vireo_blk_reclaim(vblk, VIREO_BLK_RETRY);
	/* Timeouts of the requests just taken back are answered. */
	clear_bit(VIREO_BLK_WANT_RESET, &vblk->state);
	dev_warn(&vblk->vdev->dev, "%s: device stopped answering; reset %u of %u, %u requests retried\n",
		 vblk->disk->disk_name, nth, VIREO_BLK_MAX_RESETS, n);
	err = vireo_blk_restart_device(vblk);
	blk_mq_unquiesce_queue(q);
	if (err) {
		vireo_blk_abort_locked(vblk, "device did not come back after a reset");
		return;
	}
	blk_mq_start_stopped_hw_queues(q, true);
	blk_mq_kick_requeue_list(q);
}

static void vireo_blk_recover_work(struct work_struct *work)
{
	struct vireo_blk *vblk = container_of(work, struct vireo_blk,
					      recover_work);

	mutex_lock(&vblk->recover_mutex);
	if (test_and_clear_bit(VIREO_BLK_WANT_ABORT, &vblk->state) ||
	    vireo_blk_any_broken(vblk))
		vireo_blk_abort_locked(vblk, "device failed");
	else if (test_bit(VIREO_BLK_WANT_RESET, &vblk->state))
		vireo_blk_reset_locked(vblk);
	mutex_unlock(&vblk->recover_mutex);
}

/* Set up the recovery machinery, disarmed. */
void vireo_blk_recovery_init(struct vireo_blk *vblk)
{
	spin_lock_init(&vblk->arm_lock);
	mutex_init(&vblk->recover_mutex);
	INIT_WORK(&vblk->recover_work, vireo_blk_recover_work);
}

/*
 * A request completed: the device answers, so the count of resets in a
 * row starts again.
 */
void vireo_blk_progress(struct vireo_blk *vblk)
{
	if (unlikely(READ_ONCE(vblk->resets)))
		WRITE_ONCE(vblk->resets, 0);
}

/**
 * vireo_blk_drain - wait a bounded time for requests in flight
 * @vblk: the device state
 *
 * For remove: del_gendisk() waits for every request in flight without a
 * limit, so a device that stopped answering would hang it. Give requests
 * one io_timeout (during which the usual reset may still save them), then
 * abort, which fails what is left.
 *
 * Context: process context; sleeps.
 */
void vireo_blk_drain(struct vireo_blk *vblk)
{
	struct request_queue *q = vblk->disk->queue;
	unsigned long wait = max_t(unsigned long, q->rq_timeout, HZ);

	/* A broken queue will never answer: no point in waiting. */
	mutex_lock(&vblk->recover_mutex);
	if (vireo_blk_any_broken(vblk))
		vireo_blk_abort_locked(vblk, "device failed");
	mutex_unlock(&vblk->recover_mutex);

	blk_freeze_queue_start(q);
	if (!blk_mq_freeze_queue_wait_timeout(q, wait))
		vireo_blk_abort(vblk, "requests still outstanding at removal");
	blk_mq_unfreeze_queue(q);
}
