/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the kernel version the shim pretends to be. 6.12 is the
 * newest kernel the tree builds for (DEVELOPERS.md); build with
 * -DLINUX_VERSION_CODE=... to compile another branch of <vireo/compat.h>.
 */
#ifndef _SHIM_LINUX_VERSION_H
#define _SHIM_LINUX_VERSION_H

#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#ifndef LINUX_VERSION_CODE
#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 12, 0)
#endif

#endif /* _SHIM_LINUX_VERSION_H */
