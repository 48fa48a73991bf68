#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: ACPI hot-unplug of the disk under an O_DIRECT writer
# kernels: all
# groups: quick hotplug flavours
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,id=vdisk0
# ref: blk
#
# blkpat loop writes 64 KiB O_DIRECT requests over and over; after 3 s it
# must still run, then QMP device_del vdisk0 (ACPI PCI hot-unplug: the
# guest's acpiphp removes the function, which runs the driver's remove
# with I/O in flight).  Within 30 s the writer must end with a write
# error, having written data before; the PCI function, the disk and its
# node must be gone; the guest must go on running commands and the stack
# must unload cleanly.  A hung task or a WARN in the remove path fails it
# as a splat on the host.  This also checks that ACPI PCI hotplug works in
# the guest at all.

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
	diag_lines </tmp/writer.out
	return 1
fi

qmp "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"$ID\"}}"
writer_wait $writer 30 "device_del" || return 1
wait $writer
st=$?
diag_lines "writer: " </tmp/writer.out
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
