#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: console port throughput both ways through vireo_console and the in-kernel virtio_console
# kernels: all
# groups: bench
# boot: virtio
# devices: chardev:socket:k1 chardev:socket:v1
# devices: virtio-serial-pci,addr=0x4,id=ser0,max_ports=2
# devices: virtserialport,bus=ser0.0,chardev=k1,id=kp1,nr=1,name=org.vireo.bench.virtio
# devices: virtio-serial-pci,addr=0x5,id=ser1,max_ports=2
# devices: virtserialport,bus=ser1.0,chardev=v1,id=vp1,nr=1,name=org.vireo.bench.vireo
# timeout: 1800
#
# Two virtio-serial-pci devices in one boot, each with one port whose
# host end is a socket the runner holds (tools/vm/chrhost.py): 00:04.0
# on the in-kernel virtio_console ("virtio"), 00:05.0 on vireo_console
# ("vireo"), set up as in tests/console/console-coexist.sh (vireo-bind
# first; on 6.1 then the virtio_pci and virtio_console modules).  Without
# vireo_console.ko in the image only the in-kernel port runs (its
# numbers alone, no ratio).
#
# Workloads:
#   g2h   guest to host: vconio -z write of the port, the runner reading;
#         the rate is the runner's, from its first byte to its last
#   h2g   host to guest: the runner sends, vconio -z -F read; the rate
#         is the guest's, from its first byte to its last
# Zeros, unchecked (-z), so that the pattern costs neither side anything;
# the byte count must still come out exact.  Writes and reads of
# vireo.bench_con_buf bytes (default 32768, the most the in-kernel
# driver takes per write).  Each round runs both workloads on both
# ports, the first driver alternating between rounds.  Per run:
#   BENCH console run WORKLOAD DRIVER rROUND rate=R unit=MiB/s irq/MiB=I cpu_us/MiB=C
# (interrupts of the driver's PCI function; guest CPU time from
# /proc/stat, both vCPUs, USER_HZ resolution), then per workload the
# medians over the rounds and the median (min-max) of the rounds'
# vireo/virtio rate ratios:
#   BENCH console WORKLOAD vireo rate=R irq/unit=I cpu_us/unit=C virtio ...
#   BENCH console WORKLOAD vireo/virtio = MEDIAN (MIN-MAX, N rounds)
# With the instruction-counting plugin (vireo.insn=1, tools/bench) every
# run is also a plugin phase, console/WORKLOAD/DRIVER/1048576/MIB/rROUND,
# whose counts tools/bench turns into instructions per MiB.  Only that
# the data arrives whole is checked, never how fast.
#
# Knobs (VM_APPEND=): vireo.bench_rounds=N (default 5),
# vireo.bench_con_mib=N (MiB per run, default 128: under TCG a run of 16
# MiB lasts a tenth of a second, too short to time on a shared host),
# vireo.bench_con_buf=BYTES (default 32768).

rounds=5
mib=128
cbuf=32768
insn=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	vireo.bench_rounds=*) rounds=${arg#vireo.bench_rounds=} ;;
	vireo.bench_con_mib=*) mib=${arg#vireo.bench_con_mib=} ;;
	vireo.bench_con_buf=*) cbuf=${arg#vireo.bench_con_buf=} ;;
	vireo.insn=1) insn=1 ;;
	esac
done
WORKLOADS="g2h h2g"
DAT=/tmp/bench-console.dat
BYTES=$((mib * 1048576))
# shellcheck disable=SC2034 # read through get
virtio_bdf=0000:00:04.0 virtio_chr=k1 virtio_name=org.vireo.bench.virtio
# shellcheck disable=SC2034 # read through get
vireo_bdf=0000:00:05.0 vireo_chr=v1 vireo_name=org.vireo.bench.vireo
DRIVERS=virtio

# get DRIVER KEY: the per-driver variable DRIVER_KEY.
get() { eval "echo \$${1}_$2"; }

