// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_pci: the legacy (virtio 0.9.5) PCI transport of the vireo bus.
 *
 * A legacy virtio PCI function has one I/O BAR holding a small register
 * block (vireo_pci_regs.h) followed by the device-specific config space.
 * This module binds such functions, wraps each in a struct vireo_device,
 * registers it with vireo_core and serves the vireo_config_ops: config
 * space, status, features, and virtqueues with their interrupts.
 *
 * The device is not trusted. Queue sizes, vector read-backs and ISR bits
 * are checked before use, and a function that disappeared (surprise
 * removal) makes its queues fail fast instead of leaving waiters hanging.
 *
 * Interrupts are chosen by a ladder when the driver asks for queues:
 * MSI-X with a vector per queue, then MSI-X with one vector shared by all
 * queues, then the (shared) INTx line. Everything that can make a rung
 * fail happens before any queue is handed to the device, because on
 * common hypervisors un-programming a queue (PFN 0) resets the whole
 * device, which would silently undo the feature negotiation.
 */

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/compat-pci.h>
#include <vireo/transport.h>

#include "vireo_pci_regs.h"

/*
 * Legacy config space has no generation counter, so a multi-byte read is
 * repeated until two in a row agree. A device that keeps changing its
 * config is misbehaving; give up after this many extra reads.
 */
#define VIREO_PCI_CONFIG_READ_TRIES	8

/* Queue numbers are written to 16-bit registers. */
#define VIREO_PCI_MAX_QUEUES		(U16_MAX + 1U)

/* MSI-X vector 0 always signals config changes. */
#define VIREO_PCI_CONFIG_MSIX_VECTOR	0
/* In the shared rung, every queue signals on vector 1. */
#define VIREO_PCI_SHARED_MSIX_VECTOR	1

/* How the device's interrupts reach us; picked by the ladder. */
enum vireo_pci_irq_mode {
	VIREO_PCI_IRQ_NONE,		/* no queues, no IRQs */
	VIREO_PCI_IRQ_MSIX_PER_VQ,	/* config vector + one per queue */
	VIREO_PCI_IRQ_MSIX_SHARED,	/* config vector + one for all queues */
	VIREO_PCI_IRQ_INTX,		/* one shared line, demuxed via ISR */
};

/**
 * struct vireo_pci_irq - one Linux IRQ this transport requested
 * @irq: the Linux IRQ number
 * @dev_id: the cookie given to request_irq(), needed again by free_irq()
 * @name: the name shown in /proc/interrupts, owned here
 */
struct vireo_pci_irq {
	unsigned int irq;
	void *dev_id;
	char *name;
};

/**
 * struct vireo_pci_vq - transport data for one virtqueue
 * @vq: the queue once it is handed to the device, else NULL. Interrupt
 *	handlers read it locklessly; it is published with a release store
 *	and cleared only after every IRQ that could see it was freed.
 * @vector: the MSI-X vector the device signals this queue on, or
 *	VIREO_PCI_NO_VECTOR
 */
struct vireo_pci_vq {
	struct vireo_virtqueue *vq;
	u16 vector;
};

/**
 * struct vireo_pci_device - one legacy virtio PCI function
 * @vdev: the device registered on the vireo bus; its release frees this
 * @pdev: the PCI function
 * @ioaddr: mapping of BAR0
 * @bar_len: length of BAR0, the bound of every register and config access
 * @gone: the function was surprise-removed; stop talking to it
 * @lock: serialises find_vqs, del_vqs, reset and surprise removal, and
 *	protects every field below it
 * @mode: the interrupt rung in use; VIREO_PCI_IRQ_NONE when no queues exist
 * @vqs: per-queue data, @nvqs entries indexed by queue number
 * @nvqs: number of entries in @vqs
 * @nvectors: MSI-X vectors allocated, 0 when MSI-X is off
 * @irqs: the IRQs requested, in request order
 * @nr_irqs: number of requested entries in @irqs
 * @max_irqs: number of entries allocated for @irqs
 */
struct vireo_pci_device {
	struct vireo_device vdev;
	struct pci_dev *pdev;
	void __iomem *ioaddr;
	resource_size_t bar_len;
	bool gone;

	struct mutex lock;	/* serialises queue and IRQ setup and teardown */
	enum vireo_pci_irq_mode mode;
	struct vireo_pci_vq *vqs;
	unsigned int nvqs;
	unsigned int nvectors;
	struct vireo_pci_irq *irqs;
	unsigned int nr_irqs;
	unsigned int max_irqs;
};

static struct vireo_pci_device *to_vp(struct vireo_device *vdev)
{
	return container_of(vdev, struct vireo_pci_device, vdev);
}

static struct device *vp_dev(const struct vireo_pci_device *vp)
{
	return &vp->pdev->dev;
}

/* ---- register accessors ------------------------------------------------ */

static void vireo_pci_select_queue(struct vireo_pci_device *vp, u16 index)
{
	iowrite16(index, vp->ioaddr + VIREO_PCI_QUEUE_SEL);
}

