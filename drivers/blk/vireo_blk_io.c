// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_blk: the I/O path. A request becomes a buffer of three lists (out
 * header, data, status byte) on the hardware queue's virtqueue; the
 * queue's callback completes it.
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

/* ---- I/O path ---------------------------------------------------------- */

static blk_status_t vireo_blk_status(u8 status)
{
	switch (status) {
	case VIREO_BLK_S_OK:
		return BLK_STS_OK;
	case VIREO_BLK_S_UNSUPP:
		return BLK_STS_NOTSUPP;
	default:
		return BLK_STS_IOERR;
	}
}

/* Build the discard/write-zeroes payload: one range per bio. */
static blk_status_t vireo_blk_setup_ranges(struct request *req,
					   struct vireo_blk_req *br, bool unmap)
{
	unsigned int i, n = 0, nr = blk_rq_nr_discard_segments(req);
	__le32 flags = cpu_to_le32(unmap ? VIREO_BLK_WZ_F_UNMAP : 0);
	struct vireo_blk_range *range;
	struct bio *bio;

	/* GFP_ATOMIC: .queue_rq may run in atomic context. */
	range = kmalloc_array(nr, sizeof(*range), GFP_ATOMIC);
	if (!range)
		return BLK_STS_RESOURCE;
	if (nr == 1) {
		/* One range may be a request merged from several bios. */
		range[0].sector = cpu_to_le64(blk_rq_pos(req));
		range[0].num_sectors = cpu_to_le32(blk_rq_sectors(req));
		n = 1;
	} else {
		__rq_for_each_bio(bio, req) {
			if (n == nr)
				break;
			range[n].sector = cpu_to_le64(bio->bi_iter.bi_sector);
			range[n].num_sectors = cpu_to_le32(bio_sectors(bio));
			n++;
		}
	}
	for (i = 0; i < n; i++)
		range[i].flags = flags;
	br->ranges = range;
	sg_init_one(&br->sg[0], range, sizeof(*range) * n);
	return BLK_STS_OK;
}

/* Lend @br a slot of @bvq for a long request; false if all are lent. */
static bool vireo_blk_get_slot(struct vireo_blk *vblk,
			       struct vireo_blk_vq *bvq,
			       struct vireo_blk_req *br)
{
	unsigned long flags;
	int slot = -1;

	spin_lock_irqsave(&bvq->slot_lock, flags);
	if (bvq->nr_free)
		slot = bvq->free_slots[--bvq->nr_free];
	spin_unlock_irqrestore(&bvq->slot_lock, flags);
	if (slot < 0)
		return false;
	br->slot = slot;
	br->sg = bvq->slot_sg + (size_t)slot * vblk->sg_elems;
	return true;
}

/**
 * vireo_blk_release - give back what a request holds while it is sent
 * @req: the request, about to be ended, requeued or failed before it
 *	reached the device
 *
 * Frees the discard payload and returns the slot. The slot goes back
 * before the request ends, so that the queue restart blk-mq runs when the
 * request is freed finds it.
 *
 * Context: any, including under the hardware queue's @lock (completions
 * from vireo_blk_done()); takes its @slot_lock.
 */
void vireo_blk_release(struct request *req)
{
	struct vireo_blk_req *br = blk_mq_rq_to_pdu(req);
	struct vireo_blk *vblk = req->q->queuedata;
	struct vireo_blk_vq *bvq;
	unsigned long flags;

	/* Most requests hold neither: keep the completion path short. */
	if (unlikely(br->ranges)) {
		kfree(br->ranges);
		br->ranges = NULL;
	}
	if (br->slot < 0)
		return;
	bvq = &vblk->vqs[req->mq_hctx->queue_num];
	spin_lock_irqsave(&bvq->slot_lock, flags);
	bvq->free_slots[bvq->nr_free++] = br->slot;
	spin_unlock_irqrestore(&bvq->slot_lock, flags);
	br->slot = -1;
	br->sg = br->inline_sg;
}

/* Header type for @req, or -1 if the device cannot do it. */
static int vireo_blk_type(struct request *req)
{
	switch (req_op(req)) {
	case REQ_OP_READ:
		return VIREO_BLK_T_IN;
	case REQ_OP_WRITE:
		return VIREO_BLK_T_OUT;
	case REQ_OP_FLUSH:
		return VIREO_BLK_T_FLUSH;
	case REQ_OP_DISCARD:
		return VIREO_BLK_T_DISCARD;
	case REQ_OP_WRITE_ZEROES:
		return VIREO_BLK_T_WRITE_ZEROES;
	case REQ_OP_DRV_IN:
		return VIREO_BLK_T_GET_ID;
	default:
		return -1;
	}
}

/*
 * The data segments of @req in @br->sg, or the discard/write-zeroes
 * payload; returns how many entries there are (0 for none).
 */
