/* SPDX-License-Identifier: MIT */
/* The one /proc reader of the library: small files read whole, "Name:" fields
 * of status texts, fields of stat texts, and our own ptrace settings.  No
 * allocation, so the tracer can use it while a tracee is being adopted; every
 * call leaves errno as it found it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CAP_SYS_PTRACE_BIT 19	/* <linux/capability.h>, not worth its include */
#define SECCOMP_MODE_FILTER 2	/* <linux/seccomp.h>, as /proc shows it */

int procfs_read(const char *path, char *buf, size_t size)
{
	int saved = errno, fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		n = -errno;
		errno = saved;
		return (int)n;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			errno = saved;
			return (int)n;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	errno = saved;
	return (int)len;
}

const char *procfs_field(const char *text, const char *name)
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

long procfs_field_long(const char *text, const char *name, long dflt)
{
	const char *v = procfs_field(text, name);

	return v ? strtol(v, NULL, 10) : dflt;
}

long procfs_status_field(pid_t tid, const char *name)
{
	char path[64], buf[2048];
	const char *v;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	ret = procfs_read(path, buf, sizeof(buf));
	if (ret == -ENOENT || ret == 0)
		return -ESRCH;
	if (ret < 0)
		return ret;
	v = procfs_field(buf, name);
	return v ? strtol(v, NULL, 10) : -ENOENT;
}

const char *procfs_stat_field(const char *text, int n)
{
	/* The command name (field 2) may hold ") ": count from the last one. */
	const char *s = strrchr(text, ')');

	if (!s || n < 3)
		return NULL;
	for (int f = 2; f < n && s; f++)	/* s is just before field f + 1 */
		s = strchr(s + 1, ' ');
	return s && s[1] ? s + 1 : NULL;
}

char procfs_task_state(pid_t pid, pid_t tid)
{
	char path[96], buf[512];
	const char *state;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0)
		return 0;
	state = procfs_stat_field(buf, 3);
	return state ? *state : 0;
}

unsigned long procfs_stat_flags(pid_t tid)
{
	char path[64], buf[1024];
	const char *flags;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (procfs_read(path, buf, sizeof(buf)) <= 0)
		return 0;
	flags = procfs_stat_field(buf, 9);
	return flags ? strtoul(flags, NULL, 10) : 0;
}

void procfs_read_self(struct procfs_self *self)
{
	char buf[4096];
	const char *cap;

	self->yama = procfs_read("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof(buf)) > 0
		     ? atoi(buf) : -1;
	self->seccomp_filtered = false;
	self->cap_sys_ptrace = false;
	if (procfs_read("/proc/self/status", buf, sizeof(buf)) < 0)
		return;
	self->seccomp_filtered = procfs_field_long(buf, "Seccomp", 0) == SECCOMP_MODE_FILTER;
	cap = procfs_field(buf, "CapEff");
	self->cap_sys_ptrace = cap && (strtoull(cap, NULL, 16) >> CAP_SYS_PTRACE_BIT) & 1;
}
