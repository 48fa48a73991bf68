// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the ring's v2 API: buffers made of several
 * scatterlists, delayed callbacks, preallocated indirect tables (no
 * allocation on the I/O path), quiescing, and the clamped used length.
 * See vireo_ring_test_lib.c for the module.
 */

#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <vireo/transport.h>
#include "vireo_ring_test.h"

/* Buffers added and collected by the no-allocation cases. */
#define V2_CYCLES	100000U

/* ------------------------------------------------------------------ */
/* several scatterlists                                                */

/*
 * A block-style request: header (1 out), data of @ndata pieces (out if
 * @write, else in) split over two chained tables, status (1 in). The
 * pieces are the context's pool pieces 0, 1, ... in order.
 */
static int v2_add_request(struct rt_ctx *ctx, unsigned int ndata, bool write,
			  void *token)
{
	struct scatterlist *hdr = &ctx->sg[0], *status = &ctx->sg[1];
	struct scatterlist *data = &ctx->sg[2], *more;
	struct scatterlist *sgs[3];
	unsigned int n, first = (ndata + 1) / 2, out = 0, in = 0;

	sg_init_one(hdr, rt_piece(ctx, 0), RT_SEG);
	sg_init_one(status, rt_piece(ctx, ndata + 1), RT_SEG);
	/* data[0..first-1], then a chain link to the rest at @more. */
	more = &ctx->sg[2 + first + 1];
	sg_init_table(data, first + 1);
	for (n = 0; n < first; n++)
		sg_set_buf(&data[n], rt_piece(ctx, 1 + n), RT_SEG);
	sg_init_table(more, ndata - first);
	for (n = first; n < ndata; n++)
		sg_set_buf(&more[n - first], rt_piece(ctx, 1 + n), RT_SEG);
	sg_chain(data, first + 1, more);

	sgs[out++] = hdr;
	if (write)
		sgs[out++] = data;
	else
		sgs[out + in++] = data;
	sgs[out + in++] = status;
	return vireo_vq_add_sgs(ctx->vq, sgs, out, in, token, GFP_KERNEL);
}

/* The device sees header, data and status in order, flags included. */
static void v2_check_request(struct rt_ctx *ctx, unsigned int ndata,
			     bool write)
{
	struct kunit *test = ctx->test;
	unsigned int n;
	u16 head;

	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), ndata + 2);
	for (n = 0; n < ndata + 2; n++) {
		bool want_write = n == ndata + 1 || (n > 0 && !write);

		KUNIT_EXPECT_EQ_MSG(test, ctx->iov[n].addr,
				    (u64)virt_to_phys(rt_piece(ctx, n)),
				    "entry %u", n);
		KUNIT_EXPECT_EQ(test, ctx->iov[n].len, RT_SEG);
		KUNIT_EXPECT_EQ_MSG(test, ctx->iov[n].write, want_write,
				    "entry %u", n);
	}
	vireo_simq_relchain(&ctx->sq, head, RT_SEG);
}

static void sgs_layout_case(struct kunit *test, u64 features)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int ndata, len;

	rt_setup(ctx, 16, features);
	for (ndata = 2; ndata <= 6; ndata++) {
		KUNIT_ASSERT_EQ(test, v2_add_request(ctx, ndata, true,
						     RT_TOKEN(ndata)), 0);
		v2_check_request(ctx, ndata, true);
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
				    RT_TOKEN(ndata));
		KUNIT_ASSERT_EQ(test, v2_add_request(ctx, ndata, false,
						     RT_TOKEN(ndata)), 0);
		v2_check_request(ctx, ndata, false);
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
				    RT_TOKEN(ndata));
		KUNIT_EXPECT_EQ(test, len, RT_SEG);
	}
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 16U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void sgs_layout(struct kunit *test)
{
	sgs_layout_case(test, 0);
}

static void sgs_layout_indirect(struct kunit *test)
{
	sgs_layout_case(test, RT_INDIRECT);
}

