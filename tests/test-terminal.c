/* SPDX-License-Identifier: MIT */
/* Job control in a real terminal: an interactive bash on a pseudo-terminal,
 * driven with keystrokes (Ctrl-Z, Ctrl-C, bg, fg, `echo rc=$?`), runs each
 * case once untraced and once under `seize-watch -o LOG --`.  Both runs must
 * show the same on the terminal (bash's job words, the program's output, the
 * exit status); the traced run's LOG must have each signal, group-stop and
 * continued.  The test waits on the terminal's output (poll with a deadline)
 * and on /proc (polled with a bound), never on a sleep.  Whatever a case
 * starts is in bash's session, and is killed by session id at the end. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"

#define BOUND_MS 8000
#define PROMPT "@p> "

struct term {
	pid_t bash;
	int fd;			/* the pseudo-terminal's master */
	size_t len, mark;	/* all output so far; where the next expect looks */
	char buf[1 << 17];
	char dir[64];		/* a temporary directory: LOG and files */
	char log[96];
	char prefix[512];	/* "" or "SEIZE_WATCH -o LOG -- " */
	bool traced;
};

/* In the child: no ck_assert, only _exit. */
static void exec_bash(const char *inputrc)
{
	char *argv[] = { "bash", "--norc", "--noprofile", "-i", NULL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	clearenv();
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
	setenv("TERM", "vt100", 1);
	setenv("PS1", PROMPT, 1);
	setenv("HOME", "/tmp", 1);
	setenv("LESSHISTFILE", "-", 1);
	setenv("INPUTRC", inputrc, 1);	/* no bracketed-paste escapes */
	execv("/bin/bash", argv);
	_exit(127);
}

/* Read what comes until regex re matches after the mark; the mark moves past
 * the match.  Returns the first group's text (or the match) in a static buffer. */
static const char *expect(struct term *t, const char *re)
{
	static char found[256];
	long deadline = tst_now_ms() + BOUND_MS;
	regmatch_t m[2];
	regex_t rx;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED), 0);
	for (;;) {
		struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
		long left;
		ssize_t n;

		t->buf[t->len] = '\0';
		if (regexec(&rx, t->buf + t->mark, 2, m, 0) == 0) {
			int g = m[1].rm_so >= 0 ? 1 : 0;
			size_t glen = (size_t)(m[g].rm_eo - m[g].rm_so);

			if (glen >= sizeof(found))
				glen = sizeof(found) - 1;
			memcpy(found, t->buf + t->mark + m[g].rm_so, glen);
			found[glen] = '\0';
			t->mark += (size_t)m[0].rm_eo;
			regfree(&rx);
			return found;
		}
		left = deadline - tst_now_ms();
		ck_assert_msg(left > 0 && poll(&pfd, 1, (int)left) == 1,
			      "%s: no /%s/ within %d ms; after the mark:\n%s",
			      t->traced ? "traced" : "untraced", re, BOUND_MS, t->buf + t->mark);
		n = read(t->fd, t->buf + t->len, sizeof(t->buf) - 1 - t->len);
		ck_assert_msg(n > 0, "terminal closed: %s; output:\n%s",
			      n < 0 ? strerror(errno) : "EOF", t->buf);
		t->len += (size_t)n;
		ck_assert(t->len + 1 < sizeof(t->buf));
	}
}

static void type(struct term *t, const char *keys)
{
	size_t len = strlen(keys);

	ck_assert_int_eq(write(t->fd, keys, len), (ssize_t)len);
}

/* Type a command line and wait for its echo (so that keys typed next are
 * not taken by readline); the line is typed as given, without a prefix. */
static void command(struct term *t, const char *line)
{
	type(t, line);
	type(t, "\r");
	expect(t, "\r\n");
}

static int exit_status(struct term *t)
{
	command(t, "echo rc=$?");
	return atoi(expect(t, "rc=([0-9]+)\r\n" PROMPT));
}

