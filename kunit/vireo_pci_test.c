// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the policy of vireo_pci.ko, the legacy PCI transport.
 *
 * The policy (virtio_pci_legacy/vireo_pci_policy.c) reaches the hardware
 * only through two tables: struct vireo_pci_regs_ops, one call per legacy
 * register, and struct vireo_pci_host_ops, the PCI core's MSI-X, IRQ,
 * presence and ring-address calls. This file builds the policy into the
 * test module (it includes the .c file, so the tests also see its static
 * functions and constants) and runs it over a fake register file: queues
 * of chosen sizes, vector registers that exist only while MSI-X is on and
 * may refuse a vector, a device config space that moves from offset 20 to
 * 24 with MSI-X, an ISR, a BAR that reads as all ones, and an IRQ layer
 * that records requests, can refuse each rung of the interrupt ladder and
 * lets a test fire any requested handler. The fake also counts what a real
 * device would never allow (a vector register touched without MSI-X,
 * config bytes read outside the config space, an IRQ left requested when
 * its vectors go, a queue handed to the device before the interrupts were
 * settled); every case expects that count to stay 0.
 *
 * The devices are registered on the vireo bus with ids reserved for this
 * suite, so no driver binds them. Refused queues, vectors and rungs, and
 * vanished devices print messages; that is expected.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/kmsg_dump.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <vireo/transport.h>

/* The policy under test, with its static functions. */
#include "../virtio_pci_legacy/vireo_pci_policy.c"

VIREO_IMPORT_NS();

#define PT_ID			0x7f0000a0U
#define PT_VENDOR		0x7f00a0a0U
#define PT_MAX_VQS		3U
#define PT_CONFIG_SIZE		16U
#define PT_BAR_LEN		(VIREO_PCI_CONFIG_OFF_MSIX + PT_CONFIG_SIZE)
#define PT_RING_NUM		8U
#define PT_TABLE_SIZE		8
/* Fake IRQ numbers: PT_IRQ_BASE + MSI-X vector, INTx in the last slot. */
#define PT_IRQ_BASE		4000U
#define PT_MAX_IRQS		(PT_MAX_VQS + 2U)
#define PT_INTX_SLOT		(PT_MAX_IRQS - 1U)
#define PT_LINE			256U

/* Rungs the fake IRQ layer refuses (struct pt_fake.refuse). */
#define PT_REFUSE_PER_VQ	BIT(0)	/* alloc of spread vectors fails */
#define PT_REFUSE_SHARED	BIT(1)	/* alloc of 2 vectors fails */
#define PT_REFUSE_INTX		BIT(2)	/* request of the INTx line fails */

/**
 * struct pt_vq - the fake device's state of one queue
 * @num: QUEUE_NUM as the device reports it
 * @pfn: QUEUE_PFN
 * @vector: the queue's MSI-X vector register
 * @refuse_vector: the device stores NO_VECTOR instead of any vector
 * @live: the driver wrote a non-zero PFN that it has not cleared
 */
struct pt_vq {
	u16 num;
	u32 pfn;
	u16 vector;
	bool refuse_vector;
	bool live;
};

/**
 * struct pt_irq - one IRQ the policy requested from the fake
 * @live: requested and not freed
 * @handler: the handler given
 * @dev_id: the cookie given
 * @name: the name given
 */
struct pt_irq {
	bool live;
	irq_handler_t handler;
	void *dev_id;
	char name[32];
};

/**
 * struct pt_fake - a legacy function: its registers and its IRQ layer
 * @test: the running test
 * @vp: the transport's device
 * @host_features: HOST_FEATURES
 * @guest_features: GUEST_FEATURES
 * @q: the queues
 * @sel: QUEUE_SEL
 * @status: STATUS
 * @isr: ISR, cleared by reading it
 * @config_vector: the MSI-X config vector register
 * @refuse_config_vector: the device stores NO_VECTOR instead of any vector
 * @config: device-specific config space
 * @all_ones: every register and config read returns all ones (vanished)
 * @unstable_reads: this many config reads change config byte 0 first
 * @config_reads: config accesses that read
 * @notifies: writes to QUEUE_NOTIFY
 * @bad: accesses a real device or PCI core would not allow
 * @msix: MSI-X is enabled
 * @table_size: entries in the MSI-X table
 * @nvecs: MSI-X vectors allocated
 * @spread: the vectors were allocated with affinity spreading
 * @refuse: rungs to refuse, PT_REFUSE_*
 * @gone_from_bus: the presence check fails
 * @phys: if non-zero, what ring_phys reports for every ring
 * @irqs: IRQs by slot (MSI-X vector, or PT_INTX_SLOT)
 * @syncs: calls of synchronize_irq
 * @sync_callbacks: callbacks that ran during those calls
 * @callbacks: calls of each queue's callback
 * @log_mark: kernel log sequence number where message counting starts
 * @line: buffer for one kernel log line
 */
