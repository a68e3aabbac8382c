/* SPDX-License-Identifier: MIT */
/* The inspection calls against the raw calls they wrap, on one stopped
 * tracee, in the same run:
 *
 * 1. seize_get_regs against PTRACE_GETREGSET (NT_PRSTATUS) by hand.
 * 2. seize_read_mem of 8, 16 and 4096 bytes against process_vm_readv by
 *    hand: checked (the default: one word is one PEEKDATA, which the kernel
 *    checks; more is one PTRACE_GETEVENTMSG before the transfer, so that a
 *    running tracee is refused) and with SEIZE_MEM_NO_CHECK (the caller
 *    vouches for the stop).
 * 3. The forced fallbacks, for scale: /proc/PID/mem and PEEKDATA reads.
 *
 * A round is CALLS library calls and CALLS raw calls, in blocks of BLOCK
 * that alternate ABBA, so that a burst of other work on this shared machine
 * falls on both alike.  Figures: ns per call and the library / raw ratio in
 * CPU time (tracer + tracee; the tracee is stopped), median (min, max) over
 * the rounds.  Target for the "no more than the raw calls": <= 2%. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <seize/seize.h>

#include "bench-allocs.h"
#include "bench-common.h"

#define ROUNDS	11
#define CALLS	20000
#define BLOCK	1000
#define WARMUP	2000

static char area[4096] __attribute__((aligned(64))) = "the tracee's memory";

static void pauser(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

typedef void (*loop_fn)(pid_t pid, size_t len, int n);

static void raw_regs(pid_t pid, size_t len, int n)
{
	unsigned char regs[sizeof(struct seize_regs)];
	struct iovec iov;
	int i;

	(void)len;
	for (i = 0; i < n; i++) {
		iov.iov_base = regs;
		iov.iov_len = sizeof(regs);
		if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
			bench_fail("PTRACE_GETREGSET: %s", strerror(errno));
	}
}

static void lib_regs(pid_t pid, size_t len, int n)
{
	struct seize_regs regs;
	int i, ret;

	(void)len;
	for (i = 0; i < n; i++)
		if ((ret = seize_get_regs(pid, &regs)) < 0)
			bench_fail("seize_get_regs: %s", strerror(-ret));
}

static void raw_read(pid_t pid, size_t len, int n)
{
	static char buf[sizeof(area)];
	struct iovec local = { buf, len }, remote = { area, len };
	int i;

	for (i = 0; i < n; i++)
		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)len)
			bench_fail("process_vm_readv: %s", strerror(errno));
}

static void lib_read_flags(pid_t pid, size_t len, int n, unsigned int flags)
{
	static char buf[sizeof(area)];
	ssize_t ret;
	int i;

	for (i = 0; i < n; i++)
		if ((ret = seize_read_mem(pid, (uint64_t)(uintptr_t)area, buf, len, flags)) !=
		    (ssize_t)len)
			bench_fail("seize_read_mem(flags %#x): %zd", flags, ret);
}

static void lib_read(pid_t pid, size_t len, int n)
{
	lib_read_flags(pid, len, n, 0);
}

static void lib_read_nocheck(pid_t pid, size_t len, int n)
{
	lib_read_flags(pid, len, n, SEIZE_MEM_NO_CHECK);
}

static void lib_read_proc(pid_t pid, size_t len, int n)
{
	lib_read_flags(pid, len, n, SEIZE_MEM_NO_VM_READV | SEIZE_MEM_NO_CHECK);
}

static void lib_read_peek(pid_t pid, size_t len, int n)
{
	lib_read_flags(pid, len, n, SEIZE_MEM_NO_VM_READV | SEIZE_MEM_NO_PROC_MEM |
				    SEIZE_MEM_NO_CHECK);
}

/* Rounds of raw against lib: the median ratio, and the allocations made. */
static struct bench_stats compare(const char *name, pid_t pid, loop_fn raw, loop_fn lib,
				  size_t len, int calls, uint64_t *allocs)
{
	double ns[2][ROUNDS], ratio[ROUNDS];
	struct bench_stats s[2], r;
	int round, j, k;

	raw(pid, len, WARMUP / 10);
	lib(pid, len, WARMUP / 10);
	for (round = 0; round < ROUNDS; round++) {
		uint64_t cpu[2] = { 0, 0 };

		for (j = 0; j < calls / BLOCK; j++) {
			for (k = 0; k < 2; k++) {
				int is_lib = (k == 0) == ((j + round) % 2 == 1);
				uint64_t a0 = bench_allocs(), c0 = bench_cpu_ns(pid);

				(is_lib ? lib : raw)(pid, len, BLOCK);
				cpu[is_lib] += bench_cpu_ns(pid) - c0;
				if (is_lib)
					*allocs += bench_allocs() - a0;
			}
		}
		for (k = 0; k < 2; k++)
			ns[k][round] = (double)cpu[k] / calls;
		ratio[round] = ns[1][round] / ns[0][round];
	}
	for (k = 0; k < 2; k++)
		s[k] = bench_stats(ns[k], ROUNDS);
	r = bench_stats(ratio, ROUNDS);
	printf("  %-34s raw %8.1f ns  lib %8.1f ns  lib/raw %.3fx (min %.3fx, max %.3fx)\n",
	       name, s[0].median, s[1].median, r.median, r.min, r.max);
	return r;
}

