/* SPDX-License-Identifier: MIT */
/* A debugger's control through the tracer: a signal changed or suppressed
 * at its delivery-stop, a thread held at its event and released, running
 * threads held and released while the others run, a group-stop that reaches
 * the real parent while a thread is held, freeze and detach around a held
 * thread, and the calls' errors.  Targets are forked by the case (or by the
 * mother, a real parent distinct from the tracer); their SIGUSR1 handler
 * writes 'u' to a pipe, which is how a delivery is seen. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-recorder.h"
#include "test-common-tracee.h"

#define BOUND_MS tst_bound_ms()

/* What the hook does at a SIGNAL event, and what the calls it made gave. */
static struct seize_tracer *hooked;
static int replace_usr1 = -1, replace_usr2 = -1;	/* -1: leave the signal */
static bool hold_at_usr1;
static pid_t hold_other;				/* a tid not at its stop */
static int hook_ret = 1, hook_other_ret = 1, hook_bad_sig_ret = 1;
static pid_t held_tid;

static void decide(const struct seize_tracer_event *ev)
{
	if (ev->type != SEIZE_TRACER_SIGNAL)
		return;
	ck_assert_int_eq(ev->stopped_tid, ev->tid);
	if (ev->sig == SIGUSR1 && replace_usr1 >= 0) {
		hook_bad_sig_ret = seize_tracer_set_signal(hooked, ev->tid, 65);
		hook_ret = seize_tracer_set_signal(hooked, ev->tid, replace_usr1);
	}
	if (ev->sig == SIGUSR2 && replace_usr2 >= 0)
		hook_ret = seize_tracer_set_signal(hooked, ev->tid, replace_usr2);
	if (ev->sig == SIGUSR1 && hold_at_usr1) {
		if (hold_other > 0)
			hook_other_ret = seize_tracer_hold(hooked, hold_other);
		hook_ret = seize_tracer_hold(hooked, ev->tid);
		held_tid = ev->tid;
	}
}

static struct seize_tracer *control_tracer(pid_t pid)
{
	hooked = new_tracer_of(pid);
	rec_hook = decide;
	replace_usr1 = replace_usr2 = -1;
	hold_at_usr1 = false;
	hold_other = 0;
	hook_ret = hook_other_ret = hook_bad_sig_ret = 1;
	held_tid = 0;
	return hooked;
}

static void end_tracer(struct seize_tracer *t)
{
	rec_hook = NULL;
	seize_tracer_destroy(t);
}

/* No 'u' in the pipe: nothing was delivered to the handler so far. */
static void expect_no_delivery(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
}

/* A target whose SIGUSR1 handler writes 'u' to usr1, traced by hooked. */
struct signal_target {
	int usr1[2];
	pid_t pid;
	struct seize_tracer *t;
};

static void start_signal_target(struct signal_target *st, int nthreads)
{
	tst_pipe(st->usr1);
	st->pid = start_target(nthreads, st->usr1[1], false);
	st->t = control_tracer(st->pid);
}

static void end_signal_target(struct signal_target *st)
{
	end_tracer(st->t);
	tst_reap(st->pid);
	tst_close_pipe(st->usr1);
}

/* SIGUSR1 to its main thread, held there by the hook, not delivered. */
static void hold_at_sigusr1(struct signal_target *st)
{
	hold_at_usr1 = true;
	tst_tgkill(st->pid, st->pid, SIGUSR1);
	rec_await(st->t, SEIZE_TRACER_SIGNAL, st->pid, SIGUSR1);
	ck_assert_int_eq(hook_ret, 0);
	ck_assert_int_eq(held_tid, st->pid);
	expect_no_delivery(st->usr1[0]);
}

