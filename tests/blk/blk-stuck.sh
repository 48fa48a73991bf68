#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the device never answers again: resets, give-up, EIO, then removal
# kernels: all
# groups: fault
# devices: img:d0:64M object:throttle-group,id=tg0
# devices: blockdev:driver=throttle,node-name=t0,throttle-group=tg0,file=d0
# devices: virtio-blk-pci,addr=0x6,drive=t0,id=vdisk0
# timeout: 300
# ref: blk
#
# The device stops answering under a writer and never comes back.
# vireo_blk resets it after each io_timeout, gives up after three resets
# without progress and fails all I/O with EIO, so the writer must get a
# write error within 60 s; the device must be given up on (reads then
# fail at once), and PCI removal (QMP device_del) must remove the function
# within 30 s.
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
if ! kill -0 $writer 2>/dev/null; then
	fail "writer ended before the stall"
	diag_lines </tmp/writer.out
	return 1
fi
blk_throttle 1
writer_wait $writer 60 "the device stopped answering" || return 1
wait $writer
st=$?
diag_lines "writer: " </tmp/writer.out
if [ $st -eq 3 ] && grep -q 'write error at' /tmp/writer.out; then
	ok "writer saw a write error (status $st)"
else
	fail "writer did not end with a write error (status $st)"
fi
check "vireo_blk reset the device before giving up" \
	sh -c "dmesg | grep -q 'device stopped answering; reset 3 of 3'"
if wait_for 10 sh -c "dmesg | grep -q 'failing all I/O'"; then
	ok "vireo_blk gave up on the device"
else
	fail "vireo_blk did not give up on the device within 30 s"
fi
check_not "a read fails at once" blkpat -b 4K -l 4K verify "$dev"

qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$ID\"}}"
if wait_for 30 sh -c "! test -e /sys/bus/pci/devices/$BLK_BDF"; then
	ok "PCI removal of the stuck device returned"
else
	fail "$BLK_BDF still present 30 s after device_del"
	mark_stuck
	return 1
fi
check_not "$DISK gone from /sys/block" test -e "/sys/block/$DISK"
blk_unload
