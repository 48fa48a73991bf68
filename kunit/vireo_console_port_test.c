// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_console: ports and their data, through the
 * character device as a user reaches it (open, read, write, poll), with
 * the host opening and closing its end, ports unplugged while open, and
 * a device that stops answering.
 *
 * Everything that may block runs in a thread of its own and is waited
 * for with a bound.
 */

#include <kunit/test.h>
#include <linux/bvec.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <vireo/transport.h>
#include "vireo_console_test.h"

#define CP_FEATURES	BIT_ULL(CT_F_MULTIPORT)
/* The driver's cut and its per-port limit, as documented. */
#define CP_CHUNK	(32U * 1024U)
#define CP_TX_MAX	(512U * 1024U)

static struct vireo_simbus_dev *cp_dev(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	ct_setup(test, s, CP_FEATURES, CT_PORTS);
	sb = ct_dev(test, s);
	KUNIT_ASSERT_TRUE(test, ct_bound(sb));
	KUNIT_ASSERT_TRUE(test, ct_wait_gmsg(sb, 0, 0, CT_DEVICE_READY, 1));
	return sb;
}

/* Open port @id; the case closes it. */
static struct file *cp_open(struct kunit *test, struct vireo_simbus_dev *sb,
			    u32 id, int flags)
{
	struct file *f = ct_open(test, sb, id, flags);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open port %u: %ld", id,
			       PTR_ERR(f));
	return f;
}

/* The host opens (or closes) its end and the driver has seen it. */
static void cp_host_open(struct kunit *test, struct vireo_simbus_dev *sb,
			 u32 id, bool open)
{
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, id, CT_PORT_OPEN, open,
					    NULL, 0, -1));
	/* Acted on by the control work; nothing tells when, so wait. */
	msleep(200);
}

static ssize_t cp_read(struct file *f, void *buf, size_t len)
{
	loff_t pos = 0;

	return kernel_read(f, buf, len, &pos);
}

static ssize_t cp_write(struct file *f, const void *buf, size_t len)
{
	loff_t pos = 0;

	return kernel_write(f, buf, len, &pos);
}

/* A blocking read or write in a thread. */
struct cp_io {
	struct file *f;
	void *buf;
	size_t len;
	bool write;
};

static long cp_io_fn(void *arg)
{
	struct cp_io *io = arg;

	return io->write ? cp_write(io->f, io->buf, io->len) :
			   cp_read(io->f, io->buf, io->len);
}

static struct vireo_simbus_call *cp_start(struct kunit *test,
					  struct cp_io *io)
{
	struct vireo_simbus_call *call;

	call = vireo_simbus_call_start(cp_io_fn, io, "vc-io");
	KUNIT_ASSERT_NOT_NULL(test, call);
	return call;
}

/* guest_connected: PORT_OPEN 1 on open, 0 on close; one opener. */
static void cp_open_close(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	unsigned int mark;
	struct file *f, *g;

	ct_add_port(test, sb, 1, "org.vireo.oc");
	mark = ct_gmark(sb);
	f = cp_open(test, sb, 1, O_RDWR);
	KUNIT_EXPECT_TRUE(test, ct_wait_gmsg(sb, mark, 1, CT_PORT_OPEN, 1));
	g = ct_open(test, sb, 1, O_RDWR);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(g), -EBUSY);
	ct_close(g);
	mark = ct_gmark(sb);
	ct_close(f);
	KUNIT_EXPECT_TRUE(test, ct_wait_gmsg(sb, mark, 1, CT_PORT_OPEN, 0));
	/* And again. */
	mark = ct_gmark(sb);
	f = cp_open(test, sb, 1, O_RDWR);
	KUNIT_EXPECT_TRUE(test, ct_wait_gmsg(sb, mark, 1, CT_PORT_OPEN, 1));
	ct_close(f);
}

/*
 * Reads: data before anyone opened the port is discarded; data after is
 * read whole; non-blocking with nothing there is -EAGAIN; the host's
 * close is hang-up and, once the data is read, end of file.
 */
