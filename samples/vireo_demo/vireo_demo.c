// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal driver on the vireo bus, built out of tree the way a
 * third-party driver is (see Documentation/driver-api.rst). make test
 * builds it against each kernel so the public API and the recipe stay
 * usable.
 */
#include <linux/module.h>
#include <vireo/driver.h>

static const struct vireo_device_id demo_ids[] = {
	{ VIREO_ID_RNG, VIREO_DEV_ANY_ID },
	{ }
};

static void demo_done(struct vireo_virtqueue *vq)
{
	/* Hard-IRQ context: vireo_vq_get_buf() here, then wake a waiter. */
}

static int demo_probe(struct vireo_device *vdev)
{
	static const struct vireo_vq_info info[] = {
		{ .name = "input", .callback = demo_done },
	};
	struct vireo_virtqueue *vq;
	int err;

	err = vireo_find_vqs(vdev, 1, &vq, info);
	if (err)
		return err;
	vdev->priv = vq;
	/* The device must be DRIVER_OK before the first kick. */
	vireo_device_ready(vdev);
	return 0;
}

static void demo_remove(struct vireo_device *vdev)
{
	struct vireo_virtqueue *vq = vdev->priv;

	/* Once reset, the device no longer touches the ring's buffers. */
	vireo_reset_device(vdev);
	while (vireo_vq_shutdown(vq))
		; /* free what each returned token stands for */
	vireo_del_vqs(vdev);
}

static struct vireo_driver demo_driver = {
	.driver.name = "vireo_demo",
	.id_table = demo_ids,
	.probe = demo_probe,
	.remove = demo_remove,
};
module_vireo_driver(demo_driver);

VIREO_IMPORT_NS();
MODULE_DESCRIPTION("a minimal demo driver on the vireo bus");
MODULE_LICENSE("GPL");
