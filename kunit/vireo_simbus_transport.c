// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated vireo transport for driver tests: the transport and the
 * device's life; see vireo_simbus.h.
 *
 * Each simulated device is a real struct vireo_device on the vireo bus,
 * so the real drivers bind to it. Its transport side behaves like the
 * legacy PCI transport (queue sizes validated the same way, 32-bit
 * features, reset quiesces every queue and waits for a running
 * interrupt); its device side is a vireo_simq per queue, driven by the
 * notify hook, by the device's work item and by the test.
 *
 * Interrupts are simulated by calling vireo_vring_interrupt() with local
 * interrupts off under @irq_lock, from whatever context raises them: the
 * device's work item, the injector thread, or the test. Never from the
 * notify hook: drivers notify with their own locks held, and their
 * callbacks take the same locks.
 *
 * What the test does to a device and its queues, the injector and the
 * helpers for tests are in vireo_simbus_control.c.
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_simbus_priv.h"
#include "vireo_simdev.h"

VIREO_IMPORT_NS();

#define VIREO_SIMBUS_ALIGN	VIREO_VRING_LEGACY_ALIGN
#define VIREO_SIMBUS_ALL_ONES	0xff

/* The devices' own context: deferred completions and interrupts. */
static struct workqueue_struct *vireo_simbus_wq;

static struct vireo_simbus_queue *to_sbq(struct vireo_virtqueue *vq)
{
	return &to_vireo_simbus(vq->vdev)->queues[vq->index];
}

/* ---- config space, status, features ------------------------------------ */

static bool vireo_simbus_range_ok(struct vireo_simbus_dev *sb,
				  unsigned int offset, unsigned int len)
{
	unsigned int size = sb->setup.config_len;

	return len <= size && offset <= size - len;
}

static int vireo_simbus_get(struct vireo_device *vdev, unsigned int offset,
			    void *buf, unsigned int len)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);
	unsigned long flags;

	if (!vireo_simbus_range_ok(sb, offset, len))
		return -EINVAL;
	spin_lock_irqsave(&sb->cfg_lock, flags);
	if (sb->vanished)
		memset(buf, VIREO_SIMBUS_ALL_ONES, len);
	else
		memcpy(buf, sb->setup.config + offset, len);
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
	return 0;
}

static int vireo_simbus_set(struct vireo_device *vdev, unsigned int offset,
			    const void *buf, unsigned int len)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);
	unsigned long flags;

	if (!vireo_simbus_range_ok(sb, offset, len))
		return -EINVAL;
	spin_lock_irqsave(&sb->cfg_lock, flags);
	if (!sb->vanished)
		memcpy(sb->setup.config + offset, buf, len);
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
	return 0;
}

static u8 vireo_simbus_get_status(struct vireo_device *vdev)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);

	return READ_ONCE(sb->vanished) ? VIREO_SIMBUS_ALL_ONES :
					 READ_ONCE(sb->status);
}

static void vireo_simbus_set_status_op(struct vireo_device *vdev, u8 status)
{
	WRITE_ONCE(to_vireo_simbus(vdev)->status, status);
}

/*
 * The device stops using queue @q: it forgets the chains it holds and
 * will not look at the ring again until find_vqs makes a new one.
 */
static void vireo_simbus_stop_queue(struct vireo_simbus_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	q->live = false;
	q->nheld = 0;
	q->irq_pending = false;
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Wait for a simulated interrupt that is running now. */
static void vireo_simbus_sync_irq(struct vireo_simbus_dev *sb)
{
	spin_lock_irq(&sb->irq_lock);
	spin_unlock_irq(&sb->irq_lock);
}

/*
 * Reset as the transport contract says: the device stops touching the
 * rings, then no callback runs any more: every queue is quiesced first,
 * then a running interrupt is waited for.
 */
static void vireo_simbus_reset(struct vireo_device *vdev)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);
	unsigned int i;

	WRITE_ONCE(sb->status, 0);
	mutex_lock(&sb->lock);
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++) {
		vireo_simbus_stop_queue(&sb->queues[i]);
		if (sb->queues[i].vq)
			vireo_vring_quiesce(sb->queues[i].vq);
	}
	vireo_simbus_sync_irq(sb);
	mutex_unlock(&sb->lock);
	atomic_inc(&sb->counts.resets);
}

static u64 vireo_simbus_get_features(struct vireo_device *vdev)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);
	unsigned long flags;
	u64 features;

	spin_lock_irqsave(&sb->cfg_lock, flags);
	features = sb->vanished ? U32_MAX : sb->setup.features;
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
	/* Like the legacy PCI register: 32 bits. */
	return lower_32_bits(features);
}

