/* SPDX-License-Identifier: MIT */
/* Stress: the real parent (the mother) stopping and continuing a traced
 * process without pause, 1000 times, with and without threads, and SIGSTOP,
 * SIGCONT, SIGSTOP back to back to 16 threads: the tracer reports every stop
 * and every continue, strictly alternating. Bounded in time
 * and count; every random choice comes from a fixed-seed PRNG and
 * SEIZE_STRESS_SEED=S replays a case (stress-common.h).  Too slow for
 * valgrind: CI runs it natively and under ASan/UBSan. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
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

#include <seize/tracer.h>

#include "test-common.h"
#include "test-common-recorder.h"
#include "test-common-tracee.h"
#include "stress-common.h"

/* ---- 1. the stop/continue storm ------------------------------------------------------- */

/* The real parent sends `cycles` SIGSTOP/SIGCONT pairs, waiting for each
 * WSTOPPED and WCONTINUED; the test dispatches whenever the tracer's event
 * fd is readable and reads the mother's reports as they come.  Since each
 * signal waits for the last one's report, every stop and every end of one
 * is a separate job-control change: the tracer must report exactly `cycles`
 * of each, strictly alternating. */
static void storm(int nthreads, uint32_t cycles, uint64_t seed)
{
	struct victim v = { .nthreads = nthreads };
	unsigned int seen_s = 0, seen_c = 0;
	int usr1[2], fd, i, stops = 0, conts = 0;
	enum seize_tracer_event_type last = 0;
	struct seize_tracer *t;
	struct mother m;
	bool done = false;
	char expect = 's';
	long started;

	begin_case(seed);
	tst_pipe(usr1);
	v.usr1 = usr1[1];
	mother_start(&m, victim_of, &v);
	t = new_tracer_of(m.target);
	fd = seize_tracer_fd(t);
	CHECK(fd >= 0, "seize_tracer_fd gave %d", fd);

	started = tst_now_ms();
	mother_order(&m, 'R');
	CHECK_INT(write(m.order, &cycles, sizeof(cycles)), sizeof(cycles));
	while (!done) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = m.report, .events = POLLIN } };
		int n = poll(pfd, 2, BOUND_MS);

		next_round((int)seen_s);
		CHECK(n > 0, "stalled: the mother saw %u stops and %u continues; tracer: %d "
		      "group-stops, %d continued; mother %s; target %s; %s; events: %s", seen_s,
		      seen_c, rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG),
		      rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG), where_text(m.pid),
		      states_text(m.target), signals_text(m.target), recs_text());
		if (pfd[0].revents) {
			int ret = seize_tracer_dispatch(t, 0);

			CHECK(ret >= 0, "dispatch gave %d; events: %s", ret, recs_text());
		}
		if (pfd[1].revents) {
			char buf[512];
			ssize_t got = read(m.report, buf, sizeof(buf));

			CHECK(got > 0, "the mother is gone");
			for (i = 0; i < got && !done; i++) {
				if (buf[i] == 'D') {
					done = true;
					break;
				}
				CHECK(buf[i] == expect, "the mother's report %u is '%c', wanted '%c'",
				      seen_s + seen_c, buf[i], expect);
				if (expect == 's')
					seen_s++;
				else
					seen_c++;
				expect = expect == 's' ? 'c' : 's';
			}
		}
	}
	CHECK(seen_s == cycles && seen_c == cycles, "the mother saw %u stops and %u continues",
	      seen_s, seen_c);
	rec_settle(t, m.target, "S");
	CHECK(!recs_overflowed, "more than %d events", MAX_RECS);

	/* Strict alternation, from a stop, and exactly `cycles` of each. */
	for (i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];

		if (r->type == SEIZE_TRACER_GROUP_STOP) {
			CHECK(last != SEIZE_TRACER_GROUP_STOP && r->sig == SIGSTOP,
			      "event %d: two group-stops in a row (after %d stops and %d "
			      "continues); events: %s", i, stops, conts, recs_text());
			stops++;
			last = r->type;
		} else if (r->type == SEIZE_TRACER_CONTINUED) {
			CHECK(last == SEIZE_TRACER_GROUP_STOP,
			      "event %d: continued without a group-stop (after %d stops and %d "
			      "continues); events: %s", i, stops, conts, recs_text());
			conts++;
			last = r->type;
		} else {
			CHECK(r->type == SEIZE_TRACER_ATTACHED ||
			      (r->type == SEIZE_TRACER_SIGNAL &&
			       (r->sig == SIGSTOP || r->sig == SIGCONT)),
			      "event %d unexpected; events: %s", i, recs_text());
		}
	}
	CHECK(stops == (int)cycles && conts == (int)cycles,
	      "%d group-stops and %d continued for %u cycles", stops, conts, cycles);
	/* Each SIGSTOP went through the tracer once (none can be flushed: the
	 * SIGCONT is only sent once the stop is seen). */
	CHECK_INT(rec_count(SEIZE_TRACER_SIGNAL, m.target, SIGSTOP), cycles);

	/* It runs after the last: its handler answers, and its parent has
	 * nothing more to see. */
	tst_kill(m.target, SIGUSR1);
	rec_await_n(t, SEIZE_TRACER_SIGNAL, m.target, SIGUSR1, 1);
	CHECK(read_byte(usr1[0]) == 'u', "the handler did not run");
	rec_settle(t, m.target, "S");
	CHECK(mother_ask(&m, 'N') == '0', "the mother sees a change after the last continue");
	expect_counts(t, 1, (unsigned int)nthreads + 1);
	fprintf(stderr, "storm: %u cycles, %d threads: %ld ms\n", cycles, nthreads + 1,
		tst_now_ms() - started);

	seize_tracer_destroy(t);
	mother_end(&m);
	tst_close_pipe(usr1);
	tst_expect_no_children(NULL);
}

