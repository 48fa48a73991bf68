#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: block workloads through vireo_blk and the in-kernel virtio_blk
# kernels: 6.12
# groups: bench
# devices: blockdev:driver=null-co,node-name=nullA,size=4294967296
# devices: blockdev:driver=null-co,node-name=nullB,size=4294967296
# devices: virtio-blk-pci,addr=0x6,drive=nullA virtio-blk-pci,addr=0x7,drive=nullB
# timeout: 2400
# boot: virtio
#
# The same block workloads through vireo_blk and through the in-kernel
# virtio_blk in one boot, on two identical null-co backends of 4 GiB
# (nullA, nullB; no data is stored, so the numbers measure the drivers
# and the emulated transport, not a host disk), each on a legacy
# virtio-blk-pci with QEMU's defaults (two queues for two vCPUs).  Both
# functions are bound to the built-in virtio-pci at boot and no
# virtio_blk is loaded yet.  vireo_blk starts on 0000:00:06.0 (moved to
# vireo with vireo-bind), virtio_blk (/lib/vireo/virtio_blk.ko) on
# 0000:00:07.0; halfway through the rounds the two functions swap
# drivers, so that neither driver keeps a difference between the two
# QEMU devices.  The load generator is blkload, a static guest helper.
# Method and results: Documentation/blk-bench.rst.  Not part of the
# normal test run.
#
# Each round runs every workload once, on both disks in one blkload run
# that drives them in turn in 100 ms slices (A B B A ..., the round's
# first driver alternating), so a slow patch of the host under TCG hits
# both drivers alike.  Per round and driver:
#   BENCH blk run WORKLOAD DRIVER rROUND iops=N mbps=N lat_us=N slices=N mean_iops=N
# (iops, mbps, lat_us: the medians over the run's slices, which a few
# slices stalled by the host do not move; mean_iops: over the whole run)
# and the round's paired ratio, the median over back-to-back slice
# pairs of vireo IOPS over in-kernel IOPS:
#   BENCH blk run WORKLOAD pair rROUND vireo/virtio=R pairs=N vireo_at=BDF
# Then per workload, medians over the rounds:
#   BENCH blk WORKLOAD vireo iops=N mbps=N lat_us=N virtio iops=N ...
#   BENCH blk WORKLOAD vireo/virtio = MEDIAN (MIN-MAX, N rounds)
# A diagnostic pass afterwards prints interrupts, kicks and requests per
# I/O (BENCH-DIAG) and where the drivers spend their time (BENCH-PROF).
# Only that the I/O works is checked, never how fast it is.
#
# Kernel command line knobs (VM_APPEND= for the host harness):
# vireo.bench_secs=N (per driver and run, default 5),
# vireo.bench_rounds=N (default 10), vireo.bench_swap=0 (no swap),
# vireo.bench_diag=0 (no diagnostic pass), vireo.bench_aa=1 (A/A
# calibration: both disks on the in-kernel driver, reported under the
# same names as in a real run), vireo.bench_insn_reps=N (repetitions of
# the instruction-count pass; default 0 here, 5 in bench/blk-insn.sh).
#
# With the instruction-counting QEMU plugin attached (run.py --insn,
# which tools/bench passes; the guest sees vireo.insn=1) and
# vireo.bench_insn_reps=N, or in bench/blk-insn.sh, an
# instruction-count pass follows the rounds: each workload runs alone on
# each disk for N and for 2N I/Os, each run a phase of the plugin
# (insnmark LABEL+ / LABEL-, label blk/WORKLOAD/DRIVER/BYTES/OPS/rREP),
# so that the host can take the instructions per I/O as the difference
# over N, without the fixed cost of starting blkload.  The counts
# themselves are the plugin's, in the log's BENCH-INSN lines; a first
# phase, blk/calib, is a loop of a known 2*10^7 user instructions.

