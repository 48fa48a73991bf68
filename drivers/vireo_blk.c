// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_blk: a blk-mq driver for legacy virtio block devices (type 2).
 *
 * Each device becomes a disk "vblkN" (partitions "vblkNpM") with a dynamic
 * major. Every virtqueue ("req.0", "req.1", ...) is one blk-mq hardware
 * queue. A request travels as a chain of an out header, the data and a
 * one-byte status the device writes last.
 *
 * The device is not trusted: config values are range-checked before they
 * become queue limits, the status byte starts out as a value that means
 * "not written", and a queue the ring finds broken (or a device that went
 * away) makes the driver reset the device and fail every request still
 * outstanding instead of waiting for completions that will never come.
 *
 * See Documentation/blk.rst.
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
 * @sg: the data segments (or the discard payload); sized at tag set
 *	creation
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
	struct scatterlist sg[];
};

/**
 * struct vireo_blk_vq - one request queue
 * @lock: serialises every ring operation on @vq (submission and completion)
 * @vq: the virtqueue
 * @name: "req.N", the queue's name (and its IRQ's suffix)
 */
struct vireo_blk_vq {
	spinlock_t lock;	/* see above */
	struct vireo_virtqueue *vq;
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
 * @abort_work: fails every outstanding request after a device failure
 * @state: VIREO_BLK_DEAD and VIREO_BLK_REMOVING bits
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
	struct work_struct abort_work;
	unsigned long state;
};

/*
 * Bits in vireo_blk.state. DEAD: the device was reset for good and every
 * request fails at once. REMOVING: remove is past del_gendisk(); no abort
 * is queued any more.
 */
#define VIREO_BLK_DEAD		0
#define VIREO_BLK_REMOVING	1

static bool vireo_blk_dead(struct vireo_blk *vblk)
{
	return test_bit(VIREO_BLK_DEAD, &vblk->state);
}

static int vireo_blk_major;
static DEFINE_IDA(vireo_blk_ida);

/* ---- config ------------------------------------------------------------ */

/* Read a u32 config field if @fbit was negotiated; false if not or absent. */
static bool vireo_blk_cread32(struct vireo_device *vdev, unsigned int fbit,
			      unsigned int offset, u32 *val)
{
	return vireo_has_feature(vdev, fbit) &&
	       !vireo_cread32(vdev, offset, val);
}

/* The write cache mode the device is in now. */
static bool vireo_blk_cache_mode(struct vireo_device *vdev)
{
	u8 wce;

	if (!vireo_has_feature(vdev, VIREO_BLK_F_FLUSH))
		return false;
	/* Legacy: FLUSH without CONFIG_WCE means the cache is write-back. */
	if (!vireo_has_feature(vdev, VIREO_BLK_F_CONFIG_WCE))
		return true;
	if (vireo_cread8(vdev, VIREO_BLK_CFG(wce), &wce))
		return true;
	return wce != 0;
}

/* Capacity in sectors; -EINVAL if it cannot be read or is absurd. */
static int vireo_blk_read_capacity(struct vireo_blk *vblk, sector_t *cap)
{
	u64 sectors;

	if (vireo_cread64(vblk->vdev, VIREO_BLK_CFG(capacity), &sectors))
		return -EINVAL;
	/* Byte offsets are loff_t: larger capacities would overflow them. */
	if (sectors > (u64)LLONG_MAX >> VIREO_BLK_SECTOR_SHIFT) {
		dev_err(&vblk->vdev->dev, "capacity of %llu sectors is too large\n",
			sectors);
		return -EINVAL;
	}
	*cap = sectors;
	return 0;
}

/* Number of request queues: the device's, capped by CPUs and our limit. */
static unsigned int vireo_blk_num_queues(struct vireo_device *vdev)
{
	u16 num = 1;

	if (vireo_has_feature(vdev, VIREO_BLK_F_MQ) &&
	    vireo_cread16(vdev, VIREO_BLK_CFG(num_queues), &num))
		num = 1;
	if (!num) {
		dev_warn(&vdev->dev, "device reports 0 queues; using 1\n");
		num = 1;
	}
	return min3((unsigned int)num, nr_cpu_ids, VIREO_BLK_MAX_QUEUES);
}

