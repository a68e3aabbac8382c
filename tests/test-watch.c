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

#define BOUND_MS 5000
#define MAX_ARGS 32

/* ---- running a program with its stdout and stderr piped to us ----------- */

struct run {
	pid_t pid;
	int out, err;		/* our ends of its stdout and stderr */
	int in;			/* our end of its stdin, or -1 (it has /dev/null) */
	bool out_eof, err_eof;
	size_t out_len, out_pos, err_len;
	char out_buf[65536];	/* all its stdout so far; out_pos: next line */
	char err_buf[8192];
};

struct exec_spec {
	const char *path;
	char *argv[MAX_ARGS + 2];
	int in, out, err;	/* the child's ends */
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_from(int lowest)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lowest, ~0u, 0) == 0)
		return;
#endif
	for (int fd = lowest; fd < 1024; fd++)
		close(fd);
}

/* In the child (tst_fork has reset its signals and set PDEATHSIG): no
 * ck_assert here, only _exit. */
static void exec_child(void *arg)
{
	const struct exec_spec *spec = arg;

	if (dup2(spec->in, 0) < 0 || dup2(spec->out, 1) < 0 || dup2(spec->err, 2) < 0)
		_exit(125);
	close_from(3);	/* so that whatever the program's children see beyond 0-2 is its own */
	execv(spec->path, spec->argv);
	_exit(127);
}

static const char *watch_path(void)
{
	const char *path = getenv("SEIZE_WATCH");

	ck_assert_msg(path && *path, "SEIZE_WATCH must name the seize-watch binary");
	return path;
}

/* Start path with args (NULL-terminated, without argv[0]); with_stdin gives
 * it a pipe for stdin whose write end we keep in r->in. */
static struct run *run_program(const char *path, const char *const *args, bool with_stdin)
{
	struct exec_spec spec = { .path = path };
	struct run *r = calloc(1, sizeof(*r));
	int out[2], err[2], in[2] = { -1, -1 };
	size_t n = 0;

	ck_assert_ptr_nonnull(r);
	spec.argv[n++] = (char *)path;
	for (; args[n - 1]; n++) {
		ck_assert(n <= MAX_ARGS);
		spec.argv[n] = (char *)args[n - 1];
	}
	spec.argv[n] = NULL;
	tst_pipe(out);
	tst_pipe(err);
	if (with_stdin)
		tst_pipe(in);
	else
		ck_assert_int_ge(in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
	spec.in = in[0];
	spec.out = out[1];
	spec.err = err[1];
	r->pid = tst_fork(exec_child, &spec);
	close(out[1]);
	close(err[1]);
	close(in[0]);
	r->out = out[0];
	r->err = err[0];
	r->in = in[1];
	return r;
}

static struct run *run_watch_in(const char *const *args, bool with_stdin)
{
	return run_program(watch_path(), args, with_stdin);
}

static struct run *run_watch(const char *const *args)
{
	return run_watch_in(args, false);
}

/* One read of what is there (poll said so). */
static void take(int fd, char *buf, size_t size, size_t *len, bool *eof)
{
	ssize_t n;

	ck_assert_msg(*len + 1 < size, "more output than the test expects");
	do
		n = read(fd, buf + *len, size - 1 - *len);
	while (n < 0 && errno == EINTR);
	ck_assert_msg(n >= 0, "read: %s", strerror(errno));
	if (n == 0)
		*eof = true;
	*len += (size_t)n;
	buf[*len] = '\0';
}

/* The next line of its stdout (without the newline), false at EOF; fails
 * the case if nothing comes within timeout_ms. */
static bool next_line(struct run *r, char *line, size_t size, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		char *start = r->out_buf + r->out_pos;
		char *nl = memchr(start, '\n', r->out_len - r->out_pos);
		struct pollfd pfd = { .fd = r->out, .events = POLLIN };
		long left;
		int n;

		if (nl) {
			size_t len = (size_t)(nl - start);

			ck_assert_msg(len < size, "line too long: %.*s", (int)len, start);
			memcpy(line, start, len);
			line[len] = '\0';
			r->out_pos += len + 1;
			return true;
		}
		if (r->out_eof) {
			ck_assert_msg(r->out_pos == r->out_len, "unterminated last line: %s", start);
			return false;
		}
		left = deadline - now_ms();
		ck_assert_msg(left > 0, "no line from seize-watch within %d ms; so far:\n%s",
			      timeout_ms, r->out_buf);
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n == 1, "no line from seize-watch within %d ms; so far:\n%s",
			      timeout_ms, r->out_buf);
		take(r->out, r->out_buf, sizeof(r->out_buf), &r->out_len, &r->out_eof);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* waitpid with a time bound (SIGALRM without SA_RESTART interrupts it). */
static int wait_child(pid_t pid, int options, int timeout_ms)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval timer = { .it_value = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	int status = 0;
	pid_t ret;

	ck_assert_int_gt(pid, 0);
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &timer, NULL);
	ret = waitpid(pid, &status, options);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	ck_assert_msg(ret == pid, "waitpid(%d, 0x%x): %s", (int)pid, (unsigned int)options,
		      ret < 0 && errno == EINTR ? "nothing within the bound" : strerror(errno));
	return status;
}

