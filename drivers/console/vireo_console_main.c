// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_console: the module, probe and remove, config space, the queues,
 * EMERG_WRITE, the counters and debugfs. See vireo_console.h for how the
 * driver is split and for its objects, lifetimes and locks.
 *
 * Without MULTIPORT the device is one console port on queues 0 and 1.
 * With it, the driver posts control receive buffers, says DEVICE_READY
 * and then learns its ports from the host's control messages.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "vireo_console.h"

struct class *vireo_console_class;
dev_t vireo_console_devt;
static DEFINE_IDA(vireo_console_ida);
static struct dentry *vireo_console_debugfs_root;

/* The debugfs names of the counters, in enum vireo_console_stat order. */
static const char *const vireo_console_stat_names[VC_NSTATS] = {
	[VC_CTRL_RX]		= "ctrl_rx",
	[VC_CTRL_TX]		= "ctrl_tx",
	[VC_CTRL_TX_DROPPED]	= "ctrl_tx_dropped",
	[VC_CTRL_FLOOD]		= "ctrl_flood_dropped",
	[VC_CTRL_SHORT]		= "ctrl_short",
	[VC_CTRL_BAD_ID]	= "ctrl_bad_id",
	[VC_CTRL_DUP]		= "ctrl_duplicate",
	[VC_CTRL_NO_PORT]	= "ctrl_no_port",
	[VC_CTRL_UNKNOWN]	= "ctrl_unknown",
	[VC_CTRL_BAD_NAME]	= "ctrl_bad_name",
	[VC_CTRL_BAD_VALUE]	= "ctrl_bad_value",
	[VC_LEN_CLAMPED]	= "len_clamped",
	[VC_RX_NO_PORT]		= "rx_no_port",
	[VC_PORTS_ADDED]	= "ports_added",
	[VC_PORTS_REMOVED]	= "ports_removed",
	[VC_PORT_ADD_FAILED]	= "port_add_failed",
	[VC_EMERG_BYTES]	= "emerg_bytes",
};

/* Messages about the device's misbehaviour: one per kind per minute. */
#define VIREO_CONSOLE_MSG_INTERVAL	(60 * HZ)

/**
 * vireo_console_count - count an event that is not a fault
 * @con: the device
 * @stat: what happened
 *
 * Context: any.
 */
void vireo_console_count(struct vireo_console *con,
			 enum vireo_console_stat stat)
{
	atomic_inc(&con->stats[stat]);
}

/**
 * vireo_console_bad - count something the device got wrong, and say so
 * @con: the device
 * @stat: the kind of fault
 * @fmt: printf format of the message
 *
 * The message is rate-limited per kind, so a flood of the same fault
 * costs one line.
 *
 * Context: any, but not under a pair's lock (see vireo_console.h).
 */
void vireo_console_bad(struct vireo_console *con, enum vireo_console_stat stat,
		       const char *fmt, ...)
{
	va_list args;

	atomic_inc(&con->stats[stat]);
	va_start(args, fmt);
	vireo_console_vsay(con, stat, fmt, args);
	va_end(args);
}

/**
 * vireo_console_vsay - the message of vireo_console_bad(), without counting
 * @con: the device
 * @stat: the kind of fault, already counted by the caller
 * @fmt: printf format of the message
 * @args: its arguments
 *
 * For faults counted where printing is not allowed (under a pair's lock)
 * and reported afterwards.
 *
 * Context: any, but not under a pair's lock.
 */
void vireo_console_vsay(struct vireo_console *con, enum vireo_console_stat stat,
			const char *fmt, va_list args)
{
	struct va_format vaf;
	va_list copy;

	if (!__ratelimit(&con->rs[stat]))
		return;
	va_copy(copy, args);
	vaf.fmt = fmt;
	vaf.va = &copy;
	dev_warn(&con->vdev->dev, "%pV (%s; further ones counted only)\n",
		 &vaf, vireo_console_stat_names[stat]);
	va_end(copy);
}

/**
 * vireo_console_say - vireo_console_vsay() with its arguments
 * @con: the device
 * @stat: the kind of fault, already counted by the caller
 * @fmt: printf format of the message
 *
 * Context: any, but not under a pair's lock.
 */
void vireo_console_say(struct vireo_console *con, enum vireo_console_stat stat,
		       const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vireo_console_vsay(con, stat, fmt, args);
	va_end(args);
}

