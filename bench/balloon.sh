#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: balloon inflate and deflate rate: vireo_balloon against the in-kernel virtio_balloon, one device handed back and forth
# kernels: all
# groups: bench
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 512
# timeout: 1800
# boot: virtio
#
# QEMU allows one balloon per VM, so the two drivers take turns on the
# same device (00:04.0): the in-kernel virtio-pci and virtio_balloon
# (6.1: both modules, loaded first, so that the device starts on them;
# 6.12: virtio-pci built in), and vireo_pci with vireo_balloon, the
# device moved between them with vireo-bind.  Each round inflates the
# balloon by MIB MiB (QMP balloon, ram - MIB) and deflates it again, on
# both drivers, the first driver alternating between rounds; round 0 is
# a 32 MiB warm-up of each and is not counted.  The guest's own count of
# balloon pages (/proc/vmstat balloon_inflate - balloon_deflate) is
# polled every 20 ms (200 ms with the plugin) with shell builtins and
# usleep.  A run's rate is the pages moved from the first poll that saw
# the balloon move until the target, over that time, which leaves out
# the QMP relay's latency (up to 0.2 s from the guest's request to
# QEMU); a run too fast for the poll (under half of it seen moving) is
# timed from the request.  The host's query-balloon is checked after the
# clock stops.  Per run:
#   BENCH balloon run OP DRIVER rROUND secs=S mib=M rate=R unit=MiB/s
#         request_secs=T cpu_us/MiB=C
# (M MiB timed over S s; T from the request to the end; guest CPU time
# of both vCPUs over the whole run, from /proc/stat, USER_HZ resolution),
# then per operation (inflate, deflate) the medians over the rounds and
# the median (min-max) of the rounds' vireo/virtio rate ratios:
#   BENCH balloon OP vireo rate=R cpu_us/MiB=C virtio rate=R cpu_us/MiB=C
#   BENCH balloon OP vireo/virtio = MEDIAN (MIN-MAX, N rounds)
# With the instruction-counting plugin (vireo.insn=1, tools/bench) every
# counted run is also a plugin phase, balloon/OP/DRIVER/1048576/MIB/rROUND,
# for instructions per MiB (the polling loop's few instructions
# included).  Without vireo_balloon.ko in the image the in-kernel driver
# runs alone (its numbers, no ratio).  Only that the balloon moves is
# checked, never how fast.
#
# Knobs (VM_APPEND=): vireo.bench_rounds=N (default 5),
# vireo.bench_balloon_mib=N (default 256; the guest has 512 MiB).

rounds=5
mib=256
insn=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	vireo.bench_rounds=*) rounds=${arg#vireo.bench_rounds=} ;;
	vireo.bench_balloon_mib=*) mib=${arg#vireo.bench_balloon_mib=} ;;
	vireo.insn=1) insn=1 ;;
	esac
done
DAT=/tmp/bench-balloon.dat
DRIVERS=virtio
virtio_drv=virtio_balloon
vireo_drv=vireo_balloon
virtio_to=virtio
vireo_to=vireo

# get DRIVER KEY: the per-driver variable DRIVER_KEY.
get() { eval "echo \$${1}_$2"; }

