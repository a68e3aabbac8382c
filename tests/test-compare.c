/* SPDX-License-Identifier: MIT */
/* seize-watch against strace: the same job-control scenario is played twice,
 * each time on a fresh target forked here (we are its real parent), once
 * under `strace -f -e trace=none -e signal=all -o FILE -p PID` and once under
 * `seize-watch --json -p PID` (strace attaches with PTRACE_SEIZE too).  Both
 * must report the same ordered deliveries (signal, sender pid, sender uid),
 * the same group-stops at the same places and the same end; seize-watch also
 * reports a "continued" after each stop, which strace does not show.
 *
 * The scenario: SIGUSR1 (handled), SIGSTOP, SIGCONT, SIGUSR2 (handled),
 * SIGSTOP, SIGCONT, SIGTERM (fatal).  Each step waits for its effect before
 * the next one: a byte from the target's handler (SIGUSR1, SIGUSR2, SIGCONT:
 * so a pending SIGCONT is never flushed by the next SIGSTOP, nor overtaken
 * by a lower-numbered signal), waitid() of the real parent (stopped,
 * continued, killed), and the target back asleep in pause() with the signal
 * unblocked (/proc, bounded poll).  The tracers are known to be attached by
 * their own words: strace's "Process N attached" on its stderr, seize-watch's
 * "attached" line.  No sleep synchronises anything.
 *
 * strace is looked up in PATH.  Without it the case fails ("strace not
 * installed"), unless SEIZE_NO_STRACE=1, which checks seize-watch alone
 * against the scenario's expected sequence.  SEIZE_WATCH names seize-watch;
 * SEIZE_COMPARE_SHOW=1 prints what both tools wrote. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-run.h"

#define BOUND_MS 5000
#define MAX_ITEMS 64
#define ITEM_MAX 96

/* ---- an event sequence, as comparable text ------------------------------ */

/* Each item is one of:
 *	signal SIGUSR1 from pid 123 uid 0	(a delivery; "signal SIGUSR1" if no sender)
 *	group-stop SIGSTOP
 *	continued
 *	killed SIGTERM				(" (core dumped)" appended if so)
 *	exited 0
 *	other: <the line, as the tool wrote it>	(anything else: never expected) */
struct seq {
	int n;
	char item[MAX_ITEMS][ITEM_MAX];
};

static void seq_add(struct seq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seq_add(struct seq *q, const char *fmt, ...)
{
	va_list ap;

	ck_assert_msg(q->n < MAX_ITEMS, "more than %d events", MAX_ITEMS);
	va_start(ap, fmt);
	vsnprintf(q->item[q->n++], ITEM_MAX, fmt, ap);
	va_end(ap);
}

/* The sequence as lines, for messages (check cuts messages near 4 KiB). */
static const char *seq_text(const struct seq *q, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < q->n && len + 1 < size; i++) {
		int n = snprintf(buf + len, size - len, "  %2d %s\n", i + 1, q->item[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (q->n == 0)
		snprintf(buf, size, "  (nothing)\n");
	return buf;
}

static bool seq_equal(const struct seq *a, const struct seq *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->item[i], b->item[i]) != 0)
			return false;
	return true;
}

static void expect_same(const struct seq *got, const char *got_name, const struct seq *want,
			const char *want_name)
{
	char a[1800], b[1800];

	ck_assert_msg(seq_equal(got, want), "%s differs from %s:\n%s:\n%s%s:\n%s", got_name,
		      want_name, got_name, seq_text(got, a, sizeof(a)), want_name,
		      seq_text(want, b, sizeof(b)));
}

static bool is_continued(const char *item)
{
	return strcmp(item, "continued") == 0;
}

/* The sequence without its "continued" items: what strace would show. */
static void without_continued(const struct seq *all, struct seq *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < all->n; i++)
		if (!is_continued(all->item[i]))
			seq_add(out, "%s", all->item[i]);
}

/* Every group-stop must be followed by exactly one "continued", before
 * anything but the delivery of the SIGCONT that ended the stop; and no
 * "continued" anywhere else. */