V=0000:00:06.0
K=0000:00:07.0
# BLK_INSN_ONLY=1 (bench/blk-insn.sh): the instruction-count pass alone.
BLK_INSN_ONLY=${BLK_INSN_ONLY:-0}
secs=5
rounds=10
diag=1
# The instruction-count pass: bench/blk-insn.sh runs it (5 repetitions),
# blk.sh only when asked (vireo.bench_insn_reps=N): on blk.sh's instant
# disks the counts depend on the host's timing (blk-insn.sh says why).
insn_reps=0
[ "$BLK_INSN_ONLY" = 1 ] && insn_reps=5
insn=0
aa=0
swap=1
for arg in $(cat /proc/cmdline); do
	case $arg in
	vireo.bench_secs=*) secs=${arg#vireo.bench_secs=} ;;
	vireo.bench_rounds=*) rounds=${arg#vireo.bench_rounds=} ;;
	vireo.bench_diag=*) diag=${arg#vireo.bench_diag=} ;;
	vireo.bench_aa=*) aa=${arg#vireo.bench_aa=} ;;
	vireo.bench_swap=*) swap=${arg#vireo.bench_swap=} ;;
	vireo.bench_insn_reps=*) insn_reps=${arg#vireo.bench_insn_reps=} ;;
	vireo.insn=1) insn=1 ;;
	esac
done
# All runs on one vCPU, so both drivers see the same submission CPU.
CPU=0
DAT=/tmp/bench-blk.dat
RATIOS=/tmp/bench-blk.ratios
BLK_MODULES="vireo_ring vireo_core vireo_pci vireo_blk"

# The workloads: name, blkload pattern, block size, queue depth.  The
# 1 MiB sequential read runs at QD4: with 4 MiB in flight the device
# never waits for the guest to reap and resubmit; more would only add
# memory.
WORKLOADS="rr4k-qd1:randread:4K:1 rr4k-qd32:randread:4K:32 rw4k-qd32:randwrite:4K:32 sr1m-qd4:seqread:1M:4"
# The instruction-count pass reads sequentially in 512 KiB requests (8 in
# flight, the same 4 MiB): a 1 MiB buffer is split into two requests or
# not depending on where its pages happen to lie, a new draw with every
# blkload run, which moved the count per MiB by 20 %; 128 pages never split.
INSN_WORKLOADS="rr4k-qd1:randread:4K:1 rr4k-qd32:randread:4K:32 rw4k-qd32:randwrite:4K:32 sr512k-qd8:seqread:512K:8"

