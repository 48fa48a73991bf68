// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_ring: a queue's life: its ring memory, its private state and
 * preallocated indirect tables, destruction, which ring features a device
 * may negotiate, and the module (vireo_vq.c moves the buffers).
 *
 * See Documentation/ring.rst.
 */

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <asm/barrier.h>
#include <vireo/transport.h>
#include "vireo_ring.h"

static bool indirect = true;
module_param(indirect, bool, 0444);
MODULE_PARM_DESC(indirect,
		 "Let devices negotiate indirect descriptors (default: true)");

/*
 * Indirect tables allocated per buffer, over all queues: the slow path a
 * driver avoids by declaring max_sg. Exposed read-only in debugfs as
 * vireo_ring/indirect_allocs so that benchmarks can report allocations
 * per request; only the slow path pays for the count.
 */
atomic_t vireo_indir_allocs = ATOMIC_INIT(0);
static struct dentry *vireo_ring_debugfs;

static bool event_idx = true;
module_param(event_idx, bool, 0444);
MODULE_PARM_DESC(event_idx,
		 "Let devices negotiate event indices (default: true)");

/* A ring of @num entries, used ring aligned to @align: can we build it? */
static bool vireo_vring_args_ok(unsigned int num, unsigned int align)
{
	return num && num <= VIREO_VRING_MAX_NUM && is_power_of_2(num) &&
	       align >= VIREO_MIN_ALIGN && is_power_of_2(align);
}

/* Allocate zeroed, physically contiguous ring memory and lay it out. */
static int vireo_vring_alloc(struct vireo_vq *vvq, unsigned int num,
			     unsigned int align)
{
	size_t bytes = vireo_vring_size(num, align);
	void *mem = alloc_pages_exact(bytes, GFP_KERNEL | __GFP_ZERO);

	if (!mem)
		return -ENOMEM;
	/*
	 * The device aligns the physical address to find the used ring,
	 * vireo_vring_init() the virtual one: both must start aligned. The
	 * block is aligned to its allocation order, which exceeds any @align
	 * smaller than the ring, so this cannot fail in practice.
	 */
	if (!IS_ALIGNED((unsigned long)mem, align) ||
	    !IS_ALIGNED(virt_to_phys(mem), align)) {
		free_pages_exact(mem, bytes);
		return -EINVAL;
	}
	vvq->ring_mem = mem;
	vvq->ring_bytes = bytes;
	vireo_vring_init(&vvq->vring, num, mem, align);
	return 0;
}

/* Every descriptor starts on the free list, in index order. */
static void vireo_vq_init_free_list(struct vireo_vq *vvq)
{
	unsigned int num = vvq->vring.num;
	unsigned int i;

	for (i = 0; i < num - 1; i++)
		vvq->next[i] = i + 1;
	vvq->next[num - 1] = VIREO_DESC_END;
	vvq->free_head = 0;
	vvq->vq.num_free = num;
}

/*
 * Preallocate an indirect table of @info->max_sg entries for as many heads
 * as @info->max_bufs needs and VIREO_INDIR_POOL_MAX allows, in one
 * physically contiguous block so that a table's address is a plain offset.
 * If memory is fragmented, fewer heads get one; with none, every indirect
 * table is allocated per buffer.
 */
static void vireo_vq_alloc_pool(struct vireo_vq *vvq,
				const struct vireo_vq_info *info)
{
	unsigned int heads, max_sg = info->max_sg;
	size_t table;

	if (!vvq->use_indirect || max_sg < 2)
		return;
	max_sg = min(max_sg, VIREO_VRING_MAX_NUM);
	table = max_sg * sizeof(*vvq->pool);
	heads = vvq->vring.num;
	/*
	 * The free list is LIFO: with at most max_bufs buffers of one
	 * descriptor each in flight, only the first max_bufs heads are ever
	 * used, so they are the only ones that need a table.
	 */
	if (info->max_bufs)
		heads = min(heads, info->max_bufs);
	heads = min_t(size_t, heads, VIREO_INDIR_POOL_MAX / table);
	for (; heads; heads /= 2) {
		vvq->pool = alloc_pages_exact(heads * table,
					      GFP_KERNEL | __GFP_NOWARN);
		if (vvq->pool)
			break;
	}
	if (!vvq->pool)
		return;
	vvq->pool_bytes = heads * table;
	vvq->pool_heads = heads;
	vvq->pool_sg = max_sg;
}

