# SPDX-License-Identifier: GPL-2.0
#
# vireo: the user-facing Makefile. `make help` lists the targets.
#
# Each kernel gets its own build directory, build/<release>/, holding a
# tree of symlinks to the sources: kbuild writes objects next to the
# sources it is given, so this keeps a 6.1 and a 6.12 build apart.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
TOP := $(CURDIR)
BUILD := $(TOP)/build
export VIREO_CACHE ?= /var/cache/vireo
SCRIPTS := $(VIREO_CACHE)/linux-source-6.12/scripts

# What kbuild sees; everything else (tools, docs) stays out of the build.
KBUILD_SRCS := Kbuild include virtio_core virtio_ring virtio_pci_legacy \
	       drivers kunit

# Debian's installed target kernels that have headers and an image:
# the primary ones (generic amd64 6.1 and 6.12, every test runs on them)
# and their cloud and rt flavours (tools/deps.sh --print-kvers).
TARGET_KVERS = $(shell $(TOP)/tools/deps.sh --print-kvers 2>/dev/null)
PRIMARY_KVERS = $(shell $(TOP)/tools/deps.sh --print-kvers primary 2>/dev/null)
RUNNING := $(shell uname -r)
# The running kernel if its headers exist, else the newest primary kernel.
KVER ?= $(if $(wildcard /lib/modules/$(RUNNING)/build),$(RUNNING),$(lastword $(PRIMARY_KVERS)))
KDIR = /lib/modules/$(KVER)/build

# The tree's own sources, for the style checkers.
CHECK_FILES = $(shell find $(filter-out Kbuild,$(KBUILD_SRCS)) samples \
		-name '*.[ch]' -not -name '*.mod.c' | sort)

# WERROR=1 turns compiler warnings into errors (make test sets it).
# SPARSE=1 runs sparse (C=2) in the same kbuild pass as the compiler, so
# that its findings fail the build too; C= leaves the compiler's command
# line alone, so switching it never recompiles (make sparse uses it).
WERROR ?= 0
SPARSE ?= 0
KB_FLAGS = W=1 $(if $(filter 1,$(WERROR)),KCFLAGS=-Werror) \
	   $(if $(filter 1,$(SPARSE)),C=2)
# kbuild runs one job per CPU, unless make was given -j itself (its
# jobserver then shares the CPUs; a second -j would only warn).
NPROC := $(shell nproc)
KB_JOBS = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(NPROC))

.PHONY: all modules all-kernels check sparse checkpatch kernel-doc deps \
	test test-all kunit-kernel kunit-modules samples run bench install clean \
	help fuzz ring-bench tcg-insn htmldocs deb

all modules:
	@test -n "$(KVER)" || { echo "no kernel headers found: run 'make deps'" >&2; exit 1; }
	@$(MAKE) --no-print-directory build-one K=$(KVER)

# farm-one K=<name>: link the sources into build/<name>/ (a release, or
# "kunit" for the KUnit kernel).
.PHONY: farm-one build-one
farm-one:
	@mkdir -p $(BUILD)/$(K)
	@cd $(BUILD)/$(K) && find . -xtype l -delete
	@cd $(TOP) && find $(KBUILD_SRCS) -type f \( -name '*.[ch]' -o -name Kbuild \) \
		-not -name '*.mod.c' | while read -r f; do \
		mkdir -p "$(BUILD)/$(K)/$$(dirname "$$f")"; ln -sfn "$(TOP)/$$f" "$(BUILD)/$(K)/$$f"; done

# build-one K=<release> [KD=<kernel build dir>]: farm the sources and
# build, with no warning allowed.
build-one: KD ?= /lib/modules/$(K)/build
build-one:
	@test -d $(KD) || { echo "no headers for $(K): run 'make deps'" >&2; exit 1; }
	@$(MAKE) --no-print-directory farm-one K=$(K)
	@echo "  BUILD   $(K)"
	@$(MAKE) --no-print-directory $(KB_JOBS) -C $(KD) M=$(BUILD)/$(K) \
		$(KB_FLAGS) $(KB_EXTRA) modules 2>&1 | tee $(BUILD)/$(K).log | grep -v 'Skipping BTF' || true
	@! grep -iE 'warning|error' $(BUILD)/$(K).log | grep -v 'Skipping BTF' >/dev/null \
		|| { echo "build for $(K) has warnings or errors" >&2; exit 1; }
	@# A module this kernel no longer builds (drivers/Kbuild says why)
	@# must not linger from an earlier build: the VM tests would load it.
	@find $(BUILD)/$(K) -name '*.ko' | grep -vxFf <(sed 's/\.o$$/.ko/' \
		$(BUILD)/$(K)/modules.order) | xargs -r rm -f || true
	@test -f $(BUILD)/$(K)/virtio_ring/vireo_ring.ko

all-kernels:
	@test -n "$(TARGET_KVERS)" || { echo "no target kernel headers: run 'make deps'" >&2; exit 1; }
	@for k in $(TARGET_KVERS); do $(MAKE) --no-print-directory build-one K=$$k; done

