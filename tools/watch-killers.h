/* SPDX-License-Identifier: MIT */
/* Who sent a SIGKILL: no ptrace stop shows it (the kernel keeps no siginfo
 * for it), but its signal_generate trace event does.  A helper thread of
 * seize-watch's own, in a mount namespace of its own (so no mount is left
 * behind), mounts the tracing file system, makes an instance of its own
 * that records only SIGKILLs (filtered in the kernel), and passes each
 * record up a pipe; it removes the instance when seize-watch ends (or, if
 * seize-watch is killed with SIGKILL, the next seize-watch to start does). */
#ifndef SEIZE_WATCH_KILLERS_H
#define SEIZE_WATCH_KILLERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define WATCH_KILLERS_KEPT 256

struct watch_killers {
	bool running;
	pthread_t helper;
	int fd;			/* the helper's records, non-blocking */
	int write_end, stop, stop_read;	/* the helper's ends; ours to stop it */
	char buf[4096];
	size_t len;
	struct {
		pid_t target, sender;
		char comm[16];
	} kept[WATCH_KILLERS_KEPT];	/* the latest records, a ring */
	unsigned int next;
};

/* Start the helper and wait until it records.  0, or -errno with a
 * sentence in @p why (not root, no tracing file system, ...). */
int watch_killers_start(struct watch_killers *k, char *why, size_t size);

/* The sender of the SIGKILL that @p target died of, waiting up to
 * @p wait_ms for its record: true with *sender and @p comm set. */
bool watch_killers_find(struct watch_killers *k, pid_t target, int wait_ms, pid_t *sender,
			char comm[16]);

/* Stop the helper (it removes its instance) and join it. */
void watch_killers_stop(struct watch_killers *k);

/* One trace_pipe line: whether it is a SIGKILL's signal_generate record,
 * with its target, sender and the sender's command name.  Pure. */
bool watch_killers_parse(const char *line, pid_t *target, pid_t *sender, char comm[16]);

#endif
