// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_ring.ko.
 *
 * Each test builds a real ring on a fake device and lets the simulated
 * device of vireo_simdev.ko play the host: it finds the ring through its
 * physical address, takes chains apart, writes into the buffers and
 * completes them, correctly or, when told to, not. The fake device is an
 * initialised but unregistered struct vireo_device: the ring reads only
 * its features and uses its struct device for messages.
 *
 * Tests that make the device misbehave provoke one "queue marked broken"
 * error message each; that is expected.
 */

#include <kunit/test.h>
#include <linux/align.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/vireo.h>
#include "vireo_simdev.h"

VIREO_IMPORT_NS();

#define RT_ALIGN	VIREO_VRING_LEGACY_ALIGN
#define RT_SEG		16U	/* bytes in each piece rt_add() posts */
#define RT_MAX_IOV	8U
#define RT_INDIRECT	BIT_ULL(VIREO_RING_F_INDIRECT_DESC)
#define RT_EVENT_IDX	BIT_ULL(VIREO_RING_F_EVENT_IDX)

/* Tokens need only be distinct, non-NULL pointers. */
static char rt_tokens[64];
#define RT_TOKEN(i)	((void *)&rt_tokens[(i) % ARRAY_SIZE(rt_tokens)])

/**
 * struct rt_ctx - one test's queue and simulated device
 * @test: the running test
 * @vdev: the fake device
 * @vq: the queue under test
 * @sq: the simulated device side of @vq
 * @notifies: calls of the notify callback
 * @callbacks: calls of the queue callback
 * @notify_ok: what the notify callback returns
 */
struct rt_ctx {
	struct kunit *test;
	struct vireo_device *vdev;
	struct vireo_virtqueue *vq;
	struct vireo_simq sq;
	unsigned int notifies;
	unsigned int callbacks;
	bool notify_ok;
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

/* Reclaim the queue's buffers, free the queue, drop the fake device. */
static void rt_teardown(struct rt_ctx *ctx)
{
	if (ctx->vq) {
		while (vireo_vq_shutdown(ctx->vq))
			;
		vireo_vring_destroy(ctx->vq);
		ctx->vq = NULL;
	}
	if (ctx->vdev) {
		put_device(&ctx->vdev->dev);
		ctx->vdev = NULL;
	}
}

/* A fresh queue of @num entries on a fake device with @features. */
static void rt_setup(struct rt_ctx *ctx, unsigned int num, u64 features)
{
	struct kunit *test = ctx->test;
	struct vireo_device *vdev;
	struct vireo_virtqueue *vq;

	rt_teardown(ctx);
	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vdev);
	device_initialize(&vdev->dev);
	vdev->dev.release = rt_vdev_release;
	ctx->vdev = vdev;
	KUNIT_ASSERT_EQ(test, dev_set_name(&vdev->dev, "vireo-kunit"), 0);
	INIT_LIST_HEAD(&vdev->vqs);
	vdev->features = features;

	vq = vireo_vring_create(vdev, 0, num, RT_ALIGN, rt_notify, rt_callback,
				"rtq");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	vq->priv = ctx;
	ctx->vq = vq;
	ctx->notifies = 0;
	ctx->callbacks = 0;
	ctx->notify_ok = true;
	vireo_simq_init(&ctx->sq, vq, RT_ALIGN);
}

/*
 * Post a buffer of @nout device-readable then @nin device-writable pieces
 * of RT_SEG bytes each (with zero pieces, the scatterlist still has one
 * entry so that only the counts are wrong). Returns add_buf's result.
 */