START_TEST(signal_suppressed_then_replaced)
{
	struct signal_target st;

	start_signal_target(&st, 0);
	replace_usr1 = 0;
	tst_kill(st.pid, SIGUSR1);
	rec_await(st.t, SEIZE_TRACER_SIGNAL, st.pid, SIGUSR1);
	ck_assert_int_eq(hook_ret, 0);
	ck_assert_int_eq(hook_bad_sig_ret, -EINVAL);
	/* SIGUSR2 (deadly by default) becomes SIGUSR1: the handler runs once,
	 * so the first SIGUSR1 never reached it. */
	replace_usr2 = SIGUSR1;
	tst_kill(st.pid, SIGUSR2);
	rec_await(st.t, SEIZE_TRACER_SIGNAL, st.pid, SIGUSR2);
	ck_assert_int_eq(hook_ret, 0);
	ck_assert_int_eq(tst_read_byte(st.usr1[0], BOUND_MS), 'u');
	expect_no_delivery(st.usr1[0]);
	wait_threads_in(st.pid, "S");
	/* Outside a signal-delivery-stop there is nothing to choose. */
	ck_assert_int_eq(seize_tracer_set_signal(st.t, st.pid, 0), -EINVAL);
	end_signal_target(&st);
}
END_TEST

START_TEST(held_at_its_signal_then_released)
{
	struct seize_regs regs;
	struct signal_target st;

	start_signal_target(&st, 0);
	hold_at_sigusr1(&st);
	/* Held: stopped, inspectable, the signal not delivered. */
	ck_assert_int_eq(tst_task_state(st.pid, st.pid), 't');
	ck_assert_int_eq(seize_get_regs(st.pid, &regs), 0);
	rec_settle(st.t, st.pid, "t");
	expect_no_delivery(st.usr1[0]);
	ck_assert_int_eq(seize_tracer_release(st.t, st.pid), 0);
	ck_assert_int_eq(tst_read_byte(st.usr1[0], BOUND_MS), 'u');
	ck_assert_int_eq(seize_tracer_release(st.t, st.pid), -EINVAL);	/* not held now */
	wait_threads_in(st.pid, "S");
	end_signal_target(&st);
}
END_TEST

START_TEST(running_threads_held_while_others_run)
{
	pid_t pid = start_target(3, -1, false), tids[MAX_TIDS], pair[2];
	struct seize_regs regs;
	struct seize_tracer *t = control_tracer(pid);
	int n = threads_of(pid, tids, MAX_TIDS), i;

	ck_assert_int_eq(n, 4);
	pair[0] = tids[1];
	pair[1] = tids[3];
	ck_assert_int_eq(seize_tracer_hold_threads(t, pair, 2), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(tst_task_state(pid, tids[i]),
				 tids[i] == pair[0] || tids[i] == pair[1] ? 't' : 'S');
	ck_assert_int_eq(seize_get_regs(pair[0], &regs), 0);
	/* One not held runs: inspection refuses it rather than guess. */
	ck_assert_int_eq(seize_get_regs(tids[0], &regs), -ESRCH);
	ck_assert_int_eq(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG), 0);
	ck_assert_int_eq(seize_tracer_release_threads(t, pair, 2), 0);
	wait_threads_in(pid, "S");
	expect_counts(t, 1, 4);
	end_tracer(t);
	tst_reap(pid);
}
END_TEST

/* Serve the tracer until the mother answers. */
static char serve_until_reply(struct seize_tracer *t, struct mother *m)
{
	rec_serve_until_readable(t, m->report);
	return mother_reply(m);
}

START_TEST(group_stop_reaches_the_parent_while_a_thread_is_held)
{
	struct mother m;
	struct seize_tracer *t;
	pid_t tids[MAX_TIDS];

	mother_start_threads(&m, 2);
	t = control_tracer(m.target);
	ck_assert_int_eq(threads_of(m.target, tids, MAX_TIDS), 3);
	ck_assert_int_eq(seize_tracer_hold(t, tids[2]), 0);
	mother_order(&m, 'S');
	ck_assert_int_eq(serve_until_reply(t, &m), 's');
	rec_await(t, SEIZE_TRACER_GROUP_STOP, m.target, SIGSTOP);
	mother_order(&m, 'C');
	ck_assert_int_eq(serve_until_reply(t, &m), 'c');
	rec_await(t, SEIZE_TRACER_CONTINUED, m.target, SIGCONT);
	/* Still held through both; then back as the others are. */
	ck_assert_int_eq(tst_task_state(m.target, tids[2]), 't');
	ck_assert_int_eq(seize_tracer_release(t, tids[2]), 0);
	rec_settle(t, m.target, "S");
	ck_assert_int_eq(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG), 1);
	ck_assert_int_eq(rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG), 1);
	ck_assert_int_eq(mother_ask(&m, 'N'), '0');
	end_tracer(t);
	mother_end(&m);
}
END_TEST

