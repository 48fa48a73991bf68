// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_console against a hostile simulated device: the
 * module's shared helpers.
 *
 * The device is a vireo_simbus device whose handler (ct_handler) plays a
 * console device with MULTIPORT (or without it):
 *
 * - on the control receive queue it leaves the buffers the driver posts
 *   alone (VIREO_SIMBUS_IGNORE) until the case sends a host message:
 *   then it writes the message the case crafted into the oldest buffer
 *   and reports the used length the case chose (ct_host_msg());
 * - on the control transmit queue it records each guest message;
 * - on a port's receive queue it likewise waits until the case delivers
 *   data (ct_rx());
 * - on a port's transmit queue it keeps the guest's bytes in order, so
 *   a case can check that nothing was lost or reordered.
 *
 * The cases reach the driver as a user does: the port's character device
 * through devtmpfs, its attributes through sysfs, the counters through
 * debugfs. One module, a few suites a file: vireo_console_ctrl_test.c
 * (control messages), vireo_console_port_test.c (ports and their data).
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/minmax.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_console_test.h"

VIREO_IMPORT_NS();

struct ct_state *ct_state(struct vireo_simbus_dev *sb)
{
	return sb->setup.priv;
}

static bool ct_is_rxq(unsigned int q)
{
	return q == 0 || (q >= 4 && !(q & 1));
}

static bool ct_is_txq(unsigned int q)
{
	return q == 1 || (q >= 5 && (q & 1));
}

/* Control receive buffers the driver has made available. */
static unsigned int ct_avail(struct vireo_simbus_queue *q)
{
	return (u16)(READ_ONCE(q->sq.vr.avail->idx) - q->sq.last_avail);
}

static u32 ct_ctrl_in(struct ct_state *st, const struct vireo_simq_iov *iov,
		      unsigned int n)
{
	size_t put = vireo_simq_copy_to(iov, n, st->hmsg, st->hmsg_len);

	/* As QEMU: a short buffer truncates, and says what it holds. */
	return st->hmsg_used >= 0 ? st->hmsg_used : put;
}

static u32 ct_ctrl_out(struct vireo_simbus_dev *sb, struct ct_state *st,
		       const struct vireo_simq_iov *iov, unsigned int n)
{
	struct ct_gmsg *g = &st->log[st->nlog % CT_LOG];
	struct ct_ctrl c = {};

	g->len = vireo_simq_copy_from(iov, n, &c, sizeof(c));
	g->id = c.id;
	g->event = c.event;
	g->value = c.value;
	if (c.event == CT_DEVICE_READY)
		st->ready_posted = ct_avail(&sb->queues[CT_Q_CRX]);
	/* Readers poll nlog: the entry first. */
	smp_store_release(&st->nlog, st->nlog + 1);
	return 0;
}

static u32 ct_rx_fill(struct ct_state *st, const struct vireo_simq_iov *iov,
		      unsigned int n)
{
	size_t put = vireo_simq_copy_to(iov, n, st->rx, st->rx_len);

	st->rx_room = vireo_simq_writable(iov, n);
	return st->rx_used >= 0 ? st->rx_used : put;
}

static u32 ct_tx_keep(struct ct_state *st, unsigned int q,
		      const struct vireo_simq_iov *iov, unsigned int n)
{
	size_t room = CT_CAP - st->cap_len[q];
	size_t got, total = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!iov[i].write)
			total += iov[i].len;
	st->cap_bufs[q]++;
	st->last_iovs[q] = n;
	if (!st->cap[q])
		return 0;
	got = vireo_simq_copy_from(iov, n, st->cap[q] + st->cap_len[q],
				   min(room, total));
	st->cap_len[q] += got;
	st->cap_lost[q] += total - got;
	return 0;
}

static u32 ct_handler(struct vireo_simbus_dev *sb, unsigned int q,
		      const struct vireo_simq_iov *iov, unsigned int n)
{
	struct ct_state *st = ct_state(sb);

	if (q == CT_Q_CRX)
		return ct_ctrl_in(st, iov, n);
	if (q == CT_Q_CTX)
		return ct_ctrl_out(sb, st, iov, n);
	if (ct_is_rxq(q))
		return ct_rx_fill(st, iov, n);
	return ct_tx_keep(st, q, iov, n);
}

