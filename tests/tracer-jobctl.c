/* SPDX-License-Identifier: MIT */
/* Job control through the tracer: group-stops made and ended by a real
 * parent distinct from the tracer (the mother), SIGTSTP to an orphaned
 * process group, freeze and thaw of a running and of a stopped process, and
 * the sender of a signal.
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

/* ---- 2. stopped and continued twice by the real parent ----------------------- */

START_TEST(group_stop_by_real_parent_twice)
{
	struct mother m;
	struct seize_tracer *t;
	int round, i, last = -1;

	mother_start_threads(&m, 8);
	t = new_tracer_of(m.target);
	expect_counts(t, 1, 9);

	for (round = 1; round <= 2; round++) {
		mother_order(&m, 'S');
		rec_await_n(t, SEIZE_TRACER_GROUP_STOP, m.target, ANY_SIG, round);
		/* Every thread's stop handled (all LISTENed, none resumed)
		 * before the next signal: each step starts with no trap of the
		 * last one still unread.  (A trap read after the job-control
		 * change that followed it is a race of its own, which this
		 * case does not try to provoke.) */
		rec_settle(t, m.target, "t");
		ck_assert_int_eq(mother_reply(&m), 's');

		mother_order(&m, 'C');
		rec_await_n(t, SEIZE_TRACER_CONTINUED, m.target, ANY_SIG, round);
		rec_settle(t, m.target, "S");
		ck_assert_int_eq(mother_reply(&m), 'c');
	}

	/* Exactly two stops and two ends, alternating, and nothing else but
	 * the signals themselves. */
	ck_assert_msg(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 2 &&
		      rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 2, "events: %s", recs_text());
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
	ck_assert_int_eq(rec_count(SEIZE_TRACER_SIGNAL, 0, SIGSTOP), 2);
	ck_assert_int_eq(rec_count(SEIZE_TRACER_SIGNAL, 0, SIGCONT), 2);
	/* It runs, and the real parent has nothing more to see. */
	ck_assert_msg(all_threads_in(m.target, "S"), "states %s", states_text(m.target));
	ck_assert_int_eq(mother_ask(&m, 'N'), '0');
	expect_tracer_of_all(m.target, getpid(), 9);

	seize_tracer_destroy(t);
	mother_end(&m);
}
END_TEST

/* ---- 3. SIGTSTP to an orphaned process group --------------------------------- */

/* Dispatch (the tracee may be at a stop) until fd has a byte; bounded. */
static char dispatch_until_byte(struct seize_tracer *t, int fd)
{
	long deadline = tst_now_ms() + BOUND_MS;

	while (!tst_readable(fd, 2)) {
		ck_assert_int_ge(seize_tracer_dispatch(t, 0), 0);
		ck_assert_msg(tst_now_ms() < deadline, "no byte within %d ms; events: %s", BOUND_MS,
			      recs_text());
	}
	return tst_read_byte(fd, 0);
}

START_TEST(sigtstp_to_orphaned_pgrp_stops_nothing)
{
	struct seize_tracer *t;
	int usr1[2], i;
	pid_t pid;

	pid = start_usr1_target(0, usr1, true);
	/* Leader of its own session and group, whose only member's parent
	 * (us) is outside the session: an orphaned process group. */
	ck_assert_int_eq(getsid(pid), pid);
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_ne(getsid(0), pid);
	t = new_tracer_of(pid);

	tst_kill(pid, SIGTSTP);
	if (!tst_under_valgrind()) {
		i = rec_await(t, SEIZE_TRACER_SIGNAL, pid, ANY_SIG);
		ck_assert_int_eq(recs[i].sig, SIGTSTP);
	}
	/* Handed back, the stop is discarded by the kernel at delivery.  A
	 * later signal proves the target ran on: stopped, it would not run its
	 * handler. */
	tst_kill(pid, SIGUSR1);
	if (!tst_under_valgrind())
		rec_await(t, SEIZE_TRACER_SIGNAL, pid, SIGUSR1);
	ck_assert_int_eq(dispatch_until_byte(t, usr1[0]), 'u');
	rec_settle(t, pid, "S");
	ck_assert_msg(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 0 &&
		      rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 0 &&
		      (nrecs == 3 || tst_under_valgrind()), "events: %s", recs_text());
	ck_assert_int_eq(tst_proc_state(pid), 'S');

	seize_tracer_destroy(t);
	ck_assert_int_eq(tst_tracer_pid(pid), 0);
	tst_reap(pid);
	tst_close_pipe(usr1);
}
END_TEST

/* ---- 8. freeze and thaw ---------------------------------------------------------- */

