/* SPDX-License-Identifier: MIT */
/* seize-stack on a known program (stack-target.c, built with and without
 * frame pointers): three threads in chain_a -> chain_b -> chain_c, blocked
 * in read(), and the main thread in pause().  Every case forks a fresh
 * target (we are its real parent; it dies with the test) and waits for its
 * "R" on a pipe and for every thread asleep in /proc.
 *
 * The comparisons run `eu-stack -p PID` and `gdb -batch -p PID -ex 'thread
 * apply all bt'` on the same target: eu-stack (the same libdw) must give the
 * same function names in the same order for every thread; gdb, which names
 * libc's frames from their DWARF (and shows inlined ones), the same order of
 * the target's own functions.  A missing tool fails the case unless
 * SEIZE_NO_COMPARE=1.  The stopped-job case also records (prints, does not
 * assert) what eu-stack and gdb do to a stopped job.
 *
 * SEIZE_STACK names seize-stack; SEIZE_STACK_TARGET_FP and _NOFP the two
 * builds of the target; SEIZE_STACK_SHOW=1 prints what eu-stack wrote. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-run.h"

#define BOUND_MS 10000
#define TOOL_MS 60000
#define MAX_THREADS 8
#define MAX_FRAMES 64
#define NAME_MAX_ 96

/* ---- a parsed stack listing --------------------------------------------- */

struct thread_stack {
	long tid;
	int n;
	char fn[MAX_FRAMES][NAME_MAX_];
};

struct listing {
	int n;
	struct thread_stack t[MAX_THREADS];
};

static struct thread_stack *new_thread(struct listing *l, long tid)
{
	struct thread_stack *t;

	ck_assert_msg(l->n < MAX_THREADS, "more than %d threads", MAX_THREADS);
	t = &l->t[l->n++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

static void add_frame(struct thread_stack *t, const char *name, size_t len)
{
	ck_assert_msg(t->n < MAX_FRAMES, "more than %d frames", MAX_FRAMES);
	snprintf(t->fn[t->n++], NAME_MAX_, "%.*s", (int)len, name);
}

static const struct thread_stack *find_tid(const struct listing *l, long tid)
{
	for (int i = 0; i < l->n; i++)
		if (l->t[i].tid == tid)
			return &l->t[i];
	return NULL;
}

static const char *stack_text(const struct thread_stack *t, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < t->n && len + 1 < size; i++) {
		int k = snprintf(buf + len, size - len, "%s%s", i ? " <- " : "", t->fn[i]);

		if (k < 0)
			break;
		len += (size_t)k;
	}
	return buf;
}

/* A frame line "#N  0xADDR NAME..." (seize-stack: NAME+0xOFF (module);
 * eu-stack: NAME).  The name ends at '+', ' ' or the line's end. */
static void parse_frame_line(struct thread_stack *t, const char *p)
{
	p += strcspn(p, " ");
	p += strspn(p, " ");
	if (strncmp(p, "0x", 2) == 0) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	add_frame(t, p, strcspn(p, "+ \n"));
}

/* seize-stack's and eu-stack's text: "TID N...:" then "#k ..." lines. */
static void parse_listing(const char *text, struct listing *l)
{
	struct thread_stack *t = NULL;

	memset(l, 0, sizeof(*l));
	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		if (strncmp(p, "TID ", 4) == 0)
			t = new_thread(l, strtol(p + 4, NULL, 10));
		else if (*p == '#' && t)
			parse_frame_line(t, p);
	}
}

/* gdb's: "Thread K (... (LWP N) ...):" then "#k  [0xADDR in ]NAME (args) ...". */
static void parse_gdb(const char *text, struct listing *l)
{
	struct thread_stack *t = NULL;

	memset(l, 0, sizeof(*l));
	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		const char *lwp = strstr(p, "(LWP ");
		size_t line = strcspn(p, "\n");

		if (strncmp(p, "Thread ", 7) == 0 && lwp && lwp < p + line) {
			t = new_thread(l, strtol(lwp + 5, NULL, 10));
		} else if (*p == '#' && t) {
			const char *q = p + strcspn(p, " ");

			q += strspn(q, " ");
			if (strncmp(q, "0x", 2) == 0 && strstr(q, " in ") &&
			    strstr(q, " in ") < p + line)
				q = strstr(q, " in ") + 4;
			add_frame(t, q, strcspn(q, " (\n"));
		}
	}
}

