// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_core: the vireo bus.
 *
 * Transports register devices, drivers register id tables; the core
 * matches them, runs the legacy status handshake (reset, ACKNOWLEDGE,
 * DRIVER, features, probe, DRIVER_OK), negotiates features and delivers
 * config-change events to drivers in process context.
 */
#include <linux/bitops.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <vireo/transport.h>

/* Bits the transport and ring own; drivers never list these themselves. */
#define VIREO_TRANSPORT_MASK \
	GENMASK_ULL(VIREO_TRANSPORT_F_END - 1, VIREO_TRANSPORT_F_START)

static DEFINE_IDA(vireo_index_ida);

static u8 vireo_get_status(struct vireo_device *vdev)
{
	return vdev->config->get_status(vdev);
}

static void vireo_add_status(struct vireo_device *vdev, u8 bits)
{
	vdev->config->set_status(vdev, vireo_get_status(vdev) | bits);
}

static ssize_t device_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "0x%04x\n", dev_to_vireo(d)->id.device);
}
static DEVICE_ATTR_RO(device);

static ssize_t vendor_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "0x%04x\n", dev_to_vireo(d)->id.vendor);
}
static DEVICE_ATTR_RO(vendor);

static ssize_t status_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "0x%08x\n", vireo_get_status(dev_to_vireo(d)));
}
static DEVICE_ATTR_RO(status);

/* One character per negotiated bit, bit 0 first, as the in-kernel bus does. */
static ssize_t features_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	u64 features = dev_to_vireo(d)->features;
	ssize_t len = 0;
	unsigned int i;

	for (i = 0; i < 64; i++)
		len += sysfs_emit_at(buf, len, "%c",
				     features & BIT_ULL(i) ? '1' : '0');
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(features);

static ssize_t modalias_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	struct vireo_device *vdev = dev_to_vireo(d);

	return sysfs_emit(buf, "vireo:d%08Xv%08X\n",
			  vdev->id.device, vdev->id.vendor);
}
static DEVICE_ATTR_RO(modalias);

static struct attribute *vireo_dev_attrs[] = {
	&dev_attr_device.attr,
	&dev_attr_vendor.attr,
	&dev_attr_status.attr,
	&dev_attr_features.attr,
	&dev_attr_modalias.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vireo_dev);

static bool vireo_id_match(const struct vireo_device *vdev,
			   const struct vireo_device_id *id)
{
	if (id->device != VIREO_DEV_ANY_ID && id->device != vdev->id.device)
		return false;
	return id->vendor == VIREO_DEV_ANY_ID || id->vendor == vdev->id.vendor;
}

static int vireo_bus_match(struct device *dev,
			   vireo_const_drv struct device_driver *drv)
{
	const struct vireo_device_id *ids = drv_to_vireo(drv)->id_table;
	unsigned int i;

	for (i = 0; ids[i].device; i++)
		if (vireo_id_match(dev_to_vireo(dev), &ids[i]))
			return 1;
	return 0;
}

static int vireo_bus_uevent(vireo_const_uevent_dev struct device *dev,
			    struct kobj_uevent_env *env)
{
	const struct vireo_device *vdev =
		container_of(dev, const struct vireo_device, dev);

	return add_uevent_var(env, "MODALIAS=vireo:d%08Xv%08X",
			      vdev->id.device, vdev->id.vendor);
}

/*
 * Offer the device what both sides know: the driver's table plus the
 * transport range, which the transport then trims to what it and the ring
 * support in finalize_features.
 */
static int vireo_negotiate_features(struct vireo_device *vdev,
				    const struct vireo_driver *drv)
{
	u64 wanted = VIREO_TRANSPORT_MASK;
	unsigned int i;

	for (i = 0; i < drv->feature_table_size; i++) {
		if (drv->feature_table[i] >= 64) {
			dev_err(&vdev->dev, "driver lists feature bit %u (>= 64)\n",
				drv->feature_table[i]);
			return -EINVAL;
		}
		wanted |= BIT_ULL(drv->feature_table[i]);
	}
	vdev->features = vdev->config->get_features(vdev) & wanted;
	return vdev->config->finalize_features(vdev);
}

static void vireo_config_enable(struct vireo_device *vdev)
{
	spin_lock_irq(&vdev->config_lock);
	vdev->config_enabled = true;
	if (vdev->config_pending) {
		vdev->config_pending = false;
		schedule_work(&vdev->config_work);
	}
	spin_unlock_irq(&vdev->config_lock);
}

