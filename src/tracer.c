/* SPDX-License-Identifier: MIT */
/* The tracer: whole processes, job control kept, transparent detach.
 *
 * Each traced thread has a record, found by tid in O(1) (tidmap.c); records
 * come from a pool that grows in chunks, so events allocate nothing.  The
 * group-stop state of a process is read off the STOP traps alone: a
 * PTRACE_EVENT_STOP reports the stop signal while a group-stop is in effect
 * and SIGTRAP otherwise, whatever made the thread trap (our INTERRUPT, the
 * end of the stop, a new thread's first stop), so a stray trap can never
 * fool the bookkeeping. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "internal.h"

enum thread_state {
	THREAD_RUNNING,		/* running, or stopped in a way we have not seen yet */
	THREAD_LISTENING,	/* in group-stop, PTRACE_LISTENed */
	THREAD_HELD,		/* at a ptrace-stop that we have not resumed */
};

struct proc;

struct thread {
	pid_t tid;
	struct proc *proc;
	enum thread_state state;
	bool group_stopped;	/* its last STOP trap said: group-stop in effect */
	unsigned int stop_epoch; /* the process stop that trap belonged to, 0: a stale one */
	unsigned int end_seen_in; /* its last STOP trap said "no group-stop" and was read
				     while stop number end_seen_in was reported; 0: not so */
	bool held_at_event_stop; /* HELD at a PTRACE_EVENT_STOP (LISTEN is allowed) */
	int pending_sig;	/* HELD at a signal-delivery-stop: the signal */
	bool unannounced;	/* adopted at its first stop: its creator's CLONE or
				   FORK event is still to come */
	struct thread *next;	/* in proc->threads, or in the free pool */
};

struct proc {
	pid_t pid;
	pid_t parent;
	bool group_stopped;	/* reported GROUP_STOP, not yet CONTINUED */
	bool stop_armed;	/* a stop signal was delivered since the last report */
	unsigned int epoch;	/* counts the GROUP_STOPs reported */
	bool frozen;
	bool holding;		/* freeze or detach in progress: resume nothing */
	bool unfollowed;	/* a child the kernel attached that we were not asked
				   to follow: let go at its first stop */
	unsigned int nthreads;
	struct thread *threads;
	struct proc *next;	/* newest first: children before their parents */
};

struct thread_chunk {
	struct thread_chunk *next;
	struct thread threads[64];
};

struct seize_tracer {
	struct seize_tracer_config cfg;
	pid_t owner_tid;		/* the thread whose ptrace requests count */
	pthread_t owner;		/* the same thread, checked at no cost */
	struct tidmap threads;
	struct tidmap procs_by_pid;
	/* Tids that died before their creator's CLONE/FORK event was read:
	 * that event must not bring them back as new tracees. */
	struct tidmap dead_unannounced;
	struct proc *procs;
	unsigned int nprocs, nthreads;
	struct thread *free_threads;
	struct thread_chunk *chunks;

	/* seize_tracer_fd(): a helper thread peeks with waitid(WNOWAIT). */
	bool helper_started;
	_Atomic bool helper_parked;	/* the helper waits for a poke */
	pthread_t helper;
	int event_fd;
	int rearm[2];
};

/* ---- records ---- */

static struct thread *thread_get(struct seize_tracer *t)
{
	struct thread *th;

	if (!t->free_threads) {
		struct thread_chunk *chunk = calloc(1, sizeof(*chunk));
		size_t i;

		if (!chunk)
			return NULL;
		chunk->next = t->chunks;
		t->chunks = chunk;
		for (i = 0; i < sizeof(chunk->threads) / sizeof(chunk->threads[0]); i++) {
			chunk->threads[i].next = t->free_threads;
			t->free_threads = &chunk->threads[i];
		}
	}
	th = t->free_threads;
	t->free_threads = th->next;
	memset(th, 0, sizeof(*th));
	return th;
}

static struct thread *thread_add(struct seize_tracer *t, struct proc *p, pid_t tid)
{
	struct thread *th = thread_get(t);

