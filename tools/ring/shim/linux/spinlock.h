/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: spinlocks. The harnesses are single-threaded, so a lock
 * is a flag; taking a held lock (which would deadlock a kernel) or
 * releasing a free one is a BUG.
 */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <linux/bug.h>
#include <linux/types.h>

typedef struct {
	int locked;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name)	{ 0 }
#define DEFINE_SPINLOCK(name)		spinlock_t name = __SPIN_LOCK_UNLOCKED(name)

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->locked = 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	BUG_ON(lock->locked);
	lock->locked = 1;
}

static inline void spin_unlock(spinlock_t *lock)
{
	BUG_ON(!lock->locked);
	lock->locked = 0;
}

#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_lock_irqsave(l, flags)	do { (flags) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) do { (void)(flags); spin_unlock(l); } while (0)
#define lockdep_assert_held(l)		BUG_ON(!(l)->locked)

#define local_irq_save(flags)		do { (flags) = 0; } while (0)
#define local_irq_restore(flags)	do { (void)(flags); } while (0)

#endif /* _SHIM_LINUX_SPINLOCK_H */
