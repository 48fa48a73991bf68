/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: address translation. Physical addresses are the virtual
 * ones, so a test playing the device can follow a descriptor's address
 * with phys_to_virt() exactly as a device follows it in guest memory.
 */
#ifndef _SHIM_LINUX_IO_H
#define _SHIM_LINUX_IO_H

#include <linux/types.h>

static inline phys_addr_t virt_to_phys(const volatile void *addr)
{
	return (phys_addr_t)(uintptr_t)addr;
}

static inline void *phys_to_virt(phys_addr_t addr)
{
	return (void *)(uintptr_t)addr;
}

#define __pa(x)		virt_to_phys(x)
#define __va(x)		phys_to_virt(x)

#endif /* _SHIM_LINUX_IO_H */
