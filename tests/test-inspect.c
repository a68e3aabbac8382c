/* SPDX-License-Identifier: MIT */
/* The inspection calls on real tracees: registers, memory (each path of the
 * fallback forced), strings, the system call of a stop, and every errno.
 * Each tracee is a child forked by the case (the same binary, so a global
 * has the same address in both), seized with PTRACE_O_EXITKILL and
 * PR_SET_PDEATHSIG, and stopped with seize_interrupt: none outlives a case. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test-common.h"

#define BOUND_MS 5000
#define KNOWN 0x1122334455667788ull
#define TEXT "hello, tracee"		/* 13 bytes */
#define BAD_FD 999			/* lseek(BAD_FD, ...) fails with EBADF */
#define LSEEK_OFF 0x1234

/* Written by the child after the fork: the parent's copies stay zero. */
static volatile uint64_t known;
static char text[32];
static volatile unsigned char bytes[64];
static volatile long last_ppid;
/* Mapped before the fork: page 0 read-write, page 1 unmapped, page 2
 * PROT_NONE (readable only by force: /proc/PID/mem and PEEKDATA). */
static char *pages;
static size_t page;

/* The flags that force each read path, and each write path. */
static const unsigned int read_paths[] = {
	0,						/* process_vm_readv */
	SEIZE_MEM_NO_VM_READV,				/* /proc/PID/mem */
	SEIZE_MEM_NO_VM_READV | SEIZE_MEM_NO_PROC_MEM,	/* PTRACE_PEEKDATA */
	SEIZE_MEM_NO_CHECK,
};
static const unsigned int write_paths[] = { 0, SEIZE_MEM_NO_PROC_MEM };
#define NPATHS(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t addr_of(const volatile void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Never run, by either process: its text is the breakpoint's target. */
__attribute__((noinline)) int inspect_breakpoint_target(int x);
__attribute__((noinline)) int inspect_breakpoint_target(int x)
{
	return x * 3 + 1;
}

static void map_pages(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	pages = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(pages, MAP_FAILED);
	memset(pages, 'p', 3 * page);
	ck_assert_int_eq(munmap(pages + page, page), 0);
	ck_assert_int_eq(mprotect(pages + 2 * page, page, PROT_NONE), 0);
}

/* ---- tracees ---- */

static int ready_fd = -1;

static void tell_ready(void)
{
	tst_write_byte(ready_fd, 'r');
}

static void write_then_pause(void *arg)
{
	size_t i;

	(void)arg;
	known = KNOWN;
	strcpy(text, TEXT);
	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)i;
	if (pages)
		memcpy(pages + page - 4, "end", 4);	/* ends 1 byte before the hole */
	tell_ready();
	for (;;)
		pause();
}

static void syscall_loop(void *arg)
{
	(void)arg;
	for (;;) {
		last_ppid = syscall(SYS_getppid);
		syscall(SYS_lseek, BAD_FD, LSEEK_OFF, SEEK_SET);
	}
}

/* getppid traps to the tracer with SECCOMP_RET_TRACE | 0x77. */
static void seccomp_loop(void *arg)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 0x77),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };

	(void)arg;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		_exit(3);
	syscall_loop(NULL);
}

/* Fork fn, and wait for it to be ready when it says so. */
static pid_t fork_ready(void (*fn)(void *))
{
	int fds[2];
	pid_t pid;

	tst_pipe(fds);
	ready_fd = fds[1];
	pid = tst_fork(fn, NULL);
	close(fds[1]);
	ready_fd = -1;
	if (fn == write_then_pause)
		ck_assert_int_eq(tst_read_byte(fds[0], BOUND_MS), 'r');
	close(fds[0]);
	return pid;
}

/* The same, then seize it, and stop it if asked. */
static pid_t start(void (*fn)(void *), unsigned int options, bool stop)
{
	struct seize_event ev;
	pid_t pid = fork_ready(fn);

	ck_assert_int_eq(seize_attach(pid, options | PTRACE_O_EXITKILL), 0);
	if (stop) {
		ck_assert_int_eq(seize_interrupt(pid), 0);
		ck_assert_int_eq(tst_wait_event(pid, &ev, BOUND_MS), pid);
		ck_assert_int_eq(ev.type, SEIZE_EVENT_STOP);
	}
	return pid;
}