static int vireo_simbus_finalize_features(struct vireo_device *vdev)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);

	vireo_vring_transport_features(vdev);
	vdev->features = lower_32_bits(vdev->features);
	WRITE_ONCE(sb->guest_features, vdev->features);
	return 0;
}

static const char *vireo_simbus_bus_name(struct vireo_device *vdev)
{
	return "vireo-simbus";
}

/* ---- the device side of a queue ---------------------------------------- */

/**
 * vireo_simbus_default_handler - complete a chain like a simple device
 * @sb: the device
 * @q: the queue's index
 * @iov: the chain's buffers
 * @n: number of buffers
 *
 * Fills the writable buffers with @sb->setup.fill, puts
 * @sb->setup.status_byte in the last writable byte (where a block
 * request's status goes) and reports every writable byte as written.
 *
 * Context: Any context; the queue's device lock is held.
 * Return: the chain's writable bytes.
 */
u32 vireo_simbus_default_handler(struct vireo_simbus_dev *sb, unsigned int q,
				 const struct vireo_simq_iov *iov,
				 unsigned int n)
{
	const struct vireo_simq_iov *last = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!iov[i].write || !iov[i].len)
			continue;
		memset(phys_to_virt(iov[i].addr), sb->setup.fill, iov[i].len);
		last = &iov[i];
	}
	if (last)
		*(u8 *)phys_to_virt(last->addr + last->len - 1) =
			sb->setup.status_byte;
	return vireo_simq_writable(iov, n);
}

VIREO_EXPORT(vireo_simbus_default_handler);

/* Guest-physical address of the last writable byte of a chain, or 0. */
static u64 vireo_simbus_tail(const struct vireo_simq_iov *iov, unsigned int n)
{
	u64 tail = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (iov[i].write && iov[i].len)
			tail = iov[i].addr + iov[i].len - 1;
	return tail;
}

/*
 * Take up to @max available chains; complete each (@hold false) or keep
 * it. At most one ring's worth, so a guest that keeps posting cannot keep
 * the device here. Returns the chains completed.
 */
unsigned int vireo_simbus_take_n(struct vireo_simbus_queue *q, bool hold,
				 unsigned int max)
{
	struct vireo_simbus_dev *sb = q->sb;
	unsigned int i, done = 0, num = min(q->sq.vr.num, max);
	u16 head, before = q->sq.last_avail;
	u32 len;
	int n;

	for (i = 0; i < num; i++) {
		n = vireo_simq_getchain(&q->sq, &head, q->iov,
					VIREO_SIMBUS_MAX_IOV);
		if (!n)
			break;
		if (n < 0) {
			q->bad_chains++;
			/* A bad avail index stays bad: stop looking. */
			if (q->sq.last_avail == before)
				break;
			before = q->sq.last_avail;
			continue;
		}
		before = q->sq.last_avail;
		q->taken++;
		if (hold && q->nheld < num) {
			q->tail[head] = vireo_simbus_tail(q->iov, n);
			q->held[q->nheld++] = head;
			continue;
		}
		len = sb->setup.handler(sb, q->index, q->iov, n);
		vireo_simq_relchain(&q->sq, head, len);
		q->completed++;
		done++;
	}
	return done;
}

/* Take every available chain (see vireo_simbus_take_n()). */
unsigned int vireo_simbus_take(struct vireo_simbus_queue *q, bool hold)
{
	return vireo_simbus_take_n(q, hold, UINT_MAX);
}

/* Does the device work on queue @q? Caller holds the queue's lock. */
bool vireo_simbus_working(struct vireo_simbus_queue *q)
{
	return q->live && !READ_ONCE(q->sb->vanished);
}

/* After a batch: does the guest want an interrupt? */
bool vireo_simbus_end_batch(struct vireo_simbus_queue *q)
{
	if (vireo_simq_endchains(&q->sq))
		q->irq_pending = true;
	return q->irq_pending;
}

void vireo_simbus_kick_work(struct vireo_simbus_dev *sb)
{
	queue_work(vireo_simbus_wq, &sb->work);
}

