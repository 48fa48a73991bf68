// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_rng: entropy from a legacy virtio entropy device (type 4).
 *
 * The device fills the buffers the guest posts on its single queue
 * ("input") with random bytes. Each device becomes an hwrng source named
 * "vireo_rng.N", so it can be selected through
 * /sys/class/misc/hw_random/rng_current and read from /dev/hwrng.
 *
 * One page-sized buffer is outstanding at a time. A read that finds bytes
 * left over from a completed buffer hands them out; otherwise it posts the
 * buffer and, if allowed to block, waits for the device to return it.
 */
#include <linux/completion.h>
#include <linux/hw_random.h>
#include <linux/idr.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <vireo/driver.h>

/* One page: large enough to amortise a notify, small enough to kmalloc. */
#define VIREO_RNG_BUF_SIZE	PAGE_SIZE

/*
 * Entropy credited per 1024 bits read. Set explicitly because the hwrng
 * core's default differs: 6.1 treats 0 as "credit nothing", 6.12 as "credit
 * everything". 1000 keeps both kernels crediting the same amount.
 */
#define VIREO_RNG_QUALITY	1000

/*
 * Longest a blocking read sleeps before returning 0 to the hwrng core,
 * which then calls again; see vireo_rng_read() for why it is bounded.
 */
#define VIREO_RNG_WAIT		HZ

/* Numbers the "vireo_rng.N" names; the hwrng core rejects duplicates. */
static DEFINE_IDA(vireo_rng_ida);

/**
 * struct vireo_rng - per-device state
 * @hwrng: what the hwrng core sees; its .name points at @name
 * @vdev: the device
 * @vq: the "input" queue
 * @buf: the one buffer posted to the device (VIREO_RNG_BUF_SIZE bytes)
 * @index: number from vireo_rng_ida, used in @name
 * @name: "vireo_rng.N"
 * @lock: protects the fields below it against the queue callback, and makes
 *	a reader's "dying?" check and its reinit_completion() one step with
 *	respect to removal
 * @have_data: completed when the device returns @buf, when the queue breaks
 *	and (completed for all) when the device goes away
 * @busy: @buf is owned by the device
 * @ready: @buf holds bytes not yet handed out
 * @data_len: bytes the device wrote, already clamped to the posted size
 * @data_off: bytes of @data_len already handed out
 * @dying: remove has started; reads fail with -ENODEV
 * @broken: the queue or the device failed; reads fail with -EIO
 */
struct vireo_rng {
	struct hwrng hwrng;
	struct vireo_device *vdev;
	struct vireo_virtqueue *vq;
	u8 *buf;
	int index;
	char name[24];
	spinlock_t lock;	/* guards the fields below it, see above */
	struct completion have_data;
	bool busy;
	bool ready;
	unsigned int data_len;
	unsigned int data_off;
	bool dying;
	bool broken;
};

static struct vireo_rng *to_vireo_rng(struct hwrng *hwrng)
{
	return container_of(hwrng, struct vireo_rng, hwrng);
}

/**
 * vireo_rng_mark_broken - stop using a queue that failed
 * @vr: the device state
 * @why: what failed, for the log
 *
 * Readers get -EIO from now on instead of waiting for a buffer that will
 * never come back. Only the first failure is logged.
 *
 * Context: any; caller holds @vr->lock.
 */
static void vireo_rng_mark_broken(struct vireo_rng *vr, const char *why)
{
	if (vr->broken)
		return;
	vr->broken = true;
	dev_err(&vr->vdev->dev, "%s: %s, no more entropy from this device\n",
		vr->name, why);
	complete(&vr->have_data);
}

/**
 * vireo_rng_done - queue callback: the device returned the buffer
 * @vq: the "input" queue
 *
 * Context: hard IRQ (called by the transport's interrupt handler; on
 * PREEMPT_RT its IRQ thread).
 */
