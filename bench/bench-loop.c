/* SPDX-License-Identifier: MIT */
/* The request layer against the hand-written loop, stop for stop.
 *
 * 1. Signal-delivery-stops (the tracee raises SIGUSR1; the loop fetches the
 *    siginfo and delivers the signal) and syscall-stops (the tracee calls
 *    getppid; the loop resumes with PTRACE_SYSCALL), raw and library rounds
 *    alternating on one tracee, tracer and tracee pinned to one CPU.  A
 *    round is 20,000 stops of each, taken in blocks of 1,000 that alternate
 *    ABBA, so that a burst of other work on this shared machine falls on
 *    both alike.  Target: median overhead over the rounds at most 2%, in CPU
 *    time (tracer + tracee; wall clock printed beside it).
 * 4. Allocations counted over the library rounds: zero per stop.
 * 5. The raw signal loop with tracer and tracee on one CPU, on two, and
 *    unpinned; then the remedies a library could offer: the tracer moving
 *    itself to the CPU the tracee last ran on (/proc/TID/stat field 39), or
 *    an option pinning both to one CPU (the "same CPU" configuration).
 *
 * Figures: per-stop microseconds and ratios, median (min, max) over rounds. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/seize.h>

#include "bench-allocs.h"
#include "bench-common.h"

#define ROUNDS		11	/* rounds of benchmark 1 */
#define STOPS		20000	/* raw stops and library stops a round */
#define BLOCK		1000	/* ... taken in blocks that alternate ABBA */
#define WARMUP		2000
#define XROUNDS		9	/* rounds of benchmark 5, each config once a round */
#define XSTOPS		5000	/* stops a round for benchmark 5 (65 us each cross-CPU) */
#define FOLLOW_EVERY	1000	/* the remedy re-reads the tracee's CPU this often */

enum mode { MODE_SIGNAL, MODE_SYSCALL };

/* ---- tracees ---- */


static void syscaller(void *arg)
{
	(void)arg;
	for (;;)
		syscall(SYS_getppid);
}

/* ---- the hand-written loops ---- */


static void raw_syscall(pid_t pid, int stops)
{
	int i, status;

	for (i = 0; i < stops; i++) {
		if (waitpid(pid, &status, __WALL) != pid)
			bench_fail("waitpid: %s", strerror(errno));
		if (!WIFSTOPPED(status) || (status >> 8) != (SIGTRAP | 0x80))
			bench_fail("raw loop: unexpected status %#x", status);
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0)
			bench_fail("PTRACE_SYSCALL: %s", strerror(errno));
	}
}

/* ---- the same loops on libseize ---- */

static void lib_signal(pid_t pid, int stops)
{
	struct seize_event ev;
	int i, ret;

	for (i = 0; i < stops; i++) {
		ret = seize_wait(pid, &ev, 0);
		if (ret != pid)
			bench_fail("seize_wait: %s", strerror(-ret));
		if (ev.type != SEIZE_EVENT_SIGNAL || ev.sig != SIGUSR1 || !ev.has_siginfo)
			bench_fail("library loop: unexpected event %s sig %d",
				   seize_event_name(&ev), ev.sig);
		ret = seize_cont(pid, ev.sig);
		if (ret < 0)
			bench_fail("seize_cont: %s", strerror(-ret));
	}
}

static void lib_syscall(pid_t pid, int stops)
{
	struct seize_event ev;
	int i, ret;

	for (i = 0; i < stops; i++) {
		ret = seize_wait(pid, &ev, 0);
		if (ret != pid)
			bench_fail("seize_wait: %s", strerror(-ret));
		if (ev.type != SEIZE_EVENT_SYSCALL)
			bench_fail("library loop: unexpected event %s", seize_event_name(&ev));
		ret = seize_syscall(pid, 0);
		if (ret < 0)
			bench_fail("seize_syscall: %s", strerror(-ret));
	}
}

/* ---- setting up a tracee ---- */

