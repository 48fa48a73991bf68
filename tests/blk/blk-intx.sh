#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the blk-pattern run over INTx (vectors=0, no MSI-X)
# kernels: all
# groups: irq
# devices: img:d0:256M virtio-blk-pci,addr=0x6,drive=d0,vectors=0
# timeout: 600
# ref: blk
#
# vectors=0 on a 256 MiB disk: the device has no MSI-X, so every queue
# shares the INTx line.  The pattern run of blk-pattern must pass; the
# vireoN line is on the IO-APIC and counted interrupts, no vireo line is
# on PCI-MSI.

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
