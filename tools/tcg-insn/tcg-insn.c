// SPDX-License-Identifier: GPL-2.0
/*
 * tcg-insn: a QEMU TCG plugin counting the guest's instructions, kernel
 * and user mode apart, with phases marked by the guest itself
 * (Documentation/blk-bench.rst, "Instruction counts").
 *
 *   qemu-system-x86_64 -accel tcg,thread=single \
 *       -plugin tcg-insn.so,outfile=FILE[,count=tb|insn][,percpu=on]
 *
 * Written against QEMU 7.2's plugin API (QEMU_PLUGIN_VERSION 1): inline
 * ops add to one host counter shared by every vCPU, so the counters are
 * exact only because thread=single never runs two vCPUs at once.
 *
 *   count=tb    (default) one inline add of the block's length when a
 *               translation block starts; a block left early by an
 *               exception (a page fault) counts its unexecuted tail too
 *   count=insn  one inline add per instruction: exact, and slower
 *   percpu=on   per-vCPU counts too, through a call per block (slower)
 *   profile=FILE a kernel-mode profile of the phases whose name contains
 *               profile_match=S (default: every phase): per phase, the
 *               instructions each kernel block address executed, which
 *               tools/tcg-insn/profile.py turns into a per-function table
 *
 * A block is kernel or user mode by its address: x86-64 kernel addresses
 * have the top bit set, and no block spans both halves.
 *
 * The marker is a run of 7-byte NOPs ("nopl disp32(%rax)", 0f 1f 80)
 * that the guest executes (tools/vm/guest/src/insnmark.c): the first has
 * the displacement MARK_MAGIC, the following ones carry a label, four
 * bytes each, NUL-padded, the last holding at least one NUL.  Without
 * the plugin they are NOPs.  The plugin decodes the label when it
 * translates the block and calls mark() each time the block runs; the
 * label must lie in the same block as the magic (insnmark puts the run
 * at the start of a page and ends it with a ret).
 *
 * Output, one line per event, flushed as it happens (so a guest killed
 * by a timeout still leaves its finished phases):
 *   mark SEQ LABEL vcpu=V total=T kernel=K user=U
 *   phase NAME total=T kernel=K user=U halts=H [cpuN=K/U ...]
 *   exit total=T kernel=K user=U halts=H translated_blocks=B bad_marks=M
 * halts: hlt instructions executed, i.e. how often a vCPU went idle; the
 * counts of a phase depend on it (entering and leaving idle costs
 * instructions, and whether a vCPU idles while it waits for the device
 * depends on the host's timing).
 * A label ending in '+' opens phase NAME (the label without it), one
 * ending in '-' closes it; the phase line gives the instructions between
 * the two (counted as above, so a phase includes the marker blocks
 * themselves: a few dozen instructions).
 */
#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* "viro", little-endian, as nopl 0x6f726976(%rax). */
#define MARK_MAGIC	0x6f726976u
#define NOPL_LEN	7
#define LABEL_MAX	64
#define MAX_VCPUS	64

enum { KERNEL, USER, MODES };

struct counts {
	uint64_t n[MODES];
};

struct label {
	char name[LABEL_MAX + 1];
};

static struct counts total;			/* the inline ops add here */
static uint64_t halts;				/* hlt executed: idle entries */
static struct counts percpu[MAX_VCPUS];		/* with percpu=on */
static bool count_insn;
static bool do_percpu;
static FILE *out;
static uint64_t marks, bad_marks, blocks;
static GHashTable *open_phases;			/* name -> struct snap * */

/*
 * profile=: one counter per kernel block address, added to inline like
 * the totals; BASE is the counter when the profiled phase opened.  One
 * profiled phase at a time (the benchmarks' phases never nest).
 */
struct pblock {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t base;
};

static FILE *prof_out;
static const char *prof_match = "";
static GHashTable *pblocks;			/* vaddr -> struct pblock * */
static char *prof_phase;			/* the open profiled phase */

struct snap {
	struct counts all;
	uint64_t halts;
	struct counts cpu[MAX_VCPUS];
};

static void take(struct snap *s)
{
	s->all = total;
	s->halts = halts;
	if (do_percpu)
		memcpy(s->cpu, percpu, sizeof(percpu));
}

static uint64_t sum(const struct counts *c)
{
	return c->n[KERNEL] + c->n[USER];
}