static pid_t start_tracee(enum mode mode)
{
	struct seize_event ev;
	pid_t pid = bench_fork(mode == MODE_SIGNAL ? bench_raiser : syscaller, NULL);
	int ret = seize_attach(pid, PTRACE_O_EXITKILL);

	bench_skip_if_refused(ret, pid);
	if (ret < 0)
		bench_fail("seize_attach(%d): %s", (int)pid, strerror(-ret));
	if (mode == MODE_SYSCALL) {
		/* Stop it once, then from stop to syscall-stop. */
		ret = seize_interrupt(pid);
		if (ret < 0)
			bench_fail("seize_interrupt: %s", strerror(-ret));
		ret = seize_wait(pid, &ev, 0);
		if (ret != pid || ev.type != SEIZE_EVENT_STOP)
			bench_fail("first stop: %d %s", ret, seize_event_name(&ev));
		ret = seize_syscall(pid, 0);
		if (ret < 0)
			bench_fail("seize_syscall: %s", strerror(-ret));
	}
	return pid;
}

static double us_per_stop(uint64_t ns, int stops)
{
	return (double)ns / 1000.0 / stops;
}

/* ---- benchmark 1 and 4 ---- */

static void bench_overhead(enum mode mode, int cpu, uint64_t *allocs_total)
{
	const char *name = mode == MODE_SIGNAL ? "signal" : "syscall";
	void (*raw)(pid_t, int) = mode == MODE_SIGNAL ? bench_raw_signal : raw_syscall;
	void (*lib)(pid_t, int) = mode == MODE_SIGNAL ? lib_signal : lib_syscall;
	double us[2][ROUNDS], cpu_us[2][ROUNDS], over[ROUNDS], cpu_over[ROUNDS];
	uint64_t allocs[2] = { 0, 0 };
	struct bench_stats w, c;
	pid_t pid;
	int r, k;

	bench_pin(0, cpu);		/* the tracee inherits it */
	pid = start_tracee(mode);
	lib(pid, WARMUP);
	raw(pid, WARMUP);

	printf("\n%s-stops: a round is %d raw and %d library stops in alternating blocks of %d,\n"
	       "tracer and tracee on CPU %d; us per stop, wall clock and CPU time (tracer + tracee)\n",
	       name, STOPS, STOPS, BLOCK, cpu);
	printf("  round    raw wall   lib wall  overhead     raw cpu    lib cpu  overhead\n");
	for (r = 0; r < ROUNDS; r++) {
		uint64_t wall_ns[2] = { 0, 0 }, cpu_ns[2] = { 0, 0 };
		int j;

		/* A burst of the machine's other work then falls on both sides alike. */
		for (j = 0; j < STOPS / BLOCK; j++) {
			for (k = 0; k < 2; k++) {
				int is_lib = (k == 0) == ((j + r) % 2 == 1);
				uint64_t a0 = bench_allocs(), c0 = bench_cpu_ns(pid);
				uint64_t t0 = bench_now_ns();

				(is_lib ? lib : raw)(pid, BLOCK);
				wall_ns[is_lib] += bench_now_ns() - t0;
				cpu_ns[is_lib] += bench_cpu_ns(pid) - c0;
				allocs[is_lib] += bench_allocs() - a0;
			}
		}
		for (k = 0; k < 2; k++) {
			us[k][r] = us_per_stop(wall_ns[k], STOPS);
			cpu_us[k][r] = us_per_stop(cpu_ns[k], STOPS);
		}
		over[r] = (us[1][r] / us[0][r] - 1) * 100;
		cpu_over[r] = (cpu_us[1][r] / cpu_us[0][r] - 1) * 100;
		printf("  %5d  %9.3f  %9.3f  %+7.2f%%   %9.3f  %9.3f  %+7.2f%%\n", r + 1,
		       us[0][r], us[1][r], over[r], cpu_us[0][r], cpu_us[1][r], cpu_over[r]);
	}
	bench_reap(pid);
	bench_pin(0, -1);

	for (k = 0; k < 2; k++) {
		bench_print_per_stop(k ? "lib" : "raw", 0, us[k], cpu_us[k], ROUNDS);
	}
	printf("  allocations: %llu in the library rounds (%d stops), %llu in the raw rounds\n",
	       (unsigned long long)allocs[1], ROUNDS * STOPS, (unsigned long long)allocs[0]);
	w = bench_stats(over, ROUNDS);
	c = bench_stats(cpu_over, ROUNDS);
	bench_target_line(c.median <= 2.0, "overhead-%s median=%+.1f%% (min %+.1f%%, max %+.1f%%) "
			  "target <= 2%% [CPU time of tracer + tracee; wall clock: median %+.1f%% "
			  "(min %+.1f%%, max %+.1f%%)]", name, c.median, c.min, c.max,
			  w.median, w.min, w.max);
	*allocs_total += allocs[1];
}

