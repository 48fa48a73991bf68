/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo: what a transport needs beyond the driver API.
 *
 * A transport (vireo_pci, or a test's simulated bus) registers vireo
 * devices, implements struct vireo_config_ops, creates the rings its
 * devices' queues live in and routes their interrupts to
 * vireo_vring_interrupt(). Drivers include <vireo/driver.h> only.
 */
#ifndef _VIREO_TRANSPORT_H
#define _VIREO_TRANSPORT_H

#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <vireo/driver.h>

/**
 * struct vireo_config_ops - what a transport provides
 * @get: read @len bytes of device config at @offset into @buf; returns 0,
 *	-EINVAL if the range lies outside the device's config space, -EIO if
 *	the value never settled, or -ENODEV if the device has vanished. A
 *	transport without a generation counter must return a stable value.
 * @set: write @len bytes of device config; same range rules as @get.
 * @get_status: read the status byte.
 * @set_status: write the status byte (never 0; use @reset).
 * @reset: reset the device; on return the device no longer touches rings
 *	and no callback of this device is running or will run.
 * @get_features: the device's offered feature bits.
 * @finalize_features: filter vdev->features by what the transport and ring
 *	support and write them to the device.
 * @find_vqs: create @nvqs queues described by @info, store them in @vqs.
 * @del_vqs: destroy every queue of the device.
 * @bus_name: the name of the transport's own device, for messages.
 * @get_vq_affinity: optional. The CPUs the interrupt of queue @index is
 *	steered to, or NULL if it is not steered (no interrupt of its own,
 *	or no affinity). Only valid between find_vqs and del_vqs.
 * @set_vq_affinity: optional. Steer the interrupt of queue @index to the
 *	CPUs in @mask (non-empty; the core checks), after which
 *	@get_vq_affinity reports @mask for it. Returns 0, -EINVAL for a queue
 *	that does not exist or a mask without an online CPU, or -EOPNOTSUPP
 *	if the queue has no interrupt of its own or its interrupt is managed
 *	(spread over the CPUs by the kernel, which owns its affinity). Process
 *	context, between find_vqs and del_vqs.
 */
struct vireo_config_ops {
	int (*get)(struct vireo_device *vdev, unsigned int offset,
		   void *buf, unsigned int len);
	int (*set)(struct vireo_device *vdev, unsigned int offset,
		   const void *buf, unsigned int len);
	u8 (*get_status)(struct vireo_device *vdev);
	void (*set_status)(struct vireo_device *vdev, u8 status);
	void (*reset)(struct vireo_device *vdev);
	u64 (*get_features)(struct vireo_device *vdev);
	int (*finalize_features)(struct vireo_device *vdev);
	int (*find_vqs)(struct vireo_device *vdev, unsigned int nvqs,
			struct vireo_virtqueue *vqs[],
			const struct vireo_vq_info info[]);
	void (*del_vqs)(struct vireo_device *vdev);
	const char *(*bus_name)(struct vireo_device *vdev);
	const struct cpumask *(*get_vq_affinity)(struct vireo_device *vdev,
						 unsigned int index);
	int (*set_vq_affinity)(struct vireo_device *vdev, unsigned int index,
			       const struct cpumask *mask);
};

/* Transports (vireo_core.ko) */
int vireo_register_device(struct vireo_device *vdev);
void vireo_unregister_device(struct vireo_device *vdev);
void vireo_config_changed(struct vireo_device *vdev);

/* For transports and tests (vireo_ring.ko) */
struct vireo_virtqueue *vireo_vring_create(struct vireo_device *vdev,
					   unsigned int index,
					   unsigned int num,
					   unsigned int align,
					   bool (*notify)(struct vireo_virtqueue *),
					   const struct vireo_vq_info *info);
void vireo_vring_destroy(struct vireo_virtqueue *vq);
phys_addr_t vireo_vring_phys(const struct vireo_virtqueue *vq);
size_t vireo_vring_bytes(const struct vireo_virtqueue *vq);
void vireo_vring_transport_features(struct vireo_device *vdev);
void vireo_vq_mark_broken(struct vireo_virtqueue *vq);
void vireo_vring_quiesce(struct vireo_virtqueue *vq);
irqreturn_t vireo_vring_interrupt(int irq, void *vq);

#endif /* _VIREO_TRANSPORT_H */
