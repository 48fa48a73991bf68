// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_blk: the device's config space, read once at probe into queue
 * limits the block layer can honour, re-read on a config change; and the
 * disk's sysfs attributes (serial, cache_type).
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

/* ---- config ------------------------------------------------------------ */

/* Read a u32 config field if @fbit was negotiated; false if not or absent. */
static bool vireo_blk_cread32(struct vireo_device *vdev, unsigned int fbit,
			      unsigned int offset, u32 *val)
{
	return vireo_has_feature(vdev, fbit) &&
	       !vireo_cread32(vdev, offset, val);
}

/* The write cache mode the device is in now. */
bool vireo_blk_cache_mode(struct vireo_device *vdev)
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
int vireo_blk_read_capacity(struct vireo_blk *vblk, sector_t *cap)
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
unsigned int vireo_blk_num_queues(struct vireo_device *vdev)
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

/*
 * A device's sector limit for discard or write-zeroes as the block layer
 * can honour it: at most what a bio's 32-bit byte count holds, and whole
 * logical blocks, since the block layer splits at exactly this many
 * sectors. 0 (no limit) means the largest; a result of 0 means not even
 * one block fits.
 */
static u32 vireo_blk_whole_blocks(u32 sectors, unsigned int lbs)
{
	u32 per_block = lbs >> VIREO_BLK_SECTOR_SHIFT;

	sectors = min_t(u32, sectors ?: U32_MAX,
			UINT_MAX >> VIREO_BLK_SECTOR_SHIFT);
	return rounddown(sectors, per_block);
}

/* Turn a feature off, saying why once. */
static void vireo_blk_limit_off(struct vireo_blk *vblk, const char *what,
				u32 sectors, unsigned int lbs)
{
	dev_warn(&vblk->vdev->dev, "%s limit of %u sectors is below one %u-byte block; %s off\n",
		 what, sectors, lbs, what);
}

/* DISCARD: the limits, and a granularity one discard can always cover. */
static void vireo_blk_discard_limits(struct vireo_blk *vblk,
				     struct vireo_blk_limits *vl)
{
	unsigned int lbs = vl->logical_block_size;
	struct vireo_device *vdev = vblk->vdev;
	u32 sectors, segs, align, max;
	u64 gran;

	if (!vireo_has_feature(vdev, VIREO_BLK_F_DISCARD) ||
	    vireo_cread32(vdev, VIREO_BLK_CFG(max_discard_sectors), &sectors) ||
	    vireo_cread32(vdev, VIREO_BLK_CFG(max_discard_seg), &segs) ||
	    vireo_cread32(vdev, VIREO_BLK_CFG(discard_sector_alignment), &align))
		return;
	max = vireo_blk_whole_blocks(sectors, lbs);
	if (!max) {
		vireo_blk_limit_off(vblk, "discard", sectors, lbs);
		return;
	}
	gran = max_t(u64, lbs, min_t(u64, (u64)align << VIREO_BLK_SECTOR_SHIFT,
				     SZ_1G));
	if (!is_power_of_2(gran))
		gran = lbs;
	/*
	 * The block layer splits discards into multiples of the granularity
	 * no larger than the limit; a granularity above the limit leaves it
	 * nothing to split to, and the device fails every discard.
	 */
	gran = min_t(u64, gran,
		     rounddown_pow_of_two((u64)max << VIREO_BLK_SECTOR_SHIFT));
	vl->max_discard_sectors = max;
	vl->max_discard_segments = clamp(segs, 1U, VIREO_BLK_MAX_DISCARD_SEGS);
	vl->discard_granularity = gran;
}

/* WRITE_ZEROES: whole logical blocks, or not at all. */
static void vireo_blk_write_zeroes_limits(struct vireo_blk *vblk,
					  struct vireo_blk_limits *vl)
{
	unsigned int lbs = vl->logical_block_size;
	struct vireo_device *vdev = vblk->vdev;
	u32 sectors;
	u8 unmap;

	if (!vireo_has_feature(vdev, VIREO_BLK_F_WRITE_ZEROES) ||
	    vireo_cread32(vdev, VIREO_BLK_CFG(max_write_zeroes_sectors),
			  &sectors))
		return;
	vl->max_write_zeroes_sectors = vireo_blk_whole_blocks(sectors, lbs);
	if (!vl->max_write_zeroes_sectors) {
		vireo_blk_limit_off(vblk, "write-zeroes", sectors, lbs);
		return;
	}
	vblk->wz_unmap =
		!vireo_cread8(vdev, VIREO_BLK_CFG(write_zeroes_may_unmap),
			      &unmap) && unmap;
}

