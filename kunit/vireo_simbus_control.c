// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated vireo transport for driver tests: what the test does to a
 * device and its queues, the injector, and the helpers for tests; see
 * vireo_simbus.h.
 *
 * The controls of a queue run its device side (vireo_simbus_priv.h) from
 * the test's context: they take the queue's lock and leave the interrupt
 * to the device's work item, or to the caller. The injector is a thread
 * of its own that raises interrupts and config-change events; the
 * helpers run code that may hang in a thread and count kernel messages.
 * The transport itself is in vireo_simbus_transport.c.
 */

#include <linux/bitops.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kmsg_dump.h>
#include <linux/kthread.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <vireo/transport.h>
#include "vireo_simbus.h"
#include "vireo_simbus_priv.h"
#include "vireo_simdev.h"

/* Room for one kernel log line. */
#define VIREO_SIMBUS_LINE	1024U

/* ---- what the test does to a queue ------------------------------------- */

static struct vireo_simbus_queue *vireo_simbus_q(struct vireo_simbus_dev *sb,
						 unsigned int q)
{
	return &sb->queues[min(q, VIREO_SIMBUS_MAX_QUEUES - 1)];
}

/* Complete every held chain with @status in its last writable byte. */
static unsigned int vireo_simbus_release_locked(struct vireo_simbus_queue *q,
						u8 status)
{
	unsigned int i, n = q->nheld;
	u16 head;
	u32 len;

	for (i = 0; i < n; i++) {
		head = q->held[i];
		len = vireo_simq_chain_writable(&q->sq, head);
		if (q->tail[head])
			*(u8 *)phys_to_virt(q->tail[head]) = status;
		vireo_simq_relchain(&q->sq, head, len);
		q->completed++;
	}
	q->nheld = 0;
	return n;
}

/**
 * vireo_simbus_set_mode - choose what a kick of queue @q does
 * @sb: the device
 * @q: the queue's index
 * @mode: the new behaviour; kept across resets and rebinds
 *
 * Context: Any context.
 */
void vireo_simbus_set_mode(struct vireo_simbus_dev *sb, unsigned int q,
			   enum vireo_simbus_mode mode)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned long flags;

	spin_lock_irqsave(&sq->lock, flags);
	sq->mode = mode;
	spin_unlock_irqrestore(&sq->lock, flags);
}

VIREO_EXPORT(vireo_simbus_set_mode);

/**
 * vireo_simbus_set_fault - make queue @q complete chains wrongly
 * @sb: the device
 * @q: the queue's index
 * @fault: how vireo_simq_relchain() misbehaves from now on
 *
 * Only for a queue that exists: find_vqs starts every queue behaving.
 *
 * Context: Any context.
 */
void vireo_simbus_set_fault(struct vireo_simbus_dev *sb, unsigned int q,
			    enum vireo_simq_fault fault)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned long flags;

	spin_lock_irqsave(&sq->lock, flags);
	sq->sq.fault = fault;
	spin_unlock_irqrestore(&sq->lock, flags);
}

VIREO_EXPORT(vireo_simbus_set_fault);

/* Read one counter of queue @q under its lock. */
static unsigned int vireo_simbus_qcount(struct vireo_simbus_dev *sb,
					unsigned int q,
					const unsigned int *field)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned long flags;
	unsigned int v;

	spin_lock_irqsave(&sq->lock, flags);
	v = *field;
	spin_unlock_irqrestore(&sq->lock, flags);
	return v;
}

/**
 * vireo_simbus_held - chains queue @q holds
 * @sb: the device
 * @q: the queue's index
 *
 * Context: Any context.
 * Return: the number of chains taken and not completed.
 */
unsigned int vireo_simbus_held(struct vireo_simbus_dev *sb, unsigned int q)
{
	return vireo_simbus_qcount(sb, q, &vireo_simbus_q(sb, q)->nheld);
}

VIREO_EXPORT(vireo_simbus_held);

/**
 * vireo_simbus_kicks - notifications queue @q received
 * @sb: the device
 * @q: the queue's index
 *
 * Context: Any context.
 * Return: the count since the device was allocated.
 */
unsigned int vireo_simbus_kicks(struct vireo_simbus_dev *sb, unsigned int q)
{
	return vireo_simbus_qcount(sb, q, &vireo_simbus_q(sb, q)->kicks);
}

VIREO_EXPORT(vireo_simbus_kicks);