static void write_file(struct term *t, const char *name, const char *text, mode_t mode,
		       char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", t->dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void start(struct term *t, bool traced)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 400 };
	const char *watch = getenv("SEIZE_WATCH");
	char inputrc[128];

	memset(t, 0, sizeof(*t));
	t->traced = traced;
	snprintf(t->dir, sizeof(t->dir), "/tmp/seize-term-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->log, sizeof(t->log), "%s/LOG", t->dir);
	if (traced) {
		ck_assert_msg(watch && *watch, "SEIZE_WATCH must name the seize-watch binary");
		snprintf(t->prefix, sizeof(t->prefix), "%s -o %s -- ", watch, t->log);
	}
	write_file(t, "inputrc", "set enable-bracketed-paste off\n", 0644, inputrc,
		   sizeof(inputrc));
	t->bash = forkpty(&t->fd, NULL, NULL, &ws);
	ck_assert_msg(t->bash >= 0, "forkpty: %s", strerror(errno));
	if (t->bash == 0)
		exec_bash(inputrc);
	expect(t, PROMPT);
}

/* One /proc/PID/stat: its comm, state, and session; false if gone. */
static bool proc_stat(pid_t pid, char *comm, size_t size, char *state, long *session)
{
	char path[64], buf[1024];
	char *open_paren, *close_paren;
	long ppid, pgrp;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (tst_read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	len = (size_t)(close_paren - open_paren - 1);
	if (len >= size)
		len = size - 1;
	memcpy(comm, open_paren + 1, len);
	comm[len] = '\0';
	return sscanf(close_paren + 2, "%c %ld %ld %ld", state, &ppid, &pgrp, session) == 4;
}

/* Calls fn for every process of bash's session. */
static int each_in_session(struct term *t, bool (*fn)(pid_t, const char *, char, void *),
			   void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char comm[64], state;
		long session;
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid > 0 && proc_stat(pid, comm, sizeof(comm), &state, &session) &&
		    session == t->bash && pid != t->bash && fn(pid, comm, state, arg))
			found++;
	}
	closedir(d);
	return found;
}

struct want {
	const char *comm, *states;
	int traced;		/* 1: must be traced, 0: must not, -1: either */
};

static bool matches(pid_t pid, const char *comm, char state, void *arg)
{
	const struct want *w = arg;
	long tracer;

	if (strcmp(comm, w->comm) != 0 || !strchr(w->states, state))
		return false;
	tracer = tst_tracer_pid(pid);
	return w->traced < 0 || (w->traced ? tracer > 0 : tracer == 0);
}

static bool describe(pid_t pid, const char *comm, char state, void *arg)
{
	fprintf(stderr, "  %d %s %c tracer %ld\n", (int)pid, comm, state, tst_tracer_pid(pid));
	(void)arg;
	return true;
}

/* Wait (bounded) until a process named comm of the session is in one of
 * states; traced: as in struct want. */
static void wait_proc(struct term *t, const char *comm, const char *states, int traced)
{
	struct want w = { comm, states, traced };
	long deadline = tst_now_ms() + BOUND_MS;

	while (each_in_session(t, matches, &w) == 0) {
		if (tst_now_ms() >= deadline) {
			fprintf(stderr, "session %d:\n", (int)t->bash);
			each_in_session(t, describe, NULL);
		}
		ck_assert_msg(tst_now_ms() < deadline, "%s: no %s%s in state [%s] within %d ms",
			      t->traced ? "traced" : "untraced",
			      traced == 1 ? "traced " : "", comm, states, BOUND_MS);
		usleep(2000);
	}
}

/* Wait until the job's command runs (under seize-watch: traced). */
static void wait_job(struct term *t, const char *comm, const char *states)
{
	wait_proc(t, comm, states, t->traced ? 1 : 0);
	if (t->traced)
		wait_proc(t, "seize-watch", states[0] == 'S' ? "SR" : "T", 0);
}

/* Wait until the terminal's foreground is a job, not bash. */
static void wait_foreground_job(struct term *t)
{
	long deadline = tst_now_ms() + BOUND_MS;
	pid_t fg;

	while ((fg = tcgetpgrp(t->fd)) == t->bash || fg <= 0) {
		ck_assert_msg(tst_now_ms() < deadline, "no job in the foreground within %d ms",
			      BOUND_MS);
		usleep(2000);
	}
}

