// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_pci policy: what the legacy PCI transport does with the registers.
 *
 * This file serves the vireo_config_ops of a legacy virtio PCI function
 * (config space, status, features, virtqueues and their interrupts) and
 * adds and removes the function's vireo device. It reaches the hardware
 * only through vp->regs (one call per legacy register) and vp->host (MSI-X,
 * IRQs, presence, ring addresses), so kunit/vireo_pci_test.c builds it
 * over a fake register file.
 *
 * The device is not trusted. Queue sizes, vector read-backs and ISR bits
 * are checked before use, and a function that vanished (surprise removal:
 * every read returns all ones) makes its queues fail fast instead of
 * leaving waiters hanging.
 *
 * Interrupts are chosen by a ladder when the driver asks for queues:
 * MSI-X with a vector per queue, then MSI-X with one vector shared by all
 * queues, then the (shared) INTx line. Everything that can make a rung
 * fail happens before any queue is handed to the device, because on
 * common hypervisors un-programming a queue (PFN 0) resets the whole
 * device, which would silently undo the feature negotiation.
 */

#include <linux/bitops.h>
#include <linux/interrupt.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "vireo_pci.h"
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
/* What host->request_irq() takes for the INTx line. */
#define VIREO_PCI_INTX			(-1)

/* A register of a vanished function reads as all ones. */
#define VIREO_PCI_ALL_ONES		0xff

/* Bit number in vp->gone. */
#define VIREO_PCI_GONE			0

static struct vireo_pci_device *to_vp(struct vireo_device *vdev)
{
	return container_of(vdev, struct vireo_pci_device, vdev);
}

static struct device *vp_dev(const struct vireo_pci_device *vp)
{
	return vp->vdev.dev.parent;
}

static bool vireo_pci_msix(struct vireo_pci_device *vp)
{
	return vp->host->msix_enabled(vp);
}

/* ---- a vanished function ----------------------------------------------- */

static bool vireo_pci_is_gone(const struct vireo_pci_device *vp)
{
	return test_bit(VIREO_PCI_GONE, &vp->gone);
}

/*
 * The function is gone: make drivers' waiters fail instead of hanging.
 * Whoever notices first (an interrupt, a config read, remove) says why,
 * once. Any context.
 */
static void vireo_pci_mark_gone(struct vireo_pci_device *vp, const char *why)
{
	unsigned long flags;
	unsigned int i;

	if (test_and_set_bit(VIREO_PCI_GONE, &vp->gone))
		return;
	dev_err_ratelimited(vp_dev(vp), "vireo%d: device vanished (%s); failing its queues\n",
			    vp->vdev.index, why);
	spin_lock_irqsave(&vp->vqs_lock, flags);
	for (i = 0; i < vp->nvqs; i++)
		if (vp->vqs[i].vq)
			vireo_vq_mark_broken(vp->vqs[i].vq);
	spin_unlock_irqrestore(&vp->vqs_lock, flags);
}

/* ---- device config space ----------------------------------------------- */

static unsigned int vireo_pci_config_base(struct vireo_pci_device *vp)
{
	/* The vector registers, and so the shift, exist only with MSI-X. */
	return vireo_pci_msix(vp) ? VIREO_PCI_CONFIG_OFF_MSIX :
				    VIREO_PCI_CONFIG_OFF_NO_MSIX;
}

/*
 * The BAR offset of config bytes [offset, offset + len) in @off, or
 * -EINVAL if they are outside BAR0. The check cannot overflow.
 */
static int vireo_pci_config_off(struct vireo_pci_device *vp,
				unsigned int offset, unsigned int len,
				unsigned int *off)
{
	resource_size_t base = vireo_pci_config_base(vp);
	resource_size_t room;

	if (vp->bar_len < base)
		return -EINVAL;
	room = vp->bar_len - base;
	if (len > room || offset > room - len)
		return -EINVAL;
	*off = base + offset;
	return 0;
}

