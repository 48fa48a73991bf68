/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_blk's shared definitions: the device's wire formats, the driver's
 * state, and what its files call of each other.
 *
 *   vireo_blk_main.c     probe, remove, the module, block device ops
 *   vireo_blk_io.c       the I/O path: requests to chains and back
 *   vireo_blk_recovery.c a failed or stuck device: reset, retry, abort
 *   vireo_blk_config.c   config space to queue limits; sysfs; changes
 */
#ifndef _VIREO_BLK_H
#define _VIREO_BLK_H

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

/* Feature bits (legacy virtio block device). */
#define VIREO_BLK_F_SIZE_MAX		1	/* config size_max is valid */
#define VIREO_BLK_F_SEG_MAX		2	/* config seg_max is valid */
#define VIREO_BLK_F_GEOMETRY		4	/* config geometry is valid */
#define VIREO_BLK_F_RO			5	/* the disk is read-only */
#define VIREO_BLK_F_BLK_SIZE		6	/* config blk_size is valid */
#define VIREO_BLK_F_FLUSH		9	/* FLUSH requests; write-back */
#define VIREO_BLK_F_TOPOLOGY		10	/* config topology is valid */
#define VIREO_BLK_F_CONFIG_WCE		11	/* config wce is writable */
#define VIREO_BLK_F_MQ			12	/* config num_queues is valid */
#define VIREO_BLK_F_DISCARD		13	/* DISCARD requests */
#define VIREO_BLK_F_WRITE_ZEROES	14	/* WRITE_ZEROES requests */

/* Request types, in the out header. */
#define VIREO_BLK_T_IN			0
#define VIREO_BLK_T_OUT			1
#define VIREO_BLK_T_FLUSH		4
#define VIREO_BLK_T_GET_ID		8
#define VIREO_BLK_T_DISCARD		11
#define VIREO_BLK_T_WRITE_ZEROES	13

/* Status byte values the device writes. */
#define VIREO_BLK_S_OK			0
#define VIREO_BLK_S_IOERR		1
#define VIREO_BLK_S_UNSUPP		2
/* Ours: put in the status byte before posting, so "never written" fails. */
#define VIREO_BLK_S_NONE		0xff

/* Write-zeroes range flag: the device may deallocate the range. */
#define VIREO_BLK_WZ_F_UNMAP		0x1

/* GET_ID returns this many bytes, NUL-padded if shorter. */
#define VIREO_BLK_ID_BYTES		20

/* Minors per disk: the whole disk and 15 partitions; more use ext devt. */
#define VIREO_BLK_MINORS		16
/* Device sectors are always 512 bytes, whatever the logical block size. */
#define VIREO_BLK_SECTOR_SHIFT		9

/* The header and the status byte around the data. */
#define VIREO_BLK_EXTRA_SG		2
/*
 * Memory per request is kept to what the in-kernel driver spends, about
 * half a KiB, so that a large ring costs no more at bind than there:
 * - a request carries up to this many data segments in its own memory
 *   (a 4 or 8 KiB I/O, a flush, a discard's payload);
 * - a larger one borrows one of VIREO_BLK_SLOTS scatterlists of its
 *   hardware queue, preallocated for the longest request; when all are
 *   lent, blk-mq holds the request until one comes back (no allocation
 *   on the I/O path either way);
 * - at most VIREO_BLK_MAX_DEPTH requests per hardware queue, which also
 *   bounds the indirect tables the ring preallocates (max_bufs).
 */
#define VIREO_BLK_INLINE_SEGS		2
#define VIREO_BLK_SLOTS			32
#define VIREO_BLK_MAX_DEPTH		128
/*
 * Without indirect descriptors a request occupies (segments + 2) ring
 * descriptors, and the tag depth is what fits at the worst case. The data
 * segments are capped so that at least this many requests fit.
 */
#define VIREO_BLK_DIRECT_MIN_DEPTH	8
/*
 * Data segments per request at most, whatever SEG_MAX claims: each costs
 * a scatterlist entry in every request's PDU and an indirect descriptor
 * in every preallocated table, so a device must not be able to size them.
 * 128 segments of a page are 512 KiB, well above what the block layer
 * sends by default (max_sectors_kb 1280 is rarely reached in pages).
 */
