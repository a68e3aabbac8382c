/* SPDX-License-Identifier: MIT */
/* seize-watch against running untraced, against strace, and against the
 * hand-written loop of benchmark 1.
 *
 * Usage: bench-watch SEIZE-WATCH [--signals N] [--only getppid|signals]
 *        (SEIZE_WATCH in the environment may stand for the first argument)
 *        bench-watch --workload getppid|signal N  (the workload, run by the above)
 *
 * 2a. A program of 2,000,000 getppid calls (this binary, re-executed as
 *     the workload): untraced, under `seize-watch --`, under `strace -f -e
 *     trace=none`.  Target: seize-watch at most 1.02x untraced.  strace
 *     stops at every call (about 40-45 us each here), so it runs 100,000 calls
 *     in 2 of the rounds only, and its figure is its time per call over the
 *     untraced time per call of the same round.  Unpinned, as a user runs it;
 *     4 rounds, each running untraced and seize-watch twice (ABBA).
 * 2b. A program raising SIGUSR1 (handled) at itself N times, under
 *     `seize-watch -o /dev/null --` and under the hand-written loop of
 *     benchmark 1 (PTRACE_SEIZE with TRACESYSGOOD|EXITKILL|TRACEEXEC; the
 *     exec stop is continued, then bench_raw_signal(): waitpid,
 *     PTRACE_GETSIGINFO, PTRACE_CONT with the signal).  Each with everything
 *     on one CPU (the tracer, seize-watch's helper thread and the tracee) and
 *     with nothing pinned.  Target: seize-watch at most 1.10x the loop.
 *     N is 10,000, not 100,000: raising a signal costs about 8 us here
 *     untraced, 25 us under the loop and 45-65 us under seize-watch, and a
 *     round runs each of the four configurations twice (ABBA), so 100,000
 *     would make a round half a minute.  --signals 100000 gives the full
 *     count.  Start-up (fork, exec, seize-watch's own set-up) is inside
 *     every run: a few ms against about 0.25-0.65 s.
 *
 * Each run is a whole process from fork to reaping: wall clock, and CPU
 * time of tracer + tracee from getrusage(RUSAGE_CHILDREN) after waitpid
 * (seize-watch reaps its command, so that counts both; for the hand-written
 * loop, this process's own time is added).  Within a round each mode runs
 * twice, mirrored (ABBA), which comes first alternating by round; ratios
 * are taken within a round, and printed as median (min, max) over the
 * rounds.  Targets are judged on CPU time, the wall-clock ratio printed
 * beside it (this machine is shared). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-common.h"

#define GP_CALLS	2000000	/* getppid calls, untraced and under seize-watch */
#define GP_ROUNDS	4
#define ST_CALLS	100000	/* getppid calls under strace */
#define ST_ROUNDS	2	/* rounds that also run strace */
#define SIG_DEFAULT	10000	/* signals a run (--signals N to change) */
#define SIG_ROUNDS	8
#define CHECK_SIGNALS	1000	/* the run that checks seize-watch saw every signal */

static char self_path[PATH_MAX];
static const char *watch_path;
static char strace_path[PATH_MAX];

/* ---- the workloads ---- */

static void on_usr1(int sig)
{
	(void)sig;
}

static int workload(const char *what, const char *count)
{
	long i, n = strtol(count, NULL, 10);

	/* Ends with whoever started it, tracer or not. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (n <= 0)
		return 2;
	if (strcmp(what, "getppid") == 0) {
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (strcmp(what, "signal") == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		for (i = 0; i < n; i++)
			raise(SIGUSR1);
		return 0;
	}
	return 2;
}

/* ---- running a process and measuring it ---- */

struct cost {
	double wall, cpu;	/* seconds */
};

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static uint64_t rusage_ns(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) < 0)
		bench_fail("getrusage: %s", strerror(errno));
	return tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
}

