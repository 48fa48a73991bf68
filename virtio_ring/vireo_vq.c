// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_ring: the split virtqueue of the legacy (0.9.5) virtio interface;
 * this file moves buffers (vireo_vring.c creates and destroys queues).
 *
 * The ring memory is shared with a device we do not trust. Everything the
 * ring needs to know about a buffer (its token, its descriptors, how many
 * bytes the device may write into it) is kept in guest-private memory, and
 * every value read from the used ring is checked against that private state
 * before it is acted on. A device that breaks the rules gets its queue
 * marked broken, with one message; it never gets to crash the guest.
 *
 * See Documentation/ring.rst for the design, the barrier placement and the
 * notification policy.
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

/*
 * Mark the queue broken and say why, once per queue: a device that is
 * misbehaving tends to keep doing so, and one line is enough to find it.
 */
static __printf(2, 3) void vireo_vq_violation(struct vireo_vq *vvq,
					      const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	vireo_vq_mark_broken(&vvq->vq);
	if (vvq->reported)
		return;
	vvq->reported = true;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	dev_err(&vvq->vq.vdev->dev, "queue %u (%s): %pV; queue marked broken\n",
		vvq->vq.index, vvq->vq.name ?: "?", &vaf);
	va_end(args);
}

/**
 * struct vireo_buf - the entries of one buffer being added
 * @sgs: its scatterlists
 * @nsgs: number of lists in @sgs
 * @out_sgs: the lists the device reads (vireo_vq_add_sgs()), or UINT_MAX
 * @out_num: the entries the device reads (vireo_vq_add_buf()), or UINT_MAX
 * @total: entries in all: vireo_vq_add_buf() is told, vireo_vq_add_sgs()
 *	counts them when its fast path does not apply
 *
 * The device writes whatever follows the first @out_sgs lists or the first
 * @out_num entries, whichever comes first.
 */
struct vireo_buf {
	struct scatterlist **sgs;
	unsigned int nsgs;
	unsigned int out_sgs;
	unsigned int out_num;
	unsigned int total;
};

/**
 * struct vireo_chain - what filling a table produced
 * @in_len: device-writable bytes, in 64 bits
 * @last: index of the last entry written
 * @next: the link after @last (for a ring chain: the new free head)
 * @count: entries written
 * @more: the buffer has entries beyond the limit (or a NULL list)
 */
struct vireo_chain {
	u64 in_len;
	u16 last;
	u16 next;
	unsigned int count;
	bool more;
};

/*
 * Write at most @limit entries of @b into @table from index @first on,
 * linking them through @links (the free list's private links, for a ring
 * chain) or to the next slot (@links NULL, for an indirect table). Every
 * entry is written whole from the scatterlist and private state, flags
 * and link included; nothing is read back from the table, which the device
 * can write at any time. The last entry's flags and link are stored once
 * more at the end instead of being decided for every entry. The caller
 * has checked that @b->sgs[0] is not NULL.
 *
 * Always inlined: it is the hot loop of every add, and inlining lets the
 * compiler drop the @links test for each kind of table.
 */
static __always_inline void vireo_fill(struct vireo_vring_desc *table,
				       const u16 *links, u16 first,
				       const struct vireo_buf *b,
				       unsigned int limit,
				       struct vireo_chain *c)
{
	unsigned int l = 0, n = 0, out = b->out_sgs ? b->out_num : 0;
	struct scatterlist *s = b->sgs[0];
	u16 i = first, last, flags;
	u64 in_len = 0;

	c->more = false;
	for (;;) {
		struct vireo_vring_desc *d = &table[i];
		u16 next = links ? links[i] : i + 1;

		flags = VIREO_VRING_DESC_F_NEXT;
		if (out) {
			out--;
		} else {
			flags |= VIREO_VRING_DESC_F_WRITE;
			in_len += s->length;
		}
		d->addr = sg_phys(s);
		d->len = s->length;
		d->flags = flags;
		d->next = next;
		last = i;
		i = next;
		/* Count first: never look past the buffer's last entry. */
		if (++n == limit) {
			c->more = !sg_is_last(s) || l + 1 < b->nsgs;
			break;
		}
		s = sg_next(s);
		if (!s) {
			if (++l == b->nsgs)
				break;
			if (l == b->out_sgs)
				out = 0;
			s = b->sgs[l];
			if (unlikely(!s)) {
				c->more = true;
				break;
			}
		}
	}
	c->in_len = in_len;
	c->last = last;
	c->next = i;
	c->count = n;
	table[last].flags = flags & ~VIREO_VRING_DESC_F_NEXT;
	table[last].next = 0;
}

/*
 * Hand a chain to the device. The private state is recorded first, as a
 * fast device may complete the chain as soon as avail->idx moves.
 */
