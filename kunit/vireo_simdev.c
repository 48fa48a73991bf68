// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated legacy virtio device for ring tests; see vireo_simdev.h.
 *
 * The device side of a ring is written like a careful host: every ring
 * field is read once, chains are walked with a step limit, and nothing the
 * guest wrote is trusted to be in range. Tests can then rely on it to
 * report malformed chains instead of running off into memory. The uapi
 * <linux/virtio_ring.h> is included only for vring_need_event(), the
 * specification's own formula, so that notification decisions do not
 * come from the code under test.
 */

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <uapi/linux/virtio_ring.h>
#include <vireo/transport.h>
#include "vireo_simdev.h"

VIREO_IMPORT_NS();

/* Take a copy of a descriptor: the guest could change it while we look. */
static struct vireo_vring_desc vireo_simq_desc(const struct vireo_vring_desc *table,
					       unsigned int i)
{
	struct vireo_vring_desc d;

	d.addr = READ_ONCE(table[i].addr);
	d.len = READ_ONCE(table[i].len);
	d.flags = READ_ONCE(table[i].flags);
	d.next = READ_ONCE(table[i].next);
	return d;
}

/* Is [@addr, @addr + @len) guest RAM that the device may touch? */
static bool vireo_simq_range_ok(u64 addr, u32 len)
{
	if (!len)
		return true;
	if (addr + len < addr || addr + len - 1 > (u64)PHYS_ADDR_MAX)
		return false;
	return virt_addr_valid(phys_to_virt(addr)) &&
	       virt_addr_valid(phys_to_virt(addr + len - 1));
}

/*
 * Walk the chain at @head as a strict device: store up to @n_iov buffers
 * in @iov (if not NULL) and add up the writable bytes in *@writable. An
 * indirect table is followed only from the head, as hosts do; its table
 * and every buffer must lie in guest RAM, a readable buffer must not
 * follow a writable one, and a direct chain must not use a descriptor
 * the device still holds in another chain. For a direct chain the links
 * are remembered in @sq->link and the length in *@ndesc, so that the
 * chain can be released whatever the guest writes later. Returns the
 * number of buffers, -EINVAL for a malformed chain, -ELOOP if it does not
 * end within its table, -E2BIG if @iov is too small.
 */
static int vireo_simq_walk(struct vireo_simq *sq, u16 head,
			   struct vireo_simq_iov *iov, unsigned int n_iov,
			   u64 *writable, u16 *ndesc)
{
	const struct vireo_vring_desc *table = sq->vr.desc;
	unsigned int size = sq->vr.num, i = head, n;
	struct vireo_vring_desc d = vireo_simq_desc(table, head);
	bool direct = true, seen_write = false;

	*writable = 0;
	*ndesc = 1;
	if (d.flags & VIREO_VRING_DESC_F_INDIRECT) {
		if (d.flags & VIREO_VRING_DESC_F_NEXT)
			return -EINVAL;
		if (!d.len || d.len % sizeof(d) ||
		    !vireo_simq_range_ok(d.addr, d.len))
			return -EINVAL;
		if (test_bit(head, sq->busy))
			return -EINVAL;
		table = phys_to_virt(d.addr);
		size = d.len / sizeof(d);
		i = 0;
		direct = false;
	}
	for (n = 0; n < size; n++) {
		if (direct && test_bit(i, sq->busy))
			return -EINVAL;
		d = vireo_simq_desc(table, i);
		if (d.flags & VIREO_VRING_DESC_F_INDIRECT)
			return -EINVAL;
		if (!vireo_simq_range_ok(d.addr, d.len))
			return -EINVAL;
		if (d.flags & VIREO_VRING_DESC_F_WRITE)
			seen_write = true;
		else if (seen_write)
			return -EINVAL;
		if (iov && n == n_iov)
			return -E2BIG;
		if (iov)
			iov[n] = (struct vireo_simq_iov){ d.addr, d.len,
				d.flags & VIREO_VRING_DESC_F_WRITE };
		if (d.flags & VIREO_VRING_DESC_F_WRITE)
			*writable += d.len;
		if (!(d.flags & VIREO_VRING_DESC_F_NEXT))
			return n + 1;
		if (d.next >= size)
			return -EINVAL;
		if (direct) {
			sq->link[i] = d.next;
			++*ndesc;
		}
		i = d.next;
	}
	return -ELOOP;
}

