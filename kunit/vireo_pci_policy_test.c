// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the policy of vireo_pci.ko, the legacy PCI transport:
 * the suites.
 *
 * This file builds the policy (virtio_pci_legacy/vireo_pci_policy.c) into
 * the test module (it includes the .c file, so the tests also see its
 * static functions and constants) and runs it over the fake register file
 * and PCI core of vireo_pci_fake.c. The suites: queue sizes and queue
 * registers, the interrupt ladder and the handlers, config space access,
 * and adding and removing the function.
 *
 * The devices are registered on the vireo bus with ids reserved for this
 * suite, so no driver binds them. Refused queues, vectors and rungs, and
 * vanished devices print messages; that is expected.
 */

#include <kunit/test.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_pci_fake.h"

/* The policy under test, with its static functions. */
#include "../virtio_pci_legacy/vireo_pci_policy.c"

VIREO_IMPORT_NS();

/* ---- fixtures that call the policy ------------------------------------ */

static void pt_callback(struct vireo_virtqueue *vq)
{
	struct pt_fake *f = pt_of(to_vp(vq->vdev));

	if (vq->index < PT_MAX_VQS)
		f->callbacks[vq->index]++;
}

static const struct vireo_vq_info pt_info[PT_MAX_VQS] = {
	{ .name = "pq0", .callback = pt_callback },
	{ .name = "pq1", .callback = pt_callback },
	{ .name = "pq2" },	/* polled: no vector */
};

/* Undo pt_add(): what a driver's remove and the PCI remove would do. */
static void pt_del(void *data)
{
	struct pt_fake *f = data;

	vireo_pci_del_vqs(&f->vp->vdev);
	vireo_pci_del(f->vp);
}

/* Put the fake function on the vireo bus. */
static void pt_add(struct kunit *test, struct pt_fake *f)
{
	KUNIT_ASSERT_EQ(test, vireo_pci_add(f->vp), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pt_del, f), 0);
}

static struct pt_fake *pt_setup(struct kunit *test, unsigned int nvqs,
				u16 num)
{
	struct pt_fake *f = pt_new(test, nvqs, num);

	pt_add(test, f);
	return f;
}

static int pt_find_vqs(struct pt_fake *f, unsigned int nvqs,
		       struct vireo_virtqueue *vqs[])
{
	return vireo_pci_find_vqs(&f->vp->vdev, nvqs, vqs, pt_info);
}

/* ---- queues ------------------------------------------------------------ */

/*
 * Queue 0 of size @num is refused with @err by the transport itself
 * (which says so, once, before the ring sees the size), and nothing is
 * left over.
 */
static void pt_expect_size_refused(struct kunit *test, u16 num, int err)
{
	struct pt_fake *f = pt_setup(test, 1, num);
	struct vireo_virtqueue *vqs[1] = {};
	char what[48];

	if (num)
		snprintf(what, sizeof(what), "queue 0: invalid size %u from device",
			 num);
	else
		strscpy(what, "queue 0 does not exist", sizeof(what));
	pt_log_mark(f);
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 1, vqs), err);
	KUNIT_EXPECT_EQ(test, pt_log_count(f, what), 1U);
	KUNIT_EXPECT_NULL(test, vqs[0]);
	KUNIT_EXPECT_EQ(test, f->q[0].pfn, 0U);
	pt_expect_clean(test, f);
}

static void pt_queue_size_zero(struct kunit *test)
{
	pt_expect_size_refused(test, 0, -ENOENT);
}

static void pt_queue_size_three(struct kunit *test)
{
	pt_expect_size_refused(test, 3, -EINVAL);
}

static void pt_queue_size_ffff(struct kunit *test)
{
	pt_expect_size_refused(test, 0xffff, -EINVAL);
}

/* No power of two above 32768 fits 16 bits; the largest legal size does. */
static void pt_queue_size_above_max(struct kunit *test)
{
	struct vireo_virtqueue *vqs[1] = {};
	struct pt_fake *f;

	pt_expect_size_refused(test, VIREO_VRING_MAX_NUM + 1, -EINVAL);
	pt_expect_size_refused(test, 0xc000, -EINVAL);

	f = pt_setup(test, 1, VIREO_VRING_MAX_NUM);
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 1, vqs), 0);
	KUNIT_EXPECT_EQ(test, vireo_vq_get_vring_size(vqs[0]),
			VIREO_VRING_MAX_NUM);
	vireo_pci_del_vqs(&f->vp->vdev);
	pt_expect_clean(test, f);
}

