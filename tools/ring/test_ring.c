// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for virtio_ring/vireo_{vq,vring}.c built in userspace over the
 * kernel shim. The device's side is played through ringdev.h. Each test
 * checks that no allocation is leaked; the last line says how many passed.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/err.h>
#include <linux/scatterlist.h>
#include <vireo/transport.h>

#include "api.h"
#include "ringdev.h"
#include "shim.h"

extern bool *const shim_param_indirect;
extern bool *const shim_param_event_idx;
extern int (*const shim_module_init)(void);
extern void (*const shim_module_exit)(void);

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",	\
			__FILE__, __LINE__, __func__, #cond);		\
	}								\
} while (0)

static char data[4096];
static unsigned int notifies, callbacks;

static bool notify_ok(struct vireo_virtqueue *vq)
{
	(void)vq;
	notifies++;
	return true;
}

static bool notify_gone(struct vireo_virtqueue *vq)
{
	(void)vq;
	notifies++;
	return false;
}

static void count_cb(struct vireo_virtqueue *vq)
{
	(void)vq;
	callbacks++;
}

/* A queue with its device view. */
struct q {
	struct vireo_device vdev;
	struct vireo_virtqueue *vq;
	struct ringdev dev;
	long live_before;
};

static void q_open(struct q *q, unsigned int num, u64 features,
		   unsigned int max_sg)
{
	struct vireo_vq_info info = {
		.name = "testq", .callback = count_cb, .max_sg = max_sg,
	};

	memset(q, 0, sizeof(*q));
	shim_reset();
	q->live_before = shim_stats.alloc_live;
	q->vdev.dev.init_name = "vireo0";
	q->vdev.features = features;
	q->vq = vireo_vring_create(&q->vdev, 0, num, 64, notify_ok, &info);
	if (IS_ERR(q->vq)) {
		fprintf(stderr, "vireo_vring_create failed: %ld\n", PTR_ERR(q->vq));
		exit(1);
	}
	ringdev_attach(&q->dev, q->vq, 64);
}

/* Drain, destroy, and check that nothing was leaked or warned. */
static void q_close(struct q *q)
{
	while (vireo_vq_shutdown(q->vq))
		;
	CHECK(q->vq->num_free == vireo_vq_get_vring_size(q->vq));
	vireo_vring_destroy(q->vq);
	CHECK(shim_stats.alloc_live == q->live_before);
	CHECK(shim_stats.warns == 0);
}

#define TOKEN(n)	((void *)(uintptr_t)(0x1000 + 16 * (n)))
#define F_INDIRECT	BIT_ULL(VIREO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX	BIT_ULL(VIREO_RING_F_EVENT_IDX)

/* @n entries in @sg, the last @in written by the device; fills @exp. */
static void make_buf(struct scatterlist *sg, struct ringdev_entry *exp,
		     unsigned int n, unsigned int in)
{
	unsigned int i;

	sg_init_table(sg, n);
	for (i = 0; i < n; i++) {
		sg_set_buf(&sg[i], data + 64 * i, 100 + i);
		exp[i].addr = virt_to_phys(data + 64 * i);
		exp[i].len = 100 + i;
		exp[i].write = i >= n - in;
	}
}

/* The head of the buffer just added (the last avail entry). */
static u16 last_head(struct q *q)
{
	return ringdev_avail_head(&q->dev, q->dev.vr.avail->idx - 1);
}

