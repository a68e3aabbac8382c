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

/* Reap pid (our child or tracee) once it is dying (killed, or exiting of
 * itself): a tracee may report a stop on its way, and only its end ends it. */
void sys_reap(pid_t pid)
{
	int saved = errno, status;
	pid_t ret;

	do
		ret = waitpid(pid, &status, __WALL);
	while ((ret < 0 && errno == EINTR) ||
	       (ret == pid && !WIFEXITED(status) && !WIFSIGNALED(status)));
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