/* A queue with a PFN already set belongs to someone else: leave it. */
static void pt_queue_in_use(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 2, PT_RING_NUM);
	struct vireo_virtqueue *vqs[2] = {};

	f->q[1].pfn = 0x1234;
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 2, vqs), -ENOENT);
	KUNIT_EXPECT_EQ(test, f->q[1].pfn, 0x1234U);
	/* Queue 0 was handed over before queue 1 was found busy; undone. */
	KUNIT_EXPECT_EQ(test, f->q[0].pfn, 0U);
	f->q[1].pfn = 0;
	pt_expect_clean(test, f);
}

/* Every queue goes live with its ring's PFN, and del_vqs takes it back. */
static void pt_queues_live(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 3, PT_RING_NUM);
	struct vireo_virtqueue *vqs[3] = {};
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_NOT_NULL(test, vqs[i]);
		KUNIT_EXPECT_EQ(test, (u64)f->q[i].pfn,
				(u64)vireo_vring_phys(vqs[i]) >>
				VIREO_PCI_QUEUE_PFN_SHIFT);
	}
	KUNIT_EXPECT_TRUE(test, vireo_pci_notify(vqs[1]));
	KUNIT_EXPECT_EQ(test, f->notifies, 1U);
	/* Another find_vqs before del_vqs is refused. */
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 3, vqs), -EBUSY);
	vireo_pci_del_vqs(&f->vp->vdev);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, f->q[i].vector, VIREO_PCI_NO_VECTOR);
	KUNIT_EXPECT_EQ(test, f->config_vector, VIREO_PCI_NO_VECTOR);
	pt_expect_clean(test, f);
}

/* The PFN register is 32 bits: a ring at or above 2^44 cannot be told. */
static void pt_ring_above_pfn_limit(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 1, PT_RING_NUM);
	struct vireo_virtqueue *vqs[1] = {};

	f->phys = BIT_ULL(32 + VIREO_PCI_QUEUE_PFN_SHIFT);
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 1, vqs), -E2BIG);
	pt_expect_clean(test, f);

	/* Not 4096-aligned: the device would look in the wrong place. */
	f->phys = SZ_1M + 512;
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 1, vqs), -EINVAL);
	pt_expect_clean(test, f);

	/* The last frame the register can express is fine. */
	f->phys = BIT_ULL(32 + VIREO_PCI_QUEUE_PFN_SHIFT) -
		  VIREO_PCI_QUEUE_ALIGN;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 1, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->q[0].pfn, U32_MAX);
	vireo_pci_del_vqs(&f->vp->vdev);
	pt_expect_clean(test, f);
}

static struct kunit_case pt_queue_cases[] = {
	KUNIT_CASE(pt_queue_size_zero),
	KUNIT_CASE(pt_queue_size_three),
	KUNIT_CASE(pt_queue_size_ffff),
	KUNIT_CASE(pt_queue_size_above_max),
	KUNIT_CASE(pt_queue_in_use),
	KUNIT_CASE(pt_queues_live),
	KUNIT_CASE(pt_ring_above_pfn_limit),
	{}
};

static struct kunit_suite pt_queue_suite = {
	.name = "vireo_pci_queues",
	.test_cases = pt_queue_cases,
};

/* ---- the interrupt ladder ---------------------------------------------- */

/* find_vqs on 3 queues (2 with callbacks) ends on rung @mode. */
static struct pt_fake *pt_ladder(struct kunit *test, unsigned int refuse,
				 enum vireo_pci_irq_mode mode)
{
	struct pt_fake *f = pt_setup(test, 3, PT_RING_NUM);
	struct vireo_virtqueue *vqs[3] = {};

	f->refuse = refuse;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, mode);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
	KUNIT_EXPECT_TRUE(test, f->q[0].live && f->q[1].live && f->q[2].live);
	return f;
}

