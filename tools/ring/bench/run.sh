#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ring benchmark: instructions per buffer, vireo's ring against Linux's,
# counted by callgrind (deterministic: two runs print the same table).
#
# Usage: run.sh [--no-build] [--annotate] [--smoke] [--only REGEX]
#	--no-build	use what `make` already built
#	--annotate	for each workload where vireo/linux > 0.8, also write
#			out/annotate-<workload>.txt (callgrind_annotate of the
#			vireo run) and print vireo's cost per function and its
#			hottest lines
#	--smoke		run each workload once natively (checks only, no table)
#	--only REGEX	only workloads whose name matches
#
# Each workload runs in its own process under
#	valgrind --tool=callgrind --collect-atstart=no --toggle-collect='drv_*'
# so that only the driver's ring calls are counted: the inline device runs
# outside the drv_*() functions and is never collected, and the drv_*()
# functions' own loop is subtracted by cgcost.py. See bench.h.
#
# Workload names: <buffer>/<descriptors>/ev<EVENT_IDX>/b<batch>, where
#	buffer	1in: one device-writable 4 KiB entry (add_inbuf / add_buf)
#		3sg: out 16 B + out 4 KiB + in 1 B, three lists (add_sgs)
#	descriptors
#		direct: INDIRECT_DESC not negotiated
#		indirect: negotiated; vireo's queue has max_sg = 3, so its
#			tables are preallocated; Linux allocates one per buffer
#		indirect-nopool: negotiated, vireo's max_sg = 0, so vireo
#			allocates per buffer too (Linux: same as indirect)

set -euo pipefail

BENCH=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
O=${O:-$BENCH/out}
OPS=${OPS:-4096}
build=1 annotate=0 smoke=0 only=.

while (($#)); do
	case $1 in
	--no-build) build=0 ;;
	--annotate) annotate=1 ;;
	--smoke) smoke=1 ;;
	--only) only=$2; shift ;;
	*) echo "usage: $0 [--no-build] [--annotate] [--smoke] [--only REGEX]" >&2; exit 2 ;;
	esac
	shift
done

if ((build)); then
	make -s -C "$BENCH" -j2 all >&2
fi
if ((!smoke)); then
	command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install valgrind" >&2; exit 1; }
fi

workloads=()
for buf in 1in 3sg; do
	descs=(direct)
	[[ $buf == 3sg ]] && descs=(direct indirect indirect-nopool)
	for d in "${descs[@]}"; do
		for ev in 0 1; do
			for b in 1 32; do
				w=$buf/$d/ev$ev/b$b
				[[ $w =~ $only ]] && workloads+=("$w")
			done
		done
	done
done

args() {	# workload name -> bench arguments
	local IFS=/
	# shellcheck disable=SC2086
	set -- $1
	echo "${1%%[a-z]*} $2 ${3#ev} ${4#b} $OPS"
}

# Measure one ring on one workload: prints "add kick get total" per buffer.
measure() {
	local ring=$1 w=$2 out
	out=$O/cg-$ring-${w//\//_}.out
	# shellcheck disable=SC2046
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect='drv_*' \
		--dump-instr=no --compress-strings=no --compress-pos=no \
		--callgrind-out-file="$out" -q \
		"$O/bench-$ring" $(args "$w") >"$out.log" 2>&1 ||
		{ echo "bench-$ring $w failed:" >&2; cat "$out.log" >&2; exit 1; }
	python3 "$BENCH/cgcost.py" "$out" "$OPS"
}

if ((smoke)); then
	for w in "${workloads[@]}"; do
		for ring in linux vireo; do
			# shellcheck disable=SC2046
			"$O/bench-$ring" $(args "$w")
		done
	done
	exit 0
fi

hot=()
printf '%-28s %10s %10s %7s   %-22s %-22s\n' workload "linux" "vireo" "ratio" \
	"linux add/kick/get" "vireo add/kick/get"
printf '%-28s %10s %10s %7s   %-22s %-22s\n' "" "instr/op" "instr/op" "v/l" "" ""
for w in "${workloads[@]}"; do
	read -r la lk lg lt < <(measure linux "$w")
	read -r va vk vg vt < <(measure vireo "$w")
	ratio=$(awk -v v="$vt" -v l="$lt" 'BEGIN { printf "%.2f", v / l }')
	printf '%-28s %10s %10s %7s   %-22s %-22s\n' "$w" "$lt" "$vt" "$ratio" \
		"$la/$lk/$lg" "$va/$vk/$vg"
	awk -v r="$ratio" 'BEGIN { exit !(r > 0.8) }' && hot+=("$w")
done

((annotate)) || exit 0
echo
echo "vireo workloads with ratio > 0.8: ${hot[*]:-none}"
echo "(line numbers: $O/vireo_vq.c, the snapshot that was built)"
for w in "${hot[@]}"; do
	cg=$O/cg-vireo-${w//\//_}.out
	ann=$O/annotate-${w//\//_}.txt
	python3 "$BENCH/cgcost.py" "$cg" --for-annotate "$cg.ann"
	callgrind_annotate --auto=yes --context=1 "$cg.ann" >"$ann"
	echo
	echo "== $w: vireo instructions per buffer, by function (exclusive); $ann"
	python3 "$BENCH/cgcost.py" "$cg" "$OPS" --funcs
	echo "-- hottest lines of vireo_vq.c (instructions per buffer)"
	python3 "$BENCH/cgcost.py" "$cg" "$OPS" --lines /vireo_vq.c 15
done