static void close_phase(const char *name, const struct snap *begin)
{
	struct snap now;
	struct counts d;
	int m, i;

	take(&now);
	for (m = 0; m < MODES; m++)
		d.n[m] = now.all.n[m] - begin->all.n[m];
	fprintf(out, "phase %s total=%" PRIu64 " kernel=%" PRIu64
		" user=%" PRIu64 " halts=%" PRIu64, name, sum(&d), d.n[KERNEL],
		d.n[USER], now.halts - begin->halts);
	for (i = 0; do_percpu && i < MAX_VCPUS; i++) {
		uint64_t k = now.cpu[i].n[KERNEL] - begin->cpu[i].n[KERNEL];
		uint64_t u = now.cpu[i].n[USER] - begin->cpu[i].n[USER];

		if (k || u)
			fprintf(out, " cpu%d=%" PRIu64 "/%" PRIu64, i, k, u);
	}
	fputc('\n', out);
}

static void pblock_base(gpointer key, gpointer value, gpointer data)
{
	struct pblock *b = value;

	b->base = b->insns;
}

static void pblock_dump(gpointer key, gpointer value, gpointer data)
{
	struct pblock *b = value;

	if (b->insns != b->base)
		fprintf(prof_out, "%" PRIx64 " %" PRIu64 "\n", b->vaddr,
			b->insns - b->base);
}

static void profile_open(const char *name)
{
	if (!prof_out || prof_phase || !strstr(name, prof_match))
		return;
	prof_phase = g_strdup(name);
	g_hash_table_foreach(pblocks, pblock_base, NULL);
}

static void profile_close(const char *name)
{
	if (!prof_phase || strcmp(name, prof_phase))
		return;
	fprintf(prof_out, "phase %s\n", name);
	g_hash_table_foreach(pblocks, pblock_dump, NULL);
	fflush(prof_out);
	g_free(prof_phase);
	prof_phase = NULL;
}

/* A kernel block: its address's counter gets the block's length too. */
static void profile_block(struct qemu_plugin_tb *tb, size_t n)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	struct pblock *b = g_hash_table_lookup(pblocks, &vaddr);

	if (!b) {
		b = g_new0(struct pblock, 1);
		b->vaddr = vaddr;
		g_hash_table_insert(pblocks, &b->vaddr, b);
	}
	qemu_plugin_register_vcpu_tb_exec_inline(
		tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->insns, n);
}

/* The marker block runs: log the counts so far, open or close a phase. */
static void mark(unsigned int vcpu, void *udata)
{
	const struct label *l = udata;
	size_t len = strlen(l->name);
	char name[LABEL_MAX + 1];
	struct snap *s;

	fprintf(out, "mark %" PRIu64 " %s vcpu=%u total=%" PRIu64
		" kernel=%" PRIu64 " user=%" PRIu64 "\n", ++marks, l->name,
		vcpu, sum(&total), total.n[KERNEL], total.n[USER]);
	if (len > 1 && (l->name[len - 1] == '+' || l->name[len - 1] == '-')) {
		memcpy(name, l->name, len - 1);
		name[len - 1] = '\0';
		if (l->name[len - 1] == '+') {
			s = g_new(struct snap, 1);
			take(s);
			g_hash_table_replace(open_phases, g_strdup(name), s);
			profile_open(name);
		} else if ((s = g_hash_table_lookup(open_phases, name))) {
			close_phase(name, s);
			g_hash_table_remove(open_phases, name);
			profile_close(name);
		} else {
			fprintf(out, "unopened %s\n", name);
		}
	}
	fflush(out);
}

static void count_block(unsigned int vcpu, void *udata)
{
	uintptr_t v = (uintptr_t)udata;

	if (vcpu < MAX_VCPUS)
		percpu[vcpu].n[v & 1] += v >> 1;
}

/* nopl disp32(%rax): its displacement in *DISP; false if not one. */
static bool nopl_disp(struct qemu_plugin_insn *insn, uint32_t *disp)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);

	if (qemu_plugin_insn_size(insn) != NOPL_LEN ||
	    b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80)
		return false;
	*disp = b[3] | b[4] << 8 | b[5] << 16 | (uint32_t)b[6] << 24;
	return true;
}

/*
 * The label following the magic at instruction I of TB, or NULL if the
 * block ends before the label does (or the label is too long).
 */
