/* SPDX-License-Identifier: MIT */
/* seize-watch's output formats.  A human line:
 *
 *	12:01:02.123456 4242/4243 signal SIGUSR1 from pid 100 uid 0
 *
 * (local time, pid/tid, event, then what the event carries), and a JSON
 * object per line with the keys of DESIGN.md:
 *
 *	{"event":"signal","pid":4242,"tid":4243,"signal":"SIGUSR1",
 *	 "sender_pid":100,"sender_uid":0,"time":1764331234.123456}
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch-format.h"

/* The names are the library's (seize_tracer_event_name()): one table. */
const char *watch_event_name(enum seize_tracer_event_type type)
{
	return seize_tracer_event_name(type);
}

enum seize_tracer_event_type watch_event_type(const char *name)
{
	for (unsigned int t = 1; t < SEIZE_TRACER_EVENT_MAX_; t++)
		if (seize_tracer_event_name(t) && strcmp(seize_tracer_event_name(t), name) == 0)
			return (enum seize_tracer_event_type)t;
	return 0;
}

/* The contract's events (seize-watch(1), -e), named one by one rather than
 * as a range of the enum, so that a type added to the enum is shown only if
 * it is added here.  Not THREAD_EXITED (only with -e), nor FROZEN
 * (seize-watch never freezes). */
unsigned int watch_default_events(void)
{
	return SEIZE_TRACER_MASK(SEIZE_TRACER_SIGNAL) | SEIZE_TRACER_MASK(SEIZE_TRACER_GROUP_STOP) |
	       SEIZE_TRACER_MASK(SEIZE_TRACER_CONTINUED) | SEIZE_TRACER_MASK(SEIZE_TRACER_EXITED) |
	       SEIZE_TRACER_MASK(SEIZE_TRACER_KILLED) | SEIZE_TRACER_MASK(SEIZE_TRACER_NEW_THREAD) |
	       SEIZE_TRACER_MASK(SEIZE_TRACER_NEW_CHILD) | SEIZE_TRACER_MASK(SEIZE_TRACER_EXEC) |
	       SEIZE_TRACER_MASK(SEIZE_TRACER_ATTACHED) | SEIZE_TRACER_MASK(SEIZE_TRACER_DETACHED);
}

