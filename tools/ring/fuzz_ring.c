// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for virtio_ring/vireo_{vq,vring}.c: the input is a driver
 * and a hostile device taking turns on one queue.
 *
 * The first bytes configure the queue (size, features, max_sg, alignment,
 * failure injection at creation); every following byte starts one
 * operation: a driver call (add, kick, get_buf, restart, interrupt,
 * quiesce, shutdown...), a well-behaved device step that consumes avail
 * entries and writes correct used entries (so that deep states are
 * reached), or a raw write by a hostile device anywhere in the ring, in a
 * used entry or in an indirect table.
 *
 * The harness keeps its own model of the queue, built only from what it
 * passed in and what the ring wrote right after each call (before the
 * device could touch it), and checks every result against it: which
 * token get_buf() must return and with which length, num_free against the
 * descriptors held by each buffer, the descriptor chains themselves,
 * allocations (none without need, none leaked), the broken state and its
 * single message, the kick and interrupt decisions, and that shutdown
 * returns exactly the buffers still owned. A mismatch traps.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/err.h>
#include <linux/scatterlist.h>
#include <vireo/transport.h>

#include "api.h"
#include "ringdev.h"
#include "shim.h"

#define FZ_MAX_NUM	256		/* ring sizes 1..256 */
#define FZ_LISTS	3		/* add_sgs: 1..3 lists ... */
#define FZ_PER_LIST	8		/* ... of 1..8 entries */
#define FZ_ENTRIES	(FZ_LISTS * FZ_PER_LIST)
#define FZ_MAX_SG	40		/* max_sg 0..40 */

/* The module parameters, published by the shim's module_param(). */
extern bool *const shim_param_indirect;
extern bool *const shim_param_event_idx;

#define CHECK(cond) do { if (!(cond)) fz_fail(#cond, __LINE__); } while (0)

static __attribute__((noreturn)) void fz_fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_ring.c:%d: invariant violated: %s\n", line, what);
	fprintf(stderr, "last ring message: %s\n", shim_last_msg());
	__builtin_trap();
}

struct input {
	const u8 *p;
	size_t n;
};

/* Past the end, every read is 0: a truncated input is still a valid one. */
static u8 in_u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static u16 in_u16(struct input *in)
{
	return in_u8(in) | (u16)in_u8(in) << 8;
}

static u32 in_u32(struct input *in)
{
	return in_u16(in) | (u32)in_u16(in) << 16;
}

/* The model of one buffer in flight, indexed by its head descriptor. */
struct chain {
	void *token;
	u32 in_len;			/* writable bytes posted, saturated */
	u16 ndesc;			/* ring descriptors held */
	u16 descs[FZ_ENTRIES];		/* which ones */
	bool owns_alloc;		/* its add allocated (an indirect table) */
	struct vireo_vring_desc *table;	/* indirect table, or NULL */
	u16 nent;			/* entries in the buffer */
	bool dev_seen;			/* the good device fetched it */
	bool dev_done;			/* the good device completed it */
};

/* One buffer as the driver builds it. */
struct buf {
	struct scatterlist a[FZ_LISTS][FZ_PER_LIST + 1];	/* +1: chain link */
	struct scatterlist b[FZ_LISTS][FZ_PER_LIST];		/* chained part */
	struct scatterlist flat[FZ_ENTRIES];			/* for add_buf */
	struct scatterlist *lists[FZ_LISTS];
	struct ringdev_entry exp[FZ_ENTRIES];
	unsigned int nlists, out_lists, total, out_num;
	u32 in_len;
	bool use_add_buf;
};

static struct fz {
	struct vireo_device vdev;
	struct vireo_vq_info info;
	struct vireo_virtqueue *vq;
	struct ringdev dev;
	unsigned int num, align;
	bool indirect, event_idx, has_cb, cb_drains, pool_full;
	long live_before;		/* alloc_live before the queue */
	long live_base;			/* alloc_live with the queue, no buffer */

	struct chain chain[FZ_MAX_NUM];
	s16 owner[FZ_MAX_NUM];		/* head holding each descriptor, or -1 */
	unsigned int in_flight, descs_used, owned_allocs;
	u16 avail_idx, last_used, num_added, dev_avail;
	bool broken, violation, len_clamped, cb_enabled, quiesced;
	uintptr_t serial;
	unsigned long notifies, callbacks;
	bool notify_ret, in_irq;
} fz;

static char data_area[8192];	/* buffers point here; the ring never reads them */

static u16 mem_used_idx(void)
{
	return READ_ONCE(fz.dev.vr.used->idx);
}

static bool need_event(u16 event, u16 new, u16 old)
{
	/* Written out here rather than taken from <vireo/vring.h>. */
	return (u16)(new - event - 1) < (u16)(new - old);
}

