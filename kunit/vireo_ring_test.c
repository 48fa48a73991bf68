// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_ring.ko.
 *
 * Each test builds a real ring on a fake device and lets the simulated
 * device of vireo_simdev.ko play the host: it finds the ring through its
 * physical address, takes chains apart (checking them strictly), writes
 * into the buffers and completes them, correctly or, when told to, not.
 * The fake device is an initialised but unregistered struct vireo_device:
 * the ring reads only its features and uses its struct device for
 * messages.
 *
 * One module, several suites, one per property: add/get, wraparound,
 * indirect descriptors, full ring, notifications, shutdown, a malicious
 * device, and the remaining API rules. Tests that make the device
 * misbehave provoke exactly one "queue marked broken" error per queue;
 * that is expected, and counted.
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

VIREO_IMPORT_NS();

#define RT_ALIGN	VIREO_VRING_LEGACY_ALIGN
#define RT_SEG		16U	/* bytes in each piece rt_add() posts */
#define RT_MAX_IOV	80U
#define RT_INDIRECT	BIT_ULL(VIREO_RING_F_INDIRECT_DESC)
#define RT_EVENT_IDX	BIT_ULL(VIREO_RING_F_EVENT_IDX)
#define RT_POOL		256U	/* pieces in a context's buffer pool */
#define RT_LINE		1024U	/* room for a kernel log line */

/* Tokens need only be distinct, non-NULL pointers. */
static char rt_tokens[64];
#define RT_TOKEN(i)	((void *)&rt_tokens[(i) % ARRAY_SIZE(rt_tokens)])

/* Every fake device gets its own name, so its messages can be counted. */
static atomic_t rt_dev_seq = ATOMIC_INIT(0);

/**
 * struct rt_ctx - one test's queue and simulated device
 * @test: the running test
 * @vdev: the fake device
 * @vq: the queue under test
 * @sq: the simulated device side of @vq
 * @pool: RT_POOL pieces of RT_SEG bytes for buffers
 * @sg: a scatterlist of RT_MAX_IOV entries for rt_add()
 * @iov: room for the device's view of one chain
 * @rnd: the test's pseudo-random numbers (fixed seed: reproducible)
 * @log_mark: kernel log position where message counting starts
 * @line: room for one kernel log line
 * @notifies: calls of the notify callback
 * @callbacks: calls of the queue callback
 * @notify_ok: what the notify callback returns
 * @max_sg: the longest buffer the next queue declares (vireo_vq_info)
 */
struct rt_ctx {
	struct kunit *test;
	struct vireo_device *vdev;
	struct vireo_virtqueue *vq;
	struct vireo_simq sq;
	u8 *pool;
	struct scatterlist *sg;
	struct vireo_simq_iov *iov;
	struct rnd_state rnd;
	u64 log_mark;
	char *line;
	unsigned int notifies;
	unsigned int callbacks;
	bool notify_ok;
	unsigned int max_sg;
};

static bool rt_notify(struct vireo_virtqueue *vq)
{
	struct rt_ctx *ctx = vq->priv;

	ctx->notifies++;
	return ctx->notify_ok;
}

static void rt_callback(struct vireo_virtqueue *vq)
{
	struct rt_ctx *ctx = vq->priv;

	ctx->callbacks++;
}

static void rt_vdev_release(struct device *dev)
{
	kfree(dev_to_vireo(dev));
}

static u32 rt_rand(struct rt_ctx *ctx, u32 below)
{
	return below ? prandom_u32_state(&ctx->rnd) % below : 0;
}

/*
 * Take back every buffer with vireo_vq_shutdown(). A ring cannot hold more
 * buffers than descriptors: one that keeps returning tokens is broken, and
 * must fail the test rather than hang it.
 */
static unsigned int rt_drain(struct rt_ctx *ctx)
{
	unsigned int num = vireo_vq_get_vring_size(ctx->vq), n = 0;

	while (vireo_vq_shutdown(ctx->vq)) {
		if (++n > num) {
			KUNIT_FAIL(ctx->test, "shutdown returned more than %u buffers",
				   num);
			break;
		}
	}
	return n;
}

/* Reclaim the queue's buffers and free the queue. */
static void rt_drop_queue(struct rt_ctx *ctx)
{
	if (!ctx->vq)
		return;
	rt_drain(ctx);
	vireo_vring_destroy(ctx->vq);
	ctx->vq = NULL;
}

static void rt_teardown(struct rt_ctx *ctx)
{
	rt_drop_queue(ctx);
	vireo_simq_free(&ctx->sq);
	if (ctx->vdev) {
		put_device(&ctx->vdev->dev);
		ctx->vdev = NULL;
	}
}

