// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_console: the control queues (MULTIPORT) and the ports' life.
 *
 * The host drops a control message when no receive buffer is posted, so
 * the buffers are posted before DEVICE_READY and given back to the
 * device at once: the queue callback copies each message out into a
 * small backlog and reposts its buffer in the same interrupt, and a work
 * item acts on the backlog in process context (adding a port creates a
 * device and may sleep). The backlog is bounded; a host that floods
 * control messages beyond it loses the excess, which is counted.
 *
 * Every message is checked before it is acted on: its length against
 * what its event needs, the port id against max_nr_ports, the event
 * against those the host may send, the port's existence (or absence, for
 * PORT_ADD), a name's terminator and a value's range. A bad message is
 * dropped and counted, with one rate-limited line per kind.
 */
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/minmax.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "vireo_console.h"

/**
 * struct vireo_console_cmsg - a received control message, copied out
 * @list: entry in the device's backlog
 * @len: bytes of @data (at least a header)
 * @data: the message
 */
struct vireo_console_cmsg {
	struct list_head list;
	unsigned int len;
	u8 data[];
};

/* ---- receiving --------------------------------------------------------- */

static struct vireo_console_buf *vireo_console_ctrl_buf(void)
{
	struct vireo_console_buf *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->size = VIREO_CONSOLE_CTRL_BUF_SIZE;
	buf->data = kmalloc(buf->size, GFP_KERNEL);
	if (!buf->data) {
		kfree(buf);
		return NULL;
	}
	return buf;
}

/* Give a control buffer to the device. Caller holds @c_ilock. */
static int vireo_console_ctrl_post(struct vireo_console *con,
				   struct vireo_console_buf *buf)
{
	struct scatterlist sg;
	int err;

	if (!con->ctrl_live)
		return -ENODEV;
	sg_init_one(&sg, buf->data, buf->size);
	err = vireo_vq_add_buf(con->c_ivq, &sg, 0, 1, buf, GFP_ATOMIC);
	if (!err)
		con->ctrl_posted++;
	return err;
}

/* Post control buffers until the queue or VIREO_CONSOLE_CTRL_BUFS is full. */
static int vireo_console_ctrl_fill(struct vireo_console *con)
{
	struct vireo_console_buf *buf;
	unsigned long flags;
	int err = 0;

	while (!err && con->ctrl_posted < VIREO_CONSOLE_CTRL_BUFS) {
		buf = vireo_console_ctrl_buf();
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		spin_lock_irqsave(&con->c_ilock, flags);
		err = vireo_console_ctrl_post(con, buf);
		spin_unlock_irqrestore(&con->c_ilock, flags);
		if (err)
			vireo_console_buf_free(buf);
	}
	/* A full queue is the normal end; fewer buffers will do too. */
	if ((err == -ENOSPC || err == -ENOMEM) && con->ctrl_posted)
		err = 0;
	spin_lock_irqsave(&con->c_ilock, flags);
	if (!err && !vireo_vq_kick(con->c_ivq))
		err = -EIO;
	spin_unlock_irqrestore(&con->c_ilock, flags);
	return err;
}

/* Copy one received message into the backlog. Caller holds @c_ilock. */
static void vireo_console_ctrl_take(struct vireo_console *con,
				    const void *data, unsigned int len)
{
	struct vireo_console_cmsg *m;

	vireo_console_count(con, VC_CTRL_RX);
	if (con->dying)
		return;
	if (len < sizeof(struct vireo_console_ctrl)) {
		vireo_console_bad(con, VC_CTRL_SHORT,
				  "control message of %u bytes", len);
		return;
	}
	if (con->ncmsgs >= VIREO_CONSOLE_CTRL_BACKLOG) {
		vireo_console_bad(con, VC_CTRL_FLOOD,
				  "control message flood, dropping");
		return;
	}
	m = kmalloc(struct_size(m, data, len), GFP_ATOMIC);
	if (!m) {
		vireo_console_count(con, VC_CTRL_FLOOD);
		return;
	}
	m->len = len;
	memcpy(m->data, data, len);
	list_add_tail(&m->list, &con->cmsgs);
	con->ncmsgs++;
}

/**
 * vireo_console_ctrl_in_done - control queue callback: host messages
 * @vq: the control receive queue
 *
 * Context: hard IRQ.
 */