static void vireo_console_release(struct kref *kref)
{
	struct vireo_console *con = container_of(kref, struct vireo_console,
						 kref);

	kfree(con->vq_names);
	kfree(con->ports);
	kfree(con->pairs);
	kfree(con);
}

/**
 * vireo_console_put - drop a reference to the device state
 * @con: the device
 *
 * Context: any; frees only memory.
 */
void vireo_console_put(struct vireo_console *con)
{
	kref_put(&con->kref, vireo_console_release);
}

/**
 * vireo_console_emerg_write - put bytes out through config emerg_wr
 * @con: the device
 * @buf: the bytes
 * @len: how many
 *
 * One config write per byte: the device takes the low byte of each
 * write to emerg_wr. Needs no queue, so it works before the queues are
 * up and after they failed.
 *
 * Context: any (a config write).
 * Return: 0, -EOPNOTSUPP without EMERG_WRITE, or the config write's error.
 */
int vireo_console_emerg_write(struct vireo_console *con, const u8 *buf,
			      size_t len)
{
	unsigned int off = offsetof(struct vireo_console_config, emerg_wr);
	size_t i;
	u32 v;
	int err;

	if (!con->emerg)
		return -EOPNOTSUPP;
	for (i = 0; i < len; i++) {
		v = buf[i];
		err = vireo_config_write(con->vdev, off, &v, sizeof(v));
		if (err)
			return err;
		vireo_console_count(con, VC_EMERG_BYTES);
	}
	return 0;
}

/* Read at probe; writable at run time for devices probed afterwards. */
static bool vireo_early_console;
module_param_named(early_console, vireo_early_console, bool, 0644);
MODULE_PARM_DESC(early_console,
		 "print kernel messages through EMERG_WRITE from probe until a console port has its terminal");

static void vireo_console_early_write(struct console *co, const char *s,
				      unsigned int n)
{
	struct vireo_console *con = container_of(co, struct vireo_console,
						 early);

	vireo_console_emerg_write(con, (const u8 *)s, n);
}

/*
 * The early write path: before any queue exists, kernel messages reach
 * the host's console through config writes alone. Pre-enabled, like
 * netconsole, so no console= argument is needed.
 */
static void vireo_console_early_start(struct vireo_console *con)
{
	if (!READ_ONCE(vireo_early_console) || !con->emerg)
		return;
	strscpy(con->early.name, "vireo_emerg", sizeof(con->early.name));
	con->early.index = con->index;
	con->early.flags = CON_ENABLED;
	con->early.write = vireo_console_early_write;
	register_console(&con->early);
	con->early_on = true;
}

/**
 * vireo_console_early_stop - end the early write path
 * @con: the device
 *
 * Context: process context; caller holds @con->lock, or is probe or
 * remove.
 */
void vireo_console_early_stop(struct vireo_console *con)
{
	if (!con->early_on)
		return;
	unregister_console(&con->early);
	con->early_on = false;
}

/* ---- config space ------------------------------------------------------ */

/* max_nr_ports, checked: from 1 to VIREO_CONSOLE_MAX_PORTS. */
static int vireo_console_read_max_ports(struct vireo_console *con)
{
	u32 max;
	int err;

	con->max_nr_ports = 1;
	if (!con->multiport)
		return 0;
	err = vireo_cread32(con->vdev,
			    offsetof(struct vireo_console_config, max_nr_ports),
			    &max);
	if (err)
		return err;
	if (!max) {
		dev_warn(&con->vdev->dev, "max_nr_ports is 0, using 1\n");
		max = 1;
	} else if (max > VIREO_CONSOLE_MAX_PORTS) {
		dev_warn(&con->vdev->dev, "max_nr_ports %u, using %u\n", max,
			 VIREO_CONSOLE_MAX_PORTS);
		max = VIREO_CONSOLE_MAX_PORTS;
	}
	con->max_nr_ports = max;
	return 0;
}

/* The console size from config (SIZE); unchanged if unreadable. */
static void vireo_console_read_size(struct vireo_console *con)
{
	u16 cols, rows;

	if (!con->has_size)
		return;
	if (vireo_cread16(con->vdev, offsetof(struct vireo_console_config,
					      cols), &cols) ||
	    vireo_cread16(con->vdev, offsetof(struct vireo_console_config,
					      rows), &rows))
		return;
	con->cols = cols;
	con->rows = rows;
}

/* ---- queues ------------------------------------------------------------ */

/* Queue numbers of port @id's pair: 0/1 for port 0, then 4/5, 6/7... */
static unsigned int vireo_console_rxq(u32 id)
{
	return id ? 2 * (id + 1) : VIREO_CONSOLE_Q_RX0;
}