struct pt_fake {
	struct kunit *test;
	struct vireo_pci_device *vp;
	u32 host_features;
	u32 guest_features;
	struct pt_vq q[PT_MAX_VQS];
	u16 sel;
	u8 status;
	u8 isr;
	u16 config_vector;
	bool refuse_config_vector;
	u8 config[PT_CONFIG_SIZE];
	bool all_ones;
	unsigned int unstable_reads;
	unsigned int config_reads;
	unsigned int notifies;
	unsigned int bad;
	bool msix;
	int table_size;
	unsigned int nvecs;
	bool spread;
	unsigned int refuse;
	bool gone_from_bus;
	phys_addr_t phys;
	struct pt_irq irqs[PT_MAX_IRQS];
	unsigned int syncs;
	unsigned int sync_callbacks;
	unsigned int callbacks[PT_MAX_VQS];
	u64 log_mark;
	char line[PT_LINE];
};

static struct pt_fake *pt_of(struct vireo_pci_device *vp)
{
	return vp->ops_data;
}

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
	if ((spread && (f->refuse & PT_REFUSE_PER_VQ)) ||
	    (!spread && (f->refuse & PT_REFUSE_SHARED)))
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
	slot->live = false;
}

static unsigned int pt_total_callbacks(struct pt_fake *f)
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
	.present		= pt_present,
	.ring_phys		= pt_ring_phys,
};

/* ---- fixtures ---------------------------------------------------------- */

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

/*
 * A fake function with @nvqs queues of @num entries, not added yet. Its
 * parent device is named "<case>.vireo_pci_test-<n>", unique within a case.
 */
static struct pt_fake *pt_new(struct kunit *test, unsigned int nvqs, u16 num)
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

/* Nothing of a failed or deleted set of queues is left anywhere. */
static void pt_expect_clean(struct kunit *test, struct pt_fake *f)
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
static void pt_used_bump(struct vireo_virtqueue *vq)
{
	struct vireo_vring vr;

	vireo_vring_init(&vr, vireo_vq_get_vring_size(vq),
			 phys_to_virt(vireo_vring_phys(vq)),
			 VIREO_PCI_QUEUE_ALIGN);
	WRITE_ONCE(vr.used->idx, READ_ONCE(vr.used->idx) + 1);
}

static irqreturn_t pt_fire(struct pt_fake *f, unsigned int slot)
{
	struct pt_irq *irq = &f->irqs[slot];

	KUNIT_ASSERT_TRUE(f->test, irq->live);
	return irq->handler(PT_IRQ_BASE + slot, irq->dev_id);
}

static bool pt_config_pending(struct pt_fake *f)
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
static void pt_log_mark(struct pt_fake *f)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	f->log_mark = iter.next_seq;
}

/* Messages since pt_log_mark() that contain @what. */
static unsigned int pt_log_count(struct pt_fake *f, const char *what)
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
static unsigned int pt_vanished_messages(struct pt_fake *f)
{
	char what[48];

	snprintf(what, sizeof(what), " vireo%d: device vanished (",
		 f->vp->vdev.index);
	return pt_log_count(f, what);
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
	KUNIT_EXPECT_EQ(test, f->config_vector, 0);
	KUNIT_EXPECT_EQ(test, f->q[0].vector, 1);
	KUNIT_EXPECT_EQ(test, f->q[1].vector, 2);
	KUNIT_EXPECT_EQ(test, f->q[2].vector, VIREO_PCI_NO_VECTOR);
	snprintf(name, sizeof(name), "vireo%d-config", f->vp->vdev.index);
	KUNIT_EXPECT_STREQ(test, f->irqs[0].name, name);
	snprintf(name, sizeof(name), "vireo%d-pq1", f->vp->vdev.index);
	KUNIT_EXPECT_STREQ(test, f->irqs[2].name, name);
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

static struct kunit_case pt_irq_cases[] = {
	KUNIT_CASE(pt_rung_per_vq),
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
