#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything vireo needs on Debian bookworm, idempotently, and
# report the target kernels that can be built for and booted.
#
#   tools/deps.sh                 install what is missing (root), extract
#                                 checkpatch/kernel-doc, print kernels
#   tools/deps.sh --check         only report; exit 1 if anything is missing
#   tools/deps.sh --print-kvers [all|primary|flavours]
#                                 only print target kernel releases, one a
#                                 line, oldest first (no root, no network):
#                                 all (the default) = primary + flavours;
#                                 primary = the generic amd64 6.1 and 6.12,
#                                 which every test runs on; flavours = their
#                                 cloud-amd64 and rt-amd64 builds, which
#                                 make test gives the "flavours" group only
#
# apt-get runs only when a package is missing, after one apt-get update.
# Environment: VIREO_CACHE (default /var/cache/vireo) receives
# linux-source-6.12/scripts/ (checkpatch.pl, spelling.txt,
# const_structs.checkpatch, kernel-doc).
set -euo pipefail

CACHE=${VIREO_CACHE:-/var/cache/vireo}
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
SRC_DEST=$CACHE/linux-source-6.12

# Everything but the kernel images, whose exact ABI is only known once
# the header meta packages are installed. bc, bison, flex and libelf-dev
# build the KUnit test kernel; python3 runs the test harness (tools/vm/:
# the runner, the KTAP parser, the QMP relay); e2fsprogs goes
# into the test initramfs (mkfs.ext4, e2fsck). clang-14 with its
# sanitizer runtimes and llvm-14 build, fuzz and measure the coverage of
# the ring in userspace (tools/ring); valgrind counts its instructions.
# ethtool goes into the initramfs for the net tests (with its libraries).
# pkg-config and libglib2.0-dev build the QEMU plugin that counts the
# guest's instructions for make bench (tools/tcg-insn). xz-utils, zstd
# and lz4 unpack the guest kernels' vmlinux (tools/vm/vm.py): 6.1's cloud
# flavour is LZ4-compressed. python3-sphinx renders Documentation/ (make htmldocs);
# dkms, dh-dkms, debhelper, dpkg-dev, fakeroot, lintian and
# libjs-sphinxdoc build and check the Debian packages (make deb), which
# tests/pkg/ installs with dkms.
PACKAGES=(
	linux-headers-amd64 linux-headers-6.12-amd64
	linux-headers-cloud-amd64 linux-headers-rt-amd64
	linux-headers-6.12-cloud-amd64 linux-headers-6.12-rt-amd64
	qemu-system-x86 qemu-system-data busybox-static
	cpio gzip xz-utils zstd lz4 kmod sparse perl linux-source-6.12 make gcc libc6-dev
	bc bison flex libelf-dev python3 e2fsprogs
	clang-14 libclang-rt-14-dev llvm-14 valgrind ethtool
	pkg-config libglib2.0-dev
	python3-sphinx dkms dh-dkms debhelper dpkg-dev fakeroot lintian libjs-sphinxdoc
)
# Header meta packages whose exact-ABI image we boot in the VM tests:
# the generic kernels, then Debian's cloud and real-time flavours.
HEADER_METAS=(linux-headers-amd64 linux-headers-6.12-amd64
	linux-headers-cloud-amd64 linux-headers-rt-amd64
	linux-headers-6.12-cloud-amd64 linux-headers-6.12-rt-amd64)

say() { echo "deps: $*"; }
die() { echo "deps: error: $*" >&2; exit 1; }

# kver_tier RELEASE: "primary" for a generic amd64 kernel of a target
# series, "flavours" for its cloud or rt build, nothing otherwise.  The
# flavour patterns come first: the glob 6.1.0-*-amd64 matches them too.
kver_tier() {
	case $1 in
	6.1.0-*-cloud-amd64 | 6.1.0-*-rt-amd64 | \
		6.12.*+deb12-cloud-amd64 | 6.12.*+deb12-rt-amd64) echo flavours ;;
	6.1.0-*-amd64 | 6.12.*+deb12-amd64) echo primary ;;
	esac
}

# print_kvers TIER: every /lib/modules/<r>/build of TIER (all, primary
# or flavours) whose image /boot/vmlinuz-<r> exists, oldest first.
print_kvers() {
	local d r t
	for d in /lib/modules/*/build; do
		[[ -d $d ]] || continue
		r=${d#/lib/modules/}
		r=${r%/build}
		t=$(kver_tier "$r")
		[[ -n $t && ($1 == all || $1 == "$t") ]] || continue
		[[ -f /boot/vmlinuz-$r ]] && echo "$r"
	done | sort -V
}

installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# image_for_meta META: the linux-image-<abi> matching the headers the
# installed meta package META depends on (empty if META is absent).
image_for_meta() {
	local dep
	installed "$1" || return 0
	dep=$(dpkg-query -W -f='${Depends}' "$1" | tr ',' '\n' |
		sed -n 's/^ *\(linux-headers-[^ ]*\).*/\1/p' | head -n1)
	[[ -n $dep ]] && echo "${dep/linux-headers-/linux-image-}"
	return 0
}

