/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake legacy PCI function of the vireo_pci suites
 * (vireo_pci_fake.c): its state, the limits the suites size it by, and
 * the fixtures the suites (vireo_pci_policy_test.c) build on it.
 */
#ifndef _VIREO_PCI_FAKE_H
#define _VIREO_PCI_FAKE_H

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/types.h>
#include <vireo/transport.h>
#include "../virtio_pci_legacy/vireo_pci.h"
#include "../virtio_pci_legacy/vireo_pci_regs.h"

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
#define PT_REFUSE_PER_VQ	BIT(0)	/* alloc of more than 2 vectors fails */
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
 * @hint: the affinity hint (and affinity) set, or NULL
 * @affinity_sets: calls of set_irq_affinity with a mask
 */
struct pt_irq {
	bool live;
	irq_handler_t handler;
	void *dev_id;
	char name[32];
	const struct cpumask *hint;
	unsigned int affinity_sets;
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
 * @ncpus: CPUs the fake PCI core spreads vectors over; like the real one,
 *	it refuses to spread more vectors than that with -ENOSPC
 * @allocs: calls of alloc_vectors
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
	unsigned int ncpus;
	unsigned int allocs;
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

static inline struct pt_fake *pt_of(struct vireo_pci_device *vp)
{
	return vp->ops_data;
}

unsigned int pt_total_callbacks(struct pt_fake *f);
struct pt_fake *pt_new(struct kunit *test, unsigned int nvqs, u16 num);
void pt_expect_clean(struct kunit *test, struct pt_fake *f);
void pt_used_bump(struct vireo_virtqueue *vq);
irqreturn_t pt_fire(struct pt_fake *f, unsigned int slot);
bool pt_config_pending(struct pt_fake *f);
void pt_log_mark(struct pt_fake *f);
unsigned int pt_log_count(struct pt_fake *f, const char *what);
unsigned int pt_vanished_messages(struct pt_fake *f);

#endif /* _VIREO_PCI_FAKE_H */