static void pt_rung_per_vq(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test, 0, VIREO_PCI_IRQ_MSIX_PER_VQ);
	char name[32];

	KUNIT_EXPECT_EQ(test, f->nvecs, 3U);
	KUNIT_EXPECT_TRUE(test, f->spread);
	KUNIT_EXPECT_EQ(test, f->allocs, 1U);
	KUNIT_EXPECT_EQ(test, f->config_vector, 0);
	KUNIT_EXPECT_EQ(test, f->q[0].vector, 1);
	KUNIT_EXPECT_EQ(test, f->q[1].vector, 2);
	KUNIT_EXPECT_EQ(test, f->q[2].vector, VIREO_PCI_NO_VECTOR);
	snprintf(name, sizeof(name), "vireo%d-config", f->vp->vdev.index);
	KUNIT_EXPECT_STREQ(test, f->irqs[0].name, name);
	snprintf(name, sizeof(name), "vireo%d-pq1", f->vp->vdev.index);
	KUNIT_EXPECT_STREQ(test, f->irqs[2].name, name);
}

/*
 * More queue vectors than CPUs: the PCI core will not spread them, but
 * each queue still gets its own vector, unspread.
 */
static void pt_rung_per_vq_unspread(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 3, PT_RING_NUM);
	struct vireo_virtqueue *vqs[3] = {};

	f->ncpus = 1;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_MSIX_PER_VQ);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
	KUNIT_EXPECT_EQ(test, f->allocs, 2U);
	KUNIT_EXPECT_EQ(test, f->nvecs, 3U);
	KUNIT_EXPECT_FALSE(test, f->spread);
	KUNIT_EXPECT_FALSE(test, f->vp->spread);
	KUNIT_EXPECT_EQ(test, f->q[0].vector, 1);
	KUNIT_EXPECT_EQ(test, f->q[1].vector, 2);
	KUNIT_EXPECT_EQ(test, f->q[2].vector, VIREO_PCI_NO_VECTOR);
	KUNIT_EXPECT_TRUE(test, f->irqs[1].live && f->irqs[2].live);
	KUNIT_EXPECT_NULL(test, vireo_pci_get_vq_affinity(&f->vp->vdev, 0));
}

static void pt_rung_shared(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test, PT_REFUSE_PER_VQ,
				      VIREO_PCI_IRQ_MSIX_SHARED);
	char name[32];

	KUNIT_EXPECT_EQ(test, f->nvecs, 2U);
	KUNIT_EXPECT_FALSE(test, f->spread);
	KUNIT_EXPECT_EQ(test, f->q[0].vector, 1);
	KUNIT_EXPECT_EQ(test, f->q[1].vector, 1);
	KUNIT_EXPECT_EQ(test, f->q[2].vector, VIREO_PCI_NO_VECTOR);
	snprintf(name, sizeof(name), "vireo%d-virtqueues", f->vp->vdev.index);
	KUNIT_EXPECT_STREQ(test, f->irqs[1].name, name);
}

static void pt_rung_intx(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test,
				      PT_REFUSE_PER_VQ | PT_REFUSE_SHARED,
				      VIREO_PCI_IRQ_INTX);
	char name[32];

	KUNIT_EXPECT_FALSE(test, f->msix);
	KUNIT_EXPECT_TRUE(test, f->irqs[PT_INTX_SLOT].live);
	snprintf(name, sizeof(name), "vireo%d", f->vp->vdev.index);
	KUNIT_EXPECT_STREQ(test, f->irqs[PT_INTX_SLOT].name, name);
}

/* No rung works: find_vqs fails and leaves nothing behind. */
static void pt_rung_none(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 2, PT_RING_NUM);
	struct vireo_virtqueue *vqs[2] = {};

	f->refuse = PT_REFUSE_PER_VQ | PT_REFUSE_SHARED | PT_REFUSE_INTX;
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 2, vqs), -EBUSY);
	pt_expect_clean(test, f);
}

/* The device itself refuses vectors: the ladder goes down, cleanly. */
static void pt_rung_device_refuses(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 3, PT_RING_NUM);
	struct vireo_virtqueue *vqs[3] = {};

	/* A queue vector refused: per-queue fails, shared fails too. */
	f->q[1].refuse_vector = true;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_INTX);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
	vireo_pci_del_vqs(&f->vp->vdev);
	pt_expect_clean(test, f);

	/* The config vector refused: straight to INTx. */
	f->q[1].refuse_vector = false;
	f->refuse_config_vector = true;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_INTX);
	vireo_pci_del_vqs(&f->vp->vdev);
	pt_expect_clean(test, f);

	/* Too small an MSI-X table for a vector per queue: shared. */
	f->refuse_config_vector = false;
	f->table_size = 2;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_MSIX_SHARED);
	vireo_pci_del_vqs(&f->vp->vdev);
	pt_expect_clean(test, f);
}

