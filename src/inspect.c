/* SPDX-License-Identifier: MIT */
/* Inspection of a stopped tracee: its registers (PTRACE_GETREGSET and
 * SETREGSET), its memory (process_vm_readv, /proc/TID/mem, PEEKDATA and
 * POKEDATA, in that order of preference) and the system call it is in
 * (PTRACE_GET_SYSCALL_INFO).  No allocation on any path: /proc/TID/mem is
 * opened and closed within a call, its path formatted on the stack. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

#include "internal.h"

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e	/* Linux 5.3; glibc 2.30 */
#endif

#if defined(__x86_64__)
_Static_assert(sizeof(struct seize_regs) == sizeof(struct user_regs_struct),
	       "struct seize_regs is the kernel's user_regs_struct");
_Static_assert(offsetof(struct seize_regs, rip) == offsetof(struct user_regs_struct, rip) &&
	       offsetof(struct seize_regs, orig_rax) == offsetof(struct user_regs_struct, orig_rax) &&
	       offsetof(struct seize_regs, gs) == offsetof(struct user_regs_struct, gs),
	       "struct seize_regs is the kernel's user_regs_struct, field for field");
#elif defined(__aarch64__)
_Static_assert(sizeof(struct seize_regs) == sizeof(struct user_regs_struct),
	       "struct seize_regs is the kernel's user_pt_regs");
#endif

/* ---- registers ---- */

static long regset(int req, pid_t tid, unsigned int type, void *buf, size_t *size)
{
	struct iovec iov = { buf, *size };
	long ret = sys_ptrace(req, tid, (void *)(uintptr_t)type, &iov);

	if (ret < 0)
		return ret;
	*size = iov.iov_len;
	return 0;
}

SEIZE_EXPORT int seize_get_regset(pid_t tid, unsigned int type, void *buf, size_t *size)
{
	if (tid <= 0 || !size || (!buf && *size > 0))
		return -EINVAL;
	return (int)regset(PTRACE_GETREGSET, tid, type, buf, size);
}

SEIZE_EXPORT int seize_set_regset(pid_t tid, unsigned int type, const void *buf, size_t *size)
{
	if (tid <= 0 || !size || (!buf && *size > 0))
		return -EINVAL;
	/* SETREGSET only reads the buffer: the iovec has no const member. */
	return (int)regset(PTRACE_SETREGSET, tid, type, (void *)(uintptr_t)buf, size);
}

SEIZE_EXPORT int seize_get_regs(pid_t tid, struct seize_regs *regs)
{
	size_t size = sizeof(*regs);
	long ret;

	if (tid <= 0 || !regs)
		return -EINVAL;
#ifndef SEIZE_REGS_TYPED
	memset(regs, 0, sizeof(*regs));
#endif
	ret = regset(PTRACE_GETREGSET, tid, NT_PRSTATUS, regs, &size);
	if (ret < 0)
		return (int)ret;
#ifdef SEIZE_REGS_TYPED
	/* A compat (32-bit) tracee has a smaller set of another layout. */
	if (size != sizeof(*regs))
		return -ENOEXEC;
#endif
	return 0;
}

SEIZE_EXPORT int seize_set_regs(pid_t tid, const struct seize_regs *regs)
{
	struct seize_regs now;
	size_t size = sizeof(now);
	long ret;

	if (tid <= 0 || !regs)
		return -EINVAL;
	/* Learn the layout before writing: a 32-bit tracee would take the first
	 * 68 bytes of a 64-bit set as its own registers. */
	ret = regset(PTRACE_GETREGSET, tid, NT_PRSTATUS, &now, &size);
	if (ret < 0)
		return (int)ret;
#ifdef SEIZE_REGS_TYPED
	if (size != sizeof(now))
		return -ENOEXEC;
#endif
	return (int)regset(PTRACE_SETREGSET, tid, NT_PRSTATUS, (void *)(uintptr_t)regs, &size);
}

/* ---- memory ---- */

#define MEM_FLAGS (SEIZE_MEM_NO_VM_READV | SEIZE_MEM_NO_PROC_MEM | SEIZE_MEM_NO_CHECK)

/* Our tracee, in a ptrace-stop: the kernel's own check (ptrace_check_attach),
 * made by the cheapest request that has it. */
