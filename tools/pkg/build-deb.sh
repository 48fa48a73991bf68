#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/pkg/build-deb.sh [OUTDIR]: build vireo's Debian packages (make deb).
#
# The build runs in a scratch copy of the tree (OUTDIR/src/) so that
# debhelper's files never land in the checkout: the copy holds what git
# knows (tracked and new, not ignored, files) or, outside git, the tree
# without build/. The .debs, .changes and .buildinfo go to OUTDIR
# (default build/deb/); lintian then checks them, and any error or
# warning it reports fails the build (debian/*.lintian-overrides say why
# a tag is overridden). Unsigned: dpkg-buildpackage -us -uc -b.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$TOP/build/deb}
die() { echo "build-deb: error: $*" >&2; exit 1; }

for c in dpkg-buildpackage dh dh_dkms lintian; do
	command -v "$c" >/dev/null || die "$c missing: run 'make deps'"
done
VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -SVersion)
SRC=$OUT/src/vireo-$VERSION

rm -rf "$OUT"
mkdir -p "$SRC"
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$SRC"
else
	tar -C "$TOP" --exclude=./build -cf - . | tar -xf - -C "$SRC"
fi

echo "  DEB     vireo $VERSION (log: $OUT/build.log)"
(cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 ||
	{ tail -n 30 "$OUT/build.log" >&2; die "dpkg-buildpackage failed; log: $OUT/build.log"; }
mv "$OUT"/src/*.deb "$OUT"/src/*.changes "$OUT"/src/*.buildinfo "$OUT"/
rm -rf "$OUT/src"

echo "  LINTIAN $(cd "$OUT" && echo *.changes)"
# --fail-on warning: an error or warning tag fails; overridden tags
# do not, as each override says why.
lintian --fail-on error,warning --tag-display-limit 0 "$OUT"/*.changes >"$OUT/lintian.log" 2>&1 ||
	{ cat "$OUT/lintian.log" >&2; die "lintian reports errors or warnings; log: $OUT/lintian.log"; }
grep -E '^[EW]:' "$OUT/lintian.log" >&2 && die "lintian reports errors or warnings"
ls "$OUT"/*.deb
