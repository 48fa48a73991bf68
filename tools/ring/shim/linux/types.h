/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: kernel integer types on top of <stdint.h>.
 *
 * Only the types the vireo headers and vireo_vq.c and vireo_vring.c use, plus the common
 * neighbours a kernel file may pick up without noticing. Sparse's __bitwise
 * annotations mean nothing to gcc/clang, so __le* are plain integers.
 */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>	/* ssize_t; defines no kernel names */

/*
 * The kernel's int-ll64 model on every architecture: 64-bit types are
 * long long, not <stdint.h>'s long, so that "%llu" for a u64 is right (as
 * -Wformat checks) exactly as in a kernel build.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef signed short s16;
typedef signed int s32;
typedef signed long long s64;

/* uapi spellings; guarded in case a system uapi header got there first. */
#ifndef __ASM_GENERIC_INT_LL64_H
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s8 __s8;
typedef s16 __s16;
typedef s32 __s32;
typedef s64 __s64;
#endif
#ifndef _LINUX_TYPES_H
typedef __u16 __le16;
typedef __u32 __le32;
typedef __u64 __le64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
#endif

#define __bitwise
typedef unsigned int gfp_t;
typedef unsigned short umode_t;
typedef u64 phys_addr_t;	/* 64-bit phys, as on x86_64 */
typedef u64 dma_addr_t;
typedef u64 resource_size_t;

#define U8_MAX		((u8)~0U)
#define S8_MAX		((s8)(U8_MAX >> 1))
#define U16_MAX		((u16)~0U)
#define S16_MAX		((s16)(U16_MAX >> 1))
#define U32_MAX		((u32)~0U)
#define S32_MAX		((s32)(U32_MAX >> 1))
#define U64_MAX		((u64)~0ULL)
#define S64_MAX		((s64)(U64_MAX >> 1))

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#endif /* _SHIM_LINUX_TYPES_H */
