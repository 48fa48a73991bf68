// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_console: the control queues, with a host that
 * sends what it should and what it should not.
 *
 * Each bad message must be dropped and counted in its own counter, the
 * driver must say so in at most one line per kind, and a good message
 * afterwards must still work. The control receive buffers must be
 * posted before DEVICE_READY and given back at once, and a flood must
 * cost no more than the documented backlog.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "vireo_console_test.h"

#define CT_MULTI	(BIT_ULL(CT_F_MULTIPORT) | BIT_ULL(CT_F_EMERG_WRITE))

static struct vireo_simbus_dev *ct_multi(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;

	KUNIT_ASSERT_NOT_NULL(test, s);
	ct_setup(test, s, CT_MULTI, CT_PORTS);
	sb = ct_dev(test, s);
	KUNIT_ASSERT_TRUE(test, ct_bound(sb));
	KUNIT_ASSERT_TRUE_MSG(test, ct_wait_gmsg(sb, 0, 0, CT_DEVICE_READY, 1),
			      "no DEVICE_READY");
	return sb;
}

/* The counter @name went from @before to exactly @before + @n. */
static void ct_expect_counted(struct kunit *test, struct vireo_simbus_dev *sb,
			      const char *name, long long before,
			      unsigned int n)
{
	KUNIT_EXPECT_TRUE_MSG(test, ct_wait_counter(test, sb, name,
						    before + n),
			      "%s stayed below %lld", name, before + n);
	/* Whatever else was going to be counted has been by now. */
	msleep(100);
	KUNIT_EXPECT_EQ_MSG(test, ct_counter(test, sb, name), before + n,
			    "counter %s", name);
}

/* Control buffers are posted before DEVICE_READY, and kept posted. */
static void ct_ready_buffers(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	struct vireo_simbus_queue *q = &sb->queues[CT_Q_CRX];
	long long before;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, ct_state(sb)->ready_posted, CT_RING);
	before = ct_counter(test, sb, "ctrl_no_port");
	/* In batches well below the backlog, so that none is dropped. */
	for (i = 0; i < 3 * CT_RING; i++) {
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2, CT_PORT_OPEN,
						    1, NULL, 0, -1));
		if (i % 32 == 31)
			KUNIT_ASSERT_TRUE(test, ct_wait_counter(test, sb,
								"ctrl_no_port",
								before + i + 1));
	}
	ct_expect_counted(test, sb, "ctrl_no_port", before, 3 * CT_RING);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ctrl_flood_dropped"), 0);
	KUNIT_EXPECT_EQ(test, (u16)(READ_ONCE(q->sq.vr.avail->idx) -
				    q->sq.last_avail), CT_RING);
}

/* PORT_ADD and PORT_NAME: a node, PORT_READY, the name in sysfs. */
static void ct_port_add_name(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	char buf[64];

	ct_add_port(test, sb, 1, "org.vireo.one");
	ct_add_port(test, sb, 2, NULL);
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 1, "console", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "0");
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 2, "name", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "");
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_added"), 2);
	KUNIT_EXPECT_FALSE(test, ct_port_name(sb, 0, buf, sizeof(buf)));
}

/* Port ids at and beyond max_nr_ports. */
static void ct_bad_ids(struct kunit *test)
{
	static const u32 ids[] = { CT_PORTS, CT_PORTS + 1, 511, 512,
				   0x7fffffff, 0xffffffff };
	static const u16 events[] = { CT_PORT_ADD, CT_PORT_NAME,
				      CT_PORT_OPEN, CT_PORT_REMOVE };
	struct vireo_simbus_dev *sb = ct_multi(test);
	u64 mark = vireo_simbus_log_mark();
	unsigned int i, j;
	char buf[32];

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		for (j = 0; j < ARRAY_SIZE(events); j++)
			KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, ids[i],
							    events[j], 1, "x",
							    2, -1));
	ct_expect_counted(test, sb, "ctrl_bad_id", 0,
			  ARRAY_SIZE(ids) * ARRAY_SIZE(events));
	KUNIT_EXPECT_FALSE(test, ct_port_name(sb, CT_PORTS, buf, sizeof(buf)));
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_added"), 0);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, ct_who(sb),
						     "ctrl_bad_id"), 1U);
	/* Still working. */
	ct_add_port(test, sb, CT_PORTS - 1, "org.vireo.last");
}

