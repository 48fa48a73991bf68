#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the blk-pattern run with direct descriptors only (indirect_desc=off)
# kernels: all
# devices: img:d0:256M virtio-blk-pci,addr=0x6,drive=d0,indirect_desc=off
# timeout: 600
# ref: blk
#
# indirect_desc=off on a 256 MiB disk: feature bit 28 is not negotiated,
# so each request takes header + data + status descriptors in the ring
# itself (and the tag depth must allow for that).  The pattern run of
# blk-pattern must pass.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
blk_expect_feature "$DISK" 28 0 INDIRECT_DESC
log "nr_requests $(cat /sys/block/$DISK/queue/nr_requests), max_segments $(cat /sys/block/$DISK/queue/max_segments)"
expect_eq "$DISK capacity" "$(blk_bytes "$DISK")" $((256 * MIB))
blk_pattern "/dev/$DISK"
blk_no_io_errors "$DISK"
blk_unload