/* The device holds the chain at @head until it reports it used. */
static void vireo_simq_hold(struct vireo_simq *sq, u16 head, u16 ndesc,
			    u64 writable)
{
	unsigned int i = head, n;

	for (n = 0; n < ndesc; n++) {
		set_bit(i, sq->busy);
		i = sq->link[i];
	}
	sq->ndesc[head] = ndesc;
	sq->writable[head] = min_t(u64, writable, U32_MAX);
	sq->chains++;
}

/* Reporting a chain used gives its descriptors back to the guest. */
static void vireo_simq_unhold(struct vireo_simq *sq, u16 head)
{
	unsigned int i = head, n;

	for (n = 0; n < sq->ndesc[head]; n++) {
		clear_bit(i, sq->busy);
		i = sq->link[i];
	}
	sq->ndesc[head] = 0;
	sq->chains--;
}

/**
 * vireo_simq_attach - attach a simulated device to another queue
 * @sq: a device side set up by vireo_simq_init()
 * @vq: the queue, as created by vireo_vring_create()
 * @align: the @align the queue was created with
 *
 * Like vireo_simq_init(), but reuses @sq's storage when it is large
 * enough, which makes creating many short-lived queues cheap. The device
 * forgets everything about the previous queue.
 *
 * Context: Process context; may sleep.
 * Return: 0 or -ENOMEM (then @sq is empty, as after vireo_simq_free()).
 */
int vireo_simq_attach(struct vireo_simq *sq, const struct vireo_virtqueue *vq,
		      unsigned int align)
{
	unsigned int num = vireo_vq_get_vring_size(vq);
	struct vireo_simq keep = *sq;

	if (num > sq->cap) {
		vireo_simq_free(&keep);
		keep.busy = bitmap_zalloc(num, GFP_KERNEL);
		keep.link = kvcalloc(num, sizeof(*keep.link), GFP_KERNEL);
		keep.ndesc = kvcalloc(num, sizeof(*keep.ndesc), GFP_KERNEL);
		keep.writable = kvcalloc(num, sizeof(*keep.writable),
					 GFP_KERNEL);
		keep.cap = num;
		if (!keep.busy || !keep.link || !keep.ndesc || !keep.writable) {
			vireo_simq_free(&keep);
			*sq = keep;
			return -ENOMEM;
		}
	} else {
		bitmap_zero(keep.busy, keep.cap);
		memset(keep.ndesc, 0, keep.cap * sizeof(*keep.ndesc));
	}
	memset(sq, 0, sizeof(*sq));
	sq->busy = keep.busy;
	sq->link = keep.link;
	sq->ndesc = keep.ndesc;
	sq->writable = keep.writable;
	sq->cap = keep.cap;
	vireo_vring_init(&sq->vr, num, phys_to_virt(vireo_vring_phys(vq)),
			 align);
	sq->event_idx = vq->vdev->features & BIT_ULL(VIREO_RING_F_EVENT_IDX);
	return 0;
}

VIREO_EXPORT(vireo_simq_attach);

/**
 * vireo_simq_init - attach a simulated device to a queue
 * @sq: the device side to set up
 * @vq: the queue, as created by vireo_vring_create()
 * @align: the @align the queue was created with
 *
 * Like a legacy device, @sq knows only the ring's physical address, its
 * size and the negotiated features. Free it with vireo_simq_free().
 *
 * Context: Process context; sleeps.
 * Return: 0 or -ENOMEM.
 */
int vireo_simq_init(struct vireo_simq *sq, const struct vireo_virtqueue *vq,
		    unsigned int align)
{
	memset(sq, 0, sizeof(*sq));
	return vireo_simq_attach(sq, vq, align);
}

VIREO_EXPORT(vireo_simq_init);

/**
 * vireo_simq_free - free what vireo_simq_init() allocated
 * @sq: the device side, or one that vireo_simq_init() failed on
 *
 * Context: Process context.
 */