static void cp_read_states(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	char buf[64];
	struct file *f;
	__poll_t mask;

	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "lost", 4, -1));
	msleep(100);
	f = cp_open(test, sb, 1, O_RDWR | O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), -EAGAIN);
	mask = vfs_poll(f, NULL);
	KUNIT_EXPECT_TRUE(test, mask & EPOLLOUT);
	KUNIT_EXPECT_FALSE(test, mask & (EPOLLIN | EPOLLHUP));

	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "hello", 5, -1));
	msleep(100);
	KUNIT_EXPECT_TRUE(test, vfs_poll(f, NULL) & EPOLLIN);
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, " world", 6, -1));
	msleep(100);
	cp_host_open(test, sb, 1, false);
	mask = vfs_poll(f, NULL);
	KUNIT_EXPECT_TRUE(test, mask & EPOLLHUP);
	KUNIT_EXPECT_TRUE(test, mask & EPOLLIN);
	KUNIT_EXPECT_FALSE(test, mask & EPOLLOUT);
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), 11);
	KUNIT_EXPECT_STREQ(test, buf, "hello world");
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), 0);
	ct_close(f);
}

/* A blocked reader wakes for data, and for the host's close. */
static void cp_blocking_read(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	struct vireo_simbus_call *call;
	char buf[32] = {};
	struct cp_io io;
	struct file *f;

	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	f = cp_open(test, sb, 1, O_RDWR);
	io = (struct cp_io){ .f = f, .buf = buf, .len = sizeof(buf) };
	call = cp_start(test, &io);
	msleep(200);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "wake", 4, -1));
	KUNIT_ASSERT_TRUE(test, vireo_simbus_call_wait(call, CT_BOUND_MS));
	KUNIT_EXPECT_EQ(test, call->ret, 4);
	KUNIT_EXPECT_STREQ(test, buf, "wake");
	vireo_simbus_call_put(call);

	call = cp_start(test, &io);
	msleep(200);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	cp_host_open(test, sb, 1, false);
	KUNIT_ASSERT_TRUE(test, vireo_simbus_call_wait(call, CT_BOUND_MS));
	KUNIT_EXPECT_EQ(test, call->ret, 0);
	vireo_simbus_call_put(call);
	ct_close(f);
}

#define CP_BIG	(200U * 1024U + 77U)

/* A write larger than a buffer arrives whole and in order. */
static void cp_write_split(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	unsigned int bufs;
	u8 *data, *got;
	struct file *f;

	data = kunit_kmalloc(test, CP_BIG, GFP_KERNEL);
	got = kunit_kzalloc(test, CP_BIG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, got);
	ct_pattern(data, CP_BIG, 7);
	ct_add_port(test, sb, 2, NULL);
	cp_host_open(test, sb, 2, true);
	f = cp_open(test, sb, 2, O_RDWR);
	bufs = ct_state(sb)->cap_bufs[ct_qtx(2)];
	KUNIT_EXPECT_EQ(test, cp_write(f, data, CP_BIG), (ssize_t)CP_BIG);
	KUNIT_ASSERT_TRUE(test, ct_wait_tx(sb, 2, CP_BIG));
	KUNIT_EXPECT_EQ(test, ct_tx_take(sb, 2, got, CP_BIG), (size_t)CP_BIG);
	KUNIT_EXPECT_EQ(test, memcmp(got, data, CP_BIG), 0);
	KUNIT_EXPECT_GE(test, ct_state(sb)->cap_bufs[ct_qtx(2)] - bufs,
			DIV_ROUND_UP(CP_BIG, CP_CHUNK));
	KUNIT_EXPECT_EQ(test, ct_state(sb)->cap_lost[ct_qtx(2)], 0);
	/* Nothing went to port 1's queue. */
	KUNIT_EXPECT_EQ(test, ct_tx_len(sb, 1), 0);
	ct_close(f);
}

/*
 * Buffers the device gave back carry later writes: each short write after
 * long ones sends its own bytes only, and each long one arrives whole.
 */
