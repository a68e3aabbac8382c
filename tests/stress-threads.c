/* SPDX-License-Identifier: MIT */
/* Stress: 128 threads stopped and continued together, round after round:
 * each thread's stop is reported, and the process's group-stop once a round. Bounded in time
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

/* ---- 2. 128 threads stopped and continued together -------------------------------------- */

#define NTHREADS 128
#define THREAD_ROUNDS 20

/* Request layer: each of the 129 threads is seized on its own and must
 * report its group-stop once per round, and the end of it once. */
START_TEST(threads_128_each_stop_reported)
{
	struct victim v = { .nthreads = NTHREADS, .usr1 = -1 };
	pid_t tids[MAX_TIDS];
	bool stopped[MAX_TIDS], ended[MAX_TIDS];
	int n, i, round, sigstops = 0, sigconts = 0;
	struct mother m;
	long started;

	begin_case(0x7128);
	mother_start(&m, victim_of, &v);
	wait_threads_in(m.target, "S");
	n = threads_of(m.target, tids, MAX_TIDS);
	CHECK_INT(n, NTHREADS + 1);
	for (i = 0; i < n; i++)
		CHECK_INT(seize_attach(tids[i], PTRACE_O_EXITKILL), 0);

	started = tst_now_ms();
	for (round = 1; round <= THREAD_ROUNDS; round++) {
		int phase;

		next_round(round);
		for (phase = 0; phase < 2; phase++) {
			bool stop = phase == 0;
			int left = n;

			step(stop ? "stop" : "continue");
			memset(stop ? stopped : ended, 0, sizeof(stopped));
			mother_order(&m, stop ? 'S' : 'C');
			while (left > 0) {
				struct seize_event ev;
				int ret = tst_wait_event(-1, &ev, BOUND_MS), k;

				CHECK(ret > 0, "seize_wait gave %d with %d threads to go", ret, left);
				for (k = 0; k < n && tids[k] != ev.tid; k++)
					;
				CHECK(k < n, "an event from %d, not a thread of %d", (int)ev.tid,
				      (int)m.target);
				if (ev.type == SEIZE_EVENT_SIGNAL && (ev.sig == SIGSTOP || ev.sig == SIGCONT)) {
					if (ev.sig == SIGSTOP)
						sigstops++;
					else
						sigconts++;
					CHECK_INT(seize_cont(ev.tid, ev.sig), 0);
				} else if (ev.type == SEIZE_EVENT_STOP && stop) {
					CHECK(ev.group_stop && ev.sig == SIGSTOP && !stopped[k],
					      "thread %d: %s sig %d (stopped before: %d)", (int)ev.tid,
					      seize_event_name(&ev), ev.sig, stopped[k]);
					stopped[k] = true;
					left--;
					CHECK_INT(seize_listen(ev.tid), 0);
				} else if (ev.type == SEIZE_EVENT_STOP) {
					CHECK(!ev.group_stop && ev.sig == SIGTRAP && !ended[k],
					      "thread %d: %s sig %d (ended before: %d)", (int)ev.tid,
					      seize_event_name(&ev), ev.sig, ended[k]);
					ended[k] = true;
					left--;
					CHECK_INT(seize_cont(ev.tid, 0), 0);
				} else {
					CHECK(false, "thread %d: unexpected %s sig %d", (int)ev.tid,
					      seize_event_name(&ev), ev.sig);
				}
			}
			CHECK(mother_reply(&m) == (stop ? 's' : 'c'), "the mother's report");
		}
	}
	/* One SIGSTOP per round went through the tracer; a SIGCONT may be
	 * flushed by the next SIGSTOP before it is dequeued. */
	CHECK_INT(sigstops, THREAD_ROUNDS);
	CHECK(sigconts <= THREAD_ROUNDS, "%d SIGCONTs", sigconts);
	fprintf(stderr, "threads (requests): %d threads, %d rounds: %ld ms\n", n, THREAD_ROUNDS,
		tst_now_ms() - started);
	wait_threads_in(m.target, "S");
	CHECK_INT(expect_tracer_of_all(m.target, getpid(), -1), n);
	/* As their tracer, the test sees each thread die before the mother can;
	 * the leader's death is reported after all the others. */
	tst_kill(m.target, SIGKILL);
	for (i = 0; i <= n; i++) {
		pid_t tid = i < n ? tids[i] : m.target;
		struct seize_event ev;

		if (i < n && tid == m.target)
			continue;
		CHECK_INT(tst_wait_event(tid, &ev, BOUND_MS), tid);
		CHECK(ev.type == SEIZE_EVENT_KILLED && ev.sig == SIGKILL, "thread %d: %s",
		      (int)tid, seize_event_name(&ev));
	}
	mother_end(&m);
	tst_expect_no_children(NULL);
}
END_TEST

/* Tracer layer: one process-level GROUP_STOP and one CONTINUED per round,
 * with every thread listened to in between. */
START_TEST(threads_128_one_report_per_round)
{
	struct victim v = { .nthreads = NTHREADS, .usr1 = -1 };
	enum seize_tracer_event_type last = 0;
	struct seize_tracer *t;
	struct mother m;
	int round, i;
	long started;

	begin_case(0x7129);
	mother_start(&m, victim_of, &v);
	t = new_tracer_of(m.target);
	expect_counts(t, 1, NTHREADS + 1);

	started = tst_now_ms();
	for (round = 1; round <= THREAD_ROUNDS; round++) {
		next_round(round);
		step("stop");
		mother_order(&m, 'S');
		rec_await_n(t, SEIZE_TRACER_GROUP_STOP, m.target, SIGSTOP, round);
		rec_settle(t, m.target, "t");
		CHECK(mother_reply(&m) == 's', "the mother's report");
		step("continue");
		mother_order(&m, 'C');
		rec_await_n(t, SEIZE_TRACER_CONTINUED, m.target, SIGCONT, round);
		rec_settle(t, m.target, "S");
		CHECK(mother_reply(&m) == 'c', "the mother's report");
		CHECK(rec_count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == round &&
		      rec_count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == round, "events: %s", recs_text());
	}
	for (i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];

		if (r->type == SEIZE_TRACER_GROUP_STOP || r->type == SEIZE_TRACER_CONTINUED) {
			CHECK(r->type != last, "event %d repeats; events: %s", i, recs_text());
			last = r->type;
		} else {
			CHECK(r->type == SEIZE_TRACER_ATTACHED || r->type == SEIZE_TRACER_SIGNAL,
			      "event %d unexpected; events: %s", i, recs_text());
		}
	}
	fprintf(stderr, "threads (tracer): %d threads, %d rounds: %ld ms\n", NTHREADS + 1,
		THREAD_ROUNDS, tst_now_ms() - started);
	expect_counts(t, 1, NTHREADS + 1);
	seize_tracer_destroy(t);
	CHECK_INT(expect_tracer_of_all(m.target, 0, -1), NTHREADS + 1);
	mother_end(&m);
	tst_expect_no_children(NULL);
}
END_TEST

TEST_SUITE(stress, true)
{
	ADD_CASE(s, threads_128_each_stop_reported);
	ADD_CASE(s, threads_128_one_report_per_round);
}
