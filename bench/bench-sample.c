/* SPDX-License-Identifier: MIT */
/* A profiler's sample of a 159-thread process (the py-spy#872 case), two
 * ways (issue 10, Performance):
 *
 *   tracer   attached once; per sample seize_tracer_freeze(), the general
 *            registers of every thread (seize_get_regs()), seize_tracer_thaw()
 *            (what seize-stack -n does);
 *   per-sample attach  as py-spy does: per sample, each thread in turn
 *            PTRACE_SEIZE, PTRACE_INTERRUPT and waited for, then the
 *            registers of each, then PTRACE_DETACH of each.
 *
 * Rounds alternate (tracer, then per-sample attach), SAMPLES samples each;
 * figures are per sample, CPU time of this process and the tracee (wall
 * beside).  Target: the tracer's sample costs at most half the other's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seize/seize.h>
#include <seize/tracer.h>

#include "bench-common.h"

#define THREADS		159	/* with the main thread */
#define ROUNDS		7
#define SAMPLES		50

static int ready_fd;

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void workload(void *arg)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 1; i < THREADS; i++) {
		pthread_t t;

		if (pthread_create(&t, &attr, sleeper, NULL) != 0)
			_exit(1);
	}
	if (write(ready_fd, "R", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static int list_tids(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		bench_fail("opendir %s", path);
	while ((d = readdir(dir)) && n < max) {
		long tid = strtol(d->d_name, NULL, 10);

		if (tid > 0)
			tids[n++] = (pid_t)tid;
	}
	closedir(dir);
	return n;
}

static void sample_tracer(struct seize_tracer *t, pid_t pid, const pid_t *tids, int n)
{
	struct seize_regs r;
	int ret = seize_tracer_freeze(t, pid);

	if (ret < 0)
		bench_fail("seize_tracer_freeze: %s", strerror(-ret));
	for (int i = 0; i < n; i++)
		if ((ret = seize_get_regs(tids[i], &r)) < 0)
			bench_fail("seize_get_regs %d: %s", (int)tids[i], strerror(-ret));
	if ((ret = seize_tracer_thaw(t, pid)) < 0)
		bench_fail("seize_tracer_thaw: %s", strerror(-ret));
}

static void sample_attach(const pid_t *tids, int n)
{
	struct seize_regs r;
	struct seize_event ev;
	int ret;

	for (int i = 0; i < n; i++) {
		if ((ret = seize_attach(tids[i], 0)) < 0)
			bench_fail("seize_attach %d: %s", (int)tids[i], strerror(-ret));
		if ((ret = seize_interrupt(tids[i])) < 0)
			bench_fail("seize_interrupt %d: %s", (int)tids[i], strerror(-ret));
		if ((ret = seize_wait(tids[i], &ev, 0)) < 0 || ev.type != SEIZE_EVENT_STOP)
			bench_fail("seize_wait %d: %s, event %d", (int)tids[i],
				   strerror(ret < 0 ? -ret : 0), (int)ev.type);
	}
	for (int i = 0; i < n; i++)
		if ((ret = seize_get_regs(tids[i], &r)) < 0)
			bench_fail("seize_get_regs %d: %s", (int)tids[i], strerror(-ret));
	for (int i = 0; i < n; i++)
		if ((ret = seize_detach(tids[i], 0)) < 0)
			bench_fail("seize_detach %d: %s", (int)tids[i], strerror(-ret));
}

int main(void)
{
	double wall[2][ROUNDS], cpu[2][ROUNDS], ratio[ROUNDS];
	struct seize_tracer_config cfg = { .events = 0 };
	pid_t tids[THREADS + 8];
	int fds[2], n, ret;
	char c;
	pid_t pid;

	bench_watchdog(240, "bench-sample");
	bench_pipe(fds, 0);
	ready_fd = fds[1];
	pid = bench_fork(workload, NULL);
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		bench_fail("the workload did not start");
	close(fds[0]);
	n = list_tids(pid, tids, THREADS + 8);
	if (n != THREADS)
		bench_fail("%d threads, not %d", n, THREADS);
	ret = seize_attach(pid, 0);
	bench_skip_if_refused(ret, pid);
	if (ret == 0 && (ret = seize_interrupt(pid)) == 0) {
		struct seize_event ev;

		seize_wait(pid, &ev, 0);
		seize_detach(pid, 0);
	}

	for (int round = 0; round < ROUNDS; round++) {
		struct seize_tracer *t;
		uint64_t w0, c0;

		if ((ret = seize_tracer_new(&cfg, &t)) < 0 || (ret = seize_tracer_attach(t, pid)) < 0)
			bench_fail("tracer: %s", strerror(-ret));
		w0 = bench_now_ns();
		c0 = bench_cpu_ns(pid);
		for (int s = 0; s < SAMPLES; s++)
			sample_tracer(t, pid, tids, n);
		cpu[0][round] = (double)(bench_cpu_ns(pid) - c0) / SAMPLES / 1000.0;
		wall[0][round] = (double)(bench_now_ns() - w0) / SAMPLES / 1000.0;
		seize_tracer_destroy(t);

		w0 = bench_now_ns();
		c0 = bench_cpu_ns(pid);
		for (int s = 0; s < SAMPLES; s++)
			sample_attach(tids, n);
		cpu[1][round] = (double)(bench_cpu_ns(pid) - c0) / SAMPLES / 1000.0;
		wall[1][round] = (double)(bench_now_ns() - w0) / SAMPLES / 1000.0;
		ratio[round] = cpu[0][round] / cpu[1][round];
	}
	bench_reap(pid);

	printf("One sample of a %d-thread process (registers of every thread), %d rounds of %d:\n",
	       THREADS, ROUNDS, SAMPLES);
	for (int k = 0; k < 2; k++) {
		struct bench_stats w = bench_stats(wall[k], ROUNDS), u = bench_stats(cpu[k], ROUNDS);

		printf("  %-30s us/sample: cpu median %.0f (min %.0f, max %.0f), wall median %.0f "
		       "(min %.0f, max %.0f)\n", k ? "seize+interrupt+detach each" :
		       "tracer freeze/regs/thaw", u.median, u.min, u.max, w.median, w.min, w.max);
	}
	{
		struct bench_stats s = bench_stats(ratio, ROUNDS);

		printf("  tracer / per-sample attach, CPU: %.3fx (%.3fx to %.3fx), i.e. %.1fx cheaper\n",
		       s.median, s.min, s.max, 1.0 / s.median);
		bench_target("sample tracer vs per-sample attach (cpu)", s, "x", 0.5, "0.5x");
	}
	bench_summary();
	return 0;
}