/* The pages mapped (map_pages), then a stopped write_then_pause tracee
 * (which inherits them); end_with_pages() reaps it and unmaps them. */
static pid_t start_with_pages(void)
{
	map_pages();
	return start(write_then_pause, 0, true);
}

static void end_with_pages(pid_t pid)
{
	tst_reap(pid);
	munmap(pages, page);
	munmap(pages + 2 * page, page);
}

/* Resume to syscall-stops until the entry of nr; its info in *info. */
static void to_entry(pid_t pid, long nr, struct seize_syscall_info *info)
{
	struct seize_event ev;
	int i;

	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(seize_syscall(pid, 0), 0);
		ck_assert_int_eq(tst_wait_event(pid, &ev, BOUND_MS), pid);
		ck_assert_int_eq(ev.type, SEIZE_EVENT_SYSCALL);
		ck_assert_int_eq(seize_get_syscall_info(pid, info), 0);
		if (info->op == SEIZE_SYSCALL_OP_ENTRY && info->nr == (uint64_t)nr)
			return;
	}
	ck_abort_msg("no entry of syscall %ld in 200 stops", nr);
}

/* The next syscall-stop: the exit of the entry we are at. */
static void to_exit(pid_t pid, struct seize_syscall_info *info)
{
	struct seize_event ev;

	ck_assert_int_eq(seize_syscall(pid, 0), 0);
	ck_assert_int_eq(tst_wait_event(pid, &ev, BOUND_MS), pid);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_SYSCALL);
	ck_assert_int_eq(seize_get_syscall_info(pid, info), 0);
	ck_assert_int_eq(info->op, SEIZE_SYSCALL_OP_EXIT);
}

/* ---- registers ---- */

START_TEST(regs_at_syscall_stops)
{
	pid_t pid = start(syscall_loop, 0, true);
	struct seize_syscall_info info;
	struct seize_regs regs;

	to_entry(pid, SYS_getppid, &info);
	ck_assert_int_eq(seize_get_regs(pid, &regs), 0);
	ck_assert_uint_eq(SEIZE_REG_PC(&regs), info.instruction_pointer);
	ck_assert_uint_eq(SEIZE_REG_SP(&regs), info.stack_pointer);
#if defined(__x86_64__)
	ck_assert_uint_eq(regs.orig_rax, SYS_getppid);
#endif
	to_exit(pid, &info);
	ck_assert_int_eq(seize_get_regs(pid, &regs), 0);
	ck_assert_uint_eq(SEIZE_REG_RETVAL(&regs), (uint64_t)getpid());
	tst_reap(pid);
}
END_TEST

START_TEST(set_regs_changes_a_return_value)
{
	pid_t pid = start(syscall_loop, 0, true);
	struct seize_syscall_info info;
	struct seize_regs regs;
	long seen = 0;

	to_entry(pid, SYS_getppid, &info);
	to_exit(pid, &info);
	ck_assert_int_eq(seize_get_regs(pid, &regs), 0);
	SEIZE_REG_RETVAL(&regs) = 0x4242;
	ck_assert_int_eq(seize_set_regs(pid, &regs), 0);
	memset(&regs, 0, sizeof(regs));
	ck_assert_int_eq(seize_get_regs(pid, &regs), 0);
	ck_assert_uint_eq(SEIZE_REG_RETVAL(&regs), 0x4242);
	/* The child stores getppid's result before its next lseek. */
	to_entry(pid, SYS_lseek, &info);
	ck_assert_int_eq(seize_read_mem(pid, addr_of(&last_ppid), &seen, sizeof(seen), 0),
			 sizeof(seen));
	ck_assert_int_eq(seen, 0x4242);
	tst_reap(pid);
}
END_TEST