	if (!th)
		return NULL;
	if (tidmap_put(&t->threads, tid, th) < 0) {
		th->next = t->free_threads;
		t->free_threads = th;
		return NULL;
	}
	th->tid = tid;
	th->proc = p;
	th->next = p->threads;
	p->threads = th;
	p->nthreads++;
	t->nthreads++;
	return th;
}

static void thread_remove(struct seize_tracer *t, struct thread *th)
{
	struct thread **link;

	for (link = &th->proc->threads; *link; link = &(*link)->next) {
		if (*link == th) {
			*link = th->next;
			break;
		}
	}
	th->proc->nthreads--;
	t->nthreads--;
	tidmap_del(&t->threads, th->tid);
	th->next = t->free_threads;
	t->free_threads = th;
}

static struct proc *proc_add(struct seize_tracer *t, pid_t pid, pid_t parent)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (tidmap_put(&t->procs_by_pid, pid, p) < 0) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	p->parent = parent;
	/* A process found stopped at attach reports that stop. */
	p->stop_armed = true;
	p->next = t->procs;
	t->procs = p;
	t->nprocs++;
	return p;
}

static void proc_remove(struct seize_tracer *t, struct proc *p)
{
	struct proc **link;

	while (p->threads)
		thread_remove(t, p->threads);
	for (link = &t->procs; *link; link = &(*link)->next) {
		if (*link == p) {
			*link = p->next;
			break;
		}
	}
	t->nprocs--;
	tidmap_del(&t->procs_by_pid, p->pid);
	free(p);
	/* No tracee left, so no creator event to come. */
	if (!t->nprocs)
		tidmap_clear(&t->dead_unannounced);
}

/* Any non-NULL value marks a tid in dead_unannounced. */
static char dead_marker;

static void note_dead_unannounced(struct seize_tracer *t, pid_t tid)
{
	/* Out of memory: the creator's event is then taken at its word, as
	 * before this set existed; nothing is left stopped either way. */
	(void)tidmap_put(&t->dead_unannounced, tid, &dead_marker);
}

static struct proc *proc_find(struct seize_tracer *t, pid_t pid)
{
	return tidmap_get(&t->procs_by_pid, pid);
}

/* ---- events ---- */

static void emit(struct seize_tracer *t, struct seize_tracer_event *ev)
{
	if (t->cfg.callback && (t->cfg.events & SEIZE_TRACER_MASK(ev->type)))
		t->cfg.callback(t, ev, t->cfg.data);
}

static void emit_simple(struct seize_tracer *t, enum seize_tracer_event_type type,
			pid_t pid, pid_t tid, int sig)
{
	struct seize_tracer_event ev = { .type = type, .pid = pid, .tid = tid, .sig = sig };

	emit(t, &ev);
}

/* ---- resuming ---- */

/* Resume a HELD thread as the transparent policy says: deliver the signal
 * it stopped with, LISTEN through a group-stop, run otherwise. */
static void resume(struct thread *th)
{
	int ret;

	if (th->held_at_event_stop && th->group_stopped) {
		ret = seize_listen(th->tid);
		th->state = THREAD_LISTENING;
	} else {
		ret = seize_cont(th->tid, th->pending_sig);
		th->state = THREAD_RUNNING;
		if (ret == 0 && decode_is_stop_signal(th->pending_sig))
			th->proc->stop_armed = true;
	}
	/* -ESRCH: killed while held; its death report is on its way. */
	if (ret < 0)
		th->state = THREAD_RUNNING;
	th->pending_sig = 0;
	th->held_at_event_stop = false;
}

static unsigned int trace_options(const struct seize_tracer *t)
{
	unsigned int options = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

	if (t->cfg.flags & SEIZE_TRACER_FOLLOW_CHILDREN)
		options |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	return options;
}

/* ---- handling one stop or death ---- */

/* A stop from a tid we have no record of: a thread or child attached by the
 * kernel whose first stop came before its creator's CLONE/FORK event. */