/* A fresh queue of @num entries on the context's device, with @features. */
static void rt_new_queue(struct rt_ctx *ctx, unsigned int num, u64 features)
{
	const struct vireo_vq_info info = {
		.name = "rtq", .callback = rt_callback, .max_sg = ctx->max_sg,
	};
	struct kunit *test = ctx->test;
	struct vireo_virtqueue *vq;

	rt_drop_queue(ctx);
	ctx->vdev->features = features;
	vq = vireo_vring_create(ctx->vdev, 0, num, RT_ALIGN, rt_notify, &info);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	vq->priv = ctx;
	ctx->vq = vq;
	ctx->notifies = 0;
	ctx->callbacks = 0;
	ctx->notify_ok = true;
	KUNIT_ASSERT_EQ(test, vireo_simq_attach(&ctx->sq, vq, RT_ALIGN), 0);
}

/* A fresh fake device and a queue of @num entries on it. */
static void rt_setup(struct rt_ctx *ctx, unsigned int num, u64 features)
{
	struct kunit *test = ctx->test;
	struct vireo_device *vdev;

	rt_teardown(ctx);
	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vdev);
	device_initialize(&vdev->dev);
	vdev->dev.release = rt_vdev_release;
	ctx->vdev = vdev;
	KUNIT_ASSERT_EQ(test, dev_set_name(&vdev->dev, "vireo-kunit-%d",
					   atomic_inc_return(&rt_dev_seq)), 0);
	INIT_LIST_HEAD(&vdev->vqs);
	rt_new_queue(ctx, num, features);
}

/* Where piece @n of the buffers rt_add() posts lives. */
static u8 *rt_piece(struct rt_ctx *ctx, unsigned int n)
{
	return ctx->pool + (n % RT_POOL) * RT_SEG;
}

/*
 * Post a buffer of @nout device-readable then @nin device-writable pieces
 * of RT_SEG bytes each, starting at pool piece @first (with zero pieces,
 * the scatterlist still has one entry so that only the counts are wrong).
 * Returns add_buf's result.
 */
static int rt_add_at(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
		     void *token, unsigned int first, gfp_t gfp)
{
	unsigned int n, total = max(nout + nin, 1U);

	KUNIT_ASSERT_LE(ctx->test, total, RT_MAX_IOV);
	sg_init_table(ctx->sg, total);
	for (n = 0; n < total; n++)
		sg_set_buf(&ctx->sg[n], rt_piece(ctx, first + n), RT_SEG);
	return vireo_vq_add_buf(ctx->vq, ctx->sg, nout, nin, token, gfp);
}

static int rt_add(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
		  void *token)
{
	return rt_add_at(ctx, nout, nin, token, 0, GFP_KERNEL);
}

/* The device takes the next chain; returns its head. */
static u16 rt_take(struct rt_ctx *ctx)
{
	u16 head = 0;

	KUNIT_ASSERT_GT(ctx->test, vireo_simq_getchain(&ctx->sq, &head,
						       ctx->iov, RT_MAX_IOV), 0);
	return head;
}

/* The device takes the next chain and completes it with @len bytes. */
static u16 rt_complete(struct rt_ctx *ctx, u32 len)
{
	u16 head = rt_take(ctx);

	vireo_simq_relchain(&ctx->sq, head, len);
	return head;
}

/* The flags of ring descriptor @i, as the device sees them. */
static u16 rt_desc_flags(struct rt_ctx *ctx, u16 i)
{
	return READ_ONCE(ctx->sq.vr.desc[i].flags);
}

/* Start counting kernel messages from here. */
static void rt_log_mark(struct rt_ctx *ctx)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	ctx->log_mark = iter.next_seq;
}

/* Messages since rt_log_mark() that mention our device and @what. */
static unsigned int rt_log_count(struct rt_ctx *ctx, const char *what)
{
	struct kmsg_dump_iter iter;
	unsigned int count = 0;
	char *line = ctx->line, who[48];
	size_t len;

	/* With the colon: vireo-kunit-1 is not vireo-kunit-12. */
	snprintf(who, sizeof(who), " %s: ", dev_name(&ctx->vdev->dev));
	kmsg_dump_rewind(&iter);
	iter.cur_seq = max(iter.cur_seq, ctx->log_mark);
	while (kmsg_dump_get_line(&iter, false, line, RT_LINE - 1, &len)) {
		line[len] = '\0';
		if (strstr(line, who) && strstr(line, what))
			count++;
	}
	return count;
}

/*
 * Once broken, a queue refuses I/O, keeps refusing however it is poked,
 * has said so exactly once, and still gives its buffers back.
 */