static void fz_check(void)
{
	CHECK(vireo_vq_is_broken(fz.vq) == fz.broken);
	CHECK(fz.vq->num_free == fz.num - fz.descs_used);
	CHECK(shim_stats.warns == 0);
	/* One dev_err per queue for device violations, none otherwise. */
	CHECK(shim_stats.msgs[3] == (fz.violation ? 1u : 0u));
	/* One dev_warn for over-long used lengths, however many. */
	CHECK(shim_stats.msgs[4] == (fz.len_clamped ? 1u : 0u));
	CHECK(shim_stats.alloc_live == fz.live_base + (long)fz.owned_allocs);
}

static void fz_violation(void)
{
	fz.broken = true;
	fz.violation = true;
}

/* A buffer left the ring (get_buf or shutdown): forget it. */
static void fz_release(u16 head, long live_before_call)
{
	struct chain *c = &fz.chain[head];
	unsigned int i;

	for (i = 0; i < c->ndesc; i++) {
		CHECK(fz.owner[c->descs[i]] == head);
		fz.owner[c->descs[i]] = -1;
	}
	/* An allocated table is freed with its chain, a pool table is not. */
	CHECK(shim_stats.alloc_live == live_before_call - c->owns_alloc);
	fz.descs_used -= c->ndesc;
	fz.owned_allocs -= c->owns_alloc;
	fz.in_flight--;
	memset(c, 0, sizeof(*c));
}

/* ---- the driver ---------------------------------------------------- */

static u32 fz_entry_len(struct input *in, unsigned int mode)
{
	switch (mode) {
	case 0:
		return in_u8(in);
	case 1:
		return in_u16(in);
	case 2:
		return in_u32(in);	/* several of these saturate in_len */
	default:
		return in_u8(in) & 1 ? U32_MAX - in_u8(in) : 1u + in_u8(in);
	}
}

static void fz_set_entry(struct buf *b, struct scatterlist *sg,
			 unsigned int n, bool write, struct input *in,
			 unsigned int mode)
{
	unsigned int off = in_u8(in) * 31u;
	u32 len = fz_entry_len(in, mode);

	sg_set_buf(sg, data_area + off, len);
	b->exp[n].addr = virt_to_phys(data_area + off);
	b->exp[n].len = len;
	b->exp[n].write = write;
}

/*
 * Lay a buffer out from the input: 1..3 lists of 1..8 entries, the first
 * out_lists read by the device; each list possibly split in two arrays
 * joined with sg_chain(). The add_buf variant gets the same entries as
 * one flat array.
 */
static void fz_build(struct buf *b, struct input *in)
{
	u8 c = in_u8(in);
	unsigned int mode = c >> 6, l, i, n = 0;
	u64 in_len = 0;

	b->nlists = 1 + c % FZ_LISTS;
	b->out_lists = (c >> 2) % (b->nlists + 1);
	b->use_add_buf = (c >> 4) & 1 || !VIREO_HAVE_ADD_SGS;
	b->out_num = 0;
	for (l = 0; l < b->nlists; l++) {
		u8 d = in_u8(in);
		unsigned int cnt = 1 + d % FZ_PER_LIST;
		unsigned int split = (d >> 3) % FZ_PER_LIST;
		bool write = l >= b->out_lists;

		if (split && split < cnt) {
			sg_init_table(b->a[l], split + 1);
			for (i = 0; i < split; i++)
				fz_set_entry(b, &b->a[l][i], n++, write, in, mode);
			sg_init_table(b->b[l], cnt - split);
			for (i = 0; i < cnt - split; i++)
				fz_set_entry(b, &b->b[l][i], n++, write, in, mode);
			sg_chain(b->a[l], split + 1, b->b[l]);
		} else {
			sg_init_table(b->a[l], cnt);
			for (i = 0; i < cnt; i++)
				fz_set_entry(b, &b->a[l][i], n++, write, in, mode);
		}
		b->lists[l] = b->a[l];
		if (!write)
			b->out_num = n;
	}
	b->total = n;
	sg_init_table(b->flat, n);
	for (i = 0; i < n; i++) {
		sg_set_buf(&b->flat[i], phys_to_virt(b->exp[i].addr), b->exp[i].len);
		if (b->exp[i].write)
			in_len += b->exp[i].len;
	}
	b->in_len = in_len > U32_MAX ? U32_MAX : (u32)in_len;
}

