// SPDX-License-Identifier: GPL-2.0
/*
 * Ring benchmark harness: the driver loop around one ring backend.
 *
 * Usage: bench-<ring> NSG direct|indirect|indirect-nopool EVENT_IDX(0|1)
 *		       BATCH OPS
 *
 * Each round adds BATCH buffers, takes one kick decision, lets the inline
 * device complete them all, and gets them back. OPS buffers are measured
 * after a warm-up of 2 * ring size buffers (every descriptor, and the
 * allocator, in steady state); CALLGRIND_ZERO_STATS separates the two.
 * Every returned token and length is checked, and so is what the device
 * saw (indirect tables exactly when asked for), so a run that did not do
 * the intended work exits non-zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "bench.h"

static void *slot_tok[2 * BENCH_MAX_BATCH];
static char slots[2 * BENCH_MAX_BATCH];
static unsigned long seq_add, seq_get, notifies, errors;

static void usage(void)
{
	fprintf(stderr, "usage: bench-%s NSG direct|indirect|indirect-nopool EVENT_IDX BATCH OPS\n",
		be_name);
	exit(2);
}

static unsigned int expect_len(const struct bench_cfg *cfg)
{
	return cfg->nsg == 1 ? BENCH_DATA_LEN : BENCH_STATUS_LEN;
}

static void round_trip(const struct bench_cfg *cfg)
{
	void *tok[BENCH_MAX_BATCH], *got[BENCH_MAX_BATCH];
	unsigned int len[BENCH_MAX_BATCH];
	unsigned int i, n, b = cfg->batch;

	for (i = 0; i < b; i++)
		tok[i] = slot_tok[(seq_add + i) % (2 * BENCH_MAX_BATCH)];
	if (drv_add(tok, b)) {
		errors++;
		return;
	}
	seq_add += b;
	if (drv_kick())
		notifies++;
	if (dev_complete() != b)
		errors++;
	n = drv_get(got, len, b);
	if (n != b)
		errors++;
	for (i = 0; i < n; i++, seq_get++)
		if (got[i] != slot_tok[seq_get % (2 * BENCH_MAX_BATCH)] ||
		    len[i] != expect_len(cfg))
			errors++;
}

int main(int argc, char **argv)
{
	struct bench_cfg cfg = { 0 };
	struct bench_dev_stats st;
	unsigned long ops, i;
	void *mem;

	if (argc != 6)
		usage();
	cfg.nsg = atoi(argv[1]);
	if (!strcmp(argv[2], "direct")) {
		cfg.indirect = false;
	} else if (!strcmp(argv[2], "indirect")) {
		cfg.indirect = true;
		cfg.max_sg = cfg.nsg;
	} else if (!strcmp(argv[2], "indirect-nopool")) {
		cfg.indirect = true;
		cfg.max_sg = 0;
	} else {
		usage();
	}
	cfg.event_idx = atoi(argv[3]);
	cfg.batch = atoi(argv[4]);
	ops = strtoul(argv[5], NULL, 0);
	if ((cfg.nsg != 1 && cfg.nsg != 3) || !cfg.batch ||
	    cfg.batch > BENCH_MAX_BATCH || ops % cfg.batch)
		usage();
	for (i = 0; i < 2 * BENCH_MAX_BATCH; i++)
		slot_tok[i] = &slots[i];

	mem = be_init(&cfg);
	if (!mem) {
		fprintf(stderr, "bench-%s: queue setup failed\n", be_name);
		return 1;
	}
	dev_init(mem, BENCH_RING_NUM, BENCH_RING_ALIGN, cfg.event_idx);

	for (i = 0; i < 2 * BENCH_RING_NUM; i += cfg.batch)
		round_trip(&cfg);
	CALLGRIND_ZERO_STATS;
	for (i = 0; i < ops; i += cfg.batch)
		round_trip(&cfg);

	dev_stats(&st);
	be_exit();
	if (st.bad || st.heads != seq_add ||
	    st.indirect_heads != (cfg.indirect && cfg.nsg > 1 ? st.heads : 0) ||
	    st.descs != st.heads * cfg.nsg)
		errors++;
	printf("%s nsg=%u %s event_idx=%d batch=%u ops=%lu: heads=%lu indirect=%lu descs=%lu notifies=%lu errors=%lu\n",
	       be_name, cfg.nsg, argv[2], cfg.event_idx, cfg.batch, ops,
	       st.heads, st.indirect_heads, st.descs, notifies, errors);
	return errors ? 1 : 0;
}
