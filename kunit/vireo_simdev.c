// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated legacy virtio device for ring tests; see vireo_simdev.h.
 *
 * The device side of a ring is written like a careful host: every ring
 * field is read once, chains are walked with a step limit, and nothing the
 * guest wrote is trusted to be in range. Tests can then rely on it to
 * report malformed chains instead of running off into memory.
 */

#include <linux/errno.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <vireo/vireo.h>
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

/*
 * Walk the chain at @head, storing up to @n_iov buffers in @iov (if not
 * NULL) and adding up the writable bytes in *@writable. An indirect table
 * is followed only from the head, as hosts do. Returns the number of
 * buffers, -EINVAL for a malformed chain, -ELOOP if it does not end within
 * its table, -E2BIG if @iov is too small.
 */
static int vireo_simq_walk(const struct vireo_simq *sq, u16 head,
			   struct vireo_simq_iov *iov, unsigned int n_iov,
			   u64 *writable)
{
	const struct vireo_vring_desc *table = sq->vr.desc;
	unsigned int size = sq->vr.num, i = head, n;
	struct vireo_vring_desc d = vireo_simq_desc(table, head);

	*writable = 0;
	if (d.flags & VIREO_VRING_DESC_F_INDIRECT) {
		if (!d.len || d.len % sizeof(d))
			return -EINVAL;
		table = phys_to_virt(d.addr);
		if (!virt_addr_valid(table))
			return -EINVAL;
		size = d.len / sizeof(d);
		i = 0;
	}
	for (n = 0; n < size; n++) {
		d = vireo_simq_desc(table, i);
		if (d.flags & VIREO_VRING_DESC_F_INDIRECT)
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
		i = d.next;
		if (i >= size)
			return -EINVAL;
	}
	return -ELOOP;
}

/**
 * vireo_simq_init - attach a simulated device to a queue
 * @sq: the device side to set up
 * @vq: the queue, as created by vireo_vring_create()
 * @align: the @align the queue was created with
 *
 * Like a legacy device, @sq knows only the ring's physical address, its
 * size and the negotiated features.
 *
 * Context: Any context.
 */
void vireo_simq_init(struct vireo_simq *sq, const struct vireo_virtqueue *vq,
		     unsigned int align)
{
	memset(sq, 0, sizeof(*sq));
	vireo_vring_init(&sq->vr, vireo_vq_get_vring_size(vq),
			 phys_to_virt(vireo_vring_phys(vq)), align);
	sq->event_idx = vq->vdev->features & BIT_ULL(VIREO_RING_F_EVENT_IDX);
}

VIREO_EXPORT(vireo_simq_init);

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
 * With event indices, also asks the guest for a kick on its next buffer.
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
	u16 idx;

	if (avail_idx == sq->last_avail)
		return 0;
	if ((u16)(avail_idx - sq->last_avail) > num)
		return -EINVAL;
	/* The ring entry may be read only after the index that covers it. */
	virt_rmb();
	idx = READ_ONCE(sq->vr.avail->ring[sq->last_avail & (num - 1)]);
	sq->last_avail++;
	if (sq->event_idx)
		WRITE_ONCE(*vireo_vring_avail_event(&sq->vr), sq->last_avail);
	if (idx >= num)
		return -EINVAL;
	*head = idx;
	return vireo_simq_walk(sq, idx, iov, n_iov, &writable);
}

VIREO_EXPORT(vireo_simq_getchain);

/**
 * vireo_simq_put_used - write a raw used element
 * @sq: the device side
 * @id: the id to report, whether or not it makes sense
 * @len: the length to report, whether or not it makes sense
 *
 * Publishes the element and moves used->idx (by the ring size + 1 under
 * VIREO_SIMQ_IDX_JUMP, else by one). For tests that need a completion the
 * well-behaved paths cannot produce.
 *
 * Context: Any context.
 */
void vireo_simq_put_used(struct vireo_simq *sq, u32 id, u32 len)
{
	struct vireo_vring_used_elem *elem;
	unsigned int num = sq->vr.num;

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
	const struct vireo_vring_desc *desc = sq->vr.desc;
	u32 id = head;
	u64 writable;

	switch (sq->fault) {
	case VIREO_SIMQ_BAD_ID:
		id = sq->vr.num;
		break;
	case VIREO_SIMQ_NON_HEAD_ID:
		id = READ_ONCE(desc[head].next);
		break;
	case VIREO_SIMQ_LEN_TOO_LARGE:
		vireo_simq_walk(sq, head, NULL, 0, &writable);
		len = writable + 1;
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
		return vireo_vring_need_event(READ_ONCE(*vireo_vring_used_event(&sq->vr)),
					      new, old);
	return new != old && !(READ_ONCE(sq->vr.avail->flags) &
			       VIREO_VRING_AVAIL_F_NO_INTERRUPT);
}

VIREO_EXPORT(vireo_simq_endchains);

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