static void rt_expect_broken(struct rt_ctx *ctx, unsigned int in_flight)
{
	struct kunit *test = ctx->test;
	unsigned int callbacks = ctx->callbacks;
	unsigned int notifies = ctx->notifies;
	unsigned int i;

	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(ctx->vq));
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
		KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(63)), -EIO);
		KUNIT_EXPECT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(63)), -EIO);
		KUNIT_EXPECT_FALSE(test, vireo_vq_kick(ctx->vq));
		KUNIT_EXPECT_TRUE(test, vireo_vq_restart(ctx->vq));
	}
	KUNIT_EXPECT_EQ(test, ctx->notifies, notifies);
	/* used->idx did move, but the callback must not run any more. */
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, callbacks);
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "queue marked broken"), 1U);
	KUNIT_EXPECT_EQ(test, rt_drain(ctx), in_flight);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free,
			vireo_vq_get_vring_size(ctx->vq));
}

static int rt_init(struct kunit *test)
{
	struct rt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	ctx->pool = kunit_kzalloc(test, RT_POOL * RT_SEG, GFP_KERNEL);
	ctx->sg = kunit_kmalloc_array(test, RT_MAX_IOV, sizeof(*ctx->sg),
				      GFP_KERNEL);
	ctx->iov = kunit_kmalloc_array(test, RT_MAX_IOV, sizeof(*ctx->iov),
				       GFP_KERNEL);
	ctx->line = kunit_kmalloc(test, RT_LINE, GFP_KERNEL);
	if (!ctx->pool || !ctx->sg || !ctx->iov || !ctx->line)
		return -ENOMEM;
	prandom_seed_state(&ctx->rnd, 0x7669726f00000000ULL);
	rt_log_mark(ctx);
	test->priv = ctx;
	return 0;
}

static void rt_exit(struct kunit *test)
{
	rt_teardown(test->priv);
}

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
/* notifications                                                       */

/*
 * One batch: the driver adds @n buffers and kicks; the kick must have
 * happened exactly when the simulated device, reading back its own
 * avail_event or NO_NOTIFY, says the specification requires it.
 */
static void nt_batch(struct rt_ctx *ctx, unsigned int n)
{
	struct kunit *test = ctx->test;
	unsigned int before = ctx->notifies;

	while (n--)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(n)), 0);
	KUNIT_ASSERT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_ASSERT_EQ(test, ctx->notifies - before,
			(unsigned int)vireo_simq_kick_expected(&ctx->sq));
}

/* The device consumes up to @n chains and completes them. */
static void nt_consume(struct rt_ctx *ctx, unsigned int n)
{
	while (n-- && vireo_simq_has_descs(&ctx->sq))
		rt_complete(ctx, 0);
	while (vireo_vq_get_buf(ctx->vq, NULL))
		;
}

static void nt_script_case(struct kunit *test, u64 features, bool manual)
{
	struct rt_ctx *ctx = test->priv;
	bool event = features & RT_EVENT_IDX;
	unsigned int step, kicks = 0, quiet = 0, before;
	u16 idx;

	rt_setup(ctx, 16, features);
	/* Scripted: kick on the first buffer, then as the device asks. */
	nt_batch(ctx, 1);
	KUNIT_EXPECT_EQ(test, ctx->notifies, 1U);
	nt_consume(ctx, 1);
	/* NO_NOTIFY silences the kick; with EVENT_IDX avail_event is 1. */
	vireo_simq_set_no_notify(&ctx->sq, true);
	nt_batch(ctx, 2);
	KUNIT_EXPECT_EQ(test, ctx->notifies, event ? 2U : 1U);
	vireo_simq_set_no_notify(&ctx->sq, false);
	nt_batch(ctx, 1);
	KUNIT_EXPECT_EQ(test, ctx->notifies, 2U);
	nt_consume(ctx, 16);
	nt_batch(ctx, 3);
	KUNIT_EXPECT_EQ(test, ctx->notifies, 3U);
	nt_consume(ctx, 16);

	/* Random batches, device progress, hints and event positions. */
	for (step = 0; step < 20000; step++) {
		cond_resched();
		if (event && manual && !rt_rand(ctx, 2)) {
			idx = READ_ONCE(ctx->sq.vr.avail->idx);
			vireo_simq_set_avail_event(&ctx->sq,
						   idx + rt_rand(ctx, 12) - 4);
		}
		if (!event && !rt_rand(ctx, 4))
			vireo_simq_set_no_notify(&ctx->sq, rt_rand(ctx, 2));
		before = ctx->notifies;
		nt_batch(ctx, 1 + rt_rand(ctx, min(4U, ctx->vq->num_free)));
		if (ctx->notifies != before)
			kicks++;
		else
			quiet++;
		nt_consume(ctx, rt_rand(ctx, 5));
		if (ctx->vq->num_free < 4)
			nt_consume(ctx, 16);
	}
	/* Both outcomes must have been exercised. */
	KUNIT_EXPECT_GT(test, kicks, 1000U);
	KUNIT_EXPECT_GT(test, quiet, 1000U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void nt_script(struct kunit *test)
{
	nt_script_case(test, 0, false);
}

static void nt_script_event_idx(struct kunit *test)
{
	nt_script_case(test, RT_EVENT_IDX, false);
}

static void nt_script_event_idx_chosen(struct kunit *test)
{
	nt_script_case(test, RT_EVENT_IDX, true);
}

static void nt_kick_no_notify(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* Without event indices the device's flag decides. */
	vireo_simq_set_no_notify(&ctx->sq, true);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, ctx->notifies, 0U);

	vireo_simq_set_no_notify(&ctx->sq, false);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(3)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, ctx->notifies, 1U);

	/* A transport that finds the device gone breaks the queue. */
	ctx->notify_ok = false;
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(4)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(ctx->vq));
}

