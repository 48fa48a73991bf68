// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_console: a port's data path and its character device.
 *
 * Receiving: each port id's receive queue keeps up to
 * VIREO_CONSOLE_RX_BUFS one-page buffers posted. A buffer the device
 * fills goes to the port's list of received data if a file has the port
 * open (or it is a console); otherwise its bytes are discarded and
 * counted, as the in-kernel driver does, and the buffer goes straight
 * back to the device. A read copies out of the list and gives each
 * emptied buffer back. The memory a port holds is therefore bounded by
 * the buffers posted, however much the host sends. While a file has the
 * port open its reader collects used buffers itself and the interrupt
 * is off until the reader finds none (vireo_console_rx_reader()).
 *
 * Sending: a write is cut into buffers of up to VIREO_CONSOLE_TX_CHUNK
 * bytes, queued in order under the port's write mutex, so a write larger
 * than one buffer arrives whole and in order. A spliced write (splice(2)
 * to the port, which the VFS turns into a write of the pipe's pages)
 * hands the pages themselves to the device, holding a reference on each
 * until the device is done: no copy. At most VIREO_CONSOLE_TX_MAX bytes
 * and VIREO_CONSOLE_TX_BUFS buffers are with the device per port.
 *
 * Connection state, as the in-kernel virtio_console behaves: while the
 * host has the port closed, a read returns what was received and then 0
 * (end of file), poll reports hang-up, and a write blocks until the host
 * opens it (non-blocking: -EAGAIN). After the port was removed every
 * operation fails with -ENODEV and poll reports hang-up.
 */
#include <linux/fs.h>
#include <linux/signal.h>
#include <linux/minmax.h>
#include <linux/poll.h>
#include <linux/sched/clock.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/xarray.h>
#include "vireo_console.h"

/* Minor -> port, for open(); an entry holds no reference. */
static DEFINE_XARRAY_ALLOC(vireo_console_minors);

/**
 * vireo_console_buf_free - free a buffer and what it holds
 * @buf: the buffer, or NULL
 *
 * Context: any.
 */
void vireo_console_buf_free(struct vireo_console_buf *buf)
{
	unsigned int i;

	if (!buf)
		return;
	for (i = 0; i < buf->npages; i++)
		put_page(buf->pages[i]);
	kfree(buf->data);
	kfree(buf);
}

/* ---- receive buffers --------------------------------------------------- */

static struct vireo_console_buf *vireo_console_rx_buf(void)
{
	struct vireo_console_buf *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->size = VIREO_CONSOLE_RX_BUF_SIZE;
	buf->data = kmalloc(buf->size, GFP_KERNEL);
	if (!buf->data) {
		kfree(buf);
		return NULL;
	}
	return buf;
}

/* Give a receive buffer to the device. Caller holds @pair->lock. */
static int vireo_console_rx_post(struct vireo_console_pair *pair,
				 struct vireo_console_buf *buf)
{
	struct scatterlist sg;
	int err;

	if (!pair->live)
		return -ENODEV;
	buf->len = 0;
	buf->off = 0;
	sg_init_one(&sg, buf->data, buf->size);
	err = vireo_vq_add_buf(pair->in_vq, &sg, 0, 1, buf, GFP_ATOMIC);
	if (!err)
		pair->rx_posted++;
	return err;
}

/*
 * A buffer done with: back to the device, or freed if the queues are
 * gone. Returns true if the queue needs a kick. Caller holds @pair->lock.
 */
static bool vireo_console_rx_recycle(struct vireo_console_pair *pair,
				     struct vireo_console_buf *buf)
{
	if (vireo_console_rx_post(pair, buf)) {
		vireo_console_buf_free(buf);
		return false;
	}
	return true;
}

/**
 * vireo_console_pair_fill - post a port id's receive buffers
 * @pair: the queues
 *
 * Buffers stay with the queue when the port goes, so a port added again
 * finds them posted already.
 *
 * Context: process context.
 * Return: 0 if buffers are posted, or a negative errno.
 */
int vireo_console_pair_fill(struct vireo_console_pair *pair)
{
	struct vireo_console_buf *buf;
	unsigned long flags;
	unsigned int posted;
	int err = 0;

	for (;;) {
		spin_lock_irqsave(&pair->lock, flags);
		posted = pair->rx_posted;
		spin_unlock_irqrestore(&pair->lock, flags);
		if (posted >= VIREO_CONSOLE_RX_BUFS)
			break;
		buf = vireo_console_rx_buf();
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		spin_lock_irqsave(&pair->lock, flags);
		err = vireo_console_rx_post(pair, buf);
		spin_unlock_irqrestore(&pair->lock, flags);
		if (err) {
			vireo_console_buf_free(buf);
			break;
		}
	}
	spin_lock_irqsave(&pair->lock, flags);
	posted = pair->rx_posted;
	if (posted && pair->live && !vireo_vq_kick(pair->in_vq))
		err = -EIO;
	else if (posted)
		err = 0;	/* a full queue or no memory for more: fine */
	spin_unlock_irqrestore(&pair->lock, flags);
	return err;
}

/* Free the kept transmit buffers. Caller holds @pair->lock. */
static void vireo_console_tx_spare_free(struct vireo_console_pair *pair)
{
	struct vireo_console_buf *buf, *next;

	list_for_each_entry_safe(buf, next, &pair->tx_spare, list)
		vireo_console_buf_free(buf);
	INIT_LIST_HEAD(&pair->tx_spare);
	pair->tx_nspare = 0;
}

/**
 * vireo_console_pair_stop - take every buffer back from a reset device
 * @pair: the queues
 *
 * Context: process context, after the device was reset.
 */
void vireo_console_pair_stop(struct vireo_console_pair *pair)
{
	struct vireo_console_buf *buf;
	unsigned long flags;

	spin_lock_irqsave(&pair->lock, flags);
	pair->live = false;
	while ((buf = vireo_vq_shutdown(pair->in_vq)))
		vireo_console_buf_free(buf);
	while ((buf = vireo_vq_shutdown(pair->out_vq)))
		vireo_console_buf_free(buf);
	vireo_console_tx_spare_free(pair);
	pair->rx_posted = 0;
	pair->tx_bufs = 0;
	pair->tx_bytes = 0;
	spin_unlock_irqrestore(&pair->lock, flags);
}

/*
 * One filled buffer: to the port's list if someone reads it, else its
 * bytes are discarded. Returns true if the buffer went back to the
 * device. Caller holds @pair->lock.
 */
static bool vireo_console_rx_one(struct vireo_console_pair *pair,
				 struct vireo_console_buf *buf,
				 unsigned int len)
{
	struct vireo_console_port *port = pair->port;

	if (port && len && (port->guest_connected || port->console)) {
		buf->len = len;
		buf->off = 0;
		list_add_tail(&buf->list, &port->rx_list);
		port->bytes_received += len;
		return false;
	}
	if (port)
		port->bytes_discarded += len;
	else if (len)
		vireo_console_count(pair->con, VC_RX_NO_PORT);
	return vireo_console_rx_recycle(pair, buf);
}

/*
 * Move every used buffer to its port. Returns true if the queue needs a
 * kick; *@clamped is set to a used length beyond its buffer. Caller holds
 * @pair->lock.
 */
static bool vireo_console_rx_drain(struct vireo_console_pair *pair,
				   unsigned int *clamped)
{
	struct vireo_console_buf *buf;
	unsigned int len;
	bool kick = false;

	while (pair->live && (buf = vireo_vq_get_buf(pair->in_vq, &len))) {
		pair->rx_posted--;
		if (len > buf->size) {
			vireo_console_count(pair->con, VC_LEN_CLAMPED);
			*clamped = len;
			len = buf->size;
		}
		kick |= vireo_console_rx_one(pair, buf, len);
	}
	return kick;
}

/*
 * While a file has the port open its reader drives the receive queue, as
 * a NAPI poll does: the interrupt turns itself off, the reader collects
 * used buffers itself (vireo_console_rx_pull()), and asks for the next
 * interrupt only once it finds nothing left (vireo_console_rx_arm()).
 * A reader that keeps up with the host so takes one interrupt per time
 * it catches up, not one per buffer; under emulation each interrupt and
 * wake-up costs far more than the copy it announces. Without a reader
 * (a closed port, a console) every buffer interrupts, so that discarded
 * data goes straight back and hvc hears of each byte.
 */
static bool vireo_console_rx_reader(const struct vireo_console_port *port)
{
	return port && port->guest_connected && !port->console;
}

/*
 * Collect used buffers without asking for an interrupt. Caller holds
 * @pair->lock.
 */
static void vireo_console_rx_pull(struct vireo_console_pair *pair,
				  unsigned int *clamped)
{
	if (vireo_console_rx_drain(pair, clamped))
		vireo_vq_kick(pair->in_vq);
}

/*
 * Nothing left to read: collect what came meanwhile, and ask for an
 * interrupt at the next buffer. Caller holds @pair->lock.
 */
static void vireo_console_rx_arm(struct vireo_console_pair *pair,
				 unsigned int *clamped)
{
	bool kick = false;

	do {
		kick |= vireo_console_rx_drain(pair, clamped);
	} while (pair->live && !vireo_vq_restart(pair->in_vq));
	if (kick)
		vireo_vq_kick(pair->in_vq);
}

/*
 * Say so once a used length was clamped; only with @pair->lock dropped,
 * as printing may come back to a console port's lock.
 */
static void vireo_console_rx_clamped(struct vireo_console_pair *pair,
				     unsigned int clamped)
{
	if (clamped)
		vireo_console_say(pair->con, VC_LEN_CLAMPED,
				  "port %u: used length %u beyond %lu",
				  pair->id, clamped, VIREO_CONSOLE_RX_BUF_SIZE);
}

/**
 * vireo_console_rx_done - receive queue callback
 * @vq: a port id's receive queue
 *
 * Context: hard IRQ.
 */
void vireo_console_rx_done(struct vireo_virtqueue *vq)
{
	struct vireo_console_pair *pair = vireo_console_vq_pair(vq);
	unsigned int clamped = 0;
	bool console = false;
	unsigned long flags;

	if (!pair)
		return;
	spin_lock_irqsave(&pair->lock, flags);
	if (vireo_console_rx_reader(pair->port)) {
		/* Off before the drain, or used_event would follow it. */
		vireo_vq_disable_cb(vq);
		vireo_console_rx_pull(pair, &clamped);
	} else {
		vireo_console_rx_arm(pair, &clamped);
	}
	if (pair->port) {
		/* Under the lock: the port cannot go away meanwhile. */
		wake_up_interruptible(&pair->port->waitq);
		kill_fasync(&pair->port->async, SIGIO, POLL_IN);
		console = pair->port->console;
	}
	spin_unlock_irqrestore(&pair->lock, flags);
	vireo_console_rx_clamped(pair, clamped);
	if (console)
		vireo_console_hvc_kick();
}

/* ---- transmit buffers -------------------------------------------------- */

/* Free what the device has sent. Caller holds @pair->lock. */
static void vireo_console_tx_reclaim(struct vireo_console_pair *pair)
{
	struct vireo_console_buf *buf;

	while (pair->live && (buf = vireo_vq_get_buf(pair->out_vq, NULL))) {
		pair->tx_bufs--;
		pair->tx_bytes -= min_t(size_t, pair->tx_bytes, buf->size);
		if (buf->cap == VIREO_CONSOLE_TX_CHUNK &&
		    pair->tx_nspare < VIREO_CONSOLE_TX_SPARE) {
			list_add(&buf->list, &pair->tx_spare);
			pair->tx_nspare++;
		} else {
			vireo_console_buf_free(buf);
		}
	}
}

/**
 * vireo_console_tx_done - transmit queue callback
 * @vq: a port id's transmit queue
 *
 * Context: hard IRQ.
 */
void vireo_console_tx_done(struct vireo_virtqueue *vq)
{
	struct vireo_console_pair *pair = vireo_console_vq_pair(vq);
	unsigned long flags;

	if (!pair)
		return;
	spin_lock_irqsave(&pair->lock, flags);
	vireo_console_tx_reclaim(pair);
	if (pair->port) {
		wake_up_interruptible(&pair->port->waitq);
		kill_fasync(&pair->port->async, SIGIO, POLL_OUT);
	}
	spin_unlock_irqrestore(&pair->lock, flags);
}

/* Queue @buf (@nsg entries at @sg) for the device. Caller holds the lock. */
static int vireo_console_tx_post(struct vireo_console_port *port,
				 struct vireo_console_buf *buf,
				 struct scatterlist *sg, unsigned int nsg)
{
	struct vireo_console_pair *pair = port->pair;
	int err;

	if (port->gone || !pair->live)
		return -ENODEV;
	err = vireo_vq_add_buf(pair->out_vq, sg, nsg, 0, buf, GFP_ATOMIC);
	if (err)
		return err == -ENOSPC ? err : -EIO;
	pair->tx_bufs++;
	pair->tx_bytes += buf->size;
	port->bytes_sent += buf->size;
	/* A failed kick leaves the buffer queued; the next write finds out. */
	vireo_vq_kick(pair->out_vq);
	return 0;
}

/*
 * Can @port take a buffer of @need descriptors now? 1 yes, 0 not yet, or
 * a negative errno. Caller holds @port->pair->lock.
 */
static int vireo_console_writable_locked(struct vireo_console_port *port,
					 unsigned int need)
{
	struct vireo_console_pair *pair = port->pair;

	if (port->gone || !pair->live)
		return -ENODEV;
	if (vireo_vq_is_broken(pair->out_vq))
		return -EIO;
	if (!port->host_connected)
		return 0;
	vireo_console_tx_reclaim(pair);
	return pair->tx_bytes < VIREO_CONSOLE_TX_MAX &&
	       pair->tx_bufs < VIREO_CONSOLE_TX_BUFS &&
	       pair->out_vq->num_free >= need;
}

static int vireo_console_writable(struct vireo_console_port *port,
				  unsigned int need)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&port->pair->lock, flags);
	ret = vireo_console_writable_locked(port, need);
	spin_unlock_irqrestore(&port->pair->lock, flags);
	return ret;
}