static bool vireo_simbus_notify(struct vireo_virtqueue *vq)
{
	struct vireo_simbus_queue *q = to_sbq(vq);
	struct vireo_simbus_dev *sb = q->sb;
	bool work = false;
	unsigned long flags;

	if (READ_ONCE(sb->vanished)) {
		atomic_inc(&sb->counts.failed_notifies);
		return false;
	}
	spin_lock_irqsave(&q->lock, flags);
	q->kicks++;
	if (vireo_simbus_working(q)) {
		vireo_simq_startchains(&q->sq);
		switch (q->mode) {
		case VIREO_SIMBUS_COMPLETE:
			vireo_simbus_take(q, false);
			work = vireo_simbus_end_batch(q);
			break;
		case VIREO_SIMBUS_HOLD:
			vireo_simbus_take(q, true);
			break;
		case VIREO_SIMBUS_DEFER:
			work = true;
			break;
		case VIREO_SIMBUS_IGNORE:
			break;
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	if (work)
		vireo_simbus_kick_work(sb);
	return true;
}

/**
 * vireo_simbus_interrupt - raise a queue's interrupt now
 * @sb: the device
 * @q: the queue's index
 *
 * Runs vireo_vring_interrupt() for the queue with local interrupts off,
 * as a transport's handler would, whether or not the device has
 * completed anything (a spurious interrupt otherwise). Counted in
 * @sb->counts.
 *
 * Context: Any context but under a lock the driver's callback takes (not
 *	from a notify, nor from a vireo_simbus_handler_t).
 * Return: what vireo_vring_interrupt() returned, IRQ_NONE without a queue.
 */
irqreturn_t vireo_simbus_interrupt(struct vireo_simbus_dev *sb,
				   unsigned int q)
{
	irqreturn_t ret = IRQ_NONE;
	struct vireo_virtqueue *vq;
	unsigned long flags;

	if (q >= VIREO_SIMBUS_MAX_QUEUES)
		return IRQ_NONE;
	spin_lock_irqsave(&sb->irq_lock, flags);
	atomic_inc(&sb->counts.irqs);
	vq = sb->queues[q].vq;
	if (vq) {
		ret = vireo_vring_interrupt(0, vq);
		if (ret == IRQ_HANDLED)
			atomic_inc(&sb->counts.irqs_handled);
	} else {
		atomic_inc(&sb->counts.irqs_no_queue);
	}
	spin_unlock_irqrestore(&sb->irq_lock, flags);
	return ret;
}

VIREO_EXPORT(vireo_simbus_interrupt);

/* The device's own context: deferred chains, then pending interrupts. */
static void vireo_simbus_work(struct work_struct *work)
{
	struct vireo_simbus_dev *sb = container_of(work, struct vireo_simbus_dev,
						   work);
	struct vireo_simbus_queue *q;
	unsigned long flags;
	unsigned int i;
	bool irq;

	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++) {
		q = &sb->queues[i];
		spin_lock_irqsave(&q->lock, flags);
		if (vireo_simbus_working(q) && q->mode == VIREO_SIMBUS_DEFER) {
			vireo_simq_startchains(&q->sq);
			vireo_simbus_take(q, false);
			vireo_simbus_end_batch(q);
		}
		irq = vireo_simbus_working(q) && q->irq_pending;
		q->irq_pending = false;
		spin_unlock_irqrestore(&q->lock, flags);
		if (irq)
			vireo_simbus_interrupt(sb, i);
	}
}

/* ---- queues ------------------------------------------------------------ */

/* Take the queues away from the device and the interrupts, then free. */
static void vireo_simbus_teardown(struct vireo_simbus_dev *sb)
{
	struct vireo_virtqueue *vqs[VIREO_SIMBUS_MAX_QUEUES];
	struct vireo_simbus_queue *q;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&sb->irq_lock, flags);
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++) {
		q = &sb->queues[i];
		spin_lock(&q->lock);
		vqs[i] = q->vq;
		q->vq = NULL;
		q->live = false;
		q->nheld = 0;
		q->irq_pending = false;
		spin_unlock(&q->lock);
	}
	sb->nvqs = 0;
	spin_unlock_irqrestore(&sb->irq_lock, flags);

	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++) {
		q = &sb->queues[i];
		if (vqs[i]) {
			list_del(&vqs[i]->list);
			vireo_vring_destroy(vqs[i]);
		}
		vireo_simq_free(&q->sq);
		kvfree(q->held);
		kvfree(q->tail);
		q->held = NULL;
		q->tail = NULL;
	}
}

/* The size the device reports for queue @i, validated as vireo_pci does. */
static int vireo_simbus_queue_size(struct vireo_simbus_dev *sb, unsigned int i)
{
	u32 num = i < sb->setup.nqueues ? sb->setup.queue_num[i] : 0;

	/* The legacy register has 16 bits. */
	num &= U16_MAX;
	if (!num) {
		dev_err(&sb->vdev.dev, "queue %u does not exist\n", i);
		return -ENOENT;
	}
	if (!is_power_of_2(num) || num > VIREO_VRING_MAX_NUM) {
		dev_err(&sb->vdev.dev, "queue %u: invalid size %u from device\n",
			i, num);
		return -EINVAL;
	}
	return num;
}