void vireo_console_ctrl_in_done(struct vireo_virtqueue *vq)
{
	struct vireo_console *con = READ_ONCE(vq->vdev->priv);
	struct vireo_console_buf *buf;
	unsigned long flags;
	unsigned int len;
	bool posted = false;

	/* Before the driver set up, or after: see vireo_console_vq_pair(). */
	if (!con)
		return;
	spin_lock_irqsave(&con->c_ilock, flags);
	while (con->ctrl_live && (buf = vireo_vq_get_buf(vq, &len))) {
		con->ctrl_posted--;
		if (len > buf->size) {
			vireo_console_bad(con, VC_LEN_CLAMPED,
					  "control used length %u beyond %u",
					  len, buf->size);
			len = buf->size;
		}
		vireo_console_ctrl_take(con, buf->data, len);
		/* Back to the device at once: the host drops what finds none. */
		if (vireo_console_ctrl_post(con, buf))
			vireo_console_buf_free(buf);
		else
			posted = true;
	}
	if (posted)
		vireo_vq_kick(vq);
	if (con->ncmsgs && !con->dying)
		schedule_work(&con->ctrl_work);
	spin_unlock_irqrestore(&con->c_ilock, flags);
}

/**
 * vireo_console_ctrl_inject - take a control message as if the host sent it
 * @con: a multiport device
 * @msg: the message, header first
 * @len: its length
 *
 * For the debugfs ctrl_inject knob: QEMU never sends some events
 * (RESIZE), and a test must still see them act on a real terminal. The
 * message takes the path and the checks of one from the control queue,
 * and is counted as received.
 *
 * Context: any.
 */
void vireo_console_ctrl_inject(struct vireo_console *con, const void *msg,
			       unsigned int len)
{
	unsigned long flags;

	spin_lock_irqsave(&con->c_ilock, flags);
	vireo_console_ctrl_take(con, msg, len);
	if (con->ncmsgs && !con->dying)
		schedule_work(&con->ctrl_work);
	spin_unlock_irqrestore(&con->c_ilock, flags);
}

/* ---- sending ----------------------------------------------------------- */

/* Free what the device has sent. Caller holds @c_olock. */
static void vireo_console_ctrl_reclaim(struct vireo_console *con)
{
	void *msg;

	while (con->ctrl_live && (msg = vireo_vq_get_buf(con->c_ovq, NULL)))
		kfree(msg);
}

/**
 * vireo_console_ctrl_out_done - control queue callback: messages sent
 * @vq: the control transmit queue
 *
 * Context: hard IRQ.
 */
void vireo_console_ctrl_out_done(struct vireo_virtqueue *vq)
{
	struct vireo_console *con = READ_ONCE(vq->vdev->priv);
	unsigned long flags;

	if (!con)
		return;
	spin_lock_irqsave(&con->c_olock, flags);
	vireo_console_ctrl_reclaim(con);
	spin_unlock_irqrestore(&con->c_olock, flags);
	wake_up_all(&con->c_owait);
}

/* One attempt to queue @msg: 0, -ENOSPC to wait, or another error. */
static int vireo_console_ctrl_try(struct vireo_console *con,
				  struct vireo_console_ctrl *msg)
{
	struct scatterlist sg;
	unsigned long flags;
	int err;

	spin_lock_irqsave(&con->c_olock, flags);
	if (!con->ctrl_live || READ_ONCE(con->dying)) {
		err = -ENODEV;
		goto out;
	}
	vireo_console_ctrl_reclaim(con);
	sg_init_one(&sg, msg, sizeof(*msg));
	err = vireo_vq_add_buf(con->c_ovq, &sg, 1, 0, msg, GFP_ATOMIC);
	if (!err && !vireo_vq_kick(con->c_ovq))
		err = -EIO;	/* the message stays with the queue */
	else if (err && err != -ENOSPC)
		err = -EIO;
out:
	spin_unlock_irqrestore(&con->c_olock, flags);
	return err;
}

static bool vireo_console_ctrl_room(struct vireo_console *con)
{
	unsigned long flags;
	bool room;

	spin_lock_irqsave(&con->c_olock, flags);
	room = !con->ctrl_live || READ_ONCE(con->dying) ||
	       con->c_ovq->num_free;
	spin_unlock_irqrestore(&con->c_olock, flags);
	return room;
}

