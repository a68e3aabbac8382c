/* SPDX-License-Identifier: MIT */
/* The requests on real tracees: each call, each errno a caller can meet, and
 * the seed behaviours of the seize model.  Every tracee is a child forked by
 * the case (or by a helper "mother" the case forks), attached with
 * PTRACE_O_EXITKILL and PR_SET_PDEATHSIG, so none outlives a failed case. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-tracee.h"

#define BOUND_MS 5000

static void attach(pid_t tid, unsigned int options)
{
	ck_assert_int_eq(seize_attach(tid, options | PTRACE_O_EXITKILL), 0);
}

/* Interrupt a running tracee and consume the trap that answers. */
static void interrupt_and_trap(pid_t tid)
{
	struct seize_event ev;

	ck_assert_int_eq(seize_interrupt(tid), 0);
	ck_assert_int_eq(tst_wait_event(tid, &ev, BOUND_MS), tid);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_STOP);
	ck_assert(!ev.group_stop);
	ck_assert_int_eq(ev.sig, SIGTRAP);
}

static void expect_event(pid_t tid, enum seize_event_type type, int sig, struct seize_event *ev)
{
	ck_assert_int_eq(tst_wait_event(tid, ev, BOUND_MS), tid);
	ck_assert_msg(ev->type == type && ev->sig == sig,
		      "wanted %s sig %d, got %s sig %d (status 0x%x)",
		      seize_event_type_name(type), sig, seize_event_name(ev), ev->sig, ev->status);
}

/* The stop came with its siginfo: signal signo, si_code code. */
static void expect_siginfo(const struct seize_event *ev, int signo, int code)
{
	ck_assert(ev->has_siginfo);
	ck_assert_int_eq(ev->siginfo.si_signo, signo);
	ck_assert_int_eq(ev->siginfo.si_code, code);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void pause_with_handler(void *arg)
{
	(void)arg;
	signal(SIGUSR1, on_usr1);
	for (;;)
		pause();
}

static void loop_getppid(void *arg)
{
	(void)arg;
	for (;;)
		getppid();
}

/* A child in pause() (body NULL) or running body, attached. */
static pid_t traced(void (*body)(void *))
{
	pid_t tracee = body ? tst_fork(body, NULL) : tst_fork_pauser();

	attach(tracee, 0);
	return tracee;
}

/* The same, attached once asleep (its handler in place, its state settled). */
static pid_t traced_asleep(void (*body)(void *))
{
	pid_t tracee = body ? tst_fork(body, NULL) : tst_fork_pauser();

	tst_wait_state(tracee, "S", BOUND_MS);
	attach(tracee, 0);
	return tracee;
}

/* kill(sig) and the event of that sig it makes (of type). */
static void kill_and_expect(pid_t tid, int sig, enum seize_event_type type, struct seize_event *ev)
{
	tst_kill(tid, sig);
	expect_event(tid, type, sig, ev);
}

/* kill(sig), its signal-delivery-stop, and a CONT that delivers it. */
static void send_and_deliver(pid_t tid, int sig)
{
	struct seize_event ev;

	kill_and_expect(tid, sig, SEIZE_EVENT_SIGNAL, &ev);
	ck_assert_int_eq(seize_cont(tid, sig), 0);
}

/* A request on a child that is not traced: -ESRCH; on a pid no thread has
 * (bad): -EINVAL. */
static void untraced_is_esrch(int (*request)(pid_t), pid_t bad)
{
	pid_t child = tst_fork_pauser();

	ck_assert_int_eq(request(child), -ESRCH);
	ck_assert_int_eq(request(bad), -EINVAL);
	tst_reap(child);
}

/* ---- seize_attach ---- */

START_TEST(attach_leaves_tracee_running)
{
	pid_t tracee = traced_asleep(NULL);
	struct seize_event ev;

	ck_assert_int_eq(tst_tracer_pid(tracee), getpid());
	/* No stop, no signal: SEIZE neither traps nor signals. */
	ck_assert_int_eq(seize_wait(tracee, &ev, SEIZE_WAIT_NOHANG), 0);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_NONE);
	ck_assert_int_eq(tst_proc_state(tracee), 'S');
	tst_reap(tracee);
}
END_TEST