/* By value, not by position: the numbers differ between architectures. */
static const struct {
	int sig;
	const char *name;
} signal_names[] = {
	{ SIGHUP, "SIGHUP" },	{ SIGINT, "SIGINT" },	  { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" },	{ SIGTRAP, "SIGTRAP" },	  { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" },	{ SIGFPE, "SIGFPE" },	  { SIGKILL, "SIGKILL" },
	{ SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" },	  { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" },	  { SIGTERM, "SIGTERM" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "SIGSTKFLT" },
#endif
	{ SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" },	  { SIGSTOP, "SIGSTOP" },
	{ SIGTSTP, "SIGTSTP" }, { SIGTTIN, "SIGTTIN" },	  { SIGTTOU, "SIGTTOU" },
	{ SIGURG, "SIGURG" },	{ SIGXCPU, "SIGXCPU" },	  { SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" }, { SIGWINCH, "SIGWINCH" },
	{ SIGIO, "SIGIO" },
#ifdef SIGPWR
	{ SIGPWR, "SIGPWR" },
#endif
	{ SIGSYS, "SIGSYS" },
};

const char *watch_signal_name(int sig, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	/* Real-time signals as `kill -l` of this C library names them: the
	 * first few kernel ones (32, 33 with glibc) are the library's own. */
	if (sig == SIGRTMIN)
		snprintf(buf, size, "SIGRTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}

/* ---- an appender that cuts instead of overflowing ---------------------- */

struct out {
	char *buf;
	size_t size, len;	/* len may pass size: what it would have taken */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_char(struct out *o, char c)
{
	if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
		o->buf[o->len + 1] = '\0';
	}
	o->len++;
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 if the bytes
 * there are not one (stray continuation, overlong form, surrogate, > U+10FFFF,
 * cut short). */
static size_t utf8_length(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void put_json_string(struct out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	put_char(o, '"');
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':  put(o, "\\\""); break;
		case '\\': put(o, "\\\\"); break;
		case '\b': put(o, "\\b"); break;
		case '\f': put(o, "\\f"); break;
		case '\n': put(o, "\\n"); break;
		case '\r': put(o, "\\r"); break;
		case '\t': put(o, "\\t"); break;
		default:
			if (*s < 0x20) {
				put(o, "\\u%04x", *s);
				break;
			}
			n = utf8_length(s);
			if (n == 0) {		/* JSON text is UTF-8: replace the byte */
				put(o, "\\ufffd");
				break;
			}
			for (size_t i = 0; i < n; i++)
				put_char(o, (char)s[i]);
			s += n;
			continue;
		}
		s++;
	}
	put_char(o, '"');
}

size_t watch_json_string(char *buf, size_t size, const char *s)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	put_json_string(&o, s);
	return o.len;
}

int watch_signal_number(const char *name)
{
	char buf[32], *end;
	long n;

	if (!name || !*name)
		return 0;
	n = strtol(name, &end, 10);
	if (*name >= '0' && *name <= '9')
		return *end == '\0' && n > 0 && n < NSIG ? (int)n : 0;
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (int sig = 1; sig < NSIG; sig++)
		if (strcmp(watch_signal_name(sig, buf, sizeof(buf)) + 3, name) == 0)
			return sig;
	return 0;
}

const char *watch_default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return "core";
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return "stop";
	case SIGCONT:
		return "continue";
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return "ignore";
	default:
		return "terminate";	/* the rest, real-time signals too */
	}
}

/* ---- how a signal came ------------------------------------------------- */

#define CODE(c) { c, #c }
struct code_name {
	int code;
	const char *name;
};

static const struct code_name generic_codes[] = {
	CODE(SI_KERNEL), CODE(SI_TIMER), CODE(SI_MESGQ), CODE(SI_ASYNCIO), CODE(SI_SIGIO),
	CODE(SI_ASYNCNL),
};
static const struct code_name segv_codes[] = {
	CODE(SEGV_MAPERR), CODE(SEGV_ACCERR), CODE(SEGV_BNDERR), CODE(SEGV_PKUERR),
};
static const struct code_name bus_codes[] = {
	CODE(BUS_ADRALN), CODE(BUS_ADRERR), CODE(BUS_OBJERR), CODE(BUS_MCEERR_AR),
	CODE(BUS_MCEERR_AO),
};
static const struct code_name fpe_codes[] = {
	CODE(FPE_INTDIV), CODE(FPE_INTOVF), CODE(FPE_FLTDIV), CODE(FPE_FLTOVF),
	CODE(FPE_FLTUND), CODE(FPE_FLTRES), CODE(FPE_FLTINV), CODE(FPE_FLTSUB),
};
static const struct code_name ill_codes[] = {
	CODE(ILL_ILLOPC), CODE(ILL_ILLOPN), CODE(ILL_ILLADR), CODE(ILL_ILLTRP),
	CODE(ILL_PRVOPC), CODE(ILL_PRVREG), CODE(ILL_COPROC), CODE(ILL_BADSTK),
};
static const struct code_name trap_codes[] = {
	CODE(TRAP_BRKPT), CODE(TRAP_TRACE), CODE(TRAP_BRANCH), CODE(TRAP_HWBKPT),
};
static const struct code_name chld_codes[] = {
	CODE(CLD_EXITED), CODE(CLD_KILLED), CODE(CLD_DUMPED), CODE(CLD_TRAPPED),
	CODE(CLD_STOPPED), CODE(CLD_CONTINUED),
};
static const struct code_name poll_codes[] = {
	CODE(POLL_IN), CODE(POLL_OUT), CODE(POLL_MSG), CODE(POLL_ERR), CODE(POLL_PRI),
	CODE(POLL_HUP),
};

static const char *find_code(const struct code_name *table, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].code == code)
			return table[i].name;
	return NULL;
}

