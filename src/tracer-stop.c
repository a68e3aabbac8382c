/* SPDX-License-Identifier: MIT */
/* One stop or death of a tracee in; records, events and the resume decision
 * out.  No waits here: the stop arrives decoded.
 *
 * The group-stop state of a process is read off the STOP traps alone: a
 * PTRACE_EVENT_STOP reports the stop signal while a group-stop is in effect
 * and SIGTRAP otherwise, whatever made the thread trap (our INTERRUPT, the
 * end of the stop, a new thread's first stop), so a stray trap can never
 * fool the bookkeeping. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer-int.h"

static void emit(struct seize_tracer *t, struct seize_tracer_event *ev)
{
	if (t->cfg.callback && (t->cfg.events & SEIZE_TRACER_MASK(ev->type))) {
		ev->stopped_tid = t->stopped_now ? t->stopped_now->tid : 0;
		t->in_callback = true;
		t->cfg.callback(t, ev, t->cfg.data);
		t->in_callback = false;
	}
}

void tracer_emit_simple(struct seize_tracer *t, enum seize_tracer_event_type type,
			pid_t pid, pid_t tid, int sig)
{
	struct seize_tracer_event ev = { .type = type, .pid = pid, .tid = tid, .sig = sig };

	emit(t, &ev);
}

/* Resume a HELD thread as the transparent policy says: deliver the signal
 * it stopped with, LISTEN through a group-stop, run otherwise. */
void tracer_resume(struct thread *th)
{
	int ret;

	if (th->held_at_event_stop && th->group_stopped) {
		ret = seize_listen(th->tid);
		th->state = THREAD_LISTENING;
	} else {
		if (th->syscall_exit_wanted ||
		    (th->proc->syscalls != SEIZE_SYSCALLS_OFF && !th->proc->filtered))
			ret = seize_syscall(th->tid, th->pending_sig);
		else
			ret = seize_cont(th->tid, th->pending_sig);
		th->state = THREAD_RUNNING;
		if (ret == 0 && decode_is_stop_signal(th->pending_sig)) {
			th->proc->stop_armed = true;
			th->proc->armed_in_stop = th->proc->group_stopped;
		}
	}
	/* -ESRCH: killed while held; its death report is on its way. */
	if (ret < 0)
		th->state = THREAD_RUNNING;
	th->pending_sig = 0;
	th->held_at_event_stop = false;
	th->at_signal_stop = false;
}

/* A stop from a tid we have no record of: a thread or child attached by the
 * kernel whose first stop came before its creator's CLONE/FORK event. */
/* A process the kernel attached to us (a fork, or a clone that is not a
 * thread): its record, and its NEW_CHILD unless we do not follow children.
 * NULL if out of memory. */
static struct thread *new_child(struct seize_tracer *t, pid_t pid, pid_t tid, pid_t parent)
{
	struct thread *th = tracer_new_process_record(t, pid, tid, parent);

	if (th && !th->proc->unfollowed) {
		struct seize_tracer_event ev = { .type = SEIZE_TRACER_NEW_CHILD, .pid = pid,
						 .tid = tid, .parent = parent };
		emit(t, &ev);
	}
	return th;
}

static struct thread *adopt(struct seize_tracer *t, pid_t tid)
{
	long tgid = procfs_status_field(tid, "Tgid");
	long ppid;
	struct proc *p;
	struct thread *th;

	if (tgid <= 0)
		return NULL;
	p = tracer_proc_find(t, (pid_t)tgid);
	if (p) {
		th = tracer_thread_add(t, p, tid);
		if (th) {
			th->unannounced = true;
			tracer_emit_simple(t, SEIZE_TRACER_NEW_THREAD, p->pid, tid, 0);
		}
		return th;
	}
	ppid = procfs_status_field(tid, "PPid");
	th = new_child(t, (pid_t)tgid, tid, ppid > 0 ? (pid_t)ppid : 0);
	if (th)
		th->unannounced = true;
	return th;
}

