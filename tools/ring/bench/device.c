// SPDX-License-Identifier: GPL-2.0
/*
 * Ring benchmark: the inline device. It works on the legacy layout through
 * <vireo/vring.h> (which follows the virtio 0.9.5 spec), so it is the same
 * code for both rings. It consumes every available chain in order, reports
 * the chain's writable length as written, publishes used->idx once per
 * round and, with EVENT_IDX, asks to be kicked for the next buffer (the
 * behaviour of a device that has drained its queue and gone idle). Without
 * EVENT_IDX it leaves used->flags at 0: always kick.
 *
 * Guest addresses are host addresses (both shims map virtual to physical
 * one to one), so an indirect table is read where desc->addr points.
 */
#include <vireo/vring.h>

#include "bench.h"

static struct vireo_vring vr;
static u16 last_avail, used_idx;
static bool dev_event_idx;
static struct bench_dev_stats stats;

#define barrier() __asm__ __volatile__("" ::: "memory")
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

void dev_init(void *ring_mem, unsigned int num, unsigned int align,
	      bool event_idx)
{
	vireo_vring_init(&vr, num, ring_mem, align);
	last_avail = 0;
	used_idx = 0;
	dev_event_idx = event_idx;
}

/* Walk a chain in @table of @max entries from @i; returns writable bytes. */
static u32 dev_walk(const struct vireo_vring_desc *table, unsigned int max,
		    unsigned int i)
{
	unsigned int n;
	u32 written = 0;

	for (n = 0; n < max; n++) {
		const struct vireo_vring_desc *d = &table[i];

		stats.descs++;
		if (d->flags & VIREO_VRING_DESC_F_INDIRECT) {
			stats.bad++;
			return 0;
		}
		if (d->flags & VIREO_VRING_DESC_F_WRITE)
			written += d->len;
		if (!(d->flags & VIREO_VRING_DESC_F_NEXT))
			return written;
		i = d->next;
		if (i >= max) {
			stats.bad++;
			return 0;
		}
	}
	stats.bad++;	/* a loop */
	return 0;
}

static u32 dev_chain(u16 head)
{
	const struct vireo_vring_desc *d = &vr.desc[head];

	stats.heads++;
	if (!(d->flags & VIREO_VRING_DESC_F_INDIRECT))
		return dev_walk(vr.desc, vr.num, head);
	stats.indirect_heads++;
	if (d->flags & VIREO_VRING_DESC_F_NEXT || !d->len ||
	    d->len % sizeof(*d)) {
		stats.bad++;
		return 0;
	}
	return dev_walk((const struct vireo_vring_desc *)(uintptr_t)d->addr,
			d->len / sizeof(*d), 0);
}

unsigned int dev_complete(void)
{
	u16 avail = READ_ONCE(vr.avail->idx);
	unsigned int done = 0;

	barrier();
	while (last_avail != avail) {
		u16 head = vr.avail->ring[last_avail % vr.num];
		struct vireo_vring_used_elem *e;

		e = &vr.used->ring[used_idx % vr.num];
		e->id = head;
		e->len = head < vr.num ? dev_chain(head) : (stats.bad++, 0);
		last_avail++;
		used_idx++;
		done++;
	}
	barrier();
	WRITE_ONCE(vr.used->idx, used_idx);
	if (dev_event_idx)
		WRITE_ONCE(*vireo_vring_avail_event(&vr), last_avail);
	return done;
}

void dev_stats(struct bench_dev_stats *st)
{
	*st = stats;
}
