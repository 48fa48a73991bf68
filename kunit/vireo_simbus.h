/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated vireo transport for driver tests.
 *
 * vireo_simbus registers real vireo devices on the vireo bus, so that the
 * real drivers bind to them through the normal id matching, and plays
 * the device side of every queue with vireo_simdev. The test scripts the
 * device: config space, offered features, queue sizes and the status
 * byte before registration (struct vireo_simbus_setup) and live
 * afterwards; what the device does when kicked (complete at once, hold
 * the chains, ignore the ring, complete with a simdev fault); interrupts
 * and config-change events injected from another CPU at any moment
 * (vireo_simbus_inject_start()); and a device that vanishes (all-ones
 * config and status, notify fails).
 *
 * Locking, from the outside in:
 *
 * - @lock (mutex): find_vqs, del_vqs and reset, which the core and the
 *   driver may call from different threads (a driver's abort work).
 * - @irq_lock (spinlock, taken with interrupts off): a simulated
 *   interrupt runs under it, so reset waits for a running one by taking
 *   it once, and del_vqs takes queues away under it. It is taken before
 *   any driver lock (the callbacks take theirs inside it), never while a
 *   queue's device lock is held.
 * - a queue's @lock (spinlock, interrupts off): the device side of the
 *   queue (the simq and the counters). The notify hook takes it, and
 *   drivers notify with their own locks held, so nothing is taken inside
 *   it but the simq's memory accesses.
 * - @cfg_lock (spinlock): config space, status and features.
 */
#ifndef _VIREO_SIMBUS_H
#define _VIREO_SIMBUS_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <vireo/transport.h>
#include "vireo_simdev.h"

/* Queues a simulated device may have. */
#define VIREO_SIMBUS_MAX_QUEUES		8U
/* Bytes of device config space. */
#define VIREO_SIMBUS_CONFIG_SIZE	256U
/* Buffers of one chain the device looks at; longer chains are bad. */
#define VIREO_SIMBUS_MAX_IOV		512U

/**
 * enum vireo_simbus_mode - what the device does with a kicked queue
 * @VIREO_SIMBUS_COMPLETE: take every available chain and complete it at
 *	once, in the notify call; the interrupt follows from another context
 * @VIREO_SIMBUS_DEFER: like @VIREO_SIMBUS_COMPLETE, but the chains are
 *	taken and completed later, by the device's work item
 * @VIREO_SIMBUS_HOLD: take every chain and keep it (a stuck device);
 *	vireo_simbus_release_held() completes them
 * @VIREO_SIMBUS_IGNORE: do not look at the ring at all
 */
enum vireo_simbus_mode {
	VIREO_SIMBUS_COMPLETE,
	VIREO_SIMBUS_DEFER,
	VIREO_SIMBUS_HOLD,
	VIREO_SIMBUS_IGNORE,
};

struct vireo_simbus_dev;

/**
 * typedef vireo_simbus_handler_t - what the device does with one chain
 * @sb: the device
 * @q: the queue's index
 * @iov: the chain's buffers
 * @n: number of buffers
 *
 * Called with the queue's device lock held (interrupts off): may read
 * and write the buffers with vireo_simq_copy_from()/vireo_simq_copy_to(),
 * must not sleep or call into the driver.
 *
 * Return: the length to report in the used ring.
 */
typedef u32 vireo_simbus_handler_t(struct vireo_simbus_dev *sb,
				   unsigned int q,
				   const struct vireo_simq_iov *iov,
				   unsigned int n);

/**
 * struct vireo_simbus_setup - the device as the test scripts it
 * @device: device type (VIREO_ID_*)
 * @vendor: subsystem vendor
 * @features: offered feature bits (the legacy transport keeps the low 32)
 * @config: device config space
 * @config_len: bytes of @config that exist; reads beyond fail
 * @nqueues: queues the device has; others report size 0
 * @queue_num: size the device reports for each queue: 0 (no such
 *	queue), or anything up to 65535 (the legacy register is 16 bits);
 *	find_vqs refuses sizes that are not a power of two or above 32768
 * @status_byte: written into the last writable byte of every chain the
 *	default handler completes (e.g. a block request's status)
 * @fill: the default handler fills the other writable bytes with this
 * @handler: what the device does with a chain; NULL for the default
 * @priv: for the test's own use (e.g. by @handler)
 */
struct vireo_simbus_setup {
	u32 device;
	u32 vendor;
	u64 features;
	u8 config[VIREO_SIMBUS_CONFIG_SIZE];
	unsigned int config_len;
	unsigned int nqueues;
	u32 queue_num[VIREO_SIMBUS_MAX_QUEUES];
	u8 status_byte;
	u8 fill;
	vireo_simbus_handler_t *handler;
	void *priv;
};

/**
 * struct vireo_simbus_queue - the device side of one queue
 * @sb: the device
 * @index: the queue's number
 * @vq: the driver's queue, or NULL (written under the device's @irq_lock
 *	and the queue's @lock)
 * @lock: the device side: @sq and everything below
 * @sq: the simulated device of the ring
 * @iov: room for one chain's buffers
 * @live: the device processes the ring (from find_vqs to reset)
 * @mode: what a kick does
 * @held: heads of the chains the device holds
 * @tail: per head: guest-physical address of the chain's last writable
 *	byte, or 0
 * @nheld: entries in @held
 * @kicks: notifications received
 * @taken: chains taken from the avail ring
 * @completed: chains reported used (including by a fault mode)
 * @bad_chains: chains the simulated device found malformed
 * @irq_pending: completions the guest wants an interrupt for
 */
struct vireo_simbus_queue {
	struct vireo_simbus_dev *sb;
	unsigned int index;
	struct vireo_virtqueue *vq;
	spinlock_t lock;	/* the device side, see above */
	struct vireo_simq sq;
	struct vireo_simq_iov *iov;
	bool live;
	enum vireo_simbus_mode mode;
	u16 *held;
	u64 *tail;
	unsigned int nheld;
	unsigned int kicks;
	unsigned int taken;
	unsigned int completed;
	unsigned int bad_chains;
	bool irq_pending;
};

/**
 * struct vireo_simbus_inject - an interrupt storm
 * @queues: bit mask of the queues to interrupt
 * @config: also raise a config-change event each round
 * @with_work: before each interrupt, the device completes what it holds
 *	and what is available (in the queue's mode's way: a held chain is
 *	released)
 * @rounds: rounds to run; 0 runs until vireo_simbus_inject_stop()
 * @delay_us: sleep between rounds (0: only yield now and then)
 */
struct vireo_simbus_inject {
	unsigned long queues;
	bool config;
	bool with_work;
	unsigned int rounds;
	unsigned int delay_us;
};

/**
 * struct vireo_simbus_counts - what the device saw and did
 * @irqs: simulated interrupts raised on a queue
 * @irqs_handled: of those, the ones vireo_vring_interrupt() handled
 * @irqs_no_queue: of those, the ones that found no queue to interrupt
 * @config_events: config-change events raised
 * @resets: resets
 * @find_vqs: successful find_vqs calls
 * @del_vqs: del_vqs calls
 * @failed_notifies: notifications refused (vanished device)
 */
struct vireo_simbus_counts {
	atomic_t irqs;
	atomic_t irqs_handled;
	atomic_t irqs_no_queue;
	atomic_t config_events;
	atomic_t resets;
	atomic_t find_vqs;
	atomic_t del_vqs;
	atomic_t failed_notifies;
};

/**
 * struct vireo_simbus_dev - a simulated device and its transport
 * @vdev: the device on the vireo bus
 * @setup: the device as scripted; change it live with the setters only
 * @lock: serialises find_vqs, del_vqs and reset
 * @irq_lock: a simulated interrupt runs under it
 * @cfg_lock: guards @setup's config, features and @status
 * @status: the status byte
 * @guest_features: what finalize_features wrote to the device
 * @vanished: the device is gone: all ones, notifies fail, the device
 *	side does nothing (until vireo_simbus_rescue())
 * @early_used: find_vqs makes the device move used->idx of every new
 *	queue at once, before the driver posted anything
 * @queues: the device side of each queue
 * @nvqs: queues created by find_vqs
 * @work: the device's own context: deferred completions, interrupts
 * @inject_task: the injector thread, or NULL
 * @inject: what the injector does
 * @inject_done: completed when the injector has finished its rounds
 * @counts: what happened
 * @added: vireo_simbus_add() was called: the driver core owns @vdev
 * @registered: vireo_register_device() succeeded and
 *	vireo_simbus_del() has not run yet
 */
struct vireo_simbus_dev {
	struct vireo_device vdev;
	struct vireo_simbus_setup setup;
	struct mutex lock;	/* see above */
	spinlock_t irq_lock;	/* see above */
	spinlock_t cfg_lock;	/* see above */
	u8 status;
	u64 guest_features;
	bool vanished;
	bool early_used;
	struct vireo_simbus_queue queues[VIREO_SIMBUS_MAX_QUEUES];
	unsigned int nvqs;
	struct work_struct work;
	struct task_struct *inject_task;
	struct vireo_simbus_inject inject;
	struct completion inject_done;
	struct vireo_simbus_counts counts;
	bool added;
	bool registered;
};

static inline struct vireo_simbus_dev *to_vireo_simbus(struct vireo_device *vdev)
{
	return container_of(vdev, struct vireo_simbus_dev, vdev);
}

struct vireo_simbus_dev *vireo_simbus_alloc(const struct vireo_simbus_setup *setup);
int vireo_simbus_add(struct vireo_simbus_dev *sb);
void vireo_simbus_del(struct vireo_simbus_dev *sb);
void vireo_simbus_put(struct vireo_simbus_dev *sb);

void vireo_simbus_set_config(struct vireo_simbus_dev *sb, unsigned int offset,
			     const void *buf, unsigned int len);
void vireo_simbus_set_features(struct vireo_simbus_dev *sb, u64 features);
void vireo_simbus_set_status(struct vireo_simbus_dev *sb, u8 status);
void vireo_simbus_config_changed(struct vireo_simbus_dev *sb);
void vireo_simbus_vanish(struct vireo_simbus_dev *sb);
void vireo_simbus_rescue(struct vireo_simbus_dev *sb, u8 status);

void vireo_simbus_set_mode(struct vireo_simbus_dev *sb, unsigned int q,
			   enum vireo_simbus_mode mode);
void vireo_simbus_set_fault(struct vireo_simbus_dev *sb, unsigned int q,
			    enum vireo_simq_fault fault);
unsigned int vireo_simbus_held(struct vireo_simbus_dev *sb, unsigned int q);
unsigned int vireo_simbus_kicks(struct vireo_simbus_dev *sb, unsigned int q);
unsigned int vireo_simbus_completed(struct vireo_simbus_dev *sb,
				    unsigned int q);
unsigned int vireo_simbus_release_held(struct vireo_simbus_dev *sb,
				       unsigned int q, u8 status);
unsigned int vireo_simbus_process(struct vireo_simbus_dev *sb, unsigned int q);
unsigned int vireo_simbus_process_n(struct vireo_simbus_dev *sb,
				    unsigned int q, unsigned int max);
void vireo_simbus_put_used(struct vireo_simbus_dev *sb, unsigned int q,
			   u32 id, u32 len);
irqreturn_t vireo_simbus_interrupt(struct vireo_simbus_dev *sb,
				   unsigned int q);

int vireo_simbus_inject_start(struct vireo_simbus_dev *sb,
			      const struct vireo_simbus_inject *inject);
void vireo_simbus_inject_stop(struct vireo_simbus_dev *sb);

/**
 * struct vireo_simbus_call - a function run in its own thread, waited for
 *	with a timeout (see vireo_simbus_call_start())
 * @fn: the function
 * @arg: its argument
 * @ret: what it returned, once @done
 * @done: completed when @fn has returned
 * @ref: the caller's reference and the thread's
 */
struct vireo_simbus_call {
	long (*fn)(void *arg);
	void *arg;
	long ret;
	struct completion done;
	refcount_t ref;
};

struct vireo_simbus_call *vireo_simbus_call_start(long (*fn)(void *arg),
						  void *arg,
						  const char *name);
bool vireo_simbus_call_wait(struct vireo_simbus_call *call,
			    unsigned int timeout_ms);
void vireo_simbus_call_put(struct vireo_simbus_call *call);
long vireo_simbus_unbind_fn(void *arg);
long vireo_simbus_del_fn(void *arg);
long vireo_simbus_add_fn(void *arg);

u64 vireo_simbus_log_mark(void);
unsigned int vireo_simbus_log_count(u64 mark, const char *who,
				    const char *what);
unsigned int vireo_simbus_probe_cause_lines(u64 mark, const char *who);

u32 vireo_simbus_default_handler(struct vireo_simbus_dev *sb, unsigned int q,
				 const struct vireo_simq_iov *iov,
				 unsigned int n);

#endif /* _VIREO_SIMBUS_H */