static void vireo_rng_done(struct vireo_virtqueue *vq)
{
	struct vireo_rng *vr = vq->vdev->priv;
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&vr->lock, flags);
	if (vireo_vq_get_buf(vq, &len)) {
		/*
		 * The ring already clamps a length beyond what was posted;
		 * clamp anyway so this driver never relies on that alone.
		 */
		vr->data_len = min_t(unsigned int, len, VIREO_RNG_BUF_SIZE);
		vr->data_off = 0;
		vr->ready = true;
		vr->busy = false;
		complete(&vr->have_data);
	} else if (vireo_vq_is_broken(vq)) {
		vireo_rng_mark_broken(vr, "virtqueue broken");
	}
	spin_unlock_irqrestore(&vr->lock, flags);
}

/**
 * vireo_rng_post - hand the buffer to the device
 * @vr: the device state; the buffer must be neither busy nor ready
 *
 * reinit_completion() and the add happen under @vr->lock together with the
 * caller's dying check, so a removal either is seen by that check or
 * completes @have_data after the reinit; its wake-up cannot be lost. The
 * kick stays under the lock as well: the ring's operations must not run
 * concurrently with the callback's get_buf, and one notify per page of
 * entropy is not worth a finer scheme.
 *
 * Context: caller holds @vr->lock (interrupts disabled, except on
 * PREEMPT_RT, where the lock alone excludes the callback's thread).
 * Return: 0 once the buffer is with the device, or a negative errno.
 */
static int vireo_rng_post(struct vireo_rng *vr)
{
	struct scatterlist sg;
	int err;

	reinit_completion(&vr->have_data);
	sg_init_one(&sg, vr->buf, VIREO_RNG_BUF_SIZE);
	err = vireo_vq_add_buf(vr->vq, &sg, 0, 1, vr, GFP_ATOMIC);
	if (err) {
		/* Retrying a broken queue would only spin; fail readers. */
		if (vireo_vq_is_broken(vr->vq))
			vireo_rng_mark_broken(vr, "virtqueue broken");
		return err;
	}
	vr->busy = true;
	if (!vireo_vq_kick(vr->vq)) {
		vireo_rng_mark_broken(vr, "device did not take the notify");
		return -EIO;
	}
	return 0;
}

/**
 * vireo_rng_copy - hand out bytes left in the returned buffer
 * @vr: the device state; the buffer must be ready
 * @data: destination
 * @max: room at @data
 *
 * Context: caller holds @vr->lock.
 * Return: the number of bytes copied (0 if @max is 0 or nothing was left).
 */
static size_t vireo_rng_copy(struct vireo_rng *vr, void *data, size_t max)
{
	/* data_len was clamped in the callback; clamp at the use as well. */
	unsigned int len = min_t(unsigned int, vr->data_len,
				 VIREO_RNG_BUF_SIZE);
	size_t n = 0;

	if (vr->data_off < len) {
		n = min_t(size_t, len - vr->data_off, max);
		memcpy(data, vr->buf + vr->data_off, n);
		vr->data_off += n;
	}
	if (vr->data_off >= len)
		vr->ready = false;
	return n;
}

/**
 * vireo_rng_try - one non-blocking step of a read
 * @vr: the device state
 * @data: destination
 * @max: room at @data
 *
 * Hands out leftover bytes if there are any; otherwise makes sure the
 * buffer is with the device.
 *
 * Context: process context; takes @vr->lock.
 * Return: bytes copied, 0 if none are available yet, -ENODEV if the device
 * is going away, -EIO if it failed, or another negative errno from the ring.
 */
static int vireo_rng_try(struct vireo_rng *vr, void *data, size_t max)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&vr->lock, flags);
	if (vr->dying) {
		ret = -ENODEV;
	} else if (vr->ready) {
		/*
		 * A buffer the device returned empty is used up at once:
		 * post the next. If @max was 0 it stays ready and must not
		 * be posted over.
		 */
		ret = vireo_rng_copy(vr, data, max);
		if (!ret && !vr->ready)
			ret = vr->broken ? -EIO : vireo_rng_post(vr);
	} else if (vr->broken) {
		ret = -EIO;
	} else if (!vr->busy) {
		ret = vireo_rng_post(vr);
	}
	spin_unlock_irqrestore(&vr->lock, flags);
	return ret;
}

