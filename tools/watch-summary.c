/* SPDX-License-Identifier: MIT */
/* The summary of seize-watch -c / -C: per process, events in, lines out. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch-summary.h"

#define MAX_SIG 64

struct who {
	bool known;		/* a process sent it (else the kernel did) */
	bool gone;
	pid_t pid;
	char comm[32];
};

struct received {
	int sig;
	struct who from;
	unsigned long count;
};

enum end { STILL_RUNNING, EXITED, KILLED, LET_GO };

struct story {
	pid_t pid;
	char comm[32];
	struct timespec first, last;
	unsigned long stops, continues;
	struct received *received;
	size_t nreceived, cap;
	struct who last_from[MAX_SIG + 1];	/* the last sender of each signal */
	enum end end;
	int end_value;		/* EXITED: the code; KILLED: the signal */
	bool core_dumped;
};

struct watch_summary {
	struct story *stories;
	size_t n, cap;
};

struct watch_summary *watch_summary_new(void)
{
	return calloc(1, sizeof(struct watch_summary));
}

void watch_summary_free(struct watch_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->stories[i].received);
	free(s->stories);
	free(s);
}

size_t watch_summary_processes(const struct watch_summary *s)
{
	return s->n;
}

/* The story of pid, begun now if it is new; NULL if out of memory. */
static struct story *story_of(struct watch_summary *s, pid_t pid, const struct timespec *when)
{
	struct story *st;

	/* The newest first: a pid is told of again once its story has ended. */
	for (size_t i = s->n; i-- > 0;)
		if (s->stories[i].pid == pid && s->stories[i].end == STILL_RUNNING)
			return &s->stories[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct story *more = realloc(s->stories, cap * sizeof(*more));

		if (!more)
			return NULL;
		s->stories = more;
		s->cap = cap;
	}
	st = &s->stories[s->n++];
	memset(st, 0, sizeof(*st));
	st->pid = pid;
	st->first = *when;
	return st;
}

static bool same_sender(const struct who *a, const struct who *b)
{
	return a->known == b->known && (!a->known || a->pid == b->pid);
}