# conb_setup: 00:05.0 to vireo_console (if built), 00:04.0 to
# virtio_console; both ports found and their host ends connected.
conb_setup() {
	_vc=0
	[ -f "$VIREO_KO/vireo_console.ko" ] && _vc=1
	console_back_open
	if [ $_vc = 1 ]; then
		check "vireo-bind --to vireo $vireo_bdf" \
			run_deadline 30 vireo-bind --to vireo $vireo_bdf || return 1
	fi
	if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ] && [ ! -d /sys/module/virtio_pci ]; then
		kmod_insmod virtio_pci || return 1
	fi
	if [ -f "$VIREO_KO/kmod/virtio_console.ko" ]; then
		kmod_insmod virtio_console || return 1
	fi
	if [ $_vc = 1 ]; then
		# shellcheck disable=SC2086 # module names: split on purpose
		load_stack $CONSOLE_MODULES || return 1
		DRIVERS="virtio vireo"
	else
		log "no vireo_console.ko in the image: the in-kernel port alone"
	fi
	for _d in $DRIVERS; do
		console_wait_port "$(get "$_d" name)" || return 1
		eval "${_d}_port=$PORT"
		console_connect "$(get "$_d" chr)"
	done
	expect_eq "$virtio_bdf PCI driver" "$(pci_driver $virtio_bdf)" virtio-pci
	[ $_vc = 1 ] && expect_eq "$vireo_bdf PCI driver" "$(pci_driver $vireo_bdf)" vireo_pci
	log "ports: virtio ${virtio_port:-} vireo ${vireo_port:-}"
}

# irqs_of BDF: interrupts counted for BDF's MSI(-X) or INTx lines.
irqs_of() {
	_l=$(ls "/sys/bus/pci/devices/$1/msi_irqs" 2>/dev/null)
	[ -n "$_l" ] || _l=$(cat "/sys/bus/pci/devices/$1/irq")
	_s=0
	for _q in $_l; do
		_c=$(awk -v q="$_q:" '$1 == q { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts)
		_s=$((_s + ${_c:-0}))
	done
	echo $_s
}

# busy: CPU time used so far, both vCPUs, in USER_HZ ticks.
busy() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# run WORKLOAD DRIVER ROUND: one run; its BENCH line, and "workload
# driver round rate irq cpu" appended to DAT.
run() {
	_wl=$1 _d=$2 _r=$3
	_p=$(get "$_d" port) _c=$(get "$_d" chr) _b=$(get "$_d" bdf)
	_lbl=
	[ "$insn" = 1 ] && [ "$_r" != 0 ] && _lbl=console/$_wl/$_d/1048576/$mib/r$_r
	_i0=$(irqs_of "$_b")
	_c0=$(busy)
	if [ "$_wl" = g2h ]; then
		console_host "\"chr\": \"recv\", \"id\": \"$_c\", \"bytes\": $BYTES, \"seed\": 0, \"zero\": true" >/dev/null
		[ -n "$_lbl" ] && insnmark "$_lbl+"
		run_deadline 600 vconio -z -b "$cbuf" write "$_p" $BYTES >/tmp/conb.out 2>&1
		_st=$?
		console_host_wait "$_c" recv 120
		[ -n "$_lbl" ] && insnmark "$_lbl-"
		_got=$(jval "$HOSTR" bytes)
		_rate=$(jval "$HOSTR" mibs)
	else
		rm -f /tmp/conb.ready
		vconio -z -F -b "$cbuf" -r /tmp/conb.ready read "$_p" $BYTES >/tmp/conb.out 2>&1 &
		_rd=$!
		wait_for 10 test -f /tmp/conb.ready
		[ -n "$_lbl" ] && insnmark "$_lbl+"
		console_host "\"chr\": \"send\", \"id\": \"$_c\", \"bytes\": $BYTES, \"seed\": 0, \"zero\": true" >/dev/null
		console_reap $_rd 600 "the reader on $_p"
		_st=$?
		[ -n "$_lbl" ] && insnmark "$_lbl-"
		console_host_wait "$_c" send 60
		_got=$(vcon_kv /tmp/conb.out bytes)
		_rate=$(vcon_kv /tmp/conb.out mibs)
	fi
	_c1=$(busy)
	_i1=$(irqs_of "$_b")
	if [ $_st -ne 0 ] || [ "$_got" != $BYTES ]; then
		fail "$_wl on $_d r$_r: ${_got:-no} bytes of $BYTES (status $_st)"
		diag_lines </tmp/conb.out
		log "host end: $HOSTR"
		return 1
	fi
	echo "$mib $((_i1 - _i0)) $((_c1 - _c0))" | awk -v wl="$_wl" -v d="$_d" \
		-v r="$_r" -v rate="$_rate" -v dat=$DAT '{
		irq = $2 / $1; cpu = $3 * 10000 / $1
		printf "BENCH console run %s %s r%s rate=%s unit=MiB/s irq/MiB=%.2f cpu_us/MiB=%.0f\n",
			wl, d, r, rate, irq, cpu
		printf "%s %s %s %s %.3f %.1f\n", wl, d, r, rate, irq, cpu >> dat
	}'
}

