# SPDX-License-Identifier: GPL-2.0
# Scenario blk-stuck-remove (hardening issue, defect 3): PCI removal of a
# device that stopped answering with a writer's requests in flight.
# Removal gives them one io_timeout (2 s here), then fails them and
# returns; the writer gets an error.  The hung-task timeout is 20 s, so
# a hang fails the run on the host.

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
	: >/run/vireo/.vireo-stuck
	return 1
fi
writer_wait $writer 30 "the removal" || return 1
wait $writer
st=$?
sed 's/^/VIREO-INFO:   | writer: /' /tmp/writer.out
expect_eq "writer ended with an I/O error" "$st" 3
check_not "$DISK gone from /sys/block" test -e "/sys/block/$DISK"
blk_unload