/* Drain what is left in a pipe whose writer has exited (others may hold it). */
static void drain(int fd, char *buf, size_t size, size_t *len, bool *eof)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (!*eof && poll(&pfd, 1, 0) == 1)
		take(fd, buf, size, len, eof);
}

/* Wait for seize-watch to end; its exit code (it must exit, not be killed). */
static int finish(struct run *r)
{
	int status = wait_child(r->pid, 0, BOUND_MS);

	drain(r->out, r->out_buf, sizeof(r->out_buf), &r->out_len, &r->out_eof);
	drain(r->err, r->err_buf, sizeof(r->err_buf), &r->err_len, &r->err_eof);
	r->pid = 0;
	ck_assert_msg(WIFEXITED(status), "seize-watch died of signal %d; stderr:\n%s",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0, r->err_buf);
	return WEXITSTATUS(status);
}

/* Wait for seize-watch to end killed by a signal (as its command was): which. */
static int finish_killed(struct run *r)
{
	int status = wait_child(r->pid, 0, BOUND_MS);

	drain(r->out, r->out_buf, sizeof(r->out_buf), &r->out_len, &r->out_eof);
	drain(r->err, r->err_buf, sizeof(r->err_buf), &r->err_len, &r->err_eof);
	r->pid = 0;
	ck_assert_msg(WIFSIGNALED(status), "seize-watch exited %d, not killed; stderr:\n%s",
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1, r->err_buf);
	ck_assert_msg(!WCOREDUMP(status), "seize-watch dumped a core");
	return WTERMSIG(status);
}

static void run_free(struct run *r)
{
	if (r->pid > 0)
		tst_reap(r->pid);
	close(r->out);
	close(r->err);
	if (r->in >= 0)
		close(r->in);
	free(r);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void expect_one_error_line(struct run *r)
{
	ck_assert_msg(count_lines(r->err_buf) == 1 && strncmp(r->err_buf, "seize-watch: ", 13) == 0,
		      "wanted one line \"seize-watch: ...\" on stderr, got:\n%s", r->err_buf);
}

/* ---- a minimal, strict JSON object reader ------------------------------ */

#define JSON_MAX_KEYS 16

enum json_type { J_STRING, J_NUMBER, J_BOOL, J_NULL };

struct json_value {
	char key[32];
	enum json_type type;
	char text[64];		/* STRING: decoded; NUMBER: the token as written */
	bool is_integer;	/* NUMBER without fraction or exponent */
	long long integer;
	double number;
	bool boolean;
};

struct json_object {
	int n;
	struct json_value v[JSON_MAX_KEYS];
};

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at s (at its opening quote) into out; the end, or NULL. */
static const char *parse_string(const char *s, char *out, size_t size)
{
	size_t len = 0;

	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		char c = *s++;

		if ((unsigned char)c < 0x20)
			return NULL;	/* control characters must be escaped */
		if (c == '\\') {
			switch (*s++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				int v = 0;

				for (int i = 0; i < 4; i++) {
					int d = hex_digit(*s++);

					if (d < 0)
						return NULL;
					v = v * 16 + d;
				}
				c = v < 0x80 ? (char)v : '?';	/* enough for a check */
				break;
			}
			default:
				return NULL;
			}
		}
		if (len + 1 >= size)
			return NULL;
		out[len++] = c;
	}
	out[len] = '\0';
	return s + 1;
}

