/* SPDX-License-Identifier: MIT */
/* The tracer (seize/tracer.h) on real processes.  The test process is the
 * tracer; every target is forked by the case (tst_fork), or by a "mother" the
 * case forks where the real parent must be a process other than the tracer
 * (a process that is both gets ptrace stops from its own waits).  Events are
 * recorded from the callback into a fixed array and the sequence is asserted.
 *
 * The tracer does not use PTRACE_O_EXITKILL (its death must leave tracees as
 * found), so what bounds a failed case is PR_SET_PDEATHSIG: every target dies
 * with the process that forked it.  Nothing here sleeps to synchronise: the
 * tracer is driven by blocking dispatches bounded by an itimer, processes
 * report over pipes, and other processes' states are read from /proc with a
 * bounded poll (the only way to see them). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"

/* The bound of every wait: well under check's default case timeout (4 s),
 * so that a failure names what it waited for; scaled like check's own
 * timeout under valgrind (CK_TIMEOUT_MULTIPLIER). */
#define BOUND_MS bound_ms()
#define MAX_RECS 1024
#define ANY_SIG (-1)

static int bound_ms(void)
{
	const char *mult = getenv("CK_TIMEOUT_MULTIPLIER");
	int m = mult ? atoi(mult) : 1;

	return 2000 * (m > 0 && m < 100 ? m : 1);
}

/* ---- the record of events ------------------------------------------------ */

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

static struct rec recs[MAX_RECS];
static int nrecs;
static bool recs_overflowed;
/* Called from the callback after recording, while the event's thread is
 * still held at its stop (so /proc shows it there). */
static void (*hook)(const struct seize_tracer_event *ev);

static void record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	(void)t;
	(void)data;
	if (nrecs < MAX_RECS) {
		struct rec *r = &recs[nrecs++];

		r->type = ev->type;
		r->pid = ev->pid;
		r->tid = ev->tid;
		r->sig = ev->sig;
		r->exit_code = ev->exit_code;
		r->has_sender = ev->has_sender;
		r->sender_pid = ev->sender_pid;
		r->sender_uid = ev->sender_uid;
		r->parent = ev->parent;
		r->former_tid = ev->former_tid;
	} else {
		recs_overflowed = true;
	}
	if (hook)
		hook(ev);
}

/* The events so far, for failure messages: "attached 5/5, signal 5/5 sig 19, ...". */
static const char *recs_text(void)
{
	static char buf[4096];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < nrecs && len < sizeof(buf) - 64; i++) {
		const struct rec *r = &recs[i];
		const char *name = seize_tracer_event_name(r->type);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s %d/%d", i ? ", " : "",
					name ? name : "?", (int)r->pid, (int)r->tid);
		if (r->sig)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " sig %d", r->sig);
		if (r->type == SEIZE_TRACER_EXITED)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " code %d", r->exit_code);
	}
	if (i < nrecs)
		snprintf(buf + len, sizeof(buf) - len, ", ...");
	return nrecs ? buf : "none";
}

static bool rec_matches(const struct rec *r, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	return r->type == type && (pid == 0 || r->pid == pid) && (sig == ANY_SIG || r->sig == sig);
}

/* The index of the first matching record at or after `from` (pid 0: any
 * process), or -1. */
static int find(int from, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	int i;

	for (i = from; i < nrecs; i++)
		if (rec_matches(&recs[i], type, pid, sig))
			return i;
	return -1;
}

static int count(enum seize_tracer_event_type type, pid_t pid, int sig)
{
	int i, n = 0;

	for (i = 0; i < nrecs; i++)
		n += rec_matches(&recs[i], type, pid, sig);
	return n;
}

static struct seize_tracer *new_tracer(unsigned int flags)
{
	struct seize_tracer_config cfg = {
		.flags = flags, .events = SEIZE_TRACER_ALL, .callback = record,
	};
	struct seize_tracer *t = NULL;

	nrecs = 0;
	recs_overflowed = false;
	hook = NULL;
	ck_assert_int_eq(seize_tracer_new(&cfg, &t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

static void expect_counts(struct seize_tracer *t, unsigned int procs, unsigned int threads)
{
	unsigned int p = ~0u, th = ~0u;

	ck_assert_int_eq(seize_tracer_count(t, &p, &th), 0);
	ck_assert_msg(p == procs && th == threads,
		      "tracer counts %u processes and %u threads, wanted %u and %u; events: %s",
		      p, th, procs, threads, recs_text());
}

/* ---- driving the tracer --------------------------------------------------- */

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A SIGALRM after ms, without SA_RESTART: a blocking dispatch returns -EINTR. */
static void arm(int ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval timer = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	alarmed = 0;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &timer, NULL), 0);
}

static void disarm(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
}

/* Dispatch, blocking, until there are n records matching (type, pid, sig);
 * returns the index of the nth.  Fails after BOUND_MS. */
static int await_n(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig,
		   int n)
{
	int i, seen = 0;

	arm(BOUND_MS);
	while (count(type, pid, sig) < n) {
		int ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT);

		ck_assert_msg(!alarmed && (ret >= 0 || ret == -EINTR),
			      "waiting for %s #%d of %d (sig %d): dispatch gave %d%s; events: %s",
			      seize_tracer_event_name(type), n, (int)pid, sig, ret,
			      alarmed ? " and time ran out" : "", recs_text());
	}
	disarm();
	ck_assert_msg(!recs_overflowed, "more than %d events", MAX_RECS);
	for (i = 0; i < nrecs; i++)
		if (rec_matches(&recs[i], type, pid, sig) && ++seen == n)
			return i;
	return -1;	/* not reached */
}

static int await(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	return await_n(t, type, pid, sig, 1);
}

/* ---- /proc ---------------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The thread ids of pid, from /proc/PID/task; returns how many. */
static int threads_of(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (atoi(de->d_name) > 0 && n < max)
			tids[n++] = (pid_t)atoi(de->d_name);
	closedir(dir);
	return n;
}

/* Every thread's state letter, for messages ("S S t"). */
static const char *states_text(pid_t pid)
{
	static char buf[256];
	pid_t tids[64];
	int i, n = threads_of(pid, tids, 64);
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf) - 4; i++) {
		char s = tst_task_state(pid, tids[i]);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%c", i ? " " : "", s ? s : '?');
	}
	return n ? buf : "gone";
}

static bool all_threads_in(pid_t pid, const char *states)
{
	pid_t tids[64];
	int i, n = threads_of(pid, tids, 64);

	for (i = 0; i < n; i++) {
		char s = tst_task_state(pid, tids[i]);

		if (!s || !strchr(states, s))
			return false;
	}
	return n > 0;
}

static void wait_threads_in(pid_t pid, const char *states)
{
	long deadline = now_ms() + BOUND_MS;

	while (!all_threads_in(pid, states)) {
		ck_assert_msg(now_ms() < deadline, "threads of %d are in states %s, wanted \"%s\"",
			      (int)pid, states_text(pid), states);
		usleep(1000);
	}
}

static void expect_tracer_of_all(pid_t pid, long tracer, int nthreads)
{
	pid_t tids[64];
	int i, n = threads_of(pid, tids, 64);

	ck_assert_int_eq(n, nthreads);
	for (i = 0; i < n; i++) {
		long got = tst_task_status_field(pid, tids[i], "TracerPid");

		ck_assert_msg(got == tracer, "thread %d of %d has TracerPid %ld, wanted %ld",
			      (int)tids[i], (int)pid, got, tracer);
	}
}

/* Handle stops without blocking until every thread of pid is in one of
 * `states` and nothing is left to handle, twice in a row: then no stop of
 * pid is pending.  (A thread shows 't' as it enters a ptrace-stop, an
 * instant before its wait report is visible; the second round covers it.) */
static void settle(struct seize_tracer *t, pid_t pid, const char *states)
{
	long deadline = now_ms() + BOUND_MS;
	int quiet = 0;

	for (;;) {
		bool all = all_threads_in(pid, states);
		int ret = seize_tracer_dispatch(t, 0);

		ck_assert_msg(ret >= 0, "dispatch gave %d; events: %s", ret, recs_text());
		quiet = all && ret == 0 ? quiet + 1 : 0;
		if (quiet == 2)
			break;
		ck_assert_msg(now_ms() < deadline, "threads of %d stay in states %s, wanted \"%s\"; events: %s",
			      (int)pid, states_text(pid), states, recs_text());
		usleep(1000);
	}
}

