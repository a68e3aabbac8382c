/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"

long tst_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tst_bound_ms(void)
{
	const char *mult = getenv("CK_TIMEOUT_MULTIPLIER");
	int m = mult ? atoi(mult) : 1;

	return 2000 * (m > 0 && m < 100 ? m : 1);
}

volatile sig_atomic_t tst_alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	tst_alarmed = 1;
}

void tst_arm(long ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval timer = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	if (ms <= 0)
		timer.it_value.tv_usec = 1;
	tst_alarmed = 0;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &timer, NULL), 0);
}

void tst_disarm(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
}

int tst_wait_child(pid_t pid, int options, int timeout_ms)
{
	int status = 0;
	pid_t ret;

	ck_assert_msg(pid > 0, "refusing to wait for pid %d", (int)pid);
	tst_arm(timeout_ms);
	ret = waitpid(pid, &status, options | __WALL);
	tst_disarm();
	ck_assert_msg(ret == pid, "%swaitpid(%d, 0x%x): %s", tst_context(), (int)pid,
		      (unsigned int)options,
		      ret < 0 && errno == EINTR ? "nothing within the bound" : strerror(errno));
	return status;
}

static const char *(*context_fn)(void);

void tst_set_context(const char *(*fn)(void))
{
	context_fn = fn;
}

const char *tst_context(void)
{
	return context_fn ? context_fn() : "";
}

void test_add_case(Suite *s, const char *name, const TTest *fn)
{
	test_add_long_case(s, name, fn, 0);
}

void test_add_long_case(Suite *s, const char *name, const TTest *fn, double seconds)
{
	TCase *tc = tcase_create(name);

	if (seconds > 0)
		tcase_set_timeout(tc, seconds);	/* CK_TIMEOUT_MULTIPLIER still applies */
	tcase_add_test(tc, fn);
	suite_add_tcase(s, tc);
}

void tst_kill(pid_t pid, int sig)
{
	ck_assert_msg(pid > 0, "refusing to signal pid %d", (int)pid);
	ck_assert_int_eq(kill(pid, sig), 0);
}

void tst_tgkill(pid_t tgid, pid_t tid, int sig)
{
	ck_assert_msg(tgid > 0 && tid > 0, "refusing to signal %d/%d", (int)tgid, (int)tid);
	ck_assert_int_eq(syscall(SYS_tgkill, tgid, tid, sig), 0);
}

pid_t tst_fork(void (*fn)(void *arg), void *arg)
{
	pid_t parent = getpid();
	int ready[2];
	pid_t pid;

	tst_pipe(ready);
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		sigset_t none;
		int sig;

		/* check's runner handles SIGTERM by signalling its whole process
		 * group; a tracee must start with default dispositions. */
		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(ready[0]);
		close(ready[1]);	/* EOF tells the parent the set-up is done */
		fn(arg);
		_exit(0);
	}
	close(ready[1]);
	{
		struct pollfd pfd = { .fd = ready[0], .events = POLLIN };
		char c;

		ck_assert_msg(poll(&pfd, 1, 5000) == 1 && read(ready[0], &c, 1) == 0,
			      "child %d did not start", (int)pid);
	}
	close(ready[0]);
	return pid;
}

void tst_signal_nop(int sig)
{
	(void)sig;
}

void tst_do_nothing(void *arg)
{
	(void)arg;
}

pid_t tst_vanished_pid(void)
{
	pid_t pid = tst_fork(tst_do_nothing, NULL);

	tst_wait_child(pid, 0, tst_bound_ms());
	return pid;
}

void tst_expect_no_children(const char *when)
{
	pid_t got;

	errno = 0;
	got = waitpid(-1, NULL, WNOHANG | __WALL);
	TST_CHECK(got == -1 && errno == ECHILD, "a child is left behind%s%s: waitpid(-1) gave %d (%s)",
		  when ? " " : "", when ? when : "", (int)got, strerror(errno));
}

static void pause_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

pid_t tst_fork_pauser(void)
{
	return tst_fork(pause_forever, NULL);
}

void tst_reap(pid_t pid)
{
	ck_assert_msg(pid > 0, "refusing to reap pid %d", (int)pid);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
}

