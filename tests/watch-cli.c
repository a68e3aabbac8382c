/* SPDX-License-Identifier: MIT */
/* seize-watch's command line, run as a program (its path in SEIZE_WATCH):
 * the exit status passed on from the command (or 127, or its signal), the
 * refusals of -p (a missing pid, its own, one traced, one of several) and
 * usage errors, -o FILE (flushed while idle), --help, --version, and no
 * descriptor of its own leaked into the command. The cases synchronise on seize-watch's own output (read line by line
 * with poll() and a time bound), on waitpid() and on /proc polled with a
 * bound; never on a sleep.  Every process a case starts dies with it
 * (PR_SET_PDEATHSIG) and is killed and reaped on the way out. */
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
#include "test-common-tracee.h"

#include "watch-common.h"

/* ---- the cases: exit statuses ------------------------------------------ */

/* seize-watch over `/bin/sh -c script`: it ends as the command did (finish:
 * the exit code; finish_killed: the signal), and its output says so in line. */
static void expect_sh_passed_on(const char *script, int (*end)(struct tst_run *), int want,
				const char *line, bool no_errors)
{
	const char *args[] = { "--", "/bin/sh", "-c", script, NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(end(r), want);
	ck_assert_msg(strstr(r->out.buf, line), "no [%s] line:\n%s", line, r->out.buf);
	if (no_errors)
		ck_assert_str_eq(r->err.buf, "");
	tst_run_free(r);
}

#define SH_CASE(name, script, end, want, line, no_errors)				\
	START_TEST(name)								\
	{										\
		expect_sh_passed_on((script), (end), (want), (line), (no_errors));	\
	}										\
	END_TEST
SH_CASE(command_exit_code_is_passed_on, "exit 3", finish, 3, " exited 3\n", true)
/* A shell sees its job killed by the same signal (128+N in $?). */
SH_CASE(command_killed_kills_seize_watch_alike, "kill -TERM $$", finish_killed, SIGTERM,
	" killed SIGTERM\n", false)
/* A command's core dump is its own: seize-watch dies of SIGSEGV without one. */
SH_CASE(command_segfault_no_core_of_ours, "ulimit -c 0; kill -SEGV $$", finish_killed, SIGSEGV,
	" killed SIGSEGV", false)

START_TEST(command_not_found_is_127)
{
	const char *args[] = { "--", "/nonexistent/seize-watch-test", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 127);
	expect_one_error_line(r);
	tst_run_free(r);
}
END_TEST

START_TEST(command_without_double_dash)
{
	const char *args[] = { "/bin/sh", "-c", "exit 5", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 5);
	tst_run_free(r);
}
END_TEST

/* ---- refusals ---------------------------------------------------------- */

START_TEST(missing_pid_fails_at_once)
{
	char pid[16];
	const char *args[] = { "-p", pid, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)tst_vanished_pid());
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, pid), "the pid is not named: %s", r->err.buf);
	tst_run_free(r);
}
END_TEST

START_TEST(own_pid_fails_at_once)
{
	const char *args[] = { "-p", tst_run_own_pid, NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, "itself"), "stderr: %s", r->err.buf);
	ck_assert_str_eq(r->out.buf, "");
	tst_run_free(r);
}
END_TEST

