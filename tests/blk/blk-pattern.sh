# SPDX-License-Identifier: GPL-2.0
# Scenario blk-pattern (issue 4, scenario 2): one 256 MiB disk.  An
# O_DIRECT pattern write and read-back over the whole disk at 4 KiB,
# 64 KiB and 1 MiB (blk_pattern), with a self-test that the verifier
# catches a block overwritten behind its back.  Then a clean unload.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
expect_eq "$DISK capacity" "$(blk_bytes "$DISK")" $((256 * MIB))
blk_pattern "/dev/$DISK"
blk_no_io_errors "$DISK"
blk_irq_show
blk_unload
