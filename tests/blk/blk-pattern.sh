#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: O_DIRECT pattern over a whole 256 MiB disk at three block sizes
# kernels: all
# groups: stress flavours
# devices: img:d0:256M virtio-blk-pci,addr=0x6,drive=d0
# timeout: 600
# ref: blk
#
# The basic data-integrity test (blk_pattern, which blk-intx,
# blk-noindirect, blk-msix2, blk-limits, blk-mem and blk-coexist reuse):
# over the whole disk an O_DIRECT pattern write then read-back at 4 KiB,
# 64 KiB and 1 MiB, each with its own seed.  blkpat writes a pattern
# whose every 8-byte word is a hash of a seed and its byte offset, so
# misplaced, lost (left from an earlier seed) or corrupted data all show.
# Then the verifier proves it can fail: one 4 KiB block overwritten with
# another seed must be reported as exactly 8 bad sectors at its offset;
# after repairing it the disk verifies again.  Then a clean unload.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
expect_eq "$DISK capacity" "$(blk_bytes "$DISK")" $((256 * MIB))
blk_pattern "/dev/$DISK"
blk_no_io_errors "$DISK"
blk_irq_show
blk_unload
