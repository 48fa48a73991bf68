# SPDX-License-Identifier: GPL-2.0
# Scenario blk-ro (issue 4, scenario 3): a readonly=on backend, so QEMU
# offers VIRTIO_BLK_F_RO.  The disk must be marked read-only, writes
# must fail with an error (even after BLKROSET asks for read-write),
# and reads must work.

blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
blk_expect_feature "$DISK" 5 1 RO
expect_eq "/sys/block/$DISK/ro" "$(cat "/sys/block/$DISK/ro")" 1
expect_eq "BLKROGET on $dev" "$(blockdev --getro "$dev")" 1
blkpat_run "$DISK: O_DIRECT read of the whole disk (zeros)" -b 64K zero "$dev"
check_not "$DISK: O_DIRECT write fails" blkpat -b 4K -l 4K write "$dev"
sed 's/^/VIREO-INFO:   | /' /tmp/.check-out
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
