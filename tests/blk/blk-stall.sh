#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the device stalls under a writer, a reset recovers without errors
# kernels: all
# groups: fault
# devices: img:d0:64M object:throttle-group,id=tg0
# devices: blockdev:driver=throttle,node-name=t0,throttle-group=tg0,file=d0
# devices: virtio-blk-pci,addr=0x6,drive=t0,id=vdisk0
# timeout: 300
# ref: blk
#
# The device stops answering under a writer, then answers again.  A
# 48 MiB pattern writer is stalled; after io_timeout vireo_blk must reset
# the device within 30 s, re-create its queues and retry the requests.
# Once the throttle is lifted the retried writes complete: the writer
# must finish without an error, every byte reads back, and the device is
# not given up on.
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

blkpat -b 1K -s 7 -l 48M write "$dev" >/tmp/writer.out 2>&1 &
writer=$!
usleep 500000
if ! kill -0 $writer 2>/dev/null; then
	fail "writer ended before the stall"
	diag_lines </tmp/writer.out
	return 1
fi
blk_throttle 1
if wait_for 30 sh -c "dmesg | grep -q 'device stopped answering; reset 1 of'"; then
	ok "vireo_blk reset the stalled device"
else
	fail "no reset within 30 s of the stall"
fi
blk_throttle 0
writer_wait $writer 120 "the stall ended" || return 1
wait $writer
st=$?
diag_lines "writer: " </tmp/writer.out
expect_eq "writer status after the stall" "$st" 0
check "every byte written reads back" blkpat -b 64K -s 7 -l 48M verify "$dev"
check_not "the device was not given up on" sh -c "dmesg | grep -q 'failing all I/O'"
dmesg | grep -E 'vireo.*(reset|stopped)' | diag_lines
blk_unload
