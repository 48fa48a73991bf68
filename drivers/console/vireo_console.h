/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_console: the legacy virtio console (serial) device, type 3.
 *
 * One file per concern:
 *
 * - vireo_console_main.c: the module, probe and remove, config space,
 *   the queues, EMERG_WRITE, counters and debugfs;
 * - vireo_console_ctrl.c: the control queues (MULTIPORT): receiving,
 *   checking and acting on the host's messages, sending the guest's, and
 *   the ports' life (add, console, name, remove);
 * - vireo_console_port.c: the data path of a port and its character
 *   device /dev/vportvireo<D>p<P> (class "vireo-ports");
 * - vireo_console_hvc.c: console ports as hvc terminals (only where the
 *   kernel has hvc).
 *
 * Objects and lifetimes. A struct vireo_console (one per device) owns a
 * struct vireo_console_pair per port id: the port's two queues and the
 * receive buffers posted on them, which stay posted when a port goes
 * away so that a port added again with the same id finds them. A struct
 * vireo_console_port exists while the host says the port exists, and
 * after that for as long as a file still has it open: it is reference
 * counted (the device's table holds one reference, each open file one),
 * and each port holds a reference to the device state, so a late close
 * never touches freed memory. What the device can reach (the queues) is
 * only used under the pair's lock and only while the pair is live and
 * the port not gone.
 *
 * Locks, outer first:
 * - @lock (mutex) of the device: the port table, adding, removing and
 *   changing ports (the control work, config changes, remove);
 * - a pair's @lock (spinlock, interrupts off): its queues, the port's
 *   received data and connection state. Nothing prints while holding it:
 *   the port may be the kernel's console, whose output takes it again;
 * - @c_ilock and @c_olock (spinlocks, interrupts off): the control
 *   queues, the received-message backlog.
 */
#ifndef _VIREO_CONSOLE_H
#define _VIREO_CONSOLE_H

#include <linux/atomic.h>
#include <linux/cdev.h>
#include <linux/console.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <vireo/compat-console.h>
#include <vireo/driver.h>
#include "vireo_console_wire.h"

/*
 * The most ports a device may have. QEMU allows 511 (two queues each
 * within its 1024); a larger max_nr_ports is clamped to this.
 */
#define VIREO_CONSOLE_MAX_PORTS		511U
/* Character device minors for all devices together. */
#define VIREO_CONSOLE_MINORS		4096U
/* A control receive buffer: a header and a name of up to 503 bytes. */
#define VIREO_CONSOLE_CTRL_BUF_SIZE	512U
/* Control receive buffers posted (at most the queue's size). */
#define VIREO_CONSOLE_CTRL_BUFS		64U
/*
 * Received control messages copied out and not yet acted on. Beyond it
 * a flood is dropped and counted: its memory is bounded by this times
 * VIREO_CONSOLE_CTRL_BUF_SIZE.
 */
#define VIREO_CONSOLE_CTRL_BACKLOG	128U
/* Messages the control work acts on before it lets others run. */
#define VIREO_CONSOLE_CTRL_BATCH	32U
/* How long a control message waits for room on a full queue. */
#define VIREO_CONSOLE_CTRL_WAIT		HZ
/*
 * Receive buffers posted per port, each one page (at most the queue's
 * size; QEMU's port queues hold 128, as many as the in-kernel driver
 * posts).
 */
#define VIREO_CONSOLE_RX_BUFS		128U
#define VIREO_CONSOLE_RX_BUF_SIZE	PAGE_SIZE
/* The largest buffer a write is cut into. */
#define VIREO_CONSOLE_TX_CHUNK		(32U * 1024U)
/* Pages of one spliced (zero-copy) buffer. */
#define VIREO_CONSOLE_TX_PAGES		16U
/* Bytes a port may have with the device at once. */
#define VIREO_CONSOLE_TX_MAX		(512U * 1024U)
/*
 * How long hvc's console writer may spin on a full queue (it retries
 * while put_chars says -EAGAIN) before its output is dropped instead.
 */
#define VIREO_CONSOLE_HVC_SPIN_NS	(50 * NSEC_PER_MSEC)
/* Buffers a port keeps with the device at once. */
#define VIREO_CONSOLE_TX_BUFS		64U
/*
 * Returned transmit buffers a port keeps for its next writes: enough for
 * a writer the host keeps up with, and 64 KiB at most per open port.
 */
#define VIREO_CONSOLE_TX_SPARE		2U
/*
 * hvc terminal numbers: "vi" in the high half, so that they never clash
 * with the in-kernel virtio_console (which counts from 1) or Xen (0).
 */
#define VIREO_CONSOLE_VTERM_BASE	0x76690000U

/**
 * enum vireo_console_stat - what a device's counters count
 * @VC_CTRL_RX: control messages received
 * @VC_CTRL_TX: control messages sent
 * @VC_CTRL_TX_DROPPED: control messages that could not be sent
 * @VC_CTRL_FLOOD: received messages dropped, the backlog being full
 * @VC_CTRL_SHORT: received messages shorter than their event needs
 * @VC_CTRL_BAD_ID: messages naming a port id beyond max_nr_ports
 * @VC_CTRL_DUP: a port added twice, a second name or console
 * @VC_CTRL_NO_PORT: messages about a port that does not exist
 * @VC_CTRL_UNKNOWN: unknown events, or the guest's own sent back
 * @VC_CTRL_BAD_NAME: names without a terminator, or unprintable
 * @VC_CTRL_BAD_VALUE: a value the event does not allow
 * @VC_LEN_CLAMPED: used lengths beyond the buffer, clamped
 * @VC_RX_NO_PORT: buffers received on the queue of a port that is gone
 * @VC_PORTS_ADDED: ports added
 * @VC_PORTS_REMOVED: ports removed
 * @VC_PORT_ADD_FAILED: ports the guest could not set up
 * @VC_EMERG_BYTES: bytes written through EMERG_WRITE
 * @VC_NSTATS: the number of counters
 */
enum vireo_console_stat {
	VC_CTRL_RX,
	VC_CTRL_TX,
	VC_CTRL_TX_DROPPED,
	VC_CTRL_FLOOD,
	VC_CTRL_SHORT,
	VC_CTRL_BAD_ID,
	VC_CTRL_DUP,
	VC_CTRL_NO_PORT,
	VC_CTRL_UNKNOWN,
	VC_CTRL_BAD_NAME,
	VC_CTRL_BAD_VALUE,
	VC_LEN_CLAMPED,
	VC_RX_NO_PORT,
	VC_PORTS_ADDED,
	VC_PORTS_REMOVED,
	VC_PORT_ADD_FAILED,
	VC_EMERG_BYTES,
	VC_NSTATS,
};

/**
 * struct vireo_console_buf - a buffer given to the device
 * @list: entry in a port's received list
 * @data: the bytes (NULL for a spliced buffer, whose bytes are @pages)
 * @size: bytes at @data
 * @cap: bytes allocated at @data for a copied write (0 otherwise)
 * @len: bytes the device wrote (receive), clamped to @size
 * @off: bytes of @len already read
 * @npages: pages of a spliced buffer, each holding a reference
 * @pages: those pages
 */
struct vireo_console_buf {
	struct list_head list;
	void *data;
	unsigned int size;
	unsigned int cap;
	unsigned int len;
	unsigned int off;
	unsigned int npages;
	struct page *pages[];
};

struct vireo_console;
struct vireo_console_port;

/**
 * struct vireo_console_pair - the queues of one port id
 * @lock: guards everything here and the data state of @port
 * @con: the device
 * @id: the port id
 * @in_vq: host to guest
 * @out_vq: guest to host
 * @port: the port using these queues, or NULL
 * @rx_posted: receive buffers with the device
 * @tx_bufs: transmit buffers with the device
 * @tx_bytes: bytes of those
 * @tx_spare: whole-chunk transmit buffers the device gave back, kept for
 *	the next write (no allocation per write while data streams)
 * @tx_nspare: entries on @tx_spare, at most VIREO_CONSOLE_TX_SPARE
 * @live: the queues may be used (false once the device was reset)
 */
struct vireo_console_pair {
	spinlock_t lock;	/* see above */
	struct vireo_console *con;
	u32 id;
	struct vireo_virtqueue *in_vq;
	struct vireo_virtqueue *out_vq;
	struct vireo_console_port *port;
	unsigned int rx_posted;
	unsigned int tx_bufs;
	size_t tx_bytes;
	struct list_head tx_spare;
	unsigned int tx_nspare;
	bool live;
};

/**
 * struct vireo_console_port - one port
 * @kref: the device's table holds one reference, each open file one
 * @con: the device (a reference is held)
 * @pair: the port's queues, in @con
 * @id: the port id
 * @waitq: readers, writers and pollers wait here
 * @async: SIGIO subscribers (fasync)
 * @read_mutex: one reader at a time, so a read's bytes stay together
 * @write_mutex: one writer at a time, so a split write stays in order
 * @rx_list: received buffers not yet read (under @pair->lock)
 * @gone: the port was removed; the file fails (under @pair->lock)
 * @guest_connected: a file has it open (under @pair->lock)
 * @host_connected: the host has it open (under @pair->lock)
 * @console: the port is a console (under @pair->lock; set once)
 * @name: the name from PORT_NAME, or NULL; set once, then constant
 * @minor: the character device's minor
 * @cdev: the character device
 * @dev: the class device (sysfs name and console)
 * @cols: console width, 0 if unknown
 * @rows: console height, 0 if unknown
 * @hvc: the hvc terminal of a console port, or NULL
 * @vtermno: its terminal number
 * @vterm_slot: the index @vtermno was made from, -1 if none
 * @hvc_node: entry in the list of hvc ports
 * @hvc_busy_since: local_clock() when the terminal's output last found the
 *	queue full or its lock taken, 0 once output went out again
 * @hvc_stalled: busy for VIREO_CONSOLE_HVC_SPIN_NS: output is dropped at
 *	once, instead of spun on, until the queue takes a buffer again
 * @bytes_received: bytes the host sent that reached the port
 * @bytes_sent: bytes given to the device
 * @bytes_discarded: bytes received while nobody had the port open
 */
struct vireo_console_port {
	struct kref kref;
	struct vireo_console *con;
	struct vireo_console_pair *pair;
	u32 id;
	wait_queue_head_t waitq;
	struct fasync_struct *async;
	struct mutex read_mutex;	/* see above */
	struct mutex write_mutex;	/* see above */
	struct list_head rx_list;
	bool gone;
	bool guest_connected;
	bool host_connected;
	bool console;
	const char *name;
	unsigned int minor;
	struct cdev *cdev;
	struct device *dev;
	u16 cols;
	u16 rows;
	struct hvc_struct *hvc;
	u32 vtermno;
	int vterm_slot;
	struct list_head hvc_node;
	u64 hvc_busy_since;
	bool hvc_stalled;
	u64 bytes_received;
	u64 bytes_sent;
	u64 bytes_discarded;
};

/**
 * struct vireo_console - one device
 * @kref: probe holds one reference, each port one
 * @vdev: the device
 * @index: D in /dev/vportvireo<D>p<P>
 * @multiport: MULTIPORT was negotiated
 * @emerg: EMERG_WRITE was negotiated
 * @has_size: SIZE was negotiated
 * @max_nr_ports: port ids are below this (validated)
 * @cols: console width from config (SIZE)
 * @rows: console height from config (SIZE)
 * @lock: the port table and the ports' life
 * @removed: remove has begun; nothing adds ports any more (under @lock)
 * @pairs: the queues of each port id
 * @ports: the port of each id, or NULL (under @lock)
 * @vq_names: the queues' names
 * @c_ivq: control, host to guest
 * @c_ovq: control, guest to host
 * @c_ilock: guards @c_ivq, @cmsgs, @ncmsgs, @ctrl_posted, @dying
 * @c_olock: guards @c_ovq, @ctrl_live
 * @c_owait: a sender waits here for room on @c_ovq
 * @cmsgs: received control messages not yet acted on
 * @ncmsgs: entries in @cmsgs
 * @ctrl_posted: control receive buffers with the device
 * @ctrl_live: the control queues may be used
 * @dying: remove has begun: no more control work
 * @ctrl_paused: the control work leaves the backlog alone (a debugfs
 *	knob, so that a test can fill the backlog)
 * @ctrl_work: acts on @cmsgs in process context
 * @debugfs: the device's debugfs directory
 * @stats: the counters
 * @rs: one rate limit per counter, for the messages
 * @early: the EMERG_WRITE console (module parameter early_console)
 * @early_on: @early is registered (under @lock once probed)
 */
struct vireo_console {
	struct kref kref;
	struct vireo_device *vdev;
	int index;
	bool multiport;
	bool emerg;
	bool has_size;
	u32 max_nr_ports;
	u16 cols;
	u16 rows;
	struct mutex lock;	/* see above */
	bool removed;
	struct vireo_console_pair *pairs;
	struct vireo_console_port **ports;
	char (*vq_names)[16];
	struct vireo_virtqueue *c_ivq;
	struct vireo_virtqueue *c_ovq;
	spinlock_t c_ilock;	/* see above */
	spinlock_t c_olock;	/* see above */
	wait_queue_head_t c_owait;
	struct list_head cmsgs;
	unsigned int ncmsgs;
	unsigned int ctrl_posted;
	bool ctrl_live;
	bool dying;
	bool ctrl_paused;
	struct work_struct ctrl_work;
	struct dentry *debugfs;
	atomic_t stats[VC_NSTATS];
	struct ratelimit_state rs[VC_NSTATS];
	struct console early;
	bool early_on;
};

/* vireo_console_main.c */
extern struct class *vireo_console_class;
extern dev_t vireo_console_devt;
void vireo_console_count(struct vireo_console *con,
			 enum vireo_console_stat stat);
__printf(3, 4)
void vireo_console_bad(struct vireo_console *con, enum vireo_console_stat stat,
		       const char *fmt, ...);
__printf(3, 0)
void vireo_console_vsay(struct vireo_console *con, enum vireo_console_stat stat,
			const char *fmt, va_list args);
__printf(3, 4)
void vireo_console_say(struct vireo_console *con, enum vireo_console_stat stat,
		       const char *fmt, ...);
void vireo_console_put(struct vireo_console *con);
int vireo_console_emerg_write(struct vireo_console *con, const u8 *buf,
			      size_t len);
void vireo_console_early_stop(struct vireo_console *con);
struct vireo_console_pair *vireo_console_vq_pair(struct vireo_virtqueue *vq);

/* vireo_console_ctrl.c */
int vireo_console_ctrl_start(struct vireo_console *con);
void vireo_console_ctrl_in_done(struct vireo_virtqueue *vq);
void vireo_console_ctrl_out_done(struct vireo_virtqueue *vq);
void vireo_console_ctrl_work(struct work_struct *work);
void vireo_console_ctrl_stop(struct vireo_console *con);
void vireo_console_ctrl_pause(struct vireo_console *con, bool pause);
void vireo_console_ctrl_inject(struct vireo_console *con, const void *msg,
			       unsigned int len);
int vireo_console_send_ctrl(struct vireo_console *con, u32 id, u16 event,
			    u16 value);
int vireo_console_port_add(struct vireo_console *con, u32 id, bool console);
void vireo_console_port_unplug(struct vireo_console_port *port);
void vireo_console_port_set_size(struct vireo_console_port *port, u16 cols,
				 u16 rows);

/* vireo_console_port.c */
extern const struct file_operations vireo_console_fops;
extern const struct attribute_group *vireo_console_port_groups[];
void vireo_console_rx_done(struct vireo_virtqueue *vq);
void vireo_console_tx_done(struct vireo_virtqueue *vq);
int vireo_console_pair_fill(struct vireo_console_pair *pair);
void vireo_console_pair_stop(struct vireo_console_pair *pair);
void vireo_console_buf_free(struct vireo_console_buf *buf);
struct vireo_console_port *vireo_console_port_get(unsigned int minor);
void vireo_console_port_put(struct vireo_console_port *port);
int vireo_console_minor_alloc(struct vireo_console_port *port);
void vireo_console_minor_free(struct vireo_console_port *port);
void vireo_console_port_detach(struct vireo_console_port *port);
void vireo_console_port_host_open(struct vireo_console_port *port, bool open);
bool vireo_console_port_set_console(struct vireo_console_port *port);
size_t vireo_console_port_get_chars(struct vireo_console_port *port, u8 *buf,
				    size_t count);
ssize_t vireo_console_port_put_chars(struct vireo_console_port *port,
				     const u8 *buf, size_t count);

/* vireo_console_hvc.c */
#if VIREO_CONSOLE_HAVE_HVC
int vireo_console_hvc_add(struct vireo_console_port *port);
void vireo_console_hvc_del(struct vireo_console_port *port);
void vireo_console_hvc_resize(struct vireo_console_port *port);
void vireo_console_hvc_kick(void);
#else
static inline int vireo_console_hvc_add(struct vireo_console_port *port)
{
	return 0;
}

static inline void vireo_console_hvc_del(struct vireo_console_port *port)
{
}

static inline void vireo_console_hvc_resize(struct vireo_console_port *port)
{
}

static inline void vireo_console_hvc_kick(void)
{
}
#endif

#endif /* _VIREO_CONSOLE_H */