static __always_inline void vireo_vq_publish(struct vireo_vq *vvq, u16 head,
					     void *data, u64 in_len, u16 ndesc,
					     u16 last,
					     struct vireo_vring_desc *indir)
{
	struct vireo_vring_avail *avail = vvq->vring.avail;
	struct vireo_vq_head *state = &vvq->heads[head];
	u16 idx = vvq->avail_idx;

	state->token = data;
	state->indir = indir;
	state->in_len = in_len;
	state->ndesc = ndesc;
	state->last = last;

	vvq->in_flight++;
	avail->ring[idx & (vvq->vring.num - 1)] = head;
	/* Descriptors and ring entry must be visible before the index. */
	virt_wmb();
	vvq->avail_idx = ++idx;
	WRITE_ONCE(avail->idx, idx);
	vvq->num_added++;
}

/* Hand over the ring chain that vireo_fill() wrote from @head. */
static __always_inline void vireo_vq_commit_direct(struct vireo_vq *vvq,
						   u16 head, void *data,
						   const struct vireo_chain *c)
{
	vvq->free_head = c->next;
	vvq->vq.num_free -= c->count;
	vireo_vq_publish(vvq, head, data, c->in_len, c->count, c->last, NULL);
}

/* Hand over @head pointing at @table, which vireo_fill() wrote. */
static __always_inline void vireo_vq_commit_indirect(struct vireo_vq *vvq,
						     u16 head, void *data,
						     struct vireo_vring_desc *table,
						     const struct vireo_chain *c,
						     struct vireo_vring_desc *alloced)
{
	struct vireo_vring_desc *desc = &vvq->vring.desc[head];

	desc->addr = virt_to_phys(table);
	desc->len = c->count * sizeof(*table);
	desc->flags = VIREO_VRING_DESC_F_INDIRECT;
	desc->next = 0;
	vvq->free_head = vvq->next[head];
	vvq->vq.num_free--;
	vireo_vq_publish(vvq, head, data, c->in_len, 1, head, alloced);
}

/* Add @b as a chain of ring descriptors (inlined: the common path). */
static __always_inline int
vireo_vq_add_direct(struct vireo_vq *vvq, const struct vireo_buf *b,
		    void *data)
{
	u16 head = vvq->free_head;
	struct vireo_chain c;

	if (vvq->vq.num_free < b->total)
		return -ENOSPC;
	/* The chain reuses the free list's private links as they stand. */
	vireo_fill(vvq->vring.desc, vvq->next, head, b, b->total, &c);
	/* A list shorter than add_buf was told: nothing was handed over. */
	if (unlikely(c.count != b->total))
		return -EINVAL;
	vireo_vq_commit_direct(vvq, head, data, &c);
	return 0;
}

/*
 * The indirect table for a chain of @total entries starting at @head: the
 * head's preallocated table if it has one that is long enough, otherwise
 * a new one, which *@alloced records so that detaching the chain frees it.
 */
static struct vireo_vring_desc *vireo_vq_indir_table(struct vireo_vq *vvq,
						     u16 head,
						     unsigned int total,
						     struct vireo_vring_desc **alloced,
						     gfp_t gfp)
{
	if (likely(head < vvq->pool_heads && total <= vvq->pool_sg))
		return vvq->pool + (size_t)head * vvq->pool_sg;
	atomic_inc(&vireo_indir_allocs);
	/* No warning on failure: a direct chain needs no memory. */
	*alloced = kmalloc_array(total, sizeof(**alloced), gfp | __GFP_NOWARN);
	return *alloced;
}

/*
 * Add @b through one ring descriptor pointing at an indirect table.
 * Returns -ENOMEM if a table had to be allocated and could not be, so that
 * the caller can fall back to a direct chain.
 */
/*
 * Not inlined: it is the slow path of add_buf, and keeping it out spares
 * the direct path the registers it would need.
 */
static noinline int vireo_vq_add_indirect(struct vireo_vq *vvq,
					  const struct vireo_buf *b,
					  void *data, gfp_t gfp)
{
	struct vireo_vring_desc *table, *alloced = NULL;
	u16 head = vvq->free_head;
	struct vireo_chain c;

	table = vireo_vq_indir_table(vvq, head, b->total, &alloced, gfp);
	if (!table)
		return -ENOMEM;
	vireo_fill(table, NULL, 0, b, b->total, &c);
	if (unlikely(c.count != b->total)) {
		kfree(alloced);
		return -EINVAL;
	}
	vireo_vq_commit_indirect(vvq, head, data, table, &c, alloced);
	return 0;
}

/* May the queue take a buffer now, whatever its size? */
static __always_inline int vireo_vq_add_state(struct vireo_vq *vvq)
{
	if (unlikely(vireo_vq_is_broken(&vvq->vq)))
		return -EIO;
	if (unlikely(vvq->num_added == VIREO_MAX_ADDED))
		return -ENOSPC;
	return 0;
}