static void cp_write_reuse(struct kunit *test)
{
	static const char word[] = "vireo-short";
	struct vireo_simbus_dev *sb = cp_dev(test);
	u8 *data, *got;
	struct file *f;
	unsigned int i;

	data = kunit_kmalloc(test, CP_BIG, GFP_KERNEL);
	got = kunit_kzalloc(test, CP_BIG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, got);
	ct_add_port(test, sb, 2, NULL);
	cp_host_open(test, sb, 2, true);
	f = cp_open(test, sb, 2, O_RDWR);
	for (i = 0; i < 3; i++) {
		ct_pattern(data, CP_BIG, 11 + i);
		KUNIT_EXPECT_EQ(test, cp_write(f, data, CP_BIG), (ssize_t)CP_BIG);
		KUNIT_ASSERT_TRUE(test, ct_wait_tx(sb, 2, CP_BIG));
		KUNIT_EXPECT_EQ(test, ct_tx_take(sb, 2, got, CP_BIG),
				(size_t)CP_BIG);
		KUNIT_EXPECT_EQ(test, memcmp(got, data, CP_BIG), 0);
		KUNIT_EXPECT_EQ(test, cp_write(f, word, sizeof(word)),
				(ssize_t)sizeof(word));
		KUNIT_ASSERT_TRUE(test, ct_wait_tx(sb, 2, sizeof(word)));
		/* Give a longer buffer a chance to show up whole. */
		msleep(50);
		KUNIT_EXPECT_EQ(test, ct_tx_take(sb, 2, got, CP_BIG),
				sizeof(word));
		KUNIT_EXPECT_EQ(test, memcmp(got, word, sizeof(word)), 0);
	}
	ct_close(f);
}

/*
 * Writes while the host has the port closed: non-blocking ones fail with
 * -EAGAIN and poll says not writable; a blocking one waits, and its data
 * goes out once the host opens.
 */
static void cp_write_host_closed(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	struct vireo_simbus_call *call;
	struct file *f, *nb;
	struct cp_io io;
	char got[16] = {};

	ct_add_port(test, sb, 1, NULL);
	f = cp_open(test, sb, 1, O_RDWR);
	nb = ct_open(test, sb, 1, O_RDWR | O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(nb), -EBUSY);
	ct_close(nb);
	KUNIT_EXPECT_FALSE(test, vfs_poll(f, NULL) & EPOLLOUT);
	KUNIT_EXPECT_TRUE(test, vfs_poll(f, NULL) & EPOLLHUP);
	f->f_flags |= O_NONBLOCK;
	KUNIT_EXPECT_EQ(test, cp_write(f, "x", 1), -EAGAIN);
	f->f_flags &= ~O_NONBLOCK;

	io = (struct cp_io){ .f = f, .buf = "late", .len = 4, .write = true };
	call = cp_start(test, &io);
	msleep(300);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	KUNIT_EXPECT_EQ(test, ct_tx_len(sb, 1), 0);
	cp_host_open(test, sb, 1, true);
	KUNIT_ASSERT_TRUE(test, vireo_simbus_call_wait(call, CT_BOUND_MS));
	KUNIT_EXPECT_EQ(test, call->ret, 4);
	vireo_simbus_call_put(call);
	KUNIT_ASSERT_TRUE(test, ct_wait_tx(sb, 1, 4));
	KUNIT_EXPECT_EQ(test, ct_tx_take(sb, 1, got, sizeof(got)), 4);
	KUNIT_EXPECT_STREQ(test, got, "late");
	ct_close(f);
}

/*
 * A device that does not take what the guest sends: non-blocking writes
 * stop with -EAGAIN once the port's limit is with the device, and go on
 * after it answers; nothing is lost.
 */
static void cp_write_stuck(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	size_t total = 0, len = 3000;
	ssize_t n;
	u8 *data;
	struct file *f;

	data = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, data);
	memset(data, 'w', len);
	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	vireo_simbus_set_mode(sb, ct_qtx(1), VIREO_SIMBUS_IGNORE);
	f = cp_open(test, sb, 1, O_RDWR | O_NONBLOCK);
	for (;;) {
		n = cp_write(f, data, len);
		if (n <= 0)
			break;
		total += n;
		KUNIT_ASSERT_LE(test, total, (size_t)4 * CP_TX_MAX);
	}
	KUNIT_EXPECT_EQ(test, n, -EAGAIN);
	KUNIT_EXPECT_GT(test, total, 0);
	KUNIT_EXPECT_FALSE(test, vfs_poll(f, NULL) & EPOLLOUT);
	KUNIT_EXPECT_EQ(test, ct_tx_len(sb, 1), 0);
	/* The device takes everything (through its handler) and interrupts. */
	vireo_simbus_set_mode(sb, ct_qtx(1), VIREO_SIMBUS_COMPLETE);
	vireo_simbus_process_n(sb, ct_qtx(1), CT_RING);
	KUNIT_EXPECT_TRUE(test, ct_wait_tx(sb, 1, total));
	msleep(100);
	KUNIT_EXPECT_TRUE(test, vfs_poll(f, NULL) & EPOLLOUT);
	KUNIT_EXPECT_EQ(test, cp_write(f, data, len), (ssize_t)len);
	KUNIT_EXPECT_TRUE(test, ct_wait_tx(sb, 1, total + len));
	ct_close(f);
}