/* ---- the target -------------------------------------------------------- */

struct target {
	pid_t pid;
	pid_t tids[MAX_THREADS];
	int ntids;
};

struct exec_target {
	const char *path;
	int ready;
};

static void exec_target(void *arg)
{
	struct exec_target *e = arg;
	char fd[16];
	int ready = dup(e->ready);	/* without close-on-exec */

	if (ready < 0)
		_exit(125);
	snprintf(fd, sizeof(fd), "%d", ready);
	execl(e->path, e->path, fd, (char *)NULL);
	_exit(127);
}

static const char *env_path(const char *name)
{
	const char *p = getenv(name);

	ck_assert_msg(p && *p, "%s is not set (meson sets it)", name);
	return p;
}

/* Start a target and wait until its four threads are in place and asleep. */
static void start_target(struct target *tg, bool frame_pointers)
{
	struct exec_target e = {
		.path = env_path(frame_pointers ? "SEIZE_STACK_TARGET_FP" : "SEIZE_STACK_TARGET_NOFP"),
	};
	char path[64];
	int fds[2];

	memset(tg, 0, sizeof(*tg));
	tst_pipe(fds);
	e.ready = fds[1];
	tg->pid = tst_fork(exec_target, &e);
	close(fds[1]);
	ck_assert_int_eq(tst_read_byte(fds[0], BOUND_MS), 'R');
	close(fds[0]);

	/* Its threads, each asleep: in read() or pause(), all that is left. */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)tg->pid);
	for (long deadline = tst_now_ms() + BOUND_MS;;) {
		DIR *dir = opendir(path);
		struct dirent *d;
		bool asleep = true;

		ck_assert_ptr_nonnull(dir);
		tg->ntids = 0;
		while ((d = readdir(dir))) {
			long tid = strtol(d->d_name, NULL, 10);

			if (tid <= 0)
				continue;
			ck_assert(tg->ntids < MAX_THREADS);
			tg->tids[tg->ntids++] = (pid_t)tid;
			if (tst_task_state(tg->pid, (pid_t)tid) != 'S')
				asleep = false;
		}
		closedir(dir);
		if (tg->ntids == 4 && asleep)
			break;
		ck_assert_msg(tst_now_ms() < deadline, "target %d not settled: %d threads",
			      (int)tg->pid, tg->ntids);
		usleep(1000);
	}
}

static void stop_target(struct target *tg)
{
	tst_reap(tg->pid);
}

/* Every thread of the target in state `state` (soon), and nobody traces it. */
static void expect_untraced(const struct target *tg, char state)
{
	for (long deadline = tst_now_ms() + BOUND_MS; tst_tracer_pid(tg->pid) != 0;) {
		ck_assert_msg(tst_now_ms() < deadline, "target still traced by %ld",
			      tst_tracer_pid(tg->pid));
		usleep(1000);
	}
	/* A thread let go runs for a moment: back into its read(), or into
	 * its group-stop again. */
	for (int i = 0; i < tg->ntids; i++)
		for (long deadline = tst_now_ms() + BOUND_MS;
		     tst_task_state(tg->pid, tg->tids[i]) != state;) {
			ck_assert_msg(tst_now_ms() < deadline, "thread %d is '%c', not '%c'",
				      (int)tg->tids[i], tst_task_state(tg->pid, tg->tids[i]),
				      state);
			usleep(1000);
		}
}

/* ---- running the tools -------------------------------------------------- */

struct result {
	int status;
	char out[65536];
	char err[4096];
};

static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void run_tool(const char *path, const char *const *args, struct result *res)
{
	struct tst_run *r = tst_run_start(path, args, false);

	res->status = tst_run_wait(r, TOOL_MS);
	copy_text(res->out, sizeof(res->out), r->out.buf, r->out.len);
	copy_text(res->err, sizeof(res->err), r->err.buf, r->err.len);
	tst_run_free(r);
}