/* A port added twice, named twice, made a console twice. */
static void ct_duplicates(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	unsigned int mark;
	char buf[64];

	ct_add_port(test, sb, 1, "first");
	mark = ct_gmark(sb);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_ADD, 1, NULL,
					    0, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "second", 7, -1));
	ct_expect_counted(test, sb, "ctrl_duplicate", 0, 2);
	KUNIT_EXPECT_EQ(test, ct_count_gmsg(sb, mark, CT_PORT_READY), 0U);
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 1, "name", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "first");
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_added"), 1);

	ct_add_port(test, sb, 2, NULL);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2, CT_CONSOLE_PORT, 1,
					    NULL, 0, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2, CT_CONSOLE_PORT, 1,
					    NULL, 0, -1));
	ct_expect_counted(test, sb, "ctrl_duplicate", 2, 1);
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 2, "console", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "1");
}

/* Events the host may not send, or that do not exist. */
static void ct_unknown_events(struct kunit *test)
{
	static const u16 events[] = { CT_DEVICE_READY, CT_PORT_READY, 8, 9,
				      100, 0x8000, 0xffff };
	struct vireo_simbus_dev *sb = ct_multi(test);
	u64 mark = vireo_simbus_log_mark();
	unsigned int i;

	ct_add_port(test, sb, 1, NULL);
	for (i = 0; i < ARRAY_SIZE(events); i++)
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, events[i], 1,
						    NULL, 0, -1));
	ct_expect_counted(test, sb, "ctrl_unknown", 0, ARRAY_SIZE(events));
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, ct_who(sb),
						     "ctrl_unknown"), 1U);
	ct_add_port(test, sb, 2, "still.working");
}

/* Names without a terminator, truncated, unprintable or with a slash. */
static void ct_bad_names(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	u64 mark = vireo_simbus_log_mark();
	u8 *long_name;
	char buf[64];

	long_name = kunit_kzalloc(test, CT_MSG_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, long_name);
	memset(long_name, 'n', CT_MSG_MAX - sizeof(struct ct_ctrl));
	ct_add_port(test, sb, 1, NULL);
	/* No NUL in the message at all. */
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "abc", 3, -1));
	/* The NUL is there, but beyond the used length the device reports. */
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "abc", 4, 8 + 3));
	/* Longer than the buffer: the device truncates it, NUL and all. */
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    long_name, CT_MSG_MAX - 8, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "a\x01z", 4, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "../x", 5, -1));
	ct_expect_counted(test, sb, "ctrl_bad_name", 0, 5);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, ct_who(sb),
						     "ctrl_bad_name"), 1U);
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 1, "name", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "");
	/* A good one is still taken. */
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "good", 5, -1));
	msleep(200);
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 1, "name", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "good");
}

/* Events about a port that was never added. */
static void ct_absent_port(struct kunit *test)
{
	static const u16 events[] = { CT_PORT_REMOVE, CT_CONSOLE_PORT,
				      CT_RESIZE, CT_PORT_OPEN, CT_PORT_NAME };
	struct vireo_simbus_dev *sb = ct_multi(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(events); i++)
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2, events[i], 1,
						    "name\0size", 10, -1));
	ct_expect_counted(test, sb, "ctrl_no_port", 0, ARRAY_SIZE(events));
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_removed"), 0);
}

