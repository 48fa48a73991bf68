// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for vireo_ring.ko: notifications and interrupt suppression.
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

kunit_test_suites(&nt_suite);