static void run_stack(const char *const *args, struct result *res)
{
	run_tool(env_path("SEIZE_STACK"), args, res);
}

static int exit_code(const struct result *res)
{
	ck_assert_msg(WIFEXITED(res->status), "killed by signal %d; stderr: %s",
		      WIFSIGNALED(res->status) ? WTERMSIG(res->status) : 0, res->err);
	return WEXITSTATUS(res->status);
}

/* The tool in PATH, or NULL: then the case fails unless SEIZE_NO_COMPARE=1
 * (returns NULL to say "skip the comparison"). */
static const char *compare_tool(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH"), *no = getenv("SEIZE_NO_COMPARE");

	for (const char *p = path ? path : "/usr/bin:/bin"; *p; p += *p == ':') {
		size_t len = strcspn(p, ":");

		snprintf(buf, size, "%.*s/%s", (int)len, p, name);
		if (access(buf, X_OK) == 0)
			return buf;
		p += len;
	}
	ck_assert_msg(no && strcmp(no, "1") == 0,
		      "%s not installed (SEIZE_NO_COMPARE=1 compares nothing)", name);
	printf("SEIZE_NO_COMPARE=1: %s not installed, not compared\n", name);
	return NULL;
}

static void run_eu_stack(pid_t pid, const char *path, struct result *res)
{
	char p[16];
	const char *args[] = { "-p", p, NULL };

	snprintf(p, sizeof(p), "%d", (int)pid);
	run_tool(path, args, res);
}

static void run_gdb(pid_t pid, const char *path, struct result *res)
{
	char p[16];
	const char *args[] = { "-nx", "-batch", "-iex", "set debuginfod enabled off",
			       "-p", p, "-ex", "thread apply all bt", NULL };

	snprintf(p, sizeof(p), "%d", (int)pid);
	run_tool(path, args, res);
}

/* ---- checks -------------------------------------------------------------- */

static int index_of(const struct thread_stack *t, const char *fn, int from)
{
	for (int i = from; i < t->n; i++)
		if (strcmp(t->fn[i], fn) == 0)
			return i;
	return -1;
}

/* The target's own threads: chain_c, chain_b, chain_a, thread_main in a row
 * (read() above them), then start_thread; the main thread: main. */
static void expect_target_stacks(const struct target *tg, const struct listing *l,
				 const char *text)
{
	char buf[1024];

	ck_assert_msg(l->n == tg->ntids, "%d threads listed, %d in the target:\n%s", l->n,
		      tg->ntids, text);
	for (int i = 0; i < tg->ntids; i++) {
		const struct thread_stack *t = find_tid(l, tg->tids[i]);
		int c;

		ck_assert_msg(t, "thread %d not listed:\n%s", (int)tg->tids[i], text);
		if (t->tid == tg->pid) {
			ck_assert_msg(index_of(t, "main", 0) >= 1, "main thread: %s",
				      stack_text(t, buf, sizeof(buf)));
			continue;
		}
		c = index_of(t, "chain_c", 0);
		ck_assert_msg(c >= 1 && c + 3 < t->n &&
			      strcmp(t->fn[c + 1], "chain_b") == 0 &&
			      strcmp(t->fn[c + 2], "chain_a") == 0 &&
			      strcmp(t->fn[c + 3], "thread_main") == 0 &&
			      index_of(t, "start_thread", c + 4) > 0,
			      "thread %ld: %s", t->tid, stack_text(t, buf, sizeof(buf)));
	}
}

static void show_stacks(struct target *tg, bool fp)
{
	struct result *res = calloc(1, sizeof(*res));
	struct listing *l = calloc(1, sizeof(*l));
	char p[16];
	const char *args[] = { "-p", p, NULL };

	start_target(tg, fp);
	snprintf(p, sizeof(p), "%d", (int)tg->pid);
	run_stack(args, res);
	ck_assert_msg(exit_code(res) == 0, "exit %d: %s", exit_code(res), res->err);
	parse_listing(res->out, l);
	expect_target_stacks(tg, l, res->out);
	expect_untraced(tg, 'S');
	free(l);
	free(res);
}

START_TEST(stacks_frame_pointers)
{
	struct target tg;

	show_stacks(&tg, true);
	stop_target(&tg);
}
END_TEST

