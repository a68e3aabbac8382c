/* SPDX-License-Identifier: MIT */
/* seize-watch, the command-line monitor, run as a program (its path in
 * SEIZE_WATCH) on processes each case forks itself: exit statuses, the JSON
 * lines and their keys, job control seen through it, and what SIGTERM leaves
 * behind.  The cases synchronise on seize-watch's own output (read line by
 * line with poll() and a time bound), on waitpid() and on /proc polled with a
 * bound; never on a sleep.  Every process a case starts dies with it
 * (PR_SET_PDEATHSIG) and is killed and reaped on the way out. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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

#define BOUND_MS 5000

/* ---- seize-watch run with its stdio piped to us ------------------------- */

static const char *watch_path(void)
{
	const char *path = getenv("SEIZE_WATCH");

	ck_assert_msg(path && *path, "SEIZE_WATCH must name the seize-watch binary");
	return path;
}

static struct tst_run *run_watch_in(const char *const *args, bool with_stdin)
{
	return tst_run_start(watch_path(), args, with_stdin);
}

static struct tst_run *run_watch(const char *const *args)
{
	return run_watch_in(args, false);
}

static bool next_line(struct tst_run *r, char *line, size_t size, int timeout_ms)
{
	return tst_run_next_line(r, &r->out, line, size, timeout_ms);
}

/* Wait for seize-watch to end; its exit code (it must exit, not be killed). */
static int finish(struct tst_run *r)
{
	int status = tst_run_wait(r, BOUND_MS);

	ck_assert_msg(WIFEXITED(status), "seize-watch died of signal %d; stderr:\n%s",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0, r->err.buf);
	return WEXITSTATUS(status);
}

