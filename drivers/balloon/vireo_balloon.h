/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_balloon: a legacy virtio memory balloon (device type 5).
 *
 * The host sets a target (num_pages, in 4 KiB pages) and the driver
 * inflates the balloon to it by allocating pages and telling the host
 * their frame numbers, or deflates it by telling the host and giving
 * pages back; it reports its progress in the config field actual.
 *
 * One file per concern:
 *   vireo_balloon_main.c    probe, remove, config, the work item, debugfs
 *   vireo_balloon_pages.c   inflate, deflate, telling the host, migration
 *   vireo_balloon_stats.c   the statistics queue
 *   vireo_balloon_report.c  free page reporting and deflate on OOM
 *   vireo_balloon_wire.h    the wire format
 *
 * Locking: @lock (a mutex) serialises everything that changes the
 * balloon or uses the inflate and deflate queues: the work item, the OOM
 * notifier, migration (which only trylocks it) and removal. The queue
 * callbacks never touch a ring; they wake @ack_wq (inflate, deflate,
 * reporting) or queue @stats_work, so each ring is used by one context
 * at a time. The balloon page list has its own spinlock inside @bdi.
 */
#ifndef _VIREO_BALLOON_H
#define _VIREO_BALLOON_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <vireo/compat-balloon.h>
#include <vireo/driver.h>
#include "vireo_balloon_wire.h"

/* 4 KiB device pages per guest page (1 on x86-64). */
#define VIREO_BALLOON_PPP	((unsigned int)(PAGE_SIZE >> VIREO_BALLOON_PFN_SHIFT))

/* PFNs in one inflate or deflate request: 256 (1 KiB of le32). */
#define VIREO_BALLOON_PFN_MAX	256U
/* Guest pages in one request. */
#define VIREO_BALLOON_BATCH	(VIREO_BALLOON_PFN_MAX / VIREO_BALLOON_PPP)

/* Most statistics answers per second (QEMU asks at most once a second). */
#define VIREO_BALLOON_STATS_HZ	100

/* How long removal still waits for a request the device holds. */
#define VIREO_BALLOON_GRACE_MS	100U

/* Queue numbers that do not exist on the device. */
#define VIREO_BALLOON_NO_QUEUE	UINT_MAX
/* The most queues a balloon has: inflate, deflate, stats, hint, report. */
#define VIREO_BALLOON_MAX_QUEUES	5U

/**
 * struct vireo_balloon_layout - where the queues are on the device
 * @nvqs: queues to create (0 .. @nvqs - 1)
 * @stats: the statistics queue, or VIREO_BALLOON_NO_QUEUE
 * @hint: the free page hint queue (created, never used), or NO_QUEUE
 * @report: the reporting queue, or VIREO_BALLOON_NO_QUEUE
 *
 * Inflate is always 0 and deflate 1.
 */
struct vireo_balloon_layout {
	unsigned int nvqs;
	unsigned int stats;
	unsigned int hint;
	unsigned int report;
};

/**
 * vireo_balloon_layout - number the queues as the device does
 * @offered: the device's offered features
 * @negotiated: the negotiated features
 * @l: the layout
 *
 * QEMU creates a queue for each feature it offers, whatever the driver
 * negotiates, and the specification numbers them by the features
 * present; so the queues are numbered by @offered, and a queue the
 * driver needs comes after every queue of an offered feature before it.
 * A queue the driver does not use is created only when a used one
 * follows it (the transport cannot skip a number).
 *
 * Context: any.
 */
static inline void vireo_balloon_layout(u64 offered, u64 negotiated,
					struct vireo_balloon_layout *l)
{
	unsigned int next = 2;

