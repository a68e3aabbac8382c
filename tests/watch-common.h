/* SPDX-License-Identifier: MIT */
/* What the seize-watch cases share (watch-common.c): seize-watch run with
 * its stdio piped to the test, its JSON lines checked against the contract
 * and counted, and the /proc waits that keep a signal from racing the
 * tracer. */
#ifndef SEIZE_WATCH_COMMON_H
#define SEIZE_WATCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "test-common-run.h"

#define BOUND_MS 5000

const char *watch_path(void);

struct tst_run *run_watch_in(const char *const *args, bool with_stdin);

struct tst_run *run_watch(const char *const *args);

/* seize-watch --json -p P, once it has said "attached" (into *o). */
struct tst_run *watch_json_pid(pid_t p, struct json_object *o);

/* Once seize-watch r has ended: it reported p detached, p is untraced and
 * running; then free r and reap p. */
void expect_let_go_running(struct tst_run *r, pid_t p);

bool next_line(struct tst_run *r, char *line, size_t size, int timeout_ms);

/* Wait for seize-watch to end; its exit code (it must exit, not be killed). */
int finish(struct tst_run *r);

/* Wait for seize-watch to end killed by a signal (as its command was): which. */
int finish_killed(struct tst_run *r);

int count_lines(const char *s);

void expect_one_error_line(struct tst_run *r);

/* Parse one output line and check it against the contract; fails the case
 * with the line if it breaks it. */
void parse_event(const char *line, struct json_object *o);

/* Read JSON lines until one for event (NULL: any) and pid (if > 0); fails
 * at EOF. */
void expect_event(struct tst_run *r, const char *event, pid_t pid, struct json_object *o);

int count_events(const struct tst_run *r, const char *event, pid_t pid, const char *signame,
		 pid_t sender);

/* The same, over the lines read so far by next_line(). */
int seen_events(const struct tst_run *r, const char *event, pid_t pid, const char *signame);

int tracer_pid_of(pid_t pid);

/* Wait (bounded /proc poll) until no SIGCONT is pending for the process, so
 * that the next SIGSTOP cannot discard it. */
void wait_sigcont_taken(pid_t pid);

void expect_stopped(pid_t pid);

void expect_continued(pid_t pid);

#endif
