#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KVER OUTFILE [--modules-dir DIR]
#
# Build the test initramfs (gzip -1 newc cpio) for kernel release KVER:
#   /bin/busybox + applet symlinks     busybox-static
#   /init                              tools/guest/init
#   /lib/vireo/guest/*.sh              tools/guest/*.sh (scenarios, lib)
#   /lib/vireo/vireo_{ring,core,pci,rng}.ko   from build/KVER/ (or DIR)
#   /lib/vireo/virtio-rng.ko           the in-kernel virtio-rng, decompressed,
#                                      when all its dependencies are built
#                                      into KVER (6.12)
#   /bin/vireo-bind                    tools/vireo-bind, when present
#   /bin/nbread                        tools/guest/nbread.c, built static
# Missing vireo modules are reported and left out (the "boot" scenario
# needs none); vmtest.sh refuses to run module scenarios without them.
# The image is rebuilt only when an input changed (OUTFILE.key).
set -euo pipefail

# shellcheck source=tools/vm/scenarios.sh
. "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

[[ $# -ge 2 ]] || die "usage: $0 KVER OUTFILE [--modules-dir DIR]"
KVER=$1
OUT=$2
shift 2
MODDIR=$VIREO_BUILD/$KVER
while [[ $# -gt 0 ]]; do
	case $1 in
	--modules-dir) MODDIR=${2:?}; shift 2 ;;
	*) die "unknown argument: $1" ;;
	esac
done

BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || die "$BUSYBOX missing (install busybox-static)"
GUEST=$VIREO_ROOT/tools/guest
BIND=$VIREO_ROOT/tools/vireo-bind

# virtio_rng_ko: the in-kernel virtio-rng module for KVER if it can be
# loaded by insmod alone (no modular dependencies), else nothing.
virtio_rng_ko() {
	local f
	for f in /lib/modules/"$KVER"/kernel/drivers/char/hw_random/virtio-rng.ko{.xz,.zst,}; do
		[[ -f $f ]] || continue
		[[ -z $(modinfo -F depends "$f" 2>/dev/null) ]] && echo "$f"
		return 0
	done
}
VRNG=$(virtio_rng_ko)

# Inputs, for the cache key and the copy below.
inputs=("$BUSYBOX" "$GUEST"/init "$GUEST"/*.sh "$GUEST"/nbread.c "${BASH_SOURCE[0]}")
mods=()
for m in "${VM_MODULES[@]}"; do
	if [[ -f $MODDIR/$m ]]; then
		mods+=("$MODDIR/$m")
	else
		echo "mkinitramfs: note: $(vm_rel "$MODDIR/$m") not built; left out" >&2
	fi
done
inputs+=(${mods[@]+"${mods[@]}"})
[[ -n $VRNG ]] && inputs+=("$VRNG")
[[ -f $BIND ]] && inputs+=("$BIND")

key=$( { echo "$KVER"; sha256sum "${inputs[@]}"; } | sha256sum | cut -d' ' -f1)
if [[ -f $OUT && -f $OUT.key && $(cat "$OUT.key") == "$key" ]]; then
	echo "mkinitramfs: $(vm_rel "$OUT") up to date"
	exit 0
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/vireo-initramfs.XXXXXX")
trap 'rm -rf "$stage" "$OUT.tmp.$$"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,root,lib/vireo/guest}
ln -s bin "$stage/sbin"
mkdir -p "$stage/usr"
ln -s ../bin "$stage/usr/bin"
ln -s ../bin "$stage/usr/sbin"

cp "$BUSYBOX" "$stage/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[[ $a == busybox ]] || ln -s busybox "$stage/bin/$a"
done
install -m 0755 "$GUEST/init" "$stage/init"
# O_NONBLOCK reads for the rng scenarios; busybox has no way to open so.
gcc -static -O2 -Wall -Werror -o "$stage/bin/nbread" "$GUEST/nbread.c" ||
	die "cannot build the static nbread helper (gcc, libc6-dev)"
install -m 0644 "$GUEST"/*.sh "$stage/lib/vireo/guest/"
for m in ${mods[@]+"${mods[@]}"}; do
	install -m 0644 "$m" "$stage/lib/vireo/"
done
case $VRNG in
'') ;;
*.xz) xz -dc "$VRNG" >"$stage/lib/vireo/virtio-rng.ko" ;;
*.zst) zstd -qdc "$VRNG" >"$stage/lib/vireo/virtio-rng.ko" ;;
*) cp "$VRNG" "$stage/lib/vireo/virtio-rng.ko" ;;
esac
if [[ -f $BIND ]]; then
	install -m 0755 "$BIND" "$stage/bin/vireo-bind"
else
	echo "mkinitramfs: note: tools/vireo-bind missing; left out" >&2
fi
echo "$KVER" >"$stage/lib/vireo/kver"

mkdir -p "$(dirname "$OUT")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
echo "$key" >"$OUT.key"
echo "mkinitramfs: wrote $(vm_rel "$OUT") ($(du -k "$OUT" | cut -f1) KiB;" \
	"${#mods[@]} vireo modules${VRNG:+, virtio-rng.ko}$([[ -f $BIND ]] && echo ', vireo-bind'))"