/* add_sgs and add_buf write the same descriptors for the same buffer. */
static void sgs_same_as_add_buf(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_vring_desc a[5], b[5];
	struct vireo_vring *vr;
	u16 head;

	rt_setup(ctx, 8, 0);
	vr = &ctx->sq.vr;
	KUNIT_ASSERT_EQ(test, v2_add_request(ctx, 3, true, RT_TOKEN(0)), 0);
	head = rt_take(ctx);
	memcpy(a, vr->desc, sizeof(a));
	vireo_simq_relchain(&ctx->sq, head, RT_SEG);
	KUNIT_ASSERT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));

	/* The chain went back to the free list head first: same indices. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 4, 1, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_EQ(test, rt_take(ctx), head);
	memcpy(b, vr->desc, sizeof(b));
	KUNIT_EXPECT_EQ(test, memcmp(a, b, sizeof(a)), 0);
}

static void sgs_errors(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct scatterlist *sgs[3] = { &ctx->sg[0], NULL, &ctx->sg[1] };
	struct scatterlist loop[2];

	rt_setup(ctx, 4, 0);
	sg_init_one(&ctx->sg[0], rt_piece(ctx, 0), RT_SEG);
	sg_init_one(&ctx->sg[1], rt_piece(ctx, 1), RT_SEG);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, NULL, 1, 0,
					       RT_TOKEN(0), GFP_KERNEL), -EINVAL);
	/* A NULL list, no list at all, no token. */
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, sgs, 1, 2,
					       RT_TOKEN(0), GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, sgs, 0, 0,
					       RT_TOKEN(0), GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, sgs, 1, 0, NULL,
					       GFP_KERNEL), -EINVAL);
	/* A list that chains back into itself is counted, not followed. */
	sg_init_table(loop, 2);
	sg_set_buf(&loop[0], rt_piece(ctx, 2), RT_SEG);
	sg_chain(loop, 2, loop);
	sgs[1] = loop;
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, sgs, 1, 2,
					       RT_TOKEN(0), GFP_KERNEL), -EINVAL);
	/* Five entries cannot fit a ring of four without indirect. */
	KUNIT_EXPECT_EQ(test, v2_add_request(ctx, 3, true, RT_TOKEN(0)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_EXPECT_FALSE(test, vireo_simq_has_descs(&ctx->sq));
	/* Two lists of one entry fit, out then in. */
	sgs[1] = &ctx->sg[1];
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, sgs, 1, 1,
					       RT_TOKEN(1), GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, rt_take(ctx), 0);
	KUNIT_EXPECT_FALSE(test, ctx->iov[0].write);
	KUNIT_EXPECT_TRUE(test, ctx->iov[1].write);
	vireo_vq_mark_broken(ctx->vq);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_sgs(ctx->vq, sgs, 1, 1,
					       RT_TOKEN(2), GFP_KERNEL), -EIO);
}

static struct kunit_case sgs_cases[] = {
	KUNIT_CASE(sgs_layout),
	KUNIT_CASE(sgs_layout_indirect),
	KUNIT_CASE(sgs_same_as_add_buf),
	KUNIT_CASE(sgs_errors),
	{}
};

static struct kunit_suite sgs_suite = {
	.name = "vireo_ring_sgs",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = sgs_cases,
};

/* ------------------------------------------------------------------ */
/* delayed callbacks                                                   */

/* Post @n one-entry buffers, tokens 0..n-1, and kick. */
static void v2_post(struct rt_ctx *ctx, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(ctx->test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	KUNIT_ASSERT_TRUE(ctx->test, vireo_vq_kick(ctx->vq));
}

/* The device completes @n chains as one batch; did it interrupt? */
static bool v2_complete_batch(struct rt_ctx *ctx, unsigned int n)
{
	vireo_simq_startchains(&ctx->sq);
	while (n--)
		rt_complete(ctx, 1);
	return vireo_simq_endchains(&ctx->sq);
}

/*
 * With event indices, 16 buffers in flight: the interrupt comes with the
 * 13th completion (more than 3/4), not before, and not with the first.
 */
static void delayed_event_idx(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int i;

	rt_setup(ctx, 16, RT_EVENT_IDX);
	v2_post(ctx, 16);
	vireo_vq_disable_cb(ctx->vq);
	KUNIT_EXPECT_TRUE(test, vireo_vq_enable_cb_delayed(ctx->vq));
	KUNIT_EXPECT_EQ(test, READ_ONCE(*vireo_vring_used_event(&ctx->sq.vr)),
			12);
	for (i = 0; i < 12; i++)
		KUNIT_EXPECT_FALSE_MSG(test, v2_complete_batch(ctx, 1),
				       "completion %u", i + 1);
	KUNIT_EXPECT_TRUE(test, v2_complete_batch(ctx, 1));
	for (i = 0; i < 13; i++)
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL),
				    RT_TOKEN(i));
	/* Callbacks are on again: plain enable semantics from here. */
	KUNIT_EXPECT_TRUE(test, vireo_vq_restart(ctx->vq));
	KUNIT_EXPECT_TRUE(test, v2_complete_batch(ctx, 1));
}