/* The system call pid's main thread is blocked in (/proc/PID/syscall), or -1. */
static long syscall_of(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (tst_read_small(path, buf, sizeof(buf)) <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

static void wait_in_syscall(pid_t pid, long nr)
{
	long deadline = now_ms() + BOUND_MS;

	while (syscall_of(pid) != nr || tst_proc_state(pid) != 'S') {
		ck_assert_msg(now_ms() < deadline, "%d is not blocked in syscall %ld (%ld, state %c)",
			      (int)pid, nr, syscall_of(pid), tst_proc_state(pid));
		usleep(1000);
	}
}

static void comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	ck_assert_int_gt(tst_read_small(path, buf, size), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

static void expect_explanation(pid_t pid, int error, const char *want)
{
	char buf[256];
	int ret = seize_explain_attach(pid, error, buf, sizeof(buf));

	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(ret, (int)strlen(want));
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

static void read_exact(int fd, void *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n;

		ck_assert_msg(readable(fd, BOUND_MS), "no report within %d ms", BOUND_MS);
		n = read(fd, (char *)buf + len, size - len);
		ck_assert_msg(n > 0, "report cut short after %zu of %zu bytes", len, size);
		len += (size_t)n;
	}
}

/* ---- targets ---------------------------------------------------------------- */

static void write_or_die(int fd, const void *buf, size_t size)
{
	if (write(fd, buf, size) != (ssize_t)size)
		_exit(99);
}

/* In a target: where its SIGUSR1 handler writes 'u'. */
static int usr1_fd = -1;

static void on_usr1_write(int sig)
{
	char c = 'u';
	ssize_t n;

	(void)sig;
	n = write(usr1_fd, &c, 1);
	(void)n;
}

static void on_signal_nop(int sig)
{
	(void)sig;
}

struct target {
	int nthreads;		/* threads besides the main one, all in pause() */
	int ready;		/* write end: 'r' once all is set up */
	int usr1;		/* write end for the SIGUSR1 handler's 'u', or -1: no handler */
	bool new_session;	/* setsid() first: an orphaned process group */
};

static void *thread_pause(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void target_main(void *arg)
{
	const struct target *a = arg;
	char c = 'r';
	int i;

	/* Yama's scope 1 lets only ancestors trace: a sibling tracer (cases 7
	 * and 10) needs this.  EINVAL without Yama: nothing to allow. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	if (a->new_session && setsid() < 0)
		_exit(3);
	if (a->usr1 >= 0) {
		struct sigaction sa = { .sa_handler = on_usr1_write, .sa_flags = SA_RESTART };

		usr1_fd = a->usr1;
		if (sigaction(SIGUSR1, &sa, NULL) < 0)
			_exit(4);
	}
	for (i = 0; i < a->nthreads; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, thread_pause, NULL) != 0)
			_exit(5);
	}
	write_or_die(a->ready, &c, 1);
	for (;;)
		pause();
}

/* Fork a target and wait until it is set up. */
static pid_t start_target(int nthreads, int usr1, bool new_session)
{
	struct target a = { .nthreads = nthreads, .usr1 = usr1, .new_session = new_session };
	int ready[2];
	pid_t pid;

	tst_pipe(ready);
	a.ready = ready[1];
	pid = tst_fork(target_main, &a);
	ck_assert_int_eq(tst_read_byte(ready[0], BOUND_MS), 'r');
	close(ready[0]);
	close(ready[1]);
	return pid;
}

/* A stopped child of ours: its stop consumed by our waitpid, as a shell would. */
static pid_t start_stopped_pauser(void)
{
	pid_t pid = tst_fork_pauser();
	int status;

	tst_kill(pid, SIGSTOP);
	ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
	ck_assert(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	return pid;
}

/* ---- the mother: a real parent distinct from the tracer -------------------- */

/* Orders, one byte each, answered by one byte:
 *   'S'  send SIGSTOP, waitid(WSTOPPED)      -> 's' (stopped by SIGSTOP) or '?'
 *   'C'  send SIGCONT, waitid(WCONTINUED)    -> 'c' or '?'
 *   'N'  waitid(WSTOPPED|WCONTINUED|WNOHANG) -> '0' nothing, 's', 'c' or '?'
 * On EOF she kills and reaps the target, and exits. */
struct mother {
	pid_t pid;
	pid_t target;
	int order;	/* write end */
	int report;	/* read end */
};

struct mother_arg {
	int nthreads;
	int usr1;
	int order;	/* read end */
	int report;	/* write end */
	int others[2];	/* the test's ends, closed here so that EOF comes */
};

static void mother_main(void *arg)
{
	const struct mother_arg *a = arg;
	pid_t target;
	char c;

	close(a->others[0]);
	close(a->others[1]);
	target = start_target(a->nthreads, a->usr1, false);
	write_or_die(a->report, &target, sizeof(target));
	while (read(a->order, &c, 1) == 1) {
		siginfo_t si;
		int options;

		memset(&si, 0, sizeof(si));
		if (c == 'S') {
			tst_kill(target, SIGSTOP);
			options = WSTOPPED;
		} else if (c == 'C') {
			tst_kill(target, SIGCONT);
			options = WCONTINUED;
		} else {
			options = WSTOPPED | WCONTINUED | WNOHANG;
		}
		if (waitid(P_PID, (id_t)target, &si, options) < 0)
			_exit(6);
		c = si.si_pid == 0 ? '0'
		    : si.si_code == CLD_STOPPED && si.si_status == SIGSTOP ? 's'
		    : si.si_code == CLD_CONTINUED ? 'c' : '?';
		write_or_die(a->report, &c, 1);
	}
	tst_kill(target, SIGKILL);
	while (waitpid(target, NULL, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void mother_start(struct mother *m, int nthreads, int usr1)
{
	struct mother_arg a = { .nthreads = nthreads, .usr1 = usr1 };
	int order[2], report[2];

	tst_pipe(order);
	tst_pipe(report);
	a.order = order[0];
	a.report = report[1];
	a.others[0] = order[1];
	a.others[1] = report[0];
	m->pid = tst_fork(mother_main, &a);
	close(order[0]);
	close(report[1]);
	m->order = order[1];
	m->report = report[0];
	read_exact(m->report, &m->target, sizeof(m->target));
	ck_assert_int_gt(m->target, 0);
}

static void mother_order(struct mother *m, char c)
{
	tst_write_byte(m->order, c);
}

static char mother_reply(struct mother *m)
{
	return tst_read_byte(m->report, BOUND_MS);
}

static void mother_end(struct mother *m)
{
	char c;

	close(m->order);
	/* EOF once she has reaped the target and exited. */
	while (readable(m->report, BOUND_MS) && read(m->report, &c, 1) == 1)
		;
	close(m->report);
	tst_reap(m->pid);
}

/* ---- 1. attach to a running multi-thread process ----------------------------- */

START_TEST(attach_running_16_threads)
{
	pid_t pid = start_target(16, -1, false);
	struct seize_tracer *t;

	wait_threads_in(pid, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	ck_assert_msg(nrecs == 1 && rec_matches(&recs[0], SEIZE_TRACER_ATTACHED, pid, 0) &&
		      recs[0].tid == pid, "events: %s", recs_text());
	expect_counts(t, 1, 17);
	expect_tracer_of_all(pid, getpid(), 17);
	/* Seizing stops nobody: nothing to handle, every thread still asleep. */
	ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
	ck_assert_msg(nrecs == 1, "events: %s", recs_text());
	ck_assert_msg(all_threads_in(pid, "S"), "states %s", states_text(pid));
	ck_assert_int_eq(tst_proc_state(pid), 'S');

	seize_tracer_destroy(t);
	expect_tracer_of_all(pid, 0, 17);
	tst_reap(pid);
}
END_TEST

/* ---- 2. stopped and continued twice by the real parent ----------------------- */

START_TEST(group_stop_by_real_parent_twice)
{
	struct mother m;
	struct seize_tracer *t;
	int round, i, last = -1;

	mother_start(&m, 8, -1);
	wait_threads_in(m.target, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, m.target), 0);
	expect_counts(t, 1, 9);

	for (round = 1; round <= 2; round++) {
		mother_order(&m, 'S');
		await_n(t, SEIZE_TRACER_GROUP_STOP, m.target, ANY_SIG, round);
		/* Every thread's stop handled (all LISTENed, none resumed)
		 * before the next signal: each step starts with no trap of the
		 * last one still unread.  (A trap read after the job-control
		 * change that followed it is a race of its own, which this
		 * case does not try to provoke.) */
		settle(t, m.target, "t");
		ck_assert_int_eq(mother_reply(&m), 's');

		mother_order(&m, 'C');
		await_n(t, SEIZE_TRACER_CONTINUED, m.target, ANY_SIG, round);
		settle(t, m.target, "S");
		ck_assert_int_eq(mother_reply(&m), 'c');
	}

	/* Exactly two stops and two ends, alternating, and nothing else but
	 * the signals themselves. */
	ck_assert_msg(count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 2 &&
		      count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 2, "events: %s", recs_text());
	for (i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];

		ck_assert_msg(r->pid == m.target, "events: %s", recs_text());
		if (r->type == SEIZE_TRACER_GROUP_STOP) {
			ck_assert_msg(r->sig == SIGSTOP && last != SEIZE_TRACER_GROUP_STOP,
				      "events: %s", recs_text());
			last = r->type;
		} else if (r->type == SEIZE_TRACER_CONTINUED) {
			ck_assert_msg(r->sig == SIGCONT && last == SEIZE_TRACER_GROUP_STOP,
				      "events: %s", recs_text());
			last = r->type;
		} else {
			ck_assert_msg(r->type == SEIZE_TRACER_ATTACHED ||
				      (r->type == SEIZE_TRACER_SIGNAL &&
				       (r->sig == SIGSTOP || r->sig == SIGCONT)), "events: %s", recs_text());
		}
	}
	ck_assert_int_eq(count(SEIZE_TRACER_SIGNAL, 0, SIGSTOP), 2);
	ck_assert_int_eq(count(SEIZE_TRACER_SIGNAL, 0, SIGCONT), 2);
	/* It runs, and the real parent has nothing more to see. */
	ck_assert_msg(all_threads_in(m.target, "S"), "states %s", states_text(m.target));
	mother_order(&m, 'N');
	ck_assert_int_eq(mother_reply(&m), '0');
	expect_tracer_of_all(m.target, getpid(), 9);

	seize_tracer_destroy(t);
	mother_end(&m);
}
END_TEST

/* ---- 3. SIGTSTP to an orphaned process group --------------------------------- */

/* Dispatch (the tracee may be at a stop) until fd has a byte; bounded. */
static char dispatch_until_byte(struct seize_tracer *t, int fd)
{
	long deadline = now_ms() + BOUND_MS;

	while (!readable(fd, 2)) {
		ck_assert_int_ge(seize_tracer_dispatch(t, 0), 0);
		ck_assert_msg(now_ms() < deadline, "no byte within %d ms; events: %s", BOUND_MS,
			      recs_text());
	}
	return tst_read_byte(fd, 0);
}

START_TEST(sigtstp_to_orphaned_pgrp_stops_nothing)
{
	struct seize_tracer *t;
	int usr1[2], i;
	pid_t pid;

	tst_pipe(usr1);
	pid = start_target(0, usr1[1], true);
	/* Leader of its own session and group, whose only member's parent
	 * (us) is outside the session: an orphaned process group. */
	ck_assert_int_eq(getsid(pid), pid);
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_ne(getsid(0), pid);
	wait_threads_in(pid, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);

	tst_kill(pid, SIGTSTP);
	if (!tst_under_valgrind()) {
		i = await(t, SEIZE_TRACER_SIGNAL, pid, ANY_SIG);
		ck_assert_int_eq(recs[i].sig, SIGTSTP);
	}
	/* Handed back, the stop is discarded by the kernel at delivery.  A
	 * later signal proves the target ran on: stopped, it would not run its
	 * handler. */
	tst_kill(pid, SIGUSR1);
	if (!tst_under_valgrind())
		await(t, SEIZE_TRACER_SIGNAL, pid, SIGUSR1);
	ck_assert_int_eq(dispatch_until_byte(t, usr1[0]), 'u');
	settle(t, pid, "S");
	ck_assert_msg(count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 0 &&
		      count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 0 &&
		      (nrecs == 3 || tst_under_valgrind()), "events: %s", recs_text());
	ck_assert_int_eq(tst_proc_state(pid), 'S');

	seize_tracer_destroy(t);
	ck_assert_int_eq(tst_tracer_pid(pid), 0);
	tst_reap(pid);
	close(usr1[0]);
	close(usr1[1]);
}
END_TEST

/* ---- 4. following children ---------------------------------------------------- */

struct forker {
	int go;		/* read end: one byte starts it */
	int report;	/* write end: the child's pid */
	bool use_vfork;
	bool exec;	/* the child execs /bin/true (exit 0), else _exit(7) */
};

/* Fork (or vfork) a child, wait for it, and exit with 10 + its exit code. */
static void forker_main(void *arg)
{
	const struct forker *a = arg;
	pid_t child;
	int status;
	char c;

	if (read(a->go, &c, 1) != 1)
		_exit(2);
	child = a->use_vfork ? vfork() : fork();
	if (child == 0) {
		if (a->exec)
			execl("/bin/true", "true", (char *)NULL);
		_exit(7);
	}
	if (child < 0)
		_exit(3);
	write_or_die(a->report, &child, sizeof(child));
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		_exit(4);
	_exit(10 + WEXITSTATUS(status));
}

static void follow_one(bool use_vfork, bool exec)
{
	struct forker a = { .use_vfork = use_vfork, .exec = exec };
	int child_code = exec ? 0 : 7;
	struct seize_tracer *t;
	int go[2], report[2];
	int born, died, done, i;
	pid_t pid, child;

	tst_pipe(go);
	tst_pipe(report);
	a.go = go[0];
	a.report = report[1];
	pid = tst_fork(forker_main, &a);
	t = new_tracer(SEIZE_TRACER_FOLLOW_CHILDREN);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	tst_write_byte(go[1], 'g');

	done = await(t, SEIZE_TRACER_EXITED, pid, ANY_SIG);
	read_exact(report[0], &child, sizeof(child));
	ck_assert_int_gt(child, 0);

	born = find(0, SEIZE_TRACER_NEW_CHILD, child, ANY_SIG);
	died = find(0, SEIZE_TRACER_EXITED, child, ANY_SIG);
	ck_assert_msg(born >= 0 && died > born && done > died, "child %d; events: %s", (int)child,
		      recs_text());
	ck_assert_int_eq(recs[born].parent, pid);
	ck_assert_int_eq(recs[born].tid, child);
	ck_assert_int_eq(recs[died].exit_code, child_code);
	/* The target saw its child's status as if nobody traced them. */
	ck_assert_int_eq(recs[done].exit_code, 10 + child_code);
	i = find(0, SEIZE_TRACER_EXEC, child, ANY_SIG);
	if (exec) {
		ck_assert_msg(i > born && i < died, "events: %s", recs_text());
		ck_assert_int_eq(recs[i].tid, child);
		ck_assert_int_eq(recs[i].former_tid, child);
	} else {
		ck_assert_msg(i < 0, "events: %s", recs_text());
	}
	ck_assert_msg(count(SEIZE_TRACER_NEW_CHILD, 0, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_EXITED, 0, ANY_SIG) == 2 &&
		      count(SEIZE_TRACER_KILLED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	expect_counts(t, 0, 0);

	seize_tracer_destroy(t);
	close(go[0]);
	close(go[1]);
	close(report[0]);
	close(report[1]);
}

/* clone() without CLONE_THREAD and with no exit signal is reported as a
 * PTRACE_EVENT_CLONE, yet it makes a process, not a thread. */
static int clone_child(void *arg)
{
	(void)arg;
	return 5;
}

static void cloner_main(void *arg)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	const struct forker *a = arg;
	pid_t child;
	int status;
	char c;

	if (read(a->go, &c, 1) != 1)
		_exit(2);
	child = clone(clone_child, stack + sizeof(stack), 0, NULL);
	if (child < 0)
		_exit(3);
	write_or_die(a->report, &child, sizeof(child));
	if (waitpid(child, &status, __WALL) != child || !WIFEXITED(status))
		_exit(4);
	_exit(10 + WEXITSTATUS(status));
}

static void clone_process_one(bool follow)
{
	struct forker a = { 0 };
	struct seize_tracer *t;
	int go[2], report[2];
	int done, born;
	pid_t pid, child;

	tst_pipe(go);
	tst_pipe(report);
	a.go = go[0];
	a.report = report[1];
	pid = tst_fork(cloner_main, &a);
	t = new_tracer(follow ? SEIZE_TRACER_FOLLOW_CHILDREN : 0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	tst_write_byte(go[1], 'g');
	done = await(t, SEIZE_TRACER_EXITED, pid, ANY_SIG);
	read_exact(report[0], &child, sizeof(child));
	ck_assert_int_gt(child, 0);
	ck_assert_int_eq(recs[done].exit_code, 15);
	ck_assert_msg(count(SEIZE_TRACER_NEW_THREAD, 0, ANY_SIG) == 0, "events: %s", recs_text());
	born = find(0, SEIZE_TRACER_NEW_CHILD, child, ANY_SIG);
	if (follow) {
		ck_assert_msg(born >= 0 && find(born, SEIZE_TRACER_EXITED, child, ANY_SIG) > born,
			      "events: %s", recs_text());
		ck_assert_int_eq(recs[born].parent, pid);
	} else {
		ck_assert_msg(born < 0, "events: %s", recs_text());
	}
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	close(go[0]);
	close(go[1]);
	close(report[0]);
	close(report[1]);
}

START_TEST(clone_process_unfollowed)
{
	clone_process_one(false);
}
END_TEST

START_TEST(clone_process_followed)
{
	clone_process_one(true);
}
END_TEST

START_TEST(follow_fork)
{
	follow_one(false, false);
}
END_TEST

START_TEST(follow_vfork_exit)
{
	follow_one(true, false);
}
END_TEST

START_TEST(follow_vfork_exec)
{
	follow_one(true, true);
}
END_TEST

/* ---- 5. exec from a thread that is not the leader ------------------------------ */

struct execer {
	int go;		/* read end */
	int report;	/* write end: the thread's tid */
};

static void *exec_thread(void *arg)
{
	const struct execer *a = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	write_or_die(a->report, &tid, sizeof(tid));
	execl("/bin/true", "true", (char *)NULL);
	_exit(9);
}

static void execer_main(void *arg)
{
	pthread_t th;
	char c;

	if (read(((const struct execer *)arg)->go, &c, 1) != 1)
		_exit(2);
	if (pthread_create(&th, NULL, exec_thread, arg) != 0)
		_exit(3);
	for (;;)
		pause();
}

START_TEST(exec_from_non_leader_thread)
{
	struct execer a;
	struct seize_tracer *t;
	int go[2], report[2], born, exec, done;
	pid_t pid, thread;

	tst_pipe(go);
	tst_pipe(report);
	a.go = go[0];
	a.report = report[1];
	pid = tst_fork(execer_main, &a);
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	tst_write_byte(go[1], 'g');

	done = await(t, SEIZE_TRACER_EXITED, pid, ANY_SIG);
	read_exact(report[0], &thread, sizeof(thread));
	ck_assert_int_ne(thread, pid);

	born = find(0, SEIZE_TRACER_NEW_THREAD, pid, ANY_SIG);
	exec = find(0, SEIZE_TRACER_EXEC, pid, ANY_SIG);
	ck_assert_msg(born >= 0 && exec > born && done > exec, "thread %d; events: %s", (int)thread,
		      recs_text());
	ck_assert_int_eq(recs[born].tid, thread);
	/* The execing thread took the leader's tid. */
	ck_assert_int_eq(recs[exec].tid, pid);
	ck_assert_int_eq(recs[exec].former_tid, thread);
	ck_assert_int_eq(recs[done].exit_code, 0);
	ck_assert_msg(count(SEIZE_TRACER_EXEC, 0, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_EXITED, 0, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_KILLED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	expect_counts(t, 0, 0);

	seize_tracer_destroy(t);
	close(go[0]);
	close(go[1]);
	close(report[0]);
	close(report[1]);
}
END_TEST

/* ---- 6. detach ---------------------------------------------------------------- */

static void expect_detached(struct seize_tracer *t, pid_t pid)
{
	int before = nrecs;

	ck_assert_int_eq(seize_tracer_detach(t, pid), 0);
	ck_assert_msg(find(before, SEIZE_TRACER_DETACHED, pid, ANY_SIG) >= 0, "events: %s", recs_text());
	ck_assert_int_eq(tst_tracer_pid(pid), 0);
	expect_counts(t, 0, 0);
	ck_assert_int_eq(seize_tracer_detach(t, pid), -ESRCH);
}

START_TEST(detach_stopped)
{
	pid_t pid = start_stopped_pauser();
	struct seize_tracer *t = new_tracer(0);
	int i;

	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	i = await(t, SEIZE_TRACER_GROUP_STOP, pid, ANY_SIG);
	ck_assert_int_eq(recs[i].sig, SIGSTOP);
	settle(t, pid, "t");

	expect_detached(t, pid);
	tst_wait_state(pid, "T", BOUND_MS);
	/* Still in its group-stop: SIGCONT runs it. */
	tst_kill(pid, SIGCONT);
	tst_wait_state(pid, "S", BOUND_MS);

	seize_tracer_destroy(t);
	tst_reap(pid);
}
END_TEST

START_TEST(detach_running)
{
	pid_t pid = tst_fork_pauser();
	struct seize_tracer *t = new_tracer(0);

	tst_wait_state(pid, "S", BOUND_MS);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	expect_detached(t, pid);
	tst_wait_state(pid, "SR", BOUND_MS);
	ck_assert_msg(count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 0 &&
		      count(SEIZE_TRACER_SIGNAL, 0, ANY_SIG) == 0, "events: %s", recs_text());

	seize_tracer_destroy(t);
	tst_reap(pid);
}
END_TEST

struct reader {
	int in;		/* read end: what it reads */
	int out;	/* write end: 'r' when about to read, then what read() gave */
};

static void reader_main(void *arg)
{
	const struct reader *a = arg;
	/* A handler without SA_RESTART: a signal injected by mistake would end
	 * the read with EINTR, which is reported as 'E'. */
	struct sigaction sa = { .sa_handler = on_signal_nop };
	ssize_t n;
	char c = 'r';

	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		_exit(2);
	write_or_die(a->out, &c, 1);
	n = read(a->in, &c, 1);
	if (n != 1)
		c = n < 0 && errno == EINTR ? 'E' : '?';
	write_or_die(a->out, &c, 1);
	for (;;)
		pause();
}

START_TEST(detach_in_syscall)
{
	struct reader a;
	struct seize_tracer *t;
	int in[2], out[2];
	pid_t pid;

	tst_pipe(in);
	tst_pipe(out);
	a.in = in[0];
	a.out = out[1];
	pid = tst_fork(reader_main, &a);
	ck_assert_int_eq(tst_read_byte(out[0], BOUND_MS), 'r');
	wait_in_syscall(pid, SYS_read);

	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	/* Detaching interrupts the read; the kernel must restart it. */
	expect_detached(t, pid);
	tst_wait_state(pid, "S", BOUND_MS);
	ck_assert_msg(!readable(out[0], 0), "the read ended early");
	tst_write_byte(in[1], 'x');
	ck_assert_int_eq(tst_read_byte(out[0], BOUND_MS), 'x');

	seize_tracer_destroy(t);
	tst_reap(pid);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}
END_TEST

START_TEST(detach_listening)
{
	pid_t pid = tst_fork_pauser();
	struct seize_tracer *t = new_tracer(0);
	siginfo_t si;

	tst_wait_state(pid, "S", BOUND_MS);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	tst_kill(pid, SIGSTOP);
	await(t, SEIZE_TRACER_GROUP_STOP, pid, SIGSTOP);
	settle(t, pid, "t");

	expect_detached(t, pid);
	tst_wait_state(pid, "T", BOUND_MS);
	/* The real parent (us, no longer tracing) sees the stop, as if nobody
	 * had traced it. */
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG), 0);
	ck_assert_int_eq(si.si_pid, pid);
	ck_assert_int_eq(si.si_code, CLD_STOPPED);
	ck_assert_int_eq(si.si_status, SIGSTOP);

	seize_tracer_destroy(t);
	tst_reap(pid);
}
END_TEST

/* ---- 7. the tracer killed --------------------------------------------------------- */

struct remote {
	pid_t target;
	int report;		/* write end: 'a' attached, then 'g' at the group-stop */
	bool wait_group_stop;
	bool group_stopped;	/* in the remote tracer's memory */
};

static void remote_event(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	struct remote *r = data;

	(void)t;
	if (ev->type == SEIZE_TRACER_GROUP_STOP)
		r->group_stopped = true;
}

/* A tracer process of its own: attach, report, then dispatch until killed. */
static void remote_tracer(void *arg)
{
	struct remote r = *(const struct remote *)arg;
	struct seize_tracer_config cfg = {
		.events = SEIZE_TRACER_ALL, .callback = remote_event, .data = &r,
	};
	struct seize_tracer *t;
	char c = 'a';

	if (seize_tracer_new(&cfg, &t) != 0 || seize_tracer_attach(t, r.target) != 0)
		_exit(2);
	write_or_die(r.report, &c, 1);
	if (r.wait_group_stop) {
		while (!r.group_stopped)
			if (seize_tracer_dispatch(t, SEIZE_TRACER_WAIT) < 0)
				_exit(3);
		c = 'g';
		write_or_die(r.report, &c, 1);
	}
	for (;;)
		if (seize_tracer_dispatch(t, SEIZE_TRACER_WAIT) < 0)
			pause();
}

static pid_t remote_start(pid_t target, bool wait_group_stop, int report[2])
{
	struct remote r = { .target = target, .wait_group_stop = wait_group_stop };
	pid_t pid;

	tst_pipe(report);
	r.report = report[1];
	pid = tst_fork(remote_tracer, &r);
	ck_assert_int_eq(tst_read_byte(report[0], BOUND_MS), 'a');
	ck_assert_int_eq(tst_tracer_pid(target), pid);
	return pid;
}

static void remote_kill(pid_t pid)
{
	int status;

	tst_kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

START_TEST(tracer_killed_in_group_stop)
{
	pid_t target = start_target(0, -1, false), tracer;
	int report[2];
	siginfo_t si;

	tst_wait_state(target, "S", BOUND_MS);
	tracer = remote_start(target, true, report);
	tst_kill(target, SIGSTOP);
	ck_assert_int_eq(tst_read_byte(report[0], BOUND_MS), 'g');
	tst_wait_state(target, "t", BOUND_MS);

	remote_kill(tracer);
	/* Let go by the kernel, it stays in its group-stop. */
	tst_wait_state(target, "T", BOUND_MS);
	ck_assert_int_eq(tst_tracer_pid(target), 0);
	/* Its real parent (us) saw it stop, and SIGCONT still runs it. */
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid(P_PID, (id_t)target, &si, WSTOPPED | WNOHANG), 0);
	ck_assert_int_eq(si.si_pid, target);
	ck_assert_int_eq(si.si_code, CLD_STOPPED);
	ck_assert_int_eq(si.si_status, SIGSTOP);
	tst_kill(target, SIGCONT);
	tst_wait_state(target, "S", BOUND_MS);

	tst_reap(target);
	close(report[0]);
	close(report[1]);
}
END_TEST

START_TEST(tracer_killed_while_running)
{
	int usr1[2], report[2];
	pid_t target, tracer;

	tst_pipe(usr1);
	target = start_target(0, usr1[1], false);
	tst_wait_state(target, "S", BOUND_MS);
	tracer = remote_start(target, false, report);

	remote_kill(tracer);
	ck_assert_int_eq(tst_tracer_pid(target), 0);
	tst_wait_state(target, "S", BOUND_MS);
	/* It runs: its handler answers a signal. */
	tst_kill(target, SIGUSR1);
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	tst_wait_state(target, "S", BOUND_MS);

	tst_reap(target);
	close(usr1[0]);
	close(usr1[1]);
	close(report[0]);
	close(report[1]);
}
END_TEST

/* ---- 8. freeze and thaw ---------------------------------------------------------- */

START_TEST(freeze_thaw_running)
{
	struct mother m;
	struct seize_tracer *t;
	int usr1[2], i;

	tst_pipe(usr1);
	mother_start(&m, 4, usr1[1]);
	wait_threads_in(m.target, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, m.target), 0);

	ck_assert_int_eq(seize_tracer_freeze(t, m.target), 0);
	i = find(0, SEIZE_TRACER_FROZEN, m.target, ANY_SIG);
	ck_assert_msg(i >= 0, "events: %s", recs_text());
	/* Returned when every thread is stopped. */
	ck_assert_msg(all_threads_in(m.target, "t"), "states %s", states_text(m.target));
	ck_assert_int_eq(seize_tracer_freeze(t, m.target), -EALREADY);
	mother_order(&m, 'N');
	ck_assert_int_eq(mother_reply(&m), '0');
	/* A signal that arrives while frozen waits for the thaw. */
	tst_kill(m.target, SIGUSR1);
	ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
	ck_assert_msg(!readable(usr1[0], 0), "a handler ran while frozen");
	ck_assert_msg(all_threads_in(m.target, "t"), "states %s", states_text(m.target));

	ck_assert_int_eq(seize_tracer_thaw(t, m.target), 0);
	ck_assert_int_eq(seize_tracer_thaw(t, m.target), -EINVAL);
	await(t, SEIZE_TRACER_SIGNAL, m.target, SIGUSR1);
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	settle(t, m.target, "S");
	/* The real parent saw no stop and no continue. */
	mother_order(&m, 'N');
	ck_assert_int_eq(mother_reply(&m), '0');
	ck_assert_msg(count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 0 &&
		      count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	expect_counts(t, 1, 5);

	seize_tracer_destroy(t);
	mother_end(&m);
	close(usr1[0]);
	close(usr1[1]);
}
END_TEST

START_TEST(freeze_thaw_stopped)
{
	struct mother m;
	struct seize_tracer *t;

	mother_start(&m, 2, -1);
	wait_threads_in(m.target, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, m.target), 0);
	mother_order(&m, 'S');
	await(t, SEIZE_TRACER_GROUP_STOP, m.target, SIGSTOP);
	settle(t, m.target, "t");
	ck_assert_int_eq(mother_reply(&m), 's');

	ck_assert_int_eq(seize_tracer_freeze(t, m.target), 0);
	ck_assert_msg(find(0, SEIZE_TRACER_FROZEN, m.target, ANY_SIG) >= 0, "events: %s", recs_text());
	ck_assert_msg(all_threads_in(m.target, "t"), "states %s", states_text(m.target));
	ck_assert_int_eq(seize_tracer_thaw(t, m.target), 0);
	/* Back in its group-stop (listened to: 't'), not resumed... */
	settle(t, m.target, "t");
	ck_assert_msg(count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 0 &&
		      count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 1, "events: %s", recs_text());
	mother_order(&m, 'N');
	ck_assert_int_eq(mother_reply(&m), '0');

	/* ...and still listened to: the end of the stop is reported. */
	mother_order(&m, 'C');
	await(t, SEIZE_TRACER_CONTINUED, m.target, SIGCONT);
	settle(t, m.target, "S");
	ck_assert_int_eq(mother_reply(&m), 'c');

	seize_tracer_destroy(t);
	mother_end(&m);
}
END_TEST

/* ---- 9. the event fd, whatever SIGCHLD's disposition ------------------------------- */

static void do_nothing(void *arg)
{
	(void)arg;
}

static void event_fd_case(bool ignore_sigchld)
{
	struct sigaction sa = { .sa_handler = ignore_sigchld ? SIG_IGN : on_signal_nop,
				.sa_flags = ignore_sigchld ? 0 : SA_NOCLDSTOP | SA_RESTART };
	struct sigaction old;
	struct seize_tracer *t;
	int usr1[2], fd, i;
	pid_t pid;

	ck_assert_int_eq(sigaction(SIGCHLD, &sa, &old), 0);
	tst_pipe(usr1);
	pid = start_target(0, usr1[1], false);
	wait_threads_in(pid, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	fd = seize_tracer_fd(t);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seize_tracer_fd(t), fd);

	ck_assert_msg(!readable(fd, 0), "readable with nothing to handle");
	tst_kill(pid, SIGUSR1);
	ck_assert_msg(readable(fd, BOUND_MS), "not readable after a stop");
	ck_assert_int_ge(seize_tracer_dispatch(t, 0), 1);
	i = find(0, SEIZE_TRACER_SIGNAL, pid, ANY_SIG);
	ck_assert_msg(i >= 0 && recs[i].sig == SIGUSR1, "events: %s", recs_text());
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	settle(t, pid, "S");
	ck_assert_msg(!readable(fd, 0), "still readable once handled");

	if (!ignore_sigchld) {
		/* A child of the host that is no tracee: the tracer must leave it
		 * to the host, however often it looks. */
		pid_t own = tst_fork(do_nothing, NULL);
		siginfo_t si;
		int status;

		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(waitid(P_PID, (id_t)own, &si, WEXITED | WNOWAIT), 0);
		ck_assert_int_eq(si.si_pid, own);
		ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
		tst_kill(pid, SIGUSR1);
		await_n(t, SEIZE_TRACER_SIGNAL, pid, SIGUSR1, 2);
		ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
		ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
		ck_assert_int_eq(waitpid(own, &status, WNOHANG), own);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	seize_tracer_destroy(t);
	tst_reap(pid);
	close(usr1[0]);
	close(usr1[1]);
	sigaction(SIGCHLD, &old, NULL);
}

START_TEST(event_fd_with_sa_nocldstop)
{
	event_fd_case(false);
}
END_TEST

START_TEST(event_fd_with_sigchld_ignored)
{
	event_fd_case(true);
}
END_TEST

/* ---- 10. refusals ------------------------------------------------------------------- */

/* After a refused attach: nothing recorded, nothing counted, and the
 * tracer can still be destroyed. */
static void expect_nothing_kept(struct seize_tracer *t, int events)
{
	ck_assert_msg(nrecs == events, "events: %s", recs_text());
	expect_counts(t, events ? 1 : 0, events ? 1 : 0);
	ck_assert_int_eq(seize_tracer_dispatch(t, 0), events ? 0 : -ECHILD);
	seize_tracer_destroy(t);
}

START_TEST(refuse_missing_pid)
{
	pid_t gone = tst_fork(do_nothing, NULL);
	struct seize_tracer *t = new_tracer(0);
	char want[64];

	ck_assert_int_eq(waitpid(gone, NULL, 0), gone);
	ck_assert_int_eq(seize_tracer_attach(t, gone), -ESRCH);
	snprintf(want, sizeof(want), "process %d does not exist", (int)gone);
	expect_explanation(gone, -ESRCH, want);
	expect_nothing_kept(t, 0);
}
END_TEST

START_TEST(refuse_self)
{
	struct seize_tracer *t = new_tracer(0);
	char want[128];

	ck_assert_int_eq(seize_tracer_attach(t, getpid()), -EPERM);
	snprintf(want, sizeof(want), "process %d is this process itself; a process cannot trace itself",
		 (int)getpid());
	expect_explanation(getpid(), -EPERM, want);
	ck_assert_int_eq(tst_tracer_pid(getpid()), 0);
	expect_nothing_kept(t, 0);
}
END_TEST

struct holder {
	pid_t target;
	int ready;	/* write end: 'y' once attached, 'n' if refused */
	int hold;	/* read end: EOF lets go */
	int hold_w;	/* the test's end, closed here so that EOF comes */
};

static void seize_and_hold(void *arg)
{
	const struct holder *h = arg;
	char c = seize_attach(h->target, 0) == 0 ? 'y' : 'n';

	close(h->hold_w);
	write_or_die(h->ready, &c, 1);
	while (read(h->hold, &c, 1) < 0 && errno == EINTR)
		;
}

START_TEST(refuse_already_traced)
{
	pid_t target = start_target(0, -1, false), helper;
	struct seize_tracer *t = new_tracer(0);
	struct holder h = { .target = target };
	int ready[2], hold[2];
	char comm[64], want[160];

	tst_pipe(ready);
	tst_pipe(hold);
	h.ready = ready[1];
	h.hold = hold[0];
	h.hold_w = hold[1];
	helper = tst_fork(seize_and_hold, &h);
	close(hold[0]);
	ck_assert_int_eq(tst_read_byte(ready[0], BOUND_MS), 'y');

	ck_assert_int_eq(seize_tracer_attach(t, target), -EPERM);
	comm_of(helper, comm, sizeof(comm));
	snprintf(want, sizeof(want), "process %d is already traced by %d (%s)", (int)target,
		 (int)helper, comm);
	expect_explanation(target, -EPERM, want);
	ck_assert_int_eq(tst_tracer_pid(target), helper);
	expect_nothing_kept(t, 0);

	/* The helper lets go: nobody is left tracing it. */
	close(hold[1]);
	ck_assert_int_eq(waitpid(helper, NULL, 0), helper);
	ck_assert_int_eq(tst_tracer_pid(target), 0);
	tst_reap(target);
	close(ready[0]);
	close(ready[1]);
}
END_TEST

START_TEST(refuse_zombie)
{
	pid_t zombie = tst_fork(do_nothing, NULL);
	struct seize_tracer *t = new_tracer(0);
	char want[128];
	siginfo_t si;

	/* WNOWAIT: it has exited and stays a zombie until reaped below. */
	ck_assert_int_eq(waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT), 0);
	ck_assert_int_eq(tst_proc_state(zombie), 'Z');
	ck_assert_int_eq(seize_tracer_attach(t, zombie), -EPERM);
	snprintf(want, sizeof(want),
		 "process %d is a zombie (it has exited; its parent has not reaped it)", (int)zombie);
	expect_explanation(zombie, -EPERM, want);
	ck_assert_int_eq(tst_tracer_pid(zombie), 0);
	expect_nothing_kept(t, 0);
	ck_assert_int_eq(waitpid(zombie, NULL, 0), zombie);
}
END_TEST

START_TEST(refuse_twice)
{
	pid_t pid = tst_fork_pauser();
	struct seize_tracer *t = new_tracer(0);
	char comm[64], want[160];

	tst_wait_state(pid, "S", BOUND_MS);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), -EALREADY);
	comm_of(getpid(), comm, sizeof(comm));
	snprintf(want, sizeof(want), "process %d is already traced by %d (%s)", (int)pid,
		 (int)getpid(), comm);
	expect_explanation(pid, -EALREADY, want);
	ck_assert_int_eq(tst_tracer_pid(pid), getpid());
	ck_assert_int_eq(tst_proc_state(pid), 'S');
	/* The first attach stands, alone. */
	expect_nothing_kept(t, 1);
	ck_assert_int_eq(tst_tracer_pid(pid), 0);
	tst_wait_state(pid, "S", BOUND_MS);
	tst_reap(pid);
}
END_TEST

START_TEST(refuse_invalid_pid)
{
	struct seize_tracer *t = new_tracer(0);

	ck_assert_int_eq(seize_tracer_attach(t, 0), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(t, -1), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(t, -getpid()), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(NULL, getpid()), -EINVAL);
	expect_explanation(0, -EINVAL, "0 is not a valid process id");
	expect_explanation(-1, -EINVAL, "-1 is not a valid process id");
	expect_nothing_kept(t, 0);
}
END_TEST

/* ---- 11. spawn ---------------------------------------------------------------------- */

/* The spawned process's descriptors, listed while it is held at its exec. */
static int spawn_fds[64];
static int spawn_nfds = -1;
static char spawn_fd_text[1024];

static void list_fds_at_exec(const struct seize_tracer_event *ev)
{
	char path[64], link[128], target[256];
	struct dirent *de;
	size_t len = 0;
	DIR *dir;

	if (ev->type != SEIZE_TRACER_EXEC)
		return;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)ev->pid);
	dir = opendir(path);
	if (!dir)
		return;
	spawn_nfds = 0;
	while ((de = readdir(dir))) {
		ssize_t n;

		if (de->d_name[0] == '.' || spawn_nfds >= 64)
			continue;
		spawn_fds[spawn_nfds++] = atoi(de->d_name);
		snprintf(link, sizeof(link), "%s/%d", path, spawn_fds[spawn_nfds - 1]);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		len += (size_t)snprintf(spawn_fd_text + len, sizeof(spawn_fd_text) - len, "%s -> %s; ",
					de->d_name, target);
		if (len >= sizeof(spawn_fd_text))
			len = sizeof(spawn_fd_text) - 1;
	}
	closedir(dir);
}

/* SEIZE_TRACER_ALL_CHILDREN: a monitor whose only children are its
 * tracees; one blocking dispatch handles exactly one stop. */
START_TEST(all_children_one_stop_per_wait)
{
	char *argv[] = { "/bin/sh", "-c", "kill -USR1 $$; kill -USR2 $$; exit 4", NULL };
	struct seize_tracer *t = new_tracer(SEIZE_TRACER_ALL_CHILDREN);
	pid_t pid = -1;
	int calls = 0, ret;

	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), 0);
	arm(BOUND_MS);
	while ((ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT)) > 0) {
		ck_assert_int_eq(ret, 1);
		calls++;
	}
	disarm();
	ck_assert_int_eq(ret, -ECHILD);
	/* exec, SIGUSR1 (kills sh: no handler), its death: one call each. */
	ck_assert_msg(find(0, SEIZE_TRACER_EXEC, pid, ANY_SIG) >= 0 &&
		      find(0, SEIZE_TRACER_SIGNAL, pid, SIGUSR1) >= 0 &&
		      find(0, SEIZE_TRACER_KILLED, pid, SIGUSR1) >= 0, "events: %s", recs_text());
	ck_assert_int_eq(calls, 3);
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
}
END_TEST

START_TEST(spawn_exit_status_and_fds)
{
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct seize_tracer *t = new_tracer(0);
	pid_t pid = -1;
	int fd, i;

	/* What the host leaves open without close-on-exec is its own business:
	 * mark its descriptors (the test runner's), so that anything the
	 * command holds beyond 0, 1 and 2 comes from the library. */
	for (fd = 3; fd < 1024; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0)
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	/* Start the event fd's helper first, so that its descriptors exist. */
	ck_assert_int_ge(seize_tracer_fd(t), 0);
	hook = list_fds_at_exec;

	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), 0);
	ck_assert_int_gt(pid, 0);
	ck_assert_msg(nrecs == 1 && rec_matches(&recs[0], SEIZE_TRACER_ATTACHED, pid, 0),
		      "events: %s", recs_text());
	await(t, SEIZE_TRACER_EXITED, pid, ANY_SIG);

	ck_assert_msg(nrecs == 3 && rec_matches(&recs[1], SEIZE_TRACER_EXEC, pid, 0) &&
		      rec_matches(&recs[2], SEIZE_TRACER_EXITED, pid, 0), "events: %s", recs_text());
	ck_assert_int_eq(recs[1].tid, pid);
	ck_assert_int_eq(recs[1].former_tid, pid);
	ck_assert_int_eq(recs[2].exit_code, 3);
	ck_assert_msg(spawn_nfds >= 0, "the descriptors were not listed at the exec");
	for (i = 0; i < spawn_nfds; i++)
		ck_assert_msg(spawn_fds[i] >= 0 && spawn_fds[i] <= 2,
			      "the command holds more than 0, 1, 2: %s", spawn_fd_text);
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	errno = 0;
	ck_assert(waitpid(-1, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD);
}
END_TEST

START_TEST(spawn_missing_command)
{
	char *argv[] = { "libseize-test-no-such-command", "x", NULL };
	struct seize_tracer *t = new_tracer(0);
	pid_t pid = -1;

	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), -ENOENT);
	ck_assert_int_eq(pid, -1);
	ck_assert_msg(nrecs == 0, "events: %s", recs_text());
	expect_counts(t, 0, 0);
	/* The child was reaped. */
	errno = 0;
	ck_assert(waitpid(-1, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD);
	seize_tracer_destroy(t);
}
END_TEST

