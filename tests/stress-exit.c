/* SPDX-License-Identifier: MIT */
/* Stress: tracees exiting, exec'ing from a thread or killed by a signal at
 * random points of the requests and of the tracer; the tracing program
 * itself killed at a random moment (the kernel lets its tracee go in the
 * state its real parent asked for); a process whose leader thread has
 * exited, attached. Bounded in time
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

/* ---- 4. exit races ------------------------------------------------------------------------ */

static const char *const fate_names[] = { "none", "exit", "exec", "sigterm" };

/* The death a fate ends in, as a wait status. */
static bool fate_status_ok(enum fate fate, int exit_code, int status)
{
	switch (fate) {
	case FATE_EXIT:
		return WIFEXITED(status) && WEXITSTATUS(status) == exit_code;
	case FATE_EXEC:
		return WIFEXITED(status) && WEXITSTATUS(status) == 0;	/* /bin/true */
	case FATE_SIGTERM:
		return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
	default:
		return false;
	}
}

/* Requests racing a tracee's own death: attach, interrupt, wait, detach,
 * while it exits or sends itself SIGTERM after a random delay.  Its death
 * must come as it chose it: the exit code, or SIGTERM delivered (never
 * swallowed at a signal-delivery-stop). */
static void exit_request_round(enum fate fate)
{
	struct victim v = { .fate = fate, .usr1 = -1, .exit_code = 1 + (int)rnd(120),
			    .spin_us = rnd(250) };
	struct seize_event ev;
	bool traced, dead = false;
	int go, ret, status = 0;
	pid_t pid;

	pid = start_victim(&v, &go);
	step("go");
	tst_write_byte(go, 'g');
	close(go);
	if (rnd(2))
		spin_us(rnd(200));
	step("attach");
	ret = seize_attach(pid, PTRACE_O_EXITKILL);
	traced = ret == 0;
	CHECK(traced || (ret == -EPERM && tst_proc_state(pid) == 'Z'), "attach gave %d, state %c",
	      ret, tst_proc_state(pid));
	if (traced) {
		step("interrupt");
		ret = seize_interrupt(pid);
		CHECK(ret == 0 || ret == -ESRCH, "interrupt gave %d", ret);
	}
	while (traced && !dead) {
		step("wait");
		CHECK_INT(wait_event(pid, &ev), pid);
		if (ev.type == SEIZE_EVENT_EXITED || ev.type == SEIZE_EVENT_KILLED) {
			dead = true;
			status = ev.status;
		} else if (ev.type == SEIZE_EVENT_SIGNAL) {
			CHECK(ev.sig == SIGTERM, "signal %d", ev.sig);
			/* Hand it back: by resuming, or by detaching with it. */
			step("deliver");
			ret = rnd(2) ? seize_cont(pid, SIGTERM) : seize_detach(pid, SIGTERM);
			CHECK(ret == 0 || ret == -ESRCH, "resuming with SIGTERM gave %d", ret);
		} else {
			CHECK(ev.type == SEIZE_EVENT_STOP, "%s sig %d", seize_event_name(&ev), ev.sig);
			step("detach");
			ret = seize_detach(pid, 0);
			CHECK(ret == 0 || ret == -ESRCH, "detach gave %d", ret);
			if (ret == 0)
				break;
		}
	}
	if (!dead) {
		step("reap");
		CHECK_INT(wait_event(pid, &ev), pid);
		CHECK(ev.type == SEIZE_EVENT_EXITED || ev.type == SEIZE_EVENT_KILLED,
		      "after detach: %s sig %d", seize_event_name(&ev), ev.sig);
		status = ev.status;
	}
	CHECK(fate_status_ok(fate, v.exit_code, status), "%s (code %d): status %#x",
	      fate_names[fate], v.exit_code, status);
	tst_expect_no_children(NULL);
}