/**
 * vireo_console_send_ctrl - send a control message to the host
 * @con: the device
 * @id: the port it is about
 * @event: VIREO_CONSOLE_* event
 * @value: its argument
 *
 * Does not wait for the host to take it; waits at most
 * VIREO_CONSOLE_CTRL_WAIT for room on a full queue, and not at all once
 * the device is being removed. A message that cannot be sent is counted.
 *
 * Context: process context, may sleep.
 * Return: 0 once queued, or a negative errno.
 */
int vireo_console_send_ctrl(struct vireo_console *con, u32 id, u16 event,
			    u16 value)
{
	struct vireo_console_ctrl *msg;
	int err;

	if (!con->multiport)
		return 0;
	msg = kmalloc(sizeof(*msg), GFP_KERNEL);
	if (!msg) {
		vireo_console_count(con, VC_CTRL_TX_DROPPED);
		return -ENOMEM;
	}
	msg->id = id;
	msg->event = event;
	msg->value = value;
	err = vireo_console_ctrl_try(con, msg);
	if (err == -ENOSPC) {
		wait_event_timeout(con->c_owait, vireo_console_ctrl_room(con),
				   VIREO_CONSOLE_CTRL_WAIT);
		err = vireo_console_ctrl_try(con, msg);
	}
	if (!err || err == -EIO) {
		/* Queued: the queue owns @msg now, even if the kick failed. */
		vireo_console_count(con, err ? VC_CTRL_TX_DROPPED : VC_CTRL_TX);
		return err;
	}
	kfree(msg);
	vireo_console_count(con, VC_CTRL_TX_DROPPED);
	return err;
}

/**
 * vireo_console_ctrl_start - post control buffers, then DEVICE_READY
 * @con: the device, with MULTIPORT, after DRIVER_OK
 *
 * Context: process context.
 * Return: 0, or a negative errno if no buffer could be posted or the
 * message not sent.
 */
int vireo_console_ctrl_start(struct vireo_console *con)
{
	int err;

	err = vireo_console_ctrl_fill(con);
	if (err) {
		vireo_console_send_ctrl(con, 0, VIREO_CONSOLE_DEVICE_READY, 0);
		return err;
	}
	return vireo_console_send_ctrl(con, 0, VIREO_CONSOLE_DEVICE_READY, 1);
}

/**
 * vireo_console_ctrl_stop - take the control buffers back
 * @con: the device, reset, with the control work cancelled
 *
 * Context: process context.
 */
void vireo_console_ctrl_stop(struct vireo_console *con)
{
	struct vireo_console_cmsg *m, *next;
	struct vireo_console_buf *buf;
	unsigned long flags;
	void *msg;

	spin_lock_irqsave(&con->c_ilock, flags);
	con->ctrl_live = false;
	while ((buf = vireo_vq_shutdown(con->c_ivq)))
		vireo_console_buf_free(buf);
	con->ctrl_posted = 0;
	list_for_each_entry_safe(m, next, &con->cmsgs, list)
		kfree(m);
	INIT_LIST_HEAD(&con->cmsgs);
	con->ncmsgs = 0;
	spin_unlock_irqrestore(&con->c_ilock, flags);

	spin_lock_irqsave(&con->c_olock, flags);
	while ((msg = vireo_vq_shutdown(con->c_ovq)))
		kfree(msg);
	spin_unlock_irqrestore(&con->c_olock, flags);
	wake_up_all(&con->c_owait);
}

/* ---- ports' life ------------------------------------------------------- */

static void vireo_console_port_release(struct kref *kref)
{
	struct vireo_console_port *port =
		container_of(kref, struct vireo_console_port, kref);
	struct vireo_console *con = port->con;

	kfree(port->name);
	kfree(port);
	vireo_console_put(con);
}

/**
 * vireo_console_port_put - drop a reference to a port
 * @port: the port
 *
 * Context: process context (the last put may free the device state).
 */
void vireo_console_port_put(struct vireo_console_port *port)
{
	kref_put(&port->kref, vireo_console_port_release);
}

static struct vireo_console_port *vireo_console_port_alloc(struct vireo_console *con,
							   u32 id)
{
	struct vireo_console_port *port;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return NULL;
	kref_init(&port->kref);
	kref_get(&con->kref);
	port->con = con;
	port->pair = &con->pairs[id];
	port->id = id;
	port->vterm_slot = -1;
	init_waitqueue_head(&port->waitq);
	mutex_init(&port->read_mutex);
	mutex_init(&port->write_mutex);
	INIT_LIST_HEAD(&port->rx_list);
	INIT_LIST_HEAD(&port->hvc_node);
	return port;
}

