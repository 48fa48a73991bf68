// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_blk.ko against a hostile simulated device.
 *
 * Every case registers real block devices (type 2) on vireo_simbus, so
 * the real vireo_blk driver binds to them through the bus, and then lets
 * the device misbehave: extreme config values and queue sizes, a device
 * that never completes (stuck), one that vanishes, spurious interrupts by
 * the hundred thousand from another CPU, used-ring violations during
 * probe, I/O and remove, and bind/unbind loops under I/O.
 *
 * I/O goes through the block layer as a user's would: a thread opens the
 * disk with bdev_file_open_by_dev() and submits bios with
 * submit_bio_wait(). Everything that may hang (I/O, probe, removal) runs
 * in a thread of its own and is waited for with a timeout; when the
 * timeout passes, the case fails and rescues the thread by completing
 * what the device holds, so one defect never hangs the whole run.
 *
 * Cases whose names end in _defect check what a driver must do but the
 * current one does not (see Documentation/kunit.rst); they are expected
 * to fail until the driver is fixed.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"

VIREO_IMPORT_NS();

/* Feature bits and status values of the legacy block device (wire facts). */
#define BT_F_SIZE_MAX		1
#define BT_F_SEG_MAX		2
#define BT_F_GEOMETRY		4
#define BT_F_BLK_SIZE		6
#define BT_F_FLUSH		9
#define BT_F_TOPOLOGY		10
#define BT_F_CONFIG_WCE		11
#define BT_F_MQ			12
#define BT_F_DISCARD		13
#define BT_F_WRITE_ZEROES	14
#define BT_S_OK			0
#define BT_S_IOERR		1

#define BT_FEATURES	(BIT_ULL(BT_F_SIZE_MAX) | BIT_ULL(BT_F_SEG_MAX) | \
			 BIT_ULL(BT_F_GEOMETRY) | BIT_ULL(BT_F_BLK_SIZE) | \
			 BIT_ULL(BT_F_FLUSH) | BIT_ULL(BT_F_TOPOLOGY) | \
			 BIT_ULL(BT_F_CONFIG_WCE) | BIT_ULL(BT_F_MQ) | \
			 BIT_ULL(BT_F_DISCARD) | BIT_ULL(BT_F_WRITE_ZEROES) | \
			 BIT_ULL(VIREO_RING_F_INDIRECT_DESC) | \
			 BIT_ULL(VIREO_RING_F_EVENT_IDX))

#define BT_CAPACITY	2048ULL		/* sectors: 1 MiB */
#define BT_RING		128U
/* Long enough for a healthy device under TCG, KASAN and lockdep. */
#define BT_IO_MS	20000U
/* How long a stuck device may delay an error or a removal. */
#define BT_BOUND_MS	15000U
/* The request timeout the stuck cases set, as a user would (io_timeout). */
#define BT_RQ_TIMEOUT	HZ
/*
 * During probe the disk has the default io_timeout (30 s), which a test
 * cannot shorten before the disk exists: allow three of them (the driver
 * retries a request up to three times), and stay below the hung-task
 * detector's 120 s.
 */
#define BT_PROBE_BOUND_MS	100000U
#define BT_SPURIOUS	100000U
#define BT_CYCLES	100U

/**
 * struct bt_config - the legacy virtio-blk config space (wire layout)
 * @capacity: sectors
 * @size_max: largest segment
 * @seg_max: segments per request
 * @cylinders: geometry
 * @heads: geometry
 * @sectors: geometry
 * @blk_size: logical block size
 * @physical_block_exp: log2 of logical blocks per physical block
 * @alignment_offset: in logical blocks
 * @min_io_size: in logical blocks
 * @opt_io_size: in logical blocks
 * @wce: write cache enabled
 * @unused0: padding
 * @num_queues: request queues
 * @max_discard_sectors: discard limit
 * @max_discard_seg: discard ranges
 * @discard_sector_alignment: discard granularity
 * @max_write_zeroes_sectors: write-zeroes limit
 * @max_write_zeroes_seg: write-zeroes ranges
 * @write_zeroes_may_unmap: write-zeroes may deallocate
 * @unused1: padding
 */
struct bt_config {
	u64 capacity;
	u32 size_max;
	u32 seg_max;
	u16 cylinders;
	u8 heads;
	u8 sectors;
	u32 blk_size;
	u8 physical_block_exp;
	u8 alignment_offset;
	u16 min_io_size;
	u32 opt_io_size;
	u8 wce;
	u8 unused0;
	u16 num_queues;
	u32 max_discard_sectors;
	u32 max_discard_seg;
	u32 discard_sector_alignment;
	u32 max_write_zeroes_sectors;
	u32 max_write_zeroes_seg;
	u8 write_zeroes_may_unmap;
	u8 unused1[3];
} __packed;

static_assert(sizeof(struct bt_config) == 60);

#define BT_CFG(field)	offsetof(struct bt_config, field)