/* A spliced write's pages go to the device themselves, not copies. */
static void cp_write_pages(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	struct bio_vec bv[3];
	struct iov_iter iter;
	struct kiocb kiocb;
	struct page *pages[3];
	u8 *got, *want;
	struct file *f;
	unsigned int i;
	ssize_t n;

	got = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	want = kunit_kzalloc(test, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
		ct_pattern(page_address(pages[i]), PAGE_SIZE, i);
		/* As a pipe holds them: whole pages but the first's head. */
		bvec_set_page(&bv[i], pages[i], PAGE_SIZE - (i ? 0 : 100),
			      i ? 0 : 100);
		memcpy(want + (i ? i * PAGE_SIZE - 100 : 0),
		       page_address(pages[i]) + (i ? 0 : 100),
		       bv[i].bv_len);
	}
	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	f = cp_open(test, sb, 1, O_RDWR);
	iov_iter_bvec(&iter, ITER_SOURCE, bv, 3, 3 * PAGE_SIZE - 100);
	init_sync_kiocb(&kiocb, f);
	n = f->f_op->write_iter(&kiocb, &iter);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)(3 * PAGE_SIZE - 100));
	KUNIT_ASSERT_TRUE(test, ct_wait_tx(sb, 1, 3 * PAGE_SIZE - 100));
	/* One buffer of three pieces: the pages as they are. */
	KUNIT_EXPECT_EQ(test, ct_state(sb)->last_iovs[ct_qtx(1)], 3U);
	KUNIT_EXPECT_EQ(test, ct_tx_take(sb, 1, got, 3 * PAGE_SIZE),
			(size_t)(3 * PAGE_SIZE - 100));
	KUNIT_EXPECT_EQ(test, memcmp(got, want, 3 * PAGE_SIZE - 100), 0);
	ct_close(f);
	for (i = 0; i < 3; i++) {
		/*
		 * Only ours is left once the completion was collected (the
		 * interrupt comes from the device's work): the driver dropped
		 * its references.
		 */
		for (n = 0; n < 250 && page_ref_count(pages[i]) != 1; n++)
			msleep(20);
		KUNIT_EXPECT_EQ(test, page_ref_count(pages[i]), 1);
		if (page_ref_count(pages[i]) == 1)
			__free_page(pages[i]);
	}
}

/*
 * The host removes a port while it is open and read: the reader wakes
 * with -ENODEV, poll reports hang-up, writes fail; the node goes. The
 * port added again with the same id works while the old file is still
 * open, and closing the old file afterwards is harmless.
 */
static void cp_unplug_open(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	struct vireo_simbus_call *call;
	struct file *f, *g;
	char buf[16] = {};
	struct cp_io io;

	ct_add_port(test, sb, 1, "org.vireo.hot");
	cp_host_open(test, sb, 1, true);
	f = cp_open(test, sb, 1, O_RDWR);
	io = (struct cp_io){ .f = f, .buf = buf, .len = sizeof(buf) };
	call = cp_start(test, &io);
	msleep(200);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_REMOVE, 1,
					    NULL, 0, -1));
	KUNIT_ASSERT_TRUE(test, vireo_simbus_call_wait(call, CT_BOUND_MS));
	KUNIT_EXPECT_EQ(test, call->ret, -ENODEV);
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_TRUE(test, vfs_poll(f, NULL) & EPOLLHUP);
	KUNIT_EXPECT_EQ(test, cp_write(f, "x", 1), -ENODEV);
	KUNIT_EXPECT_TRUE(test, ct_wait_port(sb, 1, false));
	KUNIT_EXPECT_TRUE(test, ct_wait_counter(test, sb, "ports_removed", 1));

	ct_add_port(test, sb, 1, "org.vireo.again");
	cp_host_open(test, sb, 1, true);
	g = cp_open(test, sb, 1, O_RDWR);
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "new", 3, -1));
	msleep(100);
	KUNIT_EXPECT_EQ(test, cp_read(g, buf, sizeof(buf)), 3);
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), -ENODEV);
	ct_close(f);
	KUNIT_EXPECT_EQ(test, cp_write(g, "ok", 2), 2);
	KUNIT_EXPECT_TRUE(test, ct_wait_tx(sb, 1, 2));
	ct_close(g);
}

#define CP_CYCLES	20U

