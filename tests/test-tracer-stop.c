/* SPDX-License-Identifier: MIT */
/* The tracer's stop policy (src/tracer-stop.c, with tracer-state.c, tidmap.c
 * and decode.c built into this test directly) fed synthetic decoded stops:
 * which events come out, and how each thread is resumed.  Pure: no tracing.
 *
 * tracer-stop.c makes no waits; its only outside calls are the resume
 * requests and one /proc reader.  They are linked here with -Wl,--wrap, so
 * each call reaches a fake below that logs it (and the reader answers from a
 * table of made-up tasks).  Events are logged by the config's callback.  Each
 * case then compares both logs with what the rules in tracer-stop.c's
 * comments say, written out as text. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-common.h"
#include "../src/tracer-int.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define LOG_MAX 8192

/* ---- the fakes ------------------------------------------------------------ */

int __wrap_seize_cont(pid_t tid, int sig);
int __wrap_seize_listen(pid_t tid);
int __wrap_seize_detach(pid_t tid, int sig);
long __wrap_procfs_status_field(pid_t tid, const char *name);

struct fake_task {
	pid_t tid, tgid, ppid;
};

static struct {
	char calls[LOG_MAX];	/* "listen 1000; cont 1001 SIGSTOP; ..." */
	char events[LOG_MAX];	/* "group-stop 1000/1000 SIGSTOP; ..." */
	unsigned int nlisten, ncont, ndetach, nevents;
	int fail_with;		/* what the next request returns (then 0 again) */
	struct fake_task tasks[64];
	size_t ntasks;
} fake;

static const char *sig_name(int sig)
{
	static char buf[16];

	switch (sig) {
	case SIGSTOP: return "SIGSTOP";
	case SIGTSTP: return "SIGTSTP";
	case SIGCONT: return "SIGCONT";
	case SIGUSR1: return "SIGUSR1";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGTRAP: return "SIGTRAP";
	default:
		snprintf(buf, sizeof(buf), "sig%d", sig);
		return buf;
	}
}

static void __attribute__((format(printf, 2, 3))) log_add(char *log, const char *fmt, ...)
{
	size_t len = strlen(log);
	va_list ap;

	ck_assert_uint_lt(len + 200, LOG_MAX);
	if (len)
		len += (size_t)snprintf(log + len, LOG_MAX - len, "; ");
	va_start(ap, fmt);
	vsnprintf(log + len, LOG_MAX - len, fmt, ap);
	va_end(ap);
}

static int request_result(void)
{
	int ret = fake.fail_with;

	fake.fail_with = 0;
	return ret;
}

int __wrap_seize_cont(pid_t tid, int sig)
{
	fake.ncont++;
	if (sig)
		log_add(fake.calls, "cont %d %s", (int)tid, sig_name(sig));
	else
		log_add(fake.calls, "cont %d", (int)tid);
	return request_result();
}

int __wrap_seize_listen(pid_t tid)
{
	fake.nlisten++;
	log_add(fake.calls, "listen %d", (int)tid);
	return request_result();
}

int __wrap_seize_detach(pid_t tid, int sig)
{
	fake.ndetach++;
	if (sig)
		log_add(fake.calls, "detach %d %s", (int)tid, sig_name(sig));
	else
		log_add(fake.calls, "detach %d", (int)tid);
	return request_result();
}

long __wrap_procfs_status_field(pid_t tid, const char *name)
{
	for (size_t i = 0; i < fake.ntasks; i++) {
		if (fake.tasks[i].tid != tid)
			continue;
		if (strcmp(name, "Tgid") == 0)
			return fake.tasks[i].tgid;
		if (strcmp(name, "PPid") == 0)
			return fake.tasks[i].ppid;
		return -ENOENT;
	}
	return -ESRCH;
}

/* A task as /proc would show it. */
static void fake_task(pid_t tid, pid_t tgid, pid_t ppid)
{
	ck_assert_uint_lt(fake.ntasks, N_OF(fake.tasks));
	fake.tasks[fake.ntasks++] = (struct fake_task){ tid, tgid, ppid };
}

/* ---- a tracer built by hand ----------------------------------------------- */