/* The tracer racing the same deaths, and exec from a thread. */
static void exit_tracer_round(enum fate fate)
{
	struct victim v = { .fate = fate, .usr1 = -1, .exit_code = 1 + (int)rnd(120),
			    .spin_us = rnd(400), .nthreads = (int)rnd(4) };
	struct seize_tracer *t;
	bool attached, detached = false, exec_after_attach;
	int go, ret, before, status = 0;
	char state;
	pid_t pid;

	if (fate == FATE_EXEC && v.nthreads == 0 && rnd(4))
		v.nthreads = 1;		/* mostly from a thread, sometimes the leader */
	pid = start_victim(&v, &go);
	t = new_tracer(0);
	rec_tracer_fd = rnd(2) ? seize_tracer_fd(t) : -1;
	/* An exec from a thread while PTRACE_SEIZE is under way can deadlock in
	 * the kernel: ptrace_attach() waits for cred_guard_mutex, which the exec
	 * holds while de_thread() waits for the tracer to reap the siblings it
	 * already traces (seen here on 6.18: the tracer in ptrace_attach, the
	 * execing thread in D at begin_new_exec).  No tracer can avoid that but
	 * by not attaching during such an exec, so that exec races the rest. */
	exec_after_attach = fate == FATE_EXEC && v.nthreads > 0;
	if (!exec_after_attach) {
		step("go");
		tst_write_byte(go, 'g');
		close(go);
	}
	step("attach");
	ret = seize_tracer_attach(t, pid);
	state = tst_proc_state(pid);
	if (exec_after_attach) {
		step("go");
		tst_write_byte(go, 'g');
		close(go);
	}
	attached = ret == 0;
	CHECK(attached || ret == -ESRCH || (ret == -EPERM && state == 'Z'),
	      "attach gave %d, state %c; events: %s", ret, state ? state : '?', recs_text());
	if (attached && !rec_gone(pid)) {
		step("freeze");
		before = nrecs;
		CHECK_INT(seize_tracer_freeze(t, pid), 0);
		CHECK(rec_find(before, SEIZE_TRACER_FROZEN, pid, ANY_SIG) >= 0 || rec_gone(pid),
		      "freeze gave 0 with neither frozen nor dead; events: %s", recs_text());
	}
	if (attached && !rec_gone(pid)) {
		step("thaw");
		CHECK_INT(seize_tracer_thaw(t, pid), 0);
		step("dispatch");
		ret = seize_tracer_dispatch(t, 0);
		CHECK(ret >= 0 || (ret == -ECHILD && rec_gone(pid)), "dispatch gave %d", ret);
	}
	if (attached && !rec_gone(pid) && rnd(2)) {
		step("detach");
		before = nrecs;
		CHECK_INT(seize_tracer_detach(t, pid), 0);
		detached = rec_find(before, SEIZE_TRACER_DETACHED, pid, ANY_SIG) >= 0;
		CHECK(detached || rec_gone(pid), "detach gave 0 with neither detached nor dead; events: %s",
		      recs_text());
	}
	step("death");
	if (attached && !detached) {
		long deadline = tst_now_ms() + BOUND_MS;

		while (!rec_gone(pid))
			CHECK(rec_pump(t, deadline, "the death") != -ECHILD, "no tracee left; events: %s",
			      recs_text());
		before = rec_find(0, SEIZE_TRACER_EXITED, pid, ANY_SIG);
		if (before >= 0)
			status = (recs[before].exit_code & 0xff) << 8;
		else
			status = recs[rec_find(0, SEIZE_TRACER_KILLED, pid, ANY_SIG)].sig;
		CHECK(rec_count(SEIZE_TRACER_EXITED, pid, ANY_SIG) + rec_count(SEIZE_TRACER_KILLED, pid, ANY_SIG) == 1,
		      "one death; events: %s", recs_text());
		before = reap_untraced_leader(pid);
		CHECK(before < 0 || fate_status_ok(fate, v.exit_code, before),
		      "the untraced leader's status %#x", before);
	} else {
		CHECK(tst_tracer_pid(pid) <= 0, "TracerPid %ld after %s; events: %s", tst_tracer_pid(pid),
		      detached ? "detach" : "a refused attach", recs_text());
		status = reap(pid);
	}
	CHECK(fate_status_ok(fate, v.exit_code, status), "%s (code %d, %d threads): status %#x; "
	      "events: %s", fate_names[fate], v.exit_code, v.nthreads + 1, status, recs_text());
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	rec_tracer_fd = -1;
	tst_expect_no_children(NULL);
}

