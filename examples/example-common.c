/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "example-common.h"

#define EX_EXIT_FAILURE 1
#define EX_EXIT_USAGE 2
#define EX_MAX_TRACKED 8
#define EX_MAX_PACE_MS 60000
#define EX_CLEANUP_MS 5000

static unsigned int pace_ms = 1000;

/* ------------------------------------------------------------------------ */
/* Time */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

unsigned int ex_step_ms(void)
{
	return pace_ms;
}

unsigned int ex_initial_ms(void)
{
	return pace_ms / 10;
}

int ex_timeout_ms(void)
{
	/* Any one wait spans at most a few steps (the tracer of test-seize
	 * lives four); the margin absorbs a loaded machine. */
	return 10000 + 6 * (int)pace_ms;
}

void ex_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ------------------------------------------------------------------------ */
/* Processes to clean up, and the cleanup itself (async-signal-safe: it also
 * runs from the SIGINT/SIGTERM/SIGHUP handler). */

static pid_t tracked[EX_MAX_TRACKED];	/* 0: a free or forgotten slot */
static volatile sig_atomic_t ntracked;

/* The one place that calls kill(2): pid <= 0 would reach a process group or,
 * as root, every process. */
static int kill_checked(pid_t pid, int sig)
{
	if (pid <= 0)
		return -EINVAL;
	return kill(pid, sig) < 0 ? -errno : 0;
}

static bool is_my_child(pid_t pid)
{
	siginfo_t si;

	/* WNOWAIT only looks.  ECHILD: not ours, or not yet (a grandchild
	 * whose parent is alive), or no longer (reaped). */
	return waitid(P_PID, (id_t)pid, &si,
		      WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT | __WALL) == 0;
}

/* Reap @pid if it has died.  waitid with WEXITED still reports a tracee's
 * ptrace stops to its tracer, so the code is checked, not just the pid. */
static bool reaped_dead(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | __WALL) < 0)
		return errno == ECHILD;
	return si.si_pid == pid &&
	       (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED);
}

static void forget(pid_t pid)
{
	for (int i = 0; i < ntracked; i++)
		if (tracked[i] == pid)
			tracked[i] = 0;
}

static void cleanup(void)
{
	struct timespec ms1 = { .tv_nsec = 1000000L };
	long deadline = now_ms() + EX_CLEANUP_MS;
	int n = ntracked;

	/* Passes in the order the processes were started: once a tracer is
	 * reaped, its child (reparented to us, the subreaper) becomes ours
	 * and is killed in the same or the next pass. */
	for (;;) {
		bool progress = false, pending = false;

		for (int i = 0; i < n; i++) {
			pid_t pid = tracked[i];

			if (pid <= 0 || !is_my_child(pid))
				continue;
			kill_checked(pid, SIGKILL);
			if (reaped_dead(pid)) {
				tracked[i] = 0;
				progress = true;
			} else {
				pending = true;
			}
		}
		if ((!pending && !progress) || now_ms() > deadline)
			break;
		if (!progress)
			nanosleep(&ms1, NULL);
	}
	ntracked = 0;
}

void ex_track(pid_t pid)
{
	if (pid <= 0)
		ex_fail("refusing to track pid %d", (int)pid);
	if (ntracked == EX_MAX_TRACKED)
		ex_fail("too many processes to track");
	tracked[ntracked] = pid;
	ntracked = ntracked + 1;
}

static void on_fatal_signal(int sig)
{
	/* SA_RESETHAND | SA_NODEFER: raise() then kills us with the signal. */
	cleanup();
	raise(sig);
	_exit(128 + sig);
}

/* ------------------------------------------------------------------------ */
/* Output and errors */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (fd == STDERR_FILENO)
				return;	/* nowhere left to complain */
			ex_fail("write to fd %d: %s", fd, n < 0 ? strerror(errno) : "short write");
		}
		buf += n;
		len -= (size_t)n;
	}
}

static size_t format_line(char *buf, size_t size, const char *prefix, const char *fmt,
			  va_list ap)
{
	int p = snprintf(buf, size, "%s", prefix);
	int n = vsnprintf(buf + p, size - (size_t)p - 1, fmt, ap);
	size_t len;

	if (n < 0)
		n = 0;
	len = (size_t)p + ((size_t)n < size - (size_t)p - 1 ? (size_t)n : size - (size_t)p - 2);
	buf[len++] = '\n';
	return len;
}

