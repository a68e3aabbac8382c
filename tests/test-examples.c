/* SPDX-License-Identifier: MIT */
/* The seed examples, run as they are built: each must print, line for line,
 * the transcript of its patch mail (tests/expected/NAME.txt), exit 0, and
 * leave no process behind.  Each runs at the short pace (-p 20) and at pace
 * 0, since its order comes from events and must hold at any pace. */
#define _GNU_SOURCE
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

#define RUN_TIMEOUT_MS 8000	/* each of two runs: both fit in CK_DEFAULT_TIMEOUT=20 */
#define MAX_OUTPUT 65536
#define MAX_LINES 256

struct child_args {
	const char *path;
	const char *pace;
	int out;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *env_dir(const char *name)
{
	const char *dir = getenv(name);

	ck_assert_msg(dir && *dir, "%s is not set (run the suite through meson test)", name);
	return dir;
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

static void exec_example(void *arg)
{
	const struct child_args *a = arg;
	static const char msg[] = "test-examples: exec failed\n";

	if (dup2(a->out, STDOUT_FILENO) < 0)
		_exit(127);
	execl(a->path, a->path, "-p", a->pace, (char *)NULL);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

/* Orphans of the example come to us (we are a subreaper), reparented before
 * the example's main process becomes a zombie: once it is reaped, anything
 * left is one of our children.  Kill and reap those, and fail. */
static void check_no_leftovers(const char *name)
{
	char path[64], buf[1024];
	char *p, *end;
	int fd, killed = 0;
	ssize_t n = 0;

	errno = 0;
	if (waitpid(-1, NULL, __WALL | WNOHANG) < 0 && errno == ECHILD)
		return;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0) {
			tst_reap((pid_t)pid);
			killed++;
		}
	}
	ck_abort_msg("%s left processes behind (%d killed here)", name, killed);
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

static void compare(const char *what, const char *expected, const char *got)
{
	char *exp_copy, *got_copy;
	char *exp[MAX_LINES], *out[MAX_LINES];
	size_t ne, ng, first = (size_t)-1;

	if (strcmp(expected, got) == 0)
		return;
	exp_copy = strdup(expected);
	got_copy = strdup(got);
	ck_assert_ptr_nonnull(exp_copy);
	ck_assert_ptr_nonnull(got_copy);
	ne = split_lines(exp_copy, exp, MAX_LINES);
	ng = split_lines(got_copy, out, MAX_LINES);

	/* Line against line: "  " same, "- " expected, "+ " printed. */
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
	if (first == (size_t)-1)
		ck_abort_msg("%s: the output differs from the expected only in its final newline", what);
	ck_abort_msg("%s: line %zu is \"%s\", expected \"%s\" (%zu lines printed, %zu expected)",
		     what, first + 1, first < ng ? out[first] : "<none>",
		     first < ne ? exp[first] : "<none>", ng, ne);
}

static void run_example(const char *name, const char *pace)
{
	struct child_args args;
	char path[4096], what[128];
	char *expected, *got;
	size_t len = 0;
	long deadline;
	int fds[2], status = 0;
	bool exited = false;
	pid_t pid, ret;

	snprintf(path, sizeof(path), "%s/%s", env_dir("SEIZE_EXAMPLES_DIR"), name);
	snprintf(what, sizeof(what), "%s -p %s", name, pace);
	ck_assert_msg(access(path, X_OK) == 0, "%s: %s", path, strerror(errno));
	expected = read_expected(name);
	got = malloc(MAX_OUTPUT);
	ck_assert_ptr_nonnull(got);

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	tst_pipe(fds);
	args = (struct child_args){ .path = path, .pace = pace, .out = fds[1] };
	pid = tst_fork(exec_example, &args);
	close(fds[1]);

	/* Read until EOF, or until the example has exited and its output is
	 * drained: a process it left behind would hold the pipe open, and is
	 * then found by check_no_leftovers(). */
	deadline = now_ms() + RUN_TIMEOUT_MS;
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int ready = poll(&pfd, 1, exited ? 0 : 10);
		ssize_t n;

		if (ready > 0) {
			n = read(fds[0], got + len, MAX_OUTPUT - 1 - len);
			if (n < 0 && errno == EINTR)
				continue;
			ck_assert_msg(n >= 0, "read: %s", strerror(errno));
			if (n == 0)
				break;
			len += (size_t)n;
			ck_assert_msg(len < MAX_OUTPUT - 1, "%s: too much output", what);
			continue;
		}
		ck_assert_msg(ready == 0 || errno == EINTR, "poll: %s", strerror(errno));
		if (exited)
			break;
		ret = waitpid(pid, &status, WNOHANG);
		ck_assert_msg(ret >= 0, "waitpid: %s", strerror(errno));
		exited = ret == pid;
		if (!exited && now_ms() > deadline) {
			tst_reap(pid);
			check_no_leftovers(name);
			ck_abort_msg("%s: still running after %d ms", what, RUN_TIMEOUT_MS);
		}
	}
	close(fds[0]);
	got[len] = '\0';

	/* EOF: every process of the example closed its output.  The main one
	 * exits at once after (bounded all the same). */
	while (!exited) {
		ret = waitpid(pid, &status, WNOHANG);
		ck_assert_msg(ret >= 0, "waitpid: %s", strerror(errno));
		exited = ret == pid;
		if (!exited && now_ms() > deadline) {
			tst_reap(pid);
			ck_abort_msg("%s: did not exit after closing its output", what);
		}
		if (!exited)
			usleep(1000);
	}
	check_no_leftovers(name);

	compare(what, expected, got);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s: %s %d", what, WIFEXITED(status) ? "exited with status" : "killed by signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	free(expected);
	free(got);
}

static void run_both_paces(const char *name)
{
	run_example(name, "20");
	run_example(name, "0");
}

START_TEST(example_seize_simple)
{
	run_both_paces("test-seize-simple");
}
END_TEST

START_TEST(example_seize)
{
	run_both_paces("test-seize");
}
END_TEST

START_TEST(example_notify)
{
	run_both_paces("test-notify");
}
END_TEST

START_TEST(example_listen)
{
	run_both_paces("test-listen");
}
END_TEST

TEST_SUITE(examples, true)
{
	ADD_CASE(s, example_seize_simple);
	ADD_CASE(s, example_seize);
	ADD_CASE(s, example_notify);
	ADD_CASE(s, example_listen);
}