static void test_add_get(void)
{
	struct scatterlist sg[3];
	struct ringdev_entry exp[3];
	struct vireo_vring_desc *table;
	unsigned int len = 0;
	unsigned long calls;
	struct q q;
	u16 head;

	q_open(&q, 8, 0, 0);
	calls = shim_stats.alloc_calls;
	make_buf(sg, exp, 3, 1);
	CHECK(vireo_vq_add_buf(q.vq, sg, 2, 1, TOKEN(1), GFP_KERNEL) == 0);
	CHECK(q.vq->num_free == 5);
	CHECK(q.dev.vr.avail->idx == 1);
	head = last_head(&q);
	CHECK(!ringdev_check_chain(&q.dev, head, exp, 3, &table, NULL) && !table);
	CHECK(!vireo_vq_get_buf(q.vq, &len));
	ringdev_push_used(&q.dev, head, 50);
	CHECK(vireo_vring_interrupt(0, q.vq) == IRQ_HANDLED && callbacks == 1);
	CHECK(vireo_vq_get_buf(q.vq, &len) == TOKEN(1) && len == 50);
	CHECK(q.vq->num_free == 8);
	CHECK(!vireo_vq_get_buf(q.vq, &len));
	CHECK(vireo_vring_interrupt(0, q.vq) == IRQ_NONE && callbacks == 1);
	CHECK(vireo_vq_restart(q.vq));
	/* Caller mistakes. */
	CHECK(vireo_vq_add_buf(q.vq, sg, 1, 0, NULL, GFP_KERNEL) == -EINVAL);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 0, TOKEN(2), GFP_KERNEL) == -EINVAL);
	CHECK(vireo_vq_add_buf(q.vq, NULL, 1, 0, TOKEN(2), GFP_KERNEL) == -EINVAL);
	CHECK(shim_stats.alloc_calls == calls);	/* no indirect: never */
	q_close(&q);
}

#if VIREO_HAVE_ADD_SGS
static void test_add_sgs(void)
{
	struct scatterlist hdr[1], body[3], more[2], status[1];
	struct scatterlist *sgs[3] = { hdr, body, status };
	struct ringdev_entry exp[5];
	struct vireo_vring_desc *table;
	struct q q;

	q_open(&q, 8, 0, 0);
	sg_init_one(hdr, data, 16);
	/* body: two entries, then chained to a third */
	sg_init_table(body, 3);
	sg_set_buf(&body[0], data + 100, 200);
	sg_set_buf(&body[1], data + 300, 300);
	sg_init_table(more, 1);
	sg_set_buf(&more[0], data + 600, 400);
	sg_chain(body, 3, more);
	sg_init_one(status, data + 1000, 1);
	exp[0] = (struct ringdev_entry){ virt_to_phys(data), 16, false };
	exp[1] = (struct ringdev_entry){ virt_to_phys(data + 100), 200, false };
	exp[2] = (struct ringdev_entry){ virt_to_phys(data + 300), 300, false };
	exp[3] = (struct ringdev_entry){ virt_to_phys(data + 600), 400, false };
	exp[4] = (struct ringdev_entry){ virt_to_phys(data + 1000), 1, true };
	CHECK(vireo_vq_add_sgs(q.vq, sgs, 2, 1, TOKEN(1), GFP_KERNEL) == 0);
	CHECK(q.vq->num_free == 3);
	CHECK(!ringdev_check_chain(&q.dev, last_head(&q), exp, 5, &table, NULL));
	/* The writable length is the status byte only. */
	ringdev_push_used(&q.dev, last_head(&q), 2);
	CHECK(vireo_vq_get_buf(q.vq, NULL) == TOKEN(1));
	CHECK(shim_stats.msgs[4] == 1);		/* clamped, said once */
	CHECK(!vireo_vq_is_broken(q.vq));
	sgs[1] = NULL;
	CHECK(vireo_vq_add_sgs(q.vq, sgs, 2, 1, TOKEN(2), GFP_KERNEL) == -EINVAL);
	CHECK(vireo_vq_add_sgs(q.vq, sgs, 0, 0, TOKEN(2), GFP_KERNEL) == -EINVAL);
	q_close(&q);
}
#endif

