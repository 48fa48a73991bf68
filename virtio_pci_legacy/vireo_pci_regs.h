/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Register map of a legacy (virtio 0.9.5) PCI function.
 *
 * Everything lives in BAR0, an I/O port BAR, in guest-native byte order:
 *
 *	offset	width	access	register
 *	 0	32	RO	host features (the device's offer)
 *	 4	32	RW	guest features (what the driver accepted)
 *	 8	32	RW	queue PFN: ring address >> 12 for the selected queue
 *	12	16	RO	queue size of the selected queue (0: no such queue)
 *	14	16	RW	queue select
 *	16	16	WO	queue notify: write a queue index to kick it
 *	18	 8	RW	device status (writing 0 resets the device)
 *	19	 8	RO	ISR status; reading it clears it and deasserts INTx
 *	20	16	RW	MSI-X config vector	(only while MSI-X is enabled)
 *	22	16	RW	MSI-X queue vector	(only while MSI-X is enabled)
 *	20/24	-	RW	device-specific config (24 while MSI-X is enabled)
 *
 * The two vector registers exist only while MSI-X is enabled in the
 * function's capability; that is also what moves the device config from
 * offset 20 to 24. Writing a vector the device cannot use reads back as
 * VIREO_PCI_NO_VECTOR.
 */
#ifndef _VIREO_PCI_REGS_H
#define _VIREO_PCI_REGS_H

#include <vireo/vring.h>

#define VIREO_PCI_HOST_FEATURES		0	/* 32-bit, HOSTCAP */
#define VIREO_PCI_GUEST_FEATURES	4	/* 32-bit, GUESTCAP */
#define VIREO_PCI_QUEUE_PFN		8	/* 32-bit */
#define VIREO_PCI_QUEUE_NUM		12	/* 16-bit */
#define VIREO_PCI_QUEUE_SEL		14	/* 16-bit */
#define VIREO_PCI_QUEUE_NOTIFY		16	/* 16-bit */
#define VIREO_PCI_STATUS		18	/* 8-bit */
#define VIREO_PCI_ISR			19	/* 8-bit, read clears */
#define VIREO_PCI_CONFIG_VECTOR		20	/* 16-bit, MSI-X only */
#define VIREO_PCI_QUEUE_VECTOR		22	/* 16-bit, MSI-X only */

/* Start of the device-specific config space. */
#define VIREO_PCI_CONFIG_OFF_NO_MSIX	20
#define VIREO_PCI_CONFIG_OFF_MSIX	24

/* ISR bits (legacy spec and QEMU; bhyve's 0x80 for config is a quirk). */
#define VIREO_PCI_ISR_QUEUE		0x1	/* some queue has used buffers */
#define VIREO_PCI_ISR_CONFIG		0x2	/* the device config changed */

/* "No vector": written to detach, read back when a vector is refused. */
#define VIREO_PCI_NO_VECTOR		0xffff

/* The PFN register holds the ring's guest-physical address >> 12 ... */
#define VIREO_PCI_QUEUE_PFN_SHIFT	12
/* ... and the used ring starts on the next 4096-byte boundary. */
#define VIREO_PCI_QUEUE_ALIGN		4096U

static_assert(VIREO_PCI_QUEUE_ALIGN == VIREO_VRING_LEGACY_ALIGN);
static_assert(VIREO_PCI_QUEUE_ALIGN == 1U << VIREO_PCI_QUEUE_PFN_SHIFT);

#endif /* _VIREO_PCI_REGS_H */