static void nt_kick_event_idx(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int i;

	rt_setup(ctx, 8, RT_EVENT_IDX);

	/* avail_event 0: the device waits for the first buffer. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* A batch [1, 4) that crosses the event. */
	vireo_simq_set_avail_event(&ctx->sq, 2);
	for (i = 1; i < 4; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* Batch [4, 5): the event lies ahead of it... */
	vireo_simq_set_avail_event(&ctx->sq, 5);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(4)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));

	/* ...batch [5, 6): or behind it. */
	vireo_simq_set_avail_event(&ctx->sq, 3);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(5)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));

	/* Batch [6, 7): NO_NOTIFY means nothing once event indices are on. */
	vireo_simq_set_avail_event(&ctx->sq, 6);
	vireo_simq_set_no_notify(&ctx->sq, true);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(6)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* An empty batch never needs a kick. */
	vireo_simq_set_avail_event(&ctx->sq, 7);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));
}

/* A completion while callbacks are off is reported by restart. */
static void nt_restart_case(struct kunit *test, u64 features)
{
	struct rt_ctx *ctx = test->priv;
	bool event = features & RT_EVENT_IDX;
	struct vireo_vring *vr;
	bool intr;

	rt_setup(ctx, 8, features);
	vr = &ctx->sq.vr;
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_TRUE(test, vireo_vq_kick(ctx->vq));
	vireo_vq_disable_cb(ctx->vq);
	if (!event)
		KUNIT_EXPECT_EQ(test, READ_ONCE(vr->avail->flags),
				VIREO_VRING_AVAIL_F_NO_INTERRUPT);

	vireo_simq_startchains(&ctx->sq);
	rt_complete(ctx, 1);
	intr = vireo_simq_endchains(&ctx->sq);
	if (!event)
		KUNIT_EXPECT_FALSE(test, intr);

	/* Pending: restart says so, every time, until it is collected. */
	KUNIT_EXPECT_FALSE(test, vireo_vq_restart(ctx->vq));
	KUNIT_EXPECT_FALSE(test, vireo_vq_restart(ctx->vq));
	if (!event)
		KUNIT_EXPECT_EQ(test, READ_ONCE(vr->avail->flags), 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_TRUE(test, vireo_vq_restart(ctx->vq));
	if (event)
		KUNIT_EXPECT_EQ(test, READ_ONCE(*vireo_vring_used_event(vr)), 1);

	/* Callbacks stayed on: the next completion interrupts. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	KUNIT_ASSERT_TRUE(test, vireo_vq_kick(ctx->vq));
	vireo_simq_startchains(&ctx->sq);
	rt_complete(ctx, 1);
	KUNIT_EXPECT_TRUE(test, vireo_simq_endchains(&ctx->sq));
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(1));
}

static void nt_restart_pending(struct kunit *test)
{
	nt_restart_case(test, 0);
}

static void nt_restart_pending_event_idx(struct kunit *test)
{
	nt_restart_case(test, RT_EVENT_IDX);
}

static void nt_used_event_advances(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_vring *vr;
	unsigned int i;

	rt_setup(ctx, 8, RT_EVENT_IDX);
	vr = &ctx->sq.vr;
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	rt_complete(ctx, 0);
	rt_complete(ctx, 0);
	/* Each buffer taken asks for an interrupt on the next one. */
	KUNIT_EXPECT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, READ_ONCE(*vireo_vring_used_event(vr)), 1);
	KUNIT_EXPECT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, READ_ONCE(*vireo_vring_used_event(vr)), 2);

	/* Not while callbacks are disabled... */
	vireo_vq_disable_cb(ctx->vq);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	rt_complete(ctx, 0);
	KUNIT_EXPECT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, READ_ONCE(*vireo_vring_used_event(vr)), 2);
	/* ...until they are enabled again. */
	KUNIT_EXPECT_TRUE(test, vireo_vq_restart(ctx->vq));
	KUNIT_EXPECT_EQ(test, READ_ONCE(*vireo_vring_used_event(vr)), 3);
}

/*
 * Over random batches: with callbacks on, used_event always names the
 * next entry the driver will consume, so a batch completed while the
 * driver has caught up always interrupts, and one completed while it lags
 * behind never does (EVENT_IDX) - and with callbacks off nothing
 * interrupts without EVENT_IDX.
 */