static struct thread *adopt(struct seize_tracer *t, pid_t tid)
{
	long tgid = procfs_status_field(tid, "Tgid");
	long ppid;
	struct proc *p;
	struct thread *th;

	if (tgid <= 0)
		return NULL;
	p = proc_find(t, (pid_t)tgid);
	if (p) {
		th = thread_add(t, p, tid);
		if (th) {
			th->unannounced = true;
			emit_simple(t, SEIZE_TRACER_NEW_THREAD, p->pid, tid, 0);
		}
		return th;
	}
	ppid = procfs_status_field(tid, "PPid");
	p = proc_add(t, (pid_t)tgid, ppid > 0 ? (pid_t)ppid : 0);
	if (!p)
		return NULL;
	th = thread_add(t, p, tid);
	if (!th) {
		proc_remove(t, p);
		return NULL;
	}
	th->unannounced = true;
	p->unfollowed = !(t->cfg.flags & SEIZE_TRACER_FOLLOW_CHILDREN);
	if (!p->unfollowed) {
		struct seize_tracer_event ev = { .type = SEIZE_TRACER_NEW_CHILD, .pid = p->pid,
						 .tid = tid, .parent = p->parent };
		emit(t, &ev);
	}
	return th;
}

static void note_new_tracee(struct seize_tracer *t, struct thread *th, pid_t new_tid,
			    bool is_thread)
{
	struct thread *known;
	struct proc *p;
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
		if (thread_add(t, th->proc, new_tid))
			emit_simple(t, SEIZE_TRACER_NEW_THREAD, th->proc->pid, new_tid, 0);
		return;
	}
	p = proc_add(t, new_tid, th->proc->pid);
	if (!p)
		return;
	if (!thread_add(t, p, new_tid)) {
		proc_remove(t, p);
		return;
	}
	p->unfollowed = !(t->cfg.flags & SEIZE_TRACER_FOLLOW_CHILDREN);
	if (!p->unfollowed) {
		struct seize_tracer_event ev = { .type = SEIZE_TRACER_NEW_CHILD, .pid = new_tid,
						 .tid = new_tid, .parent = th->proc->pid };
		emit(t, &ev);
	}
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
			thread_remove(t, old);
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
		note_dead_unannounced(t, th->tid);
	if (th->tid != p->pid) {
		/* The leader is reported last (the kernel delays a leader with
		 * live threads), so a non-leader's death is only a thread's --
		 * unless the leader is not traced (a zombie when attached): then
		 * the last thread's death is the process's. */
		thread_remove(t, th);
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
	proc_remove(t, p);
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

	p->group_stopped = false;
	p->stop_armed = false;
	emit_simple(t, SEIZE_TRACER_CONTINUED, p->pid, th->tid, SIGCONT);
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
			emit_simple(t, SEIZE_TRACER_GROUP_STOP, p->pid, th->tid, sev->sig);
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

static void handle(struct seize_tracer *t, const struct seize_event *sev)
{
	struct thread *th = tidmap_get(&t->threads, sev->tid);

	if (!th) {
		th = adopt(t, sev->tid);
		if (!th) {
			/* Cannot keep a record (out of memory, or gone): let it go
			 * rather than leave it stopped. */
			if (sev->type != SEIZE_EVENT_EXITED && sev->type != SEIZE_EVENT_KILLED)
				seize_detach(sev->tid, 0);
			else
				note_dead_unannounced(t, sev->tid);
			return;
		}
	}

	if (th->proc->unfollowed) {
		/* Its first stop: hand back any signal and let it go, unseen. */
		if (sev->type != SEIZE_EVENT_EXITED && sev->type != SEIZE_EVENT_KILLED)
			seize_detach(th->tid, sev->type == SEIZE_EVENT_SIGNAL ? sev->sig : 0);
		proc_remove(t, th->proc);
		return;
	}
	if (sev->type == SEIZE_EVENT_EXITED || sev->type == SEIZE_EVENT_KILLED) {
		handle_death(t, th, sev);
		return;
	}

	th->state = THREAD_HELD;
	th->held_at_event_stop = false;
	th->pending_sig = 0;

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
		th->pending_sig = sev->sig;
		if (decode_is_stop_signal(sev->sig))
			note_stop_signal_dequeued(t, th);
		/* Deliver before telling: the wait consumed the stop, so if the
		 * tracing program died in the callback the kernel would resume
		 * the tracee without its signal (a SIGSTOP lost for good). */
		if (!th->proc->holding)
			resume(th);
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
	default:
		break;
	}

	/* The callback may have detached or the record may be gone. */
	th = tidmap_get(&t->threads, sev->tid);
	if (th && th->state == THREAD_HELD && !th->proc->holding)
		resume(th);
}