/*
 * After this returns no config_changed call is running or will start. An
 * event that was queued but had not run yet is kept for the next driver.
 */
static void vireo_config_disable(struct vireo_device *vdev)
{
	spin_lock_irq(&vdev->config_lock);
	vdev->config_enabled = false;
	spin_unlock_irq(&vdev->config_lock);
	if (cancel_work_sync(&vdev->config_work)) {
		spin_lock_irq(&vdev->config_lock);
		vdev->config_pending = true;
		spin_unlock_irq(&vdev->config_lock);
	}
}

static void vireo_config_work(struct work_struct *work)
{
	struct vireo_device *vdev =
		container_of(work, struct vireo_device, config_work);
	struct vireo_driver *drv;

	spin_lock_irq(&vdev->config_lock);
	if (!vdev->config_enabled) {
		/* Disabled after queueing: keep the event for the replay. */
		vdev->config_pending = true;
		spin_unlock_irq(&vdev->config_lock);
		return;
	}
	spin_unlock_irq(&vdev->config_lock);

	/*
	 * Delivery is enabled only while a driver is bound, and disabling
	 * waits for this work, so the driver cannot go away underneath us.
	 */
	drv = drv_to_vireo(vdev->dev.driver);
	if (drv->config_changed)
		drv->config_changed(vdev);
}

/*
 * A driver must delete its queues in remove (or on a failed probe). If it
 * did not, stop the device before the rings are freed under it.
 */
static void vireo_reap_vqs(struct vireo_device *vdev)
{
	vireo_reset_device(vdev);
	if (list_empty(&vdev->vqs))
		return;
	dev_warn(&vdev->dev, "driver left virtqueues behind; deleting them\n");
	vdev->config->del_vqs(vdev);
}

static int vireo_dev_probe(struct device *d)
{
	struct vireo_device *vdev = dev_to_vireo(d);
	struct vireo_driver *drv = drv_to_vireo(d->driver);
	int err;

	vireo_reset_device(vdev);
	vireo_add_status(vdev, VIREO_STATUS_ACKNOWLEDGE);
	vireo_add_status(vdev, VIREO_STATUS_DRIVER);

	err = vireo_negotiate_features(vdev, drv);
	if (err)
		goto err_failed;
	err = drv->probe(vdev);
	if (err)
		goto err_reap;

	if (!(vireo_get_status(vdev) & VIREO_STATUS_DRIVER_OK))
		vireo_device_ready(vdev);
	vireo_config_enable(vdev);
	return 0;

err_reap:
	vireo_reap_vqs(vdev);
err_failed:
	/* An unbound device shows no features, as after remove. */
	vdev->features = 0;
	vireo_add_status(vdev, VIREO_STATUS_FAILED);
	dev_err(d, "probe by %s failed: %d\n", drv->driver.name, err);
	return err;
}

static void vireo_dev_remove(struct device *d)
{
	struct vireo_device *vdev = dev_to_vireo(d);
	struct vireo_driver *drv = drv_to_vireo(d->driver);

	vireo_config_disable(vdev);
	drv->remove(vdev);
	/* Remove leaves the device reset, whatever the driver did. */
	vireo_reap_vqs(vdev);
	vdev->features = 0;
}

static vireo_bus_type vireo_bus = {
	.name = "vireo",
	.match = vireo_bus_match,
	.uevent = vireo_bus_uevent,
	.probe = vireo_dev_probe,
	.remove = vireo_dev_remove,
	.dev_groups = vireo_dev_groups,
};

/**
 * __vireo_register_driver - register a driver on the vireo bus
 * @drv: the driver; .driver.name, @id_table, @probe and @remove are required
 * @owner: the module that owns @drv (use vireo_register_driver())
 *
 * Matching devices are probed before this returns.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL if a required member is missing, or an error from the
 * driver core.
 */
int __vireo_register_driver(struct vireo_driver *drv, struct module *owner)
{
	if (!drv->driver.name || !drv->id_table || !drv->probe || !drv->remove) {
		pr_err("vireo: driver %s lacks name, id_table, probe or remove\n",
		       drv->driver.name ?: "(unnamed)");
		return -EINVAL;
	}
	drv->driver.bus = &vireo_bus;
	drv->driver.owner = owner;
	return driver_register(&drv->driver);
}

