/* SPDX-License-Identifier: MIT */
/* Every ptrace(2) and wait(2) call of the library goes through here (and the
 * memory transfers of inspect.c: process_vm_readv, /proc/PID/mem), so that
 * errno becomes a negative return value in one place and the caller's errno
 * is never disturbed. */
#define _GNU_SOURCE	/* process_vm_readv */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* PTRACE_PEEKDATA as the kernel has it: the word goes to *word, so that a
 * word that looks like -errno is not taken for one. */
int sys_peekdata(pid_t tid, uint64_t addr, unsigned long *word)
{
	int saved = errno;
	long ret = syscall(SYS_ptrace, PTRACE_PEEKDATA, tid, (void *)(uintptr_t)addr, word);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return (int)ret;
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

/* One remote range into one local buffer: the bytes read, or -errno. */
ssize_t sys_process_vm_readv(pid_t pid, void *buf, size_t len, uint64_t addr)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	int saved = errno;
	ssize_t ret = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

int sys_open(const char *path, int flags)
{
	int saved = errno;
	int ret = open(path, flags | O_CLOEXEC);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

void sys_close(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* pread, or pwrite (write), at a 64-bit offset (an address in
 * /proc/PID/mem): one beyond off_t's range cannot be reached, which the file
 * says with EIO. */
ssize_t sys_pio(int fd, void *buf, size_t len, uint64_t off, bool write)
{
	int saved = errno;
	ssize_t ret;

	if (off > (uint64_t)INT64_MAX)
		return -EIO;
	ret = write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}
