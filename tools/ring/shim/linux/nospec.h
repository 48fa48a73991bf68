/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: array_index_nospec(). Speculation does not matter here,
 * only the architectural result: @index if below @size, else 0.
 */
#ifndef _SHIM_LINUX_NOSPEC_H
#define _SHIM_LINUX_NOSPEC_H

#define array_index_nospec(index, size) ({				\
	typeof(index) __i = (index);					\
	typeof(size) __s = (size);					\
	(typeof(__i))(__i < __s ? __i : 0); })

#endif /* _SHIM_LINUX_NOSPEC_H */