/* ---- benchmark 5 ---- */

enum xconfig {
	X_SAME, X_CROSS, X_UNPINNED, X_TRACEE_PINNED, X_TRACER_PINNED,
	X_REMEDY_CROSS, X_REMEDY_UNPINNED, X_N
};

static const char *const xnames[X_N] = {
	[X_SAME] = "same CPU (both pinned to b)",
	[X_CROSS] = "different CPUs (tracer a, tracee b)",
	[X_UNPINNED] = "neither pinned",
	[X_TRACEE_PINNED] = "tracee pinned to b, tracer free",
	[X_TRACER_PINNED] = "tracer pinned to a, tracee free",
	[X_REMEDY_CROSS] = "remedy from different CPUs",
	[X_REMEDY_UNPINNED] = "remedy from neither pinned",
};

/* The remedy: the tracer runs where the tracee last ran. */
static void follow(pid_t pid)
{
	int cpu = bench_last_cpu(pid);

	if (cpu >= 0)
		bench_pin(0, cpu);
}

static double cross_round(pid_t pid, enum xconfig c, int a, int b)
{
	/* Where each goes before the clock starts: 0 CPU a, 1 CPU b, -1 free.
	 * Same CPU is b, where the remedy from different CPUs ends up. */
	static const struct { int tracer, tracee; } place[X_N] = {
		[X_SAME] = { 1, 1 },
		[X_CROSS] = { 0, 1 },
		[X_UNPINNED] = { -1, -1 },
		[X_TRACEE_PINNED] = { -1, 1 },
		[X_TRACER_PINNED] = { 0, -1 },
		[X_REMEDY_CROSS] = { 0, 1 },
		[X_REMEDY_UNPINNED] = { -1, -1 },
	};
	uint64_t t0;
	int done;

	bench_pin(pid, place[c].tracee < 0 ? -1 : place[c].tracee ? b : a);
	bench_pin(0, place[c].tracer < 0 ? -1 : place[c].tracer ? b : a);
	bench_raw_signal(pid, 200);		/* settle where the scheduler puts them */
	t0 = bench_now_ns();
	if (c == X_REMEDY_CROSS || c == X_REMEDY_UNPINNED) {
		for (done = 0; done < XSTOPS; done += FOLLOW_EVERY) {
			follow(pid);	/* its cost is inside the timing */
			bench_raw_signal(pid, FOLLOW_EVERY);
		}
	} else {
		bench_raw_signal(pid, XSTOPS);
	}
	return us_per_stop(bench_now_ns() - t0, XSTOPS);
}

