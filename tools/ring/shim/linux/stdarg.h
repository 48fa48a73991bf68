/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: since 5.15 the kernel has its own <linux/stdarg.h>. */
#include <stdarg.h>