/* The character device and its class device. */
static int vireo_console_port_chardev(struct vireo_console_port *port)
{
	struct vireo_console *con = port->con;
	dev_t devt;
	int err;

	err = vireo_console_minor_alloc(port);
	if (err)
		return err;
	devt = MKDEV(MAJOR(vireo_console_devt), port->minor);
	port->cdev = cdev_alloc();
	if (!port->cdev) {
		err = -ENOMEM;
		goto err_minor;
	}
	port->cdev->owner = THIS_MODULE;
	port->cdev->ops = &vireo_console_fops;
	err = cdev_add(port->cdev, devt, 1);
	if (err)
		goto err_cdev;
	port->dev = device_create(vireo_console_class, &con->vdev->dev, devt,
				  port, "vportvireo%dp%u", con->index,
				  port->id);
	if (IS_ERR(port->dev)) {
		err = PTR_ERR(port->dev);
		port->dev = NULL;
		goto err_cdev_del;
	}
	return 0;

err_cdev_del:
	/* Unmaps the cdev and drops its reference. */
	cdev_del(port->cdev);
	port->cdev = NULL;
	vireo_console_minor_free(port);
	return err;
err_cdev:
	kobject_put(&port->cdev->kobj);
	port->cdev = NULL;
err_minor:
	vireo_console_minor_free(port);
	return err;
}

static void vireo_console_port_chardev_del(struct vireo_console_port *port)
{
	device_destroy(vireo_console_class,
		       MKDEV(MAJOR(vireo_console_devt), port->minor));
	port->dev = NULL;
	cdev_del(port->cdev);
	port->cdev = NULL;
}

/* Make @port a console: an hvc terminal, and the host is told it is open. */
static void vireo_console_make_console(struct vireo_console_port *port)
{
	struct vireo_console *con = port->con;
	int err;

	if (!vireo_console_port_set_console(port)) {
		vireo_console_bad(con, VC_CTRL_BAD_VALUE,
				  "port %u: console, but open as a port",
				  port->id);
		return;
	}
	if (!con->multiport) {
		port->cols = con->cols;
		port->rows = con->rows;
	}
	err = vireo_console_hvc_add(port);
	if (err)
		dev_err(&con->vdev->dev, "port %u: no hvc terminal (%d)\n",
			port->id, err);
	else
		vireo_console_early_stop(con);
	vireo_console_send_ctrl(con, port->id, VIREO_CONSOLE_PORT_OPEN, 1);
}

/**
 * vireo_console_port_add - add the port the host announced
 * @con: the device
 * @id: the port id, checked by the caller
 * @console: a console from the start (single-port mode)
 *
 * Tells the host PORT_READY with 1, or 0 if the port could not be set up.
 *
 * Context: process context; caller holds @con->lock.
 * Return: 0, or a negative errno with nothing left of the port.
 */
int vireo_console_port_add(struct vireo_console *con, u32 id, bool console)
{
	struct vireo_console_pair *pair = &con->pairs[id];
	struct vireo_console_port *port;
	unsigned long flags;
	int err;

	port = vireo_console_port_alloc(con, id);
	if (!port) {
		err = -ENOMEM;
		goto err_tell;
	}
	err = vireo_console_pair_fill(pair);
	if (err)
		goto err_put;
	err = vireo_console_port_chardev(port);
	if (err)
		goto err_put;

	spin_lock_irqsave(&pair->lock, flags);
	pair->port = port;
	spin_unlock_irqrestore(&pair->lock, flags);
	con->ports[id] = port;
	vireo_console_count(con, VC_PORTS_ADDED);
	if (console)
		vireo_console_make_console(port);
	vireo_console_send_ctrl(con, id, VIREO_CONSOLE_PORT_READY, 1);
	return 0;

err_put:
	vireo_console_port_put(port);
err_tell:
	vireo_console_count(con, VC_PORT_ADD_FAILED);
	dev_err(&con->vdev->dev, "port %u: cannot add (%d)\n", id, err);
	vireo_console_send_ctrl(con, id, VIREO_CONSOLE_PORT_READY, 0);
	return err;
}