/*
 * Read @len config bytes at BAR offset @off into @buf with accesses as
 * wide as the field, so a 16- or 32-bit field comes from one access (an
 * 8-byte one from two). Returns true if the result differs from what @buf
 * held before.
 */
static bool vireo_pci_config_snapshot(struct vireo_pci_device *vp,
				      unsigned int off, u8 *buf,
				      unsigned int len)
{
	union {
		u8 b[8];
		u16 w;
		u32 l[2];
	} v;
	bool changed;
	unsigned int i;

	switch (len) {
	case 2:
		v.w = vp->regs->config_read16(vp, off);
		break;
	case 4:
		v.l[0] = vp->regs->config_read32(vp, off);
		break;
	case 8:
		v.l[0] = vp->regs->config_read32(vp, off);
		v.l[1] = vp->regs->config_read32(vp, off + 4);
		break;
	default:
		changed = false;
		for (i = 0; i < len; i++) {
			v.b[0] = vp->regs->config_read8(vp, off + i);
			changed |= buf[i] != v.b[0];
			buf[i] = v.b[0];
		}
		return changed;
	}
	changed = memcmp(buf, v.b, len) != 0;
	memcpy(buf, v.b, len);
	return changed;
}

/*
 * Without a generation counter the device may update a field between our
 * accesses (or between our reads of a multi-field structure). Two
 * identical snapshots in a row are taken as a consistent value; a device
 * that never settles gets -EIO, after a bounded number of reads.
 */
static int vireo_pci_config_read_stable(struct vireo_pci_device *vp,
					unsigned int off, u8 *buf,
					unsigned int len)
{
	unsigned int tries;

	vireo_pci_config_snapshot(vp, off, buf, len);
	if (len <= 1)
		return 0;
	for (tries = 0; tries < VIREO_PCI_CONFIG_READ_TRIES; tries++)
		if (!vireo_pci_config_snapshot(vp, off, buf, len))
			return 0;
	dev_err_ratelimited(vp_dev(vp), "vireo%d: config bytes at %u..%u keep changing\n",
			    vp->vdev.index, off, off + len - 1);
	return -EIO;
}

/*
 * All ones in config space is a legal value, but together with a status
 * of all ones (which no working device shows) the function is gone.
 */
static bool vireo_pci_config_vanished(struct vireo_pci_device *vp,
				      const u8 *buf, unsigned int len)
{
	if (memchr_inv(buf, VIREO_PCI_ALL_ONES, len))
		return false;
	if (vp->regs->status(vp) != VIREO_PCI_ALL_ONES)
		return false;
	vireo_pci_mark_gone(vp, "config space and status read as all ones");
	return true;
}

static int vireo_pci_get(struct vireo_device *vdev, unsigned int offset,
			 void *buf, unsigned int len)
{
	struct vireo_pci_device *vp = to_vp(vdev);
	unsigned int off;
	int err;

	err = vireo_pci_config_off(vp, offset, len, &off);
	if (err)
		return err;
	if (vireo_pci_is_gone(vp)) {
		memset(buf, VIREO_PCI_ALL_ONES, len);
		return -ENODEV;
	}
	err = vireo_pci_config_read_stable(vp, off, buf, len);
	if (vireo_pci_config_vanished(vp, buf, len))
		return -ENODEV;
	return err;
}

static int vireo_pci_set(struct vireo_device *vdev, unsigned int offset,
			 const void *buf, unsigned int len)
{
	struct vireo_pci_device *vp = to_vp(vdev);
	const u8 *bytes = buf;
	unsigned int off, i;
	u32 l[2];
	u16 w;
	int err;

	err = vireo_pci_config_off(vp, offset, len, &off);
	if (err)
		return err;
	switch (len) {
	case 2:
		memcpy(&w, buf, sizeof(w));
		vp->regs->config_write16(vp, off, w);
		break;
	case 4:
		memcpy(l, buf, sizeof(l[0]));
		vp->regs->config_write32(vp, off, l[0]);
		break;
	case 8:
		memcpy(l, buf, sizeof(l));
		vp->regs->config_write32(vp, off, l[0]);
		vp->regs->config_write32(vp, off + 4, l[1]);
		break;
	default:
		for (i = 0; i < len; i++)
			vp->regs->config_write8(vp, off + i, bytes[i]);
		break;
	}
	return 0;
}

