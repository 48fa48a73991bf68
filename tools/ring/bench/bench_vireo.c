// SPDX-License-Identifier: GPL-2.0
/*
 * Ring benchmark backend: vireo's split virtqueue, virtio_ring/vireo_{vq,vring}.c
 * built unchanged in userspace with -I tools/ring/shim -I include. The
 * queue is created as a transport does, with vireo_vring_create(), for a
 * device whose features are the workload's.
 */
#include <linux/io.h>
#include <linux/scatterlist.h>
#include <vireo/transport.h>

#include "bench.h"

const char be_name[] = "vireo";

static struct vireo_device vdev;
static struct vireo_virtqueue *vq;
static unsigned int nsg;

static unsigned char hdr[BENCH_HDR_LEN];
static unsigned char data[BENCH_DATA_LEN] __aligned(4096);
static unsigned char status[BENCH_STATUS_LEN];
static struct scatterlist sg_hdr, sg_data, sg_status, sg_in;
static struct scatterlist *sgs[3] = { &sg_hdr, &sg_data, &sg_status };

static bool bench_notify(struct vireo_virtqueue *q)
{
	return true;
}

static void bench_callback(struct vireo_virtqueue *q)
{
}

void *be_init(const struct bench_cfg *cfg)
{
	struct vireo_vq_info info = {
		.name = "bench",
		.callback = bench_callback,
		.max_sg = cfg->max_sg,
	};

	nsg = cfg->nsg;
	sg_init_one(&sg_hdr, hdr, sizeof(hdr));
	sg_init_one(&sg_data, data, sizeof(data));
	sg_init_one(&sg_status, status, sizeof(status));
	sg_init_one(&sg_in, data, sizeof(data));

	vdev.features = 0;
	if (cfg->indirect)
		vdev.features |= BIT_ULL(VIREO_RING_F_INDIRECT_DESC);
	if (cfg->event_idx)
		vdev.features |= BIT_ULL(VIREO_RING_F_EVENT_IDX);
	INIT_LIST_HEAD(&vdev.vqs);

	vq = vireo_vring_create(&vdev, 0, BENCH_RING_NUM, BENCH_RING_ALIGN,
				bench_notify, &info);
	if (IS_ERR(vq))
		return NULL;
	return phys_to_virt(vireo_vring_phys(vq));
}

void be_exit(void)
{
	void *tok;

	while ((tok = vireo_vq_shutdown(vq)))
		;
	vireo_vring_destroy(vq);
}

noinline int drv_add(void *const tok[], unsigned int n)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		if (nsg == 1)
			err = vireo_vq_add_buf(vq, &sg_in, 0, 1, tok[i],
					       GFP_ATOMIC);
		else
			err = vireo_vq_add_sgs(vq, sgs, 2, 1, tok[i],
					       GFP_ATOMIC);
		if (err)
			return err;
	}
	return 0;
}

noinline bool drv_kick(void)
{
	return vireo_vq_kick_prepare(vq);
}

noinline unsigned int drv_get(void *tok[], unsigned int len[],
			    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		tok[i] = vireo_vq_get_buf(vq, &len[i]);
		if (!tok[i])
			break;
	}
	return i;
}