/*
 * An MSI-X vector is ours alone: no work is still IRQ_HANDLED, or the
 * spurious-IRQ detector would disable it and hang the queue.
 */
static void pt_msix_spurious(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test, 0, VIREO_PCI_IRQ_MSIX_PER_VQ);
	struct vireo_virtqueue *vq = f->vp->vqs[0].vq;

	KUNIT_EXPECT_EQ(test, pt_fire(f, 0), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, pt_fire(f, 1), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, pt_fire(f, 2), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, pt_total_callbacks(f), 0U);
	/* The config vector reports a change. */
	KUNIT_EXPECT_TRUE(test, pt_config_pending(f));
	/* With work, the queue's callback runs. */
	pt_used_bump(vq);
	KUNIT_EXPECT_EQ(test, pt_fire(f, 1), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, f->callbacks[0], 1U);
	KUNIT_EXPECT_EQ(test, f->callbacks[1], 0U);
}

static void pt_msix_shared_spurious(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test, PT_REFUSE_PER_VQ,
				      VIREO_PCI_IRQ_MSIX_SHARED);

	KUNIT_EXPECT_EQ(test, pt_fire(f, 1), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, pt_total_callbacks(f), 0U);
	pt_used_bump(f->vp->vqs[1].vq);
	KUNIT_EXPECT_EQ(test, pt_fire(f, 1), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, f->callbacks[1], 1U);
}

/* INTx is shared with other devices: ISR 0 is not ours. */
static void pt_intx_isr(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test,
				      PT_REFUSE_PER_VQ | PT_REFUSE_SHARED,
				      VIREO_PCI_IRQ_INTX);

	pt_used_bump(f->vp->vqs[0].vq);
	f->isr = 0;
	KUNIT_EXPECT_EQ(test, pt_fire(f, PT_INTX_SLOT), IRQ_NONE);
	KUNIT_EXPECT_EQ(test, pt_total_callbacks(f), 0U);
	KUNIT_EXPECT_FALSE(test, pt_config_pending(f));

	f->isr = VIREO_PCI_ISR_QUEUE;
	KUNIT_EXPECT_EQ(test, pt_fire(f, PT_INTX_SLOT), IRQ_HANDLED);
	KUNIT_EXPECT_EQ(test, f->callbacks[0], 1U);
	KUNIT_EXPECT_FALSE(test, pt_config_pending(f));
	KUNIT_EXPECT_EQ(test, f->isr, 0);

	f->isr = VIREO_PCI_ISR_CONFIG;
	KUNIT_EXPECT_EQ(test, pt_fire(f, PT_INTX_SLOT), IRQ_HANDLED);
	KUNIT_EXPECT_TRUE(test, pt_config_pending(f));
	KUNIT_EXPECT_EQ(test, f->callbacks[0], 1U);
}

/*
 * ISR all ones: the function vanished. Every queue breaks, once, with one
 * message; no callback runs even with work pending.
 */
static void pt_intx_isr_all_ones(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test,
				      PT_REFUSE_PER_VQ | PT_REFUSE_SHARED,
				      VIREO_PCI_IRQ_INTX);
	unsigned int i;

	pt_log_mark(f);
	pt_used_bump(f->vp->vqs[0].vq);
	f->isr = 0xff;
	KUNIT_EXPECT_EQ(test, pt_fire(f, PT_INTX_SLOT), IRQ_NONE);
	KUNIT_EXPECT_EQ(test, pt_total_callbacks(f), 0U);
	KUNIT_EXPECT_FALSE(test, pt_config_pending(f));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(f->vp->vqs[i].vq));
	KUNIT_EXPECT_TRUE(test, vireo_pci_is_gone(f->vp));
	/* Again: the ISR is not even read, nothing more is said. */
	f->isr = 0xff;
	KUNIT_EXPECT_EQ(test, pt_fire(f, PT_INTX_SLOT), IRQ_NONE);
	KUNIT_EXPECT_EQ(test, f->isr, 0xff);
	KUNIT_EXPECT_EQ(test, pt_vanished_messages(f), 1U);
	/* Kicks are refused without touching the device. */
	KUNIT_EXPECT_FALSE(test, vireo_pci_notify(f->vp->vqs[0].vq));
	KUNIT_EXPECT_EQ(test, f->notifies, 0U);
}