/* Reap our child pid; it must have exited 0. */
static void reap_ok(pid_t pid, const char *what)
{
	int status;

	while (waitpid(pid, &status, 0) != pid)
		if (errno != EINTR)
			bench_fail("waitpid(%s): %s", what, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_fail("%s ended with status %#x", what, status);
}

struct exec_spec {
	char **argv;
	const char *out;	/* stdout of the child */
	int go;			/* >= 0: wait for a byte on it before exec */
};

static void exec_child(void *arg)
{
	const struct exec_spec *s = arg;
	int fd = open(s->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char c;

	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		_exit(126);
	if (s->go >= 0 && read(s->go, &c, 1) != 1)
		_exit(126);
	execv(s->argv[0], s->argv);
	_exit(127);
}

/* Run argv to its end; stdout to `out`. */
static struct cost run_program(char **argv, const char *out)
{
	struct exec_spec s = { argv, out, -1 };
	uint64_t c0 = rusage_ns(RUSAGE_CHILDREN), t0 = bench_now_ns();
	pid_t pid = bench_fork(exec_child, &s);
	struct cost c;

	reap_ok(pid, argv[0]);
	c.wall = (double)(bench_now_ns() - t0) / 1e9;
	c.cpu = (double)(rusage_ns(RUSAGE_CHILDREN) - c0) / 1e9;
	return c;
}

/* The workload under the hand-written loop of benchmark 1. */
static struct cost run_raw(char **argv, int signals)
{
	unsigned long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC;
	struct exec_spec s = { argv, "/dev/null", -1 };
	uint64_t c0 = rusage_ns(RUSAGE_CHILDREN), s0 = rusage_ns(RUSAGE_SELF);
	uint64_t t0 = bench_now_ns();
	int go[2], status;
	struct cost c;
	pid_t pid;

	bench_pipe(go, 0);
	s.go = go[0];
	pid = bench_fork(exec_child, &s);
	close(go[0]);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)opts) < 0) {
		int err = errno;

		close(go[1]);
		bench_skip_if_refused(-err, pid);
		bench_reap(pid);
		bench_fail("PTRACE_SEIZE(%d): %s", (int)pid, strerror(err));
	}
	if (write(go[1], "g", 1) != 1)
		bench_fail("write: %s", strerror(errno));
	close(go[1]);
	/* The exec stop, continued; then benchmark 1's loop; then the exit. */
	if (waitpid(pid, &status, __WALL) != pid)
		bench_fail("waitpid: %s", strerror(errno));
	if (!WIFSTOPPED(status) || status >> 8 != (SIGTRAP | PTRACE_EVENT_EXEC << 8))
		bench_fail("raw loop: expected the exec stop, got status %#x", status);
	if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0)
		bench_fail("PTRACE_CONT: %s", strerror(errno));
	bench_raw_signal(pid, signals);
	reap_ok(pid, "the workload under the raw loop");
	c.wall = (double)(bench_now_ns() - t0) / 1e9;
	c.cpu = (double)(rusage_ns(RUSAGE_CHILDREN) - c0 + rusage_ns(RUSAGE_SELF) - s0) / 1e9;
	return c;
}

/* ---- printing ---- */

static void print_stats(const char *label, const double *v, int n, double scale,
			const char *unit)
{
	double x[64];
	struct bench_stats s;
	int i;

	for (i = 0; i < n; i++)
		x[i] = v[i] * scale;
	s = bench_stats(x, (size_t)n);
	printf("  %-44s median %9.3f%s  (min %9.3f%s, max %9.3f%s)\n", label, s.median, unit,
	       s.min, unit, s.max, unit);
}

static void ratio_target(const char *name, const double *cpu, const double *wall, int n,
			 double limit, const char *against)
{
	struct bench_stats c = bench_stats(cpu, (size_t)n), w = bench_stats(wall, (size_t)n);

	bench_target_line(c.median <= limit, "%s median=%.3fx (min %.3fx, max %.3fx) target <= "
			  "%.2fx %s [CPU time of tracer + tracee; wall clock: median %.3fx "
			  "(min %.3fx, max %.3fx)]", name, c.median, c.min, c.max, limit, against,
			  w.median, w.min, w.max);
}

/* ---- 2a: getppid ---- */

enum { GP_UNTRACED, GP_WATCH, GP_STRACE, GP_N };

