/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_balloon: the legacy memory balloon device's wire format (device
 * type 5), from the virtio specification.
 *
 * Config space is little-endian even on a legacy device (QEMU stores it
 * with stl_le), unlike every other legacy device. Page frame numbers are
 * le32 in 4 KiB units whatever the guest's page size. The statistics
 * records are in guest byte order on a legacy device.
 */
#ifndef _VIREO_BALLOON_WIRE_H
#define _VIREO_BALLOON_WIRE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Feature bits */
#define VIREO_BALLOON_F_MUST_TELL_HOST	0	/* tell before reusing a page */
#define VIREO_BALLOON_F_STATS_VQ	1	/* statistics queue */
#define VIREO_BALLOON_F_DEFLATE_ON_OOM	2	/* deflate when out of memory */
#define VIREO_BALLOON_F_FREE_PAGE_HINT	3	/* hinting queue (migration) */
#define VIREO_BALLOON_F_PAGE_POISON	4	/* poison_val is meaningful */
#define VIREO_BALLOON_F_REPORTING	5	/* free page reporting queue */

/**
 * struct vireo_balloon_config - device config space
 * @num_pages: the device's target, in 4 KiB pages (device writes)
 * @actual: pages in the balloon, in 4 KiB pages (driver writes)
 * @free_page_hint_cmd_id: with FREE_PAGE_HINT only
 * @poison_val: with PAGE_POISON only: what freed pages contain (driver
 *	writes)
 */
struct vireo_balloon_config {
	__le32 num_pages;
	__le32 actual;
	__le32 free_page_hint_cmd_id;
	__le32 poison_val;
};

static_assert(sizeof(struct vireo_balloon_config) == 16);
static_assert(offsetof(struct vireo_balloon_config, poison_val) == 12);

/* A page frame number on the wire is in units of 4 KiB. */
#define VIREO_BALLOON_PFN_SHIFT		12

/* Statistics tags (QEMU 7.2 keeps 0 to 9 and ignores the rest). */
#define VIREO_BALLOON_S_SWAP_IN		0	/* bytes swapped in */
#define VIREO_BALLOON_S_SWAP_OUT	1	/* bytes swapped out */
#define VIREO_BALLOON_S_MAJFLT		2	/* major faults */
#define VIREO_BALLOON_S_MINFLT		3	/* minor faults */
#define VIREO_BALLOON_S_MEMFREE		4	/* free memory, bytes */
#define VIREO_BALLOON_S_MEMTOT		5	/* total memory, bytes */
#define VIREO_BALLOON_S_AVAIL		6	/* available memory, bytes */
#define VIREO_BALLOON_S_CACHES		7	/* disk caches, bytes */
#define VIREO_BALLOON_S_HTLB_PGALLOC	8	/* hugetlb allocations */
#define VIREO_BALLOON_S_HTLB_PGFAIL	9	/* hugetlb allocation failures */
#define VIREO_BALLOON_S_NR		10

/**
 * struct vireo_balloon_stat - one statistics record
 * @tag: VIREO_BALLOON_S_*
 * @val: the value
 *
 * Packed: 10 bytes on the wire, guest byte order on a legacy device.
 */
struct vireo_balloon_stat {
	u16 tag;
	u64 val;
} __packed;

static_assert(sizeof(struct vireo_balloon_stat) == 10);

#endif /* _VIREO_BALLOON_WIRE_H */