static int rt_add(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
		  void *token)
{
	unsigned int n, total = max(nout + nin, 1U);
	struct scatterlist *sg;
	u8 *buf;

	sg = kunit_kmalloc_array(ctx->test, total, sizeof(*sg), GFP_KERNEL);
	buf = kunit_kzalloc(ctx->test, total * RT_SEG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(ctx->test, sg);
	KUNIT_ASSERT_NOT_NULL(ctx->test, buf);
	sg_init_table(sg, total);
	for (n = 0; n < total; n++)
		sg_set_buf(&sg[n], buf + n * RT_SEG, RT_SEG);
	return vireo_vq_add_buf(ctx->vq, sg, nout, nin, token, GFP_KERNEL);
}

/* The device takes the next chain and completes it with @len bytes. */
static u16 rt_complete(struct rt_ctx *ctx, u32 len)
{
	struct vireo_simq_iov iov[RT_MAX_IOV];
	u16 head = 0;

	KUNIT_ASSERT_GT(ctx->test,
			vireo_simq_getchain(&ctx->sq, &head, iov, RT_MAX_IOV), 0);
	vireo_simq_relchain(&ctx->sq, head, len);
	return head;
}

/* The flags of ring descriptor @i, as the device sees them. */
static u16 rt_desc_flags(struct rt_ctx *ctx, u16 i)
{
	return READ_ONCE(ctx->sq.vr.desc[i].flags);
}

/* Once broken, a queue refuses I/O but still gives its buffers back. */
static void rt_expect_broken(struct rt_ctx *ctx, unsigned int in_flight)
{
	struct kunit *test = ctx->test;
	unsigned int callbacks = ctx->callbacks;
	unsigned int notifies = ctx->notifies;
	unsigned int n = 0;

	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(ctx->vq));
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(63)), -EIO);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, ctx->notifies, notifies);
	KUNIT_EXPECT_TRUE(test, vireo_vq_restart(ctx->vq));
	/* used->idx did move, but the callback must not run any more. */
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, ctx->callbacks, callbacks);
	while (vireo_vq_shutdown(ctx->vq))
		n++;
	KUNIT_EXPECT_EQ(test, n, in_flight);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free,
			vireo_vq_get_vring_size(ctx->vq));
}

static void rt_round_trip(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_simq_iov iov[RT_MAX_IOV];
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

	/* Nothing used yet: the interrupt is not ours. */
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);
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
	KUNIT_EXPECT_EQ(test, vireo_vring_interrupt(0, ctx->vq), IRQ_NONE);

	/* The length pointer is optional. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	rt_complete(ctx, 3);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(2));
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void rt_indirect_iff_negotiated(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_simq_iov iov[RT_MAX_IOV];
	u16 head = 0;

	rt_setup(ctx, 8, RT_INDIRECT);
	/* Several pieces take one ring descriptor pointing at a table. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 7U);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, iov,
						  RT_MAX_IOV), 3);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_INDIRECT);
	KUNIT_EXPECT_FALSE(test, iov[0].write);
	KUNIT_EXPECT_TRUE(test, iov[1].write && iov[2].write);
	vireo_simq_relchain(&ctx->sq, head, 2 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(1));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);

	/* A single piece is never worth a table. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 7U);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, iov,
						  RT_MAX_IOV), 1);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_WRITE);

	/* Not negotiated: always a direct chain. */
	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(3)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 5U);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, iov,
						  RT_MAX_IOV), 3);
	KUNIT_EXPECT_EQ(test, rt_desc_flags(ctx, head),
			VIREO_VRING_DESC_F_NEXT);
	vireo_simq_relchain(&ctx->sq, head, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(3));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
}

static void rt_free_count(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_simq_iov iov[RT_MAX_IOV];
	u16 heads[8];
	unsigned int i;

	rt_setup(ctx, 8, 0);
	KUNIT_EXPECT_EQ(test, vireo_vq_get_vring_size(ctx->vq), 8U);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 0U);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(8)), -ENOSPC);

	/* Completion in reverse order returns one descriptor at a time. */
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &heads[i],
							  iov, RT_MAX_IOV), 1);
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
		KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &heads[i],
							  iov, RT_MAX_IOV), 2);

	/* Two holes of two make room for one chain of four. */
	vireo_simq_relchain(&ctx->sq, heads[1], 0);
	vireo_simq_relchain(&ctx->sq, heads[3], 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(1));
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(3));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 3, RT_TOKEN(5)), 0);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 0U);
	KUNIT_EXPECT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(6)), -ENOSPC);

	vireo_simq_relchain(&ctx->sq, heads[0], 0);
	vireo_simq_relchain(&ctx->sq, heads[2], 0);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &heads[4], iov,
						  RT_MAX_IOV), 4);
	vireo_simq_relchain(&ctx->sq, heads[4], 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NOT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void rt_non_head_id(struct kunit *test)
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

static void rt_id_out_of_range(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	ctx->sq.fault = VIREO_SIMQ_BAD_ID;
	rt_complete(ctx, 0);
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);
}