START_TEST(raw_regsets)
{
	pid_t pid = start(write_then_pause, 0, true);
	struct seize_regs typed, raw;
	unsigned char fp[4096], small[8];
	size_t size = sizeof(raw);

	ck_assert_int_eq(seize_get_regs(pid, &typed), 0);
	ck_assert_int_eq(seize_get_regset(pid, NT_PRSTATUS, &raw, &size), 0);
	ck_assert_uint_eq(size, sizeof(raw));
	ck_assert_uint_eq(SEIZE_REG_PC(&raw), SEIZE_REG_PC(&typed));
	/* A buffer smaller than the set: cut to it. */
	size = sizeof(small);
	ck_assert_int_eq(seize_get_regset(pid, NT_PRSTATUS, small, &size), 0);
	ck_assert_uint_eq(size, sizeof(small));
	ck_assert_int_eq(memcmp(small, &raw, sizeof(small)), 0);
	/* The FP set, raw, and written back as it was. */
	size = sizeof(fp);
	ck_assert_int_eq(seize_get_regset(pid, NT_PRFPREG, fp, &size), 0);
#if defined(__x86_64__)
	ck_assert_uint_eq(size, 512);	/* struct user_fpregs_struct (FXSAVE) */
	{
		size_t xsize = sizeof(fp);

		ck_assert_int_eq(seize_get_regset(pid, NT_X86_XSTATE, fp, &xsize), 0);
		ck_assert_uint_gt(xsize, 512);
		size = 512;
		ck_assert_int_eq(seize_get_regset(pid, NT_PRFPREG, fp, &size), 0);
	}
#endif
	ck_assert_int_eq(seize_set_regset(pid, NT_PRFPREG, fp, &size), 0);
	/* Unknown set, and a size that is no multiple of the set's element. */
	size = sizeof(fp);
	ck_assert_int_eq(seize_get_regset(pid, 0x7fff, fp, &size), -EINVAL);
	size = 3;
	ck_assert_int_eq(seize_get_regset(pid, NT_PRSTATUS, fp, &size), -EINVAL);
	tst_reap(pid);
}
END_TEST

/* ---- memory ---- */

START_TEST(read_known_value_each_path)
{
	pid_t pid = start(write_then_pause, 0, true);
	size_t i;

	ck_assert_uint_eq(known, 0);	/* ours: the child wrote its own */
	for (i = 0; i < NPATHS(read_paths); i++) {
		uint64_t v = 0;
		unsigned char got[13];
		size_t j;

		ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), &v, sizeof(v), read_paths[i]),
				 sizeof(v));
		ck_assert_msg(v == KNOWN, "flags %#x: read %#llx", read_paths[i],
			      (unsigned long long)v);
		/* Unaligned at both ends (PEEKDATA takes whole words). */
		ck_assert_int_eq(seize_read_mem(pid, addr_of(bytes + 3), got, sizeof(got),
						read_paths[i]), sizeof(got));
		for (j = 0; j < sizeof(got); j++)
			ck_assert_uint_eq(got[j], j + 3);
		/* Length 0: the stop check alone. */
		ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), NULL, 0, read_paths[i]), 0);
	}
	tst_reap(pid);
}
END_TEST

START_TEST(write_and_read_back_each_path)
{
	pid_t pid = start(write_then_pause, 0, true);
	size_t i, j;

	for (i = 0; i < NPATHS(write_paths); i++) {
		unsigned char out[11], back[64];

		for (j = 0; j < sizeof(out); j++)
			out[j] = (unsigned char)(0xa0 + i * 16 + j);
		ck_assert_int_eq(seize_write_mem(pid, addr_of(bytes + 5), out, sizeof(out),
						 write_paths[i]), sizeof(out));
		ck_assert_int_eq(seize_read_mem(pid, addr_of(bytes), back, sizeof(back), 0),
				 sizeof(back));
		/* The bytes around the range are as they were (the words at either
		 * end were merged, not overwritten). */
		for (j = 0; j < sizeof(back); j++)
			ck_assert_uint_eq(back[j], j >= 5 && j < 16 ? out[j - 5] : j);
		ck_assert_int_eq(seize_write_mem(pid, addr_of(bytes + 5), (const void *)(bytes + 5),
						 sizeof(out), SEIZE_MEM_NO_CHECK), sizeof(out));
		for (j = 5; j < 16; j++) {	/* put back: our bytes are 0, then 5..15 */
			unsigned char b = (unsigned char)j;

			ck_assert_int_eq(seize_write_mem(pid, addr_of(bytes + j), &b, 1,
							 write_paths[i]), 1);
		}
	}
	tst_reap(pid);
}
END_TEST

