#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: make deb, dpkg -i: DKMS builds every kernel warning-free, the SDK builds the sample, guests boot DKMS's modules, purge leaves nothing
# kind: host
# groups: pkg
# needs: root dkms dpkg-buildpackage lintian
# timeout: 1500
#
# The packages' life on this machine, in order (Documentation/packaging.rst):
#  1. make deb (tools/pkg/build-deb.sh), HTML documentation included,
#     into build/pkg/deb/; lintian
#     clean of errors and warnings.
#  2. dpkg -i the three packages. For every installed kernel with headers
#     that vireo builds for: dkms status "installed", DKMS's make.log
#     without a warning or an error, the eight modules in
#     /lib/modules/<k>/updates/dkms/, and vireo-config --symvers names
#     that build's Module.symvers; the HTML entry page is installed.
#  3. samples/vireo_demo as a driver author gets it (the vireo-dev
#     example), built with W=1 -Werror against the installed SDK alone
#     for each amd64 kernel: no warning, depends on vireo_core, and no
#     path into this checkout in its build.
#  4. One guest per amd64 kernel with the DKMS-built modules (run.py
#     --modules-from; its own build directory, build/pkg/): rng-read and
#     blk-serial; the staged modules carry DKMS's signature, which the
#     tree's build never has.
#  5. A kernel "installed later": DKMS's build for one kernel is removed
#     (its Module.symvers must go with it), then DKMS's kernel postinst
#     hook (/etc/kernel/postinst.d/dkms) must build and install it again
#     (AUTOINSTALL=yes).
#  6. dpkg --purge: nothing of vireo under /lib/modules, /usr/src,
#     /var/lib/dkms, nor the SDK's and tools' paths; no module index
#     names vireo.
# The machine is left as found whatever fails (the EXIT trap purges,
# removes what DKMS may have left and DKMS's signing key if this run
# made it). It refuses to run over a vireo already installed.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$TOP/build/pkg
PKGS=(vireo-tools vireo-dev vireo-dkms)
MODS=(vireo_ring vireo_core vireo_pci vireo_rng vireo_blk vireo_net
      vireo_balloon vireo_console)
VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -SVersion)
HOOK=/etc/kernel/postinst.d/dkms
MOK=(/var/lib/dkms/mok.key /var/lib/dkms/mok.pub)

fail() { echo "not ok: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
t0=$SECONDS
step() { echo "# [$((SECONDS - t0))s] $*"; }

# vireo_left: every path of vireo on the system, one a line.
vireo_left() {
	find /lib/modules -path '*vireo*' 2>/dev/null
	find /usr/src /var/lib/dkms -maxdepth 1 -name 'vireo*' 2>/dev/null
	ls -d /usr/share/vireo /usr/share/doc/vireo /usr/share/doc/vireo-* \
		/etc/vireo /usr/sbin/vireo-bind /usr/bin/vireo-config \
		/usr/libexec/vireo /lib/systemd/system/vireo-bind.service \
		2>/dev/null || true
	grep -l 'vireo' /lib/modules/*/modules.dep 2>/dev/null || true
}

installed_pkgs() {
	dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${PKGS[@]}" 2>/dev/null |
		awk '$1 != "not-installed" { print $2 }' || true
}

[[ -z $(installed_pkgs) && -z $(vireo_left) ]] || {
	echo "vireo is installed on this machine already; purge it first:" >&2
	installed_pkgs >&2
	vireo_left >&2
	exit 1
}
mok_made=()
for f in "${MOK[@]}"; do [[ -e $f ]] || mok_made+=("$f"); done

cleanup() {
	local rc=$? p k
	p=$(installed_pkgs)
	# shellcheck disable=SC2086 # a word list
	[[ -z $p ]] || dpkg --purge $p >"$OUT/purge-trap.log" 2>&1 || true
	# What a failed removal may have left, all of it ours (checked above).
	rm -rf /usr/src/vireo-"$VERSION" /var/lib/dkms/vireo /usr/share/vireo \
		/usr/share/doc/vireo /etc/vireo
	for k in $(find /lib/modules -path '*/updates/dkms/vireo_*' 2>/dev/null |
		cut -d/ -f4 | sort -u); do
		rm -f /lib/modules/"$k"/updates/dkms/vireo_*
		depmod -a "$k" || true
	done
	rm -f "${mok_made[@]}"
	[[ -z ${SAMPLES:-} ]] || rm -rf "$SAMPLES"
	exit $rc
}
trap cleanup EXIT