/* Wait until a buffer of @need descriptors can go: 0 or a negative errno. */
static int vireo_console_wait_writable(struct vireo_console_port *port,
				       unsigned int need, bool nonblock)
{
	int ret;

	for (;;) {
		ret = vireo_console_writable(port, need);
		if (ret)
			return ret < 0 ? ret : 0;
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(port->waitq,
					     vireo_console_writable(port, need)))
			return -ERESTARTSYS;
	}
}

/* A kept transmit buffer of @pair, or NULL. */
static struct vireo_console_buf *vireo_console_tx_spare(struct vireo_console_pair *pair)
{
	struct vireo_console_buf *buf;
	unsigned long flags;

	spin_lock_irqsave(&pair->lock, flags);
	buf = list_first_entry_or_null(&pair->tx_spare,
				       struct vireo_console_buf, list);
	if (buf) {
		list_del(&buf->list);
		pair->tx_nspare--;
	}
	spin_unlock_irqrestore(&pair->lock, flags);
	return buf;
}

/* A new transmit buffer for up to @len bytes (fewer if memory is short). */
static struct vireo_console_buf *vireo_console_tx_alloc(size_t len)
{
	struct vireo_console_buf *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	/* A large buffer only if it comes cheap; a page will do. */
	buf->data = kmalloc(len, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (!buf->data && len > PAGE_SIZE) {
		len = PAGE_SIZE;
		buf->data = kmalloc(len, GFP_KERNEL);
	}
	if (!buf->data) {
		kfree(buf);
		return NULL;
	}
	buf->cap = len;
	return buf;
}

/* Copy up to one chunk from @from and queue it: bytes, 0 or an errno. */
static ssize_t vireo_console_tx_copy(struct vireo_console_port *port,
				     struct iov_iter *from)
{
	size_t len = min_t(size_t, iov_iter_count(from),
			   VIREO_CONSOLE_TX_CHUNK);
	struct vireo_console_buf *buf;
	struct scatterlist sg;
	unsigned long flags;
	size_t n;
	int err;