# samples/ built as third-party drivers are: out of tree, against the
# installed headers and vireo's Module.symvers (Documentation/driver-api.rst),
# for SAMPLE_KVERS: the primary kernels (make test-all: every target).
SAMPLE_KVERS = $(PRIMARY_KVERS)
samples:
	@for k in $(SAMPLE_KVERS); do \
		test -f $(BUILD)/$$k/Module.symvers || \
			$(MAKE) --no-print-directory build-one K=$$k >/dev/null; \
		d=$(BUILD)/samples-$$k; rm -rf $$d; mkdir -p $$d; \
		cp samples/vireo_demo/vireo_demo.c samples/vireo_demo/Kbuild $$d/; \
		echo "  SAMPLE  vireo_demo $$k"; \
		$(MAKE) --no-print-directory -C /lib/modules/$$k/build M=$$d VIREO=$(TOP) \
			KBUILD_EXTRA_SYMBOLS=$(BUILD)/$$k/Module.symvers W=1 KCFLAGS=-Werror \
			modules > $$d.log 2>&1 || { cat $$d.log >&2; exit 1; }; \
		if grep -iE 'warning|error' $$d.log | grep -v 'Skipping BTF'; then exit 1; fi; \
		modinfo -F depends $$d/vireo_demo.ko | grep -q vireo_core || \
			{ echo "vireo_demo.ko does not depend on vireo_core" >&2; exit 1; }; \
	done

check: sparse checkpatch kernel-doc

# sparse (C=2) checks every file on every target kernel, flavours too:
# the build with SPARSE=1, which fails on any finding (build/<r>.log).
sparse:
	@$(MAKE) --no-print-directory all-kernels SPARSE=1

checkpatch:
	@test -f $(SCRIPTS)/checkpatch.pl || { echo "checkpatch.pl missing: run 'make deps'" >&2; exit 1; }
	@echo "  CHECKPATCH $(words $(CHECK_FILES)) files"
	@perl $(SCRIPTS)/checkpatch.pl --strict --no-tree --quiet \
		-f $(filter-out include/vireo/compat.h,$(CHECK_FILES))
	@# The compat header is the one place allowed to test the kernel version
	@# and to name the pre-6.4 non-const struct bus_type.
	@perl $(SCRIPTS)/checkpatch.pl --strict --no-tree --quiet \
		--ignore LINUX_VERSION_CODE,CONST_STRUCT -f include/vireo/compat.h

kernel-doc:
	@test -f $(SCRIPTS)/kernel-doc || { echo "kernel-doc missing: run 'make deps'" >&2; exit 1; }
	@echo "  KERNELDOC $(words $(CHECK_FILES)) files"
	@out=$$(perl $(SCRIPTS)/kernel-doc -none -Wall $(CHECK_FILES) 2>&1); \
		if [ -n "$$out" ]; then echo "$$out" >&2; exit 1; fi

deps:
	@$(TOP)/tools/deps.sh

# Documentation/ as HTML in build/htmldocs/ (index.html first), with the
# kernel-doc of the sources through the kernel's kerneldoc.py (cached from
# linux-source-6.12 by tools/docs/kernel-sphinx.sh); any warning fails.
htmldocs:
	@$(TOP)/tools/docs/htmldocs.sh $(BUILD)/htmldocs

# Everything: packages, a warning-free build for every kernel (and for
# the KUnit kernel, with its test modules), the static checks, then every
# test under tests/ (tools/vm/run.py, Documentation/testing.rst):
# T=<name or glob,...> and G=<group> select tests, KVER=<release or
# debug> one kernel, J=<n> the tests run at a time (default: all CPUs).
# It ends with one KTAP document and "N passed, N failed, N skipped".
#
# make test runs every test on the primary kernels (generic amd64 6.1 and
# 6.12) and the debug kernel, the "flavours" group on the cloud and rt
# flavours, and stress tests with their shorter "short-args:" counts;
# make test-all (FULL=1) runs every test on all of them, at full length,
# and builds samples/ for every kernel.
FULL ?= 0
RUN_ARGS = $(foreach t,$(T),-T $(t)) $(if $(G),-G $(G)) $(if $(J),-j $(J)) \
	   $(if $(filter command line,$(origin KVER)),--kver $(KVER)) \
	   $(if $(filter 1,$(FULL)),--full)
# A selection (T= or G=) skips samples and the static checks. sparse runs
# within the build (SPARSE=1): a second pass would recompile everything.
test: deps
	@$(MAKE) --no-print-directory all-kernels WERROR=1 $(if $(T)$(G),,SPARSE=1)
	@$(if $(T)$(G),,$(MAKE) --no-print-directory samples \
		$(if $(filter 1,$(FULL)),SAMPLE_KVERS="$(TARGET_KVERS)"))
	@$(if $(T)$(G),,$(MAKE) --no-print-directory checkpatch kernel-doc)
	@$(MAKE) --no-print-directory kunit-modules || \
		echo "make test: the KUnit build failed; its tests will fail" >&2
	@python3 $(TOP)/tools/vm/run.py $(RUN_ARGS)