/**
 * vireo_simbus_completed - chains queue @q reported used
 * @sb: the device
 * @q: the queue's index
 *
 * Context: Any context.
 * Return: the count since the device was allocated.
 */
unsigned int vireo_simbus_completed(struct vireo_simbus_dev *sb,
				    unsigned int q)
{
	return vireo_simbus_qcount(sb, q, &vireo_simbus_q(sb, q)->completed);
}

VIREO_EXPORT(vireo_simbus_completed);

/**
 * vireo_simbus_release_held - complete the chains queue @q holds
 * @sb: the device
 * @q: the queue's index
 * @status: byte written into each chain's last writable byte
 *
 * Each chain is reported with its full writable length (its other bytes
 * are left as they are). The interrupt follows from the device's work.
 * Nothing happens on a queue the device no longer uses (after a reset).
 *
 * Context: Any context.
 * Return: the chains completed.
 */
unsigned int vireo_simbus_release_held(struct vireo_simbus_dev *sb,
				       unsigned int q, u8 status)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned int n = 0;
	unsigned long flags;
	bool irq = false;

	spin_lock_irqsave(&sq->lock, flags);
	if (vireo_simbus_working(sq)) {
		vireo_simq_startchains(&sq->sq);
		n = vireo_simbus_release_locked(sq, status);
		irq = vireo_simbus_end_batch(sq);
	}
	spin_unlock_irqrestore(&sq->lock, flags);
	if (irq)
		vireo_simbus_kick_work(sb);
	return n;
}

VIREO_EXPORT(vireo_simbus_release_held);

/**
 * vireo_simbus_process - let the device do its work on queue @q now
 * @sb: the device
 * @q: the queue's index
 *
 * Completes what the queue holds (with the setup's status byte) and
 * every available chain, whatever the queue's mode. Does not raise the
 * interrupt: the caller does, with vireo_simbus_interrupt().
 *
 * Context: Any context but under a driver lock.
 * Return: the chains completed.
 */
unsigned int vireo_simbus_process(struct vireo_simbus_dev *sb, unsigned int q)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned int n = 0;
	unsigned long flags;

	spin_lock_irqsave(&sq->lock, flags);
	if (vireo_simbus_working(sq)) {
		vireo_simq_startchains(&sq->sq);
		n = vireo_simbus_release_locked(sq, sb->setup.status_byte);
		n += vireo_simbus_take(sq, false);
		vireo_simq_endchains(&sq->sq);
	}
	spin_unlock_irqrestore(&sq->lock, flags);
	return n;
}

VIREO_EXPORT(vireo_simbus_process);

/**
 * vireo_simbus_process_n - let the device complete a few chains of queue @q
 * @sb: the device
 * @q: the queue's index
 * @max: chains to complete at most
 *
 * Completes up to @max available chains, oldest first, through the
 * setup's handler, whatever the queue's mode; the rest stay available.
 * For a queue in VIREO_SIMBUS_IGNORE mode (the device leaves the ring
 * alone) this is a device that fills the driver's buffers when it has
 * something to put there, e.g. a received frame. The interrupt follows
 * from the device's work if the guest wants one.
 *
 * Context: Any context but under a driver lock.
 * Return: the chains completed.
 */
unsigned int vireo_simbus_process_n(struct vireo_simbus_dev *sb,
				    unsigned int q, unsigned int max)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned int n = 0;
	unsigned long flags;
	bool irq = false;

	spin_lock_irqsave(&sq->lock, flags);
	if (vireo_simbus_working(sq)) {
		vireo_simq_startchains(&sq->sq);
		n = vireo_simbus_take_n(sq, false, max);
		irq = vireo_simbus_end_batch(sq);
	}
	spin_unlock_irqrestore(&sq->lock, flags);
	if (irq)
		vireo_simbus_kick_work(sb);
	return n;
}

VIREO_EXPORT(vireo_simbus_process_n);

/**
 * vireo_simbus_put_used - write a raw used entry on queue @q
 * @sb: the device
 * @q: the queue's index
 * @id: the id to report, sensible or not
 * @len: the length to report, sensible or not
 *
 * See vireo_simq_put_used(). The interrupt follows from the device's work.
 *
 * Context: Any context.
 */
void vireo_simbus_put_used(struct vireo_simbus_dev *sb, unsigned int q,
			   u32 id, u32 len)
{
	struct vireo_simbus_queue *sq = vireo_simbus_q(sb, q);
	unsigned long flags;
	bool irq = false;

	spin_lock_irqsave(&sq->lock, flags);
	if (vireo_simbus_working(sq)) {
		vireo_simq_put_used(&sq->sq, id, len);
		sq->irq_pending = true;
		irq = true;
	}
	spin_unlock_irqrestore(&sq->lock, flags);
	if (irq)
		vireo_simbus_kick_work(sb);
}