# The kernels DKMS should build for: every one with headers whose
# release the dkms.conf's BUILD_EXCLUSIVE_KERNEL accepts.
excl=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$TOP/debian/vireo-dkms.dkms")
[[ -n $excl ]] || fail "no BUILD_EXCLUSIVE_KERNEL in debian/vireo-dkms.dkms"
kernels=()
for d in /lib/modules/*/build; do
	[[ -e $d/include ]] || continue
	k=${d#/lib/modules/}
	k=${k%/build}
	[[ $k =~ $excl ]] && kernels+=("$k")
done
# The plain amd64 kernels of the targets (tools/deps.sh): the sample and
# the guests.
mapfile -t amd64 < <("$TOP/tools/deps.sh" --print-kvers | grep -v -e '-cloud-' -e '-rt-')
[[ ${#amd64[@]} -ge 1 ]] || fail "no target kernel (make deps)"
echo "# DKMS kernels: ${kernels[*]}; amd64: ${amd64[*]}"

step "1. make deb"
rm -rf "$OUT"
mkdir -p "$OUT"
"$TOP/tools/pkg/build-deb.sh" "$OUT/deb" ||
	fail "make deb (log: $OUT/deb/build.log)"
debs=()
for p in vireo-dkms vireo-dev vireo-tools; do
	f=$OUT/deb/${p}_${VERSION}_all.deb
	[[ -f $f ]] || fail "no $f"
	debs+=("$f")
done
ok "packages built, lintian clean"

step "2. dpkg -i"
s=$SECONDS
dpkg -i "${debs[@]}" >"$OUT/install.log" 2>&1 ||
	{ tail -n 40 "$OUT/install.log"; fail "dpkg -i (log: $OUT/install.log)"; }
echo "# dpkg -i: $((SECONDS - s))s for ${#kernels[@]} kernels"

# check_kernel K: DKMS's build of vireo for K is installed, clean and complete.
check_kernel() {
	local k=$1 log m sv
	# (dkms status's readelf complains on stderr about every module)
	dkms status -m vireo -v "$VERSION" -k "$k" 2>/dev/null | grep -q ': installed' ||
		fail "$k: dkms status says: $(dkms status -m vireo -k "$k" 2>/dev/null)"
	log=$(find /var/lib/dkms/vireo/"$VERSION"/"$k" -path '*/log/make.log' 2>/dev/null | head -n1)
	[[ -n $log ]] || fail "$k: no DKMS make.log"
	grep -q 'LD \[M\]' "$log" || fail "$k: $log shows no module linked"
	if grep -iE 'warning|error' "$log" | grep -v 'Skipping BTF'; then
		fail "$k: DKMS's build has warnings or errors ($log)"
	fi
	for m in "${MODS[@]}"; do
		ls /lib/modules/"$k"/updates/dkms/"$m".ko* >/dev/null 2>&1 ||
			fail "$k: $m not installed under /lib/modules/$k/updates/dkms/"
	done
	sv=$(vireo-config --symvers "$k") || fail "$k: vireo-config --symvers"
	grep -q 'vireo_core' "$sv" || fail "$k: $sv exports nothing of vireo_core"
}
for k in "${kernels[@]}"; do
	check_kernel "$k"
	ok "$k: DKMS built and installed vireo, no warning"
done
[[ $(vireo-config --kernels | sort) == $(printf '%s\n' "${kernels[@]}" | sort) ]] ||
	fail "vireo-config --kernels: $(vireo-config --kernels | paste -sd ' '), not ${kernels[*]}"
