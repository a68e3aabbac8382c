/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-common.h"
#include "test-common-run.h"

struct exec_spec {
	const char *path;
	char *argv[TST_RUN_MAX_ARGS + 2];
	int in, out, err;	/* the child's ends */
};

/* In the child (tst_fork has reset its signals and set PDEATHSIG): no
 * ck_assert here, only _exit. */
const char tst_run_own_pid[] = "(own pid)";

static void exec_child(void *arg)
{
	struct exec_spec *spec = arg;
	char own[16];

	snprintf(own, sizeof(own), "%d", (int)getpid());
	for (char **a = spec->argv; *a; a++)
		if (*a == tst_run_own_pid)
			*a = own;

	if (dup2(spec->in, 0) < 0 || dup2(spec->out, 1) < 0 || dup2(spec->err, 2) < 0)
		_exit(125);
	tst_close_from(3);	/* so that whatever the program's children see beyond 0-2 is its own */
	execv(spec->path, spec->argv);
	_exit(127);
}

struct tst_run *tst_run_start(const char *path, const char *const *args, bool with_stdin)
{
	struct exec_spec spec = { .path = path };
	struct tst_run *r = calloc(1, sizeof(*r));
	int out[2], err[2], in[2] = { -1, -1 };
	const char *base = strrchr(path, '/');
	size_t n = 0;

	ck_assert_ptr_nonnull(r);
	snprintf(r->name, sizeof(r->name), "%s", base ? base + 1 : path);
	spec.argv[n++] = (char *)path;
	for (; args[n - 1]; n++) {
		ck_assert(n <= TST_RUN_MAX_ARGS);
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
	r->out.fd = out[0];
	r->err.fd = err[0];
	r->in = in[1];
	return r;
}

/* One read of what is there (poll said so). */
static void take(struct tst_stream *s)
{
	ssize_t n;

	ck_assert_msg(s->len + 1 < sizeof(s->buf), "more output than the test expects");
	do
		n = read(s->fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len);
	while (n < 0 && errno == EINTR);
	ck_assert_msg(n >= 0, "read: %s", strerror(errno));
	if (n == 0)
		s->eof = true;
	s->len += (size_t)n;
	s->buf[s->len] = '\0';
}

bool tst_run_next_line(struct tst_run *r, struct tst_stream *s, char *line, size_t size,
		       int timeout_ms)
{
	long deadline = tst_now_ms() + timeout_ms;

	for (;;) {
		char *start = s->buf + s->pos;
		char *nl = memchr(start, '\n', s->len - s->pos);
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		long left;
		int n;

		if (nl) {
			size_t len = (size_t)(nl - start);

			ck_assert_msg(len < size, "line too long: %.*s", (int)len, start);
			memcpy(line, start, len);
			line[len] = '\0';
			s->pos += len + 1;
			return true;
		}
		if (s->eof) {
			ck_assert_msg(s->pos == s->len, "unterminated last line from %s: %s", r->name,
				      start);
			return false;
		}
		left = deadline - tst_now_ms();
		n = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n == 1, "no line from %s within %d ms; so far:\n%s", r->name,
			      timeout_ms, s->buf);
		take(s);
	}
}

static void drain(struct tst_stream *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	while (!s->eof && poll(&pfd, 1, 0) == 1)
		take(s);
}

int tst_run_wait(struct tst_run *r, int timeout_ms)
{
	int status = tst_wait_child(r->pid, 0, timeout_ms);

	r->pid = 0;
	tst_run_drain(r);
	return status;
}

void tst_run_drain(struct tst_run *r)
{
	drain(&r->out);
	drain(&r->err);
}

void tst_run_free(struct tst_run *r)
{
	if (r->pid > 0)
		tst_reap(r->pid);
	close(r->out.fd);
	close(r->err.fd);
	if (r->in >= 0)
		close(r->in);
	free(r);
}

/* ---- a minimal, strict JSON object reader ------------------------------ */

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
bool json_parse(const char *s, struct json_object *o)
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

const struct json_value *json_get(const struct json_object *o, const char *key)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->v[i].key, key) == 0)
			return &o->v[i];
	return NULL;
}

const char *json_str(const struct json_object *o, const char *key)
{
	const struct json_value *v = json_get(o, key);

	return v && v->type == J_STRING ? v->text : NULL;
}

/* An integer member; fails the case if it is missing or not an integer. */
long long json_int(const struct json_object *o, const char *key)
{
	const struct json_value *v = json_get(o, key);

	ck_assert_msg(v && v->type == J_NUMBER && v->is_integer, "\"%s\" is not an integer", key);
	return v->integer;
}

bool json_has(const struct json_object *o, const char *key)
{
	return json_get(o, key) != NULL;
}

bool json_get_int(const struct json_object *o, const char *key, long long *out)
{
	const struct json_value *v = json_get(o, key);

	if (!v || v->type != J_NUMBER || !v->is_integer)
		return false;
	*out = v->integer;
	return true;
}