static void rt_duplicate_completion(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 head;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	/* The same chain comes back twice: the second time it is stale. */
	head = rt_complete(ctx, 0);
	vireo_simq_put_used(&ctx->sq, head, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_NULL(test, vireo_vq_get_buf(ctx->vq, NULL));
	rt_expect_broken(ctx, 1);
}

static void rt_len_too_large(struct kunit *test)
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

static void rt_used_idx_jump(struct kunit *test)
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

static void rt_used_idx_past_in_flight(struct kunit *test)
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

static void rt_corrupt_desc(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_simq_iov iov[RT_MAX_IOV];
	u16 head_a, head_b, head = 0;
	unsigned int i;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 1, 2, RT_TOKEN(0)), 0);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head_a, iov,
						  RT_MAX_IOV), 3);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head_b, iov,
						  RT_MAX_IOV), 1);
	/* The device rewrites both chains' links, then completes one. */
	vireo_simq_corrupt_chain(&ctx->sq, head_a);
	vireo_simq_corrupt_chain(&ctx->sq, head_b);
	vireo_simq_put_used(&ctx->sq, head_a, 0);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(0));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 7U);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_shutdown(ctx->vq), RT_TOKEN(1));
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
	KUNIT_ASSERT_EQ(test, vireo_simq_getchain(&ctx->sq, &head, iov,
						  RT_MAX_IOV), 4);
	vireo_simq_corrupt_chain(&ctx->sq, head);
	vireo_simq_put_used(&ctx->sq, head, 2 * RT_SEG);
	KUNIT_EXPECT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL), RT_TOKEN(2));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 8U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

/* 69000 buffers, three at a time, through a ring of four. */
static void rt_wrap_case(struct kunit *test, u64 features)
{
	struct rt_ctx *ctx = test->priv;
	const unsigned int rounds = 23000;
	struct scatterlist sg[3];
	unsigned int round, i, len = 0;
	u8 *buf;

	rt_setup(ctx, 4, features);
	buf = kunit_kzalloc(test, 3 * RT_SEG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3; i++)
		sg_init_one(&sg[i], buf + i * RT_SEG, RT_SEG);

	for (round = 0; round < rounds; round++) {
		for (i = 0; i < 3; i++)
			KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(ctx->vq, &sg[i], 0, 1,
							       RT_TOKEN(i),
							       GFP_KERNEL), 0);
		/* The device always waits for the next buffer: always kick. */
		KUNIT_ASSERT_TRUE(test, vireo_vq_kick(ctx->vq));
		KUNIT_ASSERT_EQ(test, ctx->notifies, round + 1);

		vireo_simq_startchains(&ctx->sq);
		for (i = 0; i < 3; i++)
			rt_complete(ctx, (round + i) % (RT_SEG + 1));
		/* Callbacks are on: the device must always interrupt. */
		KUNIT_ASSERT_TRUE(test, vireo_simq_endchains(&ctx->sq));

		for (i = 0; i < 3; i++) {
			KUNIT_ASSERT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, &len),
					    RT_TOKEN(i));
			KUNIT_ASSERT_EQ(test, len, (round + i) % (RT_SEG + 1));
		}
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->sq.vr.avail->idx),
			(rounds * 3) % 65536U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->sq.vr.used->idx),
			(rounds * 3) % 65536U);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 4U);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(ctx->vq));
}