/* One event as "type pid/tid[ SIG][ exit=N][ core][ from=P][ parent=P][ former=T]". */
static void record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	char text[200];
	size_t n;

	(void)t;
	(void)data;
	fake.nevents++;
	n = (size_t)snprintf(text, sizeof(text), "%s %d/%d", seize_tracer_event_name(ev->type),
			     (int)ev->pid, (int)ev->tid);
	if (ev->sig)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s", sig_name(ev->sig));
	if (ev->type == SEIZE_TRACER_EXITED)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " exit=%d", ev->exit_code);
	if (ev->core_dumped)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " core");
	if (ev->has_sender)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " from=%d", (int)ev->sender_pid);
	if (ev->parent)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " parent=%d", (int)ev->parent);
	if (ev->former_tid)
		snprintf(text + n, sizeof(text) - n, " former=%d", (int)ev->former_tid);
	log_add(fake.events, "%s", text);
}

static struct seize_tracer *tracer_make(unsigned int flags)
{
	struct seize_tracer *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	memset(&fake, 0, sizeof(fake));
	t->cfg.flags = flags;
	t->cfg.events = SEIZE_TRACER_ALL;
	t->cfg.callback = record;
	return t;
}

/* As seize_tracer_attach() leaves it: the process record (armed: a process
 * found stopped reports that stop), then a record per thread. */
static struct proc *attach(struct seize_tracer *t, pid_t pid, unsigned int nthreads)
{
	struct proc *p = tracer_proc_add(t, pid, 1);

	ck_assert_ptr_nonnull(p);
	fake_task(pid, pid, 1);
	for (unsigned int i = 0; i < nthreads; i++) {
		ck_assert_ptr_nonnull(tracer_thread_add(t, p, pid + (pid_t)i));
		if (i)
			fake_task(pid + (pid_t)i, pid, 1);
	}
	return p;
}

static void counts_are(const struct seize_tracer *t, unsigned int procs, unsigned int threads)
{
	ck_assert_uint_eq(t->nprocs, procs);
	ck_assert_uint_eq(t->nthreads, threads);
	ck_assert_uint_eq(t->threads.used, threads);
	ck_assert_uint_eq(t->procs_by_pid.used, procs);
}

/* Compare a log with its expected text, then clear it. */
#define EVENTS_ARE(want) expect_log(fake.events, fake.events, (want), "events")
#define CALLS_ARE(want) expect_log(fake.calls, fake.calls, (want), "calls")
static void expect_log(const char *got, char *log, const char *want, const char *what)
{
	ck_assert_msg(strcmp(got, want) == 0, "%s:\n  got  [%s]\n  want [%s]", what, got, want);
	log[0] = '\0';
}

static void clear_logs(void)
{
	fake.events[0] = fake.calls[0] = '\0';
	fake.nlisten = fake.ncont = fake.ndetach = fake.nevents = 0;
}

/* ---- the stops, as the request layer decodes them ------------------------- */

/* A signal-delivery-stop of a signal sent by kill(2) from pid 77. */
static void deliver(struct seize_tracer *t, pid_t tid, int sig)
{
	struct seize_event sev = { .type = SEIZE_EVENT_SIGNAL, .tid = tid, .sig = sig,
				   .has_siginfo = true };

	sev.siginfo.si_signo = sig;
	sev.siginfo.si_code = SI_USER;
	sev.siginfo.si_pid = 77;
	tracer_handle(t, &sev);
}

/* A signal the kernel raised (a fault): no sender. */
static void deliver_fault(struct seize_tracer *t, pid_t tid, int sig)
{
	struct seize_event sev = { .type = SEIZE_EVENT_SIGNAL, .tid = tid, .sig = sig,
				   .has_siginfo = true };

	sev.siginfo.si_signo = sig;
	sev.siginfo.si_code = SI_KERNEL;
	tracer_handle(t, &sev);
}

/* A PTRACE_EVENT_STOP: in group-stop (by sig), or not (SIGTRAP). */
static void trap(struct seize_tracer *t, pid_t tid, int group_sig)
{
	struct seize_event sev = { .type = SEIZE_EVENT_STOP, .tid = tid,
				   .sig = group_sig ? group_sig : SIGTRAP,
				   .group_stop = group_sig != 0 };

	tracer_handle(t, &sev);
}

