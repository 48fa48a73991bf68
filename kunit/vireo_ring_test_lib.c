// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_ring.ko: the module's shared helpers.
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
 * device, the remaining API rules, and the v2 API (several scatterlists,
 * delayed callbacks, preallocated indirect tables, quiescing), a few
 * suites a file: vireo_ring_{basic,notify,mal,v2}_test.c. Tests that make
 * the device misbehave provoke exactly one "queue marked broken" error per
 * queue; that is expected, and counted.
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

VIREO_IMPORT_NS();

/* Tokens need only be distinct, non-NULL pointers. */
char rt_tokens[64];

/* Every fake device gets its own name, so its messages can be counted. */
static atomic_t rt_dev_seq = ATOMIC_INIT(0);

bool rt_notify(struct vireo_virtqueue *vq)
{
	struct rt_ctx *ctx = vq->priv;

	ctx->notifies++;
	return ctx->notify_ok;
}

void rt_callback(struct vireo_virtqueue *vq)
{
	struct rt_ctx *ctx = vq->priv;

	ctx->callbacks++;
}

static void rt_vdev_release(struct device *dev)
{
	kfree(dev_to_vireo(dev));
}

u32 rt_rand(struct rt_ctx *ctx, u32 below)
{
	return below ? prandom_u32_state(&ctx->rnd) % below : 0;
}

/*
 * Take back every buffer with vireo_vq_shutdown(). A ring cannot hold more
 * buffers than descriptors: one that keeps returning tokens is broken, and
 * must fail the test rather than hang it.
 */
unsigned int rt_drain(struct rt_ctx *ctx)
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
void rt_drop_queue(struct rt_ctx *ctx)
{
	if (!ctx->vq)
		return;
	rt_drain(ctx);
	vireo_vring_destroy(ctx->vq);
	ctx->vq = NULL;
}

void rt_teardown(struct rt_ctx *ctx)
{
	rt_drop_queue(ctx);
	vireo_simq_free(&ctx->sq);
	if (ctx->vdev) {
		put_device(&ctx->vdev->dev);
		ctx->vdev = NULL;
	}
}

/* A fresh queue of @num entries on the context's device, with @features. */
void rt_new_queue(struct rt_ctx *ctx, unsigned int num, u64 features)
{
	const struct vireo_vq_info info = {
		.name = "rtq", .callback = rt_callback, .max_sg = ctx->max_sg,
		.max_bufs = ctx->max_bufs, .exact_len = ctx->exact_len,
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
void rt_setup(struct rt_ctx *ctx, unsigned int num, u64 features)
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
u8 *rt_piece(struct rt_ctx *ctx, unsigned int n)
{
	return ctx->pool + (n % RT_POOL) * RT_SEG;
}

/*
 * Post a buffer of @nout device-readable then @nin device-writable pieces
 * of RT_SEG bytes each, starting at pool piece @first (with zero pieces,
 * the scatterlist still has one entry so that only the counts are wrong).
 * Returns add_buf's result.
 */
int rt_add_at(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
	      void *token, unsigned int first, gfp_t gfp)
{
	unsigned int n, total = max(nout + nin, 1U);

	KUNIT_ASSERT_LE(ctx->test, total, RT_MAX_IOV);
	sg_init_table(ctx->sg, total);
	for (n = 0; n < total; n++)
		sg_set_buf(&ctx->sg[n], rt_piece(ctx, first + n), RT_SEG);
	return vireo_vq_add_buf(ctx->vq, ctx->sg, nout, nin, token, gfp);
}

int rt_add(struct rt_ctx *ctx, unsigned int nout, unsigned int nin,
	   void *token)
{
	return rt_add_at(ctx, nout, nin, token, 0, GFP_KERNEL);
}

/* The device takes the next chain; returns its head. */
u16 rt_take(struct rt_ctx *ctx)
{
	u16 head = 0;

	KUNIT_ASSERT_GT(ctx->test, vireo_simq_getchain(&ctx->sq, &head,
						       ctx->iov, RT_MAX_IOV), 0);
	return head;
}

/* The device takes the next chain and completes it with @len bytes. */
u16 rt_complete(struct rt_ctx *ctx, u32 len)
{
	u16 head = rt_take(ctx);

	vireo_simq_relchain(&ctx->sq, head, len);
	return head;
}

/* The flags of ring descriptor @i, as the device sees them. */
u16 rt_desc_flags(struct rt_ctx *ctx, u16 i)
{
	return READ_ONCE(ctx->sq.vr.desc[i].flags);
}

/* Start counting kernel messages from here. */
void rt_log_mark(struct rt_ctx *ctx)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	ctx->log_mark = iter.next_seq;
}

/* Messages since rt_log_mark() that mention our device and @what. */
unsigned int rt_log_count(struct rt_ctx *ctx, const char *what)
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
void rt_expect_broken(struct rt_ctx *ctx, unsigned int in_flight)
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

int rt_init(struct kunit *test)
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

void rt_exit(struct kunit *test)
{
	rt_teardown(test->priv);
}

MODULE_DESCRIPTION("KUnit tests for the vireo split virtqueue");
MODULE_LICENSE("GPL");
