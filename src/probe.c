/* SPDX-License-Identifier: MIT */
/* seize_probe(): what ptrace can do here, learnt by doing it on a child of a
 * helper process, so that a seccomp filter that kills on ptrace(2) kills the
 * helper, not the caller.  seize_explain_attach(): one sentence on why an
 * attach failed, read from /proc at the time of the call.
 *
 * Both keep errno: the public entry points save it and put it back, so the
 * helpers below may let libc set it freely. */
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

#define CAP_SYS_PTRACE_BIT 19	/* <linux/capability.h>, not worth its include */
#define PF_KTHREAD 0x00200000u	/* include/linux/sched.h; /proc/PID/stat field 9 */
#define PPID_WALK_MAX 4096	/* bound on the ancestor walk (pid chains are short) */
#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e	/* Linux 5.3; glibc 2.30 */
#endif

/* Our own settings, as the kernel shows them. */
struct self_info {
	int yama;		/* -1 without Yama */
	bool seccomp_filtered;
	bool cap_sys_ptrace;
};

static const struct {
	int err;
	const char *name, *text;
} errors[] = {
	{ EPERM, "EPERM", "Operation not permitted" },
	{ ESRCH, "ESRCH", "No such process" },
	{ EIO, "EIO", "Input/output error" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ ENOMEM, "ENOMEM", "Cannot allocate memory" },
	{ EACCES, "EACCES", "Permission denied" },
	{ EFAULT, "EFAULT", "Bad address" },
	{ EBUSY, "EBUSY", "Device or resource busy" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ ENOSYS, "ENOSYS", "Function not implemented" },
	{ ECHILD, "ECHILD", "No child processes" },
};

/* A small table instead of strerror(): thread-safe and locale-independent. */
static const char *error_field(int err, bool name)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].err == err)
			return name ? errors[i].name : errors[i].text;
	return NULL;
}

static int say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(size ? buf : NULL, size, fmt, ap);
	va_end(ap);
	return n < 0 ? -EINVAL : n;
}

/* The whole of a small /proc file, NUL-terminated: its length or -errno. */
static int read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return (int)n;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (int)len;
}

/* The value of "Name:" in a /proc status text, or NULL. */
static const char *field(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, name, len) == 0 && line[len] == ':')
			return line + len + 1 + strspn(line + len + 1, " \t");
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static long field_long(const char *text, const char *name, long dflt)
{
	const char *v = field(text, name);

	return v ? strtol(v, NULL, 10) : dflt;
}