static void event_stop(struct seize_tracer *t, enum seize_event_type type, pid_t tid,
		       unsigned long msg)
{
	struct seize_event sev = { .type = type, .tid = tid, .sig = SIGTRAP, .msg = msg };

	tracer_handle(t, &sev);
}

static void exited(struct seize_tracer *t, pid_t tid, int code)
{
	struct seize_event sev = { .type = SEIZE_EVENT_EXITED, .tid = tid, .exit_code = code };

	tracer_handle(t, &sev);
}

static void killed(struct seize_tracer *t, pid_t tid, int sig, bool core)
{
	struct seize_event sev = { .type = SEIZE_EVENT_KILLED, .tid = tid, .sig = sig,
				   .core_dumped = core };

	tracer_handle(t, &sev);
}

/* Traps from several threads in turn, in the order given. */
#define TRAPS(t, group_sig, ...)							\
	traps((t), (group_sig), (const pid_t[]){ __VA_ARGS__ },				\
	      N_OF(((const pid_t[]){ __VA_ARGS__ })))
static void traps(struct seize_tracer *t, int group_sig, const pid_t *tids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		trap(t, tids[i], group_sig);
}

/* Traps from the tids first to last, counting down where last < first. */
static void trap_range(struct seize_tracer *t, pid_t first, pid_t last, int group_sig)
{
	int step = last < first ? -1 : 1;

	for (pid_t tid = first;; tid += step) {
		trap(t, tid, group_sig);
		if (tid == last)
			break;
	}
}

/* Deaths of several threads in turn, each with the same code. */
#define EXITS(t, code, ...)								\
	exits((t), (code), (const pid_t[]){ __VA_ARGS__ },				\
	      N_OF(((const pid_t[]){ __VA_ARGS__ })))
static void exits(struct seize_tracer *t, int code, const pid_t *tids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		exited(t, tids[i], code);
}

/* kill -STOP then kill -CONT as they are read one after the other: the
 * SIGSTOP delivered to the first thread, then each thread's group-stop trap,
 * then each one's end trap, first to last. */
static void stop_and_continue(struct seize_tracer *t, pid_t pid, pid_t last)
{
	deliver(t, pid, SIGSTOP);
	trap_range(t, pid, last, SIGSTOP);
	trap_range(t, pid, last, 0);
}

/* ---- the cases ------------------------------------------------------------ */

/* kill -STOP then kill -CONT of a 16-thread process: each thread reports its
 * group-stop and its end, yet the process stopped once and went on once.
 * The traps come in any order, here from the last thread to the first. */
START_TEST(sixteen_threads_stop_once_and_continue_once)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 1000, 16);

	deliver(t, 1000, SIGSTOP);
	EVENTS_ARE("signal 1000/1000 SIGSTOP from=77");
	CALLS_ARE("cont 1000 SIGSTOP");
	clear_logs();
	trap_range(t, 1015, 1000, SIGSTOP);
	EVENTS_ARE("group-stop 1000/1015 SIGSTOP");
	ck_assert_uint_eq(fake.nlisten, 16);
	ck_assert_uint_eq(fake.ncont, 0);
	ck_assert(p->group_stopped);
	ck_assert_uint_eq(p->epoch, 1);
	for (struct thread *th = p->threads; th; th = th->next)
		ck_assert_int_eq(th->state, THREAD_LISTENING);

	clear_logs();
	trap_range(t, 1003, 1015, 0);
	trap_range(t, 1000, 1002, 0);
	EVENTS_ARE("continued 1000/1003 SIGCONT");
	ck_assert_uint_eq(fake.ncont, 16);
	ck_assert_uint_eq(fake.nlisten, 0);
	ck_assert(!p->group_stopped);
	for (struct thread *th = p->threads; th; th = th->next)
		ck_assert_int_eq(th->state, THREAD_RUNNING);

	/* SIGCONT's own delivery comes after: a signal, nothing more. */
	clear_logs();
	deliver(t, 1007, SIGCONT);
	EVENTS_ARE("signal 1000/1007 SIGCONT from=77");
	CALLS_ARE("cont 1007 SIGCONT");
	counts_are(t, 1, 16);
	tracer_free_records(t);
}
END_TEST

/* After a stop and its end, a group-stop trap read late (it was taken before
 * the SIGCONT) and with no stop signal delivered since begins no stop, and
 * its own end trap ends none. */