# round R: both workloads on both ports, the first driver alternating.
round() {
	_order=$DRIVERS
	if [ $(($1 % 2)) -eq 0 ]; then
		_order=
		for _d in $DRIVERS; do _order="$_d${_order:+ $_order}"; done
	fi
	for _wl in $WORKLOADS; do
		for _d in $_order; do
			run "$_wl" "$_d" "$1"
		done
	done
}

# summary: per workload and driver the medians over the rounds, and the
# median (min-max) of the rounds' vireo/virtio rate ratios.
summary() {
	for _wl in $WORKLOADS; do
		awk -v wl="$_wl" '
		function median(a, n,    i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == wl {
			n[$2]++; rate[$2, n[$2]] = $4; irq[$2, n[$2]] = $5; cpu[$2, n[$2]] = $6
			byr[$2, $3] = $4; rounds[$3] = 1
		}
		END {
			line = "BENCH console " wl
			for (k = 1; k <= 2; k++) {
				d = k == 1 ? "vireo" : "virtio"
				if (!n[d]) { line = line " " d " none"; continue }
				for (i = 1; i <= n[d]; i++) a[i] = rate[d, i]
				mr = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = irq[d, i]
				mi = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = cpu[d, i]
				mc = median(a, n[d])
				line = line sprintf(" %s rate=%.2f irq/unit=%.2f cpu_us/unit=%.0f", d, mr, mi, mc)
			}
			print line
			m = 0
			for (r in rounds)
				if (byr["vireo", r] > 0 && byr["virtio", r] > 0)
					q[++m] = byr["vireo", r] / byr["virtio", r]
			if (!m) { print "BENCH console " wl " vireo/virtio = none"; exit }
			lo = q[1]; hi = q[1]
			for (i = 1; i <= m; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
			printf "BENCH console %s vireo/virtio = %.3f (%.3f-%.3f, %d rounds)\n", wl, median(q, m), lo, hi, m
		}' $DAT
	done
}

# ---- the benchmark ---------------------------------------------------------

check "vconio present" test -x /bin/vconio || return 1
[ "$insn" = 1 ] && { check "insnmark present" test -x /bin/insnmark || insn=0; }
conb_setup || return 1
[ "$insn" = 1 ] && insn_text_map
log "rounds: $rounds; $mib MiB per run in ${cbuf}-byte reads and writes; drivers: $DRIVERS"
# Warm-up: first-use allocations, the socket buffers.
rm -f $DAT
for _d in $DRIVERS; do
	run g2h "$_d" 0 >/dev/null
	run h2g "$_d" 0 >/dev/null
done
rm -f $DAT
r=1
while [ $r -le "$rounds" ]; do
	round $r
	r=$((r + 1))
done
_want=$((rounds * 2 * $(echo $DRIVERS | wc -w)))
expect_eq "measured runs" "$(wc -l <$DAT 2>/dev/null || echo 0)" $_want
summary
for _d in $DRIVERS; do
	console_disconnect "$(get "$_d" chr)"
done
