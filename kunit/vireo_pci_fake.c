// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the policy of vireo_pci.ko: the fake legacy function.
 *
 * The policy (virtio_pci_legacy/vireo_pci_policy.c) reaches the hardware
 * only through two tables: struct vireo_pci_regs_ops, one call per legacy
 * register, and struct vireo_pci_host_ops, the PCI core's MSI-X, IRQ,
 * presence and ring-address calls. This file implements both over a fake
 * register file: queues of chosen sizes, vector registers that exist only
 * while MSI-X is on and may refuse a vector, a device config space that
 * moves from offset 20 to 24 with MSI-X, an ISR, a BAR that reads as all
 * ones, and an IRQ layer that records requests, can refuse each rung of
 * the interrupt ladder and lets a test fire any requested handler. The
 * fake also counts what a real device would never allow (a vector
 * register touched without MSI-X, config bytes read outside the config
 * space, an IRQ left requested when its vectors go, a queue handed to the
 * device before the interrupts were settled); every case expects that
 * count to stay 0.
 *
 * Also here: the fixtures that need only the fake (a new function, the
 * clean-up check, firing a handler, counting kernel messages). The suites
 * and the fixtures that call the policy's static functions are in
 * vireo_pci_policy_test.c.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kmsg_dump.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_pci_fake.h"

/* Count an access a real device or PCI core would not allow. */
static void pt_bad(struct pt_fake *f, const char *what)
{
	f->bad++;
	kunit_info(f->test, "fake: %s\n", what);
}

static struct pt_vq *pt_selected(struct pt_fake *f)
{
	if (f->sel >= PT_MAX_VQS)
		return NULL;
	return &f->q[f->sel];
}

/* ---- the fake register file -------------------------------------------- */

static u32 pt_host_features(struct vireo_pci_device *vp)
{
	return pt_of(vp)->all_ones ? U32_MAX : pt_of(vp)->host_features;
}

static void pt_set_guest_features(struct vireo_pci_device *vp, u32 features)
{
	pt_of(vp)->guest_features = features;
}

static u32 pt_queue_pfn(struct vireo_pci_device *vp)
{
	struct pt_vq *q = pt_selected(pt_of(vp));

	if (pt_of(vp)->all_ones)
		return U32_MAX;
	return q ? q->pfn : 0;
}

static void pt_set_queue_pfn(struct vireo_pci_device *vp, u32 pfn)
{
	struct pt_vq *q = pt_selected(pt_of(vp));

	if (!q)
		return;
	q->pfn = pfn;
	q->live = pfn != 0;
}

static u16 pt_queue_num(struct vireo_pci_device *vp)
{
	struct pt_vq *q = pt_selected(pt_of(vp));

	if (pt_of(vp)->all_ones)
		return U16_MAX;
	return q ? q->num : 0;
}

static void pt_select_queue(struct vireo_pci_device *vp, u16 index)
{
	pt_of(vp)->sel = index;
}

static void pt_notify(struct vireo_pci_device *vp, u16 index)
{
	pt_of(vp)->notifies++;
}

static u8 pt_status(struct vireo_pci_device *vp)
{
	return pt_of(vp)->all_ones ? 0xff : pt_of(vp)->status;
}

static void pt_set_status(struct vireo_pci_device *vp, u8 status)
{
	pt_of(vp)->status = status;
}

static u8 pt_isr(struct vireo_pci_device *vp)
{
	struct pt_fake *f = pt_of(vp);
	u8 isr = f->isr;

	if (f->all_ones)
		return 0xff;
	f->isr = 0;
	return isr;
}

/* The vector registers exist only while MSI-X is on. */
static bool pt_vectors_exist(struct pt_fake *f)
{
	if (f->msix)
		return true;
	pt_bad(f, "vector register used without MSI-X");
	return false;
}

static u16 pt_config_vector(struct vireo_pci_device *vp)
{
	struct pt_fake *f = pt_of(vp);

	if (f->all_ones || !pt_vectors_exist(f))
		return U16_MAX;
	return f->config_vector;
}

static void pt_set_config_vector(struct vireo_pci_device *vp, u16 vector)
{
	struct pt_fake *f = pt_of(vp);

	if (!pt_vectors_exist(f))
		return;
	f->config_vector = f->refuse_config_vector ? VIREO_PCI_NO_VECTOR :
						     vector;
}

static u16 pt_queue_vector(struct vireo_pci_device *vp)
{
	struct pt_fake *f = pt_of(vp);
	struct pt_vq *q = pt_selected(f);

	if (f->all_ones || !pt_vectors_exist(f) || !q)
		return U16_MAX;
	return q->vector;
}

