/* SPDX-License-Identifier: MIT */
/* seize-watch's events, run as a program (its path in SEIZE_WATCH) on
 * processes each case forks itself: the JSON lines and their keys, the
 * human format, job control seen through it (and what SIGTERM and SIGINT
 * leave behind), threads and their stops, exec from a thread, following
 * children, and the event filter. The cases synchronise on seize-watch's own output (read line by line
 * with poll() and a time bound), on waitpid() and on /proc polled with a
 * bound; never on a sleep.  Every process a case starts dies with it
 * (PR_SET_PDEATHSIG) and is killed and reaped on the way out. */
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
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-run.h"

#include "test-common-tracee.h"
#include "watch-common.h"

/* ---- the JSON lines ---------------------------------------------------- */

START_TEST(json_signal_names_its_sender)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c",
			       "trap : USR1; kill -USR1 $$; echo $$ >&2", NULL };
	struct tst_run *r = run_watch(args);
	struct json_object o;
	int shell;

	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(sscanf(r->err.buf, "%d", &shell) == 1 && shell > 0, "stderr: %s", r->err.buf);
	ck_assert_int_eq(count_events(r, "attached", shell, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "exec", shell, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "signal", shell, "SIGUSR1", shell), 1);

	/* The same lines again, in order, with each key as it must be. */
	expect_event(r, "attached", shell, &o);
	ck_assert_int_eq(json_int(&o, "tid"), shell);
	expect_event(r, "exec", shell, &o);
	expect_event(r, "signal", shell, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGUSR1");
	ck_assert_int_eq(json_int(&o, "tid"), shell);
	ck_assert_int_eq(json_int(&o, "sender_pid"), shell);
	ck_assert_int_eq(json_int(&o, "sender_uid"), getuid());
	ck_assert(!json_has(&o, "exit_code"));
	expect_event(r, "exited", shell, &o);
	ck_assert_int_eq(json_int(&o, "exit_code"), 0);
	ck_assert(!json_has(&o, "signal"));
	tst_run_free(r);
}
END_TEST

/* A fault and a child's end, as the kernel raised them. */
START_TEST(json_fault_and_child_decoded)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "/bin/true; kill -SEGV $$", NULL };
	struct tst_run *r = run_watch(args);
	struct json_object o;

	ck_assert_int_eq(finish_killed(r), SIGSEGV);
	expect_event(r, "signal", 0, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGCHLD");
	ck_assert_str_eq(json_str(&o, "si_code"), "CLD_EXITED");
	ck_assert_int_gt(json_int(&o, "child_pid"), 0);
	ck_assert_str_eq(json_str(&o, "child_status"), "exited 0");
	ck_assert(!json_has(&o, "sender_pid"));
	expect_event(r, "signal", 0, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGSEGV");
	/* kill(1) is a process: its sender, not a fault. */
	ck_assert(json_has(&o, "sender_pid"));
	ck_assert(!json_has(&o, "si_code"));
	tst_run_free(r);
}
END_TEST

/* What the target does with each signal, from its own state at the stop:
 * a handler, SIG_IGN, the default. */
START_TEST(json_disposition_at_the_stop)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c",
			       "trap : USR1; trap '' USR2; sh -c 'kill -USR1 $PPID; kill -USR2 $PPID; "
			       "kill -TERM $PPID'; sleep 5", NULL };
	struct tst_run *r = run_watch(args);
	static const struct {
		const char *sig, *disposition, *action;
	} want[] = {
		{ "SIGUSR1", "caught", NULL },
		{ "SIGUSR2", "ignored", NULL },
		{ "SIGTERM", "default", "terminate" },
	};
	struct json_object o;

	ck_assert_int_eq(finish_killed(r), SIGTERM);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		do
			expect_event(r, "signal", 0, &o);
		while (strcmp(json_str(&o, "signal"), "SIGCHLD") == 0);
		ck_assert_str_eq(json_str(&o, "signal"), want[i].sig);
		ck_assert_str_eq(json_str(&o, "disposition"), want[i].disposition);
		if (want[i].action)
			ck_assert_str_eq(json_str(&o, "default_action"), want[i].action);
		else
			ck_assert(!json_has(&o, "default_action"));
	}
	tst_run_free(r);
}
END_TEST

