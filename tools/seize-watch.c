/* SPDX-License-Identifier: MIT */
/* seize-watch: print the job-control and signal events of running processes
 * (-p PID) or of a command it starts (-- COMMAND), one line each, while they
 * run at full speed.  Built on the tracer of <seize/tracer.h>; it never asks
 * for syscall stops.
 *
 * With -- COMMAND it stands for the command before the shell: the shell's
 * job is seize-watch, the command its child in the same process group, so
 * what the terminal sends (Ctrl-C, Ctrl-Z, SIGTTIN, SIGTTOU) reaches both.
 * SIGINT and SIGQUIT are then the command's to handle: seize-watch goes on
 * watching.  SIGTSTP, SIGTTIN and SIGTTOU do not stop seize-watch itself;
 * instead, each time the command enters a group-stop (that line written
 * first), seize-watch stops with the same signal, so the shell sees its job
 * stop as it would untraced, and both go on at the SIGCONT of fg or bg.
 *
 * Exit status:
 *   with -p        0 when every watched process has ended, or on SIGINT,
 *                  SIGTERM or SIGHUP (after detaching, each process as found);
 *   with COMMAND   the command's: its exit code; when signal N killed it,
 *                  seize-watch kills itself with N (without a core dump), or
 *                  exits 128+N where N cannot kill it.  On SIGTERM or SIGHUP
 *                  seize-watch detaches (leaving the command running or
 *                  stopped as it is) and exits with the command's status if
 *                  it has just ended, else 128+N for the signal N it got
 *                  itself, as a shell would; 126 if the command could not be
 *                  run, 127 if it was not found;
 *   1              a runtime failure (an attach refused, output failed), said
 *                  in one line on stderr;
 *   2              a usage error, or -p with an id that is no process (a
 *                  thread of another process, say).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "watch-format.h"
#include "watch-killers.h"
#include "watch-summary.h"
/* The library's own /proc reader, built in (it is not exported). */
#include "../src/internal.h"

#ifndef SEIZE_VERSION
#error "SEIZE_VERSION comes from meson.build: the version lives there only"
#endif

#define PROGRAM "seize-watch"

enum {
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT_RUN = 126,
	EXIT_NOT_FOUND = 127,
};

struct watch {
	struct seize_tracer *tracer;
	int out_fd;
	bool json;
	unsigned int show;	/* SEIZE_TRACER_MASK bits to print */
	uint64_t signals;	/* bit sig-1: print its "signal" lines (-e signal=) */
	enum watch_time time_form;	/* -t, -tt, -ttt, --iso-time */
	struct watch_summary *summary;	/* -c, -C: told at the end */
	bool summary_only;		/* -c: no event lines */
	bool summary_lost;		/* out of memory: the summary lacks events */
	bool follow;			/* -f */
	struct watch_killers killers;	/* SIGKILL senders, where tracing allows */
	pid_t ns_pid;			/* the last process whose pid namespace ... */
	bool ns_same;			/* ... was checked: ours or not */
	int out_error;		/* errno of the first failed write, else 0 */
	bool buffered;		/* output to a file: lines gathered, flushed within 100 ms */
	size_t out_len;
	char out_buf[64 * 1024];
	pid_t command;		/* the command's pid, 0 with -p */
	bool command_ended;
	int command_status;	/* our exit status for it: code, or 128+N */
	int command_signal;	/* the signal that killed it, else 0 */
	int stop_as;		/* the command's group-stop signal, for us to mirror */
	/* A process that signals itself, read once (until it execs or ends). */
	pid_t self_pid;
	struct watch_sender self;
};