static void expect_continued_after_each_stop(const struct seq *all)
{
	int stops = 0, continued = 0;
	char a[1800];

	for (int i = 0; i < all->n; i++) {
		int here = 0;

		continued += is_continued(all->item[i]);
		if (strncmp(all->item[i], "group-stop ", 11) != 0)
			continue;
		stops++;
		for (int j = i + 1; j < all->n; j++) {
			if (is_continued(all->item[j]))
				here++;
			else if (strncmp(all->item[j], "signal SIGCONT", 14) != 0)
				break;
		}
		ck_assert_msg(here == 1, "group-stop %d (event %d) is followed by %d \"continued\" "
			      "before the next event; seize-watch:\n%s", stops, i + 1, here,
			      seq_text(all, a, sizeof(a)));
	}
	ck_assert_msg(continued == stops, "%d \"continued\" for %d group-stops; seize-watch:\n%s",
		      continued, stops, seq_text(all, a, sizeof(a)));
}

/* What both must show for the scenario (without seize-watch's continues). */
static void expected_sequence(struct seq *q, pid_t sender, uid_t uid)
{
	static const struct {
		int sig;
		const char *name;
	} sent[] = {
		{ SIGUSR1, "SIGUSR1" }, { SIGSTOP, "SIGSTOP" }, { SIGCONT, "SIGCONT" },
		{ SIGUSR2, "SIGUSR2" }, { SIGSTOP, "SIGSTOP" }, { SIGCONT, "SIGCONT" },
		{ SIGTERM, "SIGTERM" },
	};

	memset(q, 0, sizeof(*q));
	for (size_t i = 0; i < sizeof(sent) / sizeof(sent[0]); i++) {
		seq_add(q, "signal %s from pid %d uid %u", sent[i].name, (int)sender,
			(unsigned int)uid);
		if (sent[i].sig == SIGSTOP)
			seq_add(q, "group-stop SIGSTOP");
	}
	seq_add(q, "killed SIGTERM");
}

/* ---- strace's output ---------------------------------------------------- */

/* One line of `strace -f -e trace=none -e signal=all -o FILE` (strace 6.1):
 *	16901 --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=16900, si_uid=0} ---
 *	16901 --- stopped by SIGSTOP ---
 *	16901 +++ killed by SIGTERM +++
 * The pid prefix is there with -f and -o, left-aligned in 5 columns
 * ("10    --- ..."), and "[pid N] " on a terminal without -o; *pid gets it,
 * or 0 without one. */
/* Whether body, up to end, is all of fmt: one conversion (into arg), then %n. */
static bool whole(const char *body, const char *end, const char *fmt, void *arg)
{
	int n = 0;

	return sscanf(body, fmt, arg, &n) == 1 && body + n == end;
}

