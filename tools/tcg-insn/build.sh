#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/tcg-insn/build.sh [--cached]
#
# Build the instruction-counting QEMU plugin (tcg-insn.c) for the host's
# qemu-system-x86_64 and print the path of the .so.  Debian ships no
# qemu-plugin.h in a binary package, so it comes from Debian's qemu
# source package, fetched once with apt-get source (into a private apt
# state, leaving /etc/apt alone) and cached with the plugin in
#   $VIREO_CACHE/tcg-insn/<qemu version>/{qemu-plugin.h,tcg-insn.so,key}
# (VIREO_CACHE defaults to /var/cache/vireo).  A second run costs
# nothing: the .so is rebuilt only when tcg-insn.c or this script
# changes.  --cached: print the cached .so if it is up to date, else
# exit 1 (no network, no compiler).
#
# Needs gcc, pkg-config, libglib2.0-dev (tools/deps.sh) and, the first
# time, network access to Debian's archive.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${VIREO_CACHE:-/var/cache/vireo}/tcg-insn
QEMU=${QEMU:-qemu-system-x86_64}

die() { echo "tcg-insn: error: $*" >&2; exit 1; }

cached_only=0
case ${1:-} in
--cached) cached_only=1 ;;
'') ;;
*) die "usage: $0 [--cached]" ;;
esac

command -v "$QEMU" >/dev/null || die "$QEMU missing (qemu-system-x86)"
# "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"
qver=$("$QEMU" --version | head -n1)
upstream=$(sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p' <<<"$qver")
[[ -n $upstream ]] || die "cannot parse '$qver'"
pkgver=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
# The binary package's version less a binNMU suffix is the source's.
srcver=${pkgver%+b[0-9]*}
dir=$CACHE/$upstream${srcver:+-${srcver//:/_}}
so=$dir/tcg-insn.so
key=$(cat "$HERE/tcg-insn.c" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)

if [[ -f $so && -f $dir/key && $(cat "$dir/key") == "$key" ]]; then
	echo "$so"
	exit 0
fi
[[ $cached_only -eq 0 ]] || exit 1
mkdir -p "$dir"

# fetch_header: qemu-plugin.h from Debian's source package of this
# QEMU (the orig tarball; no Debian patch touches the header).
fetch_header() {
	local tmp o
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcg-insn.XXXXXX")
	# shellcheck disable=SC2064 # expand tmp now
	trap "rm -rf '$tmp'" RETURN
	mkdir -p "$tmp"/lists/partial "$tmp"/cache/archives/partial "$tmp"/src
	# Debian's own archive entries, as deb-src, in a private state.
	sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
		head -n1 >"$tmp/uri"
	local uri sec
	uri=$(cat "$tmp/uri")
	uri=${uri:-http://deb.debian.org/debian}
	sec=${uri%/debian}/debian-security
	cat >"$tmp/sources.list" <<-EOF
		deb-src $uri bookworm main
		deb-src $uri bookworm-updates main
		deb-src $sec bookworm-security main
	EOF
	o=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=$tmp/none"
		-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
		-o "APT::Sandbox::User=root")
	echo "tcg-insn: fetching qemu-plugin.h from Debian's qemu source ${srcver:-(any)}" >&2
	apt-get "${o[@]}" -qq update >&2 || die "apt-get update (deb-src) failed"
	(cd "$tmp/src" && { apt-get "${o[@]}" -qq source --download-only \
		"qemu${srcver:+=$srcver}" >&2 ||
		apt-get "${o[@]}" -qq source --download-only qemu >&2; }) ||
		die "apt-get source qemu failed"
	local tarball
	tarball=$(ls "$tmp"/src/qemu_*.orig.tar.* | head -n1)
	tar -xf "$tarball" -C "$tmp" --wildcards --strip-components=3 \
		'*/include/qemu/qemu-plugin.h' || die "no qemu-plugin.h in $tarball"
	grep -q '#define QEMU_PLUGIN_VERSION' "$tmp/qemu-plugin.h" ||
		die "$tarball: qemu-plugin.h without QEMU_PLUGIN_VERSION"
	mv "$tmp/qemu-plugin.h" "$dir/qemu-plugin.h"
}

[[ -f $dir/qemu-plugin.h ]] || fetch_header
command -v pkg-config >/dev/null && pkg-config --exists glib-2.0 ||
	die "glib-2.0 development files missing (tools/deps.sh installs libglib2.0-dev)"
# shellcheck disable=SC2046 # pkg-config prints a list of flags
gcc -shared -fPIC -O2 -Wall -Wextra -Wno-unused-parameter -Werror \
	-I"$dir" $(pkg-config --cflags glib-2.0) \
	-o "$so.tmp.$$" "$HERE/tcg-insn.c" $(pkg-config --libs glib-2.0) ||
	{ rm -f "$so.tmp.$$"; die "cannot build tcg-insn.so"; }
mv "$so.tmp.$$" "$so"
echo "$key" >"$dir/key"
echo "$so"
