/* SPDX-License-Identifier: MIT */
/* tracer-jobctl: <seize/tracer.h> on one page.  Trace a process (-p PID) or
 * start a command traced, print its job-control events, and let it go on
 * SIGINT (Ctrl-C).  With a second shell sending kill -STOP, then kill -CONT:
 *
 *   $ tracer-jobctl sh -c 'read x; exit 3'
 *   4242: attached
 *   4242: exec
 *   4242: group-stop SIGSTOP
 *   4242: continued
 *   4242: exited 3
 *
 * The tracer's fd is readable while a stop waits: poll() it next to a
 * signalfd for SIGINT, and let seize_tracer_dispatch() handle what came. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include <seize/tracer.h>
#include "helpers.h"

static void print_event(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	const char *name = seize_tracer_event_name(ev->type);

	if (ev->type == SEIZE_TRACER_EXITED)
		say("%d: %s %d", (int)ev->pid, name, ev->exit_code);
	else if (ev->type == SEIZE_TRACER_GROUP_STOP || ev->type == SEIZE_TRACER_KILLED)
		say("%d: %s SIG%s", (int)ev->pid, name, sigabbrev_np(ev->sig));
	else
		say("%d: %s", (int)ev->pid, name);
}

int main(int argc, char **argv)
{
	struct seize_tracer_config cfg = { .events = SEIZE_TRACER_ALL, .callback = print_event };
	struct pollfd fds[2] = { { .events = POLLIN }, { .events = POLLIN } };
	struct seize_tracer *t;
	unsigned int procs = 1;
	sigset_t sigint;
	pid_t pid;
	int ret;

	if (argc < 2 || (strcmp(argv[1], "-p") == 0 && argc != 3))
		die("usage: %s -p PID | COMMAND [ARG...]", argv[0]);
	/* SIGINT is read from a signalfd, so it must not be delivered. */
	sigemptyset(&sigint);
	sigaddset(&sigint, SIGINT);
	sigprocmask(SIG_BLOCK, &sigint, NULL);
	fds[0].fd = signalfd(-1, &sigint, SFD_CLOEXEC);
	cfg.events &= ~SEIZE_TRACER_MASK(SEIZE_TRACER_SIGNAL);	/* job control only */
	ret = seize_tracer_new(&cfg, &t);
	if (ret == 0 && strcmp(argv[1], "-p") == 0)
		ret = seize_tracer_attach(t, pid = atoi(argv[2]));
	else if (ret == 0)
		ret = seize_tracer_spawn(t, argv + 1, &pid);	/* unblocks SIGINT in the child */
	if (ret == 0)
		ret = fds[1].fd = seize_tracer_fd(t);
	if (ret < 0 || fds[0].fd < 0)
		die("%s: %s", argv[1], strerror(ret < 0 ? -ret : errno));

	while (procs > 0 && !(fds[0].revents & POLLIN)) {
		if (poll(fds, 2, -1) < 0)
			die("poll: %s", strerror(errno));
		if ((fds[1].revents & POLLIN) && (ret = seize_tracer_dispatch(t, 0)) < 0)
			die("seize_tracer_dispatch: %s", strerror(-ret));
		seize_tracer_count(t, &procs, NULL);
	}
	if (procs > 0)
		seize_tracer_detach(t, pid);	/* Ctrl-C: as found, stopped or running */
	seize_tracer_destroy(t);
	return 0;
}