static void bench_getppid(void)
{
	static const char *const names[GP_N] = { "untraced", "seize-watch --", "strace -f -e trace=none" };
	char calls[16], st_calls[16];
	char *argv[GP_N][16] = {
		{ self_path, "--workload", "getppid", calls, NULL },
		{ (char *)watch_path, "--", self_path, "--workload", "getppid", calls, NULL },
		{ strace_path, "-f", "-e", "trace=none", "-o", "/dev/null", "--", self_path,
		  "--workload", "getppid", st_calls, NULL },
	};
	double wall[GP_N][GP_ROUNDS], cpu[GP_N][GP_ROUNDS];
	double ratio_w[GP_ROUNDS], ratio_c[GP_ROUNDS], st_w[ST_ROUNDS], st_c[ST_ROUNDS];
	bool have_strace = strace_path[0] != '\0';
	int r, k, nst = 0;

	snprintf(calls, sizeof(calls), "%d", GP_CALLS);
	snprintf(st_calls, sizeof(st_calls), "%d", ST_CALLS);
	bench_pin(0, -1);
	printf("\ngetppid: %d calls a run, untraced and under seize-watch, each twice a round\n"
	       "(ABBA; figures are the mean of the two), %d rounds, unpinned; strace runs\n"
	       "%d calls once in %d of the rounds (its figures are per call)\n",
	       GP_CALLS, GP_ROUNDS, ST_CALLS, have_strace ? ST_ROUNDS : 0);
	printf("  round  untraced wall/cpu s   seize-watch wall/cpu s   ratio wall   ratio cpu"
	       "   strace/untraced per call wall/cpu\n");
	for (r = 0; r < GP_ROUNDS; r++) {
		/* strace in the first round and the middle one. */
		bool st = have_strace && nst < ST_ROUNDS && (r == 0 || r == GP_ROUNDS / 2);
		/* ABBA: untraced and seize-watch twice each, mirrored, which goes
		 * first alternating by round; strace (if run) in the middle. */
		int seq[5] = { GP_UNTRACED, GP_WATCH, GP_STRACE, GP_WATCH, GP_UNTRACED };

		if (r % 2) {
			seq[0] = seq[4] = GP_WATCH;
			seq[1] = seq[3] = GP_UNTRACED;
		}
		for (k = 0; k < GP_N; k++)
			wall[k][r] = cpu[k][r] = 0;
		for (k = 0; k < 5; k++) {
			int m = seq[k];
			double share = m == GP_STRACE ? 1 : 0.5;	/* the mean of two runs */
			struct cost c;

			if (m == GP_STRACE && !st)
				continue;
			c = run_program(argv[m], "/dev/null");
			wall[m][r] += c.wall * share;
			cpu[m][r] += c.cpu * share;
		}
		ratio_w[r] = wall[GP_WATCH][r] / wall[GP_UNTRACED][r];
		ratio_c[r] = cpu[GP_WATCH][r] / cpu[GP_UNTRACED][r];
		printf("  %5d  %8.3f / %8.3f     %8.3f / %8.3f      %7.4fx    %7.4fx", r + 1,
		       wall[GP_UNTRACED][r], cpu[GP_UNTRACED][r], wall[GP_WATCH][r],
		       cpu[GP_WATCH][r], ratio_w[r], ratio_c[r]);
		if (st) {
			st_w[nst] = (wall[GP_STRACE][r] / ST_CALLS) /
				    (wall[GP_UNTRACED][r] / GP_CALLS);
			st_c[nst] = (cpu[GP_STRACE][r] / ST_CALLS) / (cpu[GP_UNTRACED][r] / GP_CALLS);
			printf("   %6.1fx / %6.1fx  (%.2f s for %d calls)", st_w[nst], st_c[nst],
			       wall[GP_STRACE][r], ST_CALLS);
			nst++;
		}
		printf("\n");
	}
	for (k = 0; k < GP_WATCH + 1; k++) {
		char label[64];

		snprintf(label, sizeof(label), "%s, wall us per call", names[k]);
		print_stats(label, wall[k], GP_ROUNDS, 1e6 / GP_CALLS, "");
		snprintf(label, sizeof(label), "%s, cpu us per call", names[k]);
		print_stats(label, cpu[k], GP_ROUNDS, 1e6 / GP_CALLS, "");
	}
	print_stats("seize-watch / untraced, wall", ratio_w, GP_ROUNDS, 1, "x");
	print_stats("seize-watch / untraced, cpu", ratio_c, GP_ROUNDS, 1, "x");
	if (nst) {
		print_stats("strace / untraced per call, wall", st_w, nst, 1, "x");
		print_stats("strace / untraced per call, cpu", st_c, nst, 1, "x");
	} else {
		printf("SKIP strace-ratio (strace not installed)\n");
	}
	ratio_target("watch-getppid", ratio_c, ratio_w, GP_ROUNDS, 1.02, "(seize-watch / untraced)");
}