static bool kill_one(pid_t pid, const char *comm, char state, void *arg)
{
	(void)comm;
	(void)state;
	(void)arg;
	tst_kill(pid, SIGKILL);
	return true;
}

static void stop(struct term *t)
{
	int status;

	each_in_session(t, kill_one, NULL);
	tst_kill(t->bash, SIGKILL);
	while (waitpid(t->bash, &status, 0) < 0 && errno == EINTR)
		;
	each_in_session(t, kill_one, NULL);	/* any that bash made meanwhile */
	close(t->fd);
}

/* The LOG (read when seize-watch has ended, or flushed before a stop). */
static void read_log(struct term *t, char *buf, size_t size)
{
	ck_assert_int_ge(tst_read_small(t->log, buf, size), 0);
}

/* The LOG of a traced run has these events, in this order (each a
 * substring of a line, e.g. "group-stop SIGTSTP"), but those that start
 * with '~', which may be anywhere. */
static void expect_log(struct term *t, const char *const *events)
{
	char log[65536];
	const char *at;
	long deadline = tst_now_ms() + BOUND_MS;

	if (!t->traced)
		return;
	/* seize-watch may write its last lines just after the shell's prompt. */
	for (;;) {
		read_log(t, log, sizeof(log));
		at = log;
		for (size_t i = 0; events[i] && at; i++) {
			if (events[i][0] == '~') {
				if (!strstr(log, events[i] + 1))
					at = NULL;
				continue;
			}
			at = strstr(at, events[i]);
			if (at)
				at += strlen(events[i]);
		}
		if (at)
			break;
		ck_assert_msg(tst_now_ms() < deadline, "LOG lacks the events wanted; it has:\n%s", log);
		usleep(2000);
	}
	fprintf(stderr, "LOG:\n%s", log);
}

static void note(struct term *t, const char *what, const char *seen)
{
	fprintf(stderr, "%s: %s: %s\n", t->traced ? "traced" : "untraced", what, seen);
}

/* Bash's word for its stopped job 1: the notification's ("[1]+  Stopped
 * COMMAND", which ends with command_end), which must be "Stopped", then
 * `jobs -l`'s, which names the signal ("Stopped (tty input)"), returned.
 * Two spaces follow the words: "Stopped( \\(...\\))?" would be ambiguous,
 * and glibc's groups are not leftmost-longest. */
static const char *job_words(struct term *t, const char *command_end)
{
	const char *words;
	char re[256];

	snprintf(re, sizeof(re), "\\[1\\]\\+ +(Stopped|Stopped \\([a-z ]+\\))  +[^\r]*%s\r\n",
		 command_end);
	words = expect(t, re);
	note(t, "notification", words);
	ck_assert_str_eq(words, "Stopped");
	expect(t, PROMPT);
	command(t, "jobs -l");
	return expect(t, "\\[1\\]\\+ +[0-9]+ (Stopped|Stopped \\([a-z ]+\\))  ");
}

static void each_way(void (*fn)(struct term *t))
{
	static struct term t;

	for (int traced = 0; traced < 2; traced++) {
		start(&t, traced);
		fn(&t);
		stop(&t);
	}
}

/* ---- the cases --------------------------------------------------------- */

static void note_rc(struct term *t, const char *what, int rc)
{
	char seen[32];

	snprintf(seen, sizeof(seen), "rc=%d", rc);
	note(t, what, seen);
}

/* Type the prefix (the tracer's command line, or none) and then the rest, as
 * printf() makes it, as one command. */
static void __attribute__((format(printf, 2, 3))) prefixed_command(struct term *t,
								  const char *fmt, ...)
{
	char line[768];
	size_t n = (size_t)snprintf(line, sizeof(line), "%s", t->prefix);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	command(t, line);
}

/* The job whose command ends so is told of as stopped (the words want),
 * noted as what; then the prompt. */