/* 70000 cycles through a 4-entry ring: both 16-bit indices wrap. */
static void test_wrap(void)
{
	struct scatterlist sg[1];
	struct ringdev_entry exp[1];
	unsigned int i, len, bad = 0;
	struct q q;

	q_open(&q, 4, F_EVENT_IDX, 0);
	make_buf(sg, exp, 1, 1);
	for (i = 0; i < 70000; i++) {
		if (vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(i), GFP_KERNEL) ||
		    !vireo_vq_kick_prepare(q.vq)) {
			bad++;
			break;
		}
		/* The device wants to hear of the next buffer each time. */
		*vireo_vring_avail_event(&q.dev.vr) = (u16)(i + 1);
		ringdev_push_used(&q.dev, last_head(&q), 7);
		if (vireo_vq_get_buf(q.vq, &len) != TOKEN(i) || len != 7 ||
		    *vireo_vring_used_event(&q.dev.vr) != (u16)(i + 1))
			bad++;
	}
	CHECK(!bad);
	CHECK(q.dev.vr.avail->idx == (u16)70000 && q.dev.vr.used->idx == (u16)70000);
	CHECK(!vireo_vq_is_broken(q.vq) && q.vq->num_free == 4);

	/* 65535 adds without kick_prepare is the limit. */
	for (i = 0; i < 65535 && !bad; i++) {
		bad += !!vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(i), GFP_KERNEL);
		ringdev_push_used(&q.dev, last_head(&q), 7);
		bad += vireo_vq_get_buf(q.vq, NULL) != TOKEN(i);
	}
	CHECK(!bad);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(1), GFP_KERNEL) == -ENOSPC);
	vireo_vq_kick_prepare(q.vq);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(1), GFP_KERNEL) == 0);
	q_close(&q);
}

static void test_indirect(void)
{
	struct scatterlist sg[6];
	struct ringdev_entry exp[6];
	struct vireo_vring_desc *table;
	unsigned long calls;
	struct q q;

	q_open(&q, 2, F_INDIRECT, 0);
	make_buf(sg, exp, 3, 1);
	calls = shim_stats.alloc_calls;
	CHECK(vireo_vq_add_buf(q.vq, sg, 2, 1, TOKEN(1), GFP_KERNEL) == 0);
	CHECK(q.vq->num_free == 1 && shim_stats.alloc_calls == calls + 1);
	CHECK(!ringdev_check_chain(&q.dev, last_head(&q), exp, 3, &table, NULL) && table);
	/* Table allocation fails: a direct chain instead. */
	make_buf(sg, exp, 1, 0);
	shim_fail_alloc_nth(1);
	CHECK(vireo_vq_add_buf(q.vq, sg, 1, 0, TOKEN(2), GFP_KERNEL) == 0);
	CHECK(q.vq->num_free == 0);
	CHECK(vireo_vq_shutdown(q.vq) && vireo_vq_shutdown(q.vq));
	make_buf(sg, exp, 2, 1);
	shim_fail_alloc_nth(1);
	CHECK(vireo_vq_add_buf(q.vq, sg, 1, 1, TOKEN(3), GFP_KERNEL) == 0);
	CHECK(!ringdev_check_chain(&q.dev, last_head(&q), exp, 2, &table, NULL) && !table);
	CHECK(q.vq->num_free == 0);
	vireo_vq_shutdown(q.vq);
	/* Longer than the ring: only indirect fits; -ENOMEM without a table. */
	make_buf(sg, exp, 6, 3);
	shim_fail_alloc_nth(1);
	CHECK(vireo_vq_add_buf(q.vq, sg, 3, 3, TOKEN(4), GFP_KERNEL) == -ENOMEM);
	CHECK(vireo_vq_add_buf(q.vq, sg, 3, 3, TOKEN(4), GFP_KERNEL) == 0);
	CHECK(!ringdev_check_chain(&q.dev, last_head(&q), exp, 6, &table, NULL) && table);
	q_close(&q);

	q_open(&q, 2, 0, 0);
	CHECK(vireo_vq_add_buf(q.vq, sg, 3, 3, TOKEN(4), GFP_KERNEL) == -EINVAL);
	q_close(&q);
}