static void pt_set_queue_vector(struct vireo_pci_device *vp, u16 vector)
{
	struct pt_fake *f = pt_of(vp);
	struct pt_vq *q = pt_selected(f);

	if (!pt_vectors_exist(f) || !q)
		return;
	q->vector = q->refuse_vector ? VIREO_PCI_NO_VECTOR : vector;
}

/*
 * Config bytes [@off, @off + @len) of the BAR, as a real device lays
 * them out: from 24 with MSI-X on, from 20 without. NULL (and a bad
 * access) for anything else.
 */
static u8 *pt_config_at(struct pt_fake *f, unsigned int off, unsigned int len)
{
	unsigned int base = f->msix ? 24 : 20;

	if (off < base || off - base + len > PT_CONFIG_SIZE) {
		pt_bad(f, "config access outside the config space");
		return NULL;
	}
	return &f->config[off - base];
}

/* A config read: maybe the device changes its config first. */
static u8 *pt_config_read(struct vireo_pci_device *vp, unsigned int off,
			  unsigned int len)
{
	struct pt_fake *f = pt_of(vp);

	f->config_reads++;
	if (f->unstable_reads) {
		f->unstable_reads--;
		f->config[0]++;
	}
	if (f->all_ones)
		return NULL;
	return pt_config_at(f, off, len);
}

static u8 pt_config_read8(struct vireo_pci_device *vp, unsigned int off)
{
	u8 *p = pt_config_read(vp, off, 1);

	return p ? *p : U8_MAX;
}

static u16 pt_config_read16(struct vireo_pci_device *vp, unsigned int off)
{
	u8 *p = pt_config_read(vp, off, 2);
	u16 v = U16_MAX;

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static u32 pt_config_read32(struct vireo_pci_device *vp, unsigned int off)
{
	u8 *p = pt_config_read(vp, off, 4);
	u32 v = U32_MAX;

	if (p)
		memcpy(&v, p, sizeof(v));
	return v;
}

static void pt_config_write(struct vireo_pci_device *vp, unsigned int off,
			    const void *val, unsigned int len)
{
	u8 *p = pt_config_at(pt_of(vp), off, len);

	if (p)
		memcpy(p, val, len);
}

static void pt_config_write8(struct vireo_pci_device *vp, unsigned int off,
			     u8 val)
{
	pt_config_write(vp, off, &val, sizeof(val));
}

static void pt_config_write16(struct vireo_pci_device *vp, unsigned int off,
			      u16 val)
{
	pt_config_write(vp, off, &val, sizeof(val));
}

static void pt_config_write32(struct vireo_pci_device *vp, unsigned int off,
			      u32 val)
{
	pt_config_write(vp, off, &val, sizeof(val));
}

static const struct vireo_pci_regs_ops pt_regs = {
	.host_features		= pt_host_features,
	.set_guest_features	= pt_set_guest_features,
	.queue_pfn		= pt_queue_pfn,
	.set_queue_pfn		= pt_set_queue_pfn,
	.queue_num		= pt_queue_num,
	.select_queue		= pt_select_queue,
	.notify			= pt_notify,
	.status			= pt_status,
	.set_status		= pt_set_status,
	.isr			= pt_isr,
	.config_vector		= pt_config_vector,
	.set_config_vector	= pt_set_config_vector,
	.queue_vector		= pt_queue_vector,
	.set_queue_vector	= pt_set_queue_vector,
	.config_read8		= pt_config_read8,
	.config_read16		= pt_config_read16,
	.config_read32		= pt_config_read32,
	.config_write8		= pt_config_write8,
	.config_write16		= pt_config_write16,
	.config_write32		= pt_config_write32,
};

/* ---- the fake PCI core ------------------------------------------------- */

/* Interrupts are settled before any queue is handed to the device. */
static void pt_check_no_live_queue(struct pt_fake *f)
{
	unsigned int i;

	for (i = 0; i < PT_MAX_VQS; i++)
		if (f->q[i].live)
			pt_bad(f, "interrupt set up after a queue went live");
}

static bool pt_msix_enabled(struct vireo_pci_device *vp)
{
	return pt_of(vp)->msix;
}

static int pt_msix_table_size(struct vireo_pci_device *vp)
{
	return pt_of(vp)->table_size;
}

static int pt_alloc_vectors(struct vireo_pci_device *vp, unsigned int nvecs,
			    bool spread)
{
	struct pt_fake *f = pt_of(vp);

	pt_check_no_live_queue(f);
	if (f->msix)
		pt_bad(f, "MSI-X vectors allocated twice");
	if (nvecs > f->table_size)
		pt_bad(f, "more vectors than the MSI-X table has");
	f->allocs++;
	if ((nvecs > 2 && (f->refuse & PT_REFUSE_PER_VQ)) ||
	    (nvecs == 2 && (f->refuse & PT_REFUSE_SHARED)))
		return -ENOSPC;
	/* Vector 0 stays out of the spread, as with .pre_vectors = 1. */
	if (spread && nvecs - 1 > f->ncpus)
		return -ENOSPC;
	f->msix = true;
	f->nvecs = nvecs;
	f->spread = spread;
	return 0;
}

static void pt_free_vectors(struct vireo_pci_device *vp)
{
	struct pt_fake *f = pt_of(vp);
	unsigned int i;

	for (i = 0; i < PT_INTX_SLOT; i++)
		if (f->irqs[i].live)
			pt_bad(f, "MSI-X vectors freed with an IRQ requested");
	f->msix = false;
	f->nvecs = 0;
}

static int pt_request_irq(struct vireo_pci_device *vp, int vector,
			  irq_handler_t handler, void *dev_id,
			  const char *name)
{
	struct pt_fake *f = pt_of(vp);
	unsigned int slot;

	pt_check_no_live_queue(f);
	if (vector < 0 && (f->refuse & PT_REFUSE_INTX))
		return -EBUSY;
	slot = vector < 0 ? PT_INTX_SLOT : vector;
	if (vector >= 0 && (!f->msix || vector >= f->nvecs ||
			    slot >= PT_INTX_SLOT)) {
		pt_bad(f, "IRQ of a vector that was not allocated");
		return -EINVAL;
	}
	if (f->irqs[slot].live) {
		pt_bad(f, "IRQ requested twice");
		return -EBUSY;
	}
	f->irqs[slot].live = true;
	f->irqs[slot].handler = handler;
	f->irqs[slot].dev_id = dev_id;
	strscpy(f->irqs[slot].name, name, sizeof(f->irqs[slot].name));
	return PT_IRQ_BASE + slot;
}

static struct pt_irq *pt_irq_of(struct pt_fake *f, unsigned int irq)
{
	if (irq < PT_IRQ_BASE || irq - PT_IRQ_BASE >= PT_MAX_IRQS) {
		pt_bad(f, "unknown IRQ number");
		return NULL;
	}
	return &f->irqs[irq - PT_IRQ_BASE];
}

static void pt_free_irq(struct vireo_pci_device *vp, unsigned int irq,
			void *dev_id)
{
	struct pt_irq *slot = pt_irq_of(pt_of(vp), irq);

	if (!slot)
		return;
	if (!slot->live || slot->dev_id != dev_id)
		pt_bad(pt_of(vp), "freeing an IRQ that was not requested");
	/* The real free_irq() warns about this. */
	if (slot->hint)
		pt_bad(pt_of(vp), "IRQ freed with its affinity hint set");
	slot->live = false;
}

unsigned int pt_total_callbacks(struct pt_fake *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < PT_MAX_VQS; i++)
		n += f->callbacks[i];
	return n;
}