/* Create queue @i and its device side; not yet visible to anyone. */
static struct vireo_virtqueue *vireo_simbus_setup_vq(struct vireo_simbus_dev *sb,
						     unsigned int i,
						     const struct vireo_vq_info *info)
{
	struct vireo_simbus_queue *q = &sb->queues[i];
	struct vireo_virtqueue *vq;
	int num, err;

	num = vireo_simbus_queue_size(sb, i);
	if (num < 0)
		return ERR_PTR(num);
	vq = vireo_vring_create(&sb->vdev, i, num, VIREO_SIMBUS_ALIGN,
				vireo_simbus_notify, info);
	if (IS_ERR(vq))
		return vq;
	err = vireo_simq_init(&q->sq, vq, VIREO_SIMBUS_ALIGN);
	q->held = kvcalloc(num, sizeof(*q->held), GFP_KERNEL);
	q->tail = kvcalloc(num, sizeof(*q->tail), GFP_KERNEL);
	if (err || !q->held || !q->tail) {
		vireo_simq_free(&q->sq);
		kvfree(q->held);
		kvfree(q->tail);
		q->held = NULL;
		q->tail = NULL;
		vireo_vring_destroy(vq);
		return ERR_PTR(-ENOMEM);
	}
	return vq;
}

/* Make queue @i live: the device and the interrupts see it from now on. */
static void vireo_simbus_publish(struct vireo_simbus_dev *sb, unsigned int i,
				 struct vireo_virtqueue *vq)
{
	struct vireo_simbus_queue *q = &sb->queues[i];
	unsigned long flags;

	list_add_tail(&vq->list, &sb->vdev.vqs);
	spin_lock_irqsave(&sb->irq_lock, flags);
	spin_lock(&q->lock);
	q->vq = vq;
	q->live = !sb->vanished;
	q->nheld = 0;
	if (q->live && sb->early_used) {
		/* A used entry for a buffer the driver never posted. */
		vireo_simq_put_used(&q->sq, 0, 0);
		q->irq_pending = true;
	}
	spin_unlock(&q->lock);
	spin_unlock_irqrestore(&sb->irq_lock, flags);
	if (sb->early_used)
		vireo_simbus_kick_work(sb);
}

static int vireo_simbus_find_vqs(struct vireo_device *vdev, unsigned int nvqs,
				 struct vireo_virtqueue *vqs[],
				 const struct vireo_vq_info info[])
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);
	struct vireo_virtqueue *vq;
	unsigned int i;
	int err = 0;

	if (!nvqs || nvqs > VIREO_SIMBUS_MAX_QUEUES)
		return -EINVAL;
	for (i = 0; i < nvqs; i++) {
		if (!info[i].name) {
			dev_err(&vdev->dev, "queue %u has no name\n", i);
			return -EINVAL;
		}
	}
	mutex_lock(&sb->lock);
	if (sb->nvqs) {
		err = -EBUSY;
		goto out_unlock;
	}
	for (i = 0; i < nvqs; i++) {
		vq = vireo_simbus_setup_vq(sb, i, &info[i]);
		if (IS_ERR(vq)) {
			err = PTR_ERR(vq);
			vireo_simbus_teardown(sb);
			goto out_unlock;
		}
		vqs[i] = vq;
		sb->nvqs = i + 1;
		vireo_simbus_publish(sb, i, vq);
	}
	atomic_inc(&sb->counts.find_vqs);
out_unlock:
	mutex_unlock(&sb->lock);
	return err;
}

static void vireo_simbus_del_vqs(struct vireo_device *vdev)
{
	struct vireo_simbus_dev *sb = to_vireo_simbus(vdev);

	mutex_lock(&sb->lock);
	vireo_simbus_teardown(sb);
	mutex_unlock(&sb->lock);
	atomic_inc(&sb->counts.del_vqs);
}

static const struct vireo_config_ops vireo_simbus_ops = {
	.get = vireo_simbus_get,
	.set = vireo_simbus_set,
	.get_status = vireo_simbus_get_status,
	.set_status = vireo_simbus_set_status_op,
	.reset = vireo_simbus_reset,
	.get_features = vireo_simbus_get_features,
	.finalize_features = vireo_simbus_finalize_features,
	.find_vqs = vireo_simbus_find_vqs,
	.del_vqs = vireo_simbus_del_vqs,
	.bus_name = vireo_simbus_bus_name,
};

/* ---- the device's life ------------------------------------------------- */

static void vireo_simbus_free(struct vireo_simbus_dev *sb)
{
	unsigned int i;

	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++)
		kfree(sb->queues[i].iov);
	mutex_destroy(&sb->lock);
	kfree(sb);
}