/* A one-entry writable buffer, for the bulk operation. */
static void fz_build_simple(struct buf *b, u32 len)
{
	b->nlists = 1;
	b->out_lists = 0;
	b->out_num = 0;
	b->total = 1;
	b->use_add_buf = false;
	sg_init_one(b->a[0], data_area, len);
	sg_init_one(b->flat, data_area, len);
	b->lists[0] = b->a[0];
	b->exp[0].addr = virt_to_phys(data_area);
	b->exp[0].len = len;
	b->exp[0].write = true;
	b->in_len = len;
}

static int fz_call_add(struct buf *b, void *token)
{
#if VIREO_HAVE_ADD_SGS
	if (!b->use_add_buf)
		return vireo_vq_add_sgs(fz.vq, b->lists, b->out_lists,
					b->nlists - b->out_lists, token,
					GFP_ATOMIC);
#endif
	return vireo_vq_add_buf(fz.vq, b->flat, b->out_num,
				b->total - b->out_num, token, GFP_ATOMIC);
}

/* Add @b, check the result and what the ring wrote; returns the error. */
static int fz_add(struct buf *b, bool fail_alloc)
{
	unsigned int nf = fz.vq->num_free, total = b->total, i;
	unsigned long calls0 = shim_stats.alloc_calls;
	unsigned long failed0 = shim_stats.alloc_failed;
	long live0 = shim_stats.alloc_live;
	void *token = (void *)(0x100000 + 16 * fz.serial++);
	struct vireo_vring_desc *table;
	struct chain *c;
	bool failed;
	const char *err;
	u16 head;
	int ret;

	if (fail_alloc)
		shim_fail_alloc_nth(1);
	ret = fz_call_add(b, token);
	shim_fail_alloc_nth(0);
	failed = shim_stats.alloc_failed != failed0;

	if (ret) {
		CHECK(fz.vq->num_free == nf);
		CHECK(shim_stats.alloc_live == live0);
	}
	if (total > fz.num && !fz.indirect) {
		/* Could never fit; argument errors may come before -EIO. */
		CHECK(ret == -EINVAL || (fz.broken && ret == -EIO));
		return ret;
	}
	if (fz.broken) {
		CHECK(ret == -EIO);
		return ret;
	}
	if (fz.num_added == U16_MAX) {
		CHECK(ret == -ENOSPC);
		return ret;
	}
	/* With enough free descriptors even a direct chain fits. */
	if (nf >= total)
		CHECK(ret == 0);
	if (ret == -ENOSPC)
		CHECK(nf < total);
	else if (ret == -ENOMEM)
		CHECK(fz.indirect && total > fz.num && failed);
	else
		CHECK(ret == 0);
	if (ret)
		return ret;

	/* Read back right away: the device has not had a turn yet. */
	CHECK(READ_ONCE(fz.dev.vr.avail->idx) == (u16)(fz.avail_idx + 1));
	head = ringdev_avail_head(&fz.dev, fz.avail_idx);
	CHECK(head < fz.num);
	c = &fz.chain[head];
	CHECK(!c->token);
	err = ringdev_check_chain(&fz.dev, head, b->exp, total, &table, c->descs);
	if (err)
		fz_fail(err, __LINE__);
	if (table) {
		CHECK(fz.indirect && total > 1);
		CHECK(!failed);
		c->ndesc = 1;
		c->descs[0] = head;
	} else {
		/* Indirect whenever possible, unless its table failed. */
		CHECK(!(fz.indirect && total > 1 && nf > 0 && !failed));
		c->ndesc = total;
		/* A direct chain never allocates; failed attempts aside. */
		CHECK(shim_stats.alloc_calls - calls0 == (failed ? 1u : 0u));
	}
	if (!fz.indirect)
		CHECK(shim_stats.alloc_calls == calls0);
	/*
	 * max_sg declared: buffers up to it take a preallocated table, on
	 * the heads below max_bufs (all heads if it is 0).
	 */
	if (table && fz.pool_full && total <= fz.info.max_sg &&
	    (!fz.info.max_bufs || head < fz.info.max_bufs))
		CHECK(shim_stats.alloc_calls == calls0);
	CHECK(shim_stats.alloc_live == live0 || shim_stats.alloc_live == live0 + 1);
	c->owns_alloc = shim_stats.alloc_live == live0 + 1;
	CHECK(!c->owns_alloc || table);
	for (i = 0; i < c->ndesc; i++) {
		CHECK(fz.owner[c->descs[i]] == -1);
		fz.owner[c->descs[i]] = head;
	}
	CHECK(fz.vq->num_free == nf - c->ndesc);
	c->token = token;
	c->in_len = b->in_len;
	c->table = table;
	c->nent = total;
	fz.in_flight++;
	fz.descs_used += c->ndesc;
	fz.owned_allocs += c->owns_alloc;
	fz.avail_idx++;
	fz.num_added++;
	return 0;
}

