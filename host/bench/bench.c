// SPDX-License-Identifier: GPL-2.0-only
/*
 * `make bench`: what the suite costs, measured in one run on this machine
 * and reported as ratios against baselines measured in the same run:
 *   1. start-to-exit of a trivial image (x86/bench.flat boot-only):
 *      build/kvmrun, QEMU+KVM and QEMU TCG, median/min/max over --runs, and
 *      peak RSS of the VMM process; ratios against kvmrun;
 *   2. the exit-cost floor measured inside the guest (x86/bench.c): cycles
 *      per in-kernel exit, user-space exit, #GP-injected denied RDMSR and
 *      FILTER user exit; ratios against the in-kernel exit;
 *   3. the differential sweep's cost per checked access (x86/msr_sweep.c
 *      prints it) against the floor of (2);
 *   4. the console per 64-byte line on each guest path (line request, THR
 *      without LSR polls, 16550 with LSR polls), with and without
 *      coalesced PIO: cycles, exits to kvmrun and all VM exits (KVM's
 *      count), and ratios against the 16550 path of the same run;
 *   5. the default suite's wall time (./run_tests.sh -j2) and its checks.
 * Prints a table and writes the same figures as JSON (--json, default
 * bench.json).  Missing pieces (no /dev/kvm, no QEMU) are reported with the
 * reason, never guessed.  A benchmark, not a test: nothing here asserts a
 * time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define MAX_RUNS 1000

struct sample {
	double ms[MAX_RUNS];
	long rss_kib[MAX_RUNS];
	int n, failed;
	const char *skip;	/* why it was not measured */
};

struct figure {
	const char *name;
	double value;
	int have;
};

/* x86/bench.c's console paths, in the order it measures them. */
static const char *const con_paths[] = { "line", "thr", "uart" };
#define NCON 3
#define CON_UART 2

struct con_figure {
	double cycles, exits, kvm_exits;	/* per line; kvm_exits < 0: unknown */
	int have;
};

/* [0]: kvmrun as usual (coalesced PIO when KVM has it), [1]: --no-coalesced-pio */
static struct con_figure con[2][NCON];
static const char *con_skip[2];

static int runs = 20;
static const char *json_path = "bench.json";
static int with_suite = 1;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Run argv with stdout to 'out_fd' (or /dev/null), return its wait status;
 * *ms and *rss get the wall time and the child's peak RSS.
 */
static int run(char *const argv[], int out_fd, double *ms, long *rss)
{
	struct rusage ru;
	double t0 = now_ms();
	int status, null;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		null = open("/dev/null", O_RDWR);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*ms = now_ms() - t0;
	*rss = ru.ru_maxrss;
	return status;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double tmp[MAX_RUNS];

	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static double minmax(const double *v, int n, int want_max)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (want_max ? v[i] > m : v[i] < m)
			m = v[i];
	return m;
}

static long max_rss(const struct sample *s)
{
	long m = 0;
	int i;

	for (i = 0; i < s->n; i++)
		if (s->rss_kib[i] > m)
			m = s->rss_kib[i];
	return m;
}

/* Every run must end as the guest's exit(0): status (0 << 1) | 1 = 1. */
static void sample_cmd(struct sample *s, char *const argv[])
{
	int i, st;

	for (i = 0; i < runs; i++) {
		st = run(argv, -1, &s->ms[s->n], &s->rss_kib[s->n]);
		if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 1) {
			s->failed++;
			continue;
		}
		s->n++;
	}
	if (!s->n && !s->skip)
		s->skip = "every run failed";
}

