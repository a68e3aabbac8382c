/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		bench_fail("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_cpu_ns(pid_t tracee)
{
	static pid_t last;
	static clockid_t clock;

	if (tracee != last) {
		if (clock_getcpuclockid(tracee, &clock) != 0)
			bench_fail("clock_getcpuclockid(%d)", (int)tracee);
		last = tracee;
	}
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID) + clock_ns(clock);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct bench_stats bench_stats(const double *v, size_t n)
{
	struct bench_stats s = { 0, 0, 0 };
	double sorted[256];

	if (n == 0 || n > sizeof(sorted) / sizeof(sorted[0]))
		bench_fail("bench_stats: %zu values", n);
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	s.min = sorted[0];
	s.max = sorted[n - 1];
	s.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	return s;
}

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "FAILED TO RUN: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);	/* children die with us (PR_SET_PDEATHSIG) */
}

/* The target lines, kept for the summary at the end of the output. */
static char targets[16][256];
static int ntargets;

void bench_target_line(bool pass, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	if (ntargets == (int)(sizeof(targets) / sizeof(targets[0])))
		bench_fail("too many targets");
	line = targets[ntargets++];
	n = snprintf(line, sizeof(targets[0]), "%s ", pass ? "PASS" : "MISS");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(targets[0]) - (size_t)n, fmt, ap);
	va_end(ap);
}

static const char *figure(char *buf, size_t size, double v, const char *unit)
{
	bool pct = strcmp(unit, "%") == 0;

	snprintf(buf, size, "%s%.*f%s", pct && v >= 0 ? "+" : "", pct ? 1 : 2, v, unit);
	return buf;
}

bool bench_target(const char *name, struct bench_stats s, const char *unit, double limit,
		  const char *limit_text)
{
	char a[32], b[32], c[32];
	bool pass = s.median <= limit;

	bench_target_line(pass, "%s median=%s (min %s, max %s) target %s", name,
			  figure(a, sizeof(a), s.median, unit), figure(b, sizeof(b), s.min, unit),
			  figure(c, sizeof(c), s.max, unit), limit_text);
	return pass;
}

void bench_summary(void)
{
	int i;

	printf("\n");
	for (i = 0; i < ntargets; i++)
		printf("%s\n", targets[i]);
	fflush(stdout);
}

/* ---- CPUs ---- */

static cpu_set_t original_mask;
static bool have_original;

static void save_original(void)
{
	if (!have_original) {
		if (sched_getaffinity(0, sizeof(original_mask), &original_mask) < 0)
			bench_fail("sched_getaffinity: %s", strerror(errno));
		have_original = true;
	}
}

int bench_cpus(int *cpus, int max)
{
	int cpu, n = 0;

	save_original();
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &original_mask))
			cpus[n++] = cpu;
	return n;
}

void bench_pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	save_original();
	if (cpu < 0) {
		set = original_mask;
	} else {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
	}
	if (sched_setaffinity(tid, sizeof(set), &set) < 0)
		bench_fail("sched_setaffinity(%d, cpu %d): %s", (int)tid, cpu, strerror(errno));
}

int bench_last_cpu(pid_t tid)
{
	char path[64], buf[1024], *p;
	int fd, field;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Field 2, the command, may hold spaces: count from its closing ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (field = 2; field < 39 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? atoi(p + 1) : -1;
}

void bench_print_per_stop(const char *label, int width, const double *wall, const double *cpu,
			  size_t n)
{
	struct bench_stats w = bench_stats(wall, n), c = bench_stats(cpu, n);

	printf("  %-*s us/stop: wall median %.3f (min %.3f, max %.3f), cpu median %.3f "
	       "(min %.3f, max %.3f)\n", width, label, w.median, w.min, w.max, c.median, c.min,
	       c.max);
}

/* ---- processes ---- */

void bench_pipe(int fds[2], int flags)
{
	if (pipe2(fds, O_CLOEXEC | flags) < 0)
		bench_fail("pipe: %s", strerror(errno));
}

int bench_kill(pid_t pid, int sig)
{
	if (pid <= 0)
		bench_fail("refusing kill(%d, %d): a pid <= 0 reaches more than our child",
			   (int)pid, sig);
	return kill(pid, sig);
}

void bench_die_with(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
}

pid_t bench_fork(void (*fn)(void *arg), void *arg)
{
	pid_t parent = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		bench_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		bench_die_with(parent);
		fn(arg);
		_exit(1);
	}
	return pid;
}

void bench_reap(pid_t pid)
{
	char path[64];
	pid_t ret;

	if (pid <= 0)
		return;
	bench_kill(pid, SIGKILL);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	for (;;) {
		DIR *dir;
		struct dirent *de;

		ret = waitpid(pid, NULL, __WALL | WNOHANG);
		if (ret == pid || (ret < 0 && errno == ECHILD))
			return;
		/* A thread we still trace must be reaped by us before its
		 * leader can be: reap those of this process by tid. */
		dir = opendir(path);
		while (dir && (de = readdir(dir))) {
			pid_t tid = (pid_t)atoi(de->d_name);

			if (tid > 0 && tid != pid)
				waitpid(tid, NULL, __WALL | WNOHANG);
		}
		if (dir)
			closedir(dir);
		usleep(1000);
	}
}

void bench_skip_if_refused(int err, pid_t child)
{
	if (err == -EPERM) {
		printf("SKIP: ptrace refused on our own child (EPERM): Yama, seccomp or a "
		       "missing capability\n");
		bench_reap(child);
		exit(77);
	}
}

static const char *watchdog_what = "";

static void on_alarm(int sig)
{
	static const char msg[] = "FAILED TO RUN: watchdog expired: ";
	ssize_t n;

	(void)sig;
	n = write(2, msg, sizeof(msg) - 1);
	n = write(2, watchdog_what, strlen(watchdog_what));
	n = write(2, "\n", 1);
	(void)n;
	_exit(1);
}

void bench_watchdog(unsigned int seconds, const char *what)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	watchdog_what = what;
	alarm(seconds);
}

/* ---- the signal loop ---- */

static void on_usr1(int sig)
{
	(void)sig;
}

void bench_raiser(void *arg)
{
	struct sigaction sa;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	for (;;)
		raise(SIGUSR1);
}

void bench_raw_signal(pid_t pid, int stops)
{
	siginfo_t si;
	int i, status;

	for (i = 0; i < stops; i++) {
		if (waitpid(pid, &status, __WALL) != pid)
			bench_fail("waitpid: %s", strerror(errno));
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGUSR1 || (status >> 16))
			bench_fail("raw loop: unexpected status %#x", status);
		if (ptrace(PTRACE_GETSIGINFO, pid, NULL, &si) < 0 || si.si_signo != SIGUSR1)
			bench_fail("PTRACE_GETSIGINFO: %s", strerror(errno));
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)(long)si.si_signo) < 0)
			bench_fail("PTRACE_CONT: %s", strerror(errno));
	}
}