	/*
	 * A kept buffer is a whole chunk, so it fits any write. Only whole
	 * chunks are kept, which only long writes allocate.
	 */
	buf = vireo_console_tx_spare(port->pair);
	if (!buf) {
		buf = vireo_console_tx_alloc(len);
		if (!buf)
			return -ENOMEM;
	}
	n = copy_from_iter(buf->data, min_t(size_t, len, buf->cap), from);
	if (!n) {
		vireo_console_buf_free(buf);
		return -EFAULT;
	}
	buf->size = n;
	sg_init_one(&sg, buf->data, n);
	spin_lock_irqsave(&port->pair->lock, flags);
	err = vireo_console_tx_post(port, buf, &sg, 1);
	spin_unlock_irqrestore(&port->pair->lock, flags);
	if (err) {
		iov_iter_revert(from, n);
		vireo_console_buf_free(buf);
		return err == -ENOSPC ? 0 : err;
	}
	return n;
}

/*
 * Take references to the next pages of @from, up to @max_pages, into
 * @buf and @sg: one entry per page, across the pipe's buffers. Returns
 * the bytes taken (the iterator advanced past them) or a negative errno.
 */
static ssize_t vireo_console_grab_pages(struct vireo_console_buf *buf,
					struct scatterlist *sg,
					struct iov_iter *from,
					unsigned int max_pages)
{
	size_t start, left, chunk, total = 0;
	unsigned int i, n;
	ssize_t got;

	while (buf->npages < max_pages && iov_iter_count(from)) {
		got = iov_iter_get_pages2(from, buf->pages + buf->npages,
					  VIREO_CONSOLE_TX_CHUNK - total,
					  max_pages - buf->npages, &start);
		if (got <= 0) {
			if (!total)
				return got ? got : -EFAULT;
			break;
		}
		n = DIV_ROUND_UP(start + got, PAGE_SIZE);
		for (i = 0, left = got; i < n; i++, start = 0) {
			chunk = min_t(size_t, PAGE_SIZE - start, left);
			sg_set_page(&sg[buf->npages + i],
				    buf->pages[buf->npages + i], chunk, start);
			left -= chunk;
		}
		buf->npages += n;
		total += got;
		if (total >= VIREO_CONSOLE_TX_CHUNK)
			break;
	}
	sg_mark_end(&sg[buf->npages - 1]);
	return total;
}

/* Queue the pages of a spliced write themselves: bytes, 0 or an errno. */
static ssize_t vireo_console_tx_pages(struct vireo_console_port *port,
				      struct iov_iter *from,
				      unsigned int max_pages)
{
	struct scatterlist sg[VIREO_CONSOLE_TX_PAGES];
	struct vireo_console_buf *buf;
	unsigned long flags;
	ssize_t got;
	int err;

	buf = kzalloc(struct_size(buf, pages, VIREO_CONSOLE_TX_PAGES),
		      GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	sg_init_table(sg, VIREO_CONSOLE_TX_PAGES);
	got = vireo_console_grab_pages(buf, sg, from, max_pages);
	if (got < 0) {
		kfree(buf);
		return got;
	}
	buf->size = got;
	spin_lock_irqsave(&port->pair->lock, flags);
	err = vireo_console_tx_post(port, buf, sg, buf->npages);
	spin_unlock_irqrestore(&port->pair->lock, flags);
	if (err) {
		iov_iter_revert(from, got);
		vireo_console_buf_free(buf);
		return err == -ENOSPC ? 0 : err;
	}
	return got;
}

/*
 * Descriptors a spliced buffer may need, and pages it may have: no more
 * than the ring has. 1 once the queues are gone (the write then fails).
 */
static unsigned int vireo_console_tx_max_pages(struct vireo_console_port *port)
{
	struct vireo_console_pair *pair = port->pair;
	unsigned int ring = 1;
	unsigned long flags;

	spin_lock_irqsave(&pair->lock, flags);
	if (pair->live)
		ring = vireo_vq_get_vring_size(pair->out_vq);
	spin_unlock_irqrestore(&pair->lock, flags);
	return clamp_t(unsigned int, ring, 1, VIREO_CONSOLE_TX_PAGES);
}

static bool vireo_console_nonblock(struct kiocb *iocb)
{
	return (iocb->ki_flags & IOCB_NOWAIT) ||
	       (iocb->ki_filp->f_flags & O_NONBLOCK);
}

static ssize_t vireo_console_write_iter(struct kiocb *iocb,
					struct iov_iter *from)
{
	struct vireo_console_port *port = iocb->ki_filp->private_data;
	bool nonblock = vireo_console_nonblock(iocb);
	bool pages = iov_iter_is_bvec(from);
	unsigned int max_pages = 1;
	ssize_t n, total = 0;
	int err = 0;

	if (!iov_iter_count(from))
		return 0;
	if (nonblock) {
		if (!mutex_trylock(&port->write_mutex))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&port->write_mutex)) {
		return -ERESTARTSYS;
	}
	if (pages)
		max_pages = vireo_console_tx_max_pages(port);
	while (iov_iter_count(from)) {
		/* Without indirect descriptors a buffer takes one a page. */
		err = vireo_console_wait_writable(port, max_pages, nonblock);
		if (err)
			break;
		if (pages)
			n = vireo_console_tx_pages(port, from, max_pages);
		else
			n = vireo_console_tx_copy(port, from);
		if (n < 0) {
			err = n;
			break;
		}
		total += n;
	}
	mutex_unlock(&port->write_mutex);
	return total ? total : err;
}

/* ---- reading ----------------------------------------------------------- */

/*
 * Give back a buffer a reader took off the list: to the front of the list
 * if bytes are left and the port still reads, else to the device.
 */
static void vireo_console_rx_return(struct vireo_console_port *port,
				    struct vireo_console_buf *buf)
{
	struct vireo_console_pair *pair = port->pair;
	unsigned long flags;

