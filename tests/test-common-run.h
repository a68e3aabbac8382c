/* SPDX-License-Identifier: MIT */
/* A program run with its stdio piped to the test (seize-watch, strace): start
 * it, read its output line by line with a time bound, wait for its end; and
 * a small strict reader for the one-line flat JSON objects seize-watch
 * writes. */
#ifndef SEIZE_TEST_COMMON_RUN_H
#define SEIZE_TEST_COMMON_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TST_RUN_MAX_ARGS 32

/* One of its output pipes: all it wrote so far; pos is the next line that
 * tst_run_next_line() has not returned. */
struct tst_stream {
	int fd;
	bool eof;
	size_t len, pos;
	char buf[65536];
};

struct tst_run {
	char name[64];		/* for messages: the program's base name */
	pid_t pid;		/* 0 once waited for */
	int in;			/* our end of its stdin, or -1 (it has /dev/null) */
	struct tst_stream out, err;
};

/* Start path with args (NULL-terminated, without argv[0]); with_stdin gives
 * it a pipe for stdin whose write end is r->in.  Only 0, 1 and 2 are open
 * in it.  It dies with the test (tst_fork). */
struct tst_run *tst_run_start(const char *path, const char *const *args, bool with_stdin);
/* An argument that is this very pointer becomes the program's own pid. */
extern const char tst_run_own_pid[];

/* The next line of s (r->out or r->err), without its newline, into line;
 * false at EOF.  Fails the test if no line comes within timeout_ms, or if
 * the last one has no newline. */
bool tst_run_next_line(struct tst_run *r, struct tst_stream *s, char *line, size_t size,
		       int timeout_ms);

/* Wait (bounded) for it to end, then read what is left in its pipes;
 * returns its wait status. */
int tst_run_wait(struct tst_run *r, int timeout_ms);

/* Read what is left in its pipes once it has ended (without waiting for
 * an EOF: others may hold them). */
void tst_run_drain(struct tst_run *r);

/* Kill and reap it if it still runs, close our ends, free it. */
void tst_run_free(struct tst_run *r);

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

/* The whole line must be one flat object (strings, numbers, true, false,
 * null; no key twice); false if it is not. */
bool json_parse(const char *s, struct json_object *o);
const struct json_value *json_get(const struct json_object *o, const char *key);
bool json_has(const struct json_object *o, const char *key);
/* A string member, or NULL. */
const char *json_str(const struct json_object *o, const char *key);
/* An integer member into *out; false if it is missing or not an integer. */
bool json_get_int(const struct json_object *o, const char *key, long long *out);
/* The same, failing the test if it is missing or not an integer. */
long long json_int(const struct json_object *o, const char *key);

#endif