START_TEST(breakpoint_into_read_only_text)
{
	pid_t pid = start(write_then_pause, 0, true);
	uint64_t at = addr_of((const void *)(uintptr_t)inspect_breakpoint_target);
	unsigned char orig, mine = *(const volatile unsigned char *)(uintptr_t)at;
	size_t i;

	ck_assert_int_eq(seize_read_mem(pid, at, &orig, 1, 0), 1);
	ck_assert_uint_eq(orig, mine);
	for (i = 0; i < NPATHS(write_paths); i++) {
		unsigned char trap = 0xcc, back = 0;

		ck_assert_int_eq(seize_write_mem(pid, at, &trap, 1, write_paths[i]), 1);
		ck_assert_int_eq(seize_read_mem(pid, at, &back, 1, 0), 1);
		ck_assert_uint_eq(back, 0xcc);
		ck_assert_int_eq(seize_write_mem(pid, at, &orig, 1, write_paths[i]), 1);
		ck_assert_int_eq(seize_read_mem(pid, at, &back, 1, SEIZE_MEM_NO_VM_READV), 1);
		ck_assert_uint_eq(back, orig);
	}
	/* A private copy of the page: our own text (and the file) unchanged. */
	ck_assert_uint_eq(*(const volatile unsigned char *)(uintptr_t)at, mine);
	ck_assert_int_eq(inspect_breakpoint_target(2), 7);
	tst_reap(pid);
}
END_TEST

START_TEST(partial_read_stops_at_unmapped_page)
{
	pid_t pid;
	size_t i;

	pid = start_with_pages();
	for (i = 0; i < NPATHS(read_paths); i++) {
		char got[16];
		unsigned int f = read_paths[i];

		ck_assert_msg(seize_read_mem(pid, addr_of(pages + page - 8), got, sizeof(got), f) == 8,
			      "flags %#x", f);
		ck_assert_int_eq(memcmp(got, "pppp", 4), 0);
		ck_assert_int_eq(memcmp(got + 4, "end", 4), 0);
		ck_assert_int_eq(seize_read_mem(pid, addr_of(pages + page), got, sizeof(got), f),
				 -EFAULT);
		ck_assert_int_eq(seize_read_mem(pid, addr_of(pages + page + 5), got, 1, f),
				 -EFAULT);
		/* Beyond the user address space: the same answer. */
		ck_assert_int_eq(seize_read_mem(pid, 0xffffffffffff0000ull, got, 8, f), -EFAULT);
		ck_assert_int_eq(seize_read_mem(pid, 0, got, 8, f), -EFAULT);
	}
	for (i = 0; i < NPATHS(write_paths); i++) {
		char out[16];

		memset(out, 'w', sizeof(out));
		ck_assert_int_eq(seize_write_mem(pid, addr_of(pages + page - 8), out, sizeof(out),
						 write_paths[i]), 8);
		ck_assert_int_eq(seize_write_mem(pid, addr_of(pages + page), out, sizeof(out),
						 write_paths[i]), -EFAULT);
	}
	end_with_pages(pid);
}
END_TEST

START_TEST(prot_none_is_read_by_the_forced_paths)
{
	pid_t pid;
	char got[8];

	pid = start_with_pages();
	/* process_vm_readv is refused the page (EFAULT); the chain goes on to
	 * /proc/PID/mem, which reads it by force, as PEEKDATA does. */
	ck_assert_int_eq(seize_read_mem(pid, addr_of(pages + 2 * page), got, sizeof(got), 0),
			 sizeof(got));
	ck_assert_int_eq(memcmp(got, "pppppppp", 8), 0);
	memset(got, 0, sizeof(got));
	ck_assert_int_eq(seize_read_mem(pid, addr_of(pages + 2 * page), got, sizeof(got),
					SEIZE_MEM_NO_VM_READV | SEIZE_MEM_NO_PROC_MEM), sizeof(got));
	ck_assert_int_eq(memcmp(got, "pppppppp", 8), 0);
	end_with_pages(pid);
}
END_TEST