#define FIND(table, code) find_code((table), sizeof(table) / sizeof((table)[0]), (code))

const char *watch_si_code_name(int sig, int code)
{
	if (code == SI_USER || code == SI_TKILL || code == SI_QUEUE)
		return NULL;
	if (code <= 0 || code == SI_KERNEL)
		return FIND(generic_codes, code);
	switch (sig) {
	case SIGSEGV: return FIND(segv_codes, code);
	case SIGBUS: return FIND(bus_codes, code);
	case SIGFPE: return FIND(fpe_codes, code);
	case SIGILL: return FIND(ill_codes, code);
	case SIGTRAP: return FIND(trap_codes, code);
	case SIGCHLD: return FIND(chld_codes, code);
	case SIGPOLL: return FIND(poll_codes, code);
	default: return NULL;
	}
}

/* A fault's address is worth saying (si_addr). */
static bool has_fault_address(int sig, int code)
{
	return code > 0 && code != SI_KERNEL &&
	       (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL);
}

/* "exited 3", "killed by SIGTERM", "stopped by SIGTSTP", ... of a SIGCHLD. */
static void put_child_status(struct out *o, const siginfo_t *si)
{
	char buf[32];

	switch (si->si_code) {
	case CLD_EXITED:
		put(o, "exited %d", si->si_status);
		break;
	case CLD_KILLED:
	case CLD_DUMPED:
		put(o, "killed by %s%s", watch_signal_name(si->si_status, buf, sizeof(buf)),
		    si->si_code == CLD_DUMPED ? ", core dumped" : "");
		break;
	case CLD_STOPPED:
	case CLD_TRAPPED:
		put(o, "%s by %s", si->si_code == CLD_STOPPED ? "stopped" : "trapped",
		    watch_signal_name(si->si_status, buf, sizeof(buf)));
		break;
	case CLD_CONTINUED:
		put(o, "continued");
		break;
	default:
		put(o, "code %d", si->si_code);
		break;
	}
}

/* ---- the lines --------------------------------------------------------- */

static bool has_signal(const struct seize_tracer_event *ev)
{
	switch (ev->type) {
	case SEIZE_TRACER_SIGNAL:
	case SEIZE_TRACER_GROUP_STOP:
	case SEIZE_TRACER_CONTINUED:
	case SEIZE_TRACER_KILLED:
		return ev->sig > 0;
	default:
		return false;
	}
}

/* ", caught", ", ignored", ", default: terminate"; JSON's two keys. */
static void put_disposition(struct out *o, const struct seize_tracer_event *ev,
			    const struct watch_sender *sender, bool json)
{
	char d = sender ? sender->disposition : 0;
	const char *what = d == 'c' ? "caught" : d == 'i' ? "ignored" : d == 'd' ? "default" : NULL;

	if (!what)
		return;
	if (json) {
		put(o, ",\"disposition\":\"%s\"", what);
		if (d == 'd')
			put(o, ",\"default_action\":\"%s\"", watch_default_action(ev->sig));
	} else if (d == 'd') {
		put(o, ", default: %s", watch_default_action(ev->sig));
	} else {
		put(o, ", %s", what);
	}
}