	spin_lock_irqsave(&pair->lock, flags);
	if (buf->off < buf->len && !port->gone && port->guest_connected)
		list_add(&buf->list, &port->rx_list);
	else if (vireo_console_rx_recycle(pair, buf))
		vireo_vq_kick(pair->in_vq);
	spin_unlock_irqrestore(&pair->lock, flags);
}

static struct vireo_console_buf *vireo_console_rx_first(struct vireo_console_port *port)
{
	struct vireo_console_pair *pair = port->pair;
	struct vireo_console_buf *buf;
	unsigned int clamped = 0;
	unsigned long flags;

	spin_lock_irqsave(&pair->lock, flags);
	if (list_empty(&port->rx_list) && vireo_console_rx_reader(port))
		vireo_console_rx_pull(pair, &clamped);
	buf = list_first_entry_or_null(&port->rx_list,
				       struct vireo_console_buf, list);
	if (buf)
		list_del(&buf->list);
	spin_unlock_irqrestore(&pair->lock, flags);
	vireo_console_rx_clamped(pair, clamped);
	return buf;
}

/*
 * Whether the port has received data, collecting what the device has
 * used; if it has none, the next buffer interrupts. Caller holds the
 * pair's lock.
 */
static bool vireo_console_rx_ready(struct vireo_console_port *port,
				   unsigned int *clamped)
{
	if (list_empty(&port->rx_list) && vireo_console_rx_reader(port)) {
		vireo_console_rx_pull(port->pair, clamped);
		/* Arm only when empty: data waiting needs no interrupt. */
		if (list_empty(&port->rx_list))
			vireo_console_rx_arm(port->pair, clamped);
	}
	return !list_empty(&port->rx_list);
}

/* Copy what has arrived, without waiting: bytes, or -EFAULT. */
static ssize_t vireo_console_read_some(struct vireo_console_port *port,
				       struct iov_iter *to)
{
	struct vireo_console_buf *buf;
	ssize_t total = 0;
	size_t n;