static void note_new_tracee(struct seize_tracer *t, struct thread *th, pid_t new_tid,
			    bool is_thread)
{
	struct thread *known;
	long tgid;

	if (new_tid <= 0)
		return;
	known = tidmap_get(&t->threads, new_tid);
	if (known) {
		known->unannounced = false;
		return;		/* its first stop came first and adopted it */
	}
	if (tidmap_get(&t->dead_unannounced, new_tid)) {
		tidmap_del(&t->dead_unannounced, new_tid);
		return;		/* its whole life came first */
	}
	tgid = procfs_status_field(new_tid, "Tgid");
	if (tgid < 0)
		return;		/* gone, and its death was not ours to see */
	/* PTRACE_EVENT_CLONE also reports a clone() without CLONE_THREAD
	 * whose exit signal is not SIGCHLD: that is a new process. */
	if (is_thread && tgid == th->proc->pid) {
		if (tracer_thread_add(t, th->proc, new_tid))
			tracer_emit_simple(t, SEIZE_TRACER_NEW_THREAD, th->proc->pid, new_tid, 0);
		return;
	}
	new_child(t, new_tid, new_tid, th->proc->pid);
}

static void handle_exec(struct seize_tracer *t, struct thread *th, pid_t former)
{
	struct proc *p = th->proc;
	struct thread *old;

	/* Exec from a non-leader: the execing thread took the leader's tid and
	 * the former tid vanished without a death report.  The record at the
	 * leader's tid carries on; the one at the former tid goes. */
	if (former > 0 && former != th->tid) {
		old = tidmap_get(&t->threads, former);
		if (old && old->proc == p)
			tracer_thread_remove(t, old);
	}
	{
		struct seize_tracer_event ev = { .type = SEIZE_TRACER_EXEC, .pid = p->pid,
						 .tid = th->tid, .former_tid = former };
		emit(t, &ev);
	}
}

static void handle_death(struct seize_tracer *t, struct thread *th, const struct seize_event *sev)
{
	struct proc *p = th->proc;
	struct seize_tracer_event ev = { .pid = p->pid, .tid = th->tid };

	if (th->unannounced)
		tracer_note_dead_unannounced(t, th->tid);
	if (th->tid != p->pid) {
		/* The leader is reported last (the kernel delays a leader with
		 * live threads), so a non-leader's death is only a thread's --
		 * unless the leader is not traced (a zombie when attached): then
		 * the last thread's death is the process's. */
		tracer_thread_remove(t, th);
		if (p->nthreads > 0 || tidmap_get(&t->threads, p->pid)) {
			ev.type = SEIZE_TRACER_THREAD_EXITED;
			emit(t, &ev);
			return;
		}
		th = NULL;
	}
	if (sev->type == SEIZE_EVENT_EXITED) {
		ev.type = SEIZE_TRACER_EXITED;
		ev.exit_code = sev->exit_code;
	} else {
		ev.type = SEIZE_TRACER_KILLED;
		ev.sig = sev->sig;
		ev.core_dumped = sev->core_dumped;
	}
	tracer_proc_remove(t, p);
	emit(t, &ev);
}

static bool has_sender(const siginfo_t *si)
{
	/* Only signals sent by a process carry a meaningful si_pid/si_uid. */
	return si->si_code == SI_USER || si->si_code == SI_QUEUE || si->si_code == SI_TKILL ||
	       si->si_code == SI_MESGQ;
}

static void report_continued(struct seize_tracer *t, struct thread *th)
{
	struct proc *p = th->proc;

	/* A stop signal delivered during the stop that ends here came after
	 * its end in the kernel (a group-stopped thread dequeues nothing): the
	 * end was read late, and that delivery begins the next stop. */
	p->group_stopped = false;
	p->stop_armed = p->stop_armed && p->armed_in_stop;
	p->armed_in_stop = false;
	tracer_emit_simple(t, SEIZE_TRACER_CONTINUED, p->pid, th->tid, SIGCONT);
}

/* A group-stop completes, and the real parent hears of it, only once every
 * thread has taken part.  A thread the caller holds at a STOP trap takes
 * part if LISTENed: the kernel's notice of the stop wakes it, it traps again
 * inside the stop, and stays held.  One held at any other stop cannot,
 * until released (as under any debugger). */