/* ---- 12. who sent a signal ------------------------------------------------------------ */

START_TEST(signal_has_sender)
{
	struct seize_tracer *t;
	int usr1[2], i;
	pid_t pid;

	tst_pipe(usr1);
	pid = start_target(0, usr1[1], false);
	wait_threads_in(pid, "S");
	t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);

	tst_kill(pid, SIGUSR1);
	i = await(t, SEIZE_TRACER_SIGNAL, pid, ANY_SIG);
	ck_assert_int_eq(recs[i].sig, SIGUSR1);
	ck_assert_int_eq(recs[i].tid, pid);
	ck_assert(recs[i].has_sender);
	ck_assert_int_eq(recs[i].sender_pid, getpid());
	ck_assert_int_eq(recs[i].sender_uid, getuid());
	/* And it was delivered. */
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	settle(t, pid, "S");

	seize_tracer_destroy(t);
	tst_reap(pid);
	close(usr1[0]);
	close(usr1[1]);
}
END_TEST

/* ---- 13. destroy ------------------------------------------------------------------------ */

START_TEST(destroy_leaves_as_found)
{
	pid_t stopped = start_stopped_pauser(), running = tst_fork_pauser();
	struct seize_tracer *t = new_tracer(0);

	tst_wait_state(running, "S", BOUND_MS);
	ck_assert_int_eq(seize_tracer_attach(t, stopped), 0);
	ck_assert_int_eq(seize_tracer_attach(t, running), 0);
	await(t, SEIZE_TRACER_GROUP_STOP, stopped, SIGSTOP);
	settle(t, stopped, "t");
	settle(t, running, "S");
	expect_counts(t, 2, 2);

	seize_tracer_destroy(t);
	ck_assert_msg(count(SEIZE_TRACER_DETACHED, stopped, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_DETACHED, running, ANY_SIG) == 1, "events: %s", recs_text());
	tst_wait_state(stopped, "T", BOUND_MS);
	tst_wait_state(running, "S", BOUND_MS);
	ck_assert_int_eq(tst_tracer_pid(stopped), 0);
	ck_assert_int_eq(tst_tracer_pid(running), 0);
	/* The stopped one is in a real group-stop: SIGCONT runs it. */
	tst_kill(stopped, SIGCONT);
	tst_wait_state(stopped, "S", BOUND_MS);

	tst_reap(stopped);
	tst_reap(running);
}
END_TEST