static u16 vireo_pci_queue_num(struct vireo_pci_device *vp)
{
	return ioread16(vp->ioaddr + VIREO_PCI_QUEUE_NUM);
}

static u32 vireo_pci_queue_pfn(struct vireo_pci_device *vp)
{
	return ioread32(vp->ioaddr + VIREO_PCI_QUEUE_PFN);
}

static void vireo_pci_set_queue_pfn(struct vireo_pci_device *vp, u32 pfn)
{
	iowrite32(pfn, vp->ioaddr + VIREO_PCI_QUEUE_PFN);
}

/*
 * Program a vector register (config or the selected queue's) and report
 * whether the device took it: a device that cannot use a vector stores
 * VIREO_PCI_NO_VECTOR instead, which the read-back reveals. Only valid
 * while MSI-X is enabled; without it these offsets are device config.
 */
static bool vireo_pci_set_vector(struct vireo_pci_device *vp,
				 unsigned int reg, u16 vector)
{
	iowrite16(vector, vp->ioaddr + reg);
	return ioread16(vp->ioaddr + reg) == vector;
}

/* ---- device config space ----------------------------------------------- */

static unsigned int vireo_pci_config_base(struct vireo_pci_device *vp)
{
	/* The vector registers, and so the shift, exist only with MSI-X. */
	return vp->pdev->msix_enabled ? VIREO_PCI_CONFIG_OFF_MSIX :
					VIREO_PCI_CONFIG_OFF_NO_MSIX;
}

/* The address of config bytes [offset, offset + len), or NULL if outside. */
static void __iomem *vireo_pci_config_addr(struct vireo_pci_device *vp,
					   unsigned int offset,
					   unsigned int len)
{
	resource_size_t base = vireo_pci_config_base(vp);
	resource_size_t room;

	if (vp->bar_len < base)
		return NULL;
	room = vp->bar_len - base;
	if (len > room || offset > room - len)
		return NULL;
	return vp->ioaddr + base + offset;
}

/* Byte-wise snapshot; returns true if any byte differs from @buf. */
static bool vireo_pci_config_snapshot_bytes(const void __iomem *p, u8 *buf,
					    unsigned int len)
{
	bool changed = false;
	unsigned int i;
	u8 b;

	for (i = 0; i < len; i++) {
		b = ioread8(p + i);
		changed |= buf[i] != b;
		buf[i] = b;
	}
	return changed;
}

/*
 * Read @len config bytes into @buf with accesses as wide as the field, so
 * a 16- or 32-bit field comes from one access (an 8-byte one from two).
 * Returns true if the result differs from what @buf held before.
 */
static bool vireo_pci_config_snapshot(const void __iomem *p, u8 *buf,
				      unsigned int len)
{
	union {
		u8 b[8];
		u16 w;
		u32 l[2];
	} v;
	bool changed;

	switch (len) {
	case 2:
		v.w = ioread16(p);
		break;
	case 4:
		v.l[0] = ioread32(p);
		break;
	case 8:
		v.l[0] = ioread32(p);
		v.l[1] = ioread32(p + 4);
		break;
	default:
		return vireo_pci_config_snapshot_bytes(p, buf, len);
	}
	changed = memcmp(buf, v.b, len) != 0;
	memcpy(buf, v.b, len);
	return changed;
}

static int vireo_pci_get(struct vireo_device *vdev, unsigned int offset,
			 void *buf, unsigned int len)
{
	struct vireo_pci_device *vp = to_vp(vdev);
	void __iomem *p = vireo_pci_config_addr(vp, offset, len);
	unsigned int tries;

	if (!p)
		return -EINVAL;
	vireo_pci_config_snapshot(p, buf, len);
	if (len <= 1)
		return 0;
	/*
	 * Without a generation counter the device may update a field between
	 * our accesses (or between our reads of a multi-field structure).
	 * Two identical snapshots in a row are taken as a consistent value.
	 */
	for (tries = 0; tries < VIREO_PCI_CONFIG_READ_TRIES; tries++)
		if (!vireo_pci_config_snapshot(p, buf, len))
			return 0;
	dev_warn_ratelimited(vp_dev(vp),
			     "config bytes %u..%u keep changing; using the last read\n",
			     offset, offset + len - 1);
	return 0;
}

static int vireo_pci_set(struct vireo_device *vdev, unsigned int offset,
			 const void *buf, unsigned int len)
{
	struct vireo_pci_device *vp = to_vp(vdev);
	void __iomem *p = vireo_pci_config_addr(vp, offset, len);
	const u8 *bytes = buf;
	unsigned int i;
	u32 l[2];
	u16 w;

	if (!p)
		return -EINVAL;
	switch (len) {
	case 2:
		memcpy(&w, buf, sizeof(w));
		iowrite16(w, p);
		break;
	case 4:
		memcpy(l, buf, sizeof(l[0]));
		iowrite32(l[0], p);
		break;
	case 8:
		memcpy(l, buf, sizeof(l));
		iowrite32(l[0], p);
		iowrite32(l[1], p + 4);
		break;
	default:
		for (i = 0; i < len; i++)
			iowrite8(bytes[i], p + i);
		break;
	}
	return 0;
}

