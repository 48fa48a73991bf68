#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Render Documentation/ to HTML (`make htmldocs`).
#
#   tools/docs/htmldocs.sh [OUTDIR]   default OUTDIR: build/htmldocs
#
# Sphinx (python3-sphinx) with the kernel's kerneldoc.py extension
# (tools/docs/kernel-sphinx.sh extracts it from linux-source-6.12) and
# Documentation/conf.py. Any warning fails the build (-W; --keep-going
# shows them all first), and every page is read again each time (-E):
# Sphinx reports the warnings of the pages it reads, so a page kept from
# an earlier run would keep its warnings quiet. The HTML is built beside
# OUTDIR and moved into place only when it is warning-free; a failed
# build removes OUTDIR, so that no stale or partial tree is left to be
# installed. OUTDIR/index.html is the entry page.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$TOP/build/htmldocs}

die() { echo "htmldocs: error: $*" >&2; exit 1; }

command -v sphinx-build >/dev/null ||
	die "sphinx-build missing: install python3-sphinx (make deps)"
VIREO_KERNEL_SPHINX=$("$TOP/tools/docs/kernel-sphinx.sh")
export VIREO_KERNEL_SPHINX

mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
work=$(mktemp -d "$OUT.new.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "  HTMLDOCS $OUT"
if ! sphinx-build -b html -W --keep-going -E -q -d "$work/doctrees" \
	"$TOP/Documentation" "$work/html"; then
	rm -rf "$OUT"
	die "Documentation/ has warnings (above); $OUT removed"
fi
# Sphinx's record of its configuration, for incremental builds, which -E
# does not use: not part of the documentation.
rm -f "$work/html/.buildinfo"
[[ -f $work/html/index.html ]] || die "sphinx-build wrote no index.html"
rm -rf "$OUT.old"
[[ -d $OUT ]] && mv "$OUT" "$OUT.old"
mv "$work/html" "$OUT"
rm -rf "$OUT.old"