/* Enough already used: false, and the caller must collect them. */
static void delayed_already_used(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 16, RT_EVENT_IDX);
	v2_post(ctx, 8);
	vireo_vq_disable_cb(ctx->vq);
	/* 6 of 8 is the threshold: 6 used is not yet more than it. */
	v2_complete_batch(ctx, 6);
	KUNIT_EXPECT_TRUE(test, vireo_vq_enable_cb_delayed(ctx->vq));
	v2_complete_batch(ctx, 1);
	KUNIT_EXPECT_FALSE(test, vireo_vq_enable_cb_delayed(ctx->vq));
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

/* Without event indices it is restart: any used buffer says false. */
static void delayed_no_event_idx(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_vring *vr;

	rt_setup(ctx, 16, 0);
	vr = &ctx->sq.vr;
	v2_post(ctx, 8);
	vireo_vq_disable_cb(ctx->vq);
	KUNIT_EXPECT_EQ(test, READ_ONCE(vr->avail->flags),
			VIREO_VRING_AVAIL_F_NO_INTERRUPT);
	KUNIT_EXPECT_TRUE(test, vireo_vq_enable_cb_delayed(ctx->vq));
	KUNIT_EXPECT_EQ(test, READ_ONCE(vr->avail->flags), 0);
	KUNIT_EXPECT_TRUE(test, v2_complete_batch(ctx, 1));
	KUNIT_EXPECT_FALSE(test, vireo_vq_enable_cb_delayed(ctx->vq));
}

static void delayed_broken(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, RT_EVENT_IDX);
	v2_post(ctx, 4);
	v2_complete_batch(ctx, 4);
	vireo_vq_mark_broken(ctx->vq);
	/* Nothing will ever be collected: do not send the caller looking. */
	KUNIT_EXPECT_TRUE(test, vireo_vq_enable_cb_delayed(ctx->vq));
}

static struct kunit_case delayed_cases[] = {
	KUNIT_CASE(delayed_event_idx),
	KUNIT_CASE(delayed_already_used),
	KUNIT_CASE(delayed_no_event_idx),
	KUNIT_CASE(delayed_broken),
	{}
};

static struct kunit_suite delayed_suite = {
	.name = "vireo_ring_delayed",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = delayed_cases,
};

/* ------------------------------------------------------------------ */
/* preallocated indirect tables                                        */

#ifdef CONFIG_FAILSLAB
/*
 * Fault injection's per-task countdown doubles as an allocation counter:
 * every slab allocation that may fail (GFP_ATOMIC: failslab ignores
 * sleeping ones by default) decrements it. Started far from zero, no
 * allocation ever fails, and the distance travelled is the count.
 */
#define V2_COUNTDOWN	(4U * V2_CYCLES)

/*
 * @cycles add/complete/get cycles of 3-entry buffers (1 out, 2 in), with
 * the ring's allocations counted. Returns the count; *@direct is set if
 * any buffer went out as a direct chain. kmemleak allocates a tracking
 * object for every allocation, so one kmalloc may count twice: a count is
 * exact only when it is 0.
 */
static unsigned int v2_count_allocs(struct rt_ctx *ctx, unsigned int cycles,
				    bool *direct)
{
	unsigned int i, errors = 0, left;
	u16 head;

	*direct = false;
	WRITE_ONCE(current->fail_nth, V2_COUNTDOWN);
	for (i = 0; i < cycles; i++) {
		if (rt_add_at(ctx, 1, 2, RT_TOKEN(i), 0, GFP_ATOMIC) ||
		    vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
					RT_MAX_IOV) != 3) {
			errors++;
			break;
		}
		if (rt_desc_flags(ctx, head) != VIREO_VRING_DESC_F_INDIRECT)
			*direct = true;
		/* A batch may not grow past 65535 buffers unkicked. */
		vireo_vq_kick_prepare(ctx->vq);
		vireo_simq_relchain(&ctx->sq, head, RT_SEG);
		if (vireo_vq_get_buf(ctx->vq, NULL) != RT_TOKEN(i))
			errors++;
	}
	left = READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, 0);
	KUNIT_EXPECT_EQ(ctx->test, errors, 0U);
	return V2_COUNTDOWN - left;
}
#endif

