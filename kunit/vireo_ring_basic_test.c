// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for vireo_ring.ko: add/get, wraparound, indirect descriptors,
 * a full ring and shutdown. See vireo_ring_test_lib.c for the module.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/align.h>
#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/debug_locks.h>
#include <linux/kmsg_dump.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/panic.h>
#include <linux/prandom.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simdev.h"
#include "vireo_ring_test.h"

/* ------------------------------------------------------------------ */
/* add/get                                                             */

/*
 * Fill a ring with buffers of @nout readable and @nin writable pieces,
 * check what the device sees, complete them all with chosen lengths and
 * check that every token comes back with its length and every descriptor
 * is free again.
 */
static void ag_fill_drain(struct rt_ctx *ctx, unsigned int nout,
			  unsigned int nin)
{
	struct kunit *test = ctx->test;
	unsigned int num = vireo_vq_get_vring_size(ctx->vq);
	unsigned int total = nout + nin, cost, fit, i, j, len = 0;
	bool indirect = ctx->vdev->features & RT_INDIRECT;
	u16 head;
	u8 *tokens;

	if (total > num && !indirect) {
		KUNIT_EXPECT_EQ(test, rt_add(ctx, nout, nin, RT_TOKEN(0)),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, ctx->vq->num_free, num);
		return;
	}
	cost = indirect && total > 1 ? 1 : total;
	fit = num / cost;
	tokens = kunit_kzalloc(test, fit, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tokens);

	for (i = 0; i < fit; i++) {
		cond_resched();
		KUNIT_ASSERT_EQ(test, rt_add_at(ctx, nout, nin, &tokens[i],
						i * total, GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, ctx->vq->num_free, num - (i + 1) * cost);
	}
	KUNIT_EXPECT_EQ(test, rt_add(ctx, nout, nin, RT_TOKEN(0)), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));

	for (i = 0; i < fit; i++) {
		cond_resched();
		KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head,
							  ctx->iov, RT_MAX_IOV),
				(int)total);
		for (j = 0; j < total; j++) {
			KUNIT_ASSERT_EQ(test, ctx->iov[j].addr,
					(u64)virt_to_phys(rt_piece(ctx, i * total + j)));
			KUNIT_ASSERT_EQ(test, ctx->iov[j].len, RT_SEG);
			KUNIT_ASSERT_EQ(test, ctx->iov[j].write, j >= nout);
		}
		/* Any length up to the writable bytes is a valid answer. */
		vireo_simq_relchain(&ctx->sq, head, (i * 7) % (nin * RT_SEG + 1));
	}
	for (i = 0; i < fit; i++) {
		KUNIT_ASSERT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
				    (void *)&tokens[i]);
		KUNIT_ASSERT_EQ(test, len, (i * 7) % (nin * RT_SEG + 1));
	}
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, &len));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, num);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
	kunit_kfree(test, tokens);
}

static void ag_sizes_case(struct kunit *test, u64 features)
{
	static const unsigned int sizes[] = { 1, 2, 256, VIREO_VRING_MAX_NUM };
	static const unsigned int shapes[][2] = {
		{ 1, 0 }, { 0, 1 }, { 1, 1 }, { 3, 0 }, { 0, 3 }, { 2, 3 },
	};
	struct rt_ctx *ctx = test->priv;
	unsigned int s, k;

	rt_setup(ctx, 1, features);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (k = 0; k < ARRAY_SIZE(shapes); k++) {
			/* 32768 buffers of every shape would be slow; one of each kind. */
			if (sizes[s] == VIREO_VRING_MAX_NUM && k > 2)
				continue;
			rt_new_queue(ctx, sizes[s], features);
			ag_fill_drain(ctx, shapes[k][0], shapes[k][1]);
		}
	}
}

static void ag_sizes(struct kunit *test)
{
	ag_sizes_case(test, 0);
}

static void ag_sizes_indirect(struct kunit *test)
{
	ag_sizes_case(test, RT_INDIRECT);
}