void vireo_simq_free(struct vireo_simq *sq)
{
	bitmap_free(sq->busy);
	kvfree(sq->link);
	kvfree(sq->ndesc);
	kvfree(sq->writable);
	sq->busy = NULL;
	sq->link = NULL;
	sq->ndesc = NULL;
	sq->writable = NULL;
	sq->cap = 0;
}

VIREO_EXPORT(vireo_simq_free);

/**
 * vireo_simq_has_descs - has the guest made chains available?
 * @sq: the device side
 *
 * Context: Any context.
 * Return: true if vireo_simq_getchain() has a chain to return.
 */
bool vireo_simq_has_descs(const struct vireo_simq *sq)
{
	return READ_ONCE(sq->vr.avail->idx) != sq->last_avail;
}

VIREO_EXPORT(vireo_simq_has_descs);

/**
 * vireo_simq_startchains - begin a batch of completions
 * @sq: the device side
 *
 * Remembers the used index so that vireo_simq_endchains() can decide
 * whether the batch deserves an interrupt.
 *
 * Context: Any context.
 */
void vireo_simq_startchains(struct vireo_simq *sq)
{
	sq->save_used = sq->used_idx;
}

VIREO_EXPORT(vireo_simq_startchains);

/**
 * vireo_simq_getchain - take the next available chain
 * @sq: the device side
 * @head: where to store the chain's head index
 * @iov: where to store the chain's buffers
 * @n_iov: room in @iov
 *
 * With event indices, also asks the guest for a kick on its next buffer
 * (unless vireo_simq_set_avail_event() took that over). A valid chain is
 * held by the device until it is reported used.
 *
 * Context: Any context.
 * Return: the number of buffers; 0 if no chain is available; -EINVAL if
 * the avail ring or the chain is malformed, -ELOOP if the chain does not
 * end, -E2BIG if it has more than @n_iov buffers. The chain is consumed
 * in every case but the first two.
 */
int vireo_simq_getchain(struct vireo_simq *sq, u16 *head,
			struct vireo_simq_iov *iov, unsigned int n_iov)
{
	u16 avail_idx = READ_ONCE(sq->vr.avail->idx);
	unsigned int num = sq->vr.num;
	u64 writable;
	u16 idx, ndesc;
	int n;

	if (avail_idx == sq->last_avail)
		return 0;
	if ((u16)(avail_idx - sq->last_avail) > num)
		return -EINVAL;
	/* The ring entry may be read only after the index that covers it. */
	virt_rmb();
	idx = READ_ONCE(sq->vr.avail->ring[sq->last_avail & (num - 1)]);
	sq->last_avail++;
	if (sq->event_idx && !sq->manual_event)
		WRITE_ONCE(*vireo_vring_avail_event(&sq->vr), sq->last_avail);
	if (idx >= num)
		return -EINVAL;
	*head = idx;
	n = vireo_simq_walk(sq, idx, iov, n_iov, &writable, &ndesc);
	if (n > 0)
		vireo_simq_hold(sq, idx, ndesc, writable);
	return n;
}

VIREO_EXPORT(vireo_simq_getchain);

/**
 * vireo_simq_put_used - write a raw used element
 * @sq: the device side
 * @id: the id to report, whether or not it makes sense
 * @len: the length to report, whether or not it makes sense
 *
 * Publishes the element and moves used->idx (by the ring size + 1 under
 * VIREO_SIMQ_IDX_JUMP, else by one). If @id names a chain the device
 * holds, the device lets go of it. For tests that need a completion the
 * well-behaved paths cannot produce.
 *
 * Context: Any context.
 */
void vireo_simq_put_used(struct vireo_simq *sq, u32 id, u32 len)
{
	struct vireo_vring_used_elem *elem;
	unsigned int num = sq->vr.num;

	if (id < num && sq->ndesc[id])
		vireo_simq_unhold(sq, id);
	elem = &sq->vr.used->ring[sq->used_idx & (num - 1)];
	WRITE_ONCE(elem->id, id);
	WRITE_ONCE(elem->len, len);
	sq->used_idx += sq->fault == VIREO_SIMQ_IDX_JUMP ? num + 1 : 1;
	/* The guest must see the element before the index that covers it. */
	virt_wmb();
	WRITE_ONCE(sq->vr.used->idx, sq->used_idx);
}