/*
 * Add a buffer of known size after checking it: the path of add_buf, and
 * of add_sgs when its fast path does not apply.
 */
static __always_inline int vireo_vq_add(struct vireo_vq *vvq,
					const struct vireo_buf *b,
					void *data, gfp_t gfp)
{
	int err;

	/* No entry at all wraps to UINT_MAX and is refused as too long. */
	if (unlikely(!data || b->total - 1 >= vvq->max_chain))
		return -EINVAL;
	err = vireo_vq_add_state(vvq);
	if (unlikely(err))
		return err;
	if (b->total > vvq->min_indirect && vvq->vq.num_free) {
		err = vireo_vq_add_indirect(vvq, b, data, gfp);
		/* A chain longer than the ring has no direct fallback. */
		if (err != -ENOMEM || b->total > vvq->vring.num)
			return err;
	}
	return vireo_vq_add_direct(vvq, b, data);
}

/*
 * A buffer of one entry, which always goes direct: the receive buffers of
 * rng, console and net are like this, so it gets a path of its own with
 * no walk and no table. @in is 1 if the device writes it.
 */
static int vireo_vq_add_one(struct vireo_vq *vvq, struct scatterlist *sg,
			    unsigned int in, void *data)
{
	u16 head = vvq->free_head;
	struct vireo_vring_desc *d;
	int err;

	if (unlikely(!data))
		return -EINVAL;
	err = vireo_vq_add_state(vvq);
	if (unlikely(err))
		return err;
	if (unlikely(!vvq->vq.num_free))
		return -ENOSPC;
	d = &vvq->vring.desc[head];
	d->addr = sg_phys(sg);
	d->len = sg->length;
	d->flags = in ? VIREO_VRING_DESC_F_WRITE : 0;
	d->next = 0;
	vvq->free_head = vvq->next[head];
	vvq->vq.num_free--;
	vireo_vq_publish(vvq, head, data, in ? sg->length : 0, 1, head, NULL);
	return 0;
}

/*
 * add_buf of more than one entry. Not inlined, so that the one-entry path
 * above does not pay for this one's stack frame.
 */
static noinline int vireo_vq_add_list(struct vireo_vq *vvq,
				      struct scatterlist *sg,
				      unsigned int out_num,
				      unsigned int in_num, void *data,
				      gfp_t gfp)
{
	struct vireo_buf b = {
		.sgs = &sg, .nsgs = 1, .out_sgs = UINT_MAX, .out_num = out_num,
		.total = out_num + in_num,
	};

	return vireo_vq_add(vvq, &b, data, gfp);
}

/**
 * vireo_vq_add_buf - expose a buffer to the device
 * @vq: the queue
 * @sg: the buffer's pieces; the first @out_num are read by the device, the
 *	next @in_num are written by it. It must have at least that many
 *	entries and may be chained.
 * @out_num: number of device-readable entries
 * @in_num: number of device-writable entries
 * @data: the token that vireo_vq_get_buf() returns for this buffer; not NULL
 * @gfp: how to allocate an indirect table, if one is needed
 *
 * The seed's operation, for a buffer that is one scatterlist; a buffer
 * made of several (a header, data, a footer) is better added with
 * vireo_vq_add_sgs(), which behaves the same in every other respect.
 *
 * With VIREO_RING_F_INDIRECT_DESC negotiated, a buffer of more than one
 * entry takes one ring descriptor and an indirect table: the head's
 * preallocated one if the buffer has no more entries than the queue's
 * &vireo_vq_info.max_sg, else one allocated with @gfp; if that allocation
 * fails the buffer silently takes a direct chain instead, unless it has
 * more entries than the ring (then -ENOMEM). The device learns of the
 * buffer at the next vireo_vq_kick() at the latest.
 *
 * Context: Any context that @gfp allows. The caller must serialise this
 * with every other operation on @vq except vireo_vring_interrupt().
 * Return: 0 on success; -EINVAL if @data or @sg is NULL, if there is no
 * entry at all, if @out_num + @in_num exceeds 32768, or if it exceeds the
 * ring size without indirect descriptors (the buffer could never fit);
 * -ENOSPC if there are not enough free descriptors now, or if 65535
 * buffers were added since the last vireo_vq_kick_prepare() (kick, then
 * retry); -ENOMEM if a buffer longer than the ring got no indirect table;
 * -EIO if the queue is broken.
 */
int vireo_vq_add_buf(struct vireo_virtqueue *vq, struct scatterlist sg[],
		     unsigned int out_num, unsigned int in_num, void *data,
		     gfp_t gfp)
{
	/* Each count below 2^16 keeps the sum from wrapping. */
	if (unlikely(!sg || (out_num | in_num) > U16_MAX))
		return -EINVAL;
	if (out_num + in_num == 1)
		return vireo_vq_add_one(to_vvq(vq), sg, in_num, data);
	return vireo_vq_add_list(to_vvq(vq), sg, out_num, in_num, data, gfp);
}

