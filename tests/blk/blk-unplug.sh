# SPDX-License-Identifier: GPL-2.0
# Scenario blk-unplug (issue 4, scenario 10): hot-unplug through QMP
# device_del (ACPI PCI hotplug) while an O_DIRECT writer runs.  The writer
# must see an error, the disk and the PCI function must go away, the
# guest must keep running and the stack must still unload cleanly.  A
# splat (hung task, WARN in the driver's remove) fails it on the host.

ID=vdisk0
blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
blkpat -b 64K -s 61 loop "$dev" >/tmp/writer.out 2>&1 &
writer=$!
sleep 3
if kill -0 $writer 2>/dev/null; then
	ok "writer running on $dev"
else
	fail "writer on $dev ended early"
	sed 's/^/VIREO-INFO:   | /' /tmp/writer.out
	return 1
fi

qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$ID\"}}"
writer_wait $writer 30 "device_del" || return 1
wait $writer
st=$?
sed 's/^/VIREO-INFO:   | writer: /' /tmp/writer.out
if [ $st -eq 3 ] && grep -q 'write error at' /tmp/writer.out; then
	ok "writer saw a write error (status $st)"
else
	fail "writer did not end with a write error (status $st)"
fi
check "writer wrote data before the unplug" \
	grep -qE 'stopped after [1-9][0-9]* bytes' /tmp/writer.out
wait_for 10 sh -c "! test -e /sys/bus/pci/devices/$BLK_BDF"
check_not "$BLK_BDF gone" test -e /sys/bus/pci/devices/$BLK_BDF
check_not "$DISK gone from /sys/block" test -e "/sys/block/$DISK"
check_not "$dev gone" test -b "$dev"
show_pci
# The guest goes on: I/O elsewhere still works and the stack unloads.
check "guest still runs commands" sh -c 'echo alive >/tmp/alive && grep -q alive /tmp/alive'
blk_unload