/*
 * A console device with @features, max_nr_ports @max_ports and CT_RING
 * entries in every queue; with MULTIPORT it has the control pair and
 * the pairs of ports 1 and 2 (all of vireo_simbus's eight queues).
 */
void ct_setup(struct kunit *test, struct vireo_simbus_setup *s, u64 features,
	      u32 max_ports)
{
	struct ct_config c = { .cols = 80, .rows = 25,
			       .max_nr_ports = max_ports };
	struct ct_state *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	unsigned int q;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->hmsg_used = -1;
	st->rx_used = -1;
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++) {
		if (!ct_is_txq(q))
			continue;
		st->cap[q] = kunit_kzalloc(test, CT_CAP, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, st->cap[q]);
	}
	memset(s, 0, sizeof(*s));
	s->device = CT_ID_CONSOLE;
	s->vendor = VIREO_PCI_VENDOR_ID;
	s->features = features | BIT_ULL(VIREO_RING_F_INDIRECT_DESC) |
		      BIT_ULL(VIREO_RING_F_EVENT_IDX);
	memcpy(s->config, &c, sizeof(c));
	s->config_len = sizeof(c);
	s->nqueues = (features & BIT_ULL(CT_F_MULTIPORT)) ?
		     VIREO_SIMBUS_MAX_QUEUES : 2;
	for (q = 0; q < s->nqueues; q++)
		s->queue_num[q] = CT_RING;
	s->handler = ct_handler;
	s->priv = st;
}

static void ct_sb_release(void *data)
{
	struct vireo_simbus_dev *sb = data;

	vireo_simbus_del(sb);
	vireo_simbus_put(sb);
}

/* The device, registered and probed; deleted and freed at the end. */
struct vireo_simbus_dev *ct_dev(struct kunit *test,
				const struct vireo_simbus_setup *s)
{
	struct vireo_simbus_dev *sb = vireo_simbus_alloc(s);
	unsigned int q;

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ct_sb_release,
							sb), 0);
	/* Host-to-guest queues wait for the case to send something. */
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		if (q == CT_Q_CRX || ct_is_rxq(q))
			vireo_simbus_set_mode(sb, q, VIREO_SIMBUS_IGNORE);
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

bool ct_bound(struct vireo_simbus_dev *sb)
{
	struct device_driver *drv = READ_ONCE(sb->vdev.dev.driver);

	return drv && !strcmp(drv->name, "vireo_console");
}

static char ct_who_buf[32];

/* " vireoN: ", to count a device's messages. */
const char *ct_who(struct vireo_simbus_dev *sb)
{
	snprintf(ct_who_buf, sizeof(ct_who_buf), " %s: ",
		 dev_name(&sb->vdev.dev));
	return ct_who_buf;
}

/*
 * The host sends a control message: header, @plen bytes of @payload,
 * reported with used length @used (negative: the bytes that fit). False,
 * with a failure, if the driver had no control buffer posted.
 */
bool ct_host_msg(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		 u16 event, u16 value, const void *payload,
		 unsigned int plen, int used)
{
	struct ct_ctrl c = { .id = id, .event = event, .value = value };
	struct vireo_simbus_queue *q = &sb->queues[CT_Q_CRX];
	struct ct_state *st = ct_state(sb);
	unsigned long flags;
	unsigned int i;

	KUNIT_ASSERT_LE(test, plen, CT_MSG_MAX - sizeof(c));
	spin_lock_irqsave(&q->lock, flags);
	memcpy(st->hmsg, &c, sizeof(c));
	if (plen)
		memcpy(st->hmsg + sizeof(c), payload, plen);
	st->hmsg_len = sizeof(c) + plen;
	st->hmsg_used = used;
	spin_unlock_irqrestore(&q->lock, flags);
	/* Like a device, wait a while for the driver to post a buffer. */
	for (i = 0; i < 500; i++) {
		if (vireo_simbus_process_n(sb, CT_Q_CRX, 1) == 1)
			return true;
		usleep_range(1000, 2000);
	}
	KUNIT_FAIL(test, "no control buffer posted for event %u", event);
	return false;
}