VIREO_EXPORT(vireo_vq_add_buf);

/*
 * Count the entries of @n lists, each walked to its end marker, into
 * *@count. Counting stops as soon as it passes @limit, the longest chain
 * this queue takes, so a looping or absurdly long list cannot keep us here.
 */
static int vireo_sgs_count(struct scatterlist *sgs[], unsigned int n,
			   unsigned int limit, unsigned int *count)
{
	struct scatterlist *s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (unlikely(!sgs[i]))
			return -EINVAL;
		for (s = sgs[i]; s; s = sg_next(s))
			if (unlikely(++*count > limit))
				return -EINVAL;
	}
	return 0;
}

/*
 * vireo_vq_add_sgs() without counting first: fill the head's preallocated
 * table or, without indirect descriptors, the free descriptors, and count
 * while filling. Returns false when the buffer does not fit there (or is
 * malformed): nothing was handed over, and the caller counts the buffer
 * and takes the general path, which has the right answer for every case.
 */
static __always_inline bool vireo_vq_add_sgs_fast(struct vireo_vq *vvq,
						  const struct vireo_buf *b,
						  void *data)
{
	u16 head = vvq->free_head;
	struct vireo_vring_desc *table;
	struct vireo_chain c;

	if (unlikely(!vvq->vq.num_free))
		return false;
	if (vvq->use_indirect) {
		if (head >= vvq->pool_heads)
			return false;
		table = vvq->pool + (size_t)head * vvq->pool_sg;
		vireo_fill(table, NULL, 0, b, vvq->pool_sg, &c);
		/* A single entry goes direct: the general path does that. */
		if (c.more || c.count < 2)
			return false;
		vireo_vq_commit_indirect(vvq, head, data, table, &c, NULL);
		return true;
	}
	vireo_fill(vvq->vring.desc, vvq->next, head, b, vvq->vq.num_free, &c);
	if (c.more)
		return false;
	vireo_vq_commit_direct(vvq, head, data, &c);
	return true;
}

/**
 * vireo_vq_add_sgs - expose a buffer made of several scatterlists
 * @vq: the queue
 * @sgs: the buffer's scatterlists, each ending with sg_mark_end() and each
 *	possibly chained; the first @out_sgs are read by the device, the
 *	next @in_sgs are written by it
 * @out_sgs: number of device-readable lists
 * @in_sgs: number of device-writable lists
 * @data: the token that vireo_vq_get_buf() returns for this buffer; not NULL
 * @gfp: how to allocate an indirect table, if one is needed
 *
 * A request is naturally a header, data and a footer: pass each as its own
 * list and the ring chains them, in order, into one buffer. Indirect
 * tables, the fallback to a direct chain and the limits are as for
 * vireo_vq_add_buf(); the limits apply to the total number of entries.
 *
 * Context: Any context that @gfp allows. The caller must serialise this
 * with every other operation on @vq except vireo_vring_interrupt().
 * Return: 0 on success; -EINVAL if @sgs, one of its lists or @data is
 * NULL, if there is no entry at all, if there are more than 32768, or more
 * than the ring holds without indirect descriptors; -ENOSPC, -ENOMEM and
 * -EIO as for vireo_vq_add_buf().
 */
int vireo_vq_add_sgs(struct vireo_virtqueue *vq, struct scatterlist *sgs[],
		     unsigned int out_sgs, unsigned int in_sgs, void *data,
		     gfp_t gfp)
{
	struct vireo_buf b = {
		.sgs = sgs, .out_sgs = out_sgs, .out_num = UINT_MAX,
	};
	struct vireo_vq *vvq = to_vvq(vq);
	int err;

	/* No list at all wraps and is refused as too many. */
	if (unlikely(!sgs || !sgs[0] || !data ||
		     (u64)out_sgs + in_sgs - 1 >= VIREO_VRING_MAX_NUM))
		return -EINVAL;
	b.nsgs = out_sgs + in_sgs;
	err = vireo_vq_add_state(vvq);
	if (unlikely(err))
		return err;
	if (likely(vireo_vq_add_sgs_fast(vvq, &b, data)))
		return 0;
	if (vireo_sgs_count(sgs, b.nsgs, vvq->max_chain, &b.total))
		return -EINVAL;
	return vireo_vq_add(vvq, &b, data, gfp);
}

VIREO_EXPORT(vireo_vq_add_sgs);