void ex_say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = format_line(line, sizeof(line), "", fmt, ap);
	va_end(ap);
	/* One write(2) per line: a pipe keeps it whole and in order. */
	write_all(STDOUT_FILENO, line, len);
}

noreturn void ex_fail(const char *fmt, ...)
{
	char prefix[64], line[512];
	va_list ap;
	size_t len;

	snprintf(prefix, sizeof(prefix), "%s[%d]: ", program_invocation_short_name, (int)getpid());
	va_start(ap, fmt);
	len = format_line(line, sizeof(line), prefix, fmt, ap);
	va_end(ap);
	write_all(STDERR_FILENO, line, len);
	cleanup();
	_exit(EX_EXIT_FAILURE);
}

void safe_kill(pid_t pid, int sig)
{
	int ret;

	if (pid <= 0)
		ex_fail("refusing to send signal %d to pid %d", sig, (int)pid);
	ret = kill_checked(pid, sig);
	if (ret < 0)
		ex_fail("kill(%d, %d): %s", (int)pid, sig, strerror(-ret));
}

/* ------------------------------------------------------------------------ */
/* Options and setup */

static noreturn void usage_error(const char *fmt, const char *arg)
{
	char what[160];

	snprintf(what, sizeof(what), fmt, arg);
	fprintf(stderr, "%s: %s; usage: %s [-p MS | --pace-ms=MS]\n",
		program_invocation_short_name, what, program_invocation_short_name);
	exit(EX_EXIT_USAGE);
}

void ex_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pace-ms", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	char *end;
	unsigned long v;
	int c;

	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v > EX_MAX_PACE_MS)
				usage_error("bad pace '%s' (milliseconds, 0 to 60000)", optarg);
			pace_ms = (unsigned int)v;
			break;
		case 'h':
			printf("usage: %s [-p MS | --pace-ms=MS]\n"
			       "  -p, --pace-ms=MS  one step of the patch mail's rhythm (default 1000;\n"
			       "                    the initial delay is a tenth of it); the output is\n"
			       "                    the same at any pace, 0 included\n",
			       program_invocation_short_name);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	/* A reader that went away is an error to report, not a silent death
	 * that would leave the tracee behind. */
	signal(SIGPIPE, SIG_IGN);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void die_with_parent(pid_t parent, int sig)
{
	if (prctl(PR_SET_PDEATHSIG, sig) < 0)
		ex_fail("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
	/* The parent may have died before the prctl took effect. */
	if (getppid() != parent)
		ex_fail("parent %d is gone", (int)parent);
}

void ex_die_with_parent(pid_t parent)
{
	die_with_parent(parent, SIGKILL);
}

pid_t ex_fork(int death_sig)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		ex_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		/* The parent's processes are the parent's to clean up. */
		ntracked = 0;
		if (death_sig)
			die_with_parent(parent, death_sig);
	}
	return pid;
}

/* ------------------------------------------------------------------------ */
/* Sync pipes */

void ex_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		ex_fail("pipe2: %s", strerror(errno));
}

void ex_close(int fd)
{
	/* Closing unused ends matters: EOF is how a reader learns that the
	 * writer died. */
	if (close(fd) < 0)
		ex_fail("close(%d): %s", fd, strerror(errno));
}

static void put_bytes(int fd, const void *buf, size_t len)
{
	ssize_t n;

	/* Up to PIPE_BUF bytes: one write, never split. */
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		ex_fail("write to sync pipe: %s", n < 0 ? strerror(errno) : "short write");
}

static void get_bytes(int fd, void *buf, size_t len, const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int timeout = ex_timeout_ms();
	long deadline = now_ms() + timeout;
	ssize_t n;

	for (;;) {
		long left = deadline - now_ms();
		int ret = poll(&pfd, 1, left > 0 ? (int)left : 0);

		if (ret > 0)
			break;
		if (ret == 0)
			ex_fail("no word from %s within %d ms", what, timeout);
		if (errno != EINTR)
			ex_fail("poll for word from %s: %s", what, strerror(errno));
	}
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		ex_fail("%s went away (its pipe reads EOF)", what);
	if (n != (ssize_t)len)
		ex_fail("read word from %s: %s", what, n < 0 ? strerror(errno) : "short read");
}

void ex_put(int fd, unsigned char token)
{
	put_bytes(fd, &token, 1);
}