static void ag_round_trip(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_simq_iov *iov = ctx->iov;
	struct scatterlist sg[2];
	unsigned int len = 0;
	char got[4], *out, *in;
	u16 head = 0;

	rt_setup(ctx, 8, 0);
	out = kunit_kzalloc(test, 4, GFP_KERNEL);
	in = kunit_kzalloc(test, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	memcpy(out, "ping", 4);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], out, 4);
	sg_set_buf(&sg[1], in, 16);

	KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(ctx->vq, sg, 1, 1, RT_TOKEN(1),
					       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 6U);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, ctx->notifies, 1U);

	/* The device sees exactly the buffers, directions and lengths. */
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, iov,
						  RT_MAX_IOV), 2);
	KUNIT_EXPECT_EQ(test, iov[0].addr, (u64)virt_to_phys(out));
	KUNIT_EXPECT_EQ(test, iov[0].len, 4U);
	KUNIT_EXPECT_FALSE(test, iov[0].write);
	KUNIT_EXPECT_EQ(test, iov[1].addr, (u64)virt_to_phys(in));
	KUNIT_EXPECT_EQ(test, iov[1].len, 16U);
	KUNIT_EXPECT_TRUE(test, iov[1].write);
	KUNIT_EXPECT_EQ(test, vireo_simq_copy_from(iov, 2, got, 4), (size_t)4);
	KUNIT_EXPECT_EQ(test, memcmp(got, "ping", 4), 0);
	KUNIT_EXPECT_EQ(test, vireo_simq_copy_to(iov, 2, "pong!", 5), (size_t)5);

	vireo_simq_startchains(&ctx->sq);
	vireo_simq_relchain(&ctx->sq, head, 5);
	KUNIT_EXPECT_TRUE(test, vireo_simq_endchains(&ctx->sq));
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, 1U);

	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(1));
	KUNIT_EXPECT_EQ(test, len, 5U);
	KUNIT_EXPECT_EQ(test, memcmp(in, "pong!", 5), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, &len));

	/* The length pointer is optional; a zero length is fine. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	rt_complete(ctx, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(2));
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static struct kunit_case ag_cases[] = {
	KUNIT_CASE(ag_round_trip),
	KUNIT_CASE(ag_sizes),
	KUNIT_CASE(ag_sizes_indirect),
	{}
};

static struct kunit_suite ag_suite = {
	.name = "vireo_ring_addget",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = ag_cases,
};

/* ------------------------------------------------------------------ */
/* wraparound                                                          */

#define WR_CYCLES	200000U
#define WR_NUM		8U

/**
 * struct wr_slot - one buffer of the wraparound test
 * @seq: sequence number of the buffer now posted from this slot
 * @in: the writable part
 */
struct wr_slot {
	u32 seq;
	u8 in[12];
};

/**
 * struct wr_state - the wraparound test's bookkeeping
 * @slots: one buffer per ring entry
 * @free: stack of free slot numbers
 * @nfree: entries on @free
 * @held: the device's chains: head and sequence number, in taking order
 * @nheld: entries in @held
 * @done: completion order: sequence number and length, a circular queue
 * @done_head: next entry of @done to check
 * @done_tail: next entry of @done to fill
 * @seen: one bit per sequence number returned
 */
struct wr_state {
	struct wr_slot slots[WR_NUM];
	unsigned int free[WR_NUM];
	unsigned int nfree;
	struct { u16 head; u32 seq; } held[WR_NUM];
	unsigned int nheld;
	struct { u32 seq; u32 len; } done[WR_NUM];
	unsigned int done_head, done_tail;
	unsigned long *seen;
};

/* The device takes one chain and learns its sequence number from it. */
static void wr_device_take(struct rt_ctx *ctx, struct wr_state *ws)
{
	struct kunit *test = ctx->test;
	u32 seq = U32_MAX;
	u16 head = 0;

	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), 2);
	KUNIT_ASSERT_EQ(test, vireo_simq_copy_from(ctx->iov, 2, &seq,
						   sizeof(seq)), sizeof(seq));
	ws->held[ws->nheld].head = head;
	ws->held[ws->nheld].seq = seq;
	ws->nheld++;
}

