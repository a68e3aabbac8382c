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