/* A number by JSON's grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *parse_number(const char *s, struct json_value *v)
{
	const char *start = s;

	v->is_integer = true;
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return NULL;
	if (*s == '.') {
		v->is_integer = false;
		if (!(*++s >= '0' && *s <= '9'))
			return NULL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		v->is_integer = false;
		if (*++s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return NULL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if ((size_t)(s - start) >= sizeof(v->text))
		return NULL;
	memcpy(v->text, start, (size_t)(s - start));
	v->text[s - start] = '\0';
	v->number = strtod(v->text, NULL);
	v->integer = v->is_integer ? strtoll(v->text, NULL, 10) : 0;
	return s;
}

/* The whole line must be one flat object; false if it is not. */
static bool json_parse(const char *s, struct json_object *o)
{
	memset(o, 0, sizeof(*o));
	s = skip_ws(s);
	if (*s++ != '{')
		return false;
	s = skip_ws(s);
	if (*s == '}')
		return *skip_ws(s + 1) == '\0';
	for (;;) {
		struct json_value *v;

		if (o->n == JSON_MAX_KEYS)
			return false;
		v = &o->v[o->n];
		s = parse_string(skip_ws(s), v->key, sizeof(v->key));
		if (!s)
			return false;
		for (int i = 0; i < o->n; i++)
			if (strcmp(o->v[i].key, v->key) == 0)
				return false;	/* a key twice */
		s = skip_ws(s);
		if (*s++ != ':')
			return false;
		s = skip_ws(s);
		if (*s == '"') {
			v->type = J_STRING;
			s = parse_string(s, v->text, sizeof(v->text));
		} else if (strncmp(s, "true", 4) == 0 || strncmp(s, "false", 5) == 0) {
			v->type = J_BOOL;
			v->boolean = *s == 't';
			s += v->boolean ? 4 : 5;
		} else if (strncmp(s, "null", 4) == 0) {
			v->type = J_NULL;
			s += 4;
		} else {
			v->type = J_NUMBER;
			s = parse_number(s, v);
		}
		if (!s)
			return false;
		o->n++;
		s = skip_ws(s);
		if (*s == '}')
			return *skip_ws(s + 1) == '\0';
		if (*s++ != ',')
			return false;
	}
}

static const struct json_value *json_get(const struct json_object *o, const char *key)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->v[i].key, key) == 0)
			return &o->v[i];
	return NULL;
}

static const char *json_str(const struct json_object *o, const char *key)
{
	const struct json_value *v = json_get(o, key);

	return v && v->type == J_STRING ? v->text : NULL;
}

/* An integer member; fails the case if it is missing or not an integer. */
static long long json_int(const struct json_object *o, const char *key)
{
	const struct json_value *v = json_get(o, key);

	ck_assert_msg(v && v->type == J_NUMBER && v->is_integer, "\"%s\" is not an integer", key);
	return v->integer;
}

static bool json_has(const struct json_object *o, const char *key)
{
	return json_get(o, key) != NULL;
}

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
static void expect_event(struct run *r, const char *event, pid_t pid, struct json_object *o)
{
	char line[1024];

	while (next_line(r, line, sizeof(line), BOUND_MS)) {
		parse_event(line, o);
		if ((!event || strcmp(json_str(o, "event"), event) == 0) &&
		    (pid <= 0 || json_int(o, "pid") == pid))
			return;
	}
	ck_abort_msg("seize-watch ended without a \"%s\" line for %d; stdout:\n%s\nstderr:\n%s",
		     event ? event : "any", (int)pid, r->out_buf, r->err_buf);
}

/* Check every line of the first len bytes of output, and count those of
 * event for pid (if > 0) with signal signame (NULL: any) and, if sender > 0,
 * from that sender (checked, not counted: every one must be from it). */
