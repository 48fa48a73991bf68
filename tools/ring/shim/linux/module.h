/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: module metadata. The MODULE_*() macros expand to an
 * empty static assertion so that the ';' after them is still a valid
 * file-scope declaration (a bare ';' would trip -Wpedantic builds).
 */
#ifndef _SHIM_LINUX_MODULE_H
#define _SHIM_LINUX_MODULE_H

#include <linux/export.h>
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/types.h>

struct module {
	const char *name;
};

#define THIS_MODULE	((struct module *)NULL)
#define KBUILD_MODNAME	"vireo_shim"

#define __shim_modinfo			_Static_assert(1, "modinfo")
#define MODULE_LICENSE(x)		__shim_modinfo
#define MODULE_DESCRIPTION(x)		__shim_modinfo
#define MODULE_AUTHOR(x)		__shim_modinfo
#define MODULE_ALIAS(x)			__shim_modinfo
#define MODULE_VERSION(x)		__shim_modinfo
#define MODULE_SOFTDEP(x)		__shim_modinfo
#define MODULE_FIRMWARE(x)		__shim_modinfo
#define MODULE_IMPORT_NS(ns)		__shim_modinfo
#define MODULE_DEVICE_TABLE(type, name)	__shim_modinfo

/* As in the kernel: registration at init, unregistration at exit. */
#define module_driver(__driver, __register, __unregister, ...)		\
static int __init __driver##_init(void)					\
{									\
	return __register(&(__driver), ##__VA_ARGS__);			\
}									\
module_init(__driver##_init);						\
static void __exit __driver##_exit(void)				\
{									\
	__unregister(&(__driver), ##__VA_ARGS__);			\
}									\
module_exit(__driver##_exit)

static inline bool try_module_get(struct module *m)
{
	(void)m;
	return true;
}

static inline void module_put(struct module *m)
{
	(void)m;
}

#endif /* _SHIM_LINUX_MODULE_H */