START_TEST(attach_self_is_eperm)
{
	ck_assert_int_eq(seize_attach(getpid(), 0), -EPERM);
}
END_TEST

START_TEST(attach_missing_is_esrch)
{
	pid_t gone = tst_fork_pauser();

	tst_reap(gone);
	ck_assert_int_eq(seize_attach(gone, 0), -ESRCH);
}
END_TEST

START_TEST(attach_twice_is_eperm)
{
	pid_t tracee = traced(NULL);

	ck_assert_int_eq(seize_attach(tracee, 0), -EPERM);
	tst_reap(tracee);
}
END_TEST

START_TEST(attach_bad_arguments_are_einval)
{
	pid_t tracee = tst_fork_pauser();

	ck_assert_int_eq(seize_attach(0, 0), -EINVAL);
	ck_assert_int_eq(seize_attach(-1, 0), -EINVAL);
	ck_assert_int_eq(seize_attach(tracee, 0x80000000u), -EINVAL);	/* PTRACE_SEIZE_DEVEL */
	ck_assert_int_eq(seize_attach(tracee, 0x100u), -EINVAL);		/* undefined bit */
	/* Refused before any system call: the tracee was never attached. */
	ck_assert_int_eq(tst_tracer_pid(tracee), 0);
	attach(tracee, PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT);
	tst_reap(tracee);
}
END_TEST

START_TEST(attach_adds_tracesysgood)
{
	pid_t tracee = traced(loop_getppid);
	struct seize_event ev;
	int i;

	interrupt_and_trap(tracee);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(seize_syscall(tracee, 0), 0);
		/* SIGTRAP | 0x80, never a plain SIGTRAP delivery. */
		expect_event(tracee, SEIZE_EVENT_SYSCALL, 0, &ev);
		ck_assert_int_eq(ev.status >> 8, SIGTRAP | 0x80);
	}
	tst_reap(tracee);
}
END_TEST

/* ---- seize_interrupt ---- */

START_TEST(interrupt_running_traps)
{
	pid_t tracee = traced(NULL);
	struct seize_event ev;

	ck_assert_int_eq(seize_interrupt(tracee), 0);
	expect_event(tracee, SEIZE_EVENT_STOP, SIGTRAP, &ev);
	ck_assert(!ev.group_stop);
	expect_siginfo(&ev, SIGTRAP, SIGTRAP | (PTRACE_EVENT_STOP << 8));
	ck_assert_str_eq(seize_event_name(&ev), "trap");
	tst_wait_state(tracee, "t", BOUND_MS);
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	tst_wait_state(tracee, "S", BOUND_MS);
	tst_reap(tracee);
}
END_TEST

START_TEST(interrupt_untraced_is_esrch)
{
	untraced_is_esrch(seize_interrupt, 0);
}
END_TEST

/* ---- seize_listen ---- */

START_TEST(listen_untraced_is_esrch)
{
	untraced_is_esrch(seize_listen, -5);
}
END_TEST

START_TEST(listen_running_is_esrch)
{
	pid_t tracee = traced_asleep(NULL);

	ck_assert_int_eq(seize_listen(tracee), -ESRCH);
	ck_assert_int_eq(tst_proc_state(tracee), 'S');
	tst_reap(tracee);
}
END_TEST

START_TEST(listen_at_signal_delivery_is_eio)
{
	/* The handler must be in place before the signal is sent. */
	pid_t tracee = traced_asleep(pause_with_handler);
	struct seize_event ev;

	interrupt_and_trap(tracee);
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	kill_and_expect(tracee, SIGUSR1, SEIZE_EVENT_SIGNAL, &ev);
	ck_assert_int_eq(seize_listen(tracee), -EIO);
	/* Still at its signal-delivery-stop, so it can be resumed as usual. */
	ck_assert_int_eq(seize_cont(tracee, SIGUSR1), 0);
	tst_wait_state(tracee, "S", BOUND_MS);
	tst_reap(tracee);
}
END_TEST

