#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: PCI removal of a device that stopped answering, with I/O in flight
# kernels: all
# groups: fault hotplug
# devices: img:d0:64M object:throttle-group,id=tg0
# devices: blockdev:driver=throttle,node-name=t0,throttle-group=tg0,file=d0
# devices: virtio-blk-pci,addr=0x6,drive=t0,id=vdisk0
# timeout: 300
# ref: blk
#
# QMP device_del right after the device stops answering, with a writer's
# requests in flight.  Removal gives them one io_timeout, then fails them
# and returns: removal must return within 40 s and the writer end with an
# I/O error.
#
# The disk sits behind a QEMU throttle filter node of throttle group tg0
# (the object: and blockdev: device tokens); blk_throttle BPS sets the
# group's limit with QMP qom-set, and at 1 byte/s QEMU holds every new
# request, as a stalled backend would.  The hung-task timeout is 20 s and
# the disk's io_timeout 2 s (blk_stall_setup), so a hang fails the run on
# the host while recovery takes seconds.

ID=vdisk0
blk_stall_setup || return 1
dev=/dev/$DISK

blkpat -b 64K -s 61 loop "$dev" >/tmp/writer.out 2>&1 &
writer=$!
sleep 2
blk_throttle 1
sleep 1
qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$ID\"}}"
if wait_for 40 sh -c "! test -e /sys/bus/pci/devices/$BLK_BDF"; then
	ok "PCI removal of the stuck device returned"
else
	fail "$BLK_BDF still present 40 s after device_del"
	mark_stuck
	return 1
fi
writer_wait $writer 30 "the removal" || return 1
wait $writer
st=$?
diag_lines "writer: " </tmp/writer.out
expect_eq "writer ended with an I/O error" "$st" 3
check_not "$DISK gone from /sys/block" test -e "/sys/block/$DISK"
blk_unload
