#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: a bound disk grows from 64 to 128 MiB through QMP block_resize
# kernels: all
# groups: quick
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
# ref: blk
#
# After a pattern over the disk, QMP block_resize of node d0 to 128 MiB
# while the driver is bound: within 30 s the disk's size is 128 MiB (the
# config-change interrupt, handled in process context), a new open sees
# it, the first 64 MiB still verify, the new 64 MiB take a pattern write
# and read-back, and I/O past the new end fails.  No reload.

NODE=d0
blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
expect_eq "$DISK capacity before" "$(blk_bytes "$DISK")" $((64 * MIB))
blkpat_run "$DISK: pattern over the first 64 MiB" -b 1M -s 51 write "$dev"

qmp "{\"execute\": \"block_resize\", \"arguments\": {\"node-name\": \"$NODE\", \"size\": $((128 * MIB))}}"
if wait_for 30 blk_bytes_is "$DISK" $((128 * MIB)); then
	ok "$DISK grew to $(blk_bytes "$DISK") bytes"
else
	fail "$DISK capacity after block_resize: $(blk_bytes "$DISK"), want $((128 * MIB))"
	return 1
fi
dmesg | grep -iE "$DISK.*(capacity|size)" | diag_lines
expect_eq "$dev size through a new open" "$(blockdev --getsize64 "$dev")" $((128 * MIB))
blkpat_run "$DISK: old 64 MiB intact" -b 1M -s 51 -l 64M verify "$dev"
blkpat_run "$DISK: pattern write of the new 64 MiB" -b 64K -s 52 -o 64M write "$dev"
blkpat_run "$DISK: read-back of the new 64 MiB" -b 64K -s 52 -o 64M verify "$dev"
check_not "$DISK: no I/O past the new end" blkpat -b 4K -o 128M -l 4K write "$dev"
blk_no_io_errors "$DISK"
blk_unload