/* ---- status, reset, features ------------------------------------------- */

static u8 vireo_pci_get_status(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	return vp->regs->status(vp);
}

static void vireo_pci_set_status(struct vireo_device *vdev, u8 status)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	vp->regs->set_status(vp, status);
}

/*
 * "No callback after reset": first every queue is told never to call its
 * callback again, then every IRQ is synchronised, so a handler that read
 * the queue before the first step has finished once the second returns.
 */
static void vireo_pci_quiesce(struct vireo_pci_device *vp)
{
	unsigned int i;

	for (i = 0; i < vp->nvqs; i++)
		if (vp->vqs[i].vq)
			vireo_vring_quiesce(vp->vqs[i].vq);
	for (i = 0; i < vp->nr_irqs; i++)
		vp->host->synchronize_irq(vp, vp->irqs[i].irq);
}

static void vireo_pci_reset(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	vp->regs->set_status(vp, 0);
	/*
	 * A legacy device resets synchronously while handling the write; the
	 * read cannot complete before the write did, so once it returns the
	 * device no longer touches the rings.
	 */
	vp->regs->status(vp);
	/*
	 * An ISR bit left over from before the reset would keep a
	 * level-triggered INTx line asserted, starving every other device
	 * sharing it; reading ISR drops it.
	 */
	vp->regs->isr(vp);
	mutex_lock(&vp->lock);
	vireo_pci_quiesce(vp);
	mutex_unlock(&vp->lock);
}

static u64 vireo_pci_get_features(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	return vp->regs->host_features(vp);
}

static int vireo_pci_finalize_features(struct vireo_device *vdev)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	vireo_vring_transport_features(vdev);
	/* The legacy feature registers are 32 bits: nothing above exists. */
	vdev->features = lower_32_bits(vdev->features);
	vp->regs->set_guest_features(vp, lower_32_bits(vdev->features));
	return 0;
}

static const char *vireo_pci_bus_name(struct vireo_device *vdev)
{
	return dev_name(vp_dev(to_vp(vdev)));
}

/* ---- interrupt handlers ------------------------------------------------ */

/*
 * A config change, from the config vector or ISR bit 0x2. A vanished
 * function reads status as all ones; its driver must not be sent to read
 * a config space that is not there. Hard-IRQ context:
 * vireo_config_changed() defers the work itself.
 */
static void vireo_pci_config_event(struct vireo_pci_device *vp)
{
	if (vireo_pci_is_gone(vp))
		return;
	if (vp->regs->status(vp) == VIREO_PCI_ALL_ONES) {
		vireo_pci_mark_gone(vp, "status reads as all ones on a config change");
		return;
	}
	vireo_config_changed(&vp->vdev);
}

/*
 * MSI-X vectors are never shared: whatever fires on one is ours, so the
 * handlers below say IRQ_HANDLED even when there was nothing to do.
 * IRQ_NONE would feed the kernel's spurious-interrupt detector, which
 * disables a vector ("nobody cared") and so hangs its queue for good.
 */
static irqreturn_t vireo_pci_config_irq(int irq, void *opaque)
{
	vireo_pci_config_event(opaque);
	return IRQ_HANDLED;
}

/* A per-queue MSI-X vector; requested before its queue exists. */
static irqreturn_t vireo_pci_vq_irq(int irq, void *opaque)
{
	struct vireo_pci_vq *pvq = opaque;
	struct vireo_virtqueue *vq = READ_ONCE(pvq->vq);

	if (vq)
		vireo_vring_interrupt(irq, vq);
	return IRQ_HANDLED;
}

