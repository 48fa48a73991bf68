// SPDX-License-Identifier: GPL-2.0
/*
 * vireo_balloon: inflating and deflating, telling the host, migration.
 *
 * Pages for the balloon are allocated before the balloon lock is taken:
 * the OOM notifier takes that lock to deflate, and an allocation made
 * under it could wait on the very OOM handling that waits for the lock.
 *
 * Each request carries at most VIREO_BALLOON_PFN_MAX page frame numbers
 * in the one PFN array, so one request is in flight at a time and the
 * driver waits (bounded) for the device to return it before the array is
 * used again. A device that does not return it in time is dead: the
 * balloon stops moving, and removal gives every page back after the
 * reset, when the device can no longer look at them.
 */
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/scatterlist.h>
#include <linux/wait.h>
#include "vireo_balloon.h"

/* How long removal waits for pages that compaction has isolated. */
#define VIREO_BALLOON_ISOLATED_WAIT_MS	5000U

/**
 * vireo_balloon_ack_cb - inflate, deflate or reporting queue callback
 * @vq: the queue
 *
 * Only wakes the waiter, which takes the buffer back itself: the rings
 * are then used by one context at a time (see vireo_balloon.h).
 *
 * Context: hard IRQ.
 */
void vireo_balloon_ack_cb(struct vireo_virtqueue *vq)
{
	struct vireo_balloon *vb = vq->vdev->priv;

	wake_up_all(&vb->ack_wq);
}

/**
 * vireo_balloon_reap - take the one request back from the device
 * @vb: the balloon
 * @vq: the queue the request is on
 * @max_len: the most bytes the device may say it wrote
 *
 * A used length beyond @max_len, or a token that is not the balloon's,
 * is counted (with one rate-limited message) and otherwise ignored: the
 * request carried only frame numbers or free pages, so nothing is read
 * back from it.
 *
 * Context: the caller serialises use of @vq (the balloon lock, or the
 * page-reporting work for the reporting queue).
 * Return: 1 if the request came back, 0 if not yet, -EIO if the queue
 * broke, -ECANCELED if removal asked waits to end or the balloon died
 * meanwhile (e.g. the reporting path reset the device).
 */
int vireo_balloon_reap(struct vireo_balloon *vb, struct vireo_virtqueue *vq,
		       unsigned int max_len)
{
	unsigned int len;
	void *token;

	token = vireo_vq_get_buf(vq, &len);
	if (token) {
		if (token != vb)
			atomic64_inc(&vb->cnt.bad_token);
		if (len > max_len) {
			atomic64_inc(&vb->cnt.bad_len);
			dev_err_ratelimited(&vb->vdev->dev,
					    "%s: used length %u, at most %u allowed\n",
					    vq->name, len, max_len);
		}
		return 1;
	}
	if (vireo_vq_is_broken(vq))
		return -EIO;
	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD))
		return -ECANCELED;
	return 0;
}

/**
 * vireo_balloon_wait - wait, bounded, for the one request on @vq
 * @vb: the balloon
 * @vq: the queue
 * @max_len: see vireo_balloon_reap()
 *
 * At most ack_timeout_ms; once removal has started (ABORT), at most
 * VIREO_BALLOON_GRACE_MS more: a device that answers returns a request
 * in microseconds, so removal keeps telling it, and one that does not
 * delays removal only by the grace.
 *
 * Context: process context; as vireo_balloon_reap().
 * Return: 1 if the request came back, -ETIMEDOUT after ack_timeout_ms,
 * -ECANCELED if removal's grace ran out or the balloon died, -EIO if
 * the queue broke.
 */
int vireo_balloon_wait(struct vireo_balloon *vb, struct vireo_virtqueue *vq,
		       unsigned int max_len)
{
	long left;
	int ret = 0;

	left = wait_event_timeout(vb->ack_wq,
				  (ret = vireo_balloon_reap(vb, vq, max_len)) ||
				  vireo_balloon_is(vb, VIREO_BALLOON_ABORT),
				  vireo_balloon_timeout());
	if (ret)
		return ret;
	if (!left)
		return -ETIMEDOUT;
	wait_event_timeout(vb->ack_wq,
			   (ret = vireo_balloon_reap(vb, vq, max_len)) != 0,
			   min_t(long, left,
				 msecs_to_jiffies(VIREO_BALLOON_GRACE_MS)));
	return ret ? ret : -ECANCELED;
}