START_TEST(read_string_each_path)
{
	pid_t pid;
	size_t i;

	pid = start_with_pages();
	for (i = 0; i < NPATHS(read_paths); i++) {
		unsigned int f = read_paths[i];
		char buf[64];
		bool cut = true;

		ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, sizeof(buf), f, &cut), 13);
		ck_assert_str_eq(buf, TEXT);
		ck_assert(!cut);
		ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, 6, f, &cut), 5);
		ck_assert_str_eq(buf, "hello");
		ck_assert(cut);
		/* Exactly fits (13 + NUL), and one byte short of it. */
		ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, 14, f, &cut), 13);
		ck_assert(!cut);
		ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, 13, f, &cut), 12);
		ck_assert(cut);
		ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, 1, f, &cut), 0);
		ck_assert_str_eq(buf, "");
		ck_assert(cut);
		ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, sizeof(buf), f, NULL), 13);
		/* Ends just before the hole: read whole, nothing past its page. */
		ck_assert_int_eq(seize_read_string(pid, addr_of(pages + page - 4), buf, sizeof(buf),
						   f, &cut), 3);
		ck_assert_str_eq(buf, "end");
		ck_assert(!cut);
		/* Runs into the hole with no NUL: -EFAULT, and the bytes before it. */
		ck_assert_int_eq(seize_write_mem(pid, addr_of(pages + page - 4), "qqqq", 4, 0), 4);
		ck_assert_int_eq(seize_read_string(pid, addr_of(pages + page - 12), buf, sizeof(buf),
						   f, &cut), -EFAULT);
		ck_assert_str_eq(buf, "ppppppppqqqq");
		ck_assert_int_eq(seize_read_string(pid, addr_of(pages + page - 12), buf, 5, f, &cut),
				 4);
		ck_assert_str_eq(buf, "pppp");
		ck_assert(cut);
		ck_assert_int_eq(seize_write_mem(pid, addr_of(pages + page - 4), "end", 4, 0), 4);
		ck_assert_int_eq(seize_read_string(pid, addr_of(pages + page), buf, 16, f, &cut),
				 -EFAULT);
		ck_assert_str_eq(buf, "");
	}
	end_with_pages(pid);
}
END_TEST

/* ---- errors ---- */

/* Every call on pid gives err. */
static void all_calls_give(pid_t pid, int err)
{
	struct seize_syscall_info info;
	struct seize_regs regs;
	uint64_t v = 0;
	size_t size = sizeof(regs);
	char s[8];
	size_t i;

	memset(&regs, 0, sizeof(regs));

	ck_assert_int_eq(seize_get_regs(pid, &regs), err);
	ck_assert_int_eq(seize_set_regs(pid, &regs), err);
	ck_assert_int_eq(seize_get_regset(pid, NT_PRSTATUS, &regs, &size), err);
	ck_assert_int_eq(seize_set_regset(pid, NT_PRSTATUS, &regs, &size), err);
	ck_assert_int_eq(seize_get_syscall_info(pid, &info), err);
	for (i = 0; i < NPATHS(read_paths); i++) {
		if (read_paths[i] & SEIZE_MEM_NO_CHECK)
			continue;
		ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), &v, sizeof(v), read_paths[i]),
				 err);
		ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), NULL, 0, read_paths[i]), err);
		ck_assert_int_eq(seize_read_string(pid, addr_of(text), s, sizeof(s), read_paths[i],
						   NULL), err);
	}
	for (i = 0; i < NPATHS(write_paths); i++)
		ck_assert_int_eq(seize_write_mem(pid, addr_of(&known), &v, sizeof(v),
						 write_paths[i]), err);
}

START_TEST(untraced_is_esrch)
{
	pid_t pid = fork_ready(write_then_pause);

	all_calls_give(pid, -ESRCH);
	tst_reap(pid);
}
END_TEST

START_TEST(running_is_esrch)
{
	pid_t pid = start(write_then_pause, 0, false);
	uint64_t v = 0;

	tst_wait_state(pid, "S", BOUND_MS);
	all_calls_give(pid, -ESRCH);
	/* Unchecked, as documented: process_vm_readv reads a running process. */
	ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), &v, sizeof(v), SEIZE_MEM_NO_CHECK),
			 sizeof(v));
	ck_assert_uint_eq(v, KNOWN);
	ck_assert_int_eq(tst_proc_state(pid), 'S');	/* none of it stopped it */
	tst_reap(pid);
}
END_TEST

