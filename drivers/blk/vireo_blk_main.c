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
#include "vireo_blk.h"

static int vireo_blk_major;
static DEFINE_IDA(vireo_blk_ida);

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
	mutex_destroy(&vblk->recover_mutex);
	kfree(vblk->vqs);
	kfree(vblk);
}

static const struct block_device_operations vireo_blk_fops = {
	.owner		= THIS_MODULE,
	.getgeo		= vireo_blk_getgeo,
	.free_disk	= vireo_blk_free_disk,
};

/* ---- probe and remove -------------------------------------------------- */

/*
 * Create the request queues: at probe, and again when recovery re-creates
 * them after a reset. Their locks and names are set up once, in
 * vireo_blk_alloc().
 */
int vireo_blk_init_vqs(struct vireo_blk *vblk)
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
		info[i].name = vblk->vqs[i].name;
		info[i].callback = vireo_blk_done;
		/*
		 * Every request then has its indirect table ready, and
		 * only as many heads as requests in flight get one.
		 */
		info[i].max_sg = max_sg;
		info[i].max_bufs = VIREO_BLK_MAX_DEPTH;
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
unsigned int vireo_blk_ring_size(struct vireo_blk *vblk)
{
	unsigned int i, num = UINT_MAX;

	for (i = 0; i < vblk->nvqs; i++)
		num = min(num, vireo_vq_get_vring_size(vblk->vqs[i].vq));
	return num;
}

/*
 * Tag depth from the ring size: with indirect descriptors each request
 * takes one ring descriptor; without, up to sg_elems + 2. Never more than
 * VIREO_BLK_MAX_DEPTH, whatever ring the device offers: see vireo_blk.h.
 */
static unsigned int vireo_blk_depth(struct vireo_blk *vblk, unsigned int num)
{
	if (!vireo_has_feature(vblk->vdev, VIREO_RING_F_INDIRECT_DESC))
		num = max(1U, num / (vblk->sg_elems + VIREO_BLK_EXTRA_SG));
	return min(num, VIREO_BLK_MAX_DEPTH);
}

/*
 * The scatterlists long requests borrow: VIREO_BLK_SLOTS per hardware
 * queue, each for the longest request. None if no request can be long.
 */
static int vireo_blk_init_slots(struct vireo_blk *vblk)
{
	struct vireo_blk_vq *bvq;
	unsigned int i, s;

	if (vblk->sg_elems <= VIREO_BLK_INLINE_SEGS)
		return 0;
	for (i = 0; i < vblk->nvqs; i++) {
		bvq = &vblk->vqs[i];
		bvq->slot_sg = kvcalloc(VIREO_BLK_SLOTS * vblk->sg_elems,
					sizeof(*bvq->slot_sg), GFP_KERNEL);
		if (!bvq->slot_sg)
			return -ENOMEM;
		for (s = 0; s < VIREO_BLK_SLOTS; s++)
			bvq->free_slots[s] = s;
		bvq->nr_free = VIREO_BLK_SLOTS;
	}
	return 0;
}

/* Every slot is back once no request is in flight. */
static void vireo_blk_free_slots(struct vireo_blk *vblk)
{
	unsigned int i;

	for (i = 0; i < vblk->nvqs; i++) {
		kvfree(vblk->vqs[i].slot_sg);
		vblk->vqs[i].slot_sg = NULL;
		vblk->vqs[i].nr_free = 0;
	}
}