/* ---- 14. thread churn ----------------------------------------------------------------- */

/* Workers that each make and join short-lived threads, raise SIGUSR1 now
 * and then, fork a child that makes a thread of its own, and at the end a
 * thread that execs: creations, deaths and their creators' CLONE events
 * reach the tracer in every order. */
struct churner {
	int go;		/* read end: start */
	int workers, rounds;
};

#if defined(__SANITIZE_ADDRESS__)
static const bool churn_child_threads = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
static const bool churn_child_threads = false;
#else
static const bool churn_child_threads = true;
#endif
#else
static const bool churn_child_threads = true;
#endif

static void *churn_leaf(void *arg)
{
	return arg;
}

static void *churn_worker(void *arg)
{
	const struct churner *c = arg;
	int r;

	for (r = 0; r < c->rounds; r++) {
		pthread_t leaf;

		if (pthread_create(&leaf, NULL, churn_leaf, NULL) != 0)
			_exit(3);
		pthread_join(leaf, NULL);
		if (r % 7 == 3)
			raise(SIGUSR1);
		if (r % 5 == 4) {
			pid_t child = fork();

			if (child < 0)
				_exit(4);
			if (child == 0) {
				/* ASan's allocator can be left locked in a child forked
				 * from many threads: no thread there. */
				if (!churn_child_threads)
					_exit(0);
				if (pthread_create(&leaf, NULL, churn_leaf, NULL) != 0)
					_exit(5);
				pthread_join(leaf, NULL);
				_exit(0);
			}
			if (waitpid(child, NULL, 0) != child)
				_exit(6);
		}
	}
	return NULL;
}