/* Wait for seize-watch to end killed by a signal (as its command was): which. */
static int finish_killed(struct tst_run *r)
{
	int status = tst_run_wait(r, BOUND_MS);

	ck_assert_msg(WIFSIGNALED(status), "seize-watch exited %d, not killed; stderr:\n%s",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1, r->err.buf);
	ck_assert_msg(!WCOREDUMP(status), "seize-watch dumped a core");
	return WTERMSIG(status);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void expect_one_error_line(struct tst_run *r)
{
	ck_assert_msg(count_lines(r->err.buf) == 1 && strncmp(r->err.buf, "seize-watch: ", 13) == 0,
		      "wanted one line \"seize-watch: ...\" on stderr, got:\n%s", r->err.buf);
}

/* ---- the JSON lines ------------------------------------------------------ */

static const char *const event_names[] = {
	"signal", "group-stop", "continued", "exited", "killed",
	"new-thread", "new-child", "exec", "attached", "detached",
};

/* Parse one output line and check it against the contract; fails the case
 * with the line if it breaks it. */
static void parse_event(const char *line, struct json_object *o)
{
	const struct json_value *t;
	const char *event, *sig;
	bool known = false;

	ck_assert_msg(json_parse(line, o), "not one JSON object: %s", line);
	event = json_str(o, "event");
	ck_assert_msg(event, "no \"event\" string: %s", line);
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		known |= strcmp(event, event_names[i]) == 0;
	ck_assert_msg(known, "unknown event: %s", line);
	ck_assert_msg(json_int(o, "pid") > 0 && json_int(o, "tid") > 0, "bad pid/tid: %s", line);

	t = json_get(o, "time");
	ck_assert_msg(t && t->type == J_NUMBER && !t->is_integer, "no \"time\" with a fraction: %s",
		      line);
	ck_assert_msg(strlen(strchr(t->text, '.') + 1) == 6, "time without microseconds: %s", line);
	ck_assert_msg(t->number > time(NULL) - 600 && t->number < time(NULL) + 600,
		      "time is not now: %s", line);

	sig = json_str(o, "signal");
	ck_assert_msg(!json_has(o, "signal") || (sig && strncmp(sig, "SIG", 3) == 0),
		      "bad \"signal\": %s", line);
	if (!strcmp(event, "signal") || !strcmp(event, "group-stop") || !strcmp(event, "killed"))
		ck_assert_msg(sig, "no \"signal\": %s", line);
	if (json_has(o, "sender_pid") || json_has(o, "sender_uid"))
		ck_assert_msg(json_int(o, "sender_pid") >= 0 && json_int(o, "sender_uid") >= 0,
			      "bad sender: %s", line);
	if (!strcmp(event, "exited"))
		ck_assert_msg(json_int(o, "exit_code") >= 0, "bad exit_code: %s", line);
	if (!strcmp(event, "killed")) {
		t = json_get(o, "core_dumped");
		ck_assert_msg(t && t->type == J_BOOL, "no boolean core_dumped: %s", line);
	}
	if (!strcmp(event, "new-child"))
		ck_assert_msg(json_int(o, "parent") > 0, "bad parent: %s", line);
}

/* Read JSON lines until one for event (NULL: any) and pid (if > 0); fails
 * at EOF. */
static void expect_event(struct tst_run *r, const char *event, pid_t pid, struct json_object *o)
{
	char line[1024];

	while (next_line(r, line, sizeof(line), BOUND_MS)) {
		parse_event(line, o);
		if ((!event || strcmp(json_str(o, "event"), event) == 0) &&
		    (pid <= 0 || json_int(o, "pid") == pid))
			return;
	}
	ck_abort_msg("seize-watch ended without a \"%s\" line for %d; stdout:\n%s\nstderr:\n%s",
		     event ? event : "any", (int)pid, r->out.buf, r->err.buf);
}

/* Check every line of the first len bytes of output, and count those of
 * event for pid (if > 0) with signal signame (NULL: any) and, if sender > 0,
 * from that sender (checked, not counted: every one must be from it). */
static int count_in(const struct tst_run *r, size_t len, const char *event, pid_t pid,
		    const char *signame, pid_t sender)
{
	const char *s = r->out.buf, *end = r->out.buf + len;
	int n = 0;

	while (s < end) {
		const char *nl = strchr(s, '\n');
		char line[1024];
		struct json_object o;
		const char *sig;

		ck_assert_msg(nl && (size_t)(nl - s) < sizeof(line), "bad output:\n%s", r->out.buf);
		memcpy(line, s, (size_t)(nl - s));
		line[nl - s] = '\0';
		s = nl + 1;
		parse_event(line, &o);
		sig = json_str(&o, "signal");
		if (strcmp(json_str(&o, "event"), event) != 0 || (pid > 0 && json_int(&o, "pid") != pid))
			continue;
		if (signame && (!sig || strcmp(sig, signame) != 0))
			continue;
		if (sender > 0) {
			ck_assert_msg(json_int(&o, "sender_pid") == sender &&
				      json_int(&o, "sender_uid") == (long long)getuid(),
				      "wrong sender: %s", line);
		}
		n++;
	}
	return n;
}

static int count_events(const struct tst_run *r, const char *event, pid_t pid, const char *signame,
			pid_t sender)
{
	return count_in(r, r->out.len, event, pid, signame, sender);
}

/* The same, over the lines read so far by next_line(). */
static int seen_events(const struct tst_run *r, const char *event, pid_t pid, const char *signame)
{
	return count_in(r, r->out.pos, event, pid, signame, 0);
}

/* ---- /proc ------------------------------------------------------------- */

static int tracer_pid_of(pid_t pid)
{
	char path[64], line[256];
	int tracer = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}

/* Poll /proc until thread tid of pid sleeps with sig unblocked, so that a
 * signal sent now is delivered (and traced), not picked up by sigtimedwait().
 * Under valgrind, which runs our forked children too, a thread blocks every
 * signal outside its system calls and collects them with sigtimedwait(),
 * which has no signal-delivery-stop. */
static void wait_unblocked(pid_t pid, pid_t tid, int sig)
{
	long deadline = tst_now_ms() + BOUND_MS;
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	for (;;) {
		unsigned long long blocked = ~0ull;
		char state = 0;
		FILE *f = fopen(path, "re");

		ck_assert_msg(f, "%s: %s", path, strerror(errno));
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "State: %c", &state);
			sscanf(line, "SigBlk: %llx", &blocked);
		}
		fclose(f);
		if (state == 'S' && !(blocked & (1ull << (sig - 1))))
			return;
		ck_assert_msg(tst_now_ms() < deadline, "thread %d keeps signal %d blocked", (int)tid, sig);
		usleep(1000);
	}
}

