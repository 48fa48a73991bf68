#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# description: a fixed-seed fuzz pass over the ring, and the corpus replayed
# kind: host
# timeout: 900
# needs: clang-14
#
# The libFuzzer harness (tools/ring/fuzz_ring.c: a driver and a hostile
# device taking turns on one queue, every step checked against a model)
# runs 100000 inputs from seed 1, then replays every input of the
# committed corpus (tools/ring/corpus/).  Any invariant violation or
# sanitizer report fails.  Campaigns proper: make fuzz.

make --no-print-directory -C tools/ring fuzz-smoke
