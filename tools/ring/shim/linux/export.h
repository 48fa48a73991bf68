/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: symbol exports. Everything non-static is visible in a
 * static library anyway; the macro only redeclares @sym, so exporting a
 * misspelt or missing symbol still fails to compile. The namespace, bare
 * token (up to 6.12) or string (6.13 on), is ignored.
 */
#ifndef _SHIM_LINUX_EXPORT_H
#define _SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_NS(sym, ns)	extern typeof(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern typeof(sym) sym

#endif /* _SHIM_LINUX_EXPORT_H */
