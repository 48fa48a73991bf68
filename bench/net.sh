#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: network workloads through vireo_net and the in-kernel virtio_net
# kernels: all
# groups: bench
# devices: netdev:hubport,id=k0,hubid=0 netdev:hubport,id=k1,hubid=0
# devices: netdev:hubport,id=v0,hubid=1 netdev:hubport,id=v1,hubid=1
# devices: virtio-net-pci,addr=0x4,netdev=k0,mac=52:54:00:00:01:0a,romfile=
# devices: virtio-net-pci,addr=0x5,netdev=k1,mac=52:54:00:00:01:0b,romfile=
# devices: virtio-net-pci,addr=0x6,netdev=v0,mac=52:54:00:00:02:0a,romfile=
# devices: virtio-net-pci,addr=0x7,netdev=v1,mac=52:54:00:00:02:0b,romfile=
# timeout: 2400
# boot: virtio
#
# The same network workloads through two pairs of legacy virtio-net NICs
# in one boot, each pair alone on its own QEMU hub (no offloads: a hub
# offers none): 00:04.0 and 00:05.0 on the in-kernel virtio_net (the
# "virtio" pair, 10.0.1.0/24), 00:06.0 and 00:07.0 on vireo_net (the
# "vireo" pair, 10.0.2.0/24).  The first NIC of each pair stays in the
# initial network namespace, the second moves into a namespace of its
# own, so every packet crosses the emulated wire.  The vireo pair goes to
# vireo_pci before any in-kernel driver can take it: vireo-bind sets
# driver_override=vireo_pci (on 6.12 moving it from the built-in
# virtio-pci, on 6.1 before the virtio_pci module is loaded), then the
# in-kernel virtio_pci (6.1) and virtio_net are loaded, then the vireo
# stack and vireo_net.  Without vireo_net.ko in the image only the
# in-kernel pair runs (its numbers alone, no ratio).  Traffic is
# vnetperf's (tools/vm/guest/src), with -z for TCP (zeros, unchecked:
# the drivers' cost, not the checker's).  Method and results:
# Documentation/net.rst ("Benchmark"); Documentation/blk-bench.rst
# describes the shared method (rounds, medians, instruction counts).
#
# Workloads (bench/net.sh WORKLOADS):
#   tcp-a2b   TCP stream from the first NIC to the second, MiB/s
#   tcp-b2a   the same, the other way
#   udp64     64-byte UDP datagrams, unpaced, packets/s at the receiver
#   rr1       one-byte TCP request/response transactions, one at a time
# Each round runs every workload on both pairs, the first pair
# alternating between rounds.  Per run:
#   BENCH net run WORKLOAD DRIVER rROUND rate=R unit=U irq/W=I cpu_us/W=C
# (W: MiB for TCP, 1000 datagrams for UDP, a transaction for RR;
# interrupts of the pair's two functions; guest CPU time from
# /proc/stat, both vCPUs, at USER_HZ resolution), then per workload the
# medians over the rounds and the median (min-max) of the rounds'
# vireo/virtio rate ratios:
#   BENCH net WORKLOAD vireo rate=R irq/W=I cpu_us/W=C virtio ...
#   BENCH net WORKLOAD vireo/virtio = MEDIAN (MIN-MAX, N rounds)
# With the instruction-counting plugin (vireo.insn=1) every run is also
# a plugin phase, net/WORKLOAD/DRIVER/BYTES/OPS/rROUND, whose counts
# tools/bench turns into instructions per unit.  Only that the traffic
# flows is checked, never how fast.
#
# Knobs (VM_APPEND=): vireo.bench_rounds=N (default 5),
# vireo.bench_net_mib=N (MiB per TCP run, default 64),
# vireo.bench_net_udp=N (datagrams per UDP run, default 50000),
# vireo.bench_net_rr=N (transactions per RR run, default 2000).
#
# bench/net-tap.sh runs the same on taps (topology B), with offloads.
# Left to do: ethtool -K toggles per offload.

