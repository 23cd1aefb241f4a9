# SPDX-License-Identifier: GPL-2.0-only
# Top-level build.  `make` builds the guest library, every x86/*.flat image
# and the host programs; `make check` runs the project's own tests.
# Host pieces add themselves through host/*/*.mk fragments, one per folder.

.DEFAULT_GOAL := all

# A fresh clone builds with the default configuration; run ./configure
# yourself for a cross compiler or another prefix.
config.mak: configure
	@if [ -f config.mak ]; then \
		echo "configure is newer than config.mak: re-run ./configure with your options" >&2; \
		touch config.mak; \
	else \
		./configure; \
	fi
include config.mak

# Keep every output path relative so the tree can be built in place.
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all guest host check check-host check-guest install clean distclean help

DESTDIR ?=
prefix ?= $(PREFIX)

WERROR_FLAG := $(if $(filter yes,$(WERROR)),-Werror)

# ---- guest (freestanding x86-64) --------------------------------------------
GUEST_CFLAGS := -std=gnu11 -O2 -g -m64 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter \
	-Wmissing-prototypes -Wstrict-prototypes $(WERROR_FLAG) \
	-Ilib -Ilib/x86 -Icommon -MMD -MP
GUEST_ASFLAGS := -m64 -Ilib -Ilib/x86 -Icommon -MMD -MP -D__ASSEMBLY__