/**
 * vireo_vq_kick_prepare - decide whether the device needs a notification
 * @vq: the queue
 *
 * Looks at the buffers added since the previous call. With
 * VIREO_RING_F_EVENT_IDX the device's avail_event decides; otherwise the
 * device's VIREO_VRING_USED_F_NO_NOTIFY hint does. Either way the batch is
 * closed, so the next call considers only newer buffers. Split from
 * vireo_vq_notify() so that the decision can be taken under the driver's
 * lock and the (slow) notification sent outside it.
 *
 * Context: Any context. The caller must serialise this with every other
 * operation on @vq except vireo_vring_interrupt().
 * Return: true if vireo_vq_notify() must be called; false if not, or if
 * the queue is broken.
 */
bool vireo_vq_kick_prepare(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq = to_vvq(vq);
	u16 new = vvq->avail_idx;
	u16 old = new - vvq->num_added;

	if (vireo_vq_is_broken(vq))
		return false;
	/*
	 * Full barrier: the avail->idx store must be ordered before the loads
	 * below. Otherwise we may read the device's hint from before it went
	 * idle while it reads our old avail->idx: it sleeps, we do not kick.
	 */
	virt_mb();
	vvq->num_added = 0;
	if (vvq->use_event_idx)
		return vireo_vring_need_event(READ_ONCE(*vireo_vring_avail_event(&vvq->vring)),
					      new, old);
	return !(READ_ONCE(vvq->vring.used->flags) &
		 VIREO_VRING_USED_F_NO_NOTIFY);
}

VIREO_EXPORT(vireo_vq_kick_prepare);

/**
 * vireo_vq_notify - tell the device that buffers are available
 * @vq: the queue
 *
 * Calls the transport's notify callback. If the transport reports that the
 * device is gone, the queue is marked broken (without a message: the
 * transport knows the reason better).
 *
 * Context: Any context. Need not be serialised with other operations on
 * @vq, as it touches no ring state.
 * Return: false if the queue is or became broken, true otherwise.
 */
bool vireo_vq_notify(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq = to_vvq(vq);

	if (vireo_vq_is_broken(vq))
		return false;
	if (!vvq->notify(vq)) {
		vireo_vq_mark_broken(vq);
		return false;
	}
	return true;
}

VIREO_EXPORT(vireo_vq_notify);

/**
 * vireo_vq_kick - notify the device if it needs it
 * @vq: the queue
 *
 * vireo_vq_kick_prepare() followed, if needed, by vireo_vq_notify().
 *
 * Context: Any context. The caller must serialise this with every other
 * operation on @vq except vireo_vring_interrupt().
 * Return: false if the queue is broken, true otherwise.
 */
bool vireo_vq_kick(struct vireo_virtqueue *vq)
{
	if (vireo_vq_kick_prepare(vq))
		return vireo_vq_notify(vq);
	return !vireo_vq_is_broken(vq);
}

VIREO_EXPORT(vireo_vq_kick);

/*
 * How many used entries are waiting. A device that claims more than we
 * have in flight (and so possibly more than the ring holds) is broken.
 */
static u16 vireo_vq_pending(struct vireo_vq *vvq)
{
	u16 used_idx = READ_ONCE(vvq->vring.used->idx);
	u16 pending = used_idx - vvq->last_used;

	if (pending > vvq->in_flight) {
		vireo_vq_violation(vvq,
				   "used idx %u is %u ahead of %u with only %u buffers in flight",
				   used_idx, pending, vvq->last_used,
				   vvq->in_flight);
		return 0;
	}
	return pending;
}

/* Is the used element (@id, *@len) a completion of a chain we posted? */
static bool vireo_vq_used_valid(struct vireo_vq *vvq, u32 id, u32 *len)
{
	const struct vireo_vq_head *state;

	if (id >= vvq->vring.num) {
		vireo_vq_violation(vvq, "used id %u is beyond the ring size %u",
				   id, vvq->vring.num);
		return false;
	}
	state = &vvq->heads[array_index_nospec(id, vvq->vring.num)];
	if (!state->token) {
		vireo_vq_violation(vvq, "used id %u is not the head of a buffer in flight",
				   id);
		return false;
	}
	/*
	 * Legacy devices are known to report more than they wrote (the
	 * whole buffer, or the header too), and the specification tells
	 * legacy drivers not to rely on the length: clamp it and carry on,
	 * saying so once. No driver sees a length it did not post, unless
	 * it asked for exact lengths to check (and count) them itself.
	 */
	if (*len > state->in_len && !vvq->exact_len) {
		if (!vvq->len_reported)
			dev_warn(&vvq->vq.vdev->dev,
				 "queue %u (%s): used len %u exceeds the %llu writable bytes of buffer %u; clamping (reported once)\n",
				 vvq->vq.index, vvq->vq.name ?: "?", *len,
				 state->in_len, id);
		vvq->len_reported = true;
		*len = state->in_len;
	}
	return true;
}

/*
 * Return a chain's descriptors to the free list and forget the chain. Only
 * private state is used: the chain's links in @next are still intact since
 * vireo_vq_add_direct() took them from the free list unchanged.
 */
