/* SPDX-License-Identifier: MIT */
/* Stress: the records of a process (and of a thread) are dropped at its
 * death, and a recycled pid (clone3 with set_tid where allowed) is never
 * touched by the tracer. Bounded in time
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

/* ---- 5. pid reuse ------------------------------------------------------------------------- */

/* A child of the test that pauses, with a pid of our choosing where the
 * kernel lets us (clone3 with set_tid, Linux 5.5, CAP_SYS_ADMIN over the pid
 * namespace); otherwise an ordinary fork.  The child runs raw system calls
 * only (glibc's idea of its tid is stale after a raw clone). */
struct clone_args_v1 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
};

static int recycled, not_recycled;

static pid_t fork_with_pid(pid_t want)
{
	pid_t tid = want, parent = getpid(), pid = -1;
	struct clone_args_v1 args = {
		.exit_signal = SIGCHLD, .set_tid = (uintptr_t)&tid, .set_tid_size = 1,
	};

#ifdef SYS_clone3
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
#else
	(void)args;
	errno = ENOSYS;
#endif
	if (pid < 0) {
		CHECK(errno == EEXIST || errno == EPERM || errno == ENOSYS || errno == EINVAL,
		      "clone3(set_tid %d): %s", (int)want, strerror(errno));
		not_recycled++;
		return tst_fork_pauser();
	}
	if (pid == 0) {
		/* Plain system calls only. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		for (;;)
			pause();
	}
	recycled++;
	CHECK_INT(pid, want);
	return pid;
}

/* After a tracee's death is reported its record is gone: every call on its
 * pid gives -ESRCH, even once a new child of the test has that pid, which
 * the tracer never touches (it stays running, untraced, unreaped). */
static void pid_reuse_round(struct seize_tracer *t, pid_t other)
{
	struct victim v = { .nthreads = (int)rnd(3), .usr1 = -1, .fate = FATE_EXIT,
			    .exit_code = 7 };
	bool by_kill = rnd(2);
	int go = -1, status;
	pid_t pid, reborn;
	unsigned int procs;

	v.fate = by_kill ? FATE_NONE : FATE_EXIT;
	pid = start_victim(&v, &go);
	CHECK_INT(seize_tracer_attach(t, pid), 0);
	expect_counts(t, 2, (unsigned int)v.nthreads + 2);
	step("death");
	if (by_kill) {
		tst_kill(pid, SIGKILL);
		rec_await_n(t, SEIZE_TRACER_KILLED, pid, SIGKILL, 1);
	} else {
		tst_write_byte(go, 'g');
		close(go);
		rec_await_n(t, SEIZE_TRACER_EXITED, pid, ANY_SIG, 1);
	}
	ck_assert_int_eq(seize_tracer_count(t, &procs, NULL), 0);
	CHECK(procs == 1, "the dead process's record is still there: %u processes", procs);
	errno = 0;
	CHECK(waitpid(pid, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD,
	      "the dead tracee was not reaped by the tracer");

	step("reuse");
	reborn = fork_with_pid(pid);
	CHECK_INT(seize_tracer_detach(t, pid), -ESRCH);
	CHECK_INT(seize_tracer_freeze(t, pid), -ESRCH);
	CHECK_INT(seize_tracer_thaw(t, pid), -ESRCH);
	if (reborn != pid) {
		CHECK_INT(seize_tracer_detach(t, reborn), -ESRCH);
		CHECK_INT(seize_tracer_freeze(t, reborn), -ESRCH);
	}
	/* Work on the other tracee goes on around it. */
	CHECK_INT(seize_tracer_freeze(t, other), 0);
	CHECK_INT(seize_tracer_thaw(t, other), 0);
	CHECK(seize_tracer_dispatch(t, 0) >= 0, "dispatch");
	expect_untouched(reborn);
	expect_counts(t, 1, 1);
	tst_kill(reborn, SIGKILL);
	status = reap(reborn);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	if (by_kill && go >= 0)
		close(go);
	/* The other tracee is still ours and still runs. */
	tst_wait_state(other, "S", BOUND_MS);
	CHECK(tst_tracer_pid(other) == getpid(), "the other tracee has TracerPid %ld",
	      tst_tracer_pid(other));
}

START_TEST(pid_reuse_never_touched)
{
	struct seize_tracer *t;
	pid_t other;
	int round;

	begin_case(0x9e);
	other = tst_fork_pauser();
	tst_wait_state(other, "S", BOUND_MS);
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, other), 0);
	for (round = 1; round <= 30; round++) {
		next_round(round);
		pid_reuse_round(t, other);
	}
	fprintf(stderr, "pid reuse: %d pids recycled, %d not (clone3 set_tid refused)\n", recycled,
		not_recycled);
	seize_tracer_destroy(t);
	CHECK(tst_tracer_pid(other) == 0, "TracerPid %ld", tst_tracer_pid(other));
	tst_reap(other);
	tst_expect_no_children(NULL);
}
END_TEST

/* The same for a thread: after THREAD_EXITED its tid is dropped, and a new
 * process with that tid is not interrupted by a freeze of the old one. */
struct thread_quitter {
	int ready;	/* 'r' with its tid */
	int go;		/* one byte: the thread exits */
};

static void *quitting_thread(void *arg)
{
	const struct thread_quitter *q = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	tst_write_or_die(q->ready, &tid, sizeof(tid));
	if (read(q->go, &c, 1) == 1)
		return NULL;
	for (;;)
		pause();
}

static void quitter_main(void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, quitting_thread, arg) != 0)
		_exit(5);
	for (;;)
		pause();
}

START_TEST(pid_reuse_of_thread_never_touched)
{
	struct thread_quitter q;
	struct seize_tracer *t;
	int ready[2], go[2];
	pid_t pid, tid, reborn;

	begin_case(0x9f);
	tst_pipe(ready);
	tst_pipe(go);
	q.ready = ready[1];
	q.go = go[0];
	pid = tst_fork(quitter_main, &q);
	tst_read_exact(ready[0], &tid, sizeof(tid), BOUND_MS);
	t = new_tracer_of(pid);
	expect_counts(t, 1, 2);
	tst_write_byte(go[1], 'g');
	rec_await_n(t, SEIZE_TRACER_THREAD_EXITED, pid, ANY_SIG, 1);
	expect_counts(t, 1, 1);
	reborn = fork_with_pid(tid);
	CHECK_INT(seize_tracer_freeze(t, pid), 0);
	expect_untouched(reborn);
	CHECK_INT(seize_tracer_thaw(t, pid), 0);
	CHECK_INT(seize_tracer_detach(t, pid), 0);
	expect_untouched(reborn);
	seize_tracer_destroy(t);
	tst_reap(reborn);
	tst_reap(pid);
	tst_close_pipe(ready);
	tst_close_pipe(go);
	tst_expect_no_children(NULL);
}
END_TEST

TEST_SUITE(stress, true)
{
	ADD_CASE(s, pid_reuse_never_touched);
	ADD_CASE(s, pid_reuse_of_thread_never_touched);
}
