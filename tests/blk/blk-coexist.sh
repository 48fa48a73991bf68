#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: vireo_blk and the in-kernel virtio_blk on two disks in one guest
# kernels: 6.12
# groups: coexist
# devices: img:d0:256M img:d1:256M virtio-blk-pci,addr=0x6,drive=d0 virtio-blk-pci,addr=0x7,drive=d1
# timeout: 900
# boot: virtio
#
# The in-kernel virtio-pci owns both 256 MiB disks at boot.  vireo-bind
# --to vireo 0000:00:06.0, then the in-kernel virtio_blk.ko and the vireo
# stack: vblk0 on 00:06.0 (bound to vireo_pci) and vdX on 00:07.0
# (virtio-pci); the pattern run of blk-pattern passes on both, one after
# the other.  Then virtio_blk is removed: its disk goes, vblk0 stays and
# still verifies; the stack unloads.  6.12 only, like coexist: on 6.1 the
# in-kernel virtio_pci is a module that is never loaded.

A=0000:00:06.0
B=0000:00:07.0
expect_eq "$A driver at boot" "$(pci_driver $A)" virtio-pci
expect_eq "$B driver at boot" "$(pci_driver $B)" virtio-pci
check "vireo-bind --to vireo $A" run_deadline 30 vireo-bind --to vireo $A || return 1
check "insmod virtio_blk (in-kernel driver)" \
	run_deadline 60 insmod "$VIREO_KO/virtio_blk.ko" || return 1
# shellcheck disable=SC2086 # module names: split on purpose
load_stack $BLK_MODULES || return 1
blk_wait_disk $A || return 1
va=$DISK
blk_wait_disk $B || return 1
vb=$DISK
expect_eq "$A driver" "$(pci_driver $A)" vireo_pci
expect_eq "$B driver" "$(pci_driver $B)" virtio-pci
case $va in vblk[0-9]*) ok "$A has vireo disk $va" ;; *) fail "$A has disk '$va', not vblkN" ;; esac
case $vb in vd[a-z]*) ok "$B has in-kernel disk $vb" ;; *) fail "$B has disk '$vb', not vdX" ;; esac
blk_pattern "/dev/$va" 200
blk_pattern "/dev/$vb" 300
blk_irq_show
blk_no_io_errors "$va"
blk_no_io_errors "$vb"
check "rmmod virtio_blk" run_deadline 30 rmmod virtio_blk
check_not "$vb gone" test -e "/sys/block/$vb"
check "$va still there" test -e "/sys/block/$va"
blkpat_run "$va still reads its data" -b 1M -s 203 verify "/dev/$va"
# shellcheck disable=SC2086 # module names: split on purpose
unload_stack $BLK_MODULES
check_not "$va gone" test -e "/sys/block/$va"
