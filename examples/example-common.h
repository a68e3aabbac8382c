/* SPDX-License-Identifier: MIT */
/* Helpers shared by the seed examples: the programs of the PTRACE_SEIZE,
 * TRAP_NOTIFY and PTRACE_LISTEN patch mails, rewritten on libseize.
 *
 * The mails ordered their output by sleeping (1 s steps).  Here every line
 * is ordered by an event instead: a process that must wait for another's
 * line waits for a one-byte token on a pipe, written after that line.  The
 * sleeps stay only to keep the mails' rhythm, and -p shortens them.
 *
 * Every wait is bounded, every error prints one line to stderr and exits 1
 * after killing and reaping what this process started, and every child dies
 * with its parent (PR_SET_PDEATHSIG) unless it is asked not to. */
#ifndef SEIZE_EXAMPLE_COMMON_H
#define SEIZE_EXAMPLE_COMMON_H

#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include <seize/seize.h>

/* Parse the options (-p MS, --pace-ms=MS, -h), ignore SIGPIPE (a closed
 * pipe becomes an error line, not a silent death) and arrange that SIGINT,
 * SIGTERM and SIGHUP kill and reap what we started before we die. */
void ex_init(int argc, char **argv);

/* One step of the mails' rhythm (1000 ms by default), their initial delay
 * (a tenth of a step: 100 ms), and the bound on any one wait. */
unsigned int ex_step_ms(void);
unsigned int ex_initial_ms(void);
int ex_timeout_ms(void);
void ex_sleep_ms(unsigned int ms);

/* Print one line on stdout with a single write(2): no stdio buffer, so the
 * order in which lines reach a pipe is the order in which they were said,
 * across processes too.  The newline is added. */
void ex_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "PROGRAM: message" on stderr, kill and reap every process this one
 * started, and exit 1. */
noreturn void ex_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* kill(2), but never to pid <= 0 (as root that would reach a process group or
 * every process): that is refused with an error line and exit 1, before any
 * system call.  Any other failure is fatal too. */
void safe_kill(pid_t pid, int sig);

/* fork(2), checked.  The child forgets its parent's list of processes to
 * clean up and, unless @death_sig is 0, gets @death_sig when its parent dies
 * (PR_SET_PDEATHSIG, checked against a parent that died before the prctl).
 * SIGKILL for most; SIGTERM for a child that must first kill its own
 * children (the handler of ex_init() does). */
pid_t ex_fork(int death_sig);
/* The same backstop (SIGKILL) armed later, once the caller's parent is
 * @parent. */
void ex_die_with_parent(pid_t parent);

/* Processes to kill and reap on error, in the order they were started.  A
 * grandchild may be listed: it is handled once it has become our child
 * (PR_SET_CHILD_SUBREAPER), never while it belongs to another parent. */
void ex_track(pid_t pid);

/* Sync pipes: close-on-exec pipe(2), one-byte tokens, and a pid. */
void ex_pipe(int fds[2]);
void ex_close(int fd);
void ex_put(int fd, unsigned char token);
/* Read one token from @what (the writer, e.g. "the tracer"); fails on EOF
 * (the writer died), error or timeout. */
unsigned char ex_get(int fd, const char *what);
void ex_put_pid(int fd, pid_t pid);
pid_t ex_get_pid(int fd, const char *what);

/* waitpid(pid, options | __WALL) with the time bound; fails on timeout or
 * error.  Returns the status. */
int ex_waitpid(pid_t pid, int options, const char *what);
/* ex_waitpid(), then fail unless @pid exited with status 0. */
void ex_wait_success(pid_t pid, const char *what);
/* ex_waitpid(), then fail unless @pid was killed by @sig. */
void ex_wait_killed(pid_t pid, int sig, const char *what);

/* seize_wait() with the time bound; fails on timeout or error. */
void ex_wait_event(pid_t tid, struct seize_event *ev);

/* Poll /proc/PID/stat (the only way to see a process's state) until its
 * state letter is one of @states; fails after the time bound.  Returns the
 * letter; ex_state_name() says what it means ("stopped", "sleeping"...). */
char ex_await_state(pid_t pid, const char *states, const char *what);
const char *ex_state_name(char state);

#endif
