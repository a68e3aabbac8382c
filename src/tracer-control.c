/* SPDX-License-Identifier: MIT */
/* The tracer's calls for a debugger or a profiler: hold a thread at a stop
 * (its event's, or one made by PTRACE_INTERRUPT), decide the signal it will
 * deliver, give it back as the transparent policy would have resumed it,
 * and ask for a process's system calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

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
	p = tracer_proc_find(t, pid);
	if (!p)
		return -ESRCH;
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