# NETB: the benchmark's name in its BENCH lines and phase labels
# (bench/net-tap.sh sources this file with NETB=net-tap).
NETB=${NETB:-net}
rounds=5
mib=64
udpn=50000
rrn=2000
insn=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	vireo.bench_rounds=*) rounds=${arg#vireo.bench_rounds=} ;;
	vireo.bench_net_mib=*) mib=${arg#vireo.bench_net_mib=} ;;
	vireo.bench_net_udp=*) udpn=${arg#vireo.bench_net_udp=} ;;
	vireo.bench_net_rr=*) rrn=${arg#vireo.bench_net_rr=} ;;
	vireo.insn=1) insn=1 ;;
	esac
done
WORKLOADS="tcp-a2b tcp-b2a udp64 rr1"
NETB_MODULES="vireo_ring vireo_core vireo_pci vireo_net"
PORT=5301
DAT=/tmp/bench-net.dat

# Per driver: PCI functions, MACs, addresses (set up in netb_setup).
virtio_A=0000:00:04.0 virtio_B=0000:00:05.0 virtio_net=10.0.1
vireo_A=0000:00:06.0 vireo_B=0000:00:07.0 vireo_net=10.0.2
DRIVERS=virtio

# get DRIVER KEY: the per-driver variable DRIVER_KEY.
get() { eval "echo \$${1}_$2"; }

