/* SPDX-License-Identifier: MIT */
/* Records: the thread pool, processes and threads, and their lookups.  No
 * system calls, no events. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracer-int.h"

static struct thread *thread_get(struct seize_tracer *t)
{
	struct thread *th;

	if (!t->free_threads) {
		struct thread_chunk *chunk = calloc(1, sizeof(*chunk));
		size_t i;

		if (!chunk)
			return NULL;
		chunk->next = t->chunks;
		t->chunks = chunk;
		for (i = 0; i < sizeof(chunk->threads) / sizeof(chunk->threads[0]); i++) {
			chunk->threads[i].next = t->free_threads;
			t->free_threads = &chunk->threads[i];
		}
	}
	th = t->free_threads;
	t->free_threads = th->next;
	memset(th, 0, sizeof(*th));
	return th;
}

struct thread *tracer_thread_add(struct seize_tracer *t, struct proc *p, pid_t tid)
{
	struct thread *th = thread_get(t);

	if (!th)
		return NULL;
	if (tidmap_put(&t->threads, tid, th) < 0) {
		th->next = t->free_threads;
		t->free_threads = th;
		return NULL;
	}
	th->tid = tid;
	th->proc = p;
	th->syscall_nr = -1;
	th->next = p->threads;
	p->threads = th;
	p->nthreads++;
	t->nthreads++;
	return th;
}

void tracer_thread_remove(struct seize_tracer *t, struct thread *th)
{
	struct thread **link;

	for (link = &th->proc->threads; *link; link = &(*link)->next) {
		if (*link == th) {
			*link = th->next;
			break;
		}
	}
	th->proc->nthreads--;
	t->nthreads--;
	tidmap_del(&t->threads, th->tid);
	th->next = t->free_threads;
	t->free_threads = th;
}

struct proc *tracer_proc_add(struct seize_tracer *t, pid_t pid, pid_t parent)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (tidmap_put(&t->procs_by_pid, pid, p) < 0) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	p->parent = parent;
	/* A process found stopped at attach reports that stop. */
	p->stop_armed = true;
	p->next = t->procs;
	t->procs = p;
	t->nprocs++;
	return p;
}

void tracer_proc_remove(struct seize_tracer *t, struct proc *p)
{
	struct proc **link;

	while (p->threads)
		tracer_thread_remove(t, p->threads);
	for (link = &t->procs; *link; link = &(*link)->next) {
		if (*link == p) {
			*link = p->next;
			break;
		}
	}
	t->nprocs--;
	tidmap_del(&t->procs_by_pid, p->pid);
	free(p);
	/* No tracee left, so no creator event to come. */
	if (!t->nprocs)
		tidmap_clear(&t->dead_unannounced);
}

struct thread *tracer_new_process_record(struct seize_tracer *t, pid_t pid, pid_t tid,
					 pid_t parent)
{
	struct proc *p = tracer_proc_add(t, pid, parent), *parent_p;
	struct thread *th;

	if (!p)
		return NULL;
	th = tracer_thread_add(t, p, tid);
	if (!th) {
		tracer_proc_remove(t, p);
		return NULL;
	}
	p->unfollowed = !(t->cfg.flags & SEIZE_TRACER_FOLLOW_CHILDREN);
	/* A filtered process's children inherit its filter, and without a
	 * tracer its traced calls would fail with ENOSYS: they are followed. */
	parent_p = tracer_proc_find(t, parent);
	if (parent_p && parent_p->filtered) {
		p->unfollowed = false;
		p->filtered = true;
		p->syscalls = parent_p->syscalls;
		memcpy(p->syscall_set, parent_p->syscall_set, sizeof(p->syscall_set));
	}
	return th;
}

/* Any non-NULL value marks a tid in dead_unannounced. */
static char dead_marker;

void tracer_note_dead_unannounced(struct seize_tracer *t, pid_t tid)
{
	/* Out of memory: the creator's event is then taken at its word, as
	 * before this set existed; nothing is left stopped either way. */
	(void)tidmap_put(&t->dead_unannounced, tid, &dead_marker);
}

struct proc *tracer_proc_find(struct seize_tracer *t, pid_t pid)
{
	return tidmap_get(&t->procs_by_pid, pid);
}

void tracer_free_records(struct seize_tracer *t)
{
	struct thread_chunk *chunk;

	while (t->procs)
		tracer_proc_remove(t, t->procs);
	free(t->spawn_filter);
	tidmap_free(&t->threads);
	tidmap_free(&t->procs_by_pid);
	tidmap_free(&t->dead_unannounced);
	while ((chunk = t->chunks)) {
		t->chunks = chunk->next;
		free(chunk);
	}
	free(t);
}
