/* SPDX-License-Identifier: MIT */
/* The tracer's calls for a debugger or a profiler: hold a thread at a stop
 * (its event's, or one made by PTRACE_INTERRUPT), decide the signal it will
 * deliver, and give it back as the transparent policy would have resumed it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>

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