# disk_of BDF: the block device (e.g. vda) whose parent is PCI function BDF.
disk_of() {
	for _b in /sys/block/*; do
		case $(readlink -f "$_b") in
		*/"$1"/*) basename "$_b"; return 0 ;;
		esac
	done
	return 1
}

# disk DRIVER, bdf DRIVER: the disk name and the PCI function of a driver.
disk() {
	if [ "$1" = vireo ]; then echo "$DISK_vireo"; else echo "$DISK_virtio"; fi
}
bdf() {
	if [ "$1" = vireo ]; then echo $V; else echo $K; fi
}

# blk_setup: give V to vireo_blk and K to virtio_blk; sets DISK_vireo and
# DISK_virtio.
blk_setup() {
	expect_eq "$V driver at boot" "$(pci_driver $V)" virtio-pci
	expect_eq "$K driver at boot" "$(pci_driver $K)" virtio-pci
	if [ "$aa" = 1 ]; then
		log "A/A calibration: both disks on the in-kernel driver"
	else
		# Before virtio_blk exists, so it never claims V.
		check "vireo-bind --to vireo $V" run_deadline 30 vireo-bind --to vireo $V ||
			return 1
	fi
	check "insmod virtio_blk (in-kernel driver)" \
		run_deadline 60 insmod $VIREO_KO/virtio_blk.ko || return 1
	if [ "$aa" != 1 ]; then
		load_stack $BLK_MODULES || return 1
		expect_eq "$V driver" "$(pci_driver $V)" vireo_pci
	fi
	expect_eq "$K driver" "$(pci_driver $K)" virtio-pci
	find_disks
}

# find_disks: set DISK_vireo and DISK_virtio from V and K; both must be
# there with the same capacity.
find_disks() {
	wait_for 10 disk_of $V
	wait_for 10 disk_of $K
	DISK_vireo=$(disk_of $V) && DISK_virtio=$(disk_of $K) || {
		fail "no block device on $V or $K"
		ls /sys/block | diag_lines "block: "
		return 1
	}
	log "vireo disk: $DISK_vireo ($V), in-kernel disk: $DISK_virtio ($K)"
	wait_for 5 test -b /dev/$DISK_vireo
	wait_for 5 test -b /dev/$DISK_virtio
	check "/dev/$DISK_vireo exists" test -b /dev/$DISK_vireo || return 1
	check "/dev/$DISK_virtio exists" test -b /dev/$DISK_virtio || return 1
	expect_eq "same capacity (512-byte sectors)" \
		"$(cat /sys/block/$DISK_vireo/size)" "$(cat /sys/block/$DISK_virtio/size)"
}

# swap_functions: give V to the in-kernel driver and K to vireo, so that
# the second half of the rounds runs each driver on the other PCI
# function (and QEMU device) than the first.
swap_functions() {
	check "vireo-bind --to virtio $V" run_deadline 30 vireo-bind --to virtio $V ||
		return 1
	check "vireo-bind --to vireo $K" run_deadline 30 vireo-bind --to vireo $K ||
		return 1
	_t=$V
	V=$K
	K=$_t
	wait_for 10 pci_driver_is $V vireo_pci
	wait_for 10 pci_driver_is $K virtio-pci
	expect_eq "$V driver after the swap" "$(pci_driver $V)" vireo_pci
	expect_eq "$K driver after the swap" "$(pci_driver $K)" virtio-pci
	find_disks
}

# queue_settings: log each disk's block-layer settings, marking those
# that differ between the two (scheduler, tag depth, segment limits...).
queue_settings() {
	for _f in /sys/block/$DISK_virtio/queue/*; do
		[ -f "$_f" ] || continue
		_n=${_f##*/}
		_a=$(cat /sys/block/$DISK_vireo/queue/$_n 2>/dev/null | tr '\n' ' ')
		_b=$(cat "$_f" 2>/dev/null | tr '\n' ' ')
		[ "$_a" = "$_b" ] && _m= || _m=" DIFFERS"
		echo "BENCH-DIAG queue $_n vireo=[${_a% }] virtio=[${_b% }]$_m"
	done
	for _d in vireo virtio; do
		_disk=$(disk $_d)
		_t=$(cat /sys/block/"$_disk"/mq/*/nr_tags 2>/dev/null | tr '\n' ' ')
		_h=$(ls -d /sys/block/"$_disk"/mq/* 2>/dev/null | wc -l)
		echo "BENCH-DIAG mq $_d hw_queues=$_h nr_tags=[${_t% }]"
	done
}

# field LINE KEY: the value of KEY=value in a blkload result line.
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# blkrun WORKLOAD SEED LABEL DRIVER... -- [blkload options]: one blkload
# run over the DRIVERs' disks (several: taking turns in 100 ms slices);
# sets RUN to its result lines, one per disk.
blkrun() {
	_p=$(echo "$1" | cut -d: -f2)
	_bs=$(echo "$1" | cut -d: -f3)
	_qd=$(echo "$1" | cut -d: -f4)
	_seed=$2
	_lbl=$3
	shift 3
	_labels=
	_disks=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_labels=${_labels:+$_labels,}$1
		_disks="$_disks /dev/$(disk "$1")"
		shift
	done
	shift
	_w=
	case $_p in *write) _w=-W ;; esac
	# shellcheck disable=SC2086 # _disks, _w: lists of words
	RUN=$(run_deadline $((secs * 2 + 60)) blkload -p "$_p" -b "$_bs" -q "$_qd" \
		-s "$_seed" -c $CPU -l "$_labels" $_w "$@" $_disks 2>/tmp/blkload.err)
	_rc=$?
	if [ $_rc -ne 0 ] || [ -z "$RUN" ]; then
		fail "blkload $_lbl on$_disks (status $_rc)"
		diag_lines </tmp/blkload.err
		return 1
	fi
}

# result DRIVER: DRIVER's line of the last blkrun.
result() {
	echo "$RUN" | grep " label=$1 "
}

# round R: every workload on both disks, taking turns in slices; odd
# rounds start with vireo, even ones with the in-kernel driver.  Each
# run gets a new seed; both disks see the same offsets.
round() {
	if [ $(($1 % 2)) -eq 1 ]; then _order="vireo virtio"; else _order="virtio vireo"; fi
	_i=0
	for _wl in $WORKLOADS; do
		_i=$((_i + 1))
		_name=${_wl%%:*}
		# shellcheck disable=SC2086 # _order: two words
		blkrun "$_wl" $(($1 * 100 + _i)) "$_name/r$1" $_order -- -t $((secs * 2)) ||
			continue
		for _d in vireo virtio; do
			_r=$(result $_d)
			_iops=$(field "$_r" iops_med)
			_mbps=$(field "$_r" mbps_med)
			_lat=$(field "$_r" lat_med_us)
			echo "BENCH blk run $_name $_d r$1 iops=$_iops mbps=$_mbps lat_us=$_lat" \
				"slices=$(field "$_r" slices) mean_iops=$(field "$_r" iops)"
			echo "$_name $_d $1 $_iops $_mbps $_lat" >>$DAT
		done
		_pair=$(echo "$RUN" | grep '^BLKLOAD-PAIR ')
		_q=$(field "$_pair" ratio_med)
		[ "$(field "$_pair" a)" = vireo ] ||
			_q=$(awk -v q="$_q" 'BEGIN { printf "%.4f", (q > 0 ? 1 / q : 0) }')
		echo "BENCH blk run $_name pair r$1 vireo/virtio=$_q pairs=$(field "$_pair" pairs) vireo_at=$V"
		echo "$_name $1 $_q" >>$RATIOS
	done
}

# summary: per workload, the medians over the rounds of each driver's
# IOPS, MB/s and latency, and of the round's paired ratio vireo/in-kernel
# (the median over back-to-back slice pairs of the IOPS ratio), with the
# rounds' lowest and highest ratio.
summary() {
	for _wl in $WORKLOADS; do
		_name=${_wl%%:*}
		awk -v wl="$_name" -v ratios=$RATIOS '
		function median(a, n,    i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == wl {
			d = $2
			n[d]++; iops[d, n[d]] = $4; mbps[d, n[d]] = $5; lat[d, n[d]] = $6
		}
		END {
			line = "BENCH blk " wl
			for (k = 1; k <= 2; k++) {
				d = k == 1 ? "vireo" : "virtio"
				if (!n[d]) { line = line " " d " none"; continue }
				for (i = 1; i <= n[d]; i++) a[i] = iops[d, i]
				mi = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = mbps[d, i]
				mm = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = lat[d, i]
				ml = median(a, n[d])
				line = line sprintf(" %s iops=%.1f mbps=%.2f lat_us=%.1f", d, mi, mm, ml)
			}
			print line
			m = 0
			while ((getline l < ratios) > 0) {
				split(l, f, " ")
				if (f[1] == wl && f[3] > 0) q[++m] = f[3]
			}
			if (!m) { print "BENCH blk " wl " vireo/virtio = none"; exit }
			lo = q[1]; hi = q[1]
			for (i = 1; i <= m; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
			printf "BENCH blk %s vireo/virtio = %.3f (%.3f-%.3f, %d rounds)\n", wl, median(q, m), lo, hi, m
		}' $DAT
	done
}

# ---- instruction counts (the QEMU plugin, tools/tcg-insn) -----------------

# bytes SIZE: SIZE (4K, 1M, ...) in bytes.
bytes() {
	case $1 in
	*K) echo $((${1%K} * 1024)) ;;
	*M) echo $((${1%M} * 1048576)) ;;
	*) echo "$1" ;;
	esac
}

# insn_run WORKLOAD DRIVER OPS REP: one blkload run of OPS I/Os on
# DRIVER's disk alone, as one phase of the plugin.  blkload runs in the
# foreground, without run_deadline's polling (its -t bounds it), so that
# nothing but the run and the shell's fork and exec is counted.
insn_run() {
	_p=$(echo "$1" | cut -d: -f2)
	_bs=$(echo "$1" | cut -d: -f3)
	_qd=$(echo "$1" | cut -d: -f4)
	_w=
	case $_p in *write) _w=-W ;; esac
	_lbl=blk/${1%%:*}/$2/$(bytes "$_bs")/$3/r$4
	_dev=/dev/$(disk "$2")
	insnmark "$_lbl+"
	blkload -p "$_p" -b "$_bs" -q "$_qd" -s "$4" -c $CPU -l "$2" $_w \
		-t 120 -n "$3" "$_dev" >/tmp/insn.out 2>/tmp/blkload.err
	_rc=$?
	insnmark "$_lbl-"
	if [ $_rc -ne 0 ] || [ "$(field "$(cat /tmp/insn.out)" ops)" != "$3" ]; then
		fail "blkload $_lbl (status $_rc)"
		diag_lines </tmp/blkload.err
		return 1
	fi
}

# insn_pass: every workload on each disk alone for N and 2N I/Os, REPS
# times, the drivers taking turns; the host pairs the phases up.
insn_pass() {
	# No transparent huge pages meanwhile (Debian's default is always),
	# so that no compaction or khugepaged work on blkload's buffers
	# falls into a phase.
	_thp=/sys/kernel/mm/transparent_hugepage/enabled
	_thp_was=$(sed -n 's/.*\[\(.*\)\].*/\1/p' $_thp 2>/dev/null)
	[ -n "$_thp_was" ] && echo never >$_thp
	insnmark -L 10000000 blk/calib
	_bad=0
	for _wl in $INSN_WORKLOADS; do
		case $_wl in *:512K:*) _n=1000 ;; *:1) _n=2000 ;; *) _n=10000 ;; esac
		_r=1
		while [ $_r -le "$insn_reps" ]; do
			if [ $((_r % 2)) -eq 1 ]; then _o="vireo virtio"; else _o="virtio vireo"; fi
			for _d in $_o; do
				insn_run "$_wl" $_d $_n $_r || _bad=1
				insn_run "$_wl" $_d $((_n * 2)) $_r || _bad=1
			done
			_r=$((_r + 1))
		done
	done
	[ -n "$_thp_was" ] && echo "$_thp_was" >$_thp
	[ $_bad = 0 ] && ok "instruction-count runs completed"
}