/* A well-behaved 1 MiB disk with every feature and 8 queues of 128. */
static void bt_default_setup(struct vireo_simbus_setup *s)
{
	struct bt_config c = {
		.capacity = BT_CAPACITY,
		.size_max = SZ_64K,
		.seg_max = 32,
		.cylinders = 16, .heads = 4, .sectors = 32,
		.blk_size = 512,
		.wce = 1,
		.num_queues = 1,
		.max_discard_sectors = 2048,
		.max_discard_seg = 1,
		.discard_sector_alignment = 8,
		.max_write_zeroes_sectors = 2048,
		.max_write_zeroes_seg = 1,
		.write_zeroes_may_unmap = 1,
	};
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->device = VIREO_ID_BLOCK;
	s->vendor = VIREO_PCI_VENDOR_ID;
	s->features = BT_FEATURES;
	memcpy(s->config, &c, sizeof(c));
	s->config_len = sizeof(c);
	s->nqueues = VIREO_SIMBUS_MAX_QUEUES;
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
		s->queue_num[i] = BT_RING;
	s->status_byte = BT_S_OK;
}

static void bt_set(struct vireo_simbus_setup *s, unsigned int off,
		   unsigned int size, u64 val)
{
	memcpy(s->config + off, &val, size);	/* little-endian x86 */
}

/* ---- devices ----------------------------------------------------------- */

static void bt_sb_release(void *data)
{
	struct vireo_simbus_dev *sb = data;

	vireo_simbus_del(sb);
	vireo_simbus_put(sb);
}

/* A device, registered (and probed) unless @add is false; freed at the end. */
static struct vireo_simbus_dev *bt_dev(struct kunit *test,
				       const struct vireo_simbus_setup *s,
				       bool add)
{
	struct vireo_simbus_dev *sb = vireo_simbus_alloc(s);

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bt_sb_release,
							sb), 0);
	if (add)
		KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

static bool bt_bound(struct vireo_simbus_dev *sb)
{
	struct device_driver *drv = READ_ONCE(sb->vdev.dev.driver);

	return drv && !strcmp(drv->name, "vireo_blk");
}

static int bt_is_disk(struct device *dev, void *data)
{
	return !strncmp(dev_name(dev), "vblk", 4);
}

/* The disk of a bound device, or 0. */
static dev_t bt_devt(struct vireo_simbus_dev *sb)
{
	struct device *dev = device_find_child(&sb->vdev.dev, NULL, bt_is_disk);
	dev_t devt;

	if (!dev)
		return 0;
	devt = dev->devt;
	put_device(dev);
	return devt;
}

/* The request queue of a bound device's disk (for its timeout). */
static void bt_set_rq_timeout(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct device *dev = device_find_child(&sb->vdev.dev, NULL, bt_is_disk);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	blk_queue_rq_timeout(dev_to_disk(dev)->queue, BT_RQ_TIMEOUT);
	put_device(dev);
}

static char bt_who_buf[32];

/* " vireoN: ", to count a device's messages. */
static const char *bt_who(struct vireo_simbus_dev *sb)
{
	snprintf(bt_who_buf, sizeof(bt_who_buf), " %s: ",
		 dev_name(&sb->vdev.dev));
	return bt_who_buf;
}

/* ---- I/O from a thread of its own -------------------------------------- */

/**
 * struct bt_io - I/O a thread submits
 * @devt: the disk, or 0 to find it through @sb each time
 * @sb: the device, when @devt is 0
 * @nr: requests to submit (until @stop when 0)
 * @write: write instead of read (alternate when @mixed)
 * @mixed: alternate reads and writes
 * @stop: stop submitting
 * @ok: requests that succeeded
 * @failed: requests that failed
 * @open_failed: opens that failed (the disk was gone)
 * @first_err: the first error
 */
struct bt_io {
	dev_t devt;
	struct vireo_simbus_dev *sb;
	unsigned int nr;
	bool write;
	bool mixed;
	bool stop;
	unsigned int ok;
	unsigned int failed;
	unsigned int open_failed;
	int first_err;
};

static int bt_submit(struct block_device *bdev, struct page *page,
		     unsigned int i, bool write)
{
	struct bio *bio;
	int err;

	bio = bio_alloc(bdev, 1, (write ? REQ_OP_WRITE : REQ_OP_READ) | REQ_SYNC,
			GFP_KERNEL);
	bio->bi_iter.bi_sector = (i * 8) % BT_CAPACITY;
	__bio_add_page(bio, page, PAGE_SIZE, 0);
	err = submit_bio_wait(bio);
	bio_put(bio);
	return err;
}

static void bt_account(struct bt_io *io, int err)
{
	if (!err) {
		io->ok++;
		return;
	}
	io->failed++;
	if (!io->first_err)
		io->first_err = err;
}

static long bt_io_fn(void *arg)
{
	struct bt_io *io = arg;
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	unsigned int i = 0;
	struct file *f;
	dev_t devt;
	int err;

	if (!page)
		return -ENOMEM;
	while (io->nr ? i < io->nr : !READ_ONCE(io->stop)) {
		devt = io->devt ?: bt_devt(io->sb);
		f = devt ? bdev_file_open_by_dev(devt, BLK_OPEN_READ |
						 BLK_OPEN_WRITE, NULL, NULL) :
			   ERR_PTR(-ENXIO);
		if (IS_ERR(f)) {
			io->open_failed++;
			if (io->nr) {
				bt_account(io, PTR_ERR(f));
				i++;
			}
			usleep_range(1000, 2000);
			continue;
		}
		/* Several requests per open: opening costs more than I/O. */
		do {
			err = bt_submit(file_bdev(f), page, i,
					io->mixed ? i & 1 : io->write);
			bt_account(io, err);
			i++;
		} while ((io->nr ? i < io->nr : !READ_ONCE(io->stop)) &&
			 (io->devt || i % 16));
		fput(f);
	}
	__free_page(page);
	return 0;
}

