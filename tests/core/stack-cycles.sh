#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: many load/unload cycles of the stack with an rng and a disk present
# kernels: all debug
# groups: stress
# devices: virtio-rng-pci,addr=0x4 img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
# timeout: 900
# short-args: vireo.stack_cycles=30
#
# N load/unload cycles of the whole stack (vireo.stack_cycles=N on the
# kernel command line, default 100) with an rng and a disk present:
# make test runs 30 (short-args), make test-all 100.  Each
# cycle loads every module, waits for vireo_rng.0 and the disk, reads a
# little from both, unloads everything and checks that nothing of ours is
# left: no bus, modules, hwrng, disk, IRQ or PCI binding.  Each step is
# bounded; the first failure stops the cycles.  Catches leaks and
# teardown races that one round of load-unload is too short to show.
# On the debug kernel (KASAN, lockdep) kmemleak must then suspect
# nothing that appeared since the test began.

RNG_BDF=0000:00:04.0
cycles=100
for arg in $(cat /proc/cmdline); do
	case $arg in vireo.stack_cycles=*) cycles=${arg#vireo.stack_cycles=} ;; esac
done
MODS="vireo_ring vireo_core vireo_pci vireo_rng vireo_blk"

# leftovers: what of ours is still there (empty if nothing).
leftovers() {
	ls -d /sys/bus/vireo /sys/module/vireo_* /sys/block/vblk* 2>/dev/null
	grep -o 'vireo[^ ]*' /proc/interrupts 2>/dev/null
	grep -o 'vireo[^ ]*' "$RNG_SYS/rng_available" 2>/dev/null
	for _b in $RNG_BDF $BLK_BDF; do
		[ "$(pci_driver $_b)" = none ] || echo "$_b bound"
	done
}

# stack_cycle I: one cycle, quiet unless it fails.
stack_cycle() {
	for _m in $MODS; do
		if ! run_deadline 60 insmod "$VIREO_KO/$_m.ko" >/tmp/c.out 2>&1; then
			fail "cycle $1: insmod $_m"
			diag_lines </tmp/c.out
			return 1
		fi
	done
	if ! wait_for 10 blk_disk_of $BLK_BDF; then
		fail "cycle $1: no disk on $BLK_BDF"
		return 1
	fi
	_d=$(blk_disk_of $BLK_BDF)
	wait_for 5 test -b "/dev/$_d"
	if ! rng_read vireo_rng.0 16 /tmp/few >/dev/null 2>&1 ||
	   ! run_deadline 30 dd if="/dev/$_d" of=/dev/null bs=4k count=16 iflag=direct 2>/dev/null; then
		fail "cycle $1: reading the rng or the disk failed"
		return 1
	fi
	for _m in vireo_blk vireo_rng vireo_pci vireo_core vireo_ring; do
		if ! run_deadline 30 rmmod "$_m" >/tmp/c.out 2>&1; then
			fail "cycle $1: rmmod $_m"
			diag_lines </tmp/c.out
			return 1
		fi
	done
	_left=$(leftovers)
	if [ -n "$_left" ]; then
		fail "cycle $1: left behind: $(echo $_left)"
		return 1
	fi
	return 0
}

kmemleak_reset
i=1
while [ $i -le "$cycles" ]; do
	stack_cycle $i || break
	i=$((i + 1))
done
if [ $i -gt "$cycles" ]; then
	ok "$cycles load/unload cycles, nothing left behind"
fi
check_clean
kmemleak_check