[[ -f /usr/share/doc/vireo/html/index.html ]] ||
	fail "no HTML documentation at /usr/share/doc/vireo/html/index.html"
for m in vireo-bind vireo-config; do
	man -w "$m" >/dev/null || fail "no man page for $m"
done
ok "HTML documentation and man pages installed"

step "3. samples/vireo_demo against the SDK alone"
# Outside the checkout, so that no path of it can be in the build.
SAMPLES=$(mktemp -d /tmp/vireo-sample.XXXXXX)
for k in "${amd64[@]}"; do
	d=$SAMPLES/$k
	cp -r /usr/share/doc/vireo-dev/examples/vireo_demo "$d"
	# No VIREO=, no checkout: what the SDK gives is all the build has.
	(cd "$d" && env -u VIREO make KVER="$k" W=1 KCFLAGS=-Werror) >"$d.log" 2>&1 ||
		{ cat "$d.log"; fail "$k: vireo_demo does not build against the SDK"; }
	cp "$d.log" "$OUT/sample-$k.log"
	if grep -iE 'warning|error' "$d.log" | grep -v 'Skipping BTF'; then
		fail "$k: vireo_demo's build has warnings"
	fi
	modinfo -F depends "$d/vireo_demo.ko" | grep -q vireo_core ||
		fail "$k: vireo_demo.ko does not depend on vireo_core"
	! grep -rlF "$TOP/" "$d" --include='*.cmd' | grep -q . ||
		fail "$k: vireo_demo's build used the checkout ($TOP)"
	ok "$k: vireo_demo built from the SDK"
done

step "4. guests with DKMS's modules"
kv=()
for k in "${amd64[@]}"; do kv+=(--kver "$k"); done
VIREO_BUILD=$OUT python3 "$TOP/tools/vm/run.py" -j 1 -T rng-read,blk-serial \
	--modules-from '/lib/modules/{kernel}/updates/dkms' "${kv[@]}" \
	>"$OUT/guests.log" 2>&1 ||
	{ cat "$OUT/guests.log"; fail "the guests with DKMS's modules failed (logs: $OUT/logs/)"; }
grep -q "^$((2 * ${#amd64[@]})) passed, 0 failed" "$OUT/guests.log" ||
	{ cat "$OUT/guests.log"; fail "not every guest passed"; }
for k in "${amd64[@]}"; do
	for m in "$OUT"/modules-from/"$k"/*/*.ko "$OUT"/modules-from/"$k"/*/*/*.ko; do
		[[ -f $m ]] || continue
		[[ $(modinfo -F sig_id "$m") == PKCS#7 ]] ||
			fail "$k: $m is not DKMS's signed module"
	done
done
ok "rng-read and blk-serial pass on ${amd64[*]} with DKMS's modules"

step "5. a kernel installed later"
k=${amd64[0]}
dkms remove -m vireo -v "$VERSION" -k "$k" >"$OUT/later.log" 2>&1 ||
	fail "dkms remove for $k (log: $OUT/later.log)"
! vireo-config --symvers "$k" >/dev/null 2>&1 ||
	fail "$k: Module.symvers outlived DKMS's build"
! ls /lib/modules/"$k"/updates/dkms/vireo_* >/dev/null 2>&1 ||
	fail "$k: modules left after dkms remove"
[[ -x $HOOK ]] || fail "no $HOOK (dkms)"
"$HOOK" "$k" >>"$OUT/later.log" 2>&1 || fail "$HOOK $k (log: $OUT/later.log)"
check_kernel "$k"
ok "$k: DKMS's kernel hook rebuilt vireo"

step "6. dpkg --purge"
dpkg --purge "${PKGS[@]}" >"$OUT/purge.log" 2>&1 ||
	{ tail -n 40 "$OUT/purge.log"; fail "dpkg --purge (log: $OUT/purge.log)"; }
left=$(vireo_left)
[[ -z $left ]] || { echo "$left"; fail "vireo left files behind"; }
ok "purged: nothing of vireo left"
step "done"