/* Messages shorter than a header, or than their event needs. */
static void ct_short_messages(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	unsigned int used;

	ct_add_port(test, sb, 1, NULL);
	for (used = 0; used < 8; used++)
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_ADD,
						    1, NULL, 0, used));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_RESIZE, 0, NULL,
					    0, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_RESIZE, 0, "\x50",
					    1, -1));
	ct_expect_counted(test, sb, "ctrl_short", 0, 10);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ctrl_duplicate"), 0);
}

/* Values an event does not allow. */
static void ct_bad_values(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	struct file *f;

	ct_add_port(test, sb, 1, NULL);
	ct_add_port(test, sb, 2, NULL);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_OPEN, 2, NULL,
					    0, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_OPEN, 0xffff,
					    NULL, 0, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_CONSOLE_PORT, 0,
					    NULL, 0, -1));
	ct_expect_counted(test, sb, "ctrl_bad_value", 0, 3);
	/* A port open as a port does not turn into a console under it. */
	f = ct_open(test, sb, 2, O_RDWR | O_NONBLOCK);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2, CT_CONSOLE_PORT, 1,
					    NULL, 0, -1));
	ct_expect_counted(test, sb, "ctrl_bad_value", 3, 1);
	ct_close(f);
}

/* A used length beyond the control buffer is clamped, and counted. */
static void ct_used_len_clamp(struct kunit *test)
{
	static const int used[] = { CT_CTRL_BUF + 1, 4096, 0x7fffffff };
	struct vireo_simbus_dev *sb = ct_multi(test);
	u64 mark = vireo_simbus_log_mark();
	unsigned int i;
	char buf[64];

	for (i = 0; i < ARRAY_SIZE(used); i++)
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_ADD,
						    1, NULL, 0, used[i]));
	ct_expect_counted(test, sb, "len_clamped", 0, ARRAY_SIZE(used));
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, ct_who(sb),
						     "len_clamped"), 1U);
	/* Clamped, the first was a good PORT_ADD; the others duplicates. */
	KUNIT_EXPECT_TRUE(test, ct_wait_port(sb, 1, true));
	ct_expect_counted(test, sb, "ctrl_duplicate", 0, 2);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_PORT_NAME, 0,
					    "clamped", 8, CT_CTRL_BUF + 100));
	msleep(200);
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 1, "name", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "clamped");
}

#define CT_FLOOD	600U

/*
 * A flood while the driver does not get to act: the backlog stops at its
 * bound, the rest is dropped and counted with one line, the buffers stay
 * posted, and the backlog is acted on once the driver gets to it.
 */
static void ct_flood(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	struct vireo_simbus_queue *q = &sb->queues[CT_Q_CRX];
	u64 mark = vireo_simbus_log_mark();
	u8 *name;
	unsigned int i;

	name = kunit_kzalloc(test, CT_CTRL_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'f', CT_CTRL_BUF - 9);
	KUNIT_ASSERT_EQ(test, ct_knob(test, sb, "ctrl_pause", "1"), 0);
	/* Full-size messages about an absent port: the most memory each. */
	for (i = 0; i < CT_FLOOD; i++)
		KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 2, CT_PORT_NAME,
						    0, name, CT_CTRL_BUF - 8,
						    -1));
	KUNIT_EXPECT_TRUE(test, ct_wait_counter(test, sb, "ctrl_rx",
						CT_FLOOD));
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ctrl_backlog"),
			CT_CTRL_BACKLOG);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ctrl_flood_dropped"),
			CT_FLOOD - CT_CTRL_BACKLOG);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ctrl_no_port"), 0);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, ct_who(sb),
						     "ctrl_flood_dropped"), 1U);
	KUNIT_EXPECT_EQ(test, (u16)(READ_ONCE(q->sq.vr.avail->idx) -
				    q->sq.last_avail), CT_RING);
	KUNIT_ASSERT_EQ(test, ct_knob(test, sb, "ctrl_pause", "0"), 0);
	ct_expect_counted(test, sb, "ctrl_no_port", 0, CT_CTRL_BACKLOG);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ctrl_backlog"), 0);
	ct_add_port(test, sb, 1, "after.flood");
}

