/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: interrupts. There are none: a test "raises" one by
 * calling the handler, so waiting for running handlers returns at once.
 */
#ifndef _SHIM_LINUX_INTERRUPT_H
#define _SHIM_LINUX_INTERRUPT_H

#include <linux/cpumask.h>
#include <linux/irqreturn.h>
#include <linux/types.h>

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

static inline void synchronize_irq(unsigned int irq)
{
	(void)irq;
}

static inline void disable_irq(unsigned int irq)
{
	(void)irq;
}

static inline void enable_irq(unsigned int irq)
{
	(void)irq;
}

#endif /* _SHIM_LINUX_INTERRUPT_H */
