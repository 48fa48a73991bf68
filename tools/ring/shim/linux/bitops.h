/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the non-atomic bit operations and bit searches.
 * The "atomic" set_bit()/clear_bit() are plain too: the harnesses are
 * single-threaded.
 */
#ifndef _SHIM_LINUX_BITOPS_H
#define _SHIM_LINUX_BITOPS_H

#include <linux/bits.h>
#include <linux/types.h>

#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return addr[BIT_WORD(nr)] & BIT_MASK(nr);
}

#define set_bit(nr, addr)	__set_bit(nr, addr)
#define clear_bit(nr, addr)	__clear_bit(nr, addr)

/* fls(0) = 0, fls(1) = 1, fls(0x80000000) = 32. */
static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

/* Undefined for 0, as in the kernel. */
static inline unsigned long __ffs(unsigned long x)
{
	return __builtin_ctzl(x);
}

static inline unsigned long __fls(unsigned long x)
{
	return BITS_PER_LONG - 1 - __builtin_clzl(x);
}

#define hweight8(w)	__builtin_popcount((u8)(w))
#define hweight16(w)	__builtin_popcount((u16)(w))
#define hweight32(w)	__builtin_popcount((u32)(w))
#define hweight64(w)	__builtin_popcountll((u64)(w))
#define hweight_long(w)	__builtin_popcountl((unsigned long)(w))

#endif /* _SHIM_LINUX_BITOPS_H */
