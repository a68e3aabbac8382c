/* SPDX-License-Identifier: MIT */
/* seize_probe(): what ptrace can do here, learnt by doing it on a child of a
 * helper process, so that a seccomp filter that kills on ptrace(2) kills the
 * helper, not the caller.  It keeps errno: the entry point saves it and puts
 * it back, so the helpers below may let libc set it freely. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e	/* Linux 5.3; glibc 2.30 */
#endif

enum step { STEP_FORK, STEP_SEIZE, STEP_INTERRUPT, STEP_LISTEN, STEP_DONE };

static const char *const step_names[] = {
	"fork", "PTRACE_SEIZE", "PTRACE_INTERRUPT", "PTRACE_LISTEN", "",
};

/* What the helper tells the caller, written whole (atomic, < PIPE_BUF). */
struct probe_result {
	pid_t target;		/* its child, so a caller that inherits it can reap it */
	unsigned int features;
	int error;		/* the -errno of the first failed step */
	int step;		/* enum step: the first that failed, or STEP_DONE */
};

/* Helper side: async-signal-safe calls only, as the caller may have threads. */
static void helper_write(int fd, const struct probe_result *r)
{
	while (write(fd, r, sizeof(*r)) < 0 && errno == EINTR)
		;
}

/* Wait for the PTRACE_EVENT_STOP an INTERRUPT asked for.  A SIGSTOP sent to
 * our process group can come first as a signal-delivery-stop: suppress it. */
static int helper_wait_trap(pid_t t)
{
	int status, ret;

	for (int tries = 0; tries < 8; tries++) {
		while ((ret = sys_waitpid(t, &status, __WALL)) == -EINTR)
			;
		if (ret < 0)
			return ret;
		if (!WIFSTOPPED(status))
			return -ESRCH;	/* it died */
		if (status >> 16 == PTRACE_EVENT_STOP)
			return 0;
		ret = (int)sys_ptrace(PTRACE_CONT, t, NULL, NULL);
		if (ret < 0)
			return ret;
	}
	return -EIO;
}

static int helper_steps(pid_t t, struct probe_result *r)
{
	unsigned long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
	uint64_t info[16];	/* room for struct ptrace_syscall_info */
	long ret;

	r->step = STEP_SEIZE;
	ret = sys_ptrace(PTRACE_SEIZE, t, NULL, (void *)opts);
	if (ret == -EINVAL) {	/* before Linux 3.8: no EXITKILL */
		opts = PTRACE_O_TRACESYSGOOD;
		ret = sys_ptrace(PTRACE_SEIZE, t, NULL, (void *)opts);
	}
	if (ret < 0)
		return (int)ret;
	r->features |= SEIZE_FEATURE_SEIZE | ((opts & PTRACE_O_EXITKILL) ? SEIZE_FEATURE_EXITKILL : 0);

	r->step = STEP_INTERRUPT;
	if ((ret = sys_ptrace(PTRACE_INTERRUPT, t, NULL, NULL)) < 0 ||
	    (ret = helper_wait_trap(t)) < 0)
		return (int)ret;
	r->features |= SEIZE_FEATURE_INTERRUPT;

	/* LISTEN, then INTERRUPT: a listening tracee must trap again at once. */
	r->step = STEP_LISTEN;
	if ((ret = sys_ptrace(PTRACE_LISTEN, t, NULL, NULL)) < 0 ||
	    (ret = sys_ptrace(PTRACE_INTERRUPT, t, NULL, NULL)) < 0 ||
	    (ret = helper_wait_trap(t)) < 0)
		return (int)ret;
	r->features |= SEIZE_FEATURE_LISTEN;

	/* Before 5.3 the request is unknown: -EIO. */
	if (sys_ptrace(PTRACE_GET_SYSCALL_INFO, t, (void *)sizeof(info), info) >= 0)
		r->features |= SEIZE_FEATURE_SYSCALL_INFO;
	r->step = STEP_DONE;
	return 0;
}

static _Noreturn void helper(int fd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct probe_result r = { 0, 0, 0, STEP_FORK };
	pid_t self = getpid(), t;
	sigset_t all;
	int ret;

	/* No handler of the caller's may run here; SIGCHLD must not be ignored,
	 * or the target would be reaped behind our back. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	t = fork();
	if (t < 0) {
		r.error = -errno;
		helper_write(fd, &r);
		_exit(0);
	}
	if (t == 0) {
		close(fd);	/* so the caller's read ends when the helper does */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(0);
		for (;;)
			pause();	/* every signal is blocked: only SIGKILL ends it */
	}
	r.target = t;
	helper_write(fd, &r);	/* first, in case a filter kills us next */

	ret = helper_steps(t, &r);
	r.error = ret < 0 ? ret : 0;
	if (t > 0) {
		kill(t, SIGKILL);
		sys_reap(t);
	}
	helper_write(fd, &r);
	_exit(0);
}

