/* SPDX-License-Identifier: MIT */
/* Private to the tracer: its records and the calls its files make of each
 * other.  The layers, each leaning only on those above it in this list:
 *   tracer-state.c  records: the thread pool, processes, threads, lookups
 *   tracer-stop.c   one stop or death in: records, events, the resume out
 *   tracer-wait.c   which stop is next, and holding a whole process
 *   tracer-fd.c     seize_tracer_fd()'s helper thread
 *   tracer.c        the public calls: the lifecycle
 *   tracer-control.c  the public calls of a debugger: hold, release, decide
 *
 * Each traced thread has a record, found by tid in O(1) (tidmap.c); records
 * come from a pool that grows in chunks, so events allocate nothing. */
#ifndef SEIZE_TRACER_INT_H
#define SEIZE_TRACER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <seize/tracer.h>

#include "internal.h"

enum thread_state {
	THREAD_RUNNING,		/* running, or stopped in a way we have not seen yet */
	THREAD_LISTENING,	/* in group-stop, PTRACE_LISTENed */
	THREAD_HELD,		/* at a ptrace-stop that we have not resumed */
};

struct proc;

#define SYSCALL_NR_MAX 1024
#define SYSCALL_SET_WORDS (SYSCALL_NR_MAX / 64)

struct thread {
	pid_t tid;
	struct proc *proc;
	enum thread_state state;
	bool group_stopped;	/* its last STOP trap said: group-stop in effect */
	unsigned int stop_epoch; /* the process stop that trap belonged to, 0: a stale one */
	unsigned int end_seen_in; /* its last STOP trap said "no group-stop" and was read
				     while stop number end_seen_in was reported; 0: not so */
	bool held_at_event_stop; /* HELD at a PTRACE_EVENT_STOP (LISTEN is allowed) */
	bool at_signal_stop;	/* HELD at a signal-delivery-stop */
	int pending_sig;	/* ... and the signal it will deliver (0: none) */
	bool held_by_caller;	/* seize_tracer_hold(): stays HELD until released */
	long syscall_nr;	/* the call it is in since its entry stop; -1: none seen */
	bool syscall_exit_wanted; /* filtered: resume to the exit of the call it is in */
	bool unannounced;	/* adopted at its first stop: its creator's CLONE or
				   FORK event is still to come */
	struct thread *next;	/* in proc->threads, or in the free pool */
};

struct proc {
	pid_t pid;
	pid_t parent;
	bool group_stopped;	/* reported GROUP_STOP, not yet CONTINUED */
	bool stop_armed;	/* a stop signal was delivered since the last report */
	bool armed_in_stop;	/* ... and that delivery came while a stop was reported */
	unsigned int epoch;	/* counts the GROUP_STOPs reported */
	bool frozen;
	bool holding;		/* freeze or detach in progress: resume nothing */
	bool unfollowed;	/* a child the kernel attached that we were not asked
				   to follow: let go at its first stop */
	unsigned int nthreads;
	struct thread *threads;
	enum seize_tracer_syscalls syscalls;	/* resumed with PTRACE_SYSCALL unless OFF */
	bool filtered;		/* spawned under a seccomp filter: only its calls stop */
	uint64_t syscall_set[SYSCALL_SET_WORDS];	/* SEIZE_SYSCALLS_SET: the numbers */
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
	bool in_callback;
	struct thread *stopped_now;	/* the thread whose stop is being handled */

	/* seize_tracer_trace_syscalls(t, 0, ...): commands spawned from now on
	 * run under this seccomp filter (a struct sock_filter array). */
	enum seize_tracer_syscalls spawn_syscalls;
	uint64_t spawn_set[SYSCALL_SET_WORDS];
	void *spawn_filter;
	unsigned short spawn_filter_len;

	/* seize_tracer_fd(): a helper thread peeks with waitid(WNOWAIT). */
	bool helper_started;
	_Atomic bool helper_parked;	/* the helper waits for a poke */
	pthread_t helper;
	int event_fd;
	int rearm[2];
};

/* The kernel takes ptrace requests from the tracing thread only; from any
 * other, a request would fail while the tracer took it for done. */
static inline bool tracer_usable(const struct seize_tracer *t)
{
	return t && pthread_equal(pthread_self(), t->owner);
}

/* tracer-state.c */
struct thread *tracer_thread_add(struct seize_tracer *t, struct proc *p, pid_t tid);
void tracer_thread_remove(struct seize_tracer *t, struct thread *th);
struct proc *tracer_proc_add(struct seize_tracer *t, pid_t pid, pid_t parent);
void tracer_proc_remove(struct seize_tracer *t, struct proc *p);
/* A new process with its one thread, not yet followed unless the config says
 * so (unfollowed); NULL if out of memory, and then nothing is left behind. */
struct thread *tracer_new_process_record(struct seize_tracer *t, pid_t pid, pid_t tid,
					 pid_t parent);
/* A tid whose whole life was read before its creator's CLONE/FORK event. */
void tracer_note_dead_unannounced(struct seize_tracer *t, pid_t tid);
struct proc *tracer_proc_find(struct seize_tracer *t, pid_t pid);
/* Drop every record, then the tracer itself (its tracees let go already). */
void tracer_free_records(struct seize_tracer *t);

/* tracer-stop.c */
void tracer_emit_simple(struct seize_tracer *t, enum seize_tracer_event_type type,
			pid_t pid, pid_t tid, int sig);
/* Resume a HELD thread as the transparent policy says. */
void tracer_resume(struct thread *th);
/* Take one decoded stop or death of a tracee. */
void tracer_handle(struct seize_tracer *t, const struct seize_event *sev);

/* tracer-wait.c */
/* Handle stops until thread tid is HELD: 0, or -ESRCH once it is gone. */
int tracer_wait_held(struct seize_tracer *t, pid_t tid);
/* Hold every thread of p at a ptrace-stop (freeze, detach); -ESRCH if it died. */
int tracer_hold_all(struct seize_tracer *t, struct proc *p);
/* Resume every HELD thread of p but those the caller holds. */
void tracer_release_all(struct proc *p);
/* seize_tracer_dispatch() once its arguments are checked. */
int tracer_dispatch(struct seize_tracer *t, unsigned int flags);

/* tracer-control.c */
/* In a spawned child before its exec: the filter, if one is asked for.
 * 0, or the errno; async-signal-safe. */
int tracer_install_filter(const struct seize_tracer *t);

/* tracer-fd.c */
/* seize_tracer_fd() once its argument is checked: the eventfd, or -errno. */
int tracer_fd_start(struct seize_tracer *t);
/* Tell a parked helper to look again (after a dispatch or an attach). */
void tracer_fd_poke(struct seize_tracer *t);
void tracer_fd_stop(struct seize_tracer *t);

#endif