# ---- diagnostics: where the time goes -------------------------------------

# irqs_of BDF: sum of the interrupts counted for BDF's MSI(-X)/INTx lines.
irqs_of() {
	_l=$(ls /sys/bus/pci/devices/$1/msi_irqs 2>/dev/null)
	[ -n "$_l" ] || _l=$(cat /sys/bus/pci/devices/$1/irq)
	_s=0
	for _q in $_l; do
		_c=$(awk -v q="$_q:" '$1 == q { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts)
		_s=$((_s + ${_c:-0}))
	done
	echo $_s
}

# irq_layout BDF: each of BDF's interrupt lines: per-CPU counts, name,
# effective affinity.
irq_layout() {
	for _f in /sys/bus/pci/devices/$1/msi_irqs/*; do
		[ -e "$_f" ] || continue
		_q=${_f##*/}
		_a=$(cat /proc/irq/$_q/effective_affinity_list 2>/dev/null)
		grep "^ *$_q:" /proc/interrupts | tr -s ' ' |
			sed "s/^/BENCH-DIAG irq $1 /; s/\$/ effective_cpu=$_a/"
	done
}

# disk_stat DISK: "requests sectors" completed (reads + writes).
disk_stat() {
	awk '{ print $1 + $5, $3 + $7 }' /sys/block/$1/stat
}

