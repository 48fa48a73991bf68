#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: many hot-unplug/replug cycles under I/O; acknowledged data survives
# kernels: all
# groups: hotplug stress
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,id=vdisk0
# timeout: 900
# ref: blk
# short-args: vireo.replug_cycles=30
#
# Hot-unplug and replug of a disk under I/O, N times
# (vireo.replug_cycles=N on the kernel command line, default 100; 30 in
# make test, 100 in make test-all).  Each
# cycle an O_DIRECT writer lays a fresh pattern over the disk again and
# again from its start; QMP device_del pulls the function at a varying
# moment, the writer must end with a write error, the function must go,
# and device_add must bring it back with a disk on it.  Every byte the
# writer had acknowledged before the unplug (all of the disk once it
# wrapped) must then read back.  A hang fails the cycle (bounded waits)
# and a splat fails the run on the host.

ID=vdisk0
cycles=100
for arg in $(cat /proc/cmdline); do
	case $arg in vireo.replug_cycles=*) cycles=${arg#vireo.replug_cycles=} ;; esac
done
blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"

# replug_cycle I: one cycle; returns non-zero on the first failure.
replug_cycle() {
	_seed=$((1000 + $1))
	_dev=/dev/$DISK
	_size=$(blockdev --getsize64 "$_dev")
	blkpat -b 64K -s $_seed loop "$_dev" >/tmp/w.out 2>&1 &
	_w=$!
	usleep $((($1 % 7) * 50000 + 20000))
	qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$ID\"}}"
	writer_wait $_w 30 "device_del (cycle $1)" || return 1
	wait $_w
	# What was acknowledged: the bytes written before the failed write,
	# the whole disk once the writer wrapped around.
	_acked=$(sed -n 's/^blkpat: loop stopped after \([0-9]*\) bytes.*/\1/p' /tmp/w.out)
	if [ -z "$_acked" ]; then
		fail "cycle $1: the writer did not stop on a write error"
		diag_lines </tmp/w.out
		return 1
	fi
	[ "$_acked" -gt "$_size" ] && _acked=$_size
	if ! wait_for 30 sh -c "! test -e /sys/bus/pci/devices/$BLK_BDF"; then
		fail "cycle $1: $BLK_BDF still present 30 s after device_del"
		mark_stuck
		return 1
	fi
	# QEMU finishes unplugging a moment after the guest lets go of the
	# function, and refuses the new device until then (the drive is still
	# in use): ask again until a disk appears.
	_n=0
	while [ $_n -lt 10 ]; do
		qmp "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"virtio-blk-pci\", \"id\": \"$ID\", \"drive\": \"d0\", \"addr\": \"0x6\", \"disable-modern\": true}}"
		wait_for 3 blk_disk_of $BLK_BDF && break
		_n=$((_n + 1))
	done
	if ! blk_disk_of $BLK_BDF >/dev/null; then
		fail "cycle $1: no disk on $BLK_BDF after 10 device_add"
		return 1
	fi
	DISK=$(blk_disk_of $BLK_BDF)
	wait_for 5 test -b "/dev/$DISK"
	[ $(($1 % 10)) -eq 1 ] && log "cycle $1: $_acked bytes acknowledged before the unplug ($(tail -n1 /tmp/w.out))"
	[ "$_acked" -eq 0 ] && return 0
	if ! blkpat -b 64K -s $_seed -l "$_acked" verify "/dev/$DISK" >/tmp/v.out 2>&1; then
		fail "cycle $1: acknowledged bytes [0, $_acked) did not read back"
		diag_lines </tmp/v.out
		return 1
	fi
	return 0
}

i=1
while [ $i -le "$cycles" ]; do
	replug_cycle $i || break
	i=$((i + 1))
done
if [ $i -gt "$cycles" ]; then
	ok "$cycles unplug/replug cycles under I/O, acknowledged data intact"
fi
expect_eq "disks after the cycles" "$(ls /sys/block | grep -c '^vblk')" 1
blk_unload
