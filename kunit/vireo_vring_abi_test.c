// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests: vireo's ring layout and event arithmetic against the
 * kernel's uapi headers.
 *
 * <vireo/vring.h> and <vireo/ids.h> are written from the legacy virtio
 * specification. The uapi headers <linux/virtio_*.h> describe the same
 * wire format independently, so they serve as the reference here - and
 * only here: vireo's modules never include them.
 *
 * Two suites: "vireo_vring_abi" (structure sizes and offsets, ring sizes
 * and layout, flag, feature, status and id values) and
 * "vireo_vring_need_event" (vireo_vring_need_event() against the uapi
 * vring_need_event(), exhaustively near the wrap points and on random
 * triples).
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/stddef.h>
#include <uapi/linux/virtio_config.h>
#include <uapi/linux/virtio_ids.h>
#include <uapi/linux/virtio_pci.h>
#include <uapi/linux/virtio_ring.h>
#include <vireo/transport.h>

/* One field: same offset and same size in both structures. */
static void abi_field(struct kunit *test, const char *field,
		      size_t ours_off, size_t theirs_off,
		      size_t ours_size, size_t theirs_size)
{
	KUNIT_EXPECT_EQ_MSG(test, ours_off, theirs_off, "offset of %s", field);
	KUNIT_EXPECT_EQ_MSG(test, ours_size, theirs_size, "size of %s", field);
}

static void abi_struct_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct vireo_vring_desc),
			sizeof(struct vring_desc));
	abi_field(test, "desc.addr",
		  offsetof(struct vireo_vring_desc, addr),
		  offsetof(struct vring_desc, addr),
		  sizeof_field(struct vireo_vring_desc, addr),
		  sizeof_field(struct vring_desc, addr));
	abi_field(test, "desc.len",
		  offsetof(struct vireo_vring_desc, len),
		  offsetof(struct vring_desc, len),
		  sizeof_field(struct vireo_vring_desc, len),
		  sizeof_field(struct vring_desc, len));
	abi_field(test, "desc.flags",
		  offsetof(struct vireo_vring_desc, flags),
		  offsetof(struct vring_desc, flags),
		  sizeof_field(struct vireo_vring_desc, flags),
		  sizeof_field(struct vring_desc, flags));
	abi_field(test, "desc.next",
		  offsetof(struct vireo_vring_desc, next),
		  offsetof(struct vring_desc, next),
		  sizeof_field(struct vireo_vring_desc, next),
		  sizeof_field(struct vring_desc, next));

	KUNIT_EXPECT_EQ(test, sizeof(struct vireo_vring_avail),
			sizeof(struct vring_avail));
	abi_field(test, "avail.flags",
		  offsetof(struct vireo_vring_avail, flags),
		  offsetof(struct vring_avail, flags),
		  sizeof_field(struct vireo_vring_avail, flags),
		  sizeof_field(struct vring_avail, flags));
	abi_field(test, "avail.idx",
		  offsetof(struct vireo_vring_avail, idx),
		  offsetof(struct vring_avail, idx),
		  sizeof_field(struct vireo_vring_avail, idx),
		  sizeof_field(struct vring_avail, idx));
	abi_field(test, "avail.ring",
		  offsetof(struct vireo_vring_avail, ring),
		  offsetof(struct vring_avail, ring),
		  sizeof_field(struct vireo_vring_avail, ring[0]),
		  sizeof_field(struct vring_avail, ring[0]));

	KUNIT_EXPECT_EQ(test, sizeof(struct vireo_vring_used_elem),
			sizeof(struct vring_used_elem));
	abi_field(test, "used_elem.id",
		  offsetof(struct vireo_vring_used_elem, id),
		  offsetof(struct vring_used_elem, id),
		  sizeof_field(struct vireo_vring_used_elem, id),
		  sizeof_field(struct vring_used_elem, id));
	abi_field(test, "used_elem.len",
		  offsetof(struct vireo_vring_used_elem, len),
		  offsetof(struct vring_used_elem, len),
		  sizeof_field(struct vireo_vring_used_elem, len),
		  sizeof_field(struct vring_used_elem, len));

	KUNIT_EXPECT_EQ(test, sizeof(struct vireo_vring_used),
			sizeof(struct vring_used));
	abi_field(test, "used.flags",
		  offsetof(struct vireo_vring_used, flags),
		  offsetof(struct vring_used, flags),
		  sizeof_field(struct vireo_vring_used, flags),
		  sizeof_field(struct vring_used, flags));
	abi_field(test, "used.idx",
		  offsetof(struct vireo_vring_used, idx),
		  offsetof(struct vring_used, idx),
		  sizeof_field(struct vireo_vring_used, idx),
		  sizeof_field(struct vring_used, idx));
	abi_field(test, "used.ring",
		  offsetof(struct vireo_vring_used, ring),
		  offsetof(struct vring_used, ring),
		  sizeof_field(struct vireo_vring_used, ring[0]),
		  sizeof_field(struct vring_used, ring[0]));
}