VIREO_EXPORT(vireo_simbus_put_used);

/* ---- what the test does to the device ---------------------------------- */

/**
 * vireo_simbus_set_config - change the device's config space
 * @sb: the device
 * @offset: first byte
 * @buf: the new bytes
 * @len: how many; the range must lie within VIREO_SIMBUS_CONFIG_SIZE
 *
 * Does not raise a config-change event; see vireo_simbus_config_changed().
 *
 * Context: Any context.
 */
void vireo_simbus_set_config(struct vireo_simbus_dev *sb, unsigned int offset,
			     const void *buf, unsigned int len)
{
	unsigned long flags;

	if (len > VIREO_SIMBUS_CONFIG_SIZE ||
	    offset > VIREO_SIMBUS_CONFIG_SIZE - len)
		return;
	spin_lock_irqsave(&sb->cfg_lock, flags);
	memcpy(sb->setup.config + offset, buf, len);
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
}

VIREO_EXPORT(vireo_simbus_set_config);

/**
 * vireo_simbus_set_features - change the feature bits the device offers
 * @sb: the device
 * @features: the new offer, used at the next negotiation
 *
 * Context: Any context.
 */
void vireo_simbus_set_features(struct vireo_simbus_dev *sb, u64 features)
{
	unsigned long flags;

	spin_lock_irqsave(&sb->cfg_lock, flags);
	sb->setup.features = features;
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
}

VIREO_EXPORT(vireo_simbus_set_features);

/**
 * vireo_simbus_set_status - the device changes its own status byte
 * @sb: the device
 * @status: what the status reads from now on
 *
 * Context: Any context.
 */
void vireo_simbus_set_status(struct vireo_simbus_dev *sb, u8 status)
{
	WRITE_ONCE(sb->status, status);
}

VIREO_EXPORT(vireo_simbus_set_status);

/**
 * vireo_simbus_config_changed - raise a config-change event
 * @sb: the device, added with vireo_simbus_add()
 *
 * Context: Any context, as a transport's interrupt handler.
 */
void vireo_simbus_config_changed(struct vireo_simbus_dev *sb)
{
	atomic_inc(&sb->counts.config_events);
	vireo_config_changed(&sb->vdev);
}

VIREO_EXPORT(vireo_simbus_config_changed);

/**
 * vireo_simbus_vanish - surprise removal
 * @sb: the device
 *
 * From now on config reads return all ones, the status reads 0xff,
 * notifications fail and the device touches no ring (interrupts the test
 * raises still arrive). The transport, like a simple one, does not tell
 * the driver: the driver has to notice. Only vireo_simbus_rescue() brings
 * the device back.
 *
 * Context: Any context.
 */
void vireo_simbus_vanish(struct vireo_simbus_dev *sb)
{
	unsigned long flags;

	spin_lock_irqsave(&sb->cfg_lock, flags);
	WRITE_ONCE(sb->vanished, true);
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
}

VIREO_EXPORT(vireo_simbus_vanish);

/**
 * vireo_simbus_rescue - make the device answer everything, for clean-up
 * @sb: the device
 * @status: the status byte to complete every chain with
 *
 * For a test whose code under test hangs on a stuck or vanished device:
 * the device comes back (if it vanished), completes every chain it holds
 * and every available one, and does so from now on, and every queue gets
 * an interrupt. Whatever waited on the device can then finish, so that
 * the test fails instead of hanging the run.
 *
 * Context: Any context but under a driver lock.
 */
void vireo_simbus_rescue(struct vireo_simbus_dev *sb, u8 status)
{
	unsigned long flags;
	unsigned int q;

	spin_lock_irqsave(&sb->cfg_lock, flags);
	WRITE_ONCE(sb->vanished, false);
	sb->setup.status_byte = status;
	spin_unlock_irqrestore(&sb->cfg_lock, flags);
	for (q = 0; q < VIREO_SIMBUS_MAX_QUEUES; q++) {
		vireo_simbus_set_mode(sb, q, VIREO_SIMBUS_COMPLETE);
		vireo_simbus_release_held(sb, q, status);
		vireo_simbus_process(sb, q);
		vireo_simbus_interrupt(sb, q);
	}
}

VIREO_EXPORT(vireo_simbus_rescue);

