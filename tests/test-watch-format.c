/* SPDX-License-Identifier: MIT */
/* seize-watch's formatter (tools/watch-format.c, built into this test
 * directly: it is the tool's, not the library's), by table: JSON escaping and
 * UTF-8 repair, cutting at the buffer's end, event and signal names, the
 * default event set, the two time forms, and every event type's text line
 * and JSON line as seize-watch(1) documents them.  Pure: no tracing.
 *
 * Every expected string is written out here, from the man page and the
 * code's comments; none is computed by the code under test.  Human times are
 * local time, so the cases set TZ themselves (UTC unless said). */
#define _GNU_SOURCE
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "test-common.h"
#include "../tools/watch-killers.h"
#include "../tools/watch-format.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define GUARD 'Z'
#define GUARDED 16	/* guard bytes on each side of a buffer */

static void set_tz(const char *tz)
{
	ck_assert_int_eq(setenv("TZ", tz, 1), 0);
	tzset();
}

/* ---- JSON strings --------------------------------------------------------- */

static const struct {
	const char *in, *out;
} json_rows[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "a\\b", "\"a\\\\b\"" },
	{ "\\\"", "\"\\\\\\\"\"" },
	{ "/", "\"/\"" },		/* JSON allows it bare */
	{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
	{ "\x01", "\"\\u0001\"" },
	{ "\x0b", "\"\\u000b\"" },	/* vertical tab: no short form */
	{ "\x1b[0m", "\"\\u001b[0m\"" },
	{ "\x1f", "\"\\u001f\"" },
	{ " ~\x7f", "\" ~\x7f\"" },	/* DEL is no control character to JSON */
	/* Valid UTF-8 passes as it is: 2, 3 and 4 bytes, and the edges. */
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	{ "\xc2\x80", "\"\xc2\x80\"" },			/* U+0080 */
	{ "\xe0\xa0\x80", "\"\xe0\xa0\x80\"" },		/* U+0800 */
	{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },		/* U+20AC */
	{ "\xed\x9f\xbf", "\"\xed\x9f\xbf\"" },		/* U+D7FF */
	{ "\xee\x80\x80", "\"\xee\x80\x80\"" },		/* U+E000 */
	{ "\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"" },	/* U+10000 */
	{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },	/* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },	/* U+10FFFF */
	/* Not UTF-8: each bad byte becomes U+FFFD, and the scan goes on at
	 * the next byte. */
	{ "a\xff" "b", "\"a\\ufffdb\"" },
	{ "\xfe", "\"\\ufffd\"" },
	{ "\x80", "\"\\ufffd\"" },				/* stray continuation */
	{ "\xc3\xa9\xa9", "\"\xc3\xa9\\ufffd\"" },		/* one too many */
	{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },			/* overlong '/' */
	{ "\xc1\xbf", "\"\\ufffd\\ufffd\"" },			/* overlong */
	{ "\xe0\x9f\xbf", "\"\\ufffd\\ufffd\\ufffd\"" },	/* overlong 3 */
	{ "\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* overlong 4 */
	{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate U+D800 */
	{ "\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate U+DFFF */
	{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* U+110000 */
	{ "\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\xc3", "\"\\ufffd\"" },				/* cut short at the end */
	{ "\xc3(", "\"\\ufffd(\"" },
	{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
	{ "\xe2\x82x", "\"\\ufffd\\ufffdx\"" },
	{ "\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "\xe2\x82\n", "\"\\ufffd\\ufffd\\n\"" },
	{ "\"\xff\\\x01\xc3\xa9", "\"\\\"\\ufffd\\\\\\u0001\xc3\xa9\"" },
};

START_TEST(json_escaping_and_utf8_repair)
{
	for (size_t i = 0; i < N_OF(json_rows); i++) {
		char buf[128];
		size_t n = watch_json_string(buf, sizeof(buf), json_rows[i].in);

		ck_assert_msg(strcmp(buf, json_rows[i].out) == 0, "row %zu: got [%s], want [%s]", i,
			      buf, json_rows[i].out);
		ck_assert_uint_eq(n, strlen(json_rows[i].out));
	}
}
END_TEST

/* Every row, into every size from 0 to past its length: the whole length is
 * returned (as snprintf does), the text is the expected one's first
 * size - 1 bytes, NUL-terminated, and nothing outside the buffer is written. */
START_TEST(json_cut_at_every_size)
{
	for (size_t i = 0; i < N_OF(json_rows); i++) {
		const char *want = json_rows[i].out;
		size_t len = strlen(want);

		for (size_t size = 0; size <= len + 2; size++) {
			char area[GUARDED + 128 + GUARDED], *buf = area + GUARDED;
			size_t n, kept = size ? (len < size - 1 ? len : size - 1) : 0;

			memset(area, GUARD, sizeof(area));
			n = watch_json_string(buf, size, json_rows[i].in);
			ck_assert_uint_eq(n, len);
			for (size_t k = 0; k < sizeof(area); k++)
				ck_assert_msg(area[k] == GUARD || (k >= GUARDED && k < GUARDED + size),
					      "row %zu size %zu: byte %zd written", i, size,
					      (ssize_t)k - GUARDED);
			if (!size)
				continue;
			ck_assert_msg(memcmp(buf, want, kept) == 0 && buf[kept] == '\0',
				      "row %zu size %zu: [%.*s]", i, size, (int)size, buf);
		}
	}
}
END_TEST

START_TEST(json_cut_literal)
{
	static const struct {
		const char *in;
		size_t size;
		const char *out;
		size_t len;
	} rows[] = {
		{ "abc", 1, "", 5 },
		{ "abc", 2, "\"", 5 },
		{ "abc", 4, "\"ab", 5 },
		{ "abc", 5, "\"abc", 5 },
		{ "abc", 6, "\"abc\"", 5 },
		{ "a\"b", 4, "\"a\\", 6 },		/* an escape cut in two */
		{ "\x01", 5, "\"\\u0", 8 },
		{ "\xff", 4, "\"\\u", 8 },
	};
	char buf[32];

	for (size_t i = 0; i < N_OF(rows); i++) {
		ck_assert_uint_eq(watch_json_string(buf, rows[i].size, rows[i].in), rows[i].len);
		ck_assert_str_eq(buf, rows[i].out);
	}
	/* Size 0 writes nothing and may take NULL: a length query. */
	ck_assert_uint_eq(watch_json_string(NULL, 0, "a\\b\xff"), 12);
}
END_TEST

/* ---- names ---------------------------------------------------------------- */

START_TEST(event_names_both_ways)
{
	static const struct {
		enum seize_tracer_event_type type;
		const char *name;
	} rows[] = {
		{ SEIZE_TRACER_ATTACHED, "attached" },
		{ SEIZE_TRACER_DETACHED, "detached" },
		{ SEIZE_TRACER_SIGNAL, "signal" },
		{ SEIZE_TRACER_GROUP_STOP, "group-stop" },
		{ SEIZE_TRACER_CONTINUED, "continued" },
		{ SEIZE_TRACER_EXITED, "exited" },
		{ SEIZE_TRACER_KILLED, "killed" },
		{ SEIZE_TRACER_NEW_THREAD, "new-thread" },
		{ SEIZE_TRACER_NEW_CHILD, "new-child" },
		{ SEIZE_TRACER_EXEC, "exec" },
		{ SEIZE_TRACER_THREAD_EXITED, "thread-exited" },
		{ SEIZE_TRACER_FROZEN, "frozen" },
		{ SEIZE_TRACER_SYSCALL, "syscall" },
	};
	static const char *const not_names[] = {
		"", "all", "none", "Signal", "SIGNAL", "group_stop", "groupstop", "signal ",
		"exit", "thread", "event-3",
	};

	for (size_t i = 0; i < N_OF(rows); i++) {
		ck_assert_str_eq(watch_event_name(rows[i].type), rows[i].name);
		ck_assert_int_eq(watch_event_type(rows[i].name), rows[i].type);
	}
	ck_assert_ptr_null(watch_event_name(0));
	ck_assert_ptr_null(watch_event_name(SEIZE_TRACER_EVENT_MAX_));
	ck_assert_ptr_null(watch_event_name((enum seize_tracer_event_type)99));
	ck_assert_ptr_null(watch_event_name((enum seize_tracer_event_type)-1));
	for (size_t i = 0; i < N_OF(not_names); i++)
		ck_assert_msg(watch_event_type(not_names[i]) == 0, "'%s' is a name", not_names[i]);
}
END_TEST

/* The man page's -e: every event but thread-exited (and frozen, which
 * seize-watch never makes), stated bit by bit. */
START_TEST(default_events_are_the_contract)
{
	static const enum seize_tracer_event_type shown[] = {
		SEIZE_TRACER_SIGNAL,	 SEIZE_TRACER_GROUP_STOP, SEIZE_TRACER_CONTINUED,
		SEIZE_TRACER_EXITED,	 SEIZE_TRACER_KILLED,	  SEIZE_TRACER_NEW_THREAD,
		SEIZE_TRACER_NEW_CHILD, SEIZE_TRACER_EXEC,	  SEIZE_TRACER_ATTACHED,
		SEIZE_TRACER_DETACHED,
	};
	unsigned int mask = watch_default_events(), want = 0;

	for (size_t i = 0; i < N_OF(shown); i++) {
		ck_assert_msg(mask & SEIZE_TRACER_MASK(shown[i]), "%s not shown",
			      watch_event_name(shown[i]));
		want |= SEIZE_TRACER_MASK(shown[i]);
	}
	ck_assert(!(mask & SEIZE_TRACER_MASK(SEIZE_TRACER_THREAD_EXITED)));
	ck_assert(!(mask & SEIZE_TRACER_MASK(SEIZE_TRACER_FROZEN)));
	ck_assert_uint_eq(mask, want);
	/* The same as numbers (the enum's values are ABI): bits 1 to 10. */
	ck_assert_uint_eq(mask, 0x7feu);
}
END_TEST

START_TEST(signal_names)
{
	/* Not static: glibc's SIGRTMIN is a function call. */
	const struct {
		int sig;
		const char *name;
	} rows[] = {
		{ SIGHUP, "SIGHUP" },	  { SIGINT, "SIGINT" },	      { SIGQUIT, "SIGQUIT" },
		{ SIGILL, "SIGILL" },	  { SIGTRAP, "SIGTRAP" },     { SIGABRT, "SIGABRT" },
		{ SIGBUS, "SIGBUS" },	  { SIGFPE, "SIGFPE" },	      { SIGKILL, "SIGKILL" },
		{ SIGUSR1, "SIGUSR1" },	  { SIGSEGV, "SIGSEGV" },     { SIGUSR2, "SIGUSR2" },
		{ SIGPIPE, "SIGPIPE" },	  { SIGALRM, "SIGALRM" },     { SIGTERM, "SIGTERM" },
#ifdef SIGSTKFLT
		{ SIGSTKFLT, "SIGSTKFLT" },
#endif
		{ SIGCHLD, "SIGCHLD" },	  { SIGCONT, "SIGCONT" },     { SIGSTOP, "SIGSTOP" },
		{ SIGTSTP, "SIGTSTP" },	  { SIGTTIN, "SIGTTIN" },     { SIGTTOU, "SIGTTOU" },
		{ SIGURG, "SIGURG" },	  { SIGXCPU, "SIGXCPU" },     { SIGXFSZ, "SIGXFSZ" },
		{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" },   { SIGWINCH, "SIGWINCH" },
		{ SIGIO, "SIGIO" },
#ifdef SIGPWR
		{ SIGPWR, "SIGPWR" },
#endif
		{ SIGSYS, "SIGSYS" },
		/* Real-time ones as `kill -l` names them, counted from SIGRTMIN. */
		{ SIGRTMIN, "SIGRTMIN" }, { SIGRTMIN + 1, "SIGRTMIN+1" },
		{ SIGRTMIN + 3, "SIGRTMIN+3" }, { SIGRTMIN + 10, "SIGRTMIN+10" },
		/* No name: a number. */
		{ 0, "SIG0" },		  { -1, "SIG-1" },	      { SIGRTMAX + 1, NULL },
		{ 1000, "SIG1000" },
	};

	for (size_t i = 0; i < N_OF(rows); i++) {
		char buf[32];
		const char *got = watch_signal_name(rows[i].sig, buf, sizeof(buf));

		ck_assert_ptr_nonnull(got);
		if (rows[i].name)
			ck_assert_msg(strcmp(got, rows[i].name) == 0, "%d: got %s, want %s",
				      rows[i].sig, got, rows[i].name);
	}
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__) || defined(__i386__))
	/* Here glibc keeps the kernel's 32 and 33 for itself and SIGRTMAX is 64:
	 * the numbers as written in the man page's examples. */
	{
		static const struct {
			int sig;
			const char *name;
		} numbered[] = {
			{ 31, "SIGSYS" },	  { 32, "SIG32" },	      { 33, "SIG33" },
			{ 34, "SIGRTMIN" },	  { 35, "SIGRTMIN+1" },	      { 40, "SIGRTMIN+6" },
			{ 64, "SIGRTMIN+30" }, { 65, "SIG65" },
		};

		for (size_t i = 0; i < N_OF(numbered); i++) {
			char buf[32];

			ck_assert_str_eq(watch_signal_name(numbered[i].sig, buf, sizeof(buf)),
					 numbered[i].name);
		}
	}
#endif
}
END_TEST

/* ---- lines ---------------------------------------------------------------- */

/* 1795867265 is 2026-11-28 12:01:05 UTC, the man page's example. */
#define WHEN { .tv_sec = 1795867265, .tv_nsec = 210000 }
#define T_TEXT "12:01:05.000210 "
#define T_JSON ",\"time\":1795867265.000210}\n"

static const struct {
	struct seize_tracer_event ev;
	const char *text, *json;
} line_rows[] = {
	{ { .type = SEIZE_TRACER_ATTACHED, .pid = 4242, .tid = 4242 },
	  T_TEXT "4242/4242 attached\n",
	  "{\"event\":\"attached\",\"pid\":4242,\"tid\":4242" T_JSON },
	/* A sig on an event that has none is not shown. */
	{ { .type = SEIZE_TRACER_DETACHED, .pid = 4242, .tid = 4242, .sig = SIGSTOP },
	  T_TEXT "4242/4242 detached\n",
	  "{\"event\":\"detached\",\"pid\":4242,\"tid\":4242" T_JSON },
	{ { .type = SEIZE_TRACER_SIGNAL, .pid = 4242, .tid = 4243, .sig = SIGUSR1,
	    .has_sender = true, .sender_pid = 100, .sender_uid = 0 },
	  T_TEXT "4242/4243 signal SIGUSR1 from pid 100 uid 0\n",
	  "{\"event\":\"signal\",\"pid\":4242,\"tid\":4243,\"signal\":\"SIGUSR1\","
	  "\"sender_pid\":100,\"sender_uid\":0" T_JSON },
	/* No sender (a fault): no "from", no sender keys, whatever the fields hold. */
	{ { .type = SEIZE_TRACER_SIGNAL, .pid = 4242, .tid = 4242, .sig = SIGSEGV,
	    .has_sender = false, .sender_pid = 77, .sender_uid = 7 },
	  T_TEXT "4242/4242 signal SIGSEGV\n",
	  "{\"event\":\"signal\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGSEGV\"" T_JSON },
	/* uid is unsigned. */
	{ { .type = SEIZE_TRACER_SIGNAL, .pid = 4242, .tid = 4242, .sig = SIGTSTP,
	    .has_sender = true, .sender_pid = 3999, .sender_uid = 4294967294u },
	  T_TEXT "4242/4242 signal SIGTSTP from pid 3999 uid 4294967294\n",
	  "{\"event\":\"signal\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGTSTP\","
	  "\"sender_pid\":3999,\"sender_uid\":4294967294" T_JSON },
	/* A signal event without a signal number: no signal field. */
	{ { .type = SEIZE_TRACER_SIGNAL, .pid = 4242, .tid = 4242, .sig = 0 },
	  T_TEXT "4242/4242 signal\n",
	  "{\"event\":\"signal\",\"pid\":4242,\"tid\":4242" T_JSON },
	{ { .type = SEIZE_TRACER_GROUP_STOP, .pid = 4242, .tid = 4242, .sig = SIGTSTP },
	  T_TEXT "4242/4242 group-stop SIGTSTP\n",
	  "{\"event\":\"group-stop\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGTSTP\"" T_JSON },
	{ { .type = SEIZE_TRACER_CONTINUED, .pid = 4242, .tid = 4242, .sig = SIGCONT },
	  T_TEXT "4242/4242 continued SIGCONT\n",
	  "{\"event\":\"continued\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGCONT\"" T_JSON },
	{ { .type = SEIZE_TRACER_EXITED, .pid = 4242, .tid = 4242, .exit_code = 0 },
	  T_TEXT "4242/4242 exited 0\n",
	  "{\"event\":\"exited\",\"pid\":4242,\"tid\":4242,\"exit_code\":0" T_JSON },
	{ { .type = SEIZE_TRACER_EXITED, .pid = 4242, .tid = 4242, .exit_code = 255,
	    .sig = SIGKILL },
	  T_TEXT "4242/4242 exited 255\n",
	  "{\"event\":\"exited\",\"pid\":4242,\"tid\":4242,\"exit_code\":255" T_JSON },
	{ { .type = SEIZE_TRACER_KILLED, .pid = 4242, .tid = 4242, .sig = SIGKILL },
	  T_TEXT "4242/4242 killed SIGKILL (sender unknown: SIGKILL carries none)\n",
	  "{\"event\":\"killed\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGKILL\","
	  "\"core_dumped\":false" T_JSON },
	{ { .type = SEIZE_TRACER_KILLED, .pid = 4242, .tid = 4242, .sig = SIGSEGV,
	    .core_dumped = true },
	  T_TEXT "4242/4242 killed SIGSEGV (core dumped)\n",
	  "{\"event\":\"killed\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGSEGV\","
	  "\"core_dumped\":true" T_JSON },
	{ { .type = SEIZE_TRACER_NEW_THREAD, .pid = 4242, .tid = 4250 },
	  T_TEXT "4242/4250 new-thread\n",
	  "{\"event\":\"new-thread\",\"pid\":4242,\"tid\":4250" T_JSON },
	{ { .type = SEIZE_TRACER_NEW_CHILD, .pid = 4300, .tid = 4300, .parent = 4242 },
	  T_TEXT "4300/4300 new-child of 4242\n",
	  "{\"event\":\"new-child\",\"pid\":4300,\"tid\":4300,\"parent\":4242" T_JSON },
	/* exec by the leader: the text says nothing more, JSON says who. */
	{ { .type = SEIZE_TRACER_EXEC, .pid = 4242, .tid = 4242, .former_tid = 4242 },
	  T_TEXT "4242/4242 exec\n",
	  "{\"event\":\"exec\",\"pid\":4242,\"tid\":4242,\"former_tid\":4242" T_JSON },
	{ { .type = SEIZE_TRACER_EXEC, .pid = 4242, .tid = 4242, .former_tid = 4243 },
	  T_TEXT "4242/4242 exec by thread 4243\n",
	  "{\"event\":\"exec\",\"pid\":4242,\"tid\":4242,\"former_tid\":4243" T_JSON },
	{ { .type = SEIZE_TRACER_EXEC, .pid = 4242, .tid = 4242, .former_tid = 0 },
	  T_TEXT "4242/4242 exec\n",
	  "{\"event\":\"exec\",\"pid\":4242,\"tid\":4242" T_JSON },
	{ { .type = SEIZE_TRACER_THREAD_EXITED, .pid = 4242, .tid = 4243 },
	  T_TEXT "4242/4243 thread-exited\n",
	  "{\"event\":\"thread-exited\",\"pid\":4242,\"tid\":4243" T_JSON },
	{ { .type = SEIZE_TRACER_FROZEN, .pid = 4242, .tid = 4242 },
	  T_TEXT "4242/4242 frozen\n",
	  "{\"event\":\"frozen\",\"pid\":4242,\"tid\":4242" T_JSON },
	/* A type this build does not know still gets a line. */
	{ { .type = (enum seize_tracer_event_type)99, .pid = 1, .tid = 2, .sig = SIGUSR1 },
	  T_TEXT "1/2 event-99\n",
	  "{\"event\":\"event-99\",\"pid\":1,\"tid\":2" T_JSON },
	{ { .type = (enum seize_tracer_event_type)0, .pid = 1, .tid = 1 },
	  T_TEXT "1/1 event-0\n",
	  "{\"event\":\"event-0\",\"pid\":1,\"tid\":1" T_JSON },
};

START_TEST(every_event_as_text_and_json)
{
	static const struct timespec when = WHEN;

	set_tz("UTC");
	for (size_t i = 0; i < N_OF(line_rows); i++) {
		char buf[WATCH_LINE_MAX];
		size_t n;

		n = watch_format_line(buf, sizeof(buf), &line_rows[i].ev, &when, false);
		ck_assert_msg(strcmp(buf, line_rows[i].text) == 0, "row %zu: got [%s] want [%s]",
			      i, buf, line_rows[i].text);
		ck_assert_uint_eq(n, strlen(line_rows[i].text));
		n = watch_format_line(buf, sizeof(buf), &line_rows[i].ev, &when, true);
		ck_assert_msg(strcmp(buf, line_rows[i].json) == 0, "row %zu: got [%s] want [%s]",
			      i, buf, line_rows[i].json);
		ck_assert_uint_eq(n, strlen(line_rows[i].json));
	}
}
END_TEST

/* What the kernel and /proc say of a signal, as each format says it. */
START_TEST(signal_details_as_text_and_json)
{
	static const struct timespec when = WHEN;
	static const struct watch_sender named = { .looked = true, .comm = "bash",
						   .exe = "/usr/bin/bash", .ppid = 1 };
	static const struct watch_sender gone = { .looked = true, .gone = true, .ppid = -1 };
	siginfo_t segv = { .si_signo = SIGSEGV, .si_code = SEGV_MAPERR };
	siginfo_t chld = { .si_signo = SIGCHLD, .si_code = CLD_EXITED };
	siginfo_t killed = { .si_signo = SIGCHLD, .si_code = CLD_KILLED };
	siginfo_t timer = { .si_signo = SIGALRM, .si_code = SI_TIMER };
	const struct {
		struct seize_tracer_event ev;
		const struct watch_sender *sender;
		const char *text, *json;
	} rows[] = {
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 4242, .tid = 4242, .sig = SIGTERM,
		    .has_sender = true, .sender_pid = 100, .sender_uid = 0 }, &named,
		  T_TEXT "4242/4242 signal SIGTERM from pid 100 (bash) uid 0\n",
		  "{\"event\":\"signal\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGTERM\","
		  "\"sender_pid\":100,\"sender_uid\":0,\"sender_comm\":\"bash\","
		  "\"sender_exe\":\"/usr/bin/bash\",\"sender_ppid\":1" T_JSON },
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 4242, .tid = 4242, .sig = SIGTERM,
		    .has_sender = true, .sender_pid = 100, .sender_uid = 1000 }, &gone,
		  T_TEXT "4242/4242 signal SIGTERM from pid 100 (exited) uid 1000\n",
		  "{\"event\":\"signal\",\"pid\":4242,\"tid\":4242,\"signal\":\"SIGTERM\","
		  "\"sender_pid\":100,\"sender_uid\":1000,\"sender_gone\":true" T_JSON },
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 7, .tid = 7, .sig = SIGTERM,
		    .has_sender = true, .sender_pid = 0, .sender_uid = 0 }, NULL,
		  T_TEXT "7/7 signal SIGTERM from outside the pid namespace uid 0\n",
		  "{\"event\":\"signal\",\"pid\":7,\"tid\":7,\"signal\":\"SIGTERM\","
		  "\"sender_pid\":0,\"sender_uid\":0" T_JSON },
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 5, .tid = 6, .sig = SIGSEGV, .siginfo = &segv },
		  NULL, T_TEXT "5/6 signal SIGSEGV (SEGV_MAPERR at 0x0)\n",
		  "{\"event\":\"signal\",\"pid\":5,\"tid\":6,\"signal\":\"SIGSEGV\","
		  "\"si_code\":\"SEGV_MAPERR\",\"addr\":\"0x0\"" T_JSON },
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 5, .tid = 5, .sig = SIGCHLD, .siginfo = &chld },
		  NULL, T_TEXT "5/5 signal SIGCHLD from child 4243 (exited 3)\n",
		  "{\"event\":\"signal\",\"pid\":5,\"tid\":5,\"signal\":\"SIGCHLD\","
		  "\"si_code\":\"CLD_EXITED\",\"child_pid\":4243,\"child_status\":\"exited 3\""
		  T_JSON },
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 5, .tid = 5, .sig = SIGCHLD,
		    .siginfo = &killed }, NULL,
		  T_TEXT "5/5 signal SIGCHLD from child 4244 (killed by SIGTERM)\n",
		  "{\"event\":\"signal\",\"pid\":5,\"tid\":5,\"signal\":\"SIGCHLD\","
		  "\"si_code\":\"CLD_KILLED\",\"child_pid\":4244,"
		  "\"child_status\":\"killed by SIGTERM\"" T_JSON },
		{ { .type = SEIZE_TRACER_SIGNAL, .pid = 5, .tid = 5, .sig = SIGALRM, .siginfo = &timer },
		  NULL, T_TEXT "5/5 signal SIGALRM (SI_TIMER)\n",
		  "{\"event\":\"signal\",\"pid\":5,\"tid\":5,\"signal\":\"SIGALRM\","
		  "\"si_code\":\"SI_TIMER\"" T_JSON },
	};

	chld.si_pid = 4243;
	chld.si_status = 3;
	killed.si_pid = 4244;
	killed.si_status = SIGTERM;
	set_tz("UTC");
	for (size_t i = 0; i < N_OF(rows); i++) {
		char buf[WATCH_LINE_MAX];

		watch_format_line_as(buf, sizeof(buf), &rows[i].ev, &when, false, rows[i].sender,
				     WATCH_TIME_USEC);
		ck_assert_msg(strcmp(buf, rows[i].text) == 0, "row %zu: got [%s] want [%s]", i, buf,
			      rows[i].text);
		watch_format_line_as(buf, sizeof(buf), &rows[i].ev, &when, true, rows[i].sender,
				     WATCH_TIME_USEC);
		ck_assert_msg(strcmp(buf, rows[i].json) == 0, "row %zu: got [%s] want [%s]", i, buf,
			      rows[i].json);
	}
}
END_TEST