START_TEST(json_killed_has_core_dumped)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "kill -KILL $$", NULL };
	struct tst_run *r = run_watch(args);
	struct json_object o;

	ck_assert_int_eq(finish_killed(r), SIGKILL);
	expect_event(r, "killed", 0, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGKILL");
	ck_assert(!json_get(&o, "core_dumped")->boolean);
	tst_run_free(r);
}
END_TEST

START_TEST(human_line_format)
{
	const char *args[] = { "--", "/bin/sh", "-c", "trap : USR1; kill -USR1 $$; echo $$ >&2",
			       NULL };
	struct tst_run *r = run_watch(args);
	int h, m, s, pid, tid, sender, shell, end = 0;
	char comm[32] = "";
	unsigned int uid;
	long us;
	char *line;

	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(sscanf(r->err.buf, "%d", &shell), 1);
	line = strstr(r->out.buf, " signal SIGUSR1 ");
	ck_assert_msg(line, "no signal line:\n%s", r->out.buf);
	while (line > r->out.buf && line[-1] != '\n')
		line--;
	ck_assert_int_eq(sscanf(line, "%2d:%2d:%2d.%6ld %d/%d signal SIGUSR1 from pid %d (%31[^)]) "
				"uid %u%n", &h, &m, &s, &us, &pid, &tid, &sender, comm, &uid, &end), 9);
	ck_assert_str_eq(comm, "sh");	/* the sender by name, read at the stop */
	ck_assert_msg(end > 0 && line[end] == '\n', "trailing text: %s", line);
	ck_assert_msg(line[2] == ':' && line[8] == '.' && line[15] == ' ', "time format: %s", line);
	ck_assert(h < 24 && m < 60 && s < 61 && us < 1000000);
	ck_assert_int_eq(pid, shell);
	ck_assert_int_eq(tid, shell);
	ck_assert_int_eq(sender, shell);
	ck_assert_uint_eq(uid, getuid());
	tst_run_free(r);
}
END_TEST

/* ---- job control through it -------------------------------------------- */

/* A child in pause() (*p), watched by seize-watch --json -p: attached. */
static struct tst_run *watch_pauser(pid_t *p, struct json_object *o)
{
	*p = tst_fork_pauser();
	return watch_json_pid(*p, o);
}

/* SIGSTOP to p: it stops, and seize-watch reports its group-stop. */
static void stop_seen(struct tst_run *r, pid_t p, struct json_object *o)
{
	tst_kill(p, SIGSTOP);
	expect_stopped(p);
	expect_event(r, "group-stop", p, o);
	ck_assert_str_eq(json_str(o, "signal"), "SIGSTOP");
}

/* sig to seize-watch (SIGTERM, or SIGINT with -p): it lets go and exits 0. */
static void end_watch(struct tst_run *r, int sig)
{
	tst_kill(r->pid, sig);
	ck_assert_int_eq(finish(r), 0);
}

START_TEST(job_control_twice)
{
	struct json_object o;
	pid_t p;
	struct tst_run *r = watch_pauser(&p, &o);

	for (int i = 0; i < 2; i++) {
		stop_seen(r, p, &o);
		tst_kill(p, SIGCONT);
		expect_continued(p);
		/* The SIGCONT is delivered after the stop ends: wait for both, in
		 * either order, or the next SIGSTOP would discard it (the kernel
		 * flushes a pending SIGCONT when a stop signal is sent). */
		while (seen_events(r, "continued", p, NULL) < i + 1 ||
		       seen_events(r, "signal", p, "SIGCONT") < i + 1)
			expect_event(r, NULL, p, &o);
	}
	/* Its end ends the watch, with 0. */
	tst_kill(p, SIGKILL);
	tst_wait_child(p, 0, BOUND_MS);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(count_events(r, "killed", p, "SIGKILL", 0), 1);

	ck_assert_int_eq(count_events(r, "group-stop", p, NULL, 0), 2);
	ck_assert_int_eq(count_events(r, "continued", p, NULL, 0), 2);
	ck_assert_int_eq(count_events(r, "signal", p, "SIGSTOP", getpid()), 2);
	ck_assert_int_eq(count_events(r, "signal", p, "SIGCONT", getpid()), 2);
	tst_run_free(r);
}
END_TEST