static int count_in(const struct run *r, size_t len, const char *event, pid_t pid,
		    const char *signame, pid_t sender)
{
	const char *s = r->out_buf, *end = r->out_buf + len;
	int n = 0;

	while (s < end) {
		const char *nl = strchr(s, '\n');
		char line[1024];
		struct json_object o;
		const char *sig;

		ck_assert_msg(nl && (size_t)(nl - s) < sizeof(line), "bad output:\n%s", r->out_buf);
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

static int count_events(const struct run *r, const char *event, pid_t pid, const char *signame,
			pid_t sender)
{
	return count_in(r, r->out_len, event, pid, signame, sender);
}

/* The same, over the lines read so far by next_line(). */
static int seen_events(const struct run *r, const char *event, pid_t pid, const char *signame)
{
	return count_in(r, r->out_pos, event, pid, signame, 0);
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
	long deadline = now_ms() + BOUND_MS;
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
		ck_assert_msg(now_ms() < deadline, "thread %d keeps signal %d blocked", (int)tid, sig);
		usleep(1000);
	}
}

/* Wait (bounded /proc poll) until no SIGCONT is pending for the process, so
 * that the next SIGSTOP cannot discard it. */
static void wait_sigcont_taken(pid_t pid)
{
	long deadline = now_ms() + BOUND_MS;
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
		ck_assert_msg(now_ms() < deadline, "SIGCONT stays pending in %d", (int)pid);
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
	wait_child(pid, 0, BOUND_MS);
	return pid;
}

static void expect_stopped(pid_t pid)
{
	int status = wait_child(pid, WUNTRACED, BOUND_MS);

	ck_assert_msg(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP,
		      "wanted a SIGSTOP stop for the parent, status 0x%x", (unsigned int)status);
}

static void expect_continued(pid_t pid)
{
	int status = wait_child(pid, WCONTINUED, BOUND_MS);

	ck_assert_msg(WIFCONTINUED(status), "wanted continued, status 0x%x", (unsigned int)status);
}

/* ---- the cases: exit statuses ------------------------------------------ */

START_TEST(command_exit_code_is_passed_on)
{
	const char *args[] = { "--", "/bin/sh", "-c", "exit 3", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 3);
	ck_assert_msg(strstr(r->out_buf, " exited 3\n"), "no exited line:\n%s", r->out_buf);
	ck_assert_str_eq(r->err_buf, "");
	run_free(r);
}
END_TEST

/* A shell sees its job killed by the same signal (128+N in $?). */
START_TEST(command_killed_kills_seize_watch_alike)
{
	const char *args[] = { "--", "/bin/sh", "-c", "kill -TERM $$", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish_killed(r), SIGTERM);
	ck_assert_msg(strstr(r->out_buf, " killed SIGTERM\n"), "no killed line:\n%s", r->out_buf);
	run_free(r);
}
END_TEST

/* A command's core dump is its own: seize-watch dies of SIGSEGV without one. */
START_TEST(command_segfault_no_core_of_ours)
{
	const char *args[] = { "--", "/bin/sh", "-c", "ulimit -c 0; kill -SEGV $$", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish_killed(r), SIGSEGV);
	ck_assert_msg(strstr(r->out_buf, " killed SIGSEGV"), "no killed line:\n%s", r->out_buf);
	run_free(r);
}
END_TEST

START_TEST(command_not_found_is_127)
{
	const char *args[] = { "--", "/nonexistent/seize-watch-test", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 127);
	expect_one_error_line(r);
	run_free(r);
}
END_TEST

START_TEST(command_without_double_dash)
{
	const char *args[] = { "/bin/sh", "-c", "exit 5", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 5);
	run_free(r);
}
END_TEST

/* ---- the JSON lines ---------------------------------------------------- */

START_TEST(json_signal_names_its_sender)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c",
			       "trap : USR1; kill -USR1 $$; echo $$ >&2", NULL };
	struct run *r = run_watch(args);
	struct json_object o;
	int shell;

	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(sscanf(r->err_buf, "%d", &shell) == 1 && shell > 0, "stderr: %s", r->err_buf);
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
	run_free(r);
}
END_TEST

START_TEST(json_killed_has_core_dumped)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "kill -KILL $$", NULL };
	struct run *r = run_watch(args);
	struct json_object o;

	ck_assert_int_eq(finish_killed(r), SIGKILL);
	expect_event(r, "killed", 0, &o);
	ck_assert_str_eq(json_str(&o, "signal"), "SIGKILL");
	ck_assert(!json_get(&o, "core_dumped")->boolean);
	run_free(r);
}
END_TEST