	while (iov_iter_count(to)) {
		buf = vireo_console_rx_first(port);
		if (!buf)
			break;
		n = copy_to_iter(buf->data + buf->off, buf->len - buf->off, to);
		buf->off += n;
		total += n;
		vireo_console_rx_return(port, buf);
		if (!n)
			return total ? total : -EFAULT;
	}
	return total;
}

/* 1: data to read; 0: end of file; or a negative errno. */
static int vireo_console_read_state(struct vireo_console_port *port)
{
	unsigned int clamped = 0;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&port->pair->lock, flags);
	if (port->gone)
		ret = -ENODEV;
	else if (vireo_console_rx_ready(port, &clamped))
		ret = 1;
	else if (!port->host_connected)
		ret = 0;
	else
		ret = -EAGAIN;
	spin_unlock_irqrestore(&port->pair->lock, flags);
	vireo_console_rx_clamped(port->pair, clamped);
	return ret;
}

static int vireo_console_wait_readable(struct vireo_console_port *port)
{
	if (wait_event_interruptible(port->waitq,
				     vireo_console_read_state(port) != -EAGAIN))
		return -ERESTARTSYS;
	return 0;
}

static ssize_t vireo_console_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct vireo_console_port *port = iocb->ki_filp->private_data;
	bool nonblock = vireo_console_nonblock(iocb);
	ssize_t ret;

	if (!iov_iter_count(to))
		return 0;
	if (nonblock) {
		if (!mutex_trylock(&port->read_mutex))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&port->read_mutex)) {
		return -ERESTARTSYS;
	}
	for (;;) {
		ret = vireo_console_read_state(port);
		if (ret == -EAGAIN && !nonblock) {
			ret = vireo_console_wait_readable(port);
			if (ret)
				break;
			continue;
		}
		if (ret <= 0)
			break;
		ret = vireo_console_read_some(port, to);
		/* Taken away meanwhile (the port went): look again. */
		if (ret)
			break;
	}
	mutex_unlock(&port->read_mutex);
	return ret;
}