/* The device completes held chain @k with a random length. */
static void wr_device_complete(struct rt_ctx *ctx, struct wr_state *ws,
			       unsigned int k)
{
	u32 len = rt_rand(ctx, sizeof(ws->slots[0].in) + 1);

	vireo_simq_relchain(&ctx->sq, ws->held[k].head, len);
	ws->done[ws->done_tail % WR_NUM].seq = ws->held[k].seq;
	ws->done[ws->done_tail % WR_NUM].len = len;
	ws->done_tail++;
	/* Keep the rest in taking order: in-order tests complete held[0]. */
	ws->nheld--;
	memmove(&ws->held[k], &ws->held[k + 1],
		(ws->nheld - k) * sizeof(ws->held[0]));
}

/* The driver collects one buffer: the next in completion order. */
static void wr_driver_get(struct rt_ctx *ctx, struct wr_state *ws)
{
	struct kunit *test = ctx->test;
	struct wr_slot *slot;
	unsigned int len = 0;
	u32 seq;

	slot = vireo_vq_get_buf(ctx->vq, &len);
	KUNIT_ASSERT_NOT_NULL(test, slot);
	seq = ws->done[ws->done_head % WR_NUM].seq;
	KUNIT_ASSERT_EQ(test, slot->seq, seq);
	KUNIT_ASSERT_EQ(test, len, ws->done[ws->done_head % WR_NUM].len);
	KUNIT_ASSERT_FALSE(test, __test_and_set_bit(seq, ws->seen));
	ws->done_head++;
	ws->free[ws->nfree++] = slot - ws->slots;
}

static void wr_case(struct kunit *test, u64 features, bool in_order,
		    unsigned int cycles)
{
	struct rt_ctx *ctx = test->priv;
	struct scatterlist sg[2];
	struct wr_slot *slot;
	struct wr_state *ws;
	unsigned int i, n;
	u32 seq = 0;

	rt_setup(ctx, WR_NUM, features);
	ws = kunit_kzalloc(test, sizeof(*ws), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ws);
	ws->seen = kunit_kcalloc(test, BITS_TO_LONGS(cycles),
				 sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ws->seen);
	for (i = 0; i < WR_NUM; i++)
		ws->free[i] = i;
	ws->nfree = WR_NUM;

	while (ws->done_head < cycles) {
		/* Without preemption, a long case must let others run. */
		cond_resched();
		/* The driver posts a few buffers (mixed: 2 descriptors). */
		n = rt_rand(ctx, 4);
		while (n-- && seq < cycles && ctx->vq->num_free >= 2 &&
		       ws->nfree) {
			slot = &ws->slots[ws->free[--ws->nfree]];
			slot->seq = seq++;
			sg_init_table(sg, 2);
			sg_set_buf(&sg[0], &slot->seq, sizeof(slot->seq));
			sg_set_buf(&sg[1], slot->in, sizeof(slot->in));
			KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(ctx->vq, sg, 1, 1,
							       slot, GFP_KERNEL), 0);
		}
		vireo_vq_kick(ctx->vq);
		/* The device takes some and completes some, in any order. */
		n = rt_rand(ctx, 4);
		while (n-- && vireo_simq_has_descs(&ctx->sq))
			wr_device_take(ctx, ws);
		n = rt_rand(ctx, 4);
		while (n-- && ws->nheld)
			wr_device_complete(ctx, ws, in_order ? 0 :
					   rt_rand(ctx, ws->nheld));
		/* The driver collects some. */
		n = rt_rand(ctx, 4);
		while (n-- && ws->done_head != ws->done_tail)
			wr_driver_get(ctx, ws);
		if (seq == cycles) {
			/* Drain: no more posting, everything must come back. */
			while (vireo_simq_has_descs(&ctx->sq))
				wr_device_take(ctx, ws);
			while (ws->nheld)
				wr_device_complete(ctx, ws, 0);
			while (ws->done_head != ws->done_tail)
				wr_driver_get(ctx, ws);
		}
	}
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, bitmap_weight(ws->seen, cycles), cycles);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, WR_NUM);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
	/* The 16-bit indices went round (more than three times at 200000). */
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->sq.vr.used->idx), cycles % 65536);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->sq.vr.avail->idx), cycles % 65536);
}

