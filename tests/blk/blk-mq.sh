#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: two queues with a vector each: I/O completes on its CPU's queue
# kernels: all
# groups: quick irq
# devices: img:d0:64M virtio-blk-pci,addr=0x6,drive=d0,num-queues=2
# ref: blk
#
# num-queues=2 with two vCPUs.  MQ negotiated, two hardware queues in
# /sys/block/vblkN/mq, each with its own MSI-X vector (vireoN-req.0 and
# vireoN-req.1 on PCI-MSI).  4 MiB of 4 KiB O_DIRECT writes pinned with
# taskset to each CPU in turn must raise the interrupt count of the queue
# whose cpu_list holds that CPU by at least 512 (1024 requests at queue
# depth 1, give or take coalescing); both queues end with interrupts, and
# both ranges verify.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
v=$(blk_vdev "$DISK")
blk_expect_feature "$DISK" 12 1 MQ
nq=$(ls -d /sys/block/$DISK/mq/* | wc -l)
expect_eq "$DISK hardware queues" "$nq" 2
blk_irq_show
for k in 0 1; do
	check "$v-req.$k is an MSI-X vector" irq_on "$v-req.$k" PCI-MSI
	log "mq/$k cpu_list: $(cat /sys/block/$DISK/mq/$k/cpu_list)"
done

# cpu_queue CPU: the hardware queue whose cpu_list holds CPU.
cpu_queue() {
	for _k in 0 1; do
		tr ',' '\n' <"/sys/block/$DISK/mq/$_k/cpu_list" | grep -qx "$1" &&
			echo "$_k" && return 0
	done
	echo none
}
for cpu in 0 1; do
	k=$(cpu_queue $cpu)
	if [ "$k" = none ]; then
		fail "CPU $cpu is in no queue's cpu_list"
		continue
	fi
	before=$(irq_count "$v-req.$k")
	BLKPAT_WRAP="taskset -c $cpu"
	blkpat_run "4 MiB of 4 KiB O_DIRECT writes on CPU $cpu" \
		-b 4K -s $((80 + cpu)) -o $((cpu * 16))M -l 4M write "$dev"
	BLKPAT_WRAP=
	after=$(irq_count "$v-req.$k")
	# 1024 requests at queue depth 1: one completion interrupt each,
	# give or take coalescing.
	check "CPU $cpu's I/O completed on $v-req.$k ($before -> $after interrupts)" \
		test $((after - before)) -ge 512
done
# Both queues carried I/O, and the data is right.
for k in 0 1; do
	check "$v-req.$k handled interrupts ($(irq_count "$v-req.$k"))" \
		test "$(irq_count "$v-req.$k")" -gt 0
done
blkpat_run "CPU 0's data" -b 1M -s 80 -l 4M verify "$dev"
blkpat_run "CPU 1's data" -b 1M -s 81 -o 16M -l 4M verify "$dev"
blk_irq_show
blk_no_io_errors "$DISK"
blk_unload
