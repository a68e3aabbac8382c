/* SPDX-License-Identifier: MIT */
/* What the tracer tests trace, and what /proc says of it: a target process
 * with N threads in pause(), a stopped pauser, the "mother" (a real parent
 * distinct from the tracer, driven by one-byte orders over pipes) and a
 * remote tracer (a tracer process of its own, to be killed). */
#ifndef SEIZE_TEST_COMMON_TRACEE_H
#define SEIZE_TEST_COMMON_TRACEE_H

#include <stdbool.h>
#include <sys/types.h>

#define MAX_TIDS 256

/* ---- /proc views of a process's threads ---------------------------------- */

/* The thread ids of pid, from /proc/PID/task; returns how many. */
int threads_of(pid_t pid, pid_t *tids, int max);
/* Its threads' states, for messages: "129 threads: 128 S 1 t". */
const char *states_text(pid_t pid);
/* Whether every thread of pid is in one of `states` (false if none). */
bool all_threads_in(pid_t pid, const char *states);
/* Poll /proc (bounded by tst_bound_ms()) until all_threads_in(). */
void wait_threads_in(pid_t pid, const char *states);
/* Every thread of pid has TracerPid `tracer`.  With nthreads >= 0, pid must
 * have exactly that many threads and each must say so; with nthreads < 0, a
 * thread that has just gone (-1) is let pass.  Returns how many threads. */
int expect_tracer_of_all(pid_t pid, long tracer, int nthreads);

/* ---- targets ----------------------------------------------------------- */

/* In a child: a SIGUSR1 handler (SA_RESTART) that writes 'u' to fd, or does
 * nothing while fd < 0; whether sigaction() took it. */
bool usr1_writes_u(int fd);
/* A thread body: pause() until killed. */
void *thread_pause(void *arg);

/* Fork a target and wait until it is set up: nthreads threads besides the
 * main one, all in pause(); usr1 >= 0: a SIGUSR1 handler that writes 'u'
 * there (else SIGUSR1 has its default action); new_session: setsid() first
 * (an orphaned process group).  It allows any tracer (Yama's scope 1). */
pid_t start_target(int nthreads, int usr1, bool new_session);
/* The same with a new pipe usr1 (close-on-exec) whose write end the target's
 * SIGUSR1 handler writes 'u' to. */
pid_t start_usr1_target(int nthreads, int usr1[2], bool new_session);

/* The same, as an argument of mother_start(m, start_target_of, &spec). */
struct target_spec {
	int nthreads;
	int usr1;
	bool new_session;
};
pid_t start_target_of(void *spec);

/* A stopped child of ours: its stop consumed by our waitpid, as a shell would. */
pid_t start_stopped_pauser(void);

/* ---- the mother: a real parent distinct from the tracer ------------------ */

/* Orders, one byte each, answered by one byte:
 *   'S' send SIGSTOP, waitid(WSTOPPED)      -> 's' (stopped by SIGSTOP) or '?'
 *   'C' send SIGCONT, waitid(WCONTINUED)    -> 'c' or '?'
 *   'N' waitid(WSTOPPED|WCONTINUED|WNOHANG) -> '0' nothing, 's', 'c' or '?'
 *   'W' waitid(WSTOPPED|WCONTINUED), sending nothing -> 's', 'c' or '?'
 *   'X' send SIGSTOP, SIGCONT, SIGSTOP back to back, waitid(WSTOPPED) -> as 'S'
 *   'R' then a uint32_t n: n cycles of 'S' and 'C', each step reported, then 'D'
 *   'L' cycles, each step reported, until a 'Q' comes; then 'D'
 * ('!' if her waitid fails.)  On EOF she kills and reaps the target, and exits. */
struct mother {
	pid_t pid;
	pid_t target;
	int order;	/* write end */
	int report;	/* read end */
};

/* Fork the mother; she forks the target with start(arg) (in her process,
 * so arg must stay valid until then: tst_fork copies it) and sends its pid. */
void mother_start(struct mother *m, pid_t (*start)(void *arg), void *arg);
/* The same with the most common target: nthreads threads in pause(). */
void mother_start_threads(struct mother *m, int nthreads);
void mother_order(struct mother *m, char c);
char mother_reply(struct mother *m);
/* An order and its reply. */
char mother_ask(struct mother *m, char order);
/* Close her orders; she kills and reaps the target and exits; reap her. */
void mother_end(struct mother *m);

/* ---- a tracer process of its own ---------------------------------------- */

struct remote {
	pid_t target;
	int report;		/* write end: 'a' once attached, then 'g' at the
				 * group-stop if wait_group_stop; or -1 */
	bool use_fd;		/* poll the event fd, not a blocking dispatch */
	bool wait_group_stop;
	bool die_at_sigstop;	/* SIGKILL itself in its callback at SIGNAL SIGSTOP */
	bool exit_on_error;	/* a failed dispatch: _exit(5), not pause until killed */
	bool group_stopped;	/* in the remote tracer's memory */
};

/* The process's body (for tst_fork(remote_tracer, &r)): attach to
 * r->target, report, then dispatch until killed. */
void remote_tracer(void *arg);

#endif