/* A SIGKILL's sender, from the kernel's tracing, on the killed line. */
START_TEST(killed_by_a_known_sender)
{
	static const struct timespec when = WHEN;
	static const struct watch_sender killer = { .looked = true, .pid = 4100, .comm = "bash" };
	struct seize_tracer_event ev = { .type = SEIZE_TRACER_KILLED, .pid = 42, .tid = 42,
					 .sig = SIGKILL };
	char buf[WATCH_LINE_MAX];

	set_tz("UTC");
	watch_format_line_as(buf, sizeof(buf), &ev, &when, false, &killer, WATCH_TIME_USEC);
	ck_assert_str_eq(buf, T_TEXT "42/42 killed SIGKILL from pid 4100 (bash)\n");
	watch_format_line_as(buf, sizeof(buf), &ev, &when, true, &killer, WATCH_TIME_USEC);
	ck_assert_str_eq(buf, "{\"event\":\"killed\",\"pid\":42,\"tid\":42,\"signal\":\"SIGKILL\","
			      "\"core_dumped\":false,\"killer_pid\":4100,\"killer_comm\":\"bash\"" T_JSON);
	/* Another fatal signal's sender is on its signal line: nothing here. */
	ev.sig = SIGTERM;
	watch_format_line_as(buf, sizeof(buf), &ev, &when, false, NULL, WATCH_TIME_USEC);
	ck_assert_str_eq(buf, T_TEXT "42/42 killed SIGTERM\n");
}
END_TEST

