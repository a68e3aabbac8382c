/* SPDX-License-Identifier: MIT */
/* Errors as API: every errno value that tracer.h and the man pages list for
 * a tracer call is provoked here, on the real kernel, and the call is seen
 * to have left nothing behind.  Limits (descriptors, memory, processes,
 * a seccomp filter) are set in a child of the test, never in the test.
 * -EIO, the catch-all, is what no list names, so nothing here can make it;
 * a call from another thread (-EINVAL) is in test-tracer.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-recorder.h"

#define NOBODY 65534

/* Run fn in a child (so limits stay there) and return what it returned. */
struct in_child {
	int (*fn)(void *arg);
	void *arg;
	int result_fd;
};

static void child_main(void *arg)
{
	struct in_child *c = arg;
	int ret = c->fn(c->arg);

	if (write(c->result_fd, &ret, sizeof(ret)) != sizeof(ret))
		_exit(3);
}

static int in_child(int (*fn)(void *arg), void *arg)
{
	struct in_child c = { .fn = fn, .arg = arg };
	int fds[2], ret = 0, status;
	pid_t pid;

	tst_pipe(fds);
	c.result_fd = fds[1];
	pid = tst_fork(child_main, &c);
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	ck_assert_msg(read(fds[0], &ret, sizeof(ret)) == sizeof(ret), "the child gave no result");
	close(fds[0]);
	return ret;
}

/* Leave no descriptor free: the next open() fails with EMFILE. */
static void use_every_descriptor(void)
{
	struct rlimit rl = { 64, 64 };
	int i;

	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	for (i = 0; i < 64; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			break;
	ck_assert_int_eq(errno, EMFILE);
}

/* Leave no memory to allocate: the address space may not grow, and the
 * heap is used up.  The stack is grown first, so calls still work.  check
 * allocates at each assertion, so none is made from here on: a heap that
 * is not used up ends the child with 4. */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char stack[256 * 1024];

	memset((char *)stack, 1, sizeof(stack));
}

static void use_all_memory(void)
{
	struct rlimit rl;
	char buf[4096];
	const char *v;
	long vm_kib;
	size_t n;

	grow_stack();
	ck_assert_int_gt(tst_read_small("/proc/self/status", buf, sizeof(buf)), 0);
	v = strstr(buf, "VmSize:");
	ck_assert_ptr_nonnull(v);
	vm_kib = strtol(v + 7, NULL, 10);
	rl.rlim_cur = rl.rlim_max = (rlim_t)vm_kib * 1024;
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
	for (n = 0; n < 100000000 && malloc(4096); n++)
		;
	for (n = 0; n < 100000000 && malloc(16); n++)
		;
	if (malloc(16))
		_exit(4);
}

/* As nobody, with one process allowed: fork and pthread_create fail. */
static void allow_no_new_process(void)
{
	struct rlimit rl = { 1, 1 };

	ck_assert_int_eq(setrlimit(RLIMIT_NPROC, &rl), 0);
	ck_assert_int_eq(setgroups(0, NULL), 0);
	ck_assert_int_eq(setgid(NOBODY), 0);
	ck_assert_int_eq(setuid(NOBODY), 0);
}

/* ptrace(2) refused with EPERM, as a sandbox does. */
static void refuse_ptrace(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ptrace, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
}

START_TEST(new_einval)
{
	struct seize_tracer_config cfg = { 0 }, bad_flag = { .flags = 1u << 30 },
				   bad_reserved = { .reserved = { 1 } };
	struct seize_tracer *t = NULL;

	ck_assert_int_eq(seize_tracer_new(NULL, &t), -EINVAL);
	ck_assert_int_eq(seize_tracer_new(&cfg, NULL), -EINVAL);
	ck_assert_int_eq(seize_tracer_new(&bad_flag, &t), -EINVAL);
	ck_assert_int_eq(seize_tracer_new(&bad_reserved, &t), -EINVAL);
	ck_assert_ptr_null(t);
}
END_TEST