static void nt_used_event_script_case(struct kunit *test, u64 features)
{
	struct rt_ctx *ctx = test->priv;
	bool event = features & RT_EVENT_IDX;
	unsigned int step, n, intrs = 0;
	u16 consumed = 0, before;
	bool enabled = true, intr;

	rt_setup(ctx, 16, features);
	for (step = 0; step < 20000; step++) {
		cond_resched();
		while (ctx->vq->num_free && rt_rand(ctx, 3))
			KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
		if (!rt_rand(ctx, 8)) {
			if (enabled)
				vireo_vq_disable_cb(ctx->vq);
			else
				KUNIT_ASSERT_EQ(test, vireo_vq_restart(ctx->vq),
						READ_ONCE(ctx->sq.vr.used->idx) ==
						consumed);
			enabled = !enabled;
		}
		if (event && enabled)
			KUNIT_ASSERT_EQ(test,
					READ_ONCE(*vireo_vring_used_event(&ctx->sq.vr)),
					consumed);
		before = ctx->sq.used_idx;
		vireo_simq_startchains(&ctx->sq);
		n = rt_rand(ctx, 4);
		while (n-- && vireo_simq_has_descs(&ctx->sq))
			rt_complete(ctx, 0);
		intr = vireo_simq_endchains(&ctx->sq);
		if (enabled && ctx->sq.used_idx != before)
			KUNIT_ASSERT_EQ(test, intr, !event || before == consumed);
		if (!enabled && !event)
			KUNIT_ASSERT_FALSE(test, intr);
		intrs += intr;
		n = rt_rand(ctx, 4);
		while (n-- && vireo_vq_get_buf(ctx->vq, NULL))
			consumed++;
	}
	KUNIT_EXPECT_GT(test, intrs, 1000U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void nt_used_event_script(struct kunit *test)
{
	nt_used_event_script_case(test, RT_EVENT_IDX);
}

static void nt_no_interrupt_script(struct kunit *test)
{
	nt_used_event_script_case(test, 0);
}

/* The interrupt handler claims an interrupt only when work is pending. */
static void nt_interrupt(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	/* Posted but not completed: still nothing for the driver. */
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, 0U);

	rt_complete(ctx, 0);
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, 1U);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, 1U);
}

static struct kunit_case nt_cases[] = {
	KUNIT_CASE(nt_script),
	KUNIT_CASE(nt_script_event_idx),
	KUNIT_CASE(nt_script_event_idx_chosen),
	KUNIT_CASE(nt_kick_no_notify),
	KUNIT_CASE(nt_kick_event_idx),
	KUNIT_CASE(nt_restart_pending),
	KUNIT_CASE(nt_restart_pending_event_idx),
	KUNIT_CASE(nt_used_event_advances),
	KUNIT_CASE(nt_used_event_script),
	KUNIT_CASE(nt_no_interrupt_script),
	KUNIT_CASE(nt_interrupt),
	{}
};

static struct kunit_suite nt_suite = {
	.name = "vireo_ring_notify",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = nt_cases,
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

/* ------------------------------------------------------------------ */
/* malicious device                                                    */

static void mal_non_head_id(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	/* The device names the chain's second descriptor. */
	ctx->sq.fault = VIREO_SIMQ_NON_HEAD_ID;
	rt_complete(ctx, 0);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 2);
}

static void mal_id_out_of_range(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	ctx->sq.fault = VIREO_SIMQ_BAD_ID;
	rt_complete(ctx, 0);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);

	/* The largest id, too. */
	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	rt_take(ctx);
	vireo_simq_put_used(&ctx->sq, U32_MAX, 0);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);
}

static void mal_completed_twice(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, RT_INDIRECT);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	/* The same chain comes back twice: the second time it is stale. */
	ctx->sq.fault = VIREO_SIMQ_TWICE;
	rt_complete(ctx, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);
}

static void mal_len_too_large(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int len = 0;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(1)), 0);
	/* Filling the writable part exactly is fine... */
	rt_complete(ctx, RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, len, RT_SEG);
	/* ...one byte more (the readable part does not count) is not. */
	ctx->sq.fault = VIREO_SIMQ_LEN_TOO_LARGE;
	rt_complete(ctx, 0);
	len = 12345;
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, &len));
	KUNIT_EXPECT_EQ(test, len, 12345U);
	rt_expect_broken(ctx, 1);
}

static void mal_used_idx_jump(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	/* used->idx moves by 9 on a ring of 8. */
	ctx->sq.fault = VIREO_SIMQ_IDX_JUMP;
	rt_complete(ctx, 0);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);
}

static void mal_used_idx_past_in_flight(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 head;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	/* Two completions with one buffer in flight: within num, still bad. */
	head = rt_complete(ctx, 0);
	vireo_simq_put_used(&ctx->sq, head, 0);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);
}

