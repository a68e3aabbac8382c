/* SPDX-License-Identifier: MIT */
/* seize_tracer_fd(): a helper thread peeks with waitid(WNOWAIT) and wakes
 * an eventfd; the only pthread and atomics code of the library. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer-int.h"

static void *helper_main(void *arg)
{
	struct seize_tracer *t = arg;
	uint64_t one = 1;
	siginfo_t si;
	char c;

	for (;;) {
		si.si_pid = 0;
		if (sys_waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | __WALL) == -EINTR)
			continue;
		/* Park before telling, so a dispatch that follows the tell
		 * always sees the helper parked and pokes it. */
		atomic_store(&t->helper_parked, true);
		if (si.si_pid != 0 && write(t->event_fd, &one, sizeof(one)) < 0)
			break;
		/* Something is ready, or nothing is traced: sleep until a
		 * dispatch or an attach says to look again. */
		if (read(t->rearm[0], &c, 1) != 1)
			break;
	}
	return NULL;
}

void tracer_fd_poke(struct seize_tracer *t)
{
	/* One poke per park: the pipe never fills with stale wake-ups. */
	if (t->helper_started && atomic_exchange(&t->helper_parked, false)) {
		ssize_t n = write(t->rearm[1], "r", 1);

		(void)n;
	}
}

void tracer_fd_stop(struct seize_tracer *t)
{
	if (t->helper_started) {
		pthread_cancel(t->helper);
		pthread_join(t->helper, NULL);
		t->helper_started = false;
	}
	if (t->event_fd >= 0)
		close(t->event_fd);
	if (t->rearm[0] >= 0) {
		close(t->rearm[0]);
		close(t->rearm[1]);
	}
	t->event_fd = t->rearm[0] = t->rearm[1] = -1;
}

int tracer_fd_start(struct seize_tracer *t)
{
	sigset_t all, old;
	int ret;

	if (t->helper_started)
		return t->event_fd;
	t->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->event_fd < 0)
		return -errno;
	if (pipe2(t->rearm, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		tracer_fd_stop(t);
		return ret;
	}
	/* The helper blocks in read(): make its end blocking again. */
	fcntl(t->rearm[0], F_SETFL, 0);
	/* The host's signals are for the host's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&t->helper, NULL, helper_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0) {
		tracer_fd_stop(t);
		return ret;
	}
	t->helper_started = true;
	return t->event_fd;
}