VIREO_EXPORT(__vireo_register_driver);

/**
 * vireo_unregister_driver - unregister a driver from the vireo bus
 * @drv: a driver registered with vireo_register_driver()
 *
 * Every bound device is removed from the driver before this returns.
 *
 * Context: process context; may sleep.
 */
void vireo_unregister_driver(struct vireo_driver *drv)
{
	driver_unregister(&drv->driver);
}

VIREO_EXPORT(vireo_unregister_driver);

/**
 * vireo_register_device - add a transport's device to the vireo bus
 * @vdev: the device; @config, @id and dev.parent and dev.release set
 *
 * Initialises the core's part of @vdev, gives it an index and the name
 * "vireo<index>", resets it, acknowledges it and adds it to the bus, which
 * probes a matching driver.
 *
 * Whatever the result, @vdev's reference is now managed by the driver core:
 * on failure the caller must drop it with put_device(&vdev->dev) and must
 * not free @vdev directly.
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno.
 */
int vireo_register_device(struct vireo_device *vdev)
{
	int err;

	device_initialize(&vdev->dev);
	vdev->dev.bus = &vireo_bus;
	INIT_LIST_HEAD(&vdev->vqs);
	spin_lock_init(&vdev->config_lock);
	INIT_WORK(&vdev->config_work, vireo_config_work);
	vdev->config_enabled = false;
	vdev->config_pending = false;
	vdev->features = 0;

	err = ida_alloc(&vireo_index_ida, GFP_KERNEL);
	if (err < 0)
		return err;
	vdev->index = err;

	err = dev_set_name(&vdev->dev, "vireo%u", vdev->index);
	if (err)
		goto err_free_index;

	vireo_reset_device(vdev);
	vireo_add_status(vdev, VIREO_STATUS_ACKNOWLEDGE);

	err = device_add(&vdev->dev);
	if (err)
		goto err_free_index;
	return 0;

err_free_index:
	ida_free(&vireo_index_ida, vdev->index);
	return err;
}

VIREO_EXPORT(vireo_register_device);

/**
 * vireo_unregister_device - remove a device from the vireo bus
 * @vdev: a device added with vireo_register_device()
 *
 * Unbinds the driver (which leaves the device reset) and drops the
 * registration's reference; @vdev may be freed before this returns.
 *
 * Context: process context; may sleep.
 */
void vireo_unregister_device(struct vireo_device *vdev)
{
	int index = vdev->index;

	device_unregister(&vdev->dev);
	ida_free(&vireo_index_ida, index);
}

VIREO_EXPORT(vireo_unregister_device);

/**
 * vireo_config_changed - report a change of a device's config space
 * @vdev: the device
 *
 * The event is passed to the driver's config_changed() in process
 * context. While no driver is ready for it (before probe completes, during
 * remove, or with no driver bound) the event is kept and delivered once a
 * driver becomes ready. Repeated events may be merged into one call.
 *
 * Context: any context where a spinlock_t may be taken, including hard
 * IRQ (an IRQ thread on PREEMPT_RT), not under a raw spinlock; takes
 * @vdev's config lock.
 */
void vireo_config_changed(struct vireo_device *vdev)
{
	unsigned long flags;

	spin_lock_irqsave(&vdev->config_lock, flags);
	if (vdev->config_enabled)
		schedule_work(&vdev->config_work);
	else
		vdev->config_pending = true;
	spin_unlock_irqrestore(&vdev->config_lock, flags);
}

VIREO_EXPORT(vireo_config_changed);

/**
 * vireo_device_ready - tell the device the driver is ready (DRIVER_OK)
 * @vdev: the device being probed
 *
 * A driver calls this in probe before it first kicks a queue; otherwise
 * the core does it after probe returns. Calling it twice is harmless.
 *
 * Context: process context, from the driver's probe.
 */
void vireo_device_ready(struct vireo_device *vdev)
{
	u8 status = vireo_get_status(vdev);

	if (status & VIREO_STATUS_DRIVER_OK)
		return;
	vdev->config->set_status(vdev, status | VIREO_STATUS_DRIVER_OK);
}

VIREO_EXPORT(vireo_device_ready);

/**
 * vireo_reset_device - reset a device
 * @vdev: the device
 *
 * On return the device uses none of its rings and no callback of its
 * queues is running. Drivers call this in remove before reclaiming
 * buffers with vireo_vq_shutdown().
 *
 * Context: process context; may sleep (waits for running IRQ handlers).
 */