/* Consume and handle the stop or death of one tracee, if it has one ready.
 * Returns 1 if it did, 0 if nothing was ready, or -errno. */
static int handle_one(struct seize_tracer *t, pid_t tid)
{
	struct seize_event sev;
	int ret = seize_wait(tid, &sev, SEIZE_WAIT_NOHANG);

	if (ret <= 0)
		return ret;
	handle(t, &sev);
	return 1;
}

/* ---- holding a process: the core of freeze and detach ---- */

static int next_stop(struct seize_tracer *t, bool block, bool *front);

/* Block until some tracee has news, and handle it. */
static void wait_any(struct seize_tracer *t)
{
	bool front = false;

	while (next_stop(t, true, &front) == -EINTR)
		;
}

/* Interrupt every thread that runs or listens, then handle stops until each
 * thread of the process is HELD (or dead).  p->holding keeps them held. */
static int hold_all(struct seize_tracer *t, struct proc *p)
{
	pid_t pid = p->pid;
	struct thread *th;

	p->holding = true;
	for (th = p->threads; th; th = th->next)
		if (th->state != THREAD_HELD)
			seize_interrupt(th->tid);
restart:
	p = proc_find(t, pid);
	if (!p)
		return -ESRCH;		/* it died; that was reported */
	/* Threads the kernel attaches meanwhile join at the head, and their
	 * first stop holds them; a death changes the list, so start over. */
	for (th = p->threads; th; th = th->next) {
		pid_t tid = th->tid;

		while (th && th->state != THREAD_HELD) {
			int r = handle_one(t, tid);

			if (r == 0) {
				/* Block for any tracee, not this one: a thread's death
				 * or an exec may need another thread reaped first. */
				wait_any(t);
				th = tidmap_get(&t->threads, tid);
				if (!th || !proc_find(t, pid))
					goto restart;
				continue;
			}
			if (r < 0) {
				/* Gone without a report to us (reaped by someone
				 * else): forget it, and the process with its last thread. */
				th = tidmap_get(&t->threads, tid);
				if (th)
					thread_remove(t, th);
				p = proc_find(t, pid);
				if (p && !p->nthreads) {
					proc_remove(t, p);
					return -ESRCH;
				}
				goto restart;
			}
			th = tidmap_get(&t->threads, tid);
		}
		if (!th || !proc_find(t, pid))
			goto restart;
	}
	return 0;
}

static void release_all(struct proc *p)
{
	struct thread *th;

	p->holding = false;
	for (th = p->threads; th; th = th->next)
		if (th->state == THREAD_HELD)
			resume(th);
}

/* ---- the public calls ---- */

/* The kernel takes ptrace requests from the tracing thread only; from any
 * other, a request would fail while the tracer took it for done. */
static bool usable(const struct seize_tracer *t)
{
	return t && pthread_equal(pthread_self(), t->owner);
}

