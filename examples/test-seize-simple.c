/* SPDX-License-Identifier: MIT */
/* test-seize-simple: the PTRACE_SEIZE mail's program, called without an
 * argument, on libseize.  A tracee seized while running keeps running, and
 * goes on running after its tracer exits:
 *
 *   tracee: alive        (x3, while seized)
 *   tracer: exiting
 *   tracee: alive        (x2, the tracer gone)
 *   tracee: state S (sleeping)
 *
 * Three processes: the observer (main) forks the tracer, which forks the
 * tracee as in the mail.  The observer is a child subreaper, so the tracee
 * becomes its child when the tracer exits; it then lets the tracee print
 * its last two lines, shows that it is not stopped, and kills it.
 *
 * Order comes from tokens, not from sleeps: the tracee prints only when
 * given a budget of lines ("go") and sends a token after each line; the
 * tracer gives it 3 lines and exits after counting 3 tokens; the observer
 * gives it 2 more once the tracer has exited. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "example-common.h"

struct pipes {
	int go[2];	/* tracer, observer -> tracee: a budget of lines */
	int alive[2];	/* tracee -> tracer, observer: one token per line */
	int info[2];	/* tracer -> observer: the tracee's pid */
};

static noreturn void tracee(pid_t observer, const struct pipes *p)
{
	ex_close(p->go[1]);
	ex_close(p->alive[0]);
	ex_close(p->info[0]);
	ex_close(p->info[1]);
	/* It outlives its parent, the tracer, so no PR_SET_PDEATHSIG yet.  If
	 * everyone else dies, the go pipe reads EOF and it exits. */
	for (;;) {
		unsigned int lines = ex_get(p->go[0], "the tracer and the observer");

		/* Now the observer's child: die with it from here on. */
		if (getppid() == observer)
			ex_die_with_parent(observer);
		while (lines-- > 0) {
			ex_say("tracee: alive");
			ex_put(p->alive[1], '.');
			ex_sleep_ms(ex_step_ms());
		}
	}
}

static noreturn void tracer(pid_t observer, const struct pipes *p)
{
	pid_t child;
	int ret;

	child = ex_fork(0);
	if (child == 0)
		tracee(observer, p);
	ex_track(child);
	ex_close(p->go[0]);
	ex_close(p->alive[1]);
	ex_close(p->info[0]);
	ex_put_pid(p->info[1], child);
	ex_close(p->info[1]);

	ex_sleep_ms(ex_initial_ms());
	/* No PTRACE_O_EXITKILL: what the mail shows is the tracee outliving us. */
	ret = seize_attach(child, 0);
	if (ret < 0)
		ex_fail("seize_attach(%d): %s", (int)child, strerror(-ret));

	/* The mail sleeps 3 s while the tracee prints: count its 3 lines. */
	ex_put(p->go[1], 3);
	for (int i = 0; i < 3; i++)
		ex_get(p->alive[0], "the tracee");
	ex_sleep_ms(ex_step_ms());	/* the mail's rhythm: exit a step later */
	ex_say("tracer: exiting");
	_exit(0);
}

int main(int argc, char **argv)
{
	struct pipes p;
	pid_t observer = getpid(), tracer_pid, tracee_pid;
	char state;

	ex_init(argc, argv);
	/* Orphans come to us, not to init: the tracee, when the tracer exits. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		ex_fail("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
	ex_pipe(p.go);
	ex_pipe(p.alive);
	ex_pipe(p.info);

	/* SIGTERM, not SIGKILL, should we die: the tracer's handler then
	 * kills the tracee, which no one else could (it may be stopped). */
	tracer_pid = ex_fork(SIGTERM);
	if (tracer_pid == 0)
		tracer(observer, &p);
	ex_track(tracer_pid);
	ex_close(p.go[0]);
	ex_close(p.alive[1]);
	ex_close(p.info[1]);
	tracee_pid = ex_get_pid(p.info[0], "the tracer");
	ex_track(tracee_pid);	/* a grandchild: cleaned up once it is ours */
	ex_close(p.info[0]);

	ex_wait_success(tracer_pid, "the tracer");

	/* The tracer is gone and the tracee is our child, no longer traced:
	 * let it go on as the mail's did, for two more lines. */
	ex_put(p.go[1], 2);
	for (int i = 0; i < 2; i++)
		ex_get(p.alive[0], "the tracee");
	state = ex_await_state(tracee_pid, "S", "the tracee");
	ex_say("tracee: state %c (%s)", state, ex_state_name(state));

	safe_kill(tracee_pid, SIGKILL);
	ex_wait_killed(tracee_pid, SIGKILL, "the tracee");
	return 0;
}