/* ---- the injector ------------------------------------------------------ */

static void vireo_simbus_inject_round(struct vireo_simbus_dev *sb,
				      const struct vireo_simbus_inject *in)
{
	unsigned int q;

	for_each_set_bit(q, &in->queues, VIREO_SIMBUS_MAX_QUEUES) {
		if (in->with_work)
			vireo_simbus_process(sb, q);
		vireo_simbus_interrupt(sb, q);
	}
	if (in->config)
		vireo_simbus_config_changed(sb);
}

static int vireo_simbus_inject_fn(void *data)
{
	struct vireo_simbus_dev *sb = data;
	struct vireo_simbus_inject in = sb->inject;
	unsigned int i;

	for (i = 0; !in.rounds || i < in.rounds; i++) {
		if (kthread_should_stop())
			break;
		vireo_simbus_inject_round(sb, &in);
		if (in.delay_us)
			usleep_range(in.delay_us, 2 * in.delay_us);
		else if (!(i % 64))
			cond_resched();
	}
	complete(&sb->inject_done);
	/* kthread_stop() wants us alive until it is called. */
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * vireo_simbus_inject_start - start an interrupt storm from another thread
 * @sb: the device
 * @inject: what to inject, and how often
 *
 * The injector runs until its rounds are done (@sb->inject_done is
 * completed then) or vireo_simbus_inject_stop(); it may run during
 * probe, I/O, remove, after a reset and after the queues are gone (an
 * interrupt without a queue is only counted).
 *
 * Context: Process context; sleeps.
 * Return: 0, -EBUSY if an injector is running, or the error of creating
 * the thread.
 */
int vireo_simbus_inject_start(struct vireo_simbus_dev *sb,
			      const struct vireo_simbus_inject *inject)
{
	struct task_struct *t;

	if (sb->inject_task)
		return -EBUSY;
	sb->inject = *inject;
	reinit_completion(&sb->inject_done);
	t = kthread_run(vireo_simbus_inject_fn, sb, "vireo_simbus/%d",
			sb->vdev.index);
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	sb->inject_task = t;
	return 0;
}

VIREO_EXPORT(vireo_simbus_inject_start);

/**
 * vireo_simbus_inject_stop - stop the injector and wait for it
 * @sb: the device
 *
 * Context: Process context; sleeps.
 */
void vireo_simbus_inject_stop(struct vireo_simbus_dev *sb)
{
	struct task_struct *t = sb->inject_task;

	if (!t)
		return;
	kthread_stop(t);
	put_task_struct(t);
	sb->inject_task = NULL;
}

VIREO_EXPORT(vireo_simbus_inject_stop);

/* ---- helpers for tests ------------------------------------------------- */

static int vireo_simbus_call_fn(void *data)
{
	struct vireo_simbus_call *call = data;

	call->ret = call->fn(call->arg);
	complete(&call->done);
	vireo_simbus_call_put(call);
	return 0;
}

/**
 * vireo_simbus_call_start - run @fn(@arg) in a thread of its own
 * @fn: the function; it may block
 * @arg: its argument; must stay valid until @fn returns, which may be
 *	never if the code under test hangs
 * @name: the thread's name
 *
 * For anything that may hang (I/O, removal): the test waits with
 * vireo_simbus_call_wait() and fails instead of hanging the run.
 *
 * Context: Process context; sleeps.
 * Return: the call, or NULL if out of memory. Drop it with
 * vireo_simbus_call_put(); a call that never returns keeps itself alive.
 */
struct vireo_simbus_call *vireo_simbus_call_start(long (*fn)(void *arg),
						  void *arg, const char *name)
{
	struct vireo_simbus_call *call;
	struct task_struct *t;

	call = kzalloc(sizeof(*call), GFP_KERNEL);
	if (!call)
		return NULL;
	call->fn = fn;
	call->arg = arg;
	init_completion(&call->done);
	refcount_set(&call->ref, 2);
	t = kthread_run(vireo_simbus_call_fn, call, "%s", name);
	if (IS_ERR(t)) {
		kfree(call);
		return NULL;
	}
	return call;
}

VIREO_EXPORT(vireo_simbus_call_start);

/**
 * vireo_simbus_call_wait - wait for a call to return, for a while
 * @call: from vireo_simbus_call_start()
 * @timeout_ms: how long at most
 *
 * Waits in slices of a second, so that a long wait does not look like a
 * hung task.
 *
 * Context: Process context; sleeps.
 * Return: true if the call has returned (@call->ret is valid).
 */
bool vireo_simbus_call_wait(struct vireo_simbus_call *call,
			    unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);

	do {
		if (wait_for_completion_timeout(&call->done, HZ))
			return true;
	} while (time_before(jiffies, end));
	return completion_done(&call->done);
}