/* Logical block size from BLK_SIZE, validated; 512 without the feature. */
static int vireo_blk_block_size(struct vireo_device *vdev, unsigned int *lbs)
{
	u32 bs;

	*lbs = SECTOR_SIZE;
	if (!vireo_blk_cread32(vdev, VIREO_BLK_F_BLK_SIZE,
			       VIREO_BLK_CFG(blk_size), &bs))
		return 0;
	if (!is_power_of_2(bs) || bs < SECTOR_SIZE || bs > PAGE_SIZE) {
		dev_err(&vdev->dev, "invalid block size %u\n", bs);
		return -EINVAL;
	}
	*lbs = bs;
	return 0;
}

/* TOPOLOGY: physical block, alignment and I/O sizes; bad values ignored. */
static void vireo_blk_topology(struct vireo_device *vdev,
			       struct vireo_blk_limits *vl)
{
	unsigned int lbs = vl->logical_block_size;
	u8 exp, align;
	u16 min_io;
	u32 opt_io;

	if (!vireo_has_feature(vdev, VIREO_BLK_F_TOPOLOGY) ||
	    vireo_cread8(vdev, VIREO_BLK_CFG(physical_block_exp), &exp) ||
	    vireo_cread8(vdev, VIREO_BLK_CFG(alignment_offset), &align) ||
	    vireo_cread16(vdev, VIREO_BLK_CFG(min_io_size), &min_io) ||
	    vireo_cread32(vdev, VIREO_BLK_CFG(opt_io_size), &opt_io))
		return;
	/*
	 * A physical block beyond 1 MiB is not plausible; keep the defaults.
	 * Test @exp alone first: the device chooses it, and a shift by 64 or
	 * more is undefined.
	 */
	if (exp > ilog2(SZ_1M) || (u64)lbs << exp > SZ_1M ||
	    align >= (1U << exp)) {
		dev_warn(&vdev->dev, "ignoring topology: exp %u alignment %u\n",
			 exp, align);
		return;
	}
	vl->physical_block_size = lbs << exp;
	vl->alignment_offset = lbs * align;
	vl->io_min = min_t(u64, (u64)lbs * min_io, SZ_1G);
	vl->io_opt = min_t(u64, (u64)lbs * opt_io, SZ_1G);
}

/* DISCARD and WRITE_ZEROES limits. */
static void vireo_blk_discard_limits(struct vireo_blk *vblk,
				     struct vireo_blk_limits *vl)
{
	struct vireo_device *vdev = vblk->vdev;
	u32 sectors, segs, align;
	u8 unmap;

	if (vireo_has_feature(vdev, VIREO_BLK_F_DISCARD) &&
	    !vireo_cread32(vdev, VIREO_BLK_CFG(max_discard_sectors), &sectors) &&
	    !vireo_cread32(vdev, VIREO_BLK_CFG(max_discard_seg), &segs) &&
	    !vireo_cread32(vdev, VIREO_BLK_CFG(discard_sector_alignment),
			   &align)) {
		/* The range length is a 32-bit sector count; 0 means "any". */
		vl->max_discard_sectors = sectors ?: U32_MAX;
		vl->max_discard_segments = clamp(segs, 1U,
						 VIREO_BLK_MAX_DISCARD_SEGS);
		vl->discard_granularity =
			max_t(u64, vl->logical_block_size,
			      min_t(u64, (u64)align << VIREO_BLK_SECTOR_SHIFT,
				    SZ_1G));
		if (!is_power_of_2(vl->discard_granularity))
			vl->discard_granularity = vl->logical_block_size;
	}
	if (vireo_has_feature(vdev, VIREO_BLK_F_WRITE_ZEROES) &&
	    !vireo_cread32(vdev, VIREO_BLK_CFG(max_write_zeroes_sectors),
			   &sectors)) {
		vl->max_write_zeroes_sectors = sectors ?: U32_MAX;
		vblk->wz_unmap =
			!vireo_cread8(vdev, VIREO_BLK_CFG(write_zeroes_may_unmap),
				      &unmap) && unmap;
	}
	/* The block layer keeps sector counts of bios in 32-bit bytes. */
	vl->max_discard_sectors = min(vl->max_discard_sectors,
				      UINT_MAX >> VIREO_BLK_SECTOR_SHIFT);
	vl->max_write_zeroes_sectors = min(vl->max_write_zeroes_sectors,
					   UINT_MAX >> VIREO_BLK_SECTOR_SHIFT);
}