/* /sys/kernel/debug/vireo_console/<vireoN>/<name> */
static char *ct_debugfs_path(struct vireo_simbus_dev *sb, const char *name)
{
	return kasprintf(GFP_KERNEL, "/sys/kernel/debug/vireo_console/%s/%s",
			 dev_name(&sb->vdev.dev), name);
}

static int ct_read_file(const char *path, char *buf, size_t size)
{
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, size - 1, &pos);
	fput(f);
	flush_delayed_fput();
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

/*
 * debugfs files go through a proxy that only has .read and .write, which
 * kernel_read() and kernel_write() refuse; so the case reads and writes
 * them as a user does, through a page of user memory (kunit_vm_mmap()
 * gives the case's thread an mm). One page per case thread.
 */
static struct task_struct *ct_ubuf_owner;
static unsigned long ct_ubuf_addr;

static void __user *ct_ubuf(struct kunit *test)
{
	if (!current->mm || ct_ubuf_owner != current) {
		ct_ubuf_addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
					     PROT_READ | PROT_WRITE,
					     MAP_ANONYMOUS | MAP_PRIVATE, 0);
		KUNIT_ASSERT_NE_MSG(test, ct_ubuf_addr, 0UL, "no user page");
		ct_ubuf_owner = current;
	}
	return (void __user *)ct_ubuf_addr;
}

/* Read a debugfs file into @buf (NUL-terminated): bytes or an errno. */
int ct_debugfs_read(struct kunit *test, const char *path, char *buf,
		    size_t size)
{
	void __user *ubuf = ct_ubuf(test);
	struct file *f = filp_open(path, O_RDONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	/* vfs_read() is not exported; the proxy's .read is what it calls. */
	n = f->f_op->read ? f->f_op->read(f, ubuf, min_t(size_t, size - 1,
							   PAGE_SIZE), &pos) :
			    -EINVAL;
	fput(f);
	flush_delayed_fput();
	if (n < 0)
		return n;
	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';
	return n;
}

/* Write @val to a debugfs file: 0 or an errno. */
static int ct_debugfs_write(struct kunit *test, const char *path,
			    const char *val)
{
	void __user *ubuf = ct_ubuf(test);
	size_t len = min_t(size_t, strlen(val), PAGE_SIZE);
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	if (copy_to_user(ubuf, val, len))
		return -EFAULT;
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = f->f_op->write ? f->f_op->write(f, ubuf, len, &pos) : -EINVAL;
	fput(f);
	flush_delayed_fput();
	return n < 0 ? n : 0;
}

/* A driver counter, or -1 (with a failure) if it cannot be read. */
long long ct_counter(struct kunit *test, struct vireo_simbus_dev *sb,
		     const char *name)
{
	char *path = ct_debugfs_path(sb, name);
	char buf[32];
	long long v = -1;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, path);
	err = ct_debugfs_read(test, path, buf, sizeof(buf));
	if (err < 0 || kstrtoll(strim(buf), 0, &v)) {
		KUNIT_FAIL(test, "cannot read %s (%d)", path, err);
		v = -1;
	}
	kfree(path);
	return v;
}

/* Wait until counter @name reads at least @want; false after 10 s. */
bool ct_wait_counter(struct kunit *test, struct vireo_simbus_dev *sb,
		     const char *name, long long want)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (ct_counter(test, sb, name) >= want)
			return true;
		msleep(20);
	}
	return false;
}

/* Write @val to the driver's debugfs knob @name. */
int ct_knob(struct kunit *test, struct vireo_simbus_dev *sb,
	    const char *name, const char *val)
{
	char *path = ct_debugfs_path(sb, name);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, path);
	err = ct_debugfs_write(test, path, val);
	kfree(path);
	return err;
}