static void read_self(struct self_info *self)
{
	char buf[4096];
	const char *cap;

	self->yama = read_file("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof(buf)) > 0
		     ? atoi(buf) : -1;
	self->seccomp_filtered = false;
	self->cap_sys_ptrace = false;
	if (read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return;
	self->seccomp_filtered = field_long(buf, "Seccomp", 0) == 2;	/* SECCOMP_MODE_FILTER */
	cap = field(buf, "CapEff");
	self->cap_sys_ptrace = cap && (strtoull(cap, NULL, 16) >> CAP_SYS_PTRACE_BIT) & 1;
}

/* ---- seize_probe ------------------------------------------------------- */

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
		while ((ret = seize_sys_waitpid(t, &status, __WALL)) == -EINTR)
			;
		if (ret < 0)
			return ret;
		if (!WIFSTOPPED(status))
			return -ESRCH;	/* it died */
		if (status >> 16 == PTRACE_EVENT_STOP)
			return 0;
		ret = (int)seize_sys_ptrace(PTRACE_CONT, t, NULL, NULL);
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
	ret = seize_sys_ptrace(PTRACE_SEIZE, t, NULL, (void *)opts);
	if (ret == -EINVAL) {	/* before Linux 3.8: no EXITKILL */
		opts = PTRACE_O_TRACESYSGOOD;
		ret = seize_sys_ptrace(PTRACE_SEIZE, t, NULL, (void *)opts);
	}
	if (ret < 0)
		return (int)ret;
	r->features |= SEIZE_FEATURE_SEIZE | ((opts & PTRACE_O_EXITKILL) ? SEIZE_FEATURE_EXITKILL : 0);

	r->step = STEP_INTERRUPT;
	if ((ret = seize_sys_ptrace(PTRACE_INTERRUPT, t, NULL, NULL)) < 0 ||
	    (ret = helper_wait_trap(t)) < 0)
		return (int)ret;
	r->features |= SEIZE_FEATURE_INTERRUPT;

	/* LISTEN, then INTERRUPT: a listening tracee must trap again at once. */
	r->step = STEP_LISTEN;
	if ((ret = seize_sys_ptrace(PTRACE_LISTEN, t, NULL, NULL)) < 0 ||
	    (ret = seize_sys_ptrace(PTRACE_INTERRUPT, t, NULL, NULL)) < 0 ||
	    (ret = helper_wait_trap(t)) < 0)
		return (int)ret;
	r->features |= SEIZE_FEATURE_LISTEN;

	/* Before 5.3 the request is unknown: -EIO. */
	if (seize_sys_ptrace(PTRACE_GET_SYSCALL_INFO, t, (void *)sizeof(info), info) >= 0)
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
		seize_sys_reap(t);
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
	const char *name = error_field(err, true);
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
	struct self_info self;
	int fds[2], status, subreaper = 0, waited;
	bool got;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	read_self(&self);
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
	while ((waited = seize_sys_waitpid(pid, &status, 0)) == -EINTR)
		;
	if (waited < 0)
		status = 0;	/* SIGCHLD ignored: the kernel reaped it */

	if (WIFSIGNALED(status)) {
		/* Killed mid-way.  Its target, if any, died of PDEATHSIG or
		 * EXITKILL; if it was orphaned to us (subreaper, or pid 1 of a
		 * namespace), reap it, as promised. */
		prctl(PR_GET_CHILD_SUBREAPER, &subreaper);
		if (got && r.target > 0 && (subreaper || getpid() == 1))
			seize_sys_reap(r.target);
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

/* ---- seize_explain_attach ----------------------------------------------- */

/* Is tid a descendant of this process?  Yama's scope 1 asks the same. */
static bool is_descendant(pid_t tid)
{
	char path[64], buf[4096];
	long pid = tid;

	for (int i = 0; i < PPID_WALK_MAX && pid > 1; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
		if (read_file(path, buf, sizeof(buf)) < 0)
			return false;
		pid = field_long(buf, "PPid", 0);
		if (pid == getpid())
			return true;
	}
	return false;
}

/* /proc/PID/stat's flags (field 9), counted after the last ')' of comm. */
static unsigned long stat_flags(pid_t tid)
{
	char path[64], buf[1024];
	const char *s;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(s = strrchr(buf, ')')))
		return 0;
	for (int f = 2; f < 9 && s; f++)	/* s is just before field f + 1 */
		s = strchr(s + 1, ' ');
	return s ? strtoul(s + 1, NULL, 10) : 0;
}

/* The first of a "Uid:"/"Gid:" line's real, effective, saved ids that is not
 * ours (the kernel wants all three to be), or -1 if all are. */
static long foreign_id(const char *status, const char *name, long ours)
{
	const char *v = field(status, name);
	char *end;

	for (int i = 0; v && i < 3; i++, v = end) {
		long id = strtol(v, &end, 10);

		if (end == v)
			break;
		if (id != ours)
			return id;
	}
	return -1;
}

static int explain_policy(pid_t tid, const char *status, char *buf, size_t size)
{
	struct self_info self;
	long id;

	read_self(&self);
	if (self.yama >= 3)
		return say(buf, size, "Yama ptrace_scope=%d forbids all tracing (until reboot)", self.yama);
	if (self.yama == 2 && !self.cap_sys_ptrace)
		return say(buf, size, "Yama ptrace_scope=2 allows tracing only with CAP_SYS_PTRACE, "
			   "which this process lacks");
	if (self.yama == 1 && !self.cap_sys_ptrace && !is_descendant(tid))
		return say(buf, size, "Yama ptrace_scope=1 allows tracing only of descendants; process %d "
			   "is not one (run as root or set kernel.yama.ptrace_scope=0)", (int)tid);
	if (!self.cap_sys_ptrace && (id = foreign_id(status, "Uid", (long)getuid())) >= 0)
		return say(buf, size, "process %d belongs to uid %ld; tracing it needs CAP_SYS_PTRACE",
			   (int)tid, id);
	if (!self.cap_sys_ptrace && (id = foreign_id(status, "Gid", (long)getgid())) >= 0)
		return say(buf, size, "process %d runs with gid %ld; tracing it needs CAP_SYS_PTRACE",
			   (int)tid, id);
	if (self.seccomp_filtered)
		return say(buf, size, "this process runs under a seccomp filter, "
			   "which may refuse ptrace(2) on process %d", (int)tid);
	return -1;	/* nothing to name */
}

static int explain(pid_t tid, int error, char *buf, size_t size)
{
	char path[64], status[4096], comm[64] = "";
	const char *state, *text;
	long tracer;
	int ret;

	if (tid <= 0)
		return say(buf, size, "%d is not a valid process id", (int)tid);
	if (error == -EINVAL)
		return say(buf, size, "invalid attach options: an unknown PTRACE_O_* bit, "
			   "or one this kernel lacks");

	if (tid == getpid())
		return say(buf, size, "process %d is this process itself; "
			   "a process cannot trace itself", (int)tid);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	ret = read_file(path, status, sizeof(status));
	if (ret == -ENOENT || ret == -ESRCH)
		return say(buf, size, "process %d does not exist", (int)tid);
	if (ret >= 0) {
		if (field_long(status, "Tgid", 0) == getpid())
			return say(buf, size, "thread %d is a thread of this process; "
				   "a process cannot trace its own threads", (int)tid);
		state = field(status, "State");
		if (state && *state == 'Z')
			return say(buf, size, "process %d is a zombie (it has exited; "
				   "its parent has not reaped it)", (int)tid);
		tracer = field_long(status, "TracerPid", 0);
		if (tracer > 0) {
			snprintf(path, sizeof(path), "/proc/%ld/comm", tracer);
			if (read_file(path, comm, sizeof(comm)) > 0)
				comm[strcspn(comm, "\n")] = '\0';
			if (comm[0])
				return say(buf, size, "process %d is already traced by %ld (%s)",
					   (int)tid, tracer, comm);
			return say(buf, size, "process %d is already traced by %ld", (int)tid, tracer);
		}
		if (stat_flags(tid) & PF_KTHREAD)
			return say(buf, size, "process %d is a kernel thread, which cannot be traced",
				   (int)tid);
		if ((error == -EPERM || error == -EACCES) &&
		    (ret = explain_policy(tid, status, buf, size)) >= 0)
			return ret;
	}

	text = error_field(-error, false);
	if (text)
		return say(buf, size, "attaching to process %d failed: %s", (int)tid, text);
	return say(buf, size, "attaching to process %d failed: errno %d", (int)tid, -error);
}

SEIZE_EXPORT int seize_explain_attach(pid_t tid, int error, char *buf, size_t size)
{
	int saved = errno, ret;

	if (error >= 0 || (!buf && size > 0))
		return -EINVAL;
	ret = explain(tid, error, buf, size);
	errno = saved;
	return ret;
}
