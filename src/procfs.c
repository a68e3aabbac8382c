/* SPDX-License-Identifier: MIT */
/* The /proc reads of the tracer: one status field at a time, with no
 * allocation, so they can run while a tracee is being adopted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

long seize_proc_status_field(pid_t tid, const char *field)
{
	char path[64], buf[2048];
	size_t len = strlen(field);
	int saved = errno;
	ssize_t n;
	char *line;
	long ret = -ENOENT;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? -ESRCH : -errno;
		errno = saved;
		return ret;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			if (strncmp(line, field, len) == 0 && line[len] == ':') {
				ret = strtol(line + len + 1, NULL, 10);
				break;
			}
		}
	} else {
		ret = -ESRCH;
	}
	errno = saved;
	return ret;
}

char seize_proc_task_state(pid_t pid, pid_t tid)
{
	char path[96], buf[512];
	int saved = errno;
	char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	errno = saved;
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold ") ": the state follows the last one. */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}
