// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for vireo_ring.ko: a malicious device, and the API rules.
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

/* An over-long used length is clamped, not a violation: see the v2 suite. */
enum mal_kind { MAL_BAD_ID, MAL_NOT_HEAD, MAL_TWICE, MAL_JUMP, MAL_KINDS };

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
	u32 id;

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
	default:
		/* Anything beyond the buffers in flight, up to a full wrap. */
		n = *in_flight + 1 + rt_rand(ctx, U16_MAX - *in_flight);
		vireo_simq_put_used(sq, head, 0);
		sq->used_idx += n - 1;
		WRITE_ONCE(sq->vr.used->idx, sq->used_idx);
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

kunit_test_suites(&mal_suite, &api_suite);
