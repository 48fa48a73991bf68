// SPDX-License-Identifier: GPL-2.0
/*
 * Ring benchmark: plain malloc/free under vireo's ring.
 *
 * The shim's allocator counts attempts, can inject failures and poisons
 * fresh memory: right for tests, but it is not what an allocation costs,
 * and Linux's ring in tools/virtio gets plain malloc/free. The link wraps
 * the ring's calls (-Wl,--wrap=shim_alloc,--wrap=shim_free) to these, so
 * both rings pay glibc's allocator and nothing more. Memory the shim
 * itself allocated never reaches here: only undefined references from
 * the other objects are redirected, and those are all the ring's.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/gfp.h>
#include <linux/slab.h>

void *__wrap_shim_alloc(size_t size, size_t limit, gfp_t gfp);
void __wrap_shim_free(const void *p);

/* Like tools/virtio's kmalloc(): no size limit, no accounting. */
void *__wrap_shim_alloc(size_t size, size_t limit, gfp_t gfp)
{
	if (gfp & __GFP_ZERO)
		return calloc(1, size);
	return malloc(size);
}

void __wrap_shim_free(const void *p)
{
	free((void *)p);
}