/* ---- messages ---------------------------------------------------------- */

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	/* One write, so that the line arrives whole. */
	n = snprintf(line, sizeof(line), PROGRAM ": ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to say it */
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROGRAM " [options] -p PID [-p PID ...]\n"
		"       " PROGRAM " [options] [--] COMMAND [ARG ...]\n"
		"Print the signal and job-control events of processes, one line each,\n"
		"while they run at full speed.\n"
		"\n"
		"  -p, --pid PID        watch running process PID (repeatable)\n"
		"  -f, --follow         watch the children they fork too\n"
		"  -e, --events LIST    show only these events (comma-separated): signal,\n"
		"                       group-stop, continued, exited, killed, new-thread,\n"
		"                       new-child, exec, attached, detached, thread-exited;\n"
		"                       'all' for the default (every one but thread-exited)\n"
		"  -e signal=LIST       show only these signals' lines: TERM,KILL,...\n"
		"                       (a leading '!' for all but these)\n"
		"  -t, -tt, -ttt        time of day in seconds, in microseconds (the\n"
		"                       default), or seconds since the epoch\n"
		"      --iso-time       date, time and zone: 2026-11-28T12:01:02.123456+0100\n"
		"  -c, --summary-only   at the end, each process's story, and no event lines\n"
		"      --no-kill-senders  do not read the kernel's tracing for the senders\n"
		"                       of SIGKILL (root only; see the manual)\n"
		"  -C, --summary        the events, then each process's story\n"
		"      --json           one JSON object per line\n"
		"  -o, --output FILE    write the events to FILE instead of stdout\n"
		"  -h, --help           show this help and exit\n"
		"      --version        show the version and exit\n"
		"\n"
		"SIGTERM or SIGHUP (and SIGINT with -p) detach from every process, leaving\n"
		"each running or stopped as it was.  With COMMAND, SIGINT and SIGQUIT are\n"
		"the command's, and seize-watch stops and continues as the command does.\n"
		"Exit status: with COMMAND, the command's (killed by signal N: the same\n"
		"signal, else 128+N; 126 or 127 if it could not be run); with -p, 0 once\n"
		"every process has ended; 1 on a failure, 2 on a usage error.\n");
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROGRAM ": %s\nTry '" PROGRAM " --help' for more information.\n", msg);
	exit(EXIT_USAGE);
}

/* ---- options ----------------------------------------------------------- */

static pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	/* Digits only: strtol() would take " 5" and "+5" too. */
	errno = 0;
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || errno || *end || v <= 0 || v > INT_MAX)
		usage_error("'%s' is not a process id", s);
	return (pid_t)v;
}

/* -e signal=LIST: names or numbers, comma-separated; a leading '!' takes
 * every signal but those; "all" is every one. */
static uint64_t parse_signal_set(const char *list)
{
	bool negate = list[0] == '!';
	char *copy = strdup(list + negate), *save = NULL, *name;
	uint64_t set = 0;

	if (!copy) {
		complain("out of memory");
		exit(EXIT_RUNTIME);
	}
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int sig = watch_signal_number(name);

		if (strcmp(name, "all") == 0)
			set = ~0ull;
		else if (sig > 0 && sig <= 64)
			set |= 1ull << (sig - 1);
		else
			usage_error("unknown signal '%s' in -e signal=", name);
	}
	free(copy);
	if (!set && !negate)
		usage_error("-e signal= needs at least one signal");
	return negate ? ~set : set;
}

static unsigned int parse_events(const char *list)
{
	unsigned int mask = 0;
	char *copy = strdup(list), *save = NULL, *name;

	if (!copy) {
		complain("out of memory");
		exit(EXIT_RUNTIME);
	}
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		enum seize_tracer_event_type type = watch_event_type(name);

		if (strcmp(name, "all") == 0)
			mask |= watch_default_events();
		else if (type && type != SEIZE_TRACER_FROZEN && type != SEIZE_TRACER_SYSCALL)
			mask |= SEIZE_TRACER_MASK(type);
		else
			usage_error("unknown event '%s' in -e", name);
	}
	free(copy);
	if (!mask)
		usage_error("-e needs at least one event");
	return mask;
}

/* ---- output ------------------------------------------------------------ */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Lines to a terminal or a pipe go out one write each, as they happen.  To a
 * file (or /dev/null) they are gathered: at a signal every few microseconds,
 * one write per line was the largest cost left (bench-watch).  A timer
 * flushes them within 100 ms, and so does every exit. */