static void vireo_console_vq_info(struct vireo_console *con,
				  struct vireo_vq_info *info, unsigned int q,
				  bool rx, u32 id)
{
	snprintf(con->vq_names[q], sizeof(con->vq_names[q]), "%s%u",
		 rx ? "rx" : "tx", id);
	info[q].name = con->vq_names[q];
	if (rx) {
		info[q].callback = vireo_console_rx_done;
		info[q].max_bufs = VIREO_CONSOLE_RX_BUFS;
		/* A length beyond the buffer is counted here, not hidden. */
		info[q].exact_len = true;
	} else {
		info[q].callback = vireo_console_tx_done;
		info[q].max_sg = VIREO_CONSOLE_TX_PAGES;
		info[q].max_bufs = VIREO_CONSOLE_TX_BUFS;
	}
}

static void vireo_console_ctrl_info(struct vireo_console *con,
				    struct vireo_vq_info *info)
{
	unsigned int q = VIREO_CONSOLE_Q_CTRL_RX;

	strscpy(con->vq_names[q], "c_rx", sizeof(con->vq_names[q]));
	info[q].name = con->vq_names[q];
	info[q].callback = vireo_console_ctrl_in_done;
	info[q].max_bufs = VIREO_CONSOLE_CTRL_BUFS;
	info[q].exact_len = true;
	q = VIREO_CONSOLE_Q_CTRL_TX;
	strscpy(con->vq_names[q], "c_tx", sizeof(con->vq_names[q]));
	info[q].name = con->vq_names[q];
	info[q].callback = vireo_console_ctrl_out_done;
}

/**
 * vireo_console_vq_pair - the pair a port queue belongs to
 * @vq: a port's receive or transmit queue
 *
 * Found from the queue's number, not from anything the queue carries, so
 * that an interrupt arriving before the driver finished setting up (a
 * device may report used buffers it was never given) finds a pair that
 * is not live yet and does nothing.
 *
 * Context: any.
 * Return: the pair, or NULL if there is none.
 */
struct vireo_console_pair *vireo_console_vq_pair(struct vireo_virtqueue *vq)
{
	struct vireo_console *con = READ_ONCE(vq->vdev->priv);
	unsigned int id;

	if (!con)
		return NULL;
	id = vq->index < 2 ? 0 : vq->index / 2 - 1;
	if (id >= con->max_nr_ports || (!con->multiport && vq->index >= 2))
		return NULL;
	return &con->pairs[id];
}

/* The queues exist: make them usable, each under its lock. */
static void vireo_console_bind_vqs(struct vireo_console *con,
				   struct vireo_virtqueue **vqs)
{
	struct vireo_console_pair *pair;
	unsigned long flags;
	unsigned int q;
	u32 id;

	for (id = 0; id < con->max_nr_ports; id++) {
		pair = &con->pairs[id];
		q = vireo_console_rxq(id);
		spin_lock_irqsave(&pair->lock, flags);
		pair->in_vq = vqs[q];
		pair->out_vq = vqs[q + 1];
		pair->live = true;
		spin_unlock_irqrestore(&pair->lock, flags);
	}
	if (!con->multiport)
		return;
	spin_lock_irqsave(&con->c_ilock, flags);
	con->c_ivq = vqs[VIREO_CONSOLE_Q_CTRL_RX];
	spin_lock(&con->c_olock);
	con->c_ovq = vqs[VIREO_CONSOLE_Q_CTRL_TX];
	con->ctrl_live = true;
	spin_unlock(&con->c_olock);
	spin_unlock_irqrestore(&con->c_ilock, flags);
}

static int vireo_console_find_vqs(struct vireo_console *con)
{
	unsigned int nvqs = con->multiport ? 2 * (con->max_nr_ports + 1) : 2;
	struct vireo_virtqueue **vqs;
	struct vireo_vq_info *info;
	unsigned int q;
	u32 id;
	int err = -ENOMEM;

	con->vq_names = kcalloc(nvqs, sizeof(*con->vq_names), GFP_KERNEL);
	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	vqs = kcalloc(nvqs, sizeof(*vqs), GFP_KERNEL);
	if (!con->vq_names || !info || !vqs)
		goto out_free;
	for (id = 0; id < con->max_nr_ports; id++) {
		q = vireo_console_rxq(id);
		vireo_console_vq_info(con, info, q, true, id);
		vireo_console_vq_info(con, info, q + 1, false, id);
	}
	if (con->multiport)
		vireo_console_ctrl_info(con, info);
	err = vireo_find_vqs(con->vdev, nvqs, vqs, info);
	if (!err)
		vireo_console_bind_vqs(con, vqs);
out_free:
	kfree(vqs);
	kfree(info);
	return err;
}