static void *churn_exec(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	_exit(9);
}

static void churner_main(void *arg)
{
	const struct churner *c = arg;
	pthread_t workers[64], last;
	int i;
	char go;

	signal(SIGUSR1, on_signal_nop);
	if (read(c->go, &go, 1) != 1)
		_exit(2);
	for (i = 0; i < c->workers; i++)
		if (pthread_create(&workers[i], NULL, churn_worker, (void *)c) != 0)
			_exit(3);
	for (i = 0; i < c->workers; i++)
		pthread_join(workers[i], NULL);
	if (pthread_create(&last, NULL, churn_exec, NULL) != 0)
		_exit(3);
	for (;;)
		pause();
}

/* What the churn must look like: tids alive per the events, and the counts. */
struct churn_book {
	pid_t root;
	pid_t live[512];	/* threads and children reported and not yet ended */
	int nlive;
	int new_threads, thread_exits, new_children, child_exits, execs, root_exits;
	char error[256];
};

static struct churn_book book;

static int book_find(pid_t tid)
{
	int i;

	for (i = 0; i < book.nlive; i++)
		if (book.live[i] == tid)
			return i;
	return -1;
}

static void book_fail(const char *what, const struct seize_tracer_event *ev)
{
	if (!book.error[0])
		snprintf(book.error, sizeof(book.error), "%s: %s %d/%d", what,
			 seize_tracer_event_name(ev->type), (int)ev->pid, (int)ev->tid);
}