/**
 * vireo_vring_create - create a virtqueue and its ring memory
 * @vdev: the device; its negotiated features decide whether indirect
 *	descriptors and event indices are used, so they must be final
 * @index: the queue's number on the device
 * @num: ring size: a power of two from 1 to 32768
 * @align: alignment of the used ring: a power of two, at least 4
 *	(legacy PCI uses VIREO_VRING_LEGACY_ALIGN)
 * @notify: the transport's kick; returns false if the device is gone
 * @info: the driver's name, callback and longest buffer for the queue
 *	(&vireo_vq_info); the name must stay valid as long as the queue. A
 *	queue without a callback is polled and starts with interrupts
 *	suppressed (see vireo_vq_disable_cb()).
 *
 * The ring memory is zeroed, physically contiguous and aligned to at least
 * @align; the transport tells the device vireo_vring_phys(). With indirect
 * descriptors and a @info->max_sg of 2 or more, indirect tables are
 * preallocated too, at most 2 MiB of them (Documentation/ring.rst). The
 * new queue's list entry belongs to the transport.
 *
 * Context: Process context; sleeps.
 * Return: the new queue, or ERR_PTR(-EINVAL) for a bad @num, @align or a
 * NULL @notify or @info, or ERR_PTR(-ENOMEM).
 */
struct vireo_virtqueue *vireo_vring_create(struct vireo_device *vdev,
					   unsigned int index,
					   unsigned int num,
					   unsigned int align,
					   bool (*notify)(struct vireo_virtqueue *),
					   const struct vireo_vq_info *info)
{
	struct vireo_vq *vvq;
	int err;

	if (!vireo_vring_args_ok(num, align) || !notify || !info)
		return ERR_PTR(-EINVAL);
	vvq = kvzalloc(struct_size(vvq, heads, num), GFP_KERNEL);
	if (!vvq)
		return ERR_PTR(-ENOMEM);
	vvq->next = kvcalloc(num, sizeof(*vvq->next), GFP_KERNEL);
	if (!vvq->next) {
		err = -ENOMEM;
		goto err_free_vq;
	}
	err = vireo_vring_alloc(vvq, num, align);
	if (err)
		goto err_free_next;

	INIT_LIST_HEAD(&vvq->vq.list);
	vvq->vq.callback = info->callback;
	vvq->vq.name = info->name;
	vvq->vq.vdev = vdev;
	vvq->vq.index = index;
	vvq->notify = notify;
	vvq->exact_len = info->exact_len;
	vvq->use_indirect = vdev->features & BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	vvq->use_event_idx = vdev->features & BIT_ULL(VIREO_RING_F_EVENT_IDX);
	/* Only an indirect table can hold a chain longer than the ring. */
	vvq->max_chain = vvq->use_indirect ? VIREO_VRING_MAX_NUM : num;
	vvq->min_indirect = vvq->use_indirect ? 1 : UINT_MAX;
	vireo_vq_set_cb(vvq, true);
	vireo_vq_init_free_list(vvq);
	vireo_vq_alloc_pool(vvq, info);
	if (!info->callback)
		vireo_vq_disable_cb(&vvq->vq);
	return &vvq->vq;

err_free_next:
	kvfree(vvq->next);
err_free_vq:
	kvfree(vvq);
	return ERR_PTR(err);
}

VIREO_EXPORT(vireo_vring_create);

