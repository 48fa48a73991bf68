# SPDX-License-Identifier: GPL-2.0
# Scenario blk-stall (hardening issue, defect 3): the device stops
# answering under a writer, then answers again.  QMP throttles the drive
# to 1 byte/s (blk_throttle), so QEMU holds every new request; after io_timeout (2 s
# here) vireo_blk resets the device, re-creates its queues and retries
# the requests.  Once the throttle is lifted the retried writes complete:
# the writer ends without an error and every byte reads back.  The
# hung-task timeout is 20 s, so a hang fails the run on the host.

ID=vdisk0
blk_stall_setup || return 1
dev=/dev/$DISK

blkpat -b 1K -s 7 -l 48M write "$dev" >/tmp/writer.out 2>&1 &
writer=$!
usleep 500000
if ! kill -0 $writer 2>/dev/null; then
	fail "writer ended before the stall"
	sed 's/^/VIREO-INFO:   | /' /tmp/writer.out
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
sed 's/^/VIREO-INFO:   | writer: /' /tmp/writer.out
expect_eq "writer status after the stall" "$st" 0
check "every byte written reads back" blkpat -b 64K -s 7 -l 48M verify "$dev"
check_not "the device was not given up on" sh -c "dmesg | grep -q 'failing all I/O'"
dmesg | grep -E 'vireo.*(reset|stopped)' | sed 's/^/VIREO-INFO:   | /'
blk_unload
