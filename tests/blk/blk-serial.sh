#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: serial number and 4 KiB logical/physical blocks reach the disk
# kernels: all
# groups: quick
# devices: img:d0:64M
# devices: virtio-blk-pci,addr=0x6,drive=d0,serial=VIREO-SER-42,logical_block_size=4096,physical_block_size=4096
# ref: blk
#
# serial=VIREO-SER-42 (GET_ID) shows in /sys/block/vblkN/serial.  BLK_SIZE
# and TOPOLOGY are negotiated; logical_block_size, physical_block_size,
# hw_sector_size and minimum_io_size are 4096, as are BLKSSZGET and
# BLKPBSZGET; so a 512-byte O_DIRECT write is refused and 4 KiB pattern
# I/O works.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
q=/sys/block/$DISK/queue
blk_expect_feature "$DISK" 6 1 BLK_SIZE
blk_expect_feature "$DISK" 10 1 TOPOLOGY
expect_eq "$DISK serial" "$(cat "/sys/block/$DISK/serial" 2>/dev/null)" VIREO-SER-42
expect_eq "$DISK logical_block_size" "$(cat $q/logical_block_size)" 4096
expect_eq "$DISK physical_block_size" "$(cat $q/physical_block_size)" 4096
expect_eq "$DISK hw_sector_size" "$(cat $q/hw_sector_size)" 4096
expect_eq "$DISK minimum_io_size" "$(cat $q/minimum_io_size)" 4096
expect_eq "BLKSSZGET/BLKPBSZGET" "$(blkpat size "$dev" | cut -d' ' -f4,6)" "4096 4096"
expect_eq "$DISK capacity" "$(blk_bytes "$DISK")" $((64 * MIB))
check_not "$DISK: 512-byte O_DIRECT write refused" blkpat -b 512 -l 512 write "$dev"
diag_lines </tmp/.check-out
blkpat_run "$DISK: 4 KiB O_DIRECT write" -b 4K -s 31 -l 8M write "$dev"
blkpat_run "$DISK: 4 KiB O_DIRECT read-back" -b 4K -s 31 -l 8M verify "$dev"
blkpat_run "$DISK: 1 MiB O_DIRECT read-back" -b 1M -s 31 -l 8M verify "$dev"
blk_no_io_errors "$DISK"
blk_unload