START_TEST(traced_pid_fails_at_once)
{
	pid_t p = tst_fork_pauser();
	char pid[16], want[64];
	const char *args[] = { "-p", pid, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	ck_assert_int_eq(seize_attach(p, PTRACE_O_EXITKILL), 0);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	snprintf(want, sizeof(want), "process %d is already traced by %d", (int)p, (int)getpid());
	ck_assert_msg(strstr(r->err.buf, want), "stderr: %s", r->err.buf);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(one_refusal_lets_the_others_go)
{
	pid_t p = tst_fork_pauser();
	char pid[16], gone[16];
	const char *args[] = { "--json", "-p", pid, "-p", gone, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	snprintf(gone, sizeof(gone), "%d", (int)tst_vanished_pid());
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, gone), "stderr: %s", r->err.buf);
	ck_assert_int_eq(count_events(r, "attached", p, NULL, 0), 1);
	expect_let_go_running(r, p);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
	char gone[16];
	const char *const cases[][6] = {
		{ NULL },
		{ "-p", NULL },
		{ "-p", "abc", NULL },
		{ "-p", "0", NULL },
		{ "-p", "-1", NULL },
		{ "-e", "bogus", "--", "/bin/true", NULL },
		{ "-e", "", "--", "/bin/true", NULL },
		{ "--bogus", NULL },
		{ "-z", NULL },
		{ "-e", "signal=BOGUS", "--", "/bin/true", NULL },
		{ "-e", "signal=", "--", "/bin/true", NULL },
		{ "-p", "+5", NULL },
		{ "-p", " 5", NULL },
		{ "-p", "5x", NULL },
		{ "-p", gone, "--", "/bin/true", NULL },	/* checked before any attach */
	};

	snprintf(gone, sizeof(gone), "%d", (int)tst_vanished_pid());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tst_run *r = run_watch(cases[i]);

		ck_assert_msg(finish(r) == 2, "case %zu: not a usage error", i);
		ck_assert_msg(r->err.buf[0] != '\0', "case %zu: nothing on stderr", i);
		/* The tool's name, not the path it was run by (getopt's too). */
		ck_assert_msg(strncmp(r->err.buf, "seize-watch: ", 13) == 0, "case %zu: %s", i,
			      r->err.buf);
		ck_assert_str_eq(r->out.buf, "");
		tst_run_free(r);
	}
}
END_TEST

/* strace's habits: -e signal=LIST keeps those signals' lines, -ttt gives the
 * epoch's seconds. */
START_TEST(signal_filter_and_epoch_time)
{
	const char *args[] = { "-e", "signal=USR2", "-ttt", "--", "/bin/sh", "-c",
			       "trap : USR1 USR2; kill -USR1 $$; kill -USR2 $$", NULL };
	struct tst_run *r = run_watch(args);
	char name[16] = "";
	long secs, usecs;
	int n = 0, end = 0;
	const char *line;

	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(!strstr(r->out.buf, "SIGUSR1"), "%s", r->out.buf);
	line = strstr(r->out.buf, " signal SIGUSR2 ");
	ck_assert_msg(line, "no SIGUSR2 line:\n%s", r->out.buf);
	while (line > r->out.buf && line[-1] != '\n')
		line--;
	n = sscanf(line, "%ld.%6ld %*d/%*d signal %15s%n", &secs, &usecs, name, &end);
	ck_assert_msg(n == 3 && secs > 1700000000 && strcmp(name, "SIGUSR2") == 0, "%s", line);
	ck_assert_int_eq(line[10], '.');
	tst_run_free(r);
}
END_TEST

/* -c: no event lines, the story of each process at the end. */
START_TEST(summary_only)
{
	const char *args[] = { "-c", "--", "/bin/sh", "-c",
			       "trap : USR1; kill -USR1 $$; echo $$ >&2; exit 3", NULL };
	struct tst_run *r = run_watch(args);
	char want[256], *after;
	int shell;

	ck_assert_int_eq(finish(r), 3);
	ck_assert_int_eq(sscanf(r->err.buf, "%d", &shell), 1);
	snprintf(want, sizeof(want), "%d (sh): exited 3 after ", shell);
	ck_assert_msg(strncmp(r->out.buf, want, strlen(want)) == 0, "%s", r->out.buf);
	after = strchr(r->out.buf, '\n');
	ck_assert_ptr_nonnull(after);
	snprintf(want, sizeof(want), "\n  signals: SIGUSR1 1 from pid %d (sh)\n", shell);
	ck_assert_str_eq(after, want);
	tst_run_free(r);
}
END_TEST

/* -f, as strace -f: a child that outlives the command is watched to its
 * end, and the status stays the command's. */
START_TEST(follow_watches_children_that_outlive_the_command)
{
	const char *args[] = { "-f", "--json", "--", "/bin/sh", "-c",
			       /* fd 3: a background list's stdin is /dev/null */
			       "exec 3<&0; (read x <&3; exit 0) & echo $! >&2; exit 4", NULL };
	struct tst_run *r = run_watch_in(args, true);
	struct json_object o;
	char line[64];
	pid_t child;
	int status;

	ck_assert(tst_run_next_line(r, &r->err, line, sizeof(line), BOUND_MS));
	child = atoi(line);
	ck_assert_int_gt(child, 0);
	expect_event(r, "exited", 0, &o);	/* the shell's */
	ck_assert_int_eq(json_int(&o, "exit_code"), 4);
	ck_assert_int_ne(json_int(&o, "pid"), child);
	/* Still watching the child, which waits for its line. */
	ck_assert_int_eq(waitpid(r->pid, &status, WNOHANG), 0);
	tst_write_byte(r->in, '\n');
	expect_event(r, "exited", child, &o);
	ck_assert_int_eq(json_int(&o, "exit_code"), 0);
	ck_assert_int_eq(finish(r), 4);
	tst_run_free(r);
}
END_TEST

