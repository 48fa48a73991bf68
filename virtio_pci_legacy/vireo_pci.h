/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_pci internals: the device structure shared by the register layer
 * (vireo_pci_regs.c), the policy (vireo_pci_policy.c) and the PCI driver
 * (vireo_pci_drv.c), and the two operation tables that separate them.
 *
 * The policy never touches the I/O BAR or the PCI function itself: every
 * register access goes through struct vireo_pci_regs_ops and every
 * interrupt, MSI-X, presence and ring-address question through struct
 * vireo_pci_host_ops. vireo_pci_regs.c implements both for a real
 * function; kunit/vireo_pci_test.c implements them over a fake register
 * file and builds the policy into the test module.
 */
#ifndef _VIREO_PCI_H
#define _VIREO_PCI_H

#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <vireo/transport.h>

struct pci_dev;
struct vireo_pci_device;

/**
 * struct vireo_pci_regs_ops - one function per legacy register
 * @host_features: read HOST_FEATURES (offset 0)
 * @set_guest_features: write GUEST_FEATURES (offset 4)
 * @queue_pfn: read QUEUE_PFN of the selected queue (offset 8)
 * @set_queue_pfn: write QUEUE_PFN of the selected queue
 * @queue_num: read QUEUE_NUM of the selected queue (offset 12)
 * @select_queue: write QUEUE_SEL (offset 14)
 * @notify: write QUEUE_NOTIFY (offset 16)
 * @status: read STATUS (offset 18)
 * @set_status: write STATUS; 0 resets the device
 * @isr: read ISR (offset 19); the read clears it
 * @config_vector: read the MSI-X config vector (offset 20, MSI-X only)
 * @set_config_vector: write the MSI-X config vector
 * @queue_vector: read the selected queue's MSI-X vector (offset 22,
 *	MSI-X only)
 * @set_queue_vector: write the selected queue's MSI-X vector
 * @config_read8: read the device config byte at BAR offset @off (the
 *	policy adds the 20 or 24 of the config space start)
 * @config_read16: the same, 16 bits in one access
 * @config_read32: the same, 32 bits in one access
 * @config_write8: write a device config byte at BAR offset @off
 * @config_write16: the same, 16 bits in one access
 * @config_write32: the same, 32 bits in one access
 *
 * All of them may be called in any context, hard IRQ included.
 */
struct vireo_pci_regs_ops {
	u32 (*host_features)(struct vireo_pci_device *vp);
	void (*set_guest_features)(struct vireo_pci_device *vp, u32 features);
	u32 (*queue_pfn)(struct vireo_pci_device *vp);
	void (*set_queue_pfn)(struct vireo_pci_device *vp, u32 pfn);
	u16 (*queue_num)(struct vireo_pci_device *vp);
	void (*select_queue)(struct vireo_pci_device *vp, u16 index);
	void (*notify)(struct vireo_pci_device *vp, u16 index);
	u8 (*status)(struct vireo_pci_device *vp);
	void (*set_status)(struct vireo_pci_device *vp, u8 status);
	u8 (*isr)(struct vireo_pci_device *vp);
	u16 (*config_vector)(struct vireo_pci_device *vp);
	void (*set_config_vector)(struct vireo_pci_device *vp, u16 vector);
	u16 (*queue_vector)(struct vireo_pci_device *vp);
	void (*set_queue_vector)(struct vireo_pci_device *vp, u16 vector);
	u8 (*config_read8)(struct vireo_pci_device *vp, unsigned int off);
	u16 (*config_read16)(struct vireo_pci_device *vp, unsigned int off);
	u32 (*config_read32)(struct vireo_pci_device *vp, unsigned int off);
	void (*config_write8)(struct vireo_pci_device *vp, unsigned int off,
			      u8 val);
	void (*config_write16)(struct vireo_pci_device *vp, unsigned int off,
			       u16 val);
	void (*config_write32)(struct vireo_pci_device *vp, unsigned int off,
			       u32 val);
};

/**
 * struct vireo_pci_host_ops - what the policy needs from the PCI core
 * @msix_enabled: MSI-X is on, so the vector registers exist and the
 *	device config starts at offset 24
 * @msix_table_size: entries in the MSI-X table, or a negative errno
 * @alloc_vectors: allocate exactly @nvecs MSI-X vectors; with @spread,
 *	spread all but vector 0 over the CPUs. Returns 0 or a negative errno.
 * @free_vectors: give every MSI-X vector back
 * @request_irq: request MSI-X vector @vector, or the shared INTx line if
 *	@vector is negative, with @handler and @dev_id under @name. Returns
 *	the Linux IRQ number or a negative errno.
 * @free_irq: free an IRQ @request_irq returned; waits for its handlers
 * @synchronize_irq: wait for running handlers of an IRQ @request_irq
 *	returned
 * @vector_affinity: the CPUs MSI-X vector @vector is steered to, or NULL
 * @set_irq_affinity: steer IRQ @irq (an unmanaged MSI-X vector
 *	@request_irq returned) to @mask and make @mask its affinity hint;
 *	@mask must stay valid until the hint is replaced. NULL only clears
 *	the hint, which must happen before @free_irq. Returns 0 or a negative
 *	errno.
 * @present: the function still answers on the bus
 * @ring_phys: the guest-physical address the device must use for @vq's
 *	ring
 *
 * Process context, except @msix_enabled, which may be called anywhere.
 */
