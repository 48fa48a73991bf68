#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: two queues, two vectors: one for config, one shared by the queues
# kernels: all
# groups: irq
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,num-queues=2,vectors=2
# ref: blk
#
# num-queues=2,vectors=2: too few vectors for one per queue (that needs
# three), so vireo_pci must take the middle rung of its interrupt ladder:
# vireoN-config and one vireoN-virtqueues vector shared by both queues,
# both on PCI-MSI, no vireoN-req.0 line, nothing on the IO-APIC.  The
# pattern run of blk-pattern must pass over the shared vector.

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