TRACE=/sys/kernel/tracing
# kprobes_setup: count transport kicks and virtqueue interrupt callbacks
# of both stacks (kprobe_profile keeps per-probe hit counts).
kprobes_setup() {
	[ -d $TRACE/events ] || mount -t tracefs nodev $TRACE 2>/dev/null
	[ -w $TRACE/kprobe_events ] || { log "no tracefs: kick counts unavailable"; return 1; }
	for _p in kick_virtio:vp_notify irq_virtio:vring_interrupt \
		kick_vireo:vireo_pci_notify irq_vireo:vireo_vring_interrupt; do
		echo "p:vbench/${_p%%:*} ${_p#*:}" >>$TRACE/kprobe_events 2>/dev/null ||
			log "kprobe on ${_p#*:} not available"
	done
	echo 1 >$TRACE/events/vbench/enable 2>/dev/null
}

kprobes_teardown() {
	echo 0 >$TRACE/events/vbench/enable 2>/dev/null
	echo >$TRACE/kprobe_events 2>/dev/null
}

# kprobe_hits NAME: hit count of probe vbench/NAME (0 if absent).
kprobe_hits() {
	awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' \
		$TRACE/kprobe_profile 2>/dev/null || echo 0
}

# counters DRIVER: "irqs kicks callbacks requests sectors" so far for
# DRIVER's disk and stack (kicks and callbacks 0 in an A/A run, where the
# two disks share one stack).
counters() {
	if [ "$aa" = 1 ]; then
		_k=0
		_c=0
	else
		_k=$(kprobe_hits "kick_$1")
		_c=$(kprobe_hits "irq_$1")
	fi
	echo "$(irqs_of "$(bdf "$1")") $_k $_c $(disk_stat "$(disk "$1")")"
}