/**
 * vireo_vring_destroy - free a virtqueue and its ring memory
 * @vq: the queue, or NULL
 *
 * The device must no longer use the ring (reset it, or tell it the queue
 * is gone, first). Buffers still in flight should have been reclaimed with
 * vireo_vq_shutdown(); if not, their tokens are lost (a message says so)
 * but the ring's own memory is freed.
 *
 * Context: Process context.
 */
void vireo_vring_destroy(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq;
	unsigned int i;

	if (!vq)
		return;
	vvq = to_vvq(vq);
	if (vvq->in_flight)
		dev_warn(&vq->vdev->dev, "queue %u (%s): destroyed with %u buffers in flight\n",
			 vq->index, vq->name ?: "?", vvq->in_flight);
	for (i = 0; i < vvq->vring.num; i++)
		kfree(vvq->heads[i].indir);
	if (vvq->pool)
		free_pages_exact(vvq->pool, vvq->pool_bytes);
	free_pages_exact(vvq->ring_mem, vvq->ring_bytes);
	kvfree(vvq->next);
	kvfree(vvq);
}

VIREO_EXPORT(vireo_vring_destroy);

/**
 * vireo_vring_phys - where the ring starts in guest-physical memory
 * @vq: the queue
 *
 * Context: Any context.
 * Return: the physical address of the descriptor table, aligned to at
 * least the @align given to vireo_vring_create().
 */
phys_addr_t vireo_vring_phys(const struct vireo_virtqueue *vq)
{
	return virt_to_phys(to_cvvq(vq)->ring_mem);
}

VIREO_EXPORT(vireo_vring_phys);

/**
 * vireo_vring_bytes - the size of a queue's ring memory
 * @vq: the queue
 *
 * Context: Any context.
 * Return: vireo_vring_size() of the queue's size and alignment.
 */
size_t vireo_vring_bytes(const struct vireo_virtqueue *vq)
{
	return to_cvvq(vq)->ring_bytes;
}

VIREO_EXPORT(vireo_vring_bytes);

/* Does the ring implement transport feature @bit (and may use it)? */
static bool vireo_ring_supports(unsigned int bit)
{
	switch (bit) {
	case VIREO_RING_F_INDIRECT_DESC:
		return indirect;
	case VIREO_RING_F_EVENT_IDX:
		return event_idx;
	default:
		return false;
	}
}

/**
 * vireo_vring_transport_features - drop transport features the ring lacks
 * @vdev: the device whose features are being negotiated
 *
 * Clears every bit from VIREO_TRANSPORT_F_START up to (not including)
 * VIREO_TRANSPORT_F_END in @vdev->features, except the ring features this
 * module implements and was not told to refuse with its ``indirect`` and
 * ``event_idx`` parameters. Bits outside that range are left alone.
 *
 * Context: Any context; called by the transport while negotiating, before
 * any queue of @vdev is created.
 */
void vireo_vring_transport_features(struct vireo_device *vdev)
{
	unsigned int bit;

	for (bit = VIREO_TRANSPORT_F_START; bit < VIREO_TRANSPORT_F_END; bit++)
		if (!vireo_ring_supports(bit))
			vdev->features &= ~BIT_ULL(bit);
}

VIREO_EXPORT(vireo_vring_transport_features);

static int __init vireo_ring_init(void)
{
	/* Statistics only: the ring works without them. */
	vireo_ring_debugfs = debugfs_create_dir("vireo_ring", NULL);
	debugfs_create_atomic_t("indirect_allocs", 0444, vireo_ring_debugfs,
				&vireo_indir_allocs);
	return 0;
}

static void __exit vireo_ring_exit(void)
{
	debugfs_remove(vireo_ring_debugfs);
}

module_init(vireo_ring_init);
module_exit(vireo_ring_exit);

MODULE_DESCRIPTION("vireo split virtqueue");
MODULE_LICENSE("GPL");