/*
 * The interrupt arrives while synchronize_irq() waits for it: after the
 * reset's quiesce step it must not reach any callback.
 */
static void pt_synchronize_irq(struct vireo_pci_device *vp, unsigned int irq)
{
	struct pt_fake *f = pt_of(vp);
	struct pt_irq *slot = pt_irq_of(f, irq);
	unsigned int before = pt_total_callbacks(f);

	f->syncs++;
	if (slot && slot->live)
		slot->handler(irq, slot->dev_id);
	f->sync_callbacks += pt_total_callbacks(f) - before;
}

static const struct cpumask *pt_vector_affinity(struct vireo_pci_device *vp,
						unsigned int vector)
{
	return NULL;
}

static int pt_set_irq_affinity(struct vireo_pci_device *vp, unsigned int irq,
			       const struct cpumask *mask)
{
	struct pt_fake *f = pt_of(vp);
	struct pt_irq *slot = pt_irq_of(f, irq);

	if (!slot)
		return -EINVAL;
	if (!slot->live || irq - PT_IRQ_BASE >= PT_INTX_SLOT)
		pt_bad(f, "affinity of an IRQ that is no requested MSI-X vector");
	if (mask && f->spread)
		pt_bad(f, "affinity set on a managed vector");
	slot->hint = mask;
	if (mask)
		slot->affinity_sets++;
	return 0;
}

static bool pt_present(struct vireo_pci_device *vp)
{
	return !pt_of(vp)->gone_from_bus;
}

static phys_addr_t pt_ring_phys(struct vireo_pci_device *vp,
				struct vireo_virtqueue *vq)
{
	return pt_of(vp)->phys ?: vireo_vring_phys(vq);
}

static const struct vireo_pci_host_ops pt_host = {
	.msix_enabled		= pt_msix_enabled,
	.msix_table_size	= pt_msix_table_size,
	.alloc_vectors		= pt_alloc_vectors,
	.free_vectors		= pt_free_vectors,
	.request_irq		= pt_request_irq,
	.free_irq		= pt_free_irq,
	.synchronize_irq	= pt_synchronize_irq,
	.vector_affinity	= pt_vector_affinity,
	.set_irq_affinity	= pt_set_irq_affinity,
	.present		= pt_present,
	.ring_phys		= pt_ring_phys,
};

