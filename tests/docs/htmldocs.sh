#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: make htmldocs is warning-free; broken references, kernel-doc and exports fail it
# kind: host
# groups: quick
# timeout: 300
# needs: sphinx-build /usr/src/linux-source-6.12.tar.xz
#
# tools/docs/htmldocs.sh (what `make htmldocs` runs) renders
# Documentation/ into a scratch directory: it must succeed, with no
# warning (sphinx-build -W), and every VIREO_EXPORT of virtio_core/ and
# virtio_ring/ must be a C function of some page.
#
# Then it proves it can fail, on a scratch tree holding the same build
# (conf.py, Documentation/sphinx/, tools/docs/) and a tiny source: built
# as it is, the tree passes; with one fault of each kind added, the build
# fails and names every fault: a reference to a missing label, a
# kernel-doc comment that leaves a parameter undescribed, an exported
# function no page shows, and a comment referring to a vireo struct no
# page declares. The failed build must also remove the output it
# replaced. KEEP=1 keeps the scratch directory.
set -euo pipefail

scratch=$(mktemp -d "${TMPDIR:-/tmp}/vireo-htmldocs.XXXXXX")
trap '[[ -n ${KEEP:-} ]] || rm -rf "$scratch"' EXIT
fail() { echo "htmldocs test: FAIL: $*" >&2; exit 1; }

# 1. The real documentation.
tools/docs/htmldocs.sh "$scratch/html" || fail "make htmldocs fails (above)"
[[ -f $scratch/html/index.html && -f $scratch/html/driver-api.html ]] ||
	fail "no index.html or driver-api.html in the output"
syms=$(sed -n 's/^\s*VIREO_EXPORT(\s*\(\w*\)\s*);.*/\1/p' \
	virtio_core/*.c virtio_ring/*.c)
[[ -n $syms ]] || fail "no VIREO_EXPORT found in virtio_core/ and virtio_ring/"
missing=0
for sym in $syms; do
	grep -q "id=\"c\.$sym\"" "$scratch"/html/*.html ||
		{ echo "exported $sym() is in no HTML page"; missing=1; }
done
((missing == 0)) || fail "exports missing from the HTML"
echo "ok: Documentation/ renders warning-free, with every export"

# 2. The checks fail on broken input.
t=$scratch/tree
mkdir -p "$t/Documentation" "$t/tools" "$t/virtio_core" "$t/virtio_ring"
cp -r Documentation/conf.py Documentation/sphinx Documentation/_static "$t/Documentation/"
cp -r tools/docs "$t/tools/"
cat >"$t/virtio_core/demo.c" <<'EOF'
/**
 * vireo_demo_add - add two numbers
 * @a: the first
 * @b: the second
 *
 * Return: their sum.
 */
int vireo_demo_add(int a, int b)
{
	return a + b;
}

VIREO_EXPORT(vireo_demo_add);
EOF
# Apart, because kerneldoc.py drops all of a directive whose kernel-doc
# run failed, which would hide the other faults.
cat >"$t/virtio_core/kdoc.c" <<'EOF'
/**
 * vireo_demo_mul - multiply two numbers
 * @a: the first
 * @b: the second
 *
 * Return: their product.
 */
int vireo_demo_mul(int a, int b)
{
	return a * b;
}
EOF
: >"$t/virtio_ring/empty.c"
cat >"$t/Documentation/index.rst" <<'EOF'
.. _demo:

====
Demo
====

See :ref:`demo`.

.. kernel-doc:: virtio_core/demo.c
   :export:

.. kernel-doc:: virtio_core/kdoc.c
EOF
"$t/tools/docs/htmldocs.sh" "$t/out" >"$scratch/good.log" 2>&1 ||
	{ cat "$scratch/good.log"; fail "the unbroken scratch tree does not build"; }
grep -q 'id="c.vireo_demo_add"' "$t/out/index.html" ||
	fail "the scratch build lacks vireo_demo_add()"

sed -i 's/^See :ref:`demo`\./See :ref:`no-such-label`./' "$t/Documentation/index.rst"
sed -i '/^ \* @b: the second$/d' "$t/virtio_core/kdoc.c"
sed -i 's/^ \* Return: their sum\.$/ * Return: their sum, unlike \&struct vireo_nowhere./' \
	"$t/virtio_core/demo.c"
cat >>"$t/virtio_core/demo.c" <<'EOF'

int vireo_demo_sub(int a, int b)
{
	return a - b;
}

VIREO_EXPORT(vireo_demo_sub);
EOF
if "$t/tools/docs/htmldocs.sh" "$t/out" >"$scratch/bad.log" 2>&1; then
	cat "$scratch/bad.log"
	fail "a build with four faults succeeds"
fi
cat "$scratch/bad.log"
for want in "undefined label: 'no-such-label'" \
	"'b' not described in 'vireo_demo_mul'" \
	"exported vireo_demo_sub() is on no page" \
	"reference target not found: vireo_nowhere"; do
	grep -qF -- "$want" "$scratch/bad.log" || fail "the failed build does not report: $want"
done
grep -qF "vireo_demo_add() is on no page" "$scratch/bad.log" &&
	fail "the failed build lost vireo_demo_add(), which it should still show"
[[ ! -e $t/out ]] || fail "the failed build left its earlier output in place"
echo "ok: a broken reference, kernel-doc comment, export and C reference each fail the build"