static int new_without_memory(void *arg)
{
	struct seize_tracer_config cfg = { 0 };
	struct seize_tracer *t = NULL;

	(void)arg;
	use_all_memory();
	return seize_tracer_new(&cfg, &t);
}

START_TEST(new_enomem)
{
	ck_assert_int_eq(in_child(new_without_memory, NULL), -ENOMEM);
}
END_TEST

START_TEST(attach_esrch_ealready_einval)
{
	struct seize_tracer *t = new_tracer(0);
	pid_t pid = tst_fork_pauser();

	ck_assert_int_eq(seize_tracer_attach(t, tst_vanished_pid()), -ESRCH);
	ck_assert_int_eq(seize_tracer_attach(NULL, pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(t, 0), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(t, -1), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	ck_assert_int_eq(seize_tracer_attach(t, pid), -EALREADY);
	seize_tracer_destroy(t);
	ck_assert_int_eq(tst_tracer_pid(pid), 0);
	tst_reap(pid);
}
END_TEST

START_TEST(attach_eperm)
{
	struct seize_tracer *t = new_tracer(0);
	unsigned int procs = 1, threads = 1;

	/* A process cannot trace itself. */
	ck_assert_int_eq(seize_tracer_attach(t, getpid()), -EPERM);
	ck_assert_int_eq(seize_tracer_count(t, &procs, &threads), 0);
	ck_assert_uint_eq(procs + threads, 0);
	seize_tracer_destroy(t);
}
END_TEST

struct target {
	pid_t pid;
};

static int attach_without_descriptors(void *arg)
{
	struct target *target = arg;
	struct seize_tracer *t = new_tracer(0);

	use_every_descriptor();
	return seize_tracer_attach(t, target->pid);
}

static int attach_without_memory(void *arg)
{
	struct target *target = arg;
	struct seize_tracer *t = new_tracer(0);

	use_all_memory();
	return seize_tracer_attach(t, target->pid);
}

static void attach_limited(int (*attach)(void *arg), int expected)
{
	struct target target = { .pid = tst_fork_pauser() };

	ck_assert_int_eq(in_child(attach, &target), expected);
	/* Nothing stays attached, nothing was stopped. */
	ck_assert_int_eq(tst_tracer_pid(target.pid), 0);
	ck_assert_int_eq(tst_proc_state(target.pid), 'S');
	tst_reap(target.pid);
}

START_TEST(attach_emfile)
{
	attach_limited(attach_without_descriptors, -EMFILE);
}
END_TEST

START_TEST(attach_enomem)
{
	attach_limited(attach_without_memory, -ENOMEM);
}
END_TEST

/* spawn, from its arguments to the exec: each case names what makes it. */
static char dir[] = "/tmp/seize-errors-XXXXXX";

static void make_dir(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	/* Its own mkdtemp name, checked: nothing else is removed. */
	ck_assert(strncmp(dir, "/tmp/seize-errors-", 18) == 0 && !strchr(dir + 18, '/'));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *path_in_dir(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int spawn_with(struct seize_tracer *t, char *const argv[])
{
	pid_t pid = 0;
	int ret = seize_tracer_spawn(t, argv, &pid);

	if (ret == 0) {
		/* Not expected: end it, and say what came. */
		tst_kill(pid, SIGKILL);
		while (seize_tracer_dispatch(t, SEIZE_TRACER_WAIT) != -ECHILD)
			;
	}
	return ret;
}

static int spawn_status(char *const argv[])
{
	struct seize_tracer *t = new_tracer(0);
	int ret = spawn_with(t, argv);

	seize_tracer_destroy(t);
	return ret;
}

static int spawn1(const char *command)
{
	char *argv[] = { (char *)command, NULL };

	return spawn_status(argv);
}

START_TEST(spawn_exec_errors)
{
	char *long_name = malloc(300), *big_arg = malloc(200 * 1024);
	char *argv_big[] = { "true", big_arg, NULL };
	int fd;

	make_dir();
	ck_assert_int_eq(spawn1("seize-no-such-command-here"), -ENOENT);
	/* No execute permission, and a directory: EACCES. */
	fd = open(path_in_dir("plain"), O_WRONLY | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(spawn1(path_in_dir("plain")), -EACCES);
	ck_assert_int_eq(spawn1(dir), -EACCES);
	memset(big_arg, 'x', 200 * 1024 - 1);
	big_arg[200 * 1024 - 1] = 0;
	ck_assert_int_eq(spawn_status(argv_big), -E2BIG);
	memset(long_name, 'n', 299);
	long_name[299] = 0;
	ck_assert_int_eq(spawn1(long_name), -ENAMETOOLONG);
	ck_assert_int_eq(symlink(path_in_dir("loop-b"), path_in_dir("loop-a")), 0);
	ck_assert_int_eq(symlink(path_in_dir("loop-a"), path_in_dir("loop-b")), 0);
	ck_assert_int_eq(spawn1(path_in_dir("loop-a")), -ELOOP);
	ck_assert_int_eq(spawn1(path_in_dir("plain/x")), -ENOTDIR);
	/* An executable open for writing. */
	fd = open(path_in_dir("busy"), O_WRONLY | O_CREAT, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "#!/bin/sh\n", 10), 10);
	ck_assert_int_eq(spawn1(path_in_dir("busy")), -ETXTBSY);
	close(fd);
	remove_dir();
	free(long_name);
	free(big_arg);
	tst_expect_no_children(NULL);
}
END_TEST

START_TEST(spawn_einval)
{
	struct seize_tracer *t = new_tracer(0);
	char *empty[] = { NULL }, *argv[] = { "true", NULL };
	pid_t pid;

	ck_assert_int_eq(seize_tracer_spawn(NULL, argv, &pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_spawn(t, NULL, &pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_spawn(t, empty, &pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_spawn(t, argv, NULL), -EINVAL);
	seize_tracer_destroy(t);
	tst_expect_no_children(NULL);
}
END_TEST

static int spawn_limited(void *arg)
{
	void (*limit)(void) = (void (*)(void))arg;
	struct seize_tracer *t = new_tracer(0);
	char *argv[] = { "true", NULL };
	int ret;

	limit();
	ret = spawn_with(t, argv);
	/* Nothing of the failed spawn is left: no child. */
	if (waitpid(-1, NULL, WNOHANG | __WALL) != -1 || errno != ECHILD)
		return 1;
	return ret;
}

/* Each limit's spawn, in a child of its own: the errno it must come back with. */
#define SPAWN_LIMITED_CASE(name, limit, err)						\
	START_TEST(name)								\
	{										\
		ck_assert_int_eq(in_child(spawn_limited, (void *)(limit)), (err));	\
	}										\
	END_TEST
SPAWN_LIMITED_CASE(spawn_eagain, allow_no_new_process, -EAGAIN)
SPAWN_LIMITED_CASE(spawn_eperm, refuse_ptrace, -EPERM)
SPAWN_LIMITED_CASE(spawn_emfile, use_every_descriptor, -EMFILE)
SPAWN_LIMITED_CASE(spawn_enomem, use_all_memory, -ENOMEM)

START_TEST(detach_freeze_thaw)
{
	struct seize_tracer *t = new_tracer(0);
	pid_t pid = tst_fork_pauser(), other = tst_fork_pauser();

	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	ck_assert_int_eq(seize_tracer_detach(t, other), -ESRCH);
	ck_assert_int_eq(seize_tracer_detach(NULL, pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_freeze(t, other), -ESRCH);
	ck_assert_int_eq(seize_tracer_freeze(NULL, pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_thaw(t, other), -ESRCH);
	ck_assert_int_eq(seize_tracer_thaw(NULL, pid), -EINVAL);
	ck_assert_int_eq(seize_tracer_thaw(t, pid), -EINVAL);	/* not frozen */
	ck_assert_int_eq(seize_tracer_freeze(t, pid), 0);
	ck_assert_int_eq(seize_tracer_freeze(t, pid), -EALREADY);
	ck_assert_int_eq(seize_tracer_thaw(t, pid), 0);
	ck_assert_int_eq(seize_tracer_detach(t, pid), 0);
	ck_assert_int_eq(seize_tracer_detach(t, pid), -ESRCH);
	ck_assert_int_eq(tst_tracer_pid(pid), 0);
	ck_assert_int_eq(tst_tracer_pid(other), 0);
	seize_tracer_destroy(t);
	tst_reap(pid);
	tst_reap(other);
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
}

START_TEST(dispatch_echild_eintr_einval)
{
	struct seize_tracer *t = new_tracer(0);
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	/* Every 20 ms, so a tick that comes before the wait is not the last. */
	struct itimerval ticks = { .it_value = { .tv_usec = 20000 },
				   .it_interval = { .tv_usec = 20000 } }, off = { 0 };
	pid_t pid = tst_fork_pauser();

	ck_assert_int_eq(seize_tracer_dispatch(t, 0), -ECHILD);
	ck_assert_int_eq(seize_tracer_dispatch(t, SEIZE_TRACER_WAIT), -ECHILD);
	ck_assert_int_eq(seize_tracer_dispatch(NULL, 0), -EINVAL);
	ck_assert_int_eq(seize_tracer_dispatch(t, 1u << 7), -EINVAL);
	ck_assert_int_eq(seize_tracer_attach(t, pid), 0);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &ticks, NULL), 0);
	/* The pauser does nothing: only the handler ends the wait. */
	ck_assert_int_eq(seize_tracer_dispatch(t, SEIZE_TRACER_WAIT), -EINTR);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &off, NULL), 0);
	seize_tracer_destroy(t);
	tst_reap(pid);
}
END_TEST

static int fd_limited(void *arg)
{
	void (*limit)(void) = (void (*)(void))arg;
	struct seize_tracer *t = new_tracer(0);

	limit();
	return seize_tracer_fd(t);
}

START_TEST(fd_einval_emfile_eagain)
{
	unsigned int n;

	ck_assert_int_eq(seize_tracer_fd(NULL), -EINVAL);
	ck_assert_int_eq(in_child(fd_limited, (void *)use_every_descriptor), -EMFILE);
	ck_assert_int_eq(in_child(fd_limited, (void *)allow_no_new_process), -EAGAIN);
	ck_assert_int_eq(seize_tracer_count(NULL, &n, &n), -EINVAL);
}
END_TEST

TEST_SUITE(errors, true)
{
	ADD_CASE(s, new_einval);
	ADD_CASE(s, attach_esrch_ealready_einval);
	ADD_CASE(s, attach_eperm);
	ADD_CASE(s, attach_emfile);
	ADD_CASE(s, spawn_exec_errors);
	ADD_CASE(s, spawn_einval);
	ADD_CASE(s, spawn_eagain);
	ADD_CASE(s, spawn_eperm);
	ADD_CASE(s, spawn_emfile);
	/* ASan's allocator cannot fail politely once the address space is
	 * used up: out-of-memory is checked in the plain build. */
#ifdef __SANITIZE_ADDRESS__
	(void)new_enomem;
	(void)attach_enomem;
	(void)spawn_enomem;
#else
	ADD_CASE(s, new_enomem);
	ADD_CASE(s, attach_enomem);
	ADD_CASE(s, spawn_enomem);
#endif
	ADD_CASE(s, detach_freeze_thaw);
	ADD_CASE(s, dispatch_echild_eintr_einval);
	ADD_CASE(s, fd_einval_emfile_eagain);
}
