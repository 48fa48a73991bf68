/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: container_of() and its const-preserving variant. */
#ifndef _SHIM_LINUX_CONTAINER_OF_H
#define _SHIM_LINUX_CONTAINER_OF_H

#include <linux/build_bug.h>
#include <stddef.h>

/* Same type check as the kernel's: a wrong member type fails to build. */
#define container_of(ptr, type, member) ({				\
	char *__mptr = (char *)(ptr);					\
	static_assert(__same_type(*(ptr), ((type *)0)->member) ||	\
		      __same_type(*(ptr), void),			\
		      "pointer type mismatch in container_of()");	\
	((type *)(__mptr - offsetof(type, member))); })

/* A const pointer in gives a const pointer out. */
#define container_of_const(ptr, type, member)				\
	_Generic(ptr,							\
		const typeof(*(ptr)) *: ((const type *)container_of(ptr, type, member)), \
		default: ((type *)container_of(ptr, type, member)))

#endif /* _SHIM_LINUX_CONTAINER_OF_H */
