/* SPDX-License-Identifier: MIT */
/* The tracer following a process's children and threads: fork, vfork and
 * clone with and without following, exec from a thread that is not the
 * leader, and a churn of short-lived threads whose count must end at zero.
 *
 * The test process is the tracer; every target is forked by the case
 * (tst_fork, test-common-tracee.h), or by the mother where the real parent
 * must be a process other than the tracer; events are recorded from the
 * callback (test-common-recorder.h) and the sequence is asserted.  The
 * tracer does not use PTRACE_O_EXITKILL (its death must leave tracees as
 * found), so what bounds a failed case is PR_SET_PDEATHSIG.  Nothing sleeps
 * to synchronise: dispatches block, bounded by an itimer; processes report
 * over pipes; other processes' states are read from /proc with a bounded
 * poll. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-recorder.h"
#include "test-common-tracee.h"

#define BOUND_MS tst_bound_ms()

/* ---- 4. following children ---------------------------------------------------- */

struct forker {
	int go;		/* read end: one byte starts it */
	int report;	/* write end: the child's pid (an execer's: its thread's tid) */
	bool use_vfork;
	bool exec;	/* the child execs /bin/true (exit 0), else _exit(7) */
};

/* A forker's body: on the go byte, make a child with spawn (which returns
 * in the parent only), report its pid, wait for it (waitpid's flags) and
 * exit with 10 + its exit code. */
static void forker_body(const struct forker *a, pid_t (*spawn)(const struct forker *),
			int wait_flags)
{
	pid_t child;
	int status;
	char c;

	if (read(a->go, &c, 1) != 1)
		_exit(2);
	child = spawn(a);
	if (child < 0)
		_exit(3);
	tst_write_or_die(a->report, &child, sizeof(child));
	if (waitpid(child, &status, wait_flags) != child || !WIFEXITED(status))
		_exit(4);
	_exit(10 + WEXITSTATUS(status));
}

/* Fork (or vfork) a child that execs /bin/true or _exit(7)s: the child never
 * returns from here (as vfork requires). */
static pid_t fork_child(const struct forker *a)
{
	pid_t child = a->use_vfork ? vfork() : fork();

	if (child == 0) {
		if (a->exec)
			execl("/bin/true", "true", (char *)NULL);
		_exit(7);
	}
	return child;
}

/* Fork (or vfork) a child, wait for it, and exit with 10 + its exit code. */
static void forker_main(void *arg)
{
	forker_body(arg, fork_child, 0);
}

/* Trace a forker (main(a), its pipes made here) with flags and let it go:
 * once it has exited, *pid is it and *child the child it reported; returns
 * the index of its EXITED record.  Close the pipes with forker_end(). */
static int run_forker(void (*main)(void *), struct forker *a, int go[2], int report[2],
		      unsigned int flags, struct seize_tracer **t, pid_t *pid, pid_t *child)
{
	int done;

	tst_pipe(go);
	tst_pipe(report);
	a->go = go[0];
	a->report = report[1];
	*pid = tst_fork(main, a);
	*t = new_tracer(flags);
	ck_assert_int_eq(seize_tracer_attach(*t, *pid), 0);
	tst_write_byte(go[1], 'g');
	done = rec_await(*t, SEIZE_TRACER_EXITED, *pid, ANY_SIG);
	tst_read_exact(report[0], child, sizeof(*child), BOUND_MS);
	ck_assert_int_gt(*child, 0);
	return done;
}

/* Nothing left traced; the tracer and the pipes go. */
static void forker_end(struct seize_tracer *t, int go[2], int report[2])
{
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	tst_close_pipe(go);
	tst_close_pipe(report);
}

/* Records first, then second, then last came, in that order (indices; -1: none);
 * who and id: whose records, for a failure. */
static void expect_order(int first, int second, int last, const char *who, pid_t id)
{
	ck_assert_msg(first >= 0 && second > first && last > second, "%s %d; events: %s", who,
		      (int)id, recs_text());
}