/* Without MULTIPORT: one console port, no control messages. */
static void ct_single_port(struct kunit *test)
{
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	struct file *f;
	char buf[16];

	KUNIT_ASSERT_NOT_NULL(test, s);
	ct_setup(test, s, BIT_ULL(CT_F_SIZE), 1);
	sb = ct_dev(test, s);
	KUNIT_ASSERT_TRUE(test, ct_bound(sb));
	KUNIT_ASSERT_TRUE(test, ct_wait_port(sb, 0, true));
	KUNIT_EXPECT_GT(test, ct_read_attr(test, sb, 0, "console", buf,
					   sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, strim(buf), "1");
	/* A console is used through its terminal, not the port node. */
	f = ct_open(test, sb, 0, O_RDWR);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f), -ENXIO);
	ct_close(f);
	KUNIT_EXPECT_EQ(test, ct_gmark(sb), 0U);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "ports_added"), 1);
	/* Host data for the console is taken (and read by the terminal). */
	KUNIT_EXPECT_TRUE(test, ct_rx(test, sb, 0, "ls\n", 3, -1));
}

/* Does debugfs "ports" have a line starting "@id " containing @what? */
static bool ct_ports_has(struct kunit *test, struct vireo_simbus_dev *sb,
			 u32 id, const char *what)
{
	char *path = kasprintf(GFP_KERNEL,
			       "/sys/kernel/debug/vireo_console/%s/ports",
			       dev_name(&sb->vdev.dev));
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	char *line, *cur, head[16];
	bool found = false;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, path);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = ct_debugfs_read(test, path, buf, 4096);
	kfree(path);
	KUNIT_ASSERT_GE(test, n, 0);
	snprintf(head, sizeof(head), "%u ", id);
	cur = buf;
	while ((line = strsep(&cur, "\n")))
		if (str_has_prefix(line, head) && strstr(line, what))
			found = true;
	return found;
}

/* Wait until ct_ports_has(); false after 10 s. */
static bool ct_wait_ports(struct kunit *test, struct vireo_simbus_dev *sb,
			  u32 id, const char *what)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (ct_ports_has(test, sb, id, what))
			return true;
		msleep(20);
	}
	return false;
}

/*
 * The console size: from config with SIZE in single-port mode, again on
 * a config change; from RESIZE with MULTIPORT.
 */
static void ct_resize(struct kunit *test)
{
	struct ct_config c = { .cols = 132, .rows = 43, .max_nr_ports = 1 };
	struct vireo_simbus_setup *s = kunit_kzalloc(test, sizeof(*s),
						     GFP_KERNEL);
	struct vireo_simbus_dev *sb;
	u16 size[2] = { 100, 30 };

	KUNIT_ASSERT_NOT_NULL(test, s);
	ct_setup(test, s, BIT_ULL(CT_F_SIZE), 1);
	sb = ct_dev(test, s);
	KUNIT_ASSERT_TRUE(test, ct_wait_port(sb, 0, true));
	KUNIT_EXPECT_TRUE(test, ct_wait_ports(test, sb, 0, " size=80x25 "));
	vireo_simbus_set_config(sb, 0, &c, 4);
	vireo_simbus_config_changed(sb);
	KUNIT_EXPECT_TRUE(test, ct_wait_ports(test, sb, 0, " size=132x43 "));

	sb = ct_multi(test);
	ct_add_port(test, sb, 1, NULL);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_CONSOLE_PORT, 1,
					    NULL, 0, -1));
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_RESIZE, 0, size,
					    sizeof(size), -1));
	KUNIT_EXPECT_TRUE(test, ct_wait_ports(test, sb, 1,
					      " console=1 guest=0 host=1 size=100x30 "));
}