/*
 * Hand the PFN array to the device on @vq and wait, bounded, until it
 * returns it. Any failure kills the balloon: the array may still be with
 * the device, so it cannot be reused.
 */
static int vireo_balloon_tell(struct vireo_balloon *vb,
			      struct vireo_virtqueue *vq, unsigned int npfns)
{
	struct scatterlist sg;
	int ret;

	lockdep_assert_held(&vb->lock);
	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD))
		return -EIO;
	sg_init_one(&sg, vb->pfns, npfns * sizeof(vb->pfns[0]));
	ret = vireo_vq_add_buf(vq, &sg, 1, 0, vb, GFP_KERNEL);
	if (ret) {
		vireo_balloon_set_dead(vb, "could not post a request");
		return ret;
	}
	if (!vireo_vq_kick(vq)) {
		vireo_balloon_set_dead(vb, "device did not take the notify");
		return -EIO;
	}
	ret = vireo_balloon_wait(vb, vq, 0);
	if (ret == 1)
		return 0;
	if (ret == -ETIMEDOUT) {
		atomic64_inc(&vb->cnt.timeouts);
		vireo_balloon_set_dead(vb, "device did not return a request in time");
	} else {
		vireo_balloon_set_dead(vb, ret == -EIO ? "virtqueue broken" :
				       "removal ended a wait for the device");
	}
	return ret;
}

/* Append @page's 4 KiB frames to the PFN array; false if not expressible. */
static bool vireo_balloon_add_pfns(struct vireo_balloon *vb,
				   unsigned int *npfns, struct page *page)
{
	u64 pfn = (u64)page_to_pfn(page) << (PAGE_SHIFT - VIREO_BALLOON_PFN_SHIFT);
	unsigned int i;

	/* The wire has 32 bits: a frame beyond 16 TiB cannot be told. */
	if (pfn + VIREO_BALLOON_PPP - 1 > U32_MAX)
		return false;
	for (i = 0; i < VIREO_BALLOON_PPP; i++)
		vb->pfns[(*npfns)++] = cpu_to_le32((u32)(pfn + i));
	return true;
}

/* Allocate up to @want pages onto @pages; returns how many. */
static unsigned int vireo_balloon_alloc(struct vireo_balloon *vb,
					struct list_head *pages,
					unsigned int want)
{
	unsigned int n;

	for (n = 0; n < want; n++) {
		struct page *page = vireo_balloon_page_alloc();

		if (!page) {
			atomic64_inc(&vb->cnt.alloc_failed);
			break;
		}
		list_add(&page->lru, pages);
	}
	return n;
}

/*
 * Fill the PFN array from @pages and account them as ballooned. Pages
 * whose frame number the wire cannot carry are freed instead.
 */
static unsigned int vireo_balloon_take(struct vireo_balloon *vb,
				       struct list_head *pages,
				       unsigned int *npfns)
{
	bool doo = vireo_balloon_has(vb, VIREO_BALLOON_F_DEFLATE_ON_OOM);
	struct page *page, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		if (!vireo_balloon_add_pfns(vb, npfns, page)) {
			list_del(&page->lru);
			put_page(page);
			continue;
		}
		/* Without DEFLATE_ON_OOM the memory is gone from the guest. */
		if (!doo)
			adjust_managed_page_count(page, -1);
		n++;
	}
	return n;
}

/**
 * vireo_balloon_fill - inflate by up to @want guest pages
 * @vb: the balloon
 * @want: guest pages, at most VIREO_BALLOON_BATCH
 *
 * Context: process context; takes the balloon lock (not held on entry).
 * Return: guest pages added to the balloon; 0 if none could be allocated
 * or the balloon is dead or being removed.
 */