/* ---- status, reset, features ------------------------------------------- */

static u8 vireo_pci_get_status(struct vireo_device *vdev)
{
	return ioread8(to_vp(vdev)->ioaddr + VIREO_PCI_STATUS);
}

static void vireo_pci_set_status(struct vireo_device *vdev, u8 status)
{
	iowrite8(status, to_vp(vdev)->ioaddr + VIREO_PCI_STATUS);
}

static void vireo_pci_reset(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);
	unsigned int i;

	iowrite8(0, vp->ioaddr + VIREO_PCI_STATUS);
	/*
	 * A legacy device resets synchronously while handling the write; the
	 * read cannot complete before the write did, so once it returns the
	 * device no longer touches the rings.
	 */
	ioread8(vp->ioaddr + VIREO_PCI_STATUS);
	/*
	 * An ISR bit left over from before the reset would keep a
	 * level-triggered INTx line asserted, starving every other device
	 * sharing it; reading ISR drops it.
	 */
	ioread8(vp->ioaddr + VIREO_PCI_ISR);
	/* Let handlers that started before the reset finish. */
	mutex_lock(&vp->lock);
	for (i = 0; i < vp->nr_irqs; i++)
		synchronize_irq(vp->irqs[i].irq);
	mutex_unlock(&vp->lock);
}

static u64 vireo_pci_get_features(struct vireo_device *vdev)
{
	return ioread32(to_vp(vdev)->ioaddr + VIREO_PCI_HOST_FEATURES);
}

static int vireo_pci_finalize_features(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	vireo_vring_transport_features(vdev);
	/* The legacy feature registers are 32 bits: nothing above exists. */
	vdev->features = lower_32_bits(vdev->features);
	iowrite32(lower_32_bits(vdev->features),
		  vp->ioaddr + VIREO_PCI_GUEST_FEATURES);
	return 0;
}

static const char *vireo_pci_bus_name(struct vireo_device *vdev)
{
	return pci_name(to_vp(vdev)->pdev);
}

/* ---- interrupt handlers ------------------------------------------------ */

/* Hard-IRQ context: vireo_config_changed() defers the work itself. */
static irqreturn_t vireo_pci_config_irq(int irq, void *opaque)
{
	struct vireo_pci_device *vp = opaque;

	vireo_config_changed(&vp->vdev);
	return IRQ_HANDLED;
}

/* A per-queue MSI-X vector; requested before its queue exists. */
static irqreturn_t vireo_pci_vq_irq(int irq, void *opaque)
{
	struct vireo_pci_vq *pvq = opaque;
	struct vireo_virtqueue *vq = READ_ONCE(pvq->vq);

	if (!vq)
		return IRQ_NONE;
	return vireo_vring_interrupt(irq, vq);
}