static void strace_item(const char *line, struct seq *q, pid_t *pid)
{
	const char *s = line, *body, *end;
	char sig[32], field[32];
	int n = 0, code;

	*pid = 0;
	if (sscanf(s, "[pid %d] %n", pid, &n) == 1 && n > 0)
		s += n;
	else if (sscanf(s, "%d %n", pid, &n) == 1 && n > 0)
		s += n;

	end = s + strlen(s);
	if (strncmp(s, "--- ", 4) == 0 && end - s >= 8 && strcmp(end - 4, " ---") == 0) {
		body = s + 4;
		if (whole(body, end, "stopped by %31[A-Z0-9+-] ---%n", sig)) {
			seq_add(q, "group-stop %s", sig);
			return;
		}
		n = 0;
		if (sscanf(body, "%31[A-Z0-9+-] {%n", sig, &n) == 1 && n > 0 &&
		    strncmp(sig, "SIG", 3) == 0 && strcmp(end - 5, "} ---") == 0) {
			const char *info = body + n, *signo, *spid, *suid;
			long sender = -1, uid = -1;

			signo = strstr(info, "si_signo=");
			spid = strstr(info, "si_pid=");
			suid = strstr(info, "si_uid=");
			if (signo && sscanf(signo, "si_signo=%31[A-Z0-9+-]", field) == 1 &&
			    strcmp(field, sig) == 0) {
				if (spid && suid && sscanf(spid, "si_pid=%ld", &sender) == 1 &&
				    sscanf(suid, "si_uid=%ld", &uid) == 1)
					seq_add(q, "signal %s from pid %ld uid %ld", sig, sender, uid);
				else
					seq_add(q, "signal %s", sig);
				return;
			}
		}
	} else if (strncmp(s, "+++ ", 4) == 0 && end - s >= 8 && strcmp(end - 4, " +++") == 0) {
		body = s + 4;
		if (whole(body, end, "killed by %31[A-Z0-9+-] +++%n", sig))
			seq_add(q, "killed %s", sig);
		else if (whole(body, end, "killed by %31[A-Z0-9+-] (core dumped) +++%n", sig))
			seq_add(q, "killed %s (core dumped)", sig);
		else if (whole(body, end, "exited with %d +++%n", &code))
			seq_add(q, "exited %d", code);
		else
			seq_add(q, "other: %.80s", line);
		return;
	}
	seq_add(q, "other: %.80s", line);
}

/* The next line of *text (it must end in a newline) into line, without its
 * newline; *text moves past it.  from: whose output it is. */
static void take_line(const char **text, char *line, size_t size, const char *from)
{
	const char *nl = strchr(*text, '\n');
	size_t len;

	ck_assert_msg(nl, "unterminated last line from %s: %s", from, *text);
	len = (size_t)(nl - *text);
	ck_assert_msg(len < size, "line too long from %s: %.*s", from, (int)len, *text);
	memcpy(line, *text, len);
	line[len] = '\0';
	*text = nl + 1;
}

/* All of strace's output; every line must be about target. */
static void strace_sequence(const char *text, pid_t target, struct seq *q)
{
	memset(q, 0, sizeof(*q));
	while (*text) {
		char line[512];
		pid_t pid;

		take_line(&text, line, sizeof(line), "strace");
		strace_item(line, q, &pid);
		ck_assert_msg(pid == target, "strace line not about %d: %s", (int)target, line);
	}
}

/* ---- seize-watch's JSON lines ------------------------------------------- */

/* One JSON line as an item (or none, for "attached"). */
static void watch_item(const char *line, pid_t target, bool first, struct seq *q)
{
	const char *event, *sig;
	long long pid, tid, sender, uid, code;
	struct json_object o;

	ck_assert_msg(json_parse(line, &o), "not one flat JSON object: %s", line);
	event = json_str(&o, "event");
	sig = json_str(&o, "signal");
	ck_assert_msg(event, "no \"event\": %s", line);
	ck_assert_msg(json_get_int(&o, "pid", &pid) && json_get_int(&o, "tid", &tid) && pid == target &&
		      tid == target, "line not about %d: %s", (int)target, line);
	ck_assert_msg(first == (strcmp(event, "attached") == 0),
		      "\"attached\" must come first, and once: %s", line);
	if (first)
		return;
	if (strcmp(event, "signal") == 0 && sig) {
		if (json_get_int(&o, "sender_pid", &sender) && json_get_int(&o, "sender_uid", &uid))
			seq_add(q, "signal %s from pid %lld uid %lld", sig, sender, uid);
		else
			seq_add(q, "signal %s", sig);
	} else if (strcmp(event, "group-stop") == 0 && sig) {
		seq_add(q, "group-stop %s", sig);
	} else if (strcmp(event, "continued") == 0) {
		seq_add(q, "continued");
	} else if (strcmp(event, "killed") == 0 && sig) {
		const struct json_value *core = json_get(&o, "core_dumped");

		seq_add(q, "killed %s%s", sig,
			core && core->type == J_BOOL && core->boolean ? " (core dumped)" : "");
	} else if (strcmp(event, "exited") == 0 && json_get_int(&o, "exit_code", &code)) {
		seq_add(q, "exited %lld", code);
	} else {
		seq_add(q, "other: %.80s", line);
	}
}

