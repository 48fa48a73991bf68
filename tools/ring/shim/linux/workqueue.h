/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: work items. There is no worker thread: schedule_work()
 * runs the item at once, which is one legal interleaving of the real thing.
 */
#ifndef _SHIM_LINUX_WORKQUEUE_H
#define _SHIM_LINUX_WORKQUEUE_H

#include <linux/types.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
};

#define INIT_WORK(w, f)		do { (w)->func = (f); } while (0)

static inline bool schedule_work(struct work_struct *work)
{
	work->func(work);
	return true;
}

static inline bool cancel_work_sync(struct work_struct *work)
{
	(void)work;
	return false;
}

static inline bool flush_work(struct work_struct *work)
{
	(void)work;
	return false;
}

#endif /* _SHIM_LINUX_WORKQUEUE_H */