START_TEST(freeze_and_thaw_leave_a_held_thread_held)
{
	pid_t pid = start_target(2, -1, false), tids[MAX_TIDS];
	struct seize_tracer *t = control_tracer(pid);

	ck_assert_int_eq(threads_of(pid, tids, MAX_TIDS), 3);
	ck_assert_int_eq(seize_tracer_hold(t, tids[1]), 0);
	ck_assert_int_eq(seize_tracer_freeze(t, pid), 0);
	ck_assert(all_threads_in(pid, "t"));
	ck_assert_int_eq(seize_tracer_thaw(t, pid), 0);
	wait_threads_in(pid, "St");
	ck_assert_int_eq(tst_task_state(pid, tids[1]), 't');
	ck_assert_int_eq(tst_task_state(pid, tids[0]), 'S');
	ck_assert_int_eq(tst_task_state(pid, tids[2]), 'S');
	/* Released while frozen: the thaw gives it back. */
	ck_assert_int_eq(seize_tracer_freeze(t, pid), 0);
	ck_assert_int_eq(seize_tracer_release(t, tids[1]), 0);
	ck_assert_int_eq(tst_task_state(pid, tids[1]), 't');
	ck_assert_int_eq(seize_tracer_thaw(t, pid), 0);
	wait_threads_in(pid, "S");
	end_tracer(t);
	tst_reap(pid);
}
END_TEST

START_TEST(detach_delivers_a_held_signal)
{
	struct signal_target st;

	start_signal_target(&st, 0);
	hold_at_sigusr1(&st);
	ck_assert_int_eq(seize_tracer_detach(st.t, st.pid), 0);
	ck_assert_int_eq(tst_read_byte(st.usr1[0], BOUND_MS), 'u');
	ck_assert_int_eq(tst_tracer_pid(st.pid), 0);
	end_signal_target(&st);
}
END_TEST

START_TEST(control_errors)
{
	struct signal_target st;
	pid_t tids[MAX_TIDS], none = 0;
	struct seize_tracer *t;

	start_signal_target(&st, 1);
	t = st.t;
	ck_assert_int_eq(threads_of(st.pid, tids, MAX_TIDS), 2);
	ck_assert_int_eq(seize_tracer_hold(NULL, st.pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_hold_threads(t, NULL, 1), -EINVAL);
	ck_assert_int_eq(seize_tracer_hold_threads(t, &none, 1), -ESRCH);
	ck_assert_int_eq(seize_tracer_hold(t, getpid()), -ESRCH);
	ck_assert_int_eq(seize_tracer_release(t, st.pid), -EINVAL);	/* not held */
	ck_assert_int_eq(seize_tracer_release(t, getpid()), -ESRCH);
	ck_assert_int_eq(seize_tracer_set_signal(t, getpid(), 0), -ESRCH);
	/* Held at a STOP trap, not at a signal: no signal to choose. */
	ck_assert_int_eq(seize_tracer_hold(t, tids[1]), 0);
	ck_assert_int_eq(seize_tracer_set_signal(t, tids[1], SIGUSR1), -EINVAL);
	ck_assert_int_eq(seize_tracer_release(t, tids[1]), 0);
	/* From a callback, only the thread at its stop. */
	hold_other = tids[1];
	hold_at_sigusr1(&st);
	ck_assert_int_eq(hook_other_ret, -EINVAL);
	ck_assert_int_eq(seize_tracer_release(t, st.pid), 0);
	ck_assert_int_eq(tst_read_byte(st.usr1[0], BOUND_MS), 'u');
	wait_threads_in(st.pid, "S");
	end_signal_target(&st);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, signal_suppressed_then_replaced);
	ADD_CASE(s, held_at_its_signal_then_released);
	ADD_CASE(s, running_threads_held_while_others_run);
	ADD_CASE(s, group_stop_reaches_the_parent_while_a_thread_is_held);
	ADD_CASE(s, freeze_and_thaw_leave_a_held_thread_held);
	ADD_CASE(s, detach_delivers_a_held_signal);
	ADD_CASE(s, control_errors);
}