static void mal_corrupt_desc(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 head_a, head_b, head;
	unsigned int i;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(0)), 0);
	head_a = rt_take(ctx);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	head_b = rt_take(ctx);
	/* The device rewrites both chains' links, then completes them. */
	vireo_simq_corrupt_chain(&ctx->sq, head_a);
	vireo_simq_corrupt_chain(&ctx->sq, head_b);
	vireo_simq_put_used(&ctx->sq, head_b, 0);
	vireo_simq_put_used(&ctx->sq, head_a, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(1));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 5U);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);

	/* The private free list is intact: all eight descriptors reusable. */
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(8)), -ENOSPC);
	for (i = 0; i < 8; i++)
		rt_complete(ctx, 0);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL),
				    RT_TOKEN(i));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);

	/*
	 * An indirect chain whose ring descriptor is rewritten still frees
	 * the table the ring allocated (KASAN would see anything else).
	 */
	rt_setup(ctx, 8, RT_INDIRECT);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 2, 2, RT_TOKEN(2)), 0);
	head = rt_take(ctx);
	vireo_simq_corrupt_chain(&ctx->sq, head);
	vireo_simq_put_used(&ctx->sq, head, 2 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(2));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

#define MAL_RANDOM_RUNS	100000U

enum mal_kind { MAL_BAD_ID, MAL_NOT_HEAD, MAL_TWICE, MAL_JUMP, MAL_LEN,
		MAL_KINDS };

/*
 * One random run: a queue with random buffers in flight, a few honest
 * completions, then one corrupted used entry. Returns false if the kind
 * drawn does not apply to this state (then nothing was corrupted).
 */
static bool mal_random_one(struct rt_ctx *ctx, unsigned int num,
			   unsigned int *in_flight)
{
	struct kunit *test = ctx->test;
	struct vireo_simq *sq = &ctx->sq;
	unsigned int i, n, held = 0;
	u16 heads[16], head;
	u32 id, len;

	/* A few buffers are enough; every allocation is slow under TCG. */
	*in_flight = 0;
	n = 1 + rt_rand(ctx, min(num, 4U));
	for (i = 0; i < n; i++) {
		if (rt_add(ctx, rt_rand(ctx, 2), 1 + rt_rand(ctx, 2),
			   RT_TOKEN(i)))
			break;
		++*in_flight;
	}
	while (vireo_simq_has_descs(sq))
		heads[held++] = rt_take(ctx);
	/* Honest completions first; the driver collects them. */
	n = rt_rand(ctx, held);
	for (i = 0; i < n; i++) {
		vireo_simq_relchain(sq, heads[--held], 0);
		KUNIT_ASSERT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
		--*in_flight;
	}
	if (!held)
		return false;
	head = heads[rt_rand(ctx, held)];

	switch (rt_rand(ctx, MAL_KINDS)) {
	case MAL_BAD_ID:
		id = num + rt_rand(ctx, U32_MAX - num);
		vireo_simq_put_used(sq, id, 0);
		break;
	case MAL_NOT_HEAD:
		id = rt_rand(ctx, num);
		/* Every chain in flight is held: a free id is no head. */
		if (sq->ndesc[id])
			return false;
		vireo_simq_put_used(sq, id, 0);
		break;
	case MAL_TWICE:
		vireo_simq_put_used(sq, head, 0);
		KUNIT_ASSERT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
		--*in_flight;
		vireo_simq_put_used(sq, head, 0);
		break;
	case MAL_JUMP:
		/* Anything beyond the buffers in flight, up to a full wrap. */
		n = *in_flight + 1 + rt_rand(ctx, U16_MAX - *in_flight);
		vireo_simq_put_used(sq, head, 0);
		sq->used_idx += n - 1;
		WRITE_ONCE(sq->vr.used->idx, sq->used_idx);
		break;
	default:
		len = vireo_simq_chain_writable(sq, head);
		len += 1 + rt_rand(ctx, U32_MAX - len);
		vireo_simq_put_used(sq, head, len);
		break;
	}
	return true;
}

/* The taints a splat leaves behind, and lockdep's own switch. */
static bool mal_kernel_clean(void)
{
	return !test_taint(TAINT_WARN) && !test_taint(TAINT_BAD_PAGE) &&
	       !test_taint(TAINT_DIE) && !test_taint(TAINT_SOFTLOCKUP) &&
	       debug_locks;
}

static void mal_console_restore(void *level)
{
	console_loglevel = (long)level;
}

/*
 * 10^5 runs, one broken queue and one error message each. Printing those
 * on a serial console under TCG would take minutes, so the console skips
 * error-level messages while the runs last (they still reach the log,
 * where each run checks that its queue said so exactly once). A splat in
 * that time would not show on the console, so the case checks for its
 * traces instead: a KASAN report fails the running test by itself, a
 * WARN, BUG or soft lockup taints the kernel, lockdep turns itself off.
 */