/* A case's rounds from its seed: each a round of round_fn, with fate odd in
 * the odd rounds and even in the even ones. */
static void run_rounds(uint64_t seed, int rounds, void (*round_fn)(enum fate), enum fate odd,
		       enum fate even)
{
	begin_case(seed);
	for (int round = 1; round <= rounds; round++) {
		next_round(round);
		round_fn(round % 2 ? odd : even);
	}
}

START_TEST(exit_races_requests)
{
	run_rounds(0xe1, 60, exit_request_round, FATE_EXIT, FATE_SIGTERM);
}
END_TEST

/* Freeze and detach must not block on one thread while another thread's
 * death has to be reaped first (a leader is reported last). */
START_TEST(exit_races_tracer)
{
	run_rounds(0xe2, 60, exit_tracer_round, FATE_EXIT, FATE_SIGTERM);
}
END_TEST

/* An exec from a thread that is not the leader waits in de_thread() for its
 * traced zombie siblings: freeze and detach reap them first, DETACHED comes
 * only once no thread is traced (the exec moves a tid), and attach takes the
 * process while its old leader is dead. */
START_TEST(exec_from_thread_races_tracer)
{
	run_rounds(0xe3, 40, exit_tracer_round, FATE_EXEC, FATE_EXEC);
}
END_TEST

/* -- the tracing program killed at a random moment -- */

/* The real parent stops and continues the target without pause (waiting
 * for each change), a tracer process traces it, and is killed at a random
 * moment -- before, during or after its attach.  Once it is dead, the
 * mother finishes her step: the kernel let the target go, and it must be
 * stopped if her last step was a stop, running if it was a continue, with
 * TracerPid 0 in every thread. */
static void tracer_killed_round(void)
{
	struct victim v = { .nthreads = (int)rnd(4), .usr1 = -1 };
	struct remote r = { .use_fd = rnd(2), .report = -1, .exit_on_error = true };
	unsigned int delay = rnd(3000), steps = 0;
	char last = 0, c;
	struct mother m;
	pid_t tracer;
	int status;

	mother_start(&m, victim_of, &v);
	r.target = m.target;
	step("cycling");
	mother_order(&m, 'L');
	tracer = tst_fork(remote_tracer, &r);
	spin_us(delay);
	step("kill tracer");
	tst_kill(tracer, SIGKILL);
	CHECK_INT(waitpid(tracer, &status, 0), tracer);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "the tracer ended with status %#x before it was killed", status);
	step("quit");
	mother_order(&m, 'Q');
	for (;;) {
		CHECK(tst_readable(m.report, BOUND_MS), "the mother's step after '%c' (%u steps) never "
		      "completes: mother %s; target %s; %s", last ? last : '-', steps,
		      where_text(m.pid), states_text(m.target), signals_text(m.target));
		c = mother_reply(&m);
		if (c == 'D')
			break;
		CHECK(c == (last == 's' ? 'c' : 's'), "the mother's report %u is '%c' after '%c'",
		      steps, c, last ? last : '-');
		last = c;
		steps++;
	}
	step("check");
	/* No step at all (the tracer died before she began): never stopped. */
	wait_threads_in(m.target, last == 's' ? "T" : "SR");
	CHECK_INT(expect_tracer_of_all(m.target, 0, -1), v.nthreads + 1);
	/* And job control works as before: the stop is a real group-stop. */
	mother_order(&m, last == 's' ? 'C' : 'S');
	CHECK(mother_reply(&m) == (last == 's' ? 'c' : 's'), "the mother's next step");
	wait_threads_in(m.target, last == 's' ? "SR" : "T");
	mother_end(&m);
	tst_expect_no_children(NULL);
}

/* The tracing program dies at the worst moment of all: it has taken the
 * SIGSTOP's signal-delivery-stop (the report is consumed, the callback is
 * running) and not yet resumed the tracee with it.  The kernel must still
 * let the target stop, as its real parent asked. */
