/* SPDX-License-Identifier: MIT */
/* Every ptrace(2) and wait(2) call of the library goes through here, so that
 * errno becomes a negative return value in one place and the caller's errno
 * is never disturbed. */
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "internal.h"

long sys_ptrace(int request, pid_t tid, void *addr, void *data)
{
	int saved = errno;
	long ret;

	errno = 0;
	ret = ptrace((enum __ptrace_request)request, tid, addr, data);
	/* PEEK requests may legitimately return -1; errno tells. */
	if (ret == -1 && errno != 0)
		ret = -errno;
	errno = saved;
	return ret;
}

int sys_waitpid(pid_t tid, int *status, int options)
{
	int saved = errno;
	pid_t ret = waitpid(tid, status, options);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/* Reap pid (our child or tracee), whatever its end: for cleanup paths. */
void sys_reap(pid_t pid)
{
	int saved = errno;

	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	errno = saved;
}

int sys_waitid(idtype_t idtype, id_t id, siginfo_t *si, int options)
{
	int saved = errno;
	int ret = waitid(idtype, id, si, options);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}