/* SEG_MAX (1 without it), capped at VIREO_BLK_MAX_SEGS. */
u32 vireo_blk_seg_max(struct vireo_device *vdev)
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
unsigned int vireo_blk_sg_elems(struct vireo_blk *vblk,
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
int vireo_blk_limits(struct vireo_blk *vblk,
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
	vireo_blk_write_zeroes_limits(vblk, vl);
	vl->write_cache = vblk->writeback;
	/* What the in-kernel driver reports on both kernels. */
	vl->rotational = true;
	return 0;
}

/* BIOS geometry for HDIO_GETGEO, read once. */
void vireo_blk_read_geometry(struct vireo_blk *vblk)
{
	struct vireo_device *vdev = vblk->vdev;

	vblk->has_geo = vireo_has_feature(vdev, VIREO_BLK_F_GEOMETRY) &&
		!vireo_cread16(vdev, VIREO_BLK_CFG(cylinders), &vblk->cylinders) &&
		!vireo_cread8(vdev, VIREO_BLK_CFG(heads), &vblk->heads) &&
		!vireo_cread8(vdev, VIREO_BLK_CFG(sectors), &vblk->sectors) &&
		vblk->heads && vblk->sectors;
}

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

/*
 * Writes could sit in a volatile cache that nothing flushes: refuse them
 * rather than lose them. Said once per disk; the caller holds @cfg_lock
 * or is probe.
 */
static void vireo_blk_cache_unsafe(struct vireo_blk *vblk)
{
	if (get_disk_ro(vblk->disk))
		return;
	dev_err(&vblk->vdev->dev, "%s: device keeps a write-back cache that would not be flushed; read-only\n",
		vblk->disk->disk_name);
	set_disk_ro(vblk->disk, true);
}

/**
 * vireo_blk_follow_cache - make the queue flush for what the device does
 * @vblk: the device state
 * @wb: the device's cache mode now (vireo_blk_cache_mode())
 *
 * If the block layer takes the new mode, @vblk->writeback follows. If it
 * refuses, the queue keeps flushing (or not) as before, so the device is
 * put back into the queue's mode; should it stay in write-back while the
 * queue sends no flushes, the disk becomes read-only.
 *
 * Context: process context; caller holds @vblk->cfg_lock.
 */
void vireo_blk_follow_cache(struct vireo_blk *vblk, bool wb)
{
	struct vireo_device *vdev = vblk->vdev;
	u8 wce = vblk->writeback;

	if (wb == vblk->writeback)
		return;
	if (!vireo_blk_set_write_cache(vblk->disk->queue, wb)) {
		vblk->writeback = wb;
		return;
	}
	if (vireo_has_feature(vdev, VIREO_BLK_F_CONFIG_WCE))
		vireo_config_write(vdev, VIREO_BLK_CFG(wce), &wce, sizeof(wce));
	if (!vblk->writeback && vireo_blk_cache_mode(vdev))
		vireo_blk_cache_unsafe(vblk);
}

/**
 * vireo_blk_check_cache - never start with a cache nothing flushes
 * @vblk: the device state, with its disk allocated
 *
 * With CONFIG_WCE but not FLUSH the device may start in write-back, yet
 * there is no command to write its cache out. Switch it to write-through;
 * if it will not go, the disk is read-only.
 *
 * Context: process context (probe).
 */
void vireo_blk_check_cache(struct vireo_blk *vblk)
{
	struct vireo_device *vdev = vblk->vdev;
	u8 wce = 0;

	if (vireo_has_feature(vdev, VIREO_BLK_F_FLUSH) ||
	    !vireo_has_feature(vdev, VIREO_BLK_F_CONFIG_WCE) ||
	    (!vireo_cread8(vdev, VIREO_BLK_CFG(wce), &wce) && !wce))
		return;
	wce = 0;
	if (vireo_config_write(vdev, VIREO_BLK_CFG(wce), &wce, sizeof(wce)) ||
	    vireo_cread8(vdev, VIREO_BLK_CFG(wce), &wce) || wce)
		vireo_blk_cache_unsafe(vblk);
}

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

	/* Without FLUSH nothing could ever write a write-back cache out. */
	if (wce && !vireo_has_feature(vdev, VIREO_BLK_F_FLUSH))
		return -EINVAL;

	mutex_lock(&vblk->cfg_lock);
	if (vireo_blk_dead(vblk)) {
		err = -EIO;
		goto out_unlock;
	}
	err = vireo_config_write(vdev, VIREO_BLK_CFG(wce), &wce, sizeof(wce));
	if (err)
		goto out_unlock;
	/* The device decides: believe what it reports back, not the request. */
	vireo_blk_follow_cache(vblk, vireo_blk_cache_mode(vdev));
	if (vblk->writeback != (bool)wce)
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

const struct attribute_group *vireo_blk_attr_groups[] = {
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
void vireo_blk_config_changed(struct vireo_device *vdev)
{
	struct vireo_blk *vblk = vdev->priv;
	sector_t cap;

	mutex_lock(&vblk->cfg_lock);
	/* A device that failed or vanished reads all ones: believe none. */
	if (vireo_blk_failed(vblk))
		goto out_unlock;
	if (!vireo_blk_read_capacity(vblk, &cap) &&
	    cap != get_capacity(vblk->disk)) {
		/* A flapping capacity must not flood the log. */
		dev_info_ratelimited(&vdev->dev, "%s: capacity changed from %llu to %llu sectors\n",
				     vblk->disk->disk_name,
				     (unsigned long long)get_capacity(vblk->disk),
				     (unsigned long long)cap);
		set_capacity_and_notify(vblk->disk, cap);
	}
	vireo_blk_follow_cache(vblk, vireo_blk_cache_mode(vdev));
out_unlock:
	mutex_unlock(&vblk->cfg_lock);
}