/*
 * Calls that must fail with -EINVAL and change nothing; none allocates,
 * except that a list shorter than add_buf() is told may be found only
 * after its indirect table was allocated (which must then be freed).
 */
static void fz_add_bad(struct input *in)
{
	struct scatterlist sg[2], loop[2], *sgs[2];
	unsigned long calls0 = shim_stats.alloc_calls;
	long live0 = shim_stats.alloc_live;
	unsigned int nf = fz.vq->num_free;
	void *token = (void *)0x100;
	bool may_alloc = false;
	u8 how = in_u8(in);
	int ret = 0;

	sg_init_one(sg, data_area, 64);
	sg_init_table(loop, 2);
	sg_set_buf(loop, data_area, 64);
	sg_chain(loop, 2, loop);	/* a list that never ends */
	sgs[0] = sg;
	sgs[1] = NULL;
	switch (how % 9) {
	case 0:
		ret = vireo_vq_add_buf(fz.vq, sg, 1, 0, NULL, GFP_ATOMIC);
		break;
	case 1:
		ret = vireo_vq_add_buf(fz.vq, sg, 0, 0, token, GFP_ATOMIC);
		break;
	case 2:
		ret = vireo_vq_add_buf(fz.vq, NULL, 1, 0, token, GFP_ATOMIC);
		break;
	case 3:
		ret = vireo_vq_add_buf(fz.vq, sg, 40000, 0, token, GFP_ATOMIC);
		break;
	case 8:		/* told 2 or 3 entries, the list has 1 */
		may_alloc = true;
		ret = vireo_vq_add_buf(fz.vq, sg, 1 + (how & 16 ? 1 : 0),
				       1 + (how & 32 ? 1 : 0), token, GFP_ATOMIC);
		break;
#if VIREO_HAVE_ADD_SGS
	case 4:
		ret = vireo_vq_add_sgs(fz.vq, sgs, 1, 1, token, GFP_ATOMIC);
		break;
	case 5:
		ret = vireo_vq_add_sgs(fz.vq, NULL, 1, 0, token, GFP_ATOMIC);
		break;
	case 6:
		ret = vireo_vq_add_sgs(fz.vq, sgs, 0, 0, token, GFP_ATOMIC);
		break;
	case 7:
		/*
		 * A looping list is walked until it passes the longest chain
		 * the queue takes: the ring size here, but 32768 entries with
		 * indirect descriptors, a thousand times an input's usual
		 * cost. That bound is pinned by KUnit (vireo_ring_v2); here
		 * the loop is tried only where it is cheap.
		 */
		if (!fz.indirect)
			sgs[0] = loop;
		ret = vireo_vq_add_sgs(fz.vq, sgs, 1, sgs[0] != loop, token,
				       GFP_ATOMIC);
		break;
#endif
	default:
		ret = vireo_vq_add_buf(fz.vq, sg, 1, 0, NULL, GFP_ATOMIC);
		break;
	}
	/* Without room the lie may go unnoticed: nothing was looked at. */
	CHECK(ret == -EINVAL || (fz.broken && ret == -EIO) ||
	      (may_alloc && ret == -ENOSPC && nf < 2u + !!(how & 16) + !!(how & 32)));
	CHECK(fz.vq->num_free == nf);
	CHECK(shim_stats.alloc_live == live0);
	CHECK(may_alloc || shim_stats.alloc_calls == calls0);
}

/*
 * get_buf() against the model: the entry at last_used decides, exactly as
 * the hardening rules in Documentation/ring.rst say.
 */
static void *fz_get_buf(bool want_len)
{
	struct vireo_vring_used_elem e =
		fz.dev.vr.used->ring[fz.last_used & (fz.num - 1)];
	u16 pending = mem_used_idx() - fz.last_used;
	long live0 = shim_stats.alloc_live;
	unsigned int len = 0xdeadbeef;
	struct chain *c;
	void *t;

	t = vireo_vq_get_buf(fz.vq, want_len ? &len : NULL);
	if (!t)
		CHECK(len == 0xdeadbeef);
	if (fz.broken || !pending) {
		CHECK(!t);
		return NULL;
	}
	if (pending > fz.in_flight || e.id >= fz.num || !fz.chain[e.id].token) {
		CHECK(!t);
		fz_violation();
		return NULL;
	}
	c = &fz.chain[e.id];
	if (!t) {
		/* Refusing an over-long length is allowed too. */
		CHECK(e.len > c->in_len);
		fz_violation();
		return NULL;
	}
	CHECK(t == c->token);
	/* An exact-length queue passes it on, and says nothing. */
	if (e.len > c->in_len && !fz.info.exact_len)
		fz.len_clamped = true;
	if (want_len && fz.info.exact_len)
		CHECK(len == e.len);
	else if (want_len)
		CHECK(len == (e.len > c->in_len ? c->in_len : e.len));
	fz_release(e.id, live0);
	fz.last_used++;
	if (fz.cb_enabled && fz.event_idx)
		CHECK(READ_ONCE(*vireo_vring_used_event(&fz.dev.vr)) == fz.last_used);
	return t;
}