static void json_signal_details(struct out *o, const struct seize_tracer_event *ev,
			       const struct watch_sender *sender)
{
	const siginfo_t *si = ev->siginfo;
	const char *code = si ? watch_si_code_name(ev->sig, si->si_code) : NULL;

	if (ev->has_sender) {
		/* sender_pid is ours to use: translated where the target lives
		 * in another pid namespace (its own number in sender_ns_pid). */
		put(o, ",\"sender_pid\":%d,\"sender_uid\":%u",
		    sender && sender->here > 0 ? (int)sender->here : (int)ev->sender_pid,
		    (unsigned int)ev->sender_uid);
		if (sender && sender->here)
			put(o, ",\"sender_ns_pid\":%d", (int)ev->sender_pid);
		if (sender && sender->looked && sender->gone)
			put(o, ",\"sender_gone\":true");
		else if (sender && sender->looked) {
			put(o, ",\"sender_comm\":");
			put_json_string(o, sender->comm);
			if (sender->exe[0]) {
				put(o, ",\"sender_exe\":");
				put_json_string(o, sender->exe);
			}
			if (sender->ppid >= 0)
				put(o, ",\"sender_ppid\":%ld", sender->ppid);
		}
	}
	if (code) {
		put(o, ",\"si_code\":");
		put_json_string(o, code);
	}
	if (si && has_fault_address(ev->sig, si->si_code))
		put(o, ",\"addr\":\"0x%llx\"", (unsigned long long)(uintptr_t)si->si_addr);
	if (si && ev->sig == SIGCHLD && si->si_code > 0) {
		char status[64];
		struct out st = { status, sizeof(status), 0 };

		status[0] = '\0';
		put_child_status(&st, si);
		put(o, ",\"child_pid\":%d,\"child_status\":", (int)si->si_pid);
		put_json_string(o, status);
	}
	put_disposition(o, ev, sender, true);
}

static void format_json(struct out *o, const struct seize_tracer_event *ev, const char *name,
			const char *signame, const struct timespec *when,
			const struct watch_sender *sender)
{
	put(o, "{\"event\":");
	put_json_string(o, name);
	put(o, ",\"pid\":%d,\"tid\":%d", (int)ev->pid, (int)ev->tid);
	if (signame) {
		put(o, ",\"signal\":");
		put_json_string(o, signame);
	}
	switch (ev->type) {
	case SEIZE_TRACER_SIGNAL:
		json_signal_details(o, ev, sender);
		break;
	case SEIZE_TRACER_EXITED:
		put(o, ",\"exit_code\":%d", ev->exit_code);
		break;
	case SEIZE_TRACER_KILLED:
		put(o, ",\"core_dumped\":%s", ev->core_dumped ? "true" : "false");
		if (sender && sender->pid > 0) {
			put(o, ",\"killer_pid\":%d,\"killer_comm\":", (int)sender->pid);
			put_json_string(o, sender->comm);
		}
		break;
	case SEIZE_TRACER_NEW_CHILD:
		put(o, ",\"parent\":%d", (int)ev->parent);
		break;
	case SEIZE_TRACER_EXEC:
		if (ev->former_tid > 0)
			put(o, ",\"former_tid\":%d", (int)ev->former_tid);
		break;
	default:
		break;
	}
	put(o, ",\"time\":%lld.%06ld}", (long long)when->tv_sec, when->tv_nsec / 1000);
}

static void human_signal_details(struct out *o, const struct seize_tracer_event *ev,
				 const struct watch_sender *sender)
{
	const siginfo_t *si = ev->siginfo;
	const char *code = si ? watch_si_code_name(ev->sig, si->si_code) : NULL;

	if (si && ev->sig == SIGCHLD && si->si_code > 0) {
		put(o, " from child %d (", (int)si->si_pid);
		put_child_status(o, si);
		put(o, ")");
		return;
	}
	if (ev->has_sender && ev->sender_pid == 0) {
		put(o, " from outside the pid namespace uid %u", (unsigned int)ev->sender_uid);
	} else if (ev->has_sender && sender && sender->here) {
		/* Translated from the target's pid namespace to ours. */
		if (sender->here > 0)
			put(o, " from pid %d (%s)", (int)sender->here,
			    sender->gone ? "exited" : sender->comm);
		else
			put(o, " from a process not in our pid namespace");
		put(o, " uid %u (pid %d in its namespace)", (unsigned int)ev->sender_uid,
		    (int)ev->sender_pid);
	} else if (ev->has_sender) {
		put(o, " from pid %d", (int)ev->sender_pid);
		if (sender && sender->looked)
			put(o, " (%s)", sender->gone ? "exited" : sender->comm);
		put(o, " uid %u", (unsigned int)ev->sender_uid);
	}
	if (code && si && has_fault_address(ev->sig, si->si_code))
		put(o, " (%s at 0x%llx)", code, (unsigned long long)(uintptr_t)si->si_addr);
	else if (code)
		put(o, " (%s)", code);
	put_disposition(o, ev, sender, false);
}

