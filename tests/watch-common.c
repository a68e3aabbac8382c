/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-run.h"

#include "watch-common.h"

/* ---- seize-watch run with its stdio piped to us ------------------------- */

const char *watch_path(void)
{
	const char *path = getenv("SEIZE_WATCH");

	ck_assert_msg(path && *path, "SEIZE_WATCH must name the seize-watch binary");
	return path;
}

struct tst_run *run_watch_in(const char *const *args, bool with_stdin)
{
	return tst_run_start(watch_path(), args, with_stdin);
}

struct tst_run *run_watch(const char *const *args)
{
	return run_watch_in(args, false);
}

bool next_line(struct tst_run *r, char *line, size_t size, int timeout_ms)
{
	return tst_run_next_line(r, &r->out, line, size, timeout_ms);
}

struct tst_run *watch_json_pid(pid_t p, struct json_object *o)
{
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, o);
	return r;
}

void expect_let_go_running(struct tst_run *r, pid_t p)
{
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_wait_state(p, "S", BOUND_MS);
	tst_run_free(r);
	tst_reap(p);
}

/* Wait for seize-watch to end; its exit code (it must exit, not be killed). */
int finish(struct tst_run *r)
{
	int status = tst_run_wait(r, BOUND_MS);

	ck_assert_msg(WIFEXITED(status), "seize-watch died of signal %d; stderr:\n%s",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0, r->err.buf);
	return WEXITSTATUS(status);
}

/* Wait for seize-watch to end killed by a signal (as its command was): which. */
int finish_killed(struct tst_run *r)
{
	int status = tst_run_wait(r, BOUND_MS);

	ck_assert_msg(WIFSIGNALED(status), "seize-watch exited %d, not killed; stderr:\n%s",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1, r->err.buf);
	ck_assert_msg(!WCOREDUMP(status), "seize-watch dumped a core");
	return WTERMSIG(status);
}

int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

void expect_one_error_line(struct tst_run *r)
{
	ck_assert_msg(count_lines(r->err.buf) == 1 && strncmp(r->err.buf, "seize-watch: ", 13) == 0,
		      "wanted one line \"seize-watch: ...\" on stderr, got:\n%s", r->err.buf);
}

/* ---- the JSON lines ------------------------------------------------------ */

static const char *const event_names[] = {
	"signal", "group-stop", "continued", "exited", "killed",
	"new-thread", "new-child", "exec", "attached", "detached",
};

/* Parse one output line and check it against the contract; fails the case
 * with the line if it breaks it. */
void parse_event(const char *line, struct json_object *o)
{
	const struct json_value *t;
	const char *event, *sig;
	bool known = false;

	ck_assert_msg(json_parse(line, o), "not one JSON object: %s", line);
	event = json_str(o, "event");
	ck_assert_msg(event, "no \"event\" string: %s", line);
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		known |= strcmp(event, event_names[i]) == 0;
	ck_assert_msg(known, "unknown event: %s", line);
	ck_assert_msg(json_int(o, "pid") > 0 && json_int(o, "tid") > 0, "bad pid/tid: %s", line);

	t = json_get(o, "time");
	ck_assert_msg(t && t->type == J_NUMBER && !t->is_integer, "no \"time\" with a fraction: %s",
		      line);
	ck_assert_msg(strlen(strchr(t->text, '.') + 1) == 6, "time without microseconds: %s", line);
	ck_assert_msg(t->number > time(NULL) - 600 && t->number < time(NULL) + 600,
		      "time is not now: %s", line);

	sig = json_str(o, "signal");
	ck_assert_msg(!json_has(o, "signal") || (sig && strncmp(sig, "SIG", 3) == 0),
		      "bad \"signal\": %s", line);
	if (!strcmp(event, "signal") || !strcmp(event, "group-stop") || !strcmp(event, "killed"))
		ck_assert_msg(sig, "no \"signal\": %s", line);
	if (json_has(o, "sender_pid") || json_has(o, "sender_uid"))
		ck_assert_msg(json_int(o, "sender_pid") >= 0 && json_int(o, "sender_uid") >= 0,
			      "bad sender: %s", line);
	if (!strcmp(event, "exited"))
		ck_assert_msg(json_int(o, "exit_code") >= 0, "bad exit_code: %s", line);
	if (!strcmp(event, "killed")) {
		t = json_get(o, "core_dumped");
		ck_assert_msg(t && t->type == J_BOOL, "no boolean core_dumped: %s", line);
	}
	if (!strcmp(event, "new-child"))
		ck_assert_msg(json_int(o, "parent") > 0, "bad parent: %s", line);
}

