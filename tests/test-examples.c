/* SPDX-License-Identifier: MIT */
/* The examples, run as they are built.  Each must print, line for line, its
 * transcript (tests/expected/NAME.txt), exit 0 and leave no process behind.
 *
 * The examples themselves carry no timeouts and no cleanup: that is this
 * runner's job.  Each example runs as the leader of a session of its own,
 * and this process is a child subreaper, so every process the example
 * starts stays in that session and, orphaned, becomes our child.  A run is
 * bounded: past RUN_TIMEOUT_MS every process of the session is killed, by
 * pid, and reaped.  After a run the session must be empty.
 *
 * The patch mails' programs run at the short pace (-p 20) and at pace 0,
 * since their order comes from events and must hold at any pace.
 * tracer-jobctl is driven: the signals it reports are sent from here, each
 * after the line that says the previous one was seen. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"

#define RUN_TIMEOUT_MS 8000	/* each run: two fit in CK_DEFAULT_TIMEOUT=20 */
#define CLEANUP_MS 5000
#define MAX_OUTPUT 65536
#define MAX_LINES 256

/* One example running: the leader of its own session, its output on a pipe. */
struct run {
	char what[256];
	pid_t pid;
	int out;
	long deadline;
	char pending[4096];	/* read, not yet returned as lines */
	size_t npending;
	bool eof;
};

static int left_ms(const struct run *r)
{
	long left = r->deadline - tst_now_ms();

	return left > 0 ? (int)left : 0;
}

static const char *env_dir(const char *name)
{
	const char *dir = getenv(name);

	ck_assert_msg(dir && *dir, "%s is not set (run the suite through meson test)", name);
	return dir;
}

/* The session id of @pid (field 6 of /proc/PID/stat, after the name's last
 * ')'), or 0 if it is gone. */
static pid_t session_of(pid_t pid)
{
	char path[64], buf[1024];
	const char *paren;
	int ppid, pgrp, sid;
	char state;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tst_read_small(path, buf, sizeof(buf)) <= 0 || !(paren = strrchr(buf, ')')))
		return 0;
	if (sscanf(paren + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4)
		return 0;
	return (pid_t)sid;
}

/* SIGKILL every process of session @sid (never pid <= 0, never us), and
 * reap those that are our children.  Returns how many were found. */
static int kill_session(pid_t sid)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	int found = 0;

	ck_assert_msg(proc, "opendir /proc: %s", strerror(errno));
	while ((de = readdir(proc))) {
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);

		if (pid <= 0 || pid == getpid() || session_of(pid) != sid)
			continue;
		found++;
		if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
			ck_abort_msg("kill(%d, SIGKILL): %s", (int)pid, strerror(errno));
		waitpid(pid, NULL, WNOHANG | __WALL);
	}
	closedir(proc);
	return found;
}

/* Empty session @sid: kill and reap until nothing of it is left (a tracer's
 * death hands its tracees to us as orphans, a pass later).  Returns how
 * many processes the first pass found. */
static int clear_session(pid_t sid)
{
	long deadline = tst_now_ms() + CLEANUP_MS;
	int first = kill_session(sid), n = first;

	while (n > 0) {
		ck_assert_msg(tst_now_ms() < deadline, "session %d: %d processes would not die",
			      (int)sid, n);
		usleep(1000);
		n = kill_session(sid);
	}
	return first;
}

__attribute__((noreturn)) static void fail_run(struct run *r, const char *why)
{
	int n = clear_session(r->pid);

	ck_abort_msg("%s: %s (%d processes of its session killed)", r->what, why, n);
}

struct child_args {
	char **argv;
	int out;
};

