#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KERNEL OUTFILE [--modules-dir DIR] [--kunit DIR]
#
# The one builder of vireo's guest initramfs (gzip -1 newc cpio), for a
# Debian kernel release or for the KUnit kernel (KERNEL "debug"):
#   /bin/busybox + applet symlinks     busybox-static
#   /init                              tools/vm/guest/init
#   /lib/vireo/guest/lib.sh            tools/vm/guest/lib.sh
#   /lib/vireo/tests/<name>.sh         every tests/**/<name>.sh, bench/*.sh
#                                      and tools/vm/guest/demo.sh
#   /lib/vireo/<module>.ko, modules    tools/vm/modules, from DIR
#                                      (default build/KERNEL/), and their
#                                      names in load order
#   /lib/vireo/kunit/*.ko, order       with --kunit: the KUnit modules of
#                                      DIR, dependencies first, each with
#                                      the number of suites it registers
#   /lib/vireo/virtio-rng.ko           the in-kernel virtio-rng and
#   /lib/vireo/virtio_blk.ko           virtio_blk, decompressed, each when
#                                      all its dependencies are built
#                                      into KERNEL (6.12)
#   /bin/vireo-bind                    tools/vireo-bind
#   /bin/<name>                        every tools/vm/guest/src/<name>.c,
#                                      built static (gcc -static -O2 -Wall
#                                      -Werror); extra link flags from a
#                                      "vireo-guest-ldlibs: ..." line in
#                                      the source (e.g. -laio)
#   /lib/vireo/kmod/*.ko, order        in-kernel ext4, crc32c_generic and
#                                      their modules.dep closure, decompressed
#                                      (none on the cloud flavours, which
#                                      build both in)
#   /lib/vireo/kmod/*.ko, deps         in-kernel modules the tests insmod
#                                      one by one (virtio_net, 8021q,
#                                      netconsole; virtio_console and
#                                      virtio_balloon where they are modules;
#                                      virtio_pci where it is a module, 6.1),
#                                      each with its dependencies in load
#                                      order
#   /bin/mke2fs, mkfs.ext4, e2fsck,    e2fsprogs from the host, with the
#   fsck.ext4, /lib*/...               shared libraries ldd lists, and
#                                      /etc/mke2fs.conf
#   /bin/ethtool                       the host's ethtool (if installed),
#                                      with its libraries likewise
# Missing vireo modules are reported and left out (the "boot" test needs
# none); the runner refuses to run tests that need them.
# The image is rebuilt only when an input changed (OUTFILE.key).
set -euo pipefail

VIREO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VIREO_BUILD=${VIREO_BUILD:-$VIREO_ROOT/build}
mapfile -t VM_MODULES < <(grep -v -e '^#' -e '^$' "$VIREO_ROOT/tools/vm/modules")
rel() { echo "${1#"$VIREO_ROOT"/}"; }

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

