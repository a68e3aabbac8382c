/* SPDX-License-Identifier: MIT */
/* Private to the library: never installed. */
#ifndef SEIZE_INTERNAL_H
#define SEIZE_INTERNAL_H

#include <seize/seize.h>
#include <sys/wait.h>

#define SEIZE_EXPORT __attribute__((visibility("default")))

/* The kernel's signal numbers run 1..64; glibc's SIGRTMAX is a function. */
#define SEIZE_KERNEL_NSIG 64

/* PTRACE_O_* bits that Linux defines (PTRACE_O_MASK in <sys/ptrace.h>). */
#define SEIZE_KNOWN_OPTIONS 0x003000ffu

/* sys.c: the only file that makes ptrace and wait system calls.  Each returns
 * the kernel's result or -errno, and leaves errno as it found it. */
long seize_sys_ptrace(int request, pid_t tid, void *addr, void *data);
int seize_sys_waitpid(pid_t tid, int *status, int options);

int seize_sys_waitid(idtype_t idtype, id_t id, siginfo_t *si, int options);
void seize_sys_reap(pid_t pid);

/* tidmap.c: tid -> pointer in O(1).  Zero-initialise; keys are > 0. */
struct seize_tidmap_slot {
	pid_t key;	/* 0 empty, -1 deleted */
	void *value;
};
struct seize_tidmap {
	struct seize_tidmap_slot *slots;
	size_t capacity, used, tombstones;
};
int seize_tidmap_put(struct seize_tidmap *map, pid_t key, void *value);
void *seize_tidmap_get(const struct seize_tidmap *map, pid_t key);
void seize_tidmap_del(struct seize_tidmap *map, pid_t key);
/* Empties the map, keeping its memory. */
void seize_tidmap_clear(struct seize_tidmap *map);
void seize_tidmap_free(struct seize_tidmap *map);

/* procfs.c: the few /proc facts the tracer needs. */
/* A field of /proc/TID/status ("Tgid", "PPid", "TracerPid"), or -errno. */
long seize_proc_status_field(pid_t tid, const char *field);
/* The state letter of thread tid of process pid ('R', 'S', 'Z' ...), 0 if gone. */
char seize_proc_task_state(pid_t pid, pid_t tid);

/* decode.c */
bool seize_is_stop_signal(int sig);

#endif
