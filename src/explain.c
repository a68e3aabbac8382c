/* SPDX-License-Identifier: MIT */
/* seize_explain_attach(): one sentence on why an attach failed, read from
 * /proc at the time of the call.  It keeps errno: the entry point saves it
 * and puts it back. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define PF_KTHREAD 0x00200000u	/* include/linux/sched.h; /proc/PID/stat field 9 */
#define PPID_WALK_MAX 4096	/* bound on the ancestor walk (pid chains are short) */

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

/* Is tid a descendant of this process?  Yama's scope 1 asks the same. */
static bool is_descendant(pid_t tid)
{
	char path[64], buf[4096];
	long pid = tid;

	for (int i = 0; i < PPID_WALK_MAX && pid > 1; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/status", pid);
		if (procfs_read(path, buf, sizeof(buf)) < 0)
			return false;
		pid = procfs_field_long(buf, "PPid", 0);
		if (pid == getpid())
			return true;
	}
	return false;
}

/* The first of a "Uid:"/"Gid:" line's real, effective, saved ids that is not
 * ours (the kernel wants all three to be), or -1 if all are. */
static long foreign_id(const char *status, const char *name, long ours)
{
	const char *v = procfs_field(status, name);
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
	struct procfs_self self;
	long id;

	procfs_read_self(&self);
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
	ret = procfs_read(path, status, sizeof(status));
	if (ret == -ENOENT || ret == -ESRCH)
		return say(buf, size, "process %d does not exist", (int)tid);
	if (ret >= 0) {
		if (procfs_field_long(status, "Tgid", 0) == getpid())
			return say(buf, size, "thread %d is a thread of this process; "
				   "a process cannot trace its own threads", (int)tid);
		state = procfs_field(status, "State");
		if (state && *state == 'Z')
			return say(buf, size, "process %d is a zombie (it has exited; "
				   "its parent has not reaped it)", (int)tid);
		tracer = procfs_field_long(status, "TracerPid", 0);
		if (tracer > 0) {
			snprintf(path, sizeof(path), "/proc/%ld/comm", tracer);
			if (procfs_read(path, comm, sizeof(comm)) > 0)
				comm[strcspn(comm, "\n")] = '\0';
			if (comm[0])
				return say(buf, size, "process %d is already traced by %ld (%s)",
					   (int)tid, tracer, comm);
			return say(buf, size, "process %d is already traced by %ld", (int)tid, tracer);
		}
		if (procfs_stat_flags(tid) & PF_KTHREAD)
			return say(buf, size, "process %d is a kernel thread, which cannot be traced",
				   (int)tid);
		if ((error == -EPERM || error == -EACCES) &&
		    (ret = explain_policy(tid, status, buf, size)) >= 0)
			return ret;
	}

	text = names_errno(-error, false);
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