unsigned int vireo_balloon_fill(struct vireo_balloon *vb, unsigned int want)
{
	unsigned int n, npfns = 0;
	LIST_HEAD(pages);
	struct page *page, *tmp;

	want = min(want, VIREO_BALLOON_BATCH);
	if (!vireo_balloon_alloc(vb, &pages, want))
		return 0;

	mutex_lock(&vb->lock);
	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD) ||
	    vireo_balloon_is(vb, VIREO_BALLOON_ABORT)) {
		mutex_unlock(&vb->lock);
		list_for_each_entry_safe(page, tmp, &pages, lru) {
			list_del(&page->lru);
			put_page(page);
		}
		return 0;
	}
	n = vireo_balloon_take(vb, &pages, &npfns);
	vireo_balloon_list_enqueue(&vb->bdi, &pages);
	vb->num_pages += n * VIREO_BALLOON_PPP;
	/* On failure the pages stay in the balloon: the host may have them. */
	if (n && !vireo_balloon_tell(vb, vb->inflate_vq, npfns))
		atomic64_add(npfns, &vb->cnt.inflated);
	vireo_balloon_write_actual(vb);
	mutex_unlock(&vb->lock);
	return n;
}

/* Give pages withdrawn from the balloon back to the page allocator. */
static void vireo_balloon_release(struct vireo_balloon *vb,
				  struct list_head *pages)
{
	bool doo = vireo_balloon_has(vb, VIREO_BALLOON_F_DEFLATE_ON_OOM);
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		if (!doo)
			adjust_managed_page_count(page, 1);
		put_page(page);
		atomic64_inc(&vb->cnt.released);
	}
}

/**
 * vireo_balloon_leak - deflate by up to @want guest pages
 * @vb: the balloon
 * @want: guest pages, at most VIREO_BALLOON_BATCH
 *
 * With MUST_TELL_HOST the pages are reused only once the device has
 * returned the deflate request; if it never does, they stay off the
 * allocator (on @vb->limbo) until removal has reset the device. Without
 * it they are given back as soon as the request is posted, which the
 * specification allows.
 *
 * Context: process context; takes the balloon lock (not held on entry).
 * Return: guest pages taken out of the balloon; 0 if it is empty (or
 * every page in it is being migrated), dead, or being removed.
 */
unsigned int vireo_balloon_leak(struct vireo_balloon *vb, unsigned int want)
{
	bool mth = vireo_balloon_has(vb, VIREO_BALLOON_F_MUST_TELL_HOST);
	unsigned int n, npfns = 0;
	struct page *page;
	LIST_HEAD(pages);
	int err;

	mutex_lock(&vb->lock);
	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD) ||
	    vireo_balloon_is(vb, VIREO_BALLOON_ABORT)) {
		mutex_unlock(&vb->lock);
		return 0;
	}
	want = min3(want, VIREO_BALLOON_BATCH,
		    vb->num_pages / (unsigned int)VIREO_BALLOON_PPP);
	n = vireo_balloon_list_dequeue(&vb->bdi, &pages, want);
	if (!n) {
		mutex_unlock(&vb->lock);
		return 0;
	}
	list_for_each_entry(page, &pages, lru)
		vireo_balloon_add_pfns(vb, &npfns, page);
	vb->num_pages -= n * VIREO_BALLOON_PPP;
	if (!mth)
		vireo_balloon_release(vb, &pages);
	err = vireo_balloon_tell(vb, vb->deflate_vq, npfns);
	if (!err)
		atomic64_add(npfns, &vb->cnt.deflated);
	if (mth && err) {
		list_splice_init(&pages, &vb->limbo);
		vb->limbo_pages += n;
	} else if (mth) {
		vireo_balloon_release(vb, &pages);
	}
	vireo_balloon_write_actual(vb);
	mutex_unlock(&vb->lock);
	return n;
}

/* Pages compaction holds isolated; they come back through putback. */
static unsigned long vireo_balloon_isolated(struct vireo_balloon *vb)
{
	unsigned long flags, n;

	spin_lock_irqsave(&vb->bdi.pages_lock, flags);
	n = vb->bdi.isolated_pages;
	spin_unlock_irqrestore(&vb->bdi.pages_lock, flags);
	return n;
}

