#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: vireo-bind.service's script: bind.conf entries to vireo-bind and modprobe calls, bad lines refused
# kind: host
# groups: pkg quick
# timeout: 30
#
# tools/pkg/vireo-bind-boot against a fake sysfs (VIREO_BIND_SYSFS) with
# a legacy rng, a legacy block, a modern block and a legacy net function,
# vireo-bind and modprobe replaced by recorders (VIREO_BIND, MODPROBE):
#  - "rng", "00:07.0" and "block" (comments, blank lines) bind exactly
#    the three legacy functions in one vireo-bind call, then load
#    vireo_pci and the three drivers; the modern function is left alone;
#  - an empty configuration does nothing and succeeds;
#  - an unknown word, two entries on a line, or a missing function each
#    fail with a message naming the line, before anything is called.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "not ok: $*" >&2; exit 1; }

for f in "0000:00:04.0 0x1005 0x0004" "0000:00:05.0 0x1001 0x0002" \
	"0000:00:06.0 0x1042 0x0002" "0000:00:07.0 0x1000 0x0001"; do
	read -r bdf dev sub <<<"$f"
	d=$T/sys/bus/pci/devices/$bdf
	mkdir -p "$d"
	echo 0x1af4 >"$d/vendor"
	echo "$dev" >"$d/device"
	echo "$sub" >"$d/subsystem_device"
done
printf '#!/bin/sh\necho "bind $*" >>%s/calls\n' "$T" >"$T/bind"
printf '#!/bin/sh\necho "modprobe $*" >>%s/calls\n' "$T" >"$T/modprobe"
chmod +x "$T/bind" "$T/modprobe"

run() {
	rm -f "$T/calls"
	touch "$T/calls"
	VIREO_BIND_SYSFS=$T/sys VIREO_BIND=$T/bind MODPROBE=$T/modprobe \
		"$TOP/tools/pkg/vireo-bind-boot" "$T/conf"
}

printf '# a comment\nrng\n00:07.0\n\nblock  # disks\n' >"$T/conf"
run >"$T/out" 2>&1 || { cat "$T/out"; fail "a good configuration failed"; }
want='bind --to vireo 0000:00:04.0 0000:00:07.0 0000:00:05.0
modprobe vireo_pci
modprobe vireo_net
modprobe vireo_blk
modprobe vireo_rng'
[[ $(cat "$T/calls") == "$want" ]] ||
	{ cat "$T/calls"; fail "calls differ from what bind.conf asks"; }
echo "ok: rng, a BDF and block: three functions bound, four modules loaded"

printf '# nothing\n' >"$T/conf"
run >/dev/null || fail "an empty configuration failed"
[[ ! -s $T/calls ]] || fail "an empty configuration called: $(cat "$T/calls")"
echo "ok: an empty configuration does nothing"

for bad in 'rng\nfoo\n' 'rng net\n' '00:09.0\n'; do
	printf '%b' "$bad" >"$T/conf"
	if run >"$T/out" 2>&1; then
		fail "bind.conf '$bad' accepted"
	fi
	grep -q 'vireo-bind-boot: error: .*conf' "$T/out" ||
		{ cat "$T/out"; fail "no clear message for '$bad'"; }
	[[ ! -s $T/calls ]] || fail "'$bad': called $(cat "$T/calls") before refusing"
	echo "ok: refused: $(cat "$T/out")"
done
