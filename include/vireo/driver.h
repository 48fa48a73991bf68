/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo: what a driver on the vireo bus may use.
 *
 * A driver registers a struct vireo_driver with an id table. When a
 * transport registers a matching struct vireo_device, the core runs the
 * status handshake, negotiates features and calls the driver's probe. The
 * driver then asks for virtqueues with vireo_find_vqs() and moves buffers
 * with the vireo_vq_*() calls.
 *
 * Transports include <vireo/transport.h> instead, which adds ring creation,
 * the interrupt entry and the rest of what only a transport may call.
 *
 * Modules using this API must say VIREO_IMPORT_NS() (from <vireo/compat.h>).
 */
#ifndef _VIREO_DRIVER_H
#define _VIREO_DRIVER_H

#include <linux/device.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <vireo/compat.h>
#include <vireo/ids.h>
#include <vireo/vring.h>

/* Device status bits (legacy: there is no FEATURES_OK step). */
#define VIREO_STATUS_ACKNOWLEDGE	0x01	/* the guest noticed the device */
#define VIREO_STATUS_DRIVER		0x02	/* a driver is bound */
#define VIREO_STATUS_DRIVER_OK		0x04	/* the driver is ready */
#define VIREO_STATUS_FAILED		0x80	/* the guest gave up */

/**
 * struct vireo_device_id - what a driver binds to
 * @device: virtio device type (VIREO_ID_*) or VIREO_DEV_ANY_ID
 * @vendor: subsystem vendor or VIREO_DEV_ANY_ID
 *
 * A table ends with an entry whose @device is 0.
 */
struct vireo_device_id {
	u32 device;
	u32 vendor;
};

struct vireo_config_ops;
struct vireo_device;
struct vireo_virtqueue;

/**
 * typedef vireo_vq_callback_t - a virtqueue's completion callback
 * @vq: the virtqueue that has used buffers
 *
 * Called from the transport's interrupt handler (hard-IRQ context) when the
 * device has returned buffers. It must not sleep.
 */
typedef void vireo_vq_callback_t(struct vireo_virtqueue *vq);

/**
 * struct vireo_virtqueue - a queue of buffers shared with the device
 * @list: entry in the owning device's @vqs list (owned by the transport)
 * @callback: completion callback, or NULL for a queue that is only polled
 * @name: name given at creation, for messages and IRQ names
 * @vdev: the device this queue belongs to
 * @index: the queue's number on the device
 * @num_free: descriptors not currently in use; read-only for drivers
 * @priv: for the driver's own use
 *
 * The ring implementation embeds this in a private structure; drivers see
 * only these fields.
 */
struct vireo_virtqueue {
	struct list_head list;
	vireo_vq_callback_t *callback;
	const char *name;
	struct vireo_device *vdev;
	unsigned int index;
	unsigned int num_free;
	void *priv;
};

/**
 * struct vireo_vq_info - what a driver asks for in vireo_find_vqs()
 * @name: queue name (must stay valid while the queue exists)
 * @callback: completion callback, or NULL if the queue needs no interrupt
 * @max_sg: the most scatterlist entries one buffer of this queue will have,
 *	or 0 if the driver cannot say. With indirect descriptors the ring
 *	then keeps one table of this many entries for each descriptor head,
 *	so that buffers up to this size are added without allocating
 *	(Documentation/ring.rst gives the memory cost and its cap).
 * @max_bufs: the most buffers the driver keeps in flight on this queue,
 *	or 0 for as many as the ring holds. Only the first @max_bufs heads
 *	then get a preallocated table (the free list hands out the lowest
 *	heads first), which keeps the tables' memory to what is used.
 * @exact_len: vireo_vq_get_buf() reports a used length beyond the
 *	writable bytes posted as the device wrote it, instead of clamping
 *	it. For a driver that checks every length against what it posted
 *	itself and drops such a buffer's contents: a network driver must
 *	not pass on bytes the device claims but never wrote.
 */
struct vireo_vq_info {
	const char *name;
	vireo_vq_callback_t *callback;
	unsigned int max_sg;
	unsigned int max_bufs;
	bool exact_len;
};

/**
 * struct vireo_device - a device on the vireo bus
 * @index: unique number; the device is named "vireo<index>"
 * @dev: the driver-model device
 * @id: device type and vendor, used for matching
 * @config: the transport's operations
 * @vqs: the device's virtqueues (maintained by the transport)
 * @features: negotiated features, valid from probe on
 * @priv: for the driver's own use
 * @config_lock: protects @config_enabled and @config_pending
 * @config_enabled: config-change events may be delivered to the driver
 * @config_pending: an event arrived while delivery was disabled
 * @config_work: delivers config-change events in process context
 */
struct vireo_device {
	int index;
	struct device dev;
	struct vireo_device_id id;
	const struct vireo_config_ops *config;
	struct list_head vqs;
	u64 features;
	void *priv;
	/* private to vireo_core */
	spinlock_t config_lock;
	bool config_enabled;
	bool config_pending;
	struct work_struct config_work;
};