/* Every queue with a callback; for the shared vector and for INTx. */
static irqreturn_t vireo_pci_vqs_irq(int irq, void *opaque)
{
	struct vireo_pci_device *vp = opaque;
	irqreturn_t ret = IRQ_NONE;
	struct vireo_virtqueue *vq;
	unsigned int i;

	for (i = 0; i < vp->nvqs; i++) {
		vq = READ_ONCE(vp->vqs[i].vq);
		if (!vq || !vq->callback)
			continue;
		if (vireo_vring_interrupt(irq, vq) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	}
	return ret;
}

static irqreturn_t vireo_pci_intx_irq(int irq, void *opaque)
{
	struct vireo_pci_device *vp = opaque;
	u8 isr;

	/* A removed function reads as all ones; it cannot be the source. */
	if (READ_ONCE(vp->gone))
		return IRQ_NONE;
	/* Reading ISR clears it and deasserts the line: read it once. */
	isr = ioread8(vp->ioaddr + VIREO_PCI_ISR);
	if (!isr)
		return IRQ_NONE;	/* another device on the shared line */
	if (isr & VIREO_PCI_ISR_CONFIG)
		vireo_config_changed(&vp->vdev);
	if (isr & VIREO_PCI_ISR_QUEUE)
		vireo_pci_vqs_irq(irq, vp);
	return IRQ_HANDLED;
}

/* ---- IRQ bookkeeping --------------------------------------------------- */

/* Request @irq as "vireoN" or "vireoN-@suffix" and record it. */
static int vireo_pci_request_irq(struct vireo_pci_device *vp,
				 unsigned int irq, irq_handler_t handler,
				 unsigned long flags, void *dev_id,
				 const char *suffix)
{
	struct vireo_pci_irq *slot;
	char *name;
	int err;

	if (vp->nr_irqs >= vp->max_irqs)
		return -ENOSPC;
	if (suffix)
		name = kasprintf(GFP_KERNEL, "vireo%d-%s", vp->vdev.index,
				 suffix);
	else
		name = kasprintf(GFP_KERNEL, "vireo%d", vp->vdev.index);
	if (!name)
		return -ENOMEM;
	err = request_irq(irq, handler, flags, name, dev_id);
	if (err) {
		kfree(name);
		return err;
	}
	slot = &vp->irqs[vp->nr_irqs++];
	slot->irq = irq;
	slot->dev_id = dev_id;
	slot->name = name;
	return 0;
}

static int vireo_pci_request_vector(struct vireo_pci_device *vp,
				    unsigned int vector, irq_handler_t handler,
				    void *dev_id, const char *suffix)
{
	int irq = pci_irq_vector(vp->pdev, vector);

	if (irq < 0)
		return irq;
	return vireo_pci_request_irq(vp, irq, handler, 0, dev_id, suffix);
}

/* Point every vector register back at "none", while they still exist. */
static void vireo_pci_clear_vectors(struct vireo_pci_device *vp)
{
	unsigned int i;

	if (!vp->pdev->msix_enabled)
		return;
	vireo_pci_set_vector(vp, VIREO_PCI_CONFIG_VECTOR, VIREO_PCI_NO_VECTOR);
	for (i = 0; i < vp->nvqs; i++) {
		if (vp->vqs[i].vector == VIREO_PCI_NO_VECTOR)
			continue;
		vireo_pci_select_queue(vp, i);
		vireo_pci_set_vector(vp, VIREO_PCI_QUEUE_VECTOR,
				     VIREO_PCI_NO_VECTOR);
		vp->vqs[i].vector = VIREO_PCI_NO_VECTOR;
	}
}

/*
 * Undo one rung: detach vectors, free the IRQs (free_irq() waits for
 * running handlers) and give the MSI-X vectors back.
 */
static void vireo_pci_release_irqs(struct vireo_pci_device *vp)
{
	struct vireo_pci_irq *slot;

	vireo_pci_clear_vectors(vp);
	while (vp->nr_irqs) {
		slot = &vp->irqs[--vp->nr_irqs];
		free_irq(slot->irq, slot->dev_id);
		kfree(slot->name);
	}
	kfree(vp->irqs);
	vp->irqs = NULL;
	vp->max_irqs = 0;
	if (vp->nvectors) {
		pci_free_irq_vectors(vp->pdev);
		vp->nvectors = 0;
	}
	vp->mode = VIREO_PCI_IRQ_NONE;
}

/* ---- the interrupt ladder ---------------------------------------------- */

static int vireo_pci_config_vector_setup(struct vireo_pci_device *vp)
{
	int err;

	err = vireo_pci_request_vector(vp, VIREO_PCI_CONFIG_MSIX_VECTOR,
				       vireo_pci_config_irq, vp, "config");
	if (err)
		return err;
	if (!vireo_pci_set_vector(vp, VIREO_PCI_CONFIG_VECTOR,
				  VIREO_PCI_CONFIG_MSIX_VECTOR)) {
		dev_info(vp_dev(vp), "device refused the MSI-X config vector\n");
		return -EBUSY;
	}
	return 0;
}

/*
 * Tell the device which vector signals queue @index. The queue needs no
 * PFN for this, which lets the whole rung be tried before any queue is
 * live on the device.
 */
static int vireo_pci_queue_vector_setup(struct vireo_pci_device *vp,
					unsigned int index, u16 vector)
{
	vireo_pci_select_queue(vp, index);
	vp->vqs[index].vector = vector;
	if (!vireo_pci_set_vector(vp, VIREO_PCI_QUEUE_VECTOR, vector)) {
		dev_info(vp_dev(vp), "device refused MSI-X vector %u for queue %u\n",
			 vector, index);
		return -EBUSY;
	}
	return 0;
}

static int vireo_pci_msix_per_vq_setup(struct vireo_pci_device *vp,
				       const struct vireo_vq_info info[])
{
	unsigned int i, vector = VIREO_PCI_CONFIG_MSIX_VECTOR + 1;
	int err;

	err = vireo_pci_config_vector_setup(vp);
	if (err)
		return err;
	for (i = 0; i < vp->nvqs; i++) {
		if (!info[i].callback)
			continue;
		err = vireo_pci_request_vector(vp, vector, vireo_pci_vq_irq,
					       &vp->vqs[i], info[i].name);
		if (err)
			return err;
		err = vireo_pci_queue_vector_setup(vp, i, vector++);
		if (err)
			return err;
	}
	return 0;
}

static int vireo_pci_msix_shared_setup(struct vireo_pci_device *vp,
				       const struct vireo_vq_info info[])
{
	unsigned int i;
	int err;

	err = vireo_pci_config_vector_setup(vp);
	if (err)
		return err;
	err = vireo_pci_request_vector(vp, VIREO_PCI_SHARED_MSIX_VECTOR,
				       vireo_pci_vqs_irq, vp, "virtqueues");
	if (err)
		return err;
	for (i = 0; i < vp->nvqs; i++) {
		if (!info[i].callback)
			continue;
		err = vireo_pci_queue_vector_setup(vp, i,
						   VIREO_PCI_SHARED_MSIX_VECTOR);
		if (err)
			return err;
	}
	return 0;
}

static int vireo_pci_intx_setup(struct vireo_pci_device *vp)
{
	return vireo_pci_request_irq(vp, vp->pdev->irq, vireo_pci_intx_irq,
				     IRQF_SHARED, vp, NULL);
}

static const char *const vireo_pci_mode_names[] = {
	[VIREO_PCI_IRQ_NONE]		= "none",
	[VIREO_PCI_IRQ_MSIX_PER_VQ]	= "per-queue MSI-X",
	[VIREO_PCI_IRQ_MSIX_SHARED]	= "shared MSI-X",
	[VIREO_PCI_IRQ_INTX]		= "INTx",
};

/*
 * Allocate @nirqs MSI-X vectors. With a vector per queue, the queue
 * vectors are spread over the CPUs by the kernel (managed affinity), so
 * that a driver with a queue per CPU group can submit where completions
 * arrive (see vireo_pci_get_vq_affinity()); vector 0 (config) is left out
 * of the spreading.
 */
static int vireo_pci_alloc_vectors(struct vireo_pci_device *vp,
				   enum vireo_pci_irq_mode mode,
				   unsigned int nirqs)
{
	struct irq_affinity desc = {
		.pre_vectors = VIREO_PCI_CONFIG_MSIX_VECTOR + 1,
	};

	if (mode != VIREO_PCI_IRQ_MSIX_PER_VQ)
		return pci_alloc_irq_vectors(vp->pdev, nirqs, nirqs,
					     PCI_IRQ_MSIX);
	return pci_alloc_irq_vectors_affinity(vp->pdev, nirqs, nirqs,
					      PCI_IRQ_MSIX | PCI_IRQ_AFFINITY,
					      &desc);
}

/* Try one rung with @nirqs IRQs; on failure leave no IRQ state behind. */
static int vireo_pci_try_rung(struct vireo_pci_device *vp,
			      enum vireo_pci_irq_mode mode, unsigned int nirqs,
			      const struct vireo_vq_info info[])
{
	int err;

	vp->irqs = kcalloc(nirqs, sizeof(*vp->irqs), GFP_KERNEL);
	if (!vp->irqs)
		return -ENOMEM;
	vp->max_irqs = nirqs;
	if (mode != VIREO_PCI_IRQ_INTX) {
		err = vireo_pci_alloc_vectors(vp, mode, nirqs);
		if (err < 0)
			goto err_release_irqs;
		vp->nvectors = nirqs;
	}
	if (mode == VIREO_PCI_IRQ_MSIX_PER_VQ)
		err = vireo_pci_msix_per_vq_setup(vp, info);
	else if (mode == VIREO_PCI_IRQ_MSIX_SHARED)
		err = vireo_pci_msix_shared_setup(vp, info);
	else
		err = vireo_pci_intx_setup(vp);
	if (err)
		goto err_release_irqs;
	vp->mode = mode;
	dev_info(vp_dev(vp), "vireo%d: using %s interrupts\n", vp->vdev.index,
		 vireo_pci_mode_names[mode]);
	return 0;

err_release_irqs:
	vireo_pci_release_irqs(vp);
	dev_info(vp_dev(vp), "vireo%d: cannot use %s interrupts (%pe)\n",
		 vp->vdev.index, vireo_pci_mode_names[mode], ERR_PTR(err));
	return err;
}

/*
 * The ladder. What each rung needs is computed once up front, and rungs
 * that cannot work (too few MSI-X table entries, a BAR too short for the
 * vector registers, or a rung identical to the one just tried) are not
 * attempted.
 */
static int vireo_pci_setup_irqs(struct vireo_pci_device *vp,
				const struct vireo_vq_info info[])
{
	unsigned int i, ncallbacks = 0;
	int table_size = -ENODEV;

	for (i = 0; i < vp->nvqs; i++)
		if (info[i].callback)
			ncallbacks++;
	if (vp->bar_len >= VIREO_PCI_CONFIG_OFF_MSIX)
		table_size = pci_msix_vec_count(vp->pdev);

	if (table_size > 0 && (unsigned int)table_size >= 1 + ncallbacks &&
	    !vireo_pci_try_rung(vp, VIREO_PCI_IRQ_MSIX_PER_VQ,
				1 + ncallbacks, info))
		return 0;
	if (table_size >= 2 && ncallbacks > 1 &&
	    !vireo_pci_try_rung(vp, VIREO_PCI_IRQ_MSIX_SHARED, 2, info))
		return 0;
	return vireo_pci_try_rung(vp, VIREO_PCI_IRQ_INTX, 1, info);
}

/* ---- virtqueues -------------------------------------------------------- */

static bool vireo_pci_notify(struct vireo_virtqueue *vq)
{
	struct vireo_pci_device *vp = to_vp(vq->vdev);

	if (READ_ONCE(vp->gone))
		return false;
	/* The value written tells the device which queue to look at. */
	iowrite16(vq->index, vp->ioaddr + VIREO_PCI_QUEUE_NOTIFY);
	return true;
}

/* Validate what the device says about queue @index; returns its size. */
static int vireo_pci_queue_size(struct vireo_pci_device *vp,
				unsigned int index)
{
	u16 num;

	vireo_pci_select_queue(vp, index);
	num = vireo_pci_queue_num(vp);
	if (!num) {
		dev_err(vp_dev(vp), "queue %u does not exist\n", index);
		return -ENOENT;
	}
	if (!is_power_of_2(num) || num > VIREO_VRING_MAX_NUM) {
		dev_err(vp_dev(vp), "queue %u: invalid size %u from device\n",
			index, num);
		return -EINVAL;
	}
	if (vireo_pci_queue_pfn(vp)) {
		dev_err(vp_dev(vp), "queue %u is already in use\n", index);
		return -ENOENT;
	}
	return num;
}

/* The PFN of @vq's ring, if the 32-bit register can express it. */
static int vireo_pci_ring_pfn(struct vireo_pci_device *vp,
			      struct vireo_virtqueue *vq, u32 *pfn)
{
	phys_addr_t phys = vireo_vring_phys(vq);
	u64 frame = (u64)phys >> VIREO_PCI_QUEUE_PFN_SHIFT;

	if (phys & (VIREO_PCI_QUEUE_ALIGN - 1)) {
		dev_err(vp_dev(vp), "queue %u: ring at %pa is not 4096-aligned\n",
			vq->index, &phys);
		return -EINVAL;
	}
	if (frame > U32_MAX) {
		dev_err(vp_dev(vp), "queue %u: ring at %pa is beyond the 32-bit PFN register's reach\n",
			vq->index, &phys);
		return -E2BIG;
	}
	*pfn = frame;
	return 0;
}

static int vireo_pci_setup_vq(struct vireo_pci_device *vp,
			      unsigned int index,
			      const struct vireo_vq_info *info)
{
	struct vireo_virtqueue *vq;
	int num, err;
	u32 pfn;

	num = vireo_pci_queue_size(vp, index);
	if (num < 0)
		return num;
	vq = vireo_vring_create(&vp->vdev, index, num, VIREO_PCI_QUEUE_ALIGN,
				vireo_pci_notify, info);
	if (IS_ERR(vq))
		return PTR_ERR(vq);
	err = vireo_pci_ring_pfn(vp, vq, &pfn);
	if (err)
		goto err_destroy_vq;

	vireo_pci_select_queue(vp, index);
	vireo_pci_set_queue_pfn(vp, pfn);
	list_add_tail(&vq->list, &vp->vdev.vqs);
	/* Pairs with READ_ONCE() in the interrupt handlers. */
	smp_store_release(&vp->vqs[index].vq, vq);
	return 0;

err_destroy_vq:
	vireo_vring_destroy(vq);
	return err;
}

/* Take every live queue away from the device. */
static void vireo_pci_detach_vqs(struct vireo_pci_device *vp)
{
	unsigned int i;

	for (i = 0; i < vp->nvqs; i++) {
		if (!vp->vqs[i].vq)
			continue;
		vireo_pci_select_queue(vp, i);
		if (vp->pdev->msix_enabled) {
			vireo_pci_set_vector(vp, VIREO_PCI_QUEUE_VECTOR,
					     VIREO_PCI_NO_VECTOR);
			vp->vqs[i].vector = VIREO_PCI_NO_VECTOR;
		}
		vireo_pci_set_queue_pfn(vp, 0);
	}
}

/* Free the rings; only once no interrupt handler can reach them. */
static void vireo_pci_destroy_vqs(struct vireo_pci_device *vp)
{
	struct vireo_virtqueue *vq;
	unsigned int i;

	for (i = 0; i < vp->nvqs; i++) {
		vq = vp->vqs[i].vq;
		if (!vq)
			continue;
		vp->vqs[i].vq = NULL;
		list_del(&vq->list);
		vireo_vring_destroy(vq);
	}
	kfree(vp->vqs);
	vp->vqs = NULL;
	vp->nvqs = 0;
}

/*
 * The whole of del_vqs, also used to unwind a failed find_vqs: the device
 * first stops using the rings, then the IRQs go (free_irq() waits for
 * running handlers), and only then are the rings freed.
 */
static void vireo_pci_teardown(struct vireo_pci_device *vp)
{
	vireo_pci_detach_vqs(vp);
	vireo_pci_release_irqs(vp);
	vireo_pci_destroy_vqs(vp);
}

static int vireo_pci_alloc_vqs(struct vireo_pci_device *vp, unsigned int nvqs)
{
	unsigned int i;

	vp->vqs = kcalloc(nvqs, sizeof(*vp->vqs), GFP_KERNEL);
	if (!vp->vqs)
		return -ENOMEM;
	for (i = 0; i < nvqs; i++)
		vp->vqs[i].vector = VIREO_PCI_NO_VECTOR;
	vp->nvqs = nvqs;
	return 0;
}

static int vireo_pci_check_vq_info(struct vireo_pci_device *vp,
				   unsigned int nvqs,
				   const struct vireo_vq_info info[])
{
	unsigned int i;

	if (nvqs > VIREO_PCI_MAX_QUEUES)
		return -EINVAL;
	for (i = 0; i < nvqs; i++) {
		if (!info[i].name) {
			dev_err(vp_dev(vp), "queue %u has no name\n", i);
			return -EINVAL;
		}
	}
	return 0;
}

static int vireo_pci_find_vqs_locked(struct vireo_pci_device *vp,
				     unsigned int nvqs,
				     struct vireo_virtqueue *vqs[],
				     const struct vireo_vq_info info[])
{
	unsigned int i;
	int err;

	if (vp->mode != VIREO_PCI_IRQ_NONE)
		return -EBUSY;	/* find_vqs twice without del_vqs */
	err = vireo_pci_check_vq_info(vp, nvqs, info);
	if (err)
		return err;
	err = vireo_pci_alloc_vqs(vp, nvqs);
	if (err)
		return err;
	err = vireo_pci_setup_irqs(vp, info);
	if (err)
		goto err_free_vqs;
	for (i = 0; i < nvqs; i++) {
		err = vireo_pci_setup_vq(vp, i, &info[i]);
		if (err)
			goto err_teardown;
	}
	for (i = 0; i < nvqs; i++)
		vqs[i] = vp->vqs[i].vq;
	return 0;

err_teardown:
	vireo_pci_teardown(vp);
	return err;
err_free_vqs:
	vireo_pci_destroy_vqs(vp);
	return err;
}

static int vireo_pci_find_vqs(struct vireo_device *vdev, unsigned int nvqs,
			      struct vireo_virtqueue *vqs[],
			      const struct vireo_vq_info info[])
{
	struct vireo_pci_device *vp = to_vp(vdev);
	int err;

	mutex_lock(&vp->lock);
	err = vireo_pci_find_vqs_locked(vp, nvqs, vqs, info);
	mutex_unlock(&vp->lock);
	return err;
}

static void vireo_pci_del_vqs(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	mutex_lock(&vp->lock);
	vireo_pci_teardown(vp);
	mutex_unlock(&vp->lock);
}

/*
 * The CPUs queue @index's own MSI-X vector is steered to. Callers use it
 * between find_vqs and del_vqs, so the queue table is stable.
 */
static const struct cpumask *
vireo_pci_get_vq_affinity(struct vireo_device *vdev, unsigned int index)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	if (vp->mode != VIREO_PCI_IRQ_MSIX_PER_VQ || index >= vp->nvqs ||
	    vp->vqs[index].vector == VIREO_PCI_NO_VECTOR)
		return NULL;
	return pci_irq_get_affinity(vp->pdev, vp->vqs[index].vector);
}

