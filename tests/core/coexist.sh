#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: in-kernel virtio-rng and vireo_rng side by side; vireo-bind both ways
# kernels: 6.12
# groups: coexist rng
# devices: virtio-rng-pci,addr=0x4 virtio-rng-pci,addr=0x5
# boot: virtio
#
# Boots without initcall_blacklist, so the in-kernel virtio-pci owns both
# devices at boot.  vireo-bind --to vireo 0000:00:05.0 before vireo_pci is
# loaded must leave 00:05.0 unbound (held by its driver_override); after
# loading the in-kernel virtio-rng.ko and the vireo stack, 00:04.0 is on
# virtio-pci, 00:05.0 on vireo_pci, rng_available lists virtio_rng.0 and
# vireo_rng.0, and 256 KiB read through each are random-looking and
# differ.  Then, with vireo_rng still loaded, vireo-bind --to virtio
# 0000:00:05.0 must hand the device back: 00:05.0 is on virtio-pci again,
# no vireo device is left, vireo_rng.0 is gone and two virtio_rng hwrngs
# exist; the vireo stack unloads cleanly and 00:05.0 stays on virtio-pci.
# 6.12 only: on 6.1 the in-kernel virtio_pci is a module that is never
# loaded.

A=0000:00:04.0
B=0000:00:05.0
expect_eq "$A driver at boot" "$(pci_driver $A)" virtio-pci
expect_eq "$B driver at boot" "$(pci_driver $B)" virtio-pci
check "vireo-bind present" test -x /bin/vireo-bind || return 1
# Move B before vireo_pci exists: the override must keep B free until
# vireo_pci registers and then hand it over.
check "vireo-bind --to vireo $B (vireo_pci not loaded)" \
	run_deadline 30 vireo-bind --to vireo $B
expect_eq "$B driver before vireo_pci is loaded" "$(pci_driver $B)" none
check "insmod virtio-rng (in-kernel driver)" insmod $VIREO_KO/virtio-rng.ko
load_stack || return 1
wait_for 5 vireo_dev_of $B
run_deadline 10 vireo-bind --list | diag_lines "vireo-bind: "
expect_eq "$A driver" "$(pci_driver $A)" virtio-pci
expect_eq "$B driver" "$(pci_driver $B)" vireo_pci
dev=$(vireo_dev_of $B) && check_vireo_dev "$dev" 0x0004
log "rng_available: $(cat "$RNG_SYS/rng_available")"
check "virtio_rng.0 in rng_available" rng_available_has virtio_rng.0
check "vireo_rng.0 in rng_available" rng_available_has vireo_rng.0
for r in virtio_rng.0 vireo_rng.0; do
	if rng_read $r 262144 /tmp/$r; then
		check_random /tmp/$r "$r 256 KiB"
	fi
done
[ -f /tmp/virtio_rng.0 ] && [ -f /tmp/vireo_rng.0 ] &&
	check_not "the two drivers' data differ" cmp -s /tmp/virtio_rng.0 /tmp/vireo_rng.0

# The way back, with vireo_rng still loaded: unbinding vireo_pci must
# tear the hwrng down, and virtio-pci must take the device again.
check "vireo-bind --to virtio $B" run_deadline 30 vireo-bind --to virtio $B
wait_for 5 pci_driver_is $B virtio-pci
expect_eq "$B driver after moving back" "$(pci_driver $B)" virtio-pci
expect_eq "$A driver still" "$(pci_driver $A)" virtio-pci
expect_eq "vireo devices left" "$(vireo_dev_count)" 0
check_not "vireo_rng.0 gone" rng_available_has vireo_rng.0
log "rng_available: $(cat "$RNG_SYS/rng_available")"
nvirtio=$(tr ' ' '\n' <"$RNG_SYS/rng_available" | grep -c '^virtio_rng\.')
expect_eq "virtio_rng hwrngs after moving back" "$nvirtio" 2
unload_stack || return 1
check_clean
expect_eq "$B driver after unloading vireo" "$(pci_driver $B)" virtio-pci