/**
 * vireo_balloon_release_all - give every page back, without the host
 * @vb: the balloon; the device has been reset
 *
 * Also waits (bounded) for pages compaction has isolated: migration
 * fails while the balloon lock is held, and the pages come back to the
 * list, which lives in @vb, so they must be back before @vb is freed.
 *
 * Context: process context, in removal after the reset.
 * Return: guest pages that did not come back (0 unless compaction held
 * some for longer than the bound: @vb must then not be freed).
 */
unsigned long vireo_balloon_release_all(struct vireo_balloon *vb)
{
	unsigned long deadline = jiffies +
		msecs_to_jiffies(VIREO_BALLOON_ISOLATED_WAIT_MS);
	unsigned long left;
	LIST_HEAD(pages);

	mutex_lock(&vb->lock);
	for (;;) {
		while (vireo_balloon_list_dequeue(&vb->bdi, &pages,
						  VIREO_BALLOON_BATCH)) {
			vireo_balloon_release(vb, &pages);
			cond_resched();
		}
		left = vireo_balloon_isolated(vb);
		if (!left || time_after(jiffies, deadline))
			break;
		mutex_unlock(&vb->lock);
		schedule_timeout_uninterruptible(1);
		mutex_lock(&vb->lock);
	}
	vireo_balloon_release(vb, &vb->limbo);
	vb->limbo_pages = 0;
	vb->num_pages = left * VIREO_BALLOON_PPP;
	vireo_balloon_write_actual(vb);
	mutex_unlock(&vb->lock);
	return left;
}

#if VIREO_BALLOON_MOVABLE
/*
 * Compaction moves a balloon page: the new page joins the balloon (and
 * the host is told of it by an inflate), the old one leaves it (a
 * deflate). Only trylock: compaction must not wait for a balloon that is
 * waiting for its device; it retries later.
 */
static int vireo_balloon_migrate(struct balloon_dev_info *bdi,
				 struct page *newpage, struct page *page,
				 enum migrate_mode mode)
{
	struct vireo_balloon *vb = container_of(bdi, struct vireo_balloon, bdi);
	unsigned int npfns = 0;
	unsigned long flags;

	if (!mutex_trylock(&vb->lock))
		return -EAGAIN;
	if (vireo_balloon_is(vb, VIREO_BALLOON_DEAD) ||
	    vireo_balloon_is(vb, VIREO_BALLOON_ABORT) ||
	    !vireo_balloon_add_pfns(vb, &npfns, newpage)) {
		mutex_unlock(&vb->lock);
		return -EAGAIN;
	}
	/* Managed pages are counted per zone. */
	if (!vireo_balloon_has(vb, VIREO_BALLOON_F_DEFLATE_ON_OOM) &&
	    page_zone(page) != page_zone(newpage)) {
		adjust_managed_page_count(page, 1);
		adjust_managed_page_count(newpage, -1);
	}
	get_page(newpage);	/* the balloon's reference */
	spin_lock_irqsave(&bdi->pages_lock, flags);
	balloon_page_insert(bdi, newpage);
	bdi->isolated_pages--;
	vireo_balloon_count_migrate();
	spin_unlock_irqrestore(&bdi->pages_lock, flags);

	vireo_balloon_tell(vb, vb->inflate_vq, npfns);
	npfns = 0;
	vireo_balloon_add_pfns(vb, &npfns, page);
	vireo_balloon_tell(vb, vb->deflate_vq, npfns);
	atomic64_inc(&vb->cnt.migrated);
	mutex_unlock(&vb->lock);

	balloon_page_finalize(page);
	put_page(page);		/* the balloon's reference */
	return VIREO_BALLOON_MIGRATE_OK;
}
#endif

/**
 * vireo_balloon_pages_init - set up the balloon page list
 * @vb: the balloon
 *
 * Context: process context, in probe.
 */
void vireo_balloon_pages_init(struct vireo_balloon *vb)
{
	balloon_devinfo_init(&vb->bdi);
	INIT_LIST_HEAD(&vb->limbo);
#if VIREO_BALLOON_MOVABLE
	vb->bdi.migratepage = vireo_balloon_migrate;
#endif
}
