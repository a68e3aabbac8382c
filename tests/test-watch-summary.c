/* SPDX-License-Identifier: MIT */
/* seize-watch's summary (tools/watch-summary.c), pure: events fed in by
 * hand, each story's lines compared with the text seize-watch(1) shows. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "test-common.h"
#include "../tools/watch-summary.h"

#define T0 1795867265

static struct timespec at(long secs, long ms)
{
	return (struct timespec){ .tv_sec = T0 + secs, .tv_nsec = ms * 1000000 };
}

static void feed(struct watch_summary *s, struct seize_tracer_event ev,
		 const struct watch_sender *sender, const char *comm, struct timespec when)
{
	ck_assert_int_eq(watch_summary_note(s, &ev, sender, comm, &when), 0);
}

static void story_is(const struct watch_summary *s, size_t i, struct timespec now,
		     const char *want)
{
	char buf[1024];
	size_t n = watch_summary_format(s, i, &now, buf, sizeof(buf));

	ck_assert_msg(strcmp(buf, want) == 0, "story %zu:\n got  [%s]\n want [%s]", i, buf, want);
	ck_assert_uint_eq(n, strlen(want));
}

static struct seize_tracer_event signal_from(pid_t pid, int sig, pid_t sender)
{
	return (struct seize_tracer_event){ .type = SEIZE_TRACER_SIGNAL, .pid = pid, .tid = pid,
					    .sig = sig, .has_sender = sender >= 0,
					    .sender_pid = sender > 0 ? sender : 0 };
}

START_TEST(killed_by_whom_after_how_long)
{
	static const struct watch_sender bash = { .looked = true, .comm = "bash", .ppid = 1 };
	static const struct watch_sender systemd = { .looked = true, .comm = "systemd" };
	struct watch_summary *s = watch_summary_new();

	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_ATTACHED, .pid = 4242 }, NULL,
	     "myserver", at(0, 0));
	feed(s, signal_from(4242, SIGUSR1, 100), &bash, NULL, at(1, 0));
	feed(s, signal_from(4242, SIGUSR1, 100), &bash, NULL, at(2, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_GROUP_STOP, .pid = 4242,
					     .sig = SIGSTOP }, NULL, NULL, at(3, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_CONTINUED, .pid = 4242,
					     .sig = SIGCONT }, NULL, NULL, at(4, 0));
	feed(s, signal_from(4242, SIGTERM, 1), &systemd, NULL, at(3 * 3600 + 2 * 60 + 5, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_KILLED, .pid = 4242,
					     .sig = SIGTERM }, NULL, NULL, at(3 * 3600 + 2 * 60 + 5, 0));
	ck_assert_uint_eq(watch_summary_processes(s), 1);
	story_is(s, 0, at(99999, 0),
		 "4242 (myserver): killed by SIGTERM from pid 1 (systemd) after 3 h 02 min\n"
		 "  signals: SIGUSR1 2 from pid 100 (bash), SIGTERM 1 from pid 1 (systemd)\n"
		 "  stopped 1 time, continued 1 time\n");
	watch_summary_free(s);
}
END_TEST

START_TEST(every_ending)
{
	static const struct watch_sender gone = { .looked = true, .gone = true };
	struct watch_summary *s = watch_summary_new();

	/* SIGKILL: no stop, no sender. */
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_ATTACHED, .pid = 10 }, NULL, "a",
	     at(0, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_KILLED, .pid = 10,
					     .sig = SIGKILL }, NULL, NULL, at(303, 0));
	/* Exited, after a signal from one gone, one from the kernel, one from
	 * outside the namespace; a core dump. */
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_NEW_CHILD, .pid = 11 }, NULL, "b",
	     at(0, 0));
	feed(s, signal_from(11, SIGHUP, 77), &gone, NULL, at(0, 500));
	feed(s, signal_from(11, SIGCHLD, -1), NULL, NULL, at(1, 0));
	feed(s, signal_from(11, SIGINT, 0), NULL, NULL, at(1, 100));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_EXITED, .pid = 11 }, NULL, NULL,
	     at(2, 100));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_ATTACHED, .pid = 12 }, NULL, "c",
	     at(0, 0));
	feed(s, signal_from(12, SIGSEGV, -1), NULL, NULL, at(0, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_KILLED, .pid = 12, .sig = SIGSEGV,
					     .core_dumped = true }, NULL, NULL, at(0, 0));
	/* Let go; and one still running at the end. */
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_ATTACHED, .pid = 13 }, NULL, "d",
	     at(0, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_DETACHED, .pid = 13 }, NULL, NULL,
	     at(61, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_ATTACHED, .pid = 14 }, NULL, NULL,
	     at(0, 0));
	ck_assert_uint_eq(watch_summary_processes(s), 5);
	story_is(s, 0, at(1000, 0),
		 "10 (a): killed by SIGKILL (sender unknown: SIGKILL carries none) "
		 "after 5 min 03 s\n");
	story_is(s, 1, at(1000, 0),
		 "11 (b): exited 0 after 2.1 s\n"
		 "  signals: SIGHUP 1 from pid 77 (exited), SIGCHLD 1 from the kernel, "
		 "SIGINT 1 from outside the pid namespace\n");
	story_is(s, 2, at(1000, 0),
		 "12 (c): killed by SIGSEGV, core dumped after 0.0 s\n"
		 "  signals: SIGSEGV 1 from the kernel\n");
	story_is(s, 3, at(1000, 0), "13 (d): let go, as found, after 1 min 01 s\n");
	story_is(s, 4, at(1, 500), "14 (?): still running after 1.5 s\n");
	watch_summary_free(s);
}
END_TEST

/* A pid the kernel hands out again is a new story; the name follows exec. */
START_TEST(a_reused_pid_is_a_new_story)
{
	struct watch_summary *s = watch_summary_new();
	char small[16];

	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_ATTACHED, .pid = 5 }, NULL, "sh",
	     at(0, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_EXEC, .pid = 5 }, NULL, "sleep",
	     at(0, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_EXITED, .pid = 5, .exit_code = 1 },
	     NULL, NULL, at(1, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_NEW_CHILD, .pid = 5 }, NULL, "cat",
	     at(2, 0));
	feed(s, (struct seize_tracer_event){ .type = SEIZE_TRACER_EXITED, .pid = 5 }, NULL, NULL,
	     at(3, 0));
	ck_assert_uint_eq(watch_summary_processes(s), 2);
	story_is(s, 0, at(9, 0), "5 (sleep): exited 1 after 1.0 s\n");
	story_is(s, 1, at(9, 0), "5 (cat): exited 0 after 1.0 s\n");
	/* Cut to the buffer, NUL-terminated, the whole length told. */
	ck_assert_uint_eq(watch_summary_format(s, 1, &(struct timespec){ 0 }, small, sizeof(small)),
			  strlen("5 (cat): exited 0 after 1.0 s\n"));
	ck_assert_str_eq(small, "5 (cat): exited");
	watch_summary_free(s);
}
END_TEST

TEST_SUITE(watch_summary, false)
{
	ADD_CASE(s, killed_by_whom_after_how_long);
	ADD_CASE(s, every_ending);
	ADD_CASE(s, a_reused_pid_is_a_new_story);
}