static void exec_example(void *arg)
{
	const struct child_args *a = arg;
	static const char msg[] = "test-examples: exec failed\n";

	/* A session of its own: every process the example starts is found. */
	if (setsid() < 0 || dup2(a->out, STDOUT_FILENO) < 0)
		_exit(127);
	execv(a->argv[0], a->argv);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* Start examples/@name with @args (NULL-terminated, at most 8). */
static void run_start(struct run *r, const char *name, const char *const *args)
{
	static char path[4096];
	char *argv[10] = { path };
	struct child_args child = { .argv = argv };
	int fds[2];

	snprintf(path, sizeof(path), "%s/%s", env_dir("SEIZE_EXAMPLES_DIR"), name);
	ck_assert_msg(access(path, X_OK) == 0, "%s: %s", path, strerror(errno));
	memset(r, 0, sizeof(*r));
	snprintf(r->what, sizeof(r->what), "%s", name);
	for (int i = 0; args[i]; i++) {
		ck_assert_int_lt(i, 8);
		argv[i + 1] = (char *)args[i];
		snprintf(r->what + strlen(r->what), sizeof(r->what) - strlen(r->what), " %s", args[i]);
	}
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	tst_pipe(fds);
	child.out = fds[1];
	r->pid = tst_fork(exec_example, &child);
	close(fds[1]);
	r->out = fds[0];
	r->deadline = tst_now_ms() + RUN_TIMEOUT_MS;
}

/* The next line the example printed, without its newline; NULL at EOF.
 * Bounded by the run's deadline. */
static const char *run_line(struct run *r)
{
	static char line[4096];

	for (;;) {
		char *nl = memchr(r->pending, '\n', r->npending);
		struct pollfd pfd = { .fd = r->out, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - r->pending);

			memcpy(line, r->pending, len);
			line[len] = '\0';
			r->npending -= len + 1;
			memmove(r->pending, nl + 1, r->npending);
			return line;
		}
		if (r->eof) {
			if (r->npending)
				fail_run(r, "its output ends without a newline");
			return NULL;
		}
		if (r->npending == sizeof(r->pending))
			fail_run(r, "a line too long");
		n = poll(&pfd, 1, left_ms(r));
		if (n == 0)
			fail_run(r, "still running at its deadline (RUN_TIMEOUT_MS)");
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "poll: %s", strerror(errno));
		n = read(r->out, r->pending + r->npending, sizeof(r->pending) - r->npending);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n >= 0, "read: %s", strerror(errno));
		r->eof = n == 0;
		r->npending += (size_t)n;
	}
}

/* After EOF: the example's exit status, within the deadline; then its
 * session must be empty. */