/* Every queue with a callback; true if any had work. */
static bool vireo_pci_run_vqs(struct vireo_pci_device *vp, int irq)
{
	struct vireo_virtqueue *vq;
	bool handled = false;
	unsigned int i;

	for (i = 0; i < vp->nvqs; i++) {
		vq = READ_ONCE(vp->vqs[i].vq);
		if (!vq || !vq->callback)
			continue;
		if (vireo_vring_interrupt(irq, vq) == IRQ_HANDLED)
			handled = true;
	}
	return handled;
}

/* The shared MSI-X vector of every queue; ours alone, as above. */
static irqreturn_t vireo_pci_vqs_irq(int irq, void *opaque)
{
	vireo_pci_run_vqs(opaque, irq);
	return IRQ_HANDLED;
}

/*
 * The INTx line is shared with other devices: ISR 0 means one of them
 * raised it, and IRQ_NONE lets the kernel tell. ISR all ones means the
 * function vanished, and a vanished function raises no interrupt either.
 */
static irqreturn_t vireo_pci_intx_irq(int irq, void *opaque)
{
	struct vireo_pci_device *vp = opaque;
	u8 isr;

	if (vireo_pci_is_gone(vp))
		return IRQ_NONE;
	/* Reading ISR clears it and deasserts the line: read it once. */
	isr = vp->regs->isr(vp);
	if (!isr)
		return IRQ_NONE;
	if (isr == VIREO_PCI_ALL_ONES) {
		vireo_pci_mark_gone(vp, "ISR reads as all ones");
		return IRQ_NONE;
	}
	if (isr & VIREO_PCI_ISR_CONFIG)
		vireo_pci_config_event(vp);
	if (isr & VIREO_PCI_ISR_QUEUE)
		vireo_pci_run_vqs(vp, irq);
	return IRQ_HANDLED;
}

/* ---- IRQ bookkeeping --------------------------------------------------- */

/* Request @vector (or INTx) as "vireoN" or "vireoN-@suffix"; record it. */
static int vireo_pci_request_irq(struct vireo_pci_device *vp, int vector,
				 irq_handler_t handler, void *dev_id,
				 const char *suffix)
{
	struct vireo_pci_irq *slot;
	char *name;
	int irq;

	if (vp->nr_irqs >= vp->max_irqs)
		return -ENOSPC;
	if (suffix)
		name = kasprintf(GFP_KERNEL, "vireo%d-%s", vp->vdev.index,
				 suffix);
	else
		name = kasprintf(GFP_KERNEL, "vireo%d", vp->vdev.index);
	if (!name)
		return -ENOMEM;
	irq = vp->host->request_irq(vp, vector, handler, dev_id, name);
	if (irq < 0) {
		kfree(name);
		return irq;
	}
	slot = &vp->irqs[vp->nr_irqs++];
	slot->irq = irq;
	slot->dev_id = dev_id;
	slot->name = name;
	return 0;
}

/*
 * Program a vector register (config or the selected queue's) and report
 * whether the device took it: a device that cannot use a vector stores
 * VIREO_PCI_NO_VECTOR instead, which the read-back reveals. Only valid
 * while MSI-X is enabled; without it these offsets are device config.
 */
static bool vireo_pci_set_config_vector(struct vireo_pci_device *vp,
					u16 vector)
{
	vp->regs->set_config_vector(vp, vector);
	return vp->regs->config_vector(vp) == vector;
}

static bool vireo_pci_set_queue_vector(struct vireo_pci_device *vp, u16 vector)
{
	vp->regs->set_queue_vector(vp, vector);
	return vp->regs->queue_vector(vp) == vector;
}

/* Point every vector register back at "none", while they still exist. */
static void vireo_pci_clear_vectors(struct vireo_pci_device *vp)
{
	unsigned int i;

	if (!vireo_pci_msix(vp))
		return;
	vireo_pci_set_config_vector(vp, VIREO_PCI_NO_VECTOR);
	for (i = 0; i < vp->nvqs; i++) {
		if (vp->vqs[i].vector == VIREO_PCI_NO_VECTOR)
			continue;
		vp->regs->select_queue(vp, i);
		vireo_pci_set_queue_vector(vp, VIREO_PCI_NO_VECTOR);
		vp->vqs[i].vector = VIREO_PCI_NO_VECTOR;
	}
}