static struct vireo_simbus_call *bt_io_start(struct kunit *test,
					     struct bt_io *io)
{
	struct vireo_simbus_call *call;

	call = vireo_simbus_call_start(bt_io_fn, io, "vireo_blk_test_io");
	KUNIT_ASSERT_NOT_NULL(test, call);
	return call;
}

/* Run @nr reads on a bound device; all must succeed. */
static void bt_expect_io_works(struct kunit *test, struct vireo_simbus_dev *sb,
			       unsigned int nr)
{
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	KUNIT_ASSERT_NE(test, io->devt, 0);
	io->nr = nr;
	io->mixed = true;
	call = bt_io_start(test, io);
	KUNIT_EXPECT_TRUE_MSG(test, vireo_simbus_call_wait(call, BT_IO_MS),
			      "I/O on a healthy device did not finish");
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_EQ(test, io->ok, nr);
	KUNIT_EXPECT_EQ(test, io->first_err, 0);
}

/*
 * Wait for @call; if it does not return within @ms, fail with @what and
 * rescue it by completing every chain the device holds with an error (and
 * from then on every chain), then wait again. Returns true if it returned
 * in time.
 */
static bool bt_wait_or_rescue(struct kunit *test, struct vireo_simbus_dev *sb,
			      struct vireo_simbus_call *call, unsigned int ms,
			      const char *what)
{
	unsigned int tries;

	if (vireo_simbus_call_wait(call, ms))
		return true;
	KUNIT_FAIL(test, "%s: still blocked after %u ms", what, ms);
	for (tries = 0; tries < 60; tries++) {
		vireo_simbus_rescue(sb, BT_S_IOERR);
		if (vireo_simbus_call_wait(call, 1000))
			return false;
	}
	KUNIT_FAIL_AND_ABORT(test, "%s: not even rescued", what);
	return false;
}

static void bt_all_modes(struct vireo_simbus_dev *sb,
			 enum vireo_simbus_mode mode)
{
	unsigned int q;

	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		vireo_simbus_set_mode(sb, q, mode);
}

static unsigned int bt_all_held(struct vireo_simbus_dev *sb)
{
	unsigned int q, n = 0;

	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		n += vireo_simbus_held(sb, q);
	return n;
}

/* Wait until the device holds at least @n chains; false after 10 s. */
static bool bt_wait_held(struct vireo_simbus_dev *sb, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (bt_all_held(sb) >= n)
			return true;
		msleep(20);
	}
	return false;
}

/* ---- unbinding from a thread ------------------------------------------- */

static long bt_unbind_fn(void *arg)
{
	struct vireo_simbus_dev *sb = arg;

	device_release_driver(&sb->vdev.dev);
	return 0;
}

static long bt_unregister_fn(void *arg)
{
	vireo_simbus_del(arg);
	return 0;
}

static long bt_register_fn(void *arg)
{
	return vireo_simbus_add(arg);
}

/* ---- vireo_blk_config -------------------------------------------------- */

/**
 * struct bt_cfg_param - one extreme config value
 * @name: for the case's parameter description
 * @off: the field's offset (or -1 for a queue size)
 * @unused: padding
 * @val: the value
 * @ring: queue size of every queue, when @off is -1
 */
struct bt_cfg_param {
	const char *name;
	int off;
	unsigned int unused;
	u64 val;
	u32 ring;
};

/* The size of the field at each offset. */
static const u8 bt_field_size[sizeof(struct bt_config)] = {
	[BT_CFG(capacity)] = 8,
	[BT_CFG(size_max)] = 4,
	[BT_CFG(seg_max)] = 4,
	[BT_CFG(cylinders)] = 2,
	[BT_CFG(heads)] = 1,
	[BT_CFG(sectors)] = 1,
	[BT_CFG(blk_size)] = 4,
	[BT_CFG(physical_block_exp)] = 1,
	[BT_CFG(alignment_offset)] = 1,
	[BT_CFG(min_io_size)] = 2,
	[BT_CFG(opt_io_size)] = 4,
	[BT_CFG(wce)] = 1,
	[BT_CFG(num_queues)] = 2,
	[BT_CFG(max_discard_sectors)] = 4,
	[BT_CFG(max_discard_seg)] = 4,
	[BT_CFG(discard_sector_alignment)] = 4,
	[BT_CFG(max_write_zeroes_sectors)] = 4,
	[BT_CFG(max_write_zeroes_seg)] = 4,
	[BT_CFG(write_zeroes_may_unmap)] = 1,
};