static void fz_get_all(void)
{
	unsigned int n = 0;

	while (fz_get_buf(true))
		CHECK(++n <= fz.num);
}

/* What kick_prepare() must answer now. */
static bool fz_kick_expected(void)
{
	u16 new = fz.avail_idx, old = new - fz.num_added;

	if (fz.broken)
		return false;
	if (fz.event_idx)
		return need_event(READ_ONCE(*vireo_vring_avail_event(&fz.dev.vr)),
				  new, old);
	return !(READ_ONCE(fz.dev.vr.used->flags) & VIREO_VRING_USED_F_NO_NOTIFY);
}

static void fz_kick_prepare(void)
{
	bool exp = fz_kick_expected();

	CHECK(vireo_vq_kick_prepare(fz.vq) == exp);
	if (!fz.broken)
		fz.num_added = 0;
}

static bool fz_notify_cb(struct vireo_virtqueue *vq)
{
	CHECK(vq == fz.vq);
	fz.notifies++;
	return fz.notify_ret;
}

static void fz_notify(bool kick, u8 how)
{
	bool was_broken = fz.broken, exp = kick ? fz_kick_expected() : true;
	unsigned long n0 = fz.notifies;
	bool r;

	fz.notify_ret = how % 16 != 0;	/* now and then the device is gone */
	r = kick ? vireo_vq_kick(fz.vq) : vireo_vq_notify(fz.vq);
	if (was_broken) {
		CHECK(!r && fz.notifies == n0);
		return;
	}
	if (kick)
		fz.num_added = 0;
	if (!exp) {
		CHECK(r && fz.notifies == n0);
		return;
	}
	CHECK(fz.notifies == n0 + 1 && r == fz.notify_ret);
	if (!fz.notify_ret)
		fz.broken = true;	/* no message: the transport knows why */
}

static void fz_callback(struct vireo_virtqueue *vq)
{
	CHECK(fz.in_irq && vq == fz.vq);
	fz.callbacks++;
	if (fz.cb_drains)
		fz_get_all();
}

static void fz_interrupt(int irq)
{
	bool pending = mem_used_idx() != fz.last_used, was_broken = fz.broken;
	unsigned long cb0 = fz.callbacks;
	irqreturn_t r;

	fz.in_irq = true;
	r = vireo_vring_interrupt(irq, fz.vq);
	fz.in_irq = false;
	if (fz.quiesced || !pending) {
		CHECK(r == IRQ_NONE && fz.callbacks == cb0);
		return;
	}
	CHECK(r == IRQ_HANDLED);
	CHECK(fz.callbacks == cb0 + (!was_broken && fz.has_cb));
}

static void fz_restart(void)
{
	bool r = vireo_vq_restart(fz.vq);

	fz.cb_enabled = true;
	if (fz.event_idx)
		CHECK(READ_ONCE(*vireo_vring_used_event(&fz.dev.vr)) == fz.last_used);
	CHECK(r == (fz.broken || mem_used_idx() == fz.last_used));
}

static void fz_enable_cb_delayed(void)
{
#if VIREO_HAVE_ENABLE_CB_DELAYED
	bool r = vireo_vq_enable_cb_delayed(fz.vq);
	u16 ev, wait, done;

	fz.cb_enabled = true;
	if (!fz.event_idx) {
		CHECK(r == (fz.broken || mem_used_idx() == fz.last_used));
		return;
	}
	/* Asks for an interrupt at most in_flight buffers ahead. */
	ev = READ_ONCE(*vireo_vring_used_event(&fz.dev.vr));
	wait = ev - fz.last_used;
	done = mem_used_idx() - fz.last_used;
	CHECK(wait <= fz.in_flight);
	/* false exactly when the device already went past the event. */
	CHECK(r == (fz.broken || done <= wait));
#else
	fz_restart();
#endif
}

/* Take every buffer back, after a "reset"; ends the input. */
static void fz_drain(void)
{
	long live0 = shim_stats.alloc_live;
	unsigned int n = 0, h;
	void *t;

	for (; (t = vireo_vq_shutdown(fz.vq)); live0 = shim_stats.alloc_live) {
		CHECK(++n <= fz.num);
		for (h = 0; h < fz.num && fz.chain[h].token != t; h++)
			;
		CHECK(h < fz.num);
		fz_release(h, live0);
	}
	CHECK(!fz.in_flight && !fz.descs_used);
	CHECK(fz.vq->num_free == fz.num);
	CHECK(!vireo_vq_shutdown(fz.vq));
}

