# SPDX-License-Identifier: GPL-2.0-only
# build/kvmrun (the VMM) and its unit tests.  Included by the top-level
# Makefile.
#
# Objects: build/obj/ (normal), build/san/ (ASan+UBSan, for the tests and
# build/san/kvmrun).  Test binaries: build/tests/.

KVMRUN_CORE := host/util/kvmrunopts.c host/kvmrun/env.c \
	host/kvmrun/msr.c host/kvmrun/serial.c \
	host/kvmrun/exits.c host/kvmrun/mbload.c \
	host/util/filterfile.c $(KVM_SRCS)
KVMRUN_SRCS := $(sort $(wildcard host/kvmrun/*.c) $(KVMRUN_CORE))
KVMRUN_OBJS := $(call objs,obj,$(KVMRUN_SRCS))
KVMRUN_SAN_OBJS := $(call objs,san,$(KVMRUN_SRCS))
KVMRUN_SAN := $(BUILD)/san/kvmrun
KVMRUN_LIBS := -pthread

KVMRUN_TESTS := $(BUILD)/tests/test-filterfile $(BUILD)/tests/test-mbload \
	$(BUILD)/tests/test-kvmrun-opts $(BUILD)/tests/test-kvmrun-ctrl \
	$(BUILD)/tests/test-kvmrun-serial $(BUILD)/tests/test-kvmrun-cli \
	$(BUILD)/tests/test-kvmrun-crash

HOST_PROGS += $(BUILD)/kvmrun
CHECK_PROGS += $(KVMRUN_TESTS)

$(BUILD)/kvmrun: $(KVMRUN_OBJS) $(BUILD)/ldflags
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) $(KVMRUN_LIBS)

$(KVMRUN_SAN): $(KVMRUN_SAN_OBJS)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

$(BUILD)/tests/test-filterfile: $(call objs,san,host/tests/test-filterfile.c \
		$(FILTERFILE_SRCS))
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

$(BUILD)/tests/test-mbload: $(call objs,san,host/tests/test-mbload.c \
		host/kvmrun/mbload.c host/tests/test-mbload-image.c $(UTIL_SRCS))
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

$(BUILD)/tests/test-kvmrun-opts: $(call objs,san,host/tests/test-kvmrun-opts.c \
		host/util/kvmrunopts.c host/kvmrun/env.c host/kvmrun/virt.c $(UTIL_SRCS))
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

$(BUILD)/tests/test-kvmrun-ctrl: $(call objs,san,host/tests/test-kvmrun-ctrl.c \
		host/kvmrun/ctrl.c host/kvmrun/msr.c host/kvmrun/exits.c \
		host/kvmrun/serial.c $(KVM_SRCS))
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

$(BUILD)/tests/test-kvmrun-serial: $(call objs,san,host/tests/test-kvmrun-serial.c \
		host/kvmrun/serial.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

# Without sanitizers: ASan takes SIGSEGV for itself (crash.h).
$(BUILD)/tests/test-kvmrun-crash: $(call objs,obj,host/tests/test-kvmrun-crash.c \
		host/kvmrun/crash.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

# Writes small multiboot images for the CLI test.
$(BUILD)/tests/mkimage: $(call objs,san,host/tests/test-mbload-mkimage.c \
		host/tests/test-mbload-image.c)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

# A shell-level check of the built binary (exit statuses, reason lines).
$(BUILD)/tests/test-kvmrun-cli: host/tests/test-kvmrun-cli.sh $(KVMRUN_SAN) $(BUILD)/kvmrun \
		$(BUILD)/tests/mkimage
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@