/* 10^5 declared-size buffers, no allocation; undeclared ones allocate. */
static void pool_no_alloc(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	struct rt_ctx *ctx = test->priv;
	bool direct;

	ctx->max_sg = 3;
	rt_setup(ctx, 64, RT_INDIRECT | RT_EVENT_IDX);
	KUNIT_EXPECT_EQ(test, v2_count_allocs(ctx, V2_CYCLES, &direct), 0U);
	KUNIT_EXPECT_FALSE(test, direct);

	/* The control: the counter sees the allocation a table costs. */
	ctx->max_sg = 0;
	rt_new_queue(ctx, 64, RT_INDIRECT | RT_EVENT_IDX);
	KUNIT_EXPECT_GE(test, v2_count_allocs(ctx, 1000, &direct), 1000U);
	KUNIT_EXPECT_FALSE(test, direct);
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
}

/* Longer than declared: a table is allocated, and freed (kmemleak). */
static void pool_longer_allocates(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	struct rt_ctx *ctx = test->priv;
	bool direct;

	ctx->max_sg = 2;
	rt_setup(ctx, 8, RT_INDIRECT);
	KUNIT_EXPECT_GE(test, v2_count_allocs(ctx, 100, &direct), 100U);
	KUNIT_EXPECT_FALSE(test, direct);
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
}

/*
 * The pool is capped at 2 MiB: a ring of 32768 declaring 130 entries
 * (2080-byte tables) gets tables for its first 1008 heads. With every
 * allocation failing, those buffers still go indirect and the next one,
 * on head 1008, falls back to a direct chain.
 */
static void pool_capped(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	const unsigned int heads = (2U << 20) / (130 * 16);
	struct rt_ctx *ctx = test->priv;
	unsigned int i, indirect = 0;
	int err = 0;

	ctx->max_sg = 130;
	rt_setup(ctx, VIREO_VRING_MAX_NUM, RT_INDIRECT);
	WRITE_ONCE(current->fail_nth, 1);
	for (i = 0; i <= heads && !err; i++) {
		err = rt_add_at(ctx, 1, 1, RT_TOKEN(i), 0, GFP_ATOMIC);
		if (!err && rt_desc_flags(ctx, i) == VIREO_VRING_DESC_F_INDIRECT)
			indirect++;
	}
	/* The one allocation attempted was the last buffer's, and failed. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(current->fail_nth), 0U);
	WRITE_ONCE(current->fail_nth, 0);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, indirect, heads);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, heads),
			VIREO_VRING_DESC_F_NEXT);
	KUNIT_EXPECT_EQ(test, rt_drain(ctx), heads + 1);
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
}

/*
 * max_bufs bounds the pool to the heads in use: with 8 buffers in flight
 * at most, only heads 0-7 get a table, and a ninth buffer in flight (on
 * head 8) falls back to an allocation.
 */
static void pool_max_bufs(struct kunit *test)
{
#ifdef CONFIG_FAILSLAB
	struct rt_ctx *ctx = test->priv;
	unsigned int i, indirect = 0;
	int err = 0;

	ctx->max_sg = 4;
	ctx->max_bufs = 8;
	rt_setup(ctx, 64, RT_INDIRECT);
	WRITE_ONCE(current->fail_nth, 1);
	for (i = 0; i <= 8 && !err; i++) {
		err = rt_add_at(ctx, 1, 2, RT_TOKEN(i), 0, GFP_ATOMIC);
		if (!err && rt_desc_flags(ctx, i) == VIREO_VRING_DESC_F_INDIRECT)
			indirect++;
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(current->fail_nth), 0U);
	WRITE_ONCE(current->fail_nth, 0);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, indirect, 8U);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, 8), VIREO_VRING_DESC_F_NEXT);
	KUNIT_EXPECT_EQ(test, rt_drain(ctx), 9U);
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
}