/* ---- 2b: signals ---- */

enum { SG_RAW_ONE, SG_WATCH_ONE, SG_RAW_FREE, SG_WATCH_FREE, SG_N };

/* A warm-up under the raw loop (it exits 77 here if ptrace is refused),
 * then seize-watch must report every signal, or its time means nothing.
 * Its output goes to an unlinked file, named through /dev/fd. */
static void check_watch_sees_signals(void)
{
	char count[16], path[] = "/tmp/bench-watch-XXXXXX", out[32], line[512];
	char *raw_argv[] = { self_path, "--workload", "signal", count, NULL };
	char *argv[] = { (char *)watch_path, "-o", out, "--", self_path, "--workload", "signal",
			 count, NULL };
	int fd, seen = 0;
	FILE *f;

	snprintf(count, sizeof(count), "%d", CHECK_SIGNALS);
	run_raw(raw_argv, CHECK_SIGNALS);
	fd = mkstemp(path);
	if (fd < 0)
		bench_fail("mkstemp: %s", strerror(errno));
	unlink(path);
	snprintf(out, sizeof(out), "/dev/fd/%d", fd);
	run_program(argv, "/dev/null");
	f = fdopen(fd, "r");
	if (!f || fseek(f, 0, SEEK_SET) < 0)
		bench_fail("reading seize-watch's output: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " signal SIGUSR1"))
			seen++;
	fclose(f);
	if (seen != CHECK_SIGNALS)
		bench_fail("seize-watch reported %d of %d SIGUSR1", seen, CHECK_SIGNALS);
	printf("\nchecked: seize-watch reported all %d SIGUSR1 of a warm-up run\n", CHECK_SIGNALS);
}

static void bench_signals(int signals, int cpu)
{
	static const char *const names[SG_N] = {
		"raw loop, one CPU", "seize-watch, one CPU", "raw loop, unpinned",
		"seize-watch, unpinned",
	};
	char count[16];
	char *raw_argv[] = { self_path, "--workload", "signal", count, NULL };
	char *watch_argv[] = { (char *)watch_path, "-o", "/dev/null", "--", self_path,
			       "--workload", "signal", count, NULL };
	double wall[SG_N][SIG_ROUNDS], cpu_s[SG_N][SIG_ROUNDS];
	double rw[2][SIG_ROUNDS], rc[2][SIG_ROUNDS];
	int r, k;

	snprintf(count, sizeof(count), "%d", signals);
	check_watch_sees_signals();
	printf("\nsignals: %d SIGUSR1 a run (handled, raised at itself), %d rounds, each\n"
	       "configuration run twice a round (ABBA; figures are the mean of the two);\n"
	       "one CPU: tracer (seize-watch with its helper thread, or this process) and\n"
	       "tracee all pinned to CPU %d; unpinned: nothing pinned.  us per signal:\n",
	       signals, SIG_ROUNDS, cpu);
	printf("  round  %-23s %-23s %-23s %-23s  watch/raw one CPU  unpinned (wall/cpu)\n",
	       "raw one CPU wall/cpu", "watch one CPU wall/cpu", "raw unpinned wall/cpu",
	       "watch unpinned wall/cpu");
	for (r = 0; r < SIG_ROUNDS; r++) {
		/* ABBA: each configuration twice a round, mirrored, so that a
		 * slow spell of this shared machine falls on both sides alike;
		 * which side and which pinning comes first rotates by round. */
		static const int seq[8][2] = {	/* { pinning 0/1, side a/b } */
			{ 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 1, 1 }, { 1, 0 }, { 0, 1 }, { 0, 0 },
		};

		for (k = 0; k < SG_N; k++)
			wall[k][r] = cpu_s[k][r] = 0;
		for (k = 0; k < 8; k++) {
			bool one = (seq[k][0] == 0) == ((r / 2) % 2 == 0);
			bool watch = (seq[k][1] == 0) == (r % 2 == 1);
			int m = (one ? 0 : 2) + (watch ? 1 : 0);
			struct cost c;

			bench_pin(0, one ? cpu : -1);	/* inherited by all it starts */
			c = watch ? run_program(watch_argv, "/dev/null") : run_raw(raw_argv, signals);
			wall[m][r] += c.wall / 2;
			cpu_s[m][r] += c.cpu / 2;
		}
		bench_pin(0, -1);
		for (k = 0; k < 2; k++) {
			rw[k][r] = wall[2 * k + 1][r] / wall[2 * k][r];
			rc[k][r] = cpu_s[2 * k + 1][r] / cpu_s[2 * k][r];
		}
		printf("  %5d", r + 1);
		for (k = 0; k < SG_N; k++)
			printf("  %8.2f / %8.2f     ", wall[k][r] * 1e6 / signals,
			       cpu_s[k][r] * 1e6 / signals);
		printf("  %5.2fx / %5.2fx   %5.2fx / %5.2fx\n", rw[0][r], rc[0][r], rw[1][r],
		       rc[1][r]);
	}
	for (k = 0; k < SG_N; k++) {
		char label[64];

		snprintf(label, sizeof(label), "%s, wall us per signal", names[k]);
		print_stats(label, wall[k], SIG_ROUNDS, 1e6 / signals, "");
		snprintf(label, sizeof(label), "%s, cpu us per signal", names[k]);
		print_stats(label, cpu_s[k], SIG_ROUNDS, 1e6 / signals, "");
	}
	print_stats("seize-watch / raw loop, one CPU, wall", rw[0], SIG_ROUNDS, 1, "x");
	print_stats("seize-watch / raw loop, one CPU, cpu", rc[0], SIG_ROUNDS, 1, "x");
	print_stats("seize-watch / raw loop, unpinned, wall", rw[1], SIG_ROUNDS, 1, "x");
	print_stats("seize-watch / raw loop, unpinned, cpu", rc[1], SIG_ROUNDS, 1, "x");
	ratio_target("watch-signals-one-cpu", rc[0], rw[0], SIG_ROUNDS, 1.10,
		     "(seize-watch / hand-written loop, all on one CPU)");
	ratio_target("watch-signals-unpinned", rc[1], rw[1], SIG_ROUNDS, 1.10,
		     "(seize-watch / hand-written loop, nothing pinned)");
}

/* ---- main ---- */

static bool find_in_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	copy = strdup(path && *path ? path : "/usr/bin:/bin");
	if (!copy)
		bench_fail("out of memory");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", dir, name);
		found = access(out, X_OK) == 0;
	}
	free(copy);
	if (!found)
		out[0] = '\0';
	return found;
}