/* Where the guest message log is now. */
unsigned int ct_gmark(struct vireo_simbus_dev *sb)
{
	/* Pairs with the release in ct_ctrl_out(): entries before count. */
	return smp_load_acquire(&ct_state(sb)->nlog);
}

/* Is there a message @id/@event/@value logged since @mark? */
static bool ct_find_gmsg(struct vireo_simbus_dev *sb, unsigned int mark,
			 u32 id, u16 event, u16 value)
{
	struct ct_state *st = ct_state(sb);
	/* Pairs with the release in ct_ctrl_out(). */
	unsigned int i, n = smp_load_acquire(&st->nlog);
	struct ct_gmsg *g;

	if (n - mark > CT_LOG)
		mark = n - CT_LOG;
	for (i = mark; i != n; i++) {
		g = &st->log[i % CT_LOG];
		if (g->id == id && g->event == event && g->value == value)
			return true;
	}
	return false;
}

/* Wait for the guest to send @id/@event/@value after @mark; false: 10 s. */
bool ct_wait_gmsg(struct vireo_simbus_dev *sb, unsigned int mark, u32 id,
		  u16 event, u16 value)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (ct_find_gmsg(sb, mark, id, event, value))
			return true;
		msleep(20);
	}
	return false;
}

/* How many @event messages the guest sent since @mark. */
unsigned int ct_count_gmsg(struct vireo_simbus_dev *sb, unsigned int mark,
			   u16 event)
{
	struct ct_state *st = ct_state(sb);
	/* Pairs with the release in ct_ctrl_out(). */
	unsigned int i, count = 0, n = smp_load_acquire(&st->nlog);

	if (n - mark > CT_LOG)
		mark = n - CT_LOG;
	for (i = mark; i != n; i++)
		if (st->log[i % CT_LOG].event == event)
			count++;
	return count;
}

struct ct_match {
	char suffix[16];
	char *name;
	size_t size;
};

static int ct_match_port(struct device *dev, void *data)
{
	const struct ct_match *m = data;
	const char *name = dev_name(dev);
	size_t len = strlen(name), slen = strlen(m->suffix);

	return !strncmp(name, "vportvireo", 10) && len > slen &&
	       !strcmp(name + len - slen, m->suffix);
}

/* The name of port @id's device node (vportvireo<D>p<id>), if it exists. */
bool ct_port_name(struct vireo_simbus_dev *sb, u32 id, char *buf,
		  size_t size)
{
	struct ct_match m;
	struct device *dev;

	snprintf(m.suffix, sizeof(m.suffix), "p%u", id);
	dev = device_find_child(&sb->vdev.dev, &m, ct_match_port);
	if (!dev)
		return false;
	strscpy(buf, dev_name(dev), size);
	put_device(dev);
	return true;
}

/* Wait until port @id's device exists (or not); false after 10 s. */
bool ct_wait_port(struct vireo_simbus_dev *sb, u32 id, bool present)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (ct_port_name(sb, id, name, sizeof(name)) == present)
			return true;
		msleep(20);
	}
	return false;
}

/* Port @id as QEMU adds it: PORT_ADD, PORT_READY back, then its name. */
void ct_add_port(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		 const char *name)
{
	unsigned int i, mark = ct_gmark(sb);
	char got[64];

	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, id, CT_PORT_ADD, 1, NULL,
					    0, -1));
	KUNIT_ASSERT_TRUE_MSG(test, ct_wait_gmsg(sb, mark, id, CT_PORT_READY,
						 1),
			      "no PORT_READY for port %u", id);
	KUNIT_ASSERT_TRUE(test, ct_wait_port(sb, id, true));
	if (!name)
		return;
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, id, CT_PORT_NAME, 0,
					    name, strlen(name) + 1, -1));
	/* The name appears once the control work got to it. */
	for (i = 0; i < 500; i++) {
		if (ct_read_attr(test, sb, id, "name", got, sizeof(got)) > 1)
			break;
		msleep(20);
	}
	KUNIT_ASSERT_STREQ(test, strim(got), name);
}

