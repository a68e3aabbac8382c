/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-tracee.h"

/* ---- /proc views of a process's threads ---------------------------------- */

int threads_of(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (atoi(de->d_name) > 0 && n < max)
			tids[n++] = (pid_t)atoi(de->d_name);
	closedir(dir);
	return n;
}

const char *states_text(pid_t pid)
{
	static char buf[256];
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS), counts[128] = { 0 };
	size_t len;

	for (i = 0; i < n; i++)
		counts[(unsigned char)tst_task_state(pid, tids[i]) & 127]++;
	len = (size_t)snprintf(buf, sizeof(buf), "%d threads:", n);
	for (i = 0; i < 128 && len < sizeof(buf) - 16; i++)
		if (counts[i])
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %d %c", counts[i],
						i ? i : '?');
	return buf;
}

bool all_threads_in(pid_t pid, const char *states)
{
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS);

	for (i = 0; i < n; i++) {
		char s = tst_task_state(pid, tids[i]);

		if (!s || !strchr(states, s))
			return false;
	}
	return n > 0;
}

void wait_threads_in(pid_t pid, const char *states)
{
	long deadline = tst_now_ms() + tst_bound_ms();

	while (!all_threads_in(pid, states)) {
		TST_CHECK(tst_now_ms() < deadline, "threads of %d: %s, wanted \"%s\"", (int)pid,
			  states_text(pid), states);
		usleep(1000);
	}
}

int expect_tracer_of_all(pid_t pid, long tracer, int nthreads)
{
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS);

	if (nthreads >= 0)
		TST_CHECK(n == nthreads, "%d has %d threads, wanted %d", (int)pid, n, nthreads);
	for (i = 0; i < n; i++) {
		long got = tst_task_status_field(pid, tids[i], "TracerPid");

		TST_CHECK(got == tracer || (nthreads < 0 && got == -1),
			  "thread %d of %d has TracerPid %ld, wanted %ld", (int)tids[i], (int)pid,
			  got, tracer);
	}
	return n;
}

/* ---- targets ----------------------------------------------------------- */

/* In a target or a victim: where its SIGUSR1 handler writes 'u'. */
static int usr1_fd = -1;

static void on_usr1_write(int sig)
{
	char c = 'u';
	ssize_t n;

	(void)sig;
	if (usr1_fd >= 0) {
		n = write(usr1_fd, &c, 1);
		(void)n;
	}
}

bool usr1_writes_u(int fd)
{
	struct sigaction sa = { .sa_handler = on_usr1_write, .sa_flags = SA_RESTART };

	usr1_fd = fd;
	return sigaction(SIGUSR1, &sa, NULL) == 0;
}

struct target {
	int nthreads;		/* threads besides the main one, all in pause() */
	int ready;		/* write end: 'r' once all is set up */
	int usr1;		/* write end for the SIGUSR1 handler's 'u', or -1: no handler */
	bool new_session;	/* setsid() first: an orphaned process group */
};