/* SEG_MAX (1 without it), capped at VIREO_BLK_MAX_SEGS. */
static u32 vireo_blk_seg_max(struct vireo_device *vdev)
{
	u32 seg_max;

	if (!vireo_blk_cread32(vdev, VIREO_BLK_F_SEG_MAX,
			       VIREO_BLK_CFG(seg_max), &seg_max) || !seg_max)
		return 1;
	return min(seg_max, VIREO_BLK_MAX_SEGS);
}

/*
 * Data segments per request: vireo_blk_seg_max(), no more than the ring
 * can take in one chain, and without indirect descriptors few enough that
 * VIREO_BLK_DIRECT_MIN_DEPTH requests fit the ring at once.
 */
static unsigned int vireo_blk_sg_elems(struct vireo_blk *vblk,
				       unsigned int ring_size)
{
	struct vireo_device *vdev = vblk->vdev;
	unsigned int chain = ring_size;
	u32 seg_max = vireo_blk_seg_max(vdev);
	/* The longest chain a request may take, header and status included. */
	if (!vireo_has_feature(vdev, VIREO_RING_F_INDIRECT_DESC))
		chain = ring_size / VIREO_BLK_DIRECT_MIN_DEPTH;
	if (chain <= VIREO_BLK_EXTRA_SG)
		return 1;
	return clamp_t(u32, seg_max, 1, chain - VIREO_BLK_EXTRA_SG);
}

/* Every queue limit, from the config; fails only on unusable values. */
static int vireo_blk_limits(struct vireo_blk *vblk,
			    struct vireo_blk_limits *vl)
{
	struct vireo_device *vdev = vblk->vdev;
	u32 size_max;
	int err;

	memset(vl, 0, sizeof(*vl));
	err = vireo_blk_block_size(vdev, &vl->logical_block_size);
	if (err)
		return err;
	vl->physical_block_size = vl->logical_block_size;
	vireo_blk_topology(vdev, vl);

	vl->max_segments = vblk->sg_elems;
	vl->max_segment_size = UINT_MAX;
	if (vireo_blk_cread32(vdev, VIREO_BLK_F_SIZE_MAX,
			      VIREO_BLK_CFG(size_max), &size_max)) {
		/* The block layer cannot split below a page. */
		if (size_max < PAGE_SIZE) {
			dev_err(&vdev->dev, "size_max %u is below a page\n",
				size_max);
			return -EINVAL;
		}
		vl->max_segment_size = size_max;
	}
	vl->max_hw_sectors = VIREO_BLK_MAX_HW_SECTORS;
	vireo_blk_discard_limits(vblk, vl);
	vl->write_cache = vblk->writeback;
	/* What the in-kernel driver reports on both kernels. */
	vl->rotational = true;
	return 0;
}

/* BIOS geometry for HDIO_GETGEO, read once. */
static void vireo_blk_read_geometry(struct vireo_blk *vblk)
{
	struct vireo_device *vdev = vblk->vdev;

	vblk->has_geo = vireo_has_feature(vdev, VIREO_BLK_F_GEOMETRY) &&
		!vireo_cread16(vdev, VIREO_BLK_CFG(cylinders), &vblk->cylinders) &&
		!vireo_cread8(vdev, VIREO_BLK_CFG(heads), &vblk->heads) &&
		!vireo_cread8(vdev, VIREO_BLK_CFG(sectors), &vblk->sectors) &&
		vblk->heads && vblk->sectors;
}

/* ---- failing everything ------------------------------------------------ */