#define BT_P(fld, v) { #fld " " #v, BT_CFG(fld), 0, v }
#define BT_Q(n) { "queue size " #n, -1, 0, 0, n }

static const struct bt_cfg_param bt_cfg_params[] = {
	BT_P(capacity, 0), BT_P(capacity, 1), BT_P(capacity, U64_MAX),
	BT_P(capacity, LLONG_MAX >> 9), BT_P(capacity, (LLONG_MAX >> 9) + 1),
	BT_P(size_max, 0), BT_P(size_max, 1), BT_P(size_max, 4095),
	BT_P(size_max, 4096), BT_P(size_max, U32_MAX),
	BT_P(seg_max, 0), BT_P(seg_max, 1), BT_P(seg_max, U32_MAX),
	BT_P(blk_size, 0), BT_P(blk_size, 1), BT_P(blk_size, 511),
	BT_P(blk_size, 513), BT_P(blk_size, 4096), BT_P(blk_size, 65536),
	BT_P(blk_size, U32_MAX),
	BT_P(physical_block_exp, 3), BT_P(physical_block_exp, 20),
	BT_P(physical_block_exp, 63), BT_P(physical_block_exp, 64),
	BT_P(physical_block_exp, 255),
	BT_P(alignment_offset, 255), BT_P(min_io_size, U16_MAX),
	BT_P(opt_io_size, U32_MAX),
	BT_P(cylinders, 0), BT_P(heads, 0), BT_P(sectors, 0),
	BT_P(num_queues, 0), BT_P(num_queues, U16_MAX),
	BT_P(max_discard_sectors, 0), BT_P(max_discard_sectors, 1),
	BT_P(max_discard_sectors, U32_MAX),
	BT_P(max_discard_seg, 0), BT_P(max_discard_seg, 1),
	BT_P(max_discard_seg, U32_MAX),
	BT_P(discard_sector_alignment, 0), BT_P(discard_sector_alignment, 3),
	BT_P(discard_sector_alignment, U32_MAX),
	BT_P(max_write_zeroes_sectors, 0), BT_P(max_write_zeroes_sectors, 1),
	BT_P(max_write_zeroes_sectors, U32_MAX),
	BT_P(max_write_zeroes_seg, 0), BT_P(max_write_zeroes_seg, U32_MAX),
	BT_P(write_zeroes_may_unmap, 0xff),
	BT_P(wce, 0), BT_P(wce, 1), BT_P(wce, 0xff),
	BT_Q(0), BT_Q(1), BT_Q(2), BT_Q(3), BT_Q(4), BT_Q(255), BT_Q(32768),
	BT_Q(32769), BT_Q(65535),
};

static void bt_cfg_desc(const struct bt_cfg_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bt_cfg, bt_cfg_params, bt_cfg_desc);

/*
 * Lines the device caused, other than the summary of a successful probe
 * and the generic "probe failed" lines.
 */
static unsigned int bt_cause_lines(struct vireo_simbus_dev *sb, u64 mark)
{
	const char *who = bt_who(sb);

	return vireo_simbus_probe_cause_lines(mark, who) -
	       vireo_simbus_log_count(mark, who, "queue(s) of depth");
}

/*
 * Bind cleanly (and then do I/O) or fail cleanly: no driver, the status
 * says FAILED, nothing left behind, and one line says why.
 */
static void bc_extremes(struct kunit *test)
{
	const struct bt_cfg_param *p = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	unsigned int i;
	u64 mark;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	if (p->off >= 0) {
		bt_set(s, p->off, bt_field_size[p->off], p->val);
	} else {
		for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
			s->queue_num[i] = p->ring;
	}
	mark = vireo_simbus_log_mark();
	sb = bt_dev(test, s, true);

	if (bt_bound(sb)) {
		KUNIT_EXPECT_TRUE(test, sb->status & VIREO_STATUS_DRIVER_OK);
		KUNIT_EXPECT_LE(test, bt_cause_lines(sb, mark), 1U);
		/* The I/O covers the first 128 sectors. */
		if (p->off != BT_CFG(capacity) || p->val >= BT_CAPACITY)
			bt_expect_io_works(test, sb, 4);
	} else {
		KUNIT_EXPECT_TRUE(test, sb->status & VIREO_STATUS_FAILED);
		KUNIT_EXPECT_TRUE(test, list_empty(&sb->vdev.vqs));
		KUNIT_EXPECT_EQ(test, bt_cause_lines(sb, mark), 1U);
		KUNIT_EXPECT_EQ(test,
				vireo_simbus_log_count(mark, bt_who(sb),
						       "probe by vireo_blk failed"),
				1U);
	}
	kunit_info(test, "%s: %s\n", p->name,
		   bt_bound(sb) ? "bound" : "refused");
}

/* Memory the system has handed out, in bytes. */
static long bt_used_bytes(void)
{
	struct sysinfo si;

	si_meminfo(&si);
	return (long)(si.totalram - si.freeram) * PAGE_SIZE;
}

/*
 * A device offering the largest ring and unlimited segments must not make
 * the driver allocate without bound. The bound covers everything the bind
 * costs: with @mq two queues of 32768 (rings, preallocated indirect
 * tables and the simulated device's own bookkeeping take about 5 MiB per
 * queue), else one.
 */