/* What the target does with the signal, read at the stop. */
START_TEST(what_the_target_does_with_it)
{
	static const struct timespec when = WHEN;
	static const struct {
		char disposition;
		int sig;
		const char *text, *json;
	} rows[] = {
		{ 'c', SIGTERM, ", caught", ",\"disposition\":\"caught\"" },
		{ 'i', SIGUSR2, ", ignored", ",\"disposition\":\"ignored\"" },
		{ 'd', SIGTERM, ", default: terminate",
		  ",\"disposition\":\"default\",\"default_action\":\"terminate\"" },
		{ 'd', SIGSEGV, ", default: core",
		  ",\"disposition\":\"default\",\"default_action\":\"core\"" },
		{ 'd', SIGTSTP, ", default: stop",
		  ",\"disposition\":\"default\",\"default_action\":\"stop\"" },
		{ 'd', SIGWINCH, ", default: ignore",
		  ",\"disposition\":\"default\",\"default_action\":\"ignore\"" },
		{ 'd', SIGCONT, ", default: continue",
		  ",\"disposition\":\"default\",\"default_action\":\"continue\"" },
		{ 0, SIGTERM, "", "" },
	};
	char buf[WATCH_LINE_MAX], want[WATCH_LINE_MAX], name[32];

	set_tz("UTC");
	for (size_t i = 0; i < N_OF(rows); i++) {
		struct watch_sender sender = { .looked = true, .comm = "kill", .ppid = 1,
					       .disposition = rows[i].disposition };
		struct seize_tracer_event ev = { .type = SEIZE_TRACER_SIGNAL, .pid = 9, .tid = 9,
						 .sig = rows[i].sig, .has_sender = true,
						 .sender_pid = 8 };

		watch_format_line_as(buf, sizeof(buf), &ev, &when, false, &sender, WATCH_TIME_USEC);
		snprintf(want, sizeof(want), T_TEXT "9/9 signal %s from pid 8 (kill) uid 0%s\n",
			 watch_signal_name(rows[i].sig, name, sizeof(name)), rows[i].text);
		ck_assert_msg(strcmp(buf, want) == 0, "row %zu: [%s] want [%s]", i, buf, want);
		watch_format_line_as(buf, sizeof(buf), &ev, &when, true, &sender, WATCH_TIME_USEC);
		snprintf(want, sizeof(want), "{\"event\":\"signal\",\"pid\":9,\"tid\":9,"
			 "\"signal\":\"%s\",\"sender_pid\":8,\"sender_uid\":0,"
			 "\"sender_comm\":\"kill\",\"sender_ppid\":1%s" T_JSON,
			 watch_signal_name(rows[i].sig, name, sizeof(name)), rows[i].json);
		ck_assert_msg(strcmp(buf, want) == 0, "row %zu: [%s] want [%s]", i, buf, want);
	}
	ck_assert_str_eq(watch_default_action(SIGRTMIN + 1), "terminate");
	ck_assert_str_eq(watch_default_action(SIGKILL), "terminate");
	ck_assert_str_eq(watch_default_action(SIGQUIT), "core");
}
END_TEST