static void book_end(pid_t tid, const struct seize_tracer_event *ev)
{
	int i = book_find(tid);

	if (i < 0)
		book_fail("end of a tracee never reported", ev);
	else
		book.live[i] = book.live[--book.nlive];
}

static void churn_record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	int i;

	(void)t;
	(void)data;
	switch (ev->type) {
	case SEIZE_TRACER_NEW_THREAD:
		book.new_threads++;
		if (book_find(ev->tid) >= 0 || book.nlive == 512)
			book_fail("thread reported twice", ev);
		else
			book.live[book.nlive++] = ev->tid;
		break;
	case SEIZE_TRACER_THREAD_EXITED:
		book.thread_exits++;
		book_end(ev->tid, ev);
		break;
	case SEIZE_TRACER_NEW_CHILD:
		book.new_children++;
		if (ev->pid != ev->tid || ev->parent != book.root)
			book_fail("a child that is not the root's process", ev);
		else if (book_find(ev->pid) >= 0 || book.nlive == 512)
			book_fail("child reported twice", ev);
		else
			book.live[book.nlive++] = ev->pid;
		break;
	case SEIZE_TRACER_EXEC:
		book.execs++;
		if (ev->pid != book.root)
			book_fail("exec of a process that does not exec", ev);
		else if (ev->former_tid != ev->pid)
			book_end(ev->former_tid, ev);	/* its tid went to the leader */
		break;
	case SEIZE_TRACER_EXITED:
	case SEIZE_TRACER_KILLED:
		if (ev->pid == book.root) {
			book.root_exits++;
			break;
		}
		book.child_exits++;
		book_end(ev->pid, ev);
		/* A process's death ends the threads of it still alive. */
		for (i = 0; i < book.nlive; i++)
			if (tst_task_status_field(ev->pid, book.live[i], "Tgid") == ev->pid)
				book.live[i--] = book.live[--book.nlive];
		break;
	default:
		break;
	}
}