static __poll_t vireo_console_poll(struct file *file, poll_table *wait)
{
	struct vireo_console_port *port = file->private_data;
	unsigned int clamped = 0;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, &port->waitq, wait);
	spin_lock_irqsave(&port->pair->lock, flags);
	if (port->gone) {
		mask = EPOLLHUP | EPOLLERR;
		goto out;
	}
	if (vireo_console_rx_ready(port, &clamped))
		mask |= EPOLLIN | EPOLLRDNORM;
	/* A read returns 0 at once: readable, and hung up. */
	if (!port->host_connected)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	if (vireo_console_writable_locked(port, 1) > 0)
		mask |= EPOLLOUT | EPOLLWRNORM;
out:
	spin_unlock_irqrestore(&port->pair->lock, flags);
	vireo_console_rx_clamped(port->pair, clamped);
	return mask;
}

/* ---- open and close ---------------------------------------------------- */

/**
 * vireo_console_minor_alloc - give a port a minor open() can find it by
 * @port: the port
 *
 * Context: process context.
 * Return: 0, or -EBUSY when all minors are taken.
 */
int vireo_console_minor_alloc(struct vireo_console_port *port)
{
	u32 minor;
	int err;

	err = xa_alloc(&vireo_console_minors, &minor, port,
		       XA_LIMIT(0, VIREO_CONSOLE_MINORS - 1), GFP_KERNEL);
	if (err)
		return err;
	port->minor = minor;
	return 0;
}

/**
 * vireo_console_minor_free - forget a port's minor
 * @port: the port
 *
 * Context: process context.
 */
void vireo_console_minor_free(struct vireo_console_port *port)
{
	xa_erase(&vireo_console_minors, port->minor);
}

/**
 * vireo_console_port_get - find the port of a minor, with a reference
 * @minor: the minor
 *
 * The device's table holds its reference until after the minor was
 * erased, so a port found here is still alive.
 *
 * Context: any.
 * Return: the port, or NULL.
 */
struct vireo_console_port *vireo_console_port_get(unsigned int minor)
{
	struct vireo_console_port *port;

	xa_lock(&vireo_console_minors);
	port = xa_load(&vireo_console_minors, minor);
	if (port)
		kref_get(&port->kref);
	xa_unlock(&vireo_console_minors);
	return port;
}

/* Received data nobody will read: back to the device. Caller holds lock. */
static void vireo_console_rx_drop(struct vireo_console_port *port)
{
	struct vireo_console_pair *pair = port->pair;
	struct vireo_console_buf *buf, *next;
	bool kick = false;

	list_for_each_entry_safe(buf, next, &port->rx_list, list) {
		list_del(&buf->list);
		port->bytes_discarded += buf->len - buf->off;
		kick |= vireo_console_rx_recycle(pair, buf);
	}
	if (kick)
		vireo_vq_kick(pair->in_vq);
}

static int vireo_console_open(struct inode *inode, struct file *file)
{
	struct vireo_console_port *port;
	unsigned int clamped = 0;
	unsigned long flags;
	int err = 0;

	port = vireo_console_port_get(iminor(inode));
	if (!port)
		return -ENXIO;
	spin_lock_irqsave(&port->pair->lock, flags);
	/* A console is reached through its hvc terminal. */
	if (port->gone || port->console) {
		err = -ENXIO;
	} else if (port->guest_connected) {
		err = -EBUSY;
	} else {
		/*
		 * What came while the port was closed is dropped, also what
		 * the device used before its interrupt ran: the reader,
		 * which collects from the ring itself, would see it next.
		 */
		vireo_console_rx_arm(port->pair, &clamped);
		port->guest_connected = true;
	}
	spin_unlock_irqrestore(&port->pair->lock, flags);
	vireo_console_rx_clamped(port->pair, clamped);
	if (err) {
		vireo_console_port_put(port);
		return err;
	}
	file->private_data = port;
	stream_open(inode, file);
	vireo_console_send_ctrl(port->con, port->id, VIREO_CONSOLE_PORT_OPEN,
				1);
	return 0;
}