/* Read JSON lines until one for event (NULL: any) and pid (if > 0); fails
 * at EOF. */
void expect_event(struct tst_run *r, const char *event, pid_t pid, struct json_object *o)
{
	char line[1024];

	while (next_line(r, line, sizeof(line), BOUND_MS)) {
		parse_event(line, o);
		if ((!event || strcmp(json_str(o, "event"), event) == 0) &&
		    (pid <= 0 || json_int(o, "pid") == pid))
			return;
	}
	ck_abort_msg("seize-watch ended without a \"%s\" line for %d; stdout:\n%s\nstderr:\n%s",
		     event ? event : "any", (int)pid, r->out.buf, r->err.buf);
}

/* Check every line of the first len bytes of output, and count those of
 * event for pid (if > 0) with signal signame (NULL: any) and, if sender > 0,
 * from that sender (checked, not counted: every one must be from it). */
static int count_in(const struct tst_run *r, size_t len, const char *event, pid_t pid,
		    const char *signame, pid_t sender)
{
	const char *s = r->out.buf, *end = r->out.buf + len;
	int n = 0;

	while (s < end) {
		const char *nl = strchr(s, '\n');
		char line[1024];
		struct json_object o;
		const char *sig;

		ck_assert_msg(nl && (size_t)(nl - s) < sizeof(line), "bad output:\n%s", r->out.buf);
		memcpy(line, s, (size_t)(nl - s));
		line[nl - s] = '\0';
		s = nl + 1;
		parse_event(line, &o);
		sig = json_str(&o, "signal");
		if (strcmp(json_str(&o, "event"), event) != 0 || (pid > 0 && json_int(&o, "pid") != pid))
			continue;
		if (signame && (!sig || strcmp(sig, signame) != 0))
			continue;
		if (sender > 0) {
			ck_assert_msg(json_int(&o, "sender_pid") == sender &&
				      json_int(&o, "sender_uid") == (long long)getuid(),
				      "wrong sender: %s", line);
		}
		n++;
	}
	return n;
}

int count_events(const struct tst_run *r, const char *event, pid_t pid, const char *signame,
		 pid_t sender)
{
	return count_in(r, r->out.len, event, pid, signame, sender);
}

/* The same, over the lines read so far by next_line(). */
int seen_events(const struct tst_run *r, const char *event, pid_t pid, const char *signame)
{
	return count_in(r, r->out.pos, event, pid, signame, 0);
}

/* ---- /proc ------------------------------------------------------------- */

int tracer_pid_of(pid_t pid)
{
	char path[64], line[256];
	int tracer = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}

/* Wait (bounded /proc poll) until no SIGCONT is pending for the process, so
 * that the next SIGSTOP cannot discard it. */
void wait_sigcont_taken(pid_t pid)
{
	long deadline = tst_now_ms() + BOUND_MS;
	const unsigned long long bit = 1ull << (SIGCONT - 1);

	while ((tst_task_status_mask(pid, pid, "ShdPnd") | tst_task_status_mask(pid, pid, "SigPnd")) &
	       bit) {
		ck_assert_msg(tst_now_ms() < deadline, "SIGCONT stays pending in %d", (int)pid);
		usleep(1000);
	}
}

/* A pid that no process has: a child's, reaped. */
void expect_stopped(pid_t pid)
{
	int status = tst_wait_child(pid, WUNTRACED, BOUND_MS);

	ck_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
		      "wanted a SIGSTOP stop for the parent, status 0x%x", (unsigned int)status);
}

void expect_continued(pid_t pid)
{
	int status = tst_wait_child(pid, WCONTINUED, BOUND_MS);

	ck_assert_msg(WIFCONTINUED(status), "wanted continued, status 0x%x", (unsigned int)status);
}
