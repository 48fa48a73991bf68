/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: power-of-two helpers. */
#ifndef _SHIM_LINUX_LOG2_H
#define _SHIM_LINUX_LOG2_H

#include <linux/bitops.h>

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* Undefined for 0, as in the kernel. */
#define ilog2(n)	((int)(BITS_PER_LONG_LONG - 1 - __builtin_clzll(n)))

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << (BITS_PER_LONG - __builtin_clzl(n - 1));
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (BITS_PER_LONG - 1 - __builtin_clzl(n));
}

static inline int order_base_2(unsigned long n)
{
	return n <= 1 ? 0 : ilog2(roundup_pow_of_two(n));
}

#endif /* _SHIM_LINUX_LOG2_H */