#define VIREO_BLK_MAX_SEGS		128U
/* Largest request, in sectors: 32 MiB; the block layer splits above. */
#define VIREO_BLK_MAX_HW_SECTORS	(SZ_32M >> VIREO_BLK_SECTOR_SHIFT)
/* Most ranges in one discard; each costs 16 bytes of payload. */
#define VIREO_BLK_MAX_DISCARD_SEGS	256U
/* Hardware queues: one per CPU at most, and a sane upper bound. */
#define VIREO_BLK_MAX_QUEUES		256U

/**
 * struct vireo_blk_config - the device's config space (legacy layout)
 * @capacity: size in 512-byte sectors
 * @size_max: largest data segment in bytes (SIZE_MAX)
 * @seg_max: most data segments per request (SEG_MAX)
 * @cylinders: BIOS geometry (GEOMETRY)
 * @heads: BIOS geometry (GEOMETRY)
 * @sectors: BIOS geometry (GEOMETRY)
 * @blk_size: logical block size in bytes (BLK_SIZE)
 * @physical_block_exp: log2 of logical blocks per physical block (TOPOLOGY)
 * @alignment_offset: offset of the first aligned block, in logical blocks
 * @min_io_size: minimum I/O size in logical blocks
 * @opt_io_size: optimal I/O size in logical blocks
 * @wce: 1 for write-back, 0 for write-through (CONFIG_WCE)
 * @unused0: padding
 * @num_queues: number of request queues (MQ)
 * @max_discard_sectors: largest discard range (DISCARD)
 * @max_discard_seg: most ranges per discard request (DISCARD)
 * @discard_sector_alignment: discard granularity in sectors (DISCARD)
 * @max_write_zeroes_sectors: largest write-zeroes range (WRITE_ZEROES)
 * @max_write_zeroes_seg: most ranges per write-zeroes (WRITE_ZEROES)
 * @write_zeroes_may_unmap: the device may deallocate zeroed ranges
 * @unused1: padding
 *
 * Legacy devices use guest-native byte order here. Only offsets are used:
 * fields are read one at a time with vireo_cread*().
 */
struct vireo_blk_config {
	u64 capacity;
	u32 size_max;
	u32 seg_max;
	u16 cylinders;
	u8 heads;
	u8 sectors;
	u32 blk_size;
	u8 physical_block_exp;
	u8 alignment_offset;
	u16 min_io_size;
	u32 opt_io_size;
	u8 wce;
	u8 unused0;
	u16 num_queues;
	u32 max_discard_sectors;
	u32 max_discard_seg;
	u32 discard_sector_alignment;
	u32 max_write_zeroes_sectors;
	u32 max_write_zeroes_seg;
	u8 write_zeroes_may_unmap;
	u8 unused1[3];
} __packed;

static_assert(offsetof(struct vireo_blk_config, blk_size) == 20);
static_assert(offsetof(struct vireo_blk_config, wce) == 32);
static_assert(offsetof(struct vireo_blk_config, max_discard_sectors) == 36);
static_assert(offsetof(struct vireo_blk_config, write_zeroes_may_unmap) == 56);

#define VIREO_BLK_CFG(field)	offsetof(struct vireo_blk_config, field)

/**
 * struct vireo_blk_outhdr - what the device reads first (guest-native order)
 * @type: VIREO_BLK_T_*
 * @ioprio: the request's I/O priority, a hint
 * @sector: first 512-byte sector, for reads and writes
 */
struct vireo_blk_outhdr {
	u32 type;
	u32 ioprio;
	u64 sector;
};

/**
 * struct vireo_blk_range - one range of a discard or write-zeroes request
 * @sector: first 512-byte sector
 * @num_sectors: length in sectors
 * @flags: VIREO_BLK_WZ_F_* (write-zeroes only)
 *
 * The specification makes this payload little-endian even for legacy
 * devices.
 */
struct vireo_blk_range {
	__le64 sector;
	__le32 num_sectors;
	__le32 flags;
};

