/* SPDX-License-Identifier: MIT */
/* seize_probe() and seize_explain_attach() against the running kernel.  Each
 * refusal is made for real where we can make it (a seccomp filter, a dropped
 * capability, a foreign uid, a busy tracee) in a child of the test, which
 * reports through a pipe, so the test process itself is never restricted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-common.h"

#define ALL_FEATURES (SEIZE_FEATURE_SEIZE | SEIZE_FEATURE_INTERRUPT | SEIZE_FEATURE_LISTEN | \
		      SEIZE_FEATURE_EXITKILL | SEIZE_FEATURE_SYSCALL_INFO)
#define TIMEOUT_MS 10000
#define NOBODY 65534
#define PF_KTHREAD 0x00200000ul

/* Read exactly size bytes, each wait bounded; fails the test on EOF. */
static void read_all(int fd, void *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ck_assert_msg(poll(&pfd, 1, TIMEOUT_MS) == 1, "no report within %d ms", TIMEOUT_MS);
		n = read(fd, (char *)buf + len, size - len);
		ck_assert_msg(n > 0, "report cut short after %zu of %zu bytes", len, size);
		len += (size_t)n;
	}
}

static void write_all(int fd, const void *buf, size_t size)
{
	if (write(fd, buf, size) != (ssize_t)size)
		_exit(2);
}

/* ---- the probe where ptrace works ---------------------------------------- */

START_TEST(test_probe_features)
{
	struct seize_probe p;

	memset(&p, 0xa5, sizeof(p));	/* the probe must fill it whole */
	ck_assert_int_eq(seize_probe(&p), 0);
	ck_assert_msg((p.features & ALL_FEATURES) == ALL_FEATURES, "features %#x", p.features);
	ck_assert_int_eq(p.refusal, SEIZE_REFUSAL_NONE);
	ck_assert_int_eq(p.error, 0);
	ck_assert_str_eq(p.reason, "");
	if (access("/proc/sys/kernel/yama/ptrace_scope", F_OK) == 0)
		ck_assert_int_ge(p.yama_ptrace_scope, 0);
	else
		ck_assert_int_eq(p.yama_ptrace_scope, -1);
	ck_assert(!p.seccomp_filtered);
	for (size_t i = 0; i < sizeof(p.reserved) / sizeof(p.reserved[0]); i++)
		ck_assert(p.reserved[i] == 0);
}
END_TEST

START_TEST(test_probe_reaps_everything)
{
	struct seize_probe p;

	tst_expect_no_children("before the probe");
	ck_assert_int_eq(seize_probe(&p), 0);
	tst_expect_no_children("by seize_probe()");
}
END_TEST

START_TEST(test_probe_null)
{
	ck_assert_int_eq(seize_probe(NULL), -EINVAL);
}
END_TEST

/* ---- the probe where ptrace is refused: in a child, reported by pipe ----- */

enum restriction { DENY_SECCOMP_ERRNO, DENY_SECCOMP_KILL, DENY_CAPABILITY };

struct probe_report {
	int setup;		/* 0, or -errno of the restriction's setup */
	int ret;		/* seize_probe()'s */
	bool leftover;		/* a child was left behind */
	struct seize_probe probe;
};

struct restricted_arg {
	enum restriction how;
	int fd;
};

/* Refuse ptrace(2) by seccomp.  No arch check: the filter is only for this
 * short-lived child, where refusing the same number elsewhere does no harm. */
static int deny_ptrace(unsigned int action)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ptrace, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -errno;
	return 0;
}