static void watch_sequence(const char *text, pid_t target, struct seq *q)
{
	bool first = true;

	memset(q, 0, sizeof(*q));
	while (*text) {
		char line[1024];

		take_line(&text, line, sizeof(line), "seize-watch");
		watch_item(line, target, first, q);
		first = false;
	}
	ck_assert_msg(!first, "seize-watch wrote nothing, not even \"attached\"");
}

/* ---- running the tracers ------------------------------------------------ */

/* waitid() bounded by SIGALRM (no SA_RESTART: it fails with EINTR). */
static void wait_bounded(pid_t pid, int options, siginfo_t *si, const char *what)
{
	int ret;

	ck_assert_int_gt(pid, 0);
	memset(si, 0, sizeof(*si));
	tst_arm(BOUND_MS);
	ret = waitid(P_PID, (id_t)pid, si, options);
	tst_disarm();
	ck_assert_msg(ret == 0, "waiting for %s of %d: %s", what, (int)pid,
		      errno == EINTR ? "nothing within the bound" : strerror(errno));
	ck_assert_msg(si->si_pid == pid, "waiting for %s of %d: no event", what, (int)pid);
}

/* The tracer must end by itself once its only tracee is dead, with 0. */
static void finish_tracer(struct tst_run *t)
{
	int status = tst_run_wait(t, BOUND_MS);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s ended with %s %d; stderr:\n%s", t->name,
		      WIFEXITED(status) ? "exit status" : "signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), t->err.buf);
}

/* ---- the target and the scenario ---------------------------------------- */

static int handled_fd = -1;	/* in the target: where its handlers say so */

static void on_handled(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(handled_fd, &c, 1) != 1) {
		/* the test fails on the missing byte */
	}
	errno = saved;
}

#define TARGET_ENV "SEIZE_COMPARE_TARGET"
#define TARGET_FD 3

/* The target: handles SIGUSR1, SIGUSR2 and SIGCONT by writing the signal's
 * number on TARGET_FD, says 'r' there when its handlers are in place, and
 * sleeps in pause() until killed.  Single-threaded, so that strace reports
 * each group-stop once.
 *
 * It is this very binary, executed again with TARGET_ENV=1: the constructor
 * below runs the target before main() (and check) ever start.  A target
 * that is a mere fork of the test would run under valgrind too when the
 * suite does, and valgrind kills a process by catching the fatal signal and
 * sending it again from the process itself (an extra "SIGTERM from self" for
 * both tools); an executed one runs natively (--trace-children=no). */