struct vireo_pci_host_ops {
	bool (*msix_enabled)(struct vireo_pci_device *vp);
	int (*msix_table_size)(struct vireo_pci_device *vp);
	int (*alloc_vectors)(struct vireo_pci_device *vp, unsigned int nvecs,
			     bool spread);
	void (*free_vectors)(struct vireo_pci_device *vp);
	int (*request_irq)(struct vireo_pci_device *vp, int vector,
			   irq_handler_t handler, void *dev_id,
			   const char *name);
	void (*free_irq)(struct vireo_pci_device *vp, unsigned int irq,
			 void *dev_id);
	void (*synchronize_irq)(struct vireo_pci_device *vp, unsigned int irq);
	const struct cpumask *(*vector_affinity)(struct vireo_pci_device *vp,
						 unsigned int vector);
	int (*set_irq_affinity)(struct vireo_pci_device *vp, unsigned int irq,
				const struct cpumask *mask);
	bool (*present)(struct vireo_pci_device *vp);
	phys_addr_t (*ring_phys)(struct vireo_pci_device *vp,
				 struct vireo_virtqueue *vq);
};

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
 * @affinity: the CPUs set_vq_affinity steered the queue's own (unmanaged)
 *	vector to, or NULL; it is also the IRQ's affinity hint, so it is
 *	freed only after the hint is cleared
 */
struct vireo_pci_vq {
	struct vireo_virtqueue *vq;
	u16 vector;
	struct cpumask *affinity;
};

/**
 * struct vireo_pci_device - one legacy virtio PCI function
 * @vdev: the device registered on the vireo bus; its release frees this
 * @regs: the register layer
 * @host: the PCI core's side: interrupts, MSI-X, presence, ring addresses
 * @pdev: the PCI function (for @regs and @host only)
 * @ioaddr: mapping of BAR0 (for @regs only)
 * @ops_data: for other implementations of @regs and @host (tests)
 * @bar_len: length of BAR0, the bound of every config access
 * @gone: the function vanished (surprise removal); set once, never cleared
 * @vqs_lock: protects @vqs and @nvqs against the walk that marks every
 *	queue broken, which runs in any context
 * @lock: serialises find_vqs, del_vqs and reset, and protects every field
 *	below it
 * @mode: the interrupt rung in use; VIREO_PCI_IRQ_NONE when no queues exist
 * @vqs: per-queue data, @nvqs entries indexed by queue number
 * @nvqs: number of entries in @vqs
 * @nvectors: MSI-X vectors allocated, 0 when MSI-X is off
 * @spread: the queue vectors are spread over the CPUs by the PCI core
 *	(managed interrupts, whose affinity only the kernel sets)
 * @irqs: the IRQs requested, in request order
 * @nr_irqs: number of requested entries in @irqs
 * @max_irqs: number of entries allocated for @irqs
 */
struct vireo_pci_device {
	struct vireo_device vdev;
	const struct vireo_pci_regs_ops *regs;
	const struct vireo_pci_host_ops *host;
	struct pci_dev *pdev;
	void __iomem *ioaddr;
	void *ops_data;
	resource_size_t bar_len;
	unsigned long gone;

	spinlock_t vqs_lock;	/* see above */
	struct mutex lock;	/* serialises queue and IRQ setup and teardown */
	enum vireo_pci_irq_mode mode;
	struct vireo_pci_vq *vqs;
	unsigned int nvqs;
	unsigned int nvectors;
	bool spread;
	struct vireo_pci_irq *irqs;
	unsigned int nr_irqs;
	unsigned int max_irqs;
};

/* vireo_pci_regs.c: the real register file and PCI core */
extern const struct vireo_pci_regs_ops vireo_pci_io_regs;
extern const struct vireo_pci_host_ops vireo_pci_io_host;

/* vireo_pci_policy.c */
struct vireo_pci_device *vireo_pci_alloc(struct device *parent,
					 const struct vireo_pci_regs_ops *regs,
					 const struct vireo_pci_host_ops *host,
					 resource_size_t bar_len);
int vireo_pci_add(struct vireo_pci_device *vp);
void vireo_pci_del(struct vireo_pci_device *vp);

#endif /* _VIREO_PCI_H */