/* ---- output that fails ------------------------------------------------- */

/* Its reader gone (EPIPE): the output stops, not the command, which is
 * let go as found and waited for, its status seize-watch's. */
START_TEST(closed_output_waits_for_the_command)
{
	const char *args[] = { "--", "/bin/sh", "-c",
			       "trap : USR1; read x; for i in 1 2 3; do kill -USR1 $$; done; exit 7",
			       NULL };
	struct tst_run *r = run_watch_in(args, true);
	char line[256];

	ck_assert(next_line(r, line, sizeof(line), BOUND_MS));	/* attached */
	close(r->out.fd);
	r->out.fd = -1;
	r->out.eof = true;
	tst_write_byte(r->in, '\n');
	ck_assert_int_eq(finish(r), 7);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, "Broken pipe"), "%s", r->err.buf);
	tst_run_free(r);
}
END_TEST

/* ---- output, help, version, descriptors -------------------------------- */

START_TEST(output_file)
{
	char path[] = "/tmp/seize-watch-test-XXXXXX";
	const char *args[] = { "--json", "-o", path, "--", "/bin/sh", "-c", "exit 0", NULL };
	struct tst_run *r;
	char text[4096];
	ssize_t n;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old contents, to be replaced\n", 29), 29);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_str_eq(r->out.buf, "");
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	ck_assert_msg(!strstr(text, "old contents"), "not truncated:\n%s", text);
	/* Read it back through the same checks as a pipe. */
	ck_assert_uint_lt((size_t)n, sizeof(r->out.buf));
	memcpy(r->out.buf, text, (size_t)n + 1);
	r->out.len = (size_t)n;
	ck_assert_int_eq(count_events(r, "attached", 0, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "exited", 0, NULL, 0), 1);
	tst_run_free(r);
}
END_TEST

/* -o FILE gathers lines; SIGTERM or SIGINT must lose none of them. */
START_TEST(output_file_loses_nothing_at_a_stop_signal)
{
	static const int stoppers[] = { SIGTERM, SIGINT };

	for (size_t k = 0; k < sizeof(stoppers) / sizeof(stoppers[0]); k++) {
		char path[] = "/tmp/seize-watch-test-XXXXXX", pid_text[16], text[8192];
		int fd = mkstemp(path), usr1[2];
		pid_t p = start_usr1_target(0, usr1, false);
		const char *args[] = { "--json", "-o", path, "-p", pid_text, NULL };
		struct tst_run *r;
		ssize_t n;

		ck_assert_int_ge(fd, 0);
		snprintf(pid_text, sizeof(pid_text), "%d", (int)p);
		r = run_watch(args);
		/* Attached once its tracer shows in /proc. */
		for (long end = tst_now_ms() + BOUND_MS; tracer_pid_of(p) != r->pid; usleep(1000))
			ck_assert_msg(tst_now_ms() < end, "seize-watch did not attach");
		/* Each signal is written (into the gathering) before it is delivered. */
		for (int i = 0; i < 3; i++) {
			tst_kill(p, SIGUSR1);
			ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
		}
		tst_kill(r->pid, stoppers[k]);
		ck_assert_int_eq(finish(r), 0);
		n = pread(fd, text, sizeof(text) - 1, 0);
		close(fd);
		unlink(path);
		ck_assert_int_gt(n, 0);
		text[n] = '\0';
		memcpy(r->out.buf, text, (size_t)n + 1);
		r->out.len = (size_t)n;
		ck_assert_int_eq(count_events(r, "attached", p, NULL, 0), 1);
		ck_assert_int_eq(count_events(r, "signal", p, "SIGUSR1", getpid()), 3);
		ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
		tst_run_free(r);
		tst_reap(p);
		tst_close_pipe(usr1);
	}
}
END_TEST

