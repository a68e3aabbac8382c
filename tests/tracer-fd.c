/* SPDX-License-Identifier: MIT */
/* The tracer's event fd, whatever SIGCHLD's disposition, and spawn: a
 * command started under the tracer, its exit status and its descriptors
 * (nothing leaked), SEIZE_TRACER_ALL_CHILDREN, a missing command.
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

/* ---- 9. the event fd, whatever SIGCHLD's disposition ------------------------------- */

static void event_fd_case(bool ignore_sigchld)
{
	struct sigaction sa = { .sa_handler = ignore_sigchld ? SIG_IGN : tst_signal_nop,
				.sa_flags = ignore_sigchld ? 0 : SA_NOCLDSTOP | SA_RESTART };
	struct sigaction old;
	struct seize_tracer *t;
	int usr1[2], fd, i;
	pid_t pid;

	ck_assert_int_eq(sigaction(SIGCHLD, &sa, &old), 0);
	pid = start_usr1_target(0, usr1, false);
	t = new_tracer_of(pid);
	fd = seize_tracer_fd(t);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seize_tracer_fd(t), fd);

	ck_assert_msg(!tst_readable(fd, 0), "readable with nothing to handle");
	tst_kill(pid, SIGUSR1);
	ck_assert_msg(tst_readable(fd, BOUND_MS), "not readable after a stop");
	ck_assert_int_ge(seize_tracer_dispatch(t, 0), 1);
	i = rec_find(0, SEIZE_TRACER_SIGNAL, pid, ANY_SIG);
	ck_assert_msg(i >= 0 && recs[i].sig == SIGUSR1, "events: %s", recs_text());
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	rec_settle(t, pid, "S");
	ck_assert_msg(!tst_readable(fd, 0), "still readable once handled");

	if (!ignore_sigchld) {
		/* A child of the host that is no tracee: the tracer must leave it
		 * to the host, however often it looks. */
		pid_t own = tst_fork(tst_do_nothing, NULL);
		siginfo_t si;
		int status;

		memset(&si, 0, sizeof(si));
		ck_assert_int_eq(waitid(P_PID, (id_t)own, &si, WEXITED | WNOWAIT), 0);
		ck_assert_int_eq(si.si_pid, own);
		ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
		tst_kill(pid, SIGUSR1);
		rec_await_n(t, SEIZE_TRACER_SIGNAL, pid, SIGUSR1, 2);
		ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
		ck_assert_int_eq(seize_tracer_dispatch(t, 0), 0);
		ck_assert_int_eq(waitpid(own, &status, WNOHANG), own);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	seize_tracer_destroy(t);
	tst_reap(pid);
	tst_close_pipe(usr1);
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

/* ---- 11. spawn ---------------------------------------------------------------------- */

/* SEIZE_TRACER_ALL_CHILDREN: a monitor whose only children are its
 * tracees; one blocking dispatch handles exactly one stop. */
START_TEST(all_children_one_stop_per_wait)
{
	char *argv[] = { "/bin/sh", "-c", "kill -USR1 $$; kill -USR2 $$; exit 4", NULL };
	struct seize_tracer *t = new_tracer(SEIZE_TRACER_ALL_CHILDREN);
	pid_t pid = -1;
	int calls = 0, ret;

	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), 0);
	tst_arm(BOUND_MS);
	while ((ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT)) > 0) {
		ck_assert_int_eq(ret, 1);
		calls++;
	}
	tst_disarm();
	ck_assert_int_eq(ret, -ECHILD);
	/* exec, SIGUSR1 (kills sh: no handler), its death: one call each. */
	ck_assert_msg(rec_find(0, SEIZE_TRACER_EXEC, pid, ANY_SIG) >= 0 &&
		      rec_find(0, SEIZE_TRACER_SIGNAL, pid, SIGUSR1) >= 0 &&
		      rec_find(0, SEIZE_TRACER_KILLED, pid, SIGUSR1) >= 0, "events: %s", recs_text());
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
	int fd;

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
	rec_hook = rec_list_fds_at_exec;

	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), 0);
	ck_assert_int_gt(pid, 0);
	ck_assert_msg(nrecs == 1 && rec_matches(&recs[0], SEIZE_TRACER_ATTACHED, pid, 0),
		      "events: %s", recs_text());
	rec_await(t, SEIZE_TRACER_EXITED, pid, ANY_SIG);

	ck_assert_msg(nrecs == 3 && rec_matches(&recs[1], SEIZE_TRACER_EXEC, pid, 0) &&
		      rec_matches(&recs[2], SEIZE_TRACER_EXITED, pid, 0), "events: %s", recs_text());
	ck_assert_int_eq(recs[1].tid, pid);
	ck_assert_int_eq(recs[1].former_tid, pid);
	ck_assert_int_eq(recs[2].exit_code, 3);
	ck_assert_msg(exec_extra_fds >= 0, "the descriptors were not listed at the exec");
	ck_assert_msg(exec_extra_fds == 0, "the command holds more than 0, 1, 2: %s", exec_fd_text);
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	tst_expect_no_children(NULL);
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
	tst_expect_no_children(NULL);
	seize_tracer_destroy(t);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, event_fd_with_sa_nocldstop);
	ADD_CASE(s, event_fd_with_sigchld_ignored);
	ADD_CASE(s, spawn_exit_status_and_fds);
	ADD_CASE(s, all_children_one_stop_per_wait);
	ADD_CASE(s, spawn_missing_command);
}