static const struct vireo_config_ops vireo_pci_config_ops = {
	.get			= vireo_pci_get,
	.set			= vireo_pci_set,
	.get_status		= vireo_pci_get_status,
	.set_status		= vireo_pci_set_status,
	.reset			= vireo_pci_reset,
	.get_features		= vireo_pci_get_features,
	.finalize_features	= vireo_pci_finalize_features,
	.find_vqs		= vireo_pci_find_vqs,
	.del_vqs		= vireo_pci_del_vqs,
	.bus_name		= vireo_pci_bus_name,
	.get_vq_affinity	= vireo_pci_get_vq_affinity,
};

/* ---- probe and remove -------------------------------------------------- */

/*
 * The id table below is only a hint to the driver core: driver_override
 * (see tools/vireo-bind) binds any function to us, so check everything.
 */
static int vireo_pci_check_ids(struct pci_dev *pdev)
{
	if (pdev->vendor != VIREO_PCI_VENDOR_ID ||
	    pdev->device < VIREO_PCI_LEGACY_DEVICE_FIRST ||
	    pdev->device > VIREO_PCI_LEGACY_DEVICE_LAST) {
		dev_info(&pdev->dev, "%04x:%04x is not a legacy virtio device\n",
			 pdev->vendor, pdev->device);
		return -ENODEV;
	}
	if (pdev->revision != VIREO_PCI_LEGACY_REVISION) {
		dev_info(&pdev->dev, "unsupported legacy virtio ABI revision %u\n",
			 pdev->revision);
		return -ENODEV;
	}
	if (!pdev->subsystem_device) {
		dev_info(&pdev->dev, "virtio device type 0 is reserved\n");
		return -ENODEV;
	}
	return 0;
}

