/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-recorder.h"
#include "test-common-tracee.h"

struct rec recs[MAX_RECS];
int nrecs;
bool recs_overflowed;
void (*rec_hook)(const struct seize_tracer_event *ev);
int rec_tracer_fd = -1;

void rec_record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	(void)t;
	(void)data;
	if (nrecs < MAX_RECS) {
		struct rec *r = &recs[nrecs++];

		r->type = ev->type;
		r->pid = ev->pid;
		r->tid = ev->tid;
		r->sig = ev->sig;
		r->exit_code = ev->exit_code;
		r->has_sender = ev->has_sender;
		r->sender_pid = ev->sender_pid;
		r->sender_uid = ev->sender_uid;
		r->parent = ev->parent;
		r->former_tid = ev->former_tid;
	} else {
		recs_overflowed = true;
	}
	if (rec_hook)
		rec_hook(ev);
}

const char *recs_text(void)
{
	static char buf[3072];
	size_t len = 0;
	int i = nrecs > 40 ? nrecs - 40 : 0;

	buf[0] = '\0';
	if (i > 0)
		len += (size_t)snprintf(buf, sizeof(buf), "(%d before) ", i);
	for (; i < nrecs && len < sizeof(buf) - 64; i++) {
		const struct rec *r = &recs[i];
		const char *name = seize_tracer_event_name(r->type);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %d/%d", name ? name : "?",
					(int)r->pid, (int)r->tid);
		if (r->sig)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " sig %d", r->sig);
		if (r->type == SEIZE_TRACER_EXITED)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " code %d", r->exit_code);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, i + 1 < nrecs ? ", " : "");
	}
	return nrecs ? buf : "none";
}

bool rec_matches(const struct rec *r, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	return r->type == type && (pid == 0 || r->pid == pid) && (sig == ANY_SIG || r->sig == sig);
}

int rec_find(int from, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	int i;

	for (i = from; i < nrecs; i++)
		if (rec_matches(&recs[i], type, pid, sig))
			return i;
	return -1;
}

int rec_count(enum seize_tracer_event_type type, pid_t pid, int sig)
{
	int i, n = 0;

	for (i = 0; i < nrecs; i++)
		n += rec_matches(&recs[i], type, pid, sig);
	return n;
}

bool rec_gone(pid_t pid)
{
	return rec_find(0, SEIZE_TRACER_KILLED, pid, ANY_SIG) >= 0 ||
	       rec_find(0, SEIZE_TRACER_EXITED, pid, ANY_SIG) >= 0;
}

struct seize_tracer *new_tracer(unsigned int flags)
{
	struct seize_tracer_config cfg = {
		.flags = flags, .events = SEIZE_TRACER_ALL, .callback = rec_record,
	};
	struct seize_tracer *t = NULL;

	nrecs = 0;
	recs_overflowed = false;
	rec_hook = NULL;
	ck_assert_int_eq(seize_tracer_new(&cfg, &t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

struct seize_tracer *new_tracer_of(pid_t pid)
{
	struct seize_tracer *t;
	int ret;

	wait_threads_in(pid, "S");
	t = new_tracer(0);
	ret = seize_tracer_attach(t, pid);
	TST_CHECK(ret == 0, "seize_tracer_attach(%d) gave %d", (int)pid, ret);
	return t;
}

void expect_counts(struct seize_tracer *t, unsigned int procs, unsigned int threads)
{
	unsigned int p = ~0u, th = ~0u;

	ck_assert_int_eq(seize_tracer_count(t, &p, &th), 0);
	TST_CHECK(p == procs && th == threads,
		  "tracer counts %u processes and %u threads, wanted %u and %u; events: %s", p, th,
		  procs, threads, recs_text());
}

int rec_pump(struct seize_tracer *t, long deadline, const char *what)
{
	long left = deadline - tst_now_ms();
	int ret;

	TST_CHECK(left > 0, "waiting for %s: time ran out; events: %s", what, recs_text());
	if (rec_tracer_fd >= 0) {
		struct pollfd pfd = { .fd = rec_tracer_fd, .events = POLLIN };

		TST_CHECK(poll(&pfd, 1, (int)left) >= 0 || errno == EINTR, "poll: %s",
			  strerror(errno));
		ret = seize_tracer_dispatch(t, 0);
	} else {
		tst_arm(left);
		ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT);
		tst_disarm();
	}
	TST_CHECK(ret >= 0 || ret == -EINTR || ret == -ECHILD,
		  "waiting for %s: dispatch gave %d; events: %s", what, ret, recs_text());
	return ret;
}

void rec_serve_until_readable(struct seize_tracer *t, int fd)
{
	int tracer_fd = seize_tracer_fd(t);
	long deadline = tst_now_ms() + tst_bound_ms();

	TST_CHECK(tracer_fd >= 0, "seize_tracer_fd gave %d", tracer_fd);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = tracer_fd, .events = POLLIN },
					 { .fd = fd, .events = POLLIN } };
		long left = deadline - tst_now_ms();