/* ---- the device ---------------------------------------------------- */

/* Fetch what the driver published, as a device following avail->idx. */
static void dev_fetch(void)
{
	u16 aidx = READ_ONCE(fz.dev.vr.avail->idx);
	unsigned int k = 0;

	while (fz.dev_avail != aidx && k++ < fz.num) {
		u16 head = ringdev_avail_head(&fz.dev, fz.dev_avail++);

		/* A scribbled avail ring names garbage: skip it. */
		if (head < fz.num && fz.chain[head].token)
			fz.chain[head].dev_seen = true;
	}
}

/* Complete @count fetched buffers, the @sel-th first, with lengths by @mode. */
static void dev_complete(struct input *in)
{
	u8 c = in_u8(in);
	unsigned int count = 1 + (c & 3), mode = (c >> 2) & 3, k, h;
	unsigned int sel = c >> 4;

	dev_fetch();
	for (k = 0; k < count; k++) {
		unsigned int cand[FZ_MAX_NUM], n = 0;
		struct chain *ch;
		u32 len;

		for (h = 0; h < fz.num; h++)
			if (fz.chain[h].dev_seen && !fz.chain[h].dev_done)
				cand[n++] = h;
		if (!n)
			return;
		h = cand[(sel + k) % n];
		ch = &fz.chain[h];
		switch (mode) {
		case 0:
			len = ch->in_len;
			break;
		case 1:
			len = 0;
			break;
		case 2:
			len = ch->in_len / 2;
			break;
		default:	/* too long: the ring clamps or refuses */
			len = ch->in_len + in_u8(in);
			break;
		}
		ringdev_push_used(&fz.dev, h, len);
		ch->dev_done = true;
	}
}

/* Any in-flight head, the @sel-th. */
static int fz_pick_head(unsigned int sel)
{
	unsigned int h, n = 0;

	for (h = 0; h < fz.num; h++)
		if (fz.chain[h].token && n++ == sel % (fz.in_flight ? fz.in_flight : 1))
			return h;
	return -1;
}

static void dev_hostile(struct input *in)
{
	struct vireo_vring *vr = &fz.dev.vr;
	u8 c = in_u8(in);
	int h;

	switch (c % 8) {
	case 0:		/* used->idx: near last_used, or anything */
		WRITE_ONCE(vr->used->idx, c & 8 ? in_u16(in) :
			   (u16)(fz.last_used + (s8)in_u8(in)));
		break;
	case 1: {	/* a used entry: a real head, or any id */
		struct vireo_vring_used_elem *e =
			&vr->used->ring[(fz.last_used + in_u8(in)) & (fz.num - 1)];

		h = fz_pick_head(in_u8(in));
		e->id = c & 8 || h < 0 ? in_u32(in) : (u32)h;
		e->len = c & 16 ? in_u32(in) : in_u8(in);
		break;
	}
	case 2:
		WRITE_ONCE(*vireo_vring_avail_event(vr), in_u16(in));
		break;
	case 3:
		WRITE_ONCE(vr->used->flags, in_u16(in));
		break;
	case 4: {	/* descriptor table bytes */
		u8 *d = (u8 *)vr->desc;
		size_t off = in_u16(in) % (fz.num * sizeof(*vr->desc));

		d[off] = in_u8(in);
		if (c & 8)
			memset(d + (off & ~(size_t)7), in_u8(in),
			       min_t(size_t, 8, fz.num * sizeof(*vr->desc) - (off & ~(size_t)7)));
		break;
	}
	case 5: {	/* anywhere in the ring: avail ring, padding, used ring */
		u8 *m = phys_to_virt(vireo_vring_phys(fz.vq));

		m[in_u16(in) % vireo_vring_bytes(fz.vq)] = in_u8(in);
		break;
	}
	case 6: {	/* an indirect table the device can reach */
		struct chain *ch;

		h = fz_pick_head(in_u8(in));
		if (h < 0 || !fz.chain[h].table)
			break;
		ch = &fz.chain[h];
		((u8 *)ch->table)[in_u8(in) % (ch->nent * sizeof(*ch->table))] =
			in_u8(in);
		break;
	}
	default:	/* used_event, the driver's: the ring must not read it back */
		WRITE_ONCE(*vireo_vring_used_event(vr), in_u16(in));
		break;
	}
}

/* ---- bulk: cycle the free list ------------------------------------ */

/*
 * A short run of add/complete/get cycles that stirs the free list. Index
 * wrap-around and the 65535-add limit need 65536 cycles, milliseconds per
 * input: test_ring.c covers those instead of slowing every input here.
 */