static int vireo_pci_check_bar(struct pci_dev *pdev)
{
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_IO)) {
		dev_err(&pdev->dev, "BAR0 is not an I/O port BAR\n");
		return -ENODEV;
	}
	if (pci_resource_len(pdev, 0) < VIREO_PCI_CONFIG_OFF_NO_MSIX) {
		dev_err(&pdev->dev, "BAR0 is too short for the legacy registers\n");
		return -ENODEV;
	}
	return 0;
}

static void vireo_pci_release(struct device *dev)
{
	struct vireo_pci_device *vp = to_vp(dev_to_vireo(dev));

	mutex_destroy(&vp->lock);
	kfree(vp);
}

static struct vireo_pci_device *vireo_pci_alloc(struct pci_dev *pdev,
						void __iomem *ioaddr)
{
	struct vireo_pci_device *vp;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return NULL;
	vp->pdev = pdev;
	vp->ioaddr = ioaddr;
	vp->bar_len = pci_resource_len(pdev, 0);
	mutex_init(&vp->lock);
	vp->vdev.dev.parent = &pdev->dev;
	vp->vdev.dev.release = vireo_pci_release;
	vp->vdev.config = &vireo_pci_config_ops;
	vp->vdev.id.device = pdev->subsystem_device;
	vp->vdev.id.vendor = pdev->subsystem_vendor;
	INIT_LIST_HEAD(&vp->vdev.vqs);
	return vp;
}