static void rt_u16_wrap(struct kunit *test)
{
	rt_wrap_case(test, 0);
}

static void rt_u16_wrap_event_idx(struct kunit *test)
{
	rt_wrap_case(test, RT_EVENT_IDX | RT_INDIRECT);
}

static void rt_need_event_table(struct kunit *test)
{
	static const struct {
		u16 event, new_idx, old;
		bool need;
	} cases[] = {
		{ 0, 1, 0, true },		/* the very first buffer */
		{ 1, 1, 0, false },		/* event not reached yet */
		{ 0, 0, 0, false },		/* nothing moved */
		{ 3, 10, 3, true },		/* window start */
		{ 9, 10, 3, true },		/* window end */
		{ 10, 10, 3, false },		/* just past the window */
		{ 2, 10, 3, false },		/* before the window */
		{ 65535, 0, 65535, true },	/* across the wrap */
		{ 0, 2, 65535, true },
		{ 1, 2, 65535, true },
		{ 2, 2, 65535, false },
		{ 65534, 1, 65535, false },
		{ 7, 32775, 7, true },		/* a window of 32768 */
		{ 6, 32775, 7, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    vireo_vring_need_event(cases[i].event,
							   cases[i].new_idx,
							   cases[i].old),
				    cases[i].need, "case %u", i);
}

static void rt_kick_no_notify(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;

	rt_setup(ctx, 8, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* Without event indices the device's flag decides. */
	WRITE_ONCE(ctx->sq.vr.used->flags, VIREO_VRING_USED_F_NO_NOTIFY);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(1)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(2)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, ctx->notifies, 0U);

	WRITE_ONCE(ctx->sq.vr.used->flags, 0);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(3)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, ctx->notifies, 1U);

	/* A transport that finds the device gone breaks the queue. */
	ctx->notify_ok = false;
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(ctx->vq));
}

static void rt_kick_event_idx(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	u16 *avail_event;
	unsigned int i;

	rt_setup(ctx, 8, RT_EVENT_IDX);
	avail_event = vireo_vring_avail_event(&ctx->sq.vr);

	/* avail_event 0: the device waits for the first buffer. */
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(0)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* A batch [1, 4) that crosses the event. */
	WRITE_ONCE(*avail_event, 2);
	for (i = 1; i < 4; i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(i)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* Batch [4, 5): the event lies ahead of it... */
	WRITE_ONCE(*avail_event, 5);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(4)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));

	/* ...batch [5, 6): or behind it. */
	WRITE_ONCE(*avail_event, 3);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(5)), 0);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));

	/* Batch [6, 7): NO_NOTIFY means nothing once event indices are on. */
	WRITE_ONCE(*avail_event, 6);
	WRITE_ONCE(ctx->sq.vr.used->flags, VIREO_VRING_USED_F_NO_NOTIFY);
	KUNIT_ASSERT_EQ(test, rt_add(ctx, 0, 1, RT_TOKEN(6)), 0);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick_prepare(ctx->vq));

	/* An empty batch never needs a kick. */
	WRITE_ONCE(*avail_event, 7);
	KUNIT_EXPECT_FALSE(test, vireo_vq_kick_prepare(ctx->vq));
}