static int check_stopped(pid_t tid)
{
	unsigned long msg;
	long ret = sys_ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg);

	return ret < 0 ? (int)ret : 0;
}

static int check_args(pid_t tid, uint64_t addr, const void *buf, size_t len, unsigned int flags)
{
	if (tid <= 0 || (!buf && len > 0) || len > SSIZE_MAX || (flags & ~MEM_FLAGS) ||
	    len > UINT64_MAX - addr)
		return -EINVAL;
	if (flags & SEIZE_MEM_NO_CHECK)
		return 0;
	return check_stopped(tid);
}

/* What a failed path means: the memory (EFAULT), the tracee gone (ESRCH),
 * or the path refused (anything else: EPERM, EACCES, ENOSYS, no /proc). */
static ssize_t classify(ssize_t err)
{
	if (err == -EFAULT || err == -EIO)
		return -EFAULT;
	if (err == -ESRCH)
		return -ESRCH;
	return -EPERM;
}

/* /proc/TID/mem, read or written from addr until done or an error: the
 * bytes moved, or the classified error of the first transfer. */
static ssize_t proc_mem(pid_t tid, uint64_t addr, void *buf, size_t len, bool write)
{
	char path[32];
	size_t done = 0;
	ssize_t ret = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	fd = sys_open(path, write ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -EPERM;	/* no /proc, or refused: the next path says if it is gone */
	while (done < len) {
		ret = sys_pio(fd, (char *)buf + done, len - done, addr + done, write);
		if (ret <= 0)
			break;
		done += (size_t)ret;
	}
	sys_close(fd);
	if (done > 0 || len == 0)
		return (ssize_t)done;
	return ret == 0 ? -ESRCH : classify(ret);	/* 0: its memory is gone (exit) */
}

#define WORD sizeof(unsigned long)

static ssize_t peek_read(pid_t tid, uint64_t addr, char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done, base = at & ~(uint64_t)(WORD - 1);
		size_t skip = (size_t)(at - base), n = WORD - skip;
		unsigned long word;
		int ret = sys_peekdata(tid, base, &word);

		if (ret < 0)
			return done > 0 ? (ssize_t)done : classify(ret);
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, (char *)&word + skip, n);
		done += n;
	}
	return (ssize_t)done;
}

static ssize_t poke_write(pid_t tid, uint64_t addr, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done, base = at & ~(uint64_t)(WORD - 1);
		size_t skip = (size_t)(at - base), n = WORD - skip;
		unsigned long word = 0;
		long ret = 0;

		if (n > len - done)
			n = len - done;
		if (n < WORD)	/* a word at either end: keep its other bytes */
			ret = sys_peekdata(tid, base, &word);
		if (ret == 0) {
			memcpy((char *)&word + skip, buf + done, n);
			ret = sys_ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)base,
					 (void *)word);
		}
		if (ret < 0)
			return done > 0 ? (ssize_t)done : classify(ret);
		done += n;
	}
	return (ssize_t)done;
}

/* The chain of reads, after the checks.  A path that is refused hands the
 * whole range on; one that stops short hands on the rest, since the next
 * ones also read what the tracee itself may not (PROT_NONE). */
static ssize_t read_mem(pid_t tid, uint64_t addr, char *buf, size_t len, unsigned int flags)
{
	ssize_t ret, err = -EPERM;
	size_t done = 0;

	if (len == 0)
		return 0;
	if (!(flags & SEIZE_MEM_NO_VM_READV)) {
		ret = sys_process_vm_readv(tid, buf, len, addr);
		if (ret >= 0) {
			done = (size_t)ret;
			if (done == len)
				return ret;
			err = -EFAULT;
		} else if ((err = classify(ret)) == -ESRCH) {
			return ret;
		}
	}
	if (!(flags & SEIZE_MEM_NO_PROC_MEM)) {
		ret = proc_mem(tid, addr + done, buf + done, len - done, false);
		if (ret > 0)
			return (ssize_t)done + ret;
		if (ret != -EPERM)	/* the memory ends here, or the tracee is gone */
			return done > 0 ? (ssize_t)done : ret;
	}
	ret = peek_read(tid, addr + done, buf + done, len - done);
	if (ret > 0)
		return (ssize_t)done + ret;
	if (done > 0)
		return (ssize_t)done;
	/* Nothing read: the memory's answer wins over a refusal. */
	return err == -EFAULT ? -EFAULT : ret;
}

