/* SPDX-License-Identifier: MIT */
/* Which stop is next: peek at the wait queue, take only what is ours; and
 * holding a whole process at ptrace-stops for freeze and detach. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer-int.h"

/* Consume and handle the stop or death of one tracee, if it has one ready.
 * Returns 1 if it did, 0 if nothing was ready, or -errno. */
static int consume_one(struct seize_tracer *t, pid_t tid)
{
	struct seize_event sev;
	int ret = seize_wait(tid, &sev, SEIZE_WAIT_NOHANG);

	if (ret <= 0)
		return ret;
	tracer_handle(t, &sev);
	return 1;
}

/* The stop or death tid has ready, left in the queue: si.si_pid 0 if none. */
static int peek_one(pid_t tid, siginfo_t *si)
{
	si->si_pid = 0;
	return sys_waitid(P_PID, (id_t)tid, si, WEXITED | WNOWAIT | __WALL | WNOHANG);
}

static bool is_signal_stop(const siginfo_t *si)
{
	return si->si_code == CLD_TRAPPED && !(si->si_status & ~0xff) &&
	       si->si_status != (SIGTRAP | 0x80);
}

/* Before a stop signal is delivered in a process of several threads, read
 * every stop its other threads have already made: a group-stop trap of the
 * last stop read after this signal's delivery would be taken for the next
 * stop, and its thread's end trap would then end that one while the process
 * stays stopped.  The delivery waits in the kernel meanwhile (only peeked),
 * so nothing is lost if the tracing program dies in a callback here.  Their
 * signal stops are left for later: they are not traps, and each is read in
 * place in its turn. */
static void read_earlier_stops(struct seize_tracer *t, pid_t pid, pid_t deliverer)
{
	struct proc *p = tracer_proc_find(t, pid);
	struct thread *th;
	unsigned int budget;

	if (!p || p->nthreads < 2)
		return;
	/* Each thread has at most one stop ready, and a thread read here is
	 * resumed, so a few rounds of its own suffice; the bound keeps a
	 * process that stops again at once from holding the delivery. */
	budget = 2 * p->nthreads;
	th = p->threads;
	while (th && budget > 0) {
		pid_t tid = th->tid;
		pid_t next = th->next ? th->next->tid : 0;
		siginfo_t si;

		if (tid != deliverer && peek_one(tid, &si) == 0 && si.si_pid == tid &&
		    !is_signal_stop(&si) && consume_one(t, tid) > 0) {
			budget--;
			p = tracer_proc_find(t, pid);
			if (!p)
				return;
		}
		/* Records come and go as stops are handled: walk on by tid. */
		th = next ? tidmap_get(&t->threads, next) : NULL;
		if (th && th->proc != p)
			th = NULL;
	}
}

/* A signal-delivery-stop is handled from the peek alone, never consumed by
 * a wait: the kernel keeps the pending signal in the tracee until our
 * PTRACE_CONT replaces it, so if the tracing program dies first, the signal
 * is still delivered (a consumed stop would resume with none, and a SIGSTOP
 * sent by the real parent would be lost for good). */
static bool handle_signal_in_place(struct seize_tracer *t, const siginfo_t *si)
{
	struct thread *th = tidmap_get(&t->threads, si->si_pid);
	struct seize_event sev, consumed;

	/* Held threads are consumed, or every peek would find them again. */
	if (!th || th->proc->holding || th->proc->unfollowed || !is_signal_stop(si))
		return false;
	if (requests_decode_peeked(si, &sev) < 0 || sev.type != SEIZE_EVENT_SIGNAL)
		return false;
	if (decode_is_stop_signal(sev.sig)) {
		read_earlier_stops(t, th->proc->pid, th->tid);
		/* If its record went, or a callback began to hold its process,
		 * the stop is still queued: the next look takes it as it is then. */
		th = tidmap_get(&t->threads, sev.tid);
		if (!th || th->proc->holding)
			return true;
	}
	tracer_handle(t, &sev);
	/* Held by the callback: consumed now, so no peek finds it again. */
	th = tidmap_get(&t->threads, sev.tid);
	if (th && th->state == THREAD_HELD)
		seize_wait(sev.tid, &consumed, SEIZE_WAIT_NOHANG);
	return true;
}

/* Handle the stop or death of one tracee, if it has one ready: 1 if it
 * did, 0 if nothing was ready, or -errno. */
static int handle_one(struct seize_tracer *t, pid_t tid)
{
	siginfo_t si;
	int ret = peek_one(tid, &si);

	if (ret < 0 || si.si_pid == 0)
		return ret;	/* 0: nothing ready */
	return handle_signal_in_place(t, &si) ? 1 : consume_one(t, tid);
}

/* Waits for a tracee of ours only: peek at whoever is ready (WNOWAIT), and
 * consume it only if it is ours.  A child of the host in front of the queue
 * is left for the host; then each tracee is asked in turn. */