/* vireo_vring_size() equals vring_size() for every legal ring size. */
static void abi_vring_size(struct kunit *test)
{
	static const unsigned long aligns[] = { 4, 64, 4096, 8192 };
	unsigned int num, a;

	for (num = 1; num <= VIREO_VRING_MAX_NUM; num <<= 1) {
		KUNIT_EXPECT_EQ_MSG(test, vireo_vring_size(num, 4096),
				    (size_t)vring_size(num, 4096), "num %u", num);
		for (a = 0; a < ARRAY_SIZE(aligns); a++)
			KUNIT_EXPECT_EQ_MSG(test, vireo_vring_size(num, aligns[a]),
					    (size_t)vring_size(num, aligns[a]),
					    "num %u align %lu", num, aligns[a]);
	}
}

/*
 * vireo_vring_init() puts every part of the ring, both event fields
 * included, where vring_init() does. Only addresses are computed; the
 * base is a fake, suitably aligned address that is never dereferenced.
 */
static void abi_vring_layout(struct kunit *test)
{
	void *base = (void *)(16UL << 20);
	struct vireo_vring ours;
	struct vring theirs;
	unsigned int num;

	for (num = 1; num <= VIREO_VRING_MAX_NUM; num <<= 1) {
		vireo_vring_init(&ours, num, base, VIREO_VRING_LEGACY_ALIGN);
		vring_init(&theirs, num, base, VIRTIO_PCI_VRING_ALIGN);
		KUNIT_EXPECT_EQ(test, ours.num, theirs.num);
		KUNIT_EXPECT_PTR_EQ_MSG(test, (void *)ours.desc,
					(void *)theirs.desc, "num %u", num);
		KUNIT_EXPECT_PTR_EQ_MSG(test, (void *)ours.avail,
					(void *)theirs.avail, "num %u", num);
		KUNIT_EXPECT_PTR_EQ_MSG(test, (void *)ours.used,
					(void *)theirs.used, "num %u", num);
		KUNIT_EXPECT_PTR_EQ_MSG(test, (void *)vireo_vring_used_event(&ours),
					(void *)&vring_used_event(&theirs),
					"num %u", num);
		KUNIT_EXPECT_PTR_EQ_MSG(test, (void *)vireo_vring_avail_event(&ours),
					(void *)&vring_avail_event(&theirs),
					"num %u", num);
		/* The ring ends right after avail_event. */
		KUNIT_EXPECT_EQ_MSG(test,
				    (unsigned long)(vireo_vring_avail_event(&ours) + 1) -
				    (unsigned long)base,
				    (unsigned long)vireo_vring_size(num,
								    VIREO_VRING_LEGACY_ALIGN),
				    "num %u", num);
	}
}

static void abi_values(struct kunit *test)
{
	/* Descriptor and ring flags. */
	KUNIT_EXPECT_EQ(test, VIREO_VRING_DESC_F_NEXT, VRING_DESC_F_NEXT);
	KUNIT_EXPECT_EQ(test, VIREO_VRING_DESC_F_WRITE, VRING_DESC_F_WRITE);
	KUNIT_EXPECT_EQ(test, VIREO_VRING_DESC_F_INDIRECT,
			VRING_DESC_F_INDIRECT);
	KUNIT_EXPECT_EQ(test, VIREO_VRING_USED_F_NO_NOTIFY,
			VRING_USED_F_NO_NOTIFY);
	KUNIT_EXPECT_EQ(test, VIREO_VRING_AVAIL_F_NO_INTERRUPT,
			VRING_AVAIL_F_NO_INTERRUPT);
	/* Feature bits. */
	KUNIT_EXPECT_EQ(test, VIREO_RING_F_INDIRECT_DESC,
			VIRTIO_RING_F_INDIRECT_DESC);
	KUNIT_EXPECT_EQ(test, VIREO_RING_F_EVENT_IDX, VIRTIO_RING_F_EVENT_IDX);
	KUNIT_EXPECT_EQ(test, VIREO_F_NOTIFY_ON_EMPTY, VIRTIO_F_NOTIFY_ON_EMPTY);
	KUNIT_EXPECT_EQ(test, VIREO_F_ANY_LAYOUT, VIRTIO_F_ANY_LAYOUT);
	KUNIT_EXPECT_EQ(test, VIREO_TRANSPORT_F_START, VIRTIO_TRANSPORT_F_START);
	KUNIT_EXPECT_EQ(test, VIREO_TRANSPORT_F_END, VIRTIO_TRANSPORT_F_END);
	/* Legacy PCI ring alignment and device status bits. */
	KUNIT_EXPECT_EQ(test, VIREO_VRING_LEGACY_ALIGN, VIRTIO_PCI_VRING_ALIGN);
	KUNIT_EXPECT_EQ(test, VIREO_STATUS_ACKNOWLEDGE,
			VIRTIO_CONFIG_S_ACKNOWLEDGE);
	KUNIT_EXPECT_EQ(test, VIREO_STATUS_DRIVER, VIRTIO_CONFIG_S_DRIVER);
	KUNIT_EXPECT_EQ(test, VIREO_STATUS_DRIVER_OK, VIRTIO_CONFIG_S_DRIVER_OK);
	KUNIT_EXPECT_EQ(test, VIREO_STATUS_FAILED, VIRTIO_CONFIG_S_FAILED);
	/* Device types. */
	KUNIT_EXPECT_EQ(test, VIREO_ID_NET, VIRTIO_ID_NET);
	KUNIT_EXPECT_EQ(test, VIREO_ID_BLOCK, VIRTIO_ID_BLOCK);
	KUNIT_EXPECT_EQ(test, VIREO_ID_CONSOLE, VIRTIO_ID_CONSOLE);
	KUNIT_EXPECT_EQ(test, VIREO_ID_RNG, VIRTIO_ID_RNG);
	KUNIT_EXPECT_EQ(test, VIREO_ID_BALLOON, VIRTIO_ID_BALLOON);
	KUNIT_EXPECT_EQ(test, VIREO_ID_SCSI, VIRTIO_ID_SCSI);
	KUNIT_EXPECT_EQ(test, VIREO_ID_9P, VIRTIO_ID_9P);
}