/**
 * vireo_console_port_unplug - remove a port, even while it is open
 * @port: the port
 *
 * New opens fail at once; open files are woken and fail from now on
 * (reads -ENODEV, poll hang-up); the hvc terminal and the device node go.
 * The port's memory stays until the last file is closed.
 *
 * Context: process context; caller holds @port->con->lock.
 */
void vireo_console_port_unplug(struct vireo_console_port *port)
{
	struct vireo_console *con = port->con;

	con->ports[port->id] = NULL;
	/* From here on an open that still finds the minor sees it gone. */
	vireo_console_port_detach(port);
	if (port->console)
		vireo_console_hvc_del(port);
	vireo_console_port_chardev_del(port);
	/* Only now may another port get the same minor. */
	vireo_console_minor_free(port);
	vireo_console_count(con, VC_PORTS_REMOVED);
	vireo_console_port_put(port);
}

/**
 * vireo_console_port_set_size - a console's size changed
 * @port: the port
 * @cols: width
 * @rows: height
 *
 * Context: process context; caller holds @port->con->lock.
 */
void vireo_console_port_set_size(struct vireo_console_port *port, u16 cols,
				 u16 rows)
{
	port->cols = cols;
	port->rows = rows;
	if (port->console)
		vireo_console_hvc_resize(port);
}

/* ---- acting on the host's messages ------------------------------------- */

/* A name with its terminator inside the message, and printable. */
static void vireo_console_port_name(struct vireo_console_port *port,
				    const u8 *data, unsigned int len)
{
	struct vireo_console *con = port->con;
	const char *name = (const char *)data;
	const u8 *nul = memchr(data, '\0', len);
	const u8 *p;
	char *copy;

	if (!nul) {
		vireo_console_bad(con, VC_CTRL_BAD_NAME,
				  "port %u: name without terminator", port->id);
		return;
	}
	for (p = data; p < nul; p++) {
		if (!isprint(*p) || *p == '/') {
			vireo_console_bad(con, VC_CTRL_BAD_NAME,
					  "port %u: name with byte 0x%02x",
					  port->id, *p);
			return;
		}
	}
	if (port->name) {
		vireo_console_bad(con, VC_CTRL_DUP, "port %u: named twice",
				  port->id);
		return;
	}
	copy = kstrdup(name, GFP_KERNEL);
	if (!copy)
		return;
	/* sysfs readers see either no name or the whole one. */
	smp_store_release(&port->name, copy);
	/* udev makes /dev/vireo-ports/<name> on this event. */
	kobject_uevent(&port->dev->kobj, KOBJ_CHANGE);
}

static void vireo_console_resize_msg(struct vireo_console_port *port,
				     const u8 *data, unsigned int len)
{
	struct vireo_console_resize size;

	if (len < sizeof(size)) {
		vireo_console_bad(port->con, VC_CTRL_SHORT,
				  "port %u: resize without a size", port->id);
		return;
	}
	memcpy(&size, data, sizeof(size));
	vireo_console_port_set_size(port, size.cols, size.rows);
}

/* The events about an existing port. */
static void vireo_console_port_msg(struct vireo_console_port *port,
				   const struct vireo_console_ctrl *hdr,
				   const u8 *data, unsigned int len)
{
	struct vireo_console *con = port->con;

	switch (hdr->event) {
	case VIREO_CONSOLE_PORT_ADD:
		vireo_console_bad(con, VC_CTRL_DUP, "port %u added twice",
				  hdr->id);
		break;
	case VIREO_CONSOLE_PORT_REMOVE:
		vireo_console_port_unplug(port);
		break;
	case VIREO_CONSOLE_CONSOLE_PORT:
		if (hdr->value != 1)
			vireo_console_bad(con, VC_CTRL_BAD_VALUE,
					  "port %u: console value %u",
					  hdr->id, hdr->value);
		else if (port->console)
			vireo_console_bad(con, VC_CTRL_DUP,
					  "port %u: console twice", hdr->id);
		else
			vireo_console_make_console(port);
		break;
	case VIREO_CONSOLE_RESIZE:
		vireo_console_resize_msg(port, data, len);
		break;
	case VIREO_CONSOLE_PORT_OPEN:
		if (hdr->value > 1)
			vireo_console_bad(con, VC_CTRL_BAD_VALUE,
					  "port %u: open value %u",
					  hdr->id, hdr->value);
		else
			vireo_console_port_host_open(port, hdr->value);
		break;
	case VIREO_CONSOLE_PORT_NAME:
		vireo_console_port_name(port, data, len);
		break;
	}
}