static void format_human(struct out *o, const struct seize_tracer_event *ev, const char *name,
			 const char *signame, const struct timespec *when,
			 const struct watch_sender *sender, enum watch_time form)
{
	time_t secs = when->tv_sec;
	struct tm tm;

	if (form != WATCH_TIME_EPOCH && localtime_r(&secs, &tm)) {
		if (form == WATCH_TIME_ISO)
			put(o, "%04d-%02d-%02dT", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		put(o, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (form != WATCH_TIME_SEC)
			put(o, ".%06ld", when->tv_nsec / 1000);
		if (form == WATCH_TIME_ISO) {
			long off = tm.tm_gmtoff / 60;

			put(o, "%c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
		}
		put(o, " ");
	} else {
		put(o, "%lld.%06ld ", (long long)secs, when->tv_nsec / 1000);
	}
	put(o, "%d/%d %s", (int)ev->pid, (int)ev->tid, name);
	if (signame)
		put(o, " %s", signame);
	switch (ev->type) {
	case SEIZE_TRACER_SIGNAL:
		human_signal_details(o, ev, sender);
		break;
	case SEIZE_TRACER_EXITED:
		put(o, " %d", ev->exit_code);
		break;
	case SEIZE_TRACER_KILLED:
		if (ev->core_dumped)
			put(o, " (core dumped)");
		if (sender && sender->pid > 0)
			put(o, " from pid %d (%s)", (int)sender->pid, sender->comm);
		else if (ev->sig == SIGKILL)
			put(o, " (sender unknown: SIGKILL carries none)");
		break;
	case SEIZE_TRACER_NEW_CHILD:
		put(o, " of %d", (int)ev->parent);
		break;
	case SEIZE_TRACER_EXEC:
		if (ev->former_tid > 0 && ev->former_tid != ev->tid)
			put(o, " by thread %d", (int)ev->former_tid);
		break;
	default:
		break;
	}
}

size_t watch_format_line(char *buf, size_t size, const struct seize_tracer_event *ev,
			 const struct timespec *when, bool json)
{
	return watch_format_line_as(buf, size, ev, when, json, NULL, WATCH_TIME_USEC);
}

size_t watch_format_line_as(char *buf, size_t size, const struct seize_tracer_event *ev,
			    const struct timespec *when, bool json,
			    const struct watch_sender *sender, enum watch_time form)
{
	struct out o = { buf, size, 0 };
	const char *name = watch_event_name(ev->type);
	const char *signame = NULL;
	char numbered[32], sigbuf[32];

	if (size < 2)
		return 0;
	buf[0] = '\0';
	if (!name) {
		snprintf(numbered, sizeof(numbered), "event-%d", (int)ev->type);
		name = numbered;
	}
	if (has_signal(ev))
		signame = watch_signal_name(ev->sig, sigbuf, sizeof(sigbuf));
	if (json)
		format_json(&o, ev, name, signame, when, sender);
	else
		format_human(&o, ev, name, signame, when, sender, form);
	/* Always a whole line: cut, the newline replaces the last byte. */
	if (o.len + 1 >= size)
		o.len = size - 2;
	buf[o.len++] = '\n';
	buf[o.len] = '\0';
	return o.len;
}