/*
 * An absent device, or a legacy I/O window the hypervisor does not
 * decode, reads as all ones. A status of 0xff right after a reset
 * cannot come from a working device.
 */
static int vireo_pci_check_alive(struct vireo_pci_device *vp)
{
	vireo_pci_reset(&vp->vdev);
	if (vireo_pci_get_status(&vp->vdev) == 0xff) {
		dev_err(vp_dev(vp), "BAR0 reads as all ones: device absent or its legacy I/O window is not decoded\n");
		return -ENODEV;
	}
	return 0;
}

static int vireo_pci_probe(struct pci_dev *pdev,
			   const struct pci_device_id *id)
{
	struct vireo_pci_device *vp;
	void __iomem *ioaddr;
	int err;

	err = vireo_pci_check_ids(pdev);
	if (err)
		return err;
	err = pci_enable_device(pdev);
	if (err)
		return err;
	err = pci_request_regions(pdev, "vireo_pci");
	if (err)
		goto err_disable_device;
	err = vireo_pci_check_bar(pdev);
	if (err)
		goto err_release_regions;
	ioaddr = pci_iomap(pdev, 0, 0);
	if (!ioaddr) {
		err = -ENOMEM;
		goto err_release_regions;
	}
	/* The device reads and writes the rings in guest memory. */
	pci_set_master(pdev);

	vp = vireo_pci_alloc(pdev, ioaddr);
	if (!vp) {
		err = -ENOMEM;
		goto err_clear_master;
	}
	err = vireo_pci_check_alive(vp);
	if (err)
		goto err_free_vp;

	/*
	 * Ownership rule: once vireo_register_device() was called, even if
	 * it failed, vp belongs to the embedded struct device and is freed
	 * by its release function when the last reference is dropped with
	 * put_device(). kfree() is only right before that call.
	 */
	err = vireo_register_device(&vp->vdev);
	if (err) {
		put_device(&vp->vdev.dev);
		goto err_clear_master;
	}
	pci_set_drvdata(pdev, vp);
	return 0;

err_free_vp:
	kfree(vp);
err_clear_master:
	pci_clear_master(pdev);
	pci_iounmap(pdev, ioaddr);
err_release_regions:
	pci_release_regions(pdev);
err_disable_device:
	pci_disable_device(pdev);
	return err;
}

