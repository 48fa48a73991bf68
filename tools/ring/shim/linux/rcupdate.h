/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: RCU with one thread. Readers cannot overlap a grace
 * period, so waiting for one returns at once.
 */
#ifndef _SHIM_LINUX_RCUPDATE_H
#define _SHIM_LINUX_RCUPDATE_H

#include <linux/compiler.h>

#define rcu_read_lock()			do { } while (0)
#define rcu_read_unlock()		do { } while (0)
#define synchronize_rcu()		do { } while (0)
#define rcu_dereference(p)		READ_ONCE(p)
#define rcu_assign_pointer(p, v)	WRITE_ONCE(p, v)

#endif /* _SHIM_LINUX_RCUPDATE_H */
