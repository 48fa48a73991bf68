// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for vireo_blk.ko against a hostile simulated device: the
 * module's shared helpers.
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
 *
 * One module, a few suites a file: vireo_blk_config_test.c (config values,
 * queue sizes, the memory a bind costs, config changes) and
 * vireo_blk_fault_test.c (a stuck or vanished device, interrupt storms,
 * used-ring violations, bind/unbind under I/O). This file holds what they
 * share: the scripted default disk, devices freed at the end of a case,
 * I/O and unbinding from threads of their own, and waiting with a rescue.
 */

#include <kunit/test.h>
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_blk_test.h"

VIREO_IMPORT_NS();

/* A well-behaved 1 MiB disk with every feature and 8 queues of 128. */
void bt_default_setup(struct vireo_simbus_setup *s)
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

void bt_set(struct vireo_simbus_setup *s, unsigned int off, unsigned int size,
	    u64 val)
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
struct vireo_simbus_dev *bt_dev(struct kunit *test,
				const struct vireo_simbus_setup *s, bool add)
{
	struct vireo_simbus_dev *sb = vireo_simbus_alloc(s);

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bt_sb_release,
							sb), 0);
	if (add)
		KUNIT_ASSERT_EQ(test, vireo_simbus_add(sb), 0);
	return sb;
}

bool bt_bound(struct vireo_simbus_dev *sb)
{
	struct device_driver *drv = READ_ONCE(sb->vdev.dev.driver);

	return drv && !strcmp(drv->name, "vireo_blk");
}

int bt_is_disk(struct device *dev, void *data)
{
	return !strncmp(dev_name(dev), "vblk", 4);
}

/* The disk of a bound device, or 0. */
dev_t bt_devt(struct vireo_simbus_dev *sb)
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
void bt_set_rq_timeout(struct kunit *test, struct vireo_simbus_dev *sb)
{
	struct device *dev = device_find_child(&sb->vdev.dev, NULL, bt_is_disk);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	blk_queue_rq_timeout(dev_to_disk(dev)->queue, BT_RQ_TIMEOUT);
	put_device(dev);
}

static char bt_who_buf[32];

/* " vireoN: ", to count a device's messages. */
const char *bt_who(struct vireo_simbus_dev *sb)
{
	snprintf(bt_who_buf, sizeof(bt_who_buf), " %s: ",
		 dev_name(&sb->vdev.dev));
	return bt_who_buf;
}

/* ---- I/O from a thread of its own -------------------------------------- */

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

struct vireo_simbus_call *bt_io_start(struct kunit *test, struct bt_io *io)
{
	struct vireo_simbus_call *call;

	call = vireo_simbus_call_start(bt_io_fn, io, "vireo_blk_test_io");
	KUNIT_ASSERT_NOT_NULL(test, call);
	return call;
}

/* Run @nr reads on a bound device; all must succeed. */
void bt_expect_io_works(struct kunit *test, struct vireo_simbus_dev *sb,
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
bool bt_wait_or_rescue(struct kunit *test, struct vireo_simbus_dev *sb,
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

void bt_all_modes(struct vireo_simbus_dev *sb, enum vireo_simbus_mode mode)
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
bool bt_wait_held(struct vireo_simbus_dev *sb, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (bt_all_held(sb) >= n)
			return true;
		msleep(20);
	}
	return false;
}

MODULE_DESCRIPTION("KUnit tests for vireo_blk against a hostile simulated device");
MODULE_LICENSE("GPL");