static int kvm_usable(void)
{
	int fd = open(getenv("KVM_DEVICE") ?: "/dev/kvm", O_RDWR);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int have_cmd(const char *name)
{
	char *path = getenv("PATH"), *copy, *dir, *save = NULL, buf[4096];
	int found = 0;

	if (strchr(name, '/'))
		return !access(name, X_OK);
	copy = strdup(path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		found = !access(buf, X_OK);
	}
	free(copy);
	return found;
}

/* Run argv, capture its stdout into a malloc'ed string (bounded). */
static char *capture(char *const argv[], double *ms)
{
	char *buf = NULL;
	size_t len = 0;
	long rss;
	FILE *f = tmpfile();
	int st;

	if (!f)
		return NULL;
	st = run(argv, fileno(f), ms, &rss);
	if (st < 0) {
		fclose(f);
		return NULL;
	}
	rewind(f);
	buf = calloc(1, 1 << 20);
	if (buf)
		len = fread(buf, 1, (1 << 20) - 1, f);
	buf[len] = 0;
	fclose(f);
	return buf;
}

/* "INFO: bench: bench: NAME C cycles" lines of x86/bench.c */
static int floor_cycles(const char *out, const char *name, double *cycles)
{
	char key[96];
	const char *p;

	snprintf(key, sizeof(key), "bench: %s ", name);
	p = strstr(out, key);
	return p && sscanf(p + strlen(key), "%lf", cycles) == 1;
}

static const char *const floor_names[] = {
	"cpuid-exit", "user-io-exit", "rdmsr-allowed", "rdmsr-denied-gp", "rdmsr-filter-exit",
};
#define NFLOOR (sizeof(floor_names) / sizeof(floor_names[0]))

static void print_sample(const char *name, const struct sample *s, const struct sample *base)
{
	if (!s->n) {
		printf("  %-22s not measured: %s\n", name, s->skip);
		return;
	}
	printf("  %-22s median %9.2f ms  min %9.2f  max %9.2f  peak RSS %7ld KiB  (%d runs",
	       name, median((double *)s->ms, s->n), minmax(s->ms, s->n, 0),
	       minmax(s->ms, s->n, 1), max_rss(s), s->n);
	if (s->failed)
		printf(", %d failed", s->failed);
	printf(")");
	if (base && base->n && base != s)
		printf("  %.1fx kvmrun", median((double *)s->ms, s->n) /
					median((double *)base->ms, base->n));
	printf("\n");
}

static void json_sample(FILE *j, const char *name, const struct sample *s, int last)
{
	fprintf(j, "    \"%s\": ", name);
	if (!s->n)
		fprintf(j, "{ \"skipped\": \"%s\" }", s->skip);
	else
		fprintf(j, "{ \"runs\": %d, \"failed\": %d, \"median_ms\": %.3f, "
			"\"min_ms\": %.3f, \"max_ms\": %.3f, \"peak_rss_kib\": %ld }",
			s->n, s->failed, median((double *)s->ms, s->n), minmax(s->ms, s->n, 0),
			minmax(s->ms, s->n, 1), max_rss(s));
	fprintf(j, "%s\n", last ? "" : ",");
}

/*
 * "bench: console-<path> C cycles E exits K kvm-exits per line" of
 * x86/bench.c, for run 'r' (0: default kvmrun, 1: --no-coalesced-pio).
 */
static void console_figures(const char *out, int r)
{
	char key[64], kvm[32];
	const char *p;
	int i;

	for (i = 0; out && i < NCON; i++) {
		struct con_figure *f = &con[r][i];

		snprintf(key, sizeof(key), "bench: console-%s ", con_paths[i]);
		p = strstr(out, key);
		if (!p || sscanf(p + strlen(key), "%lf cycles %lf exits %31s", &f->cycles,
				 &f->exits, kvm) != 3)
			continue;
		f->kvm_exits = strcmp(kvm, "?") ? atof(kvm) : -1;
		f->have = 1;
	}
	if (!con[r][0].have && !con[r][CON_UART].have)
		con_skip[r] = "x86/bench.flat printed no console figures";
}

static void print_console_row(const struct con_figure *f, const struct con_figure *uart,
			      const char *name)
{
	if (!f->have) {
		printf("    %-26s not measured\n", name);
		return;
	}
	printf("    %-26s %9.0f cycles %7.3f exits", name, f->cycles, f->exits);
	if (f->kvm_exits >= 0)
		printf(" %7.3f all", f->kvm_exits);
	else
		printf("  (all: unknown)");
	if (uart->have && uart->cycles > 0 && f != uart)
		printf("  %.3fx cycles, %.3fx exits of uart", f->cycles / uart->cycles,
		       uart->exits > 0 ? f->exits / uart->exits : 0);
	printf("\n");
}

static void print_console(void)
{
	static const char *const names[NCON] = {
		"line request (default)", "thr (no LSR polls)", "uart (16550, LSR polls)",
	};
	static const char *const runs_name[2] = {
		"kvmrun (coalesced PIO if KVM has it)", "kvmrun --no-coalesced-pio",
	};
	int r, i;

	printf("Console, per 64-byte line (exits: to kvmrun; all: every VM exit, KVM's count):\n");
	for (r = 0; r < 2; r++) {
		printf("  %s:\n", runs_name[r]);
		if (con_skip[r]) {
			printf("    not measured: %s\n", con_skip[r]);
			continue;
		}
		for (i = 0; i < NCON; i++)
			print_console_row(&con[r][i], &con[r][CON_UART], names[i]);
	}
}

static void json_console(FILE *j)
{
	static const char *const keys[2] = { "coalesced_pio", "no_coalesced_pio" };
	const struct con_figure *l = &con[0][0], *u = &con[0][CON_UART];
	int r, i;

	fprintf(j, "  \"console_per_line\": {\n");
	for (r = 0; r < 2; r++) {
		fprintf(j, "    \"%s\": {", keys[r]);
		if (con_skip[r]) {
			fprintf(j, " \"skipped\": \"%s\" },\n", con_skip[r]);
			continue;
		}
		for (i = 0; i < NCON; i++) {
			const struct con_figure *f = &con[r][i];

			fprintf(j, "%s\n      \"%s\": ", i ? "," : "", con_paths[i]);
			if (!f->have)
				fprintf(j, "null");
			else if (f->kvm_exits < 0)
				fprintf(j, "{ \"cycles\": %.0f, \"exits\": %.3f, \"all_exits\": null }",
					f->cycles, f->exits);
			else
				fprintf(j, "{ \"cycles\": %.0f, \"exits\": %.3f, \"all_exits\": %.3f }",
					f->cycles, f->exits, f->kvm_exits);
		}
		fprintf(j, "\n    },\n");
	}
	/* The headline: the fast path against the 16550 path, default kvmrun. */
	fprintf(j, "    \"uart_over_line\": ");
	if (!l->have || !u->have || l->cycles <= 0 || l->exits <= 0) {
		fprintf(j, "null\n");
	} else {
		fprintf(j, "{ \"cycles\": %.2f, \"exits\": %.2f", u->cycles / l->cycles,
			u->exits / l->exits);
		if (l->kvm_exits > 0 && u->kvm_exits >= 0)
			fprintf(j, ", \"all_exits\": %.2f", u->kvm_exits / l->kvm_exits);
		fprintf(j, " }\n");
	}
	fprintf(j, "  },\n");
}

static void usage(void)
{
	fprintf(stderr, "usage: build/bench [--runs N] [--json FILE] [--no-suite]\n"
		"Run from the top of the tree (make bench does).\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct sample kvmrun, qkvm, qtcg;
	char *kvmrun_argv[] = { "build/kvmrun", "--timeout", "30", "x86/bench.flat", "boot-only", NULL };
	char *qemu_argv[] = { "qemu-system-x86_64", "-nodefaults", "-no-user-config",
		"-accel", "kvm", "-cpu", "host", "-m", "64", "-display", "none",
		"-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x4",
		"--no-reboot", "-kernel", "x86/bench.flat", "-append", "boot-only", NULL };
	char *floor_argv[] = { "build/kvmrun", "--timeout", "120", "x86/bench.flat", NULL };
	char *sweep_argv[] = { "build/kvmrun", "--timeout", "600", "--cpuid", "+x2apic",
		"x86/msr_sweep.flat", "filters=none,deny-all,allow-all", NULL };
	char *suite_argv[] = { "./run_tests.sh", "-j2", "--color=never", NULL };
	char *con_argv[] = { "build/kvmrun", "--timeout", "600", "--no-coalesced-pio",
		"x86/bench.flat", "console-only", NULL };
	struct figure floors[NFLOOR] = { { 0 } }, sweep = { .name = "sweep-per-access" };
	double suite_ms = 0, ms, checks = 0;
	const char *floor_skip = NULL, *sweep_skip = NULL, *suite_skip = NULL;
	int kvm = kvm_usable(), qemu = have_cmd("qemu-system-x86_64");
	unsigned int i;
	char *out, *p;
	FILE *j;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < (unsigned int)argc) {
			uint64_t v;

			if (parse_uint(argv[++i], MAX_RUNS, &v) || v < 1)
				usage();
			runs = (int)v;
		} else if (!strcmp(argv[i], "--json") && i + 1 < (unsigned int)argc) {
			json_path = argv[++i];
		} else if (!strcmp(argv[i], "--no-suite")) {
			with_suite = 0;
		} else {
			usage();
		}
	}

	if (kvm)
		sample_cmd(&kvmrun, kvmrun_argv);
	else
		kvmrun.skip = "no usable /dev/kvm";
	if (kvm && qemu)
		sample_cmd(&qkvm, qemu_argv);
	else
		qkvm.skip = !qemu ? "qemu-system-x86_64 not found" : "no usable /dev/kvm";
	if (qemu) {
		qemu_argv[4] = "tcg";
		qemu_argv[6] = "max";
		sample_cmd(&qtcg, qemu_argv);
	} else {
		qtcg.skip = "qemu-system-x86_64 not found";
	}

	if (!kvm) {
		floor_skip = sweep_skip = con_skip[0] = con_skip[1] = "no usable /dev/kvm";
	} else {
		out = capture(floor_argv, &ms);
		for (i = 0; out && i < NFLOOR; i++) {
			floors[i].name = floor_names[i];
			floors[i].have = floor_cycles(out, floor_names[i], &floors[i].value);
		}
		if (!out || !floors[0].have)
			floor_skip = "x86/bench.flat printed no figures";
		console_figures(out, 0);
		free(out);
		out = capture(con_argv, &ms);
		console_figures(out, 1);
		free(out);
		out = capture(sweep_argv, &ms);
		p = out ? strstr(out, "cycles per access") : NULL;
		/* "... N cycles per access": the number just before the words */
		while (p && p > out && p[-1] == ' ')
			p--;
		while (p && p > out && (p[-1] == '.' || (p[-1] >= '0' && p[-1] <= '9')))
			p--;
		if (p && sscanf(p, "%lf", &sweep.value) == 1)
			sweep.have = 1;
		else
			sweep_skip = "x86/msr_sweep.flat printed no \"cycles per access\" figure";
		free(out);
	}

	if (with_suite) {
		out = capture(suite_argv, &suite_ms);
		for (p = out; p && (p = strstr(p, " tests")); p++) {
			const char *q = p;

			const char *c = p + 6;

			while (q > out && q[-1] >= '0' && q[-1] <= '9')
				q--;
			if (q == p || q == out || q[-1] != '(')
				continue;
			/*
			 * "(T tests, C checks)" when lines sum up several
			 * comparisons (the sweeps), else every test is one.
			 */
			if (!strncmp(c, ", ", 2) && c[2] >= '0' && c[2] <= '9' &&
			    strstr(c, " checks)") == c + 2 + strspn(c + 2, "0123456789"))
				checks += atof(c + 2);
			else
				checks += atof(q);
		}
		if (!out)
			suite_skip = "cannot run ./run_tests.sh";
		free(out);
	} else {
		suite_skip = "--no-suite";
	}

	printf("Start to exit, trivial image (x86/bench.flat boot-only), %d runs each:\n", runs);
	print_sample("kvmrun", &kvmrun, &kvmrun);
	print_sample("QEMU+KVM", &qkvm, &kvmrun);
	print_sample("QEMU TCG", &qtcg, &kvmrun);
	printf("Exit-cost floor inside the guest (TSC cycles per operation):\n");
	if (floor_skip)
		printf("  not measured: %s\n", floor_skip);
	for (i = 0; !floor_skip && i < NFLOOR; i++)
		printf("  %-22s %9.0f cycles  %.2fx in-kernel exit\n", floors[i].name,
		       floors[i].value, floors[i].value / floors[0].value);
	printf("Differential sweep:\n");
	if (sweep_skip)
		printf("  not measured: %s\n", sweep_skip);
	else if (floor_skip || !floors[2].have || !floors[4].have)
		printf("  %-22s %9.0f cycles  (no floor to compare with)\n", "per checked access",
		       sweep.value);
	else
		printf("  %-22s %9.0f cycles  %.2fx allowed RDMSR (in-kernel exit), "
		       "%.2fx FILTER user exit\n", "per checked access", sweep.value,
		       sweep.value / floors[2].value, sweep.value / floors[4].value);
	print_console();
	printf("Default suite (./run_tests.sh -j2):\n");
	if (suite_skip)
		printf("  not measured: %s\n", suite_skip);
	else
		printf("  wall %.2f s, %.0f checks\n", suite_ms / 1e3, checks);

	j = fopen(json_path, "w");
	if (!j) {
		fprintf(stderr, "bench: %s: %s\n", json_path, strerror(errno));
		return 2;
	}
	fprintf(j, "{\n  \"schema\": \"kvm-msrfilter-tests/bench/1\",\n  \"runs\": %d,\n"
		"  \"start_to_exit\": {\n", runs);
	json_sample(j, "kvmrun", &kvmrun, 0);
	json_sample(j, "qemu_kvm", &qkvm, 0);
	json_sample(j, "qemu_tcg", &qtcg, 1);
	fprintf(j, "  },\n  \"floor_cycles\": {");
	for (i = 0; !floor_skip && i < NFLOOR; i++)
		fprintf(j, "%s\n    \"%s\": %.0f", i ? "," : "", floors[i].name, floors[i].value);
	fprintf(j, "%s  },\n", floor_skip ? "" : "\n");
	if (floor_skip)
		fprintf(j, "  \"floor_skipped\": \"%s\",\n", floor_skip);
	json_console(j);
	if (sweep.have)
		fprintf(j, "  \"sweep_cycles_per_access\": %.0f,\n", sweep.value);
	else
		fprintf(j, "  \"sweep_skipped\": \"%s\",\n", sweep_skip);
	if (suite_skip)
		fprintf(j, "  \"suite_skipped\": \"%s\"\n}\n", suite_skip);
	else
		fprintf(j, "  \"suite_wall_s\": %.3f,\n  \"suite_checks\": %.0f\n}\n",
			suite_ms / 1e3, checks);
	fclose(j);
	printf("Figures written to %s\n", json_path);
	return 0;
}