test-all:
	@$(MAKE) --no-print-directory test FULL=1

# A fuzzing campaign of FUZZ_SECONDS (default 600) on one core; new
# inputs go to tools/ring/build/fuzz-corpus (merge with make -C tools/ring
# corpus-min), crashes to tools/ring/build/artifacts/.
FUZZ_SECONDS ?= 600
fuzz:
	@$(MAKE) --no-print-directory -C $(TOP)/tools/ring fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

# Instructions per buffer, vireo's ring against Linux's (callgrind).
ring-bench: deps
	@$(MAKE) --no-print-directory -C $(TOP)/tools/ring/bench run

# The KUnit kernel: Debian's linux-source-6.12 with KASAN, lockdep and
# kmemleak, cached in $(VIREO_CACHE)/kunit by its inputs; and our modules
# with the KUnit suites (kunit/) built against it into build/kunit/.
kunit-kernel:
	@$(TOP)/tools/kunit/build-kernel.sh >/dev/null

kunit-modules: kunit-kernel
	@$(MAKE) --no-print-directory build-one K=kunit KB_EXTRA=C=2 \
		KD=$$($(TOP)/tools/kunit/build-kernel.sh --cached)

# The whole stack in one guest, with a device of every type it drives.
run: deps
	@$(MAKE) --no-print-directory all-kernels
	@python3 $(TOP)/tools/vm/demo.py $(if $(filter command line,$(origin KVER)),--kver $(KVER))

# Benchmarks (bench/): the ring against Linux's in userspace, then the
# drivers against the in-kernel ones in a 6.12 guest.
bench: deps
	@$(MAKE) --no-print-directory ring-bench
	@$(MAKE) --no-print-directory all-kernels
	@$(MAKE) --no-print-directory tcg-insn
	@$(TOP)/tools/bench $(if $(filter command line,$(origin KVER)),--kver $(KVER)) $(T)

# The QEMU plugin counting the guests' instructions for the benchmarks
# (tools/tcg-insn): qemu-plugin.h from Debian's qemu source package and
# the plugin, cached in $(VIREO_CACHE)/tcg-insn/<qemu version>/.
tcg-insn:
	@so=$$($(TOP)/tools/tcg-insn/build.sh) && echo "  TCG-INSN $$so"

# Installs the modules for KVER under updates/vireo and runs depmod.
# Debian's signing key is not available to out-of-tree builds, so the
# modules stay unsigned (they load, tainting the kernel: MODULE_SIG_FORCE
# is off); and Debian's headers lack the System.map kbuild's own depmod
# step wants, so depmod runs here.
install: all
	@$(MAKE) --no-print-directory -C $(KDIR) M=$(BUILD)/$(KVER) \
		INSTALL_MOD_DIR=updates/vireo CONFIG_MODULE_SIG_ALL= \
		modules_install 2>&1 | grep -v 'Skipping depmod' || true
	@test -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/vireo/virtio_ring/vireo_ring.ko
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER)

# The Debian packages (debian/, Documentation/packaging.rst): vireo-dkms,
# vireo-dev, vireo-tools, built in a scratch copy, into build/deb/. deps
# first, so that "make deb" alone works on a fresh machine (as root).
deb: deps
	@$(TOP)/tools/pkg/build-deb.sh $(BUILD)/deb

clean:
	rm -rf $(BUILD)

help:
	@echo "make [KVER=<release>]  build the modules (default: running kernel, else newest target)"
	@echo "make all-kernels       build for every installed target kernel: Debian 6.1 and 6.12,"
	@echo "                       generic amd64 (primary), cloud and rt (flavours)"
	@echo "make check             sparse (every target kernel), checkpatch --strict, kernel-doc"
	@echo "make samples           build samples/ out of tree, as a third-party driver"
	@echo "make htmldocs          Documentation/ as HTML with the kernel-doc, in build/htmldocs/"
	@echo "make deps              install the Debian packages the project needs"
	@echo "make test              deps, builds, checks, then every test in tests/ on the primary"
	@echo "                       and debug kernels, the flavours group on cloud and rt"
	@echo "                       T=<glob,...> G=<group> KVER=<release|debug> J=<parallel boots>"
	@echo "make test-all          make test with the full matrix: every test on every kernel,"
	@echo "                       stress tests at full length"
	@echo "make kunit-modules     the KUnit kernel (cached) and the modules with kunit/ for it"
	@echo "make run               boot one guest with a device of every type, bound to vireo"
	@echo "make bench             ring-bench, then the bench/ benchmarks: vireo vs in-kernel, timed and"
	@echo "                       with guest instruction counts (tools/tcg-insn)"
	@echo "make ring-bench        instructions per buffer, vireo's ring vs Linux's (callgrind)"
	@echo "make tcg-insn          the QEMU plugin counting guest instructions (cached)"
	@echo "make fuzz              fuzz the ring for FUZZ_SECONDS (default 600)"
	@echo "make install           install the modules for KVER (updates/vireo)"
	@echo "make deb               the Debian packages (DKMS, SDK, tools) into build/deb/"
	@echo "make clean             remove build/"