# common/ (the model, the control-port protocol) is shared with the host.
LIB_SRCS := $(sort $(wildcard lib/*.c lib/x86/*.c lib/x86/*.S common/*.c))
LIB_OBJS := $(patsubst %.c,%.o,$(patsubst %.S,%.o,$(LIB_SRCS)))
TESTS := $(sort $(patsubst %.c,%.flat,$(wildcard x86/*.c)))

all: guest host

guest: $(TESTS)

lib/%.o: lib/%.c config.mak
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

lib/%.o: lib/%.S config.mak
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@

common/%.o: common/%.c config.mak
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

x86/%.o: x86/%.c config.mak
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

x86/%.o: x86/%.S config.mak
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@

lib/libcflat.a: $(LIB_OBJS)
	rm -f $@
	$(CROSS_PREFIX)ar rcs $@ $^

# Link as x86-64, then wrap as ELF32: QEMU's -kernel multiboot loader
# refuses x86-64 ELF files, and the code runs in long mode anyway.
x86/%.elf: x86/cstart64.o x86/%.o lib/libcflat.a x86/flat.lds
	$(LD) -m elf_x86_64 -nostdlib -z noexecstack -z max-page-size=0x1000 \
		-T x86/flat.lds -o $@ x86/cstart64.o x86/$*.o lib/libcflat.a $(LIBGCC)

x86/%.flat: x86/%.elf
	$(OBJCOPY) -O elf32-i386 $< $@

# ---- host ----------------------------------------------------------------------
# Everything the host side builds goes under build/: programs at the top
# (build/kvmrun, build/runner, ...), objects mirroring their source path in
# build/obj/ (normal) and build/san/ (ASan+UBSan, for the checks), check
# programs in build/tests/.  Host code sees common/ and host/ only (never the
# guest's lib/): a folder's own headers by name, another folder's as
# "util/util.h".
BUILD := build
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-Wmissing-prototypes -Wstrict-prototypes $(WERROR_FLAG) -Icommon -Ihost -MMD -MP
# Sanitized builds of host code, used by `make check`.
SAN_CFLAGS := $(HOST_CFLAGS) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# `make STATIC=1` (or `make static`) links the host programs statically:
# the Intel lane runs them in an initramfs that has no libc.  The flags
# are recorded in build/ldflags, so switching relinks them.
HOST_LDFLAGS ?=
ifeq ($(STATIC),1)
HOST_LDFLAGS += -static
endif
$(BUILD)/ldflags: FORCE
	@mkdir -p $(@D)
	@echo '$(HOST_LDFLAGS)' | cmp -s - $@ || echo '$(HOST_LDFLAGS)' >$@
.PHONY: FORCE static
FORCE:

HOST_PROGS :=		# installed host programs (added by host/*/*.mk)
CHECK_PROGS :=		# host unit-test programs run by `make check`

# $(call objs,FLAVOUR,SOURCES): FLAVOUR is obj or san.
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

$(BUILD)/obj/%.o: %.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

# Shared host modules (host/util/) and the model, as each program links them.
UTIL_SRCS := host/util/util.c host/util/hostfacts.c
FILTERFILE_SRCS := host/util/filterfile.c common/msrfilter.c $(UTIL_SRCS)
KVM_SRCS := host/util/kvm.c $(UTIL_SRCS)

include $(sort $(wildcard host/*/*.mk))

host: $(HOST_PROGS)

static:
	$(MAKE) STATIC=1 host

# ---- checks ---------------------------------------------------------------------
# Every check program prints PASS:/FAIL:/SKIP: lines; scripts/check.sh
# runs them all, then boots the guest images under QEMU TCG, and ends with
# one "N passed, N failed, N skipped" line.
# Citations must point into the tree (doc/abi.md sections, no outside docs).
CHECK_PROGS += scripts/check-citations.sh

check: all $(CHECK_PROGS)
	./scripts/check.sh $(CHECK_PROGS)

# ---- help ----------------------------------------------------------------------
help:
	@echo 'Targets:'
	@echo '  all (default)  guest images x86/*.flat and the host programs in build/'
	@echo '  guest          only the guest images'
	@echo '  host           only build/kvmrun, build/runner, build/ioctl-test and'
	@echo '                 the standalone bug reproducers build/repro-*'
	@echo '  check          every check program (build/tests/), then the guest'
	@echo '                 images under QEMU TCG; ends with one "N passed" line'
	@echo '  bench          build/bench: start-up, exit costs, suite time'
	@echo '                 (BENCH_ARGS="--runs N --no-suite")'
	@echo '  fuzz           libFuzzer runs of the input parsers (FUZZ_SECONDS=,'
	@echo '                 FUZZ_TARGETS=, FUZZ_RUNS=); fuzz-build only builds'
	@echo '  install        one relocatable tree in $$(DESTDIR)$$(prefix)/share/'
	@echo '                 kvm-msrfilter-tests and a bin/kvm-msrfilter-tests link'
	@echo '  clean          remove build/ and the guest objects and images'
	@echo '  distclean      clean, and config.mak and logs/'
	@echo '  help           this text'
	@echo 'Run the suite with ./run_tests.sh (./run_tests.sh -h).'

# ---- install -------------------------------------------------------------------
# One relocatable directory: $(prefix)/share/kvm-msrfilter-tests holds the
# runner, cfg, images, filters and host programs (in bin/ there, where
# build/ has them in the tree); $(prefix)/bin/ gets a link.
INSTDIR = $(DESTDIR)$(prefix)/share/kvm-msrfilter-tests
install: all
	mkdir -p $(INSTDIR)/x86 $(INSTDIR)/bin $(INSTDIR)/scripts $(INSTDIR)/filters/vmm \
		$(DESTDIR)$(prefix)/bin
	cp run_tests.sh unittests.cfg $(INSTDIR)/
	cp $(TESTS) $(INSTDIR)/x86/
	cp $(HOST_PROGS) $(INSTDIR)/bin/
	cp scripts/*.sh $(INSTDIR)/scripts/
	-cp filters/*.filter $(INSTDIR)/filters/ 2>/dev/null
	-cp filters/vmm/*.filter $(INSTDIR)/filters/vmm/ 2>/dev/null
	[ ! -f known-failures ] || cp known-failures $(INSTDIR)/
	cp host/runner/results.schema.json $(INSTDIR)/
	# results.json's suite_version: an installed copy has no .git
	(git describe --always --dirty --tags 2>/dev/null || echo unknown) >$(INSTDIR)/VERSION
	echo installed > $(INSTDIR)/.installed
	ln -sf ../share/kvm-msrfilter-tests/run_tests.sh $(DESTDIR)$(prefix)/bin/kvm-msrfilter-tests
	# The reproducers by name, e.g. in the Intel lane's --cmd.
	for p in $(REPRO_NAMES); do \
		ln -sf ../share/kvm-msrfilter-tests/bin/$$p $(DESTDIR)$(prefix)/bin/$$p || exit 1; \
	done

clean:
	rm -f lib/*.o lib/x86/*.o lib/*.d lib/x86/*.d lib/libcflat.a
	rm -f common/*.o common/*.d
	rm -f x86/*.o x86/*.d x86/*.elf x86/*.flat
	rm -rf $(BUILD)

distclean: clean
	rm -f config.mak
	rm -rf logs

-include $(wildcard lib/*.d lib/x86/*.d common/*.d x86/*.d)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