static void vireo_blk_schedule_abort(struct vireo_blk *vblk)
{
	if (!vireo_blk_dead(vblk) &&
	    !test_bit(VIREO_BLK_REMOVING, &vblk->state))
		schedule_work(&vblk->abort_work);
}

/* Take back every request the device still holds; it must be reset. */
static void vireo_blk_reclaim(struct vireo_blk *vblk, bool complete)
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
static void vireo_blk_abort(struct vireo_blk *vblk)
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

static void vireo_blk_abort_work(struct work_struct *work)
{
	vireo_blk_abort(container_of(work, struct vireo_blk, abort_work));
}

static bool vireo_blk_any_broken(struct vireo_blk *vblk)
{
	unsigned int i;

	for (i = 0; i < vblk->nvqs; i++)
		if (vireo_vq_is_broken(vblk->vqs[i].vq))
			return true;
	return false;
}

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

static void vireo_blk_free_ranges(struct vireo_blk_req *br)
{
	kfree(br->ranges);
	br->ranges = NULL;
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

	st = vireo_blk_setup_data(vblk, req, br, &nents);
	if (st)
		return st;
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
	st = vireo_blk_setup(vblk, req, br);
	if (st)
		return st;
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
		vireo_blk_schedule_abort(vblk);
	if (err) {
		vireo_blk_free_ranges(br);
		if (err == -EIO)
			vireo_blk_schedule_abort(vblk);
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
		vireo_blk_schedule_abort(vblk);
}

/* .complete: runs on the submitting CPU (or here) after the device's. */
static void vireo_blk_complete_rq(struct request *req)
{
	struct vireo_blk_req *br = blk_mq_rq_to_pdu(req);

	vireo_blk_free_ranges(br);
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
static void vireo_blk_done(struct vireo_virtqueue *vq)
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

	if (done)
		blk_mq_start_stopped_hw_queues(vblk->disk->queue, true);
	if (broken)
		vireo_blk_schedule_abort(vblk);
}

/*
 * A request the device sits on. A healthy device only needs more time; one
 * whose queue broke will never answer, so fail everything outstanding.
 */
static enum blk_eh_timer_return vireo_blk_timeout(struct request *req)
{
	struct vireo_blk *vblk = req->q->queuedata;

	if (vireo_blk_dead(vblk) || vireo_blk_any_broken(vblk))
		vireo_blk_schedule_abort(vblk);
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
	return 0;
}

static const struct blk_mq_ops vireo_blk_mq_ops = {
	.queue_rq	= vireo_blk_queue_rq,
	.init_request	= vireo_blk_init_request,
	.commit_rqs	= vireo_blk_commit_rqs,
	.complete	= vireo_blk_complete_rq,
	.timeout	= vireo_blk_timeout,
	.map_queues	= vireo_blk_map_queues,
};

/* ---- block device operations ------------------------------------------- */

static int vireo_blk_getgeo(struct block_device *bdev, struct hd_geometry *geo)
{
	struct vireo_blk *vblk = bdev->bd_disk->private_data;

	if (vblk->has_geo) {
		geo->cylinders = vblk->cylinders;
		geo->heads = vblk->heads;
		geo->sectors = vblk->sectors;
	} else {
		/* The conventional fake: 64 heads, 32 sectors per track. */
		geo->heads = 64;
		geo->sectors = 32;
		geo->cylinders = get_capacity(bdev->bd_disk) >> 11;
	}
	return 0;
}

/* The last reference to the disk is gone: nothing can reach us any more. */
static void vireo_blk_free_disk(struct gendisk *disk)
{
	struct vireo_blk *vblk = disk->private_data;

	if (!vblk)
		return;
	ida_free(&vireo_blk_ida, vblk->index);
	mutex_destroy(&vblk->cfg_lock);
	kfree(vblk->vqs);
	kfree(vblk);
}

static const struct block_device_operations vireo_blk_fops = {
	.owner		= THIS_MODULE,
	.getgeo		= vireo_blk_getgeo,
	.free_disk	= vireo_blk_free_disk,
};

/* ---- sysfs ------------------------------------------------------------- */

static struct vireo_blk *dev_to_vblk(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

/* Ask the device for its id string (GET_ID) into @id. */
static int vireo_blk_get_id(struct vireo_blk *vblk, char *id)
{
	struct request_queue *q = vblk->disk->queue;
	struct request *req;
	int err;

	req = blk_mq_alloc_request(q, REQ_OP_DRV_IN, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = blk_rq_map_kern(q, req, id, VIREO_BLK_ID_BYTES, GFP_KERNEL);
	if (!err)
		err = blk_status_to_errno(blk_execute_rq(req, false));
	blk_mq_free_request(req);
	return err;
}

static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct vireo_blk *vblk = dev_to_vblk(dev);
	unsigned int i;
	ssize_t ret;
	char *id;
	int err;

	/* The device writes into it: heap memory, not the (vmapped) stack. */
	id = kzalloc(VIREO_BLK_ID_BYTES + 1, GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	err = vireo_blk_get_id(vblk, id);
	if (err) {
		ret = err;
		goto out_free;
	}
	/*
	 * Up to 20 bytes, NUL-terminated only if shorter (id[20] stays 0).
	 * The bytes come from the device: keep sysfs readers' lines intact.
	 */
	for (i = 0; id[i]; i++)
		if (!isprint(id[i]))
			id[i] = '?';
	ret = sysfs_emit(buf, "%s\n", id);
out_free:
	kfree(id);
	return ret;
}
static DEVICE_ATTR_RO(serial);

static const char *const vireo_blk_cache_types[] = {
	"write through", "write back",
};

static ssize_t cache_type_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vireo_blk *vblk = dev_to_vblk(dev);
	bool wb;

	mutex_lock(&vblk->cfg_lock);
	wb = vblk->writeback;
	mutex_unlock(&vblk->cfg_lock);
	return sysfs_emit(buf, "%s\n", vireo_blk_cache_types[wb]);
}

static ssize_t cache_type_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct vireo_blk *vblk = dev_to_vblk(dev);
	struct vireo_device *vdev = vblk->vdev;
	int i, err;
	u8 wce;

	i = sysfs_match_string(vireo_blk_cache_types, buf);
	if (i < 0)
		return i;
	wce = i;

	mutex_lock(&vblk->cfg_lock);
	if (vireo_blk_dead(vblk)) {
		err = -EIO;
		goto out_unlock;
	}
	err = vireo_config_write(vdev, VIREO_BLK_CFG(wce), &wce, sizeof(wce));
	if (err)
		goto out_unlock;
	/* The device decides: believe what it reports back, not the request. */
	vblk->writeback = vireo_blk_cache_mode(vdev);
	err = vireo_blk_set_write_cache(vblk->disk->queue, vblk->writeback);
	if (!err && vblk->writeback != (bool)wce)
		err = -EIO;
out_unlock:
	mutex_unlock(&vblk->cfg_lock);
	return err ?: count;
}
static DEVICE_ATTR_RW(cache_type);

static umode_t vireo_blk_attr_visible(struct kobject *kobj,
				      struct attribute *attr, int n)
{
	struct vireo_blk *vblk = dev_to_vblk(kobj_to_dev(kobj));

	if (attr == &dev_attr_cache_type.attr &&
	    !vireo_has_feature(vblk->vdev, VIREO_BLK_F_CONFIG_WCE))
		return 0444;
	return attr->mode;
}

static struct attribute *vireo_blk_attrs[] = {
	&dev_attr_serial.attr,
	&dev_attr_cache_type.attr,
	NULL,
};

static const struct attribute_group vireo_blk_attr_group = {
	.attrs = vireo_blk_attrs,
	.is_visible = vireo_blk_attr_visible,
};

static const struct attribute_group *vireo_blk_attr_groups[] = {
	&vireo_blk_attr_group,
	NULL,
};

/* ---- config changes ---------------------------------------------------- */

/**
 * vireo_blk_config_changed - the device's config space changed
 * @vdev: the device
 *
 * Picks up a new capacity (e.g. QEMU's block_resize) and tells the block
 * layer, which sends a RESIZE uevent. Also follows a changed cache mode.
 *
 * Context: process context (vireo_core's config work); never concurrent
 * with itself or with remove.
 */
static void vireo_blk_config_changed(struct vireo_device *vdev)
{
	struct vireo_blk *vblk = vdev->priv;
	sector_t cap;
	bool wb;

	mutex_lock(&vblk->cfg_lock);
	if (vireo_blk_dead(vblk))
		goto out_unlock;
	if (!vireo_blk_read_capacity(vblk, &cap) &&
	    cap != get_capacity(vblk->disk)) {
		dev_info(&vdev->dev, "%s: capacity changed from %llu to %llu sectors\n",
			 vblk->disk->disk_name,
			 (unsigned long long)get_capacity(vblk->disk),
			 (unsigned long long)cap);
		set_capacity_and_notify(vblk->disk, cap);
	}
	wb = vireo_blk_cache_mode(vdev);
	if (wb != vblk->writeback &&
	    !vireo_blk_set_write_cache(vblk->disk->queue, wb))
		vblk->writeback = wb;
out_unlock:
	mutex_unlock(&vblk->cfg_lock);
}

/* ---- probe and remove -------------------------------------------------- */

static int vireo_blk_init_vqs(struct vireo_blk *vblk)
{
	unsigned int max_sg = vireo_blk_seg_max(vblk->vdev) + VIREO_BLK_EXTRA_SG;
	struct vireo_virtqueue **vqs;
	struct vireo_vq_info *info;
	unsigned int i;
	int err = -ENOMEM;

	vqs = kcalloc(vblk->nvqs, sizeof(*vqs), GFP_KERNEL);
	info = kcalloc(vblk->nvqs, sizeof(*info), GFP_KERNEL);
	if (!vqs || !info)
		goto out_free;
	for (i = 0; i < vblk->nvqs; i++) {
		spin_lock_init(&vblk->vqs[i].lock);
		snprintf(vblk->vqs[i].name, sizeof(vblk->vqs[i].name),
			 "req.%u", i);
		info[i].name = vblk->vqs[i].name;
		info[i].callback = vireo_blk_done;
		/* Every request then has its indirect table ready. */
		info[i].max_sg = max_sg;
	}
	err = vireo_find_vqs(vblk->vdev, vblk->nvqs, vqs, info);
	if (err)
		goto out_free;
	for (i = 0; i < vblk->nvqs; i++)
		vblk->vqs[i].vq = vqs[i];
out_free:
	kfree(info);
	kfree(vqs);
	return err;
}

/* The smallest ring: all hardware queues share one tag depth. */
static unsigned int vireo_blk_ring_size(struct vireo_blk *vblk)
{
	unsigned int i, num = UINT_MAX;

	for (i = 0; i < vblk->nvqs; i++)
		num = min(num, vireo_vq_get_vring_size(vblk->vqs[i].vq));
	return num;
}

/*
 * Tag depth from the ring size: with indirect descriptors each request
 * takes one ring descriptor; without, up to sg_elems + 2.
 */
static unsigned int vireo_blk_depth(struct vireo_blk *vblk, unsigned int num)
{
	if (vireo_has_feature(vblk->vdev, VIREO_RING_F_INDIRECT_DESC))
		return num;
	return max(1U, num / (vblk->sg_elems + VIREO_BLK_EXTRA_SG));
}

static int vireo_blk_init_tag_set(struct vireo_blk *vblk, unsigned int num)
{
	struct blk_mq_tag_set *set = &vblk->tag_set;

	memset(set, 0, sizeof(*set));
	set->ops = &vireo_blk_mq_ops;
	set->nr_hw_queues = vblk->nvqs;
	set->nr_maps = 1;
	set->queue_depth = min_t(unsigned int, vireo_blk_depth(vblk, num),
				 BLK_MQ_MAX_DEPTH);
	set->numa_node = NUMA_NO_NODE;
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	set->cmd_size = struct_size_t(struct vireo_blk_req, sg, vblk->sg_elems);
	set->driver_data = vblk;
	return blk_mq_alloc_tag_set(set);
}

/* Allocate the disk with the device's limits and fill in its identity. */
static int vireo_blk_init_disk(struct vireo_blk *vblk)
{
	struct vireo_blk_limits vl;
	struct gendisk *disk;
	sector_t cap;
	int err;

	err = vireo_blk_limits(vblk, &vl);
	if (err)
		return err;
	err = vireo_blk_read_capacity(vblk, &cap);
	if (err)
		return err;
	disk = vireo_blk_alloc_disk(&vblk->tag_set, &vl, vblk);
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	disk->major = vireo_blk_major;
	disk->first_minor = vblk->index * VIREO_BLK_MINORS;
	disk->minors = VIREO_BLK_MINORS;
	disk->fops = &vireo_blk_fops;
	snprintf(disk->disk_name, DISK_NAME_LEN, "vblk%d", vblk->index);
	set_capacity(disk, cap);
	if (vireo_has_feature(vblk->vdev, VIREO_BLK_F_RO))
		set_disk_ro(disk, true);
	vblk->disk = disk;
	return 0;
}

static struct vireo_blk *vireo_blk_alloc(struct vireo_device *vdev)
{
	struct vireo_blk *vblk;

	vblk = kzalloc(sizeof(*vblk), GFP_KERNEL);
	if (!vblk)
		return NULL;
	vblk->vdev = vdev;
	mutex_init(&vblk->cfg_lock);
	INIT_WORK(&vblk->abort_work, vireo_blk_abort_work);
	vblk->nvqs = vireo_blk_num_queues(vdev);
	vblk->vqs = kcalloc(vblk->nvqs, sizeof(*vblk->vqs), GFP_KERNEL);
	if (!vblk->vqs) {
		kfree(vblk);
		return NULL;
	}
	return vblk;
}

/**
 * vireo_blk_probe - bind to a block device and add its disk
 * @vdev: the device
 *
 * Context: process context.
 * Return: 0, or a negative errno with everything undone.
 */
static int vireo_blk_probe(struct vireo_device *vdev)
{
	struct vireo_blk *vblk;
	unsigned int num;
	int err;

	vblk = vireo_blk_alloc(vdev);
	if (!vblk)
		return -ENOMEM;
	vblk->index = ida_alloc_max(&vireo_blk_ida,
				    (MINORMASK + 1) / VIREO_BLK_MINORS - 1,
				    GFP_KERNEL);
	if (vblk->index < 0) {
		err = vblk->index;
		goto err_free_vblk;
	}
	vblk->writeback = vireo_blk_cache_mode(vdev);
	vireo_blk_read_geometry(vblk);

	/* The callbacks find the state here; set before any queue exists. */
	vdev->priv = vblk;
	err = vireo_blk_init_vqs(vblk);
	if (err)
		goto err_free_index;
	num = vireo_blk_ring_size(vblk);
	/* The smallest request is a header, one segment and the status. */
	if (num < VIREO_BLK_EXTRA_SG + 1) {
		dev_err(&vdev->dev, "ring of %u entries is too small\n", num);
		err = -EINVAL;
		goto err_del_vqs;
	}
	vblk->sg_elems = vireo_blk_sg_elems(vblk, num);
	err = vireo_blk_init_tag_set(vblk, num);
	if (err)
		goto err_del_vqs;
	err = vireo_blk_init_disk(vblk);
	if (err)
		goto err_free_tag_set;

	/* Adding the disk reads the partition table: the queues must work. */
	vireo_device_ready(vdev);
	/* From here on .free_disk owns vblk. */
	vblk->disk->private_data = vblk;
	err = device_add_disk(&vdev->dev, vblk->disk, vireo_blk_attr_groups);
	if (err)
		goto err_put_disk;
	dev_info(&vdev->dev, "%s: %llu sectors, %u queue(s) of depth %u, %u segments\n",
		 vblk->disk->disk_name,
		 (unsigned long long)get_capacity(vblk->disk), vblk->nvqs,
		 vblk->tag_set.queue_depth, vblk->sg_elems);
	return 0;

err_put_disk:
	/* Not added, so .free_disk must not free vblk under us. */
	vblk->disk->private_data = NULL;
	vireo_reset_device(vdev);
	vireo_blk_reclaim(vblk, false);
	put_disk(vblk->disk);
err_free_tag_set:
	blk_mq_free_tag_set(&vblk->tag_set);
err_del_vqs:
	vireo_reset_device(vdev);
	vireo_del_vqs(vdev);
err_free_index:
	vdev->priv = NULL;
	ida_free(&vireo_blk_ida, vblk->index);
err_free_vblk:
	mutex_destroy(&vblk->cfg_lock);
	kfree(vblk->vqs);
	kfree(vblk);
	return err;
}

/**
 * vireo_blk_remove - unbind, with I/O in flight or after a surprise removal
 * @vdev: the device
 *
 * 1. If a queue is broken (the transport found the device gone, or the
 *    ring caught it misbehaving), its requests will never complete: fail
 *    them all now, or del_gendisk() would wait for them forever.
 * 2. del_gendisk(): new I/O fails, and it waits for requests in flight,
 *    which a working device completes.
 * 3. No abort may start after that; wait for one that is running.
 * 4. Reset the device; only then are the rings ours to take apart.
 * 5. The disk itself lives on while it is open; .free_disk frees vblk.
 *
 * Context: process context.
 */
static void vireo_blk_remove(struct vireo_device *vdev)
{
	struct vireo_blk *vblk = vdev->priv;

	if (vireo_blk_any_broken(vblk))
		vireo_blk_abort(vblk);
	del_gendisk(vblk->disk);
	set_bit(VIREO_BLK_REMOVING, &vblk->state);
	cancel_work_sync(&vblk->abort_work);
	blk_mq_free_tag_set(&vblk->tag_set);

	mutex_lock(&vblk->cfg_lock);
	vireo_reset_device(vdev);
	vireo_blk_reclaim(vblk, false);
	vireo_del_vqs(vdev);
	vblk->vdev = NULL;
	mutex_unlock(&vblk->cfg_lock);
	vdev->priv = NULL;
	put_disk(vblk->disk);
}

static const unsigned int vireo_blk_features[] = {
	VIREO_BLK_F_SIZE_MAX, VIREO_BLK_F_SEG_MAX, VIREO_BLK_F_GEOMETRY,
	VIREO_BLK_F_RO, VIREO_BLK_F_BLK_SIZE, VIREO_BLK_F_FLUSH,
	VIREO_BLK_F_TOPOLOGY, VIREO_BLK_F_CONFIG_WCE, VIREO_BLK_F_MQ,
	VIREO_BLK_F_DISCARD, VIREO_BLK_F_WRITE_ZEROES,
};

static const struct vireo_device_id vireo_blk_id_table[] = {
	{ VIREO_ID_BLOCK, VIREO_DEV_ANY_ID },
	{ 0 },
};

static struct vireo_driver vireo_blk_driver = {
	.driver.name		= "vireo_blk",
	.id_table		= vireo_blk_id_table,
	.feature_table		= vireo_blk_features,
	.feature_table_size	= ARRAY_SIZE(vireo_blk_features),
	.probe			= vireo_blk_probe,
	.remove			= vireo_blk_remove,
	.config_changed		= vireo_blk_config_changed,
};

static int __init vireo_blk_init(void)
{
	int err;

	vireo_blk_major = register_blkdev(0, "vireo_blk");
	if (vireo_blk_major < 0)
		return vireo_blk_major;
	err = vireo_register_driver(&vireo_blk_driver);
	if (err)
		unregister_blkdev(vireo_blk_major, "vireo_blk");
	return err;
}

static void __exit vireo_blk_exit(void)
{
	vireo_unregister_driver(&vireo_blk_driver);
	unregister_blkdev(vireo_blk_major, "vireo_blk");
	ida_destroy(&vireo_blk_ida);
}

module_init(vireo_blk_init);
module_exit(vireo_blk_exit);

VIREO_IMPORT_NS();
/* The bus's modalias is "vireo:d%08Xv%08X"; this lets modprobe find us. */
MODULE_ALIAS("vireo:d00000002v*");
MODULE_DESCRIPTION("vireo block device driver");
MODULE_LICENSE("GPL");