char tst_proc_state(pid_t pid)
{
	char path[64], buf[512];
	char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

void tst_wait_state(pid_t pid, const char *states, int timeout_ms)
{
	long deadline = tst_now_ms() + timeout_ms;
	char state;

	/* Polling /proc is the only way to see another process's state; the
	 * interval is short and the whole wait bounded. */
	while ((state = tst_proc_state(pid)) == 0 || !strchr(states, state)) {
		ck_assert_msg(tst_now_ms() < deadline, "pid %d stayed in state '%c', wanted one of \"%s\"",
			      (int)pid, state ? state : '?', states);
		usleep(1000);
	}
}

int tst_wait_event(pid_t tid, struct seize_event *ev, int timeout_ms)
{
	struct seize_event twin;
	siginfo_t wsi;
	int ret;

	/* A blocking wait bounded by SIGALRM (no SA_RESTART: the wait returns
	 * -EINTR), so the test waits for the event itself, not for a poll. */
	tst_arm(timeout_ms);
	/* Peek first with waitid(WNOWAIT): every event a test sees is also
	 * checked to decode the same from waitid's siginfo as from the status. */
	memset(&wsi, 0, sizeof(wsi));
	ret = waitid(tid > 0 ? P_PID : P_ALL, tid > 0 ? (id_t)tid : 0, &wsi,
		     WEXITED | WSTOPPED | WNOWAIT | __WALL);
	ck_assert_msg(ret == 0 || errno != EINTR, "no event from %d within %d ms",
		      (int)tid, timeout_ms);
	ret = seize_wait(ret == 0 ? wsi.si_pid : tid, ev, 0);
	tst_disarm();
	ck_assert_msg(ret != -EINTR, "no event from %d within %d ms", (int)tid, timeout_ms);
	if (ret > 0) {
		ck_assert_int_eq(seize_decode_waitid(&wsi, ev->has_siginfo ? &ev->siginfo : NULL,
						     &twin), 0);
		twin.msg = ev->msg;
		ck_assert_msg(memcmp(&twin, ev, sizeof(twin)) == 0,
			      "waitid and waitpid disagree on status 0x%x (%s vs %s)", ev->status,
			      seize_event_name(&twin), seize_event_name(ev));
	}
	return ret;
}

void tst_close_from(int lowest)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lowest, ~0u, 0) == 0)
		return;
#endif
	for (int fd = lowest; fd < 1024; fd++)
		close(fd);
}

void tst_pipe(int fds[2])
{
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
}

void tst_close_pipe(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

void tst_expect_explanation(pid_t tid, int error, const char *want)
{
	char buf[256];
	int ret = seize_explain_attach(tid, error, buf, sizeof(buf));

	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(ret, (int)strlen(want));
}

char tst_read_byte(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	ck_assert_msg(poll(&pfd, 1, timeout_ms) == 1, "nothing to read within %d ms", timeout_ms);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	return c;
}

void tst_write_byte(int fd, char c)
{
	ck_assert_int_eq(write(fd, &c, 1), 1);
}

bool tst_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & (POLLIN | POLLHUP));
}

void tst_read_exact(int fd, void *buf, size_t size, int timeout_ms)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n;

		TST_CHECK(tst_readable(fd, timeout_ms), "no report within %d ms", timeout_ms);
		n = read(fd, (char *)buf + len, size - len);
		TST_CHECK(n > 0, "report cut short after %zu of %zu bytes", len, size);
		len += (size_t)n;
	}
}

void tst_write_or_die(int fd, const void *buf, size_t size)
{
	if (write(fd, buf, size) != (ssize_t)size)
		_exit(99);
}

int tst_read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

char tst_task_state(pid_t pid, pid_t tid)
{
	char path[96], buf[512];
	char *paren;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (tst_read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

long tst_task_status_field(pid_t pid, pid_t tid, const char *name)
{
	char path[96], buf[4096];
	size_t len = strlen(name);
	char *line;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	if (tst_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	for (line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, name, len) == 0 && line[len] == ':')
			return strtol(line + len + 1, NULL, 10);
	return -1;
}

long tst_tracer_pid(pid_t pid)
{
	return tst_task_status_field(pid, pid, "TracerPid");
}

unsigned long long tst_task_status_mask(pid_t pid, pid_t tid, const char *name)
{
	char path[96], buf[4096];
	size_t len = strlen(name);
	char *line;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	ck_assert_msg(tst_read_small(path, buf, sizeof(buf)) > 0, "%s: %s", path, strerror(errno));
	for (line = buf; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, name, len) == 0 && line[len] == ':')
			return strtoull(line + len + 1, NULL, 16);
	ck_abort_msg("%s has no %s", path, name);
	return 0;
}

void tst_wait_asleep_unblocked(pid_t pid, pid_t tid, int sig, int timeout_ms)
{
	long deadline = tst_now_ms() + timeout_ms;

	for (;;) {
		unsigned long long blocked = tst_task_status_mask(pid, tid, "SigBlk");
		char state = tst_task_state(pid, tid);

		if (state == 'S' && !(blocked & (1ull << (sig - 1))))
			return;
		ck_assert_msg(tst_now_ms() < deadline, "thread %d of %d not asleep with signal %d "
			      "unblocked (state %c)", (int)tid, (int)pid, sig, state ? state : '?');
		usleep(1000);
	}
}

bool tst_under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}