START_TEST(stacks_no_frame_pointers)
{
	struct target tg;

	show_stacks(&tg, false);
	stop_target(&tg);
}
END_TEST

/* The bare PID (no -p) and -t TID: that thread only. */
START_TEST(one_thread)
{
	struct result *res = calloc(1, sizeof(*res));
	struct listing *l = calloc(1, sizeof(*l));
	struct target tg;
	char t[16], buf[1024];
	const char *args[] = { "-t", t, NULL };

	start_target(&tg, false);
	snprintf(t, sizeof(t), "%d", (int)tg.tids[2]);
	run_stack(args, res);
	ck_assert_msg(exit_code(res) == 0, "exit %d: %s", exit_code(res), res->err);
	parse_listing(res->out, l);
	ck_assert_msg(l->n == 1 && l->t[0].tid == tg.tids[2], "%s", res->out);
	ck_assert_msg(index_of(&l->t[0], "chain_a", 0) > 0, "%s",
		      stack_text(&l->t[0], buf, sizeof(buf)));
	expect_untraced(&tg, 'S');
	stop_target(&tg);
	free(l);
	free(res);
}
END_TEST

/* The target's own functions, in order (gdb names libc's frames otherwise). */
static void own_functions(const struct thread_stack *t, struct thread_stack *out)
{
	static const char *const own[] = { "main", "thread_main", "chain_a", "chain_b",
					   "chain_c" };

	memset(out, 0, sizeof(*out));
	out->tid = t->tid;
	for (int i = 0; i < t->n; i++)
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			if (strcmp(t->fn[i], own[k]) == 0)
				add_frame(out, own[k], strlen(own[k]));
}

/* How another tool is run, read, and compared with seize-stack. */
struct other_tool {
	const char *name;
	void (*run)(pid_t pid, const char *path, struct result *res);
	void (*parse)(const char *text, struct listing *l);
	bool own_only;	/* compare the target's own functions only (gdb) */
};

static const struct other_tool eu_stack = { "eu-stack", run_eu_stack, parse_listing, false };
static const struct other_tool gdb = { "gdb", run_gdb, parse_gdb, true };

/* seize-stack and the other tool: the same names in the same order, every
 * thread of the target. */
static void compare_with(const struct other_tool *other, bool fp)
{
	struct result *res = calloc(1, sizeof(*res));
	struct listing *ours = calloc(1, sizeof(*ours)), *theirs = calloc(1, sizeof(*theirs));
	char tool[4096], a[1024], b[1024], p[16];
	const char *path = compare_tool(other->name, tool, sizeof(tool));
	const char *args[] = { "-p", p, NULL };
	struct target tg;

	show_stacks(&tg, fp);
	if (path) {
		snprintf(p, sizeof(p), "%d", (int)tg.pid);
		run_stack(args, res);
		parse_listing(res->out, ours);
		other->run(tg.pid, path, res);
		ck_assert_msg(exit_code(res) == 0, "%s: exit %d: %s", other->name, exit_code(res),
			      res->err);
		other->parse(res->out, theirs);
		if (getenv("SEIZE_STACK_SHOW"))
			printf("%s:\n%s%s", other->name, res->out, res->err);
		if (!other->own_only)
			expect_target_stacks(&tg, theirs, res->out);
		ck_assert_msg(theirs->n == tg.ntids, "%s listed %d threads:\n%s", other->name,
			      theirs->n, res->out);
		for (int i = 0; i < tg.ntids; i++) {
			const struct thread_stack *x = find_tid(ours, tg.tids[i]);
			const struct thread_stack *y = find_tid(theirs, tg.tids[i]);
			struct thread_stack own_x, own_y;

			ck_assert_msg(x && y, "%s: no thread %d:\n%s", other->name, (int)tg.tids[i],
				      res->out);
			if (other->own_only) {
				own_functions(x, &own_x);
				own_functions(y, &own_y);
				ck_assert_int_ge(own_x.n, 1);
				x = &own_x;
				y = &own_y;
			}
			stack_text(x, a, sizeof(a));
			stack_text(y, b, sizeof(b));
			ck_assert_msg(strcmp(a, b) == 0, "thread %d:\n seize-stack %s\n %-11s %s",
				      (int)tg.tids[i], a, other->name, b);
		}
		expect_untraced(&tg, 'S');
	}
	stop_target(&tg);
	free(theirs);
	free(ours);
	free(res);
}

