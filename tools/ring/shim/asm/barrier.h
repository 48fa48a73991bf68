/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: memory barriers.
 *
 * The harnesses are single-threaded, so any barrier would do; these are
 * real fences anyway so the library stays correct if a test ever runs the
 * "device" on another thread.
 */
#ifndef _SHIM_ASM_BARRIER_H
#define _SHIM_ASM_BARRIER_H

#include <linux/compiler.h>

#define mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb()	mb()
#define smp_rmb()	rmb()
#define smp_wmb()	wmb()
#define virt_mb()	mb()
#define virt_rmb()	rmb()
#define virt_wmb()	wmb()
#define dma_rmb()	rmb()
#define dma_wmb()	wmb()

#define smp_store_mb(var, value)  do { WRITE_ONCE(var, value); mb(); } while (0)
#define virt_store_mb(var, value) smp_store_mb(var, value)
#define smp_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define smp_mb__before_atomic()	mb()
#define smp_mb__after_atomic()	mb()

#endif /* _SHIM_ASM_BARRIER_H */
