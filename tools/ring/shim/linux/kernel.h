/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: <linux/kernel.h>, the grab bag. Like the real one it
 * pulls in the common helpers, so a kernel file that relies on that keeps
 * compiling.
 */
#ifndef _SHIM_LINUX_KERNEL_H
#define _SHIM_LINUX_KERNEL_H

#include <limits.h>
#include <stdarg.h>
#include <linux/align.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/types.h>

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]) + __must_be_array(arr))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)		((x) - ((x) % (y)))
#define upper_32_bits(n)	((u32)(((n) >> 16) >> 16))
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define FIELD_SIZEOF(t, f)	(sizeof(((t *)0)->f))
#define sizeof_field(t, f)	(sizeof(((t *)0)->f))

/* Nothing sleeps or is preempted in userspace. */
#define might_sleep()		do { } while (0)
#define cond_resched()		do { } while (0)
#define in_interrupt()		0
#define in_task()		1

#endif /* _SHIM_LINUX_KERNEL_H */