# diag_pair WORKLOAD OPS: OPS I/Os on each disk, in slices as in the
# measured rounds (and so on shared buffers), with per-disk counters
# around the run.
diag_pair() {
	_name=${1%%:*}
	_a0=$(counters vireo)
	_b0=$(counters virtio)
	_al0=$(ring_allocs)
	blkrun "$1" 7 "diag/$_name" vireo virtio -- -t 0 -n "$2" || return 1
	_al1=$(ring_allocs)
	_a1=$(counters vireo)
	_b1=$(counters virtio)
	for _d in vireo virtio; do
		if [ $_d = vireo ]; then _c="$_a0 $_a1"; else _c="$_b0 $_b1"; fi
		_r=$(result $_d)
		_per=$(echo "$(field "$_r" ops) $_c" | awk '{
			ops = $1 > 0 ? $1 : 1
			rq = $10 - $5
			printf "irq/op=%.3f kick/op=%.3f vqcb/op=%.3f req/op=%.3f kib/req=%.1f",
				($7 - $2) / ops, ($8 - $3) / ops, ($9 - $4) / ops, rq / ops,
				rq ? ($11 - $6) / 2 / rq : 0
		}')
		echo "BENCH-DIAG $_name $_d $(echo "$_r" | cut -d' ' -f7-11) $_per"
	done
	# vireo_ring's indirect tables allocated per request (the target is
	# 0: vireo_blk declares its longest request, see ring.rst).
	echo "$_a0 $_a1 $_al0 $_al1" | awk -v n="$_name" '{
		rq = $9 - $4
		printf "BENCH-DIAG %s vireo ring_allocs=%d allocs/req=%.4f\n",
			n, $12 - $11, rq ? ($12 - $11) / rq : 0
	}'
}

# ring_allocs: vireo_ring's count of indirect tables allocated per buffer.
ring_allocs() {
	[ -d /sys/kernel/debug/vireo_ring ] ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	cat /sys/kernel/debug/vireo_ring/indirect_allocs 2>/dev/null || echo 0
}