/*
 * The device was reset: take every buffer back and stop using the queues.
 * The pair and control locks make sure no file operation is using a
 * queue at the same time.
 */
static void vireo_console_stop_queues(struct vireo_console *con)
{
	u32 id;

	for (id = 0; id < con->max_nr_ports; id++)
		vireo_console_pair_stop(&con->pairs[id]);
	if (con->multiport)
		vireo_console_ctrl_stop(con);
}

/* ---- debugfs ----------------------------------------------------------- */

static int vireo_console_ports_show(struct seq_file *s, void *unused)
{
	struct vireo_console *con = s->private;
	struct vireo_console_port *port;
	unsigned long flags;
	u32 id;

	mutex_lock(&con->lock);
	for (id = 0; id < con->max_nr_ports; id++) {
		port = con->ports[id];
		if (!port)
			continue;
		spin_lock_irqsave(&port->pair->lock, flags);
		seq_printf(s, "%u name=%s console=%d guest=%d host=%d size=%ux%u rx=%llu tx=%llu discarded=%llu posted=%u inflight=%u\n",
			   id, port->name ?: "", port->console,
			   port->guest_connected, port->host_connected,
			   port->cols, port->rows, port->bytes_received,
			   port->bytes_sent, port->bytes_discarded,
			   port->pair->rx_posted, port->pair->tx_bufs);
		spin_unlock_irqrestore(&port->pair->lock, flags);
	}
	mutex_unlock(&con->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vireo_console_ports);

/* Up to this many bytes per write to the emerg_write knob. */
#define VIREO_CONSOLE_EMERG_MAX		256U

static ssize_t vireo_console_emerg_knob(struct file *file,
					const char __user *ubuf, size_t len,
					loff_t *ppos)
{
	struct vireo_console *con = file->private_data;
	u8 buf[VIREO_CONSOLE_EMERG_MAX];
	int err;

	len = min_t(size_t, len, sizeof(buf));
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	err = vireo_console_emerg_write(con, buf, len);
	return err ? err : len;
}

static const struct file_operations vireo_console_emerg_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= vireo_console_emerg_knob,
	.llseek	= noop_llseek,
};

static ssize_t vireo_console_pause_knob(struct file *file,
					const char __user *ubuf, size_t len,
					loff_t *ppos)
{
	struct vireo_console *con = file->private_data;
	bool pause;
	int err;

	err = kstrtobool_from_user(ubuf, len, &pause);
	if (err)
		return err;
	vireo_console_ctrl_pause(con, pause);
	return len;
}

static const struct file_operations vireo_console_pause_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= vireo_console_pause_knob,
	.llseek	= noop_llseek,
};

static ssize_t vireo_console_inject_knob(struct file *file,
					 const char __user *ubuf, size_t len,
					 loff_t *ppos)
{
	struct vireo_console *con = file->private_data;
	void *msg;

	if (!len || len > VIREO_CONSOLE_CTRL_BUF_SIZE)
		return -EINVAL;
	msg = memdup_user(ubuf, len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	vireo_console_ctrl_inject(con, msg, len);
	kfree(msg);
	return len;
}

static const struct file_operations vireo_console_inject_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= vireo_console_inject_knob,
	.llseek	= noop_llseek,
};

static void vireo_console_debugfs(struct vireo_console *con)
{
	unsigned int i;

	con->debugfs = debugfs_create_dir(dev_name(&con->vdev->dev),
					  vireo_console_debugfs_root);
	for (i = 0; i < VC_NSTATS; i++)
		debugfs_create_atomic_t(vireo_console_stat_names[i], 0444,
					con->debugfs, &con->stats[i]);
	debugfs_create_file("ports", 0444, con->debugfs, con,
			    &vireo_console_ports_fops);
	if (con->emerg)
		debugfs_create_file("emerg_write", 0200, con->debugfs, con,
				    &vireo_console_emerg_fops);
	if (con->multiport) {
		debugfs_create_file("ctrl_pause", 0200, con->debugfs, con,
				    &vireo_console_pause_fops);
		debugfs_create_file("ctrl_inject", 0200, con->debugfs, con,
				    &vireo_console_inject_fops);
		debugfs_create_u32("ctrl_backlog", 0444, con->debugfs,
				   &con->ncmsgs);
	}
}

