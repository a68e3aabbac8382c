/* SPDX-License-Identifier: MIT */
/* System calls through the tracer: a set reported at entry and exit with
 * the numbers and return values the kernel gives, every call, tracing
 * turned off again, job control unchanged while calls are traced, and the
 * call's errors.  The target makes one getppid() per byte it reads, and
 * answers each with a byte, so each round's calls are known. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-recorder.h"
#include "test-common-tracee.h"

#define BOUND_MS tst_bound_ms()

/* What the callback saw of each SYSCALL event, beside the recorder's log. */
#define MAX_CALLS 4096
static struct {
	pid_t tid;
	enum seize_syscall_op op;
	uint64_t nr;
	int64_t rval;
} calls[MAX_CALLS];
static int ncalls;
static struct seize_tracer *hooked;
static int callback_ret = 1;

static void note_call(const struct seize_tracer_event *ev)
{
	if (ev->type != SEIZE_TRACER_SYSCALL)
		return;
	ck_assert_ptr_nonnull(ev->syscall);
	ck_assert_int_eq(ev->stopped_tid, ev->tid);
	if (ncalls < MAX_CALLS) {
		calls[ncalls].tid = ev->tid;
		calls[ncalls].op = ev->syscall->op;
		calls[ncalls].nr = ev->syscall->nr;
		calls[ncalls].rval = ev->syscall->rval;
		ncalls++;
	}
	if (callback_ret == 1)
		callback_ret = seize_tracer_trace_syscalls(hooked, ev->pid, SEIZE_SYSCALLS_OFF,
							   NULL, 0);
}

static int count_calls(enum seize_syscall_op op, long nr)
{
	int n = 0;

	for (int i = 0; i < ncalls; i++)
		n += calls[i].op == op && (nr < 0 || calls[i].nr == (uint64_t)nr);
	return n;
}

struct asker {
	int go[2], answer[2];
};

/* Per byte read: one getppid(), then the answer. */
static void asker_main(void *arg)
{
	struct asker *a = arg;
	char c;

	while (read(a->go[0], &c, 1) == 1) {
		long ppid = syscall(SYS_getppid);

		c = ppid > 0 ? 'a' : '?';
		if (write(a->answer[1], &c, 1) != 1)
			_exit(2);
	}
}

static pid_t start_asker(struct asker *a)
{
	tst_pipe(a->go);
	tst_pipe(a->answer);
	return tst_fork(asker_main, a);
}

/* One question, answered while the tracer is served. */
static void ask(struct seize_tracer *t, struct asker *a)
{
	tst_write_byte(a->go[1], 'q');
	rec_serve_until_readable(t, a->answer[0]);
	ck_assert_int_eq(tst_read_byte(a->answer[0], BOUND_MS), 'a');
}

static struct seize_tracer *syscall_tracer(pid_t pid)
{
	hooked = new_tracer_of(pid);
	rec_hook = note_call;
	ncalls = 0;
	callback_ret = 0;	/* 1: the hook tries a call from the callback */
	return hooked;
}

static void end(struct seize_tracer *t, struct asker *a, pid_t pid)
{
	rec_hook = NULL;
	seize_tracer_destroy(t);
	tst_reap(pid);
	tst_close_pipe(a->go);
	tst_close_pipe(a->answer);
}

START_TEST(a_set_at_entry_and_exit)
{
	struct asker a;
	pid_t pid = start_asker(&a);
	struct seize_tracer *t = syscall_tracer(pid);
	int nrs[] = { SYS_getppid };
	int round;

	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_SET, nrs, 1), 0);
	for (round = 1; round <= 3; round++) {
		ask(t, &a);
		/* The exit is reported before the answer's write: it came. */
		ck_assert_int_eq(count_calls(SEIZE_SYSCALL_OP_ENTRY, SYS_getppid), round);
		ck_assert_int_eq(count_calls(SEIZE_SYSCALL_OP_EXIT, SYS_getppid), round);
	}
	/* Nothing but getppid, entry then exit, its value our pid. */
	ck_assert_int_eq(ncalls, 6);
	for (int i = 0; i < ncalls; i++) {
		ck_assert_int_eq(calls[i].tid, pid);
		ck_assert_int_eq(calls[i].op, i % 2 ? SEIZE_SYSCALL_OP_EXIT : SEIZE_SYSCALL_OP_ENTRY);
		ck_assert_int_eq(calls[i].nr, SYS_getppid);
		if (i % 2)
			ck_assert_int_eq(calls[i].rval, getpid());
	}
	ck_assert_int_eq(rec_count(SEIZE_TRACER_SYSCALL, pid, ANY_SIG), 6);
	end(t, &a, pid);
}
END_TEST

START_TEST(all_then_off)
{
	struct asker a;
	pid_t pid = start_asker(&a);
	struct seize_tracer *t = syscall_tracer(pid);
	int before;

	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_ALL, NULL, 0), 0);
	ask(t, &a);
	/* read (its exit: it was waiting in it), getppid, write. */
	ck_assert_int_ge(count_calls(SEIZE_SYSCALL_OP_ENTRY, SYS_getppid), 1);
	ck_assert_int_ge(count_calls(SEIZE_SYSCALL_OP_ENTRY, SYS_write), 1);
	ask(t, &a);
	ck_assert_int_ge(count_calls(SEIZE_SYSCALL_OP_ENTRY, SYS_read), 1);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_OFF, NULL, 0), 0);
	before = ncalls;
	ask(t, &a);
	ask(t, &a);
	rec_settle(t, pid, "S");
	ck_assert_int_eq(ncalls, before);
	end(t, &a, pid);
}
END_TEST