START_TEST(storm_1000_stop_continue)
{
	storm(0, 1000, 0x5709);
}
END_TEST

/* The same with threads: any of them may take the SIGSTOP, and a thread may
 * go from one group-stop straight into the next (the kernel runs
 * do_signal_stop() before the pending notify trap) without keeping its old
 * stop or merging a stop/continue pair. */
START_TEST(storm_1000_stop_continue_8_threads)
{
	storm(8, 1000, 0x5708);
}
END_TEST

/* SIGSTOP, SIGCONT, SIGSTOP back to back from the real parent, to a process
 * of 16 threads, then SIGCONT once it is stopped: the first stop may or may
 * not take effect before the SIGCONT, but whatever the kernel did, the
 * tracer's stops and continues strictly alternate, and once everything has
 * settled its last word agrees with the parent's (stopped, then running).
 * Run with three copies in parallel too: the races want a loaded machine. */
#define RAPID_SECONDS 90

static void rapid_rounds(int rounds, uint64_t seed)
{
	struct victim v = { .nthreads = 15 };
	struct seize_tracer *t;
	struct mother m;
	bool stopped = false;
	int round, i, fd, stops = 0, conts = 0;
	long started;

	begin_long_case(seed, RAPID_SECONDS);
	mother_start(&m, victim_of, &v);
	t = new_tracer_of(m.target);
	fd = seize_tracer_fd(t);
	CHECK(fd >= 0, "seize_tracer_fd gave %d", fd);
	started = tst_now_ms();
	for (round = 0; round < rounds; round++) {
		int phase;

		next_round(round);
		for (phase = 0; phase < 2; phase++) {
			char reply;

			nrecs = 0;
			mother_order(&m, phase == 0 ? 'X' : 'C');
			/* The tracer must keep going while she waits. */
			for (;;) {
				struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
							 { .fd = m.report, .events = POLLIN } };

				CHECK(poll(pfd, 2, BOUND_MS) > 0, "stalled: target %s; %s; events: %s",
				      states_text(m.target), signals_text(m.target), recs_text());
				if (pfd[0].revents)
					CHECK_INT(seize_tracer_dispatch(t, 0) >= 0, 1);
				if (pfd[1].revents)
					break;
			}
			reply = mother_reply(&m);
			CHECK(reply == (phase == 0 ? 's' : 'c'), "the mother saw '%c'", reply);
			rec_settle(t, m.target, phase == 0 ? "t" : "S");
			CHECK(!recs_overflowed, "more than %d events", MAX_RECS);
			for (i = 0; i < nrecs; i++) {
				if (recs[i].type == SEIZE_TRACER_GROUP_STOP) {
					CHECK(!stopped, "two group-stops in a row; events: %s",
					      recs_text());
					stopped = true;
					stops++;
				} else if (recs[i].type == SEIZE_TRACER_CONTINUED) {
					CHECK(stopped, "continued without a stop; events: %s",
					      recs_text());
					stopped = false;
					conts++;
				}
			}
			CHECK(stopped == (phase == 0), "the parent sees it %s, the tracer's "
			      "last word is %s; events: %s", phase == 0 ? "stopped" : "running",
			      stopped ? "group-stop" : "continued", recs_text());
		}
	}
	CHECK(stops == conts && stops >= rounds, "%d group-stops, %d continued in %d rounds",
	      stops, conts, rounds);
	fprintf(stderr, "rapid: %d rounds, %d stops: %ld ms\n", rounds, stops, tst_now_ms() - started);
	CHECK(mother_ask(&m, 'N') != '?', "the mother sees something odd after the last continue");
	expect_counts(t, 1, 16);
	seize_tracer_destroy(t);
	mother_end(&m);
	tst_expect_no_children(NULL);
}

START_TEST(rapid_stop_cont_stop_16_threads)
{
	rapid_rounds(2000, 0x5716);
}
END_TEST

TEST_SUITE(stress, true)
{
	ADD_CASE(s, storm_1000_stop_continue);
	ADD_CASE(s, storm_1000_stop_continue_8_threads);
	ADD_LONG_CASE(s, rapid_stop_cont_stop_16_threads, RAPID_SECONDS);
}