/* Wait (bounded /proc poll) until no SIGCONT is pending for the process, so
 * that the next SIGSTOP cannot discard it. */
static void wait_sigcont_taken(pid_t pid)
{
	long deadline = tst_now_ms() + BOUND_MS;
	const unsigned long long bit = 1ull << (SIGCONT - 1);
	char path[64], line[256];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (;;) {
		unsigned long long shared = 0, own = 0;
		FILE *f = fopen(path, "re");

		ck_assert_msg(f, "%s: %s", path, strerror(errno));
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "ShdPnd: %llx", &shared);
			sscanf(line, "SigPnd: %llx", &own);
		}
		fclose(f);
		if (!((shared | own) & bit))
			return;
		ck_assert_msg(tst_now_ms() < deadline, "SIGCONT stays pending in %d", (int)pid);
		usleep(1000);
	}
}

/* A pid that no process has: a child's, reaped. */
static pid_t vanished_pid(void)
{
	pid_t pid = fork();

	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	tst_wait_child(pid, 0, BOUND_MS);
	return pid;
}

static void expect_stopped(pid_t pid)
{
	int status = tst_wait_child(pid, WUNTRACED, BOUND_MS);

	ck_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
		      "wanted a SIGSTOP stop for the parent, status 0x%x", (unsigned int)status);
}

static void expect_continued(pid_t pid)
{
	int status = tst_wait_child(pid, WCONTINUED, BOUND_MS);

	ck_assert_msg(WIFCONTINUED(status), "wanted continued, status 0x%x", (unsigned int)status);
}

/* ---- the cases: exit statuses ------------------------------------------ */

START_TEST(command_exit_code_is_passed_on)
{
	const char *args[] = { "--", "/bin/sh", "-c", "exit 3", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 3);
	ck_assert_msg(strstr(r->out.buf, " exited 3\n"), "no exited line:\n%s", r->out.buf);
	ck_assert_str_eq(r->err.buf, "");
	tst_run_free(r);
}
END_TEST

/* A shell sees its job killed by the same signal (128+N in $?). */
START_TEST(command_killed_kills_seize_watch_alike)
{
	const char *args[] = { "--", "/bin/sh", "-c", "kill -TERM $$", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish_killed(r), SIGTERM);
	ck_assert_msg(strstr(r->out.buf, " killed SIGTERM\n"), "no killed line:\n%s", r->out.buf);
	tst_run_free(r);
}
END_TEST

/* A command's core dump is its own: seize-watch dies of SIGSEGV without one. */
START_TEST(command_segfault_no_core_of_ours)
{
	const char *args[] = { "--", "/bin/sh", "-c", "ulimit -c 0; kill -SEGV $$", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish_killed(r), SIGSEGV);
	ck_assert_msg(strstr(r->out.buf, " killed SIGSEGV"), "no killed line:\n%s", r->out.buf);
	tst_run_free(r);
}
END_TEST

START_TEST(command_not_found_is_127)
{
	const char *args[] = { "--", "/nonexistent/seize-watch-test", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 127);
	expect_one_error_line(r);
	tst_run_free(r);
}
END_TEST

START_TEST(command_without_double_dash)
{
	const char *args[] = { "/bin/sh", "-c", "exit 5", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 5);
	tst_run_free(r);
}
END_TEST

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
	unsigned int uid;
	long us;
	char *line;

	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(sscanf(r->err.buf, "%d", &shell), 1);
	line = strstr(r->out.buf, " signal SIGUSR1 ");
	ck_assert_msg(line, "no signal line:\n%s", r->out.buf);
	while (line > r->out.buf && line[-1] != '\n')
		line--;
	ck_assert_int_eq(sscanf(line, "%2d:%2d:%2d.%6ld %d/%d signal SIGUSR1 from pid %d uid %u%n",
				&h, &m, &s, &us, &pid, &tid, &sender, &uid, &end), 8);
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