static void bench_cross(int a, int b)
{
	static const struct { const char *name; enum xconfig num, den; } ratios[] = {
		{ "different / same CPU", X_CROSS, X_SAME },
		{ "neither pinned / same CPU", X_UNPINNED, X_SAME },
		{ "tracee pinned / same CPU", X_TRACEE_PINNED, X_SAME },
		{ "tracer pinned / same CPU", X_TRACER_PINNED, X_SAME },
		{ "remedy / none, different", X_REMEDY_CROSS, X_CROSS },
		{ "remedy / none, unpinned", X_REMEDY_UNPINNED, X_UNPINNED },
		{ "pin both / neither pinned", X_SAME, X_UNPINNED },
	};
	enum { NRATIOS = sizeof(ratios) / sizeof(ratios[0]) };
	double us[X_N][XROUNDS], ratio[NRATIOS][XROUNDS];
	struct bench_stats s;
	pid_t pid;
	int r, c;

	bench_pin(0, -1);
	pid = start_tracee(MODE_SIGNAL);
	bench_raw_signal(pid, WARMUP);
	printf("\ncross-CPU penalty: raw signal loop, %d stops a round, CPUs a=%d and b=%d, "
	       "configurations rotating, %d rounds\n", XSTOPS, a, b, XROUNDS);
	for (r = 0; r < XROUNDS; r++) {
		for (c = 0; c < X_N; c++) {
			enum xconfig cc = (enum xconfig)((c + r) % X_N);	/* rotate the order */

			us[cc][r] = cross_round(pid, cc, a, b);
		}
		for (c = 0; c < NRATIOS; c++)
			ratio[c][r] = us[ratios[c].num][r] / us[ratios[c].den][r];
	}
	bench_reap(pid);
	bench_pin(0, -1);

	printf("  %-36s %9s %9s %9s  (us per stop)\n", "configuration", "median", "min", "max");
	for (c = 0; c < X_N; c++) {
		s = bench_stats(us[c], XROUNDS);
		printf("  %-36s %9.2f %9.2f %9.2f\n", xnames[c], s.median, s.min, s.max);
	}
	printf("  %-36s %9s %9s %9s  (ratios within a round)\n", "ratio", "median", "min", "max");
	for (c = 0; c < NRATIOS; c++) {
		s = bench_stats(ratio[c], XROUNDS);
		printf("  %-36s %8.2fx %8.2fx %8.2fx\n", ratios[c].name, s.median, s.min, s.max);
	}
	/* The remedy is worth keeping only if it wins: at least 5% per stop. */
	bench_target("remedy-follow-cpu-from-different", bench_stats(ratio[4], XROUNDS), "x", 0.95,
		     "<= 0.95x (with remedy / without; both pinned apart before)");
	bench_target("remedy-follow-cpu-from-unpinned", bench_stats(ratio[5], XROUNDS), "x", 0.95,
		     "<= 0.95x (with remedy / without; neither pinned before)");
	bench_target("remedy-pin-both-from-unpinned", bench_stats(ratio[6], XROUNDS), "x", 0.95,
		     "<= 0.95x (both pinned to one CPU / neither pinned)");
}

int main(void)
{
	int cpus[2], ncpus = bench_cpus(cpus, 2);
	void *(*volatile alloc)(size_t) = malloc;
	uint64_t a0 = bench_allocs();
	uint64_t lib_allocs = 0;
	void *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	p = alloc(32);
	free(p);
	if (bench_allocs() == a0)
		bench_fail("the allocation counter is not interposed");
	bench_watchdog(240, "bench-loop");

	printf("bench-loop: request layer vs hand-written loop (medians over %d rounds)\n", ROUNDS);
	bench_overhead(MODE_SIGNAL, cpus[ncpus - 1], &lib_allocs);
	bench_overhead(MODE_SYSCALL, cpus[ncpus - 1], &lib_allocs);
	if (ncpus >= 2)
		bench_cross(cpus[0], cpus[1]);
	else
		printf("\ncross-CPU penalty: only one CPU allowed, not measured\n");

	bench_target_line(lib_allocs == 0, "allocations-request-layer %llu in %d library stops "
			  "(%.4f per stop) target 0", (unsigned long long)lib_allocs,
			  2 * ROUNDS * STOPS, (double)lib_allocs / (2 * ROUNDS * STOPS));
	bench_summary();
	return 0;
}