static blk_status_t vireo_blk_setup_data(struct vireo_blk *vblk,
					 struct vireo_blk_vq *bvq,
					 struct request *req,
					 struct vireo_blk_req *br,
					 unsigned int *nents)
{
	u32 type = br->hdr.type;

	*nents = 0;
	if (type == VIREO_BLK_T_DISCARD || type == VIREO_BLK_T_WRITE_ZEROES) {
		*nents = 1;
		return vireo_blk_setup_ranges(req, br,
					      type == VIREO_BLK_T_WRITE_ZEROES &&
					      vblk->wz_unmap &&
					      !(req->cmd_flags & REQ_NOUNMAP));
	}
	if (type == VIREO_BLK_T_FLUSH)
		return BLK_STS_OK;
	/*
	 * Only the entries this request can use are initialised: the table
	 * is sized for the largest request, and clearing all of it every
	 * time would cost more than the mapping.
	 */
	*nents = min(blk_rq_nr_phys_segments(req), vblk->sg_elems);
	/* Held back until a slot comes back; see vireo_blk_release(). */
	if (*nents > VIREO_BLK_INLINE_SEGS &&
	    !vireo_blk_get_slot(vblk, bvq, br))
		return BLK_STS_DEV_RESOURCE;
	if (*nents) {
		sg_init_table(br->sg, *nents);
		*nents = blk_rq_map_sg(req->q, req, br->sg);
	}
	return BLK_STS_OK;
}

/*
 * Fill the header and the buffer's lists: header, then the data (or
 * payload) if any, then the status byte.
 */
static blk_status_t vireo_blk_setup(struct vireo_blk *vblk,
				    struct vireo_blk_vq *bvq,
				    struct request *req,
				    struct vireo_blk_req *br)
{
	int type = vireo_blk_type(req);
	unsigned int nents, n = 0;
	blk_status_t st;
	bool write;

	if (type < 0)
		return BLK_STS_NOTSUPP;
	br->hdr.type = type;
	br->hdr.ioprio = req_get_ioprio(req);
	br->hdr.sector = 0;
	if (type == VIREO_BLK_T_IN || type == VIREO_BLK_T_OUT ||
	    type == VIREO_BLK_T_FLUSH)
		br->hdr.sector = blk_rq_pos(req);
	br->status = VIREO_BLK_S_NONE;
	br->ranges = NULL;
	write = type != VIREO_BLK_T_IN && type != VIREO_BLK_T_GET_ID;

	st = vireo_blk_setup_data(vblk, bvq, req, br, &nents);
	if (st) {
		vireo_blk_release(req);
		return st;
	}
	br->sgs[n++] = &br->hdr_sg;
	if (nents && write)
		br->sgs[n++] = br->sg;
	br->out_sgs = n;
	if (nents && !write)
		br->sgs[n++] = br->sg;
	br->sgs[n++] = &br->status_sg;
	br->in_sgs = n - br->out_sgs;
	return BLK_STS_OK;
}

/* Map a failed add to what blk-mq should do with the request. */
static blk_status_t vireo_blk_add_error(struct blk_mq_hw_ctx *hctx, int err)
{
	switch (err) {
	case -ENOSPC:
		/* Restarted from the completion path (vireo_blk_done()). */
		blk_mq_stop_hw_queue(hctx);
		return BLK_STS_DEV_RESOURCE;
	case -ENOMEM:
		return BLK_STS_RESOURCE;
	default:
		return BLK_STS_IOERR;
	}
}

static blk_status_t vireo_blk_queue_rq(struct blk_mq_hw_ctx *hctx,
				       const struct blk_mq_queue_data *bd)
{
	struct vireo_blk *vblk = hctx->queue->queuedata;
	struct vireo_blk_vq *bvq = &vblk->vqs[hctx->queue_num];
	struct request *req = bd->rq;
	struct vireo_blk_req *br = blk_mq_rq_to_pdu(req);
	blk_status_t st = BLK_STS_OK;
	unsigned long flags;
	bool kick;
	int err;

	if (vireo_blk_dead(vblk))
		return BLK_STS_IOERR;
	st = vireo_blk_setup(vblk, bvq, req, br);
	if (st)
		return st;
	br->attempts++;
	blk_mq_start_request(req);

	spin_lock_irqsave(&bvq->lock, flags);
	err = vireo_blk_dead(vblk) ? -EIO :
		vireo_vq_add_sgs(bvq->vq, br->sgs, br->out_sgs, br->in_sgs,
				 req, GFP_ATOMIC);
	if (err)
		st = vireo_blk_add_error(hctx, err);
	/*
	 * On failure, still kick what earlier requests of the batch added;
	 * a dead device's rings are shut down and must not be touched.
	 */
	kick = (bd->last || err) && !vireo_blk_dead(vblk) &&
	       vireo_vq_kick_prepare(bvq->vq);
	spin_unlock_irqrestore(&bvq->lock, flags);

	if (kick && !vireo_vq_notify(bvq->vq))
		vireo_blk_schedule(vblk, VIREO_BLK_WANT_ABORT);
	if (err) {
		vireo_blk_release(req);
		if (err == -EIO)
			vireo_blk_schedule(vblk, VIREO_BLK_WANT_ABORT);
	}
	return st;
}