/*
 * Reset: every queue is quiesced before each IRQ is synchronised, so an
 * interrupt that arrives meanwhile, or later, reaches no callback.
 */
static void pt_reset_quiesces(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test, 0, VIREO_PCI_IRQ_MSIX_PER_VQ);

	pt_used_bump(f->vp->vqs[0].vq);
	pt_used_bump(f->vp->vqs[1].vq);
	f->syncs = 0;
	f->vp->vdev.config->reset(&f->vp->vdev);
	KUNIT_EXPECT_EQ(test, f->syncs, 3U);
	KUNIT_EXPECT_EQ(test, f->sync_callbacks, 0U);
	KUNIT_EXPECT_EQ(test, f->status, 0);
	pt_fire(f, 1);
	pt_fire(f, 2);
	KUNIT_EXPECT_EQ(test, pt_total_callbacks(f), 0U);
}

static void pt_reset_quiesces_intx(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test,
				      PT_REFUSE_PER_VQ | PT_REFUSE_SHARED,
				      VIREO_PCI_IRQ_INTX);

	pt_used_bump(f->vp->vqs[1].vq);
	f->vp->vdev.config->reset(&f->vp->vdev);
	KUNIT_EXPECT_EQ(test, f->sync_callbacks, 0U);
	f->isr = VIREO_PCI_ISR_QUEUE;
	pt_fire(f, PT_INTX_SLOT);
	KUNIT_EXPECT_EQ(test, pt_total_callbacks(f), 0U);
}

static int pt_set_affinity(struct pt_fake *f, unsigned int index,
			   const struct cpumask *mask)
{
	return f->vp->vdev.config->set_vq_affinity(&f->vp->vdev, index, mask);
}

/*
 * An unspread queue vector is steered where the driver says, the mask is
 * its hint and what get_vq_affinity reports, and the hint is cleared
 * before the IRQ is freed (the fake counts a free with a hint as bad).
 */
static void pt_vq_affinity(struct kunit *test)
{
	const struct cpumask *cpu = cpumask_of(cpumask_first(cpu_online_mask));
	struct pt_fake *f = pt_setup(test, 3, PT_RING_NUM);
	struct vireo_device *vdev = &f->vp->vdev;
	struct vireo_virtqueue *vqs[3] = {};
	const struct cpumask *got;

	f->ncpus = 1;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_ASSERT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_MSIX_PER_VQ);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 0, cpu), 0);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 1, cpu_online_mask), 0);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 1, cpu), 0);
	KUNIT_EXPECT_EQ(test, f->irqs[2].affinity_sets, 2U);
	got = vireo_pci_get_vq_affinity(vdev, 0);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_TRUE(test, cpumask_equal(got, cpu));
	KUNIT_EXPECT_PTR_EQ(test, f->irqs[1].hint, got);
	got = vireo_pci_get_vq_affinity(vdev, 1);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_EXPECT_TRUE(test, cpumask_equal(got, cpu));
	KUNIT_EXPECT_PTR_EQ(test, f->irqs[2].hint, got);
	/* The polled queue has no vector; queue 3 does not exist. */
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 2, cpu), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 3, cpu), -EINVAL);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 0, cpu_none_mask), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
	vireo_pci_del_vqs(vdev);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
	KUNIT_EXPECT_NULL(test, f->irqs[1].hint);
	KUNIT_EXPECT_NULL(test, f->irqs[2].hint);
	pt_expect_clean(test, f);
}

