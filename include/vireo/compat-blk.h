/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block-layer differences between the supported kernels; only vireo_blk
 * includes this, so the ring, the core and the transports never pull in
 * the block layer.
 */
#ifndef _VIREO_COMPAT_BLK_H
#define _VIREO_COMPAT_BLK_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <vireo/compat.h>

/**
 * struct vireo_blk_limits - a block queue's limits, kernel-independent
 * @logical_block_size: bytes; a power of two from 512 to PAGE_SIZE
 * @physical_block_size: bytes; a power of two, at least @logical_block_size
 * @alignment_offset: bytes the first aligned physical block is offset by
 * @io_min: preferred minimum I/O size in bytes, or 0
 * @io_opt: optimal I/O size in bytes, or 0
 * @max_hw_sectors: largest request in 512-byte sectors
 * @max_segment_size: largest data segment in bytes, at least PAGE_SIZE
 * @max_segments: most data segments per request
 * @max_discard_sectors: largest discard in sectors, 0 if unsupported
 * @max_discard_segments: most ranges per discard request
 * @discard_granularity: bytes; discards are aligned to this
 * @max_write_zeroes_sectors: largest write-zeroes in sectors, 0 if none
 * @write_cache: the device has a volatile write cache (flushes needed)
 * @rotational: report the disk as rotational
 *
 * Up to 6.10 these are applied with the blk_queue_*() setters after the
 * disk exists; from 6.11 on they are a struct queue_limits given to
 * blk_mq_alloc_disk(), and the write cache and rotational bits became
 * BLK_FEAT_* features in it. FUA is never claimed: the block layer then
 * emulates it with a flush after the write.
 */
struct vireo_blk_limits {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int alignment_offset;
	unsigned int io_min;
	unsigned int io_opt;
	unsigned int max_hw_sectors;
	unsigned int max_segment_size;
	unsigned short max_segments;
	unsigned int max_discard_sectors;
	unsigned short max_discard_segments;
	unsigned int discard_granularity;
	unsigned int max_write_zeroes_sectors;
	bool write_cache;
	bool rotational;
};

#if VIREO_KERNEL_SINCE(6, 11, 0)

static inline void vireo_blk_fill_limits(struct queue_limits *lim,
					 const struct vireo_blk_limits *vl)
{
	lim->logical_block_size = vl->logical_block_size;
	lim->physical_block_size = vl->physical_block_size;
	lim->alignment_offset = vl->alignment_offset;
	lim->io_min = vl->io_min;
	lim->io_opt = vl->io_opt;
	lim->max_hw_sectors = vl->max_hw_sectors;
	lim->max_segment_size = vl->max_segment_size;
	lim->max_segments = vl->max_segments;
	lim->max_hw_discard_sectors = vl->max_discard_sectors;
	lim->max_discard_segments = vl->max_discard_segments;
	lim->discard_granularity = vl->discard_granularity;
	lim->max_write_zeroes_sectors = vl->max_write_zeroes_sectors;
	if (vl->write_cache)
		lim->features |= BLK_FEAT_WRITE_CACHE;
	if (vl->rotational)
		lim->features |= BLK_FEAT_ROTATIONAL;
}

/* A blk-mq disk with @vl applied, or an ERR_PTR(). */
static inline struct gendisk *
vireo_blk_alloc_disk(struct blk_mq_tag_set *set,
		     const struct vireo_blk_limits *vl, void *queuedata)
{
	struct queue_limits lim = { };

	vireo_blk_fill_limits(&lim, vl);
	return blk_mq_alloc_disk(set, &lim, queuedata);
}

/*
 * Switch the volatile write cache on or off on a live queue. The queue is
 * frozen around the commit so no request sees half-updated limits.
 * Context: process context; sleeps.
 */
static inline int vireo_blk_set_write_cache(struct request_queue *q, bool wc)
{
	struct queue_limits lim = queue_limits_start_update(q);
	int err;

	if (wc)
		lim.features |= BLK_FEAT_WRITE_CACHE;
	else
		lim.features &= ~BLK_FEAT_WRITE_CACHE;
	blk_mq_freeze_queue(q);
	err = queue_limits_commit_update(q, &lim);
	blk_mq_unfreeze_queue(q);
	return err;
}

static inline bool vireo_blk_write_cache(struct request_queue *q)
{
	return blk_queue_write_cache(q);
}

#else /* before 6.11: setters and queue flags */

static inline void vireo_blk_apply_limits(struct request_queue *q,
					  const struct vireo_blk_limits *vl)
{
	blk_queue_logical_block_size(q, vl->logical_block_size);
	blk_queue_physical_block_size(q, vl->physical_block_size);
	blk_queue_alignment_offset(q, vl->alignment_offset);
	blk_queue_io_min(q, vl->io_min);
	blk_queue_io_opt(q, vl->io_opt);
	blk_queue_max_hw_sectors(q, vl->max_hw_sectors);
	blk_queue_max_segment_size(q, vl->max_segment_size);
	blk_queue_max_segments(q, vl->max_segments);
	if (vl->max_discard_sectors) {
		blk_queue_max_discard_sectors(q, vl->max_discard_sectors);
		blk_queue_max_discard_segments(q, vl->max_discard_segments);
		q->limits.discard_granularity = vl->discard_granularity;
	}
	blk_queue_max_write_zeroes_sectors(q, vl->max_write_zeroes_sectors);
	blk_queue_write_cache(q, vl->write_cache, false);
	if (vl->rotational)
		blk_queue_flag_clear(QUEUE_FLAG_NONROT, q);
	else
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
}

static inline struct gendisk *
vireo_blk_alloc_disk(struct blk_mq_tag_set *set,
		     const struct vireo_blk_limits *vl, void *queuedata)
{
	struct gendisk *disk;

#if VIREO_KERNEL_SINCE(6, 9, 0)
	disk = blk_mq_alloc_disk(set, NULL, queuedata);
#else
	disk = blk_mq_alloc_disk(set, queuedata);
#endif
	if (!IS_ERR(disk))
		vireo_blk_apply_limits(disk->queue, vl);
	return disk;
}

static inline int vireo_blk_set_write_cache(struct request_queue *q, bool wc)
{
	blk_queue_write_cache(q, wc, false);
	return 0;
}

static inline bool vireo_blk_write_cache(struct request_queue *q)
{
	return test_bit(QUEUE_FLAG_WC, &q->queue_flags);
}

#endif /* VIREO_KERNEL_SINCE(6, 11, 0) */

#endif /* _VIREO_COMPAT_BLK_H */