/* trace_pipe's signal_generate lines, as tracefs prints them. */
START_TEST(killers_record_parsing)
{
	static const struct {
		const char *line;
		bool is;
		pid_t target, sender;
		const char *comm;
	} rows[] = {
		{ "            bash-4100    [001] d..1. 12345.678901: signal_generate: sig=9 errno=0 "
		  "code=0 comm=sleep pid=4242 grp=1 res=0", true, 4242, 4100, "bash" },
		{ "  my-tool -x-77 [000] d..2.  1.000001: signal_generate: sig=9 errno=0 code=0 "
		  "comm=a pid=5 grp=1 res=0", true, 5, 77, "my-tool -x" },
		{ "            bash-4100    [001] d..1. 12345.678901: signal_generate: sig=15 errno=0 "
		  "code=0 comm=sleep pid=4242 grp=1 res=0", false, 0, 0, NULL },
		{ "# tracer: nop", false, 0, 0, NULL },
		{ "", false, 0, 0, NULL },
		{ "signal_generate: sig=9 pid=5", false, 0, 0, NULL },
	};

	for (size_t i = 0; i < N_OF(rows); i++) {
		pid_t target = 0, sender = 0;
		char comm[16] = "";
		bool is = watch_killers_parse(rows[i].line, &target, &sender, comm);

		ck_assert_msg(is == rows[i].is, "row %zu", i);
		if (!is)
			continue;
		ck_assert_int_eq(target, rows[i].target);
		ck_assert_int_eq(sender, rows[i].sender);
		ck_assert_str_eq(comm, rows[i].comm);
	}
}
END_TEST