START_TEST(human_line_format)
{
	const char *args[] = { "--", "/bin/sh", "-c", "trap : USR1; kill -USR1 $$; echo $$ >&2",
			       NULL };
	struct run *r = run_watch(args);
	int h, m, s, pid, tid, sender, shell, end = 0;
	unsigned int uid;
	long us;
	char *line;

	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(sscanf(r->err_buf, "%d", &shell), 1);
	line = strstr(r->out_buf, " signal SIGUSR1 ");
	ck_assert_msg(line, "no signal line:\n%s", r->out_buf);
	while (line > r->out_buf && line[-1] != '\n')
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
	run_free(r);
}
END_TEST

/* ---- job control through it -------------------------------------------- */

START_TEST(job_control_twice)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct run *r;

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
	wait_child(p, 0, BOUND_MS);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(count_events(r, "killed", p, "SIGKILL", 0), 1);

	ck_assert_int_eq(count_events(r, "group-stop", p, NULL, 0), 2);
	ck_assert_int_eq(count_events(r, "continued", p, NULL, 0), 2);
	ck_assert_int_eq(count_events(r, "signal", p, "SIGSTOP", getpid()), 2);
	ck_assert_int_eq(count_events(r, "signal", p, "SIGCONT", getpid()), 2);
	run_free(r);
}
END_TEST

START_TEST(attach_to_stopped_reports_group_stop)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct run *r;

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
	run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(sigterm_leaves_stopped_process_stopped)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct run *r;

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
	run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(sigterm_leaves_running_process_running)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct run *r;
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
	run_free(r);
	tst_reap(p);
}
END_TEST

/* With a command, SIGINT is the command's (Ctrl-C reaches both): seize-watch
 * goes on watching, and ends with the command's status. */
START_TEST(sigint_is_the_commands)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "read x; exit 7", NULL };
	struct json_object o;
	struct run *r;
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
	run_free(r);
}
END_TEST

/* With -p, SIGINT detaches (as strace's does) and exits 0. */
START_TEST(sigint_with_pid_detaches)
{
	pid_t p = tst_fork_pauser();
	char pid[16];
	const char *args[] = { "--json", "-p", pid, NULL };
	struct json_object o;
	struct run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	expect_event(r, "attached", p, &o);
	tst_kill(r->pid, SIGINT);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_wait_state(p, "S", BOUND_MS);
	run_free(r);
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
static struct run *watch_threaded(int count, pid_t *p, pid_t *tids, int *go_w)
{
	static char pid[16];
	static const char *args[] = { "--json", "-p", pid, NULL };
	struct threads_spec spec = { .count = count };
	struct json_object o;
	struct run *r;
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
	struct run *r;
	int go[2], status;
	pid_t p;

	tst_pipe(go);
	p = tst_fork(churner, &go[0]);
	snprintf(pid, sizeof(pid), "%d", (int)p);
	r = run_watch(args);
	deadline = now_ms() + BOUND_MS;
	while (tracer_pid_of(p) != r->pid) {
		ck_assert_msg(now_ms() < deadline, "seize-watch did not attach to %d", (int)p);
		usleep(1000);	/* a bounded /proc poll */
	}
	tst_write_byte(go[1], 'g');
	status = wait_child(p, 0, BOUND_MS);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ended = now_ms();
	status = wait_child(r->pid, 0, 1000);
	ck_assert_msg(now_ms() - ended <= 1000, "seize-watch took %ld ms", now_ms() - ended);
	r->pid = 0;
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	drain(r->out, r->out_buf, sizeof(r->out_buf), &r->out_len, &r->out_eof);
	ck_assert_int_eq(count_events(r, "new-child", 0, NULL, 0), 0);
	ck_assert_int_eq(count_events(r, "exited", p, NULL, 0), 1);
	run_free(r);
	close(go[0]);
	close(go[1]);
}
END_TEST

START_TEST(pid_of_a_thread_exits_2)
{
	struct threads_spec spec = { .count = 1 };
	char path[64], tid[16], want[96];
	const char *args[] = { "-p", tid, NULL };
	long deadline = now_ms() + BOUND_MS;
	pid_t p, thread = 0;
	struct run *r;
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
		ck_assert_msg(thread || now_ms() < deadline, "no thread within %d ms", BOUND_MS);
		if (!thread)
			usleep(1000);
	}
	snprintf(tid, sizeof(tid), "%d", (int)thread);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 2);
	expect_one_error_line(r);
	snprintf(want, sizeof(want), "seize-watch: %d is a thread of process %d\n", (int)thread,
		 (int)p);
	ck_assert_str_eq(r->err_buf, want);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	run_free(r);
	close(go[1]);
	tst_reap(p);
}
END_TEST