/* Spread (managed) vectors and the shared vector are not steerable. */
static void pt_vq_affinity_unsupported(struct kunit *test)
{
	struct pt_fake *f = pt_ladder(test, 0, VIREO_PCI_IRQ_MSIX_PER_VQ);
	struct vireo_virtqueue *vqs[3] = {};

	KUNIT_EXPECT_TRUE(test, f->spread);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 0, cpu_online_mask),
			-EOPNOTSUPP);
	vireo_pci_del_vqs(&f->vp->vdev);
	f->refuse = PT_REFUSE_PER_VQ;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 3, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_MSIX_SHARED);
	KUNIT_EXPECT_EQ(test, pt_set_affinity(f, 0, cpu_online_mask),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, f->irqs[1].affinity_sets, 0U);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
}

static struct kunit_case pt_irq_cases[] = {
	KUNIT_CASE(pt_rung_per_vq),
	KUNIT_CASE(pt_rung_per_vq_unspread),
	KUNIT_CASE(pt_vq_affinity),
	KUNIT_CASE(pt_vq_affinity_unsupported),
	KUNIT_CASE(pt_rung_shared),
	KUNIT_CASE(pt_rung_intx),
	KUNIT_CASE(pt_rung_none),
	KUNIT_CASE(pt_rung_device_refuses),
	KUNIT_CASE(pt_msix_spurious),
	KUNIT_CASE(pt_msix_shared_spurious),
	KUNIT_CASE(pt_intx_isr),
	KUNIT_CASE(pt_intx_isr_all_ones),
	KUNIT_CASE(pt_reset_quiesces),
	KUNIT_CASE(pt_reset_quiesces_intx),
	{}
};

static struct kunit_suite pt_irq_suite = {
	.name = "vireo_pci_irq",
	.test_cases = pt_irq_cases,
};

/* ---- device config space ----------------------------------------------- */

static u32 pt_config_u32(struct pt_fake *f, unsigned int offset)
{
	u32 v;

	memcpy(&v, &f->config[offset], sizeof(v));
	return v;
}

/* Config reads and writes find the config space at 20 or 24. */
static void pt_expect_config_works(struct kunit *test, struct pt_fake *f)
{
	struct vireo_device *vdev = &f->vp->vdev;
	u32 v32 = 0;
	u8 v8 = 0;

	KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 4, &v32), 0);
	KUNIT_EXPECT_EQ(test, v32, pt_config_u32(f, 4));
	KUNIT_EXPECT_EQ(test, vireo_cread8(vdev, 1, &v8), 0);
	KUNIT_EXPECT_EQ(test, v8, f->config[1]);
	v32 = 0xa5a5a5a5;
	KUNIT_EXPECT_EQ(test, vireo_config_write(vdev, 8, &v32, 4), 0);
	KUNIT_EXPECT_EQ(test, pt_config_u32(f, 8), 0xa5a5a5a5U);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
}

static void pt_config_offset(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 2, PT_RING_NUM);
	struct vireo_virtqueue *vqs[2] = {};
	u8 buf[8];

	/* No queues, no MSI-X: config at 20. */
	pt_expect_config_works(test, f);
	/* MSI-X on: config at 24; the last bytes still fit, beyond not. */
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 2, vqs), 0);
	KUNIT_ASSERT_TRUE(test, f->msix);
	pt_expect_config_works(test, f);
	KUNIT_EXPECT_EQ(test, vireo_config_read(&f->vp->vdev,
						PT_CONFIG_SIZE - 8, buf, 8), 0);
	KUNIT_EXPECT_EQ(test, vireo_config_read(&f->vp->vdev,
						PT_CONFIG_SIZE - 7, buf, 8),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vireo_config_read(&f->vp->vdev, UINT_MAX,
						buf, 2), -EINVAL);
	/* MSI-X off again: back at 20. */
	vireo_pci_del_vqs(&f->vp->vdev);
	pt_expect_config_works(test, f);
	/* INTx: at 20 while queues are live. */
	f->table_size = 0;
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 2, vqs), 0);
	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_INTX);
	pt_expect_config_works(test, f);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
}

