# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets for the four input parsers, built with clang and
# ASan+UBSan into build/fuzz/ (never part of `make all`):
#   cfg     host/runner/cfg.c       unittests.cfg parser
#   filter  host/util/filterfile.c  filter-file parser (+ common/msrfilter.c model)
#   mbload  host/kvmrun/mbload.c    multiboot loader
#   output  host/runner/parse.c     guest output parser of the runner
#   ctrl    host/kvmrun/ctrl.c      kvmrun's control port (KVM faked)
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="cfg output"] [FUZZ_RUNS=N]
#             [FUZZ_ARGS="-jobs=2"]     long runs (host/fuzz/run.sh long)
#   make fuzz-build                     only build build/fuzz/fuzz-*
#   make fuzz-check                     the short run `make check` does
# Seeds: host/tests/corpus/NAME/ (kept in git); dictionaries:
# host/fuzz/NAME.dict.  Needs clang and libclang-rt-14-dev (or the matching
# compiler-rt); without them the check is a SKIP.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= cfg filter mbload output ctrl
FUZZ_RUNS ?=
FUZZ_ARGS ?=
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz-%,cfg filter mbload output ctrl)
FUZZ_CHECK := $(FUZZ_DIR)/check
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra \
	-Wno-unused-parameter -Icommon -Ihost
FUZZ_HDRS := host/fuzz/fuzz.h host/util/util.h host/runner/cfg.h host/util/filterfile.h \
	host/kvmrun/mbload.h host/runner/runner.h common/msrfilter.h host/kvmrun/kvmrun.h \
	common/kvmrun_proto.h

CHECK_PROGS += $(FUZZ_CHECK)

# Probe clang only when the check will need it (a fraction of a second).
ifneq ($(filter check fuzz-check $(FUZZ_CHECK),$(MAKECMDGOALS)),)
FUZZ_OK := $(shell FUZZ_CC='$(FUZZ_CC)' host/fuzz/run.sh probe && echo yes)
endif

.PHONY: fuzz fuzz-build fuzz-check

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_RUNS='$(FUZZ_RUNS)' FUZZ_ARGS='$(FUZZ_ARGS)' \
		host/fuzz/run.sh long $(FUZZ_TARGETS)

fuzz-check: $(FUZZ_CHECK)
	./$(FUZZ_CHECK)

$(FUZZ_DIR)/fuzz-cfg: host/fuzz/fuzz-cfg.c host/runner/cfg.c $(UTIL_SRCS)
$(FUZZ_DIR)/fuzz-filter: host/fuzz/fuzz-filter.c $(FILTERFILE_SRCS)
$(FUZZ_DIR)/fuzz-mbload: host/fuzz/fuzz-mbload.c host/kvmrun/mbload.c $(UTIL_SRCS)
$(FUZZ_DIR)/fuzz-output: host/fuzz/fuzz-output.c host/runner/parse.c host/runner/util.c \
	$(UTIL_SRCS)

$(FUZZ_DIR)/fuzz-ctrl: host/fuzz/fuzz-ctrl.c host/kvmrun/ctrl.c host/kvmrun/msr.c \
	host/kvmrun/exits.c host/kvmrun/serial.c host/util/kvm.c $(UTIL_SRCS)

$(FUZZ_BINS): $(FUZZ_HDRS) config.mak
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^) $(if $(filter %/fuzz-ctrl,$@),-pthread)

# check.sh runs check programs from the top directory without arguments.
# Without a working clang the binaries are not built and run.sh says SKIP.
$(FUZZ_CHECK): host/fuzz/run.sh $(if $(FUZZ_OK),$(FUZZ_BINS))
	@mkdir -p $(@D)
	printf '#!/bin/sh\ncd "$$(dirname "$$0")/../.." && exec host/fuzz/run.sh check "$$@"\n' >$@
	chmod +x $@