/**
 * struct vireo_blk_req - per-request driver data (the blk-mq PDU)
 * @hdr: the out header
 * @status: written by the device; VIREO_BLK_S_NONE until then
 * @ranges: discard/write-zeroes payload, or NULL
 * @hdr_sg: @hdr as a one-entry list, set up once in .init_request
 * @status_sg: @status as a one-entry list, set up once in .init_request
 * @sgs: the lists of the buffer: header, data if any, status
 * @out_sgs: device-readable lists in @sgs
 * @in_sgs: device-writable lists in @sgs
 * @attempts: times this request was sent to the device; recovery retries
 *	it while below VIREO_BLK_MAX_ATTEMPTS
 * @slot: the slot of its hardware queue whose scatterlist @sg is, or -1
 * @sg: the data segments (or the discard payload): @inline_sg, or a slot
 * @inline_sg: room for VIREO_BLK_INLINE_SEGS segments
 */
struct vireo_blk_req {
	struct vireo_blk_outhdr hdr;
	u8 status;
	struct vireo_blk_range *ranges;
	struct scatterlist hdr_sg;
	struct scatterlist status_sg;
	struct scatterlist *sgs[3];
	unsigned int out_sgs;
	unsigned int in_sgs;
	unsigned int attempts;
	int slot;
	struct scatterlist *sg;
	struct scatterlist inline_sg[VIREO_BLK_INLINE_SEGS];
};

/**
 * struct vireo_blk_vq - one request queue
 * @lock: serialises every ring operation on @vq (submission and completion)
 * @vq: the virtqueue
 * @slot_lock: guards @free_slots and @nr_free; taken inside @lock, as a
 *	request completed under @lock may give its slot back at once
 * @slot_sg: VIREO_BLK_SLOTS scatterlists of sg_elems entries each, for
 *	requests of more than VIREO_BLK_INLINE_SEGS segments; NULL if no
 *	request can have that many
 * @free_slots: indices of the slots not lent, @nr_free of them
 * @nr_free: see @free_slots
 * @name: "req.N", the queue's name (and its IRQ's suffix)
 */
struct vireo_blk_vq {
	spinlock_t lock;	/* see above */
	struct vireo_virtqueue *vq;
	spinlock_t slot_lock;	/* see above */
	struct scatterlist *slot_sg;
	u8 free_slots[VIREO_BLK_SLOTS];
	unsigned int nr_free;
	char name[16];
} ____cacheline_aligned_in_smp;

/**
 * struct vireo_blk - per-device state
 * @vdev: the device; only valid until remove returns
 * @disk: the disk; it owns this structure (freed in .free_disk)
 * @tag_set: blk-mq tag set, one hardware queue per @vqs entry
 * @vqs: the request queues
 * @nvqs: number of @vqs
 * @index: number from vireo_blk_ida, the N of vblkN
 * @sg_elems: data segments a request may have
 * @wz_unmap: write-zeroes may ask the device to deallocate
 * @has_geo: @cylinders, @heads and @sectors came from the device
 * @cylinders: geometry for HDIO_GETGEO
 * @heads: geometry for HDIO_GETGEO
 * @sectors: geometry for HDIO_GETGEO
 * @cfg_lock: serialises cache mode changes and capacity updates
 * @writeback: the write cache is enabled (protected by @cfg_lock)
 * @ring_size: the smallest ring at probe; recovery must not shrink it
 * @arm_lock: makes arming, disarming and queueing @recover_work atomic
 * @recover_mutex: serialises aborts and resets
 * @recover_work: aborts a failed device or resets a stuck one
 * @resets: resets in a row without a completion in between
 * @state: VIREO_BLK_* bits (below)
 */
struct vireo_blk {
	struct vireo_device *vdev;
	struct gendisk *disk;
	struct blk_mq_tag_set tag_set;
	struct vireo_blk_vq *vqs;
	unsigned int nvqs;
	int index;
	unsigned int sg_elems;
	bool wz_unmap;
	bool has_geo;
	u16 cylinders;
	u8 heads;
	u8 sectors;
	struct mutex cfg_lock;	/* see above */
	bool writeback;
	unsigned int ring_size;
	spinlock_t arm_lock;	/* see above */
	struct mutex recover_mutex;	/* see above */
	struct work_struct recover_work;
	unsigned int resets;
	unsigned long state;
};

