/* SPDX-License-Identifier: MIT */
/* Stress: SIGKILL at every point of the requests (attach, interrupt, wait,
 * listen, detach) and of the tracer (attach, freeze, detach, dispatch, a
 * callback): the death is reported once, wherever it lands, and nothing is
 * left traced or unreaped. Bounded in time
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

/* ---- 3. SIGKILL at every point -------------------------------------------------------------- */

/* The killer: a thread of the test that, given a pid and a delay, waits that
 * many microseconds and sends SIGKILL, while the main thread goes on with
 * its requests.  The target dies of nothing else, and is reaped only after
 * its death (so after the kill): the pid cannot have been reused. */
struct kill_order {
	pid_t pid;
	unsigned int delay_us;
};


static int killer_go[2] = { -1, -1 }, killer_done[2] = { -1, -1 };
static bool killer_busy;

static void *killer_main(void *arg)
{
	struct kill_order o;
	char c = 'k';

	(void)arg;
	thread_is_up();
	while (read(killer_go[0], &o, sizeof(o)) == sizeof(o)) {
		spin_us(o.delay_us);
		tst_kill(o.pid, SIGKILL);
		if (write(killer_done[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

static void killer_fire(pid_t pid, unsigned int delay_us)
{
	struct kill_order o = { .pid = pid, .delay_us = delay_us };

	if (killer_go[0] < 0) {
		tst_pipe(killer_go);
		tst_pipe(killer_done);
		start_thread(killer_main, NULL);
	}
	CHECK(!killer_busy && pid > 0, "a second kill, or of pid %d", (int)pid);
	CHECK_INT(write(killer_go[1], &o, sizeof(o)), sizeof(o));
	killer_busy = true;
}

/* The kill has been sent. */
static void killer_join(void)
{
	if (killer_busy) {
		CHECK(read_byte(killer_done[0]) == 'k', "the killer's report");
		killer_busy = false;
	}
}

/* -- the request layer: attach, interrupt, wait, listen, detach -- */

enum {
	RP_ATTACH, RP_INTERRUPT, RP_WAIT_TRAP, RP_CONT, RP_SIGSTOP, RP_DELIVER_STOP,
	RP_WAIT_GROUP_STOP, RP_LISTEN, RP_INTERRUPT_LISTENING, RP_WAIT_RETRAP, RP_LISTEN_AGAIN,
	RP_SIGCONT, RP_CONT_TRAP, RP_WAIT_SIGCONT, RP_DELIVER_SIGCONT, RP_INTERRUPT_AGAIN,
	RP_WAIT_LAST_TRAP, RP_DETACH, RP_END, RP_COUNT
};

static const char *const rp_names[RP_COUNT] = {
	"attach", "interrupt", "wait-trap", "cont", "sigstop", "deliver-sigstop",
	"wait-group-stop", "listen", "interrupt-listening", "wait-retrap", "listen-again",
	"sigcont", "cont-trap", "wait-sigcont", "deliver-sigcont", "interrupt-again",
	"wait-last-trap", "detach", "end",
};

struct req_round {
	pid_t pid;
	int point;
	unsigned int delay_us;
	bool fired;	/* the kill is on its way */
	bool dead;	/* its death was consumed: the pid is not ours any more */
	int landed;	/* the first point that saw the kill */
};

static void req_at(struct req_round *r, int point)
{
	step(rp_names[point]);
	if (point == r->point) {
		killer_fire(r->pid, r->delay_us);
		r->fired = true;
	}
}

/* A request's result: 0, or -ESRCH once the kill is out. */
static void req_result(struct req_round *r, int point, int ret)
{
	CHECK(ret == 0 || (ret == -ESRCH && r->fired), "%s gave %d (kill %s)", rp_names[point],
	      ret, r->fired ? "sent" : "not sent");
	if (ret < 0 && r->landed < 0)
		r->landed = point;
}

/* The next event: the one wanted (true), or the death by SIGKILL (false). */
static bool req_expect(struct req_round *r, int point, enum seize_event_type type, int sig)
{
	struct seize_event ev;
	int ret;

	if (r->dead)
		return false;
	ret = wait_event(r->pid, &ev);
	CHECK(ret == r->pid, "%s: seize_wait gave %d", rp_names[point], ret);
	if (ev.type == SEIZE_EVENT_KILLED) {
		CHECK(r->fired && ev.sig == SIGKILL, "%s: killed by %d, kill %s", rp_names[point],
		      ev.sig, r->fired ? "sent" : "not sent");
		r->dead = true;
		if (r->landed < 0)
			r->landed = point;
		return false;
	}
	CHECK(ev.type == type && ev.sig == sig, "%s: got %s sig %d, wanted %s sig %d",
	      rp_names[point], seize_event_name(&ev), ev.sig, seize_event_type_name(type), sig);
	return true;
}

static int landed_at[RP_COUNT + 1];

static void request_round(void)
{
	struct req_round r = { .point = (int)rnd(RP_COUNT), .delay_us = rnd(120), .landed = -1 };
	bool traced = false, detached = false;
	struct seize_event ev;
	int ret;

	r.pid = tst_fork_pauser();
	req_at(&r, RP_ATTACH);
	ret = seize_attach(r.pid, PTRACE_O_EXITKILL);
	if (ret == 0) {
		traced = true;
	} else {
		/* Killed first: a zombie (not reaped yet) cannot be attached. */
		CHECK(ret == -EPERM && r.fired && tst_proc_state(r.pid) == 'Z',
		      "attach gave %d, kill %s, state %c", ret, r.fired ? "sent" : "not sent",
		      tst_proc_state(r.pid));
		r.landed = RP_ATTACH;
	}
	if (traced) {
		req_at(&r, RP_INTERRUPT);
		req_result(&r, RP_INTERRUPT, seize_interrupt(r.pid));
		req_at(&r, RP_WAIT_TRAP);
	}
	if (traced && req_expect(&r, RP_WAIT_TRAP, SEIZE_EVENT_STOP, SIGTRAP)) {
		req_at(&r, RP_CONT);
		req_result(&r, RP_CONT, seize_cont(r.pid, 0));
		req_at(&r, RP_SIGSTOP);
		tst_kill(r.pid, SIGSTOP);
	}
	if (traced && req_expect(&r, RP_SIGSTOP, SEIZE_EVENT_SIGNAL, SIGSTOP)) {
		req_at(&r, RP_DELIVER_STOP);
		req_result(&r, RP_DELIVER_STOP, seize_cont(r.pid, SIGSTOP));
		req_at(&r, RP_WAIT_GROUP_STOP);
	}
	if (traced && req_expect(&r, RP_WAIT_GROUP_STOP, SEIZE_EVENT_STOP, SIGSTOP)) {
		req_at(&r, RP_LISTEN);
		req_result(&r, RP_LISTEN, seize_listen(r.pid));
		req_at(&r, RP_INTERRUPT_LISTENING);
		req_result(&r, RP_INTERRUPT_LISTENING, seize_interrupt(r.pid));
		req_at(&r, RP_WAIT_RETRAP);
	}
	if (traced && req_expect(&r, RP_WAIT_RETRAP, SEIZE_EVENT_STOP, SIGSTOP)) {
		req_at(&r, RP_LISTEN_AGAIN);
		req_result(&r, RP_LISTEN_AGAIN, seize_listen(r.pid));
		req_at(&r, RP_SIGCONT);
		tst_kill(r.pid, SIGCONT);
	}
	if (traced && req_expect(&r, RP_SIGCONT, SEIZE_EVENT_STOP, SIGTRAP)) {
		req_at(&r, RP_CONT_TRAP);
		req_result(&r, RP_CONT_TRAP, seize_cont(r.pid, 0));
		req_at(&r, RP_WAIT_SIGCONT);
	}
	if (traced && req_expect(&r, RP_WAIT_SIGCONT, SEIZE_EVENT_SIGNAL, SIGCONT)) {
		req_at(&r, RP_DELIVER_SIGCONT);
		req_result(&r, RP_DELIVER_SIGCONT, seize_cont(r.pid, SIGCONT));
		req_at(&r, RP_INTERRUPT_AGAIN);
		req_result(&r, RP_INTERRUPT_AGAIN, seize_interrupt(r.pid));
		req_at(&r, RP_WAIT_LAST_TRAP);
	}
	if (traced && req_expect(&r, RP_WAIT_LAST_TRAP, SEIZE_EVENT_STOP, SIGTRAP)) {
		req_at(&r, RP_DETACH);
		ret = seize_detach(r.pid, 0);
		req_result(&r, RP_DETACH, ret);
		detached = ret == 0;
	}
	req_at(&r, RP_END);
	if (!r.fired) {
		killer_fire(r.pid, 0);
		r.fired = true;
	}
	killer_join();
	if (!r.dead) {
		/* Dead or dying: a clean detach left no ptrace link behind. */
		if (detached)
			CHECK(tst_tracer_pid(r.pid) <= 0, "TracerPid %ld after detach",
			      tst_tracer_pid(r.pid));
		CHECK_INT(wait_event(r.pid, &ev), r.pid);
		CHECK(ev.type == SEIZE_EVENT_KILLED && ev.sig == SIGKILL, "at the end: %s sig %d",
		      seize_event_name(&ev), ev.sig);
		if (r.landed < 0)
			r.landed = RP_END;
	}
	landed_at[r.landed]++;
	tst_expect_no_children(NULL);
}

static void request_rounds(uint64_t seed, int rounds)
{
	int round;
	char text[512];
	size_t len = 0;

	begin_case(seed);
	memset(landed_at, 0, sizeof(landed_at));
	for (round = 1; round <= rounds; round++) {
		next_round(round);
		request_round();
	}
	for (round = 0; round < RP_COUNT; round++)
		if (landed_at[round])
			len += (size_t)snprintf(text + len, sizeof(text) - len, " %s:%d",
						rp_names[round], landed_at[round]);
	fprintf(stderr, "kill (requests), seed %#llx: first seen at%s; peeked stop replaced "
		"by the death %d times\n", (unsigned long long)case_seed, text,
		stop_replaced_by_death);
}

START_TEST(kill_requests_1)
{
	request_rounds(0xdead01, 50);
}
END_TEST

START_TEST(kill_requests_2)
{
	request_rounds(0xdead02, 50);
}
END_TEST

/* -- the tracer layer: attach, dispatch, freeze, thaw, listen, detach -- */

enum {
	TP_ATTACH, TP_DISPATCH, TP_FREEZE, TP_THAW, TP_SIGSTOP, TP_FREEZE_STOPPED,
	TP_THAW_STOPPED, TP_SIGCONT, TP_DETACH, TP_END, TP_COUNT
};

static const char *const tp_names[TP_COUNT] = {
	"attach", "dispatch", "freeze", "thaw", "sigstop", "freeze-stopped", "thaw-stopped",
	"sigcont", "detach", "end",
};

enum kill_how {
	KILL_AT_POINT,		/* the killer, at a random point after a random delay */
	KILL_AFTER_EVENTS,	/* the killer, ordered at the nth event, after a random delay */
	KILL_IN_CALLBACK,	/* the callback itself, at the nth event */
};

static struct {
	pid_t pid;
	enum kill_how how;
	int point;
	unsigned int delay_us;
	int at_event, events;
	bool fired;
} tr;

static void tr_fire(void)
{
	if (tr.fired)
		return;
	tr.fired = true;
	if (tr.how == KILL_IN_CALLBACK)
		tst_kill(tr.pid, SIGKILL);
	else
		killer_fire(tr.pid, tr.delay_us);
}

static int tr_now;		/* the point being run */
static int tr_landed[TP_COUNT];	/* where the death was reported (end: after the detach) */

static void tr_hook(const struct seize_tracer_event *ev)
{
	if (ev->type == SEIZE_TRACER_KILLED && ev->pid == tr.pid)
		tr_landed[tr_now]++;
	/* Not after its death was reported: the pid may be another's now. */
	if (tr.how != KILL_AT_POINT && ++tr.events == tr.at_event && !rec_gone(tr.pid))
		tr_fire();
}

static void tr_at(int point)
{
	tr_now = point;
	step(tp_names[point]);
	if (tr.how == KILL_AT_POINT && point == tr.point)
		tr_fire();
}

/* A call that returns 0 whether or not the process died meanwhile; -ESRCH
 * only once its death was reported (the record is gone). */
static void tr_result(int point, int ret, bool gone_before)
{
	CHECK(ret == 0 || (ret == -ESRCH && gone_before), "%s gave %d; events: %s",
	      tp_names[point], ret, recs_text());
}

/* At point, a freeze: 0 and FROZEN reported, or the death instead. */
static void tr_freeze(struct seize_tracer *t, int point)
{
	int before;

	tr_at(point);
	before = nrecs;
	tr_result(point, seize_tracer_freeze(t, tr.pid), false);
	CHECK(rec_find(before, SEIZE_TRACER_FROZEN, tr.pid, ANY_SIG) >= 0 || rec_gone(tr.pid),
	      "freeze gave 0 with neither frozen nor killed; events: %s", recs_text());
}

/* At point, sig sent and the event of type it makes awaited (or the death). */
static void tr_signal(struct seize_tracer *t, int point, int sig,
		      enum seize_tracer_event_type type)
{
	tr_at(point);
	tst_kill(tr.pid, sig);
	rec_await_or_gone(t, type, tr.pid, sig);
}

static void tracer_round(enum kill_how how)
{
	struct victim v = { .nthreads = (int)rnd(4), .usr1 = -1 };
	struct seize_tracer *t;
	bool attached = false, detached = false;
	int ret, before;
	char state;

	memset(&tr, 0, sizeof(tr));
	tr.how = how;
	tr.point = (int)rnd(TP_COUNT);
	tr.delay_us = rnd(how == KILL_AT_POINT ? 300 : 100);
	tr.at_event = 1 + (int)rnd(9);
	tr.pid = start_victim(&v, NULL);
	t = new_tracer(0);
	rec_hook = tr_hook;
	rec_tracer_fd = -1;
	if (rnd(2))
		rec_tracer_fd = seize_tracer_fd(t);

	tr_at(TP_ATTACH);
	ret = seize_tracer_attach(t, tr.pid);
	state = tst_proc_state(tr.pid);
	if (ret == 0) {
		attached = true;
	} else {
		/* A zombie is refused with -EPERM (refuse_zombie in test-tracer);
		 * one that dies while being attached gives -ESRCH. */
		CHECK(tr.fired && (ret == -ESRCH || (ret == -EPERM && state == 'Z')),
		      "attach gave %d, kill %s, state %c; events: %s", ret,
		      tr.fired ? "sent" : "not sent", state ? state : '?', recs_text());
		CHECK(nrecs == 0 || (rec_count(SEIZE_TRACER_KILLED, tr.pid, SIGKILL) == 1 &&
				     rec_find(0, SEIZE_TRACER_ATTACHED, tr.pid, ANY_SIG) < 0),
		      "attach gave %d; events: %s", ret, recs_text());
		expect_counts(t, 0, 0);
		if (!rec_gone(tr.pid))
			tr_landed[TP_ATTACH]++;
	}
	if (attached) {
		tr_at(TP_DISPATCH);
		ret = seize_tracer_dispatch(t, 0);
		CHECK(ret >= 0 || (ret == -ECHILD && rec_gone(tr.pid)), "dispatch gave %d", ret);
	}
	if (attached && !rec_gone(tr.pid)) {
		tr_freeze(t, TP_FREEZE);
		tr_at(TP_THAW);
		ret = seize_tracer_thaw(t, tr.pid);
		tr_result(TP_THAW, ret, rec_gone(tr.pid));
	}
	if (attached && !rec_gone(tr.pid))
		tr_signal(t, TP_SIGSTOP, SIGSTOP, SEIZE_TRACER_GROUP_STOP);
	if (attached && !rec_gone(tr.pid)) {
		tr_freeze(t, TP_FREEZE_STOPPED);
		tr_at(TP_THAW_STOPPED);
		tr_result(TP_THAW_STOPPED, seize_tracer_thaw(t, tr.pid), rec_gone(tr.pid));
	}
	if (attached && !rec_gone(tr.pid))
		tr_signal(t, TP_SIGCONT, SIGCONT, SEIZE_TRACER_CONTINUED);
	if (attached && !rec_gone(tr.pid)) {
		/* A signal on its way while detaching: it is handed back. */
		tr_at(TP_DETACH);
		tst_kill(tr.pid, SIGUSR1);
		before = nrecs;
		tr_result(TP_DETACH, seize_tracer_detach(t, tr.pid), false);
		detached = rec_find(before, SEIZE_TRACER_DETACHED, tr.pid, ANY_SIG) >= 0;
		CHECK(detached || rec_gone(tr.pid), "detach gave 0 with neither detached nor killed; "
		      "events: %s", recs_text());
	}
	tr_at(TP_END);
	if (!tr.fired && !rec_gone(tr.pid))
		tr_fire();
	killer_join();
	CHECK(tr.fired, "killed without a kill");

	if (attached && !rec_gone(tr.pid) && !detached) {
		/* Still traced (a kill that came with the last event): its death
		 * is the tracer's to report. */
		rec_await_or_gone(t, SEIZE_TRACER_KILLED, tr.pid, SIGKILL);
	}
	if (rec_gone(tr.pid)) {
		int i = rec_find(0, SEIZE_TRACER_KILLED, tr.pid, ANY_SIG);

		CHECK(i >= 0 && recs[i].sig == SIGKILL && i == nrecs - 1 && !detached &&
		      rec_count(SEIZE_TRACER_KILLED, tr.pid, ANY_SIG) == 1 &&
		      rec_count(SEIZE_TRACER_EXITED, tr.pid, ANY_SIG) == 0,
		      "the death is misreported; events: %s", recs_text());
		i = reap_untraced_leader(tr.pid);
		CHECK(i < 0 || (WIFSIGNALED(i) && WTERMSIG(i) == SIGKILL),
		      "the untraced leader's status %#x", i);
	} else {
		int status;

		/* Let go (or never taken): no ptrace link is left, and the test,
		 * its parent, sees the SIGKILL. */
		CHECK(tst_tracer_pid(tr.pid) <= 0, "TracerPid %ld after %s; events: %s",
		      tst_tracer_pid(tr.pid), detached ? "detach" : "no attach", recs_text());
		expect_tracer_of_all(tr.pid, 0, -1);
		status = reap(tr.pid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "status %#x after %s; events: %s", status, detached ? "detach" : "no attach",
		      recs_text());
	}
	if (detached)
		tr_landed[TP_END]++;
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	rec_tracer_fd = -1;
	tst_expect_no_children(NULL);
}

static void tracer_rounds(uint64_t seed, int rounds, enum kill_how how)
{
	char text[512];
	size_t len = 0;
	int round;

	begin_case(seed);
	memset(tr_landed, 0, sizeof(tr_landed));
	for (round = 1; round <= rounds; round++) {
		next_round(round);
		tracer_round(how);
	}
	for (round = 0; round < TP_COUNT; round++)
		if (tr_landed[round])
			len += (size_t)snprintf(text + len, sizeof(text) - len, " %s:%d",
						tp_names[round], tr_landed[round]);
	fprintf(stderr, "kill (tracer), seed %#llx: death reported during%s (end: after a "
		"detach)\n", (unsigned long long)case_seed, text);
}

/* Freeze and detach reap a death that comes first, and DETACHED is reported
 * only once no thread is still traced (PTRACE_DETACH gives ESRCH after
 * SIGKILL woke the thread): at a random point, after a random count of
 * events, from the callback. */
#define TRACER_CASE(name, seed, how)							\
	START_TEST(name)								\
	{										\
		tracer_rounds((seed), 50, (how));					\
	}										\
	END_TEST

TRACER_CASE(kill_tracer_at_random_point_1, 0xdead11, KILL_AT_POINT)
TRACER_CASE(kill_tracer_at_random_point_2, 0xdead12, KILL_AT_POINT)
TRACER_CASE(kill_tracer_after_random_event_count, 0xdead13, KILL_AFTER_EVENTS)
TRACER_CASE(kill_tracer_from_callback, 0xdead14, KILL_IN_CALLBACK)

TEST_SUITE(stress, true)
{
	ADD_CASE(s, kill_requests_1);
	ADD_CASE(s, kill_requests_2);
	ADD_CASE(s, kill_tracer_at_random_point_1);
	ADD_CASE(s, kill_tracer_at_random_point_2);
	ADD_CASE(s, kill_tracer_after_random_event_count);
	ADD_CASE(s, kill_tracer_from_callback);
}