START_TEST(job_control_twice)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
	for (int i = 0; i < 2; i++) {
		tst_kill(p, SIGSTOP);
		expect_stopped(p);
		expect_event(r, "group-stop", p, &o);
		ck_assert_str_eq(json_str(&o, "signal"), "SIGSTOP");
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
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	tst_kill(p, SIGSTOP);
	expect_stopped(p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
	expect_event(r, "group-stop", p, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGSTOP");
	tst_kill(r->pid, SIGTERM);
	ck_assert_int_eq(finish(r), 0);
	tst_wait_state(p, "T", BOUND_MS);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	ck_assert_int_eq(count_events(r, "continued", p, NULL, 0), 0);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(sigterm_leaves_stopped_process_stopped)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
	tst_kill(p, SIGSTOP);
	expect_stopped(p);
	expect_event(r, "group-stop", p, &o);

	tst_kill(r->pid, SIGTERM);
	ck_assert_int_eq(finish(r), 0);
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
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct tst_run *r;
	int status;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
	tst_kill(r->pid, SIGTERM);
	ck_assert_int_eq(finish(r), 0);
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
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
	tst_kill(r->pid, SIGINT);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_wait_state(p, "S", BOUND_MS);
	tst_run_free(r);
	tst_reap(p);
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
	close(go[0]);
	close(go[1]);
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
	wait_unblocked(p, tid, SIGWINCH);
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
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct tst_run *r;
	int go[2], status;
	pid_t p, tid;

	tst_pipe(go);
	p = tst_fork(exec_from_thread, &go[0]);
	close(go[0]);
	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
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

/* ---- refusals ---------------------------------------------------------- */

START_TEST(missing_pid_fails_at_once)
{
	char pid[16];
	const char *args[] = { "-p", pid, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)vanished_pid());
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, pid), "the pid is not named: %s", r->err.buf);
	tst_run_free(r);
}
END_TEST

START_TEST(own_pid_fails_at_once)
{
	const char *args[] = { "-p", tst_run_own_pid, NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, "itself"), "stderr: %s", r->err.buf);
	ck_assert_str_eq(r->out.buf, "");
	tst_run_free(r);
}
END_TEST