START_TEST(si_code_names)
{
	static const struct {
		int sig, code;
		const char *name;	/* NULL: none (a process sent it, or unknown) */
	} rows[] = {
		{ SIGSEGV, SEGV_ACCERR, "SEGV_ACCERR" }, { SIGBUS, BUS_ADRERR, "BUS_ADRERR" },
		{ SIGFPE, FPE_INTDIV, "FPE_INTDIV" }, { SIGILL, ILL_ILLOPC, "ILL_ILLOPC" },
		{ SIGTRAP, TRAP_BRKPT, "TRAP_BRKPT" }, { SIGCHLD, CLD_STOPPED, "CLD_STOPPED" },
		{ SIGPOLL, POLL_IN, "POLL_IN" }, { SIGUSR1, SI_KERNEL, "SI_KERNEL" },
		{ SIGUSR1, SI_QUEUE, NULL }, { SIGUSR1, SI_USER, NULL }, { SIGUSR1, SI_TKILL, NULL },
		{ SIGUSR1, 1, NULL }, { SIGSEGV, 99, NULL }, { SIGUSR1, -99, NULL },
	};

	for (size_t i = 0; i < N_OF(rows); i++) {
		const char *got = watch_si_code_name(rows[i].sig, rows[i].code);

		if (rows[i].name)
			ck_assert_msg(got && strcmp(got, rows[i].name) == 0, "row %zu: %s", i,
				      got ? got : "NULL");
		else
			ck_assert_msg(!got, "row %zu: %s", i, got);
	}
}
END_TEST