static volatile sig_atomic_t flush_due;

static void arm_flush_timer(void)
{
	static const struct itimerval later = { .it_value = { 0, 100000 } };

	setitimer(ITIMER_REAL, &later, NULL);
}

static void flush_output(struct watch *w)
{
	int ret;

	flush_due = 0;
	if (!w->out_len)
		return;
	ret = write_all(w->out_fd, w->out_buf, w->out_len);
	if (ret < 0 && !w->out_error)
		w->out_error = -ret;
	w->out_len = 0;
}

static bool is_file_output(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	return S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(fd));
}

/* Who sent it, read at the stop, before the sender can go: its command
 * name, executable and parent; a zombie or a missing pid has exited. */
static void read_sender(pid_t pid, struct watch_sender *sender)
{
	char path[64], buf[2048];
	const char *name, *state;
	ssize_t n;

	memset(sender, 0, sizeof(*sender));
	sender->looked = true;
	sender->ppid = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0 || !(name = procfs_field(buf, "Name")) ||
	    !(state = procfs_field(buf, "State")) || *state == 'Z' || *state == 'X') {
		sender->gone = true;
		return;
	}
	n = (ssize_t)strcspn(name, "\n");
	if (n >= (ssize_t)sizeof(sender->comm))
		n = sizeof(sender->comm) - 1;
	memcpy(sender->comm, name, (size_t)n);
	sender->ppid = procfs_field_long(buf, "PPid", -1);
	sender->uid = procfs_field_long(buf, "Uid", -1);	/* the real one, first */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, sender->exe, sizeof(sender->exe) - 1);
	sender->exe[n > 0 ? n : 0] = '\0';
}

static bool same_link(const char *a, const char *b)
{
	char la[64], lb[64];
	ssize_t na = readlink(a, la, sizeof(la)), nb = readlink(b, lb, sizeof(lb));

	return na > 0 && na == nb && memcmp(la, lb, (size_t)na) == 0;
}

/* The sender's pid in our pid namespace.  si_pid is in the target's; where
 * that is ours (the cached common case) it is the pid; else the process of
 * the target's namespace whose innermost NSpid is si_pid (-1: none). */
