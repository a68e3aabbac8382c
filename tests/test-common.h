/* SPDX-License-Identifier: MIT */
/* Shared by every test binary: the runner (test-main.c) with its registry,
 * and the helpers that fork, signal, bound and observe (test-common.c).
 * The factories above it: test-common-tracee.h (targets, the mother, a
 * remote tracer, /proc views of threads), test-common-recorder.h (the
 * tracer's event log and the dispatch loops) and test-common-run.h (a
 * program with piped stdio, a JSON reader). */
#ifndef SEIZE_TEST_COMMON_H
#define SEIZE_TEST_COMMON_H

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include <seize/seize.h>

/* A test file registers its cases in a block:
 *
 *	TEST_SUITE(tracer, true)	// check suite "tracer"; true: needs ptrace
 *	{
 *		ADD_CASE(s, attach_running_16_threads);
 *	}
 *
 * test-main.c runs every block linked into the binary, so one binary is
 * built from several files; blocks of the same name add to one check suite,
 * and a binary skips with 77 where ptrace is refused if any block needs it
 * (on CI it fails instead). */
struct test_suite_entry {
	const char *name;
	bool needs_ptrace;
	void (*add_cases)(Suite *s);
};

#define TEST_SUITE_CAT_(a, b) a##b
#define TEST_SUITE_CAT(a, b) TEST_SUITE_CAT_(a, b)
#define TEST_SUITE(name_, needs_ptrace_)						\
	static void TEST_SUITE_CAT(test_cases_, __LINE__)(Suite *s);			\
	static const struct test_suite_entry TEST_SUITE_CAT(test_entry_, __LINE__) =	\
		{ #name_, (needs_ptrace_), TEST_SUITE_CAT(test_cases_, __LINE__) };	\
	static const struct test_suite_entry *const TEST_SUITE_CAT(test_ref_, __LINE__)	\
		__attribute__((section("seize_test_suites"), used)) =			\
		&TEST_SUITE_CAT(test_entry_, __LINE__);					\
	static void TEST_SUITE_CAT(test_cases_, __LINE__)(Suite *s)


/* Add a test case of its own (so CK_RUN_CASE=name works) with a time bound. */
#define ADD_CASE(suite, fn) test_add_case((suite), #fn, (fn))
void test_add_case(Suite *s, const char *name, const TTest *fn);
/* The same, for a case that needs longer than CK_DEFAULT_TIMEOUT. */
#define ADD_LONG_CASE(suite, fn, seconds) test_add_long_case((suite), #fn, (fn), (seconds))
void test_add_long_case(Suite *s, const char *name, const TTest *fn, double seconds);

/* ---- time bounds -------------------------------------------------------- */

/* CLOCK_MONOTONIC in milliseconds. */
long tst_now_ms(void);

/* The bound of a wait in the tracer and stress binaries: 2 s, scaled like
 * check's own timeout under valgrind (CK_TIMEOUT_MULTIPLIER). */
int tst_bound_ms(void);

/* The one alarm-bounded wait: tst_arm(ms) sends a SIGALRM after ms
 * (at once if ms <= 0) without SA_RESTART, so a blocking call returns
 * EINTR; tst_alarmed says it came.  tst_disarm() stops the timer. */
extern volatile sig_atomic_t tst_alarmed;
void tst_arm(long ms);
void tst_disarm(void);

/* waitpid(pid, options | __WALL) bounded by timeout_ms: fails the test
 * unless pid reports; its status. */
int tst_wait_child(pid_t pid, int options, int timeout_ms);

/* A prefix for failure messages (a stress case names its seed, round and
 * step); "" unless a binary sets one.  TST_CHECK is ck_assert_msg with it. */
void tst_set_context(const char *(*fn)(void));
const char *tst_context(void);
#define TST_CHECK(cond, fmt, ...) \
	ck_assert_msg((cond), "%s" fmt, tst_context(), ##__VA_ARGS__)

/* The one way tests send signals: fails the test on a pid <= 0, which as
 * root would reach a whole process group or every process. */
void tst_kill(pid_t pid, int sig);
void tst_tgkill(pid_t tgid, pid_t tid, int sig);

/* Fork a child that dies with the test (PR_SET_PDEATHSIG) and runs fn(arg),
 * then _exit(0).  Fails the test if fork fails. */
pid_t tst_fork(void (*fn)(void *arg), void *arg);

/* A signal handler that does nothing (so the signal interrupts, not kills). */
void tst_signal_nop(int sig);

/* A tst_fork() body that does nothing: the child exits 0 at once. */
void tst_do_nothing(void *arg);

/* A pid that names nothing now: a child of ours that has exited and been
 * reaped (the kernel hands the pid out again only after a wrap). */
pid_t tst_vanished_pid(void);

/* No child of the test is left, reaped or not; @p when (or NULL) says at
 * which point, for the message. */
void tst_expect_no_children(const char *when);

/* A child that loops in pause() until killed. */
pid_t tst_fork_pauser(void);

/* Kill with SIGKILL and reap a child of ours; tolerates one already gone. */
void tst_reap(pid_t pid);

/* /proc/PID/stat's state letter ('R', 'S', 'T', 't', 'Z'...), or 0 if gone. */
char tst_proc_state(pid_t pid);

/* Poll /proc until pid's state is one of `states` (e.g. "T" or "RS"); fails
 * the test after timeout_ms. */
void tst_wait_state(pid_t pid, const char *states, int timeout_ms);

/* seize_wait() for tid with a time bound: fails the test if nothing comes. */
int tst_wait_event(pid_t tid, struct seize_event *ev, int timeout_ms);

/* /proc readers: a small file whole (its length, or -1), a thread's state
 * letter (0 if gone), a field of its status file (-1 if absent), and the
 * TracerPid of a process (-1 if gone). */
int tst_read_small(const char *path, char *buf, size_t size);
char tst_task_state(pid_t pid, pid_t tid);
long tst_task_status_field(pid_t pid, pid_t tid, const char *name);
long tst_tracer_pid(pid_t pid);
/* A hexadecimal field of a thread's status file (a signal mask: "SigBlk");
 * fails the test if the thread or the field is not there. */
unsigned long long tst_task_status_mask(pid_t pid, pid_t tid, const char *name);

/* Poll /proc until thread tid of pid sleeps ('S') with sig unblocked, so
 * that a signal sent now is delivered where the last one left it (and, under
 * valgrind, is not collected by its sigtimedwait()); fails after timeout_ms. */
void tst_wait_asleep_unblocked(pid_t pid, pid_t tid, int sig, int timeout_ms);

/* Whether this test (and the tracees it forks) runs under valgrind.  There
 * the tracees' threads keep signals blocked and valgrind takes them with
 * sigtimedwait(), which makes no signal-delivery-stop: a tracer may never
 * see such a signal. */
bool tst_under_valgrind(void);

/* Close every descriptor from lowest up (in a child, before an exec). */
void tst_close_from(int lowest);

/* A pipe whose ends are set close-on-exec; fails the test on error. */
void tst_pipe(int fds[2]);
/* Close both ends. */
void tst_close_pipe(int fds[2]);

/* seize_explain_attach(tid, error) must give the sentence want, its length. */
void tst_expect_explanation(pid_t tid, int error, const char *want);
/* Read one byte with a time bound; fails the test on timeout or EOF. */
char tst_read_byte(int fd, int timeout_ms);
void tst_write_byte(int fd, char c);
/* Whether fd is readable (or at EOF) within timeout_ms. */
bool tst_readable(int fd, int timeout_ms);
/* Read exactly size bytes, each within timeout_ms; fails the test if not. */
void tst_read_exact(int fd, void *buf, size_t size, int timeout_ms);
/* In a child, where no ck_assert may run: write all or _exit(99). */
void tst_write_or_die(int fd, const void *buf, size_t size);

#endif
