/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: kmalloc() and kvmalloc() families.
 *
 * All of them go through shim_alloc() (shim.c), which counts every attempt
 * and can be told to fail the N-th one (<shim.h>), so that tests can assert
 * that a path does not allocate and can walk the failure paths.
 * Memory that is not asked to be zeroed is poisoned, as with slub_debug,
 * so that a read of uninitialised memory gives garbage rather than a
 * lucky zero.
 */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/types.h>

/* kmalloc() refuses more than this (order-10 pages), vmalloc() more than INT_MAX. */
#define KMALLOC_MAX_SIZE	(4UL << 20)
#define SHIM_VMALLOC_MAX	((size_t)INT32_MAX)

void *shim_alloc(size_t size, size_t limit, gfp_t gfp);
void *shim_realloc(const void *p, size_t size, gfp_t gfp);
void shim_free(const void *p);

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	return shim_alloc(size, KMALLOC_MAX_SIZE, gfp);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc(size_mul(n, size), gfp);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void *krealloc(const void *p, size_t size, gfp_t gfp)
{
	return shim_realloc(p, size, gfp);
}

static inline void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

static inline void kfree(const void *p)
{
	shim_free(p);
}

static inline void kfree_sensitive(const void *p)
{
	shim_free(p);
}

static inline void *kvmalloc(size_t size, gfp_t gfp)
{
	return shim_alloc(size, SHIM_VMALLOC_MAX, gfp);
}

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc(size_mul(n, size), gfp);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void kvfree(const void *p)
{
	shim_free(p);
}

#define vmalloc(size)		kvmalloc(size, GFP_KERNEL)
#define vzalloc(size)		kvzalloc(size, GFP_KERNEL)
#define vfree(p)		kvfree(p)

#endif /* _SHIM_LINUX_SLAB_H */
