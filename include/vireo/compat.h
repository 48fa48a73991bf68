/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where vireo absorbs differences between kernel versions.
 *
 * Everything that differs between the supported kernels (Debian's 6.1 and
 * 6.12, and the announced 6.13 namespace change) is keyed here, so the rest
 * of the tree is written against a single API.
 */
#ifndef _VIREO_COMPAT_H
#define _VIREO_COMPAT_H

#include <linux/version.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/blk-mq.h>
#include <linux/blkdev.h>

/*
 * The only version test in the tree; checkpatch's LINUX_VERSION_CODE
 * warning is waived for this header alone (see the Makefile).
 */
#define VIREO_KERNEL_SINCE(a, b, c) \
	(KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/*
 * Symbol namespaces: up to 6.12 the namespace is a bare token, from 6.13 on
 * it is a string literal. Every vireo export and import goes through these
 * two macros so only this header needs to change.
 */
#if VIREO_KERNEL_SINCE(6, 13, 0)
#define VIREO_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, "VIREO")
#define VIREO_IMPORT_NS()	MODULE_IMPORT_NS("VIREO")
#else
#define VIREO_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, VIREO)
#define VIREO_IMPORT_NS()	MODULE_IMPORT_NS(VIREO)
#endif

/* 6.11 made the driver argument of bus_type.match const. */
#if VIREO_KERNEL_SINCE(6, 11, 0)
#define vireo_const_drv const
#else
#define vireo_const_drv
#endif

/* 6.3 made the device argument of bus_type.uevent const. */
#if VIREO_KERNEL_SINCE(6, 3, 0)
#define vireo_const_uevent_dev const
#else
#define vireo_const_uevent_dev
#endif

/*
 * 6.4 made bus_register() and the bus pointers in devices and drivers
 * take a const bus; before that a const bus does not compile.
 */
#if VIREO_KERNEL_SINCE(6, 4, 0)
#define vireo_bus_type const struct bus_type
#else
#define vireo_bus_type struct bus_type
#endif

/* PCI_IRQ_INTX arrived in 6.10 and PCI_IRQ_LEGACY left by 6.12. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/* ---- block layer ------------------------------------------------------- */

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

#endif /* _VIREO_COMPAT_H */
