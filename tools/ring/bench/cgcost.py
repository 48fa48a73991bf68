#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Ring cost per buffer from one callgrind output file.

Usage: cgcost.py CALLGRIND_OUT OPS [--funcs | --lines FILE_SUFFIX [N]]
       cgcost.py CALLGRIND_OUT --for-annotate DEST

The benchmark runs callgrind with --toggle-collect='drv_*', so only the
drv_add/drv_kick/drv_get functions and what they call are counted. The
ring's cost is what those functions *call* (inclusive cost of each call
made from their bodies: the ring's entry points, and malloc/free below
them); the drv_* functions' own instructions are the harness's loop and
are left out. Prints "add kick get total" in instructions per buffer.

With --funcs, prints instead the exclusive cost per buffer of every
function executed below drv_*, highest first.

With --lines FILE_SUFFIX, prints the exclusive cost per buffer of each
source line of files ending in FILE_SUFFIX (inlined code included, at its
own line), highest first (the first N), with the line's text.

With --for-annotate DEST, writes a copy of the file for callgrind_annotate:
the call records with a count of 0 (the callers of drv_*, which ran while
collection was off) are dropped. callgrind_annotate 3.19 otherwise charges
everything to __libc_start_main.

The file must be written with --compress-strings=no --compress-pos=no.
"""
import sys

PHASES = ("drv_add", "drv_kick", "drv_get")


def parse(path):
    calls = {p: 0 for p in PHASES}   # inclusive cost of calls out of drv_*
    self_cost = {}                    # exclusive cost per function
    line_cost = {}                    # exclusive cost per (file, line)
    fn = None
    fl = cur = None
    pending_call = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("fn="):
                fn = line[3:]
                cur = fl
                continue
            if line.startswith("fl="):
                fl = cur = line[3:]
                continue
            if line.startswith(("fi=", "fe=")):
                cur = line[3:]
                continue
            if line.startswith("calls="):
                pending_call = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            parts = line.split()
            if len(parts) < 2:
                continue
            cost = int(parts[1])
            if pending_call:
                pending_call = False
                if fn in calls:
                    calls[fn] += cost
                continue
            self_cost[fn] = self_cost.get(fn, 0) + cost
            key = (cur, int(parts[0]))
            line_cost[key] = line_cost.get(key, 0) + cost
    return calls, self_cost, line_cost


def for_annotate(path, dest):
    out = []
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("calls=0 "):
            while out and out[-1].startswith(("cob=", "cfi=", "cfl=", "cfn=")):
                out.pop()
            i += 2      # the call record and its cost line
            continue
        out.append(line)
        i += 1
    with open(dest, "w") as f:
        f.write("\n".join(out))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[2] == "--for-annotate":
        for_annotate(sys.argv[1], sys.argv[3])
        return
    path, ops = sys.argv[1], int(sys.argv[2])
    calls, self_cost, line_cost = parse(path)
    if len(sys.argv) > 4 and sys.argv[3] == "--lines":
        texts = {}
        rows = [(c, f, n) for (f, n), c in line_cost.items()
                if f and f.endswith(sys.argv[4]) and c]
        limit = int(sys.argv[5]) if len(sys.argv) > 5 else len(rows)
        rows = sorted(rows, key=lambda r: (-r[0], r[1], r[2]))[:limit]
        for c, f, n in rows:
            if f not in texts:
                try:
                    with open(f) as src:
                        texts[f] = src.read().split("\n")
                except OSError:
                    texts[f] = []
            t = texts[f][n - 1].strip() if 0 < n <= len(texts[f]) else ""
            print(f"{c / ops:8.1f}  {f.rsplit('/', 1)[-1]}:{n}  {t}")
        return
    if len(sys.argv) > 3 and sys.argv[3] == "--funcs":
        rows = [(c, f) for f, c in self_cost.items() if f not in PHASES]
        for c, f in sorted(rows, key=lambda r: (-r[0], r[1])):
            if c:
                print(f"{c / ops:8.1f}  {f}")
        return
    add, kick, get = (calls[p] / ops for p in PHASES)
    print(f"{add:.1f} {kick:.1f} {get:.1f} {add + kick + get:.1f}")


if __name__ == "__main__":
    main()
