#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: unusual but legal device limits: discard and write-zeroes still work
# kernels: all
# groups: fault
# devices: img:d0:64M
# devices: virtio-blk-pci,addr=0x6,drive=d0,logical_block_size=4096,physical_block_size=4096,discard_granularity=65536,max-discard-sectors=16,max-write-zeroes-sectors=4,queue-size=4
# timeout: 600
# ref: blk
#
# Unusual but legal device options: 4 KiB logical blocks, a 4-entry ring
# (seg_max 2), a discard limit of 8 KiB below a 64 KiB discard
# granularity, and a write-zeroes limit of 2 KiB, below one block.
# vireo_blk must derive limits the block layer can honour: discards
# shrink their granularity to fit the limit and succeed, write-zeroes is
# turned off with one message (BLKZEROOUT then writes zeros), and data
# reads back correctly.  A driver that passed these limits through as
# they are makes every discard fail and every BLKZEROOUT send misaligned
# requests the device refuses.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
q=/sys/block/$DISK/queue
log "lbs $(cat $q/logical_block_size) discard_granularity $(cat $q/discard_granularity) discard_max_bytes $(cat $q/discard_max_bytes) write_zeroes_max_bytes $(cat $q/write_zeroes_max_bytes) max_segments $(cat $q/max_segments) nr_requests $(cat $q/nr_requests)"
expect_eq "$DISK logical block size" "$(cat $q/logical_block_size)" 4096
expect_eq "$DISK discard limit (bytes)" "$(cat $q/discard_max_bytes)" 8192
check "$DISK discard granularity fits the limit" \
	test "$(cat $q/discard_granularity)" -le 8192
expect_eq "$DISK write-zeroes off" "$(cat $q/write_zeroes_max_bytes)" 0
check "one message says why write-zeroes is off" \
	sh -c "dmesg | grep -c 'write-zeroes limit of 4 sectors is below one 4096-byte block' | grep -qx 1"

blk_pattern "$dev" 500
blkpat_run "$DISK: pattern over the disk" -b 64K -s 81 write "$dev" || return 1
blkpat_run "$DISK: BLKDISCARD 1 MiB at 4 MiB" -o 4M -l 1M discard "$dev"
blkpat_run "$DISK: discarded 1 MiB reads back as zeros" -b 64K -o 4M -l 1M zero "$dev"
blkpat_run "$DISK: BLKZEROOUT 2 MiB at 8 MiB" -o 8M -l 2M zeroout "$dev"
blkpat_run "$DISK: zeroed 2 MiB reads back as zeros" -b 64K -o 8M -l 2M zero "$dev"
blkpat_run "$DISK: [0, 4M) intact" -b 64K -s 81 -l 4M verify "$dev"
blkpat_run "$DISK: [5M, 8M) intact" -b 64K -s 81 -o 5M -l 3M verify "$dev"
blkpat_run "$DISK: [10M, 64M) intact" -b 64K -s 81 -o 10M verify "$dev"
blk_no_io_errors "$DISK"
blk_unload