START_TEST(listening_is_esrch)
{
	pid_t pid = start(write_then_pause, 0, false);
	struct seize_event ev;

	tst_kill(pid, SIGSTOP);
	ck_assert_int_eq(tst_wait_event(pid, &ev, BOUND_MS), pid);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_SIGNAL);
	ck_assert_int_eq(seize_cont(pid, SIGSTOP), 0);
	ck_assert_int_eq(tst_wait_event(pid, &ev, BOUND_MS), pid);
	ck_assert(ev.type == SEIZE_EVENT_STOP && ev.group_stop);
	ck_assert_int_eq(seize_get_regs(pid, &(struct seize_regs){ 0 }), 0);	/* stopped */
	ck_assert_int_eq(seize_listen(pid), 0);
	all_calls_give(pid, -ESRCH);
	tst_reap(pid);
}
END_TEST

START_TEST(dead_and_reaped_are_esrch)
{
	pid_t pid = start(write_then_pause, 0, true);

	/* Killed, not yet reaped: a zombie. */
	tst_kill(pid, SIGKILL);
	tst_wait_state(pid, "Z", BOUND_MS);
	all_calls_give(pid, -ESRCH);
	tst_reap(pid);
	all_calls_give(pid, -ESRCH);
}
END_TEST

START_TEST(bad_arguments_are_einval)
{
	pid_t pid = start(write_then_pause, 0, true);
	struct seize_syscall_info info;
	struct seize_regs regs;
	size_t size = sizeof(regs);
	char buf[8];
	bool cut = false;

	ck_assert_int_eq(seize_get_regs(0, &regs), -EINVAL);
	ck_assert_int_eq(seize_get_regs(-1, &regs), -EINVAL);
	ck_assert_int_eq(seize_get_regs(pid, NULL), -EINVAL);
	ck_assert_int_eq(seize_set_regs(pid, NULL), -EINVAL);
	ck_assert_int_eq(seize_set_regs(0, &regs), -EINVAL);
	ck_assert_int_eq(seize_get_regset(pid, NT_PRSTATUS, &regs, NULL), -EINVAL);
	ck_assert_int_eq(seize_get_regset(pid, NT_PRSTATUS, NULL, &size), -EINVAL);
	ck_assert_int_eq(seize_set_regset(pid, NT_PRSTATUS, NULL, &size), -EINVAL);
	ck_assert_int_eq(seize_set_regset(-3, NT_PRSTATUS, &regs, &size), -EINVAL);
	ck_assert_int_eq(seize_get_syscall_info(pid, NULL), -EINVAL);
	ck_assert_int_eq(seize_get_syscall_info(0, &info), -EINVAL);
	ck_assert_int_eq(seize_read_mem(0, addr_of(&known), buf, 8, 0), -EINVAL);
	ck_assert_int_eq(seize_read_mem(-1, addr_of(&known), buf, 8, 0), -EINVAL);
	ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), NULL, 8, 0), -EINVAL);
	ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), buf, 8, 1u << 7), -EINVAL);
	ck_assert_int_eq(seize_read_mem(pid, addr_of(&known), buf, (size_t)SSIZE_MAX + 1, 0),
			 -EINVAL);
	ck_assert_int_eq(seize_read_mem(pid, UINT64_MAX - 3, buf, 8, 0), -EINVAL);
	ck_assert_int_eq(seize_write_mem(pid, addr_of(&known), NULL, 8, 0), -EINVAL);
	ck_assert_int_eq(seize_write_mem(pid, addr_of(&known), buf, 8, 1u << 9), -EINVAL);
	ck_assert_int_eq(seize_write_mem(0, addr_of(&known), buf, 8, 0), -EINVAL);
	ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, 0, 0, &cut), -EINVAL);
	ck_assert_int_eq(seize_read_string(pid, addr_of(text), NULL, 8, 0, &cut), -EINVAL);
	ck_assert_int_eq(seize_read_string(pid, addr_of(text), buf, 8, 1u << 5, &cut), -EINVAL);
	ck_assert_str_eq(buf, "");	/* terminated even when refused */
	ck_assert_int_eq(seize_read_string(0, addr_of(text), buf, 8, 0, NULL), -EINVAL);
	/* The tracee is still at its stop: nothing was sent. */
	ck_assert_int_eq(tst_proc_state(pid), 't');
	tst_reap(pid);
}
END_TEST

