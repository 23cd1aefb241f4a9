// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrun main: check every input first (status 2 on a bad one, before KVM
 * is even opened), then set up KVM (77 when it is missing), load the
 * image, build the multiboot info and run.  Overview: host/kvmrun/kvmrun.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/filterfile.h"
#include "kvmrun.h"
#include "crash.h"
#include "env.h"
#include "util/util.h"
#include "virt.h"
#include "mbload.h"

/* The multiboot command line, as QEMU builds it: image path + arguments. */
static void build_cmdline(const struct kvmrun_opts *o, struct sbuf *b)
{
	int i;

	sb_add(b, o->image, strlen(o->image));
	for (i = 0; i < o->nargs; i++)
		sb_printf(b, " %s", o->args[i]);
	if (b->len > MB_CMDLINE_MAX)
		die(KVMRUN_EXIT_SETUP, "command line of %zu bytes is over the %u kvmrun "
		    "passes", b->len, MB_CMDLINE_MAX);
}

static void add_harness_env(struct vm *vm, struct sbuf *env, int filter_err)
{
	const struct kvmrun_opts *o = vm->opts;
	char buf[32];
	struct env_host host;
	struct env_run run = {
		.smp = o->smp, .irqchip = o->irqchip, .x2apic_cpuid = vm->x2apic_cpuid,
		.cpuid = o->cpuid_spec,
		.exit_mask = o->exit_mask, .filter = o->filter,
		.filter_when = filter_when_name(o->filter_when),
		.filter_errno = errno_str(filter_err, buf, sizeof(buf)),
		.cap_msr_filter = vm->cap_msr_filter,
		.cap_user_space_msr = vm->cap_user_space_msr,
		.cap_coalesced_pio = vm->cap_coalesced_pio,
	};

	env_read_host("/sys", &host);
	env_add_harness(env, &run, &host);
	vm->x2apic_virt = virt_x2apic_probe(vm->sys_fd, &host);
}

#ifdef __SANITIZE_ADDRESS__
#define STR_(x) #x
#define STR(x) STR_(x)
/*
 * The ASan build (build/san/kvmrun): a sanitizer report (ASan,
 * UBSan, LeakSanitizer) exits with status 1 by default, which for kvmrun
 * means "guest exit code 0": a passed test.  Exit like any other internal
 * error instead, so that the runner reports a FAIL with the report in the
 * log.  ASAN_OPTIONS in the environment still comes on top.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "exitcode=" STR(KVMRUN_EXIT_INTERNAL);
}
#endif

int main(int argc, char **argv)
{
	static struct msrf_filter filter;
	static struct vm vm;
	struct sbuf env = { 0 }, cmdline = { 0 };
	struct kvmrun_opts o;
	struct mb_image img;
	struct mb_boot boot;
	char err[1024], *image;
	size_t image_len;
	uint32_t info;
	int filter_err;

	prog_name = "kvmrun";
	prog_internal_status = KVMRUN_EXIT_INTERNAL;
	crash_init();
	if (kvmrun_parse_opts(argc, argv, &o, err, sizeof(err)))
		die(KVMRUN_EXIT_SETUP, "%s", err);
	if (o.help) {
		fputs(kvmrun_usage, stdout);
		return 0;
	}
	if (o.filter && filter_load(o.filter, &filter, err, sizeof(err)) < 0)
		die(KVMRUN_EXIT_SETUP, "%s", err);
	if (o.env_file && env_load_file(o.env_file, &env, err, sizeof(err)))
		die(KVMRUN_EXIT_SETUP, "%s", err);
	build_cmdline(&o, &cmdline);
	if (read_file(o.image, (size_t)o.mem_mib << 20, &image, &image_len, err, sizeof(err)) ||
	    mb_parse(o.image, image, image_len, (uint64_t)o.mem_mib << 20, &img, err,
		     sizeof(err)))
		die(KVMRUN_EXIT_SETUP, "%s", err);

	vm_create(&vm, &o);
	vm_setup(&vm, o.filter ? &filter : NULL, &filter_err);
	add_harness_env(&vm, &env, filter_err);

	mb_load(image, &img, vm.ram);
	free(image);
	boot = (struct mb_boot){
		.cmdline = cmdline.s, .env = env.s, .envlen = env.len,
		.modname = "kvmrun-env",
	};
	info = mb_build_info(vm.ram, vm.ram_size, &boot, err, sizeof(err));
	if (!info)
		die(KVMRUN_EXIT_SETUP, "%s", err);
	/* Copied into guest RAM; freed so that LeakSanitizer has nothing to say. */
	sb_free(&cmdline);
	sb_free(&env);
	if (vcpu_set_entry(&vm.vcpus[0], img.entry, MB_LOADER_MAGIC, info))
		die(KVMRUN_EXIT_INTERNAL, "cannot set the BSP's entry state: %m");
	return vm_run(&vm);
}
