/* SPDX-License-Identifier: MIT */
/* Shared by the benchmarks: clock, statistics over alternating rounds, CPU
 * pinning and safe process handling (the allocation counter is
 * bench-allocs.h, linked only where allocations are counted).
 *
 * Benchmarks report; they do not judge the machine.  Each prints a table and
 * one PASS or MISS line per target, and exits 0 either way; exit 1 means it
 * could not run (fork or attach failed, an unexpected event), 77 means ptrace
 * is refused here (the reason is printed). */
#ifndef SEIZE_BENCH_COMMON_H
#define SEIZE_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic time in nanoseconds. */
uint64_t bench_now_ns(void);

/* CPU time of this process plus that of process `tracee`, in nanoseconds: on
 * a shared machine it leaves out the time other tenants held the CPU, which
 * wall time counts. */
uint64_t bench_cpu_ns(pid_t tracee);

/* Median, min and max of n values (n > 0); the array is not changed. */
struct bench_stats {
	double median, min, max;
};
struct bench_stats bench_stats(const double *v, size_t n);

/* Print "FORMAT...: reason" on stderr and exit 1: the benchmark could not run. */
void bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Record one target line, "PASS name median=... (min ..., max ...) target
 * <= X" or MISS (median above limit); `unit` follows each figure ("%", "x",
 * " us").  The lines are printed together by bench_summary().  Returns pass. */
bool bench_target(const char *name, struct bench_stats s, const char *unit, double limit,
		  const char *limit_text);
/* Record a target line of another shape: "PASS " or "MISS " then the text. */
void bench_target_line(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print every recorded target line, last in the output. */
void bench_summary(void);
/* "  LABEL us/stop: wall median ... (min, max), cpu median ... (min, max)"
 * over n rounds, the label padded to `width`. */
void bench_print_per_stop(const char *label, int width, const double *wall, const double *cpu,
			  size_t n);

/* pipe2() with O_CLOEXEC and `flags` (O_NONBLOCK), or fail the benchmark. */
void bench_pipe(int fds[2], int flags);

/* CPUs this process may run on, in order; returns how many (at most max). */
int bench_cpus(int *cpus, int max);
/* Pin a thread (0: the calling one) to one CPU, or to every CPU of the
 * original mask with cpu < 0.  Fails the benchmark on error. */
void bench_pin(pid_t tid, int cpu);
/* The CPU a thread last ran on: field 39 of /proc/TID/stat, or -1. */
int bench_last_cpu(pid_t tid);

/* kill(2) that refuses pid <= 0 (as root that reaches a process group or
 * every process): fails the benchmark instead. */
int bench_kill(pid_t pid, int sig);

/* In a child just forked by `parent`: die with it (PR_SET_PDEATHSIG), and
 * _exit(1) at once if it is already gone.  bench_fork() does it; a child
 * forked otherwise (inside a tracee, where bench_fail() must not run) calls it. */
void bench_die_with(pid_t parent);
/* Fork a child that dies with us (bench_die_with) and runs fn(arg), which
 * must not return.  Fails the benchmark if fork fails. */
pid_t bench_fork(void (*fn)(void *arg), void *arg);
/* SIGKILL and reap a child of ours (pid > 0); a child already gone is fine. */
void bench_reap(pid_t pid);

/* A tracee: raises SIGUSR1 (handled, empty handler) in a loop, forever. */
void bench_raiser(void *arg) __attribute__((noreturn));
/* The hand-written loop on it, `stops` times: waitpid, PTRACE_GETSIGINFO,
 * PTRACE_CONT delivering the signal.  Fails the benchmark on anything else. */
void bench_raw_signal(pid_t pid, int stops);

/* A ptrace refusal on our own child: print the reason and exit 77. */
void bench_skip_if_refused(int err, pid_t child);

/* Exit 1 (bench_fail) if not done within `seconds`; 0 cancels. */
void bench_watchdog(unsigned int seconds, const char *what);

#endif
