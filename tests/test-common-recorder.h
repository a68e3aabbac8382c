/* SPDX-License-Identifier: MIT */
/* The tracer's event log, for the tests that drive a struct seize_tracer:
 * a callback that records each event into a fixed array, queries over it
 * (find, count), and the dispatch loops that wait, bounded, for an event
 * (await) or for a process to settle (settle).  The test process is the
 * tracer; a SIGALRM (tst_arm) bounds every blocking dispatch. */
#ifndef SEIZE_TEST_COMMON_RECORDER_H
#define SEIZE_TEST_COMMON_RECORDER_H

#include <stdbool.h>
#include <sys/types.h>

#include <seize/tracer.h>

#define MAX_RECS 8192
#define ANY_SIG (-1)

struct rec {
	enum seize_tracer_event_type type;
	pid_t pid, tid;
	int sig;
	int exit_code;
	bool has_sender;
	pid_t sender_pid;
	uid_t sender_uid;
	pid_t parent;
	pid_t former_tid;
};

extern struct rec recs[MAX_RECS];
extern int nrecs;
extern bool recs_overflowed;
/* Called from the callback after recording, while the event's thread is
 * still held at its stop (so /proc shows it there); NULL: none. */
extern void (*rec_hook)(const struct seize_tracer_event *ev);
/* How the tracer is driven: its event fd and poll() if >= 0, else a
 * blocking dispatch. */
extern int rec_tracer_fd;

/* The callback: appends to recs (or sets recs_overflowed), then rec_hook. */
void rec_record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data);
/* The last events, for failure messages: "attached 5/5, signal 5/5 sig 19, ...". */
const char *recs_text(void);
/* pid 0: any process; sig ANY_SIG: any signal. */
bool rec_matches(const struct rec *r, enum seize_tracer_event_type type, pid_t pid, int sig);
/* The index of the first match at or after from, or -1. */
int rec_find(int from, enum seize_tracer_event_type type, pid_t pid, int sig);
int rec_count(enum seize_tracer_event_type type, pid_t pid, int sig);
/* Its death was reported: the tracer reaped it, the pid may be reused. */
bool rec_gone(pid_t pid);

/* A tracer with every event recorded (the log emptied, no hook). */
struct seize_tracer *new_tracer(unsigned int flags);
/* The same (flags 0), attached to pid once every thread of pid sleeps. */
struct seize_tracer *new_tracer_of(pid_t pid);
/* seize_tracer_count() must say procs and threads. */
void expect_counts(struct seize_tracer *t, unsigned int procs, unsigned int threads);

/* Block until the tracer handles something, or until deadline (ms, as
 * tst_now_ms()); returns what dispatch gave (-EINTR: nothing in time,
 * -ECHILD: no tracee).  Fails on any other error, or if the time is out. */
int rec_pump(struct seize_tracer *t, long deadline, const char *what);
/* Serve the tracer (its fd in poll) until fd is readable, bounded by
 * tst_bound_ms(): while a real parent waits for a tracee's stop, say. */
void rec_serve_until_readable(struct seize_tracer *t, int fd);

/* Dispatch until there are n records matching (type, pid, sig); returns
 * the index of the nth.  Fails after tst_bound_ms(). */
int rec_await_n(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig,
		int n);
int rec_await(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig);
/* The same for one event, but content with pid's death instead: whether
 * the event came. */
bool rec_await_or_gone(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid,
		       int sig);
/* Handle stops without blocking until every thread of pid is in one of
 * `states` and nothing is left to handle, twice in a row: then no stop of
 * pid is pending.  (A thread shows 't' as it enters a ptrace-stop, an
 * instant before its wait report is visible; the second round covers it.) */
void rec_settle(struct seize_tracer *t, pid_t pid, const char *states);

/* A rec_hook: at an EXEC event (the process held at its exec), count the
 * descriptors it holds beyond 0, 1 and 2 into exec_extra_fds, and list
 * them all in exec_fd_text.  exec_extra_fds is -1 until then (set it to -1
 * again before the next exec). */
extern int exec_extra_fds;
extern char exec_fd_text[1024];
void rec_list_fds_at_exec(const struct seize_tracer_event *ev);

#endif