/* EMERG_WRITE: a byte per config write, only where negotiated. */
static void ct_emerg_write(struct kunit *test)
{
	struct vireo_simbus_dev *sb = ct_multi(test);
	struct vireo_simbus_setup *s;
	char *path;
	struct file *f;

	KUNIT_ASSERT_EQ(test, ct_knob(test, sb, "emerg_write", "hi"), 0);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "emerg_bytes"), 2);
	KUNIT_EXPECT_EQ(test, sb->setup.config[8], 'i');

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	ct_setup(test, s, BIT_ULL(CT_F_MULTIPORT), CT_PORTS);
	sb = ct_dev(test, s);
	path = kasprintf(GFP_KERNEL, "/sys/kernel/debug/vireo_console/%s/emerg_write",
			 dev_name(&sb->vdev.dev));
	KUNIT_ASSERT_NOT_NULL(test, path);
	f = filp_open(path, O_WRONLY, 0);
	kfree(path);
	KUNIT_EXPECT_TRUE(test, IS_ERR(f));
	if (!IS_ERR(f))
		fput(f);
}

#define CT_EARLY_PARAM	"/sys/module/vireo_console/parameters/early_console"

static int ct_set_early(const char *val)
{
	struct file *f = filp_open(CT_EARLY_PARAM, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, val, strlen(val), &pos);
	fput(f);
	flush_delayed_fput();
	return n < 0 ? n : 0;
}

static void ct_early_off(void *unused)
{
	ct_set_early("N");
}

/*
 * The early console (early_console=1): from probe on, kernel messages go
 * out through EMERG_WRITE, until a console port has its terminal.
 */
static void ct_early_console(struct kunit *test)
{
	struct vireo_simbus_dev *sb;
	long long before;

	KUNIT_ASSERT_EQ(test, ct_set_early("Y"), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ct_early_off,
							NULL), 0);
	sb = ct_multi(test);
	before = ct_counter(test, sb, "emerg_bytes");
	/* A warning, so that it gets past the console log level. */
	pr_warn("vireo_console_test: early console check\n");
	KUNIT_EXPECT_TRUE(test, ct_wait_counter(test, sb, "emerg_bytes",
						before + 20));
	/* A console port with its terminal ends it. */
	ct_add_port(test, sb, 1, NULL);
	KUNIT_ASSERT_TRUE(test, ct_host_msg(test, sb, 1, CT_CONSOLE_PORT, 1,
					    NULL, 0, -1));
	KUNIT_EXPECT_TRUE(test, ct_wait_ports(test, sb, 1, " console=1 "));
	msleep(200);
	before = ct_counter(test, sb, "emerg_bytes");
	pr_warn("vireo_console_test: early console gone\n");
	msleep(500);
	KUNIT_EXPECT_EQ(test, ct_counter(test, sb, "emerg_bytes"), before);
}

static struct kunit_case ct_ctrl_cases[] = {
	KUNIT_CASE_SLOW(ct_ready_buffers),
	KUNIT_CASE(ct_port_add_name),
	KUNIT_CASE(ct_bad_ids),
	KUNIT_CASE(ct_duplicates),
	KUNIT_CASE(ct_unknown_events),
	KUNIT_CASE(ct_bad_names),
	KUNIT_CASE(ct_absent_port),
	KUNIT_CASE(ct_short_messages),
	KUNIT_CASE(ct_bad_values),
	KUNIT_CASE(ct_used_len_clamp),
	KUNIT_CASE_SLOW(ct_flood),
	KUNIT_CASE(ct_single_port),
	KUNIT_CASE(ct_resize),
	KUNIT_CASE(ct_emerg_write),
	KUNIT_CASE(ct_early_console),
	{}
};

static struct kunit_suite ct_ctrl_suite = {
	.name = "vireo_console_ctrl",
	.test_cases = ct_ctrl_cases,
};

kunit_test_suite(ct_ctrl_suite);
