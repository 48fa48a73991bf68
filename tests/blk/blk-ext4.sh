#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: ext4 on a vireo disk survives a remount and a forced fsck
# kernels: all
# groups: fs
# devices: img:d0:256M virtio-blk-pci,addr=0x6,drive=d0
# timeout: 300
# ref: blk
# needs: /usr/sbin/mke2fs /usr/sbin/e2fsck
#
# mkfs.ext4 on a 256 MiB disk (the real e2fsprogs in the initramfs, no
# lazy init), mount, 4 files of 16 MiB (blkpat -B patterns, fsynced) and
# 64 small ones, sync, md5sum of all, unmount, drop caches, remount: the
# same 68 files with the same checksums, and the big files still hold
# their patterns; after unmounting, e2fsck -f -n finds the file system
# clean.  ext4 and its dependencies come from the kernel's own modules
# (kmod_load).  A real file system sends the mix of request sizes,
# flushes and metadata I/O that pattern tests do not.

kmod_load || return 1
blk_load || return 1
blk_wait_disk $BLK_BDF || return 1
blk_expect_driver "$DISK"
dev=/dev/$DISK
mkdir -p /mnt
check "mkfs.ext4 $dev" run_deadline 120 \
	mkfs.ext4 -F -q -E lazy_itable_init=0,lazy_journal_init=0 "$dev" || return 1
check "mount $dev" run_deadline 60 mount -t ext4 "$dev" /mnt || return 1
mkdir -p /mnt/a/b
i=1
while [ $i -le 4 ]; do
	blkpat_run "16 MiB file f$i" -B -b 256K -s $((40 + i)) -l 16M write /mnt/a/b/f$i
	i=$((i + 1))
done
# Some small files and a directory tree as well.
i=0
while [ $i -lt 64 ]; do
	echo "small file $i" >/mnt/a/s$i
	i=$((i + 1))
done
check "sync" run_deadline 60 sync
(cd /mnt && find . -type f | sort | xargs md5sum) >/tmp/sums
log "$(wc -l </tmp/sums) files, $(du -sk /mnt | cut -f1) KiB"
check "umount" run_deadline 60 umount /mnt || return 1
echo 3 >/proc/sys/vm/drop_caches
check "remount $dev" run_deadline 60 mount -t ext4 "$dev" /mnt || return 1
(cd /mnt && find . -type f | sort | xargs md5sum) >/tmp/sums2
expect_eq "files after remount" "$(wc -l </tmp/sums2)" 68
if cmp -s /tmp/sums /tmp/sums2; then
	ok "checksums match after remount"
else
	fail "checksums differ after remount:"
	diff /tmp/sums /tmp/sums2 | head -n 10 | diag_lines
fi
i=1
while [ $i -le 4 ]; do
	blkpat_run "f$i holds its pattern" -B -b 256K -s $((40 + i)) verify /mnt/a/b/f$i
	i=$((i + 1))
done
check "umount again" run_deadline 60 umount /mnt || return 1
check "e2fsck -f -n: clean" run_deadline 120 e2fsck -f -n "$dev"
diag_lines </tmp/.check-out
blk_no_io_errors "$DISK"
blk_unload