static void churn_once(int workers, int rounds)
{
	struct seize_tracer_config cfg = {
		.flags = SEIZE_TRACER_FOLLOW_CHILDREN, .events = SEIZE_TRACER_ALL,
		.callback = churn_record,
	};
	struct seize_tracer *t = NULL;
	struct churner c = { .workers = workers, .rounds = rounds };
	int go[2], ret, forks = workers * (rounds / 5);
	unsigned int procs = ~0u, threads = ~0u;

	memset(&book, 0, sizeof(book));
	tst_pipe(go);
	c.go = go[0];
	book.root = tst_fork(churner_main, &c);
	ck_assert_int_eq(seize_tracer_new(&cfg, &t), 0);
	ck_assert_int_eq(seize_tracer_attach(t, book.root), 0);
	tst_write_byte(go[1], 'g');

	arm(BOUND_MS * 10);
	while ((ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT)) >= 0 || ret == -EINTR)
		ck_assert_msg(!alarmed, "churn did not end: %d threads, %d exits, %d children",
			      book.new_threads, book.thread_exits, book.new_children);
	disarm();
	ck_assert_int_eq(ret, -ECHILD);
	ck_assert_msg(!book.error[0], "%s", book.error);
	ck_assert_int_eq(book.root_exits, 1);
	ck_assert_int_eq(book.execs, 1);
	/* Each worker, each of its leaves and each child's thread: all seen. */
	ck_assert_int_eq(book.new_children, forks);
	ck_assert_int_eq(book.child_exits, forks);
	ck_assert_int_eq(book.new_threads,
			 workers + workers * rounds + (churn_child_threads ? forks : 0) + 1);
	ck_assert_msg(book.nlive == 0, "%d tracees reported and never ended, first %d",
		      book.nlive, (int)book.live[0]);
	ck_assert_int_eq(seize_tracer_count(t, &procs, &threads), 0);
	ck_assert_msg(procs == 0 && threads == 0, "counts %u processes, %u threads", procs, threads);
	ck_assert_int_eq(seize_tracer_dispatch(t, 0), -ECHILD);
	seize_tracer_destroy(t);
	tst_reap(book.root);
	close(go[0]);
	close(go[1]);
}