/* A config that changes N times settles on the device's final value. */
static void pt_config_unstable(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 0, 0);
	struct vireo_device *vdev = &f->vp->vdev;
	unsigned int n;
	u64 v64;
	u32 v;

	for (n = 1; n < VIREO_PCI_CONFIG_READ_TRIES; n += 3) {
		f->unstable_reads = n;
		f->config_reads = 0;
		KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 0, &v), 0);
		KUNIT_EXPECT_EQ(test, v, pt_config_u32(f, 0));
		/* N changes, then two equal reads. */
		KUNIT_EXPECT_EQ(test, f->config_reads, n + 1);
	}
	f->unstable_reads = VIREO_PCI_CONFIG_READ_TRIES;
	KUNIT_EXPECT_EQ(test, vireo_cread64(vdev, 0, &v64), 0);
	KUNIT_EXPECT_EQ(test, (u32)v64, pt_config_u32(f, 0));
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
}

/* A config that never settles: an error, after a bounded number of reads. */
static void pt_config_never_stable(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 0, 0);
	u16 v16;
	u32 v;

	f->unstable_reads = UINT_MAX;
	KUNIT_EXPECT_EQ(test, vireo_cread32(&f->vp->vdev, 0, &v), -EIO);
	KUNIT_EXPECT_LE(test, f->config_reads,
			VIREO_PCI_CONFIG_READ_TRIES + 1);
	f->config_reads = 0;
	KUNIT_EXPECT_EQ(test, vireo_cread16(&f->vp->vdev, 0, &v16), -EIO);
	KUNIT_EXPECT_LE(test, f->config_reads,
			VIREO_PCI_CONFIG_READ_TRIES + 1);
	/* Single bytes cannot tear: one read, whatever the device does. */
	f->config_reads = 0;
	KUNIT_EXPECT_EQ(test, vireo_cread8(&f->vp->vdev, 0, (u8 *)&v), 0);
	KUNIT_EXPECT_EQ(test, f->config_reads, 1U);
	f->unstable_reads = 0;
}

/*
 * Config all ones is a legal value; with status all ones too, the
 * function vanished: -ENODEV, queues broken, one message.
 */
static void pt_config_all_ones(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 1, PT_RING_NUM);
	struct vireo_virtqueue *vqs[1] = {};
	struct vireo_device *vdev = &f->vp->vdev;
	unsigned int reads;
	u32 v;

	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 1, vqs), 0);
	pt_log_mark(f);
	memset(f->config, 0xff, sizeof(f->config));
	KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 0, &v), 0);
	KUNIT_EXPECT_EQ(test, v, U32_MAX);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(vqs[0]));

	f->all_ones = true;
	KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 0, &v), -ENODEV);
	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(vqs[0]));
	KUNIT_EXPECT_TRUE(test, vireo_pci_is_gone(f->vp));
	/* Later reads fail without asking the device again. */
	reads = f->config_reads;
	KUNIT_EXPECT_EQ(test, vireo_cread32(vdev, 0, &v), -ENODEV);
	KUNIT_EXPECT_EQ(test, v, U32_MAX);
	KUNIT_EXPECT_EQ(test, f->config_reads, reads);
	KUNIT_EXPECT_EQ(test, pt_vanished_messages(f), 1U);
	/* A vanished device gets no new queues. */
	vireo_pci_del_vqs(vdev);
	KUNIT_EXPECT_EQ(test, pt_find_vqs(f, 1, vqs), -ENODEV);
}

/* A config change from a vanished function reaches no driver. */
static void pt_config_change_vanished(struct kunit *test)
{
	struct pt_fake *f = pt_setup(test, 1, PT_RING_NUM);
	struct vireo_virtqueue *vqs[1] = {};

	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 1, vqs), 0);
	KUNIT_ASSERT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_MSIX_PER_VQ);
	pt_log_mark(f);
	f->all_ones = true;
	KUNIT_EXPECT_EQ(test, pt_fire(f, 0), IRQ_HANDLED);
	KUNIT_EXPECT_FALSE(test, pt_config_pending(f));
	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(vqs[0]));
	KUNIT_EXPECT_EQ(test, pt_fire(f, 0), IRQ_HANDLED);
	KUNIT_EXPECT_FALSE(test, pt_config_pending(f));
	/* One message per device, whichever cause comes first. */
	vireo_pci_mark_gone(f->vp, "a second cause");
	KUNIT_EXPECT_EQ(test, pt_vanished_messages(f), 1U);
}

static struct kunit_case pt_config_cases[] = {
	KUNIT_CASE(pt_config_offset),
	KUNIT_CASE(pt_config_unstable),
	KUNIT_CASE(pt_config_never_stable),
	KUNIT_CASE(pt_config_all_ones),
	KUNIT_CASE(pt_config_change_vanished),
	{}
};