VIREO_EXPORT(vireo_simq_put_used);

/**
 * vireo_simq_relchain - complete a chain
 * @sq: the device side
 * @head: the chain's head, from vireo_simq_getchain()
 * @len: bytes written into the chain's writable buffers
 *
 * Reports the chain in the used ring, distorted as @sq->fault says.
 *
 * Context: Any context.
 */
void vireo_simq_relchain(struct vireo_simq *sq, u16 head, u32 len)
{
	u32 id = head;

	switch (sq->fault) {
	case VIREO_SIMQ_BAD_ID:
		id = sq->vr.num;
		break;
	case VIREO_SIMQ_NON_HEAD_ID:
		id = sq->link[head];
		break;
	case VIREO_SIMQ_LEN_TOO_LARGE:
		len = sq->writable[head] + 1;
		break;
	case VIREO_SIMQ_TWICE:
		vireo_simq_put_used(sq, id, len);
		break;
	default:
		break;
	}
	vireo_simq_put_used(sq, id, len);
}

VIREO_EXPORT(vireo_simq_relchain);

/**
 * vireo_simq_endchains - finish a batch of completions
 * @sq: the device side
 *
 * Decides, as a device must, whether the chains completed since
 * vireo_simq_startchains() (or the previous call) warrant an interrupt:
 * by used_event with event indices, else by the guest's
 * VIREO_VRING_AVAIL_F_NO_INTERRUPT hint. Starts the next batch.
 *
 * Context: Any context.
 * Return: true if the guest wants an interrupt.
 */
bool vireo_simq_endchains(struct vireo_simq *sq)
{
	u16 old = sq->save_used, new = sq->used_idx;

	sq->save_used = new;
	/* used->idx must be visible before we read what the guest wants. */
	virt_mb();
	if (sq->event_idx)
		return vring_need_event(READ_ONCE(*vireo_vring_used_event(&sq->vr)),
					new, old);
	return new != old && !(READ_ONCE(sq->vr.avail->flags) &
			       VIREO_VRING_AVAIL_F_NO_INTERRUPT);
}

VIREO_EXPORT(vireo_simq_endchains);

/**
 * vireo_simq_set_no_notify - set or clear the device's NO_NOTIFY hint
 * @sq: the device side
 * @no_notify: whether the device asks not to be kicked
 *
 * Context: Any context.
 */
void vireo_simq_set_no_notify(struct vireo_simq *sq, bool no_notify)
{
	WRITE_ONCE(sq->vr.used->flags,
		   no_notify ? VIREO_VRING_USED_F_NO_NOTIFY : 0);
	/* As a device would: the hint before any later look at avail. */
	virt_mb();
}

VIREO_EXPORT(vireo_simq_set_no_notify);

/**
 * vireo_simq_set_avail_event - publish a chosen avail_event
 * @sq: the device side
 * @event: the avail index whose publication the device wants a kick for
 *
 * From now on vireo_simq_getchain() leaves avail_event alone.
 *
 * Context: Any context.
 */
void vireo_simq_set_avail_event(struct vireo_simq *sq, u16 event)
{
	sq->manual_event = true;
	WRITE_ONCE(*vireo_vring_avail_event(&sq->vr), event);
	/* As a device would: the event before any later look at avail. */
	virt_mb();
}

VIREO_EXPORT(vireo_simq_set_avail_event);

/**
 * vireo_simq_kick_expected - must the guest have kicked just now?
 * @sq: the device side
 *
 * Looks at the chains the guest published since the previous call and at
 * what the device asked for, which it reads back from the ring: with
 * event indices a kick is required exactly when avail->idx moved past
 * avail_event, otherwise exactly when it moved and
 * VIREO_VRING_USED_F_NO_NOTIFY is clear.
 *
 * Context: Any context.
 * Return: true if the specification requires a notification.
 */
bool vireo_simq_kick_expected(struct vireo_simq *sq)
{
	u16 old = sq->kick_idx, new = READ_ONCE(sq->vr.avail->idx);

	sq->kick_idx = new;
	if (new == old)
		return false;
	if (sq->event_idx)
		return vring_need_event(READ_ONCE(*vireo_vring_avail_event(&sq->vr)),
					new, old);
	return !(READ_ONCE(sq->vr.used->flags) & VIREO_VRING_USED_F_NO_NOTIFY);
}