static pid_t sender_here(struct watch *w, const struct seize_tracer_event *ev)
{
	char path[64], ns[64], buf[2048];
	const char *nspid, *last, *end;
	struct dirent *de;
	pid_t found = -1;
	DIR *proc;

	snprintf(ns, sizeof(ns), "/proc/%d/ns/pid", (int)ev->pid);
	if (w->ns_pid != ev->pid) {
		/* A process's pid namespace is fixed for its life. */
		w->ns_pid = ev->pid;
		w->ns_same = same_link(ns, "/proc/self/ns/pid");
	}
	if (w->ns_same)
		return ev->sender_pid;
	proc = opendir("/proc");
	while (proc && found < 0 && (de = readdir(proc))) {
		long p = strtol(de->d_name, NULL, 10);

		if (p <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/status", p);
		if (procfs_read(path, buf, sizeof(buf)) <= 0 || !(nspid = procfs_field(buf, "NSpid")))
			continue;
		end = nspid + strcspn(nspid, "\n");
		for (last = end; last > nspid && last[-1] != '\t' && last[-1] != ' '; last--)
			;
		if (strtol(last, NULL, 10) != ev->sender_pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/pid", p);
		if (same_link(path, ns))
			found = (pid_t)p;
	}
	if (proc)
		closedir(proc);
	return found;
}

/* What the target does with sig, from its own signal state at the stop
 * ('c' caught, 'i' ignored, 'd' default; 0 if unreadable).  Being
 * delivered, it is not blocked. */
static char disposition_of(pid_t tid, int sig)
{
	char path[64], buf[2048];
	const char *caught, *ignored;
	unsigned long long bit;

	if (sig < 1 || sig > 64)
		return 0;
	bit = 1ull << (sig - 1);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0 || !(caught = procfs_field(buf, "SigCgt")) ||
	    !(ignored = procfs_field(buf, "SigIgn")))
		return 0;
	if (strtoull(caught, NULL, 16) & bit)
		return 'c';
	return strtoull(ignored, NULL, 16) & bit ? 'i' : 'd';
}

static const struct watch_sender *sender_of(struct watch *w, const struct seize_tracer_event *ev,
					    struct watch_sender *fresh)
{
	pid_t here;

	if (ev->type == SEIZE_TRACER_KILLED && ev->sig == SIGKILL) {
		/* Its trace record is written before the death is reported: it
		 * is there already, or in flight for a moment. */
		memset(fresh, 0, sizeof(*fresh));
		if (!watch_killers_find(&w->killers, ev->pid, 200, &fresh->pid, fresh->comm))
			return NULL;
		fresh->looked = true;
		fresh->ppid = -1;
		return fresh;
	}
	if (ev->type != SEIZE_TRACER_SIGNAL)
		return NULL;
	if (!ev->has_sender || ev->sender_pid <= 0) {
		/* The kernel's, or from outside the namespace: only what the
		 * target does with it. */
		memset(fresh, 0, sizeof(*fresh));
		fresh->disposition = disposition_of(ev->tid, ev->sig);
		return fresh;
	}
	here = sender_here(w, ev);
	if (here != ev->pid) {
		read_sender(here > 0 ? here : ev->sender_pid, fresh);
		/* si_uid is the sender's real uid: a process at that pid with
		 * another is one that took the pid after the sender's end. */
		if (!fresh->gone && w->ns_same && fresh->uid >= 0 &&
		    fresh->uid != (long)ev->sender_uid)
			fresh->gone = true;
		if (here != ev->sender_pid) {
			fresh->here = here;
			fresh->gone = fresh->gone || here < 0;
		}
		fresh->disposition = disposition_of(ev->tid, ev->sig);
		return fresh;
	}
	/* Itself: alive (it is stopped before us), the same until it execs.
	 * No /proc read for what it does with its own signal: that is the
	 * signal-heavy path, and it asked for the signal itself. */
	if (w->self_pid != ev->pid) {
		read_sender(ev->pid, &w->self);
		w->self_pid = ev->pid;
	}
	return &w->self;
}

/* A watched process's command name, for the summary: read as it is first
 * seen and at each exec. */
static const char *comm_of(const struct seize_tracer_event *ev, char *buf, size_t size)
{
	char path[64];
	int n;

	if (ev->type != SEIZE_TRACER_ATTACHED && ev->type != SEIZE_TRACER_NEW_CHILD &&
	    ev->type != SEIZE_TRACER_EXEC)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)ev->pid);
	n = procfs_read(path, buf, size);
	if (n <= 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void on_event(struct seize_tracer *tracer, const struct seize_tracer_event *ev, void *data)
{
	struct watch *w = data;
	char line[WATCH_LINE_MAX];
	struct watch_sender fresh;
	const struct watch_sender *sender;
	struct timespec now;
	size_t len;
	int ret;

	(void)tracer;
	if (w->command > 0 && ev->pid == w->command && !w->command_ended) {
		if (ev->type == SEIZE_TRACER_EXITED) {
			w->command_ended = true;
			w->command_status = ev->exit_code;
		} else if (ev->type == SEIZE_TRACER_KILLED) {
			w->command_ended = true;
			w->command_status = 128 + ev->sig;
			w->command_signal = ev->sig;
		} else if (ev->type == SEIZE_TRACER_GROUP_STOP) {
			w->stop_as = ev->sig;
		}
	}
	if (ev->pid == w->ns_pid && (ev->type == SEIZE_TRACER_EXITED ||
				     ev->type == SEIZE_TRACER_KILLED))
		w->ns_pid = 0;
	if (ev->pid == w->self_pid && (ev->type == SEIZE_TRACER_EXEC ||
				       ev->type == SEIZE_TRACER_EXITED ||
				       ev->type == SEIZE_TRACER_KILLED))
		w->self_pid = 0;
	if (w->summary) {
		char comm[64];

		clock_gettime(CLOCK_REALTIME, &now);
		sender = sender_of(w, ev, &fresh);
		if (watch_summary_note(w->summary, ev, sender, comm_of(ev, comm, sizeof(comm)),
				       &now) < 0)
			w->summary_lost = true;
		if (w->summary_only)
			return;
	}
	if (!(w->show & SEIZE_TRACER_MASK(ev->type)) || w->out_error)
		return;
	if (ev->type == SEIZE_TRACER_SIGNAL && ev->sig >= 1 && ev->sig <= 64 &&
	    !(w->signals >> (ev->sig - 1) & 1))
		return;
	if (!w->summary) {
		clock_gettime(CLOCK_REALTIME, &now);
		sender = sender_of(w, ev, &fresh);
	}
	len = watch_format_line_as(line, sizeof(line), ev, &now, w->json, sender, w->time_form);
	if (!w->buffered || len > sizeof(w->out_buf)) {
		ret = write_all(w->out_fd, line, len);
		if (ret < 0)
			w->out_error = -ret;
		return;
	}
	if (w->out_len + len > sizeof(w->out_buf))
		flush_output(w);
	if (w->out_len == 0)
		arm_flush_timer();
	memcpy(w->out_buf + w->out_len, line, len);
	w->out_len += len;
}

/* ---- signals ----------------------------------------------------------- */

/* The main loop blocks in seize_tracer_dispatch(), which a handler installed
 * without SA_RESTART interrupts with -EINTR.  A signal that lands just before
 * the wait begins would be seen only at the next tracee event, so the
 * handler also arms a short timer whose SIGALRM interrupts that wait. */
static volatile sig_atomic_t stop_signal;	/* the first SIGINT/SIGTERM/SIGHUP */

static void on_signal(int sig)
{
	static const struct itimerval soon = { .it_value = { 0, 20000 } };
	int saved = errno;

	if (!stop_signal)
		stop_signal = sig;
	setitimer(ITIMER_REAL, &soon, NULL);
	errno = saved;
}

static void on_alarm(int sig)
{
	(void)sig;	/* interrupts the wait, and it is time to flush */
	flush_due = 1;
}

static void on_sigpipe(int sig)
{
	(void)sig;	/* the write fails with EPIPE instead */
}

static void on_passed(int sig)
{
	(void)sig;	/* the command's signal too: its line says it */
}

/* With a command, what the terminal sends the foreground (or a background)
 * process group is the command's: these do nothing to seize-watch. */
static const int passed[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };
#define NPASSED (sizeof(passed) / sizeof(passed[0]))

static void catch_passed(int sig)
{
	struct sigaction sa = { .sa_handler = on_passed };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Handlers, not SIG_IGN and not a blocked mask: both would be inherited
 * by the command across execve(), handlers are reset. */
static void setup_signals(bool command)
{
	static const int stoppers[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stoppers) / sizeof(stoppers[0]); i++)
		sigaddset(&sa.sa_mask, stoppers[i]);
	for (size_t i = 0; i < sizeof(stoppers) / sizeof(stoppers[0]); i++)
		sigaction(stoppers[i], &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_sigpipe;
	sigaction(SIGPIPE, &sa, NULL);
	if (command)
		for (size_t i = 0; i < NPASSED; i++)
			catch_passed(passed[i]);
}

/* Take signal sig's default action on ourselves, now. */
static void raise_default(int sig)
{
	sigset_t one;

	signal(sig, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
}

/* The command is in a group-stop by sig: stop likewise, so that the shell
 * sees its job stop by the same signal; a SIGCONT (fg, bg) goes on. */
static void stop_like_command(struct watch *w)
{
	int sig = w->stop_as;

	w->stop_as = 0;
	flush_output(w);	/* the group-stop line is in the log before we stop */
	raise_default(sig);	/* returns once continued (or at once if orphaned) */
	for (size_t i = 0; i < NPASSED; i++)
		if (passed[i] == sig)
			catch_passed(sig);
}

/* The command was killed by sig: so are we, that the shell sees it as it
 * would untraced (without a core of ours); where sig cannot kill, 128+sig. */
static void die_like_command(int sig) __attribute__((noreturn));
static void die_like_command(int sig)
{
	static const struct rlimit no_core = { 0, 0 };

	if (sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU &&
	    sig != SIGCONT && sig != SIGCHLD && sig != SIGURG && sig != SIGWINCH) {
		setrlimit(RLIMIT_CORE, &no_core);
		raise_default(sig);
	}
	exit(128 + sig);
}

/* ---- main -------------------------------------------------------------- */

/* -c, -C: each process's story, after the events (stories are at most a
 * few hundred bytes; a longer one is cut). */
static void write_summary(struct watch *w)
{
	struct timespec now;
	char text[4096];
	int ret;

	if (!w->summary || w->out_error)
		return;
	flush_output(w);
	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < watch_summary_processes(w->summary) && !w->out_error; i++) {
		size_t len = watch_summary_format(w->summary, i, &now, text, sizeof(text));

		if (len >= sizeof(text))
			len = sizeof(text) - 1;
		ret = write_all(w->out_fd, text, len);
		if (ret < 0)
			w->out_error = -ret;
	}
	if (w->summary_lost)
		complain("out of memory: the summary lacks some events");
	watch_summary_free(w->summary);
	w->summary = NULL;
}

/* Tear down and leave: detach from everything (DETACHED lines are still
 * written), then exit with status. */
static void finish(struct watch *w, int status) __attribute__((noreturn));
static void finish(struct watch *w, int status)
{
	seize_tracer_destroy(w->tracer);
	w->tracer = NULL;
	write_summary(w);
	watch_killers_stop(&w->killers);
	flush_output(w);
	if (w->out_fd != STDOUT_FILENO && close(w->out_fd) < 0 && !w->out_error)
		w->out_error = errno;
	if (w->out_error) {
		complain("writing the events: %s", strerror(w->out_error));
		if (status == 0 && w->command <= 0)
			status = EXIT_RUNTIME;	/* a command's status is its own */
	}
	if (w->command_signal && status == 128 + w->command_signal)
		die_like_command(w->command_signal);
	exit(status);
}

static void attach_all(struct watch *w, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long tgid = procfs_status_field(pids[i], "Tgid");
		char why[256];
		int ret;

		if (tgid > 0 && tgid != pids[i]) {
			complain("%d is a thread of process %ld", (int)pids[i], tgid);
			finish(w, EXIT_USAGE);	/* detaches the others, as found */
		}
		ret = seize_tracer_attach(w->tracer, pids[i]);

		if (ret == -EALREADY)	/* given twice */
			continue;
		if (ret < 0) {
			if (seize_explain_attach(pids[i], ret, why, sizeof(why)) < 0)
				snprintf(why, sizeof(why), "attaching to process %d failed: %s",
					 (int)pids[i], strerror(-ret));
			complain("%s", why);
			finish(w, EXIT_RUNTIME);	/* detaches the others, as found */
		}
	}
}

static void spawn_command(struct watch *w, char **argv)
{
	int ret = seize_tracer_spawn(w->tracer, argv, &w->command);


	if (ret < 0) {
		complain("cannot run %s: %s", argv[0], strerror(-ret));
		finish(w, ret == -ENOENT ? EXIT_NOT_FOUND
			  : ret == -EACCES || ret == -ENOEXEC ? EXIT_CANNOT_RUN : EXIT_RUNTIME);
	}
}

/* The exit status of our child the command, if it has ended (it must not
 * be traced then: a traced child's stops would be taken from the tracer). */
static bool command_status(pid_t pid, int *status)
{
	int st;

	if (waitpid(pid, &st, WNOHANG) != pid || !(WIFEXITED(st) || WIFSIGNALED(st)))
		return false;
	*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	return true;
}

/* Whether the watch is over; sets *status. */
static bool watch_over(struct watch *w, bool no_tracees, int *status)
{
	unsigned int processes = 0;

	if (w->command > 0) {
		/* With -f, as strace -f: the children that outlive the command
		 * are watched to their end; the status stays the command's. */
		if (w->command_ended && w->follow && !no_tracees &&
		    seize_tracer_count(w->tracer, &processes, NULL) == 0 && processes > 0)
			return false;
		if (w->command_ended) {
			*status = w->command_status;
			return true;
		}
		if (!no_tracees)
			return false;
		/* The tracer let go of it without a death report (a bug below
		 * us); it is still our child, so its status can be had. */
		if (command_status(w->command, status))
			return true;
		complain("lost track of process %d", (int)w->command);
		*status = EXIT_RUNTIME;
		return true;
	}
	if (!no_tracees && seize_tracer_count(w->tracer, &processes, NULL) == 0 && processes > 0)
		return false;
	*status = 0;
	return true;
}

/* SIGINT, SIGTERM or SIGHUP: let everything go, then exit 0, or with the
 * command's status if it has ended meanwhile, else 128 + sig. */
static void interrupted(struct watch *w, int sig)
{
	int status = 0;

	seize_tracer_destroy(w->tracer);	/* may report the command's death */
	w->tracer = NULL;
	if (w->command > 0) {
		if (w->command_ended)
			status = w->command_status;
		else if (!command_status(w->command, &status))
			status = 128 + sig;
	}
	finish(w, status);
}

/* The output failed (a closed pipe, a full disk): stop writing and let
 * every tracee go as found.  A command is still ours to wait for, so that
 * the shell waits for it too, and its status is ours. */
static void output_failed(struct watch *w) __attribute__((noreturn));
static void output_failed(struct watch *w)
{
	int status = EXIT_RUNTIME, st;
	pid_t got;

	seize_tracer_destroy(w->tracer);	/* may report the command's end */
	w->tracer = NULL;
	if (w->command > 0 && w->command_ended) {
		status = w->command_status;
	} else if (w->command > 0) {
		do
			got = waitpid(w->command, &st, 0);
		while (got < 0 && errno == EINTR);
		if (got == w->command && WIFSIGNALED(st)) {
			w->command_signal = WTERMSIG(st);
			status = 128 + w->command_signal;
		} else if (got == w->command) {
			status = WEXITSTATUS(st);
		}
	}
	finish(w, status);
}

static void run(struct watch *w)
{
	bool no_tracees = false;
	int status;

	for (;;) {
		int ret;

		if (stop_signal)
			interrupted(w, stop_signal);
		if (flush_due)
			flush_output(w);
		if (w->out_error)
			output_failed(w);
		if (watch_over(w, no_tracees, &status))
			finish(w, status);
		if (w->stop_as) {
			stop_like_command(w);
			continue;	/* a signal may have come meanwhile */
		}
		/* One stop per call, with one wait for it: every child of
		 * seize-watch is a tracee (SEIZE_TRACER_ALL_CHILDREN). */
		ret = seize_tracer_dispatch(w->tracer, SEIZE_TRACER_WAIT);
		if (ret == -ECHILD) {
			no_tracees = true;
		} else if (ret < 0 && ret != -EINTR) {
			complain("waiting for events: %s", strerror(-ret));
			finish(w, EXIT_RUNTIME);
		}
	}
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_VERSION, OPT_ISO_TIME, OPT_NO_KILL_SENDERS };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow", no_argument, NULL, 'f' },
		{ "events", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "iso-time", no_argument, NULL, OPT_ISO_TIME },
		{ "no-kill-senders", no_argument, NULL, OPT_NO_KILL_SENDERS },
		{ "summary-only", no_argument, NULL, 'c' },
		{ "summary", no_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { .out_fd = STDOUT_FILENO, .show = watch_default_events(),
			   .signals = ~0ull };
	int tflags = 0, summary = 0;
	bool iso_time = false, kill_senders = true;
	/* seize-watch has no children but its tracees: one wait per stop. */
	struct seize_tracer_config cfg = { .flags = SEIZE_TRACER_ALL_CHILDREN,
					   .callback = on_event, .data = &w };
	const char *output = NULL;
	static pid_t *pids;	/* static: still reachable at every exit() */
	size_t npids = 0;
	int opt, ret;

	pids = calloc((size_t)argc, sizeof(*pids));
	if (!pids) {
		complain("out of memory");
		return EXIT_RUNTIME;
	}
	/* '+': the first non-option starts the command, as with `--`. */
	/* getopt's own messages start with argv[0]: ours, not the whole path. */
	argv[0] = (char *)PROGRAM;
	while ((opt = getopt_long(argc, argv, "+p:fe:o:tcCh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pids[npids++] = parse_pid(optarg);
			break;
		case 'f':
			cfg.flags |= SEIZE_TRACER_FOLLOW_CHILDREN;
			w.follow = true;
			break;
		case 'e':
			if (strncmp(optarg, "signal=", 7) == 0)
				w.signals = parse_signal_set(optarg + 7);
			else
				w.show = parse_events(optarg);
			break;
		case 't':
			tflags++;
			break;
		case 'c':
		case 'C':
			summary = opt;
			break;
		case OPT_ISO_TIME:
			iso_time = true;
			break;
		case OPT_NO_KILL_SENDERS:
			kill_senders = false;
			break;
		case OPT_JSON:
			w.json = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
		case OPT_VERSION:
			printf(PROGRAM " " SEIZE_VERSION "\n");
			return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
		default:
			fprintf(stderr, "Try '" PROGRAM " --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	/* strace's -t, -tt, -ttt: seconds, microseconds (our default), epoch. */
	w.time_form = iso_time ? WATCH_TIME_ISO : tflags == 1 ? WATCH_TIME_SEC
		      : tflags >= 3 ? WATCH_TIME_EPOCH : WATCH_TIME_USEC;
	if (npids == 0 && optind == argc)
		usage_error("give a command, or -p PID");
	if (npids > 0 && optind < argc)
		usage_error("give either -p PID or a command, not both");

	if (output) {
		w.out_fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (w.out_fd < 0) {
			complain("%s: %s", output, strerror(errno));
			return EXIT_RUNTIME;
		}
	}
	w.buffered = is_file_output(w.out_fd);
	w.killers.fd = -1;
	if (kill_senders) {
		char why[128];

		/* Best effort: without it a SIGKILL's line says its sender is
		 * unknown (SEIZE_WATCH_DEBUG=1 says why). */
		if (watch_killers_start(&w.killers, why, sizeof(why)) < 0 && getenv("SEIZE_WATCH_DEBUG"))
			complain("no SIGKILL senders: %s", why);
	}
	setup_signals(npids == 0);

	/* Deaths are always asked for: they end the watch.  The rest only if
	 * shown, or told in the summary. */
	cfg.events = w.show | SEIZE_TRACER_MASK(SEIZE_TRACER_EXITED) |
		     SEIZE_TRACER_MASK(SEIZE_TRACER_KILLED);
	if (summary) {
		w.summary = watch_summary_new();
		if (!w.summary) {
			complain("out of memory");
			return EXIT_RUNTIME;
		}
		w.summary_only = summary == 'c';
		cfg.events |= watch_default_events();
	}
	if (npids == 0)	/* the command's group-stops are mirrored, shown or not */
		cfg.events |= SEIZE_TRACER_MASK(SEIZE_TRACER_GROUP_STOP);
	ret = seize_tracer_new(&cfg, &w.tracer);
	if (ret < 0) {
		complain("cannot create a tracer: %s", strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (npids > 0)
		attach_all(&w, pids, npids);
	else
		spawn_command(&w, argv + optind);
	free(pids);
	pids = NULL;
	run(&w);
	return EXIT_RUNTIME;	/* not reached: run() finishes */
}