static void follow_one(bool use_vfork, bool exec)
{
	struct forker a = { .use_vfork = use_vfork, .exec = exec };
	int child_code = exec ? 0 : 7;
	struct seize_tracer *t;
	int go[2], report[2];
	int born, died, done, i;
	pid_t pid, child;

	done = run_forker(forker_main, &a, go, report, SEIZE_TRACER_FOLLOW_CHILDREN, &t, &pid,
			  &child);

	born = rec_find(0, SEIZE_TRACER_NEW_CHILD, child, ANY_SIG);
	died = rec_find(0, SEIZE_TRACER_EXITED, child, ANY_SIG);
	expect_order(born, died, done, "child", child);
	ck_assert_int_eq(recs[born].parent, pid);
	ck_assert_int_eq(recs[born].tid, child);
	ck_assert_int_eq(recs[died].exit_code, child_code);
	/* The target saw its child's status as if nobody traced them. */
	ck_assert_int_eq(recs[done].exit_code, 10 + child_code);
	i = rec_find(0, SEIZE_TRACER_EXEC, child, ANY_SIG);
	if (exec) {
		ck_assert_msg(i > born && i < died, "events: %s", recs_text());
		ck_assert_int_eq(recs[i].tid, child);
		ck_assert_int_eq(recs[i].former_tid, child);
	} else {
		ck_assert_msg(i < 0, "events: %s", recs_text());
	}
	ck_assert_msg(rec_count(SEIZE_TRACER_NEW_CHILD, 0, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_EXITED, 0, ANY_SIG) == 2 &&
		      rec_count(SEIZE_TRACER_KILLED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	forker_end(t, go, report);
}

/* clone() without CLONE_THREAD and with no exit signal is reported as a
 * PTRACE_EVENT_CLONE, yet it makes a process, not a thread. */
static int clone_child(void *arg)
{
	(void)arg;
	return 5;
}

static pid_t clone_process(const struct forker *a)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));

	(void)a;
	return clone(clone_child, stack + sizeof(stack), 0, NULL);
}

static void cloner_main(void *arg)
{
	forker_body(arg, clone_process, __WALL);
}

static void clone_process_one(bool follow)
{
	struct forker a = { 0 };
	struct seize_tracer *t;
	int go[2], report[2];
	int done, born;
	pid_t pid, child;

	done = run_forker(cloner_main, &a, go, report, follow ? SEIZE_TRACER_FOLLOW_CHILDREN : 0, &t,
			  &pid, &child);
	ck_assert_int_eq(recs[done].exit_code, 15);
	ck_assert_msg(rec_count(SEIZE_TRACER_NEW_THREAD, 0, ANY_SIG) == 0, "events: %s", recs_text());
	born = rec_find(0, SEIZE_TRACER_NEW_CHILD, child, ANY_SIG);
	if (follow) {
		ck_assert_msg(born >= 0 && rec_find(born, SEIZE_TRACER_EXITED, child, ANY_SIG) > born,
			      "events: %s", recs_text());
		ck_assert_int_eq(recs[born].parent, pid);
	} else {
		ck_assert_msg(born < 0, "events: %s", recs_text());
	}
	forker_end(t, go, report);
}

START_TEST(clone_process_unfollowed)
{
	clone_process_one(false);
}
END_TEST

START_TEST(clone_process_followed)
{
	clone_process_one(true);
}
END_TEST

START_TEST(follow_fork)
{
	follow_one(false, false);
}
END_TEST

START_TEST(follow_vfork_exit)
{
	follow_one(true, false);
}
END_TEST

START_TEST(follow_vfork_exec)
{
	follow_one(true, true);
}
END_TEST

/* ---- 5. exec from a thread that is not the leader ------------------------------ */

/* An execer is a forker (go and report only) whose thread reports its tid. */
static void *exec_thread(void *arg)
{
	const struct forker *a = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	tst_write_or_die(a->report, &tid, sizeof(tid));
	execl("/bin/true", "true", (char *)NULL);
	_exit(9);
}

static void execer_main(void *arg)
{
	pthread_t th;
	char c;

	if (read(((const struct forker *)arg)->go, &c, 1) != 1)
		_exit(2);
	if (pthread_create(&th, NULL, exec_thread, arg) != 0)
		_exit(3);
	for (;;)
		pause();
}