unsigned char ex_get(int fd, const char *what)
{
	unsigned char token;

	get_bytes(fd, &token, 1, what);
	return token;
}

void ex_put_pid(int fd, pid_t pid)
{
	put_bytes(fd, &pid, sizeof(pid));
}

pid_t ex_get_pid(int fd, const char *what)
{
	pid_t pid;

	get_bytes(fd, &pid, sizeof(pid), what);
	if (pid <= 0)
		ex_fail("%s: bad pid %d", what, (int)pid);
	return pid;
}

/* ------------------------------------------------------------------------ */
/* Bounded waits.  A blocking wait is cut short by SIGALRM (no SA_RESTART, so
 * it returns EINTR); the timer repeats every 10 ms after the deadline, so one
 * that fires just before the wait starts is not lost. */

static volatile sig_atomic_t deadline_passed;

static void on_alarm(int sig)
{
	(void)sig;
	deadline_passed = 1;
}

static void deadline_arm(int ms)
{
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 + 1 },
		.it_interval = { .tv_sec = 0, .tv_usec = 10000 },
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		ex_fail("sigaction(SIGALRM): %s", strerror(errno));
	deadline_passed = 0;
	if (setitimer(ITIMER_REAL, &it, NULL) < 0)
		ex_fail("setitimer: %s", strerror(errno));
}

static void deadline_disarm(void)
{
	struct itimerval off;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
}

int ex_waitpid(pid_t pid, int options, const char *what)
{
	int status = 0, ret, err;

	if (pid <= 0)
		ex_fail("refusing to wait for pid %d (%s)", (int)pid, what);
	deadline_arm(ex_timeout_ms());
	do
		ret = waitpid(pid, &status, options | __WALL);
	while (ret < 0 && errno == EINTR && !deadline_passed);
	err = errno;
	deadline_disarm();
	if (ret < 0 && err == EINTR)
		ex_fail("%s (pid %d) did not change state within %d ms", what, (int)pid,
			ex_timeout_ms());
	if (ret < 0)
		ex_fail("waitpid for %s (pid %d): %s", what, (int)pid, strerror(err));
	if (WIFEXITED(status) || WIFSIGNALED(status))
		forget(pid);
	return status;
}

static void describe_status(char *buf, size_t size, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "reported status 0x%x", (unsigned int)status);
}

void ex_wait_success(pid_t pid, const char *what)
{
	int status = ex_waitpid(pid, 0, what);
	char how[64];

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		describe_status(how, sizeof(how), status);
		ex_fail("%s %s", what, how);
	}
}

void ex_wait_killed(pid_t pid, int sig, const char *what)
{
	int status = ex_waitpid(pid, 0, what);
	char how[64];

	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig) {
		describe_status(how, sizeof(how), status);
		ex_fail("%s %s before it was killed", what, how);
	}
}

void ex_wait_event(pid_t tid, struct seize_event *ev)
{
	int ret;

	deadline_arm(ex_timeout_ms());
	do
		ret = seize_wait(tid, ev, 0);
	while (ret == -EINTR && !deadline_passed);
	deadline_disarm();
	if (ret == -EINTR)
		ex_fail("no event from tracee %d within %d ms", (int)tid, ex_timeout_ms());
	if (ret < 0)
		ex_fail("seize_wait(%d): %s", (int)tid, strerror(-ret));
	if (ev->type == SEIZE_EVENT_EXITED || ev->type == SEIZE_EVENT_KILLED)
		forget(ret);
}

/* ------------------------------------------------------------------------ */
/* /proc */

static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name in parentheses may hold anything: the state follows the last ')'. */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

char ex_await_state(pid_t pid, const char *states, const char *what)
{
	int timeout = ex_timeout_ms();
	long deadline = now_ms() + timeout;
	char state;

	if (pid <= 0)
		ex_fail("refusing to look at pid %d (%s)", (int)pid, what);
	while ((state = proc_state(pid)) == 0 || !strchr(states, state)) {
		if (now_ms() > deadline)
			ex_fail("%s (pid %d) stayed in state '%c' for %d ms, wanted one of \"%s\"",
				what, (int)pid, state ? state : '?', timeout, states);
		ex_sleep_ms(1);
	}
	return state;
}

const char *ex_state_name(char state)
{
	switch (state) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk sleep";
	case 'T': return "stopped";
	case 't': return "tracing stop";
	case 'Z': return "zombie";
	case 'X': return "dead";
	default: return "unknown";
	}
}