static void fz_bulk(struct input *in)
{
	unsigned int n = 1 + in_u8(in) % 32;
	struct buf b;

	fz_build_simple(&b, 64);
	while (n-- && !fz.broken && fz.vq->num_free) {
		u16 head;

		if (fz_add(&b, false) == -ENOSPC) {
			fz_kick_prepare();
			continue;
		}
		head = ringdev_avail_head(&fz.dev, fz.avail_idx - 1);
		dev_fetch();
		ringdev_push_used(&fz.dev, head, 64);
		fz.chain[head].dev_done = true;
		/* Earlier hostile writes may decide what comes back. */
		if (!fz_get_buf(true))
			break;
	}
}

/* ---- setup --------------------------------------------------------- */

static bool fz_create_bad(unsigned int how)
{
	unsigned long calls0 = shim_stats.alloc_calls;
	struct vireo_virtqueue *vq;

	switch (how) {
	case 1:
		vq = vireo_vring_create(&fz.vdev, 0, 0, 64, fz_notify_cb, &fz.info);
		break;
	case 2:
		vq = vireo_vring_create(&fz.vdev, 0, 3, 64, fz_notify_cb, &fz.info);
		break;
	case 3:
		vq = vireo_vring_create(&fz.vdev, 0, 8, 2, fz_notify_cb, &fz.info);
		break;
	case 4:
		vq = vireo_vring_create(&fz.vdev, 0, 8, 64, NULL, &fz.info);
		break;
	case 5:
		vq = vireo_vring_create(&fz.vdev, 0, 8, 64, fz_notify_cb, NULL);
		break;
	case 6:
		vq = vireo_vring_create(&fz.vdev, 0, 65536, 64, fz_notify_cb, &fz.info);
		break;
	case 7:
		vq = vireo_vring_create(&fz.vdev, 0, 8, 48, fz_notify_cb, &fz.info);
		break;
	default:
		return true;
	}
	CHECK(vq == ERR_PTR(-EINVAL));
	CHECK(shim_stats.alloc_calls == calls0);
	return true;
}

/* Negotiation through the module parameters, then the ring features. */
static void fz_features(u8 cfg, u8 extra, u8 params)
{
	/* Device bits below 28 and from 42 on are not the ring's business. */
	u64 offered = (u64)extra << 30 | (u64)extra << 40 |
		      (u64)(extra & 15) << 24 | 0xffffffULL;
	u64 want = offered & ~GENMASK_ULL(VIREO_TRANSPORT_F_END - 1,
					  VIREO_TRANSPORT_F_START);

	*shim_param_indirect = !(params & 1);
	*shim_param_event_idx = !(params & 2);
	if (cfg & 16)
		offered |= BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	if (cfg & 32)
		offered |= BIT_ULL(VIREO_RING_F_EVENT_IDX);
	if ((cfg & 16) && !(params & 1))
		want |= BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	if ((cfg & 32) && !(params & 2))
		want |= BIT_ULL(VIREO_RING_F_EVENT_IDX);
	fz.vdev.features = offered;
	vireo_vring_transport_features(&fz.vdev);
	CHECK(fz.vdev.features == want);
	fz.indirect = want & BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	fz.event_idx = want & BIT_ULL(VIREO_RING_F_EVENT_IDX);
}

