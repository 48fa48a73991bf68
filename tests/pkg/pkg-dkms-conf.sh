#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: dkms.conf lists the modules drivers/Kbuild builds for a kernel: a driver whose option is missing is left out
# kind: host
# groups: pkg quick
# timeout: 30
#
# debian/vireo-dkms.dkms is sourced as DKMS 3.0 does it (bash, with
# kernel_config naming the kernel's .config):
#  - every option present, or no .config to read: all eight modules,
#    each at the location whose Kbuild builds it, indices 0..7 with no
#    gap (DKMS counts them);
#  - for each driver that drivers/Kbuild leaves out (its vireo_skip
#    lines name the module and the option): that .config without the
#    option gives the other seven, so DKMS installs them instead of
#    failing the kernel's whole build for the one module missing.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "not ok: $*" >&2; exit 1; }
CONF=$TOP/debian/vireo-dkms.dkms

# modules KCONFIG: "NAME@LOCATION ..." as DKMS reads them for KCONFIG.
modules() {
	(
		# shellcheck disable=SC2034 # DKMS's variables, read by $CONF
		{
			kernelver=6.12.0-test arch=x86_64 dkms_tree=/var/lib/dkms
			kernel_source_dir=$T kernel_config=$1
		}
		# shellcheck disable=SC1090
		. "$CONF"
		n=${#BUILT_MODULE_NAME[@]}
		for ((i = 0; i < n; i++)); do
			[[ -n ${BUILT_MODULE_NAME[i]:-} ]] || { echo "gap at $i"; exit; }
			[[ ${DEST_MODULE_LOCATION[i]:-} == /updates/dkms ]] ||
				{ echo "DEST_MODULE_LOCATION[$i] is '${DEST_MODULE_LOCATION[i]:-}'"; exit; }
			printf '%s@%s ' "${BUILT_MODULE_NAME[i]}" "${BUILT_MODULE_LOCATION[i]}"
		done
	)
}

# The drivers drivers/Kbuild may leave out, as "module option" lines.
mapfile -t SKIPS < <(sed -n 's/.*call vireo_skip,\(vireo_[a-z]*\),\(CONFIG_[A-Z0-9_]*\).*/\1 \2/p' \
	"$TOP/drivers/Kbuild")
[[ ${#SKIPS[@]} -ge 3 ]] || fail "found ${#SKIPS[@]} vireo_skip lines in drivers/Kbuild"

full=$T/full.config
echo CONFIG_PCI=y >"$full"
for s in "${SKIPS[@]}"; do echo "${s#* }=m" >>"$full"; done

all=$(modules "$full")
echo "# all options: $all"
[[ $(wc -w <<<"$all") -eq 8 ]] || fail "expected 8 modules, got: $all"
for m in $all; do
	name=${m%@*} loc=${m#*@}
	grep -qs "obj-m *+= *$name\.o" "$TOP/$loc/Kbuild" ||
		fail "$name: $loc/Kbuild does not build $name.o"
done
[[ $(modules "$T/no-such.config") == "$all" ]] ||
	fail "without a .config to read, not all modules: $(modules "$T/no-such.config")"
echo "ok all eight, at their Kbuild's locations; all eight without a .config"

for s in "${SKIPS[@]}"; do
	mod=${s% *} opt=${s#* }
	grep -v "^$opt=" "$full" >"$T/less.config"
	echo "# $opt is not set" >>"$T/less.config"
	got=$(modules "$T/less.config")
	want=
	for m in $all; do
		[[ $m == "$mod@"* ]] || want+="$m "
	done
	[[ $got == "$want" ]] || fail "without $opt: expected '$want', got '$got'"
	echo "ok without $opt: $mod left out, the other seven kept"
done
