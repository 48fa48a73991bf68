#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: throughput of vireo_rng against the in-kernel virtio-rng
# kernels: 6.12
# groups: bench
# devices: virtio-rng-pci,addr=0x4 virtio-rng-pci,addr=0x5
# timeout: 900
# boot: virtio
#
# The same amount of data through the in-kernel virtio-rng (0000:00:04.0)
# and through vireo_rng (0000:00:05.0) in one boot, timed with
# /proc/uptime.  Boots like coexist, but 00:05.0 is moved to vireo_pci
# through sysfs directly rather than with vireo-bind.  Size:
# vireo.bench_mib=N on the kernel command line (default 4).  Prints
#   BENCH rng <hwrng> <bytes> <seconds> <KiB/s>
#   BENCH rng vireo/virtio = <ratio>
# (the ratio is vireo's throughput over the in-kernel driver's).  Under
# TCG the numbers mostly measure emulation overhead: compare ratios, not
# absolute values.  Only that the reads work (and are random-looking) is
# checked, never how fast they are.  Not part of the normal test run.
#
# With the instruction-counting QEMU plugin (vireo.insn=1, tools/bench)
# and vireo.bench_rng_insn=1, each driver then reads 256 KiB and 512 KiB
# from /dev/hwrng, three times, each read a phase of the plugin
# (rng/read/DRIVER/1024/KIB/rREP), for the instructions per KiB and per
# MiB (Documentation/blk-bench.rst).  Off by default: how many bytes the
# device returns per request, and so the requests (and instructions) per
# KiB, depends on the host's timing; the counts of one driver moved by a
# factor of five between repetitions.

A=0000:00:04.0
B=0000:00:05.0
mib=4
insn=0
rng_insn=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	vireo.bench_mib=*) mib=${arg#vireo.bench_mib=} ;;
	vireo.bench_rng_insn=1) rng_insn=1 ;;
	vireo.insn=1) insn=1 ;;
	esac
done
bytes=$((mib * 1048576))

check "insmod virtio-rng (in-kernel driver)" insmod $VIREO_KO/virtio-rng.ko || return 1
load_stack || return 1
# Move B by hand rather than with vireo-bind, so the benchmark does not
# depend on that tool.
echo $B >/sys/bus/pci/drivers/virtio-pci/unbind
echo vireo_pci >/sys/bus/pci/devices/$B/driver_override
echo $B >/sys/bus/pci/drivers_probe
wait_for 5 vireo_dev_of $B
expect_eq "$A driver" "$(pci_driver $A)" virtio-pci
expect_eq "$B driver" "$(pci_driver $B)" vireo_pci
log "rng_available: $(cat "$RNG_SYS/rng_available")"

for r in virtio_rng.0 vireo_rng.0; do
	if rng_read $r $bytes /tmp/bench; then
		kibs=$(awk "BEGIN { s = $RNG_READ_SECS; if (s <= 0) s = 0.01; printf \"%.1f\", $bytes / 1024 / s }")
		echo "BENCH rng $r $bytes $RNG_READ_SECS $kibs"
		eval "kibs_${r%_rng.0}=$kibs"
		check_random /tmp/bench "$r $mib MiB"
	fi
	rm -f /tmp/bench
done
if [ -n "${kibs_virtio:-}" ] && [ -n "${kibs_vireo:-}" ]; then
	echo "BENCH rng vireo/virtio = $(awk "BEGIN { printf \"%.2f\", $kibs_vireo / $kibs_virtio }")"
fi
# insn_read DRIVER HWRNG KIB REP: one read of KIB KiB as a plugin phase.
insn_read() {
	_lbl=rng/read/$1/1024/$3/r$4
	insnmark "$_lbl+"
	dd if=/dev/hwrng of=/tmp/insn.rng bs=4096 count=$(($3 / 4)) 2>/dev/null
	insnmark "$_lbl-"
	expect_eq "$_lbl bytes" "$(wc -c </tmp/insn.rng)" $(($3 * 1024))
}
if [ "$insn" = 1 ] && [ "$rng_insn" = 1 ]; then
	for rep in 1 2 3; do
		for r in virtio_rng.0 vireo_rng.0; do
			rng_select $r || continue
			# khwrngd, feeding the input pool from the current hwrng
			# at its own pace, would add reads to the phases: a
			# quality of 0 (the current rng's) stops it.
			[ -w "$RNG_SYS/rng_quality" ] && echo 0 >"$RNG_SYS/rng_quality"
			insn_read "${r%_rng.0}" $r 256 $rep
			insn_read "${r%_rng.0}" $r 512 $rep
		done
	done
	rm -f /tmp/insn.rng
fi
unload_stack || return 1
