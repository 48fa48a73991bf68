#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: DISCARD and WRITE_ZEROES read back as zeros, data around intact
# kernels: all
# groups: quick
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0
# ref: blk
#
# DISCARD and WRITE_ZEROES negotiated, discard_max_bytes and
# write_zeroes_max_bytes non-zero.  Over a pattern: busybox blkdiscard of
# 8 MiB and BLKDISCARD of 1 MiB (the discard counter in
# /sys/block/vblkN/stat grows), BLKZEROOUT of 16 MiB and of one 4 KiB
# block: all four ranges read back as zeros (the raw image has
# discard=unmap, so QEMU punches holes), and every byte around them keeps
# its pattern.  The zero check itself is shown to fail on pattern data.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
q=/sys/block/$DISK/queue
blk_expect_feature "$DISK" 13 1 DISCARD
blk_expect_feature "$DISK" 14 1 WRITE_ZEROES
log "discard_granularity $(cat $q/discard_granularity) discard_max_bytes $(cat $q/discard_max_bytes) write_zeroes_max_bytes $(cat $q/write_zeroes_max_bytes)"
check "$DISK discard_max_bytes > 0" test "$(cat $q/discard_max_bytes)" -gt 0
check "$DISK write_zeroes_max_bytes > 0" test "$(cat $q/write_zeroes_max_bytes)" -gt 0
blkpat_run "$DISK: pattern over the disk" -b 1M -s 71 write "$dev" || return 1
d0=$(awk '{ print $12 }' "/sys/block/$DISK/stat")

# blkdiscard (busybox) 8 MiB at 4 MiB, and BLKDISCARD 1 MiB at 40 MiB.
check "blkdiscard 8 MiB at 4 MiB" blkdiscard -o $((4 * MIB)) -l $((8 * MIB)) "$dev"
blkpat_run "$DISK: BLKDISCARD 1 MiB at 40 MiB" -o 40M -l 1M discard "$dev"
d1=$(awk '{ print $12 }' "/sys/block/$DISK/stat")
check "discard requests completed ($d0 -> $d1)" test "$d1" -gt "$d0"
blkpat_run "$DISK: discarded 8 MiB reads back as zeros" -b 64K -o 4M -l 8M zero "$dev"
blkpat_run "$DISK: discarded 1 MiB reads back as zeros" -b 64K -o 40M -l 1M zero "$dev"

# Write-zeroes: 16 MiB at 20 MiB and one 4 KiB block at 60 MiB.
blkpat_run "$DISK: BLKZEROOUT 16 MiB at 20 MiB" -o 20M -l 16M zeroout "$dev"
blkpat_run "$DISK: BLKZEROOUT 4 KiB at 60 MiB" -o 60M -l 4K zeroout "$dev"
blkpat_run "$DISK: zeroed 16 MiB reads back as zeros" -b 64K -o 20M -l 16M zero "$dev"
blkpat_run "$DISK: zeroed 4 KiB reads back as zeros" -b 4K -o 60M -l 4K zero "$dev"

# Everything else keeps the pattern.
blkpat_run "$DISK: [0, 4M) intact" -b 1M -s 71 -l 4M verify "$dev"
blkpat_run "$DISK: [12M, 20M) intact" -b 1M -s 71 -o 12M -l 8M verify "$dev"
blkpat_run "$DISK: [36M, 40M) intact" -b 1M -s 71 -o 36M -l 4M verify "$dev"
blkpat_run "$DISK: [41M, 60M) intact" -b 1M -s 71 -o 41M -l 19M verify "$dev"
blkpat_run "$DISK: [60M+4K, 64M) intact" -b 4K -s 71 -o $((60 * MIB + 4096)) verify "$dev"
# The zero check can fail: the pattern is not zero.
check_not "$DISK: zero check rejects data" blkpat -b 1M -l 1M zero "$dev"
blk_no_io_errors "$DISK"
blk_unload