static int vireo_console_release(struct inode *inode, struct file *file)
{
	struct vireo_console_port *port = file->private_data;
	unsigned int clamped = 0;
	unsigned long flags;
	bool gone;

	spin_lock_irqsave(&port->pair->lock, flags);
	port->guest_connected = false;
	vireo_console_rx_drop(port);
	/* Interrupts back on; what the device used meanwhile is dropped. */
	vireo_console_rx_arm(port->pair, &clamped);
	vireo_console_tx_spare_free(port->pair);
	gone = port->gone;
	spin_unlock_irqrestore(&port->pair->lock, flags);
	vireo_console_rx_clamped(port->pair, clamped);
	if (!gone)
		vireo_console_send_ctrl(port->con, port->id,
					VIREO_CONSOLE_PORT_OPEN, 0);
	vireo_console_port_put(port);
	return 0;
}

static int vireo_console_fasync(int fd, struct file *file, int on)
{
	struct vireo_console_port *port = file->private_data;

	return fasync_helper(fd, file, on, &port->async);
}

const struct file_operations vireo_console_fops = {
	.owner		= THIS_MODULE,
	.open		= vireo_console_open,
	.release	= vireo_console_release,
	.read_iter	= vireo_console_read_iter,
	.write_iter	= vireo_console_write_iter,
	.splice_write	= iter_file_splice_write,
	.poll		= vireo_console_poll,
	.fasync		= vireo_console_fasync,
};

/* ---- state changes ----------------------------------------------------- */

/**
 * vireo_console_port_detach - the port is gone: wake and fail its users
 * @port: the port
 *
 * Its received data goes back to the device; the queues stay with the
 * device state for a port added again with the same id.
 *
 * Context: process context.
 */
void vireo_console_port_detach(struct vireo_console_port *port)
{
	struct vireo_console_pair *pair = port->pair;
	unsigned int clamped = 0;
	unsigned long flags;

	spin_lock_irqsave(&pair->lock, flags);
	port->gone = true;
	port->host_connected = false;
	if (pair->port == port)
		pair->port = NULL;
	vireo_console_rx_drop(port);
	/* A reader may have had interrupts off: the queue's own are back. */
	vireo_console_rx_arm(pair, &clamped);
	wake_up_interruptible_all(&port->waitq);
	kill_fasync(&port->async, SIGIO, POLL_HUP);
	spin_unlock_irqrestore(&pair->lock, flags);
	vireo_console_rx_clamped(pair, clamped);
}

/**
 * vireo_console_port_host_open - the host opened or closed the port
 * @port: the port
 * @open: its new state
 *
 * Context: process context.
 */
void vireo_console_port_host_open(struct vireo_console_port *port, bool open)
{
	unsigned long flags;

	spin_lock_irqsave(&port->pair->lock, flags);
	/* A console is always open to the host. */
	if (!port->console)
		port->host_connected = open;
	wake_up_interruptible_all(&port->waitq);
	kill_fasync(&port->async, SIGIO, open ? POLL_OUT : POLL_HUP);
	spin_unlock_irqrestore(&port->pair->lock, flags);
}

/**
 * vireo_console_port_set_console - make the port a console
 * @port: the port
 *
 * Context: process context.
 * Return: false if a file has the port open (it stays a plain port).
 */
bool vireo_console_port_set_console(struct vireo_console_port *port)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&port->pair->lock, flags);
	ok = !port->guest_connected;
	if (ok) {
		port->console = true;
		port->host_connected = true;
	}
	spin_unlock_irqrestore(&port->pair->lock, flags);
	return ok;
}

/* ---- the hvc side's access to a console port --------------------------- */

/**
 * vireo_console_port_get_chars - take received bytes for the hvc terminal
 * @port: a console port
 * @buf: where to put them
 * @count: room at @buf
 *
 * Context: any; takes the pair's lock.
 * Return: bytes copied.
 */
size_t vireo_console_port_get_chars(struct vireo_console_port *port, u8 *buf,
				    size_t count)
{
	struct vireo_console_pair *pair = port->pair;
	struct vireo_console_buf *rb;
	unsigned long flags;
	bool kick = false;
	size_t n, done = 0;

	spin_lock_irqsave(&pair->lock, flags);
	while (done < count && !port->gone &&
	       (rb = list_first_entry_or_null(&port->rx_list,
					      struct vireo_console_buf,
					      list))) {
		n = min_t(size_t, count - done, rb->len - rb->off);
		memcpy(buf + done, rb->data + rb->off, n);
		rb->off += n;
		done += n;
		if (rb->off >= rb->len) {
			list_del(&rb->list);
			kick |= vireo_console_rx_recycle(pair, rb);
		}
	}
	if (kick)
		vireo_vq_kick(pair->in_vq);
	spin_unlock_irqrestore(&pair->lock, flags);
	return done;
}