START_TEST(stale_group_stop_trap_begins_nothing)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 1100, 2);

	stop_and_continue(t, 1100, 1101);
	EVENTS_ARE("signal 1100/1100 SIGSTOP from=77; group-stop 1100/1100 SIGSTOP; "
		   "continued 1100/1100 SIGCONT");
	ck_assert(!p->stop_armed);

	clear_logs();
	trap(t, 1101, SIGSTOP);	/* stale */
	EVENTS_ARE("");
	CALLS_ARE("listen 1101");	/* it said group-stop: LISTENed, as the kernel expects */
	ck_assert(!p->group_stopped);

	/* A real stop next is reported as usual; the stale trap's own end,
	 * read in that stop, does not end it: that thread took no part in it. */
	deliver(t, 1100, SIGTSTP);
	trap(t, 1100, SIGTSTP);
	EVENTS_ARE("signal 1100/1100 SIGTSTP from=77; group-stop 1100/1100 SIGTSTP");
	trap(t, 1101, 0);
	EVENTS_ARE("");
	ck_assert(p->group_stopped);
	trap(t, 1101, SIGTSTP);
	EVENTS_ARE("");
	TRAPS(t, 0, 1101, 1100);	/* 1101 a thread of this stop: it ends */
	EVENTS_ARE("continued 1100/1101 SIGCONT");
	counts_are(t, 1, 2);
	tracer_free_records(t);
}
END_TEST

/* A process found stopped at attach: its first group-stop trap reports the
 * stop with no delivery seen (the attach arms it). */
START_TEST(attach_to_a_stopped_process_reports_its_stop)
{
	struct seize_tracer *t = tracer_make(0);

	attach(t, 1200, 3);
	TRAPS(t, SIGTSTP, 1201, 1200, 1202);
	EVENTS_ARE("group-stop 1200/1201 SIGTSTP");
	CALLS_ARE("listen 1201; listen 1200; listen 1202");
	tracer_free_records(t);
}
END_TEST

/* STOP; CONT; STOP in quick succession: the second SIGSTOP's delivery is
 * read before any end trap of the first stop.  Those late end traps end the
 * first stop (once) but leave the second armed, so its traps report it. */
START_TEST(late_end_after_next_delivery_keeps_next_stop_armed)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 1300, 4);

	deliver(t, 1300, SIGSTOP);
	trap_range(t, 1300, 1303, SIGSTOP);
	EVENTS_ARE("signal 1300/1300 SIGSTOP from=77; group-stop 1300/1300 SIGSTOP");
	clear_logs();

	deliver(t, 1302, SIGSTOP);	/* the next stop's signal, read first */
	CALLS_ARE("cont 1302 SIGSTOP");
	ck_assert(p->stop_armed);
	trap_range(t, 1300, 1303, 0);		/* the first stop's end, read late */
	trap_range(t, 1300, 1303, SIGSTOP);	/* the next stop */
	EVENTS_ARE("signal 1300/1302 SIGSTOP from=77; continued 1300/1300 SIGCONT; "
		   "group-stop 1300/1300 SIGSTOP");
	ck_assert_uint_eq(p->epoch, 2);
	ck_assert(p->group_stopped);
	tracer_free_records(t);
}
END_TEST

/* A thread whose end trap was read during stop 1 but did not end it (that
 * thread's group-stop trap was never read), then dequeues the next SIGSTOP:
 * that proves stop 1 over, so CONTINUED is reported then, and the other
 * threads' end traps of stop 1, read later, cannot end stop 2. */
START_TEST(stop_signal_after_an_end_trap_ends_the_old_stop)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 1400, 2);

	deliver(t, 1400, SIGSTOP);
	trap(t, 1400, SIGSTOP);
	EVENTS_ARE("signal 1400/1400 SIGSTOP from=77; group-stop 1400/1400 SIGSTOP");
	trap(t, 1401, 0);		/* 1401's first trap: already "no group-stop" */
	EVENTS_ARE("");
	ck_assert(p->group_stopped);
	deliver(t, 1401, SIGSTOP);	/* stop 1 is over, stop 2 begins */
	EVENTS_ARE("continued 1400/1401 SIGCONT; signal 1400/1401 SIGSTOP from=77");
	trap(t, 1400, 0);		/* 1400's end of stop 1, read late */
	EVENTS_ARE("");
	TRAPS(t, SIGSTOP, 1401, 1400);
	EVENTS_ARE("group-stop 1400/1401 SIGSTOP");
	ck_assert_uint_eq(p->epoch, 2);
	/* And stop 2 ends as usual. */
	TRAPS(t, 0, 1400, 1401);
	EVENTS_ARE("continued 1400/1400 SIGCONT");
	tracer_free_records(t);
}
END_TEST

