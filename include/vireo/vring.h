/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The split virtqueue as it sits in guest memory (legacy layout).
 *
 * Legacy devices use guest-native byte order for every ring field, so the
 * fields are plain native integers. Layout, per ring of @num entries (a
 * power of two, at most 32768):
 *
 *	struct vireo_vring_desc  desc[num];      16 bytes each
 *	u16 avail_flags, avail_idx, avail_ring[num], used_event;
 *	padding up to the next @align boundary
 *	u16 used_flags, used_idx;
 *	struct vireo_vring_used_elem used_ring[num];  8 bytes each
 *	u16 avail_event;
 *
 * The two event fields live at the ends of the opposite rings: the driver
 * publishes used_event in the avail ring, the device publishes avail_event
 * in the used ring.
 */
#ifndef _VIREO_VRING_H
#define _VIREO_VRING_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/align.h>

/* Descriptor flags. */
#define VIREO_VRING_DESC_F_NEXT		1	/* chain continues via next */
#define VIREO_VRING_DESC_F_WRITE	2	/* device writes, else reads */
#define VIREO_VRING_DESC_F_INDIRECT	4	/* addr holds a descriptor table */

/* used.flags: the device asks not to be kicked (a hint, without EVENT_IDX). */
#define VIREO_VRING_USED_F_NO_NOTIFY	1
/* avail.flags: the driver asks not to be interrupted (a hint, likewise). */
#define VIREO_VRING_AVAIL_F_NO_INTERRUPT 1

/* Ring feature bits, in the transport range of the feature word. */
#define VIREO_F_NOTIFY_ON_EMPTY		24
#define VIREO_F_ANY_LAYOUT		27
#define VIREO_RING_F_INDIRECT_DESC	28
#define VIREO_RING_F_EVENT_IDX		29
#define VIREO_TRANSPORT_F_START		28
#define VIREO_TRANSPORT_F_END		42

/* The largest ring the 16-bit indices allow. */
#define VIREO_VRING_MAX_NUM		32768U
/* Legacy PCI places the used ring on the next 4096-byte boundary. */
#define VIREO_VRING_LEGACY_ALIGN	4096U

/**
 * struct vireo_vring_desc - one buffer descriptor
 * @addr: guest-physical address of the buffer
 * @len: length of the buffer in bytes
 * @flags: VIREO_VRING_DESC_F_*
 * @next: index of the next descriptor when F_NEXT is set
 */
struct vireo_vring_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

/**
 * struct vireo_vring_avail - the driver-to-device ring
 * @flags: VIREO_VRING_AVAIL_F_*
 * @idx: free-running count of heads published, wrapping at 65536
 * @ring: heads of available chains; used_event follows the last entry
 */
struct vireo_vring_avail {
	u16 flags;
	u16 idx;
	u16 ring[];
};

/**
 * struct vireo_vring_used_elem - one completed chain
 * @id: head index of the chain (32 bits for padding reasons)
 * @len: bytes the device wrote into the chain's writable buffers
 */
struct vireo_vring_used_elem {
	u32 id;
	u32 len;
};

/**
 * struct vireo_vring_used - the device-to-driver ring
 * @flags: VIREO_VRING_USED_F_*
 * @idx: free-running count of chains completed, wrapping at 65536
 * @ring: completed chains; avail_event follows the last entry
 */
struct vireo_vring_used {
	u16 flags;
	u16 idx;
	struct vireo_vring_used_elem ring[];
};

/**
 * struct vireo_vring - pointers into one ring's memory
 * @num: number of entries, a power of two
 * @desc: descriptor table
 * @avail: available ring
 * @used: used ring
 */
struct vireo_vring {
	unsigned int num;
	struct vireo_vring_desc *desc;
	struct vireo_vring_avail *avail;
	struct vireo_vring_used *used;
};

static_assert(sizeof(struct vireo_vring_desc) == 16);
static_assert(sizeof(struct vireo_vring_used_elem) == 8);
static_assert(sizeof(struct vireo_vring_avail) == 4);
static_assert(sizeof(struct vireo_vring_used) == 4);

/**
 * vireo_vring_used_event - where the driver publishes used_event
 * @vr: the ring
 *
 * The field sits just past the last entry of the avail ring.
 *
 * Context: any.
 * Return: a pointer to the field in ring memory.
 */
static inline u16 *vireo_vring_used_event(const struct vireo_vring *vr)
{
	return &vr->avail->ring[vr->num];
}

/**
 * vireo_vring_avail_event - where the device publishes avail_event
 * @vr: the ring
 *
 * The field sits just past the last entry of the used ring.
 *
 * Context: any.
 * Return: a pointer to the field in ring memory.
 */
static inline u16 *vireo_vring_avail_event(const struct vireo_vring *vr)
{
	return (u16 *)&vr->used->ring[vr->num];
}

/**
 * vireo_vring_size - bytes needed for a ring
 * @num: number of entries (a power of two)
 * @align: alignment of the used ring (a power of two)
 *
 * Context: any.
 * Return: the size of the ring memory, including both event fields.
 */
static inline size_t vireo_vring_size(unsigned int num, unsigned long align)
{
	size_t avail_end = sizeof(struct vireo_vring_desc) * num +
			   sizeof(u16) * (3 + num);

	return ALIGN(avail_end, align) + sizeof(u16) * 3 +
	       sizeof(struct vireo_vring_used_elem) * num;
}

/**
 * vireo_vring_init - lay a ring out over memory
 * @vr: the pointers to fill in
 * @num: number of entries (a power of two)
 * @p: start of the ring memory, aligned to @align
 * @align: alignment of the used ring (a power of two)
 *
 * Context: any. Writes nothing to the ring memory itself.
 */
static inline void vireo_vring_init(struct vireo_vring *vr, unsigned int num,
				    void *p, unsigned long align)
{
	vr->num = num;
	vr->desc = p;
	vr->avail = p + sizeof(struct vireo_vring_desc) * num;
	vr->used = (void *)ALIGN((unsigned long)&vr->avail->ring[num] +
				 sizeof(u16), align);
}

/**
 * vireo_vring_need_event - does moving an index cross the other side's event?
 * @event_idx: the index the other side asked to be told about
 * @new_idx: the index after the update
 * @old: the index before the update
 *
 * Both indices are free-running 16-bit counters, so the comparison is done
 * in modular arithmetic: the event fires when @event_idx lies in the
 * half-open window [@old, @new_idx).
 *
 * Context: any.
 * Return: true if the other side must be notified.
 */
static inline bool vireo_vring_need_event(u16 event_idx, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old);
}

#endif /* _VIREO_VRING_H */