SEIZE_EXPORT ssize_t seize_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len,
				    unsigned int flags)
{
	int ret;

	/* The common read of a debugger or an unwinder, one word: PEEKDATA
	 * is the stop check and the transfer in one system call. */
	if (flags == 0 && tid > 0 && buf && len > 0 && len <= WORD &&
	    (addr & (WORD - 1)) + len <= WORD && len <= UINT64_MAX - addr)
		return peek_read(tid, addr, buf, len);
	ret = check_args(tid, addr, buf, len, flags);
	if (ret < 0)
		return ret;
	return read_mem(tid, addr, buf, len, flags);
}

SEIZE_EXPORT ssize_t seize_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len,
				     unsigned int flags)
{
	int err = check_args(tid, addr, buf, len, flags);
	ssize_t ret;

	if (err < 0)
		return err;
	if (len == 0)
		return 0;
	if (!(flags & SEIZE_MEM_NO_PROC_MEM)) {
		ret = proc_mem(tid, addr, (void *)(uintptr_t)buf, len, true);
		if (ret != -EPERM)
			return ret;
	}
	return poke_write(tid, addr, buf, len);
}

SEIZE_EXPORT ssize_t seize_read_string(pid_t tid, uint64_t addr, char *buf, size_t size,
				       unsigned int flags, bool *truncated)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), got = 0;
	ssize_t ret;
	char next;

	if (truncated)
		*truncated = false;
	if (!buf || size == 0)
		return -EINVAL;
	buf[0] = '\0';
	ret = check_args(tid, addr, buf, size, flags);
	if (ret < 0)
		return ret;
	/* A page at a time: never a read past the page that holds the NUL. */
	while (got < size - 1) {
		uint64_t at = addr + got;
		size_t chunk = page - (size_t)(at % page);
		const char *nul;

		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		ret = read_mem(tid, at, buf + got, chunk, flags);
		if (ret < 0) {
			buf[got] = '\0';
			return ret;
		}
		nul = memchr(buf + got, '\0', (size_t)ret);
		if (nul)
			return nul - buf;
		got += (size_t)ret;
		if ((size_t)ret < chunk) {	/* unreadable before the NUL */
			buf[got] = '\0';
			return -EFAULT;
		}
	}
	buf[got] = '\0';
	/* Full: truncated unless the very next byte is the NUL. */
	if (truncated)
		*truncated = read_mem(tid, addr + got, &next, 1, flags) != 1 || next != '\0';
	return (ssize_t)got;
}

/* ---- the system call of a stop ---- */

/* struct ptrace_syscall_info of <linux/ptrace.h>, kept here so that the
 * build does not depend on the headers' age: the kernel's ABI. */
struct kernel_syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct {
			uint64_t nr;
			uint64_t args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
		struct {
			uint64_t nr;
			uint64_t args[6];
			uint32_t ret_data;
		} seccomp;
	};
};

SEIZE_EXPORT int seize_get_syscall_info(pid_t tid, struct seize_syscall_info *info)
{
	struct kernel_syscall_info k;
	long ret;

	if (tid <= 0 || !info)
		return -EINVAL;
	memset(&k, 0, sizeof(k));	/* what an older kernel leaves out reads as zero */
	ret = sys_ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(k), &k);
	if (ret < 0)
		return (int)ret;
	memset(info, 0, sizeof(*info));
	info->op = (enum seize_syscall_op)k.op;
	info->arch = k.arch;
	info->instruction_pointer = k.instruction_pointer;
	info->stack_pointer = k.stack_pointer;
	switch (k.op) {
	case SEIZE_SYSCALL_OP_ENTRY:
		info->nr = k.entry.nr;
		memcpy(info->args, k.entry.args, sizeof(info->args));
		break;
	case SEIZE_SYSCALL_OP_EXIT:
		info->rval = k.exit.rval;
		info->is_error = k.exit.is_error != 0;
		break;
	case SEIZE_SYSCALL_OP_SECCOMP:
		info->nr = k.seccomp.nr;
		memcpy(info->args, k.seccomp.args, sizeof(info->args));
		info->ret_data = k.seccomp.ret_data;
		break;
	default:	/* NONE, or an op of a later kernel: only the common part */
		break;
	}
	return 0;
}