START_TEST(freeze_thaw_running)
{
	struct mother m;
	struct seize_tracer *t;
	int usr1[2], i;

	tst_pipe(usr1);
	mother_start(&m, start_target_of, &(struct target_spec){ .nthreads = 4, .usr1 = usr1[1] });
	t = new_tracer_of(m.target);

	ck_assert_int_eq(seize_tracer_freeze(t, m.target), 0);
	i = rec_find(0, SEIZE_TRACER_FROZEN, m.target, ANY_SIG);
	ck_assert_msg(i >= 0, "events: %s", recs_text());
	/* Returned when every thread is stopped. */
	ck_assert_msg(all_threads_in(m.target, "t"), "states %s", states_text(m.target));
	ck_assert_int_eq(seize_tracer_freeze(t, m.target), -EALREADY);
	ck_assert_int_eq(mother_ask(&m, 'N'), '0');
	/* A signal that arrives while frozen waits for the thaw. */
	tst_kill(m.target, SIGUSR1);
	ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
	ck_assert_msg(!tst_readable(usr1[0], 0), "a handler ran while frozen");
	ck_assert_msg(all_threads_in(m.target, "t"), "states %s", states_text(m.target));

	ck_assert_int_eq(seize_tracer_thaw(t, m.target), 0);
	ck_assert_int_eq(seize_tracer_thaw(t, m.target), -EINVAL);
	rec_await(t, SEIZE_TRACER_SIGNAL, m.target, SIGUSR1);
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	rec_settle(t, m.target, "S");
	/* The real parent saw no stop and no continue. */
	ck_assert_int_eq(mother_ask(&m, 'N'), '0');
	ck_assert_msg(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 0 &&
		      rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	expect_counts(t, 1, 5);

	seize_tracer_destroy(t);
	mother_end(&m);
	tst_close_pipe(usr1);
}
END_TEST

START_TEST(freeze_thaw_stopped)
{
	struct mother m;
	struct seize_tracer *t;

	mother_start_threads(&m, 2);
	t = new_tracer_of(m.target);
	mother_order(&m, 'S');
	rec_await(t, SEIZE_TRACER_GROUP_STOP, m.target, SIGSTOP);
	rec_settle(t, m.target, "t");
	ck_assert_int_eq(mother_reply(&m), 's');

	ck_assert_int_eq(seize_tracer_freeze(t, m.target), 0);
	ck_assert_msg(rec_find(0, SEIZE_TRACER_FROZEN, m.target, ANY_SIG) >= 0, "events: %s", recs_text());
	ck_assert_msg(all_threads_in(m.target, "t"), "states %s", states_text(m.target));
	ck_assert_int_eq(seize_tracer_thaw(t, m.target), 0);
	/* Back in its group-stop (listened to: 't'), not resumed... */
	rec_settle(t, m.target, "t");
	ck_assert_msg(rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == 0 &&
		      rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == 1, "events: %s", recs_text());
	ck_assert_int_eq(mother_ask(&m, 'N'), '0');

	/* ...and still listened to: the end of the stop is reported. */
	mother_order(&m, 'C');
	rec_await(t, SEIZE_TRACER_CONTINUED, m.target, SIGCONT);
	rec_settle(t, m.target, "S");
	ck_assert_int_eq(mother_reply(&m), 'c');

	seize_tracer_destroy(t);
	mother_end(&m);
}
END_TEST

/* ---- 12. who sent a signal ------------------------------------------------------------ */

START_TEST(signal_has_sender)
{
	struct seize_tracer *t;
	int usr1[2], i;
	pid_t pid;

	pid = start_usr1_target(0, usr1, false);
	t = new_tracer_of(pid);

	tst_kill(pid, SIGUSR1);
	i = rec_await(t, SEIZE_TRACER_SIGNAL, pid, ANY_SIG);
	ck_assert_int_eq(recs[i].sig, SIGUSR1);
	ck_assert_int_eq(recs[i].tid, pid);
	ck_assert(recs[i].has_sender);
	ck_assert_int_eq(recs[i].sender_pid, getpid());
	ck_assert_int_eq(recs[i].sender_uid, getuid());
	/* And it was delivered. */
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	rec_settle(t, pid, "S");

	seize_tracer_destroy(t);
	tst_reap(pid);
	tst_close_pipe(usr1);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, group_stop_by_real_parent_twice);
	ADD_CASE(s, sigtstp_to_orphaned_pgrp_stops_nothing);
	ADD_CASE(s, freeze_thaw_running);
	ADD_CASE(s, freeze_thaw_stopped);
	ADD_CASE(s, signal_has_sender);
}