void vireo_reset_device(struct vireo_device *vdev)
{
	vdev->config->reset(vdev);
}

VIREO_EXPORT(vireo_reset_device);

/**
 * vireo_device_reinit - bring a device the driver reset back into use
 * @vdev: the bound device, reset with vireo_reset_device() and with its
 *	queues deleted (vireo_del_vqs())
 *
 * For a driver recovering from a device that stopped answering: walks the
 * status handshake again (ACKNOWLEDGE, DRIVER) and writes the features
 * negotiated at probe back to the device, which forgot them on reset. The
 * driver then re-creates its queues with vireo_find_vqs() and calls
 * vireo_device_ready(). The negotiated features do not change.
 *
 * Context: process context, from the bound driver outside probe and
 * remove; may sleep.
 * Return: 0, or a negative errno from the transport.
 */
int vireo_device_reinit(struct vireo_device *vdev)
{
	vireo_add_status(vdev, VIREO_STATUS_ACKNOWLEDGE);
	vireo_add_status(vdev, VIREO_STATUS_DRIVER);
	return vdev->config->finalize_features(vdev);
}

VIREO_EXPORT(vireo_device_reinit);

static bool vireo_feature_listed(const struct vireo_device *vdev,
				 unsigned int fbit)
{
	const struct vireo_driver *drv;
	unsigned int i;

	if (BIT_ULL(fbit) & VIREO_TRANSPORT_MASK)
		return true;
	if (!vdev->dev.driver)
		return false;
	drv = drv_to_vireo(vdev->dev.driver);
	for (i = 0; i < drv->feature_table_size; i++)
		if (drv->feature_table[i] == fbit)
			return true;
	return false;
}

/**
 * vireo_has_feature - test a negotiated feature bit
 * @vdev: the device
 * @fbit: the feature bit; must be in the driver's feature table or in the
 *	transport range
 *
 * Testing a bit the driver never listed is a driver bug: it warns once
 * and returns the negotiated value, which is always false for such bits.
 *
 * Context: any.
 * Return: true if @fbit was negotiated.
 */
bool vireo_has_feature(const struct vireo_device *vdev, unsigned int fbit)
{
	if (fbit >= 64) {
		dev_warn_once(&vdev->dev, "feature bit %u out of range\n", fbit);
		return false;
	}
	if (!vireo_feature_listed(vdev, fbit))
		dev_warn_once(&vdev->dev,
			      "driver tests feature %u it did not list\n", fbit);
	return vdev->features & BIT_ULL(fbit);
}

VIREO_EXPORT(vireo_has_feature);

/**
 * vireo_offered_features - the feature bits the device offers
 * @vdev: the device
 *
 * What the device offers, before the driver's and the transport's
 * choices. Some devices number their queues by this set rather than by
 * the negotiated one (QEMU's balloon does), so a driver may need it to
 * find its queues. The value comes from the device and is untrusted.
 *
 * Context: process context, while a driver is bound (from probe on).
 * Return: the offered bits (the legacy transport shows only the low 32).
 */
u64 vireo_offered_features(struct vireo_device *vdev)
{
	return vdev->config->get_features(vdev);
}

VIREO_EXPORT(vireo_offered_features);

/**
 * vireo_find_vqs - create a device's virtqueues and their interrupts
 * @vdev: the device being probed
 * @nvqs: number of queues, at least 1
 * @vqs: filled with the created queues
 * @info: name and callback for each queue
 *
 * Context: process context; may sleep. Called from the driver's probe.
 * Return: 0, -EINVAL for bad arguments, -ENOENT if the device lacks one of
 * the queues, or another negative errno. On failure no queue is left.
 */
int vireo_find_vqs(struct vireo_device *vdev, unsigned int nvqs,
		   struct vireo_virtqueue *vqs[],
		   const struct vireo_vq_info info[])
{
	if (!nvqs || !vqs || !info)
		return -EINVAL;
	return vdev->config->find_vqs(vdev, nvqs, vqs, info);
}

VIREO_EXPORT(vireo_find_vqs);

/**
 * vireo_del_vqs - delete every virtqueue of a device
 * @vdev: the device; it must have been reset with vireo_reset_device()
 *
 * Buffers still on the queues must have been reclaimed with
 * vireo_vq_shutdown() first, or their tokens are lost.
 *
 * Context: process context; may sleep.
 */
