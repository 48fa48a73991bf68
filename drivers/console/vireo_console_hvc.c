// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_console: console ports as hvc terminals.
 *
 * The hvc core names a back end's terminal by a number and calls the back
 * end with it, so each console port gets a number of its own: from
 * VIREO_CONSOLE_VTERM_BASE up, which neither the in-kernel virtio_console
 * (from 1) nor Xen (0) uses, so all three can run in one guest. The hvc
 * core polls the terminal from its own thread; a queue callback that
 * received bytes for a console only kicks that thread.
 *
 * The hvc core may call the back end from any context, also while the
 * kernel prints from inside this driver; see
 * vireo_console_port_put_chars() for how that is kept from deadlocking.
 */
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include "vireo_console.h"

/*
 * Console ports with a terminal, found by terminal number. Readers use
 * RCU: the hvc core calls in from any context, including from a printk
 * made while this driver holds its own locks, so the lookup must not
 * take a lock. Changes are made under vireo_console_hvc_lock, and a port
 * taken off the list is only freed after a grace period.
 */
static LIST_HEAD(vireo_console_hvc_ports);
static DEFINE_SPINLOCK(vireo_console_hvc_lock);
static DEFINE_IDA(vireo_console_vterm_ida);

/* The port of terminal @vtermno. Caller is in an RCU read section. */
static struct vireo_console_port *vireo_console_hvc_find(u32 vtermno)
{
	struct vireo_console_port *port;

	list_for_each_entry_rcu(port, &vireo_console_hvc_ports, hvc_node)
		if (port->vtermno == vtermno)
			return port;
	return NULL;
}

static vireo_hvc_ret_t vireo_console_get_chars(u32 vtermno,
					       vireo_hvc_char_t *buf,
					       vireo_hvc_count_t count)
{
	struct vireo_console_port *port;
	size_t n = 0;

	/* 6.1's count is an int. */
	if ((ssize_t)count <= 0)
		return 0;
	rcu_read_lock();
	port = vireo_console_hvc_find(vtermno);
	if (port)
		n = vireo_console_port_get_chars(port, (u8 *)buf, count);
	rcu_read_unlock();
	return n;
}

static vireo_hvc_ret_t vireo_console_put_chars(u32 vtermno,
					       const vireo_hvc_char_t *buf,
					       vireo_hvc_count_t count)
{
	struct vireo_console_port *port;
	ssize_t n = count;

	/* 6.1's count is an int. */
	if ((ssize_t)count <= 0)
		return 0;
	rcu_read_lock();
	port = vireo_console_hvc_find(vtermno);
	/* A terminal without a port: its output goes nowhere, take it. */
	if (port)
		n = vireo_console_port_put_chars(port, (const u8 *)buf, count);
	rcu_read_unlock();
	return n;
}

static const struct hv_ops vireo_console_hv_ops = {
	.get_chars	= vireo_console_get_chars,
	.put_chars	= vireo_console_put_chars,
};

/* Off the list; returns once no callback can still be using the port. */
static void vireo_console_hvc_unlist(struct vireo_console_port *port)
{
	unsigned long flags;

	spin_lock_irqsave(&vireo_console_hvc_lock, flags);
	list_del_rcu(&port->hvc_node);
	spin_unlock_irqrestore(&vireo_console_hvc_lock, flags);
	synchronize_rcu();
}

/**
 * vireo_console_hvc_add - give a console port its hvc terminal
 * @port: the port
 *
 * Context: process context; caller holds @port->con->lock.
 * Return: 0, or a negative errno (the port then has no terminal).
 */
int vireo_console_hvc_add(struct vireo_console_port *port)
{
	struct hvc_struct *hp;
	unsigned long flags;
	int slot, err;

	slot = ida_alloc(&vireo_console_vterm_ida, GFP_KERNEL);
	if (slot < 0)
		return slot;
	port->vterm_slot = slot;
	port->vtermno = VIREO_CONSOLE_VTERM_BASE + slot;
	spin_lock_irqsave(&vireo_console_hvc_lock, flags);
	list_add_tail_rcu(&port->hvc_node, &vireo_console_hvc_ports);
	spin_unlock_irqrestore(&vireo_console_hvc_lock, flags);

	/* data 0: no interrupt of hvc's own; the queue callback kicks. */
	hp = hvc_alloc(port->vtermno, 0, &vireo_console_hv_ops, PAGE_SIZE);
	if (IS_ERR(hp)) {
		err = PTR_ERR(hp);
		goto err_unlist;
	}
	port->hvc = hp;
	if (port->cols || port->rows)
		vireo_hvc_resize(hp, port->cols, port->rows);
	return 0;

err_unlist:
	vireo_console_hvc_unlist(port);
	ida_free(&vireo_console_vterm_ida, slot);
	port->vterm_slot = -1;
	return err;
}

/**
 * vireo_console_hvc_del - take a console port's terminal away
 * @port: the port, already detached (it sends and receives nothing)
 *
 * Context: process context; caller holds @port->con->lock.
 */
void vireo_console_hvc_del(struct vireo_console_port *port)
{
	if (port->vterm_slot < 0)
		return;
	/* First: no hvc callback finds the port from now on. */
	vireo_console_hvc_unlist(port);
	if (port->hvc)
		hvc_remove(port->hvc);
	port->hvc = NULL;
	ida_free(&vireo_console_vterm_ida, port->vterm_slot);
	port->vterm_slot = -1;
}

/**
 * vireo_console_hvc_resize - tell the terminal the port's size
 * @port: a console port
 *
 * Context: process context; caller holds @port->con->lock.
 */
void vireo_console_hvc_resize(struct vireo_console_port *port)
{
	if (port->hvc)
		vireo_hvc_resize(port->hvc, port->cols, port->rows);
}

/**
 * vireo_console_hvc_kick - a console port received bytes
 *
 * Context: any.
 */
void vireo_console_hvc_kick(void)
{
	hvc_kick();
}