VIREO_EXPORT(vireo_simbus_call_wait);

/**
 * vireo_simbus_call_put - drop the caller's reference to a call
 * @call: from vireo_simbus_call_start(), or NULL
 *
 * Context: Any context.
 */
void vireo_simbus_call_put(struct vireo_simbus_call *call)
{
	if (call && refcount_dec_and_test(&call->ref))
		kfree(call);
}

VIREO_EXPORT(vireo_simbus_call_put);

/**
 * vireo_simbus_unbind_fn - unbind a device's driver, as a call's function
 * @arg: the device (struct vireo_simbus_dev)
 *
 * For vireo_simbus_call_start(): removal may hang on a stuck device.
 *
 * Context: Process context; sleeps.
 * Return: 0.
 */
long vireo_simbus_unbind_fn(void *arg)
{
	struct vireo_simbus_dev *sb = arg;

	device_release_driver(&sb->vdev.dev);
	return 0;
}

VIREO_EXPORT(vireo_simbus_unbind_fn);

/**
 * vireo_simbus_del_fn - vireo_simbus_del() as a call's function
 * @arg: the device (struct vireo_simbus_dev)
 *
 * Context: Process context; sleeps.
 * Return: 0.
 */
long vireo_simbus_del_fn(void *arg)
{
	vireo_simbus_del(arg);
	return 0;
}

VIREO_EXPORT(vireo_simbus_del_fn);

/**
 * vireo_simbus_add_fn - vireo_simbus_add() as a call's function
 * @arg: the device (struct vireo_simbus_dev)
 *
 * Context: Process context; sleeps.
 * Return: what vireo_simbus_add() returns.
 */
long vireo_simbus_add_fn(void *arg)
{
	return vireo_simbus_add(arg);
}

VIREO_EXPORT(vireo_simbus_add_fn);

/**
 * vireo_simbus_log_mark - where the kernel log is now
 *
 * Context: Any context.
 * Return: a position for vireo_simbus_log_count().
 */
u64 vireo_simbus_log_mark(void)
{
	struct kmsg_dump_iter iter;

	kmsg_dump_rewind(&iter);
	return iter.next_seq;
}

VIREO_EXPORT(vireo_simbus_log_mark);

/**
 * vireo_simbus_log_count - count kernel messages since a mark
 * @mark: from vireo_simbus_log_mark()
 * @who: text the line must contain (e.g. " vireo3: "), or NULL
 * @what: text the line must contain too, or NULL
 *
 * Context: Process context; sleeps.
 * Return: the number of matching lines (0 if out of memory).
 */
unsigned int vireo_simbus_log_count(u64 mark, const char *who,
				    const char *what)
{
	struct kmsg_dump_iter iter;
	unsigned int count = 0;
	size_t len;
	char *line;

	line = kmalloc(VIREO_SIMBUS_LINE, GFP_KERNEL);
	if (!line)
		return 0;
	kmsg_dump_rewind(&iter);
	iter.cur_seq = max(iter.cur_seq, mark);
	while (kmsg_dump_get_line(&iter, false, line, VIREO_SIMBUS_LINE - 1,
				  &len)) {
		line[len] = '\0';
		if ((!who || strstr(line, who)) && (!what || strstr(line, what)))
			count++;
	}
	kfree(line);
	return count;
}

VIREO_EXPORT(vireo_simbus_log_count);

/**
 * vireo_simbus_probe_cause_lines - messages about a device since a mark,
 *	other than the generic lines of a failed probe
 * @mark: from vireo_simbus_log_mark()
 * @who: text naming the device, e.g. " vireo3: "
 *
 * A failed probe gets a line from vireo_core ("probe by DRIVER failed")
 * and one from the driver core ("probe with driver DRIVER failed"); what
 * is left says why, and there should be exactly one such line per cause.
 *
 * Context: Process context; sleeps.
 * Return: the number of lines.
 */
unsigned int vireo_simbus_probe_cause_lines(u64 mark, const char *who)
{
	return vireo_simbus_log_count(mark, who, NULL) -
	       vireo_simbus_log_count(mark, who, "probe by ") -
	       vireo_simbus_log_count(mark, who, "probe with driver ");
}

VIREO_EXPORT(vireo_simbus_probe_cause_lines);