/* ---- probe and remove -------------------------------------------------- */

static struct vireo_console *vireo_console_alloc(struct vireo_device *vdev)
{
	struct vireo_console *con;
	unsigned int i;

	con = kzalloc(sizeof(*con), GFP_KERNEL);
	if (!con)
		return NULL;
	kref_init(&con->kref);
	con->vdev = vdev;
	mutex_init(&con->lock);
	spin_lock_init(&con->c_ilock);
	spin_lock_init(&con->c_olock);
	init_waitqueue_head(&con->c_owait);
	INIT_LIST_HEAD(&con->cmsgs);
	INIT_WORK(&con->ctrl_work, vireo_console_ctrl_work);
	for (i = 0; i < VC_NSTATS; i++) {
		ratelimit_state_init(&con->rs[i], VIREO_CONSOLE_MSG_INTERVAL, 1);
		ratelimit_set_flags(&con->rs[i], RATELIMIT_MSG_ON_RELEASE);
	}
	con->multiport = vireo_has_feature(vdev, VIREO_CONSOLE_F_MULTIPORT);
	con->emerg = vireo_has_feature(vdev, VIREO_CONSOLE_F_EMERG_WRITE);
	con->has_size = vireo_has_feature(vdev, VIREO_CONSOLE_F_SIZE);
	return con;
}

static int vireo_console_alloc_ports(struct vireo_console *con)
{
	struct vireo_console_pair *pair;
	u32 id;

	con->pairs = kcalloc(con->max_nr_ports, sizeof(*con->pairs),
			     GFP_KERNEL);
	con->ports = kcalloc(con->max_nr_ports, sizeof(*con->ports),
			     GFP_KERNEL);
	if (!con->pairs || !con->ports)
		return -ENOMEM;
	for (id = 0; id < con->max_nr_ports; id++) {
		pair = &con->pairs[id];
		spin_lock_init(&pair->lock);
		INIT_LIST_HEAD(&pair->tx_spare);
		pair->con = con;
		pair->id = id;
	}
	return 0;
}

/* Single-port mode: port 0 is the console, from the start. */
static int vireo_console_start_single(struct vireo_console *con)
{
	int err;

	mutex_lock(&con->lock);
	err = vireo_console_port_add(con, 0, true);
	mutex_unlock(&con->lock);
	return err;
}

/* Everything a port may have left: the ports, the control work. */
static void vireo_console_unplug_all(struct vireo_console *con)
{
	unsigned long flags;
	u32 id;

	spin_lock_irqsave(&con->c_ilock, flags);
	con->dying = true;
	spin_unlock_irqrestore(&con->c_ilock, flags);
	/* A sender waiting for room gives up at once. */
	wake_up_all(&con->c_owait);
	cancel_work_sync(&con->ctrl_work);

	mutex_lock(&con->lock);
	con->removed = true;
	for (id = 0; id < con->max_nr_ports; id++)
		if (con->ports[id])
			vireo_console_port_unplug(con->ports[id]);
	mutex_unlock(&con->lock);
}

/**
 * vireo_console_probe - bind to a console device
 * @vdev: the device
 *
 * Context: process context.
 * Return: 0, or a negative errno with everything undone.
 */
static int vireo_console_probe(struct vireo_device *vdev)
{
	struct vireo_console *con;
	int err;

	con = vireo_console_alloc(vdev);
	if (!con)
		return -ENOMEM;
	con->index = ida_alloc(&vireo_console_ida, GFP_KERNEL);
	if (con->index < 0) {
		err = con->index;
		goto err_put;
	}
	err = vireo_console_read_max_ports(con);
	if (err)
		goto err_free_index;
	vireo_console_read_size(con);
	err = vireo_console_alloc_ports(con);
	if (err)
		goto err_free_index;
	vdev->priv = con;
	vireo_console_early_start(con);
	err = vireo_console_find_vqs(con);
	if (err)
		goto err_early;
	vireo_console_debugfs(con);

	/* Ports kick their queues, which is only allowed after DRIVER_OK. */
	vireo_device_ready(vdev);
	if (con->multiport)
		err = vireo_console_ctrl_start(con);
	else
		err = vireo_console_start_single(con);
	if (err)
		goto err_reset;
	return 0;

err_reset:
	vireo_console_unplug_all(con);
	vireo_reset_device(vdev);
	vireo_console_stop_queues(con);
	vireo_del_vqs(vdev);
	debugfs_remove_recursive(con->debugfs);
err_early:
	vireo_console_early_stop(con);
err_free_index:
	vdev->priv = NULL;
	ida_free(&vireo_console_ida, con->index);
err_put:
	vireo_console_put(con);
	return err;
}