static int sweep(struct seize_tracer *t)
{
	struct proc *p, *next_p;
	int handled = 0;

	for (p = t->procs; p; p = next_p) {
		struct thread *th, *next_th;

		next_p = p->next;
		for (th = p->threads; th; th = next_th) {
			next_th = th->next;
			if (handle_one(t, th->tid) > 0) {
				handled++;
				break;	/* the lists may have changed */
			}
		}
	}
	return handled;
}

/* Handle the next ready stop of ours.  Returns how many stops it handled
 * (0: none ready), or -EINTR; *front is set when a child of the host stood
 * in front of the queue, after which the caller should not ask again. */
static int next_stop(struct seize_tracer *t, bool block, bool *front)
{
	siginfo_t si;
	int ret;

	si.si_pid = 0;
	/* Peek (WNOWAIT), consume only what is ours.  No WSTOPPED: a tracee's
	 * stops are reported without it, and it keeps the host's stopped
	 * children out of sight. */
	ret = sys_waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | __WALL | (block ? 0 : WNOHANG));
	if (ret == -ECHILD) {
		/* The kernel says we trace nothing: any record left is of a
		 * tracee whose end was never ours to see (reaped by another). */
		while (t->procs)
			tracer_proc_remove(t, t->procs);
		return 0;
	}
	if (ret < 0)
		return ret;
	if (si.si_pid == 0)
		return 0;
	if (handle_signal_in_place(t, &si))
		return 1;
	if (!(t->cfg.flags & SEIZE_TRACER_ALL_CHILDREN) &&
	    !tidmap_get(&t->threads, si.si_pid) &&
	    procfs_status_field(si.si_pid, "TracerPid") != t->owner_tid) {
		/* Blocking now would spin until the host reaps its child. */
		*front = true;
		return sweep(t);
	}
	return consume_one(t, si.si_pid);
}

/* Block until some tracee has news, and handle it. */
static void wait_any(struct seize_tracer *t)
{
	bool front = false;

	while (next_stop(t, true, &front) == -EINTR)
		;
}

int tracer_wait_held(struct seize_tracer *t, pid_t tid)
{
	struct thread *th = tidmap_get(&t->threads, tid);

	while (th && th->state != THREAD_HELD) {
		int r = handle_one(t, tid);

		if (r == 0) {
			/* Block for any tracee, not this one: a thread's death
			 * or an exec may need another thread reaped first. */
			wait_any(t);
		} else if (r < 0) {
			/* Gone without a report to us (reaped by someone else):
			 * forget it, and the process with its last thread. */
			th = tidmap_get(&t->threads, tid);
			if (th) {
				struct proc *p = th->proc;

				tracer_thread_remove(t, th);
				if (!p->nthreads)
					tracer_proc_remove(t, p);
			}
			return -ESRCH;
		}
		th = tidmap_get(&t->threads, tid);
	}
	return th ? 0 : -ESRCH;
}

/* Interrupt every thread that runs or listens, then handle stops until each
 * thread of the process is HELD (or dead).  p->holding keeps them held. */
int tracer_hold_all(struct seize_tracer *t, struct proc *p)
{
	pid_t pid = p->pid;
	struct thread *th;

	p->holding = true;
	for (th = p->threads; th; th = th->next)
		if (th->state != THREAD_HELD)
			seize_interrupt(th->tid);
restart:
	p = tracer_proc_find(t, pid);
	if (!p)
		return -ESRCH;		/* it died; that was reported */
	/* Threads the kernel attaches meanwhile join at the head, and their
	 * first stop holds them; a death changes the list, so start over. */
	for (th = p->threads; th; th = th->next)
		if (th->state != THREAD_HELD &&
		    (tracer_wait_held(t, th->tid) < 0 || !tracer_proc_find(t, pid)))
			goto restart;
	return 0;
}

void tracer_release_all(struct proc *p)
{
	struct thread *th;

	p->holding = false;
	for (th = p->threads; th; th = th->next)
		if (th->state == THREAD_HELD && !th->held_by_caller)
			tracer_resume(th);
}

int tracer_dispatch(struct seize_tracer *t, unsigned int flags)
{
	bool front = false;
	int handled = 0, ret;

	if (t->event_fd >= 0) {
		uint64_t count;
		ssize_t n = read(t->event_fd, &count, sizeof(count));

		(void)n;
	}
	if (!t->procs)
		return -ECHILD;
	if (flags & SEIZE_TRACER_WAIT) {
		/* One stop, then back to the caller: a second look would cost a
		 * system call per stop, and the caller loops anyway. */
		ret = next_stop(t, true, &front);
		if (ret < 0) {
			tracer_fd_poke(t);
			return ret;
		}
		handled = ret;
	} else {
		while (t->procs && !front && (ret = next_stop(t, false, &front)) > 0)
			handled += ret;
	}
	tracer_fd_poke(t);
	if (!t->procs && handled == 0)
		return -ECHILD;
	return handled;
}