static int vireo_blk_init_tag_set(struct vireo_blk *vblk, unsigned int num)
{
	struct blk_mq_tag_set *set = &vblk->tag_set;

	memset(set, 0, sizeof(*set));
	set->ops = &vireo_blk_mq_ops;
	set->nr_hw_queues = vblk->nvqs;
	set->nr_maps = 1;
	set->queue_depth = vireo_blk_depth(vblk, num);
	set->numa_node = NUMA_NO_NODE;
	set->flags = BLK_MQ_F_SHOULD_MERGE;
	set->cmd_size = sizeof(struct vireo_blk_req);
	set->timeout = VIREO_BLK_PROBE_TIMEOUT;
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
	unsigned int i;

	vblk = kzalloc(sizeof(*vblk), GFP_KERNEL);
	if (!vblk)
		return NULL;
	vblk->vdev = vdev;
	mutex_init(&vblk->cfg_lock);
	vireo_blk_recovery_init(vblk);
	vblk->nvqs = vireo_blk_num_queues(vdev);
	vblk->vqs = kcalloc(vblk->nvqs, sizeof(*vblk->vqs), GFP_KERNEL);
	if (!vblk->vqs) {
		kfree(vblk);
		return NULL;
	}
	for (i = 0; i < vblk->nvqs; i++) {
		spin_lock_init(&vblk->vqs[i].lock);
		spin_lock_init(&vblk->vqs[i].slot_lock);
		snprintf(vblk->vqs[i].name, sizeof(vblk->vqs[i].name),
			 "req.%u", i);
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
	vblk->ring_size = num;
	vblk->sg_elems = vireo_blk_sg_elems(vblk, num);
	err = vireo_blk_init_slots(vblk);
	if (err)
		goto err_free_slots;
	err = vireo_blk_init_tag_set(vblk, num);
	if (err)
		goto err_free_slots;
	err = vireo_blk_init_disk(vblk);
	if (err)
		goto err_free_tag_set;

	/*
	 * The disk exists: a failure or a stall may be acted on from now,
	 * before the partition table is read through the queues.
	 */
	vireo_blk_arm(vblk);
	vireo_blk_check_cache(vblk);
	vireo_device_ready(vdev);
	/* From here on .free_disk owns vblk. */
	vblk->disk->private_data = vblk;
	err = device_add_disk(&vdev->dev, vblk->disk, vireo_blk_attr_groups);
	if (err)
		goto err_put_disk;
	blk_queue_rq_timeout(vblk->disk->queue, VIREO_BLK_IO_TIMEOUT);
	dev_info(&vdev->dev, "%s: %llu sectors, %u queue(s) of depth %u, %u segments\n",
		 vblk->disk->disk_name,
		 (unsigned long long)get_capacity(vblk->disk), vblk->nvqs,
		 vblk->tag_set.queue_depth, vblk->sg_elems);
	return 0;

err_put_disk:
	/* Not added, so .free_disk must not free vblk under us. */
	vblk->disk->private_data = NULL;
	vireo_blk_disarm(vblk);
	vireo_reset_device(vdev);
	vireo_blk_reclaim(vblk, VIREO_BLK_FORGET);
	put_disk(vblk->disk);
err_free_tag_set:
	blk_mq_free_tag_set(&vblk->tag_set);
err_free_slots:
	vireo_blk_free_slots(vblk);
err_del_vqs:
	vireo_reset_device(vdev);
	vireo_del_vqs(vdev);
err_free_index:
	vdev->priv = NULL;
	ida_free(&vireo_blk_ida, vblk->index);
err_free_vblk:
	mutex_destroy(&vblk->cfg_lock);
	mutex_destroy(&vblk->recover_mutex);
	kfree(vblk->vqs);
	kfree(vblk);
	return err;
}

/**
 * vireo_blk_remove - unbind, with I/O in flight or after a surprise removal
 * @vdev: the device
 *
 * 1. vireo_blk_drain(): requests in flight get one io_timeout to finish;
 *    a broken queue (the device is gone, or broke a rule) or a device
 *    that still does not answer is aborted, failing them. Otherwise
 *    del_gendisk() would wait for them for ever.
 * 2. del_gendisk(): new I/O fails, and it waits for requests in flight.
 * 3. Disarm recovery: none is queued or running afterwards, and none can
 *    be queued again.
 * 4. Reset the device; only then are the rings, and the requests' memory
 *    the device may still write, ours to take apart.
 * 5. The disk itself lives on while it is open; .free_disk frees vblk.
 *
 * Context: process context; returns within about one io_timeout even if
 * the device never answers.
 */
static void vireo_blk_remove(struct vireo_device *vdev)
{
	struct vireo_blk *vblk = vdev->priv;
	unsigned int n;

	vireo_blk_drain(vblk);
	del_gendisk(vblk->disk);
	vireo_blk_disarm(vblk);

	mutex_lock(&vblk->cfg_lock);
	vireo_reset_device(vdev);
	n = vireo_blk_reclaim(vblk, VIREO_BLK_FORGET);
	if (n)
		dev_warn(&vdev->dev, "%u requests left on the queues at removal\n",
			 n);
	vireo_del_vqs(vdev);
	vblk->vdev = NULL;
	mutex_unlock(&vblk->cfg_lock);
	blk_mq_free_tag_set(&vblk->tag_set);
	vireo_blk_free_slots(vblk);
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