/**
 * vireo_console_remove - unbind, with ports open or a device that is stuck
 * @vdev: the device
 *
 * 1. Stop the control work and remove every port: open files are woken
 *    and fail from then on, hvc terminals go away. Nothing here waits for
 *    the device: a control message waits at most VIREO_CONSOLE_CTRL_WAIT,
 *    and none once @dying is set.
 * 2. Reset the device: it stops touching the queues and no callback runs.
 * 3. Take every buffer back, delete the queues.
 * 4. Drop the probe's reference; files still open keep the state until
 *    they are closed.
 *
 * Context: process context.
 */
static void vireo_console_remove(struct vireo_device *vdev)
{
	struct vireo_console *con = vdev->priv;

	vireo_console_unplug_all(con);
	vireo_console_early_stop(con);
	vireo_reset_device(vdev);
	vireo_console_stop_queues(con);
	vireo_del_vqs(vdev);
	debugfs_remove_recursive(con->debugfs);
	vdev->priv = NULL;
	ida_free(&vireo_console_ida, con->index);
	vireo_console_put(con);
}

/**
 * vireo_console_config_changed - the console size may have changed
 * @vdev: the device
 *
 * Only single-port mode takes its size from config; with MULTIPORT the
 * host sends RESIZE for a port instead.
 *
 * Context: process context.
 */
static void vireo_console_config_changed(struct vireo_device *vdev)
{
	struct vireo_console *con = vdev->priv;

	if (!con->has_size)
		return;
	mutex_lock(&con->lock);
	vireo_console_read_size(con);
	if (!con->multiport && !con->removed && con->ports[0])
		vireo_console_port_set_size(con->ports[0], con->cols,
					    con->rows);
	mutex_unlock(&con->lock);
}

static const unsigned int vireo_console_features[] = {
	VIREO_CONSOLE_F_SIZE,
	VIREO_CONSOLE_F_MULTIPORT,
	VIREO_CONSOLE_F_EMERG_WRITE,
};

static const struct vireo_device_id vireo_console_id_table[] = {
	{ VIREO_ID_CONSOLE, VIREO_DEV_ANY_ID },
	{ 0 },
};

static struct vireo_driver vireo_console_driver = {
	.driver.name		= "vireo_console",
	.id_table		= vireo_console_id_table,
	.feature_table		= vireo_console_features,
	.feature_table_size	= ARRAY_SIZE(vireo_console_features),
	.probe			= vireo_console_probe,
	.remove			= vireo_console_remove,
	.config_changed		= vireo_console_config_changed,
};

static int __init vireo_console_init(void)
{
	int err;

	err = alloc_chrdev_region(&vireo_console_devt, 0,
				  VIREO_CONSOLE_MINORS, "vireo-ports");
	if (err)
		return err;
	vireo_console_class = vireo_class_create("vireo-ports");
	if (IS_ERR(vireo_console_class)) {
		err = PTR_ERR(vireo_console_class);
		goto err_region;
	}
	vireo_console_class->dev_groups = vireo_console_port_groups;
	vireo_console_debugfs_root = debugfs_create_dir("vireo_console", NULL);
	err = vireo_register_driver(&vireo_console_driver);
	if (err)
		goto err_debugfs;
	return 0;

err_debugfs:
	debugfs_remove_recursive(vireo_console_debugfs_root);
	class_destroy(vireo_console_class);
err_region:
	unregister_chrdev_region(vireo_console_devt, VIREO_CONSOLE_MINORS);
	return err;
}

static void __exit vireo_console_exit(void)
{
	vireo_unregister_driver(&vireo_console_driver);
	debugfs_remove_recursive(vireo_console_debugfs_root);
	class_destroy(vireo_console_class);
	unregister_chrdev_region(vireo_console_devt, VIREO_CONSOLE_MINORS);
}

module_init(vireo_console_init);
module_exit(vireo_console_exit);

VIREO_IMPORT_NS();
/* The bus's modalias is "vireo:d%08Xv%08X"; this lets modprobe find us. */
MODULE_ALIAS("vireo:d00000003v*");
MODULE_DESCRIPTION("vireo console (serial) device driver");
MODULE_LICENSE("GPL");