/* A completion while callbacks are off is reported by restart. */
static void rt_restart_case(struct kunit *test, u64 features)
{
	struct rt_ctx *ctx = test->priv;
	bool event = features & RT_EVENT_IDX;
	struct vireo_vring *vr = &ctx->sq.vr;
	bool intr;

	rt_setup(ctx, 8, features);
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

static void rt_restart_pending(struct kunit *test)
{
	rt_restart_case(test, 0);
}

static void rt_restart_pending_event_idx(struct kunit *test)
{
	rt_restart_case(test, RT_EVENT_IDX);
}

/* The interrupt handler claims an interrupt only when work is pending. */
static void rt_interrupt(struct kunit *test)
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

static void rt_used_event_advances(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_vring *vr = &ctx->sq.vr;
	unsigned int i;

	rt_setup(ctx, 8, RT_EVENT_IDX);
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

static void rt_shutdown_all(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	static const unsigned int pieces[][2] = {
		{ 0, 1 }, { 1, 2 }, { 2, 2 }, { 0, 1 }, { 1, 0 },
	};
	bool seen[ARRAY_SIZE(pieces)] = { };
	unsigned int i, n = 0;
	void *token;

	rt_setup(ctx, 16, RT_INDIRECT);
	for (i = 0; i < ARRAY_SIZE(pieces); i++)
		KUNIT_ASSERT_EQ(test, rt_add(ctx, pieces[i][0], pieces[i][1],
					     RT_TOKEN(i)), 0);
	/* One is completed but never collected: shutdown returns it too. */
	rt_complete(ctx, 0);

	while ((token = vireo_vq_shutdown(ctx->vq))) {
		i = (char *)token - rt_tokens;
		KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(pieces));
		KUNIT_EXPECT_FALSE(test, seen[i]);
		seen[i] = true;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(pieces));
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 16U);
	KUNIT_EXPECT_NULL(test, vireo_vq_shutdown(ctx->vq));
}

static void rt_add_errors(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct vireo_virtqueue *vq;
	struct scatterlist sg[5];
	unsigned int i;
	u8 *buf;

	rt_setup(ctx, 4, RT_INDIRECT);
	vq = ctx->vq;
	buf = kunit_kzalloc(test, 5 * RT_SEG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	sg_init_table(sg, 5);
	for (i = 0; i < 5; i++)
		sg_set_buf(&sg[i], buf + i * RT_SEG, RT_SEG);

	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 1, 0, NULL, GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, NULL, 1, 0, RT_TOKEN(0),
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 0, 0, RT_TOKEN(0),
					       GFP_KERNEL), -EINVAL);
	/* Longer than the ring: refused even though a table could hold it. */
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 3, 2, RT_TOKEN(0),
					       GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, UINT_MAX, 2,
					       RT_TOKEN(0), GFP_KERNEL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vq->num_free, 4U);

	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(vq, &sg[i], 0, 1,
						       RT_TOKEN(i),
						       GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, &sg[4], 0, 1, RT_TOKEN(4),
					       GFP_KERNEL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, sg, 1, 1, RT_TOKEN(4),
					       GFP_KERNEL), -ENOSPC);

	vireo_vq_mark_broken(vq);
	while (vireo_vq_shutdown(vq))
		;
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(vq, &sg[4], 0, 1, RT_TOKEN(4),
					       GFP_KERNEL), -EIO);
}

static void rt_add_limit_without_kick(struct kunit *test)
{
	struct rt_ctx *ctx = test->priv;
	struct scatterlist sg;
	unsigned int i;
	u8 *buf;

	/* A ring of one entry, recycled without a single kick_prepare. */
	rt_setup(ctx, 1, 0);
	buf = kunit_kzalloc(test, RT_SEG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	sg_init_one(&sg, buf, RT_SEG);
	for (i = 0; i < U16_MAX; i++) {
		KUNIT_ASSERT_EQ(test, vireo_vq_add_buf(ctx->vq, &sg, 0, 1,
						       RT_TOKEN(0),
						       GFP_KERNEL), 0);
		rt_complete(ctx, 0);
		KUNIT_ASSERT_PTR_EQ(test, vireo_vq_get_buf(ctx->vq, NULL),
				    RT_TOKEN(0));
	}
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(ctx->vq, &sg, 0, 1, RT_TOKEN(0),
					       GFP_KERNEL), -ENOSPC);
	KUNIT_EXPECT_EQ(test, ctx->vq->num_free, 1U);
	KUNIT_EXPECT_TRUE(test, vireo_vq_kick(ctx->vq));
	KUNIT_EXPECT_EQ(test, vireo_vq_add_buf(ctx->vq, &sg, 0, 1, RT_TOKEN(0),
					       GFP_KERNEL), 0);
}