/* Take CAP_SYS_PTRACE out of our effective set (root keeps its uid). */
static int drop_cap_sys_ptrace(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[0].effective &= ~(1u << CAP_SYS_PTRACE);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

static void probe_restricted(void *arg)
{
	const struct restricted_arg *a = arg;
	struct probe_report r = { 0 };
	struct rlimit no_core = { 0, 0 };

	switch (a->how) {
	case DENY_SECCOMP_ERRNO:
		r.setup = deny_ptrace(SECCOMP_RET_ERRNO | EPERM);
		break;
	case DENY_SECCOMP_KILL:
		/* The helper dies of SIGSYS: no core file; and its orphaned
		 * target comes to us, so that we can tell it was reaped. */
		setrlimit(RLIMIT_CORE, &no_core);
		prctl(PR_SET_DUMPABLE, 0);
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		r.setup = deny_ptrace(SECCOMP_RET_KILL_PROCESS);
		break;
	case DENY_CAPABILITY:
		/* A non-dumpable process may trace even its own children only
		 * with CAP_SYS_PTRACE. */
		r.setup = drop_cap_sys_ptrace();
		if (r.setup == 0 && prctl(PR_SET_DUMPABLE, 0) < 0)
			r.setup = -errno;
		break;
	}
	if (r.setup == 0) {
		r.ret = seize_probe(&r.probe);
		errno = 0;
		r.leftover = !(waitpid(-1, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD);
	}
	write_all(a->fd, &r, sizeof(r));
}

static void run_restricted(enum restriction how, struct probe_report *r)
{
	struct restricted_arg a = { how, -1 };
	int fds[2];
	pid_t child;

	tst_pipe(fds);
	a.fd = fds[1];
	child = tst_fork(probe_restricted, &a);
	close(fds[1]);
	read_all(fds[0], r, sizeof(*r));
	close(fds[0]);
	tst_reap(child);
	ck_assert_int_eq(r->setup, 0);
	ck_assert_int_eq(r->ret, 0);
	ck_assert(!r->leftover);
	ck_assert_int_eq(r->probe.features & SEIZE_FEATURE_SEIZE, 0);
}

START_TEST(test_probe_seccomp_errno)
{
	struct probe_report r;

	run_restricted(DENY_SECCOMP_ERRNO, &r);
	ck_assert_int_eq(r.probe.refusal, SEIZE_REFUSAL_SECCOMP);
	ck_assert_int_eq(r.probe.error, -EPERM);
	ck_assert(r.probe.seccomp_filtered);
	ck_assert_str_eq(r.probe.reason,
			 "PTRACE_SEIZE on our own child failed with EPERM under a seccomp filter");
}
END_TEST

START_TEST(test_probe_seccomp_kill)
{
	struct probe_report r;

	run_restricted(DENY_SECCOMP_KILL, &r);
	ck_assert_int_eq(r.probe.refusal, SEIZE_REFUSAL_SECCOMP);
	ck_assert_int_lt(r.probe.error, 0);
	ck_assert_msg(strstr(r.probe.reason, "killed by signal 31"), "reason: %s", r.probe.reason);
}
END_TEST

START_TEST(test_probe_capability)
{
	struct probe_report r;

	run_restricted(DENY_CAPABILITY, &r);
	ck_assert(!r.probe.cap_sys_ptrace);
	ck_assert_int_eq(r.probe.refusal, SEIZE_REFUSAL_CAPABILITY);
	ck_assert_int_eq(r.probe.error, -EPERM);
	ck_assert_msg(strstr(r.probe.reason, "CAP_SYS_PTRACE"), "reason: %s", r.probe.reason);
}
END_TEST

/* ---- seize_explain_attach ------------------------------------------------ */

START_TEST(test_explain_invalid_args)
{
	char buf[64];

	ck_assert_int_eq(seize_explain_attach(getpid(), 0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(seize_explain_attach(getpid(), EPERM, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(seize_explain_attach(getpid(), -EPERM, NULL, 5), -EINVAL);
	ck_assert_int_gt(seize_explain_attach(getpid(), -EPERM, NULL, 0), 0);
}
END_TEST

START_TEST(test_explain_bad_tid)
{
	tst_expect_explanation(0, -EINVAL, "0 is not a valid process id");
	tst_expect_explanation(-1, -EINVAL, "-1 is not a valid process id");
	ck_assert_int_eq(seize_attach(0, 0), -EINVAL);
}
END_TEST

START_TEST(test_explain_bad_options)
{
	pid_t pauser = tst_fork_pauser();
	int ret = seize_attach(pauser, 0x80000000u);
	char buf[256];

	seize_explain_attach(pauser, ret, buf, sizeof(buf));
	tst_reap(pauser);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_msg(strncmp(buf, "invalid attach options", 22) == 0, "got: %s", buf);
}
END_TEST

START_TEST(test_explain_nonexistent)
{
	char want[64];
	pid_t gone = tst_vanished_pid();

	ck_assert_int_eq(seize_attach(gone, 0), -ESRCH);
	snprintf(want, sizeof(want), "process %d does not exist", (int)gone);
	tst_expect_explanation(gone, -ESRCH, want);
}
END_TEST

START_TEST(test_explain_zombie)
{
	char want[128], buf[256];
	siginfo_t si;
	pid_t child = tst_fork(tst_do_nothing, NULL);
	int ret;

	/* WNOWAIT: it has exited, and stays a zombie until we reap it below. */
	ck_assert_int_eq(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
	ret = seize_attach(child, 0);
	seize_explain_attach(child, ret < 0 ? ret : -EPERM, buf, sizeof(buf));
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	ck_assert_int_eq(ret, -EPERM);
	snprintf(want, sizeof(want),
		 "process %d is a zombie (it has exited; its parent has not reaped it)", (int)child);
	ck_assert_str_eq(buf, want);
}
END_TEST

struct tracer_arg {
	pid_t tracee;
	int ready;		/* write end: one byte, 'y' once attached */
	int hold;		/* read end: blocks until the test lets go */
};

static void trace_and_hold(void *arg)
{
	const struct tracer_arg *a = arg;
	char c = seize_attach(a->tracee, PTRACE_O_EXITKILL) == 0 ? 'y' : 'n';

	write_all(a->ready, &c, 1);
	while (read(a->hold, &c, 1) < 0 && errno == EINTR)
		;
}

START_TEST(test_explain_traced)
{
	struct tracer_arg a;
	int ready[2], hold[2], ret;
	char want[64], buf[256];
	pid_t tracer;
	char attached;

	a.tracee = tst_fork_pauser();
	tst_pipe(ready);
	tst_pipe(hold);
	a.ready = ready[1];
	a.hold = hold[0];
	tracer = tst_fork(trace_and_hold, &a);
	attached = tst_read_byte(ready[0], TIMEOUT_MS);

	ret = seize_attach(a.tracee, 0);	/* taken: ours must fail */
	seize_explain_attach(a.tracee, ret < 0 ? ret : -EPERM, buf, sizeof(buf));
	tst_reap(tracer);	/* EXITKILL takes the tracee with it */
	tst_reap(a.tracee);
	tst_close_pipe(ready);
	tst_close_pipe(hold);

	ck_assert_int_eq(attached, 'y');
	ck_assert_int_eq(ret, -EPERM);
	/* The tracer's comm is the test's, or valgrind's: check around it. */
	snprintf(want, sizeof(want), "process %d is already traced by %d (", (int)a.tracee, (int)tracer);
	ck_assert_msg(strncmp(buf, want, strlen(want)) == 0 && buf[strlen(buf) - 1] == ')',
		      "got: %s", buf);
}
END_TEST

START_TEST(test_explain_self)
{
	char want[128];
	int ret = seize_attach(getpid(), 0);

	ck_assert_int_eq(ret, -EPERM);
	snprintf(want, sizeof(want), "process %d is this process itself; a process cannot trace itself",
		 (int)getpid());
	tst_expect_explanation(getpid(), ret, want);
}
END_TEST

/* Only /proc is read: pid 2 is never attached to nor signalled.  In a pid
 * namespace (contain) pid 2 is no kernel thread, and nothing is asserted. */
START_TEST(test_explain_kthread)
{
	char buf[1024];
	unsigned long flags = 0;
	const char *s;
	FILE *f = fopen("/proc/2/stat", "re");

	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		fclose(f);
		buf[n] = '\0';
		s = strrchr(buf, ')');
		if (s && sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
			flags = 0;
	}
	if (flags & PF_KTHREAD)
		tst_expect_explanation(2, -EPERM,
				       "process 2 is a kernel thread, which cannot be traced");
}
END_TEST

struct nobody_arg {
	pid_t parent;
	int fd;
};

static void become_nobody(void *arg)
{
	const struct nobody_arg *a = arg;
	/* A change of uid clears the death signal: set it again. */
	char c = setresuid(NOBODY, NOBODY, NOBODY) == 0 && prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 &&
		 getppid() == a->parent ? 'u' : 'f';

	write_all(a->fd, &c, 1);
	if (c != 'u')
		_exit(1);
	for (;;)
		pause();
}

struct explain_report {
	int setup, ret;
	char text[256];
};

static void attach_without_cap(void *arg)
{
	const struct nobody_arg *a = arg;	/* parent is the target here */
	struct explain_report r = { 0 };

	r.setup = drop_cap_sys_ptrace();
	if (r.setup == 0) {
		r.ret = seize_attach(a->parent, 0);
		if (r.ret < 0)
			seize_explain_attach(a->parent, r.ret, r.text, sizeof(r.text));
	}
	write_all(a->fd, &r, sizeof(r));
}

START_TEST(test_explain_foreign_uid)
{
	struct nobody_arg na = { getpid(), -1 }, aa;
	struct explain_report r = { 0 };
	int fds[2];
	pid_t target, helper;
	char state, want[128];

	tst_pipe(fds);
	na.fd = fds[1];
	target = tst_fork(become_nobody, &na);
	state = tst_read_byte(fds[0], TIMEOUT_MS);
	aa.parent = target;
	aa.fd = fds[1];
	helper = state == 'u' ? tst_fork(attach_without_cap, &aa) : 0;
	if (helper > 0)
		read_all(fds[0], &r, sizeof(r));
	if (helper > 0)
		tst_reap(helper);
	tst_reap(target);
	tst_close_pipe(fds);

	ck_assert_int_eq(state, 'u');
	ck_assert_int_eq(r.setup, 0);
	ck_assert_int_eq(r.ret, -EPERM);
	snprintf(want, sizeof(want), "process %d belongs to uid %d; tracing it needs CAP_SYS_PTRACE",
		 (int)target, NOBODY);
	ck_assert_str_eq(r.text, want);
}
END_TEST

START_TEST(test_explain_fallback)
{
	char want[128];
	pid_t pauser = tst_fork_pauser();

	/* Not traced, ours, alive: nothing to name but the error itself. */
	snprintf(want, sizeof(want), "attaching to process %d failed: Input/output error", (int)pauser);
	tst_expect_explanation(pauser, -EIO, want);
	snprintf(want, sizeof(want), "attaching to process %d failed: errno 4095", (int)pauser);
	tst_expect_explanation(pauser, -4095, want);
	tst_reap(pauser);
}
END_TEST

START_TEST(test_explain_truncation)
{
	char full[256], small[10];
	int len = seize_explain_attach(getpid(), -EPERM, full, sizeof(full));

	ck_assert_int_gt(len, (int)sizeof(small));
	ck_assert_int_eq((int)strlen(full), len);
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(seize_explain_attach(getpid(), -EPERM, small, sizeof(small)), len);
	ck_assert_int_eq(small[sizeof(small) - 1], '\0');
	ck_assert_int_eq(strncmp(small, full, sizeof(small) - 1), 0);
	ck_assert_int_eq(seize_explain_attach(getpid(), -EPERM, small, 1), len);
	ck_assert_int_eq(small[0], '\0');
	small[0] = 'x';
	ck_assert_int_eq(seize_explain_attach(getpid(), -EPERM, small, 0), len);
	ck_assert_int_eq(small[0], 'x');	/* size 0: not written */
	ck_assert_int_eq(seize_explain_attach(getpid(), -EPERM, NULL, 0), len);
}
END_TEST

START_TEST(test_errno_untouched)
{
	struct seize_probe p;
	char buf[128];
	pid_t gone = tst_vanished_pid();

	errno = EXDEV;
	ck_assert_int_eq(seize_probe(&p), 0);
	ck_assert_int_eq(errno, EXDEV);
	ck_assert_int_eq(seize_probe(NULL), -EINVAL);
	ck_assert_int_eq(errno, EXDEV);
	/* A missing /proc entry makes open() fail inside: still EXDEV. */
	ck_assert_int_gt(seize_explain_attach(gone, -ESRCH, buf, sizeof(buf)), 0);
	ck_assert_int_eq(errno, EXDEV);
	ck_assert_int_gt(seize_explain_attach(getpid(), -EPERM, buf, sizeof(buf)), 0);
	ck_assert_int_eq(errno, EXDEV);
	ck_assert_int_eq(seize_explain_attach(getpid(), 0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(errno, EXDEV);
}
END_TEST

TEST_SUITE(probe, true)
{
	ADD_CASE(s, test_probe_features);
	ADD_CASE(s, test_probe_reaps_everything);
	ADD_CASE(s, test_probe_null);
	ADD_CASE(s, test_probe_seccomp_errno);
	ADD_CASE(s, test_probe_seccomp_kill);
	ADD_CASE(s, test_probe_capability);
	ADD_CASE(s, test_explain_invalid_args);
	ADD_CASE(s, test_explain_bad_tid);
	ADD_CASE(s, test_explain_bad_options);
	ADD_CASE(s, test_explain_nonexistent);
	ADD_CASE(s, test_explain_zombie);
	ADD_CASE(s, test_explain_traced);
	ADD_CASE(s, test_explain_self);
	ADD_CASE(s, test_explain_kthread);
	ADD_CASE(s, test_explain_foreign_uid);
	ADD_CASE(s, test_explain_fallback);
	ADD_CASE(s, test_explain_truncation);
	ADD_CASE(s, test_errno_untouched);
}
