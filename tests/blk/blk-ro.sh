#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: a read-only backend: the disk is read-only, writes fail, reads work
# kernels: all
# groups: quick
# devices: img:d0:64M:read-only=on virtio-blk-pci,addr=0x6,drive=d0
# ref: blk
#
# A read-only=on backend node, so QEMU offers VIRTIO_BLK_F_RO.  Feature
# bit 5 (RO) is negotiated, /sys/block/vblkN/ro and BLKROGET are 1; the
# whole disk reads (as zeros); an O_DIRECT write and a buffered dd write
# fail with an error, also after blockdev --setrw (BLKROSET): the
# driver's read-only flag must win over the user's; an rw mount fails.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
blk_expect_feature "$DISK" 5 1 RO
expect_eq "/sys/block/$DISK/ro" "$(cat "/sys/block/$DISK/ro")" 1
expect_eq "BLKROGET on $dev" "$(blockdev --getro "$dev")" 1
blkpat_run "$DISK: O_DIRECT read of the whole disk (zeros)" -b 64K zero "$dev"
check_not "$DISK: O_DIRECT write fails" blkpat -b 4K -l 4K write "$dev"
diag_lines </tmp/.check-out
check_not "$DISK: buffered write fails" \
	sh -c "dd if=/dev/zero of=$dev bs=4k count=1 conv=fsync 2>&1"
# The driver's read-only flag must win over a user's BLKROSET.
blockdev --setrw "$dev" 2>/dev/null
check_not "$DISK: O_DIRECT write still fails after blockdev --setrw" \
	blkpat -b 4K -l 4K write "$dev"
expect_eq "/sys/block/$DISK/ro after --setrw" "$(cat "/sys/block/$DISK/ro")" 1
mkdir -p /mnt
check_not "$DISK: read-write mount fails" mount -t ext4 -o rw "$dev" /mnt
blkpat_run "$DISK: reads still work" -b 1M zero "$dev"
blk_unload