/* Add, open, remove while open, close: many times, nothing leaks. */
static void cp_unplug_cycles(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	unsigned int i;
	struct file *f;
	char buf[8];

	for (i = 0; i < CP_CYCLES; i++) {
		ct_add_port(test, sb, 2, "cycle");
		cp_host_open(test, sb, 2, true);
		f = cp_open(test, sb, 2, O_RDWR | O_NONBLOCK);
		KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 2, "abc", 3, -1));
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2,
						    CT_PORT_REMOVE, 1, NULL, 0,
						    -1));
		KUNIT_ASSERT_TRUE(test, ct_wait_port(sb, 2, false));
		KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), -ENODEV);
		ct_close(f);
	}
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_added"), CP_CYCLES);
	KUNIT_EXPECT_TRUE(test, ct_wait_counter(test, sb, "ports_removed",
						CP_CYCLES));
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_removed"),
			CP_CYCLES);
}

/* A used length beyond the receive buffer is clamped, and counted. */
static void cp_rx_clamp(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	u64 mark = vireo_simbus_log_mark();
	u8 *buf;
	struct file *f;

	buf = kunit_kzalloc(test, 2 * CT_RX_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	f = cp_open(test, sb, 1, O_RDWR | O_NONBLOCK);
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "short", 5,
				      CT_RX_BUF + 1000));
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "short", 5, 0x7fffffff));
	msleep(100);
	/* With the port open the reader may be the one to collect them. */
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, 2 * CT_RX_BUF),
			(ssize_t)(2 * CT_RX_BUF));
	KUNIT_EXPECT_TRUE(test, ct_wait_counter(test, sb, "len_clamped", 2));
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, 2 * CT_RX_BUF), -EAGAIN);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, ct_who(sb),
						     "len_clamped"), 1U);
	ct_close(f);
}

/*
 * Interrupts the simulated device raised so far, once no more came for
 * 100 ms: they are raised from a work item, and a control message's may
 * still be on its way (at most 2 s).
 */
static unsigned int cp_irqs(struct vireo_simbus_dev *sb)
{
	unsigned int n = atomic_read(&sb->counts.irqs), last, i;

	for (i = 0; i < 20; i++) {
		msleep(100);
		last = n;
		n = atomic_read(&sb->counts.irqs);
		if (n == last)
			break;
	}
	return n;
}

#define CP_BATCH	8U

/*
 * While a file has the port open its reader drives the receive queue:
 * the first buffer interrupts, the ones after it do not until the reader
 * has found the port empty again, and the reader collects them itself,
 * in order. A reader that blocks still wakes for the next buffer, and
 * once the port is closed every buffer interrupts again and goes back to
 * the device: more than the queue holds arrive without a reader. What
 * came while it was closed is not read by the next opener, even if the
 * interrupt for it has not run yet.
 */
static void cp_rx_reader_irqs(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	struct vireo_simbus_call *call;
	char buf[64] = {}, want[64];
	unsigned int i, irqs;
	struct cp_io io;
	struct file *f;

	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	f = cp_open(test, sb, 1, O_RDWR | O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), -EAGAIN);
	irqs = cp_irqs(sb);
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "a", 1, -1));
	KUNIT_EXPECT_EQ(test, cp_irqs(sb), irqs + 1);
	for (i = 0; i < CP_BATCH; i++)
		KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "bcdefghi" + i, 1,
					      -1));
	KUNIT_EXPECT_EQ_MSG(test, cp_irqs(sb), irqs + 1,
			    "buffers interrupted with a reader behind");
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), 1 + CP_BATCH);
	KUNIT_EXPECT_STREQ(test, buf, "abcdefghi");
	KUNIT_EXPECT_EQ(test, cp_read(f, buf, sizeof(buf)), -EAGAIN);

	/* Empty again: a blocking reader (same file, own flags) wakes. */
	f->f_flags &= ~O_NONBLOCK;
	memset(buf, 0, sizeof(buf));
	io = (struct cp_io){ .f = f, .buf = buf, .len = sizeof(buf) };
	call = cp_start(test, &io);
	msleep(200);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "z", 1, -1));
	if (!vireo_simbus_call_wait(call, CT_BOUND_MS)) {
		KUNIT_FAIL(test, "a reader that found the port empty slept on");
		/* The host's close wakes it, to end the case cleanly. */
		cp_host_open(test, sb, 1, false);
		KUNIT_ASSERT_TRUE(test,
				  vireo_simbus_call_wait(call, CT_BOUND_MS));
	}
	KUNIT_EXPECT_EQ(test, call->ret, 1);
	KUNIT_EXPECT_STREQ(test, buf, "z");
	vireo_simbus_call_put(call);

	/* Behind again when it closes: what comes after is dropped. */
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "y", 1, -1));
	KUNIT_ASSERT_TRUE(test, ct_rx(test, sb, 1, "x", 1, -1));
	ct_close(f);
	for (i = 0; i < CT_RING + CP_BATCH; i++) {
		if (!ct_rx(test, sb, 1, "w", 1, -1))
			break;
		/* The interrupt gives it back; wait now and then. */
		if (i % 32 == 31)
			msleep(100);
	}
	KUNIT_EXPECT_EQ_MSG(test, i, CT_RING + CP_BATCH,
			    "buffers stayed used after the reader closed");
	f = cp_open(test, sb, 1, O_RDWR | O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, cp_read(f, want, sizeof(want)), -EAGAIN);
	ct_close(f);
}

