# SPDX-License-Identifier: GPL-2.0-only
# host/kvmrun (the VMM), host/ioctl-test (host-only checks of the MSR
# filter ioctl) and their unit tests.  Included by the top-level Makefile.
#
# Objects: host/obj/kvmrun/ (normal), host/obj/kvmrun-san/ (ASan+UBSan, for
# the tests and host/obj/kvmrun-san/kvmrun).  Test binaries: host/obj/tests/.

KVMRUN_CORE := host/kvmrun-util.c host/kvmrun-opts.c host/kvmrun-env.c \
	host/kvmrun-kvm.c host/kvmrun-msr.c host/kvmrun-serial.c \
	host/kvmrun-exits.c host/filter.c host/mbload.c
KVMRUN_SRCS := host/kvmrun.c host/kvmrun-vm.c host/kvmrun-run.c \
	host/kvmrun-ctrl.c host/kvmrun-virt.c host/kvmrun-crash.c $(KVMRUN_CORE)
KVMRUN_OBJS := $(patsubst host/%.c,host/obj/kvmrun/%.o,$(KVMRUN_SRCS))
KVMRUN_SAN_OBJS := $(patsubst host/%.c,host/obj/kvmrun-san/%.o,$(KVMRUN_SRCS))
KVMRUN_SAN := host/obj/kvmrun-san/kvmrun
KVMRUN_LIBS := -pthread

IOCTLTEST_OBJS := host/obj/kvmrun/ioctl-test.o host/obj/kvmrun/kvmrun-kvm.o \
	host/obj/kvmrun/kvmrun-util.o host/obj/kvmrun/msrfilter.o

KVMRUN_TESTS := host/obj/tests/test-filter host/obj/tests/test-mbload \
	host/obj/tests/test-kvmrun-opts host/obj/tests/test-kvmrun-ctrl \
	host/obj/tests/test-kvmrun-serial host/obj/tests/test-kvmrun-cli \
	host/obj/tests/test-kvmrun-crash

HOST_PROGS += host/kvmrun host/ioctl-test
CHECK_PROGS += $(KVMRUN_TESTS) host/ioctl-test
HOST_CLEAN += $(KVMRUN_SAN)

host/obj/kvmrun/%.o: host/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

host/obj/kvmrun/msrfilter.o: lib/msrfilter.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

host/obj/kvmrun-san/%.o: host/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

host/obj/kvmrun-san/msrfilter.o: lib/msrfilter.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -c $< -o $@

host/obj/kvmrun-san/%.o: host/tests/%.c config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -Ihost/tests -c $< -o $@

host/kvmrun: $(KVMRUN_OBJS) host/obj/ldflags
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) $(KVMRUN_LIBS)

$(KVMRUN_SAN): $(KVMRUN_SAN_OBJS)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

host/ioctl-test: $(IOCTLTEST_OBJS) host/obj/ldflags
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(filter %.o,$^) $(KVMRUN_LIBS)

KVMRUN_SANDIR := host/obj/kvmrun-san

host/obj/tests/test-filter: $(addprefix $(KVMRUN_SANDIR)/,test-filter.o filter.o \
		msrfilter.o kvmrun-util.o)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

host/obj/tests/test-mbload: $(addprefix $(KVMRUN_SANDIR)/,test-mbload.o mbload.o \
		kvmrun-util.o test-mbload-image.o)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

host/obj/tests/test-kvmrun-opts: $(addprefix $(KVMRUN_SANDIR)/,test-kvmrun-opts.o \
		kvmrun-opts.o kvmrun-env.o kvmrun-virt.o kvmrun-util.o)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

host/obj/tests/test-kvmrun-ctrl: $(addprefix $(KVMRUN_SANDIR)/,test-kvmrun-ctrl.o \
		kvmrun-ctrl.o kvmrun-msr.o kvmrun-kvm.o kvmrun-util.o kvmrun-exits.o \
		kvmrun-serial.o)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

host/obj/tests/test-kvmrun-serial: $(addprefix $(KVMRUN_SANDIR)/,test-kvmrun-serial.o \
		kvmrun-serial.o)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^ $(KVMRUN_LIBS)

# Without sanitizers: ASan takes SIGSEGV for itself (kvmrun-crash.h).
host/obj/tests/test-kvmrun-crash: host/tests/test-kvmrun-crash.c host/obj/kvmrun/kvmrun-crash.o \
		config.mak
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -Ihost/tests -o $@ $< host/obj/kvmrun/kvmrun-crash.o $(KVMRUN_LIBS)

# Writes small multiboot images for the CLI test.
host/obj/tests/mkimage: $(addprefix $(KVMRUN_SANDIR)/,test-mbload-mkimage.o test-mbload-image.o)
	@mkdir -p $(@D)
	$(HOSTCC) $(SAN_CFLAGS) -o $@ $^

# A shell-level check of the built binary (exit statuses, reason lines).
host/obj/tests/test-kvmrun-cli: host/tests/test-kvmrun-cli.sh $(KVMRUN_SAN) host/kvmrun \
		host/obj/tests/mkimage
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

-include $(wildcard host/obj/kvmrun/*.d host/obj/kvmrun-san/*.d)
