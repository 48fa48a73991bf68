/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: compiler attributes and the ONCE accessors.
 *
 * READ_ONCE/WRITE_ONCE go through a volatile lvalue exactly as the kernel's
 * do, so the compiler neither tears, fuses nor re-reads the shared ring
 * fields: a double fetch in vireo_vq.c and vireo_vring.c stays a double fetch here.
 */
#ifndef _SHIM_LINUX_COMPILER_H
#define _SHIM_LINUX_COMPILER_H

#include <linux/types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" ::: "memory")

#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __scanf(a, b)		__attribute__((format(scanf, a, b)))
#define __must_check		__attribute__((warn_unused_result))
#define __maybe_unused		__attribute__((unused))
#define __always_unused		__attribute__((unused))
#define __used			__attribute__((used))
#define __packed		__attribute__((packed))
#define __aligned(x)		__attribute__((aligned(x)))
#define __cold			__attribute__((cold))
#define __pure			__attribute__((pure))
#define __noreturn		__attribute__((noreturn))
#define noinline		__attribute__((noinline))
#ifndef __always_inline		/* glibc's <sys/cdefs.h> has its own */
#define __always_inline		inline __attribute__((always_inline))
#endif
#define fallthrough		__attribute__((fallthrough))
#define __counted_by(m)
#define __nonstring

/* sparse address spaces and annotations: meaningless outside sparse. */
#define __iomem
#define __user
#define __kernel
#define __force
#define __rcu
#define __percpu
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __cond_acquires(x)

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, val)	do { *(volatile typeof(x) *)&(x) = (val); } while (0)

#endif /* _SHIM_LINUX_COMPILER_H */