static void bt_memory(struct kunit *test, bool mq, long bound)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	long before, used;
	unsigned int i;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	bt_set(s, BT_CFG(seg_max), 4, U32_MAX);
	bt_set(s, BT_CFG(size_max), 4, U32_MAX);
	bt_set(s, BT_CFG(num_queues), 2, mq ? U16_MAX : 1);
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
		s->queue_num[i] = VIREO_VRING_MAX_NUM;
	sb = bt_dev(test, s, false);
	before = bt_used_bytes();
	KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	used = bt_used_bytes() - before;
	kunit_info(test, "bind with %u queue(s) of 32768: %ld KiB\n",
		   mq ? 2 : 1, used >> 10);
	KUNIT_EXPECT_TRUE(test, bt_bound(sb));
	KUNIT_EXPECT_LE_MSG(test, used, bound,
			    "binding took %ld MiB, more than %ld MiB",
			    used >> 20, bound >> 20);
}

static void bc_memory_huge_ring_defect(struct kunit *test)
{
	bt_memory(test, false, SZ_16M);
}

static void bc_memory_huge_ring_mq_defect(struct kunit *test)
{
	bt_memory(test, true, SZ_32M);
}

/* The capacity follows a config change; garbage never crashes. */
static void bc_config_change(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct device *dev;
	u64 cap = 4096, bad = U64_MAX;
	unsigned int i;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));

	vireo_simbus_set_config(sb, BT_CFG(capacity), &cap, sizeof(cap));
	vireo_simbus_config_changed(sb);
	flush_work(&sb->vdev.config_work);
	dev = device_find_child(&sb->vdev.dev, NULL, bt_is_disk);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_EXPECT_EQ(test, get_capacity(dev_to_disk(dev)), (sector_t)cap);

	/* All ones everywhere, as a vanished device would read. */
	for (i = 0; i < sizeof(struct bt_config); i++)
		vireo_simbus_set_config(sb, i, "\xff", 1);
	vireo_simbus_config_changed(sb);
	flush_work(&sb->vdev.config_work);
	KUNIT_EXPECT_NE(test, get_capacity(dev_to_disk(dev)), (sector_t)bad);
	put_device(dev);
}

static struct kunit_case bc_cases[] = {
	KUNIT_CASE_PARAM(bc_extremes, bt_cfg_gen_params),
	KUNIT_CASE(bc_memory_huge_ring_defect),
	KUNIT_CASE(bc_memory_huge_ring_mq_defect),
	KUNIT_CASE(bc_config_change),
	{}
};

static struct kunit_suite bc_suite = {
	.name = "vireo_blk_config",
	.test_cases = bc_cases,
};

/* ---- vireo_blk_stuck --------------------------------------------------- */

/* A bound healthy device with a short request timeout. */
static struct vireo_simbus_dev *bt_bound_dev(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	bt_set_rq_timeout(test, sb);
	return sb;
}

/* Start one read on a device that holds every chain; wait until it does. */
static struct vireo_simbus_call *bt_stuck_read(struct kunit *test,
					       struct vireo_simbus_dev *sb,
					       struct bt_io *io)
{
	struct vireo_simbus_call *call;

	bt_all_modes(sb, VIREO_SIMBUS_HOLD);
	io->devt = bt_devt(sb);
	io->nr = 1;
	call = bt_io_start(test, io);
	KUNIT_EXPECT_TRUE(test, bt_wait_held(sb, 1));
	return call;
}

/*
 * DEFECT: a device that never completes. The request must fail with an
 * error in bounded time (here: 15 times the request timeout); today the
 * timeout handler re-arms the timer for ever.
 */
static void bs_io_fails_bounded_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read on a stuck device"))
		KUNIT_EXPECT_EQ(test, io->first_err, -EIO);
	vireo_simbus_call_put(call);
}

/*
 * DEFECT: unbinding the driver from a stuck device with a request in
 * flight must return in bounded time, failing the request; today remove
 * waits in del_gendisk() for the request for ever.
 */
static void bs_unbind_bounded_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	unbind = vireo_simbus_call_start(bt_unbind_fn, sb, "vireo_blk_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS,
			  "unbind from a stuck device");
	vireo_simbus_call_put(unbind);
	KUNIT_EXPECT_FALSE(test, bt_bound(sb));
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read after unbind"))
		KUNIT_EXPECT_NE(test, io->first_err, 0);
	vireo_simbus_call_put(call);
}

/* DEFECT: the same, unregistering the device (hot unplug). */
static void bs_unregister_bounded_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *del;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	del = vireo_simbus_call_start(bt_unregister_fn, sb, "vireo_blk_del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	bt_wait_or_rescue(test, sb, del, BT_BOUND_MS,
			  "unregistering a stuck device");
	vireo_simbus_call_put(del);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read after unregistering"))
		KUNIT_EXPECT_NE(test, io->first_err, 0);
	vireo_simbus_call_put(call);
}

/*
 * DEFECT: a device stuck from the start. Probe reads the partition table;
 * it must give up (fail, or bind a disk whose I/O fails) in bounded time
 * (BT_PROBE_BOUND_MS).
 */
