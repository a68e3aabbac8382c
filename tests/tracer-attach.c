/* SPDX-License-Identifier: MIT */
/* The tracer's attach (seize/tracer.h) on real processes: a running process
 * of 16 threads, the refusals and their explanations (a missing pid, our
 * own, one already traced, a zombie, twice, an invalid pid), and the calls
 * made from a thread that is not the tracer's.
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

static void comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	ck_assert_int_gt(tst_read_small(path, buf, size), 0);
	buf[strcspn(buf, "\n")] = '\0';
}

/* ---- 1. attach to a running multi-thread process ----------------------------- */

START_TEST(attach_running_16_threads)
{
	pid_t pid = start_target(16, -1, false);
	struct seize_tracer *t;

	t = new_tracer_of(pid);
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
	pid_t gone = tst_vanished_pid();
	struct seize_tracer *t = new_tracer(0);
	char want[64];

	ck_assert_int_eq(seize_tracer_attach(t, gone), -ESRCH);
	snprintf(want, sizeof(want), "process %d does not exist", (int)gone);
	tst_expect_explanation(gone, -ESRCH, want);
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
	tst_expect_explanation(getpid(), -EPERM, want);
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
	tst_write_or_die(h->ready, &c, 1);
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
	tst_expect_explanation(target, -EPERM, want);
	ck_assert_int_eq(tst_tracer_pid(target), helper);
	expect_nothing_kept(t, 0);

	/* The helper lets go: nobody is left tracing it. */
	close(hold[1]);
	ck_assert_int_eq(waitpid(helper, NULL, 0), helper);
	ck_assert_int_eq(tst_tracer_pid(target), 0);
	tst_reap(target);
	tst_close_pipe(ready);
}
END_TEST

START_TEST(refuse_zombie)
{
	pid_t zombie = tst_fork(tst_do_nothing, NULL);
	struct seize_tracer *t = new_tracer(0);
	char want[128];
	siginfo_t si;

	/* WNOWAIT: it has exited and stays a zombie until reaped below. */
	ck_assert_int_eq(waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT), 0);
	ck_assert_int_eq(tst_proc_state(zombie), 'Z');
	ck_assert_int_eq(seize_tracer_attach(t, zombie), -EPERM);
	snprintf(want, sizeof(want),
		 "process %d is a zombie (it has exited; its parent has not reaped it)", (int)zombie);
	tst_expect_explanation(zombie, -EPERM, want);
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
	tst_expect_explanation(pid, -EALREADY, want);
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
	tst_expect_explanation(0, -EINVAL, "0 is not a valid process id");
	tst_expect_explanation(-1, -EINVAL, "-1 is not a valid process id");
	expect_nothing_kept(t, 0);
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
	rec_await(c.t, SEIZE_TRACER_GROUP_STOP, c.traced, SIGSTOP);
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
	rec_await(c.t, SEIZE_TRACER_CONTINUED, c.traced, ANY_SIG);
	ck_assert_msg(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_ATTACHED, 0, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_FROZEN, 0, ANY_SIG) == 0 &&
		      rec_count(SEIZE_TRACER_DETACHED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	seize_tracer_destroy(c.t);
	tst_reap(c.traced);
	tst_reap(c.untraced);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, attach_running_16_threads);
	ADD_CASE(s, refuse_missing_pid);
	ADD_CASE(s, refuse_self);
	ADD_CASE(s, refuse_already_traced);
	ADD_CASE(s, refuse_zombie);
	ADD_CASE(s, refuse_twice);
	ADD_CASE(s, refuse_invalid_pid);
	ADD_CASE(s, calls_from_another_thread_refused);
}