static struct kunit_case abi_cases[] = {
	KUNIT_CASE(abi_struct_layout),
	KUNIT_CASE(abi_vring_size),
	KUNIT_CASE(abi_vring_layout),
	KUNIT_CASE(abi_values),
	{}
};

static struct kunit_suite abi_suite = {
	.name = "vireo_vring_abi",
	.test_cases = abi_cases,
};

/* Report at most this many disagreements in detail. */
#define NE_MAX_REPORTS	5

/* Compare one triple; count and report a disagreement. */
static void ne_check(struct kunit *test, u16 event, u16 new_idx, u16 old,
		     unsigned int *bad)
{
	bool ours = vireo_vring_need_event(event, new_idx, old);
	bool theirs = vring_need_event(event, new_idx, old);

	if (likely(ours == theirs))
		return;
	if (++*bad <= NE_MAX_REPORTS)
		KUNIT_FAIL(test, "need_event(event %u, new %u, old %u): %d, uapi says %d",
			   event, new_idx, old, ours, theirs);
}

/*
 * Every (old, new) with new - old <= 64 starting near the wrap point @wrap
 * and every event index from 70 before old to 70 after new.
 */
static unsigned int ne_window(struct kunit *test, u16 wrap, unsigned int *bad)
{
	unsigned int n = 0, o, d, e;
	u16 old, new_idx;

	for (o = 0; o <= 96; o++) {
		cond_resched();
		old = wrap - 80 + o;
		for (d = 0; d <= 64; d++) {
			new_idx = old + d;
			for (e = 0; e <= d + 140; e++) {
				ne_check(test, old - 70 + e, new_idx, old, bad);
				n++;
			}
		}
	}
	return n;
}

static void ne_exhaustive_wrap(struct kunit *test)
{
	unsigned int bad = 0, n;

	/* The 16-bit wrap of the indices, and half-way round. */
	n = ne_window(test, 0, &bad);
	n += ne_window(test, 32768, &bad);
	KUNIT_EXPECT_EQ(test, bad, 0U);
	KUNIT_EXPECT_GT(test, n, 2000000U);
}

static void ne_known_values(struct kunit *test)
{
	static const struct {
		u16 event, new_idx, old;
		bool need;
	} cases[] = {
		{ 0, 1, 0, true },		/* the very first buffer */
		{ 1, 1, 0, false },		/* event not reached yet */
		{ 0, 0, 0, false },		/* nothing moved */
		{ 3, 10, 3, true },		/* window start */
		{ 9, 10, 3, true },		/* window end */
		{ 10, 10, 3, false },		/* just past the window */
		{ 2, 10, 3, false },		/* before the window */
		{ 65535, 0, 65535, true },	/* across the wrap */
		{ 0, 2, 65535, true },
		{ 1, 2, 65535, true },
		{ 2, 2, 65535, false },
		{ 65534, 1, 65535, false },
		{ 7, 32775, 7, true },		/* a window of 32768 */
		{ 6, 32775, 7, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    vireo_vring_need_event(cases[i].event,
							   cases[i].new_idx,
							   cases[i].old),
				    cases[i].need, "case %u", i);
}

static void ne_random(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned int i, bad = 0;
	u32 a, b;

	prandom_seed_state(&rnd, 0x6e65656445ULL);
	for (i = 0; i < 1000000; i++) {
		if (!(i % 65536))
			cond_resched();
		a = prandom_u32_state(&rnd);
		b = prandom_u32_state(&rnd);
		ne_check(test, a, a >> 16, b, &bad);
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

static struct kunit_case ne_cases[] = {
	KUNIT_CASE(ne_known_values),
	KUNIT_CASE(ne_exhaustive_wrap),
	KUNIT_CASE(ne_random),
	{}
};

static struct kunit_suite ne_suite = {
	.name = "vireo_vring_need_event",
	.test_cases = ne_cases,
};

kunit_test_suites(&abi_suite, &ne_suite);

MODULE_DESCRIPTION("KUnit tests: vireo ring ABI against the uapi headers");
MODULE_LICENSE("GPL");
