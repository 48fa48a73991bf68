#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [--kver K]   (make run)
#
# Boot one target kernel (default: the newest one whose modules are
# built, 6.12 first) under QEMU with one legacy virtio-rng, load the
# vireo stack and show what is bound and that vireo_rng produces data
# (guest script tools/guest/demo.sh).  With a terminal on stdin and
# stdout, then drop into a busybox shell in the guest ("exit" powers it
# off; Ctrl-a x quits QEMU).  Exits non-zero if the demo showed no data.
# The console is also saved to build/logs/<kver>/demo.log.
set -uo pipefail

# shellcheck source=tools/vm/scenarios.sh
. "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"

die() { echo "demo: error: $*" >&2; exit 2; }

kver=
while [[ $# -gt 0 ]]; do
	case $1 in
	--kver) kver=${2:?--kver needs a value}; shift 2 ;;
	--kver=*) kver=${1#*=}; shift ;;
	-h | --help) sed -n '4,13p' "$0"; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
done

if [[ -z $kver ]]; then
	# Newest first (sort -V puts 6.12 after 6.1); first with modules.
	for k in $(vm_kvers | sort -rV); do
		if [[ -z $(vm_missing_modules "$k") ]]; then
			kver=$k
			break
		fi
	done
	[[ -n $kver ]] || die "no kernel has all vireo modules built (run make)"
fi
[[ -f /boot/vmlinuz-$kver ]] || die "no /boot/vmlinuz-$kver"
missing=$(vm_missing_modules "$kver" | paste -sd ' ')
[[ -z $missing ]] || die "modules not built for $kver: $missing"

vm_scenario_get demo || die "no demo scenario in tools/vm/scenarios.sh"
initrd=$(vm_initramfs "$kver" 2>/dev/null) || die "initramfs build failed"
log=$VIREO_BUILD/logs/$kver/demo.log
mkdir -p "$(dirname "$log")"
# Per-boot scratch directory (QMP socket, disk images), removed on exit.
vm_scratch_new
trap vm_scratch_rm EXIT

if [[ -t 0 && -t 1 ]]; then
	vm_qemu_cmd "$kver" "$initrd" "vireo.interactive=1" || die "bad demo row"
	echo "demo: booting $kver under QEMU (TCG, ~10 s)."
	echo "demo: after the demo you get a guest shell; 'exit' powers off," \
		"Ctrl-a x quits QEMU."
	# mon:stdio multiplexes the QEMU monitor, which provides Ctrl-a x.
	"${VM_CMD[@]}" -serial mon:stdio 2>&1 | tee "$log"
else
	vm_qemu_cmd "$kver" "$initrd" "" || die "bad demo row"
	echo "demo: booting $kver under QEMU (TCG, ~10 s), non-interactive."
	timeout -k 10 "$(vm_scenario_timeout)" "${VM_CMD[@]}" -serial stdio \
		</dev/null 2>&1 | tee "$log"
fi

if tr -d '\r' <"$log" | grep -qx 'VIREO-RESULT: PASS'; then
	echo "demo: OK (console log: $(vm_rel "$log"))"
	exit 0
fi
echo "demo: FAILED: vireo_rng did not show data (console log: $(vm_rel "$log"))" >&2
exit 1