START_TEST(time_forms)
{
	static const struct {
		struct timespec when;
		const char *text, *json;
	} rows[] = {
		{ { 0, 0 }, "00:00:00.000000 ", "0.000000" },
		{ { 1795867265, 999999999 }, "12:01:05.999999 ", "1795867265.999999" },
		{ { 1764331234, 1000 }, "12:00:34.000001 ", "1764331234.000001" },
		{ { 1764331234, 999 }, "12:00:34.000000 ", "1764331234.000000" }, /* cut, not rounded */
		{ { 2147483648, 0 }, "03:14:08.000000 ", "2147483648.000000" },   /* past 2038 */
	};
	struct seize_tracer_event ev = { .type = SEIZE_TRACER_ATTACHED, .pid = 5, .tid = 5 };

	set_tz("UTC");
	for (size_t i = 0; i < N_OF(rows); i++) {
		char buf[WATCH_LINE_MAX], want[WATCH_LINE_MAX];

		if (sizeof(time_t) < 8 && rows[i].when.tv_sec > INT32_MAX)
			continue;
		watch_format_line(buf, sizeof(buf), &ev, &rows[i].when, false);
		snprintf(want, sizeof(want), "%s5/5 attached\n", rows[i].text);
		ck_assert_str_eq(buf, want);
		watch_format_line(buf, sizeof(buf), &ev, &rows[i].when, true);
		snprintf(want, sizeof(want), "{\"event\":\"attached\",\"pid\":5,\"tid\":5,\"time\":%s}\n",
			 rows[i].json);
		ck_assert_str_eq(buf, want);
	}
}
END_TEST