/* The IRQ of queue @index's own vector, or -ENOENT (per-queue rung only). */
static int vireo_pci_vq_irq_of(struct vireo_pci_device *vp, unsigned int index)
{
	unsigned int i;

	for (i = 0; i < vp->nr_irqs; i++)
		if (vp->irqs[i].dev_id == &vp->vqs[index])
			return vp->irqs[i].irq;
	return -ENOENT;
}

/*
 * The IRQ core keeps a pointer to the mask as the IRQ's hint, and
 * free_irq() complains about a hint left set: clear it, then free.
 */
static void vireo_pci_clear_affinity(struct vireo_pci_device *vp)
{
	unsigned int i;
	int irq;

	for (i = 0; i < vp->nvqs; i++) {
		if (!vp->vqs[i].affinity)
			continue;
		irq = vireo_pci_vq_irq_of(vp, i);
		if (irq >= 0)
			vp->host->set_irq_affinity(vp, irq, NULL);
		kfree(vp->vqs[i].affinity);
		vp->vqs[i].affinity = NULL;
	}
}

/*
 * Undo one rung: detach vectors, free the IRQs (which waits for running
 * handlers) and give the MSI-X vectors back.
 */
static void vireo_pci_release_irqs(struct vireo_pci_device *vp)
{
	struct vireo_pci_irq *slot;

	vireo_pci_clear_vectors(vp);
	vireo_pci_clear_affinity(vp);
	while (vp->nr_irqs) {
		slot = &vp->irqs[--vp->nr_irqs];
		vp->host->free_irq(vp, slot->irq, slot->dev_id);
		kfree(slot->name);
	}
	kfree(vp->irqs);
	vp->irqs = NULL;
	vp->max_irqs = 0;
	if (vp->nvectors) {
		vp->host->free_vectors(vp);
		vp->nvectors = 0;
	}
	vp->spread = false;
	vp->mode = VIREO_PCI_IRQ_NONE;
}

/* ---- the interrupt ladder ---------------------------------------------- */

