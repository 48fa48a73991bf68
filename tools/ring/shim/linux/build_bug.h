/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: compile-time assertions with the kernel's spelling. */
#ifndef _SHIM_LINUX_BUILD_BUG_H
#define _SHIM_LINUX_BUILD_BUG_H

#include <linux/compiler.h>

/*
 * The kernel's one-argument static_assert(). Defined here rather than taken
 * from <assert.h>, whose C11 version wants a message; nothing in the shim
 * includes <assert.h>, so the two never meet.
 */
#undef static_assert
#define static_assert(expr, ...)	__static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...)	_Static_assert(expr, msg)

#define BUILD_BUG_ON(cond)		_Static_assert(!(cond), "BUILD_BUG_ON: " #cond)
#define BUILD_BUG_ON_MSG(cond, msg)	_Static_assert(!(cond), msg)
#define BUILD_BUG_ON_ZERO(e)		((int)(sizeof(struct { int:(-!!(e)); })))
#define __must_be_array(a) \
	BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))

#endif /* _SHIM_LINUX_BUILD_BUG_H */
