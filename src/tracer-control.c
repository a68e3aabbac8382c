/* SPDX-License-Identifier: MIT */
/* The tracer's calls for a debugger or a profiler: hold a thread at a stop
 * (its event's, or one made by PTRACE_INTERRUPT), decide the signal it will
 * deliver, give it back as the transparent policy would have resumed it,
 * and ask for a process's system calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "tracer-int.h"

/* Every tid traced by t, and from a callback only the thread at its stop
 * (a wait from inside one would handle other stops under it). */
static int check_threads(struct seize_tracer *t, const pid_t *tids, size_t n)
{
	size_t i;

	if (!tracer_usable(t) || (n && !tids))
		return -EINVAL;
	if (t->in_callback && (n != 1 || !t->stopped_now || tids[0] != t->stopped_now->tid))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (tids[i] <= 0 || !tidmap_get(&t->threads, tids[i]))
			return -ESRCH;
	return 0;
}

SEIZE_EXPORT int seize_tracer_hold_threads(struct seize_tracer *t, const pid_t *tids, size_t n)
{
	int ret = check_threads(t, tids, n), gone = 0;
	size_t i;

	if (ret < 0)
		return ret;
	/* Interrupt them all first, then collect: the stops come in parallel. */
	for (i = 0; i < n; i++) {
		struct thread *th = tidmap_get(&t->threads, tids[i]);

		th->held_by_caller = true;
		if (th->state != THREAD_HELD)
			seize_interrupt(th->tid);
	}
	if (t->in_callback)
		return 0;	/* the thread at its stop: kept there on return */
	for (i = 0; i < n; i++)
		if (tracer_wait_held(t, tids[i]) < 0)
			gone++;
	return gone ? -ESRCH : 0;
}

SEIZE_EXPORT int seize_tracer_hold(struct seize_tracer *t, pid_t tid)
{
	return seize_tracer_hold_threads(t, &tid, 1);
}

SEIZE_EXPORT int seize_tracer_release_threads(struct seize_tracer *t, const pid_t *tids,
					      size_t n)
{
	int ret = check_threads(t, tids, n);
	size_t i;

	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		const struct thread *th = tidmap_get(&t->threads, tids[i]);

		if (!th->held_by_caller)
			return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct thread *th = tidmap_get(&t->threads, tids[i]);

		th->held_by_caller = false;
		/* In a callback the stop's own handling resumes it on return;
		 * in a freeze, the thaw does. */
		if (th->state == THREAD_HELD && !th->proc->holding && !t->in_callback)
			tracer_resume(th);
	}
	return 0;
}

SEIZE_EXPORT int seize_tracer_release(struct seize_tracer *t, pid_t tid)
{
	return seize_tracer_release_threads(t, &tid, 1);
}

SEIZE_EXPORT int seize_tracer_set_signal(struct seize_tracer *t, pid_t tid, int sig)
{
	int ret = check_threads(t, &tid, 1);
	struct thread *th;

	if (ret < 0)
		return ret;
	th = tidmap_get(&t->threads, tid);
	if (sig < 0 || sig >= NSIG || th->state != THREAD_HELD || !th->at_signal_stop)
		return -EINVAL;
	th->pending_sig = sig;
	return 0;
}

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/* The filter of the commands spawned from now on: a call of the set traps
 * to us (SECCOMP_RET_TRACE), every other call, and every call of another
 * architecture (i386 on x86_64), runs on untouched. */
static int set_spawn_filter(struct seize_tracer *t, enum seize_tracer_syscalls mode,
			    const uint64_t *set)
{
#ifdef NATIVE_ARCH
	struct sock_filter *f;
	unsigned int n = 0, i = 0, nr, allow, trace;

	for (nr = 0; mode == SEIZE_SYSCALLS_SET && nr < SYSCALL_NR_MAX; nr++)
		n += set[nr / 64] >> (nr % 64) & 1;
	/* The arch, its check, the number; a test and a jump per number (ALL:
	 * one jump); then the two ends. */
	allow = 4 + (mode == SEIZE_SYSCALLS_ALL ? 1 : 2 * n);
	trace = allow + 1;
	f = mode == SEIZE_SYSCALLS_OFF ? NULL : calloc(trace + 1, sizeof(*f));
	if (mode != SEIZE_SYSCALLS_OFF && !f)
		return -ENOMEM;
	if (f) {
		f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, arch));
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
		f[i] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, allow - i - 1);
		i++;
		f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						      offsetof(struct seccomp_data, nr));
		for (nr = 0; mode == SEIZE_SYSCALLS_SET && nr < SYSCALL_NR_MAX; nr++) {
			if (!(set[nr / 64] >> (nr % 64) & 1))
				continue;
			f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
			f[i] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, trace - i - 1);
			i++;
		}
		if (mode == SEIZE_SYSCALLS_ALL)
			f[i] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, trace - i - 1);
		f[allow] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		f[trace] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	free(t->spawn_filter);
	t->spawn_filter = f;
	t->spawn_filter_len = f ? (unsigned short)(trace + 1) : 0;
	t->spawn_syscalls = mode;
	memcpy(t->spawn_set, set, sizeof(t->spawn_set));
	return 0;
#else
	(void)t; (void)mode; (void)set;
	return -ENOSYS;
#endif
}

int tracer_install_filter(const struct seize_tracer *t)
{
	struct sock_fprog prog = { .len = t->spawn_filter_len, .filter = t->spawn_filter };

	if (t->spawn_syscalls == SEIZE_SYSCALLS_OFF)
		return 0;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0)
		return 0;
	if (errno != EACCES)
		return errno;
	/* Without CAP_SYS_ADMIN the kernel asks for no_new_privs: then the
	 * command's set-user-ID programs gain nothing. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return errno;
	return 0;
}

SEIZE_EXPORT int seize_tracer_trace_syscalls(struct seize_tracer *t, pid_t pid,
					     enum seize_tracer_syscalls mode, const int *nrs, size_t n)
{
	uint64_t set[SYSCALL_SET_WORDS] = { 0 };
	struct proc *p;
	struct thread *th;
	size_t i;

	if (!tracer_usable(t) || t->in_callback ||
	    (mode != SEIZE_SYSCALLS_OFF && mode != SEIZE_SYSCALLS_ALL && mode != SEIZE_SYSCALLS_SET) ||
	    (mode == SEIZE_SYSCALLS_SET && n && !nrs))
		return -EINVAL;
	for (i = 0; mode == SEIZE_SYSCALLS_SET && i < n; i++) {
		if (nrs[i] < 0 || nrs[i] >= SYSCALL_NR_MAX)
			return -EINVAL;
		set[nrs[i] / 64] |= 1ull << (nrs[i] % 64);
	}
	if (pid == 0)
		return set_spawn_filter(t, mode, set);
	p = tracer_proc_find(t, pid);
	if (!p)
		return -ESRCH;
	if (p->filtered)
		return -EBUSY;	/* its filter was set at its start, for good */
	memcpy(p->syscall_set, set, sizeof(set));
	if ((p->syscalls == SEIZE_SYSCALLS_OFF) == (mode == SEIZE_SYSCALLS_OFF)) {
		p->syscalls = mode;	/* resumed as before: only the set changes */
		return 0;
	}
	/* Each thread must stop once to be resumed the other way. */
	if (!p->frozen && tracer_hold_all(t, p) < 0)
		return -ESRCH;
	p->syscalls = mode;
	for (th = p->threads; th; th = th->next)
		th->syscall_nr = -1;
	if (!p->frozen)
		tracer_release_all(p);
	return 0;
}