	l->stats = VIREO_BALLOON_NO_QUEUE;
	l->hint = VIREO_BALLOON_NO_QUEUE;
	l->report = VIREO_BALLOON_NO_QUEUE;
	l->nvqs = 2;
	if (offered & BIT_ULL(VIREO_BALLOON_F_STATS_VQ)) {
		if (negotiated & BIT_ULL(VIREO_BALLOON_F_STATS_VQ)) {
			l->stats = next;
			l->nvqs = next + 1;
		}
		next++;
	}
	if (offered & BIT_ULL(VIREO_BALLOON_F_FREE_PAGE_HINT))
		l->hint = next++;
	if ((offered & BIT_ULL(VIREO_BALLOON_F_REPORTING)) &&
	    (negotiated & BIT_ULL(VIREO_BALLOON_F_REPORTING))) {
		l->report = next;
		l->nvqs = next + 1;
	}
	if (l->hint >= l->nvqs)
		l->hint = VIREO_BALLOON_NO_QUEUE;
}

/**
 * struct vireo_balloon_counters - what happened, for debugfs and tests
 * @inflated: pages (4 KiB) the host was told about on inflate
 * @deflated: pages (4 KiB) the host was told about on deflate
 * @released: guest pages given back to the page allocator
 * @oom_deflated: pages (4 KiB) given back by the OOM notifier
 * @migrated: balloon pages moved by compaction
 * @alloc_failed: page allocations that failed while inflating
 * @throttled: inflation steps held back to leave reserve_mb to the guest
 * @clamped: targets beyond guest memory that were clamped
 * @bad_len: used lengths that were not what the buffer allows
 * @bad_token: buffers returned that were not the one posted
 * @timeouts: waits for the device that timed out
 * @stats_sent: statistics buffers handed to the device
 * @reported: pages (4 KiB) reported free to the host
 * @report_failed: reports that failed
 */
struct vireo_balloon_counters {
	atomic64_t inflated;
	atomic64_t deflated;
	atomic64_t released;
	atomic64_t oom_deflated;
	atomic64_t migrated;
	atomic64_t alloc_failed;
	atomic64_t throttled;
	atomic64_t clamped;
	atomic64_t bad_len;
	atomic64_t bad_token;
	atomic64_t timeouts;
	atomic64_t stats_sent;
	atomic64_t reported;
	atomic64_t report_failed;
};

/**
 * struct vireo_balloon - per-device state
 * @vdev: the device
 * @features: negotiated features (a copy: PAGE_POISON and REPORTING are
 *	not always in the feature table, see vireo_balloon_has())
 * @layout: queue numbers
 * @inflate_vq: inflate queue (0)
 * @deflate_vq: deflate queue (1)
 * @stats_vq: statistics queue, or NULL
 * @report_vq: reporting queue, or NULL
 * @lock: see the top of this file; guards the fields down to @limbo
 * @bdi: the balloon's page list (the kernel's balloon compaction state)
 * @num_pages: 4 KiB pages in the balloon, as told to the host
 * @pfns: the PFN array of the one inflate or deflate request in flight
 * @limbo: pages withdrawn from the balloon that the host never
 *	acknowledged under MUST_TELL_HOST; freed only after the reset
 * @limbo_pages: guest pages on @limbo
 * @update_work: moves the balloon towards the target
 * @stats_work: answers the host's statistics requests
 * @stats_next: jiffies before which no answer is sent (a device that
 *	returns the buffer at once, forever, gets at most VIREO_BALLOON_STATS_HZ
 *	answers a second)
 * @ack_wq: woken by the queue callbacks and by removal
 * @state: VIREO_BALLOON_* state bits (see below)
 * @target: the last target read (clamped), for debugfs
 * @events: room for all_vm_events(), for the statistics
 * @stats: the statistics buffer (the device reads it)
 * @stats_lock: serialises the stats queue between probe and the work
 * @stats_posted: @stats is with the device
 * @oom_nb: the OOM notifier (DEFLATE_ON_OOM)
 * @oom_registered: @oom_nb is registered
 * @prdev: the page-reporting device (REPORTING)
 * @report_registered: @prdev is registered
 * @debugfs: this device's debugfs directory
 * @cnt: counters
 */