# bp: BP, the pages in the balloon by the guest's count, and UP, the
# uptime in hundredths of a second; shell builtins only (no fork), so
# that polling adds few instructions to a phase.
bp() {
	bal_bp
	BP=$BAL_PAGES
	read -r _up _rest </proc/uptime
	_s=${_up%.*} _f=${_up#*.}
	UP=$((_s * 100 + ${_f#0}))
}

# busy: CPU time used so far, both vCPUs, in USER_HZ ticks (builtins).
busy() {
	read -r _c _u _n _sy _i _io _irq _sirq _rest </proc/stat
	BUSY=$((_u + _n + _sy + _irq + _sirq))
}

# to DRIVER: the device on DRIVER (vireo-bind), bound within 15 s.
to() {
	balloon_bound "$(get "$1" drv)" && return 0
	check "vireo-bind --to $(get "$1" to) $BAL_BDF" \
		run_deadline 30 vireo-bind --to "$(get "$1" to)" "$BAL_BDF" || return 1
	check "$BAL_BDF on $(get "$1" drv)" wait_for 15 balloon_bound "$(get "$1" drv)"
}

# run OP DRIVER ROUND SIZE: one timed inflate (by SIZE MiB) or deflate
# (back to 0) on DRIVER; appends "op driver round secs rate cpu" to DAT
# for rounds above 0.
run() {
	_op=$1 _d=$2 _r=$3 _sz=$4
	if [ "$_op" = inflate ]; then
		_goal=$((_sz * 256)) _mb=$((BAL_RAM - _sz))
	else
		_goal=0 _mb=$BAL_RAM
	fi
	_lbl=
	[ "$insn" = 1 ] && [ "$_r" != 0 ] && _lbl=balloon/$_op/$_d/1048576/$_sz/r$_r
	busy
	_c0=$BUSY
	bp
	_t0=$UP
	[ -n "$_lbl" ] && insnmark "$_lbl+"
	echo "VIREO-QMP: {\"execute\": \"balloon\", \"arguments\": {\"value\": $((_mb * MIB))}}"
	_n=0
	bp
	_p0=$BP _ts='' _ps=''
	while [ "$BP" -ne "$_goal" ] && [ $_n -lt $((300000000 / poll)) ]; do
		usleep $poll
		bp
		# The clock starts with the first pages moved: the relay's
		# latency until then is the same for both drivers, and noise.
		[ -z "$_ts" ] && [ "$BP" -ne "$_p0" ] && _ts=$UP _ps=$BP
		_n=$((_n + 1))
	done
	[ -n "$_lbl" ] && insnmark "$_lbl-"
	_t1=$UP
	busy
	_c1=$BUSY
	# The command's reply, which the back channel holds for us.
	bal_reply
	if [ "$BP" -ne "$_goal" ]; then
		fail "$_op by $_sz MiB on $_d r$_r: $BP pages in the balloon after 300 s, want $_goal"
		return 1
	fi
	if ! balloon_wait "$_mb" 10; then
		fail "$_op on $_d r$_r: query-balloon actual $((${BAL_ACT:-0} / MIB)) MiB, want $_mb"
		return 1
	fi
	[ "$_r" = 0 ] && return 0
	# Timed: from the first moved pages to the last, over the pages moved
	# in between (all of them but the first poll's).
	[ -z "$_ts" ] && _ts=$_t0 _ps=$_p0
	_moved=$((_ps - BP))
	[ $_moved -lt 0 ] && _moved=$((-_moved))
	# Too fast for the poll (less than half of it seen moving): the
	# whole request's time and size instead.
	if [ $((_moved * 2)) -lt $((_sz * 256)) ]; then
		_ts=$_t0 _moved=$((_sz * 256))
	fi
	awk -v op="$_op" -v d="$_d" -v r="$_r" -v sz="$_sz" -v cs=$((_t1 - _ts)) \
		-v mv="$_moved" -v all=$((_t1 - _t0)) -v cpu=$((_c1 - _c0)) -v dat=$DAT 'BEGIN {
		s = cs / 100; if (s <= 0) s = 0.01
		m = mv / 256; if (m <= 0) m = sz
		printf "BENCH balloon run %s %s r%s secs=%.2f mib=%.1f rate=%.1f unit=MiB/s request_secs=%.2f cpu_us/MiB=%.0f\n",
			op, d, r, s, m, m / s, all / 100, cpu * 10000 / sz
		printf "%s %s %s %.2f %.3f %.1f\n", op, d, r, s, m / s, cpu * 10000 / sz >> dat
	}'
}

# round R SIZE: inflate and deflate on every driver, the first alternating.
round() {
	_order=$DRIVERS
	if [ $(($1 % 2)) -eq 0 ]; then
		_order=
		for _d in $DRIVERS; do _order="$_d${_order:+ $_order}"; done
	fi
	for _d in $_order; do
		to "$_d" || return 1
		run inflate "$_d" "$1" "$2" || return 1
		run deflate "$_d" "$1" "$2" || return 1
	done
}

# summary: per operation and driver the medians over the rounds, and
# the median (min-max) of the rounds' vireo/virtio rate ratios.
summary() {
	for _op in inflate deflate; do
		awk -v op="$_op" '
		function median(a, n,    i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == op {
			n[$2]++; rate[$2, n[$2]] = $5; cpu[$2, n[$2]] = $6
			byr[$2, $3] = $5; rounds[$3] = 1
		}
		END {
			line = "BENCH balloon " op
			for (k = 1; k <= 2; k++) {
				d = k == 1 ? "vireo" : "virtio"
				if (!n[d]) { line = line " " d " none"; continue }
				for (i = 1; i <= n[d]; i++) a[i] = rate[d, i]
				mr = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = cpu[d, i]
				mc = median(a, n[d])
				line = line sprintf(" %s rate=%.1f cpu_us/MiB=%.0f", d, mr, mc)
			}
			print line
			m = 0
			for (r in rounds)
				if (byr["vireo", r] > 0 && byr["virtio", r] > 0)
					q[++m] = byr["vireo", r] / byr["virtio", r]
			if (!m) { print "BENCH balloon " op " vireo/virtio = none"; exit }
			lo = q[1]; hi = q[1]
			for (i = 1; i <= m; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
			printf "BENCH balloon %s vireo/virtio = %.3f (%.3f-%.3f, %d rounds)\n", op, median(q, m), lo, hi, m
		}' $DAT
	done
}

# ---- the benchmark ---------------------------------------------------------

[ "$insn" = 1 ] && { check "insnmark present" test -x /bin/insnmark || insn=0; }
# Each poll forks usleep: with the plugin counting, poll 10 times less
# often, so that the polling adds few instructions to a phase.
poll=20000
[ "$insn" = 1 ] && poll=200000
qmp_back_open
BAL_RAM=$(balloon_query)
BAL_RAM=$((${BAL_RAM:-0} / MIB))
check "query-balloon answers (${BAL_RAM} MiB)" test "$BAL_RAM" -gt "$mib" || return 1
# The in-kernel pair first, so that on 6.1 virtio_pci takes the device
# before vireo_pci is loaded.
balloon_kmod_load || return 1
check "$BAL_BDF on virtio_balloon" wait_for 15 balloon_bound virtio_balloon || return 1
if [ -f "$VIREO_KO/vireo_balloon.ko" ]; then
	# shellcheck disable=SC2086 # module names: split on purpose
	load_stack $BALLOON_MODULES || return 1
	DRIVERS="virtio vireo"
else
	log "no vireo_balloon.ko in the image: the in-kernel driver alone"
fi
[ "$insn" = 1 ] && insn_text_map
log "rounds: $rounds of $mib MiB; drivers: $DRIVERS"
rm -f $DAT
for d in $DRIVERS; do
	round_ok=1
	to "$d" && run inflate "$d" 0 32 && run deflate "$d" 0 32 || round_ok=0
	[ $round_ok = 1 ] || return 1
done
r=1
while [ $r -le "$rounds" ]; do
	round $r "$mib" || break
	r=$((r + 1))
done
expect_eq "measured runs" "$(wc -l <$DAT 2>/dev/null || echo 0)" $((rounds * 2 * $(echo "$DRIVERS" | wc -w)))
summary
# Leave the device where the boot found it.
to virtio