static void rt_transport_features(struct kunit *test)
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

static void rt_create_args(struct kunit *test)
{
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
					rt_notify, NULL, "bad");
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(vq), -EINVAL,
				    "num %u align %u", bad[i][0], bad[i][1]);
	}
	vq = vireo_vring_create(ctx->vdev, 1, 8, RT_ALIGN, NULL, NULL, "bad");
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vq), -EINVAL);

	/* The largest ring, laid out where the device will look for it. */
	vq = vireo_vring_create(ctx->vdev, 1, VIREO_VRING_MAX_NUM, RT_ALIGN,
				rt_notify, NULL, "big");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	KUNIT_EXPECT_EQ(test, vireo_vring_bytes(vq),
			vireo_vring_size(VIREO_VRING_MAX_NUM, RT_ALIGN));
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(vireo_vring_phys(vq), RT_ALIGN));
	KUNIT_EXPECT_EQ(test, vq->num_free, VIREO_VRING_MAX_NUM);
	/* No callback: interrupts start suppressed. */
	vireo_simq_init(&sq, vq, RT_ALIGN);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sq.vr.avail->flags),
			VIREO_VRING_AVAIL_F_NO_INTERRUPT);
	vireo_vring_destroy(vq);

	/* Alignments above a page and the smallest one are honoured. */
	vq = vireo_vring_create(ctx->vdev, 1, 8, 8192, rt_notify, NULL, "a8k");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(vireo_vring_phys(vq), 8192));
	KUNIT_EXPECT_EQ(test, vireo_vring_bytes(vq), vireo_vring_size(8, 8192));
	vireo_vring_destroy(vq);
	vq = vireo_vring_create(ctx->vdev, 1, 2, 4, rt_notify, NULL, "a4");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, vq);
	KUNIT_EXPECT_EQ(test, vireo_vring_bytes(vq), vireo_vring_size(2, 4));
	vireo_vring_destroy(vq);
	vireo_vring_destroy(NULL);
}

static int rt_init(struct kunit *test)
{
	struct rt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	test->priv = ctx;
	return 0;
}

static void rt_exit(struct kunit *test)
{
	rt_teardown(test->priv);
}

static struct kunit_case rt_cases[] = {
	KUNIT_CASE(rt_round_trip),
	KUNIT_CASE(rt_indirect_iff_negotiated),
	KUNIT_CASE(rt_free_count),
	KUNIT_CASE(rt_non_head_id),
	KUNIT_CASE(rt_id_out_of_range),
	KUNIT_CASE(rt_duplicate_completion),
	KUNIT_CASE(rt_len_too_large),
	KUNIT_CASE(rt_used_idx_jump),
	KUNIT_CASE(rt_used_idx_past_in_flight),
	KUNIT_CASE(rt_corrupt_desc),
	KUNIT_CASE(rt_u16_wrap),
	KUNIT_CASE(rt_u16_wrap_event_idx),
	KUNIT_CASE(rt_need_event_table),
	KUNIT_CASE(rt_kick_no_notify),
	KUNIT_CASE(rt_kick_event_idx),
	KUNIT_CASE(rt_restart_pending),
	KUNIT_CASE(rt_restart_pending_event_idx),
	KUNIT_CASE(rt_interrupt),
	KUNIT_CASE(rt_used_event_advances),
	KUNIT_CASE(rt_shutdown_all),
	KUNIT_CASE(rt_add_errors),
	KUNIT_CASE(rt_add_limit_without_kick),
	KUNIT_CASE(rt_transport_features),
	KUNIT_CASE(rt_create_args),
	{}
};

static struct kunit_suite rt_suite = {
	.name = "vireo_ring",
	.init = rt_init,
	.exit = rt_exit,
	.test_cases = rt_cases,
};

kunit_test_suite(rt_suite);

MODULE_DESCRIPTION("KUnit tests for the vireo split virtqueue");
MODULE_LICENSE("GPL");
