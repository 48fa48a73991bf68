/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: section annotations and initcalls (nothing runs them). */
#ifndef _SHIM_LINUX_INIT_H
#define _SHIM_LINUX_INIT_H

#define __init
#define __exit
#define __initdata
#define __initconst
#define __ro_after_init

/*
 * Published as shim_module_init/shim_module_exit (one module per binary),
 * so that a test can load and unload the module as modprobe would.
 */
#define module_init(fn)	int (*const shim_module_init)(void) = fn
#define module_exit(fn)	void (*const shim_module_exit)(void) = fn

#endif /* _SHIM_LINUX_INIT_H */