SEIZE_EXPORT int seize_tracer_new(const struct seize_tracer_config *cfg, struct seize_tracer **out)
{
	struct seize_tracer *t;
	size_t i;

	if (!cfg || !out || (cfg->flags & ~(SEIZE_TRACER_FOLLOW_CHILDREN | SEIZE_TRACER_ALL_CHILDREN)))
		return -EINVAL;
	for (i = 0; i < sizeof(cfg->reserved) / sizeof(cfg->reserved[0]); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	t->owner_tid = (pid_t)syscall(SYS_gettid);
	t->owner = pthread_self();
	t->event_fd = -1;
	t->rearm[0] = t->rearm[1] = -1;
	*out = t;
	return 0;
}

static int detach_proc(struct seize_tracer *t, struct proc *p)
{
	pid_t pid = p->pid;
	struct thread *th;

	int tries = 0;

again:
	hold_all(t, p);
	p = proc_find(t, pid);
	if (!p)
		return 0;
	/* Each thread takes its pending signal back; one in group-stop goes
	 * back to it (the kernel re-arms the stop on detach).  -ESRCH: it left
	 * its stop (SIGKILL, or an exec gave its tid to another thread): hold
	 * it again, and see it die or stop. */
	for (th = p->threads; th; ) {
		struct thread *next = th->next;

		if (seize_detach(th->tid, th->pending_sig) == -ESRCH && tries++ < 100) {
			th->state = THREAD_RUNNING;
			goto again;
		}
		thread_remove(t, th);
		th = next;
	}
	proc_remove(t, p);
	emit_simple(t, SEIZE_TRACER_DETACHED, pid, pid, 0);
	return 0;
}

static void helper_stop(struct seize_tracer *t);

SEIZE_EXPORT void seize_tracer_destroy(struct seize_tracer *t)
{
	struct thread_chunk *chunk;

	if (!t)
		return;
	/* Newest first: a vfork child is let go before the parent waiting for it. */
	while (t->procs)
		detach_proc(t, t->procs);
	helper_stop(t);
	tidmap_free(&t->threads);
	tidmap_free(&t->procs_by_pid);
	tidmap_free(&t->dead_unannounced);
	while ((chunk = t->chunks)) {
		t->chunks = chunk->next;
		free(chunk);
	}
	free(t);
}

static void helper_poke(struct seize_tracer *t);

/* Seize every thread in /proc/PID/task until a pass finds nothing new.
 * Threads created meanwhile by an attached thread are attached by the
 * kernel (TRACECLONE) and show up as already ours. */
static int attach_threads(struct seize_tracer *t, struct proc *p)
{
	char path[64];
	bool found_new;
	int passes = 0, zombies = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	do {
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir)
			return p->nthreads ? 0 : -ESRCH;
		found_new = false;
		while ((de = readdir(dir))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			int ret;

			if (tid <= 0 || tidmap_get(&t->threads, tid))
				continue;
			ret = seize_attach(tid, trace_options(t));
			if (ret == -EPERM && procfs_status_field(tid, "TracerPid") == t->owner_tid)
				ret = 0;	/* attached by the kernel as a clone */
			if (ret == -ESRCH)
				continue;	/* exited meanwhile */
			if (ret == -EPERM) {
				char state = procfs_task_state(p->pid, tid);

				if (state == 'Z' || state == 'X') {
					zombies++;
					continue;	/* a dead thread of a live process */
				}
				/* Alive now: the tid was a zombie's a moment ago (an exec
				 * from another thread gives it the leader's tid). */
				if (procfs_status_field(tid, "TracerPid") == t->owner_tid)
					ret = 0;
				else
					ret = seize_attach(tid, trace_options(t));
				if (ret == -ESRCH)
					continue;
			}
			if (ret < 0) {
				closedir(dir);
				return ret;
			}
			if (!thread_add(t, p, tid)) {
				closedir(dir);
				return -ENOMEM;
			}
			found_new = true;
		}
		closedir(dir);
	} while (found_new && ++passes < 1000);
	return p->nthreads ? 0 : zombies ? -EPERM : -ESRCH;
}