/**
 * struct vireo_driver - a driver on the vireo bus
 * @driver: the driver-model driver; set .name
 * @id_table: the device ids served, ending with a zero entry
 * @feature_table: device feature bits the driver understands
 * @feature_table_size: number of entries in @feature_table
 * @probe: bind to a device. Called in process context after feature
 *	negotiation; the core sets DRIVER_OK after it returns 0 unless the
 *	driver already called vireo_device_ready().
 * @remove: unbind. Must stop the device (vireo_reset_device()), reclaim
 *	its buffers and delete its queues.
 * @config_changed: the device's config space changed. Called in process
 *	context, may sleep, never concurrently with itself, and only
 *	between a successful probe and the start of remove.
 */
struct vireo_driver {
	struct device_driver driver;
	const struct vireo_device_id *id_table;
	const unsigned int *feature_table;
	unsigned int feature_table_size;
	int (*probe)(struct vireo_device *vdev);
	void (*remove)(struct vireo_device *vdev);
	void (*config_changed)(struct vireo_device *vdev);
};

static inline struct vireo_device *dev_to_vireo(struct device *dev)
{
	return container_of(dev, struct vireo_device, dev);
}

static inline struct vireo_driver *drv_to_vireo(const struct device_driver *drv)
{
	return container_of(drv, struct vireo_driver, driver);
}

/* Drivers (vireo_core.ko) */
int __vireo_register_driver(struct vireo_driver *drv, struct module *owner);
#define vireo_register_driver(drv) __vireo_register_driver(drv, THIS_MODULE)
void vireo_unregister_driver(struct vireo_driver *drv);
#define module_vireo_driver(__drv) \
	module_driver(__drv, vireo_register_driver, vireo_unregister_driver)

/* Device control (vireo_core.ko) */
void vireo_device_ready(struct vireo_device *vdev);
void vireo_reset_device(struct vireo_device *vdev);
int vireo_device_reinit(struct vireo_device *vdev);
bool vireo_has_feature(const struct vireo_device *vdev, unsigned int fbit);
u64 vireo_offered_features(struct vireo_device *vdev);
int vireo_find_vqs(struct vireo_device *vdev, unsigned int nvqs,
		   struct vireo_virtqueue *vqs[],
		   const struct vireo_vq_info info[]);
void vireo_del_vqs(struct vireo_device *vdev);
const struct cpumask *vireo_get_vq_affinity(struct vireo_device *vdev,
					    unsigned int index);
int vireo_set_vq_affinity(struct vireo_device *vdev, unsigned int index,
			  const struct cpumask *mask);
int vireo_config_read(struct vireo_device *vdev, unsigned int offset,
		      void *buf, unsigned int len);
int vireo_config_write(struct vireo_device *vdev, unsigned int offset,
		       const void *buf, unsigned int len);

/*
 * Typed config reads: @offset is offsetof() the field in the device's
 * config structure. Values come from the device and must be validated.
 * Context and return value as for vireo_config_read().
 */
static inline int vireo_cread8(struct vireo_device *vdev, unsigned int offset,
			       u8 *val)
{
	return vireo_config_read(vdev, offset, val, sizeof(*val));
}

static inline int vireo_cread16(struct vireo_device *vdev, unsigned int offset,
				u16 *val)
{
	return vireo_config_read(vdev, offset, val, sizeof(*val));
}

static inline int vireo_cread32(struct vireo_device *vdev, unsigned int offset,
				u32 *val)
{
	return vireo_config_read(vdev, offset, val, sizeof(*val));
}

static inline int vireo_cread64(struct vireo_device *vdev, unsigned int offset,
				u64 *val)
{
	return vireo_config_read(vdev, offset, val, sizeof(*val));
}

/* Virtqueues (vireo_ring.ko) */
int vireo_vq_add_buf(struct vireo_virtqueue *vq, struct scatterlist sg[],
		     unsigned int out_num, unsigned int in_num, void *data,
		     gfp_t gfp);
int vireo_vq_add_sgs(struct vireo_virtqueue *vq, struct scatterlist *sgs[],
		     unsigned int out_sgs, unsigned int in_sgs, void *data,
		     gfp_t gfp);
bool vireo_vq_kick_prepare(struct vireo_virtqueue *vq);
bool vireo_vq_notify(struct vireo_virtqueue *vq);
bool vireo_vq_kick(struct vireo_virtqueue *vq);
void *vireo_vq_get_buf(struct vireo_virtqueue *vq, unsigned int *len);
void vireo_vq_disable_cb(struct vireo_virtqueue *vq);
bool vireo_vq_restart(struct vireo_virtqueue *vq);
bool vireo_vq_enable_cb_delayed(struct vireo_virtqueue *vq);
void *vireo_vq_shutdown(struct vireo_virtqueue *vq);
bool vireo_vq_is_broken(const struct vireo_virtqueue *vq);
unsigned int vireo_vq_get_vring_size(const struct vireo_virtqueue *vq);
void vireo_vq_show_state(struct vireo_virtqueue *vq, struct device *dev,
			 const char *why);

#endif /* _VIREO_DRIVER_H */
