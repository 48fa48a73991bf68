# SPDX-License-Identifier: GPL-2.0
# Scenario blk-noindirect (issue 4, scenario 9): indirect_desc=off, so
# each request takes header + data + status descriptors in the ring
# itself (and the tag depth must allow for that); scenario 2 must pass.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
blk_expect_feature "$DISK" 28 0 INDIRECT_DESC
log "nr_requests $(cat /sys/block/$DISK/queue/nr_requests), max_segments $(cat /sys/block/$DISK/queue/max_segments)"
expect_eq "$DISK capacity" "$(blk_bytes "$DISK")" $((256 * MIB))
blk_pattern "/dev/$DISK"
blk_no_io_errors "$DISK"
blk_unload
