# SPDX-License-Identifier: GPL-2.0
# Scenario blk-intx (issue 4, scenario 8): vectors=0, so the device has
# no MSI-X and every queue shares the INTx line; scenario 2 must pass.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
v=$(blk_vdev "$DISK")
expect_eq "$DISK capacity" "$(blk_bytes "$DISK")" $((256 * MIB))
blk_pattern "/dev/$DISK"
blk_irq_show
check "$v is on the IO-APIC (no MSI-X)" irq_on "$v" IO-APIC
check "$v handled interrupts ($(irq_count "$v"))" test "$(irq_count "$v")" -gt 0
check_not "no $v line on PCI-MSI" irq_on "${v}[0-9a-z.-]*" PCI-MSI
blk_no_io_errors "$DISK"
blk_unload
