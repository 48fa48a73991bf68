# SPDX-License-Identifier: GPL-2.0
# Scenario blk-msix2: two request queues but vectors=2, too few for a
# vector per queue (that needs 3), so vireo_pci must take the middle rung
# of its ladder: one MSI-X vector for config changes and one shared by
# both queues. The pattern run must pass on the shared vector.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
v=$(blk_vdev "$DISK")
blk_pattern "/dev/$DISK"
blk_irq_show
check "$v-virtqueues is on PCI-MSI" irq_on "$v-virtqueues" PCI-MSI
check "$v-virtqueues handled interrupts ($(irq_count "$v-virtqueues"))" \
	test "$(irq_count "$v-virtqueues")" -gt 0
check "$v-config is on PCI-MSI" irq_on "$v-config" PCI-MSI
check_not "no per-queue vector $v-req.0" irq_on "$v-req.0" PCI-MSI
check_not "$v is not on the IO-APIC" irq_on "$v" IO-APIC
blk_no_io_errors "$DISK"
blk_unload