static void bs_stuck_probe_defect(struct kunit *test)
{
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct vireo_simbus_call *reg;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, false);
	bt_all_modes(sb, VIREO_SIMBUS_HOLD);
	reg = vireo_simbus_call_start(bt_register_fn, sb, "vireo_blk_reg");
	KUNIT_ASSERT_NOT_NULL(test, reg);
	if (bt_wait_or_rescue(test, sb, reg, BT_PROBE_BOUND_MS,
			      "probe of a stuck device"))
		KUNIT_EXPECT_EQ(test, reg->ret, 0L);
	vireo_simbus_call_put(reg);
}

/*
 * A device that vanishes with nothing in flight: the next request's
 * notify fails, the driver gives up on the device: the request fails with
 * EIO, later ones too, one message says so, and removal completes.
 */
static void bs_vanish_idle(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *del;
	u64 mark;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	io->nr = 8;
	mark = vireo_simbus_log_mark();
	vireo_simbus_vanish(sb);
	call = bt_io_start(test, io);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "I/O on a vanished device")) {
		KUNIT_EXPECT_EQ(test, io->ok, 0U);
		KUNIT_EXPECT_EQ(test, io->first_err, -EIO);
	}
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "device failed"), 1U);
	del = vireo_simbus_call_start(bt_unregister_fn, sb, "vireo_blk_del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	bt_wait_or_rescue(test, sb, del, BT_BOUND_MS,
			  "unregistering a vanished device");
	vireo_simbus_call_put(del);
}

/*
 * DEFECT: a device that vanishes while it holds a request, with no new
 * request after it. Nothing kicks the device again, so only the request
 * timeout can notice; it must fail the request (the device's status reads
 * 0xff), not re-arm for ever.
 */
static void bs_vanish_with_held_defect(struct kunit *test)
{
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	vireo_simbus_vanish(sb);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "read held by a vanished device"))
		KUNIT_EXPECT_EQ(test, io->first_err, -EIO);
	vireo_simbus_call_put(call);
}

static struct kunit_case bs_cases[] = {
	KUNIT_CASE_SLOW(bs_io_fails_bounded_defect),
	KUNIT_CASE_SLOW(bs_unbind_bounded_defect),
	KUNIT_CASE_SLOW(bs_unregister_bounded_defect),
	KUNIT_CASE_SLOW(bs_stuck_probe_defect),
	KUNIT_CASE(bs_vanish_idle),
	KUNIT_CASE_SLOW(bs_vanish_with_held_defect),
	{}
};

static struct kunit_suite bs_suite = {
	.name = "vireo_blk_stuck",
	.test_cases = bs_cases,
};

/* ---- vireo_blk_irq ----------------------------------------------------- */

/* Start an injector and stop it when the case ends. */
static void bt_inject_stop(void *data)
{
	vireo_simbus_inject_stop(data);
}

static void bt_inject(struct kunit *test, struct vireo_simbus_dev *sb,
		      const struct vireo_simbus_inject *in)
{
	KUNIT_ASSERT_EQ(test, vireo_simbus_inject_start(sb, in), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bt_inject_stop,
							sb), 0);
}

/*
 * 10^5 interrupts without work on every queue, from another CPU, while a
 * thread reads and writes: every request still succeeds.
 */
static void bi_spurious_during_io(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.rounds = BT_SPURIOUS,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;
	unsigned int irqs;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	io->stop = false;
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&sb->inject_done,
							  120 * HZ), 0UL);
	WRITE_ONCE(io->stop, true);
	if (bt_wait_or_rescue(test, sb, call, BT_IO_MS, "I/O during a storm")) {
		KUNIT_EXPECT_GT(test, io->ok, 0U);
		KUNIT_EXPECT_EQ(test, io->failed, 0U);
	}
	vireo_simbus_call_put(call);
	irqs = atomic_read(&sb->counts.irqs);
	kunit_info(test, "%u interrupts injected, %u handled, %u requests\n",
		   irqs, atomic_read(&sb->counts.irqs_handled), io->ok);
	KUNIT_EXPECT_GE(test, irqs, BT_SPURIOUS);
}

/* Interrupts that do carry work, on a device that otherwise holds. */
static void bi_with_work(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.with_work = true,
		.delay_us = 100,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;

	KUNIT_ASSERT_NOT_NULL(test, io);
	bt_all_modes(sb, VIREO_SIMBUS_HOLD);
	io->devt = bt_devt(sb);
	io->nr = 200;
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	if (bt_wait_or_rescue(test, sb, call, BT_IO_MS * 3,
			      "I/O completed by injected interrupts")) {
		KUNIT_EXPECT_EQ(test, io->ok, 200U);
		KUNIT_EXPECT_EQ(test, io->first_err, 0);
	}
	vireo_simbus_call_put(call);
}