static void vireo_blk_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct vireo_blk *vblk = hctx->queue->queuedata;
	struct vireo_blk_vq *bvq = &vblk->vqs[hctx->queue_num];
	unsigned long flags;
	bool kick;

	if (vireo_blk_dead(vblk))
		return;
	spin_lock_irqsave(&bvq->lock, flags);
	kick = vireo_vq_kick_prepare(bvq->vq);
	spin_unlock_irqrestore(&bvq->lock, flags);
	if (kick && !vireo_vq_notify(bvq->vq))
		vireo_blk_schedule(vblk, VIREO_BLK_WANT_ABORT);
}

/* .complete: runs on the submitting CPU (or here) after the device's. */
static void vireo_blk_complete_rq(struct request *req)
{
	struct vireo_blk_req *br = blk_mq_rq_to_pdu(req);

	vireo_blk_release(req);
	br->attempts = 0;
	blk_mq_end_request(req, vireo_blk_status(READ_ONCE(br->status)));
}

/**
 * vireo_blk_done - queue callback: the device returned requests
 * @vq: the request queue
 *
 * Collects every returned request under the queue lock, with callbacks
 * off while doing so and a re-check after turning them back on. Restarts
 * hardware queues stopped on a full ring, and starts the abort if the ring
 * found the device misbehaving.
 *
 * Context: hard IRQ (from the transport's interrupt handler).
 */
void vireo_blk_done(struct vireo_virtqueue *vq)
{
	struct vireo_blk *vblk = vq->vdev->priv;
	struct vireo_blk_vq *bvq = &vblk->vqs[vq->index];
	struct request *req;
	unsigned long flags;
	bool done = false, broken;

	spin_lock_irqsave(&bvq->lock, flags);
	do {
		vireo_vq_disable_cb(vq);
		while ((req = vireo_vq_get_buf(vq, NULL))) {
			blk_mq_complete_request(req);
			done = true;
		}
		broken = vireo_vq_is_broken(vq);
	} while (!broken && !vireo_vq_restart(vq));
	spin_unlock_irqrestore(&bvq->lock, flags);

	if (done) {
		vireo_blk_progress(vblk);
		blk_mq_start_stopped_hw_queues(vblk->disk->queue, true);
	}
	if (broken)
		vireo_blk_schedule(vblk, VIREO_BLK_WANT_ABORT);
}

/*
 * A request the device has sat on for io_timeout. The recovery work
 * decides: abort if a queue broke (it will never answer), else reset the
 * device and retry. The request stays ours until then, so the timer is
 * restarted; the work completes or requeues it. Nothing here touches the
 * queues, which the work may be re-creating.
 */
static enum blk_eh_timer_return vireo_blk_timeout(struct request *req)
{
	vireo_blk_schedule(req->q->queuedata, VIREO_BLK_WANT_RESET);
	return BLK_EH_RESET_TIMER;
}

/*
 * Submit on the CPUs a queue's interrupt is steered to, so completions
 * need no IPI back to the submitter. Start from the generic spread, which
 * covers every CPU, and let each queue claim the CPUs of its interrupt;
 * without affinity from the transport the generic spread stays.
 */
static void vireo_blk_map_queues(struct blk_mq_tag_set *set)
{
	struct blk_mq_queue_map *qmap = &set->map[HCTX_TYPE_DEFAULT];
	struct vireo_blk *vblk = set->driver_data;
	const struct cpumask *mask;
	unsigned int q, cpu;

	blk_mq_map_queues(qmap);
	for (q = 0; q < qmap->nr_queues; q++) {
		mask = vireo_get_vq_affinity(vblk->vdev, qmap->queue_offset + q);
		if (!mask)
			continue;
		for_each_cpu(cpu, mask)
			qmap->mq_map[cpu] = qmap->queue_offset + q;
	}
}

/*
 * The header and status lists point into the PDU, whose address never
 * changes: set them up once per request, not once per I/O.
 */
static int vireo_blk_init_request(struct blk_mq_tag_set *set,
				  struct request *req, unsigned int hctx_idx,
				  unsigned int numa_node)
{
	struct vireo_blk_req *br = blk_mq_rq_to_pdu(req);

	sg_init_one(&br->hdr_sg, &br->hdr, sizeof(br->hdr));
	sg_init_one(&br->status_sg, &br->status, sizeof(br->status));
	br->attempts = 0;
	br->slot = -1;
	br->sg = br->inline_sg;
	return 0;
}

const struct blk_mq_ops vireo_blk_mq_ops = {
	.queue_rq	= vireo_blk_queue_rq,
	.init_request	= vireo_blk_init_request,
	.commit_rqs	= vireo_blk_commit_rqs,
	.complete	= vireo_blk_complete_rq,
	.timeout	= vireo_blk_timeout,
	.map_queues	= vireo_blk_map_queues,
};