/* ---- seize_cont, seize_detach, seize_syscall ---- */

START_TEST(cont_invalid_signal_is_eio)
{
	pid_t tracee = traced(NULL);

	interrupt_and_trap(tracee);
	ck_assert_int_eq(seize_cont(tracee, 200), -EIO);
	ck_assert_int_eq(seize_cont(tracee, -1), -EIO);
	ck_assert_int_eq(seize_syscall(tracee, 65), -EIO);
	ck_assert_int_eq(seize_detach(tracee, 99), -EIO);
	/* Refused requests leave the tracee at its stop. */
	ck_assert_int_eq(tst_proc_state(tracee), 't');
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	tst_wait_state(tracee, "S", BOUND_MS);
	tst_reap(tracee);
}
END_TEST

START_TEST(resume_running_is_esrch)
{
	pid_t tracee = traced(NULL);

	ck_assert_int_eq(seize_cont(tracee, 0), -ESRCH);
	ck_assert_int_eq(seize_syscall(tracee, 0), -ESRCH);
	ck_assert_int_eq(seize_detach(tracee, 0), -ESRCH);
	ck_assert_int_eq(tst_tracer_pid(tracee), getpid());
	tst_reap(tracee);
}
END_TEST

START_TEST(detach_leaves_running)
{
	pid_t tracee = traced(NULL);

	interrupt_and_trap(tracee);
	ck_assert_int_eq(seize_detach(tracee, 0), 0);
	ck_assert_int_eq(tst_tracer_pid(tracee), 0);
	tst_wait_state(tracee, "S", BOUND_MS);
	ck_assert_int_eq(seize_interrupt(tracee), -ESRCH);
	tst_reap(tracee);
}
END_TEST

START_TEST(reaped_tracee_is_esrch)
{
	pid_t tracee = traced(NULL);
	struct seize_event ev;

	kill_and_expect(tracee, SIGKILL, SEIZE_EVENT_KILLED, &ev);
	ck_assert(!ev.core_dumped);
	ck_assert_int_eq(seize_interrupt(tracee), -ESRCH);
	ck_assert_int_eq(seize_listen(tracee), -ESRCH);
	ck_assert_int_eq(seize_cont(tracee, 0), -ESRCH);
	ck_assert_int_eq(seize_syscall(tracee, 0), -ESRCH);
	ck_assert_int_eq(seize_detach(tracee, 0), -ESRCH);
	ck_assert_int_eq(seize_wait(tracee, &ev, 0), -ECHILD);
}
END_TEST

/* ---- seize_wait ---- */

START_TEST(wait_bad_arguments_are_einval)
{
	struct seize_event ev;

	ck_assert_int_eq(seize_wait(-1, NULL, 0), -EINVAL);
	ck_assert_int_eq(seize_wait(0, &ev, 0), -EINVAL);
	ck_assert_int_eq(seize_wait(-2, &ev, 0), -EINVAL);
	ck_assert_int_eq(seize_wait(-1, &ev, 0x80), -EINVAL);
}
END_TEST

START_TEST(wait_no_children_is_echild)
{
	struct seize_event ev;

	ck_assert_int_eq(seize_wait(-1, &ev, 0), -ECHILD);
	ck_assert_int_eq(seize_wait(-1, &ev, SEIZE_WAIT_NOHANG), -ECHILD);
}
END_TEST

START_TEST(wait_returns_eintr)
{
	pid_t tracee = traced(NULL);
	struct seize_event ev;

	tst_arm(50);	/* a SIGALRM without SA_RESTART */
	ck_assert_int_eq(seize_wait(tracee, &ev, 0), -EINTR);
	/* Nothing was consumed: the tracee is untouched and still ours. */
	ck_assert_int_eq(tst_tracer_pid(tracee), getpid());
	tst_reap(tracee);
}
END_TEST

