#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: make run: the whole stack on a device of every type it drives
# devices: virtio-rng-pci,addr=0x4 img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
# timeout: 300
#
# Loads the stack next to one legacy device of each type vireo drives
# (an rng and a disk), shows what each became and that each works: the
# hwrng vireo_rng.0 gives random bytes, the disk vblkN has the size QEMU
# gave it and reads and writes.  Run by tools/vm/demo.py (make run),
# which then leaves a terminal user in a shell.

say() {
	echo
	echo "==> $*"
}

say "insmod $VIREO_MODULES vireo_blk"
load_stack $VIREO_MODULES vireo_blk || return 1
wait_for 5 test -e /sys/bus/vireo/devices/vireo0/driver
blk_wait_disk $BLK_BDF || return 1
say "lsmod"
lsmod | grep -E '^(Module|vireo)'
say "/sys/bus/vireo/devices/"
for d in /sys/bus/vireo/devices/*; do
	[ -e "$d" ] || continue
	n=$(basename "$d")
	echo "    $n -> $(readlink -f "$d")"
	echo "        driver   $(vireo_driver_of "$n")"
	for a in device vendor status features modalias; do
		echo "        $(printf '%-8s' $a) $(cat "$d/$a")"
	done
done
say "/proc/interrupts (vireo)"
grep vireo /proc/interrupts

say "rng: rng_available lists $(cat "$RNG_SYS/rng_available")"
rng_select vireo_rng.0 >/dev/null
echo "    rng_current: $(cat "$RNG_SYS/rng_current")"
echo "    head -c 64 /dev/hwrng | hexdump -C"
head -c 64 /dev/hwrng >/tmp/demo
hexdump -C /tmp/demo
expect_eq "bytes from vireo_rng.0" "$(wc -c </tmp/demo)" 64
check_not "the rng's data is not all zero" all_zero /tmp/demo

bytes=$(blk_bytes "$DISK")
say "disk: /dev/$DISK, $((bytes / MIB)) MiB, on $(blk_vdev "$DISK")"
expect_eq "$DISK size" "$bytes" $((64 * MIB))
echo "    writing 1 MiB of random data at 1 MiB and reading it back"
head -c $MIB /dev/urandom >/tmp/w
check "write to /dev/$DISK" dd if=/tmp/w of=/dev/$DISK bs=64k seek=16 conv=fsync
check "read from /dev/$DISK" dd if=/dev/$DISK of=/tmp/r bs=64k skip=16 count=16 iflag=direct
check "what was read is what was written" cmp /tmp/w /tmp/r
echo
echo "The stack stays loaded; try: cat /sys/block/$DISK/size, head -c 16 /dev/hwrng | hexdump"