/* max_sg declared: buffers up to that size are added without allocating. */
static void test_no_alloc(void)
{
	struct scatterlist sg[5];
	struct ringdev_entry exp[5];
	struct vireo_vring_desc *table;
	unsigned long calls;
	unsigned int i;
	struct q q;

	q_open(&q, 16, F_INDIRECT, 4);
	make_buf(sg, exp, 4, 2);
	calls = shim_stats.alloc_calls;
	for (i = 0; i < 16; i++)
		CHECK(vireo_vq_add_buf(q.vq, sg, 2, 2, TOKEN(i), GFP_ATOMIC) == 0);
	CHECK(shim_stats.alloc_calls == calls);
	CHECK(!ringdev_check_chain(&q.dev, last_head(&q), exp, 4, &table, NULL) && table);
	for (i = 0; i < 16; i++) {
		ringdev_push_used(&q.dev, ringdev_avail_head(&q.dev, i), 0);
		CHECK(vireo_vq_get_buf(q.vq, NULL) == TOKEN(i));
	}
	/* One entry more than declared: allocated, and freed with the buffer. */
	make_buf(sg, exp, 5, 2);
	CHECK(vireo_vq_add_buf(q.vq, sg, 3, 2, TOKEN(99), GFP_ATOMIC) == 0);
	CHECK(shim_stats.alloc_calls == calls + 1);
	ringdev_push_used(&q.dev, last_head(&q), 0);
	CHECK(vireo_vq_get_buf(q.vq, NULL) == TOKEN(99));
	CHECK(shim_stats.alloc_live == q.live_before + 4);	/* vq, next, ring, pool */
	q_close(&q);

	/* Without indirect descriptors nothing is ever allocated. */
	q_open(&q, 16, 0, 4);
	calls = shim_stats.alloc_calls;
	make_buf(sg, exp, 4, 2);
	CHECK(vireo_vq_add_buf(q.vq, sg, 2, 2, TOKEN(1), GFP_ATOMIC) == 0);
	CHECK(shim_stats.alloc_calls == calls);
	q_close(&q);
}

static void test_broken(void)
{
	struct scatterlist sg[1];
	struct ringdev_entry exp[1];
	unsigned int len = 1234;
	struct q q;
	u16 head;

	/* used->idx two ahead with one buffer in flight. */
	q_open(&q, 8, 0, 0);
	make_buf(sg, exp, 1, 1);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(1), GFP_KERNEL) == 0);
	head = last_head(&q);
	ringdev_push_used(&q.dev, head, 1);
	ringdev_push_used(&q.dev, head, 1);
	callbacks = 0;
	CHECK(!vireo_vq_get_buf(q.vq, &len) && len == 1234);
	CHECK(vireo_vq_is_broken(q.vq));
	CHECK(shim_stats.msgs[3] == 1 && strstr(shim_last_msg(), "marked broken"));
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(2), GFP_KERNEL) == -EIO);
	CHECK(!vireo_vq_kick(q.vq) && !vireo_vq_kick_prepare(q.vq));
	CHECK(!vireo_vq_notify(q.vq));
	CHECK(vireo_vq_restart(q.vq));
	CHECK(vireo_vring_interrupt(0, q.vq) == IRQ_HANDLED && !callbacks);
	CHECK(!vireo_vq_get_buf(q.vq, &len));
	CHECK(shim_stats.msgs[3] == 1);		/* still one message */
	CHECK(vireo_vq_shutdown(q.vq) == TOKEN(1) && !vireo_vq_shutdown(q.vq));
	q_close(&q);

	/* An id that is not in flight; then the same id twice. */
	q_open(&q, 8, 0, 0);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(1), GFP_KERNEL) == 0);
	ringdev_push_used(&q.dev, 5, 0);
	CHECK(!vireo_vq_get_buf(q.vq, NULL) && vireo_vq_is_broken(q.vq));
	q_close(&q);
	q_open(&q, 8, 0, 0);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(1), GFP_KERNEL) == 0);
	CHECK(vireo_vq_add_buf(q.vq, sg, 0, 1, TOKEN(2), GFP_KERNEL) == 0);
	ringdev_push_used(&q.dev, last_head(&q), 0);
	ringdev_push_used(&q.dev, last_head(&q), 0);
	CHECK(vireo_vq_get_buf(q.vq, NULL) == TOKEN(2));
	CHECK(!vireo_vq_get_buf(q.vq, NULL) && vireo_vq_is_broken(q.vq));
	q_close(&q);

	/* The transport finds the device gone. */
	q_open(&q, 8, 0, 0);
	{
		struct vireo_vq_info info = { .name = "gone" };
		struct vireo_virtqueue *vq =
			vireo_vring_create(&q.vdev, 1, 4, 64, notify_gone, &info);

		CHECK(!IS_ERR(vq));
		CHECK(vireo_vq_add_buf(vq, sg, 0, 1, TOKEN(1), GFP_KERNEL) == 0);
		CHECK(!vireo_vq_kick(vq) && vireo_vq_is_broken(vq));
		CHECK(shim_stats.msgs[3] == 0);
		CHECK(vireo_vq_shutdown(vq) == TOKEN(1));
		vireo_vring_destroy(vq);
	}
	q_close(&q);
}