START_TEST(errno_is_untouched)
{
	pid_t tracee = tst_fork_pauser();
	struct seize_event ev;

	errno = 4242;
	ck_assert_int_eq(seize_attach(getpid(), 0), -EPERM);
	ck_assert_int_eq(seize_interrupt(tracee), -ESRCH);
	ck_assert_int_eq(seize_wait(-1, NULL, 0), -EINVAL);
	attach(tracee, 0);
	ck_assert_int_eq(seize_interrupt(tracee), 0);
	ck_assert_int_eq(seize_wait(tracee, &ev, 0), tracee);
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	ck_assert_int_eq(errno, 4242);
	tst_reap(tracee);
}
END_TEST

START_TEST(signal_delivery_has_sender)
{
	pid_t tracee = traced_asleep(pause_with_handler);
	struct seize_event ev;

	kill_and_expect(tracee, SIGUSR1, SEIZE_EVENT_SIGNAL, &ev);
	expect_siginfo(&ev, SIGUSR1, SI_USER);
	ck_assert_int_eq(ev.siginfo.si_pid, getpid());
	ck_assert_int_eq(ev.siginfo.si_uid, getuid());
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	tst_reap(tracee);
}
END_TEST

START_TEST(exit_and_kill_are_decoded)
{
	pid_t quitter = tst_fork_pauser(), victim = tst_fork_pauser();
	struct seize_event ev;

	attach(quitter, PTRACE_O_TRACEEXIT);
	attach(victim, 0);
	/* SIGTERM with no handler: delivered, it kills; the exit event's msg
	 * is the wait status to come. */
	send_and_deliver(quitter, SIGTERM);
	/* Under valgrind the tracee's own handler catches SIGTERM and raises
	 * it again: deliver every repeat until the exit comes. */
	while (tst_wait_event(quitter, &ev, BOUND_MS) == quitter && ev.type == SEIZE_EVENT_SIGNAL &&
	       ev.sig == SIGTERM)
		ck_assert_int_eq(seize_cont(quitter, SIGTERM), 0);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_EXIT);
	ck_assert_int_eq(ev.msg, SIGTERM);
	ck_assert_int_eq(seize_cont(quitter, 0), 0);
	expect_event(quitter, SEIZE_EVENT_KILLED, SIGTERM, &ev);

	kill_and_expect(victim, SIGKILL, SEIZE_EVENT_KILLED, &ev);
}
END_TEST

static void exit_on_pipe(void *arg)
{
	int fd = *(int *)arg;
	char c;

	_exit(read(fd, &c, 1) == 1 ? 42 : 1);
}

START_TEST(exited_is_decoded)
{
	int fds[2];
	pid_t tracee;
	struct seize_event ev;

	tst_pipe(fds);
	tracee = tst_fork(exit_on_pipe, &fds[0]);
	attach(tracee, 0);
	tst_write_byte(fds[1], 'x');
	expect_event(tracee, SEIZE_EVENT_EXITED, 0, &ev);
	ck_assert_int_eq(ev.exit_code, 42);
}
END_TEST

static void fork_then_exec(void *arg)
{
	int fd = *(int *)arg;
	pid_t child;
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(1);
	child = fork();
	if (child == 0)
		_exit(7);
	if (child < 0)
		_exit(1);
	waitpid(child, NULL, 0);
	execl("/bin/true", "true", (char *)NULL);
	_exit(1);
}