START_TEST(job_control_while_calls_are_traced)
{
	struct mother m;
	struct seize_tracer *t;

	mother_start_threads(&m, 2);
	t = syscall_tracer(m.target);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, m.target, SEIZE_SYSCALLS_ALL, NULL, 0), 0);
	mother_order(&m, 'S');
	rec_serve_until_readable(t, m.report);
	ck_assert_int_eq(mother_reply(&m), 's');
	rec_await(t, SEIZE_TRACER_GROUP_STOP, m.target, SIGSTOP);
	mother_order(&m, 'C');
	rec_serve_until_readable(t, m.report);
	ck_assert_int_eq(mother_reply(&m), 'c');
	rec_await(t, SEIZE_TRACER_CONTINUED, m.target, SIGCONT);
	rec_settle(t, m.target, "S");
	ck_assert_int_eq(mother_ask(&m, 'N'), '0');
	rec_hook = NULL;
	seize_tracer_destroy(t);
	mother_end(&m);
}
END_TEST

START_TEST(trace_syscalls_errors)
{
	struct asker a;
	pid_t pid = start_asker(&a);
	struct seize_tracer *t = syscall_tracer(pid);
	int big[] = { 1024 }, negative[] = { -1 };

	ck_assert_int_eq(seize_tracer_trace_syscalls(NULL, pid, SEIZE_SYSCALLS_ALL, NULL, 0),
			 -EINVAL);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, (enum seize_tracer_syscalls)7, NULL,
						     0), -EINVAL);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_SET, NULL, 1), -EINVAL);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_SET, big, 1), -EINVAL);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_SET, negative, 1),
			 -EINVAL);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, getpid(), SEIZE_SYSCALLS_ALL, NULL, 0),
			 -ESRCH);
	/* From a callback: refused (it would wait inside it). */
	callback_ret = 1;
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_ALL, NULL, 0), 0);
	ask(t, &a);
	ck_assert_int_eq(callback_ret, -EINVAL);
	end(t, &a, pid);
}
END_TEST

/* Run a spawned command to its end, its events recorded. */
static pid_t spawn_to_end(struct seize_tracer *t, char *const argv[])
{
	pid_t pid = 0;

	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), 0);
	rec_await(t, SEIZE_TRACER_EXITED, pid, ANY_SIG);
	return pid;
}

START_TEST(spawned_under_a_filter)
{
	char *argv[] = { "sh", "-c", "sh -c 'echo $PPID' >/dev/null; echo $PPID >/dev/null", NULL };
	int nrs[] = { SYS_getppid };
	struct seize_tracer *t = new_tracer(0);
	pid_t pid;

	hooked = t;
	rec_hook = note_call;
	ncalls = 0;
	callback_ret = 0;
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, 0, SEIZE_SYSCALLS_SET, nrs, 1), 0);
	pid = spawn_to_end(t, argv);
	ck_assert_int_eq(recs[rec_find(0, SEIZE_TRACER_EXITED, pid, ANY_SIG)].exit_code, 0);
	/* The shell's getppid and its child's (followed: it has the filter
	 * too), each at entry and exit, and nothing else. */
	ck_assert_int_eq(rec_count(SEIZE_TRACER_NEW_CHILD, 0, ANY_SIG), 1);
	ck_assert_int_eq(count_calls(SEIZE_SYSCALL_OP_ENTRY, SYS_getppid), 2);
	ck_assert_int_eq(count_calls(SEIZE_SYSCALL_OP_EXIT, SYS_getppid), 2);
	ck_assert_int_eq(ncalls, 4);
	for (int i = 0; i < ncalls; i++)
		if (calls[i].op == SEIZE_SYSCALL_OP_EXIT)
			ck_assert_int_gt(calls[i].rval, 0);
	/* Off again: the next command runs unfiltered. */
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, 0, SEIZE_SYSCALLS_OFF, NULL, 0), 0);
	pid = spawn_to_end(t, argv);
	ck_assert_int_eq(ncalls, 4);
	rec_hook = NULL;
	seize_tracer_destroy(t);
}
END_TEST

START_TEST(a_filtered_command_dies_with_its_tracer)
{
	char *argv[] = { "sleep", "100", NULL };
	int nrs[] = { SYS_getppid };
	struct seize_tracer *t = new_tracer(0);
	pid_t pid = 0;

	ck_assert_int_eq(seize_tracer_trace_syscalls(t, 0, SEIZE_SYSCALLS_SET, nrs, 1), 0);
	ck_assert_int_eq(seize_tracer_spawn(t, argv, &pid), 0);
	rec_await(t, SEIZE_TRACER_EXEC, pid, ANY_SIG);
	ck_assert_int_eq(tst_task_status_field(pid, pid, "Seccomp"), 2);
	/* Let go, its getppid() would fail with ENOSYS. */
	ck_assert_int_eq(seize_tracer_detach(t, pid), -EBUSY);
	ck_assert_int_eq(seize_tracer_trace_syscalls(t, pid, SEIZE_SYSCALLS_OFF, NULL, 0), -EBUSY);
	seize_tracer_destroy(t);
	ck_assert_int_eq(rec_count(SEIZE_TRACER_KILLED, pid, SIGKILL), 1);
	ck_assert_int_eq(tst_proc_state(pid), 0);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, a_set_at_entry_and_exit);
	ADD_CASE(s, all_then_off);
	ADD_CASE(s, job_control_while_calls_are_traced);
	ADD_CASE(s, trace_syscalls_errors);
	ADD_CASE(s, spawned_under_a_filter);
	ADD_CASE(s, a_filtered_command_dies_with_its_tracer);
}