void *thread_pause(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void target_main(void *arg)
{
	const struct target *a = arg;
	char c = 'r';
	int i;

	/* Yama's scope 1 lets only ancestors trace: a sibling tracer (a remote
	 * tracer, a refused attach) needs this.  EINVAL without Yama. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	if (a->new_session && setsid() < 0)
		_exit(3);
	if (a->usr1 >= 0 && !usr1_writes_u(a->usr1))
		_exit(4);
	for (i = 0; i < a->nthreads; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, thread_pause, NULL) != 0)
			_exit(5);
	}
	tst_write_or_die(a->ready, &c, 1);
	for (;;)
		pause();
}

pid_t start_target(int nthreads, int usr1, bool new_session)
{
	struct target a = { .nthreads = nthreads, .usr1 = usr1, .new_session = new_session };
	int ready[2];
	pid_t pid;

	tst_pipe(ready);
	a.ready = ready[1];
	pid = tst_fork(target_main, &a);
	ck_assert_int_eq(tst_read_byte(ready[0], tst_bound_ms()), 'r');
	tst_close_pipe(ready);
	return pid;
}

pid_t start_usr1_target(int nthreads, int usr1[2], bool new_session)
{
	tst_pipe(usr1);
	return start_target(nthreads, usr1[1], new_session);
}

pid_t start_target_of(void *spec)
{
	const struct target_spec *a = spec;

	return start_target(a->nthreads, a->usr1, a->new_session);
}

pid_t start_stopped_pauser(void)
{
	pid_t pid = tst_fork_pauser();
	int status;

	tst_kill(pid, SIGSTOP);
	ck_assert_int_eq(waitpid(pid, &status, WUNTRACED), pid);
	ck_assert(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	return pid;
}

/* ---- the mother ------------------------------------------------------------ */

struct mother_arg {
	pid_t (*start)(void *arg);
	void *arg;
	int order;	/* read end */
	int report;	/* write end */
	int others[2];	/* the test's ends, closed here so that EOF comes */
};

static char mother_step(pid_t target, char order)
{
	siginfo_t si;
	int options;

	memset(&si, 0, sizeof(si));
	if (order == 'S' || order == 'X') {
		if (order == 'X') {
			tst_kill(target, SIGSTOP);
			tst_kill(target, SIGCONT);
		}
		tst_kill(target, SIGSTOP);
		options = WSTOPPED;
	} else if (order == 'C') {
		tst_kill(target, SIGCONT);
		options = WCONTINUED;
	} else if (order == 'W') {
		options = WSTOPPED | WCONTINUED;
	} else {
		options = WSTOPPED | WCONTINUED | WNOHANG;
	}
	if (waitid(P_PID, (id_t)target, &si, options) < 0)
		return '!';
	if (si.si_pid == 0)
		return '0';
	if (si.si_code == CLD_STOPPED && si.si_status == SIGSTOP)
		return 's';
	if (si.si_code == CLD_CONTINUED)
		return 'c';
	fprintf(stderr, "mother: waitid for '%c' gave si_code %d si_status %d\n", order,
		si.si_code, si.si_status);
	return '?';
}

static void mother_main(void *arg)
{
	struct mother_arg *a = arg;
	pid_t target;
	char c;

	tst_close_pipe(a->others);
	target = a->start(a->arg);
	tst_write_or_die(a->report, &target, sizeof(target));
	while (read(a->order, &c, 1) == 1) {
		if (c == 'R') {
			uint32_t i, n;

			if (read(a->order, &n, sizeof(n)) != sizeof(n))
				_exit(7);
			for (i = 0; i < n; i++) {
				c = mother_step(target, 'S');
				tst_write_or_die(a->report, &c, 1);
				c = mother_step(target, 'C');
				tst_write_or_die(a->report, &c, 1);
			}
			c = 'D';
		} else if (c == 'L') {
			char next = 'S';

			while (!tst_readable(a->order, 0)) {
				c = mother_step(target, next);
				tst_write_or_die(a->report, &c, 1);
				next = next == 'S' ? 'C' : 'S';
			}
			if (read(a->order, &c, 1) != 1 || c != 'Q')
				_exit(8);
			c = 'D';
		} else {
			c = mother_step(target, c);
		}
		tst_write_or_die(a->report, &c, 1);
	}
	tst_kill(target, SIGKILL);
	while (waitpid(target, NULL, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

void mother_start(struct mother *m, pid_t (*start)(void *arg), void *arg)
{
	struct mother_arg a = { .start = start, .arg = arg };
	int order[2], report[2];

	tst_pipe(order);
	tst_pipe(report);
	a.order = order[0];
	a.report = report[1];
	a.others[0] = order[1];
	a.others[1] = report[0];
	m->pid = tst_fork(mother_main, &a);
	close(order[0]);
	close(report[1]);
	m->order = order[1];
	m->report = report[0];
	tst_read_exact(m->report, &m->target, sizeof(m->target), tst_bound_ms());
	TST_CHECK(m->target > 0, "mother sent pid %d", (int)m->target);
}

void mother_start_threads(struct mother *m, int nthreads)
{
	struct target_spec spec = { .nthreads = nthreads, .usr1 = -1 };

	mother_start(m, start_target_of, &spec);
}

void mother_order(struct mother *m, char c)
{
	tst_write_byte(m->order, c);
}

char mother_reply(struct mother *m)
{
	char c;

	tst_read_exact(m->report, &c, 1, tst_bound_ms());
	return c;
}

char mother_ask(struct mother *m, char order)
{
	mother_order(m, order);
	return mother_reply(m);
}

void mother_end(struct mother *m)
{
	char c;

	close(m->order);
	/* EOF once she has reaped the target and exited. */
	while (tst_readable(m->report, tst_bound_ms()) && read(m->report, &c, 1) == 1)
		;
	close(m->report);
	tst_reap(m->pid);
}

/* ---- a tracer process of its own ---------------------------------------- */

static void remote_event(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	struct remote *r = data;

	(void)t;
	if (ev->type == SEIZE_TRACER_GROUP_STOP)
		r->group_stopped = true;
	if (r->die_at_sigstop && ev->type == SEIZE_TRACER_SIGNAL && ev->sig == SIGSTOP)
		tst_kill(getpid(), SIGKILL);
}

void remote_tracer(void *arg)
{
	struct remote *r = arg;	/* our own copy, since the fork */
	struct seize_tracer_config cfg = { .events = SEIZE_TRACER_ALL, .callback = remote_event,
					   .data = r };
	struct seize_tracer *t;
	int fd = -1;
	char c = 'a';

	if (seize_tracer_new(&cfg, &t) != 0)
		_exit(2);
	if (r->use_fd)
		fd = seize_tracer_fd(t);
	if (seize_tracer_attach(t, r->target) != 0)
		_exit(3);
	if (r->report >= 0)
		tst_write_or_die(r->report, &c, 1);
	if (r->wait_group_stop) {
		while (!r->group_stopped)
			if (seize_tracer_dispatch(t, SEIZE_TRACER_WAIT) < 0)
				_exit(4);
		c = 'g';
		tst_write_or_die(r->report, &c, 1);
	}
	for (;;) {
		int ret;

		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				_exit(4);
			ret = seize_tracer_dispatch(t, 0);
		} else {
			ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT);
		}
		if (ret < 0 && r->exit_on_error)
			_exit(5);
		if (ret < 0)
			pause();
	}
}
