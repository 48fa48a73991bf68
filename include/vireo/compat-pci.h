/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI differences between the supported kernels; only the PCI transport
 * includes this.
 */
#ifndef _VIREO_COMPAT_PCI_H
#define _VIREO_COMPAT_PCI_H

#include <linux/pci.h>
#include <vireo/compat.h>

/* PCI_IRQ_INTX arrived in 6.10 and PCI_IRQ_LEGACY left by 6.12. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

#endif /* _VIREO_COMPAT_PCI_H */