static void run_finish(struct run *r)
{
	int status = 0, n;
	pid_t ret;

	/* A short poll (no pidfd: valgrind 3.19 lacks pidfd_open): after
	 * closing its output the example's main process exits at once. */
	while ((ret = waitpid(r->pid, &status, WNOHANG)) == 0 && left_ms(r) > 0)
		usleep(1000);
	if (ret == 0)
		fail_run(r, "closed its output but did not exit");
	ck_assert_msg(ret == r->pid, "waitpid: %s", strerror(errno));
	close(r->out);
	n = clear_session(r->pid);
	ck_assert_msg(n == 0, "%s left %d processes behind (killed here)", r->what, n);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s: %s %d", r->what, WIFEXITED(status) ? "exited with status" : "killed by signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

static char *read_expected(const char *name)
{
	char path[4096];
	char *buf = malloc(MAX_OUTPUT);
	size_t len = 0;
	ssize_t n;
	int fd;

	ck_assert_ptr_nonnull(buf);
	snprintf(path, sizeof(path), "%s/%s.txt", env_dir("SEIZE_EXPECTED_DIR"), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	while ((n = read(fd, buf + len, MAX_OUTPUT - 1 - len)) > 0)
		len += (size_t)n;
	ck_assert_msg(n == 0, "read %s: %s", path, strerror(errno));
	close(fd);
	buf[len] = '\0';
	return buf;
}

static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;

	while (*text && n < max) {
		char *nl = strchr(text, '\n');

		lines[n++] = text;
		if (!nl)
			break;
		*nl = '\0';
		text = nl + 1;
	}
	return n;
}

/* The output against tests/expected/@name.txt, line against line. */
static void compare(const char *what, const char *name, const char *got)
{
	char *expected = read_expected(name), *exp_copy, *got_copy;
	char *exp[MAX_LINES], *out[MAX_LINES];
	size_t ne, ng, first = (size_t)-1;

	if (strcmp(expected, got) == 0) {
		free(expected);
		return;
	}
	exp_copy = strdup(expected);
	got_copy = strdup(got);
	ck_assert_ptr_nonnull(exp_copy);
	ck_assert_ptr_nonnull(got_copy);
	ne = split_lines(exp_copy, exp, MAX_LINES);
	ng = split_lines(got_copy, out, MAX_LINES);

	/* "  " same, "- " expected, "+ " printed. */
	fprintf(stderr, "%s: the output differs from the expected (- expected, + printed):\n", what);
	for (size_t i = 0; i < ne || i < ng; i++) {
		if (i < ne && i < ng && strcmp(exp[i], out[i]) == 0) {
			fprintf(stderr, "  %s\n", exp[i]);
			continue;
		}
		if (first == (size_t)-1)
			first = i;
		if (i < ne)
			fprintf(stderr, "- %s\n", exp[i]);
		if (i < ng)
			fprintf(stderr, "+ %s\n", out[i]);
	}
	ck_abort_msg("%s: line %zu is \"%s\", expected \"%s\" (%zu lines printed, %zu expected)",
		     what, first + 1, first < ng ? out[first] : "<none>",
		     first < ne ? exp[first] : "<none>", ng, ne);
}

static void append(char *text, const char *line)
{
	size_t len = strlen(text);

	ck_assert_msg(len + strlen(line) + 2 < MAX_OUTPUT, "too much output");
	snprintf(text + len, MAX_OUTPUT - len, "%s\n", line);
}

/* A mail's program: no input, just its transcript. */
static void run_mail(const char *name)
{
	static const char *const paces[] = { "20", "0" };

	for (size_t i = 0; i < 2; i++) {
		const char *args[] = { "-p", paces[i], NULL };
		char *got = calloc(1, MAX_OUTPUT);
		const char *line;
		struct run r;

		ck_assert_ptr_nonnull(got);
		run_start(&r, name, args);
		while ((line = run_line(&r)))
			append(got, line);
		run_finish(&r);
		compare(r.what, name, got);
		free(got);
	}
}

START_TEST(example_seize_simple)
{
	run_mail("test-seize-simple");
}
END_TEST

START_TEST(example_seize)
{
	run_mail("test-seize");
}
END_TEST

START_TEST(example_notify)
{
	run_mail("test-notify");
}
END_TEST

START_TEST(example_listen)
{
	run_mail("test-listen");
}
END_TEST

/* tracer-jobctl's next line, its "1234:" prefix replaced by "PID:" (pids
 * differ from run to run) and appended to @got.  Returns the pid. */
static pid_t jobctl_line(struct run *r, char *got)
{
	const char *line = run_line(r);
	char *end, buf[4200];
	long pid;

	if (!line)
		fail_run(r, "its output ended early");
	pid = strtol(line, &end, 10);
	if (pid <= 0 || *end != ':')
		fail_run(r, "a line that does not start with a pid");
	snprintf(buf, sizeof(buf), "PID%s", end);
	append(got, buf);
	return (pid_t)pid;
}

/* What the runner does once tracer-jobctl has printed a line. */
enum jobctl_action { NOTHING, STOP_IT, CONT_IT, CTRL_C };

/* Run tracer-jobctl with @args and drive it: after its line i, do @after[i]
 * (SIGSTOP or SIGCONT to the traced process, SIGINT to the tracer); it must
 * then end its output, exit 0 and print tests/expected/@name.txt.  Returns
 * the traced process's pid. */
static pid_t drive_jobctl(const char *name, const char *const *args,
			  const enum jobctl_action *after, size_t nlines)
{
	char *got = calloc(1, MAX_OUTPUT);
	struct run r;
	pid_t pid = 0;

	ck_assert_ptr_nonnull(got);
	run_start(&r, "tracer-jobctl", args);
	for (size_t i = 0; i < nlines; i++) {
		pid_t said = jobctl_line(&r, got);

		if (i == 0)
			pid = said;
		else if (said != pid)
			fail_run(&r, "a line about another process");
		if (after[i] == STOP_IT || after[i] == CONT_IT)
			tst_kill(pid, after[i] == STOP_IT ? SIGSTOP : SIGCONT);
		else if (after[i] == CTRL_C)
			tst_kill(r.pid, SIGINT);
	}
	if (run_line(&r))
		fail_run(&r, "more lines than expected");
	run_finish(&r);
	compare(r.what, name, got);
	free(got);
	return pid;
}

/* tracer-jobctl -p PID: a process of ours, stopped and continued from here,
 * then Ctrl-C (SIGINT) to the tracer, which lets it go. */
START_TEST(example_tracer_jobctl_attach)
{
	/* attached, group-stop SIGSTOP, continued, detached */
	static const enum jobctl_action after[] = { STOP_IT, CONT_IT, CTRL_C, NOTHING };
	pid_t target = tst_fork_pauser();
	char arg[32];
	const char *const args[] = { "-p", arg, NULL };

	snprintf(arg, sizeof(arg), "%d", (int)target);
	ck_assert_int_eq(drive_jobctl("tracer-jobctl-attach", args, after, 4), target);
	/* Let go as found: running, and traced by nobody. */
	tst_wait_state(target, "S", RUN_TIMEOUT_MS);
	ck_assert_int_eq(tst_tracer_pid(target), 0);
	tst_reap(target);
}
END_TEST

/* tracer-jobctl COMMAND: a shell that stops itself, is continued from here,
 * and exits 3. */
START_TEST(example_tracer_jobctl_spawn)
{
	/* attached, exec, group-stop SIGSTOP, continued, exited 3 */
	static const enum jobctl_action after[] = { NOTHING, NOTHING, CONT_IT, NOTHING, NOTHING };
	static const char *const args[] = { "sh", "-c", "kill -STOP $$; exit 3", NULL };

	drive_jobctl("tracer-jobctl-spawn", args, after, 5);
}
END_TEST

TEST_SUITE(examples, true)
{
	ADD_CASE(s, example_seize_simple);
	ADD_CASE(s, example_seize);
	ADD_CASE(s, example_notify);
	ADD_CASE(s, example_listen);
	ADD_CASE(s, example_tracer_jobctl_attach);
	ADD_CASE(s, example_tracer_jobctl_spawn);
}
