#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: instructions per I/O of vireo_blk and virtio_blk, on disks with a fixed latency
# kernels: 6.12
# groups: bench
# devices: blockdev:driver=null-co,node-name=nullA,size=4294967296,latency-ns=1000000
# devices: blockdev:driver=null-co,node-name=nullB,size=4294967296,latency-ns=1000000
# devices: virtio-blk-pci,addr=0x6,drive=nullA virtio-blk-pci,addr=0x7,drive=nullB
# timeout: 1200
# boot: virtio
#
# bench/blk.sh's instruction-count pass alone (BLK_INSN_ONLY=1), on two
# null-co disks that complete each request after a fixed delay instead
# of at once (1 ms).  With an instant backend the device's completion races
# the guest on its way to sleep: whether the submitting vCPU goes idle
# (and pays for entering and leaving idle) before the interrupt arrives
# depends on how the host schedules QEMU's threads, and the instructions
# per I/O moved by a third between runs.  With the delay the guest
# always sleeps before the completion, and a batch completes together,
# so the counts depend on the work alone.  Only that the I/O works is
# checked.  Documentation/blk-bench.rst, "Instruction counts".

BLK_INSN_ONLY=1
. /lib/vireo/tests/blk.sh