START_TEST(traced_pid_fails_at_once)
{
	pid_t p = tst_fork_pauser();
	char pid[16], want[64];
	const char *args[] = { "-p", pid, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	ck_assert_int_eq(seize_attach(p, PTRACE_O_EXITKILL), 0);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	snprintf(want, sizeof(want), "process %d is already traced by %d", (int)p, (int)getpid());
	ck_assert_msg(strstr(r->err.buf, want), "stderr: %s", r->err.buf);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(one_refusal_lets_the_others_go)
{
	pid_t p = tst_fork_pauser();
	char pid[16], gone[16];
	const char *args[] = { "--json", "-p", pid, "-p", gone, NULL };
	struct tst_run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	snprintf(gone, sizeof(gone), "%d", (int)vanished_pid());
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err.buf, gone), "stderr: %s", r->err.buf);
	ck_assert_int_eq(count_events(r, "attached", p, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_wait_state(p, "S", BOUND_MS);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
	char gone[16];
	const char *const cases[][6] = {
		{ NULL },
		{ "-p", NULL },
		{ "-p", "abc", NULL },
		{ "-p", "0", NULL },
		{ "-p", "-1", NULL },
		{ "-e", "bogus", "--", "/bin/true", NULL },
		{ "-e", "", "--", "/bin/true", NULL },
		{ "--bogus", NULL },
		{ "-p", gone, "--", "/bin/true", NULL },	/* checked before any attach */
	};

	snprintf(gone, sizeof(gone), "%d", (int)vanished_pid());
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tst_run *r = run_watch(cases[i]);

		ck_assert_msg(finish(r) == 2, "case %zu: not a usage error", i);
		ck_assert_msg(r->err.buf[0] != '\0', "case %zu: nothing on stderr", i);
		ck_assert_str_eq(r->out.buf, "");
		tst_run_free(r);
	}
}
END_TEST

/* ---- output, help, version, descriptors -------------------------------- */

START_TEST(output_file)
{
	char path[] = "/tmp/seize-watch-test-XXXXXX";
	const char *args[] = { "--json", "-o", path, "--", "/bin/sh", "-c", "exit 0", NULL };
	struct tst_run *r;
	char text[4096];
	ssize_t n;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old contents, to be replaced\n", 29), 29);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_str_eq(r->out.buf, "");
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	ck_assert_msg(!strstr(text, "old contents"), "not truncated:\n%s", text);
	/* Read it back through the same checks as a pipe. */
	ck_assert_uint_lt((size_t)n, sizeof(r->out.buf));
	memcpy(r->out.buf, text, (size_t)n + 1);
	r->out.len = (size_t)n;
	ck_assert_int_eq(count_events(r, "attached", 0, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "exited", 0, NULL, 0), 1);
	tst_run_free(r);
}
END_TEST

/* Bounded poll of a file until it holds @p needle. */
static void wait_file_holds(int fd, const char *needle, int timeout_ms)
{
	long deadline = tst_now_ms() + timeout_ms;
	char text[8192];
	ssize_t n;

	for (;;) {
		n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		if (strstr(text, needle))
			return;
		ck_assert_msg(tst_now_ms() < deadline, "no \"%s\" in the file within %d ms:\n%s",
			      needle, timeout_ms, text);
		usleep(2000);
	}
}

/* Lines to a file are gathered, but reach it within 100 ms even while
 * seize-watch waits for the next event. */
START_TEST(output_file_flushed_while_idle)
{
	char path[] = "/tmp/seize-watch-test-XXXXXX";
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "-o", path, "-p", pid, NULL };
	struct tst_run *r;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	wait_file_holds(fd, " attached", 2000);
	tst_kill(p, SIGSTOP);
	expect_stopped(p);
	wait_file_holds(fd, " group-stop SIGSTOP", 2000);
	tst_kill(r->pid, SIGTERM);
	ck_assert_int_eq(finish(r), 0);
	wait_file_holds(fd, " detached", 0);
	close(fd);
	unlink(path);
	tst_run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(version_exits_0)
{
	const char *args[] = { "--version", NULL };
	struct tst_run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(strncmp(r->out.buf, "seize-watch ", 12) == 0 && r->out.buf[12] > ' ' &&
		      count_lines(r->out.buf) == 1, "version: %s", r->out.buf);
	ck_assert_str_eq(r->err.buf, "");
	tst_run_free(r);
}
END_TEST

START_TEST(help_exits_0)
{
	static const char *const cases[][2] = { { "-h", NULL }, { "--help", NULL } };

	for (size_t i = 0; i < 2; i++) {
		struct tst_run *r = run_watch(cases[i]);

		ck_assert_int_eq(finish(r), 0);
		ck_assert_msg(strstr(r->out.buf, "Usage:") && strstr(r->out.buf, "--json"),
			      "help: %s", r->out.buf);
		ck_assert_str_eq(r->err.buf, "");
		tst_run_free(r);
	}
}
END_TEST

START_TEST(no_descriptor_leaks_into_command)
{
	/* The shell lists its own descriptors, through a child so that the
	 * listing's own directory descriptor is not among them; the same
	 * command run directly gives the baseline. */
	const char *cmd[] = { "-c", "ls /proc/$$/fd >&2; exit 0", NULL };
	const char *args[] = { "-o", "/dev/null", "--", "/bin/sh", "-c", cmd[1], NULL };
	struct tst_run *base = tst_run_start("/bin/sh", cmd, false);
	struct tst_run *r;

	ck_assert_int_eq(finish(base), 0);
	ck_assert_msg(strstr(base->err.buf, "2\n"), "baseline: %s", base->err.buf);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_str_eq(r->err.buf, base->err.buf);
	tst_run_free(base);
	tst_run_free(r);
}
END_TEST

TEST_SUITE(watch, true)
{
	ADD_CASE(s, command_exit_code_is_passed_on);
	ADD_CASE(s, command_killed_kills_seize_watch_alike);
	ADD_CASE(s, command_segfault_no_core_of_ours);
	ADD_CASE(s, command_not_found_is_127);
	ADD_CASE(s, command_without_double_dash);
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
	ADD_CASE(s, missing_pid_fails_at_once);
	ADD_CASE(s, own_pid_fails_at_once);
	ADD_CASE(s, traced_pid_fails_at_once);
	ADD_CASE(s, one_refusal_lets_the_others_go);
	ADD_CASE(s, usage_errors_exit_2);
	ADD_CASE(s, output_file);
	ADD_CASE(s, output_file_flushed_while_idle);
	ADD_CASE(s, version_exits_0);
	ADD_CASE(s, help_exits_0);
	ADD_CASE(s, no_descriptor_leaks_into_command);
}