START_TEST(same_as_eu_stack_frame_pointers)
{
	compare_with(&eu_stack, true);
}
END_TEST

START_TEST(same_as_eu_stack_no_frame_pointers)
{
	compare_with(&eu_stack, false);
}
END_TEST

START_TEST(same_as_gdb_frame_pointers)
{
	compare_with(&gdb, true);
}
END_TEST

START_TEST(same_as_gdb_no_frame_pointers)
{
	compare_with(&gdb, false);
}
END_TEST

/* ---- a stopped job -------------------------------------------------------- */

/* What waitid(WSTOPPED|WCONTINUED|WNOHANG) has for the target: "nothing",
 * "stopped by N", "continued", or another report. */
static const char *parent_news(pid_t pid, char *buf, size_t size)
{
	siginfo_t si = { 0 };

	ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WSTOPPED | WCONTINUED | WNOHANG), 0);
	if (si.si_pid == 0)
		snprintf(buf, size, "nothing");
	else if (si.si_code == CLD_STOPPED)
		snprintf(buf, size, "stopped by %d", si.si_status);
	else if (si.si_code == CLD_CONTINUED)
		snprintf(buf, size, "continued");
	else
		snprintf(buf, size, "code %d status %d", si.si_code, si.si_status);
	return buf;
}

/* Stop the target as its shell would (SIGSTOP from its real parent, the stop
 * consumed by waitid). */
static void stop_job(const struct target *tg)
{
	siginfo_t si = { 0 };

	tst_kill(tg->pid, SIGSTOP);
	tst_arm(BOUND_MS);
	ck_assert_int_eq(waitid(P_PID, (id_t)tg->pid, &si, WSTOPPED), 0);
	tst_disarm();
	ck_assert_int_eq(si.si_code, CLD_STOPPED);
	tst_wait_state(tg->pid, "T", BOUND_MS);
}

/* SIGCONT still works: the parent hears of it, the threads sleep again. */
static void continue_job(const struct target *tg)
{
	siginfo_t si = { 0 };

	tst_kill(tg->pid, SIGCONT);
	tst_arm(BOUND_MS);
	ck_assert_int_eq(waitid(P_PID, (id_t)tg->pid, &si, WCONTINUED), 0);
	tst_disarm();
	ck_assert_int_eq(si.si_code, CLD_CONTINUED);
	for (int i = 0; i < tg->ntids; i++)
		for (long deadline = tst_now_ms() + BOUND_MS;
		     tst_task_state(tg->pid, tg->tids[i]) != 'S';) {
			ck_assert_msg(tst_now_ms() < deadline, "thread %d not asleep again",
				      (int)tg->tids[i]);
			usleep(1000);
		}
}

START_TEST(stopped_job_stays_stopped)
{
	struct result *res = calloc(1, sizeof(*res));
	struct listing *l = calloc(1, sizeof(*l));
	struct target tg;
	char p[16], news[64];
	const char *args[] = { "-p", p, NULL };

	start_target(&tg, false);
	stop_job(&tg);
	snprintf(p, sizeof(p), "%d", (int)tg.pid);
	run_stack(args, res);
	ck_assert_msg(exit_code(res) == 0, "exit %d: %s", exit_code(res), res->err);
	parse_listing(res->out, l);
	expect_target_stacks(&tg, l, res->out);
	expect_untraced(&tg, 'T');
	ck_assert_str_eq(parent_news(tg.pid, news, sizeof(news)), "nothing");
	/* Sampling too: several freezes and thaws of a stopped job. */
	{
		const char *sargs[] = { "-n", "3", "-i", "5", p, NULL };

		run_stack(sargs, res);
		ck_assert_msg(exit_code(res) == 0, "exit %d: %s", exit_code(res), res->err);
		expect_untraced(&tg, 'T');
		ck_assert_str_eq(parent_news(tg.pid, news, sizeof(news)), "nothing");
	}
	continue_job(&tg);
	stop_target(&tg);
	free(l);
	free(res);
}
END_TEST