[[ $# -ge 2 ]] || die "usage: $0 KERNEL OUTFILE [--modules-dir DIR] [--kunit DIR]"
KVER=$1
OUT=$2
shift 2
MODDIR=$VIREO_BUILD/$KVER
KUNIT=
while [[ $# -gt 0 ]]; do
	case $1 in
	--modules-dir) MODDIR=${2:?}; shift 2 ;;
	--kunit) KUNIT=${2:?}; shift 2 ;;
	*) die "unknown argument: $1" ;;
	esac
done

BUSYBOX=/bin/busybox
[[ -x $BUSYBOX ]] || die "$BUSYBOX missing (install busybox-static)"
GUEST=$VIREO_ROOT/tools/vm/guest
mapfile -t TESTS < <(find "$VIREO_ROOT/tests" "$VIREO_ROOT/bench" -name '*.sh' | LC_ALL=C sort)
TESTS+=("$GUEST/demo.sh")
BIND=$VIREO_ROOT/tools/vireo-bind

# inkernel_ko REL: the in-kernel module /lib/modules/KVER/kernel/REL.ko
# (possibly compressed) if it can be loaded by insmod alone (no modular
# dependencies), else nothing.
inkernel_ko() {
	local f
	[[ -d /lib/modules/$KVER/kernel ]] || return 0
	for f in /lib/modules/"$KVER"/kernel/"$1".ko{.xz,.zst,}; do
		[[ -f $f ]] || continue
		[[ -z $(modinfo -F depends "$f" 2>/dev/null) ]] && echo "$f"
		return 0
	done
}
VRNG=$(inkernel_ko drivers/char/hw_random/virtio-rng)
VBLK=$(inkernel_ko drivers/block/virtio_blk)

# In-kernel modules the tests insmod (no modprobe in the guest),
# with their modules.dep closure: ext4 for blk-ext4, and crc32c_generic
# because ext4's metadata checksums ask the crypto API for "crc32c"
# (the TCG CPU lacks SSE4.2, so crc32c-intel would not load).
EXTRA_KMODS=(kernel/crypto/crc32c_generic kernel/fs/ext4/ext4)

# Loaded one at a time, each with its dependencies (lib.sh's kmod_insmod):
# the reference driver of the net tests, VLANs and netconsole; the
# reference drivers of the console and balloon tests and benchmarks
# (6.12 builds virtio_console in: closure_of skips built-in ones).
NET_KMODS=(kernel/drivers/virtio/virtio_pci kernel/drivers/net/virtio_net
	kernel/net/8021q/8021q kernel/drivers/net/netconsole
	kernel/drivers/char/virtio_console kernel/drivers/virtio/virtio_balloon)

# closure_of MOD...: the files of MODs and their dependencies, relative
# to /lib/modules/KVER, dependencies first.  Built-in ones are skipped.
closure_of() {
	local m line
	[[ -f /lib/modules/$KVER/modules.dep ]] || return 0
	for m in "$@"; do
		line=$(grep -E "^$m\.ko(\.xz|\.zst)?:" "/lib/modules/$KVER/modules.dep") ||
			continue
		# modprobe loads a line's dependencies last to first.
		awk '{ for (i = NF; i >= 1; i--) print $i }' <<<"${line#*:}"
		echo "${line%%:*}"
	done | awk '!seen[$0]++'
}
mapfile -t KMODS < <(closure_of "${EXTRA_KMODS[@]}")
mapfile -t NKMODS < <(closure_of "${NET_KMODS[@]}")
# kmod_name FILE: the module name of a modules.dep path.
kmod_name() {
	local n
	n=$(basename "$1")
	echo "${n%%.ko*}"
}

# e2fsprogs for the ext4 test, ethtool for the net tests: binaries and
# their ldd closure.
E2FS_BINS=(/usr/sbin/mke2fs /usr/sbin/e2fsck)
for b in "${E2FS_BINS[@]}"; do
	[[ -x $b ]] || die "$b missing (install e2fsprogs)"
done
ETHTOOL=/usr/sbin/ethtool
if [[ -x $ETHTOOL ]]; then
	E2FS_BINS+=("$ETHTOOL")
else
	echo "mkinitramfs: note: $ETHTOOL missing (make deps); left out" >&2
fi
mapfile -t E2FS_LIBS < <(ldd "${E2FS_BINS[@]}" |
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u)
[[ ${#E2FS_LIBS[@]} -gt 0 ]] || die "ldd found no libraries for e2fsprogs"
E2FS_CONF=/etc/mke2fs.conf

# Static guest helpers.
CSRCS=("$GUEST"/src/*.c)

# Inputs, for the cache key and the copy below.
inputs=("$BUSYBOX" "$GUEST"/init "$GUEST"/lib.sh "${TESTS[@]}" "${CSRCS[@]}" "$GUEST"/src/*.h
	"${BASH_SOURCE[0]}" "$VIREO_ROOT/tools/vm/modules"
	"${E2FS_BINS[@]}" "${E2FS_LIBS[@]}")
[[ -f $E2FS_CONF ]] && inputs+=("$E2FS_CONF")
mods=()
for m in "${VM_MODULES[@]}"; do
	if [[ -f $MODDIR/$m ]]; then
		mods+=("$MODDIR/$m")
	else
		echo "mkinitramfs: note: $(rel "$MODDIR/$m") not built; left out" >&2
	fi
done
inputs+=(${mods[@]+"${mods[@]}"})
# KUnit modules, dependencies first (modinfo depends among themselves).
kos=()
if [[ -n $KUNIT ]]; then
	declare -A KDEPS=()
	for k in "$KUNIT"/*.ko; do
		KDEPS[$(basename "$k" .ko)]=$(modinfo -F depends "$k" | tr , ' ')
	done
	declare -A SEEN=()
	visit() {
		local d
		[[ -n ${SEEN[$1]:-} ]] && return 0
		SEEN[$1]=1
		for d in ${KDEPS[$1]}; do
			[[ -n ${KDEPS[$d]+x} ]] && visit "$d"
		done
		kos+=("$1")
	}
	for k in $(printf '%s\n' "${!KDEPS[@]}" | LC_ALL=C sort); do visit "$k"; done
	[[ ${#kos[@]} -gt 0 ]] || die "no KUnit modules in $KUNIT"
	for k in "${kos[@]}"; do inputs+=("$KUNIT/$k.ko"); done
fi
[[ -n $VRNG ]] && inputs+=("$VRNG")
[[ -n $VBLK ]] && inputs+=("$VBLK")
for k in ${KMODS[@]+"${KMODS[@]}"} ${NKMODS[@]+"${NKMODS[@]}"}; do
	inputs+=("/lib/modules/$KVER/$k")
done
[[ -f $BIND ]] && inputs+=("$BIND")

key=$( { echo "$KVER"; sha256sum "${inputs[@]}"; } | sha256sum | cut -d' ' -f1)
if [[ -f $OUT && -f $OUT.key && $(cat "$OUT.key") == "$key" ]]; then
	echo "mkinitramfs: $(rel "$OUT") up to date"
	exit 0
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/vireo-initramfs.XXXXXX")
trap 'rm -rf "$stage" "$OUT.tmp.$$"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,root,lib/vireo/guest,lib/vireo/tests}
ln -s bin "$stage/sbin"
mkdir -p "$stage/usr"
ln -s ../bin "$stage/usr/bin"
ln -s ../bin "$stage/usr/sbin"

cp "$BUSYBOX" "$stage/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[[ $a == busybox ]] || ln -s busybox "$stage/bin/$a"
done
install -m 0755 "$GUEST/init" "$stage/init"
# Helpers busybox lacks (O_NONBLOCK reads, O_DIRECT patterns, loads).
for c in "${CSRCS[@]}"; do
	name=$(basename "$c" .c)
	ldlibs=$(sed -n 's/.*vireo-guest-ldlibs:[[:space:]]*//p' "$c" | head -n1)
	# shellcheck disable=SC2086 # ldlibs: a list of flags
	gcc -static -O2 -Wall -Werror -o "$stage/bin/$name" "$c" $ldlibs ||
		die "cannot build the static guest helper $name (gcc, libc6-dev)"
done
# e2fsprogs replace busybox's ext2-only mke2fs.
for l in "${E2FS_LIBS[@]}"; do
	mkdir -p "$stage$(dirname "$l")"
	cp -L "$l" "$stage$l"
done
rm -f "$stage/bin/mke2fs"
install -m 0755 /usr/sbin/mke2fs "$stage/bin/mke2fs"
install -m 0755 /usr/sbin/e2fsck "$stage/bin/e2fsck"
[[ -x $ETHTOOL ]] && install -m 0755 "$ETHTOOL" "$stage/bin/ethtool"
ln -s mke2fs "$stage/bin/mkfs.ext4"
ln -s e2fsck "$stage/bin/fsck.ext4"
if [[ -f $E2FS_CONF ]]; then
	mkdir -p "$stage/etc"
	cp "$E2FS_CONF" "$stage/etc/mke2fs.conf"
fi
install -m 0644 "$GUEST/lib.sh" "$stage/lib/vireo/guest/"
install -m 0644 "${TESTS[@]}" "$stage/lib/vireo/tests/"
if [[ ${#kos[@]} -gt 0 ]]; then
	mkdir -p "$stage/lib/vireo/kunit"
	# "module suites" per line: the suites a module registers, counted
	# from its .kunit_test_suites section (one pointer per suite), so
	# the guest can tell a suite that never ran from one that passed.
	for k in "${kos[@]}"; do
		install -m 0644 "$KUNIT/$k.ko" "$stage/lib/vireo/kunit/"
		size=$(readelf -SW "$KUNIT/$k.ko" |
			awk '$2 == ".kunit_test_suites" { print $6 }')
		echo "$k $((0x${size:-0} / 8))" >>"$stage/lib/vireo/kunit/order"
	done
fi
for m in ${mods[@]+"${mods[@]}"}; do
	install -m 0644 "$m" "$stage/lib/vireo/"
done
# copy_ko SRC NAME: SRC (maybe compressed) as /lib/vireo/NAME.ko.
copy_ko() {
	case $1 in
	'') ;;
	*.xz) xz -dc "$1" >"$stage/lib/vireo/$2.ko" ;;
	*.zst) zstd -qdc "$1" >"$stage/lib/vireo/$2.ko" ;;
	*) cp "$1" "$stage/lib/vireo/$2.ko" ;;
	esac
}
copy_ko "$VRNG" virtio-rng
copy_ko "$VBLK" virtio_blk
# /lib/vireo/kmod/<name>.ko plus "order", for kmod_load in lib.sh.
mkdir -p "$stage/lib/vireo/kmod"
: >"$stage/lib/vireo/kmod/order"
for k in ${KMODS[@]+"${KMODS[@]}"}; do
	name=$(basename "$k")
	name=${name%%.ko*}
	copy_ko "/lib/modules/$KVER/$k" "kmod/$name"
	echo "$name" >>"$stage/lib/vireo/kmod/order"
done
# "name: dep..." per line, dependencies in load order, for kmod_insmod.
: >"$stage/lib/vireo/kmod/deps"
for k in ${NKMODS[@]+"${NKMODS[@]}"}; do
	copy_ko "/lib/modules/$KVER/$k" "kmod/$(kmod_name "$k")"
	deps=$(closure_of "${k%%.ko*}" | sed '$d' | while read -r d; do kmod_name "$d"; done | tr '\n' ' ')
	echo "$(kmod_name "$k"): $deps" >>"$stage/lib/vireo/kmod/deps"
done
if [[ -f $BIND ]]; then
	install -m 0755 "$BIND" "$stage/bin/vireo-bind"
else
	echo "mkinitramfs: note: tools/vireo-bind missing; left out" >&2
fi
echo "$KVER" >"$stage/lib/vireo/kver"
# The modules of ours in the image, in load order, for lib.sh.
for m in ${mods[@]+"${mods[@]}"}; do basename "$m" .ko; done >"$stage/lib/vireo/modules"

mkdir -p "$(dirname "$OUT")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
echo "$key" >"$OUT.key"
echo "mkinitramfs: wrote $(rel "$OUT") ($(du -k "$OUT" | cut -f1) KiB;" \
	"${#mods[@]} vireo modules, ${#kos[@]} KUnit modules${VRNG:+, virtio-rng.ko}${VBLK:+, virtio_blk.ko}$([[ -f $BIND ]] && echo ', vireo-bind'))"