static void join_group_stop(struct thread *trapped)
{
	struct thread *th;

	if (trapped->proc->holding)
		return;
	for (th = trapped->proc->threads; th; th = th->next)
		if (th != trapped && th->held_by_caller && th->state == THREAD_HELD &&
		    th->held_at_event_stop && seize_listen(th->tid) == 0)
			th->state = THREAD_LISTENING;
}

/* A STOP trap's signal is the group-stop state when the thread trapped, not
 * when we read it, and threads are read one at a time: a report read after
 * a SIGCONT (or after a new SIGSTOP) is stale.  So a process-level stop
 * begins only at a group-stop report that follows the delivery of a stop
 * signal (or the attach), and it ends at a trap from a thread that took part
 * in that very stop, or when a thread proves it over (note_stop_signal_dequeued).
 * Each stop is then reported once, end and all. */
static void handle_stop_trap(struct seize_tracer *t, struct thread *th, const struct seize_event *sev)
{
	struct proc *p = th->proc;

	if (sev->group_stop) {
		if (!p->group_stopped && p->stop_armed) {
			p->group_stopped = true;
			p->stop_armed = false;
			p->epoch++;
			join_group_stop(th);
			tracer_emit_simple(t, SEIZE_TRACER_GROUP_STOP, p->pid, th->tid, sev->sig);
		}
		th->stop_epoch = p->group_stopped ? p->epoch : 0;
	} else if (th->group_stopped && p->group_stopped && th->stop_epoch == p->epoch) {
		report_continued(t, th);
	}
	th->group_stopped = sev->group_stop;
	th->end_seen_in = !sev->group_stop && p->group_stopped ? p->epoch : 0;
}

/* A thread dequeued a stop signal.  If its last STOP trap said "running"
 * and was read during the stop reported now, that stop has ended: had the
 * stop begun after that trap, the kernel would have trapped the thread again
 * (TRAP_NOTIFY) before it could dequeue anything.  Say so now, or the end
 * traps still to be read would close the new stop instead of the old one. */
static void note_stop_signal_dequeued(struct seize_tracer *t, struct thread *th)
{
	struct proc *p = th->proc;

	if (th->end_seen_in && p->group_stopped && th->end_seen_in == p->epoch)
		report_continued(t, th);
	th->end_seen_in = 0;
}

static bool syscall_wanted(const struct proc *p, const struct seize_syscall_info *info)
{
	if (p->syscalls == SEIZE_SYSCALLS_ALL || info->op == SEIZE_SYSCALL_OP_NONE)
		return p->syscalls != SEIZE_SYSCALLS_OFF;
	return info->nr < SYSCALL_NR_MAX &&
	       (p->syscall_set[info->nr / 64] >> (info->nr % 64) & 1);
}

static void report_call(struct seize_tracer *t, struct thread *th,
			const struct seize_syscall_info *info)
{
	struct seize_tracer_event ev = { .type = SEIZE_TRACER_SYSCALL, .pid = th->proc->pid,
					 .tid = th->tid, .syscall = info };

	if (syscall_wanted(th->proc, info))
		emit(t, &ev);
}

/* An exit stop says no number: it is reported if its entry was. */
static void handle_syscall_stop(struct seize_tracer *t, struct thread *th)
{
	struct seize_syscall_info info;

	th->syscall_exit_wanted = false;
	if (th->proc->syscalls == SEIZE_SYSCALLS_OFF)
		return;		/* a stop left from before tracing was turned off */
	if (seize_get_syscall_info(th->tid, &info) < 0)
		return;		/* killed meanwhile: its death is on its way */
	if (info.op == SEIZE_SYSCALL_OP_EXIT) {
		if (th->syscall_nr < 0)
			return;	/* its entry came before tracing began */
		info.nr = (uint64_t)th->syscall_nr;
		th->syscall_nr = -1;
	} else if (info.op == SEIZE_SYSCALL_OP_ENTRY) {
		th->syscall_nr = (long)info.nr;
	}
	report_call(t, th, &info);
}