/*
 * Bits in vireo_blk.state. DEAD: the device was reset for good and every
 * request fails at once. READY: the disk exists and recovery may be
 * queued (vireo_blk_arm() to vireo_blk_disarm()). WANT_ABORT, WANT_RESET:
 * what the queued recovery work is asked to do.
 */
#define VIREO_BLK_DEAD		0
#define VIREO_BLK_READY		1
#define VIREO_BLK_WANT_ABORT	2
#define VIREO_BLK_WANT_RESET	3

/*
 * Recovery from a device that stops answering: it is given up on (every
 * request fails with EIO from then on) at the timeout after this many
 * resets in a row with no request completed in between. A request is
 * sent at most one time more than that, so on a device that answers
 * nothing the device-wide limit comes first; the per-request one catches
 * a device that completes other requests but drops one for ever.
 */
#define VIREO_BLK_MAX_RESETS	3
#define VIREO_BLK_MAX_ATTEMPTS	(VIREO_BLK_MAX_RESETS + 1)

/*
 * io_timeout while probe reads the partition table, and afterwards (the
 * block layer's usual value; users change it in sysfs). A device that
 * does not answer then costs probe (MAX_RESETS + 1) * 5 s, well within
 * the hung-task limit, instead of two minutes.
 */
#define VIREO_BLK_PROBE_TIMEOUT	(5 * HZ)
#define VIREO_BLK_IO_TIMEOUT	(30 * HZ)

/* What becomes of the requests vireo_blk_reclaim() takes back. */
enum vireo_blk_fate { VIREO_BLK_FAIL, VIREO_BLK_FORGET, VIREO_BLK_RETRY };

static inline bool vireo_blk_dead(struct vireo_blk *vblk)
{
	return test_bit(VIREO_BLK_DEAD, &vblk->state);
}

/* vireo_blk_main.c */
int vireo_blk_init_vqs(struct vireo_blk *vblk);
unsigned int vireo_blk_ring_size(struct vireo_blk *vblk);

/* vireo_blk_io.c */
void vireo_blk_done(struct vireo_virtqueue *vq);
void vireo_blk_release(struct request *req);
extern const struct blk_mq_ops vireo_blk_mq_ops;

/* vireo_blk_recovery.c */
void vireo_blk_recovery_init(struct vireo_blk *vblk);
void vireo_blk_arm(struct vireo_blk *vblk);
void vireo_blk_disarm(struct vireo_blk *vblk);
void vireo_blk_schedule(struct vireo_blk *vblk, unsigned int why);
unsigned int vireo_blk_reclaim(struct vireo_blk *vblk,
			       enum vireo_blk_fate fate);
void vireo_blk_abort(struct vireo_blk *vblk, const char *why);
bool vireo_blk_any_broken(struct vireo_blk *vblk);
bool vireo_blk_failed(struct vireo_blk *vblk);
void vireo_blk_progress(struct vireo_blk *vblk);
void vireo_blk_drain(struct vireo_blk *vblk);

/* vireo_blk_config.c */
bool vireo_blk_cache_mode(struct vireo_device *vdev);
int vireo_blk_read_capacity(struct vireo_blk *vblk, sector_t *cap);
unsigned int vireo_blk_num_queues(struct vireo_device *vdev);
u32 vireo_blk_seg_max(struct vireo_device *vdev);
unsigned int vireo_blk_sg_elems(struct vireo_blk *vblk,
				unsigned int ring_size);
int vireo_blk_limits(struct vireo_blk *vblk,
		     struct vireo_blk_limits *vl);
void vireo_blk_read_geometry(struct vireo_blk *vblk);
void vireo_blk_config_changed(struct vireo_device *vdev);
void vireo_blk_follow_cache(struct vireo_blk *vblk, bool wb);
void vireo_blk_check_cache(struct vireo_blk *vblk);
extern const struct attribute_group *vireo_blk_attr_groups[];

#endif /* _VIREO_BLK_H */