/* Config-change events by the thousand during I/O and a capacity flip. */
static void bi_config_storm(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.config = true,
		.queues = BIT(0),
		.rounds = 2000,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call;
	u64 cap;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->devt = bt_devt(sb);
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	for (i = 0; i < 200 && !completion_done(&sb->inject_done); i++) {
		cap = i & 1 ? BT_CAPACITY : 2 * BT_CAPACITY;
		vireo_simbus_set_config(sb, BT_CFG(capacity), &cap, sizeof(cap));
		usleep_range(1000, 2000);
	}
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&sb->inject_done,
							  60 * HZ), 0UL);
	WRITE_ONCE(io->stop, true);
	if (bt_wait_or_rescue(test, sb, call, BT_IO_MS, "I/O during events"))
		KUNIT_EXPECT_EQ(test, io->failed, 0U);
	vireo_simbus_call_put(call);
}

/* Interrupts go on during unbind and after the reset; all are harmless. */
static void bi_during_remove(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.config = true,
		.with_work = true,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct vireo_simbus_call *unbind;
	unsigned int before;

	bt_inject(test, sb, &in);
	msleep(50);
	unbind = vireo_simbus_call_start(bt_unbind_fn, sb, "vireo_blk_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS, "unbind under a storm");
	vireo_simbus_call_put(unbind);
	KUNIT_EXPECT_FALSE(test, bt_bound(sb));
	before = atomic_read(&sb->counts.irqs_no_queue);
	msleep(100);
	vireo_simbus_inject_stop(sb);
	KUNIT_EXPECT_GT(test, atomic_read(&sb->counts.irqs_no_queue), before);
}

static struct kunit_case bi_cases[] = {
	KUNIT_CASE_SLOW(bi_spurious_during_io),
	KUNIT_CASE(bi_with_work),
	KUNIT_CASE(bi_config_storm),
	KUNIT_CASE(bi_during_remove),
	{}
};

static struct kunit_suite bi_suite = {
	.name = "vireo_blk_irq",
	.test_cases = bi_cases,
};

/* ---- vireo_blk_violation ----------------------------------------------- */

/**
 * struct bt_fault_param - a way to corrupt the used ring
 * @name: for the parameter's description
 * @fault: the simulated device's fault mode
 * @direct: without indirect descriptors (a non-head id needs a chain of
 *	several ring descriptors)
 * @fatal: the ring must mark the queue broken; else (a length beyond the
 *	buffer, which legacy devices are known to report) it clamps the
 *	length, warns once, and I/O goes on
 */
struct bt_fault_param {
	const char *name;
	enum vireo_simq_fault fault;
	bool direct;
	bool fatal;
};

static const struct bt_fault_param bt_faults[] = {
	{ "bad id", VIREO_SIMQ_BAD_ID, false, true },
	{ "non-head id", VIREO_SIMQ_NON_HEAD_ID, true, true },
	{ "length too large", VIREO_SIMQ_LEN_TOO_LARGE, false, false },
	{ "index jump", VIREO_SIMQ_IDX_JUMP, false, true },
	{ "completed twice", VIREO_SIMQ_TWICE, false, true },
};

static void bt_fault_desc(const struct bt_fault_param *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bt_fault, bt_faults, bt_fault_desc);

/*
 * A device that corrupts the used ring during I/O: the ring marks the
 * queue broken (once), the driver fails every request with EIO (once),
 * later requests fail at once, and removal completes.
 */
static void bv_fault_during_io(struct kunit *test)
{
	const struct bt_fault_param *f = test->param_value;
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *del;
	unsigned int q;
	u64 mark;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, io);
	bt_default_setup(s);
	if (f->direct)
		s->features &= ~BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	sb = bt_dev(test, s, true);
	KUNIT_ASSERT_TRUE(test, bt_bound(sb));
	bt_set_rq_timeout(test, sb);
	io->devt = bt_devt(sb);
	io->nr = 8;
	mark = vireo_simbus_log_mark();
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		vireo_simbus_set_fault(sb, q, f->fault);
	call = bt_io_start(test, io);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS,
			      "I/O on a misbehaving device")) {
		KUNIT_EXPECT_EQ(test, io->first_err, f->fatal ? -EIO : 0);
		KUNIT_EXPECT_EQ(test, io->ok, f->fatal ? 0U : io->nr);
	}
	vireo_simbus_call_put(call);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "queue marked broken"),
			f->fatal ? 1U : 0U);
	KUNIT_EXPECT_EQ(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "device failed"),
			f->fatal ? 1U : 0U);
	if (!f->fatal)
		KUNIT_EXPECT_EQ(test,
				vireo_simbus_log_count(mark, bt_who(sb),
						       "clamping"), 1U);
	del = vireo_simbus_call_start(bt_unregister_fn, sb, "vireo_blk_del");
	KUNIT_ASSERT_NOT_NULL(test, del);
	bt_wait_or_rescue(test, sb, del, BT_BOUND_MS,
			  "unregistering a misbehaving device");
	vireo_simbus_call_put(del);
}

/*
 * DEFECT: the device puts a used entry on every queue the moment it
 * exists, before the driver posted anything, and raises the interrupt
 * while probe is still running. The driver must survive (bind with a
 * failed disk or fail the probe); today its abort work can run before
 * the disk exists.
 */