int main(int argc, char **argv)
{
	int signals = SIG_DEFAULT, cpus[2], ncpus, i;
	const char *only = NULL;
	ssize_t n;

	if (argc == 4 && strcmp(argv[1], "--workload") == 0)
		return workload(argv[2], argv[3]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	watch_path = getenv("SEIZE_WATCH");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--signals") == 0 && i + 1 < argc)
			signals = atoi(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (argv[i][0] != '-')
			watch_path = argv[i];
		else
			bench_fail("usage: bench-watch SEIZE-WATCH [--signals N] "
				   "[--only getppid|signals]");
	}
	if (!watch_path || access(watch_path, X_OK) < 0)
		bench_fail("usage: bench-watch SEIZE-WATCH [--signals N] (or SEIZE_WATCH set): "
			   "no seize-watch at %s", watch_path ? watch_path : "(none given)");
	if (signals <= 0)
		bench_fail("--signals: a positive count");
	if (only && strcmp(only, "getppid") != 0 && strcmp(only, "signals") != 0)
		bench_fail("--only: getppid or signals");
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0)
		bench_fail("readlink /proc/self/exe: %s", strerror(errno));
	self_path[n] = '\0';
	find_in_path("strace", strace_path, sizeof(strace_path));
	ncpus = bench_cpus(cpus, 2);
	/* About 80 s with the defaults; more signals take longer. */
	bench_watchdog(240 + (unsigned int)(signals / 1000) * 10, "bench-watch");

	printf("bench-watch: seize-watch (%s) against untraced, strace and the hand-written "
	       "loop\n", watch_path);
	if (!only || strcmp(only, "signals") == 0)
		bench_signals(signals, cpus[ncpus - 1]);
	if (!only || strcmp(only, "getppid") == 0)
		bench_getppid();
	bench_summary();
	return 0;
}