struct vireo_balloon {
	struct vireo_device *vdev;
	u64 features;
	struct vireo_balloon_layout layout;
	struct vireo_virtqueue *inflate_vq;
	struct vireo_virtqueue *deflate_vq;
	struct vireo_virtqueue *stats_vq;
	struct vireo_virtqueue *report_vq;

	struct mutex lock;	/* see above */
	struct balloon_dev_info bdi;
	u32 num_pages;
	__le32 pfns[VIREO_BALLOON_PFN_MAX];
	struct list_head limbo;
	unsigned long limbo_pages;

	struct delayed_work update_work;
	struct delayed_work stats_work;
	wait_queue_head_t ack_wq;
	unsigned long state;
	u32 target;
	unsigned long *events;

	struct vireo_balloon_stat stats[VIREO_BALLOON_S_NR];
	struct mutex stats_lock;	/* see above */
	bool stats_posted;
	unsigned long stats_next;

	struct notifier_block oom_nb;
	bool oom_registered;
	struct page_reporting_dev_info prdev;
	bool report_registered;

	struct dentry *debugfs;
	struct vireo_balloon_counters cnt;
};

/*
 * Bits of struct vireo_balloon.state:
 * DYING: removal has started; nothing new is queued.
 * ABORT: removal is stopping the work: waits for the device end after
 *	VIREO_BALLOON_GRACE_MS at most (vireo_balloon_wait()).
 * DEAD: the device stopped answering or broke; the balloon no longer
 *	moves, and removal gives every page back after the reset.
 * RESET: the device was reset; its queues are idle.
 * CLAMP_SAID: the message about a clamped target was printed.
 */
enum {
	VIREO_BALLOON_DYING,
	VIREO_BALLOON_ABORT,
	VIREO_BALLOON_DEAD,
	VIREO_BALLOON_RESET,
	VIREO_BALLOON_CLAMP_SAID,
};

/* A negotiated feature, from the driver's own copy. */
static inline bool vireo_balloon_has(const struct vireo_balloon *vb,
				     unsigned int fbit)
{
	return vb->features & BIT_ULL(fbit);
}

/* Module parameters (vireo_balloon_main.c) */
extern unsigned int vireo_balloon_ack_timeout_ms;
extern unsigned int vireo_balloon_oom_pages;

static inline bool vireo_balloon_is(const struct vireo_balloon *vb,
				    unsigned int bit)
{
	return test_bit(bit, &vb->state);
}

/* vireo_balloon_main.c */
void vireo_balloon_set_dead(struct vireo_balloon *vb, const char *why);
void vireo_balloon_write_actual(struct vireo_balloon *vb);
long vireo_balloon_timeout(void);

/* vireo_balloon_pages.c */
void vireo_balloon_pages_init(struct vireo_balloon *vb);
unsigned int vireo_balloon_fill(struct vireo_balloon *vb, unsigned int want);
unsigned int vireo_balloon_leak(struct vireo_balloon *vb, unsigned int want);
unsigned long vireo_balloon_release_all(struct vireo_balloon *vb);
void vireo_balloon_ack_cb(struct vireo_virtqueue *vq);
int vireo_balloon_reap(struct vireo_balloon *vb, struct vireo_virtqueue *vq,
		       unsigned int max_len);
int vireo_balloon_wait(struct vireo_balloon *vb, struct vireo_virtqueue *vq,
		       unsigned int max_len);

/* vireo_balloon_stats.c */
void vireo_balloon_stats_cb(struct vireo_virtqueue *vq);
void vireo_balloon_stats_work(struct work_struct *work);
int vireo_balloon_stats_start(struct vireo_balloon *vb);
void vireo_balloon_stats_kick(struct vireo_balloon *vb);

/* vireo_balloon_report.c */
int vireo_balloon_oom_register(struct vireo_balloon *vb);
void vireo_balloon_oom_unregister(struct vireo_balloon *vb);
int vireo_balloon_report_register(struct vireo_balloon *vb);
void vireo_balloon_report_unregister(struct vireo_balloon *vb);

#endif /* _VIREO_BALLOON_H */