# Functions whose time the profile pass measures: each stack's
# submission path, ring, notification (a synchronous exit to QEMU under
# TCG, so it holds the device emulation) and completion, and the block
# layer functions both call, which are counted for the stack whose
# function they were called from.
PROF_FUNCS="vireo_blk_queue_rq vireo_blk_commit_rqs vireo_vq_add_buf
vireo_vq_kick_prepare vireo_pci_notify vireo_vring_interrupt vireo_blk_done
vireo_vq_get_buf vireo_vq_restart vireo_blk_complete_rq
virtio_queue_rq virtio_queue_rqs virtio_commit_rqs virtqueue_add_sgs
virtqueue_kick_prepare vp_notify vring_interrupt virtblk_done
virtqueue_get_buf virtqueue_enable_cb virtblk_request_done
blk_mq_start_request blk_mq_complete_request blk_mq_end_request
__blk_rq_map_sg blk_rq_map_sg"

# prof_setup: the function_graph tracer, limited to PROF_FUNCS.
prof_setup() {
	[ "$aa" != 1 ] && [ -w $TRACE/set_ftrace_filter ] || return 1
	echo 0 >$TRACE/tracing_on
	echo nop >$TRACE/current_tracer
	: >$TRACE/set_ftrace_filter
	for _f in $PROF_FUNCS; do
		echo "$_f" >>$TRACE/set_ftrace_filter 2>/dev/null
	done
	# An empty filter would trace every function in the kernel.
	if ! grep -q . $TRACE/set_ftrace_filter; then
		log "no profile: none of the functions can be traced"
		return 1
	fi
	echo 1 >$TRACE/options/funcgraph-tail
	echo 16384 >$TRACE/buffer_size_kb
	echo function_graph >$TRACE/current_tracer
}

prof_teardown() {
	[ -w $TRACE/set_ftrace_filter ] || return 0
	echo 0 >$TRACE/tracing_on
	echo nop >$TRACE/current_tracer
	: >$TRACE/set_ftrace_filter
	echo 1408 >$TRACE/buffer_size_kb
}

# prof_pair WORKLOAD OPS: one traced run of OPS I/Os per disk (in
# slices, as diag_pair); prints per driver and function the calls per
# I/O and the mean time per call (us, including traced callees), the
# costliest first.
prof_pair() {
	_name=${1%%:*}
	: >$TRACE/trace
	echo 1 >$TRACE/tracing_on
	blkrun "$1" 7 "prof/$_name" vireo virtio -- -t 0 -n "$2"
	_rc=$?
	echo 0 >$TRACE/tracing_on
	[ $_rc -eq 0 ] || return 1
	_lost=$(awk '/^overrun:/ { s += $2 } END { print s + 0 }' $TRACE/per_cpu/cpu*/stats)
	awk -F'|' -v a="$(field "$(result vireo)" ops)" -v b="$(field "$(result virtio)" ops)" '
	function owner(f, cpu,    i) {
		if (f ~ /^vireo_/)
			return "vireo"
		if (f ~ /^(virtio_|virtqueue_|vp_|vring_|virtblk_)/)
			return "virtio"
		for (i = sp[cpu]; i > 0; i--) {
			if (st[cpu, i] ~ /^vireo_/)
				return "vireo"
			if (st[cpu, i] ~ /^(virtio_|virtqueue_|vp_|vring_|virtblk_)/)
				return "virtio"
		}
		return ""
	}
	NF >= 2 {
		if (!match($1, /[0-9]+\)/))
			next
		cpu = substr($1, RSTART, RLENGTH - 1) + 0
		r = $2
		sub(/ \[[^]]*\]/, "", r)
		if (r ~ /\) \{[ \t]*$/) {
			name = r; sub(/^[ \t]*/, "", name); sub(/\(.*/, "", name)
			st[cpu, ++sp[cpu]] = name
			next
		}
		if (!match($1, /[0-9]+\.[0-9]+ us/))
			next
		d = substr($1, RSTART, RLENGTH - 3) + 0
		if (r ~ /\(\);/) {
			name = r; sub(/^[ \t]*/, "", name); sub(/\(.*/, "", name)
		} else if (r ~ /^[ \t]*}/ && match(r, /\/\* .* \*\//)) {
			name = substr(r, RSTART + 3, RLENGTH - 6)
			if (sp[cpu] > 0)
				sp[cpu]--
		} else
			next
		o = owner(name, cpu)
		if (o == "")
			next
		n[o, name]++; t[o, name] += d
	}
	END {
		for (k in n) {
			split(k, kk, SUBSEP)
			d = kk[1]; f = kk[2]
			ops = d == "vireo" ? a : b
			if (ops <= 0) ops = 1
			printf "%s %.1f %s %s calls/op=%.3f mean_us=%.2f us/op=%.1f\n",
				d, t[k] / ops, d, f, n[k] / ops, t[k] / n[k], t[k] / ops
		}
	}' $TRACE/trace | sort -k1,1 -k2,2rn | cut -d' ' -f3- |
		sed "s/^/BENCH-PROF $_name /"
	echo "BENCH-PROF $_name ops=$(field "$(result vireo)" ops),$(field "$(result virtio)" ops) lost_events=$_lost"
}