/* The text line is local time; JSON's is the epoch's, whatever TZ says. */
START_TEST(time_is_local_in_text_only)
{
	static const struct timespec when = WHEN;
	struct seize_tracer_event ev = { .type = SEIZE_TRACER_ATTACHED, .pid = 5, .tid = 5 };
	char buf[WATCH_LINE_MAX];

	set_tz("XYZ-2");	/* POSIX form: two hours east of UTC */
	watch_format_line(buf, sizeof(buf), &ev, &when, false);
	ck_assert_str_eq(buf, "14:01:05.000210 5/5 attached\n");
	watch_format_line(buf, sizeof(buf), &ev, &when, true);
	ck_assert_str_eq(buf, "{\"event\":\"attached\",\"pid\":5,\"tid\":5,\"time\":1795867265.000210}\n");
	set_tz("UTC");
}
END_TEST

/* The text line's time in each form (-t, -tt, -ttt, --iso-time). */
START_TEST(time_in_each_form)
{
	static const struct timespec when = WHEN;
	static const struct {
		enum watch_time form;
		const char *tz, *text;
	} rows[] = {
		{ WATCH_TIME_USEC, "UTC", "12:01:05.000210 5/5 attached\n" },
		{ WATCH_TIME_SEC, "UTC", "12:01:05 5/5 attached\n" },
		{ WATCH_TIME_EPOCH, "XYZ-2", "1795867265.000210 5/5 attached\n" },
		{ WATCH_TIME_ISO, "UTC", "2026-11-28T12:01:05.000210+0000 5/5 attached\n" },
		{ WATCH_TIME_ISO, "XYZ-2", "2026-11-28T14:01:05.000210+0200 5/5 attached\n" },
		{ WATCH_TIME_ISO, "XYZ+3:30", "2026-11-28T08:31:05.000210-0330 5/5 attached\n" },
	};
	struct seize_tracer_event ev = { .type = SEIZE_TRACER_ATTACHED, .pid = 5, .tid = 5 };
	char buf[WATCH_LINE_MAX];

	for (size_t i = 0; i < N_OF(rows); i++) {
		set_tz(rows[i].tz);
		watch_format_line_as(buf, sizeof(buf), &ev, &when, false, NULL, rows[i].form);
		ck_assert_msg(strcmp(buf, rows[i].text) == 0, "row %zu: got [%s] want [%s]", i, buf,
			      rows[i].text);
		/* JSON keeps the epoch's seconds whatever the form. */
		watch_format_line_as(buf, sizeof(buf), &ev, &when, true, NULL, rows[i].form);
		ck_assert_str_eq(buf, "{\"event\":\"attached\",\"pid\":5,\"tid\":5" T_JSON);
	}
	set_tz("UTC");
}
END_TEST

START_TEST(signal_numbers_by_name)
{
	static const struct {
		const char *name;
		int sig;
	} rows[] = {
		{ "TERM", SIGTERM }, { "SIGTERM", SIGTERM }, { "15", SIGTERM }, { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 }, { "", 0 }, { "term", 0 },
		{ "0", 0 }, { "65", 0 }, { "15x", 0 }, { "SIG", 0 }, { "BOGUS", 0 },
	};
	char buf[32];

	for (size_t i = 0; i < N_OF(rows); i++)
		ck_assert_msg(watch_signal_number(rows[i].name) == rows[i].sig, "row %zu (%s): %d", i,
			      rows[i].name, watch_signal_number(rows[i].name));
	/* Real-time ones by the names watch_signal_name() gives them. */
	ck_assert_int_eq(watch_signal_number(watch_signal_name(SIGRTMIN + 3, buf, sizeof(buf))),
			 SIGRTMIN + 3);
	ck_assert_int_eq(watch_signal_number(watch_signal_name(SIGRTMIN, buf, sizeof(buf)) + 3),
			 SIGRTMIN);
}
END_TEST

/* A time localtime_r() cannot express: the text line falls back to the
 * epoch's seconds. */
