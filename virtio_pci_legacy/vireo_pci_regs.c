// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_pci register layer: the legacy registers of a real function's I/O
 * BAR (vireo_pci_regs.h), one function per register, and the PCI core
 * calls the policy needs (MSI-X, IRQs, presence, ring addresses).
 *
 * Nothing here decides anything; vireo_pci_policy.c does, through the two
 * tables at the end, so that a test can swap them for a fake device.
 */

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <vireo/compat-pci.h>

#include "vireo_pci.h"
#include "vireo_pci_regs.h"

/* ---- registers --------------------------------------------------------- */

static u32 vireo_pci_io_host_features(struct vireo_pci_device *vp)
{
	return ioread32(vp->ioaddr + VIREO_PCI_HOST_FEATURES);
}

static void vireo_pci_io_set_guest_features(struct vireo_pci_device *vp,
					    u32 features)
{
	iowrite32(features, vp->ioaddr + VIREO_PCI_GUEST_FEATURES);
}

static u32 vireo_pci_io_queue_pfn(struct vireo_pci_device *vp)
{
	return ioread32(vp->ioaddr + VIREO_PCI_QUEUE_PFN);
}

static void vireo_pci_io_set_queue_pfn(struct vireo_pci_device *vp, u32 pfn)
{
	iowrite32(pfn, vp->ioaddr + VIREO_PCI_QUEUE_PFN);
}

static u16 vireo_pci_io_queue_num(struct vireo_pci_device *vp)
{
	return ioread16(vp->ioaddr + VIREO_PCI_QUEUE_NUM);
}

static void vireo_pci_io_select_queue(struct vireo_pci_device *vp, u16 index)
{
	iowrite16(index, vp->ioaddr + VIREO_PCI_QUEUE_SEL);
}

static void vireo_pci_io_notify(struct vireo_pci_device *vp, u16 index)
{
	iowrite16(index, vp->ioaddr + VIREO_PCI_QUEUE_NOTIFY);
}

static u8 vireo_pci_io_status(struct vireo_pci_device *vp)
{
	return ioread8(vp->ioaddr + VIREO_PCI_STATUS);
}

static void vireo_pci_io_set_status(struct vireo_pci_device *vp, u8 status)
{
	iowrite8(status, vp->ioaddr + VIREO_PCI_STATUS);
}

static u8 vireo_pci_io_isr(struct vireo_pci_device *vp)
{
	return ioread8(vp->ioaddr + VIREO_PCI_ISR);
}

static u16 vireo_pci_io_config_vector(struct vireo_pci_device *vp)
{
	return ioread16(vp->ioaddr + VIREO_PCI_CONFIG_VECTOR);
}

static void vireo_pci_io_set_config_vector(struct vireo_pci_device *vp,
					   u16 vector)
{
	iowrite16(vector, vp->ioaddr + VIREO_PCI_CONFIG_VECTOR);
}

static u16 vireo_pci_io_queue_vector(struct vireo_pci_device *vp)
{
	return ioread16(vp->ioaddr + VIREO_PCI_QUEUE_VECTOR);
}

static void vireo_pci_io_set_queue_vector(struct vireo_pci_device *vp,
					  u16 vector)
{
	iowrite16(vector, vp->ioaddr + VIREO_PCI_QUEUE_VECTOR);
}

static u8 vireo_pci_io_config_read8(struct vireo_pci_device *vp,
				    unsigned int off)
{
	return ioread8(vp->ioaddr + off);
}

static u16 vireo_pci_io_config_read16(struct vireo_pci_device *vp,
				      unsigned int off)
{
	return ioread16(vp->ioaddr + off);
}

static u32 vireo_pci_io_config_read32(struct vireo_pci_device *vp,
				      unsigned int off)
{
	return ioread32(vp->ioaddr + off);
}

static void vireo_pci_io_config_write8(struct vireo_pci_device *vp,
				       unsigned int off, u8 val)
{
	iowrite8(val, vp->ioaddr + off);
}

static void vireo_pci_io_config_write16(struct vireo_pci_device *vp,
					unsigned int off, u16 val)
{
	iowrite16(val, vp->ioaddr + off);
}

static void vireo_pci_io_config_write32(struct vireo_pci_device *vp,
					unsigned int off, u32 val)
{
	iowrite32(val, vp->ioaddr + off);
}