static struct kunit_suite pt_config_suite = {
	.name = "vireo_pci_config",
	.test_cases = pt_config_cases,
};

/* ---- adding and removing ----------------------------------------------- */

/* The register file answers: the device is reset and acknowledged. */
static void pt_add_ok(struct kunit *test)
{
	struct pt_fake *f = pt_new(test, 1, PT_RING_NUM);

	f->status = 0x55;
	f->isr = VIREO_PCI_ISR_QUEUE;
	f->host_features = 0x12345678;
	pt_add(test, f);
	KUNIT_EXPECT_EQ(test, f->status, VIREO_STATUS_ACKNOWLEDGE);
	/* The reset also dropped a stale ISR bit. */
	KUNIT_EXPECT_EQ(test, f->isr, 0);
	KUNIT_EXPECT_EQ(test, f->vp->vdev.config->get_features(&f->vp->vdev),
			0x12345678ULL);
	KUNIT_EXPECT_STREQ(test,
			   f->vp->vdev.config->bus_name(&f->vp->vdev),
			   dev_name(f->vp->vdev.dev.parent));
	KUNIT_EXPECT_NOT_NULL(test,
			      strstr(f->vp->vdev.config->bus_name(&f->vp->vdev),
				     ".vireo_pci_test-"));
}

/* A BAR of all ones (absent device, undecoded window) is refused. */
static void pt_add_all_ones(struct kunit *test)
{
	struct pt_fake *f = pt_new(test, 1, PT_RING_NUM);

	f->all_ones = true;
	/* vireo_pci_add() frees the device when it fails. */
	KUNIT_EXPECT_EQ(test, vireo_pci_add(f->vp), -ENODEV);
}

/*
 * Surprise removal: the function is no longer on the bus when it is
 * removed; its queues break before its driver is unbound.
 */
static void pt_remove_surprise(struct kunit *test)
{
	struct pt_fake *f = pt_new(test, 2, PT_RING_NUM);
	struct vireo_virtqueue *vqs[2] = {};
	struct vireo_device *vdev = &f->vp->vdev;

	KUNIT_ASSERT_EQ(test, vireo_pci_add(f->vp), 0);
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 2, vqs), 0);
	pt_log_mark(f);
	f->gone_from_bus = true;
	/* Keep vp alive past its unregistration to look at the queues. */
	get_device(&vdev->dev);
	vireo_pci_del(f->vp);
	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(vqs[0]));
	KUNIT_EXPECT_TRUE(test, vireo_vq_is_broken(vqs[1]));
	KUNIT_EXPECT_EQ(test, pt_vanished_messages(f), 1U);
	vireo_pci_del_vqs(vdev);
	put_device(&vdev->dev);
}

/* An orderly removal breaks nothing. */
static void pt_remove_present(struct kunit *test)
{
	struct pt_fake *f = pt_new(test, 1, PT_RING_NUM);
	struct vireo_virtqueue *vqs[1] = {};
	struct vireo_device *vdev = &f->vp->vdev;

	KUNIT_ASSERT_EQ(test, vireo_pci_add(f->vp), 0);
	KUNIT_ASSERT_EQ(test, pt_find_vqs(f, 1, vqs), 0);
	get_device(&vdev->dev);
	vireo_pci_del(f->vp);
	KUNIT_EXPECT_FALSE(test, vireo_vq_is_broken(vqs[0]));
	vireo_pci_del_vqs(vdev);
	put_device(&vdev->dev);
}

static struct kunit_case pt_probe_cases[] = {
	KUNIT_CASE(pt_add_ok),
	KUNIT_CASE(pt_add_all_ones),
	KUNIT_CASE(pt_remove_surprise),
	KUNIT_CASE(pt_remove_present),
	{}
};

static struct kunit_suite pt_probe_suite = {
	.name = "vireo_pci_probe",
	.test_cases = pt_probe_cases,
};

kunit_test_suites(&pt_queue_suite, &pt_irq_suite, &pt_config_suite,
		  &pt_probe_suite);

MODULE_DESCRIPTION("KUnit tests for the vireo legacy PCI transport's policy");
MODULE_LICENSE("GPL");