static __always_inline void *vireo_vq_detach(struct vireo_vq *vvq, u16 head)
{
	struct vireo_vq_head *state = &vvq->heads[head];
	void *token = state->token;

	vvq->next[state->last] = vvq->free_head;
	vvq->free_head = head;
	vvq->vq.num_free += state->ndesc;
	vvq->in_flight--;
	/* The other fields are rewritten by the next add on this head. */
	state->token = NULL;
	if (unlikely(state->indir)) {
		kfree(state->indir);
		state->indir = NULL;
	}
	return token;
}

/**
 * vireo_vq_get_buf - take back a buffer the device has finished with
 * @vq: the queue
 * @len: where to store the number of bytes the device wrote, or NULL
 *
 * Buffers come back in the order the device completes them, which need not
 * be the order they were added in. The used element is validated first: an
 * index moving by more than the buffers in flight, or an id that is not
 * the head of a buffer in flight, marks the queue broken. A length beyond
 * the writable bytes posted is clamped to them (legacy devices over-report
 * it), with one message per queue, unless the queue was created with
 * &vireo_vq_info.exact_len. With VIREO_RING_F_EVENT_IDX and callbacks
 * enabled, used_event is advanced past the returned buffer so that the
 * device interrupts again for the next one.
 *
 * Context: Any context. The caller must serialise this with every other
 * operation on @vq except vireo_vring_interrupt().
 * Return: the token given to vireo_vq_add_buf(), or NULL if no buffer is
 * ready or the queue is broken. @len is written only on success.
 */
void *vireo_vq_get_buf(struct vireo_virtqueue *vq, unsigned int *len)
{
	struct vireo_vq *vvq = to_vvq(vq);
	struct vireo_vring *vr = &vvq->vring;
	struct vireo_vring_used_elem *elem;
	void *token;
	u32 id, ulen;

	if (vireo_vq_is_broken(vq) || !vireo_vq_pending(vvq))
		return NULL;
	/* The element may be read only after the index that covers it. */
	virt_rmb();
	elem = &vr->used->ring[vvq->last_used & (vr->num - 1)];
	id = READ_ONCE(elem->id);
	ulen = READ_ONCE(elem->len);
	if (!vireo_vq_used_valid(vvq, id, &ulen))
		return NULL;

	token = vireo_vq_detach(vvq, array_index_nospec(id, vr->num));
	WRITE_ONCE(vvq->last_used, vvq->last_used + 1);
	if (vvq->cb_event) {
		/*
		 * Full barrier after the store: a caller polling again must
		 * not read a stale used->idx while the device reads our stale
		 * used_event, or neither side would see the next completion.
		 */
		virt_store_mb(*vireo_vring_used_event(vr), vvq->last_used);
	}
	if (len)
		*len = ulen;
	return token;
}

VIREO_EXPORT(vireo_vq_get_buf);

/**
 * vireo_vq_disable_cb - ask the device not to interrupt
 * @vq: the queue
 *
 * Without VIREO_RING_F_EVENT_IDX this sets VIREO_VRING_AVAIL_F_NO_INTERRUPT,
 * a hint the device may ignore. With it, used_event simply stops following
 * the buffers consumed, so the device interrupts at most once more (until
 * its 16-bit index wraps). Either way the callback may still run once after
 * this returns; callers must cope.
 *
 * Context: Any context. The caller must serialise this with every other
 * operation on @vq except vireo_vring_interrupt().
 */
void vireo_vq_disable_cb(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq = to_vvq(vq);

	vireo_vq_set_cb(vvq, false);
	/* With event indices the device ignores avail->flags. */
	if (vvq->use_event_idx ||
	    (vvq->avail_flags & VIREO_VRING_AVAIL_F_NO_INTERRUPT))
		return;
	vvq->avail_flags |= VIREO_VRING_AVAIL_F_NO_INTERRUPT;
	WRITE_ONCE(vvq->vring.avail->flags, vvq->avail_flags);
}

VIREO_EXPORT(vireo_vq_disable_cb);

/**
 * vireo_vq_restart - enable callbacks and check for missed buffers
 * @vq: the queue
 *
 * Re-enables callbacks (clears VIREO_VRING_AVAIL_F_NO_INTERRUPT, or with
 * VIREO_RING_F_EVENT_IDX publishes used_event for the next buffer), then
 * looks at the used ring again. A buffer completed before the device saw
 * the re-enable raised no interrupt, so the caller must collect it itself::
 *
 *	do {
 *		while ((buf = vireo_vq_get_buf(vq, &len)))
 *			consume(buf, len);
 *	} while (!vireo_vq_restart(vq));
 *
 * Callbacks stay enabled whatever the result.
 *
 * Context: Any context. The caller must serialise this with every other
 * operation on @vq except vireo_vring_interrupt().
 * Return: false if buffers are already waiting (call vireo_vq_get_buf());
 * true if none are, or if the queue is broken (none ever will be).
 */