diagnostics() {
	queue_settings
	for _d in vireo virtio; do
		irq_layout "$(bdf $_d)"
	done
	if [ "$aa" != 1 ]; then
		_v=$(vireo_dev_of $V)
		log "vireo device features: $(cat "/sys/bus/vireo/devices/$_v/features")"
	fi
	for _f in /sys/bus/pci/devices/$K/virtio*/features; do
		[ -f "$_f" ] && log "virtio device features: $(cat "$_f")"
	done
	[ "$aa" = 1 ] || kprobes_setup
	for _wl in $WORKLOADS; do
		case $_wl in *:1M:*) _n=300 ;; *:1) _n=3000 ;; *) _n=10000 ;; esac
		diag_pair "$_wl" $_n
	done
	kprobes_teardown
	if prof_setup; then
		for _wl in $WORKLOADS; do
			case $_wl in *:1M:*) _n=200 ;; *:1) _n=2000 ;; *) _n=5000 ;; esac
			prof_pair "$_wl" $_n
		done
	fi
	prof_teardown
	for _d in vireo virtio; do
		irq_layout "$(bdf $_d)"
	done
}

# ---- the benchmark ---------------------------------------------------------

blk_setup || return 1
check "blkload present" test -x /bin/blkload || return 1
if [ "$BLK_INSN_ONLY" = 1 ]; then
	for _wl in $WORKLOADS; do
		blkrun "$_wl" 999 "warm-up ${_wl%%:*}" vireo virtio -- -t 0 -n 200 || return 1
	done
	if [ "$insn" = 1 ] && [ "$insn_reps" -gt 0 ]; then
		insn_text_map
		check "insnmark present" test -x /bin/insnmark && insn_pass
	else
		skip "instruction counts" "no plugin (vireo.insn=1 missing)"
	fi
	unload_stack $BLK_MODULES
	return 0
fi
queue_settings | grep DIFFERS | sed 's/^BENCH-DIAG /  # /'
log "runs of ${secs}s, $rounds rounds, workloads: $WORKLOADS"
rm -f $DAT $RATIOS
# Warm-up: touch each path once so first-use costs (page tables, slab
# caches, the AIO ring) are not charged to the first measured run.
for _wl in $WORKLOADS; do
	blkrun "$_wl" 999 "warm-up ${_wl%%:*}" vireo virtio -- -t 2 || return 1
done
ok "warm-up runs completed"
r=1
while [ $r -le "$rounds" ]; do
	if [ "$swap" = 1 ] && [ "$aa" != 1 ] && [ $r -eq $((rounds / 2 + 1)) ]; then
		swap_functions || return 1
	fi
	round $r
	r=$((r + 1))
done
expect_eq "measured runs" "$(wc -l <$DAT)" $((rounds * 8))
summary
if [ "$insn" = 1 ] && [ "$insn_reps" -gt 0 ]; then
	check "insnmark present" test -x /bin/insnmark && insn_pass
fi
[ "$diag" = 0 ] || diagnostics
[ "$aa" = 1 ] || unload_stack $BLK_MODULES