static void mal_random(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int runs = 0, in_flight, num;
	void *level = (void *)(long)console_loglevel;
	bool clean = mal_kernel_clean();
	u64 features;
	int err;

	rt_setup(ctx, 1, 0);
	err = kunit_add_action_or_reset(test, mal_console_restore, level);
	KUNIT_ASSERT_EQ(test, err, 0);
	console_loglevel = min(console_loglevel, LOGLEVEL_ERR);
	while (runs < MAL_RANDOM_RUNS) {
		cond_resched();
		num = 1U << rt_rand(ctx, 5);
		features = rt_rand(ctx, 2) ? RT_INDIRECT : 0;
		rt_new_queue(ctx, num, features);
		rt_log_mark(ctx);
		if (!mal_random_one(ctx, num, &in_flight))
			continue;
		runs++;
		KUNIT_ASSERT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
		KUNIT_ASSERT_TRUE(test, vireo_vq_is_broken(ctx->vq));
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), -EIO);
		KUNIT_ASSERT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
		KUNIT_ASSERT_EQ(test, rt_log_count(ctx, "queue marked broken"), 1U);
		KUNIT_ASSERT_EQ(test, rt_drain(ctx), in_flight);
	}
	kunit_release_action(test, mal_console_restore, level);
	if (clean)
		KUNIT_EXPECT_TRUE(test, mal_kernel_clean());
}

static struct kunit_case mal_cases[] = {
	KUNIT_CASE(mal_id_out_of_range),
	KUNIT_CASE(mal_non_head_id),
	KUNIT_CASE(mal_completed_twice),
	KUNIT_CASE(mal_used_idx_jump),
	KUNIT_CASE(mal_used_idx_past_in_flight),
	KUNIT_CASE(mal_len_too_large),
	KUNIT_CASE(mal_corrupt_desc),
	KUNIT_CASE_SLOW(mal_random),
	{}
};

static struct kunit_suite mal_suite = {
	.name = "vireo_ring_malicious",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = mal_cases,
};

/* ------------------------------------------------------------------ */
/* API rules                                                           */

static void api_add_errors(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_virtqueue *vq;
	struct scatterlist *sg = ctx->sg;
	unsigned int i;

	rt_setup(ctx, 4, 0);
	vq = ctx->vq;
	sg_init_table(sg, 5);
	for (i = 0; i < 5; i++)
		sg_set_buf(&sg[i], rt_piece(ctx, i), RT_SEG);

	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 1, 0, NULL, GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, NULL, 1, 0, RT_TOKEN(0),
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 0, 0, RT_TOKEN(0),
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, UINT_MAX, 2,
					       RT_TOKEN(0), GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vq->num_free, 4U);

	/* With indirect descriptors: no table beyond 32768 entries. */
	rt_new_queue(ctx, 4, RT_INDIRECT);
	vq = ctx->vq;
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, VIREO_VRING_MAX_NUM, 1,
					       RT_TOKEN(0), GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 1, UINT_MAX,
					       RT_TOKEN(0), GFP_KERNEL),
			-EINVAL);

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(vq, &sg[i], 0, 1,
						       RT_TOKEN(i),
						       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, &sg[4], 0, 1, RT_TOKEN(4),
					       GFP_KERNEL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 1, 1, RT_TOKEN(4),
					       GFP_KERNEL), -ENOSPC);

	vireo_vq_mark_broken(vq);
	KUNIT_EXPECT_EQ(test, rt_drain(ctx), 4U);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, &sg[4], 0, 1, RT_TOKEN(4),
					       GFP_KERNEL), -EIO);
	/* Marked by the transport: no message from the ring. */
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "queue marked broken"), 0U);
}

