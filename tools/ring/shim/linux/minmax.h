/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: min/max/clamp. Arguments are evaluated once, like the
 * kernel's; the kernel's compile-time type checks are left out, as the
 * kernel build already enforces them on the same source.
 */
#ifndef _SHIM_LINUX_MINMAX_H
#define _SHIM_LINUX_MINMAX_H

#define __shim_cmp(op, x, y) \
	({ typeof(x) __x = (x); typeof(y) __y = (y); __x op __y ? __x : __y; })

#define min(x, y)		__shim_cmp(<, x, y)
#define max(x, y)		__shim_cmp(>, x, y)
#define min_t(type, x, y)	__shim_cmp(<, (type)(x), (type)(y))
#define max_t(type, x, y)	__shim_cmp(>, (type)(x), (type)(y))
#define min3(x, y, z)		min(min(x, y), z)
#define max3(x, y, z)		max(max(x, y), z)
#define clamp(val, lo, hi)	min(max(val, lo), hi)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)
#define clamp_val(val, lo, hi)	clamp_t(typeof(val), val, lo, hi)
#define swap(a, b) \
	do { typeof(a) __tmp = (a); (a) = (b); (b) = __tmp; } while (0)

#endif /* _SHIM_LINUX_MINMAX_H */