static void wr_in_order(struct kunit *test)
{
	wr_case(test, 0, true, WR_CYCLES);
}

static void wr_out_of_order(struct kunit *test)
{
	wr_case(test, 0, false, WR_CYCLES);
}

static void wr_out_of_order_indirect_event_idx(struct kunit *test)
{
	/* An allocation per buffer is slow under KASAN: one wrap is enough. */
	wr_case(test, RT_INDIRECT | RT_EVENT_IDX, false, 70000);
}

static struct kunit_case wr_cases[] = {
	KUNIT_CASE_SLOW(wr_in_order),
	KUNIT_CASE_SLOW(wr_out_of_order),
	KUNIT_CASE_SLOW(wr_out_of_order_indirect_event_idx),
	{}
};

static struct kunit_suite wr_suite = {
	.name = "vireo_ring_wrap",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = wr_cases,
};

/* ------------------------------------------------------------------ */
/* indirect                                                            */

static void ind_iff_negotiated(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 head;

	rt_setup(ctx, 8, RT_INDIRECT);
	/* Several pieces take one ring descriptor pointing at a table. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 7U);
	head = rt_take(ctx);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_INDIRECT);
	vireo_simq_relchain(&ctx->sq, head, 2 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(1));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);

	/* A single piece is never worth a table, readable or writable. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 7U);
	head = rt_take(ctx);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_WRITE);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 0, RT_TOKEN(3)), 0);
	head = rt_take(ctx);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head), 0);

	/* Not negotiated: always a direct chain. */
	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(4)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 5U);
	head = rt_take(ctx);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_NEXT);
	vireo_simq_relchain(&ctx->sq, head, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(4));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
}

/* The table behind ring descriptor @head matches the scatterlist. */
static void ind_check_table(struct rt_ctx *ctx, u16 head, unsigned int nout,
			    unsigned int nin)
{
	struct kunit *test = ctx->test;
	const struct vireo_vring_desc *d = &ctx->sq.vr.desc[head], *table;
	unsigned int n, total = nout + nin;
	u16 flags;

	KUNIT_ASSERT_EQ(test, READ_ONCE(d->flags), VIREO_VRING_DESC_F_INDIRECT);
	KUNIT_ASSERT_EQ(test, READ_ONCE(d->len), total * 16);
	table = phys_to_virt(READ_ONCE(d->addr));
	for (n = 0; n < total; n++) {
		flags = n >= nout ? VIREO_VRING_DESC_F_WRITE : 0;
		if (n + 1 < total)
			flags |= VIREO_VRING_DESC_F_NEXT;
		KUNIT_EXPECT_EQ(test, table[n].addr,
				(u64)sg_phys(&ctx->sg[n]));
		KUNIT_EXPECT_EQ(test, table[n].len, ctx->sg[n].length);
		KUNIT_EXPECT_EQ(test, table[n].flags, flags);
		if (n + 1 < total)
			KUNIT_EXPECT_EQ(test, table[n].next, n + 1);
	}
}