static void set_reason(struct seize_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(struct seize_probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

/* Tracing our own child needs no capability unless we are not dumpable, or
 * our real and effective ids differ (a set-id program): then the kernel asks
 * for CAP_SYS_PTRACE, and that is a refusal we can name. */
static bool needs_capability(void)
{
	return prctl(PR_GET_DUMPABLE) != 1 || getuid() != geteuid() || getgid() != getegid();
}

static void classify(struct seize_probe *p, const struct probe_result *r)
{
	int err = -r->error;
	const char *name = names_errno(err, true);
	char num[24];

	if (!name) {
		snprintf(num, sizeof(num), "errno %d", err);
		name = num;
	}
	p->error = r->error;
	/* Yama first where it refuses for certain (a container's seccomp filter
	 * may well allow ptrace); then a filter; then what the kernel checks. */
	if (r->step == STEP_SEIZE && (err == EPERM || err == EACCES || err == ENOSYS)) {
		if (p->yama_ptrace_scope >= 3) {
			p->refusal = SEIZE_REFUSAL_YAMA;
			set_reason(p, "ptrace is refused: Yama ptrace_scope=%d forbids all tracing",
				   p->yama_ptrace_scope);
		} else if (p->yama_ptrace_scope == 2 && !p->cap_sys_ptrace) {
			p->refusal = SEIZE_REFUSAL_YAMA;
			set_reason(p, "ptrace is refused: Yama ptrace_scope=2 allows tracing only "
				      "with CAP_SYS_PTRACE, which this process lacks");
		} else if (p->seccomp_filtered) {
			p->refusal = SEIZE_REFUSAL_SECCOMP;
			set_reason(p, "PTRACE_SEIZE on our own child failed with %s under a seccomp filter", name);
		} else if (!p->cap_sys_ptrace && needs_capability()) {
			p->refusal = SEIZE_REFUSAL_CAPABILITY;
			set_reason(p, "PTRACE_SEIZE on our own child failed with %s: this process is "
				      "not dumpable or set-id, and lacks CAP_SYS_PTRACE", name);
		} else {
			p->refusal = SEIZE_REFUSAL_OTHER;
			set_reason(p, "PTRACE_SEIZE on our own child failed with %s "
				      "(a security module may forbid it)", name);
		}
	} else {
		/* A later step, or an error that is no refusal (EIO before 3.4). */
		p->refusal = p->seccomp_filtered ? SEIZE_REFUSAL_SECCOMP : SEIZE_REFUSAL_OTHER;
		set_reason(p, "%s on our own child failed with %s%s", step_names[r->step], name,
			   p->seccomp_filtered ? " under a seccomp filter" : "");
	}
}

/* Read the helper's reports until it closes the pipe; keep the last whole one. */
static bool read_results(int fd, struct probe_result *r)
{
	struct probe_result next;
	bool got = false;
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, (char *)&next + len, sizeof(next) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got;
		len += (size_t)n;
		if (len == sizeof(next)) {
			*r = next;
			got = true;
			len = 0;
		}
	}
}

static int probe(struct seize_probe *p)
{
	struct probe_result r = { 0, 0, 0, STEP_FORK };
	struct procfs_self self;
	int fds[2], status, subreaper = 0, waited;
	bool got;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	procfs_read_self(&self);
	p->yama_ptrace_scope = self.yama;
	p->seccomp_filtered = self.seccomp_filtered;
	p->cap_sys_ptrace = self.cap_sys_ptrace;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		close(fds[0]);
		helper(fds[1]);
	}
	close(fds[1]);
	got = read_results(fds[0], &r);
	close(fds[0]);
	while ((waited = sys_waitpid(pid, &status, 0)) == -EINTR)
		;
	if (waited < 0)
		status = 0;	/* SIGCHLD ignored: the kernel reaped it */

	if (WIFSIGNALED(status)) {
		/* Killed mid-way.  Its target, if any, died of PDEATHSIG or
		 * EXITKILL; if it was orphaned to us (subreaper, or pid 1 of a
		 * namespace), reap it, as promised. */
		prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
		if (got && r.target > 0 && (subreaper || getpid() == 1))
			sys_reap(r.target);
		p->error = -EPERM;	/* no errno to report: say what it means */
		if (WTERMSIG(status) == SIGSYS || p->seccomp_filtered) {
			p->refusal = SEIZE_REFUSAL_SECCOMP;
			set_reason(p, "the probe's helper was killed by signal %d while calling ptrace: "
				      "a seccomp filter kills ptrace(2) callers", WTERMSIG(status));
		} else {
			p->refusal = SEIZE_REFUSAL_OTHER;
			set_reason(p, "the probe's helper was killed by signal %d", WTERMSIG(status));
		}
		return 0;
	}
	if (!got || (r.step == STEP_FORK && r.error == 0))
		return -EAGAIN;	/* it could not even report: treat as a failed fork */
	if (r.step == STEP_FORK)
		return r.error;	/* its fork failed: -EAGAIN or -ENOMEM */
	p->features = r.features;
	if (r.step != STEP_DONE)
		classify(p, &r);
	return 0;
}

SEIZE_EXPORT int seize_probe(struct seize_probe *p)
{
	int saved = errno, ret;

	if (!p)
		return -EINVAL;
	ret = probe(p);
	errno = saved;
	return ret;
}
