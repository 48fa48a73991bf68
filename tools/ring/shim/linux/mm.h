/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: page-granular allocations.
 *
 * alloc_pages_exact() returns @size bytes aligned to the allocation order,
 * like a buddy-allocator block, but only @size bytes are addressable, so
 * ASan flags any access past what was asked for. free_pages_exact() checks
 * that the size matches the allocation (shim.c keeps a record).
 * A "struct page *" is just the page's virtual address.
 */
#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(x)	((((unsigned long)(x)) & (PAGE_SIZE - 1)) == 0)
#define MAX_ORDER	10

struct page;

/* The order of the smallest block of pages holding @size bytes. */
static inline int get_order(unsigned long size)
{
	int order = 0;

	size = (size - 1) >> PAGE_SHIFT;
	while (size) {
		order++;
		size >>= 1;
	}
	return order;
}

void *alloc_pages_exact(size_t size, gfp_t gfp);
void free_pages_exact(void *virt, size_t size);

static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	return (unsigned long)alloc_pages_exact(PAGE_SIZE << order, gfp);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

static inline void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		free_pages_exact((void *)addr, PAGE_SIZE << order);
}

#define __get_free_page(gfp)	__get_free_pages(gfp, 0)
#define free_page(addr)		free_pages(addr, 0)

static inline void *page_address(const struct page *page)
{
	return (void *)page;
}

static inline struct page *virt_to_page(const void *addr)
{
	return (struct page *)((unsigned long)addr & PAGE_MASK);
}

#endif /* _SHIM_LINUX_MM_H */