/* The function is gone: make drivers' waiters fail instead of hanging. */
static void vireo_pci_mark_gone(struct vireo_pci_device *vp)
{
	unsigned int i;

	dev_info(vp_dev(vp), "vireo%d: device removed unexpectedly\n",
		 vp->vdev.index);
	WRITE_ONCE(vp->gone, true);
	mutex_lock(&vp->lock);
	for (i = 0; i < vp->nvqs; i++)
		if (vp->vqs[i].vq)
			vireo_vq_mark_broken(vp->vqs[i].vq);
	mutex_unlock(&vp->lock);
}

static void vireo_pci_remove(struct pci_dev *pdev)
{
	struct vireo_pci_device *vp = pci_get_drvdata(pdev);
	void __iomem *ioaddr = vp->ioaddr;

	if (!pci_device_is_present(pdev))
		vireo_pci_mark_gone(vp);
	/* Drops the registration's reference: vp may be freed here. */
	vireo_unregister_device(&vp->vdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, ioaddr);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

/*
 * Every legacy virtio function: vendor 0x1af4, devices 0x1000-0x103f
 * (checked in probe). There is deliberately no MODULE_DEVICE_TABLE():
 * with it, udev would load this module for every virtio function and race
 * the in-kernel virtio-pci driver for them. Functions are handed over
 * explicitly instead, with tools/vireo-bind (see Documentation/pci.rst).
 */
static const struct pci_device_id vireo_pci_ids[] = {
	{ PCI_DEVICE(VIREO_PCI_VENDOR_ID, PCI_ANY_ID) },
	{ }
};

static struct pci_driver vireo_pci_driver = {
	.name		= "vireo_pci",
	.id_table	= vireo_pci_ids,
	.probe		= vireo_pci_probe,
	.remove		= vireo_pci_remove,
};
module_pci_driver(vireo_pci_driver);

VIREO_IMPORT_NS();
MODULE_DESCRIPTION("vireo legacy virtio PCI transport");
MODULE_LICENSE("GPL");
