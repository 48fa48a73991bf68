/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace shim: debugfs. Nothing is mounted; files are not created, but
 * the returned dentry is a real (dummy) one so that code checking for
 * errors takes its normal path.
 */
#ifndef _SHIM_LINUX_DEBUGFS_H
#define _SHIM_LINUX_DEBUGFS_H

#include <linux/atomic.h>
#include <linux/types.h>

struct dentry {
	int unused;
};

struct file_operations;

extern struct dentry shim_debugfs_dentry;

static inline struct dentry *debugfs_create_dir(const char *name,
						struct dentry *parent)
{
	(void)name;
	(void)parent;
	return &shim_debugfs_dentry;
}

static inline struct dentry *debugfs_create_file(const char *name, umode_t mode,
						 struct dentry *parent, void *data,
						 const struct file_operations *fops)
{
	(void)name, (void)mode, (void)parent, (void)data, (void)fops;
	return &shim_debugfs_dentry;
}

/* The value-backed files: type-checked, nothing more. */
#define __shim_debugfs_value(name, type)				\
static inline void debugfs_create_##name(const char *n, umode_t mode,	\
					 struct dentry *parent, type *value) \
{									\
	(void)n, (void)mode, (void)parent, (void)value;			\
}
__shim_debugfs_value(u8, u8)
__shim_debugfs_value(u16, u16)
__shim_debugfs_value(u32, u32)
__shim_debugfs_value(u64, u64)
__shim_debugfs_value(x32, u32)
__shim_debugfs_value(bool, bool)
__shim_debugfs_value(atomic_t, atomic_t)
__shim_debugfs_value(ulong, unsigned long)
#undef __shim_debugfs_value

static inline void debugfs_remove(struct dentry *dentry)
{
	(void)dentry;
}

#define debugfs_remove_recursive(d)	debugfs_remove(d)

#endif /* _SHIM_LINUX_DEBUGFS_H */