START_TEST(exec_from_non_leader_thread)
{
	struct forker a = { 0 };
	struct seize_tracer *t;
	int go[2], report[2], born, exec, done;
	pid_t pid, thread;

	done = run_forker(execer_main, &a, go, report, 0, &t, &pid, &thread);
	ck_assert_int_ne(thread, pid);

	born = rec_find(0, SEIZE_TRACER_NEW_THREAD, pid, ANY_SIG);
	exec = rec_find(0, SEIZE_TRACER_EXEC, pid, ANY_SIG);
	expect_order(born, exec, done, "thread", thread);
	ck_assert_int_eq(recs[born].tid, thread);
	/* The execing thread took the leader's tid. */
	ck_assert_int_eq(recs[exec].tid, pid);
	ck_assert_int_eq(recs[exec].former_tid, thread);
	ck_assert_int_eq(recs[done].exit_code, 0);
	ck_assert_msg(rec_count(SEIZE_TRACER_EXEC, 0, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_EXITED, 0, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_KILLED, 0, ANY_SIG) == 0, "events: %s", recs_text());
	forker_end(t, go, report);
}
END_TEST

/* ---- 14. thread churn ----------------------------------------------------------------- */

/* Workers that each make and join short-lived threads, raise SIGUSR1 now
 * and then, fork a child that makes a thread of its own, and at the end a
 * thread that execs: creations, deaths and their creators' CLONE events
 * reach the tracer in every order. */
struct churner {
	int go;		/* read end: start */
	int workers, rounds;
};

#if defined(__SANITIZE_ADDRESS__)
static const bool churn_child_threads = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
static const bool churn_child_threads = false;
#else
static const bool churn_child_threads = true;
#endif
#else
static const bool churn_child_threads = true;
#endif

static void *churn_leaf(void *arg)
{
	return arg;
}

static void *churn_worker(void *arg)
{
	const struct churner *c = arg;
	int r;

	for (r = 0; r < c->rounds; r++) {
		pthread_t leaf;

		if (pthread_create(&leaf, NULL, churn_leaf, NULL) != 0)
			_exit(3);
		pthread_join(leaf, NULL);
		if (r % 7 == 3)
			raise(SIGUSR1);
		if (r % 5 == 4) {
			pid_t child = fork();

			if (child < 0)
				_exit(4);
			if (child == 0) {
				/* ASan's allocator can be left locked in a child forked
				 * from many threads: no thread there. */
				if (!churn_child_threads)
					_exit(0);
				if (pthread_create(&leaf, NULL, churn_leaf, NULL) != 0)
					_exit(5);
				pthread_join(leaf, NULL);
				_exit(0);
			}
			if (waitpid(child, NULL, 0) != child)
				_exit(6);
		}
	}
	return NULL;
}

static void *churn_exec(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	_exit(9);
}

static void churner_main(void *arg)
{
	const struct churner *c = arg;
	pthread_t workers[64], last;
	int i;
	char go;

	signal(SIGUSR1, tst_signal_nop);
	if (read(c->go, &go, 1) != 1)
		_exit(2);
	for (i = 0; i < c->workers; i++)
		if (pthread_create(&workers[i], NULL, churn_worker, (void *)c) != 0)
			_exit(3);
	for (i = 0; i < c->workers; i++)
		pthread_join(workers[i], NULL);
	if (pthread_create(&last, NULL, churn_exec, NULL) != 0)
		_exit(3);
	for (;;)
		pause();
}

/* What the churn must look like: tids alive per the events, and the counts. */
struct churn_book {
	pid_t root;
	pid_t live[512];	/* threads and children reported and not yet ended */
	int nlive;
	int new_threads, thread_exits, new_children, child_exits, execs, root_exits;
	char error[256];
};

static struct churn_book book;

static int book_find(pid_t tid)
{
	int i;

	for (i = 0; i < book.nlive; i++)
		if (book.live[i] == tid)
			return i;
	return -1;
}

static void book_fail(const char *what, const struct seize_tracer_event *ev)
{
	if (!book.error[0])
		snprintf(book.error, sizeof(book.error), "%s: %s %d/%d", what,
			 seize_tracer_event_name(ev->type), (int)ev->pid, (int)ev->tid);
}

/* A new tracee on the books, unless it is there already (twice: what that is). */
static void book_add(pid_t tid, const char *twice, const struct seize_tracer_event *ev)
{
	if (book_find(tid) >= 0 || book.nlive == 512)
		book_fail(twice, ev);
	else
		book.live[book.nlive++] = tid;
}

static void book_end(pid_t tid, const struct seize_tracer_event *ev)
{
	int i = book_find(tid);

	if (i < 0)
		book_fail("end of a tracee never reported", ev);
	else
		book.live[i] = book.live[--book.nlive];
}