/* Shutdown returns every buffer still owned, exactly once. */
static void test_shutdown(void)
{
	struct scatterlist sg[3];
	struct ringdev_entry exp[3];
	unsigned int i, seen = 0;
	struct q q;
	void *t;

	q_open(&q, 8, F_INDIRECT, 0);
	make_buf(sg, exp, 3, 1);
	for (i = 0; i < 6; i++)
		CHECK(vireo_vq_add_buf(q.vq, sg, i % 2 ? 2 : 0, i % 2 ? 1 : 1,
				       TOKEN(i), GFP_KERNEL) == 0);
	/* Two completed but not collected, one collected. */
	ringdev_push_used(&q.dev, ringdev_avail_head(&q.dev, 0), 0);
	ringdev_push_used(&q.dev, ringdev_avail_head(&q.dev, 3), 0);
	ringdev_push_used(&q.dev, ringdev_avail_head(&q.dev, 4), 0);
	CHECK(vireo_vq_get_buf(q.vq, NULL) == TOKEN(0));
	vireo_vring_quiesce(q.vq);
	callbacks = 0;
	CHECK(vireo_vring_interrupt(0, q.vq) == IRQ_NONE && !callbacks);
	while ((t = vireo_vq_shutdown(q.vq))) {
		i = ((uintptr_t)t - 0x1000) / 16;
		CHECK(i >= 1 && i < 6 && !(seen & 1u << i));
		seen |= 1u << i;
	}
	CHECK(seen == 0x3e);
	CHECK(q.vq->num_free == 8);
	q_close(&q);

	/* Destroying with buffers in flight frees their tables and says so. */
	q_open(&q, 8, F_INDIRECT, 0);
	CHECK(vireo_vq_add_buf(q.vq, sg, 2, 1, TOKEN(1), GFP_KERNEL) == 0);
	vireo_vring_destroy(q.vq);
	CHECK(shim_stats.msgs[4] == 1);
	CHECK(shim_stats.alloc_live == q.live_before);
}