__attribute__((constructor)) static void run_as_target(void)
{
	static const int handled[] = { SIGUSR1, SIGUSR2, SIGCONT };
	struct sigaction sa = { .sa_handler = on_handled };
	const char *env = getenv(TARGET_ENV);
	char ready = 'r';

	if (!env || strcmp(env, "1") != 0)
		return;
	handled_fd = TARGET_FD;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (sigaction(handled[i], &sa, NULL) < 0)
			_exit(1);
	if (write(handled_fd, &ready, 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

struct target_spec {
	const char *self;	/* this binary */
	int fd;			/* the write end of the handlers' pipe */
};

/* In the child (tst_fork reset its signals, emptied its mask and set
 * PDEATHSIG, all of which execve keeps): only _exit on failure. */
static void exec_target(void *arg)
{
	const struct target_spec *spec = arg;
	char *const argv[] = { (char *)spec->self, NULL };

	if (spec->fd == TARGET_FD) {
		if (fcntl(TARGET_FD, F_SETFD, 0) < 0)
			_exit(125);
	} else if (dup2(spec->fd, TARGET_FD) != TARGET_FD) {	/* without O_CLOEXEC */
		_exit(125);
	}
	tst_close_from(TARGET_FD + 1);
	if (setenv(TARGET_ENV, "1", 1) < 0)
		_exit(125);
	execv(spec->self, argv);
	_exit(127);
}

struct target {
	pid_t pid;
	int handled;		/* our end of its pipe */
};

static void start_target(struct target *t)
{
	struct target_spec spec;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int fds[2];

	ck_assert_msg(n > 0 && (size_t)n < sizeof(self) - 1, "/proc/self/exe: %s",
		      n < 0 ? strerror(errno) : "too long");
	self[n] = '\0';
	spec.self = self;
	tst_pipe(fds);
	spec.fd = fds[1];
	t->pid = tst_fork(exec_target, &spec);
	close(fds[1]);
	t->handled = fds[0];
	ck_assert_msg(tst_read_byte(t->handled, BOUND_MS) == 'r', "the target did not start");
}

static void send_handled(const struct target *t, int sig)
{
	tst_wait_asleep_unblocked(t->pid, t->pid, sig, BOUND_MS);
	tst_kill(t->pid, sig);
	ck_assert_int_eq(tst_read_byte(t->handled, BOUND_MS), sig);
}

static void send_stop(const struct target *t)
{
	siginfo_t si;

	tst_wait_asleep_unblocked(t->pid, t->pid, SIGSTOP, BOUND_MS);
	tst_kill(t->pid, SIGSTOP);
	wait_bounded(t->pid, WSTOPPED, &si, "the stop");
	ck_assert_msg(si.si_code == CLD_STOPPED && si.si_status == SIGSTOP,
		      "wanted stopped by SIGSTOP, got code %d status %d", si.si_code, si.si_status);
}

/* SIGCONT: the real parent sees the continue, and the handler runs (so the
 * SIGCONT is no longer pending when the next signal is sent). */
static void send_cont(const struct target *t)
{
	siginfo_t si;

	tst_kill(t->pid, SIGCONT);
	wait_bounded(t->pid, WCONTINUED, &si, "the continue");
	ck_assert_msg(si.si_code == CLD_CONTINUED, "wanted continued, got code %d", si.si_code);
	ck_assert_int_eq(tst_read_byte(t->handled, BOUND_MS), SIGCONT);
}

/* SIGTERM: the real parent reaps it (pid 0 then: never to be signalled). */
static void send_fatal(struct target *t)
{
	siginfo_t si;

	tst_wait_asleep_unblocked(t->pid, t->pid, SIGTERM, BOUND_MS);
	tst_kill(t->pid, SIGTERM);
	wait_bounded(t->pid, WEXITED, &si, "the death");
	t->pid = 0;
	ck_assert_msg(si.si_code == CLD_KILLED && si.si_status == SIGTERM,
		      "wanted killed by SIGTERM, got code %d status %d", si.si_code, si.si_status);
}

static void play_scenario(struct target *t)
{
	send_handled(t, SIGUSR1);
	send_stop(t);
	send_cont(t);
	send_handled(t, SIGUSR2);
	send_stop(t);
	send_cont(t);
	send_fatal(t);
}

/* ---- the two runs ------------------------------------------------------- */

/* SEIZE_COMPARE_SHOW=1 prints both tools' output on stderr. */
static bool show_outputs(void)
{
	const char *show = getenv("SEIZE_COMPARE_SHOW");

	return show && strcmp(show, "1") == 0;
}

/* strace in PATH, into path; false if there is none. */
static bool find_strace(char *path, size_t size)
{
	const char *env = getenv("PATH");
	char dirs[4096], *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s", env && *env ? env : "/usr/bin:/bin");
	for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(path, size, "%s/strace", *dir ? dir : ".");
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

static bool strace_waived(void)
{
	const char *no = getenv("SEIZE_NO_STRACE");

	return no && strcmp(no, "1") == 0;
}

/* The strace run; its sequence into q, its file's text into raw. */
static void run_strace(const char *strace, struct seq *q, char *raw, size_t raw_size)
{
	char file[] = "/tmp/seize-compare-strace-XXXXXX";
	char pid[16], line[512], want[64];
	struct tst_run *tr;
	struct target tg;
	pid_t target;
	bool attached = false;
	ssize_t n;
	int fd;

	start_target(&tg);
	target = tg.pid;
	fd = mkstemp(file);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	snprintf(pid, sizeof(pid), "%d", (int)tg.pid);
	{
		const char *args[] = { "-f", "-e", "trace=none", "-e", "signal=all", "-o", file,
				       "-p", pid, NULL };

		tr = tst_run_start(strace, args, false);
	}
	/* "strace: Process N attached", after its PTRACE_SEIZE. */
	snprintf(want, sizeof(want), "Process %d attached", (int)tg.pid);
	while (!attached && tst_run_next_line(tr, &tr->err, line, sizeof(line), BOUND_MS))
		attached = strstr(line, want) != NULL;
	ck_assert_msg(attached, "strace did not attach; stderr:\n%s", tr->err.buf);
	unlink(file);	/* strace has it open since it started; so have we */

	play_scenario(&tg);
	finish_tracer(tr);

	n = pread(fd, raw, raw_size - 1, 0);
	close(fd);
	ck_assert_msg(n >= 0 && (size_t)n < raw_size - 1, "reading strace's output: %s",
		      n < 0 ? strerror(errno) : "too long");
	raw[n] = '\0';
	strace_sequence(raw, target, q);
	tst_run_free(tr);
	close(tg.handled);
}

static void run_watch(struct seq *q, char *raw, size_t raw_size)
{
	const char *path = getenv("SEIZE_WATCH");
	char pid[16], line[1024];
	struct tst_run *tr;
	struct target tg;
	pid_t target;

	ck_assert_msg(path && *path, "SEIZE_WATCH must name the seize-watch binary");
	start_target(&tg);
	target = tg.pid;
	snprintf(pid, sizeof(pid), "%d", (int)tg.pid);
	{
		const char *args[] = { "--json", "-p", pid, NULL };

		tr = tst_run_start(path, args, false);
	}
	ck_assert_msg(tst_run_next_line(tr, &tr->out, line, sizeof(line), BOUND_MS) &&
		      strstr(line, "\"event\":\"attached\""),
		      "wanted the \"attached\" line first; stdout:\n%s\nstderr:\n%s", tr->out.buf,
		      tr->err.buf);

	play_scenario(&tg);
	finish_tracer(tr);

	ck_assert_msg(tr->err.len == 0, "seize-watch wrote on stderr:\n%s", tr->err.buf);
	snprintf(raw, raw_size, "%s", tr->out.buf);
	watch_sequence(tr->out.buf, target, q);
	tst_run_free(tr);
	close(tg.handled);
}

/* ---- the cases ---------------------------------------------------------- */

/* The parser on strace 6.1's own lines for this scenario, and on the lines
 * it must not take for something else. */
START_TEST(strace_lines_are_read)
{
	static const char sample[] =
		"16901 --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 --- stopped by SIGSTOP ---\n"
		"16901 --- SIGCONT {si_signo=SIGCONT, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 --- SIGUSR2 {si_signo=SIGUSR2, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 --- stopped by SIGSTOP ---\n"
		"16901 --- SIGCONT {si_signo=SIGCONT, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=16900, si_uid=0} ---\n"
		"16901 +++ killed by SIGTERM +++\n";
	static const struct {
		const char *line, *item;
		pid_t pid;
	} others[] = {
		{ "[pid 7] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=8, si_uid=0, "
		  "si_status=0, si_utime=0, si_stime=0} ---", "signal SIGCHLD from pid 8 uid 0", 7 },
		{ "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
		  "signal SIGSEGV", 0 },
		{ "9 --- stopped by SIGTSTP ---", "group-stop SIGTSTP", 9 },
		{ "10    --- stopped by SIGSTOP ---", "group-stop SIGSTOP", 10 },	/* %-5d */
		{ "9 +++ killed by SIGSEGV (core dumped) +++", "killed SIGSEGV (core dumped)", 9 },
		{ "9 +++ exited with 3 +++", "exited 3", 9 },
		{ "9 --- SIGUSR1 {si_signo=SIGUSR2, si_code=SI_USER} ---",
		  "other: 9 --- SIGUSR1 {si_signo=SIGUSR2, si_code=SI_USER} ---", 9 },
		{ "9 --- stopped by SIGSTOP --- x", "other: 9 --- stopped by SIGSTOP --- x", 9 },
		{ "9 pause()                                 = ? ERESTARTNOHAND",
		  "other: 9 pause()                                 = ? ERESTARTNOHAND", 9 },
	};
	struct seq got, want;

	strace_sequence(sample, 16901, &got);
	expected_sequence(&want, 16900, 0);
	expect_same(&got, "parsed", &want, "expected");

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		pid_t pid;

		memset(&got, 0, sizeof(got));
		strace_item(others[i].line, &got, &pid);
		ck_assert_int_eq(got.n, 1);
		ck_assert_str_eq(got.item[0], others[i].item);
		ck_assert_int_eq(pid, others[i].pid);
	}
}
END_TEST

/* The same reading of seize-watch's lines, continues included. */
START_TEST(watch_lines_are_read)
{
	static const char sample[] =
		"{\"event\":\"attached\",\"pid\":17097,\"tid\":17097,\"time\":1795865649.395233}\n"
		"{\"event\":\"signal\",\"pid\":17097,\"tid\":17097,\"signal\":\"SIGUSR1\","
		"\"sender_pid\":17096,\"sender_uid\":0,\"time\":1795865649.955577}\n"
		"{\"event\":\"group-stop\",\"pid\":17097,\"tid\":17097,\"signal\":\"SIGSTOP\","
		"\"time\":1795865649.961111}\n"
		"{\"event\":\"continued\",\"pid\":17097,\"tid\":17097,\"signal\":\"SIGCONT\","
		"\"time\":1795865650.167140}\n"
		"{\"event\":\"killed\",\"pid\":17097,\"tid\":17097,\"signal\":\"SIGTERM\","
		"\"core_dumped\":false,\"time\":1795865650.815211}\n";
	struct seq got;

	watch_sequence(sample, 17097, &got);
	ck_assert_int_eq(got.n, 4);
	ck_assert_str_eq(got.item[0], "signal SIGUSR1 from pid 17096 uid 0");
	ck_assert_str_eq(got.item[1], "group-stop SIGSTOP");
	ck_assert_str_eq(got.item[2], "continued");
	ck_assert_str_eq(got.item[3], "killed SIGTERM");
}
END_TEST

/* The comparison. */
START_TEST(same_events_as_strace)
{
	static char strace_raw[16384], watch_raw[16384];
	struct seq st, sw, sw_seen, want;
	char strace[4096];
	bool have_strace = find_strace(strace, sizeof(strace));

	ck_assert_msg(have_strace || strace_waived(), "strace not installed (CI installs it; "
		      "SEIZE_NO_STRACE=1 checks seize-watch alone)");
	expected_sequence(&want, getpid(), getuid());

	run_watch(&sw, watch_raw, sizeof(watch_raw));
	without_continued(&sw, &sw_seen);
	if (have_strace)
		run_strace(strace, &st, strace_raw, sizeof(strace_raw));
	if (show_outputs())
		fprintf(stderr, "strace -o:\n%sseize-watch --json:\n%s",
			have_strace ? strace_raw : "(not run)\n", watch_raw);

	/* The comparison first; then which of them, if any, is off the
	 * scenario; then the continues that only seize-watch shows. */
	if (have_strace) {
		expect_same(&sw_seen, "seize-watch (without continues)", &st, "strace");
		expect_same(&st, "strace", &want, "the scenario");
	} else {
		expect_same(&sw_seen, "seize-watch (without continues)", &want, "the scenario");
	}
	expect_continued_after_each_stop(&sw);
}
END_TEST

TEST_SUITE(compare, true)
{
	ADD_CASE(s, strace_lines_are_read);
	ADD_CASE(s, watch_lines_are_read);
	ADD_CASE(s, same_events_as_strace);
}