int main(void)
{
	void *(*volatile alloc)(size_t) = malloc;
	uint64_t a0 = bench_allocs(), allocs = 0;
	struct seize_event ev;
	struct bench_stats r;
	char target[64];
	pid_t pid;
	void *p;
	int ret, cpus[1];

	setvbuf(stdout, NULL, _IOLBF, 0);
	p = alloc(32);
	free(p);
	if (bench_allocs() == a0)
		bench_fail("the allocation counter is not interposed");
	bench_watchdog(240, "bench-inspect");
	if (bench_cpus(cpus, 1) > 0)
		bench_pin(0, cpus[0]);

	pid = bench_fork(pauser, NULL);
	ret = seize_attach(pid, PTRACE_O_EXITKILL);
	bench_skip_if_refused(ret, pid);
	if (ret < 0)
		bench_fail("seize_attach(%d): %s", (int)pid, strerror(-ret));
	if ((ret = seize_interrupt(pid)) < 0)
		bench_fail("seize_interrupt: %s", strerror(-ret));
	ret = seize_wait(pid, &ev, 0);
	if (ret != pid || ev.type != SEIZE_EVENT_STOP)
		bench_fail("first stop: %d %s", ret, seize_event_name(&ev));

	printf("bench-inspect: inspection calls vs the raw calls on one stopped tracee;\n"
	       "%d rounds of %d calls each side in alternating blocks of %d; CPU ns per call\n",
	       ROUNDS, CALLS, BLOCK);
	r = compare("get_regs vs GETREGSET", pid, raw_regs, lib_regs, 0, CALLS, &allocs);
	bench_target("get-regs-overhead", (struct bench_stats){ (r.median - 1) * 100,
		     (r.min - 1) * 100, (r.max - 1) * 100 }, "%", 2.0, "<= 2%");
	r = compare("read_mem 8 B (one word: PEEKDATA)", pid, raw_read, lib_read, 8, CALLS, &allocs);
	bench_target("read-mem-8-checked-overhead", (struct bench_stats){ (r.median - 1) * 100,
		     (r.min - 1) * 100, (r.max - 1) * 100 }, "%", 2.0, "<= 2%");
	r = compare("read_mem 16 B (check + vm_readv)", pid, raw_read, lib_read, 16, CALLS, &allocs);
	bench_target("read-mem-16-checked-overhead", (struct bench_stats){ (r.median - 1) * 100,
		     (r.min - 1) * 100, (r.max - 1) * 100 }, "%", 2.0,
		     "<= 2% (the stop check is one more system call: not expected to pass)");
	r = compare("read_mem 8 B NO_CHECK", pid, raw_read, lib_read_nocheck, 8, CALLS, &allocs);
	bench_target("read-mem-8-nocheck-overhead", (struct bench_stats){ (r.median - 1) * 100,
		     (r.min - 1) * 100, (r.max - 1) * 100 }, "%", 2.0, "<= 2%");
	r = compare("read_mem 4096 B (check + vm_readv)", pid, raw_read, lib_read, 4096, CALLS,
		    &allocs);
	bench_target("read-mem-4096-checked-overhead", (struct bench_stats){ (r.median - 1) * 100,
		     (r.min - 1) * 100, (r.max - 1) * 100 }, "%", 2.0, "<= 2%");
	r = compare("read_mem 4096 B NO_CHECK", pid, raw_read, lib_read_nocheck, 4096, CALLS,
		    &allocs);
	bench_target("read-mem-4096-nocheck-overhead", (struct bench_stats){ (r.median - 1) * 100,
		     (r.min - 1) * 100, (r.max - 1) * 100 }, "%", 2.0, "<= 2%");
	printf("the fallbacks, for scale (NO_CHECK, against process_vm_readv):\n");
	compare("read_mem 8 B via /proc/PID/mem", pid, raw_read, lib_read_proc, 8, CALLS / 4,
		&allocs);
	compare("read_mem 8 B via PEEKDATA", pid, raw_read, lib_read_peek, 8, CALLS / 4, &allocs);
	compare("read_mem 4096 B via PEEKDATA", pid, raw_read, lib_read_peek, 4096, CALLS / 20,
		&allocs);
	bench_reap(pid);

	snprintf(target, sizeof(target), "%llu", (unsigned long long)allocs);
	bench_target_line(allocs == 0, "allocations-inspect %s in the library calls target 0",
			  target);
	bench_summary();
	return 0;
}