bool vireo_vq_restart(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq = to_vvq(vq);
	struct vireo_vring *vr = &vvq->vring;

	vireo_vq_set_cb(vvq, true);
	if (vvq->use_event_idx) {
		WRITE_ONCE(*vireo_vring_used_event(vr), vvq->last_used);
	} else if (vvq->avail_flags & VIREO_VRING_AVAIL_F_NO_INTERRUPT) {
		vvq->avail_flags &= ~VIREO_VRING_AVAIL_F_NO_INTERRUPT;
		WRITE_ONCE(vr->avail->flags, vvq->avail_flags);
	}
	/*
	 * The re-enable must be visible before used->idx is read again, or a
	 * completion could slip between the two unnoticed by either side.
	 */
	virt_mb();
	if (vireo_vq_is_broken(vq))
		return true;
	return READ_ONCE(vr->used->idx) == vvq->last_used;
}

VIREO_EXPORT(vireo_vq_restart);

/**
 * vireo_vq_enable_cb_delayed - enable callbacks, but batch the next one
 * @vq: the queue
 *
 * Like vireo_vq_restart(), but with VIREO_RING_F_EVENT_IDX the device is
 * asked to interrupt only once about three quarters of the buffers now in
 * flight are used, rather than at the next one. A transmit queue uses this
 * to free its buffers in batches; so may any queue that would rather see
 * completions together. Without event indices the device cannot be asked
 * for that, and this is vireo_vq_restart().
 *
 * The lost-wake-up rule is vireo_vq_restart()'s: if that many buffers are
 * already used, no interrupt may come for them, and the caller must
 * collect them itself.
 *
 * Context: Any context. The caller must serialise this with every other
 * operation on @vq except vireo_vring_interrupt().
 * Return: false if enough buffers are already used (call
 * vireo_vq_get_buf()); true if not, or if the queue is broken.
 */
bool vireo_vq_enable_cb_delayed(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq = to_vvq(vq);
	struct vireo_vring *vr = &vvq->vring;
	u16 bufs;

	if (!vvq->use_event_idx)
		return vireo_vq_restart(vq);
	vireo_vq_set_cb(vvq, true);
	/* in_flight is at most 32768, so the product cannot overflow. */
	bufs = vvq->in_flight * VIREO_DELAY_NUM / VIREO_DELAY_DEN;
	/* As in restart: publish before looking at used->idx again. */
	virt_store_mb(*vireo_vring_used_event(vr), vvq->last_used + bufs);
	if (vireo_vq_is_broken(vq))
		return true;
	return (u16)(READ_ONCE(vr->used->idx) - vvq->last_used) <= bufs;
}

VIREO_EXPORT(vireo_vq_enable_cb_delayed);

/**
 * vireo_vq_shutdown - take back a buffer the device never returned
 * @vq: the queue
 *
 * For tearing down: detaches one buffer still in flight (including any the
 * device completed but vireo_vq_get_buf() did not collect) and returns its
 * token. Call it until it returns NULL, then destroy the queue; the queue
 * cannot be used for I/O again. Works on a broken queue too, as it uses
 * only private state.
 *
 * Context: Any context, but only after the device was reset, so that it no
 * longer touches the ring. The caller must serialise this with every other
 * operation on @vq.
 * Return: a token given to vireo_vq_add_buf(), or NULL when none is left.
 */
void *vireo_vq_shutdown(struct vireo_virtqueue *vq)
{
	struct vireo_vq *vvq = to_vvq(vq);
	unsigned int num = vvq->vring.num;
	unsigned int n, head;

	/* Resume where the last call stopped: a full drain stays linear. */
	for (n = 0; n < num; n++) {
		head = (vvq->shutdown_pos + n) & (num - 1);
		if (vvq->heads[head].token) {
			vvq->shutdown_pos = head + 1;
			return vireo_vq_detach(vvq, head);
		}
	}
	return NULL;
}

VIREO_EXPORT(vireo_vq_shutdown);

/**
 * vireo_vq_mark_broken - stop all I/O on a queue
 * @vq: the queue
 *
 * Used by the ring itself on a device violation and by transports that
 * find the device gone. Afterwards vireo_vq_add_buf() fails with -EIO,
 * vireo_vq_get_buf() returns NULL and vireo_vq_kick() returns false; only
 * vireo_vq_shutdown() and vireo_vring_destroy() still work. There is no
 * way back short of destroying the queue.
 *
 * Context: Any context, concurrently with anything.
 */
void vireo_vq_mark_broken(struct vireo_virtqueue *vq)
{
	WRITE_ONCE(to_vvq(vq)->broken, true);
}

VIREO_EXPORT(vireo_vq_mark_broken);