const struct vireo_pci_regs_ops vireo_pci_io_regs = {
	.host_features		= vireo_pci_io_host_features,
	.set_guest_features	= vireo_pci_io_set_guest_features,
	.queue_pfn		= vireo_pci_io_queue_pfn,
	.set_queue_pfn		= vireo_pci_io_set_queue_pfn,
	.queue_num		= vireo_pci_io_queue_num,
	.select_queue		= vireo_pci_io_select_queue,
	.notify			= vireo_pci_io_notify,
	.status			= vireo_pci_io_status,
	.set_status		= vireo_pci_io_set_status,
	.isr			= vireo_pci_io_isr,
	.config_vector		= vireo_pci_io_config_vector,
	.set_config_vector	= vireo_pci_io_set_config_vector,
	.queue_vector		= vireo_pci_io_queue_vector,
	.set_queue_vector	= vireo_pci_io_set_queue_vector,
	.config_read8		= vireo_pci_io_config_read8,
	.config_read16		= vireo_pci_io_config_read16,
	.config_read32		= vireo_pci_io_config_read32,
	.config_write8		= vireo_pci_io_config_write8,
	.config_write16		= vireo_pci_io_config_write16,
	.config_write32		= vireo_pci_io_config_write32,
};

/* ---- the PCI core ------------------------------------------------------ */

static bool vireo_pci_io_msix_enabled(struct vireo_pci_device *vp)
{
	return vp->pdev->msix_enabled;
}

static int vireo_pci_io_msix_table_size(struct vireo_pci_device *vp)
{
	return pci_msix_vec_count(vp->pdev);
}

static int vireo_pci_io_alloc_vectors(struct vireo_pci_device *vp,
				      unsigned int nvecs, bool spread)
{
	/* Vector 0 signals config changes and stays out of the spreading. */
	struct irq_affinity desc = { .pre_vectors = 1 };
	int n;

	if (spread)
		n = pci_alloc_irq_vectors_affinity(vp->pdev, nvecs, nvecs,
						   PCI_IRQ_MSIX |
						   PCI_IRQ_AFFINITY, &desc);
	else
		n = pci_alloc_irq_vectors(vp->pdev, nvecs, nvecs,
					  PCI_IRQ_MSIX);
	return n < 0 ? n : 0;
}

static void vireo_pci_io_free_vectors(struct vireo_pci_device *vp)
{
	pci_free_irq_vectors(vp->pdev);
}

static int vireo_pci_io_request_irq(struct vireo_pci_device *vp, int vector,
				    irq_handler_t handler, void *dev_id,
				    const char *name)
{
	unsigned long flags = 0;
	int irq, err;

	if (vector < 0) {
		irq = vp->pdev->irq;
		flags = IRQF_SHARED;
	} else {
		irq = pci_irq_vector(vp->pdev, vector);
		if (irq < 0)
			return irq;
	}
	err = request_irq(irq, handler, flags, name, dev_id);
	return err ? err : irq;
}

static void vireo_pci_io_free_irq(struct vireo_pci_device *vp,
				  unsigned int irq, void *dev_id)
{
	free_irq(irq, dev_id);
}

static void vireo_pci_io_synchronize_irq(struct vireo_pci_device *vp,
					 unsigned int irq)
{
	synchronize_irq(irq);
}

static const struct cpumask *
vireo_pci_io_vector_affinity(struct vireo_pci_device *vp, unsigned int vector)
{
	return pci_irq_get_affinity(vp->pdev, vector);
}

/* The mask is also the hint that /proc/irq/N/affinity_hint shows. */
static int vireo_pci_io_set_irq_affinity(struct vireo_pci_device *vp,
					 unsigned int irq,
					 const struct cpumask *mask)
{
	if (!mask)
		return irq_update_affinity_hint(irq, NULL);
	return irq_set_affinity_and_hint(irq, mask);
}

static bool vireo_pci_io_present(struct vireo_pci_device *vp)
{
	return pci_device_is_present(vp->pdev);
}

static phys_addr_t vireo_pci_io_ring_phys(struct vireo_pci_device *vp,
					  struct vireo_virtqueue *vq)
{
	return vireo_vring_phys(vq);
}

const struct vireo_pci_host_ops vireo_pci_io_host = {
	.msix_enabled		= vireo_pci_io_msix_enabled,
	.msix_table_size	= vireo_pci_io_msix_table_size,
	.alloc_vectors		= vireo_pci_io_alloc_vectors,
	.free_vectors		= vireo_pci_io_free_vectors,
	.request_irq		= vireo_pci_io_request_irq,
	.free_irq		= vireo_pci_io_free_irq,
	.synchronize_irq	= vireo_pci_io_synchronize_irq,
	.vector_affinity	= vireo_pci_io_vector_affinity,
	.set_irq_affinity	= vireo_pci_io_set_irq_affinity,
	.present		= vireo_pci_io_present,
	.ring_phys		= vireo_pci_io_ring_phys,
};
