/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: module parameters.
 *
 * module_param(name, ...) publishes a global pointer shim_param_<name> to
 * the (static) variable, so a test can set a parameter the way
 * "modprobe vireo_ring name=value" would:
 *
 *	extern bool *const shim_param_indirect;
 *	*shim_param_indirect = false;
 */
#ifndef _SHIM_LINUX_MODULEPARAM_H
#define _SHIM_LINUX_MODULEPARAM_H

#define module_param_named(name, value, type, perm) \
	typeof(value) *const shim_param_##name = &(value)
#define module_param(name, type, perm) \
	module_param_named(name, name, type, perm)
#define MODULE_PARM_DESC(name, desc)	_Static_assert(1, #name)

#endif /* _SHIM_LINUX_MODULEPARAM_H */
