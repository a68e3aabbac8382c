/* SPDX-License-Identifier: MIT */
/* seize-watch's output: event names, signal names, and the two line formats
 * (human and JSON).  Pure: no I/O, no globals, no allocation. */
#ifndef SEIZE_WATCH_FORMAT_H
#define SEIZE_WATCH_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <seize/tracer.h>

/* A line never gets near this: the longest is a signal event in JSON with
 * its sender's executable of 255 bytes, each escaped to six (about 1700
 * bytes).  Longer output is cut, still ending in a newline. */
#define WATCH_LINE_MAX 2048

/* The event names of the contract ("signal", "group-stop", ... "detached"),
 * plus "thread-exited" and "frozen"; NULL for a type outside the enum. */
const char *watch_event_name(enum seize_tracer_event_type type);

/* The type named @p name, or 0 if none is. */
enum seize_tracer_event_type watch_event_type(const char *name);

/* The events shown when -e is not given (or with -e all): every one the
 * contract names, an explicit set: not thread-exited, not frozen. */
unsigned int watch_default_events(void);

/* "SIGUSR1", "SIGRTMIN+3", or "SIG40" for a number without a name: in @p buf
 * (at least 16 bytes) or a static string.  Never NULL. */
const char *watch_signal_name(int sig, char *buf, size_t size);

/* @p s as a JSON string, quotes included, cut to @p size (always
 * NUL-terminated).  Returns the whole length, as snprintf does. */
size_t watch_json_string(char *buf, size_t size, const char *s);

/* What /proc said of a signal's sender, read at the stop (seize-watch does
 * the reading; the formatter only prints it). */
struct watch_sender {
	bool looked;		/* read at all: else nothing is said of it */
	bool gone;		/* no process had that pid any more */
	char comm[32];		/* its command name */
	char exe[256];		/* its executable, "" if unreadable */
	long ppid;		/* its parent, -1 if unread */
	long uid;		/* its real uid, -1 if unread */
	pid_t pid;		/* KILLED: the SIGKILL's sender (tracing), 0: unknown */
	/* SIGNAL: what the target does with it, read from its own signal
	 * state at the stop: 'c' caught, 'i' ignored, 'd' default, 0 unread. */
	char disposition;
	/* The sender's pid in seize-watch's pid namespace where the target
	 * lives in another (si_pid is the target's numbering): 0 if the same
	 * namespace, -1 if no process of ours is that sender. */
	pid_t here;
};

/* What signal @p sig does by default: "terminate", "core", "stop",
 * "continue" or "ignore". */
const char *watch_default_action(int sig);

/* How a text line says its time (JSON always gives the epoch's seconds). */
enum watch_time {
	WATCH_TIME_USEC = 0,	/* 12:01:02.123456, local (the default; -tt) */
	WATCH_TIME_SEC,		/* 12:01:02 (-t) */
	WATCH_TIME_EPOCH,	/* 1795867262.123456 (-ttt) */
	WATCH_TIME_ISO,		/* 2026-11-28T12:01:02.123456+0100, for logs that
				   cross midnight (--iso-time) */
};

/* How the kernel says a signal came: "SEGV_MAPERR", "SI_KERNEL", ...; NULL
 * for one sent by a process (SI_USER, SI_TKILL, SI_QUEUE), whose sender is
 * named instead, or an unknown code. */
const char *watch_si_code_name(int sig, int code);

/* One output line for @p ev, seen at @p when (CLOCK_REALTIME), ending in a
 * newline, into @p buf of @p size bytes (WATCH_LINE_MAX is enough).  Returns
 * the length written. */
size_t watch_format_line(char *buf, size_t size, const struct seize_tracer_event *ev,
			 const struct timespec *when, bool json);
/* The same with what was read of the sender (or NULL), and the text
 * line's time as @p form says. */
size_t watch_format_line_as(char *buf, size_t size, const struct seize_tracer_event *ev,
			    const struct timespec *when, bool json,
			    const struct watch_sender *sender, enum watch_time form);

/* A signal of -e signal=LIST: "TERM", "SIGTERM", "15" or "RTMIN+3"; 0 if
 * none is. */
int watch_signal_number(const char *name);

#endif