# netb_if BDF: BDF's interface (in the initial namespace).
netb_if() {
	for _nf in /sys/bus/pci/devices/"$1"/*/net/*; do
		[ -e "$_nf" ] && basename "$_nf" && return 0
	done
	return 1
}

# netb_on DRIVER SIDE CMD...: CMD on DRIVER's side a (here) or b (its peer).
netb_on() {
	_d=$1 _s=$2
	shift 2
	if [ "$_s" = b ]; then nsenter -t "$(get "$_d" peer)" -n "$@"; else "$@"; fi
}

# netb_pair DRIVER: find the pair's interfaces, move B into a namespace
# of its own, address both, ping once.
netb_pair() {
	# (not _n: wait_for uses it)
	_a=$(get "$1" A) _b=$(get "$1" B) _pfx=$(get "$1" net)
	wait_for 15 netb_if "$_a"
	wait_for 15 netb_if "$_b"
	_ia=$(netb_if "$_a") && _ib=$(netb_if "$_b") || {
		fail "$1 pair: no interface on $_a or $_b"
		ls /sys/class/net | diag_lines "net: "
		return 1
	}
	_da=$(basename "$(readlink -f "/sys/class/net/$_ia/device/driver")")
	expect_eq "$1 pair: $_ia driver" "$_da" "$1_net" || return 1
	unshare -n sleep 100000 &
	eval "${1}_peer=$!"
	_me=$(readlink /proc/self/ns/net)
	wait_for 5 sh -c "[ \"\$(readlink /proc/$(get "$1" peer)/ns/net)\" != '$_me' ]"
	check "$1 pair: move $_ib into its namespace" \
		ip link set "$_ib" netns "$(get "$1" peer)" || return 1
	netb_on "$1" b ip link set lo up
	ip addr add "$_pfx.1/24" dev "$_ia"
	ip link set "$_ia" up
	netb_on "$1" b ip addr add "$_pfx.2/24" dev "$_ib"
	netb_on "$1" b ip link set "$_ib" up
	eval "${1}_ia=$_ia ${1}_ib=$_ib"
	wait_for 10 ping -c 1 -W 1 "$_pfx.2"
	check "$1 pair: ping $_pfx.2 from $_ia" ping -c 3 -W 2 "$_pfx.2"
}

# netb_setup: the vireo pair to vireo_net (if built), the other to
# virtio_net; then both pairs' namespaces and addresses.
netb_setup() {
	_vn=0
	[ -f "$VIREO_KO/vireo_net.ko" ] && _vn=1
	# The override first: on 6.1 nothing is bound yet and vireo_pci,
	# loaded first, would take all four functions; virtio_pci then takes
	# only the in-kernel pair.
	if [ $_vn = 1 ]; then
		check "vireo-bind --to vireo $vireo_A $vireo_B" \
			run_deadline 30 vireo-bind --to vireo $vireo_A $vireo_B || return 1
	fi
	if [ -f "$VIREO_KO/kmod/virtio_pci.ko" ] && [ ! -d /sys/module/virtio_pci ]; then
		kmod_insmod virtio_pci || return 1
	fi
	kmod_insmod virtio_net || return 1
	if [ $_vn = 1 ]; then
		# shellcheck disable=SC2086 # module names: split on purpose
		load_stack $NETB_MODULES || return 1
		DRIVERS="virtio vireo"
	else
		log "no vireo_net.ko in the image: the in-kernel pair alone"
	fi
	for _d in $DRIVERS; do
		netb_pair $_d || return 1
	done
	log "pairs: $DRIVERS"
}

# irqs_of BDF: interrupts counted for BDF's MSI(-X) or INTx lines.
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

# busy: CPU time used so far, both vCPUs, in USER_HZ ticks.
busy() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# server DRIVER SIDE MODE: a vnetperf server on DRIVER's SIDE (background).
server() {
	rm -f /tmp/netb.ready
	netb_on "$1" "$2" vnetperf "$3" -p $PORT -R /tmp/netb.ready -w 60 \
		>/tmp/netb.srv 2>&1 &
	SRV=$!
	wait_for 10 test -f /tmp/netb.ready
}

# run WORKLOAD DRIVER ROUND: one run; prints its BENCH net run line and
# appends "workload driver round rate irq cpu" to DAT.
run() {
	_pfx=$(get "$2" net)
	case $1 in
	tcp-a2b) _srv=b _cli=a _to=$_pfx.2 _mode=tcp ;;
	tcp-b2a) _srv=a _cli=b _to=$_pfx.1 _mode=tcp ;;
	udp64) _srv=b _cli=a _to=$_pfx.2 _mode=udp ;;
	rr1) _srv=b _cli=a _to=$_pfx.2 _mode=rr ;;
	esac
	case $_mode in
	tcp) server "$2" $_srv tcp-recv
	     set -- "$1" "$2" "$3" tcp-send -n $((mib * 1048576)) -z
	     _bytes=1048576 _ops=$mib _w=MiB ;;
	udp) server "$2" $_srv udp-recv
	     set -- "$1" "$2" "$3" udp-send -n "$udpn" -l 64 -r 0
	     _bytes=64 _ops=$udpn _w=kpkt ;;
	rr) server "$2" $_srv rr-server
	    set -- "$1" "$2" "$3" rr-client -n "$rrn" -l 1
	    _bytes=1 _ops=$rrn _w=trans ;;
	esac
	_wl=$1 _d=$2 _r=$3
	shift 3
	_i0=$(($(irqs_of "$(get "$_d" A)") + $(irqs_of "$(get "$_d" B)")))
	_c0=$(busy)
	# Round 0, the warm-up, is no phase.
	_lbl=
	[ "$insn" = 1 ] && [ "$_r" != 0 ] && _lbl=$NETB/$_wl/$_d/$_bytes/$_ops/r$_r
	[ -n "$_lbl" ] && insnmark "$_lbl+"
	netb_on "$_d" $_cli vnetperf "$@" -c "$_to" -p $PORT >/tmp/netb.cli 2>&1
	_st=$?
	[ -n "$_lbl" ] && insnmark "$_lbl-"
	_c1=$(busy)
	_i1=$(($(irqs_of "$(get "$_d" A)") + $(irqs_of "$(get "$_d" B)")))
	wait_for 30 sh -c "! kill -0 $SRV 2>/dev/null"
	kill "$SRV" 2>/dev/null
	wait "$SRV"
	_sst=$?
	_cl=$(grep '^VNETPERF' /tmp/netb.cli)
	_sl=$(grep '^VNETPERF' /tmp/netb.srv)
	if [ $_st -ne 0 ] || [ $_sst -ne 0 ]; then
		fail "$_wl on $_d r$_r (client status $_st, server $_sst)"
		cat /tmp/netb.cli /tmp/netb.srv | diag_lines
		return 1
	fi
	case $_mode in
	tcp) _rate=$(awk -v m="$(kv "$_sl" mbit)" 'BEGIN { printf "%.1f", m * 1e6 / 8 / 1048576 }')
	     _unit=MiB/s _units=$mib ;;
	udp) _rate=$(kv "$_sl" pps) _unit=pps
	     _units=$(awk -v n="$(kv "$_sl" recv)" 'BEGIN { printf "%.3f", n / 1000 }') ;;
	rr) _rate=$(kv "$_cl" tps) _unit=tps _units=$rrn ;;
	esac
	echo "$_units $((_i1 - _i0)) $((_c1 - _c0))" | awk -v b=$NETB -v wl="$_wl" -v d="$_d" \
		-v r="$_r" -v rate="$_rate" -v unit="$_unit" -v w="$_w" -v dat=$DAT '{
		u = $1 > 0 ? $1 : 1
		irq = $2 / u; cpu = $3 * 10000 / u
		printf "BENCH %s run %s %s r%s rate=%s unit=%s irq/%s=%.2f cpu_us/%s=%.0f\n",
			b, wl, d, r, rate, unit, w, irq, w, cpu
		printf "%s %s %s %s %.3f %.1f\n", wl, d, r, rate, irq, cpu >> dat
	}'
}

# round R: every workload on both pairs, the first pair alternating.
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
		awk -v b=$NETB -v wl="$_wl" '
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
			line = "BENCH " b " " wl
			for (k = 1; k <= 2; k++) {
				d = k == 1 ? "vireo" : "virtio"
				if (!n[d]) { line = line " " d " none"; continue }
				for (i = 1; i <= n[d]; i++) a[i] = rate[d, i]
				mr = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = irq[d, i]
				mi = median(a, n[d])
				for (i = 1; i <= n[d]; i++) a[i] = cpu[d, i]
				mc = median(a, n[d])
				line = line sprintf(" %s rate=%.1f irq/unit=%.2f cpu_us/unit=%.0f", d, mr, mi, mc)
			}
			print line
			m = 0
			for (r in rounds)
				if (byr["vireo", r] > 0 && byr["virtio", r] > 0)
					q[++m] = byr["vireo", r] / byr["virtio", r]
			if (!m) { print "BENCH " b " " wl " vireo/virtio = none"; exit }
			lo = q[1]; hi = q[1]
			for (i = 1; i <= m; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
			printf "BENCH %s %s vireo/virtio = %.3f (%.3f-%.3f, %d rounds)\n", b, wl, median(q, m), lo, hi, m
		}' $DAT
	done
}

# ---- the benchmark ---------------------------------------------------------

check "vnetperf present" test -x /bin/vnetperf || return 1
[ "$insn" = 1 ] && { check "insnmark present" test -x /bin/insnmark || insn=0; }
netb_setup || return 1
[ "$insn" = 1 ] && insn_text_map
rm -f $DAT
log "rounds: $rounds; TCP $mib MiB, UDP $udpn x 64 bytes, RR $rrn x 1 byte; pairs: $DRIVERS"
# Warm-up: ARP, socket buffers and first-use allocations.
for _d in $DRIVERS; do
	run tcp-a2b "$_d" 0 >/dev/null
done
rm -f $DAT
r=1
while [ $r -le "$rounds" ]; do
	round $r
	r=$((r + 1))
done
_want=$((rounds * 4 * $(echo $DRIVERS | wc -w)))
expect_eq "measured runs" "$(wc -l <$DAT 2>/dev/null || echo 0)" $_want
summary
for _d in $DRIVERS; do
	kill "$(get "$_d" peer)" 2>/dev/null
done
