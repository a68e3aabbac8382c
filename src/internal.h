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
long sys_ptrace(int request, pid_t tid, void *addr, void *data);
/* PTRACE_PEEKDATA with the word apart from the result: 0 or -errno. */
int sys_peekdata(pid_t tid, uint64_t addr, unsigned long *word);
int sys_waitpid(pid_t tid, int *status, int options);

int sys_waitid(idtype_t idtype, id_t id, siginfo_t *si, int options);
void sys_reap(pid_t pid);
/* The memory transfers of inspect.c, in the same style (O_CLOEXEC added). */
ssize_t sys_process_vm_readv(pid_t pid, void *buf, size_t len, uint64_t addr);
int sys_open(const char *path, int flags);
void sys_close(int fd);
ssize_t sys_pio(int fd, void *buf, size_t len, uint64_t off, bool write);

/* tidmap.c: tid -> pointer in O(1).  Zero-initialise; keys are > 0. */
struct tidmap_slot {
	pid_t key;	/* 0 empty, -1 deleted */
	void *value;
};
struct tidmap {
	struct tidmap_slot *slots;
	size_t capacity, used, tombstones;
};
int tidmap_put(struct tidmap *map, pid_t key, void *value);
void *tidmap_get(const struct tidmap *map, pid_t key);
void tidmap_del(struct tidmap *map, pid_t key);
/* Empties the map, keeping its memory. */
void tidmap_clear(struct tidmap *map);
void tidmap_free(struct tidmap *map);

/* procfs.c: the one /proc reader.  Each call leaves errno alone. */
/* A small file read whole and NUL-terminated: its length, or -errno. */
int procfs_read(const char *path, char *buf, size_t size);
/* The value of "Name:" in a status text (blanks skipped), or NULL. */
const char *procfs_field(const char *text, const char *name);
long procfs_field_long(const char *text, const char *name, long dflt);
/* A number field of /proc/TID/status ("Tgid", "PPid", "TracerPid"):
 * -ESRCH if the thread is gone, -ENOENT if there is no such field. */
long procfs_status_field(pid_t tid, const char *name);
/* Field n (1-based, n >= 3) of a /proc stat text, or NULL. */
const char *procfs_stat_field(const char *text, int n);
/* The state letter of thread tid of process pid ('R', 'S', 'Z' ...), 0 if gone. */
char procfs_task_state(pid_t pid, pid_t tid);
/* /proc/TID/stat's flags (PF_*), 0 if gone. */
unsigned long procfs_stat_flags(pid_t tid);
/* Our own settings, as the kernel shows them. */
struct procfs_self {
	int yama;		/* -1 without Yama */
	bool seccomp_filtered;
	bool cap_sys_ptrace;
};
void procfs_read_self(struct procfs_self *self);

/* requests.c: a stop seen by waitid(WNOWAIT), decoded as seize_wait() would
 * (siginfo, event message) without consuming it; -EINVAL if it is none. */
int requests_decode_peeked(const siginfo_t *si, struct seize_event *ev);

/* names.c: "EPERM" (symbolic) or "Operation not permitted" for the errnos
 * that ptrace and wait give, NULL for others. */
const char *names_errno(int err, bool symbolic);

/* decode.c */
bool decode_is_stop_signal(int sig);

#endif
