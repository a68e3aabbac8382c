/* SPDX-License-Identifier: MIT */
/* test-seize-simple: the PTRACE_SEIZE mail's program, run without an
 * argument.  A tracee seized while running keeps running; it does not
 * notice the tracer, and goes on as before when the tracer exits:
 *
 *   tracee: alive              (x3, while seized)
 *   tracer: exiting
 *   tracee: alive              (x2, the tracer gone)
 *   tracee: state S (sleeping)
 *
 * As in the mail the tracer forks the tracee.  Above them an observer, a
 * child subreaper, inherits the tracee when the tracer exits.  The tracee
 * prints a line for each token on the go pipe and answers with its pid on
 * the alive pipe: the line order comes from these tokens, not from sleeps. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/seize.h>
#include "helpers.h"

static int go[2], alive[2];

static void tracee(void)
{
	close(go[1]);	/* so that get() fails once nobody can give a token */
	for (;;) {
		get(go[0]);
		say("tracee: alive");
		put(alive[1], getpid());
	}
}

static void tracer(void)
{
	pid_t child = fork_child(0);	/* no PDEATHSIG: it must outlive us */
	int ret;

	if (child == 0)
		tracee();
	/* No PTRACE_O_EXITKILL either: the lesson is that it lives on. */
	ret = seize_attach(child, 0);
	if (ret < 0)
		die("seize_attach(%d): %s", (int)child, strerror(-ret));
	/* Seized, it runs on: nothing to wait for, no stop to resume. */
	for (int i = 0; i < 3; i++) {
		put(go[1], 1);
		get(alive[0]);
		nap(pace_ms);
	}
	say("tracer: exiting");
	exit(0);	/* the kernel detaches the tracee */
}

int main(int argc, char **argv)
{
	pid_t tracer_pid, tracee_pid = 0;
	int status;

	use_pace(argc, argv);
	tokens(go);
	tokens(alive);
	/* Orphans come to us, not to init: the tracee, when the tracer exits. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("prctl(PR_SET_CHILD_SUBREAPER)");
	if ((tracer_pid = fork_child(SIGKILL)) == 0)
		tracer();
	/* Its exit 0 says: seized, and the tracee printed its 3 lines. */
	if (waitpid(tracer_pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the tracer failed");

	/* The tracee is ours now, and untraced: two more lines. */
	for (int i = 0; i < 2; i++) {
		put(go[1], 1);
		tracee_pid = get(alive[0]);
		nap(pace_ms);
	}
	/* Not stopped: in read(2), waiting for a token. */
	while (proc_state(tracee_pid)[0] == 'R')
		nap(1);
	say("tracee: state %s", proc_state(tracee_pid));

	kill_pid(tracee_pid, SIGKILL);
	waitpid(tracee_pid, NULL, 0);
	return 0;
}
