/* SPDX-License-Identifier: MIT */
/* How the tracer lets go: detach from a stopped, a running, a blocked and a
 * listening process; the tracer process killed (in a group-stop, while its
 * tracee runs); and seize_tracer_destroy(), each leaving the tracees as
 * found.
 *
 * The test process is the tracer; every target is forked by the case
 * (tst_fork, test-common-tracee.h), or by the mother where the real parent
 * must be a process other than the tracer; events are recorded from the
 * callback (test-common-recorder.h) and the sequence is asserted.  The
 * tracer does not use PTRACE_O_EXITKILL (its death must leave tracees as
 * found), so what bounds a failed case is PR_SET_PDEATHSIG.  Nothing sleeps
 * to synchronise: dispatches block, bounded by an itimer; processes report
 * over pipes; other processes' states are read from /proc with a bounded
 * poll. */
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
#include "test-common-recorder.h"
#include "test-common-tracee.h"

#define BOUND_MS tst_bound_ms()

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
	long deadline = tst_now_ms() + BOUND_MS;

	while (syscall_of(pid) != nr || tst_proc_state(pid) != 'S') {
		ck_assert_msg(tst_now_ms() < deadline, "%d is not blocked in syscall %ld (%ld, state %c)",
			      (int)pid, nr, syscall_of(pid), tst_proc_state(pid));
		usleep(1000);
	}
}

/* ---- 6. detach ---------------------------------------------------------------- */

static void expect_detached(struct seize_tracer *t, pid_t pid)
{
	int before = nrecs;

	ck_assert_int_eq(seize_tracer_detach(t, pid), 0);
	ck_assert_msg(rec_find(before, SEIZE_TRACER_DETACHED, pid, ANY_SIG) >= 0, "events: %s", recs_text());
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
	i = rec_await(t, SEIZE_TRACER_GROUP_STOP, pid, ANY_SIG);
	ck_assert_int_eq(recs[i].sig, SIGSTOP);
	rec_settle(t, pid, "t");

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
	struct seize_tracer *t = new_tracer_of(pid);

	expect_detached(t, pid);
	tst_wait_state(pid, "SR", BOUND_MS);
	ck_assert_msg(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 0 &&
		      rec_count(SEIZE_TRACER_SIGNAL, 0, ANY_SIG) == 0, "events: %s", recs_text());

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
	struct sigaction sa = { .sa_handler = tst_signal_nop };
	ssize_t n;
	char c = 'r';

	if (sigaction(SIGUSR2, &sa, NULL) < 0)
		_exit(2);
	tst_write_or_die(a->out, &c, 1);
	n = read(a->in, &c, 1);
	if (n != 1)
		c = n < 0 && errno == EINTR ? 'E' : '?';
	tst_write_or_die(a->out, &c, 1);
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
	ck_assert_msg(!tst_readable(out[0], 0), "the read ended early");
	tst_write_byte(in[1], 'x');
	ck_assert_int_eq(tst_read_byte(out[0], BOUND_MS), 'x');

	seize_tracer_destroy(t);
	tst_reap(pid);
	tst_close_pipe(in);
	tst_close_pipe(out);
}
END_TEST

START_TEST(detach_listening)
{
	pid_t pid = tst_fork_pauser();
	struct seize_tracer *t = new_tracer_of(pid);
	siginfo_t si;

	tst_kill(pid, SIGSTOP);
	rec_await(t, SEIZE_TRACER_GROUP_STOP, pid, SIGSTOP);
	rec_settle(t, pid, "t");

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
	tst_close_pipe(report);
}
END_TEST

START_TEST(tracer_killed_while_running)
{
	int usr1[2], report[2];
	pid_t target, tracer;

	target = start_usr1_target(0, usr1, false);
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
	tst_close_pipe(usr1);
	tst_close_pipe(report);
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
	rec_await(t, SEIZE_TRACER_GROUP_STOP, stopped, SIGSTOP);
	rec_settle(t, stopped, "t");
	rec_settle(t, running, "S");
	expect_counts(t, 2, 2);

	seize_tracer_destroy(t);
	ck_assert_msg(rec_count(SEIZE_TRACER_DETACHED, stopped, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_DETACHED, running, ANY_SIG) == 1, "events: %s", recs_text());
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

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, detach_stopped);
	ADD_CASE(s, detach_running);
	ADD_CASE(s, detach_in_syscall);
	ADD_CASE(s, detach_listening);
	ADD_CASE(s, tracer_killed_in_group_stop);
	ADD_CASE(s, tracer_killed_while_running);
	ADD_CASE(s, destroy_leaves_as_found);
}