START_TEST(threads_are_reported)
{
	struct json_object o;
	struct run *r;
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
	wait_child(p, 0, BOUND_MS);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_int_eq(count_events(r, "killed", p, "SIGKILL", 0), 1);
	ck_assert_int_eq(count_events(r, "new-thread", p, NULL, 0), 1);
	close(go);
	run_free(r);
}
END_TEST

START_TEST(threaded_stop_is_reported_once)
{
	const int rounds = 3;
	pid_t p, tids[STOP_THREADS];
	struct json_object o;
	struct run *r;
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
	wait_child(p, 0, BOUND_MS);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(count_events(r, "group-stop", p, NULL, 0) == rounds &&
		      count_events(r, "continued", p, NULL, 0) == rounds,
		      "wanted %d group-stop and %d continued:\n%s", rounds, rounds, r->out_buf);
	close(go);
	run_free(r);
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
	struct run *r;
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
	status = wait_child(p, 0, BOUND_MS);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x",
		      (unsigned int)status);
	ck_assert_int_eq(finish(r), 0);
	close(go[1]);
	run_free(r);
}
END_TEST

START_TEST(follow_reports_new_children)
{
	const char *args[] = { "-f", "--json", "--", "/bin/sh", "-c", "/bin/true; exit 4", NULL };
	struct run *r = run_watch(args);
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
	run_free(r);
}
END_TEST

START_TEST(without_follow_no_children)
{
	const char *args[] = { "--json", "--", "/bin/sh", "-c", "/bin/true; exit 4", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 4);
	ck_assert_int_eq(count_events(r, "new-child", 0, NULL, 0), 0);
	ck_assert_int_eq(count_events(r, "exec", 0, NULL, 0), 1);
	run_free(r);
}
END_TEST

START_TEST(events_filter)
{
	const char *args[] = { "--json", "-e", "signal,exited", "--", "/bin/sh", "-c",
			       "trap : USR1; kill -USR1 $$; exit 6", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 6);
	ck_assert_int_eq(count_events(r, "signal", 0, "SIGUSR1", 0), 1);
	ck_assert_int_eq(count_events(r, "exited", 0, NULL, 0), 1);
	ck_assert_int_eq(count_lines(r->out_buf), 2);
	run_free(r);
}
END_TEST

START_TEST(events_filter_still_ends_with_command)
{
	/* Without "exited" shown, the command's end still ends the watch. */
	const char *args[] = { "-e", "group-stop", "--", "/bin/sh", "-c", "exit 9", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 9);
	ck_assert_str_eq(r->out_buf, "");
	run_free(r);
}
END_TEST

/* ---- refusals ---------------------------------------------------------- */

START_TEST(missing_pid_fails_at_once)
{
	char pid[16];
	const char *args[] = { "-p", pid, NULL };
	struct run *r;

	snprintf(pid, sizeof(pid), "%d", (int)vanished_pid());
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err_buf, pid), "the pid is not named: %s", r->err_buf);
	run_free(r);
}
END_TEST

static void exec_watch_on_itself(void *arg)
{
	const struct exec_spec *spec = arg;
	struct exec_spec self = *spec;
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	self.argv[2] = pid;
	exec_child(&self);
}

START_TEST(own_pid_fails_at_once)
{
	struct exec_spec spec = { .path = watch_path(), .argv = { NULL, "-p", NULL, NULL } };
	struct run *r = calloc(1, sizeof(*r));
	int out[2], err[2];

	ck_assert_ptr_nonnull(r);
	spec.argv[0] = (char *)spec.path;
	tst_pipe(out);
	tst_pipe(err);
	ck_assert_int_ge(spec.in = open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
	spec.out = out[1];
	spec.err = err[1];
	r->pid = tst_fork(exec_watch_on_itself, &spec);
	close(out[1]);
	close(err[1]);
	close(spec.in);
	r->out = out[0];
	r->err = err[0];
	r->in = -1;
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err_buf, "itself"), "stderr: %s", r->err_buf);
	ck_assert_str_eq(r->out_buf, "");
	run_free(r);
}
END_TEST

