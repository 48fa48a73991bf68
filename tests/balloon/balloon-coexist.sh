#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: vireo_balloon beside the in-kernel virtio_balloon in one boot, the one balloon device handed between them while inflated
# groups: coexist
# boot: virtio
# devices: virtio-balloon-pci,addr=0x4,id=bal0
# memory: 384
# timeout: 360
#
# QEMU refuses a second balloon device ("Only one balloon device is
# supported"), so the two drivers cannot each have a device of their own
# as the console and block drivers do in their coexist tests.  Instead
# both drivers are loaded for the whole boot and the device moves between
# them with vireo-bind while the balloon is inflated:
#   - the in-kernel virtio_balloon (6.1: after the virtio_pci module)
#     takes 00:04.0 at boot and inflates by 64 MiB; vireo's stack loads
#     beside it and leaves the bound device alone;
#   - handed to vireo: virtio_balloon gives every page back on removal,
#     and vireo_balloon must inflate to the host's unchanged target on its
#     own (64 MiB: the guest's count, vireo's num_pages, the host's
#     actual), then follow a new target (128 MiB);
#   - handed back: vireo_balloon gives its pages back, and virtio_balloon
#     inflates to 128 MiB again;
#   - deflated to nothing, MemTotal is what it was at the start, and
#     vireo's stack unloads while virtio_balloon stays bound.

# on DRIVER TO: move the device to DRIVER (vireo-bind --to TO).
on() {
	check "vireo-bind --to $2 $BAL_BDF" run_deadline 30 vireo-bind --to "$2" $BAL_BDF &&
		check "$BAL_BDF on $1" wait_for 15 balloon_bound "$1" || return 1
	BVDEV=$(balloon_vdev_of $BAL_BDF)
}

# holds DRIVER MIB: the balloon holds MIB MiB within 60 s, by the guest's
# count and the host's actual.
holds() {
	if ! balloon_guest_wait $(($2 * 256)) 60; then
		fail "$1: the guest's balloon holds $(balloon_pages) pages after 60 s, want $(($2 * 256))"
		return 1
	fi
	ok "$1: the guest's balloon holds $2 MiB"
	if balloon_wait $((BAL_RAM - $2)) 10; then
		ok "$1: query-balloon actual is $((BAL_RAM - $2)) MiB"
	else
		fail "$1: query-balloon actual is $((${BAL_ACT:-0} / MIB)) MiB, want $((BAL_RAM - $2))"
	fi
}

qmp_back_open
BAL_RAM=$(balloon_query)
BAL_RAM=$((${BAL_RAM:-0} / MIB))
check "query-balloon answers (${BAL_RAM} MiB)" test "$BAL_RAM" -gt 128 || return 1
mt0=$(bal_mem_kb MemTotal)
balloon_kmod_load || return 1
check "$BAL_BDF on virtio_balloon" wait_for 15 balloon_bound virtio_balloon || return 1
check "vireo_balloon.ko is in the image" test -f "$VIREO_KO/vireo_balloon.ko" || return 1
# shellcheck disable=SC2086 # module names: split on purpose
load_stack $BALLOON_MODULES || return 1
check "vireo_balloon loaded beside virtio_balloon leaves the device alone" \
	balloon_bound virtio_balloon

balloon_set $((BAL_RAM - 64))
holds virtio_balloon 64 || return 1

on vireo_balloon vireo || return 1
holds vireo_balloon 64 || return 1
expect_eq "vireo_balloon's num_pages (debugfs)" "$(balloon_counter num_pages)" $((64 * 256))
check "virtio_balloon stays loaded" test -d /sys/module/virtio_balloon
balloon_set $((BAL_RAM - 128))
holds vireo_balloon 128 || return 1
expect_eq "vireo_balloon's num_pages after a new target" "$(balloon_counter num_pages)" $((128 * 256))

on virtio_balloon virtio || return 1
holds virtio_balloon 128 || return 1
balloon_set "$BAL_RAM"
holds virtio_balloon 0 || return 1
expect_eq "MemTotal is back (kB)" "$(bal_mem_kb MemTotal)" "$mt0"

# shellcheck disable=SC2086 # module names: split on purpose
unload_stack $BALLOON_MODULES || return 1
check_not "no /sys/bus/vireo" test -e /sys/bus/vireo
check "$BAL_BDF still on virtio_balloon" balloon_bound virtio_balloon