static void ind_table_contents(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int round, nout, nin, n, len = 0;
	u16 head;

	rt_setup(ctx, 16, RT_INDIRECT);
	for (round = 0; round < 200; round++) {
		nout = rt_rand(ctx, 6);
		nin = rt_rand(ctx, 6);
		if (nout + nin < 2)
			nin = 2;
		/* Pieces of varying length from anywhere in the pool. */
		sg_init_table(ctx->sg, nout + nin);
		for (n = 0; n < nout + nin; n++)
			sg_set_buf(&ctx->sg[n], rt_piece(ctx, rt_rand(ctx, RT_POOL)),
				   1 + rt_rand(ctx, RT_SEG));
		KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(ctx->vq, ctx->sg, nout,
						       nin, RT_TOKEN(round),
						       GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, ctx->vq->num_free, 15U);
		KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head,
							  ctx->iov, RT_MAX_IOV),
				(int)(nout + nin));
		ind_check_table(ctx, head, nout, nin);
		vireo_simq_relchain(&ctx->sq, head,
				    vireo_simq_writable(ctx->iov, nout + nin));
		KUNIT_ASSERT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
				    RT_TOKEN(round));
		KUNIT_ASSERT_EQ(test, len, vireo_simq_writable(ctx->iov,
							       nout + nin));
	}
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 16U);
}

static void ind_longer_than_ring(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int len = 0;
	u16 head;

	/* Nine pieces through a ring of four: one descriptor and a table. */
	rt_setup(ctx, 4, RT_INDIRECT);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 3, 6, RT_TOKEN(0)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 3U);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), 9);
	ind_check_table(ctx, head, 3, 6);
	vireo_simq_relchain(&ctx->sq, head, 6 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, len, 6 * RT_SEG);
	/* The largest chain fits in a ring of one. */
	rt_new_queue(ctx, 1, RT_INDIRECT);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 40, 40, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(2)), -ENOSPC);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), 80);
	vireo_simq_relchain(&ctx->sq, head, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(1));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 1U);

	/* Without indirect descriptors it can never fit: a clean -EINVAL. */
	rt_setup(ctx, 4, 0);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 3, 6, RT_TOKEN(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 5, RT_TOKEN(0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_EXPECT_FALSE(test, vireo_simq_has_descs(&ctx->sq));
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
	/* The queue is unharmed: four pieces still fit. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 2, 2, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 0U);
	rt_complete(ctx, 2 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(1));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "queue marked broken"), 0U);
}

#ifdef CONFIG_FAILSLAB
/*
 * Make the next slab allocation of this task fail, as fault injection's
 * fail-nth does; GFP_ATOMIC because failslab ignores sleeping allocations
 * by default. Returns true if the allocation was attempted (and failed).
 */
static int ind_add_failing(struct rt_ctx *ctx, unsigned int nout,
			   unsigned int nin, void *token, bool *failed)
{
	int err;

	WRITE_ONCE(current->fail_nth, 1);
	err = rt_add_at(ctx, nout, nin, token, 0, GFP_ATOMIC);
	*failed = READ_ONCE(current->fail_nth) == 0;
	WRITE_ONCE(current->fail_nth, 0);
	return err;
}
#endif

static void ind_alloc_failure(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	struct rt_ctx *ctx = test->priv;
	unsigned int len = 0;
	bool failed = false;
	u16 head;

	rt_setup(ctx, 8, RT_INDIRECT);
	/* The table allocation fails: the buffer takes a direct chain. */
	KUNIT_ASSERT_EQ(test, ind_add_failing(ctx, 2, 2, RT_TOKEN(0), &failed),
			0);
	KUNIT_EXPECT_TRUE(test, failed);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), 4);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_NEXT);
	vireo_simq_relchain(&ctx->sq, head, 2 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, len, 2 * RT_SEG);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);

	/* Longer than the ring, there is no fallback: -ENOMEM, no trace. */
	KUNIT_EXPECT_EQ(test, ind_add_failing(ctx, 5, 5, RT_TOKEN(1), &failed),
			-ENOMEM);
	KUNIT_EXPECT_TRUE(test, failed);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	KUNIT_EXPECT_FALSE(test, vireo_simq_has_descs(&ctx->sq));

	/* The next allocation succeeds, and a table is used again. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 5, 5, RT_TOKEN(2)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 7U);
	head = rt_take(ctx);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_INDIRECT);
	/* Outstanding at teardown: shutdown frees the table (kmemleak). */
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
}