static void bv_used_before_post_defect(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
	};
	struct vireo_simbus_setup *s;
	struct vireo_simbus_dev *sb;
	struct vireo_simbus_call *reg;
	u64 mark;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	bt_default_setup(s);
	sb = bt_dev(test, s, false);
	sb->early_used = true;
	mark = vireo_simbus_log_mark();
	bt_inject(test, sb, &in);
	reg = vireo_simbus_call_start(bt_register_fn, sb, "vireo_blk_reg");
	KUNIT_ASSERT_NOT_NULL(test, reg);
	bt_wait_or_rescue(test, sb, reg, BT_BOUND_MS,
			  "probe of a device that completes nothing it got");
	vireo_simbus_call_put(reg);
	vireo_simbus_inject_stop(sb);
	KUNIT_EXPECT_LE(test, vireo_simbus_log_count(mark, bt_who(sb),
						     "queue marked broken"), 1U);
	kunit_info(test, "%u interrupts injected during probe\n",
		   atomic_read(&sb->counts.irqs));
}

/*
 * While the driver is being removed with requests in flight, the device
 * answers with garbage: removal still completes and the requests fail.
 */
static void bv_garbage_during_remove(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.with_work = true,
		.delay_us = 200,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;
	unsigned int q;

	KUNIT_ASSERT_NOT_NULL(test, io);
	call = bt_stuck_read(test, sb, io);
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++)
		vireo_simbus_set_fault(sb, q, VIREO_SIMQ_BAD_ID);
	unbind = vireo_simbus_call_start(bt_unbind_fn, sb, "vireo_blk_unbind");
	KUNIT_ASSERT_NOT_NULL(test, unbind);
	msleep(20);
	bt_inject(test, sb, &in);
	bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS,
			  "unbind while the device answers garbage");
	vireo_simbus_call_put(unbind);
	if (bt_wait_or_rescue(test, sb, call, BT_BOUND_MS, "read at unbind"))
		KUNIT_EXPECT_NE(test, io->first_err, 0);
	vireo_simbus_call_put(call);
}

static struct kunit_case bv_cases[] = {
	KUNIT_CASE_PARAM(bv_fault_during_io, bt_fault_gen_params),
	KUNIT_CASE(bv_garbage_during_remove),
	KUNIT_CASE(bv_used_before_post_defect),
	{}
};

static struct kunit_suite bv_suite = {
	.name = "vireo_blk_violation",
	.test_cases = bv_cases,
};

/* ---- vireo_blk_remove -------------------------------------------------- */

/*
 * Bind and unbind 100 times while a thread keeps opening the disk and
 * doing I/O and interrupts (with work) and config events race both.
 */
static void br_bind_unbind_loop(struct kunit *test)
{
	struct vireo_simbus_inject in = {
		.queues = GENMASK(VIREO_SIMBUS_MAX_QUEUES - 1, 0),
		.config = true,
		.delay_us = 50,
	};
	struct vireo_simbus_dev *sb = bt_bound_dev(test);
	struct bt_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);
	struct vireo_simbus_call *call, *unbind;
	unsigned int i, bound = 0;

	KUNIT_ASSERT_NOT_NULL(test, io);
	io->sb = sb;
	io->mixed = true;
	bt_inject(test, sb, &in);
	call = bt_io_start(test, io);
	for (i = 0; i < BT_CYCLES; i++) {
		unbind = vireo_simbus_call_start(bt_unbind_fn, sb,
						 "vireo_blk_unbind");
		KUNIT_ASSERT_NOT_NULL(test, unbind);
		if (!bt_wait_or_rescue(test, sb, unbind, BT_BOUND_MS,
				       "unbind under I/O")) {
			vireo_simbus_call_put(unbind);
			break;
		}
		vireo_simbus_call_put(unbind);
		KUNIT_ASSERT_FALSE(test, bt_bound(sb));
		if (device_attach(&sb->vdev.dev) == 1)
			bound++;
		cond_resched();
	}
	WRITE_ONCE(io->stop, true);
	bt_wait_or_rescue(test, sb, call, BT_BOUND_MS, "I/O thread");
	vireo_simbus_call_put(call);
	vireo_simbus_inject_stop(sb);
	kunit_info(test, "%u cycles, %u rebinds, %u requests ok, %u failed, %u opens failed, %u interrupts\n",
		   i, bound, io->ok, io->failed, io->open_failed,
		   atomic_read(&sb->counts.irqs));
	KUNIT_EXPECT_EQ(test, i, BT_CYCLES);
	KUNIT_EXPECT_EQ(test, bound, BT_CYCLES);
	KUNIT_EXPECT_GT(test, io->ok, 0U);
	/* A request cut off by removal fails; none may hang or crash. */
	if (bt_bound(sb))
		bt_expect_io_works(test, sb, 4);
}

static struct kunit_case br_cases[] = {
	KUNIT_CASE_SLOW(br_bind_unbind_loop),
	{}
};

static struct kunit_suite br_suite = {
	.name = "vireo_blk_remove",
	.test_cases = br_cases,
};

kunit_test_suites(&bc_suite, &bs_suite, &bi_suite, &bv_suite, &br_suite);

MODULE_DESCRIPTION("KUnit tests for vireo_blk against a hostile simulated device");
MODULE_LICENSE("GPL");