START_TEST(attach_to_stopped_reports_group_stop)
{
	pid_t p = tst_fork_pauser();
	struct json_object o;
	struct tst_run *r;

	tst_kill(p, SIGSTOP);
	expect_stopped(p);
	r = watch_json_pid(p, &o);
	expect_event(r, "group-stop", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGSTOP");
	end_watch(r, SIGTERM);
	tst_wait_state(p, "T", BOUND_MS);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	ck_assert_int_eq(count_events(r, "continued", p, NULL, 0), 0);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(sigterm_leaves_stopped_process_stopped)
{
	struct json_object o;
	pid_t p;
	struct tst_run *r = watch_pauser(&p, &o);

	stop_seen(r, p, &o);

	end_watch(r, SIGTERM);
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	tst_wait_state(p, "T", BOUND_MS);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	ck_assert_int_eq(tst_proc_state(p), 'T');

	/* Still its parent's to continue. */
	tst_kill(p, SIGCONT);
	expect_continued(p);
	tst_wait_state(p, "S", BOUND_MS);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(sigterm_leaves_running_process_running)
{
	struct json_object o;
	pid_t p;
	struct tst_run *r = watch_pauser(&p, &o);
	int status;

	end_watch(r, SIGTERM);
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_wait_state(p, "S", BOUND_MS);
	ck_assert_int_eq(waitpid(p, &status, WNOHANG | WUNTRACED | WCONTINUED), 0);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

/* With a command, SIGINT is the command's (Ctrl-C reaches both): seize-watch
 * goes on watching, and ends with the command's status. */
START_TEST(sigint_is_the_commands)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "read x; exit 7", NULL };
	struct json_object o;
	struct tst_run *r;
	pid_t shell;

	r = run_watch_in(args, true);
	expect_event(r, "exec", 0, &o);
	shell = (pid_t)json_int(&o, "pid");
	tst_kill(r->pid, SIGINT);
	tst_kill(r->pid, SIGQUIT);
	/* Still traced by it, and it still running: EOF ends the command. */
	ck_assert_int_eq(tracer_pid_of(shell), r->pid);
	ck_assert_int_eq(waitpid(r->pid, NULL, WNOHANG), 0);
	close(r->in);
	r->in = -1;
	ck_assert_int_eq(finish(r), 7);
	ck_assert_int_eq(count_events(r, "detached", shell, NULL, 0), 0);
	ck_assert_int_eq(count_events(r, "exited", shell, NULL, 0), 1);
	tst_run_free(r);
}
END_TEST

/* With -p, SIGINT detaches (as strace's does) and exits 0. */
START_TEST(sigint_with_pid_detaches)
{
	struct json_object o;
	pid_t p;
	struct tst_run *r = watch_pauser(&p, &o);

	end_watch(r, SIGINT);
	expect_let_go_running(r, p);
}
END_TEST

static void *park(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

#define STOP_THREADS 4

struct threads_spec {
	int fd;		/* a byte here starts them */
	int count;
};

/* Waits for a byte, then starts spec->count threads, then pauses. */
static void threads_on_request(void *arg)
{
	const struct threads_spec *spec = arg;
	pthread_t thread;
	char c;

	if (read(spec->fd, &c, 1) != 1)
		_exit(1);
	for (int i = 0; i < spec->count; i++)
		if (pthread_create(&thread, NULL, park, NULL) != 0)
			_exit(1);
	for (;;)
		pause();
}

/* Fork a process that starts count threads once seize-watch (started here,
 * on it, with --json) has attached; their tids go to tids[]. */
static struct tst_run *watch_threaded(int count, pid_t *p, pid_t *tids, int *go_w)
{
	static char pid[16];
	static const char *args[] = { "--json", "-p", pid, NULL };
	struct threads_spec spec = { .count = count };
	struct json_object o;
	struct tst_run *r;
	int go[2];

	tst_pipe(go);
	spec.fd = go[0];
	*p = tst_fork(threads_on_request, &spec);
	close(go[0]);
	snprintf(pid, sizeof(pid), "%d", (int)*p);
	r = run_watch(args);
	expect_event(r, "attached", *p, &o);
	tst_write_byte(go[1], 'g');
	for (int i = 0; i < count; i++) {
		expect_event(r, "new-thread", *p, &o);
		tids[i] = (pid_t)json_int(&o, "tid");
		ck_assert_int_ne(tids[i], *p);
	}
	*go_w = go[1];
	return r;
}

/* -p with a thread's id: a bad process id (exit 2), said so. */
/* Workers that each make and join short-lived threads: the tracer reads
 * many a thread's whole life before its creator's CLONE event. */
static void *churn_leaf(void *arg)
{
	return arg;
}

static void *churn_worker(void *arg)
{
	int r;

	for (r = 0; r < 20; r++) {
		pthread_t leaf;

		if (pthread_create(&leaf, NULL, churn_leaf, NULL) != 0)
			_exit(3);
		pthread_join(leaf, NULL);
	}
	return arg;
}

static void churner(void *arg)
{
	pthread_t workers[32];
	int i;
	char go;

	if (read(*(const int *)arg, &go, 1) != 1)
		_exit(2);
	for (i = 0; i < 32; i++)
		if (pthread_create(&workers[i], NULL, churn_worker, NULL) != 0)
			_exit(3);
	for (i = 0; i < 32; i++)
		pthread_join(workers[i], NULL);
}

/* seize-watch -p of a thread churner ends within a second of its death and
 * reports no thread as a process (it used to spin at ~97% CPU forever). */
START_TEST(pid_of_thread_churner_ends_with_it)
{
	char pid[16];
	const char *args[] = { "--json", "-e", "new-child,exited", "-p", pid, NULL };
	long deadline, ended;
	struct tst_run *r;
	int go[2], status;
	pid_t p;

	tst_pipe(go);
	p = tst_fork(churner, &go[0]);
	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	deadline = tst_now_ms() + BOUND_MS;
	while (tracer_pid_of(p) != r->pid) {
		ck_assert_msg(tst_now_ms() < deadline, "seize-watch did not attach to %d", (int)p);
		usleep(1000);	/* a bounded /proc poll */
	}
	tst_write_byte(go[1], 'g');
	status = tst_wait_child(p, 0, BOUND_MS);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ended = tst_now_ms();
	status = tst_wait_child(r->pid, 0, 1000);
	ck_assert_msg(tst_now_ms() - ended <= 1000, "seize-watch took %ld ms", tst_now_ms() - ended);
	r->pid = 0;
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tst_run_drain(r);
	ck_assert_int_eq(count_events(r, "new-child", 0, NULL, 0), 0);
	ck_assert_int_eq(count_events(r, "exited", p, NULL, 0), 1);
	tst_run_free(r);
	tst_close_pipe(go);
}
END_TEST

START_TEST(pid_of_a_thread_exits_2)
{
	struct threads_spec spec = { .count = 1 };
	char path[64], tid[16], want[96];
	const char *args[] = { "-p", tid, NULL };
	long deadline = tst_now_ms() + BOUND_MS;
	pid_t p, thread = 0;
	struct tst_run *r;
	int go[2];

	tst_pipe(go);
	spec.fd = go[0];
	p = tst_fork(threads_on_request, &spec);
	close(go[0]);
	tst_write_byte(go[1], 'g');
	snprintf(path, sizeof(path), "/proc/%d/task", (int)p);
	while (!thread) {
		DIR *d = opendir(path);
		struct dirent *e;

		ck_assert_ptr_nonnull(d);
		while ((e = readdir(d)))
			if (atoi(e->d_name) > 0 && atoi(e->d_name) != p)
				thread = (pid_t)atoi(e->d_name);
		closedir(d);
		ck_assert_msg(thread || tst_now_ms() < deadline, "no thread within %d ms", BOUND_MS);
		if (!thread)
			usleep(1000);
	}
	snprintf(tid, sizeof(tid), "%d", (int)thread);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 2);
	expect_one_error_line(r);
	snprintf(want, sizeof(want), "seize-watch: %d is a thread of process %d\n", (int)thread,
		 (int)p);
	ck_assert_str_eq(r->err.buf, want);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_run_free(r);
	close(go[1]);
	tst_reap(p);
}
END_TEST

START_TEST(threads_are_reported)
{
	struct json_object o;
	struct tst_run *r;
	pid_t p, tid;
	int go;

	r = watch_threaded(1, &p, &tid, &go);
	/* A signal to that thread names it, and its sender. */
	tst_wait_asleep_unblocked(p, tid, SIGWINCH, BOUND_MS);
	tst_tgkill(p, tid, SIGWINCH);
	expect_event(r, "signal", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGWINCH");
	ck_assert_int_eq(json_int(&o, "tid"), tid);
	ck_assert_int_eq(json_int(&o, "sender_pid"), getpid());

	tst_kill(p, SIGKILL);
	tst_wait_child(p, 0, BOUND_MS);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(count_events(r, "killed", p, "SIGKILL", 0), 1);
	ck_assert_int_eq(count_events(r, "new-thread", p, NULL, 0), 1);
	close(go);
	tst_run_free(r);
}
END_TEST

START_TEST(threaded_stop_is_reported_once)
{
	const int rounds = 3;
	pid_t p, tids[STOP_THREADS];
	struct json_object o;
	struct tst_run *r;
	int go;

	/* The whole process stops and continues once, however many threads
	 * (tracer.h: "A stop of a 16-thread process is reported once"). */
	r = watch_threaded(STOP_THREADS, &p, tids, &go);
	for (int i = 0; i < rounds; i++) {
		tst_kill(p, SIGSTOP);
		expect_stopped(p);
		expect_event(r, "group-stop", p, &o);
		tst_kill(p, SIGCONT);
		expect_continued(p);
		while (seen_events(r, "continued", p, NULL) < i + 1 ||
		       (!tst_under_valgrind() && seen_events(r, "signal", p, "SIGCONT") < i + 1))
			expect_event(r, NULL, p, &o);
		if (tst_under_valgrind())
			wait_sigcont_taken(p);
	}
	tst_kill(p, SIGKILL);
	tst_wait_child(p, 0, BOUND_MS);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(count_events(r, "group-stop", p, NULL, 0) == rounds &&
		      count_events(r, "continued", p, NULL, 0) == rounds,
		      "wanted %d group-stop and %d continued:\n%s", rounds, rounds, r->out.buf);
	close(go);
	tst_run_free(r);
}
END_TEST

static void *exec_true(void *arg)
{
	char *argv[] = { "/bin/true", NULL };

	(void)arg;
	execv(argv[0], argv);
	_exit(126);
}

/* Waits for a byte on fd, then execs /bin/true from a second thread. */
static void exec_from_thread(void *arg)
{
	int fd = *(int *)arg;
	pthread_t thread;
	char c;

	if (read(fd, &c, 1) != 1 || pthread_create(&thread, NULL, exec_true, NULL) != 0)
		_exit(1);
	for (;;)
		pause();
}

START_TEST(exec_from_a_thread)
{
	struct json_object o;
	struct tst_run *r;
	int go[2], status;
	pid_t p, tid;

	tst_pipe(go);
	p = tst_fork(exec_from_thread, &go[0]);
	close(go[0]);
	r = watch_json_pid(p, &o);
	tst_write_byte(go[1], 'g');
	expect_event(r, "new-thread", p, &o);
	tid = (pid_t)json_int(&o, "tid");
	expect_event(r, "exec", p, &o);
	ck_assert_int_eq(json_int(&o, "tid"), p);	/* the exec'd process has one thread: p */
	ck_assert_int_eq(json_int(&o, "former_tid"), tid);
	expect_event(r, "exited", p, &o);
	ck_assert_int_eq(json_int(&o, "exit_code"), 0);
	status = tst_wait_child(p, 0, BOUND_MS);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x",
		      (unsigned int)status);
	ck_assert_int_eq(finish(r), 0);
	close(go[1]);
	tst_run_free(r);
}
END_TEST

START_TEST(follow_reports_new_children)
{
	const char *args[] = { "-f", "--json", "--", "/bin/sh", "-c", "/bin/true; exit 4", NULL };
	struct tst_run *r = run_watch(args);
	struct json_object o;
	pid_t shell, child;

	expect_event(r, "attached", 0, &o);
	shell = (pid_t)json_int(&o, "pid");
	expect_event(r, "new-child", 0, &o);
	child = (pid_t)json_int(&o, "pid");
	ck_assert_int_eq(json_int(&o, "parent"), shell);
	ck_assert_int_ne(child, shell);
	ck_assert_int_eq(finish(r), 4);
	ck_assert_int_eq(count_events(r, "exec", child, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "exited", child, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "exited", shell, NULL, 0), 1);
	tst_run_free(r);
}
END_TEST

START_TEST(without_follow_no_children)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "/bin/true; exit 4", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 4);
	ck_assert_int_eq(count_events(r, "new-child", 0, NULL, 0), 0);
	ck_assert_int_eq(count_events(r, "exec", 0, NULL, 0), 1);
	tst_run_free(r);
}
END_TEST

