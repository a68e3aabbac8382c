/* SPDX-License-Identifier: MIT */
/* seize-watch's output: event names, signal names, and the two line formats
 * (human and JSON).  Pure: no I/O, no globals, no allocation. */
#ifndef SEIZE_WATCH_FORMAT_H
#define SEIZE_WATCH_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <seize/tracer.h>

/* A line never gets near this: the longest is a signal event in JSON
 * (about 150 bytes).  Longer output is cut, still ending in a newline. */
#define WATCH_LINE_MAX 512

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

/* One output line for @p ev, seen at @p when (CLOCK_REALTIME), ending in a
 * newline, into @p buf of @p size bytes (WATCH_LINE_MAX is enough).  Returns
 * the length written. */
size_t watch_format_line(char *buf, size_t size, const struct seize_tracer_event *ev,
			 const struct timespec *when, bool json);

#endif
