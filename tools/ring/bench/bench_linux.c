// SPDX-License-Identifier: GPL-2.0
/*
 * Ring benchmark backend: Linux's split virtqueue, built in userspace by
 * build-linux-ring.sh through the kernel's tools/virtio shims and linked
 * unchanged. Compiled with the cflags that script prints, so the headers
 * here are tools/virtio's. The queue is created the way
 * tools/virtio/virtio_test.c does: vring_new_virtqueue() over caller-owned
 * memory, with a fake device whose features are the workload's.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "bench.h"

/* tools/virtio's libc-based kmalloc/kfree want these. */
void *__kmalloc_fake, *__kfree_ignore_start, *__kfree_ignore_end;

/* Not declared by tools/virtio's <linux/virtio.h>. */
bool virtqueue_kick_prepare(struct virtqueue *vq);

const char be_name[] = "linux";

static struct virtio_device vdev;
static struct virtqueue *vq;
static void *ring;
static unsigned int nsg;

static unsigned char hdr[BENCH_HDR_LEN];
static unsigned char data[BENCH_DATA_LEN] __attribute__((aligned(4096)));
static unsigned char status[BENCH_STATUS_LEN];
static struct scatterlist sg_hdr, sg_data, sg_status, sg_in;
static struct scatterlist *sgs[3] = { &sg_hdr, &sg_data, &sg_status };

static bool bench_notify(struct virtqueue *q)
{
	return true;
}

static void bench_callback(struct virtqueue *q)
{
}

void *be_init(const struct bench_cfg *cfg)
{
	size_t bytes = vring_size(BENCH_RING_NUM, BENCH_RING_ALIGN);

	nsg = cfg->nsg;
	sg_init_one(&sg_hdr, hdr, sizeof(hdr));
	sg_init_one(&sg_data, data, sizeof(data));
	sg_init_one(&sg_status, status, sizeof(status));
	sg_init_one(&sg_in, data, sizeof(data));

	vdev.features = 0;
	if (cfg->indirect)
		vdev.features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (cfg->event_idx)
		vdev.features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	INIT_LIST_HEAD(&vdev.vqs);
	spin_lock_init(&vdev.vqs_list_lock);

	if (posix_memalign(&ring, BENCH_RING_ALIGN, bytes))
		return NULL;
	memset(ring, 0, bytes);
	vq = vring_new_virtqueue(0, BENCH_RING_NUM, BENCH_RING_ALIGN, &vdev,
				 true, false, ring, bench_notify,
				 bench_callback, "bench");
	return vq ? ring : NULL;
}

void be_exit(void)
{
	vring_del_virtqueue(vq);
	free(ring);
}

__attribute__((noinline)) int drv_add(void *const tok[], unsigned int n)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		if (nsg == 1)
			err = virtqueue_add_inbuf(vq, &sg_in, 1, tok[i],
						  GFP_ATOMIC);
		else
			err = virtqueue_add_sgs(vq, sgs, 2, 1, tok[i],
						GFP_ATOMIC);
		if (err)
			return err;
	}
	return 0;
}

__attribute__((noinline)) bool drv_kick(void)
{
	return virtqueue_kick_prepare(vq);
}

__attribute__((noinline)) unsigned int drv_get(void *tok[], unsigned int len[],
					       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		tok[i] = virtqueue_get_buf(vq, &len[i]);
		if (!tok[i])
			break;
	}
	return i;
}
