/* SPDX-License-Identifier: MIT */
/* test-listen: the PTRACE_LISTEN mail's program on libseize.  It is
 * test-notify but for one call: a tracee in group-stop is listened to
 * (seize_listen) instead of resumed, so it stays stopped, as its mother
 * and any shell expect, while the tracer is still told when the group-stop
 * ends.  The output is the same 19 lines:
 *
 *   tracer: stopped=0 signo=5      (the trap asked for by seize_interrupt)
 *   mother: SIGSTOP
 *   tracer: SIG 19                 (SIGSTOP about to be delivered)
 *   tracer: stopped=1 signo=19     (the group-stop: listen, stay stopped)
 *   mother: SIGCONT
 *   tracer: stopped=0 signo=5      (the listening tracee traps: it ended)
 *   tracer: SIG 18                 (SIGCONT about to be delivered)
 *   ... twice more
 *
 * The mother forks the tracee (pausing forever) and the tracer, as in the
 * mail.  The tracer writes a token after each line and the action that
 * follows it; the mother waits for the tokens of the lines it expects
 * before its next line and signal, so the order holds at any pace.  Before
 * each SIGCONT it also checks in /proc that the tracee stays stopped ('t'):
 * what sets test-listen apart from test-notify, whose transcript is the
 * same. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "example-common.h"

static noreturn void tracer(pid_t child, int report)
{
	int ret;

	/* EXITKILL: should the tracer die, the tracee dies too.  The mail's
	 * tracer lives until the mother kills it last, so nothing changes. */
	ret = seize_attach(child, PTRACE_O_EXITKILL);
	if (ret < 0)
		ex_fail("seize_attach(%d): %s", (int)child, strerror(-ret));
	ret = seize_interrupt(child);
	if (ret < 0)
		ex_fail("seize_interrupt(%d): %s", (int)child, strerror(-ret));

	for (;;) {
		struct seize_event ev;
		const char *call = "seize_cont";

		ex_wait_event(child, &ev);
		if (ev.type == SEIZE_EVENT_SIGNAL) {
			ex_say("tracer: SIG %d", ev.sig);
			ret = seize_cont(child, ev.sig);	/* deliver it */
		} else if (ev.type == SEIZE_EVENT_STOP) {
			ex_say("tracer: stopped=%d signo=%d", ev.group_stop, ev.sig);
			/* In group-stop: listen, so that it stays stopped
			 * and traps again when the group-stop ends.  A
			 * trap: resume it. */
			if (ev.group_stop) {
				call = "seize_listen";
				ret = seize_listen(child);
			} else {
				ret = seize_cont(child, 0);
			}
		} else {
			ex_fail("unexpected %s event from the tracee", seize_event_name(&ev));
		}
		if (ret < 0)
			ex_fail("%s(%d): %s", call, (int)child, strerror(-ret));
		/* After the action: the mother's next signal finds the
		 * tracee in the state the mail's 1 s sleeps gave it. */
		ex_put(report, '.');
	}
}

static void await_lines(int report, int n)
{
	while (n-- > 0)
		ex_get(report, "the tracer");
}

int main(int argc, char **argv)
{
	pid_t tracee_pid, tracer_pid;
	int report[2];

	ex_init(argc, argv);

	tracee_pid = ex_fork(SIGKILL);
	if (tracee_pid == 0)
		for (;;)
			pause();
	ex_track(tracee_pid);

	ex_pipe(report);	/* after the tracee's fork: it holds no end */
	tracer_pid = ex_fork(SIGKILL);
	if (tracer_pid == 0) {
		ex_close(report[0]);
		tracer(tracee_pid, report[1]);
	}
	ex_track(tracer_pid);
	ex_close(report[1]);	/* so that the tracer's death reads as EOF */

	for (int i = 0; i < 3; i++) {
		ex_sleep_ms(ex_step_ms());
		await_lines(report[0], i == 0 ? 1 : 2);
		ex_say("mother: SIGSTOP");
		safe_kill(tracee_pid, SIGSTOP);
		ex_sleep_ms(ex_step_ms());
		await_lines(report[0], 2);
		/* The mail's point: listened to, the tracee stays
		 * stopped ('t', a tracing stop) until SIGCONT. */
		ex_await_state(tracee_pid, "t", "the tracee");
		ex_say("mother: SIGCONT");
		safe_kill(tracee_pid, SIGCONT);
	}
	ex_sleep_ms(ex_step_ms());
	await_lines(report[0], 2);

	safe_kill(tracer_pid, SIGKILL);
	safe_kill(tracee_pid, SIGKILL);
	/* The tracer first: the tracee's death is its tracer's to see first. */
	ex_wait_killed(tracer_pid, SIGKILL, "the tracer");
	ex_wait_killed(tracee_pid, SIGKILL, "the tracee");
	return 0;
}
