/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where vireo absorbs differences between kernel versions.
 *
 * Everything that differs between the supported kernels (Debian's 6.1 and
 * 6.12, and the announced 6.13 namespace change) is keyed here, so the rest
 * of the tree is written against a single API.
 */
#ifndef _VIREO_COMPAT_H
#define _VIREO_COMPAT_H

#include <linux/version.h>
#include <linux/module.h>
#include <linux/spinlock.h>

/*
 * The only version test in the tree; checkpatch's LINUX_VERSION_CODE
 * warning is waived for this header alone (see the Makefile).
 */
#define VIREO_KERNEL_SINCE(a, b, c) \
	(KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/*
 * Symbol namespaces: up to 6.12 the namespace is a bare token, from 6.13 on
 * it is a string literal. Every vireo export and import goes through these
 * two macros so only this header needs to change.
 */
#if VIREO_KERNEL_SINCE(6, 13, 0)
#define VIREO_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, "VIREO")
#define VIREO_IMPORT_NS()	MODULE_IMPORT_NS("VIREO")
#else
#define VIREO_EXPORT(sym)	EXPORT_SYMBOL_NS_GPL(sym, VIREO)
#define VIREO_IMPORT_NS()	MODULE_IMPORT_NS(VIREO)
#endif

/* 6.11 made the driver argument of bus_type.match const. */
#if VIREO_KERNEL_SINCE(6, 11, 0)
#define vireo_const_drv const
#else
#define vireo_const_drv
#endif

/* 6.3 made the device argument of bus_type.uevent const. */
#if VIREO_KERNEL_SINCE(6, 3, 0)
#define vireo_const_uevent_dev const
#else
#define vireo_const_uevent_dev
#endif

/*
 * 6.4 made bus_register() and the bus pointers in devices and drivers
 * take a const bus; before that a const bus does not compile.
 */
#if VIREO_KERNEL_SINCE(6, 4, 0)
#define vireo_bus_type const struct bus_type
#else
#define vireo_bus_type struct bus_type
#endif

/*
 * PREEMPT_RT before 6.12 (Debian's 6.1 rt) gives sparse no lock context
 * for rt_spin_lock() and rt_spin_unlock(), yet wraps spin_trylock_irqsave()
 * in __cond_lock(), twice: every successful trylock then counts as held
 * forever and sparse reports a context imbalance in each caller. These
 * kernels are the ones with the helper __spin_trylock_irqsave(); there,
 * the trylock goes unannotated like the lock and unlock it pairs with.
 * The compiler never sees this: __cond_lock() is the bare condition.
 */
#if defined(__CHECKER__) && defined(CONFIG_PREEMPT_RT) && \
	defined(__spin_trylock_irqsave)
#undef spin_trylock_irqsave
#define spin_trylock_irqsave(lock, flags)		\
({							\
	typecheck(unsigned long, flags);		\
	flags = 0;					\
	rt_spin_trylock(lock);				\
})
#endif

#endif /* _VIREO_COMPAT_H */