/* How each stop is resumed: the pending signal delivered, LISTEN in a
 * group-stop, plain CONT otherwise; nothing while the process is held. */
START_TEST(resume_decisions)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 1500, 2);
	struct thread *th;

	deliver(t, 1501, SIGUSR1);
	CALLS_ARE("cont 1501 SIGUSR1");
	deliver_fault(t, 1500, SIGSEGV);
	CALLS_ARE("cont 1500 SIGSEGV");
	EVENTS_ARE("signal 1500/1501 SIGUSR1 from=77; signal 1500/1500 SIGSEGV");
	trap(t, 1500, 0);		/* an INTERRUPT's trap, no group-stop */
	CALLS_ARE("cont 1500");
	/* Event stops: plain CONT. */
	fake_task(1502, 1500, 1);
	event_stop(t, SEIZE_EVENT_CLONE, 1501, 1502);
	CALLS_ARE("cont 1501");
	EVENTS_ARE("new-thread 1500/1502");
	deliver(t, 1500, SIGSTOP);
	TRAPS(t, SIGSTOP, 1500, 1501);
	CALLS_ARE("cont 1500 SIGSTOP; listen 1500; listen 1501");
	/* A signal that arrives in the group-stop is delivered, not listened. */
	deliver(t, 1501, SIGUSR1);
	CALLS_ARE("cont 1501 SIGUSR1");
	trap(t, 1501, SIGSTOP);		/* back in its group-stop after the handler */
	CALLS_ARE("listen 1501");
	EVENTS_ARE("signal 1500/1500 SIGSTOP from=77; group-stop 1500/1500 SIGSTOP; "
		   "signal 1500/1501 SIGUSR1 from=77");

	/* Held (freeze or detach in progress): nothing is resumed, the stop is
	 * kept with its signal. */
	p->holding = true;
	deliver(t, 1500, SIGUSR1);
	trap(t, 1501, SIGSTOP);
	CALLS_ARE("");
	th = tidmap_get(&t->threads, 1500);
	ck_assert_int_eq(th->state, THREAD_HELD);
	ck_assert_int_eq(th->pending_sig, SIGUSR1);
	tracer_resume(th);
	CALLS_ARE("cont 1500 SIGUSR1");
	th = tidmap_get(&t->threads, 1501);
	ck_assert_int_eq(th->state, THREAD_HELD);
	tracer_resume(th);
	CALLS_ARE("listen 1501");
	ck_assert_int_eq(th->state, THREAD_LISTENING);
	tracer_free_records(t);
}
END_TEST

/* A stop signal whose delivery the kernel refused (-ESRCH: killed while
 * held) arms nothing: a later group-stop trap begins no stop. */
START_TEST(refused_stop_signal_arms_nothing)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 1600, 1);

	stop_and_continue(t, 1600, 1600);
	EVENTS_ARE("signal 1600/1600 SIGSTOP from=77; group-stop 1600/1600 SIGSTOP; "
		   "continued 1600/1600 SIGCONT");
	fake.fail_with = -ESRCH;
	deliver(t, 1600, SIGSTOP);
	ck_assert(!p->stop_armed);
	ck_assert_int_eq(((struct thread *)tidmap_get(&t->threads, 1600))->state, THREAD_RUNNING);
	trap(t, 1600, SIGSTOP);
	EVENTS_ARE("signal 1600/1600 SIGSTOP from=77");
	tracer_free_records(t);
}
END_TEST