/**
 * vireo_rng_read - hwrng .read
 * @hwrng: the source
 * @data: destination
 * @max: room at @data
 * @wait: whether the caller may sleep until data arrives
 *
 * The wait is interruptible, so a reader can be killed and is never in the
 * uninterruptible state the hung-task detector watches. It is also bounded
 * by VIREO_RNG_WAIT: the hwrng core holds its reading_mutex around this
 * call and its fill thread takes that mutex uninterruptibly, so a device
 * that never answers must not keep the mutex held indefinitely. Returning
 * 0 is fine for the core: blocking readers call again, the fill thread
 * retries later. The buffer stays posted, so the next call waits for the
 * same one. Removal wakes every waiter at once.
 *
 * Context: process context; the hwrng core serialises calls.
 * Return: bytes copied, 0 if none are available yet, -ERESTARTSYS if
 * interrupted, -ENODEV if the device is going away, -EIO if it failed.
 */
static int vireo_rng_read(struct hwrng *hwrng, void *data, size_t max,
			  bool wait)
{
	struct vireo_rng *vr = to_vireo_rng(hwrng);
	long left;
	int ret;

	ret = vireo_rng_try(vr, data, max);
	if (ret || !wait)
		return ret;

	left = wait_for_completion_interruptible_timeout(&vr->have_data,
							 VIREO_RNG_WAIT);
	if (left < 0)
		return -ERESTARTSYS;
	if (!left)
		return 0;

	return vireo_rng_try(vr, data, max);
}

/**
 * vireo_rng_wake_all - fail current and future reads
 * @vr: the device state
 *
 * Setting @dying and completing @have_data under the lock pairs with the
 * dying check and reinit in vireo_rng_try(): a reader either sees @dying or
 * sleeps on a completion that complete_all() has already released.
 *
 * Context: process context; takes @vr->lock.
 */
static void vireo_rng_wake_all(struct vireo_rng *vr)
{
	unsigned long flags;

	spin_lock_irqsave(&vr->lock, flags);
	vr->dying = true;
	complete_all(&vr->have_data);
	spin_unlock_irqrestore(&vr->lock, flags);
}

/*
 * Take back the buffer the device still owned. Only call this after the
 * device was reset, so it no longer writes into the buffer. The reset
 * also stopped the callback for good, but the ring and the flags are
 * still only ever touched under the lock, so no late callback could take
 * the same buffer back as well.
 */
static void vireo_rng_reclaim(struct vireo_rng *vr)
{
	unsigned long flags;

	spin_lock_irqsave(&vr->lock, flags);
	while (vireo_vq_shutdown(vr->vq))
		;
	vr->busy = false;
	vr->ready = false;
	spin_unlock_irqrestore(&vr->lock, flags);
}

static int vireo_rng_init_vq(struct vireo_rng *vr)
{
	static const struct vireo_vq_info info[] = {
		{ .name = "input", .callback = vireo_rng_done },
	};
	struct vireo_virtqueue *vqs[ARRAY_SIZE(info)];
	int err;

	err = vireo_find_vqs(vr->vdev, ARRAY_SIZE(info), vqs, info);
	if (err)
		return err;
	vr->vq = vqs[0];
	return 0;
}

static void vireo_rng_init_hwrng(struct vireo_rng *vr)
{
	snprintf(vr->name, sizeof(vr->name), "vireo_rng.%d", vr->index);
	vr->hwrng.name = vr->name;
	vr->hwrng.read = vireo_rng_read;
	vr->hwrng.quality = VIREO_RNG_QUALITY;
}

static void vireo_rng_free(struct vireo_rng *vr)
{
	/* The page held entropy that was handed out: do not leave it around. */
	kfree_sensitive(vr->buf);
	ida_free(&vireo_rng_ida, vr->index);
	kfree(vr);
}