static void test_kick(void)
{
	struct scatterlist sg[1];
	struct ringdev_entry exp[1];
	struct q q;

	make_buf(sg, exp, 1, 0);
	q_open(&q, 8, 0, 0);
	vireo_vq_add_buf(q.vq, sg, 1, 0, TOKEN(1), GFP_KERNEL);
	q.dev.vr.used->flags = VIREO_VRING_USED_F_NO_NOTIFY;
	CHECK(!vireo_vq_kick_prepare(q.vq));
	q.dev.vr.used->flags = 0;
	notifies = 0;
	CHECK(vireo_vq_kick(q.vq) && notifies == 1);
	vireo_vq_disable_cb(q.vq);
	CHECK(q.dev.vr.avail->flags == VIREO_VRING_AVAIL_F_NO_INTERRUPT);
	CHECK(vireo_vq_restart(q.vq) && q.dev.vr.avail->flags == 0);
	q_close(&q);

	q_open(&q, 8, F_EVENT_IDX, 0);
	vireo_vq_add_buf(q.vq, sg, 1, 0, TOKEN(1), GFP_KERNEL);
	vireo_vq_add_buf(q.vq, sg, 1, 0, TOKEN(2), GFP_KERNEL);
	*vireo_vring_avail_event(&q.dev.vr) = 1;	/* inside [0, 2) */
	CHECK(vireo_vq_kick_prepare(q.vq));
	vireo_vq_add_buf(q.vq, sg, 1, 0, TOKEN(3), GFP_KERNEL);
	CHECK(!vireo_vq_kick_prepare(q.vq));		/* 1 is outside [2, 3) */
	CHECK(!vireo_vq_kick_prepare(q.vq));		/* empty batch */
#if VIREO_HAVE_ENABLE_CB_DELAYED
	/* Four in flight... */
	vireo_vq_add_buf(q.vq, sg, 1, 0, TOKEN(4), GFP_KERNEL);
	CHECK(vireo_vq_enable_cb_delayed(q.vq));
	CHECK(*vireo_vring_used_event(&q.dev.vr) == 3);	/* 3/4 of 4 */
	ringdev_push_used(&q.dev, 0, 0);
	ringdev_push_used(&q.dev, 1, 0);
	ringdev_push_used(&q.dev, 2, 0);
	ringdev_push_used(&q.dev, 3, 0);
	CHECK(!vireo_vq_enable_cb_delayed(q.vq));
#endif
	q_close(&q);
}

static void test_create(void)
{
	struct vireo_vq_info info = { .name = "c", .max_sg = 8 };
	struct vireo_device vdev = { .features = F_INDIRECT };
	struct vireo_virtqueue *vq;
	unsigned long n;
	long live;

	shim_reset();
	live = shim_stats.alloc_live;
	CHECK(vireo_vring_create(&vdev, 0, 6, 64, notify_ok, &info) == ERR_PTR(-EINVAL));
	CHECK(vireo_vring_create(&vdev, 0, 8, 2, notify_ok, &info) == ERR_PTR(-EINVAL));
	CHECK(vireo_vring_create(&vdev, 0, 65536, 64, notify_ok, &info) == ERR_PTR(-EINVAL));
	CHECK(vireo_vring_create(&vdev, 0, 8, 64, NULL, &info) == ERR_PTR(-EINVAL));
	CHECK(shim_stats.alloc_calls == 0);
	/* Fail each allocation in turn: -ENOMEM or a working queue, no leak. */
	for (n = 1; n <= 6; n++) {
		shim_fail_alloc_nth(n);
		vq = vireo_vring_create(&vdev, 0, 32768, 4096, notify_ok, &info);
		shim_fail_alloc_nth(0);
		CHECK(vq == ERR_PTR(-ENOMEM) || !IS_ERR(vq));
		if (!IS_ERR(vq))
			vireo_vring_destroy(vq);
		CHECK(shim_stats.alloc_live == live);
	}
	vireo_vring_destroy(NULL);

	/* Module parameters act on negotiation only. */
	vdev.features = F_INDIRECT | F_EVENT_IDX | BIT_ULL(30) | BIT_ULL(3);
	*shim_param_indirect = false;
	vireo_vring_transport_features(&vdev);
	CHECK(vdev.features == (F_EVENT_IDX | BIT_ULL(3)));
	*shim_param_indirect = true;
	*shim_param_event_idx = false;
	vdev.features = F_INDIRECT | F_EVENT_IDX;
	vireo_vring_transport_features(&vdev);
	CHECK(vdev.features == F_INDIRECT);
	*shim_param_event_idx = true;
	CHECK(shim_module_init() == 0);
	shim_module_exit();
	CHECK(shim_stats.warns == 0);
}

int main(void)
{
	test_add_get();
#if VIREO_HAVE_ADD_SGS
	test_add_sgs();
#endif
	test_wrap();
	test_indirect();
	test_no_alloc();
	test_broken();
	test_shutdown();
	test_kick();
	test_create();
	printf("test_ring: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