/* New threads, both orders the kernel can report them in. */
START_TEST(new_threads_either_order)
{
	struct seize_tracer *t = tracer_make(0);

	attach(t, 2000, 1);
	/* The creator's CLONE first: the thread is added then; its first stop
	 * (a trap) is only resumed. */
	fake_task(2001, 2000, 1);
	event_stop(t, SEIZE_EVENT_CLONE, 2000, 2001);
	EVENTS_ARE("new-thread 2000/2001");
	trap(t, 2001, 0);
	EVENTS_ARE("");
	CALLS_ARE("cont 2000; cont 2001");
	counts_are(t, 1, 2);

	/* The thread's first stop first: adopted through /proc (Tgid), and its
	 * creator's CLONE, read next, adds nothing. */
	fake_task(2002, 2000, 1);
	trap(t, 2002, 0);
	EVENTS_ARE("new-thread 2000/2002");
	ck_assert(((struct thread *)tidmap_get(&t->threads, 2002))->unannounced);
	event_stop(t, SEIZE_EVENT_CLONE, 2000, 2002);
	EVENTS_ARE("");
	ck_assert(!((struct thread *)tidmap_get(&t->threads, 2002))->unannounced);
	CALLS_ARE("cont 2002; cont 2000");
	counts_are(t, 1, 3);

	/* Its whole life first: adopted, dead, and the CLONE brings nothing
	 * back. */
	fake_task(2003, 2000, 1);
	trap(t, 2003, 0);
	exited(t, 2003, 0);
	event_stop(t, SEIZE_EVENT_CLONE, 2000, 2003);
	EVENTS_ARE("new-thread 2000/2003; thread-exited 2000/2003");
	ck_assert_ptr_null(tidmap_get(&t->dead_unannounced, 2003));
	counts_are(t, 1, 3);

	/* Dead before anything of it was read, and not in /proc: no record. */
	event_stop(t, SEIZE_EVENT_CLONE, 2000, 2009);
	EVENTS_ARE("");
	counts_are(t, 1, 3);
	tracer_free_records(t);
}
END_TEST

/* A stop from a tid that /proc does not know (gone), or whose record cannot
 * be made (out of memory): let go, nothing reported, and a signal stop's
 * signal handed back with the detach. */
START_TEST(unknown_tid_is_let_go)
{
	struct seize_tracer *t = tracer_make(0);

	attach(t, 2100, 1);
	trap(t, 2150, 0);
	deliver(t, 2151, SIGUSR1);
	CALLS_ARE("detach 2150; detach 2151 SIGUSR1");
	exited(t, 2152, 0);
	CALLS_ARE("");
	ck_assert_ptr_nonnull(tidmap_get(&t->dead_unannounced, 2152));
	EVENTS_ARE("");
	counts_are(t, 1, 1);
	tracer_free_records(t);
}
END_TEST

/* Deaths: a thread's is THREAD_EXITED, the leader's (last) is the process's,
 * and the records go with them. */
START_TEST(deaths_and_counts)
{
	struct seize_tracer *t = tracer_make(0);

	attach(t, 3000, 4);
	attach(t, 3100, 1);
	counts_are(t, 2, 5);
	EXITS(t, 0, 3002, 3001);
	killed(t, 3003, SIGKILL, false);
	EVENTS_ARE("thread-exited 3000/3002; thread-exited 3000/3001; thread-exited 3000/3003");
	counts_are(t, 2, 2);
	exited(t, 3000, 7);
	EVENTS_ARE("exited 3000/3000 exit=7");
	ck_assert_ptr_null(tracer_proc_find(t, 3000));
	counts_are(t, 1, 1);
	killed(t, 3100, SIGSEGV, true);
	EVENTS_ARE("killed 3100/3100 SIGSEGV core");
	counts_are(t, 0, 0);
	CALLS_ARE("");

	/* A leader that is not traced (a zombie at attach): the last thread's
	 * death is the process's. */
	{
		struct proc *p = tracer_proc_add(t, 3200, 1);

		ck_assert_ptr_nonnull(tracer_thread_add(t, p, 3201));
		ck_assert_ptr_nonnull(tracer_thread_add(t, p, 3202));
	}
	exited(t, 3201, 0);
	exited(t, 3202, 3);
	EVENTS_ARE("thread-exited 3200/3201; exited 3200/3202 exit=3");
	counts_are(t, 0, 0);
	tracer_free_records(t);
}
END_TEST