/* Read port @id's sysfs attribute @attr into @buf; bytes or an errno. */
int ct_read_attr(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		 const char *attr, char *buf, size_t size)
{
	char name[32], *path;
	int n;

	buf[0] = '\0';
	if (!ct_port_name(sb, id, name, sizeof(name)))
		return -ENOENT;
	path = kasprintf(GFP_KERNEL, "/sys/class/vireo-ports/%s/%s", name,
			 attr);
	KUNIT_ASSERT_NOT_NULL(test, path);
	n = ct_read_file(path, buf, size);
	kfree(path);
	return n;
}

/* Open port @id's device node; an ERR_PTR if that fails. */
struct file *ct_open(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
		     int flags)
{
	char name[32], *path;
	struct file *f;

	if (!ct_port_name(sb, id, name, sizeof(name)))
		return ERR_PTR(-ENOENT);
	path = kasprintf(GFP_KERNEL, "/dev/%s", name);
	KUNIT_ASSERT_NOT_NULL(test, path);
	f = filp_open(path, flags, 0);
	kfree(path);
	return f;
}

/*
 * Close a file now: a kernel thread's last fput is otherwise deferred to
 * a work item, and a case needs the release to have run.
 */
void ct_close(struct file *f)
{
	if (IS_ERR_OR_NULL(f))
		return;
	filp_close(f, NULL);
	flush_delayed_fput();
}

/*
 * The host sends @len bytes of @data to port @id, reported with used
 * length @used (negative: what fit). False, with a failure, if the
 * driver had no receive buffer posted.
 */
bool ct_rx(struct kunit *test, struct vireo_simbus_dev *sb, u32 id,
	   const void *data, unsigned int len, int used)
{
	struct vireo_simbus_queue *q = &sb->queues[ct_qrx(id)];
	struct ct_state *st = ct_state(sb);
	unsigned long flags;

	KUNIT_ASSERT_LE(test, len, CT_RX_MAX);
	spin_lock_irqsave(&q->lock, flags);
	memcpy(st->rx, data, len);
	st->rx_len = len;
	st->rx_used = used;
	spin_unlock_irqrestore(&q->lock, flags);
	if (vireo_simbus_process_n(sb, ct_qrx(id), 1) != 1) {
		KUNIT_FAIL(test, "no receive buffer posted on port %u", id);
		return false;
	}
	return true;
}

/* Bytes the device received on port @id's transmit queue. */
size_t ct_tx_len(struct vireo_simbus_dev *sb, u32 id)
{
	struct vireo_simbus_queue *q = &sb->queues[ct_qtx(id)];
	unsigned long flags;
	size_t len;

	spin_lock_irqsave(&q->lock, flags);
	len = ct_state(sb)->cap_len[ct_qtx(id)];
	spin_unlock_irqrestore(&q->lock, flags);
	return len;
}

/* Wait until port @id's transmit queue got @len bytes; false after 10 s. */
bool ct_wait_tx(struct vireo_simbus_dev *sb, u32 id, size_t len)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (ct_tx_len(sb, id) >= len)
			return true;
		msleep(20);
	}
	return false;
}

/* Copy out and forget what port @id's transmit queue got. */
size_t ct_tx_take(struct vireo_simbus_dev *sb, u32 id, void *out, size_t max)
{
	unsigned int qi = ct_qtx(id);
	struct vireo_simbus_queue *q = &sb->queues[qi];
	struct ct_state *st = ct_state(sb);
	unsigned long flags;
	size_t n;

	spin_lock_irqsave(&q->lock, flags);
	n = min(max, st->cap_len[qi]);
	memcpy(out, st->cap[qi], n);
	st->cap_len[qi] = 0;
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

/* A pattern no shift or repeat of a buffer reproduces. */
void ct_pattern(u8 *buf, size_t len, u32 seed)
{
	u32 x = seed * 2654435761U + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245U + 12345U;
		buf[i] = x >> 16;
	}
}

MODULE_DESCRIPTION("KUnit tests for vireo_console against a hostile simulated device");
MODULE_LICENSE("GPL");
