/* SPDX-License-Identifier: MIT */
/* test-notify: the TRAP_NOTIFY mail's program.  A seized tracee is watched
 * through its group-stops while it keeps running: its mother stops and
 * continues it three times, and the tracer sees each change as a
 * PTRACE_EVENT_STOP next to the signal-delivery-stops of SIGSTOP and SIGCONT:
 *
 *   tracer: stopped=0 signo=5      (the trap asked for by seize_interrupt)
 *   mother: SIGSTOP
 *   tracer: SIG 19                 (SIGSTOP about to be delivered)
 *   tracer: stopped=1 signo=19     (the group-stop; resumed all the same)
 *   mother: SIGCONT
 *   tracer: stopped=0 signo=5      (the trap that says the group-stop ended)
 *   tracer: SIG 18                 (SIGCONT about to be delivered)
 *   ... twice more
 *
 * test-listen prints the same, but keeps the tracee stopped.  The tracer
 * puts a token after each line and the request that follows it; the mother
 * waits for them before its next line, so the order holds at any pace. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/seize.h>
#include "helpers.h"

static void tracer(pid_t tracee, int report)
{
	struct seize_event ev;
	/* EXITKILL: should the tracer die, the tracee dies with it. */
	int ret = seize_attach(tracee, PTRACE_O_EXITKILL);

	if (ret == 0)
		ret = seize_interrupt(tracee);
	while (ret == 0 && (ret = seize_wait(tracee, &ev, 0)) > 0) {
		if (ev.type == SEIZE_EVENT_SIGNAL) {
			say("tracer: SIG %d", ev.sig);
			ret = seize_cont(tracee, ev.sig);	/* deliver it */
		} else if (ev.type == SEIZE_EVENT_STOP) {
			say("tracer: stopped=%d signo=%d", ev.group_stop, ev.sig);
			/* Even from its group-stop: it runs, and the end of
			 * the group-stop still traps (TRAP_NOTIFY). */
			ret = seize_cont(tracee, 0);
		} else {
			break;
		}
		put(report, 1);
	}
	die("tracer: %s", ret < 0 ? strerror(-ret) : seize_event_name(&ev));
}

int main(int argc, char **argv)
{
	pid_t tracee, tracer_pid;
	int report[2];

	use_pace(argc, argv);
	tracee = fork_child(SIGKILL);
	if (tracee == 0)
		for (;;)
			pause();
	tokens(report);
	tracer_pid = fork_child(SIGKILL);
	if (tracer_pid == 0)
		tracer(tracee, report[1]);
	close(report[1]);	/* so that get() fails if the tracer dies */

	get(report[0]);	/* stopped=0 signo=5 */
	for (int i = 0; i < 3; i++) {
		nap(pace_ms);
		say("mother: SIGSTOP");
		kill_pid(tracee, SIGSTOP);
		get(report[0]);	/* SIG 19 */
		get(report[0]);	/* stopped=1 signo=19 */
		nap(pace_ms);
		/* Resumed from the group-stop trap, it is back in pause(). */
		while (proc_state(tracee)[0] != 'S')
			nap(1);
		say("mother: SIGCONT");
		kill_pid(tracee, SIGCONT);
		get(report[0]);	/* stopped=0 signo=5 */
		get(report[0]);	/* SIG 18 */
	}
	kill_pid(tracer_pid, SIGKILL);	/* and so the tracee (EXITKILL) */
	waitpid(tracer_pid, NULL, 0);
	waitpid(tracee, NULL, 0);
	return 0;
}
