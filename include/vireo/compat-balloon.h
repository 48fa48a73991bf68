/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_balloon's view of the kernel's memory-balloon interfaces.
 *
 * Debian's 6.1 and 6.12 kernels export the same balloon compaction API
 * (movable_operations arrived in 6.0, so both have balloon_mops and the
 * driver's migratepage callback with the same signature), the same
 * page-reporting interface and the same OOM notifier chain. What differs
 * is the configuration: the KUnit kernel (allnoconfig plus
 * tools/kunit/kunit.config) has neither CONFIG_MEMORY_BALLOON,
 * CONFIG_BALLOON_COMPACTION nor CONFIG_PAGE_REPORTING, so the symbols
 * behind them do not exist there. This header gives vireo_balloon one
 * API for all three:
 *
 * - with CONFIG_MEMORY_BALLOON the kernel's balloon page list is used
 *   (and with CONFIG_BALLOON_COMPACTION its pages stay movable);
 * - without it the same struct balloon_dev_info list is kept here, with
 *   pages that are simply not movable;
 * - without CONFIG_PAGE_REPORTING there is no free page reporting and
 *   vireo_balloon refuses the feature (and says so at load time).
 *
 * Only vireo_balloon includes this header.
 */
#ifndef _VIREO_COMPAT_BALLOON_H
#define _VIREO_COMPAT_BALLOON_H

#include <linux/balloon_compaction.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/page_reporting.h>
#include <linux/spinlock.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>
#include <vireo/compat.h>

/* Balloon pages can be migrated by compaction. */
#define VIREO_BALLOON_MOVABLE	IS_ENABLED(CONFIG_BALLOON_COMPACTION)

/* The kernel's page-reporting interface exists (and is exported). */
#define VIREO_BALLOON_HAVE_REPORTING	IS_ENABLED(CONFIG_PAGE_REPORTING)

/* What a migratepage callback returns on success (0 on both kernels). */
#define VIREO_BALLOON_MIGRATE_OK	MIGRATEPAGE_SUCCESS

#ifdef CONFIG_MEMORY_BALLOON

/* A page for the balloon: movable where compaction can move it. */
static inline struct page *vireo_balloon_page_alloc(void)
{
	return balloon_page_alloc();
}

/* Move every page of @pages into the balloon; returns how many. */
static inline size_t vireo_balloon_list_enqueue(struct balloon_dev_info *b,
						struct list_head *pages)
{
	return balloon_page_list_enqueue(b, pages);
}

/*
 * Take up to @n pages out of the balloon onto @pages; returns how many.
 * Pages being migrated are skipped, so fewer may come back. (The kernel's
 * single-page balloon_page_dequeue() BUGs when its list and its isolated
 * count disagree, which is why only the list form is used.)
 */
static inline size_t vireo_balloon_list_dequeue(struct balloon_dev_info *b,
						struct list_head *pages,
						size_t n)
{
	return balloon_page_list_dequeue(b, pages, n);
}

#else /* !CONFIG_MEMORY_BALLOON */

static inline struct page *vireo_balloon_page_alloc(void)
{
	return alloc_page(balloon_mapping_gfp_mask() | __GFP_NOMEMALLOC |
			  __GFP_NORETRY | __GFP_NOWARN);
}

static inline size_t vireo_balloon_list_enqueue(struct balloon_dev_info *b,
						struct list_head *pages)
{
	struct page *page, *tmp;
	unsigned long flags;
	size_t n = 0;

	spin_lock_irqsave(&b->pages_lock, flags);
	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		balloon_page_insert(b, page);
		n++;
	}
	spin_unlock_irqrestore(&b->pages_lock, flags);
	return n;
}

static inline size_t vireo_balloon_list_dequeue(struct balloon_dev_info *b,
						struct list_head *pages,
						size_t n)
{
	struct page *page, *tmp;
	unsigned long flags;
	size_t got = 0;

	spin_lock_irqsave(&b->pages_lock, flags);
	list_for_each_entry_safe(page, tmp, &b->pages, lru) {
		if (got == n)
			break;
		list_del(&page->lru);
		balloon_page_finalize(page);
		list_add(&page->lru, pages);
		got++;
	}
	spin_unlock_irqrestore(&b->pages_lock, flags);
	return got;
}

#endif /* CONFIG_MEMORY_BALLOON */

/* Count a migration the way the kernel's balloon drivers do. */
static inline void vireo_balloon_count_migrate(void)
{
#ifdef CONFIG_BALLOON_COMPACTION
	__count_vm_event(BALLOON_MIGRATE);
#endif
}

#ifdef CONFIG_PAGE_REPORTING
static inline int vireo_page_reporting_register(struct page_reporting_dev_info *p)
{
	return page_reporting_register(p);
}

static inline void vireo_page_reporting_unregister(struct page_reporting_dev_info *p)
{
	page_reporting_unregister(p);
}
#else
static inline int vireo_page_reporting_register(struct page_reporting_dev_info *p)
{
	return -EOPNOTSUPP;
}

static inline void vireo_page_reporting_unregister(struct page_reporting_dev_info *p)
{
}
#endif

/* Hugetlb allocation events: zero without CONFIG_HUGETLB_PAGE. */
static inline void vireo_balloon_htlb_events(const unsigned long *events,
					     u64 *alloc, u64 *fail)
{
#ifdef CONFIG_HUGETLB_PAGE
	*alloc = events[HTLB_BUDDY_PGALLOC];
	*fail = events[HTLB_BUDDY_PGALLOC_FAIL];
#else
	*alloc = 0;
	*fail = 0;
#endif
}

#endif /* _VIREO_COMPAT_BALLOON_H */
