/* SPDX-License-Identifier: MIT */
/* Private to the library: never installed. */
#ifndef SEIZE_INTERNAL_H
#define SEIZE_INTERNAL_H

#include <seize/seize.h>

#define SEIZE_EXPORT __attribute__((visibility("default")))

/* The kernel's signal numbers run 1..64; glibc's SIGRTMAX is a function. */
#define SEIZE_KERNEL_NSIG 64

/* PTRACE_O_* bits that Linux defines (PTRACE_O_MASK in <sys/ptrace.h>). */
#define SEIZE_KNOWN_OPTIONS 0x003000ffu

/* sys.c: the only file that makes ptrace and wait system calls.  Each returns
 * the kernel's result or -errno, and leaves errno as it found it. */
long seize_sys_ptrace(int request, pid_t tid, void *addr, void *data);
int seize_sys_waitpid(pid_t tid, int *status, int options);

/* decode.c */
bool seize_is_stop_signal(int sig);

#endif