/* Bounded poll of a file until it holds @p needle. */
static void wait_file_holds(int fd, const char *needle, int timeout_ms)
{
	long deadline = tst_now_ms() + timeout_ms;
	char text[8192];
	ssize_t n;

	for (;;) {
		n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		if (strstr(text, needle))
			return;
		ck_assert_msg(tst_now_ms() < deadline, "no \"%s\" in the file within %d ms:\n%s",
			      needle, timeout_ms, text);
		usleep(2000);
	}
}

/* Lines to a file are gathered, but reach it within 100 ms even while
 * seize-watch waits for the next event. */
START_TEST(output_file_flushed_while_idle)
{
	char path[] = "/tmp/seize-watch-test-XXXXXX";
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "-o", path, "-p", pid, NULL };
	struct tst_run *r;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	wait_file_holds(fd, " attached", 2000);
	tst_kill(p, SIGSTOP);
	expect_stopped(p);
	wait_file_holds(fd, " group-stop SIGSTOP", 2000);
	tst_kill(r->pid, SIGTERM);
	ck_assert_int_eq(finish(r), 0);
	wait_file_holds(fd, " detached", 0);
	close(fd);
	unlink(path);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(version_exits_0)
{
	const char *args[] = { "--version", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(strncmp(r->out.buf, "seize-watch ", 12) == 0 && r->out.buf[12] > ' ' &&
		      count_lines(r->out.buf) == 1, "version: %s", r->out.buf);
	ck_assert_str_eq(r->err.buf, "");
	tst_run_free(r);
}
END_TEST

START_TEST(help_exits_0)
{
	static const char *const cases[][2] = { { "-h", NULL }, { "--help", NULL } };

	for (size_t i = 0; i < 2; i++) {
		struct tst_run *r = run_watch(cases[i]);

		ck_assert_int_eq(finish(r), 0);
		ck_assert_msg(strstr(r->out.buf, "Usage:") && strstr(r->out.buf, "--json"),
			      "help: %s", r->out.buf);
		ck_assert_str_eq(r->err.buf, "");
		tst_run_free(r);
	}
}
END_TEST

START_TEST(no_descriptor_leaks_into_command)
{
	/* The shell lists its own descriptors, through a child so that the
	 * listing's own directory descriptor is not among them; the same
	 * command run directly gives the baseline. */
	const char *cmd[] = { "-c", "ls /proc/$$/fd >&2; exit 0", NULL };
	const char *args[] = { "-o", "/dev/null", "--", "/bin/sh", "-c", cmd[1], NULL };
	struct tst_run *base = tst_run_start("/bin/sh", cmd, false);
	struct tst_run *r;

	ck_assert_int_eq(finish(base), 0);
	ck_assert_msg(strstr(base->err.buf, "2\n"), "baseline: %s", base->err.buf);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_str_eq(r->err.buf, base->err.buf);
	tst_run_free(base);
	tst_run_free(r);
}
END_TEST

TEST_SUITE(watch, true)
{
	ADD_CASE(s, command_exit_code_is_passed_on);
	ADD_CASE(s, command_killed_kills_seize_watch_alike);
	ADD_CASE(s, command_segfault_no_core_of_ours);
	ADD_CASE(s, command_not_found_is_127);
	ADD_CASE(s, command_without_double_dash);
	ADD_CASE(s, missing_pid_fails_at_once);
	ADD_CASE(s, own_pid_fails_at_once);
	ADD_CASE(s, traced_pid_fails_at_once);
	ADD_CASE(s, one_refusal_lets_the_others_go);
	ADD_CASE(s, usage_errors_exit_2);
	ADD_CASE(s, closed_output_waits_for_the_command);
	ADD_CASE(s, signal_filter_and_epoch_time);
	ADD_CASE(s, summary_only);
	ADD_CASE(s, follow_watches_children_that_outlive_the_command);
	/* Valgrind takes a forked target's signals with sigtimedwait(): no
	 * signal lines to count (natively and under ASan it runs). */
	if (!tst_under_valgrind())
		ADD_CASE(s, output_file_loses_nothing_at_a_stop_signal);
	ADD_CASE(s, output_file);
	ADD_CASE(s, output_file_flushed_while_idle);
	ADD_CASE(s, version_exits_0);
	ADD_CASE(s, help_exits_0);
	ADD_CASE(s, no_descriptor_leaks_into_command);
}