/*
 * The queue is full or its lock taken. hvc's console writer spins for as
 * long as put_chars says -EAGAIN (its tty writer just retries later), so
 * say it only for VIREO_CONSOLE_HVC_SPIN_NS; then drop (0), and drop at
 * once while the device still takes nothing.
 */
static ssize_t vireo_console_hvc_busy(struct vireo_console_port *port)
{
	u64 now = local_clock(), since = READ_ONCE(port->hvc_busy_since);

	if (READ_ONCE(port->hvc_stalled))
		return 0;
	if (!since) {
		WRITE_ONCE(port->hvc_busy_since, now ?: 1);
		return -EAGAIN;
	}
	if (now - since < VIREO_CONSOLE_HVC_SPIN_NS)
		return -EAGAIN;
	WRITE_ONCE(port->hvc_stalled, true);
	return 0;
}

/*
 * Queue a copy of @buf. 0, -ENOSPC (full), -ENOMEM, or -ENODEV when it
 * can never go out this way. Caller holds @port->pair->lock.
 */
static int vireo_console_hvc_post(struct vireo_console_port *port,
				  const u8 *buf, size_t count)
{
	struct vireo_console_pair *pair = port->pair;
	struct vireo_console_buf *tb;
	struct scatterlist sg;
	int err;

	if (port->gone || !pair->live || vireo_vq_is_broken(pair->out_vq))
		return -ENODEV;
	vireo_console_tx_reclaim(pair);
	if (pair->tx_bufs >= VIREO_CONSOLE_TX_BUFS)
		return -ENOSPC;
	tb = kzalloc(sizeof(*tb), GFP_ATOMIC);
	if (tb)
		tb->data = kmemdup(buf, count, GFP_ATOMIC);
	if (!tb || !tb->data) {
		vireo_console_buf_free(tb);
		return -ENOMEM;
	}
	tb->size = count;
	sg_init_one(&sg, tb->data, count);
	err = vireo_console_tx_post(port, tb, &sg, 1);
	if (err)
		vireo_console_buf_free(tb);
	return err;
}

/**
 * vireo_console_port_put_chars - send bytes of the hvc terminal
 * @port: a console port
 * @buf: the bytes
 * @count: how many
 *
 * Never waits for the device. Before the queues are up or after they
 * failed, the bytes go out through EMERG_WRITE if the device has it, and
 * are dropped otherwise. If the lock is busy (another CPU in the driver,
 * or the kernel printing from inside it) or the queue is full, nothing is
 * sent, and hvc is asked to try again: its console writer at once (for a
 * bounded time, see vireo_console_hvc_busy()), its tty writer later.
 *
 * Context: any.
 * Return: bytes taken (sent, or dropped), -EAGAIN to be called again, or
 * 0 when bytes are refused without a retry being wanted.
 */
ssize_t vireo_console_port_put_chars(struct vireo_console_port *port,
				     const u8 *buf, size_t count)
{
	unsigned long flags;
	bool emerg;
	int err;

	count = min_t(size_t, count, PAGE_SIZE);
	if (!spin_trylock_irqsave(&port->pair->lock, flags))
		return vireo_console_hvc_busy(port);
	err = vireo_console_hvc_post(port, buf, count);
	emerg = err == -ENODEV && !port->gone;
	spin_unlock_irqrestore(&port->pair->lock, flags);
	if (err == -ENOSPC)
		return vireo_console_hvc_busy(port);
	WRITE_ONCE(port->hvc_busy_since, 0);
	WRITE_ONCE(port->hvc_stalled, false);
	if (err == -ENOMEM)
		return 0;	/* the tty writer retries; the console drops */
	if (emerg)
		vireo_console_emerg_write(port->con, buf, count);
	/*
	 * Sent, or taken (through EMERG_WRITE, or dropped) so that hvc does
	 * not retry a queue that will never work again.
	 */
	return count;
}

/* ---- sysfs ------------------------------------------------------------- */

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct vireo_console_port *port = dev_get_drvdata(dev);
	/* Pairs with the release in vireo_console_port_name(). */
	const char *name = smp_load_acquire(&port->name);

	return sysfs_emit(buf, "%s\n", name ?: "");
}
static DEVICE_ATTR_RO(name);

static ssize_t console_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vireo_console_port *port = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", READ_ONCE(port->console));
}
static DEVICE_ATTR_RO(console);

static struct attribute *vireo_console_port_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_console.attr,
	NULL,
};

static const struct attribute_group vireo_console_port_group = {
	.attrs = vireo_console_port_attrs,
};

const struct attribute_group *vireo_console_port_groups[] = {
	&vireo_console_port_group,
	NULL,
};