SEIZE_EXPORT int seize_tracer_attach(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;
	long tgid;
	int ret;

	if (!usable(t) || pid <= 0)
		return -EINVAL;
	tgid = procfs_status_field(pid, "Tgid");
	if (tgid < 0)
		return (int)tgid;
	if (tgid != pid)
		return -ESRCH;		/* a thread id, not a process */
	if (proc_find(t, pid))
		return -EALREADY;
	p = proc_add(t, pid, (pid_t)procfs_status_field(pid, "PPid"));
	if (!p)
		return -ENOMEM;
	ret = attach_threads(t, p);
	if (ret < 0) {
		/* Leave nothing attached: threads seized so far are let go. */
		if (p->nthreads)
			detach_proc(t, p);
		else
			proc_remove(t, p);
		return ret;
	}
	emit_simple(t, SEIZE_TRACER_ATTACHED, pid, pid, 0);
	helper_poke(t);
	return 0;
}

SEIZE_EXPORT int seize_tracer_spawn(struct seize_tracer *t, char *const argv[], pid_t *pid_out)
{
	int go[2], err[2];
	struct proc *p;
	pid_t pid;
	int ret, child_errno = 0;
	ssize_t n;

	if (!usable(t) || !argv || !argv[0] || !pid_out)
		return -EINVAL;
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		ret = -errno;
		close(go[0]);
		close(go[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(go[0]); close(go[1]); close(err[0]); close(err[1]);
		return ret;
	}
	if (pid == 0) {
		sigset_t none;
		char c;

		/* The tracer may block signals it reads from a signalfd. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Wait until seized, so the exec is traced; no SIGSTOP needed. */
		if (read(go[0], &c, 1) == 1)
			execvp(argv[0], argv);
		child_errno = errno ? errno : EIO;
		n = write(err[1], &child_errno, sizeof(child_errno));
		(void)n;
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	ret = seize_attach(pid, trace_options(t));
	p = ret == 0 ? proc_add(t, pid, getpid()) : NULL;
	if (p && !thread_add(t, p, pid)) {
		proc_remove(t, p);
		p = NULL;
	}
	if (!p) {
		close(go[1]);		/* EOF: the child exits without exec */
		close(err[0]);
		if (ret == 0)
			seize_detach(pid, 0);
		sys_reap(pid);
		return ret < 0 ? ret : -ENOMEM;
	}
	n = write(go[1], "g", 1);
	close(go[1]);
	/* EOF on err: the exec closed it.  A number: exec failed. */
	do
		n = read(err[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(err[0]);
	if (n == sizeof(child_errno)) {
		/* It ran nothing: reap it quietly. */
		sys_reap(pid);
		proc_remove(t, p);
		return -child_errno;
	}
	emit_simple(t, SEIZE_TRACER_ATTACHED, pid, pid, 0);
	*pid_out = pid;
	helper_poke(t);
	return 0;
}

SEIZE_EXPORT int seize_tracer_detach(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;

	if (!usable(t))
		return -EINVAL;
	p = proc_find(t, pid);
	if (!p)
		return -ESRCH;
	return detach_proc(t, p);
}

SEIZE_EXPORT int seize_tracer_freeze(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;

	if (!usable(t))
		return -EINVAL;
	p = proc_find(t, pid);
	if (!p)
		return -ESRCH;
	if (p->frozen)
		return -EALREADY;
	if (hold_all(t, p) < 0)
		return 0;
	p->frozen = true;
	emit_simple(t, SEIZE_TRACER_FROZEN, pid, pid, 0);
	return 0;
}

SEIZE_EXPORT int seize_tracer_thaw(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;

	if (!usable(t))
		return -EINVAL;
	p = proc_find(t, pid);
	if (!p)
		return -ESRCH;
	if (!p->frozen)
		return -EINVAL;
	p->frozen = false;
	release_all(p);
	return 0;
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
/* A signal-delivery-stop is handled from the peek alone, never consumed by
 * a wait: the kernel keeps the pending signal in the tracee until our
 * PTRACE_CONT replaces it, so if the tracing program dies first, the signal
 * is still delivered (a consumed stop would resume with none, and a SIGSTOP
 * sent by the real parent would be lost for good). */
static bool handle_signal_in_place(struct seize_tracer *t, const siginfo_t *si)
{
	struct thread *th = tidmap_get(&t->threads, si->si_pid);
	struct seize_event sev;

	/* Held threads are consumed, or every peek would find them again. */
	if (!th || th->proc->holding || th->proc->unfollowed || si->si_code != CLD_TRAPPED ||
	    (si->si_status & ~0xff) || si->si_status == (SIGTRAP | 0x80))
		return false;
	if (seize_decode_waitid(si, NULL, &sev) < 0 || sev.type != SEIZE_EVENT_SIGNAL)
		return false;
	sev.has_siginfo = sys_ptrace(PTRACE_GETSIGINFO, sev.tid, NULL, &sev.siginfo) == 0;
	handle(t, &sev);
	return true;
}

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
			proc_remove(t, t->procs);
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
	return handle_one(t, si.si_pid);
}

SEIZE_EXPORT int seize_tracer_dispatch(struct seize_tracer *t, unsigned int flags)
{
	bool front = false;
	int handled = 0, ret;

	if (!usable(t) || (flags & ~SEIZE_TRACER_WAIT))
		return -EINVAL;
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
			helper_poke(t);
			return ret;
		}
		handled = ret;
	} else {
		while (t->procs && !front && (ret = next_stop(t, false, &front)) > 0)
			handled += ret;
	}
	helper_poke(t);
	if (!t->procs && handled == 0)
		return -ECHILD;
	return handled;
}

/* ---- the event fd ---- */

static void *helper_main(void *arg)
{
	struct seize_tracer *t = arg;
	uint64_t one = 1;
	siginfo_t si;
	char c;

	for (;;) {
		si.si_pid = 0;
		if (sys_waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | __WALL) == -EINTR)
			continue;
		/* Park before telling, so a dispatch that follows the tell
		 * always sees the helper parked and pokes it. */
		atomic_store(&t->helper_parked, true);
		if (si.si_pid != 0 && write(t->event_fd, &one, sizeof(one)) < 0)
			break;
		/* Something is ready, or nothing is traced: sleep until a
		 * dispatch or an attach says to look again. */
		if (read(t->rearm[0], &c, 1) != 1)
			break;
	}
	return NULL;
}

static void helper_poke(struct seize_tracer *t)
{
	/* One poke per park: the pipe never fills with stale wake-ups. */
	if (t->helper_started && atomic_exchange(&t->helper_parked, false)) {
		ssize_t n = write(t->rearm[1], "r", 1);

		(void)n;
	}
}

static void helper_stop(struct seize_tracer *t)
{
	if (t->helper_started) {
		pthread_cancel(t->helper);
		pthread_join(t->helper, NULL);
		t->helper_started = false;
	}
	if (t->event_fd >= 0)
		close(t->event_fd);
	if (t->rearm[0] >= 0) {
		close(t->rearm[0]);
		close(t->rearm[1]);
	}
	t->event_fd = t->rearm[0] = t->rearm[1] = -1;
}

SEIZE_EXPORT int seize_tracer_fd(struct seize_tracer *t)
{
	sigset_t all, old;
	int ret;

	if (!t)
		return -EINVAL;
	if (t->helper_started)
		return t->event_fd;
	t->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->event_fd < 0)
		return -errno;
	if (pipe2(t->rearm, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		helper_stop(t);
		return ret;
	}
	/* The helper blocks in read(): make its end blocking again. */
	fcntl(t->rearm[0], F_SETFL, 0);
	/* The host's signals are for the host's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&t->helper, NULL, helper_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0) {
		helper_stop(t);
		return ret;
	}
	t->helper_started = true;
	return t->event_fd;
}

SEIZE_EXPORT int seize_tracer_count(const struct seize_tracer *t, unsigned int *processes,
				    unsigned int *threads)
{
	if (!t)
		return -EINVAL;
	if (processes)
		*processes = t->nprocs;
	if (threads)
		*threads = t->nthreads;
	return 0;
}
