/* SPDX-License-Identifier: MIT */
/* Stress: spawned commands hold 0, 1 and 2 only (no descriptor of the
 * tracer leaked), and no process of the test that was not named (a
 * bystander, a child of a tracee that is not followed) is ever attached. Bounded in time
 * and count; every random choice comes from a fixed-seed PRNG and
 * SEIZE_STRESS_SEED=S replays a case (stress-common.h).  Too slow for
 * valgrind: CI runs it natively and under ASan/UBSan. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-recorder.h"
#include "test-common-tracee.h"
#include "stress-common.h"

/* ---- 6. no descriptor leaked, nobody traced unasked --------------------------------------- */

/* Spawned commands, with the event fd's helper running and other tracees
 * attached, hold 0, 1 and 2 only; and no process of the test that was not
 * named (a bystander child, a child of a tracee that is not followed) is
 * ever attached. */
START_TEST(spawn_no_fd_leaked_nothing_unnamed_attached)
{
	struct victim v = { .nthreads = 2, .usr1 = -1 };
	struct seize_tracer *t;
	pid_t bystander, traced, pid;
	int fd, round;

	begin_case(0x5a);
	/* What the host leaves open without close-on-exec is its own business:
	 * mark its descriptors (the test runner's), so that anything the
	 * command holds beyond 0, 1 and 2 comes from the library. */
	for (fd = 3; fd < 1024; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0)
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	bystander = tst_fork_pauser();
	traced = start_victim(&v, NULL);
	t = new_tracer(0);
	CHECK(seize_tracer_fd(t) >= 0, "the event fd");
	rec_tracer_fd = seize_tracer_fd(t);
	CHECK_INT(seize_tracer_attach(t, traced), 0);
	expect_untouched(bystander);
	rec_hook = rec_list_fds_at_exec;

	for (round = 1; round <= 40; round++) {
		char code[24];
		char *argv[] = { "/bin/sh", "-c", NULL, NULL };
		int i;

		next_round(round);
		snprintf(code, sizeof(code), "exit %d", round);
		argv[2] = code;
		exec_extra_fds = -1;
		pid = -1;
		CHECK_INT(seize_tracer_spawn(t, argv, &pid), 0);
		CHECK(pid > 0, "pid %d", (int)pid);
		rec_await_n(t, SEIZE_TRACER_EXITED, pid, ANY_SIG, 1);
		i = rec_find(0, SEIZE_TRACER_EXITED, pid, ANY_SIG);
		CHECK(recs[i].exit_code == round, "exit code %d", recs[i].exit_code);
		CHECK(exec_extra_fds == 0, "the command holds more than 0, 1, 2: %s%s",
		      exec_fd_text, exec_extra_fds < 0 ? "(not listed at its exec)" : "");
		expect_counts(t, 1, 3);
		if (round % 8 == 0)
			expect_untouched(bystander);
	}
	expect_untouched(bystander);
	CHECK_INT(expect_tracer_of_all(traced, getpid(), -1), 3);
	seize_tracer_destroy(t);
	rec_tracer_fd = -1;
	CHECK_INT(expect_tracer_of_all(traced, 0, -1), 3);
	tst_reap(traced);
	tst_reap(bystander);
	tst_expect_no_children(NULL);
}
END_TEST

/* A tracee that forks a child: without FOLLOW_CHILDREN the child is never
 * attached (TracerPid 0, running). */
struct forker {
	int go;		/* read end: one byte, fork; EOF, end */
	int report;	/* write end: the child's pid */
	int go_w;	/* the test's end, closed here so that EOF comes */
};

static void forker_main(void *arg)
{
	const struct forker *f = arg;
	pid_t child;
	char c;

	close(f->go_w);
	if (read(f->go, &c, 1) != 1)
		_exit(2);
	child = fork();
	if (child < 0)
		_exit(3);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	tst_write_or_die(f->report, &child, sizeof(child));
	/* EOF on go: kill and reap the child, then go. */
	while (read(f->go, &c, 1) > 0)
		;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	_exit(0);
}

START_TEST(child_of_tracee_not_attached_unasked)
{
	struct forker f;
	struct seize_tracer *t;
	int go[2], report[2];
	pid_t pid, child;

	begin_case(0x5b);
	tst_pipe(go);
	tst_pipe(report);
	f.go = go[0];
	f.report = report[1];
	f.go_w = go[1];
	pid = tst_fork(forker_main, &f);
	close(go[0]);
	close(report[1]);
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, pid), 0);
	tst_write_byte(go[1], 'g');
	tst_read_exact(report[0], &child, sizeof(child), BOUND_MS);
	CHECK(child > 0, "child %d", (int)child);
	/* The fork's SIGCHLD-free path: dispatch whatever comes until the
	 * child is seen asleep. */
	tst_wait_state(child, "S", BOUND_MS);
	rec_settle(t, pid, "S");
	expect_untouched(child);
	CHECK(rec_count(SEIZE_TRACER_NEW_CHILD, 0, ANY_SIG) == 0, "events: %s", recs_text());
	expect_counts(t, 1, 1);
	close(go[1]);
	rec_await_n(t, SEIZE_TRACER_EXITED, pid, ANY_SIG, 1);
	CHECK(recs[rec_find(0, SEIZE_TRACER_EXITED, pid, ANY_SIG)].exit_code == 0, "events: %s", recs_text());
	seize_tracer_destroy(t);
	close(report[0]);
	tst_expect_no_children(NULL);
}
END_TEST

TEST_SUITE(stress, true)
{
	ADD_CASE(s, spawn_no_fd_leaked_nothing_unnamed_attached);
	ADD_CASE(s, child_of_tracee_not_attached_unasked);
}