/* The stop signal the dead tracer had taken is not lost: the target stops. */
START_TEST(tracer_killed_holding_a_stop_signal)
{
	struct victim v = { .nthreads = 1, .usr1 = -1 };
	struct remote r = { .die_at_sigstop = true, .exit_on_error = true };
	int report[2], status;
	struct mother m;
	pid_t tracer;
	char c;

	begin_case(0x7f);
	mother_start(&m, victim_of, &v);
	wait_threads_in(m.target, "S");
	r.target = m.target;
	tst_pipe(report);
	r.report = report[1];
	tracer = tst_fork(remote_tracer, &r);
	CHECK(read_byte(report[0]) == 'a', "the tracer did not attach");
	mother_order(&m, 'S');
	CHECK_INT(waitpid(tracer, &status, 0), tracer);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the tracer's status %#x",
	      status);
	CHECK(tst_readable(m.report, BOUND_MS), "the SIGSTOP was lost with the tracer: the real "
	      "parent never sees the stop; target %s; %s", states_text(m.target),
	      signals_text(m.target));
	c = mother_reply(&m);
	CHECK(c == 's', "the mother's report '%c'", c);
	wait_threads_in(m.target, "T");
	CHECK_INT(expect_tracer_of_all(m.target, 0, -1), 2);
	mother_end(&m);
	tst_close_pipe(report);
	tst_expect_no_children(NULL);
}
END_TEST

static void tracer_killed_rounds(uint64_t seed, int rounds)
{
	int round;

	begin_case(seed);
	for (round = 1; round <= rounds; round++) {
		next_round(round);
		tracer_killed_round();
	}
}

/* A signal whose delivery-stop the tracer had consumed with a wait is not
 * lost when the tracer dies before resuming it. */
START_TEST(tracer_killed_at_random_moment_1)
{
	tracer_killed_rounds(0x7e, 25);
}
END_TEST

START_TEST(tracer_killed_at_random_moment_2)
{
	tracer_killed_rounds(0x7d, 25);
}
END_TEST

START_TEST(tracer_killed_at_random_moment_3)
{
	tracer_killed_rounds(0x7c, 25);
}
END_TEST

/* A process whose main thread called pthread_exit(): its leader is a zombie
 * while its other threads run.  It is alive and traceable (thread by
 * thread), and so is a process whose thread is exec'ing, for the moment its
 * old leader is dead and the exec'ing thread has not taken its pid yet. */
static void *leader_exits(void *arg)
{
	(void)arg;
	pthread_exit(NULL);
}

static void leaderless_main(void *arg)
{
	int ready = *(int *)arg;
	pthread_t th;
	char c = 'r';
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&th, NULL, thread_pause, NULL) != 0)
			_exit(5);
	tst_write_or_die(ready, &c, 1);
	leader_exits(NULL);
}

START_TEST(exit_of_leader_thread_then_attach)
{
	struct seize_tracer *t;
	int ready[2], ret;
	char why[160];
	pid_t pid;

	begin_case(0xe4);
	tst_pipe(ready);
	pid = tst_fork(leaderless_main, &ready[1]);
	CHECK(read_byte(ready[0]) == 'r', "not started");
	tst_wait_state(pid, "Z", BOUND_MS);
	wait_threads_in(pid, "ZS");
	t = new_tracer(0);
	ret = seize_tracer_attach(t, pid);
	seize_explain_attach(pid, ret < 0 ? ret : -EPERM, why, sizeof(why));
	CHECK(ret == 0, "seize_tracer_attach of a live process whose leader thread exited gave %d "
	      "(\"%s\")", ret, why);
	expect_counts(t, 1, 2);
	seize_tracer_destroy(t);
	tst_reap(pid);
	tst_close_pipe(ready);
	tst_expect_no_children(NULL);
}
END_TEST

TEST_SUITE(stress, true)
{
	ADD_CASE(s, exit_races_requests);
	ADD_CASE(s, exit_races_tracer);
	ADD_CASE(s, exec_from_thread_races_tracer);
	ADD_CASE(s, exit_of_leader_thread_then_attach);
	ADD_CASE(s, tracer_killed_at_random_moment_1);
	ADD_CASE(s, tracer_killed_at_random_moment_2);
	ADD_CASE(s, tracer_killed_at_random_moment_3);
	ADD_CASE(s, tracer_killed_holding_a_stop_signal);
}