/**
 * vireo_vring_quiesce - never run the queue's callback again
 * @vq: the queue
 *
 * For a transport's reset: after this, vireo_vring_interrupt() no longer
 * calls the callback of @vq. Followed by synchronize_irq() on the queue's
 * interrupt, it guarantees that no callback is running or will run, even
 * if the (reset, or misbehaving) device still raises the interrupt. The
 * ring operations themselves keep working, so that the driver can reclaim
 * its buffers with vireo_vq_shutdown(). There is no way back short of
 * destroying the queue.
 *
 * Context: Any context, concurrently with anything.
 */
void vireo_vring_quiesce(struct vireo_virtqueue *vq)
{
	WRITE_ONCE(to_vvq(vq)->quiesced, true);
}

VIREO_EXPORT(vireo_vring_quiesce);

/**
 * vireo_vq_is_broken - has the queue been marked broken?
 * @vq: the queue
 *
 * Context: Any context, concurrently with anything.
 * Return: true if vireo_vq_mark_broken() was called on @vq or the ring
 * found the device breaking the rules.
 */
bool vireo_vq_is_broken(const struct vireo_virtqueue *vq)
{
	return READ_ONCE(to_cvvq(vq)->broken);
}

VIREO_EXPORT(vireo_vq_is_broken);

/**
 * vireo_vq_get_vring_size - the number of descriptors in a queue
 * @vq: the queue
 *
 * Context: Any context, concurrently with anything.
 * Return: the ring size given to vireo_vring_create(), a power of two.
 */
unsigned int vireo_vq_get_vring_size(const struct vireo_virtqueue *vq)
{
	return to_cvvq(vq)->vring.num;
}

VIREO_EXPORT(vireo_vq_get_vring_size);

/**
 * vireo_vq_show_state - log where a queue's two sides stand
 * @vq: the queue
 * @dev: the device to log for
 * @why: what made the caller ask, for the message
 *
 * One line with the driver's view (buffers added and their index, the
 * count since the last kick decision, buffers in flight, the consumption
 * point, whether callbacks are on) and the device's, read from the ring:
 * its used index, and avail_event or the no-notify flag. For a driver
 * that finds a queue stuck, so that the line says which side stopped
 * (for example a device avail_event behind the buffers it has not taken).
 *
 * Context: Any context; serialised with the queue's other operations by
 * the caller, so that the driver's view is consistent.
 */
void vireo_vq_show_state(struct vireo_virtqueue *vq, struct device *dev,
			 const char *why)
{
	struct vireo_vq *vvq = to_vvq(vq);
	struct vireo_vring_used *used = vvq->vring.used;

	dev_info(dev, "%s: %s: avail %u (added %u since the last kick decision), %u in flight, last used %u, callbacks %s; device: used %u, %s %u\n",
		 vq->name, why, vvq->avail_idx, vvq->num_added, vvq->in_flight,
		 vvq->last_used, vvq->cb_enabled ? "on" : "off",
		 READ_ONCE(used->idx),
		 vvq->use_event_idx ? "avail_event" : "flags",
		 vvq->use_event_idx ?
		 READ_ONCE(*vireo_vring_avail_event(&vvq->vring)) :
		 READ_ONCE(used->flags));
}

VIREO_EXPORT(vireo_vq_show_state);

/**
 * vireo_vring_interrupt - handle a queue's interrupt
 * @irq: the interrupt number (unused)
 * @vq: the queue (a &struct vireo_virtqueue pointer), as given to request_irq()
 *
 * Runs the queue's callback if the device has returned buffers. It may run
 * concurrently with the driver's operations on the queue; it reads the
 * used index and the driver's consumption point only, and the callback is
 * expected to take the driver's lock.
 *
 * Context: Hard-IRQ context (or any context with the same rules); on
 * PREEMPT_RT, the handler's forced IRQ thread. The callback may take
 * spinlock_t locks, so never from a handler with IRQF_NO_THREAD or under
 * a raw spinlock.
 * Return: IRQ_NONE if no used buffer is waiting, or if the queue was
 * quiesced (vireo_vring_quiesce()); IRQ_HANDLED otherwise, including on a
 * broken queue, whose callback is not run.
 */
irqreturn_t vireo_vring_interrupt(int irq, void *vq)
{
	struct vireo_virtqueue *q = vq;
	struct vireo_vq *vvq = to_vvq(q);

	if (READ_ONCE(vvq->quiesced))
		return IRQ_NONE;
	if (READ_ONCE(vvq->vring.used->idx) == READ_ONCE(vvq->last_used))
		return IRQ_NONE;
	if (vireo_vq_is_broken(q))
		return IRQ_HANDLED;
	if (q->callback)
		q->callback(q);
	return IRQ_HANDLED;
}

VIREO_EXPORT(vireo_vring_interrupt);