/* What eu-stack and gdb do to a stopped job: observed and printed, not judged. */
static void observe(const char *name, void (*run)(pid_t, const char *, struct result *))
{
	struct result *res = calloc(1, sizeof(*res));
	char tool[4096], news[64], states[MAX_THREADS + 1];
	const char *path = compare_tool(name, tool, sizeof(tool));
	struct target tg;

	if (path) {
		start_target(&tg, false);
		stop_job(&tg);
		run(tg.pid, path, res);
		/* Let a tool's late effect show (not a synchronisation: nothing waits on it). */
		usleep(100000);
		for (int i = 0; i < tg.ntids; i++)
			states[i] = tst_task_state(tg.pid, tg.tids[i]);
		states[tg.ntids] = '\0';
		printf("observed: %s on a stopped job: exit %d, thread states after '%s', "
		       "parent's waitid: %s", name,
		       WIFEXITED(res->status) ? WEXITSTATUS(res->status) : -1, states,
		       parent_news(tg.pid, news, sizeof(news)));
		printf(", then %s\n", parent_news(tg.pid, news, sizeof(news)));
		fflush(stdout);
		stop_target(&tg);
	}
	free(res);
}

START_TEST(observe_eu_stack_on_stopped_job)
{
	observe("eu-stack", run_eu_stack);
}
END_TEST

START_TEST(observe_gdb_on_stopped_job)
{
	observe("gdb", run_gdb);
}
END_TEST

/* ---- sampling and JSON --------------------------------------------------- */

START_TEST(samples_by_count)
{
	struct result *res = calloc(1, sizeof(*res));
	struct target tg;
	char p[16];
	const char *args[] = { "-n", "3", "-i", "10", p, NULL };
	const char *first, *second, *c;

	start_target(&tg, true);
	snprintf(p, sizeof(p), "%d", (int)tg.pid);
	run_stack(args, res);
	ck_assert_msg(exit_code(res) == 0, "exit %d: %s", exit_code(res), res->err);
	ck_assert_msg(strncmp(res->out, "3 samples of PID ", 17) == 0 &&
		      strstr(res->out, "12 stacks, 2 distinct"), "%s", res->out);
	/* The three threads' stack 9 times, first; main's 3 times. */
	first = strstr(res->out, "\n9 (75.0%):\n");
	second = strstr(res->out, "\n3 (25.0%):\n");
	ck_assert_msg(first && second && first < second, "%s", res->out);
	c = strstr(first, "    chain_c (");
	ck_assert_msg(c && c < second && strstr(c, "    chain_b (") < second &&
		      strstr(c, "    chain_a (") < second && strstr(second, "    main ("),
		      "%s", res->out);
	expect_untraced(&tg, 'S');
	stop_target(&tg);
	free(res);
}
END_TEST

/* A small strict JSON reader for nested values: validates, and collects
 * the "tid" and every "function" string in order. */
struct jctx {
	long tid;
	struct thread_stack *t;
};

static const char *json_value(const char *s, struct jctx *c, const char *key);

static const char *json_ws(const char *s)
{
	return s + strspn(s, " \t\r\n");
}

static const char *json_string(const char *s, char *out, size_t size)
{
	size_t n = 0;

	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
						return NULL;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		if (out && n + 1 < size)
			out[n++] = *s;
		s++;
	}
	if (out)
		out[n] = '\0';
	return s + 1;
}

static const char *json_value(const char *s, struct jctx *c, const char *key)
{
	char k[64], str[NAME_MAX_];

	s = json_ws(s);
	if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';
		bool obj = *s == '{';

		s = json_ws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			if (obj) {
				s = json_string(json_ws(s), k, sizeof(k));
				if (!s || *(s = json_ws(s)) != ':')
					return NULL;
				s++;
			}
			s = json_value(s, c, obj ? k : NULL);
			if (!s)
				return NULL;
			s = json_ws(s);
			if (*s == close)
				return s + 1;
			if (*s++ != ',')
				return NULL;
		}
	}
	if (*s == '"') {
		s = json_string(s, str, sizeof(str));
		if (s && key && strcmp(key, "function") == 0 && c->t)
			add_frame(c->t, str, strlen(str));
		return s;
	}
	if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)
		return s + 4;
	if (strncmp(s, "false", 5) == 0)
		return s + 5;
	{
		char *end;
		double v = strtod(s, &end);

		if (end == s || *s == '+' || *s == '.')
			return NULL;
		if (key && strcmp(key, "tid") == 0)
			c->tid = (long)v;
		return end;
	}
}