static void expect_job_stopped(struct term *t, const char *command_end, const char *what,
			       const char *want)
{
	const char *words = job_words(t, command_end);

	note(t, what, words);
	ck_assert_str_eq(words, want);
	expect(t, PROMPT);
}

/* Ctrl-Z: the foreground job whose command ends so is told of as
 * "Stopped", noted as what. */
static void ctrl_z(struct term *t, const char *command_end, const char *what)
{
	type(t, "\x1a");
	expect_job_stopped(t, command_end, what, "Stopped");
}

/* fg: bash echoes the job's command (echo), and the job has the terminal. */
static void fg(struct term *t, const char *echo)
{
	command(t, "fg");
	expect(t, echo);
	wait_foreground_job(t);
}

/* Ctrl-C, then the prompt: $?. */
static int ctrl_c(struct term *t)
{
	type(t, "\x03");
	expect(t, PROMPT);
	return exit_status(t);
}

/* sleep 100: Ctrl-Z, bg, fg, Ctrl-C. */
static void sleep_job(struct term *t)
{
	static const char *const events[] = {
		"signal SIGTSTP", "group-stop SIGTSTP", "continued", "~signal SIGCONT",
		"signal SIGINT", "killed SIGINT", NULL,
	};
	int rc;

	prefixed_command(t, "sleep 100");
	wait_foreground_job(t);
	wait_job(t, "sleep", "S");
	ctrl_z(t, "sleep 100", "Ctrl-Z");
	command(t, "bg");
	expect(t, "\\[1\\]\\+ [^\r]*sleep 100 &\r\n" PROMPT);
	wait_job(t, "sleep", "S");
	fg(t, "sleep 100\r\n");
	wait_job(t, "sleep", "S");
	rc = ctrl_c(t);
	note_rc(t, "Ctrl-C", rc);
	ck_assert_int_eq(rc, 130);
	expect_log(t, events);
}

/* sleep 100 | cat: the first stage traced; Ctrl-Z, fg, Ctrl-C. */
static void pipeline_job(struct term *t)
{
	static const char *const events[] = {
		"signal SIGTSTP", "group-stop SIGTSTP", "continued", "~signal SIGCONT",
		"signal SIGINT", "killed SIGINT", NULL,
	};
	prefixed_command(t, "sleep 100 | cat");
	wait_foreground_job(t);
	wait_job(t, "sleep", "S");
	wait_proc(t, "cat", "S", 0);
	ctrl_z(t, "sleep 100 \\| cat", "Ctrl-Z");
	fg(t, "sleep 100 \\| cat\r\n");
	wait_job(t, "sleep", "S");
	wait_proc(t, "cat", "S", 0);
	ck_assert_int_eq(ctrl_c(t), 130);
	expect_log(t, events);
}

/* A background job (command; name: its process) stops at the terminal, and
 * bash tells of it (as in expect_job_stopped) before its next prompt: the
 * one after "[1] PID", or if the stop came later, the one after an empty
 * line typed here. */
static void background_stop(struct term *t, const char *command, const char *name,
			    const char *command_end, const char *what, const char *want)
{
	prefixed_command(t, "%s", command);
	wait_job(t, name, "Tt");
	type(t, "\r");
	expect_job_stopped(t, command_end, what, want);
}

/* cat & reads the terminal: SIGTTIN; fg, a line, Ctrl-D. */
static void background_reader(struct term *t)
{
	static const char *const events[] = {
		"signal SIGTTIN", "group-stop SIGTTIN", "continued", "~signal SIGCONT",
		"exited 0", NULL,
	};
	background_stop(t, "cat &", "cat", "cat", "cat &", "Stopped (tty input)");
	fg(t, "cat\r\n");
	wait_job(t, "cat", "S");
	type(t, "hel""lo\r");
	expect(t, "hello\r\nhello\r\n");
	type(t, "\x04");
	expect(t, PROMPT);
	ck_assert_int_eq(exit_status(t), 0);
	expect_log(t, events);
}