START_TEST(fork_and_exec_events_carry_msg)
{
	int fds[2];
	pid_t tracee, child;
	struct seize_event ev;

	tst_pipe(fds);
	tracee = tst_fork(fork_then_exec, &fds[0]);
	attach(tracee, PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC);
	tst_write_byte(fds[1], 'x');

	expect_event(tracee, SEIZE_EVENT_FORK, 0, &ev);
	child = (pid_t)ev.msg;
	ck_assert_int_gt(child, 0);
	/* The new child is attached automatically; its first stop is a trap. */
	expect_event(child, SEIZE_EVENT_STOP, SIGTRAP, &ev);
	ck_assert(!ev.group_stop);
	ck_assert_int_eq(seize_cont(child, 0), 0);
	expect_event(child, SEIZE_EVENT_EXITED, 0, &ev);
	ck_assert_int_eq(ev.exit_code, 7);
	ck_assert_int_eq(seize_cont(tracee, 0), 0);

	/* The child's exit gives the parent a SIGCHLD first. */
	expect_event(tracee, SEIZE_EVENT_SIGNAL, SIGCHLD, &ev);
	ck_assert_int_eq(seize_cont(tracee, SIGCHLD), 0);
	expect_event(tracee, SEIZE_EVENT_EXEC, 0, &ev);
	ck_assert_int_eq(ev.msg, tracee);		/* former tid: the leader's own */
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	expect_event(tracee, SEIZE_EVENT_EXITED, 0, &ev);
}
END_TEST

/* ---- the seed behaviours ---- */

/* The real parent (the mother, test-common-tracee.h) reports what
 * waitid(WSTOPPED|WCONTINUED) tells it: 's' stopped, 'c' continued. */
static char mother_sees(struct mother *m)
{
	return mother_ask(m, 'W');
}

START_TEST(listen_keeps_group_stop_for_real_parent)
{
	struct mother m;
	struct seize_event ev;
	int round;

	mother_start(&m, start_target_of, &(struct target_spec){ .usr1 = -1 });
	attach(m.target, 0);
	interrupt_and_trap(m.target);
	ck_assert_int_eq(seize_cont(m.target, 0), 0);

	for (round = 0; round < 2; round++) {
		send_and_deliver(m.target, SIGSTOP);
		expect_event(m.target, SEIZE_EVENT_STOP, SIGSTOP, &ev);
		ck_assert(ev.group_stop);
		ck_assert_str_eq(seize_event_name(&ev), "group-stop");
		ck_assert_int_eq(seize_listen(m.target), 0);
		/* The real parent sees the stop, and the tracee stays stopped. */
		ck_assert_int_eq(mother_sees(&m), 's');
		ck_assert_int_eq(seize_wait(m.target, &ev, SEIZE_WAIT_NOHANG), 0);
		ck_assert_int_eq(tst_proc_state(m.target), 't');

		tst_kill(m.target, SIGCONT);
		/* The end of the group-stop re-traps the listening tracee. */
		expect_event(m.target, SEIZE_EVENT_STOP, SIGTRAP, &ev);
		ck_assert(!ev.group_stop);
		ck_assert_int_eq(seize_cont(m.target, 0), 0);
		expect_event(m.target, SEIZE_EVENT_SIGNAL, SIGCONT, &ev);
		ck_assert_int_eq(seize_cont(m.target, SIGCONT), 0);
		ck_assert_int_eq(mother_sees(&m), 'c');
		tst_wait_state(m.target, "S", BOUND_MS);
	}
	tst_reap(m.target);	/* not our child: SIGKILL only; the mother reaps */
	mother_end(&m);
}
END_TEST

START_TEST(interrupt_while_listening_retraps)
{
	pid_t tracee = traced(NULL);
	struct seize_event ev;

	send_and_deliver(tracee, SIGSTOP);
	expect_event(tracee, SEIZE_EVENT_STOP, SIGSTOP, &ev);
	ck_assert_int_eq(seize_listen(tracee), 0);
	ck_assert_int_eq(seize_listen(tracee), -ESRCH);	/* listening is not stopped */

	ck_assert_int_eq(seize_interrupt(tracee), 0);
	expect_event(tracee, SEIZE_EVENT_STOP, SIGSTOP, &ev);
	ck_assert(ev.group_stop);			/* still in its group-stop */
	ck_assert_int_eq(seize_listen(tracee), 0);
	tst_reap(tracee);
}
END_TEST

