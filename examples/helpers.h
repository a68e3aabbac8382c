/* SPDX-License-Identifier: MIT */
/* What every example needs and none of them teaches: one-line output, fatal
 * errors, token pipes between processes, and the patch mails' rhythm. */
#ifndef SEIZE_EXAMPLE_HELPERS_H
#define SEIZE_EXAMPLE_HELPERS_H

#include <err.h>
#include <sys/types.h>

/* Print one line on stdout with a single write(2), so that lines from
 * several processes reach a pipe whole and in the order they were said. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PROGRAM: message" on stderr and exit 1. */
#define die(...) errx(1, __VA_ARGS__)

/* The mails' rhythm: one step is 1000 ms, or MS with -p MS (0 included);
 * the output is the same at any pace.  nap() sleeps MS, nap(pace_ms) a step. */
extern unsigned int pace_ms;
void use_pace(int argc, char **argv);
void nap(unsigned int ms);

/* fork(2), checked; unless @death_sig is 0 the child gets it when its
 * parent dies (PR_SET_PDEATHSIG). */
pid_t fork_child(int death_sig);
/* kill(2), checked, and never to pid <= 0 (a group, or every process). */
void kill_pid(pid_t pid, int sig);

/* Token pipes: close-on-exec; put() writes one int, get() reads one and
 * dies on EOF (every writer gone).  Ordering comes from these, not sleeps. */
void tokens(int fds[2]);
void put(int fd, int token);
int get(int fd);

/* /proc/PID/status's State, e.g. "S (sleeping)" ("" if gone). */
const char *proc_state(pid_t pid);

#endif
