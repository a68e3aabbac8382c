/* SPDX-License-Identifier: MIT */
/* test-seize: the PTRACE_SEIZE mail's program called with an argument, on
 * libseize.  A tracee stopped by SIGSTOP is seized while stopped, continued,
 * and goes back to its stop when its tracer exits, since the group-stop is
 * still in effect (only SIGCONT ends it):
 *
 *   tracee: alive        (x3, continued by the tracer)
 *   tracer: exiting
 *   tracee: state T (stopped)
 *
 * The mail showed the last line with ps -el.  The structure is that of
 * test-seize-simple: an observer (a child subreaper) forks the tracer, which
 * forks the tracee; the tracee prints only the lines it is given, and sends
 * a token after each; the observer, once the tracer has exited, waits for
 * the tracee to be stopped again, says so, and kills it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "example-common.h"

struct pipes {
	int go[2];	/* tracer -> tracee: a budget of lines (observer: none) */
	int alive[2];	/* tracee -> tracer: one token per line */
	int info[2];	/* tracer -> observer: the tracee's pid */
};

static noreturn void tracee(const struct pipes *p)
{
	ex_close(p->go[1]);
	ex_close(p->alive[0]);
	ex_close(p->info[0]);
	ex_close(p->info[1]);
	/* It outlives its parent, the tracer, so no PR_SET_PDEATHSIG: the
	 * observer kills it.  It is stopped before it is given any line. */
	for (;;) {
		unsigned int lines = ex_get(p->go[0], "the tracer and the observer");

		while (lines-- > 0) {
			ex_say("tracee: alive");
			ex_put(p->alive[1], '.');
			ex_sleep_ms(ex_step_ms());
		}
	}
}

static noreturn void tracer(const struct pipes *p)
{
	struct seize_event ev;
	pid_t child;
	int status, ret;

	child = ex_fork(0);
	if (child == 0)
		tracee(p);
	ex_track(child);
	ex_close(p->go[0]);
	ex_close(p->alive[1]);
	ex_close(p->info[0]);
	ex_put_pid(p->info[1], child);
	ex_close(p->info[1]);

	safe_kill(child, SIGSTOP);
	/* As its parent, see it stopped (the mail slept 100 ms and hoped). */
	status = ex_waitpid(child, WUNTRACED, "the tracee");
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		ex_fail("the tracee did not stop on SIGSTOP (status 0x%x)", (unsigned int)status);

	ex_sleep_ms(ex_initial_ms());
	/* No PTRACE_O_EXITKILL: what the mail shows is the tracee outliving us. */
	ret = seize_attach(child, 0);
	if (ret < 0)
		ex_fail("seize_attach(%d): %s", (int)child, strerror(-ret));

	/* Seizing a stopped task makes it trap at once, reporting the
	 * group-stop: no seize_interrupt() needed. */
	ex_wait_event(child, &ev);
	if (ev.type != SEIZE_EVENT_STOP || !ev.group_stop || ev.sig != SIGSTOP)
		ex_fail("expected a group-stop by SIGSTOP, got %s (signal %d)",
			seize_event_name(&ev), ev.sig);
	/* Resume it.  The group-stop stays in effect, so the tracee returns
	 * to it when we detach by exiting. */
	ret = seize_cont(child, 0);
	if (ret < 0)
		ex_fail("seize_cont(%d): %s", (int)child, strerror(-ret));

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
	pid_t tracer_pid, tracee_pid;
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
		tracer(&p);
	ex_track(tracer_pid);
	/* Keep go[1] open though we never write to it: the tracer's exit
	 * must not wake the tracee with EOF before it is stopped again.  EOF
	 * tells it that we, too, are gone. */
	ex_close(p.go[0]);
	ex_close(p.alive[0]);
	ex_close(p.alive[1]);
	ex_close(p.info[1]);
	tracee_pid = ex_get_pid(p.info[0], "the tracer");
	ex_track(tracee_pid);	/* a grandchild: cleaned up once it is ours */
	ex_close(p.info[0]);

	ex_wait_success(tracer_pid, "the tracer");

	/* The tracer's exit detached the tracee, which re-enters the
	 * group-stop: 'T', not the 't' of a tracing stop. */
	state = ex_await_state(tracee_pid, "T", "the tracee");
	ex_say("tracee: state %c (%s)", state, ex_state_name(state));

	safe_kill(tracee_pid, SIGKILL);
	ex_wait_killed(tracee_pid, SIGKILL, "the tracee");
	return 0;
}