static struct kunit_case ind_cases[] = {
	KUNIT_CASE(ind_iff_negotiated),
	KUNIT_CASE(ind_table_contents),
	KUNIT_CASE(ind_longer_than_ring),
	KUNIT_CASE(ind_alloc_failure),
	{}
};

static struct kunit_suite ind_suite = {
	.name = "vireo_ring_indirect",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = ind_cases,
};

/* ------------------------------------------------------------------ */
/* full ring                                                           */

/*
 * Random buffers against a model: add_buf fails with -ENOSPC exactly
 * when the descriptors it needs are not free, and succeeds again once
 * enough were given back.
 */
static void full_model_case(struct kunit *test, unsigned int num,
			    u64 features)
{
	struct rt_ctx *ctx = test->priv;
	bool indirect = features & RT_INDIRECT;
	unsigned int step, nout, nin, total, cost, free, fails = 0;
	u8 *costs, *token;
	u16 head;
	int err;

	/* Each buffer's token is its entry here, holding what it cost. */
	costs = kunit_kzalloc(test, 20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, costs);
	rt_setup(ctx, num, features);
	free = num;
	for (step = 0; step < 20000; step++) {
		cond_resched();
		nout = rt_rand(ctx, 4);
		nin = rt_rand(ctx, 4);
		total = nout + nin;
		if (!total || (total > num && !indirect))
			continue;
		cost = indirect && total > 1 ? 1 : total;
		costs[step] = cost;
		err = rt_add(ctx, nout, nin, &costs[step]);
		if (cost > free) {
			KUNIT_ASSERT_EQ(test, err, -ENOSPC);
			fails++;
		} else {
			KUNIT_ASSERT_EQ(test, err, 0);
			free -= cost;
		}
		KUNIT_ASSERT_EQ(test, ctx->vq->num_free, free);
		/* The device completes now and then; the driver collects. */
		if (rt_rand(ctx, 3))
			continue;
		while (vireo_simq_has_descs(&ctx->sq) && rt_rand(ctx, 4)) {
			head = rt_take(ctx);
			vireo_simq_relchain(&ctx->sq, head, 0);
		}
		while ((token = vireo_vq_get_buf(ctx->vq, NULL)))
			free += *token;
		KUNIT_ASSERT_EQ(test, ctx->vq->num_free, free);
	}
	/* Some adds must have hit a full ring, or nothing was tested. */
	KUNIT_EXPECT_GT(test, fails, 100U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void full_model(struct kunit *test)
{
	full_model_case(test, 8, 0);
	full_model_case(test, 4, 0);
}

static void full_model_indirect(struct kunit *test)
{
	full_model_case(test, 8, RT_INDIRECT);
	full_model_case(test, 2, RT_INDIRECT);
}

static void full_free_list_holes(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 heads[8];
	unsigned int i;

	rt_setup(ctx, 8, 0);
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 0U);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(8)), -ENOSPC);

	/* Completion in reverse order returns one descriptor at a time. */
	for (i = 0; i < 8; i++)
		heads[i] = rt_take(ctx);
	for (i = 8; i-- > 0;)
		vireo_simq_relchain(&ctx->sq, heads[i], 0);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL),
				    RT_TOKEN(7 - i));
		KUNIT_EXPECT_EQ(test, ctx->vq->num_free, i + 1);
	}

	/* The shuffled free list still holds exactly four 2-chains. */
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(i)), 0);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(4)), -ENOSPC);
	for (i = 0; i < 4; i++)
		heads[i] = rt_take(ctx);

	/* Two holes of two make room for one chain of four. */
	vireo_simq_relchain(&ctx->sq, heads[1], 0);
	vireo_simq_relchain(&ctx->sq, heads[3], 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(1));
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(3));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 1, 4, RT_TOKEN(5)), -ENOSPC);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 3, RT_TOKEN(5)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 0U);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(6)), -ENOSPC);

	vireo_simq_relchain(&ctx->sq, heads[0], 0);
	vireo_simq_relchain(&ctx->sq, heads[2], 0);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &heads[4], ctx->iov,
						  RT_MAX_IOV), 4);
	vireo_simq_relchain(&ctx->sq, heads[4], 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void full_add_limit_without_kick(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int i;

	/* A ring of one entry, recycled without a single kick_prepare. */
	rt_setup(ctx, 1, 0);
	for (i = 0; i < U16_MAX; i++) {
		cond_resched();
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
		rt_complete(ctx, 0);
		KUNIT_ASSERT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL),
				    RT_TOKEN(0));
	}
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), -ENOSPC);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 1U);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
}