/* stty tostop, then a background writer: SIGTTOU; fg lets it write. */
static void background_writer(struct term *t)
{
	static const char *const events[] = {
		"signal SIGTTOU", "group-stop SIGTTOU", "continued", "~signal SIGCONT",
		"exited 0", NULL,
	};
	command(t, "stty tostop");
	expect(t, PROMPT);
	background_stop(t, "sh -c 'echo writ\"\"ten' &", "sh", "ten'", "writer &",
			"Stopped (tty output)");
	command(t, "fg");
	expect(t, "\r\nwritten\r\n" PROMPT);
	ck_assert_int_eq(exit_status(t), 0);
	command(t, "stty -tostop");
	expect(t, PROMPT);
	expect_log(t, events);
}

/* less FILE: Ctrl-Z puts the terminal back and stops; fg redraws; q. */
static void full_screen(struct term *t)
{
	static const char *const events[] = {
		"signal SIGTSTP", "signal SIGTSTP", "group-stop SIGTSTP", "continued",
		"~signal SIGCONT", "exited 0", NULL,
	};
	char text[4096], path[128];
	size_t n = 0;

	for (int i = 1; i <= 60; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "row-%02d\n", i);
	write_file(t, "FILE", text, 0644, path, sizeof(path));
	prefixed_command(t, "less %s", path);
	expect(t, "row-01");
	expect(t, "row-23");
	wait_foreground_job(t);
	wait_job(t, "less", "S");
	ctrl_z(t, "FILE", "less Ctrl-Z");
	command(t, "fg");
	/* Redrawn: the screen's rows again. */
	expect(t, "row-01");
	expect(t, "row-23");
	note(t, "less fg", "redrawn row-01..row-23");
	wait_job(t, "less", "S");
	type(t, "q");
	expect(t, PROMPT);
	ck_assert_int_eq(exit_status(t), 0);
	expect_log(t, events);
}

/* A script that traps SIGINT, goes on and exits 7: Ctrl-C gives 7, and the
 * script's output is all before the prompt. */
static void script_traps_sigint(struct term *t)
{
	static const char *const events[] = { "signal SIGINT", "exited 7", NULL };
	char path[128];

	write_file(t, "trapper", "#!/bin/bash\ntrap 'echo caught' INT\nsleep 100\n"
		   "echo after\nexit 7\n", 0755, path, sizeof(path));
	prefixed_command(t, "%s", path);
	wait_foreground_job(t);
	wait_proc(t, "trapper", "S", t->traced ? 1 : 0);
	wait_proc(t, "sleep", "S", 0);
	type(t, "\x03");
	expect(t, "^\\^Ccaught\r\nafter\r\n" PROMPT "$");
	ck_assert_int_eq(exit_status(t), 7);
	note(t, "trap INT; exit 7", "caught, after, rc=7");
	command(t, "echo mark");
	expect(t, "^mark\r\n" PROMPT "$");
	expect_log(t, events);
}

/* A case: its scenario run each way (untraced, then traced). */
#define EACH_WAY_CASE(name, scenario)							\
	START_TEST(name)								\
	{										\
		each_way(scenario);							\
	}										\
	END_TEST
EACH_WAY_CASE(sleep_ctrl_z_bg_fg_ctrl_c, sleep_job)
EACH_WAY_CASE(pipeline_ctrl_z_fg_ctrl_c, pipeline_job)
EACH_WAY_CASE(background_reader_sigttin, background_reader)
EACH_WAY_CASE(background_writer_sigttou, background_writer)
EACH_WAY_CASE(less_redraws_after_fg, full_screen)
EACH_WAY_CASE(ctrl_c_to_script_that_traps_it, script_traps_sigint)

TEST_SUITE(terminal, true)
{
	ADD_CASE(s, sleep_ctrl_z_bg_fg_ctrl_c);
	ADD_CASE(s, pipeline_ctrl_z_fg_ctrl_c);
	ADD_CASE(s, background_reader_sigttin);
	ADD_CASE(s, background_writer_sigttou);
	ADD_CASE(s, less_redraws_after_fg);
	ADD_CASE(s, ctrl_c_to_script_that_traps_it);
}