START_TEST(events_filter)
{
	const char *args[] = { "--json", "-e", "signal,exited", "--", "/bin/sh", "-c",
			       "trap : USR1; kill -USR1 $$; exit 6", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 6);
	ck_assert_int_eq(count_events(r, "signal", 0, "SIGUSR1", 0), 1);
	ck_assert_int_eq(count_events(r, "exited", 0, NULL, 0), 1);
	ck_assert_int_eq(count_lines(r->out.buf), 2);
	tst_run_free(r);
}
END_TEST

START_TEST(events_filter_still_ends_with_command)
{
	/* Without "exited" shown, the command's end still ends the watch. */
	const char *args[] = { "-e", "group-stop", "--", "/bin/sh", "-c", "exit 9", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 9);
	ck_assert_str_eq(r->out.buf, "");
	tst_run_free(r);
}
END_TEST

/* Our command name as the kernel has it ("test-watch", or valgrind's). */
static const char *own_comm(void)
{
	static char comm[32];

	ck_assert_int_gt(tst_read_small("/proc/self/comm", comm, sizeof(comm)), 0);
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

static void send_usr1(void *arg)
{
	tst_kill(*(pid_t *)arg, SIGUSR1);
}

/* The sender by name, read at the stop: one that has exited says so.  The
 * target is stopped while a child of the test sends it SIGUSR1 and is
 * reaped, so at the SIGCONT the signal is taken with its sender gone. */
START_TEST(json_sender_gone_or_named)
{
	struct json_object o;
	int usr1[2];
	pid_t p = start_usr1_target(0, usr1, false), sender;
	struct tst_run *r = watch_json_pid(p, &o);

	tst_kill(p, SIGSTOP);
	expect_event(r, "group-stop", p, &o);
	sender = tst_fork(send_usr1, &p);
	ck_assert_int_eq(waitpid(sender, NULL, 0), sender);
	tst_kill(p, SIGCONT);
	expect_event(r, "signal", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGUSR1");
	ck_assert_int_eq(json_int(&o, "sender_pid"), sender);
	ck_assert(json_get(&o, "sender_gone")->boolean);
	ck_assert(!json_has(&o, "sender_comm"));
	expect_event(r, "signal", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGCONT");
	ck_assert_int_eq(json_int(&o, "sender_pid"), getpid());
	ck_assert_str_eq(json_str(&o, "sender_comm"), own_comm());
	ck_assert_int_eq(json_int(&o, "sender_ppid"), getppid());
	ck_assert(!json_has(&o, "sender_gone"));
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	end_watch(r, SIGTERM);
	expect_let_go_running(r, p);
	tst_close_pipe(usr1);
}
END_TEST

/* Through unshare(1), in a mount namespace of its own (nothing stays
 * mounted; a program of its own, so valgrind's run of the test does not
 * stand in between): make the tracing instance of a seize-watch that was
 * killed, or say whether it is still there (exit 0: there, 1: not). */
static int stale_instance(pid_t pid, bool make)
{
	char script[256];
	const char *args[] = { "-m", "sh", "-c", script, NULL };
	struct tst_run *r;
	int status;

	snprintf(script, sizeof(script),
		 "d=/sys/kernel/tracing; [ -d $d/instances ] || mount -t tracefs none $d || exit 2; "
		 "%s $d/instances/seize-watch-%d", make ? "mkdir" : "test -d", (int)pid);
	r = tst_run_start("/usr/bin/unshare", args, false);
	status = tst_run_wait(r, BOUND_MS);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "tracefs: status %#x: %s",
		      status, r->err.buf);
	tst_run_free(r);
	return WEXITSTATUS(status);
}

/* SIGKILL carries no sender; the kernel's tracing names it (root, in the
 * first pid namespace, where tracefs can be mounted).  The instance of a
 * seize-watch that was killed before (one planted here) is taken down. */
START_TEST(json_sigkill_sender_from_tracing)
{
	const char *args[] = { "--json", "--", "sleep", "100", NULL };
	pid_t killed_watcher = tst_vanished_pid(), watcher;
	struct tst_run *r;
	struct json_object o;
	pid_t p;

	ck_assert_int_eq(stale_instance(killed_watcher, true), 0);
	r = run_watch(args);
	watcher = r->pid;

	expect_event(r, "exec", 0, &o);
	p = (pid_t)json_int(&o, "pid");
	tst_kill(p, SIGKILL);
	expect_event(r, "killed", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGKILL");
	ck_assert_msg(json_has(&o, "killer_pid"), "no sender from tracing: %s", r->err.buf);
	ck_assert_int_eq(json_int(&o, "killer_pid"), getpid());
	ck_assert_str_eq(json_str(&o, "killer_comm"), own_comm());
	ck_assert_int_eq(finish_killed(r), SIGKILL);
	ck_assert_int_eq(stale_instance(killed_watcher, false), 1);
	ck_assert_int_eq(stale_instance(watcher, false), 1);	/* its own, taken down */
	tst_run_free(r);
}
END_TEST

/* A sender whose real uid is no longer the signal's si_uid is not named: a
 * process at that pid with another uid took it after the sender's end.
 * Here the sender changes its uid after kill() and lives on. */
struct uid_changer {
	pid_t target;
	int done[2];
};

static void send_usr1_then_change_uid(void *arg)
{
	struct uid_changer *u = arg;

	tst_kill(u->target, SIGUSR1);
	if (setresuid(65534, 65534, 65534) != 0)
		_exit(3);
	tst_write_byte(u->done[1], 'd');
	for (;;)
		pause();
}

START_TEST(json_sender_with_another_uid_is_not_named)
{
	struct json_object o;
	struct uid_changer u;
	int usr1[2];
	pid_t p = start_usr1_target(0, usr1, false), sender;
	struct tst_run *r = watch_json_pid(p, &o);

	u.target = p;
	tst_pipe(u.done);
	tst_kill(p, SIGSTOP);
	expect_event(r, "group-stop", p, &o);
	sender = tst_fork(send_usr1_then_change_uid, &u);
	ck_assert_int_eq(tst_read_byte(u.done[0], BOUND_MS), 'd');
	tst_kill(p, SIGCONT);
	expect_event(r, "signal", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGUSR1");
	ck_assert_int_eq(json_int(&o, "sender_pid"), sender);
	ck_assert(json_get(&o, "sender_gone")->boolean);
	ck_assert_int_eq(tst_read_byte(usr1[0], BOUND_MS), 'u');
	end_watch(r, SIGTERM);
	expect_let_go_running(r, p);
	tst_reap(sender);
	tst_close_pipe(usr1);
	tst_close_pipe(u.done);
}
END_TEST

/* A target that is pid 1 of a pid namespace of its own: at a byte on go
 * it forks a child (pid 2 there) that sends it SIGUSR1 and stays; its
 * handler writes 'u' on report. */
struct ns_target {
	int go[2], report[2], pid_pipe[2];
};

static void ns_on_usr1(int sig)
{
	(void)sig;
}

static void ns_target_main(void *arg)
{
	struct ns_target *t = arg;
	pid_t b;

	if (unshare(CLONE_NEWPID) < 0)
		_exit(3);
	b = fork();
	if (b < 0)
		_exit(4);
	if (b == 0) {
		sigset_t usr1, none;
		char c;

		signal(SIGUSR1, ns_on_usr1);
		/* Blocked until sigsuspend(), so the signal cannot come first. */
		sigemptyset(&usr1);
		sigaddset(&usr1, SIGUSR1);
		sigprocmask(SIG_BLOCK, &usr1, &none);
		sigdelset(&none, SIGUSR1);
		if (read(t->go[0], &c, 1) != 1)
			_exit(5);
		if (fork() == 0) {
			kill(1, SIGUSR1);	/* its parent, pid 1 of the namespace */
			for (;;)
				pause();
		}
		sigsuspend(&none);	/* until the signal */
		if (write(t->report[1], "u", 1) != 1)
			_exit(6);
		for (;;)
			pause();
	}
	if (write(t->pid_pipe[1], &b, sizeof(b)) != sizeof(b))
		_exit(7);
	while (waitpid(b, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The target lives in another pid namespace: its sender's pid is said in
 * ours, with the number it has there. */
START_TEST(json_sender_translated_from_another_pid_namespace)
{
	struct ns_target t;
	struct json_object o;
	char pid_text[16], children[64], path[64];
	const char *args[] = { "--json", "-p", pid_text, NULL };
	struct tst_run *r;
	pid_t a, b, c;

	tst_pipe(t.go);
	tst_pipe(t.report);
	tst_pipe(t.pid_pipe);
	a = tst_fork(ns_target_main, &t);
	tst_read_exact(t.pid_pipe[0], &b, sizeof(b), BOUND_MS);
	ck_assert_int_gt(b, 0);
	tst_wait_state(b, "S", BOUND_MS);
	snprintf(pid_text, sizeof(pid_text), "%d", (int)b);
	r = run_watch(args);
	expect_event(r, "attached", b, &o);
	tst_write_byte(t.go[1], 'g');
	expect_event(r, "signal", b, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGUSR1");
	ck_assert_int_eq(tst_read_byte(t.report[0], BOUND_MS), 'u');
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)b, (int)b);
	ck_assert_int_gt(tst_read_small(path, children, sizeof(children)), 0);
	c = (pid_t)atoi(children);
	ck_assert_int_gt(c, 0);
	ck_assert_int_eq(json_int(&o, "sender_pid"), c);
	ck_assert_int_eq(json_int(&o, "sender_ns_pid"), 2);
	ck_assert_str_eq(json_str(&o, "sender_comm"), own_comm());
	end_watch(r, SIGTERM);
	tst_run_free(r);
	tst_kill(c, SIGKILL);
	tst_kill(b, SIGKILL);
	tst_wait_child(a, 0, BOUND_MS);
	tst_close_pipe(t.go);
	tst_close_pipe(t.report);
	tst_close_pipe(t.pid_pipe);
}
END_TEST

/* Where tracing's pids are ours to read: root, in the first pid namespace. */
static bool sigkill_senders_here(void)
{
	char ns[64] = "";

	if (geteuid() != 0) {
		fprintf(stderr, "json_sigkill_sender_from_tracing not run: not root\n");
		return false;
	}
	if (readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1) < 0 ||
	    strcmp(ns, "pid:[4026531836]") != 0) {
		fprintf(stderr, "json_sigkill_sender_from_tracing not run: in a pid namespace of "
			"its own (%s), where tracing's pids are not ours\n", ns);
		return false;
	}
	return true;
}

TEST_SUITE(watch, true)
{
	if (sigkill_senders_here())
		ADD_CASE(s, json_sigkill_sender_from_tracing);
	/* Valgrind takes a forked target's signals with sigtimedwait(): no
	 * delivery-stop to read its sender at (natively and under ASan it runs). */
	if (!tst_under_valgrind()) {
		ADD_CASE(s, json_sender_gone_or_named);
		if (geteuid() == 0) {	/* a pid namespace, a uid change: root */
			ADD_CASE(s, json_sender_translated_from_another_pid_namespace);
			ADD_CASE(s, json_sender_with_another_uid_is_not_named);
		}
	}
	ADD_CASE(s, json_fault_and_child_decoded);
	ADD_CASE(s, json_disposition_at_the_stop);
	ADD_CASE(s, json_signal_names_its_sender);
	ADD_CASE(s, json_killed_has_core_dumped);
	ADD_CASE(s, human_line_format);
	ADD_CASE(s, job_control_twice);
	ADD_CASE(s, attach_to_stopped_reports_group_stop);
	ADD_CASE(s, sigterm_leaves_stopped_process_stopped);
	ADD_CASE(s, sigterm_leaves_running_process_running);
	ADD_CASE(s, sigint_is_the_commands);
	ADD_CASE(s, sigint_with_pid_detaches);
	ADD_CASE(s, pid_of_a_thread_exits_2);
	ADD_CASE(s, pid_of_thread_churner_ends_with_it);
	ADD_CASE(s, threads_are_reported);
	ADD_CASE(s, threaded_stop_is_reported_once);
	ADD_CASE(s, exec_from_a_thread);
	ADD_CASE(s, follow_reports_new_children);
	ADD_CASE(s, without_follow_no_children);
	ADD_CASE(s, events_filter);
	ADD_CASE(s, events_filter_still_ends_with_command);
}