static struct label *decode_label(struct qemu_plugin_tb *tb, size_t i)
{
	size_t n = qemu_plugin_tb_n_insns(tb), len = 0;
	struct label *l = g_new0(struct label, 1);
	uint32_t d;
	int k;

	for (i++; i < n && len + 4 <= LABEL_MAX; i++) {
		if (!nopl_disp(qemu_plugin_tb_get_insn(tb, i), &d))
			break;
		for (k = 0; k < 4; k++) {
			char c = (d >> (8 * k)) & 0xff;

			if (!c)
				return l;
			l->name[len++] = c;
		}
	}
	g_free(l);
	return NULL;
}

static void find_marks(struct qemu_plugin_tb *tb, size_t n)
{
	struct qemu_plugin_insn *insn;
	struct label *l;
	uint32_t d;
	size_t i;

	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		if (!nopl_disp(insn, &d) || d != MARK_MAGIC)
			continue;
		l = decode_label(tb, i);
		if (!l) {
			bad_marks++;
			continue;
		}
		/* Leaked if the block is flushed: a few bytes per marker. */
		qemu_plugin_register_vcpu_insn_exec_cb(insn, mark,
						       QEMU_PLUGIN_CB_NO_REGS, l);
	}
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	int mode = (qemu_plugin_tb_vaddr(tb) >> 63) ? KERNEL : USER;

	blocks++;
	if (count_insn) {
		for (i = 0; i < n; i++)
			qemu_plugin_register_vcpu_insn_exec_inline(
				qemu_plugin_tb_get_insn(tb, i),
				QEMU_PLUGIN_INLINE_ADD_U64, &total.n[mode], 1);
	} else {
		qemu_plugin_register_vcpu_tb_exec_inline(
			tb, QEMU_PLUGIN_INLINE_ADD_U64, &total.n[mode], n);
	}
	if (do_percpu)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, count_block,
						     QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(uintptr_t)(n << 1 | mode));
	/* hlt: how often a vCPU went idle, which the counts depend on. */
	for (i = 0; mode == KERNEL && i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == 1 &&
		    *(const uint8_t *)qemu_plugin_insn_data(insn) == 0xf4)
			qemu_plugin_register_vcpu_insn_exec_inline(
				insn, QEMU_PLUGIN_INLINE_ADD_U64, &halts, 1);
	}
	if (prof_out && mode == KERNEL)
		profile_block(tb, n);
	find_marks(tb, n);
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	fprintf(out, "exit total=%" PRIu64 " kernel=%" PRIu64 " user=%" PRIu64
		" halts=%" PRIu64 " translated_blocks=%" PRIu64 " bad_marks=%" PRIu64
		"\n", sum(&total), total.n[KERNEL], total.n[USER], halts, blocks,
		bad_marks);
	fclose(out);
	if (prof_out)
		fclose(prof_out);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *outfile = NULL;
	int i;

	if (!info->system_emulation || strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "tcg-insn: x86_64 system emulation only\n");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *val = eq ? eq + 1 : "";
		g_autofree char *key = g_strndup(argv[i], eq ? (size_t)(eq - argv[i])
							 : strlen(argv[i]));

		if (!strcmp(key, "outfile")) {
			outfile = val;
		} else if (!strcmp(key, "count") && (!strcmp(val, "tb") || !strcmp(val, "insn"))) {
			count_insn = !strcmp(val, "insn");
		} else if (!strcmp(key, "profile")) {
			prof_out = fopen(val, "w");
			if (!prof_out) {
				fprintf(stderr, "tcg-insn: cannot write %s\n", val);
				return -1;
			}
		} else if (!strcmp(key, "profile_match")) {
			prof_match = g_strdup(val);
		} else if (!strcmp(key, "percpu") &&
			   qemu_plugin_bool_parse(key, val, &do_percpu)) {
			continue;
		} else {
			fprintf(stderr, "tcg-insn: bad argument %s\n", argv[i]);
			return -1;
		}
	}
	out = outfile ? fopen(outfile, "w") : NULL;
	if (!out) {
		fprintf(stderr, "tcg-insn: needs outfile=FILE (a writable file)\n");
		return -1;
	}
	fprintf(out, "tcg-insn count=%s percpu=%s vcpus=%d\n",
		count_insn ? "insn" : "tb", do_percpu ? "on" : "off",
		info->system.smp_vcpus);
	fflush(out);
	open_phases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	pblocks = g_hash_table_new(g_int64_hash, g_int64_equal);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