/*
 * A device that stops answering, with a port open, a writer blocked on
 * it and the control queue stuck too: removal returns in bounded time,
 * the writer is woken with an error, and closing the file afterwards is
 * harmless.
 */
static void cp_remove_stuck(struct kunit *test)
{
	struct vireo_simbus_dev *sb = cp_dev(test);
	struct vireo_simbus_call *call, *del;
	struct cp_io io;
	struct file *f;
	u8 *data;

	data = kunit_kmalloc(test, 2 * CP_TX_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, data);
	memset(data, 's', 2 * CP_TX_MAX);
	ct_add_port(test, sb, 1, NULL);
	cp_host_open(test, sb, 1, true);
	vireo_simbus_set_mode(sb, ct_qtx(1), VIREO_SIMBUS_HOLD);
	vireo_simbus_set_mode(sb, CT_Q_CTX, VIREO_SIMBUS_HOLD);
	f = cp_open(test, sb, 1, O_RDWR);
	io = (struct cp_io){ .f = f, .buf = data, .len = 2 * CP_TX_MAX,
			     .write = true };
	call = cp_start(test, &io);
	msleep(500);
	KUNIT_EXPECT_FALSE(test, completion_done(&call->done));

	del = vireo_simbus_call_start(vireo_simbus_del_fn, sb, "vc-del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	KUNIT_EXPECT_TRUE_MSG(test, vireo_simbus_call_wait(del, CT_BOUND_MS),
			      "removal blocked on a stuck device");
	KUNIT_EXPECT_TRUE(test, vireo_simbus_call_wait(call, CT_BOUND_MS));
	/* Part of it went to the device before it stopped: a short write. */
	KUNIT_EXPECT_GT(test, call->ret, 0);
	KUNIT_EXPECT_LT(test, call->ret, (long)(2 * CP_TX_MAX));
	KUNIT_EXPECT_EQ(test, cp_write(f, "x", 1), -ENODEV);
	KUNIT_EXPECT_TRUE(test, vfs_poll(f, NULL) & EPOLLHUP);
	vireo_simbus_call_put(call);
	vireo_simbus_call_put(del);
	ct_close(f);
}

static struct kunit_case cp_port_cases[] = {
	KUNIT_CASE(cp_open_close),
	KUNIT_CASE(cp_read_states),
	KUNIT_CASE(cp_blocking_read),
	KUNIT_CASE(cp_write_split),
	KUNIT_CASE(cp_write_reuse),
	KUNIT_CASE(cp_write_host_closed),
	KUNIT_CASE_SLOW(cp_write_stuck),
	KUNIT_CASE(cp_write_pages),
	KUNIT_CASE_SLOW(cp_rx_clamp),
	KUNIT_CASE_SLOW(cp_rx_reader_irqs),
	{}
};

static struct kunit_suite cp_port_suite = {
	.name = "vireo_console_port",
	.test_cases = cp_port_cases,
};

static struct kunit_case cp_life_cases[] = {
	KUNIT_CASE(cp_unplug_open),
	KUNIT_CASE_SLOW(cp_unplug_cycles),
	KUNIT_CASE(cp_remove_stuck),
	{}
};

static struct kunit_suite cp_life_suite = {
	.name = "vireo_console_life",
	.test_cases = cp_life_cases,
};

kunit_test_suites(&cp_port_suite, &cp_life_suite);
