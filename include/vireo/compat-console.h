/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the supported kernels that vireo_console meets: the
 * hvc console interface and class creation. Only vireo_console includes
 * this.
 *
 * The hvc core's header (drivers/tty/hvc/hvc_console.h) is not part of
 * the installed kernel headers, so the part of it vireo_console uses is
 * declared here, once per kernel: the driver operations, the exported
 * functions, and the two leading members of struct hvc_struct that a
 * resize needs (its tty_port and its lock, the first two members on
 * every supported kernel). The layouts were checked against the BTF of
 * Debian's 6.1.0-57 and 6.12.117 kernel images (pahole -C hv_ops,
 * pahole -C hvc_struct).
 */
#ifndef _VIREO_COMPAT_CONSOLE_H
#define _VIREO_COMPAT_CONSOLE_H

#include <linux/device.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/types.h>
#include <vireo/compat.h>

/* 6.4 dropped class_create()'s module argument. */
#if VIREO_KERNEL_SINCE(6, 4, 0)
#define vireo_class_create(name)	class_create(name)
#else
#define vireo_class_create(name)	class_create(THIS_MODULE, name)
#endif

/* hvc exists when something in the kernel selected it (Debian: yes). */
#define VIREO_CONSOLE_HAVE_HVC	IS_ENABLED(CONFIG_HVC_DRIVER)

#if VIREO_CONSOLE_HAVE_HVC

/*
 * The character callbacks took int counts and char buffers in 6.1; 6.12
 * takes size_t counts and u8 buffers and returns ssize_t. hvc_remove()
 * lost its (always 0) return value and dtr_rts its int argument in
 * between as well.
 */
#if VIREO_KERNEL_SINCE(6, 12, 0)
#define vireo_hvc_ret_t		ssize_t
#define vireo_hvc_char_t	u8
#define vireo_hvc_count_t	size_t
#define vireo_hvc_remove_ret_t	void
#define vireo_hvc_dtr_arg_t	bool
#else
#define vireo_hvc_ret_t		int
#define vireo_hvc_char_t	char
#define vireo_hvc_count_t	int
#define vireo_hvc_remove_ret_t	int
#define vireo_hvc_dtr_arg_t	int
#endif

struct hvc_struct;

/**
 * struct hv_ops - what an hvc back end provides (the hvc core's layout)
 * @get_chars: read up to @count received characters
 * @put_chars: send up to @count characters; 0 means "try again later"
 * @flush: wait until output is out (optional)
 * @notifier_add: a tty opened (optional)
 * @notifier_del: the last tty closed (optional)
 * @notifier_hangup: the tty hung up (optional)
 * @tiocmget: modem lines (optional)
 * @tiocmset: modem lines (optional)
 * @dtr_rts: raise or drop DTR and RTS (optional)
 */
struct hv_ops {
	vireo_hvc_ret_t (*get_chars)(u32 vtermno, vireo_hvc_char_t *buf,
				     vireo_hvc_count_t count);
	vireo_hvc_ret_t (*put_chars)(u32 vtermno, const vireo_hvc_char_t *buf,
				     vireo_hvc_count_t count);
	int (*flush)(u32 vtermno, bool wait);
	int (*notifier_add)(struct hvc_struct *hp, int irq);
	void (*notifier_del)(struct hvc_struct *hp, int irq);
	void (*notifier_hangup)(struct hvc_struct *hp, int irq);
	int (*tiocmget)(struct hvc_struct *hp);
	int (*tiocmset)(struct hvc_struct *hp, unsigned int set,
			unsigned int clear);
	void (*dtr_rts)(struct hvc_struct *hp, vireo_hvc_dtr_arg_t active);
};

struct hvc_struct *hvc_alloc(u32 vtermno, int data, const struct hv_ops *ops,
			     int outbuf_size);
vireo_hvc_remove_ret_t hvc_remove(struct hvc_struct *hp);
int hvc_poll(struct hvc_struct *hp);
void hvc_kick(void);
void __hvc_resize(struct hvc_struct *hp, struct winsize ws);

/*
 * The leading members of struct hvc_struct on 6.1 and 6.12 alike;
 * __hvc_resize() must be called with @lock held.
 */
struct vireo_hvc_head {
	struct tty_port port;
	spinlock_t lock;	/* the hvc core's; guards its window size */
};

/* Tell the tty on @hp its new size (what the core's hvc_resize() does). */
static inline void vireo_hvc_resize(struct hvc_struct *hp, u16 cols, u16 rows)
{
	struct vireo_hvc_head *head = (struct vireo_hvc_head *)hp;
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	unsigned long flags;

	spin_lock_irqsave(&head->lock, flags);
	__hvc_resize(hp, ws);
	spin_unlock_irqrestore(&head->lock, flags);
}

#endif /* VIREO_CONSOLE_HAVE_HVC */

#endif /* _VIREO_COMPAT_CONSOLE_H */
