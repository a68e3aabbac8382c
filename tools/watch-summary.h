/* SPDX-License-Identifier: MIT */
/* seize-watch -c / -C: the whole story of each watched process, told at the
 * end: the signals it received by sender, its stops and continues, and how
 * it ended and who ended it.  No I/O: seize-watch feeds events in and
 * writes the lines out. */
#ifndef SEIZE_WATCH_SUMMARY_H
#define SEIZE_WATCH_SUMMARY_H

#include <stddef.h>
#include <time.h>

#include <seize/tracer.h>

#include "watch-format.h"

struct watch_summary;

struct watch_summary *watch_summary_new(void);
void watch_summary_free(struct watch_summary *s);

/* Take one event seen at @p when: @p sender as read for a SIGNAL (or
 * NULL), @p comm the process's command name where known (or NULL).
 * Returns 0, or -ENOMEM (the summary then lacks that event). */
int watch_summary_note(struct watch_summary *s, const struct seize_tracer_event *ev,
		       const struct watch_sender *sender, const char *comm,
		       const struct timespec *when);

/* How many processes it tells of, in the order they were first seen. */
size_t watch_summary_processes(const struct watch_summary *s);

/* Process @p i's lines, each ending in a newline, into @p buf (cut to
 * @p size, always NUL-terminated); @p now ends a story still running.
 * Returns the whole length, as snprintf does:
 *
 *	4242 (sleep): killed by SIGTERM from pid 100 (bash) after 2 min 03 s
 *	  signals: SIGTSTP 1 from pid 100 (bash), SIGTERM 1 from pid 100 (bash)
 *	  stopped 1 time, continued 1 time
 */
size_t watch_summary_format(const struct watch_summary *s, size_t i, const struct timespec *now,
			    char *buf, size_t size);

#endif