START_TEST(traced_pid_fails_at_once)
{
	pid_t p = tst_fork_pauser();
	char pid[16], want[64];
	const char *args[] = { "-p", pid, NULL };
	struct run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	ck_assert_int_eq(seize_attach(p, PTRACE_O_EXITKILL), 0);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	snprintf(want, sizeof(want), "process %d is already traced by %d", (int)p, (int)getpid());
	ck_assert_msg(strstr(r->err_buf, want), "stderr: %s", r->err_buf);
	run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(one_refusal_lets_the_others_go)
{
	pid_t p = tst_fork_pauser();
	char pid[16], gone[16];
	const char *args[] = { "--json", "-p", pid, "-p", gone, NULL };
	struct run *r;

	snprintf(pid, sizeof(pid), "%d", (int)p);
	snprintf(gone, sizeof(gone), "%d", (int)vanished_pid());
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 1);
	expect_one_error_line(r);
	ck_assert_msg(strstr(r->err_buf, gone), "stderr: %s", r->err_buf);
	ck_assert_int_eq(count_events(r, "attached", p, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "detached", p, NULL, 0), 1);
	ck_assert_int_eq(tracer_pid_of(p), 0);
	tst_wait_state(p, "S", BOUND_MS);
	run_free(r);
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
		struct run *r = run_watch(cases[i]);

		ck_assert_msg(finish(r) == 2, "case %zu: not a usage error", i);
		ck_assert_msg(r->err_buf[0] != '\0', "case %zu: nothing on stderr", i);
		ck_assert_str_eq(r->out_buf, "");
		run_free(r);
	}
}
END_TEST

/* ---- output, help, version, descriptors -------------------------------- */

START_TEST(output_file)
{
	char path[] = "/tmp/seize-watch-test-XXXXXX";
	const char *args[] = { "--json", "-o", path, "--", "/bin/sh", "-c", "exit 0", NULL };
	struct run *r;
	char text[4096];
	ssize_t n;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "old contents, to be replaced\n", 29), 29);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_str_eq(r->out_buf, "");
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	ck_assert_msg(!strstr(text, "old contents"), "not truncated:\n%s", text);
	/* Read it back through the same checks as a pipe. */
	ck_assert_uint_lt((size_t)n, sizeof(r->out_buf));
	memcpy(r->out_buf, text, (size_t)n + 1);
	r->out_len = (size_t)n;
	ck_assert_int_eq(count_events(r, "attached", 0, NULL, 0), 1);
	ck_assert_int_eq(count_events(r, "exited", 0, NULL, 0), 1);
	run_free(r);
}
END_TEST

/* Bounded poll of a file until it holds @p needle. */
static void wait_file_holds(int fd, const char *needle, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	char text[8192];
	ssize_t n;

	for (;;) {
		n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = '\0';
		if (strstr(text, needle))
			return;
		ck_assert_msg(now_ms() < deadline, "no \"%s\" in the file within %d ms:\n%s",
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
	struct run *r;
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
	run_free(r);
	tst_reap(p);
}
END_TEST

START_TEST(version_exits_0)
{
	const char *args[] = { "--version", NULL };
	struct run *r = run_watch(args);

	ck_assert_int_eq(finish(r), 0);
	ck_assert_msg(strncmp(r->out_buf, "seize-watch ", 12) == 0 && r->out_buf[12] > ' ' &&
		      count_lines(r->out_buf) == 1, "version: %s", r->out_buf);
	ck_assert_str_eq(r->err_buf, "");
	run_free(r);
}
END_TEST

START_TEST(help_exits_0)
{
	static const char *const cases[][2] = { { "-h", NULL }, { "--help", NULL } };

	for (size_t i = 0; i < 2; i++) {
		struct run *r = run_watch(cases[i]);

		ck_assert_int_eq(finish(r), 0);
		ck_assert_msg(strstr(r->out_buf, "Usage:") && strstr(r->out_buf, "--json"),
			      "help: %s", r->out_buf);
		ck_assert_str_eq(r->err_buf, "");
		run_free(r);
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
	struct run *base = run_program("/bin/sh", cmd, false);
	struct run *r;

	ck_assert_int_eq(finish(base), 0);
	ck_assert_msg(strstr(base->err_buf, "2\n"), "baseline: %s", base->err_buf);
	r = run_watch(args);
	ck_assert_int_eq(finish(r), 0);
	ck_assert_str_eq(r->err_buf, base->err_buf);
	run_free(base);
	run_free(r);
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