START_TEST(errno_is_untouched)
{
	pid_t pid = start(write_then_pause, 0, true);
	uint64_t v;
	char s[4];

	errno = 4242;
	ck_assert_int_eq(seize_read_mem(pid, 0, &v, sizeof(v), 0), -EFAULT);
	ck_assert_int_eq(seize_read_mem(pid, 0, &v, sizeof(v), SEIZE_MEM_NO_VM_READV), -EFAULT);
	ck_assert_int_eq(seize_read_string(pid, addr_of(text), s, sizeof(s), 0, NULL), 3);
	ck_assert_int_eq(seize_get_regs(pid + 0, &(struct seize_regs){ 0 }), 0);
	ck_assert_int_eq(seize_write_mem(pid, 0, &v, 1, SEIZE_MEM_NO_PROC_MEM), -EFAULT);
	ck_assert_int_eq(errno, 4242);
	tst_reap(pid);
}
END_TEST

/* ---- the system call of a stop ---- */

START_TEST(syscall_info_entry_and_exit)
{
	pid_t pid = start(syscall_loop, 0, true);
	struct seize_syscall_info info;

	/* An interrupt stop is no syscall stop: only the common part. */
	ck_assert_int_eq(seize_get_syscall_info(pid, &info), 0);
	ck_assert_int_eq(info.op, SEIZE_SYSCALL_OP_NONE);
#if defined(__x86_64__)
	ck_assert_uint_eq(info.arch, AUDIT_ARCH_X86_64);
#endif
	ck_assert_uint_ne(info.instruction_pointer, 0);
	ck_assert_uint_eq(info.nr, 0);

	to_entry(pid, SYS_getppid, &info);
	to_exit(pid, &info);
	ck_assert_int_eq(info.rval, getpid());
	ck_assert(!info.is_error);

	to_entry(pid, SYS_lseek, &info);
	ck_assert_uint_eq(info.args[0], BAD_FD);
	ck_assert_uint_eq(info.args[1], LSEEK_OFF);
	ck_assert_uint_eq(info.args[2], SEEK_SET);
	to_exit(pid, &info);
	ck_assert_int_eq(info.rval, -EBADF);
	ck_assert(info.is_error);
	ck_assert_uint_eq(info.nr, 0);	/* not an exit's field: zero */
	tst_reap(pid);
}
END_TEST

START_TEST(syscall_info_at_seccomp_stop)
{
	pid_t pid = start(seccomp_loop, PTRACE_O_TRACESECCOMP, false);
	struct seize_syscall_info info;
	struct seize_event ev;

	/* Its first getppid since the seize stops it. */
	ck_assert_int_eq(tst_wait_event(pid, &ev, BOUND_MS), pid);
	ck_assert_msg(ev.type == SEIZE_EVENT_SECCOMP, "got %s", seize_event_name(&ev));
	ck_assert_uint_eq(ev.msg, 0x77);
	ck_assert_int_eq(seize_get_syscall_info(pid, &info), 0);
	ck_assert_int_eq(info.op, SEIZE_SYSCALL_OP_SECCOMP);
	ck_assert_uint_eq(info.nr, SYS_getppid);
	ck_assert_uint_eq(info.ret_data, 0x77);
	tst_reap(pid);
}
END_TEST

TEST_SUITE(inspect, true)
{
	ADD_CASE(s, regs_at_syscall_stops);
	ADD_CASE(s, set_regs_changes_a_return_value);
	ADD_CASE(s, raw_regsets);
	ADD_CASE(s, read_known_value_each_path);
	ADD_CASE(s, write_and_read_back_each_path);
	ADD_CASE(s, breakpoint_into_read_only_text);
	ADD_CASE(s, partial_read_stops_at_unmapped_page);
	ADD_CASE(s, prot_none_is_read_by_the_forced_paths);
	ADD_CASE(s, read_string_each_path);
	ADD_CASE(s, untraced_is_esrch);
	ADD_CASE(s, running_is_esrch);
	ADD_CASE(s, listening_is_esrch);
	ADD_CASE(s, dead_and_reaped_are_esrch);
	ADD_CASE(s, bad_arguments_are_einval);
	ADD_CASE(s, errno_is_untouched);
	ADD_CASE(s, syscall_info_entry_and_exit);
	ADD_CASE(s, syscall_info_at_seccomp_stop);
}