APT_UPDATED=0
apt_install() {
	[[ $(id -u) -eq 0 ]] || die "need root to install: $*"
	export DEBIAN_FRONTEND=noninteractive
	if [[ $APT_UPDATED -eq 0 ]]; then
		say "apt-get update"
		apt-get update -qq
		APT_UPDATED=1
	fi
	say "apt-get install $*"
	apt-get install -y -qq --no-install-recommends "$@"
}

# ensure_packages CHECK_ONLY PKG...: install (or list) missing ones.
ensure_packages() {
	local check_only=$1 p
	local missing=()
	shift
	for p in "$@"; do
		installed "$p" || missing+=("$p")
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		say "present: $*"
		return 0
	fi
	if [[ $check_only -eq 1 ]]; then
		say "missing: ${missing[*]}"
		return 1
	fi
	apt_install "${missing[@]}"
}

# extract_scripts: scripts/ of the 6.12 source into $SRC_DEST, again
# only when the tarball is newer than the stamp of the last extraction.
extract_scripts() {
	local stamp=$SRC_DEST/.vireo-stamp tmp
	[[ -f $SRC_TARBALL ]] || die "$SRC_TARBALL missing (linux-source-6.12)"
	if [[ -f $stamp && ! $SRC_TARBALL -nt $stamp &&
		-f $SRC_DEST/scripts/checkpatch.pl ]]; then
		say "up to date: $SRC_DEST/scripts (checkpatch.pl, kernel-doc)"
		return 0
	fi
	say "extracting scripts/ from $SRC_TARBALL into $SRC_DEST"
	mkdir -p "$SRC_DEST"
	tmp=$(mktemp -d "$SRC_DEST/.extract.XXXXXX")
	# The tarball's top directory is linux-source-6.12/.
	tar -xJf "$SRC_TARBALL" -C "$tmp" --strip-components=1 \
		--wildcards '*/scripts/*'
	[[ -f $tmp/scripts/checkpatch.pl && -f $tmp/scripts/kernel-doc ]] ||
		{ rm -rf "$tmp"; die "no scripts/checkpatch.pl in $SRC_TARBALL"; }
	# Swap by rename so concurrent checkpatch runs see old or new.
	rm -rf "$SRC_DEST/scripts.old"
	[[ -d $SRC_DEST/scripts ]] && mv "$SRC_DEST/scripts" "$SRC_DEST/scripts.old"
	mv "$tmp/scripts" "$SRC_DEST/scripts"
	rm -rf "$SRC_DEST/scripts.old" "$tmp"
	touch "$stamp"
}

main() {
	local check_only=0 rc=0 images=() m img kvers

	case ${1:-} in
	--print-kvers)
		case ${2:-all} in
		all | primary | flavours) print_kvers "${2:-all}"; return 0 ;;
		*) die "--print-kvers takes all, primary or flavours, not: $2" ;;
		esac
		;;
	--check) check_only=1 ;;
	'') ;;
	-h | --help) sed -n '4,22p' "$0"; return 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac

	ensure_packages "$check_only" "${PACKAGES[@]}" || rc=1
	for m in "${HEADER_METAS[@]}"; do
		img=$(image_for_meta "$m")
		[[ -n $img ]] && images+=("$img")
	done
	if [[ ${#images[@]} -gt 0 ]]; then
		ensure_packages "$check_only" "${images[@]}" || rc=1
	fi

	if [[ $check_only -eq 1 ]]; then
		if [[ -f $SRC_DEST/.vireo-stamp && -f $SRC_DEST/scripts/checkpatch.pl ]]; then
			say "present: $SRC_DEST/scripts"
		else
			say "missing: $SRC_DEST/scripts (run tools/deps.sh as root)"
			rc=1
		fi
	else
		extract_scripts
	fi

	kvers=$(print_kvers primary | paste -sd ' ')
	say "target kernels: ${kvers:-none}"
	[[ -n $kvers ]] || rc=1
	kvers=$(print_kvers flavours | paste -sd ' ')
	say "flavour kernels: ${kvers:-none}"
	return $rc
}

main "$@"
