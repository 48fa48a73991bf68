#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# description: the instruction-counting QEMU plugin against a known loop
# kernels: 6.12
# groups: bench
# modules: none
# timeout: 300
#
# Checks the instruction counts of tools/tcg-insn against loops of known
# length: insnmark -L N runs N iterations of exactly two user-mode
# instructions between its two markers, so its phase should count 2N
# user instructions plus the few dozen of the markers themselves, and
# kernel instructions only for the interrupts that hit the loop.  Each
# size runs three times, to show how far counts move from run to run.
# Then what else a phase picks up: a marker pair in two processes (the
# shell's fork and exec), one step of /init's polling loop (kill -0,
# usleep), and the idle guest for 2 s; and TCG's speed on the loop, to
# compare with and without the plugin.  The counts are the plugin's
# (host side), in the log's BENCH-INSN phase lines (tools/bench --log
# prints them).  Without the plugin (no vireo.insn=1 on the command
# line) the markers are NOPs and only the loops run.
# Documentation/blk-bench.rst, "Instruction counts".

insn=0
for arg in $(cat /proc/cmdline); do
	case $arg in vireo.insn=1) insn=1 ;; esac
done
[ "$insn" = 1 ] || log "no instruction counting plugin: markers are NOPs"
check "insnmark present" test -x /bin/insnmark || return 1
# An empty phase: the cost of a marker pair with nothing between.
for r in 1 2 3; do
	check "insnmark -L 1 insn/calib/1/r$r" insnmark -L 1 "insn/calib/1/r$r"
done
for n in 1000000 10000000; do
	for r in 1 2 3; do
		check "insnmark -L $n insn/calib/$n/r$r" insnmark -L $n "insn/calib/$n/r$r"
	done
done
# Separate processes: the shell's fork and exec of a marker counted too.
for r in 1 2 3; do
	insnmark "insn/exec/r$r+"
	insnmark "insn/exec/r$r-"
done
# TCG's speed on a tight loop, the plugin's worst case (a 2-instruction
# block): compare the time with and without the plugin.
t0=$(cut -d' ' -f1 /proc/uptime)
insnmark -L 100000000 insn/speed
t1=$(cut -d' ' -f1 /proc/uptime)
echo "BENCH insn loop of 2*10^8 instructions: $(awk "BEGIN { print $t1 - $t0 }") s (plugin: $insn)"
# One step of /init's polling loop (kill -0, usleep), as a phase.
for r in 1 2 3; do
	insnmark "insn/initstep/r$r+"
	kill -0 $$
	usleep 1
	insnmark "insn/initstep/r$r-"
done
# The idle guest: what the kernel and init do meanwhile, per 2 s.
for r in 1 2 3; do
	insnmark "insn/idle2s/r$r+"
	sleep 2
	insnmark "insn/idle2s/r$r-"
done
check "insnmark rejects a bad label" test "$(insnmark 'bad label' 2>/dev/null; echo $?)" = 2
