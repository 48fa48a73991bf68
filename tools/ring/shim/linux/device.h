/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: the driver model, reduced to what messages need.
 * dev_*() messages go through shim_printk() (see <linux/printk.h>) and
 * are prefixed with dev_name().
 */
#ifndef _SHIM_LINUX_DEVICE_H
#define _SHIM_LINUX_DEVICE_H

#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/types.h>

struct module;

struct device_driver {
	const char *name;
	struct module *owner;
};

struct device {
	const char *init_name;	/* what dev_name() returns; set by the test */
	struct device *parent;
	struct device_driver *driver;
	void *driver_data;
	void (*release)(struct device *dev);
};

static inline const char *dev_name(const struct device *dev)
{
	return dev->init_name ? dev->init_name : "(no name)";
}

static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

#define dev_emerg(dev, fmt, ...)  shim_printk(0, dev, fmt, ##__VA_ARGS__)
#define dev_crit(dev, fmt, ...)	  shim_printk(2, dev, fmt, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...)	  shim_printk(3, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)	  shim_printk(4, dev, fmt, ##__VA_ARGS__)
#define dev_notice(dev, fmt, ...) shim_printk(5, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)	  shim_printk(6, dev, fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...) \
	({ if (0) shim_printk(7, dev, fmt, ##__VA_ARGS__); 0; })

#define dev_err_once(dev, fmt, ...)  __shim_once(dev_err(dev, fmt, ##__VA_ARGS__))
#define dev_warn_once(dev, fmt, ...) __shim_once(dev_warn(dev, fmt, ##__VA_ARGS__))
#define dev_info_once(dev, fmt, ...) __shim_once(dev_info(dev, fmt, ##__VA_ARGS__))

/* Not rate limited: that would depend on time (see <linux/printk.h>). */
#define dev_err_ratelimited(dev, fmt, ...)  dev_err(dev, fmt, ##__VA_ARGS__)
#define dev_warn_ratelimited(dev, fmt, ...) dev_warn(dev, fmt, ##__VA_ARGS__)
#define dev_info_ratelimited(dev, fmt, ...) dev_info(dev, fmt, ##__VA_ARGS__)
#define dev_dbg_ratelimited(dev, fmt, ...)  dev_dbg(dev, fmt, ##__VA_ARGS__)

#define dev_err_probe(dev, err, fmt, ...) \
	({ int __e = (err); dev_err(dev, fmt, ##__VA_ARGS__); __e; })

#endif /* _SHIM_LINUX_DEVICE_H */