static bool vireo_console_host_event(u16 event)
{
	switch (event) {
	case VIREO_CONSOLE_PORT_ADD:
	case VIREO_CONSOLE_PORT_REMOVE:
	case VIREO_CONSOLE_CONSOLE_PORT:
	case VIREO_CONSOLE_RESIZE:
	case VIREO_CONSOLE_PORT_OPEN:
	case VIREO_CONSOLE_PORT_NAME:
		return true;
	}
	return false;
}

/* One message, at least a header long. Caller holds @con->lock. */
static void vireo_console_handle(struct vireo_console *con,
				 const u8 *msg, unsigned int len)
{
	struct vireo_console_ctrl hdr;
	struct vireo_console_port *port;

	memcpy(&hdr, msg, sizeof(hdr));
	msg += sizeof(hdr);
	len -= sizeof(hdr);
	if (!vireo_console_host_event(hdr.event)) {
		vireo_console_bad(con, VC_CTRL_UNKNOWN,
				  "unknown control event %u", hdr.event);
		return;
	}
	if (hdr.id >= con->max_nr_ports) {
		vireo_console_bad(con, VC_CTRL_BAD_ID,
				  "control event %u for port %u of %u",
				  hdr.event, hdr.id, con->max_nr_ports);
		return;
	}
	port = con->ports[hdr.id];
	if (port) {
		vireo_console_port_msg(port, &hdr, msg, len);
		return;
	}
	if (hdr.event == VIREO_CONSOLE_PORT_ADD)
		vireo_console_port_add(con, hdr.id, false);
	else
		vireo_console_bad(con, VC_CTRL_NO_PORT,
				  "control event %u for absent port %u",
				  hdr.event, hdr.id);
}

static struct vireo_console_cmsg *vireo_console_next_cmsg(struct vireo_console *con)
{
	struct vireo_console_cmsg *m;
	unsigned long flags;

	spin_lock_irqsave(&con->c_ilock, flags);
	m = list_first_entry_or_null(&con->cmsgs, struct vireo_console_cmsg,
				     list);
	if (m) {
		list_del(&m->list);
		con->ncmsgs--;
	}
	spin_unlock_irqrestore(&con->c_ilock, flags);
	return m;
}

/**
 * vireo_console_ctrl_work - act on the received control messages
 * @work: the device's @ctrl_work
 *
 * At most VIREO_CONSOLE_CTRL_BATCH messages a run; the rest wait for
 * the next run, so that a flood cannot keep the worker.
 *
 * Context: process context (the system workqueue).
 */
void vireo_console_ctrl_work(struct work_struct *work)
{
	struct vireo_console *con = container_of(work, struct vireo_console,
						 ctrl_work);
	struct vireo_console_cmsg *m;
	unsigned long flags;
	unsigned int n;

	for (n = 0; n < VIREO_CONSOLE_CTRL_BATCH; n++) {
		if (READ_ONCE(con->ctrl_paused))
			return;
		m = vireo_console_next_cmsg(con);
		if (!m)
			return;
		mutex_lock(&con->lock);
		if (!con->removed)
			vireo_console_handle(con, m->data, m->len);
		mutex_unlock(&con->lock);
		kfree(m);
	}
	spin_lock_irqsave(&con->c_ilock, flags);
	if (con->ncmsgs && !con->dying)
		schedule_work(&con->ctrl_work);
	spin_unlock_irqrestore(&con->c_ilock, flags);
}

/**
 * vireo_console_ctrl_pause - stop or restart acting on control messages
 * @con: the device
 * @pause: true to leave received messages in the backlog
 *
 * Messages keep being received (and the backlog keeps its bound) while
 * paused; restarting acts on what waits.
 *
 * Context: any.
 */
void vireo_console_ctrl_pause(struct vireo_console *con, bool pause)
{
	unsigned long flags;

	spin_lock_irqsave(&con->c_ilock, flags);
	WRITE_ONCE(con->ctrl_paused, pause);
	if (!pause && con->ncmsgs && !con->dying)
		schedule_work(&con->ctrl_work);
	spin_unlock_irqrestore(&con->c_ilock, flags);
}