static void vireo_simbus_release(struct device *dev)
{
	vireo_simbus_free(to_vireo_simbus(dev_to_vireo(dev)));
}

/**
 * vireo_simbus_alloc - a simulated device, not yet on the bus
 * @setup: the device as the test scripts it (copied)
 *
 * Context: Process context; sleeps.
 * Return: the device, or NULL if out of memory. Release it with
 * vireo_simbus_put(), after vireo_simbus_del() if it was added.
 */
struct vireo_simbus_dev *vireo_simbus_alloc(const struct vireo_simbus_setup *setup)
{
	struct vireo_simbus_dev *sb;
	struct vireo_simbus_queue *q;
	unsigned int i;

	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return NULL;
	sb->setup = *setup;
	sb->setup.config_len = min(sb->setup.config_len,
				   VIREO_SIMBUS_CONFIG_SIZE);
	if (!sb->setup.handler)
		sb->setup.handler = vireo_simbus_default_handler;
	mutex_init(&sb->lock);
	spin_lock_init(&sb->irq_lock);
	spin_lock_init(&sb->cfg_lock);
	INIT_WORK(&sb->work, vireo_simbus_work);
	init_completion(&sb->inject_done);
	for (i = 0; i < VIREO_SIMBUS_MAX_QUEUES; i++) {
		q = &sb->queues[i];
		q->sb = sb;
		q->index = i;
		spin_lock_init(&q->lock);
		q->iov = kcalloc(VIREO_SIMBUS_MAX_IOV, sizeof(*q->iov),
				 GFP_KERNEL);
		if (!q->iov) {
			vireo_simbus_free(sb);
			return NULL;
		}
	}
	sb->vdev.id.device = setup->device;
	sb->vdev.id.vendor = setup->vendor;
	sb->vdev.config = &vireo_simbus_ops;
	sb->vdev.dev.release = vireo_simbus_release;
	return sb;
}

VIREO_EXPORT(vireo_simbus_alloc);

/**
 * vireo_simbus_add - put a simulated device on the vireo bus
 * @sb: from vireo_simbus_alloc()
 *
 * A matching driver is probed before this returns.
 *
 * Context: Process context; sleeps.
 * Return: 0 or the error of vireo_register_device(); either way @sb
 * stays valid until vireo_simbus_put().
 */
int vireo_simbus_add(struct vireo_simbus_dev *sb)
{
	int err;

	sb->added = true;
	err = vireo_register_device(&sb->vdev);
	if (err)
		return err;
	/* Ours, so that @sb outlives its registration. */
	get_device(&sb->vdev.dev);
	WRITE_ONCE(sb->registered, true);
	return 0;
}

VIREO_EXPORT(vireo_simbus_add);

/**
 * vireo_simbus_del - take a simulated device off the bus
 * @sb: added with vireo_simbus_add()
 *
 * The driver is removed while the injector, if any, keeps running; it is
 * stopped afterwards. @sb stays valid until vireo_simbus_put().
 *
 * Context: Process context; sleeps.
 */
void vireo_simbus_del(struct vireo_simbus_dev *sb)
{
	if (READ_ONCE(sb->registered)) {
		WRITE_ONCE(sb->registered, false);
		vireo_unregister_device(&sb->vdev);
	}
	vireo_simbus_inject_stop(sb);
	cancel_work_sync(&sb->work);
}

VIREO_EXPORT(vireo_simbus_del);

/**
 * vireo_simbus_put - drop the test's reference to a simulated device
 * @sb: from vireo_simbus_alloc(), taken off the bus if it was added
 *
 * Context: Process context; sleeps.
 */
void vireo_simbus_put(struct vireo_simbus_dev *sb)
{
	vireo_simbus_inject_stop(sb);
	cancel_work_sync(&sb->work);
	/* Never added: the struct device was never initialised. */
	if (!sb->added) {
		vireo_simbus_free(sb);
		return;
	}
	put_device(&sb->vdev.dev);
}

VIREO_EXPORT(vireo_simbus_put);

static int __init vireo_simbus_init(void)
{
	vireo_simbus_wq = alloc_workqueue("vireo_simbus", WQ_UNBOUND, 0);
	return vireo_simbus_wq ? 0 : -ENOMEM;
}

static void __exit vireo_simbus_exit(void)
{
	destroy_workqueue(vireo_simbus_wq);
}

module_init(vireo_simbus_init);
module_exit(vireo_simbus_exit);

MODULE_DESCRIPTION("vireo simulated transport for driver tests");
MODULE_LICENSE("GPL");