START_TEST(json_per_thread)
{
	struct result *res = calloc(1, sizeof(*res));
	struct listing *l = calloc(1, sizeof(*l));
	struct target tg;
	char p[16];
	const char *args[] = { "--json", "-p", p, NULL };

	start_target(&tg, false);
	snprintf(p, sizeof(p), "%d", (int)tg.pid);
	run_stack(args, res);
	ck_assert_msg(exit_code(res) == 0, "exit %d: %s", exit_code(res), res->err);
	for (const char *line = res->out; *line; line += strcspn(line, "\n") + 1) {
		char one[8192];
		struct thread_stack t = { 0 };
		struct jctx c = { .t = &t };
		const char *end;

		snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
		ck_assert_msg(one[0] == '{', "not an object: %s", one);
		end = json_value(one, &c, NULL);
		ck_assert_msg(end && *json_ws(end) == '\0', "not one JSON value: %s", one);
		ck_assert_msg(c.tid > 0, "no tid: %s", one);
		t.tid = c.tid;
		*new_thread(l, c.tid) = t;
		if (!line[strcspn(line, "\n")])
			break;
	}
	expect_target_stacks(&tg, l, res->out);
	stop_target(&tg);
	free(l);
	free(res);
}
END_TEST

/* ---- exit statuses ------------------------------------------------------ */

START_TEST(exit_statuses)
{
	struct result *res = calloc(1, sizeof(*res));
	pid_t gone = tst_vanished_pid();
	char p[16];
	const char *none[] = { NULL };
	const char *bad[] = { "--no-such-option", NULL };
	const char *two[] = { "-p", "1", "2", NULL };
	const char *plus[] = { "-p", "+1", NULL };
	const char *vanished[] = { "-p", p, NULL };
	const char *vanished_tid[] = { "-t", p, NULL };

	snprintf(p, sizeof(p), "%d", (int)gone);
	run_stack(none, res);
	ck_assert_int_eq(exit_code(res), 1);
	run_stack(bad, res);
	ck_assert_int_eq(exit_code(res), 1);
	/* The tool's name, not the path it was run by (getopt's message too). */
	ck_assert_msg(strncmp(res->err, "seize-stack: ", 13) == 0, "%s", res->err);
	run_stack(plus, res);
	ck_assert_int_eq(exit_code(res), 1);
	run_stack(two, res);
	ck_assert_int_eq(exit_code(res), 1);
	run_stack(vanished, res);
	ck_assert_int_eq(exit_code(res), 2);
	ck_assert_msg(strstr(res->err, "no such process"), "%s", res->err);
	run_stack(vanished_tid, res);
	ck_assert_int_eq(exit_code(res), 2);
	free(res);
}
END_TEST

TEST_SUITE(kernel, true)
{
	ADD_CASE(s, stacks_frame_pointers);
	ADD_CASE(s, stacks_no_frame_pointers);
	ADD_CASE(s, one_thread);
	ADD_LONG_CASE(s, same_as_eu_stack_frame_pointers, 120);
	ADD_LONG_CASE(s, same_as_eu_stack_no_frame_pointers, 120);
	ADD_LONG_CASE(s, same_as_gdb_frame_pointers, 120);
	ADD_LONG_CASE(s, same_as_gdb_no_frame_pointers, 120);
	ADD_CASE(s, stopped_job_stays_stopped);
	ADD_LONG_CASE(s, observe_eu_stack_on_stopped_job, 120);
	ADD_LONG_CASE(s, observe_gdb_on_stopped_job, 120);
	ADD_CASE(s, samples_by_count);
	ADD_CASE(s, json_per_thread);
	ADD_CASE(s, exit_statuses);
}