/* exec from a non-leader: the former tid's record goes without a death. */
START_TEST(exec_from_a_thread)
{
	struct seize_tracer *t = tracer_make(0);

	attach(t, 4000, 3);
	event_stop(t, SEIZE_EVENT_EXEC, 4000, 4002);
	EVENTS_ARE("exec 4000/4000 former=4002");
	CALLS_ARE("cont 4000");
	ck_assert_ptr_null(tidmap_get(&t->threads, 4002));
	counts_are(t, 1, 2);
	event_stop(t, SEIZE_EVENT_EXEC, 4000, 4000);
	EVENTS_ARE("exec 4000/4000 former=4000");
	counts_are(t, 1, 2);
	tracer_free_records(t);
}
END_TEST

/* Children: followed, a NEW_CHILD and a record; not followed, let go at
 * their first stop with its signal handed back, and never reported. */
START_TEST(children_followed_or_let_go)
{
	struct seize_tracer *t = tracer_make(SEIZE_TRACER_FOLLOW_CHILDREN);

	attach(t, 5000, 1);
	fake_task(5001, 5001, 5000);
	event_stop(t, SEIZE_EVENT_FORK, 5000, 5001);
	EVENTS_ARE("new-child 5001/5001 parent=5000");
	trap(t, 5001, 0);
	CALLS_ARE("cont 5000; cont 5001");
	/* The child's first stop first: adopted, parent from PPid. */
	fake_task(5002, 5002, 5000);
	trap(t, 5002, 0);
	event_stop(t, SEIZE_EVENT_VFORK, 5000, 5002);
	EVENTS_ARE("new-child 5002/5002 parent=5000");
	/* A clone() that is not a thread (its Tgid is its own): a child. */
	fake_task(5003, 5003, 5000);
	event_stop(t, SEIZE_EVENT_CLONE, 5000, 5003);
	EVENTS_ARE("new-child 5003/5003 parent=5000");
	counts_are(t, 4, 4);
	EXITS(t, 0, 5001, 5002, 5003, 5000);
	counts_are(t, 0, 0);
	tracer_free_records(t);

	t = tracer_make(0);
	attach(t, 5100, 1);
	fake_task(5101, 5101, 5100);
	fake_task(5102, 5102, 5100);
	event_stop(t, SEIZE_EVENT_FORK, 5100, 5101);
	event_stop(t, SEIZE_EVENT_FORK, 5100, 5102);
	counts_are(t, 3, 3);
	trap(t, 5101, 0);
	deliver(t, 5102, SIGUSR1);
	EVENTS_ARE("");
	CALLS_ARE("cont 5100; cont 5100; detach 5101; detach 5102 SIGUSR1");
	counts_are(t, 1, 1);
	tracer_free_records(t);
}
END_TEST

/* cfg.events filters what reaches the callback, not the bookkeeping. */
START_TEST(event_mask_filters_only_the_callback)
{
	struct seize_tracer *t = tracer_make(0);
	struct proc *p = attach(t, 6000, 2);

	t->cfg.events = SEIZE_TRACER_MASK(SEIZE_TRACER_CONTINUED);
	deliver(t, 6000, SIGSTOP);
	TRAPS(t, SIGSTOP, 6000, 6001);
	ck_assert(p->group_stopped);
	TRAPS(t, 0, 6001, 6000);
	EVENTS_ARE("continued 6000/6001 SIGCONT");
	ck_assert_uint_eq(fake.nevents, 1);
	tracer_free_records(t);
}
END_TEST

TEST_SUITE(tracer_stop, false)
{
	ADD_CASE(s, sixteen_threads_stop_once_and_continue_once);
	ADD_CASE(s, stale_group_stop_trap_begins_nothing);
	ADD_CASE(s, attach_to_a_stopped_process_reports_its_stop);
	ADD_CASE(s, late_end_after_next_delivery_keeps_next_stop_armed);
	ADD_CASE(s, stop_signal_after_an_end_trap_ends_the_old_stop);
	ADD_CASE(s, resume_decisions);
	ADD_CASE(s, refused_stop_signal_arms_nothing);
	ADD_CASE(s, new_threads_either_order);
	ADD_CASE(s, unknown_tid_is_let_go);
	ADD_CASE(s, deaths_and_counts);
	ADD_CASE(s, exec_from_a_thread);
	ADD_CASE(s, children_followed_or_let_go);
	ADD_CASE(s, event_mask_filters_only_the_callback);
}