START_TEST(thread_churn_ends_at_zero)
{
	int i, runs = tst_under_valgrind() ? 1 : 5;

	for (i = 0; i < runs; i++)
		churn_once(tst_under_valgrind() ? 4 : 32, 20);
}
END_TEST

/* ---- 15. calls from a thread that is not the tracer's ------------------------------------ */

struct foreign_calls {
	struct seize_tracer *t;
	pid_t traced, untraced;
	int attach, detach, freeze, thaw, dispatch, spawn;
};

static void *call_from_foreign_thread(void *arg)
{
	struct foreign_calls *c = arg;
	char *argv[] = { "true", NULL };
	pid_t pid = 0;

	c->attach = seize_tracer_attach(c->t, c->untraced);
	c->detach = seize_tracer_detach(c->t, c->traced);
	c->freeze = seize_tracer_freeze(c->t, c->traced);
	c->thaw = seize_tracer_thaw(c->t, c->traced);
	c->dispatch = seize_tracer_dispatch(c->t, 0);
	c->spawn = seize_tracer_spawn(c->t, argv, &pid);
	return NULL;
}

START_TEST(calls_from_another_thread_refused)
{
	struct foreign_calls c = { .traced = tst_fork_pauser(), .untraced = tst_fork_pauser() };
	pthread_t other;

	c.t = new_tracer(0);
	ck_assert_int_eq(seize_tracer_attach(c.t, c.traced), 0);
	tst_kill(c.traced, SIGSTOP);
	await(c.t, SEIZE_TRACER_GROUP_STOP, c.traced, SIGSTOP);
	ck_assert_int_eq(pthread_create(&other, NULL, call_from_foreign_thread, &c), 0);
	ck_assert_int_eq(pthread_join(other, NULL), 0);
	ck_assert_int_eq(c.attach, -EINVAL);
	ck_assert_int_eq(c.detach, -EINVAL);
	ck_assert_int_eq(c.freeze, -EINVAL);
	ck_assert_int_eq(c.thaw, -EINVAL);
	ck_assert_int_eq(c.dispatch, -EINVAL);
	ck_assert_int_eq(c.spawn, -EINVAL);
	/* Nothing was done: still traced, still stopped once, the other untouched. */
	ck_assert_int_eq(tst_tracer_pid(c.traced), getpid());
	ck_assert_int_eq(tst_tracer_pid(c.untraced), 0);
	expect_counts(c.t, 1, 1);
	tst_kill(c.traced, SIGCONT);
	await(c.t, SEIZE_TRACER_CONTINUED, c.traced, ANY_SIG);
	ck_assert_msg(count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_ATTACHED, 0, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_FROZEN, 0, ANY_SIG) == 0 &&
		      count(SEIZE_TRACER_DETACHED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	seize_tracer_destroy(c.t);
	tst_reap(c.traced);
	tst_reap(c.untraced);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, attach_running_16_threads);
	ADD_CASE(s, group_stop_by_real_parent_twice);
	ADD_CASE(s, sigtstp_to_orphaned_pgrp_stops_nothing);
	ADD_CASE(s, follow_fork);
	ADD_CASE(s, clone_process_unfollowed);
	ADD_CASE(s, clone_process_followed);
	ADD_CASE(s, follow_vfork_exit);
	ADD_CASE(s, follow_vfork_exec);
	ADD_CASE(s, exec_from_non_leader_thread);
	ADD_CASE(s, detach_stopped);
	ADD_CASE(s, detach_running);
	ADD_CASE(s, detach_in_syscall);
	ADD_CASE(s, detach_listening);
	ADD_CASE(s, tracer_killed_in_group_stop);
	ADD_CASE(s, tracer_killed_while_running);
	ADD_CASE(s, freeze_thaw_running);
	ADD_CASE(s, freeze_thaw_stopped);
	ADD_CASE(s, event_fd_with_sa_nocldstop);
	ADD_CASE(s, event_fd_with_sigchld_ignored);
	ADD_CASE(s, refuse_missing_pid);
	ADD_CASE(s, refuse_self);
	ADD_CASE(s, refuse_already_traced);
	ADD_CASE(s, refuse_zombie);
	ADD_CASE(s, refuse_twice);
	ADD_CASE(s, refuse_invalid_pid);
	ADD_CASE(s, spawn_exit_status_and_fds);
	ADD_CASE(s, all_children_one_stop_per_wait);
	ADD_CASE(s, spawn_missing_command);
	ADD_CASE(s, signal_has_sender);
	ADD_CASE(s, destroy_leaves_as_found);
	ADD_CASE(s, thread_churn_ends_at_zero);
	ADD_CASE(s, calls_from_another_thread_refused);
}
