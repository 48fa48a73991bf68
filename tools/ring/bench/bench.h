/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring benchmark: the interface between the harness (main.c), the inline
 * device model (device.c) and one ring backend (bench_linux.c or
 * bench_vireo.c). This header uses no kernel type, so that each part can
 * be built against its own set of headers.
 *
 * Only the backend's drv_*() functions are measured: run.sh runs callgrind
 * with --collect-atstart=no --toggle-collect='drv_*', so instructions count
 * only while one of them is on the stack. Their own (self) instructions,
 * the loop calling the ring, are the harness's and are subtracted; what
 * remains is what the ring's functions executed (malloc/free included).
 */
#ifndef _VIREO_RING_BENCH_H
#define _VIREO_RING_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_RING_NUM		256U
#define BENCH_RING_ALIGN	4096U
#define BENCH_MAX_BATCH		64U

/* The buffers are sized like a block write: header, one page, status. */
#define BENCH_HDR_LEN		16U
#define BENCH_DATA_LEN		4096U
#define BENCH_STATUS_LEN	1U

/**
 * struct bench_cfg - one workload
 * @nsg: 1 (a single device-writable buffer, added with add_inbuf /
 *	add_buf) or 3 (out, out, in, added with add_sgs)
 * @indirect: negotiate VIRTIO_RING_F_INDIRECT_DESC
 * @event_idx: negotiate VIRTIO_RING_F_EVENT_IDX
 * @batch: buffers per add/kick/complete/get round
 * @max_sg: vireo only: &vireo_vq_info.max_sg (0: no preallocated tables)
 */
struct bench_cfg {
	unsigned int nsg;
	bool indirect;
	bool event_idx;
	unsigned int batch;
	unsigned int max_sg;
};

/* Backend: set up the queue; returns the ring memory the device works on. */
void *be_init(const struct bench_cfg *cfg);
void be_exit(void);
extern const char be_name[];

/* Backend, measured: add @n buffers with tokens @tok[0..n-1]; 0 or -errno. */
int drv_add(void *const tok[], unsigned int n);
/* Backend, measured: the kick decision for what was added. */
bool drv_kick(void);
/* Backend, measured: take back up to @n buffers; returns how many. */
unsigned int drv_get(void *tok[], unsigned int len[], unsigned int n);

/* What the device saw, to check that the ring did what was asked. */
struct bench_dev_stats {
	unsigned long heads;		/* chains consumed */
	unsigned long indirect_heads;	/* of which through an indirect table */
	unsigned long descs;		/* descriptors walked, tables included */
	unsigned long bad;		/* malformed chains */
};

/* Device model (device.c), not measured. */
void dev_init(void *ring_mem, unsigned int num, unsigned int align,
	      bool event_idx);
/* Complete every available chain in order; returns how many. */
unsigned int dev_complete(void);
void dev_stats(struct bench_dev_stats *st);

#endif /* _VIREO_RING_BENCH_H */