		TST_CHECK(left > 0 && poll(pfd, 2, (int)left) > 0, "nothing to read in time; "
			  "events: %s", recs_text());
		if (pfd[0].revents)
			TST_CHECK(seize_tracer_dispatch(t, 0) >= 0, "dispatch failed; events: %s",
				  recs_text());
		if (pfd[1].revents)
			return;
	}
}

/* Dispatch until the nth event, or (or_gone) pid's death: whether it came. */
static bool await_event(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid,
			int sig, int n, bool or_gone)
{
	long deadline = tst_now_ms() + tst_bound_ms();

	for (;;) {
		if (rec_count(type, pid, sig) >= n)
			break;
		if (or_gone && rec_gone(pid))
			return false;
		TST_CHECK(rec_pump(t, deadline, seize_tracer_event_name(type)) != -ECHILD,
			  "waiting for %s #%d of %d: no tracee left; events: %s",
			  seize_tracer_event_name(type), n, (int)pid, recs_text());
	}
	TST_CHECK(!recs_overflowed, "more than %d events", MAX_RECS);
	return true;
}

int rec_await_n(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig,
		int n)
{
	int i, seen = 0;

	await_event(t, type, pid, sig, n, false);
	for (i = 0; i < nrecs; i++)
		if (rec_matches(&recs[i], type, pid, sig) && ++seen == n)
			return i;
	return -1;	/* not reached */
}

int rec_await(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	return rec_await_n(t, type, pid, sig, 1);
}

bool rec_await_or_gone(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid,
		       int sig)
{
	return await_event(t, type, pid, sig, 1, true);
}

void rec_settle(struct seize_tracer *t, pid_t pid, const char *states)
{
	long deadline = tst_now_ms() + tst_bound_ms();
	int quiet = 0;

	for (;;) {
		bool all = all_threads_in(pid, states);
		int ret = seize_tracer_dispatch(t, 0);

		TST_CHECK(ret >= 0, "dispatch gave %d; events: %s", ret, recs_text());
		quiet = all && ret == 0 ? quiet + 1 : 0;
		if (quiet == 2)
			break;
		TST_CHECK(tst_now_ms() < deadline, "threads of %d: %s, wanted \"%s\"; events: %s",
			  (int)pid, states_text(pid), states, recs_text());
		usleep(1000);
	}
}

int exec_extra_fds = -1;
char exec_fd_text[1024];

void rec_list_fds_at_exec(const struct seize_tracer_event *ev)
{
	char path[64], link[384], target[256];
	struct dirent *de;
	size_t len = 0;
	DIR *dir;

	if (ev->type != SEIZE_TRACER_EXEC)
		return;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)ev->pid);
	dir = opendir(path);
	if (!dir)
		return;
	exec_extra_fds = 0;
	exec_fd_text[0] = '\0';
	while ((de = readdir(dir))) {
		ssize_t n;
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (fd < 0 || fd > 2)
			exec_extra_fds++;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (len < sizeof(exec_fd_text) - 1)
			len += (size_t)snprintf(exec_fd_text + len, sizeof(exec_fd_text) - len,
						"%s -> %s; ", de->d_name, target);
	}
	closedir(dir);
}
