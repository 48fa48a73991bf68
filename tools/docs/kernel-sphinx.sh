#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract what `make htmldocs` takes from Debian's linux-source-6.12: the
# kernel's Sphinx extensions (Documentation/sphinx/, for kerneldoc.py, the
# kernellog.py it imports, and automarkup.py) and scripts/kernel-doc,
# which kerneldoc.py runs. Prints the directory holding both.
#
#   tools/docs/kernel-sphinx.sh    extract if needed, print the dir
#
# The result lives in $VIREO_CACHE/linux-source-6.12/htmldocs/ (default
# VIREO_CACHE /var/cache/vireo), apart from tools/deps.sh's scripts/, and
# is extracted again only when the tarball is newer than its stamp.
# Nothing of the kernel is copied into the repository.
set -euo pipefail

CACHE=${VIREO_CACHE:-/var/cache/vireo}
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
DEST=$CACHE/linux-source-6.12/htmldocs
STAMP=$DEST/.vireo-stamp
# What the build uses; all must be there for the cache to count.
NEEDED=(Documentation/sphinx/kerneldoc.py Documentation/sphinx/kernellog.py
	Documentation/sphinx/automarkup.py scripts/kernel-doc)

die() { echo "kernel-sphinx: error: $*" >&2; exit 1; }

complete() {
	local f
	for f in "${NEEDED[@]}"; do
		[[ -f $1/$f ]] || return 1
	done
}

fresh() {
	[[ -f $STAMP && ! $SRC_TARBALL -nt $STAMP ]] && complete "$DEST"
}

case ${1:-} in
'') ;;
-h | --help) sed -n '4,14p' "$0"; exit 0 ;;
*) die "unknown argument: $1 (try --help)" ;;
esac
[[ -f $SRC_TARBALL ]] || die "$SRC_TARBALL missing: run 'make deps' (linux-source-6.12)"
if fresh; then
	echo "$DEST"
	exit 0
fi

if ! mkdir -p "$CACHE/linux-source-6.12" 2>/dev/null ||
	[[ ! -w $CACHE/linux-source-6.12 ]]; then
	die "cannot write $CACHE/linux-source-6.12: run 'make htmldocs' as root once, or set VIREO_CACHE"
fi
# One extraction at a time (a build and the htmldocs test may start
# together); whoever waited finds it done.
exec 9>"$CACHE/linux-source-6.12/.htmldocs.lock"
flock 9
if fresh; then
	echo "$DEST"
	exit 0
fi
echo "kernel-sphinx: extracting Documentation/sphinx/ and scripts/kernel-doc from $SRC_TARBALL" >&2
tmp=$(mktemp -d "$CACHE/linux-source-6.12/.htmldocs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # mktemp's 0700 would keep other users' builds out
# The tarball's top directory is linux-source-6.12/; one pass for both.
tar -xJf "$SRC_TARBALL" -C "$tmp" --strip-components=1 --wildcards \
	'*/Documentation/sphinx/*' '*/scripts/kernel-doc' ||
	die "cannot extract from $SRC_TARBALL"
complete "$tmp" || die "$SRC_TARBALL lacks one of: ${NEEDED[*]}"
touch "$tmp/.vireo-stamp"
# Swap by rename, so that a concurrent build sees the old tree or the new.
rm -rf "$DEST.old"
[[ -d $DEST ]] && mv "$DEST" "$DEST.old"
mv "$tmp" "$DEST"
rm -rf "$DEST.old"
echo "$DEST"