/* A child stopped by SIGSTOP, attached, and its first stop read into ev:
 * with no interrupt, seizing a stopped task makes it report its group-stop. */
static pid_t traced_stopped(struct seize_event *ev)
{
	pid_t tracee = start_stopped_pauser();

	attach(tracee, 0);
	expect_event(tracee, SEIZE_EVENT_STOP, SIGSTOP, ev);
	return tracee;
}

START_TEST(attach_to_stopped_reports_group_stop)
{
	struct seize_event ev;
	pid_t tracee = traced_stopped(&ev);

	ck_assert(ev.group_stop);
	expect_siginfo(&ev, SIGSTOP, SIGSTOP | (PTRACE_EVENT_STOP << 8));
	ck_assert_int_eq(seize_listen(tracee), 0);

	/* Detach needs a ptrace-stop: interrupt the listener first.  It goes
	 * back to its group-stop, as found. */
	ck_assert_int_eq(seize_interrupt(tracee), 0);
	expect_event(tracee, SEIZE_EVENT_STOP, SIGSTOP, &ev);
	ck_assert_int_eq(seize_detach(tracee, 0), 0);
	tst_wait_state(tracee, "T", BOUND_MS);
	ck_assert_int_eq(tst_tracer_pid(tracee), 0);
	tst_reap(tracee);
}
END_TEST

START_TEST(cont_from_group_stop_runs_then_stops_on_detach)
{
	struct seize_event ev;
	pid_t tracee = traced_stopped(&ev);

	/* test-seize: CONT runs a group-stopped tracee... */
	ck_assert_int_eq(seize_cont(tracee, 0), 0);
	tst_wait_state(tracee, "S", BOUND_MS);
	/* ...and it goes back to its group-stop when let go. */
	ck_assert_int_eq(seize_interrupt(tracee), 0);
	ck_assert_int_eq(tst_wait_event(tracee, &ev, BOUND_MS), tracee);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_STOP);
	ck_assert_int_eq(seize_detach(tracee, 0), 0);
	tst_wait_state(tracee, "T", BOUND_MS);
	tst_reap(tracee);
}
END_TEST

TEST_SUITE(requests, true)
{
	ADD_CASE(s, attach_leaves_tracee_running);
	ADD_CASE(s, attach_self_is_eperm);
	ADD_CASE(s, attach_missing_is_esrch);
	ADD_CASE(s, attach_twice_is_eperm);
	ADD_CASE(s, attach_bad_arguments_are_einval);
	ADD_CASE(s, attach_adds_tracesysgood);
	ADD_CASE(s, interrupt_running_traps);
	ADD_CASE(s, interrupt_untraced_is_esrch);
	ADD_CASE(s, listen_untraced_is_esrch);
	ADD_CASE(s, listen_running_is_esrch);
	ADD_CASE(s, listen_at_signal_delivery_is_eio);
	ADD_CASE(s, cont_invalid_signal_is_eio);
	ADD_CASE(s, resume_running_is_esrch);
	ADD_CASE(s, detach_leaves_running);
	ADD_CASE(s, reaped_tracee_is_esrch);
	ADD_CASE(s, wait_bad_arguments_are_einval);
	ADD_CASE(s, wait_no_children_is_echild);
	ADD_CASE(s, wait_returns_eintr);
	ADD_CASE(s, errno_is_untouched);
	ADD_CASE(s, signal_delivery_has_sender);
	ADD_CASE(s, exit_and_kill_are_decoded);
	ADD_CASE(s, exited_is_decoded);
	ADD_CASE(s, fork_and_exec_events_carry_msg);
	ADD_CASE(s, listen_keeps_group_stop_for_real_parent);
	ADD_CASE(s, interrupt_while_listening_retraps);
	ADD_CASE(s, attach_to_stopped_reports_group_stop);
	ADD_CASE(s, cont_from_group_stop_runs_then_stops_on_detach);
}