VIREO_EXPORT(vireo_simq_kick_expected);

/**
 * vireo_simq_chain_writable - writable bytes of a chain the device holds
 * @sq: the device side
 * @head: the chain's head
 *
 * Context: Any context.
 * Return: the writable bytes seen when the chain was taken, 0 if the
 * device does not hold a chain at @head.
 */
u32 vireo_simq_chain_writable(const struct vireo_simq *sq, u16 head)
{
	return head < sq->vr.num && sq->ndesc[head] ? sq->writable[head] : 0;
}

VIREO_EXPORT(vireo_simq_chain_writable);

/**
 * vireo_simq_corrupt_chain - scribble over a chain's descriptors
 * @sq: the device side
 * @head: the chain's head
 *
 * Does what a hostile device may do to memory it can write: every
 * descriptor of the chain gets a bogus address, length, flags and link.
 * For an indirect chain only the ring descriptor is overwritten.
 *
 * Context: Any context.
 */
void vireo_simq_corrupt_chain(struct vireo_simq *sq, u16 head)
{
	struct vireo_vring_desc *desc = sq->vr.desc;
	unsigned int num = sq->vr.num, i = head, n;
	struct vireo_vring_desc d;

	for (n = 0; n < num; n++) {
		d = vireo_simq_desc(desc, i);
		WRITE_ONCE(desc[i].addr, 0xbad0000ULL + i);
		WRITE_ONCE(desc[i].len, 0xdeadbeef);
		WRITE_ONCE(desc[i].flags, VIREO_VRING_DESC_F_NEXT |
					  VIREO_VRING_DESC_F_WRITE);
		WRITE_ONCE(desc[i].next, (i + num / 2 + 1) & (num - 1));
		if (!(d.flags & VIREO_VRING_DESC_F_NEXT) || d.next >= num)
			return;
		i = d.next;
	}
}

VIREO_EXPORT(vireo_simq_corrupt_chain);

/**
 * vireo_simq_writable - the writable room in a chain
 * @iov: the chain's buffers
 * @n: number of buffers
 *
 * Context: Any context.
 * Return: the sum of the writable buffers' lengths, saturated at U32_MAX.
 */
u32 vireo_simq_writable(const struct vireo_simq_iov *iov, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (iov[i].write)
			sum += iov[i].len;
	return min_t(u64, sum, U32_MAX);
}

VIREO_EXPORT(vireo_simq_writable);

/**
 * vireo_simq_copy_to - write into a chain's writable buffers
 * @iov: the chain's buffers
 * @n: number of buffers
 * @src: the data
 * @len: bytes of @src
 *
 * Context: Any context.
 * Return: the bytes written, less than @len if the chain is too short.
 */
size_t vireo_simq_copy_to(const struct vireo_simq_iov *iov, unsigned int n,
			  const void *src, size_t len)
{
	size_t done = 0, chunk;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (!iov[i].write)
			continue;
		chunk = min_t(size_t, iov[i].len, len - done);
		memcpy(phys_to_virt(iov[i].addr), src + done, chunk);
		done += chunk;
	}
	return done;
}

VIREO_EXPORT(vireo_simq_copy_to);

/**
 * vireo_simq_copy_from - read a chain's readable buffers
 * @iov: the chain's buffers
 * @n: number of buffers
 * @dst: where to put the data
 * @len: room at @dst
 *
 * Context: Any context.
 * Return: the bytes read, less than @len if the chain is too short.
 */
size_t vireo_simq_copy_from(const struct vireo_simq_iov *iov, unsigned int n,
			    void *dst, size_t len)
{
	size_t done = 0, chunk;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		if (iov[i].write)
			continue;
		chunk = min_t(size_t, iov[i].len, len - done);
		memcpy(dst + done, phys_to_virt(iov[i].addr), chunk);
		done += chunk;
	}
	return done;
}

VIREO_EXPORT(vireo_simq_copy_from);

MODULE_DESCRIPTION("vireo simulated virtio device for ring tests");
MODULE_LICENSE("GPL");