/* ---- fixtures ---------------------------------------------------------- */

/*
 * A fake function with @nvqs queues of @num entries, not added yet. Its
 * parent device is named "<case>.vireo_pci_test-<n>", unique within a case.
 */
struct pt_fake *pt_new(struct kunit *test, unsigned int nvqs, u16 num)
{
	static unsigned int serial;
	struct device *parent;
	struct pt_fake *f;
	unsigned int i;
	char name[32];

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	/* The driver core copies the name. */
	snprintf(name, sizeof(name), "vireo_pci_test-%u", serial++);
	parent = kunit_device_register(test, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, parent);
	f->test = test;
	f->table_size = PT_TABLE_SIZE;
	f->ncpus = PT_MAX_VQS;
	f->config_vector = VIREO_PCI_NO_VECTOR;
	for (i = 0; i < PT_MAX_VQS; i++) {
		f->q[i].num = i < nvqs ? num : 0;
		f->q[i].vector = VIREO_PCI_NO_VECTOR;
	}
	for (i = 0; i < PT_CONFIG_SIZE; i++)
		f->config[i] = 0x10 + i;
	f->vp = vireo_pci_alloc(parent, &pt_regs, &pt_host, PT_BAR_LEN);
	KUNIT_ASSERT_NOT_NULL(test, f->vp);
	f->vp->ops_data = f;
	f->vp->vdev.id.device = PT_ID;
	f->vp->vdev.id.vendor = PT_VENDOR;
	return f;
}

/* Nothing of a failed or deleted set of queues is left anywhere. */
void pt_expect_clean(struct kunit *test, struct pt_fake *f)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, f->vp->mode, VIREO_PCI_IRQ_NONE);
	KUNIT_EXPECT_EQ(test, f->vp->nr_irqs, 0U);
	KUNIT_EXPECT_EQ(test, f->vp->nvqs, 0U);
	KUNIT_EXPECT_NULL(test, f->vp->vqs);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->vp->vdev.vqs));
	KUNIT_EXPECT_FALSE(test, f->msix);
	for (i = 0; i < PT_MAX_IRQS; i++)
		KUNIT_EXPECT_FALSE(test, f->irqs[i].live);
	for (i = 0; i < PT_MAX_VQS; i++)
		KUNIT_EXPECT_FALSE(test, f->q[i].live);
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
}

/* Make the device look as if it had used a buffer of @vq. */
void pt_used_bump(struct vireo_virtqueue *vq)
{
	struct vireo_vring vr;

	vireo_vring_init(&vr, vireo_vq_get_vring_size(vq),
			 phys_to_virt(vireo_vring_phys(vq)),
			 VIREO_PCI_QUEUE_ALIGN);
	WRITE_ONCE(vr.used->idx, READ_ONCE(vr.used->idx) + 1);
}

irqreturn_t pt_fire(struct pt_fake *f, unsigned int slot)
{
	struct pt_irq *irq = &f->irqs[slot];

	KUNIT_ASSERT_TRUE(f->test, irq->live);
	return irq->handler(PT_IRQ_BASE + slot, irq->dev_id);
}

bool pt_config_pending(struct pt_fake *f)
{
	struct vireo_device *vdev = &f->vp->vdev;
	unsigned long flags;
	bool pending;

	spin_lock_irqsave(&vdev->config_lock, flags);
	pending = vdev->config_pending;
	vdev->config_pending = false;
	spin_unlock_irqrestore(&vdev->config_lock, flags);
	return pending;
}

/* Start counting kernel messages from here. */
void pt_log_mark(struct pt_fake *f)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	f->log_mark = iter.next_seq;
}

/* Messages since pt_log_mark() that contain @what. */
unsigned int pt_log_count(struct pt_fake *f, const char *what)
{
	struct kmsg_dump_iter iter;
	unsigned int count = 0;
	size_t len;

	kmsg_dump_rewind(&iter);
	iter.cur_seq = max(iter.cur_seq, f->log_mark);
	while (kmsg_dump_get_line(&iter, false, f->line, PT_LINE - 1, &len)) {
		f->line[len] = '\0';
		if (strstr(f->line, what))
			count++;
	}
	return count;
}

/* Messages since pt_log_mark() that say this device vanished. */
unsigned int pt_vanished_messages(struct pt_fake *f)
{
	char what[48];

	snprintf(what, sizeof(what), " vireo%d: device vanished (",
		 f->vp->vdev.index);
	return pt_log_count(f, what);
}