static struct kunit_case full_cases[] = {
	KUNIT_CASE(full_model),
	KUNIT_CASE(full_model_indirect),
	KUNIT_CASE(full_free_list_holes),
	KUNIT_CASE(full_add_limit_without_kick),
	{}
};

static struct kunit_suite full_suite = {
	.name = "vireo_ring_full",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = full_cases,
};

/* ------------------------------------------------------------------ */
/* shutdown                                                            */

/*
 * Random outstanding buffers in every state (not yet seen by the device,
 * held by it, completed but not collected; direct and indirect): shutdown
 * returns each token exactly once, and the device, reset, gets a new
 * queue that works.
 */
static void sd_case(struct kunit *test, u64 features)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int round, i, n, posted, returned, held;
	u8 *tokens, *seen;
	u16 heads[32];
	void *token;

	tokens = kunit_kzalloc(test, 32, GFP_KERNEL);
	seen = kunit_kzalloc(test, 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tokens);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	rt_setup(ctx, 32, features);
	for (round = 0; round < 50; round++) {
		posted = 0;
		for (i = 0; i < 32; i++) {
			if (rt_add(ctx, rt_rand(ctx, 3), 1 + rt_rand(ctx, 2),
				   &tokens[i]))
				break;
			posted++;
		}
		held = rt_rand(ctx, posted + 1);
		for (i = 0; i < held; i++)
			heads[i] = rt_take(ctx);
		n = rt_rand(ctx, held + 1);
		for (i = 0; i < n; i++)
			vireo_simq_relchain(&ctx->sq, heads[i], 0);
		/* Some get collected normally first. */
		returned = 0;
		memset(seen, 0, 32);
		n = rt_rand(ctx, 3);
		while (n-- && (token = vireo_vq_get_buf(ctx->vq, NULL))) {
			seen[(u8 *)token - tokens]++;
			returned++;
		}
		/* Reset: the device forgets the ring; the rest comes back. */
		if (round % 5 == 4)
			vireo_vq_mark_broken(ctx->vq);
		while ((token = vireo_vq_shutdown(ctx->vq))) {
			KUNIT_ASSERT_TRUE(test, (u8 *)token >= tokens &&
					  (u8 *)token < tokens + 32);
			seen[(u8 *)token - tokens]++;
			KUNIT_ASSERT_LE(test, ++returned, posted);
		}
		KUNIT_EXPECT_EQ(test, returned, posted);
		for (i = 0; i < posted; i++)
			KUNIT_ASSERT_EQ_MSG(test, seen[i], 1, "token %u", i);
		KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 32U);
		KUNIT_EXPECT_NULL(test, vireo_vq_shutdown(ctx->vq));

		/* After a reset the transport builds the queue anew. */
		rt_new_queue(ctx, 32, features);
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
		KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
		rt_complete(ctx, 1);
		KUNIT_ASSERT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL),
				    RT_TOKEN(0));
	}
}

static void sd_every_token(struct kunit *test)
{
	sd_case(test, 0);
}

static void sd_every_token_indirect(struct kunit *test)
{
	sd_case(test, RT_INDIRECT | RT_EVENT_IDX);
}

static struct kunit_case sd_cases[] = {
	KUNIT_CASE(sd_every_token),
	KUNIT_CASE(sd_every_token_indirect),
	{}
};

static struct kunit_suite sd_suite = {
	.name = "vireo_ring_shutdown",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = sd_cases,
};

kunit_test_suites(&ag_suite, &wr_suite, &ind_suite, &full_suite, &sd_suite);