static void churn_record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	int i;

	(void)t;
	(void)data;
	switch (ev->type) {
	case SEIZE_TRACER_NEW_THREAD:
		book.new_threads++;
		book_add(ev->tid, "thread reported twice", ev);
		break;
	case SEIZE_TRACER_THREAD_EXITED:
		book.thread_exits++;
		book_end(ev->tid, ev);
		break;
	case SEIZE_TRACER_NEW_CHILD:
		book.new_children++;
		if (ev->pid != ev->tid || ev->parent != book.root)
			book_fail("a child that is not the root's process", ev);
		else
			book_add(ev->pid, "child reported twice", ev);
		break;
	case SEIZE_TRACER_EXEC:
		book.execs++;
		if (ev->pid != book.root)
			book_fail("exec of a process that does not exec", ev);
		else if (ev->former_tid != ev->pid)
			book_end(ev->former_tid, ev);	/* its tid went to the leader */
		break;
	case SEIZE_TRACER_EXITED:
	case SEIZE_TRACER_KILLED:
		if (ev->pid == book.root) {
			book.root_exits++;
			break;
		}
		book.child_exits++;
		book_end(ev->pid, ev);
		/* A process's death ends the threads of it still alive. */
		for (i = 0; i < book.nlive; i++)
			if (tst_task_status_field(ev->pid, book.live[i], "Tgid") == ev->pid)
				book.live[i--] = book.live[--book.nlive];
		break;
	default:
		break;
	}
}

static void churn_once(int workers, int rounds)
{
	struct seize_tracer_config cfg = {
		.flags = SEIZE_TRACER_FOLLOW_CHILDREN, .events = SEIZE_TRACER_ALL,
		.callback = churn_record,
	};
	struct seize_tracer *t = NULL;
	struct churner c = { .workers = workers, .rounds = rounds };
	int go[2], ret, forks = workers * (rounds / 5);
	unsigned int procs = ~0u, threads = ~0u;

	memset(&book, 0, sizeof(book));
	tst_pipe(go);
	c.go = go[0];
	book.root = tst_fork(churner_main, &c);
	ck_assert_int_eq(seize_tracer_new(&cfg, &t), 0);
	ck_assert_int_eq(seize_tracer_attach(t, book.root), 0);
	tst_write_byte(go[1], 'g');

	tst_arm(BOUND_MS * 10);
	while ((ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT)) >= 0 || ret == -EINTR)
		ck_assert_msg(!tst_alarmed, "churn did not end: %d threads, %d exits, %d children",
			      book.new_threads, book.thread_exits, book.new_children);
	tst_disarm();
	ck_assert_int_eq(ret, -ECHILD);
	ck_assert_msg(!book.error[0], "%s", book.error);
	ck_assert_int_eq(book.root_exits, 1);
	ck_assert_int_eq(book.execs, 1);
	/* Each worker, each of its leaves and each child's thread: all seen. */
	ck_assert_int_eq(book.new_children, forks);
	ck_assert_int_eq(book.child_exits, forks);
	ck_assert_int_eq(book.new_threads,
			 workers + workers * rounds + (churn_child_threads ? forks : 0) + 1);
	ck_assert_msg(book.nlive == 0, "%d tracees reported and never ended, first %d",
		      book.nlive, (int)book.live[0]);
	ck_assert_int_eq(seize_tracer_count(t, &procs, &threads), 0);
	ck_assert_msg(procs == 0 && threads == 0, "counts %u processes, %u threads", procs, threads);
	ck_assert_int_eq(seize_tracer_dispatch(t, 0), -ECHILD);
	seize_tracer_destroy(t);
	tst_reap(book.root);
	tst_close_pipe(go);
}

START_TEST(thread_churn_ends_at_zero)
{
	int i, runs = tst_under_valgrind() ? 1 : 5;

	for (i = 0; i < runs; i++)
		churn_once(tst_under_valgrind() ? 4 : 32, 20);
}
END_TEST

TEST_SUITE(tracer, true)
{
	ADD_CASE(s, follow_fork);
	ADD_CASE(s, clone_process_unfollowed);
	ADD_CASE(s, clone_process_followed);
	ADD_CASE(s, follow_vfork_exit);
	ADD_CASE(s, follow_vfork_exec);
	ADD_CASE(s, exec_from_non_leader_thread);
	ADD_CASE(s, thread_churn_ends_at_zero);
}
