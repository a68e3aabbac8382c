/* SPDX-License-Identifier: MIT */
/* test-seize: the PTRACE_SEIZE mail's program, run with an argument.  A
 * tracee stopped by SIGSTOP is seized while stopped and resumed; when the
 * tracer exits, the tracee goes back to its stop, for the group-stop is
 * still in effect (only SIGCONT ends it):
 *
 *   tracee: alive              (x3, resumed by the tracer)
 *   tracer: exiting
 *   tracee: state T (stopped)
 *
 * The mail showed the last line with ps -el; here an observer above the
 * tracer (a child subreaper, so the tracee becomes its child) reads the
 * state from /proc. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/seize.h>
#include "helpers.h"

static int lines[2], hold[2];

static void tracee(void)
{
	raise(SIGSTOP);	/* the mail's tracer sent it; the same group-stop */
	for (int i = 0; i < 3; i++) {
		say("tracee: alive");
		put(lines[1], getpid());
		nap(pace_ms);
	}
	close(hold[1]);
	get(hold[0]);	/* blocks, running, until the observer is gone */
	exit(0);
}

static void tracer(void)
{
	struct seize_event ev = { 0 };
	pid_t child = fork_child(0);	/* no PDEATHSIG: it must outlive us */
	int status, ret;

	if (child == 0)
		tracee();
	/* As its parent, see it stopped (the mail slept 100 ms and hoped). */
	if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status))
		die("the tracee did not stop");
	/* No PTRACE_O_EXITKILL: the lesson is what becomes of it after us. */
	ret = seize_attach(child, 0);
	if (ret < 0)
		die("seize_attach(%d): %s", (int)child, strerror(-ret));
	/* Seized in a group-stop, it traps at once and says so. */
	ret = seize_wait(child, &ev, 0);
	if (ret < 0 || ev.type != SEIZE_EVENT_STOP || !ev.group_stop || ev.sig != SIGSTOP)
		die("expected a group-stop by SIGSTOP, got %s", seize_event_name(&ev));
	/* Resumed, it runs, but the group-stop stays in effect. */
	ret = seize_cont(child, 0);
	if (ret < 0)
		die("seize_cont(%d): %s", (int)child, strerror(-ret));
	for (int i = 0; i < 3; i++)
		get(lines[0]);
	nap(pace_ms);	/* the mail's rhythm: exit a step later */
	say("tracer: exiting");
	put(lines[1], child);	/* for the observer */
	exit(0);	/* the kernel detaches the tracee, which stops again */
}

int main(int argc, char **argv)
{
	pid_t tracer_pid, tracee_pid;
	int status;
	char state;

	use_pace(argc, argv);
	/* Orphans come to us, not to init: the tracee, when the tracer exits. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER)");
	tokens(lines);
	tokens(hold);
	tracer_pid = fork_child(SIGKILL);
	if (tracer_pid == 0)
		tracer();
	if (waitpid(tracer_pid, &status, 0) != tracer_pid || status != 0)
		die("the tracer failed");
	tracee_pid = get(lines[0]);

	/* Detached, it finds its group-stop again: 'T', not the 't' of a
	 * tracing stop.  That takes it a moment; wait for it. */
	while ((state = proc_state(tracee_pid)[0]) == 'R' || state == 'S')
		nap(1);
	say("tracee: state %s", proc_state(tracee_pid));

	kill_pid(tracee_pid, SIGKILL);
	waitpid(tracee_pid, NULL, 0);
	return 0;
}