void vireo_del_vqs(struct vireo_device *vdev)
{
	vdev->config->del_vqs(vdev);
}

VIREO_EXPORT(vireo_del_vqs);

/**
 * vireo_get_vq_affinity - the CPUs a queue's interrupt is steered to
 * @vdev: the device
 * @index: the queue's number, as given to vireo_find_vqs()
 *
 * Lets a driver with one queue per CPU group (such as a blk-mq driver)
 * submit on the CPUs its completions arrive on. Transports that do not
 * steer interrupts leave the operation out.
 *
 * Context: process context, between vireo_find_vqs() and vireo_del_vqs().
 * Return: the CPU mask, or NULL if the transport does not steer this
 * queue's interrupt.
 */
const struct cpumask *vireo_get_vq_affinity(struct vireo_device *vdev,
					    unsigned int index)
{
	if (!vdev->config->get_vq_affinity)
		return NULL;
	return vdev->config->get_vq_affinity(vdev, index);
}

VIREO_EXPORT(vireo_get_vq_affinity);

/**
 * vireo_set_vq_affinity - steer a queue's interrupt to some CPUs
 * @vdev: the device
 * @index: the queue's number, as given to vireo_find_vqs()
 * @mask: the CPUs; copied, so the caller's mask may go away on return
 *
 * Lets a driver that pairs queues with CPUs (such as a network driver
 * with a receive and a transmit queue per CPU) have each queue's
 * completions arrive where it processes them. On success
 * vireo_get_vq_affinity() reports @mask for the queue until the next call
 * for it or vireo_del_vqs(). Queues whose interrupt the kernel spreads
 * over the CPUs itself (managed interrupts) keep that placement; the
 * driver learns it from vireo_get_vq_affinity().
 *
 * Context: process context, between vireo_find_vqs() and vireo_del_vqs();
 * may sleep.
 * Return: 0; -EINVAL if @mask is NULL or empty, the queue does not exist
 * or @mask has no online CPU; -EOPNOTSUPP if the transport cannot steer
 * this queue's interrupt (no such operation, no interrupt of its own, or
 * a managed one); -ENOMEM.
 */
int vireo_set_vq_affinity(struct vireo_device *vdev, unsigned int index,
			  const struct cpumask *mask)
{
	if (!mask || cpumask_empty(mask))
		return -EINVAL;
	if (!vdev->config->set_vq_affinity)
		return -EOPNOTSUPP;
	return vdev->config->set_vq_affinity(vdev, index, mask);
}

VIREO_EXPORT(vireo_set_vq_affinity);

/**
 * vireo_config_read - read device-specific config space
 * @vdev: the device
 * @offset: byte offset into the device's config structure
 * @buf: destination
 * @len: bytes to read, at least 1
 *
 * The value comes from the device and is untrusted: callers validate it.
 * Multi-byte reads return a value that was stable across two reads.
 *
 * Context: any context that may do port I/O; serialise with writes.
 * Return: 0; -EINVAL if the range is empty or outside config space; -EIO
 * if the value kept changing; -ENODEV if the device has vanished.
 */
int vireo_config_read(struct vireo_device *vdev, unsigned int offset,
		      void *buf, unsigned int len)
{
	if (!buf || !len)
		return -EINVAL;
	return vdev->config->get(vdev, offset, buf, len);
}

VIREO_EXPORT(vireo_config_read);

/**
 * vireo_config_write - write device-specific config space
 * @vdev: the device
 * @offset: byte offset into the device's config structure
 * @buf: source
 * @len: bytes to write, at least 1
 *
 * Context: any context that may do port I/O; serialise with reads.
 * Return: 0, or -EINVAL if the range is empty or outside config space.
 */
int vireo_config_write(struct vireo_device *vdev, unsigned int offset,
		       const void *buf, unsigned int len)
{
	if (!buf || !len)
		return -EINVAL;
	return vdev->config->set(vdev, offset, buf, len);
}

VIREO_EXPORT(vireo_config_write);

static int __init vireo_core_init(void)
{
	return bus_register(&vireo_bus);
}

static void __exit vireo_core_exit(void)
{
	bus_unregister(&vireo_bus);
	ida_destroy(&vireo_index_ida);
}

module_init(vireo_core_init);
module_exit(vireo_core_exit);
MODULE_DESCRIPTION("vireo virtio bus core");
MODULE_LICENSE("GPL");