static int vireo_pci_config_vector_setup(struct vireo_pci_device *vp)
{
	int err;

	err = vireo_pci_request_irq(vp, VIREO_PCI_CONFIG_MSIX_VECTOR,
				    vireo_pci_config_irq, vp, "config");
	if (err)
		return err;
	if (!vireo_pci_set_config_vector(vp, VIREO_PCI_CONFIG_MSIX_VECTOR)) {
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
	vp->regs->select_queue(vp, index);
	vp->vqs[index].vector = vector;
	if (!vireo_pci_set_queue_vector(vp, vector)) {
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
		err = vireo_pci_request_irq(vp, vector, vireo_pci_vq_irq,
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
	err = vireo_pci_request_irq(vp, VIREO_PCI_SHARED_MSIX_VECTOR,
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

static const char *const vireo_pci_mode_names[] = {
	[VIREO_PCI_IRQ_NONE]		= "none",
	[VIREO_PCI_IRQ_MSIX_PER_VQ]	= "per-queue MSI-X",
	[VIREO_PCI_IRQ_MSIX_SHARED]	= "shared MSI-X",
	[VIREO_PCI_IRQ_INTX]		= "INTx",
};

/*
 * The vectors of the per-queue rung are spread over the CPUs, so that a
 * driver with a queue per CPU group can submit where completions arrive
 * (see vireo_pci_get_vq_affinity()). The PCI core spreads at most one
 * vector per possible CPU and refuses a bigger set with -ENOSPC (a net
 * device with rx, tx and control queues on a 2-CPU guest). A vector per
 * queue is still worth having, so such a set is retried unspread; the
 * driver may steer those vectors itself (vireo_pci_set_vq_affinity()).
 * Retrying on the core's answer, rather than predicting it from
 * num_possible_cpus(), keeps the core's rule (which may change, or count
 * housekeeping CPUs only) out of this file.
 */
static int vireo_pci_alloc_vq_vectors(struct vireo_pci_device *vp,
				      unsigned int nvecs)
{
	int err;

	err = vp->host->alloc_vectors(vp, nvecs, true);
	vp->spread = !err;
	if (err != -ENOSPC)
		return err;
	dev_info(vp_dev(vp), "vireo%d: %u queue vectors cannot be spread over the CPUs; not spreading them\n",
		 vp->vdev.index, nvecs - 1);
	return vp->host->alloc_vectors(vp, nvecs, false);
}

static int vireo_pci_rung_setup(struct vireo_pci_device *vp,
				enum vireo_pci_irq_mode mode,
				unsigned int nirqs,
				const struct vireo_vq_info info[])
{
	int err;

	if (mode == VIREO_PCI_IRQ_INTX)
		return vireo_pci_request_irq(vp, VIREO_PCI_INTX,
					     vireo_pci_intx_irq, vp, NULL);
	if (mode == VIREO_PCI_IRQ_MSIX_PER_VQ)
		err = vireo_pci_alloc_vq_vectors(vp, nirqs);
	else
		err = vp->host->alloc_vectors(vp, nirqs, false);
	if (err)
		return err;
	vp->nvectors = nirqs;
	if (mode == VIREO_PCI_IRQ_MSIX_PER_VQ)
		return vireo_pci_msix_per_vq_setup(vp, info);
	return vireo_pci_msix_shared_setup(vp, info);
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
	err = vireo_pci_rung_setup(vp, mode, nirqs, info);
	if (err) {
		vireo_pci_release_irqs(vp);
		dev_info(vp_dev(vp), "vireo%d: cannot use %s interrupts (%pe)\n",
			 vp->vdev.index, vireo_pci_mode_names[mode],
			 ERR_PTR(err));
		return err;
	}
	vp->mode = mode;
	dev_info(vp_dev(vp), "vireo%d: using %s interrupts\n", vp->vdev.index,
		 vireo_pci_mode_names[mode]);
	return 0;
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
		table_size = vp->host->msix_table_size(vp);

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

	if (vireo_pci_is_gone(vp))
		return false;
	/* The value written tells the device which queue to look at. */
	vp->regs->notify(vp, vq->index);
	return true;
}

/* Validate what the device says about queue @index; returns its size. */
static int vireo_pci_queue_size(struct vireo_pci_device *vp,
				unsigned int index)
{
	u16 num;

	vp->regs->select_queue(vp, index);
	num = vp->regs->queue_num(vp);
	if (!num) {
		dev_err(vp_dev(vp), "queue %u does not exist\n", index);
		return -ENOENT;
	}
	if (!is_power_of_2(num) || num > VIREO_VRING_MAX_NUM) {
		dev_err(vp_dev(vp), "queue %u: invalid size %u from device\n",
			index, num);
		return -EINVAL;
	}
	if (vp->regs->queue_pfn(vp)) {
		dev_err(vp_dev(vp), "queue %u is already in use\n", index);
		return -ENOENT;
	}
	return num;
}

/* The PFN of @vq's ring, if the 32-bit register can express it. */
static int vireo_pci_ring_pfn(struct vireo_pci_device *vp,
			      struct vireo_virtqueue *vq, u32 *pfn)
{
	phys_addr_t phys = vp->host->ring_phys(vp, vq);
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

/* Make @vq visible to the handlers; a vanished device breaks it at once. */
static void vireo_pci_publish_vq(struct vireo_pci_device *vp,
				 unsigned int index,
				 struct vireo_virtqueue *vq)
{
	unsigned long flags;

	list_add_tail(&vq->list, &vp->vdev.vqs);
	spin_lock_irqsave(&vp->vqs_lock, flags);
	/* Pairs with READ_ONCE() in the interrupt handlers. */
	smp_store_release(&vp->vqs[index].vq, vq);
	if (vireo_pci_is_gone(vp))
		vireo_vq_mark_broken(vq);
	spin_unlock_irqrestore(&vp->vqs_lock, flags);
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

	vp->regs->select_queue(vp, index);
	vp->regs->set_queue_pfn(vp, pfn);
	vireo_pci_publish_vq(vp, index, vq);
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
		vp->regs->select_queue(vp, i);
		if (vireo_pci_msix(vp)) {
			vireo_pci_set_queue_vector(vp, VIREO_PCI_NO_VECTOR);
			vp->vqs[i].vector = VIREO_PCI_NO_VECTOR;
		}
		vp->regs->set_queue_pfn(vp, 0);
	}
}

/* Free the rings; only once no interrupt handler can reach them. */
static void vireo_pci_destroy_vqs(struct vireo_pci_device *vp)
{
	struct vireo_pci_vq *vqs;
	unsigned long flags;
	unsigned int i, nvqs;

	spin_lock_irqsave(&vp->vqs_lock, flags);
	vqs = vp->vqs;
	nvqs = vp->nvqs;
	vp->vqs = NULL;
	vp->nvqs = 0;
	spin_unlock_irqrestore(&vp->vqs_lock, flags);

	for (i = 0; i < nvqs; i++) {
		if (!vqs[i].vq)
			continue;
		list_del(&vqs[i].vq->list);
		vireo_vring_destroy(vqs[i].vq);
	}
	kfree(vqs);
}

/*
 * The whole of del_vqs, also used to unwind a failed find_vqs: the device
 * first stops using the rings, then the IRQs go (freeing them waits for
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
	struct vireo_pci_vq *vqs;
	unsigned long flags;
	unsigned int i;

	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	if (!vqs)
		return -ENOMEM;
	for (i = 0; i < nvqs; i++)
		vqs[i].vector = VIREO_PCI_NO_VECTOR;
	spin_lock_irqsave(&vp->vqs_lock, flags);
	vp->vqs = vqs;
	vp->nvqs = nvqs;
	spin_unlock_irqrestore(&vp->vqs_lock, flags);
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
	if (vireo_pci_is_gone(vp))
		return -ENODEV;
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

/* Queue @index has an MSI-X vector of its own. */
static bool vireo_pci_vq_has_vector(struct vireo_pci_device *vp,
				    unsigned int index)
{
	return vp->mode == VIREO_PCI_IRQ_MSIX_PER_VQ && index < vp->nvqs &&
	       vp->vqs[index].vector != VIREO_PCI_NO_VECTOR;
}

/*
 * The CPUs queue @index's own MSI-X vector is steered to: what the driver
 * set, else the PCI core's spread (NULL for an unspread vector). Callers
 * use it between find_vqs and del_vqs, so the queue table is stable; a
 * mask that was set lives until the next set for the queue.
 */
static const struct cpumask *
vireo_pci_get_vq_affinity(struct vireo_device *vdev, unsigned int index)
{
	struct vireo_pci_device *vp = to_vp(vdev);

	if (!vireo_pci_vq_has_vector(vp, index))
		return NULL;
	if (vp->vqs[index].affinity)
		return vp->vqs[index].affinity;
	return vp->host->vector_affinity(vp, vp->vqs[index].vector);
}

static int vireo_pci_set_vq_affinity_locked(struct vireo_pci_device *vp,
					    unsigned int index,
					    const struct cpumask *mask)
{
	struct cpumask *old, *new;
	int irq, err;

	if (index >= vp->nvqs || !cpumask_intersects(mask, cpu_online_mask))
		return -EINVAL;
	/* Managed vectors belong to the kernel, which moves them itself. */
	if (!vireo_pci_vq_has_vector(vp, index) || vp->spread)
		return -EOPNOTSUPP;
	irq = vireo_pci_vq_irq_of(vp, index);
	if (irq < 0)
		return -EOPNOTSUPP;
	/* The IRQ core holds the old mask as the hint until it is replaced. */
	new = kmalloc(cpumask_size(), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	cpumask_copy(new, mask);
	old = vp->vqs[index].affinity;
	err = vp->host->set_irq_affinity(vp, irq, new);
	if (err) {
		vp->host->set_irq_affinity(vp, irq, old);
		kfree(new);
		return err;
	}
	vp->vqs[index].affinity = new;
	kfree(old);
	return 0;
}

static int vireo_pci_set_vq_affinity(struct vireo_device *vdev,
				     unsigned int index,
				     const struct cpumask *mask)
{
	struct vireo_pci_device *vp = to_vp(vdev);
	int err;

	mutex_lock(&vp->lock);
	err = vireo_pci_set_vq_affinity_locked(vp, index, mask);
	mutex_unlock(&vp->lock);
	return err;
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
	.set_vq_affinity	= vireo_pci_set_vq_affinity,
};

/* ---- adding and removing the device ------------------------------------ */

static void vireo_pci_release(struct device *dev)
{
	struct vireo_pci_device *vp = to_vp(dev_to_vireo(dev));

	mutex_destroy(&vp->lock);
	kfree(vp);
}

/**
 * vireo_pci_alloc() - allocate the vireo device of a legacy function
 * @parent: the function's own device, for messages and the device tree
 * @regs: its register layer
 * @host: its PCI core side
 * @bar_len: length of its BAR0
 *
 * The caller fills in vdev.id and what @regs and @host need, then hands
 * the result to vireo_pci_add().
 *
 * Context: Process context; sleeps.
 * Return: the new device, or NULL if out of memory.
 */
struct vireo_pci_device *vireo_pci_alloc(struct device *parent,
					 const struct vireo_pci_regs_ops *regs,
					 const struct vireo_pci_host_ops *host,
					 resource_size_t bar_len)
{
	struct vireo_pci_device *vp;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return NULL;
	vp->regs = regs;
	vp->host = host;
	vp->bar_len = bar_len;
	spin_lock_init(&vp->vqs_lock);
	mutex_init(&vp->lock);
	vp->vdev.dev.parent = parent;
	vp->vdev.dev.release = vireo_pci_release;
	vp->vdev.config = &vireo_pci_config_ops;
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
	if (vp->regs->status(vp) == VIREO_PCI_ALL_ONES) {
		dev_err(vp_dev(vp), "BAR0 reads as all ones: device absent or its legacy I/O window is not decoded\n");
		return -ENODEV;
	}
	return 0;
}

/**
 * vireo_pci_add() - check a legacy function and put it on the vireo bus
 * @vp: from vireo_pci_alloc()
 *
 * On failure @vp is freed: with kfree() before vireo_register_device()
 * was called, through put_device() after, because from that call on @vp
 * belongs to its embedded struct device.
 *
 * Context: Process context; sleeps.
 * Return: 0, -ENODEV if the registers read as all ones, or the error of
 * vireo_register_device().
 */
int vireo_pci_add(struct vireo_pci_device *vp)
{
	int err;

	err = vireo_pci_check_alive(vp);
	if (err) {
		vireo_pci_release(&vp->vdev.dev);
		return err;
	}
	err = vireo_register_device(&vp->vdev);
	if (err)
		put_device(&vp->vdev.dev);
	return err;
}

/**
 * vireo_pci_del() - take a legacy function's device off the vireo bus
 * @vp: added with vireo_pci_add()
 *
 * A function that no longer answers (surprise removal) is marked gone
 * first, so that its driver's waiters fail instead of hanging while the
 * driver is removed. @vp may be freed before this returns.
 *
 * Context: Process context; sleeps.
 */
void vireo_pci_del(struct vireo_pci_device *vp)
{
	if (!vp->host->present(vp))
		vireo_pci_mark_gone(vp, "no longer present on the bus");
	vireo_unregister_device(&vp->vdev);
}