START_TEST(time_beyond_the_calendar)
{
	static const struct timespec when = { .tv_sec = (time_t)INT64_MAX, .tv_nsec = 5000 };
	struct seize_tracer_event ev = { .type = SEIZE_TRACER_ATTACHED, .pid = 5, .tid = 5 };
	char buf[WATCH_LINE_MAX];

	if (sizeof(time_t) < 8)
		return;
	set_tz("UTC");
	watch_format_line(buf, sizeof(buf), &ev, &when, false);
	ck_assert_str_eq(buf, "9223372036854775807.000005 5/5 attached\n");
	watch_format_line(buf, sizeof(buf), &ev, &when, true);
	ck_assert_str_eq(buf, "{\"event\":\"attached\",\"pid\":5,\"tid\":5,"
			      "\"time\":9223372036854775807.000005}\n");
}
END_TEST

/* The header's claim: WATCH_LINE_MAX holds the longest line there can be. */
START_TEST(longest_line_fits)
{
	static const struct timespec when = { .tv_sec = (time_t)INT64_MAX, .tv_nsec = 999999999 };
	struct seize_tracer_event ev = {
		.type = SEIZE_TRACER_SIGNAL, .pid = INT_MAX, .tid = INT_MAX, .sig = SIGRTMIN + 10,
		.has_sender = true, .sender_pid = INT_MAX, .sender_uid = UINT_MAX,
	};
	static const char want[] =
		"{\"event\":\"signal\",\"pid\":2147483647,\"tid\":2147483647,"
		"\"signal\":\"SIGRTMIN+10\",\"sender_pid\":2147483647,"
		"\"sender_uid\":4294967295,\"time\":9223372036854775807.999999}\n";
	char buf[WATCH_LINE_MAX];

	if (sizeof(time_t) < 8)
		return;
	ck_assert_uint_eq(watch_format_line(buf, sizeof(buf), &ev, &when, true), strlen(want));
	ck_assert_str_eq(buf, want);
	ck_assert_uint_lt(strlen(want), WATCH_LINE_MAX / 2);
}
END_TEST

/* Cut lines: still one whole line, the newline in place of the last byte
 * that fits, NUL-terminated, nothing written outside the buffer. */
START_TEST(line_cut_at_every_size)
{
	static const struct timespec when = WHEN;
	static const size_t rows[] = { 2, 4 };	/* the two signal rows with a sender */

	set_tz("UTC");
	for (size_t r = 0; r < N_OF(rows); r++) {
		for (int json = 0; json <= 1; json++) {
			const struct seize_tracer_event *ev = &line_rows[rows[r]].ev;
			const char *want = json ? line_rows[rows[r]].json : line_rows[rows[r]].text;
			size_t len = strlen(want);

			for (size_t size = 0; size <= len + 2; size++) {
				char area[GUARDED + WATCH_LINE_MAX + GUARDED], *buf = area + GUARDED;
				size_t n;

				memset(area, GUARD, sizeof(area));
				n = watch_format_line(buf, size, ev, &when, json);
				for (size_t k = 0; k < sizeof(area); k++)
					ck_assert_msg(area[k] == GUARD || (k >= GUARDED && k < GUARDED + size),
						      "size %zu: byte %zd written", size,
						      (ssize_t)k - GUARDED);
				if (size < 2) {
					/* No room for a line: nothing. */
					ck_assert_uint_eq(n, 0);
					continue;
				}
				ck_assert_uint_eq(n, len < size - 1 ? len : size - 1);
				ck_assert_int_eq(buf[n - 1], '\n');
				ck_assert_int_eq(buf[n], '\0');
				ck_assert_msg(memcmp(buf, want, n - 1) == 0, "size %zu: [%s]", size, buf);
			}
		}
	}
}
END_TEST

START_TEST(line_cut_literal)
{
	static const struct timespec when = WHEN;
	const struct seize_tracer_event *ev = &line_rows[2].ev;
	static const struct {
		size_t size;
		bool json;
		const char *out;
	} rows[] = {
		{ 2, true, "\n" },
		{ 3, true, "{\n" },
		{ 10, true, "{\"event\"\n" },
		{ 11, true, "{\"event\":\n" },
		{ 20, false, "12:01:05.000210 42\n" },
		/* One short: the newline takes the last byte's place. */
		{ 60, false, "12:01:05.000210 4242/4243 signal SIGUSR1 from pid 100 uid \n" },
		{ 61, false, "12:01:05.000210 4242/4243 signal SIGUSR1 from pid 100 uid 0\n" },
	};
	char buf[WATCH_LINE_MAX];

	set_tz("UTC");
	for (size_t i = 0; i < N_OF(rows); i++) {
		ck_assert_uint_eq(watch_format_line(buf, rows[i].size, ev, &when, rows[i].json),
				  strlen(rows[i].out));
		ck_assert_str_eq(buf, rows[i].out);
	}
}
END_TEST

TEST_SUITE(watch_format, false)
{
	ADD_CASE(s, json_escaping_and_utf8_repair);
	ADD_CASE(s, json_cut_at_every_size);
	ADD_CASE(s, json_cut_literal);
	ADD_CASE(s, event_names_both_ways);
	ADD_CASE(s, default_events_are_the_contract);
	ADD_CASE(s, signal_names);
	ADD_CASE(s, every_event_as_text_and_json);
	ADD_CASE(s, signal_details_as_text_and_json);
	ADD_CASE(s, si_code_names);
	ADD_CASE(s, killed_by_a_known_sender);
	ADD_CASE(s, killers_record_parsing);
	ADD_CASE(s, what_the_target_does_with_it);
	ADD_CASE(s, time_forms);
	ADD_CASE(s, time_in_each_form);
	ADD_CASE(s, signal_numbers_by_name);
	ADD_CASE(s, time_is_local_in_text_only);
	ADD_CASE(s, time_beyond_the_calendar);
	ADD_CASE(s, longest_line_fits);
	ADD_CASE(s, line_cut_at_every_size);
	ADD_CASE(s, line_cut_literal);
}