/* Without the feature, max_sg changes nothing: direct chains. */
static void pool_needs_indirect(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 head;

	ctx->max_sg = 4;
	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(0)), 0);
	head = rt_take(ctx);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head), VIREO_VRING_DESC_F_NEXT);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 5U);
}

/* A pooled table is written afresh each time, never stale. */
static void pool_table_reuse(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int n, len;
	u16 head;

	ctx->max_sg = 6;
	rt_setup(ctx, 2, RT_INDIRECT);
	for (n = 2; n <= 6; n++) {
		KUNIT_ASSERT_EQ(test, rt_add_at(ctx, n - 1, 1, RT_TOKEN(n), n,
						GFP_KERNEL), 0);
		KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head,
							  ctx->iov, RT_MAX_IOV),
				n);
		KUNIT_EXPECT_EQ(test, ctx->iov[0].addr,
				(u64)virt_to_phys(rt_piece(ctx, n)));
		KUNIT_EXPECT_TRUE(test, ctx->iov[n - 1].write);
		vireo_simq_relchain(&ctx->sq, head, RT_SEG);
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
				    RT_TOKEN(n));
	}
	/* Shorter after longer: the table's length says 2, not 6. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(0)), 0);
	KUNIT_EXPECT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, ctx->iov,
						  RT_MAX_IOV), 2);
}

static struct kunit_case pool_cases[] = {
	KUNIT_CASE_SLOW(pool_no_alloc),
	KUNIT_CASE(pool_longer_allocates),
	KUNIT_CASE(pool_capped),
	KUNIT_CASE(pool_max_bufs),
	KUNIT_CASE(pool_needs_indirect),
	KUNIT_CASE(pool_table_reuse),
	{}
};

static struct kunit_suite pool_suite = {
	.name = "vireo_ring_prealloc",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = pool_cases,
};

/* ------------------------------------------------------------------ */
/* quiescing and the used length                                       */

/* After quiesce no callback runs, and the buffers still come back. */
static void quiesce_stops_callbacks(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, RT_INDIRECT | RT_EVENT_IDX);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 1, RT_TOKEN(1)), 0);
	rt_complete(ctx, 1);
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, 1U);

	vireo_vring_quiesce(ctx->vq);
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);
	rt_complete(ctx, 1);
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, 1U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
	/* One collected, one reclaimed: nothing is lost. */
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, rt_drain(ctx), 1U);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
}

/*
 * Legacy devices over-report the used length: it is clamped to what was
 * posted, said once per queue, and the queue keeps working.
 */
static void used_len_clamped(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int i, len = 0;

	rt_setup(ctx, 8, 0);
	ctx->sq.fault = VIREO_SIMQ_LEN_TOO_LARGE;
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(i)), 0);
		rt_complete(ctx, 0);
		KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
				    RT_TOKEN(i));
		KUNIT_EXPECT_EQ(test, len, 2 * RT_SEG);
	}
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "clamping"), 1U);
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "queue marked broken"), 0U);
	/* A buffer with nothing writable gets 0, whatever is claimed. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 0, RT_TOKEN(9)), 0);
	rt_complete(ctx, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(9));
	KUNIT_EXPECT_EQ(test, len, 0U);
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "clamping"), 1U);
}

/*
 * A queue created with exact_len reports an over-long used length as it
 * is, for the driver to check, and says nothing: the driver counts it.
 */
static void used_len_exact(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	unsigned int len = 0;

	ctx->exact_len = true;
	rt_setup(ctx, 8, 0);
	ctx->sq.fault = VIREO_SIMQ_LEN_TOO_LARGE;
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(0)), 0);
	rt_complete(ctx, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len), RT_TOKEN(0));
	KUNIT_EXPECT_GT(test, len, 2 * RT_SEG);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
	KUNIT_EXPECT_EQ(test, rt_log_count(ctx, "clamping"), 0U);
}

static struct kunit_case quiesce_cases[] = {
	KUNIT_CASE(quiesce_stops_callbacks),
	KUNIT_CASE(used_len_clamped),
	KUNIT_CASE(used_len_exact),
	{}
};

static struct kunit_suite quiesce_suite = {
	.name = "vireo_ring_quiesce",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = quiesce_cases,
};

kunit_test_suites(&sgs_suite, &delayed_suite, &pool_suite, &quiesce_suite);