static void api_transport_features(struct kunit *test)
{
	struct vireo_device *vdev;
	unsigned int bit;
	bool keep;

	vdev = kunit_kzalloc(test, sizeof(*vdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vdev);
	vdev->features = ~0ULL;
	vireo_vring_transport_features(vdev);
	/* Assumes the default module parameters (indirect=1 event_idx=1). */
	for (bit = 0; bit < 64; bit++) {
		keep = bit < VIREO_TRANSPORT_F_START ||
		       bit >= VIREO_TRANSPORT_F_END ||
		       bit == VIREO_RING_F_INDIRECT_DESC ||
		       bit == VIREO_RING_F_EVENT_IDX;
		KUNIT_EXPECT_EQ_MSG(test, !!(vdev->features & BIT_ULL(bit)),
				    keep, "bit %u", bit);
	}
}

static void api_create_args(struct kunit *test)
{
	static const struct vireo_vq_info bad_info = { .name = "bad" };
	static const unsigned int bad[][2] = {
		{ 0, RT_ALIGN }, { 3, RT_ALIGN }, { 32769, RT_ALIGN },
		{ 65536, RT_ALIGN }, { 8, 0 }, { 8, 2 }, { 8, 3 }, { 8, 4097 },
	};
	struct rt_ctx *ctx = test->priv;
	struct vireo_virtqueue *vq;
	struct vireo_simq sq;
	unsigned int i;

	rt_setup(ctx, 1, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		vq = vireo_vring_create(ctx->vdev, 1, bad[i][0], bad[i][1],
					rt_notify, &bad_info);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(vq), -EINVAL,
				    "num %u align %u", bad[i][0], bad[i][1]);
	}
	vq = vireo_vring_create(ctx->vdev, 1, 8, RT_ALIGN, NULL, &bad_info);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vq), -EINVAL);
	vq = vireo_vring_create(ctx->vdev, 1, 8, RT_ALIGN, rt_notify, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vq), -EINVAL);

	/* The largest ring, laid out where the device will look for it. */
	vq = vireo_vring_create(ctx->vdev, 1, VIREO_VRING_MAX_NUM, RT_ALIGN,
				rt_notify, &(struct vireo_vq_info){ .name = "big" });
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	KUNIT_EXPECT_EQ(test, vireo_vring_bytes(vq),
			vireo_vring_size(VIREO_VRING_MAX_NUM, RT_ALIGN));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(vireo_vring_phys(vq), RT_ALIGN));
	KUNIT_EXPECT_EQ(test, vq->num_free, VIREO_VRING_MAX_NUM);
	/* No callback: interrupts start suppressed. */
	if (!vireo_simq_init(&sq, vq, RT_ALIGN)) {
		KUNIT_EXPECT_EQ(test, READ_ONCE(sq.vr.avail->flags),
				VIREO_VRING_AVAIL_F_NO_INTERRUPT);
		vireo_simq_free(&sq);
	}
	vireo_vring_destroy(vq);

	/* Alignments above a page and the smallest one are honoured. */
	vq = vireo_vring_create(ctx->vdev, 1, 8, 8192, rt_notify,
				&(struct vireo_vq_info){ .name = "a8k" });
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(vireo_vring_phys(vq), 8192));
	KUNIT_EXPECT_EQ(test, vireo_vring_bytes(vq), vireo_vring_size(8, 8192));
	vireo_vring_destroy(vq);
	vq = vireo_vring_create(ctx->vdev, 1, 2, 4, rt_notify,
				&(struct vireo_vq_info){ .name = "a4" });
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	KUNIT_EXPECT_EQ(test, vireo_vring_bytes(vq), vireo_vring_size(2, 4));
	vireo_vring_destroy(vq);
	vireo_vring_destroy(NULL);
}

/* The simulated device itself refuses what a strict device refuses. */
static void api_simdev_strict(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_vring_desc *desc;
	u16 head;

	rt_setup(ctx, 8, 0);
	desc = ctx->sq.vr.desc;
	/* A readable piece after a writable one. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
	WRITE_ONCE(desc[0].flags, VIREO_VRING_DESC_F_NEXT |
				  VIREO_VRING_DESC_F_WRITE);
	WRITE_ONCE(desc[1].flags, 0);
	KUNIT_EXPECT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), -EINVAL);
	/* A loop. */
	rt_new_queue(ctx, 8, 0);
	desc = ctx->sq.vr.desc;
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
	WRITE_ONCE(desc[1].flags, VIREO_VRING_DESC_F_NEXT);
	WRITE_ONCE(desc[1].next, 0);
	KUNIT_EXPECT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), -ELOOP);
	/* A descriptor the device still holds. */
	rt_new_queue(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	head = rt_take(ctx);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	WRITE_ONCE(ctx->sq.vr.avail->ring[1], head);
	KUNIT_EXPECT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), -EINVAL);
	/* A buffer outside guest RAM. */
	rt_new_queue(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	WRITE_ONCE(ctx->sq.vr.desc[0].addr, ~0ULL - 8);
	KUNIT_EXPECT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), -EINVAL);
	/* An avail index that runs ahead of the ring. */
	rt_new_queue(ctx, 8, 0);
	WRITE_ONCE(ctx->sq.vr.avail->idx, 9);
	KUNIT_EXPECT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), -EINVAL);
}

static struct kunit_case api_cases[] = {
	KUNIT_CASE(api_add_errors),
	KUNIT_CASE(api_transport_features),
	KUNIT_CASE(api_create_args),
	KUNIT_CASE(api_simdev_strict),
	{}
};

static struct kunit_suite api_suite = {
	.name = "vireo_ring_api",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = api_cases,
};

kunit_test_suites(&ag_suite, &wr_suite, &ind_suite, &full_suite, &nt_suite,
		  &sd_suite, &mal_suite, &api_suite);

MODULE_DESCRIPTION("KUnit tests for the vireo split virtqueue");
MODULE_LICENSE("GPL");