/* Under the filter a call in the set stops at its entry in a seccomp stop:
 * reported as the entry, and resumed to its exit (PTRACE_SYSCALL once). */
static void handle_seccomp_stop(struct seize_tracer *t, struct thread *th)
{
	struct seize_syscall_info info;

	if (!th->proc->filtered || seize_get_syscall_info(th->tid, &info) < 0)
		return;
	info.op = SEIZE_SYSCALL_OP_ENTRY;
	info.ret_data = 0;
	th->syscall_nr = (long)info.nr;
	th->syscall_exit_wanted = true;
	report_call(t, th, &info);
}

void tracer_handle(struct seize_tracer *t, const struct seize_event *sev)
{
	struct thread *th = tidmap_get(&t->threads, sev->tid);

	if (!th) {
		th = adopt(t, sev->tid);
		if (!th) {
			/* Cannot keep a record (out of memory, or gone): let it go
			 * rather than leave it stopped, with its signal. */
			if (sev->type != SEIZE_EVENT_EXITED && sev->type != SEIZE_EVENT_KILLED)
				seize_detach(sev->tid, sev->type == SEIZE_EVENT_SIGNAL ? sev->sig : 0);
			else
				tracer_note_dead_unannounced(t, sev->tid);
			return;
		}
	}

	if (th->proc->unfollowed) {
		/* Its first stop: hand back any signal and let it go, unseen. */
		if (sev->type != SEIZE_EVENT_EXITED && sev->type != SEIZE_EVENT_KILLED)
			seize_detach(th->tid, sev->type == SEIZE_EVENT_SIGNAL ? sev->sig : 0);
		tracer_proc_remove(t, th->proc);
		return;
	}
	if (sev->type == SEIZE_EVENT_EXITED || sev->type == SEIZE_EVENT_KILLED) {
		handle_death(t, th, sev);
		return;
	}

	th->state = THREAD_HELD;
	th->held_at_event_stop = false;
	th->at_signal_stop = false;
	th->pending_sig = 0;
	t->stopped_now = th;

	switch (sev->type) {
	case SEIZE_EVENT_SIGNAL: {
		struct seize_tracer_event ev = { .type = SEIZE_TRACER_SIGNAL, .pid = th->proc->pid,
						 .tid = th->tid, .sig = sev->sig };

		if (sev->has_siginfo) {
			ev.siginfo = &sev->siginfo;
			if (has_sender(&sev->siginfo)) {
				ev.has_sender = true;
				ev.sender_pid = sev->siginfo.si_pid;
				ev.sender_uid = sev->siginfo.si_uid;
			}
		}
		th->at_signal_stop = true;
		th->pending_sig = sev->sig;
		if (decode_is_stop_signal(sev->sig))
			note_stop_signal_dequeued(t, th);
		/* Told before it is delivered, so the callback may change the
		 * signal or hold the thread.  Safe if the program dies in it: a
		 * signal stop is read in place (tracer-wait.c), so the kernel
		 * still holds the signal. */
		emit(t, &ev);
		break;
	}
	case SEIZE_EVENT_STOP:
		th->held_at_event_stop = true;
		handle_stop_trap(t, th, sev);
		break;
	case SEIZE_EVENT_CLONE:
		note_new_tracee(t, th, (pid_t)sev->msg, true);
		break;
	case SEIZE_EVENT_FORK:
	case SEIZE_EVENT_VFORK:
		note_new_tracee(t, th, (pid_t)sev->msg, false);
		break;
	case SEIZE_EVENT_EXEC:
		handle_exec(t, th, (pid_t)sev->msg);
		break;
	case SEIZE_EVENT_SYSCALL:
		handle_syscall_stop(t, th);
		break;
	case SEIZE_EVENT_SECCOMP:
		handle_seccomp_stop(t, th);
		break;
	default:
		break;
	}

	t->stopped_now = NULL;
	/* The callback may have detached or the record may be gone. */
	th = tidmap_get(&t->threads, sev->tid);
	if (th && th->state == THREAD_HELD && !th->proc->holding && !th->held_by_caller)
		tracer_resume(th);
}