static int count_signal(struct story *st, int sig, const struct who *from)
{
	struct received *r;

	for (size_t i = 0; i < st->nreceived; i++)
		if (st->received[i].sig == sig && same_sender(&st->received[i].from, from)) {
			st->received[i].count++;
			return 0;
		}
	if (st->nreceived == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 4;
		struct received *more = realloc(st->received, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		st->received = more;
		st->cap = cap;
	}
	r = &st->received[st->nreceived++];
	r->sig = sig;
	r->from = *from;
	r->count = 1;
	return 0;
}

int watch_summary_note(struct watch_summary *s, const struct seize_tracer_event *ev,
		       const struct watch_sender *sender, const char *comm,
		       const struct timespec *when)
{
	struct story *st = story_of(s, ev->pid, when);
	struct who from = { 0 };

	if (!st)
		return -ENOMEM;
	st->last = *when;
	if (comm && *comm)
		snprintf(st->comm, sizeof(st->comm), "%s", comm);
	switch (ev->type) {
	case SEIZE_TRACER_SIGNAL:
		if (ev->sig < 1 || ev->sig > MAX_SIG)
			return 0;
		if (ev->has_sender) {
			from.known = true;
			from.pid = ev->sender_pid;
			if (sender && sender->looked) {
				from.gone = sender->gone;
				snprintf(from.comm, sizeof(from.comm), "%s", sender->comm);
			}
		}
		st->last_from[ev->sig] = from;
		return count_signal(st, ev->sig, &from);
	case SEIZE_TRACER_GROUP_STOP:
		st->stops++;
		return 0;
	case SEIZE_TRACER_CONTINUED:
		st->continues++;
		return 0;
	case SEIZE_TRACER_EXITED:
		st->end = EXITED;
		st->end_value = ev->exit_code;
		return 0;
	case SEIZE_TRACER_KILLED:
		st->end = KILLED;
		st->end_value = ev->sig;
		st->core_dumped = ev->core_dumped;
		if (sender && sender->pid > 0 && ev->sig >= 1 && ev->sig <= MAX_SIG) {
			/* A SIGKILL's sender, from the kernel's tracing. */
			st->last_from[ev->sig] = (struct who){ .known = true, .pid = sender->pid };
			snprintf(st->last_from[ev->sig].comm, sizeof(st->last_from[0].comm), "%s",
				 sender->comm);
		}
		return 0;
	case SEIZE_TRACER_DETACHED:
		st->end = LET_GO;
		return 0;
	default:
		return 0;
	}
}

struct text {
	char *buf;
	size_t size, len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->len < t->size ? t->buf + t->len : NULL,
		      t->len < t->size ? t->size - t->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

static void add_who(struct text *t, const struct who *w)
{
	if (!w->known)
		add(t, " from the kernel");
	else if (w->pid == 0)
		add(t, " from outside the pid namespace");
	else if (w->gone)
		add(t, " from pid %d (exited)", (int)w->pid);
	else if (w->comm[0])
		add(t, " from pid %d (%s)", (int)w->pid, w->comm);
	else
		add(t, " from pid %d", (int)w->pid);
}

/* "2.1 s", "5 min 03 s", "3 h 02 min" */
static void add_duration(struct text *t, const struct timespec *from, const struct timespec *to)
{
	long long ms = (long long)(to->tv_sec - from->tv_sec) * 1000 +
		       (to->tv_nsec - from->tv_nsec) / 1000000;

	if (ms < 0)
		ms = 0;
	if (ms < 60000)
		add(t, "%lld.%lld s", ms / 1000, ms % 1000 / 100);
	else if (ms < 3600000)
		add(t, "%lld min %02lld s", ms / 60000, ms % 60000 / 1000);
	else
		add(t, "%lld h %02lld min", ms / 3600000, ms % 3600000 / 60000);
}

size_t watch_summary_format(const struct watch_summary *s, size_t i, const struct timespec *now,
			    char *buf, size_t size)
{
	const struct story *st = &s->stories[i];
	struct text t = { buf, size, 0 };
	char name[32];

	if (size)
		buf[0] = '\0';
	add(&t, "%d (%s): ", (int)st->pid, st->comm[0] ? st->comm : "?");
	switch (st->end) {
	case EXITED:
		add(&t, "exited %d", st->end_value);
		break;
	case KILLED:
		add(&t, "killed by %s", watch_signal_name(st->end_value, name, sizeof(name)));
		if (st->end_value <= MAX_SIG && st->last_from[st->end_value].known)
			add_who(&t, &st->last_from[st->end_value]);
		else if (st->end_value == SIGKILL)
			add(&t, " (sender unknown: SIGKILL carries none)");
		if (st->core_dumped)
			add(&t, ", core dumped");
		break;
	case LET_GO:
		add(&t, "let go, as found,");
		break;
	case STILL_RUNNING:
		add(&t, "still running");
		break;
	}
	add(&t, " after ");
	add_duration(&t, &st->first, st->end == STILL_RUNNING ? now : &st->last);
	add(&t, "\n");
	if (st->nreceived) {
		add(&t, "  signals:");
		for (size_t k = 0; k < st->nreceived; k++) {
			const struct received *r = &st->received[k];

			add(&t, "%s %s %lu", k ? "," : "", watch_signal_name(r->sig, name, sizeof(name)),
			    r->count);
			add_who(&t, &r->from);
		}
		add(&t, "\n");
	}
	if (st->stops || st->continues)
		add(&t, "  stopped %lu time%s, continued %lu time%s\n", st->stops,
		    st->stops == 1 ? "" : "s", st->continues, st->continues == 1 ? "" : "s");
	return t.len;
}