static bool fz_setup(struct input *in)
{
	u8 cfg = in_u8(in), sg = in_u8(in), al = in_u8(in), inj = in_u8(in);
	u8 extra = in_u8(in);
	unsigned int fail_nth = inj % 8;
	unsigned long failed0;
	struct vireo_vring *vr;

	memset(&fz, 0, sizeof(fz));
	memset(fz.owner, 0xff, sizeof(fz.owner));
	shim_reset();
	fz.vdev.dev.init_name = "vireo0";
	INIT_LIST_HEAD(&fz.vdev.vqs);
	fz.num = 1u << ((cfg & 15) % 9);
	fz.align = 4u << (al % 11);
	fz.has_cb = cfg & 64;
	fz.cb_drains = cfg & 128;
	fz.info.name = al & 0x80 ? NULL : "fuzzq";
	fz.info.callback = fz.has_cb ? fz_callback : NULL;
	fz.info.max_sg = sg % (FZ_MAX_SG + 1);
	/* One input in four bounds the buffers in flight (0: no bound). */
	fz.info.max_bufs = (inj & 3) ? 0 : inj >> 2;
	/* The top bit of extra offers only meaningless features (37, 47). */
	fz.info.exact_len = extra & 0x80;
	/* In one input of four the module parameters may refuse features. */
	fz_features(cfg, extra, (al >> 5) & 3 ? 0 : sg >> 6);
	fz.live_before = shim_stats.alloc_live;

	fz_create_bad((inj >> 3) % 8);
	/* Failure injection at creation: -ENOMEM and nothing left behind. */
	failed0 = shim_stats.alloc_failed;
	if (fail_nth)
		shim_fail_alloc_nth(fail_nth);
	fz.vq = vireo_vring_create(&fz.vdev, 3, fz.num, fz.align, fz_notify_cb,
				   &fz.info);
	shim_fail_alloc_nth(0);
	if (IS_ERR(fz.vq)) {
		CHECK(PTR_ERR(fz.vq) == -ENOMEM && shim_stats.alloc_failed > failed0);
		CHECK(shim_stats.alloc_live == fz.live_before);
		failed0 = shim_stats.alloc_failed;
		fz.vq = vireo_vring_create(&fz.vdev, 3, fz.num, fz.align,
					   fz_notify_cb, &fz.info);
	}
	CHECK(!IS_ERR_OR_NULL(fz.vq));
	/* Fuzzed sizes stay far below the pool's cap: all heads get a table. */
	fz.pool_full = shim_stats.alloc_failed == failed0;
	fz.live_base = shim_stats.alloc_live;

	CHECK(fz.vq->num_free == fz.num && fz.vq->index == 3);
	CHECK(fz.vq->vdev == &fz.vdev && fz.vq->name == fz.info.name);
	CHECK(fz.vq->callback == fz.info.callback);
	CHECK(vireo_vq_get_vring_size(fz.vq) == fz.num);
	CHECK(vireo_vring_bytes(fz.vq) == vireo_vring_size(fz.num, fz.align));
	CHECK(IS_ALIGNED(vireo_vring_phys(fz.vq), fz.align));
	CHECK(!vireo_vq_is_broken(fz.vq));
	ringdev_attach(&fz.dev, fz.vq, fz.align);
	vr = &fz.dev.vr;
	CHECK(!vr->used->idx && !vr->avail->idx && !vr->used->flags);
	/* A polled queue starts with interrupts suppressed. */
	if (!fz.event_idx)
		CHECK(vr->avail->flags == (fz.has_cb ? 0 : VIREO_VRING_AVAIL_F_NO_INTERRUPT));
	fz.cb_enabled = fz.has_cb;
	fz_check();
	return inj & 0x40;	/* destroy without draining */
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

extern int (*const shim_module_init)(void);
extern void (*const shim_module_exit)(void);

/* Load and unload the module once, as modprobe would; queues need neither. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (shim_module_init())
		fz_fail("module init failed", __LINE__);
	shim_module_exit();
	return 0;
}


int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };
	bool no_drain, drained = false;
	struct buf b;

	no_drain = fz_setup(&in);
	while (in.n && !drained) {
		u8 op = in_u8(&in);

		switch (op % 20) {
		case 0: case 1: case 2: case 3:
			fz_build(&b, &in);
			fz_add(&b, op & 0x80);
			break;
		case 4: case 5: case 6:
			dev_complete(&in);
			break;
		case 7: case 8:
			fz_get_buf(op & 0x80);
			break;
		case 9:
			dev_hostile(&in);
			break;
		case 10:
			if (op & 0x80)
				fz_kick_prepare();
			else
				fz_notify(false, in_u8(&in));
			break;
		case 11:
			fz_notify(true, in_u8(&in));
			break;
		case 12:
			if (op & 0x80)
				fz_enable_cb_delayed();
			else
				fz_restart();
			break;
		case 13:
			vireo_vq_disable_cb(fz.vq);
			fz.cb_enabled = false;
			break;
		case 14:
			fz_interrupt(op);
			break;
		case 15:
			if (op & 0x80)
				fz_get_all();
			else
				dev_fetch();
			break;
		case 16:
			fz_add_bad(&in);
			break;
		case 17:
			if (op & 0x80) {
				vireo_vq_mark_broken(fz.vq);
				fz.broken = true;
			} else {
#if VIREO_HAVE_QUIESCE
				vireo_vring_quiesce(fz.vq);
				fz.quiesced = true;
#endif
			}
			break;
		case 18:
			fz_bulk(&in);
			break;
		default:
			if (op & 0x80) {
				fz_drain();
				drained = true;
			} else {
				dev_hostile(&in);
			}
			break;
		}
		fz_check();
	}
	if (!drained && !no_drain)
		fz_drain();
	vireo_vring_destroy(fz.vq);
	/* Destroying with buffers in flight says so, once; nothing leaks. */
	CHECK(shim_stats.msgs[4] == fz.len_clamped + (fz.in_flight ? 1u : 0u));
	CHECK(shim_stats.alloc_live == fz.live_before);
	return 0;
}
