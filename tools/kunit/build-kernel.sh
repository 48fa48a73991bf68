#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) vireo's KUnit test kernel: Debian's linux-source-6.12
# configured from allnoconfig + tools/kunit/kunit.config.
#
#   tools/kunit/build-kernel.sh          build if needed; last stdout line
#                                        is the build (O=) directory
#   tools/kunit/build-kernel.sh --key    print the cache key and exit
#   tools/kunit/build-kernel.sh --cached print the build dir if it is
#                                        already built, else exit 1
#
# Cache: ${VIREO_CACHE:-/var/cache/vireo}/kunit/{src,build}-<key>. The key
# hashes every input of the build (see cache_key), so changing any of them
# rebuilds and an unchanged repeat returns at once. A build happens in
# build-<key>.tmp and is renamed to build-<key> only after it succeeded and
# was checked, and the stamp file is written last, so an interrupted build
# never looks cached. Entries with other keys are deleted after a build.
#
# Everything but the final path goes to stderr; the full make output goes
# to $CACHE/last-build.log.

set -euo pipefail

SELF=$(readlink -f -- "${BASH_SOURCE[0]}")
HERE=${SELF%/*}
FRAGMENT=$HERE/kunit.config
SRCPKG=linux-source-6.12
TARBALL=${VIREO_KUNIT_TARBALL:-/usr/src/$SRCPKG.tar.xz}
CACHE=${VIREO_CACHE:-/var/cache/vireo}/kunit
JOBS=${JOBS:-$(nproc)}
STAMP=.vireo-kunit-stamp
# Lower priority: the build shares the machine with QEMU guests.
NICE=(nice -n 10)

say() { echo "kunit-kernel: $*" >&2; }
die() { say "error: $*"; exit 1; }

# The cache key: the source package (Debian version, tarball size and
# mtime), the compiler and linker, the config fragment and this script.
cache_key() {
	local ver
	ver=$(dpkg-query -W -f='${Version}' "$SRCPKG" 2>/dev/null || echo none)
	{
		echo "source $SRCPKG $ver $(stat -L -c '%s %Y' -- "$TARBALL")"
		echo "cc $(gcc --version | head -n1)"
		echo "ld $(ld --version | head -n1)"
		echo "fragment"
		cat -- "$FRAGMENT"
		echo "script"
		cat -- "$SELF"
	} | sha256sum | cut -c1-16
}

# Every line of the fragment must be in the final .config: "CONFIG_X=v"
# verbatim, "# CONFIG_X is not set" as anything but CONFIG_X=y/m.
verify_config() {
	local cfg=$1 line sym bad=0

	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" && continue
			sym=${line%%=*}
			say "config: wanted '$line', got '$(grep -E "^(# )?${sym}[= ]" "$cfg" || echo "$sym undefined (missing dependency?)")'"
			bad=1
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -qE "^$sym=" "$cfg" || continue
			say "config: wanted '$line', got '$(grep -E "^$sym=" "$cfg")'"
			bad=1
			;;
		esac
	done < "$FRAGMENT"
	return $bad
}

extract_source() {
	local src=$1 t0=$SECONDS

	EXTRACT_SECS=0
	[ -f "$src/$STAMP" ] && return 0
	rm -rf -- "$src" "$src.tmp"
	mkdir -p -- "$src.tmp"
	say "extracting $TARBALL"
	"${NICE[@]}" tar -xJf "$TARBALL" -C "$src.tmp" --strip-components=1
	echo "$KEY" > "$src.tmp/$STAMP"
	mv -T -- "$src.tmp" "$src"
	EXTRACT_SECS=$((SECONDS - t0))
	say "extracted in ${EXTRACT_SECS}s"
}

configure() {
	local src=$1 out=$2

	# allnoconfig, then merge the fragment in (merge_config.sh -m works
	# in its current directory), then let olddefconfig settle the rest.
	{
		"${MAKE_K[@]}" allnoconfig
		(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m .config \
			"$FRAGMENT")
		"${MAKE_K[@]}" olddefconfig
	} >> "$LOG" 2>&1
	verify_config "$out/.config" ||
		die "config fragment $FRAGMENT did not survive olddefconfig"
}

build() {
	local src=$1 out=$2 t0=$SECONDS

	rm -rf -- "$out"
	mkdir -p -- "$out"
	: > "$LOG"
	MAKE_K=("${NICE[@]}" make -C "$src" O="$out" ARCH=x86_64)
	say "configuring in $out"
	configure "$src" "$out"
	say "building bzImage + modules_prepare with -j$JOBS (log: $LOG)"
	# "modules" writes Module.symvers for vmlinux, which modpost needs to
	# check the symbols external modules import.
	if ! "${MAKE_K[@]}" -j"$JOBS" bzImage modules modules_prepare \
			>> "$LOG" 2>&1; then
		tail -n 40 "$LOG" >&2
		die "kernel build failed; see $LOG"
	fi
	for f in arch/x86/boot/bzImage Module.symvers scripts/mod/modpost \
			include/config/auto.conf; do
		[ -s "$out/$f" ] || die "build produced no $f"
	done
	BUILD_SECS=$((SECONDS - t0))
	say "built in ${BUILD_SECS}s"
}

clean_old() {
	local d

	for d in "$CACHE"/src-* "$CACHE"/build-*; do
		[ -e "$d" ] || continue
		case ${d##*/} in
		src-"$KEY" | build-"$KEY") ;;
		*) say "removing old cache entry $d"; rm -rf -- "$d" ;;
		esac
	done
}

[ -r "$TARBALL" ] || die "$TARBALL missing: apt-get install $SRCPKG"
[ -r "$FRAGMENT" ] || die "$FRAGMENT missing"
KEY=$(cache_key)
SRC=$CACHE/src-$KEY
OUT=$CACHE/build-$KEY
LOG=$CACHE/last-build.log

case ${1:-} in
--key) echo "$KEY"; exit 0 ;;
--cached) [ -f "$OUT/$STAMP" ] && { echo "$OUT"; exit 0; }; exit 1 ;;
"") ;;
*) die "usage: $0 [--key|--cached]" ;;
esac

mkdir -p -- "$CACHE"
# One builder at a time; a second caller waits and then finds the cache.
exec 9> "$CACHE/.lock"
flock -n 9 || { say "waiting for another build to finish"; flock 9; }

if [ ! -f "$OUT/$STAMP" ]; then
	extract_source "$SRC"
	build "$SRC" "$OUT.tmp"
	rm -rf -- "$OUT"
	mv -T -- "$OUT.tmp" "$OUT"
	# "seconds" is configure + compile; "extract_seconds" is 0 when the
	# source was already there from an earlier, interrupted build.
	printf 'key %s\nbuilt %s\nseconds %s\nextract_seconds %s\njobs %s\n' \
		"$KEY" "$(date -u +%FT%TZ)" "$BUILD_SECS" "$EXTRACT_SECS" \
		"$JOBS" > "$OUT/$STAMP"
	clean_old
fi
echo "$OUT"