/**
 * vireo_rng_probe - bind to an entropy device
 * @vdev: the device
 *
 * Context: process context.
 * Return: 0, or a negative errno with everything undone.
 */
static int vireo_rng_probe(struct vireo_device *vdev)
{
	struct vireo_rng *vr;
	int err;

	vr = kzalloc(sizeof(*vr), GFP_KERNEL);
	if (!vr)
		return -ENOMEM;
	vr->vdev = vdev;
	spin_lock_init(&vr->lock);
	init_completion(&vr->have_data);

	vr->index = ida_alloc(&vireo_rng_ida, GFP_KERNEL);
	if (vr->index < 0) {
		err = vr->index;
		goto err_free_state;
	}

	vr->buf = kmalloc(VIREO_RNG_BUF_SIZE, GFP_KERNEL);
	if (!vr->buf) {
		err = -ENOMEM;
		goto err_free_index;
	}

	/* The callback finds its state here; set before any queue exists. */
	vdev->priv = vr;
	err = vireo_rng_init_vq(vr);
	if (err)
		goto err_free_buf;

	/*
	 * hwrng_register() may read at once (6.1 takes early randomness), and
	 * a read kicks the device, which is only allowed after DRIVER_OK.
	 */
	vireo_device_ready(vdev);

	vireo_rng_init_hwrng(vr);
	err = hwrng_register(&vr->hwrng);
	if (err)
		goto err_reset;
	return 0;

err_reset:
	/* A read inside hwrng_register() may have posted the buffer. */
	vireo_reset_device(vdev);
	vireo_rng_reclaim(vr);
	vireo_del_vqs(vdev);
err_free_buf:
	vdev->priv = NULL;
	kfree_sensitive(vr->buf);
err_free_index:
	ida_free(&vireo_rng_ida, vr->index);
err_free_state:
	kfree(vr);
	return err;
}

/**
 * vireo_rng_remove - unbind, even while a reader is blocked
 * @vdev: the device
 *
 * The order matters:
 *
 * 1. Mark the device dying and wake every reader, under the lock (see
 *    vireo_rng_wake_all()). hwrng_unregister() waits until all readers
 *    have dropped their reference to the source; a reader asleep on a
 *    buffer the device may never return would otherwise hold it until its
 *    wait times out, and the next read could post and kick again. From
 *    here on every read fails at once with -ENODEV and none kicks.
 * 2. hwrng_unregister(): after it returns no .read runs or will run, so the
 *    state and the buffer are ours alone.
 * 3. Reset the device: it stops writing into the buffer and, per the
 *    transport contract, no callback runs any more.
 * 4. Only then reclaim the outstanding buffer; before the reset the device
 *    could still complete it.
 * 5. Delete the queue and free the buffer, the state and the name.
 *
 * Context: process context.
 */
static void vireo_rng_remove(struct vireo_device *vdev)
{
	struct vireo_rng *vr = vdev->priv;

	vireo_rng_wake_all(vr);
	hwrng_unregister(&vr->hwrng);
	vireo_reset_device(vdev);
	vireo_rng_reclaim(vr);
	vireo_del_vqs(vdev);
	vdev->priv = NULL;
	vireo_rng_free(vr);
}

static const struct vireo_device_id vireo_rng_id_table[] = {
	{ VIREO_ID_RNG, VIREO_DEV_ANY_ID },
	{ 0 },
};

static struct vireo_driver vireo_rng_driver = {
	.driver.name	= "vireo_rng",
	.id_table	= vireo_rng_id_table,
	.probe		= vireo_rng_probe,
	.remove		= vireo_rng_remove,
};
module_vireo_driver(vireo_rng_driver);

VIREO_IMPORT_NS();
/* The bus's modalias is "vireo:d%08Xv%08X"; this lets modprobe find us. */
MODULE_ALIAS("vireo:d00000004v*");
MODULE_DESCRIPTION("vireo entropy device driver");
MODULE_LICENSE("GPL");
