/* SPDX-License-Identifier: MIT */
/* The tracer's stop policy (src/tracer-stop.c, with tracer-state.c, tidmap.c
 * and decode.c built into this test directly) fed synthetic decoded stops:
 * which events come out, and how each thread is resumed.  Pure: no tracing.
 *
 * tracer-stop.c makes no waits; its only outside calls are the resume
 * requests and one /proc reader.  They are linked here with -Wl,--wrap, so
 * each call reaches a fake below that logs it (and the reader answers from a
 * table of made-up tasks).  Events are logged by the config's callback.  Each
 * case is a script of steps (stops fed in, checks made), and its checks
 * compare both logs with what the rules in tracer-stop.c's comments say,
 * written out as text. */
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

/* A resume request: counted, logged as "name tid[ SIG]", and answered with
 * fake.fail_with (then 0 again). */
static int request(unsigned int *count, const char *name, pid_t tid, int sig)
{
	int ret = fake.fail_with;

	(*count)++;
	if (sig)
		log_add(fake.calls, "%s %d %s", name, (int)tid, sig_name(sig));
	else
		log_add(fake.calls, "%s %d", name, (int)tid);
	fake.fail_with = 0;
	return ret;
}

int __wrap_seize_cont(pid_t tid, int sig)
{
	return request(&fake.ncont, "cont", tid, sig);
}

int __wrap_seize_listen(pid_t tid)
{
	return request(&fake.nlisten, "listen", tid, 0);
}

int __wrap_seize_detach(pid_t tid, int sig)
{
	return request(&fake.ndetach, "detach", tid, sig);
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

/* A PTRACE_EVENT_{CLONE,FORK,VFORK,EXEC} stop with its message. */
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

/* ---- a case's script: its stops and what each must have done -------------- */

/* A case is a script of steps that run() follows in order on a tracer of its
 * own: a process attached, a stop fed in, a task made up for /proc, or a check
 * of the logs, the counts or a record.  A check of a log compares it with its
 * expected text, then clears it.  A failed check names its step (from 1). */
enum step_op {
	OP_ATTACH, OP_PROC, OP_THREAD, OP_TASK,
	OP_TRAP, OP_TRAP_RANGE, OP_DELIVER, OP_FAULT, OP_EVENT_STOP, OP_EXITED, OP_KILLED,
	OP_STOP_AND_CONTINUE, OP_HOLD, OP_RESUME, OP_FAIL_NEXT, OP_EVENT_MASK,
	OP_EVENTS_ARE, OP_CALLS_ARE, OP_CLEAR, OP_COUNTS_ARE, OP_NLISTEN, OP_NCONT, OP_NEVENTS,
	OP_GROUP_STOPPED, OP_STOP_ARMED, OP_EPOCH, OP_ALL_THREADS, OP_THREAD_STATE,
	OP_PENDING_SIG, OP_UNANNOUNCED, OP_DEAD_UNANNOUNCED, OP_NO_PROC, OP_NO_THREAD,
};

struct step {
	enum step_op op;
	int a, b, c;
	const char *text;	/* a log's expected text, or the name of a checked number */
};

/* The records as seize_tracer_attach() leaves them: the process (armed: a
 * process found stopped reports that stop), then a record per thread, tids
 * pid to pid + nthreads - 1, each a task in /proc. */
#define ATTACH(pid, nthreads) { .op = OP_ATTACH, .a = (pid), .b = (nthreads) }
/* A process record alone (no task in /proc), and a thread record in it. */
#define PROC(pid) { .op = OP_PROC, .a = (pid) }
#define THREAD(pid, tid) { .op = OP_THREAD, .a = (pid), .b = (tid) }
/* A task as /proc would show it. */
#define TASK(tid, tgid, ppid) { .op = OP_TASK, .a = (tid), .b = (tgid), .c = (ppid) }

/* A trap of tid, in group-stop by group_sig (0: not). */
#define TRAP(tid, group_sig) { .op = OP_TRAP, .a = (tid), .b = (group_sig) }
/* Traps from the tids first to last, counting down where last < first. */
#define TRAP_RANGE(first, last, group_sig)						\
	{ .op = OP_TRAP_RANGE, .a = (first), .b = (last), .c = (group_sig) }
/* A signal-delivery-stop of sig, sent by kill(2) from pid 77. */
#define DELIVER(tid, sig) { .op = OP_DELIVER, .a = (tid), .b = (sig) }
/* A signal-delivery-stop of sig, raised by the kernel (a fault): no sender. */
#define FAULT(tid, sig) { .op = OP_FAULT, .a = (tid), .b = (sig) }
/* Event stops of tid with their message (a new tid, or exec's former tid). */
#define CLONE(tid, new_tid)								\
	{ .op = OP_EVENT_STOP, .a = SEIZE_EVENT_CLONE, .b = (tid), .c = (new_tid) }
#define FORK(tid, new_tid)								\
	{ .op = OP_EVENT_STOP, .a = SEIZE_EVENT_FORK, .b = (tid), .c = (new_tid) }
#define VFORK(tid, new_tid)								\
	{ .op = OP_EVENT_STOP, .a = SEIZE_EVENT_VFORK, .b = (tid), .c = (new_tid) }
#define EXEC(tid, former)								\
	{ .op = OP_EVENT_STOP, .a = SEIZE_EVENT_EXEC, .b = (tid), .c = (former) }
/* Deaths: an exit with its code, a kill by sig (core: it dumped core). */
#define EXITED(tid, code) { .op = OP_EXITED, .a = (tid), .b = (code) }
#define KILLED(tid, sig, core) { .op = OP_KILLED, .a = (tid), .b = (sig), .c = (core) }
/* kill -STOP then kill -CONT as they are read one after the other: the
 * SIGSTOP delivered to the first thread, then each thread's group-stop trap,
 * then each one's end trap, first to last. */
#define STOP_AND_CONTINUE(pid, last) { .op = OP_STOP_AND_CONTINUE, .a = (pid), .b = (last) }

/* The process held (freeze or detach in progress), a held thread resumed. */
#define HOLD(pid) { .op = OP_HOLD, .a = (pid) }
#define RESUME(tid) { .op = OP_RESUME, .a = (tid) }
/* What the next request returns (then 0 again). */
#define FAIL_NEXT(err) { .op = OP_FAIL_NEXT, .a = (err) }
/* The config's event mask. */
#define EVENT_MASK(mask) { .op = OP_EVENT_MASK, .a = (int)(mask) }

/* The events logged (then cleared), the calls logged (then cleared). */
#define EVENTS_ARE(want) { .op = OP_EVENTS_ARE, .text = (want) }
#define CALLS_ARE(want) { .op = OP_CALLS_ARE, .text = (want) }
/* Both logs and the call and event counts cleared. */
#define CLEAR { .op = OP_CLEAR }
/* The tracer's records: procs processes, threads threads. */
#define COUNTS_ARE(procs, threads) { .op = OP_COUNTS_ARE, .a = (procs), .b = (threads) }
/* How many LISTENs, CONTs and events since the last CLEAR. */
#define NLISTEN(n) { .op = OP_NLISTEN, .b = (n), .text = "the LISTEN count" }
#define NCONT(n) { .op = OP_NCONT, .b = (n), .text = "the CONT count" }
#define NEVENTS(n) { .op = OP_NEVENTS, .b = (n), .text = "the event count" }
/* A process record's state. */
#define GROUP_STOPPED(pid, yes)							\
	{ .op = OP_GROUP_STOPPED, .a = (pid), .b = (yes), .text = "group_stopped" }
#define STOP_ARMED(pid, yes) { .op = OP_STOP_ARMED, .a = (pid), .b = (yes), .text = "stop_armed" }
#define EPOCH(pid, n) { .op = OP_EPOCH, .a = (pid), .b = (n), .text = "the epoch" }
#define ALL_THREADS(pid, state) { .op = OP_ALL_THREADS, .a = (pid), .b = (state) }
#define NO_PROC(pid) { .op = OP_NO_PROC, .a = (pid) }
/* A thread record's state. */
#define THREAD_STATE(tid, state)						\
	{ .op = OP_THREAD_STATE, .a = (tid), .b = (state), .text = "the thread's state" }
#define PENDING_SIG(tid, sig)							\
	{ .op = OP_PENDING_SIG, .a = (tid), .b = (sig), .text = "the pending signal" }
#define UNANNOUNCED(tid, yes)							\
	{ .op = OP_UNANNOUNCED, .a = (tid), .b = (yes), .text = "unannounced" }
#define NO_THREAD(tid) { .op = OP_NO_THREAD, .a = (tid) }
/* Whether a death not yet announced is kept on record. */
#define DEAD_UNANNOUNCED(tid, yes)						\
	{ .op = OP_DEAD_UNANNOUNCED, .a = (tid), .b = (yes), .text = "dead_unannounced" }

#define RUN(flags, ...)									\
	run((flags), (const struct step[]){ __VA_ARGS__ },				\
	    N_OF(((const struct step[]){ __VA_ARGS__ })))

static void expect_log(char *log, const char *want, const char *what, size_t i)
{
	ck_assert_msg(strcmp(log, want) == 0, "step %zu, %s:\n  got  [%s]\n  want [%s]",
		      i + 1, what, log, want);
	log[0] = '\0';
}

static void expect_eq(long got, long want, const char *what, size_t i)
{
	ck_assert_msg(got == want, "step %zu: %s is %ld, not %ld", i + 1, what, got, want);
}

static struct proc *proc_of(struct seize_tracer *t, pid_t pid, size_t i)
{
	struct proc *p = tracer_proc_find(t, pid);

	ck_assert_msg(p, "step %zu: no record of process %d", i + 1, (int)pid);
	return p;
}

static struct thread *thread_of(struct seize_tracer *t, pid_t tid, size_t i)
{
	struct thread *th = tidmap_get(&t->threads, tid);

	ck_assert_msg(th, "step %zu: no record of thread %d", i + 1, (int)tid);
	return th;
}

/* What a check of a number reads (of process or thread a). */
static long checked_number(struct seize_tracer *t, const struct step *s, size_t i)
{
	switch (s->op) {
	case OP_NLISTEN:		return fake.nlisten;
	case OP_NCONT:			return fake.ncont;
	case OP_NEVENTS:		return fake.nevents;
	case OP_GROUP_STOPPED:		return proc_of(t, s->a, i)->group_stopped;
	case OP_STOP_ARMED:		return proc_of(t, s->a, i)->stop_armed;
	case OP_EPOCH:			return proc_of(t, s->a, i)->epoch;
	case OP_THREAD_STATE:		return thread_of(t, s->a, i)->state;
	case OP_PENDING_SIG:		return thread_of(t, s->a, i)->pending_sig;
	case OP_UNANNOUNCED:		return thread_of(t, s->a, i)->unannounced;
	case OP_DEAD_UNANNOUNCED:	return tidmap_get(&t->dead_unannounced, s->a) != NULL;
	default:			ck_abort_msg("step %zu: not a check of a number", i + 1);
	}
	return 0;
}

static void clear_logs(void)
{
	fake.events[0] = fake.calls[0] = '\0';
	fake.nlisten = fake.ncont = fake.ndetach = fake.nevents = 0;
}

static void step(struct seize_tracer *t, const struct step *s, size_t i)
{
	switch (s->op) {
	case OP_ATTACH:
		attach(t, s->a, (unsigned int)s->b);
		break;
	case OP_PROC:
		ck_assert_ptr_nonnull(tracer_proc_add(t, s->a, 1));
		break;
	case OP_THREAD:
		ck_assert_ptr_nonnull(tracer_thread_add(t, proc_of(t, s->a, i), s->b));
		break;
	case OP_TASK:
		fake_task(s->a, s->b, s->c);
		break;
	case OP_TRAP:
		trap(t, s->a, s->b);
		break;
	case OP_TRAP_RANGE:
		trap_range(t, s->a, s->b, s->c);
		break;
	case OP_DELIVER:
		deliver(t, s->a, s->b);
		break;
	case OP_FAULT:
		deliver_fault(t, s->a, s->b);
		break;
	case OP_EVENT_STOP:
		event_stop(t, (enum seize_event_type)s->a, s->b, (unsigned long)s->c);
		break;
	case OP_EXITED:
		exited(t, s->a, s->b);
		break;
	case OP_KILLED:
		killed(t, s->a, s->b, s->c != 0);
		break;
	case OP_STOP_AND_CONTINUE:
		deliver(t, s->a, SIGSTOP);
		trap_range(t, s->a, s->b, SIGSTOP);
		trap_range(t, s->a, s->b, 0);
		break;
	case OP_HOLD:
		proc_of(t, s->a, i)->holding = true;
		break;
	case OP_RESUME:
		tracer_resume(thread_of(t, s->a, i));
		break;
	case OP_FAIL_NEXT:
		fake.fail_with = s->a;
		break;
	case OP_EVENT_MASK:
		t->cfg.events = (unsigned int)s->a;
		break;
	case OP_EVENTS_ARE:
		expect_log(fake.events, s->text, "events", i);
		break;
	case OP_CALLS_ARE:
		expect_log(fake.calls, s->text, "calls", i);
		break;
	case OP_CLEAR:
		clear_logs();
		break;
	case OP_COUNTS_ARE:
		counts_are(t, (unsigned int)s->a, (unsigned int)s->b);
		break;
	case OP_NLISTEN: case OP_NCONT: case OP_NEVENTS:
	case OP_GROUP_STOPPED: case OP_STOP_ARMED: case OP_EPOCH:
	case OP_THREAD_STATE: case OP_PENDING_SIG: case OP_UNANNOUNCED:
	case OP_DEAD_UNANNOUNCED:
		expect_eq(checked_number(t, s, i), s->b, s->text, i);
		break;
	case OP_ALL_THREADS:
		for (struct thread *th = proc_of(t, s->a, i)->threads; th; th = th->next)
			expect_eq(th->state, s->b, "a thread's state", i);
		break;
	case OP_NO_PROC:
		ck_assert_msg(!tracer_proc_find(t, s->a), "step %zu: process %d still on record",
			      i + 1, s->a);
		break;
	case OP_NO_THREAD:
		ck_assert_msg(!tidmap_get(&t->threads, s->a), "step %zu: thread %d still on record",
			      i + 1, s->a);
		break;
	default:
		ck_abort_msg("step %zu: no such step %d", i + 1, (int)s->op);
	}
}

/* A tracer with these flags, the script followed, the records freed. */
static void run(unsigned int flags, const struct step *steps, size_t n)
{
	struct seize_tracer *t = tracer_make(flags);

	for (size_t i = 0; i < n; i++)
		step(t, &steps[i], i);
	tracer_free_records(t);
}

/* ---- the cases ------------------------------------------------------------ */

/* kill -STOP then kill -CONT of a 16-thread process: each thread reports its
 * group-stop and its end, yet the process stopped once and went on once.
 * The traps come in any order, here from the last thread to the first. */
START_TEST(sixteen_threads_stop_once_and_continue_once)
{
	RUN(0,
	    ATTACH(1000, 16),
	    DELIVER(1000, SIGSTOP),
	    EVENTS_ARE("signal 1000/1000 SIGSTOP from=77"),
	    CALLS_ARE("cont 1000 SIGSTOP"),
	    CLEAR,
	    TRAP_RANGE(1015, 1000, SIGSTOP),
	    EVENTS_ARE("group-stop 1000/1015 SIGSTOP"),
	    NLISTEN(16),
	    NCONT(0),
	    GROUP_STOPPED(1000, true),
	    EPOCH(1000, 1),
	    ALL_THREADS(1000, THREAD_LISTENING),

	    CLEAR,
	    TRAP_RANGE(1003, 1015, 0),
	    TRAP_RANGE(1000, 1002, 0),
	    EVENTS_ARE("continued 1000/1003 SIGCONT"),
	    NCONT(16),
	    NLISTEN(0),
	    GROUP_STOPPED(1000, false),
	    ALL_THREADS(1000, THREAD_RUNNING),

	    /* SIGCONT's own delivery comes after: a signal, nothing more. */
	    CLEAR,
	    DELIVER(1007, SIGCONT),
	    EVENTS_ARE("signal 1000/1007 SIGCONT from=77"),
	    CALLS_ARE("cont 1007 SIGCONT"),
	    COUNTS_ARE(1, 16));
}
END_TEST

/* After a stop and its end, a group-stop trap read late (it was taken before
 * the SIGCONT) and with no stop signal delivered since begins no stop, and
 * its own end trap ends none. */
START_TEST(stale_group_stop_trap_begins_nothing)
{
	RUN(0,
	    ATTACH(1100, 2),
	    STOP_AND_CONTINUE(1100, 1101),
	    EVENTS_ARE("signal 1100/1100 SIGSTOP from=77; group-stop 1100/1100 SIGSTOP; "
		       "continued 1100/1100 SIGCONT"),
	    STOP_ARMED(1100, false),

	    CLEAR,
	    TRAP(1101, SIGSTOP),	/* stale */
	    EVENTS_ARE(""),
	    CALLS_ARE("listen 1101"),	/* it said group-stop: LISTENed, as the kernel expects */
	    GROUP_STOPPED(1100, false),

	    /* A real stop next is reported as usual; the stale trap's own end,
	     * read in that stop, does not end it: that thread took no part in it. */
	    DELIVER(1100, SIGTSTP),
	    TRAP(1100, SIGTSTP),
	    EVENTS_ARE("signal 1100/1100 SIGTSTP from=77; group-stop 1100/1100 SIGTSTP"),
	    TRAP(1101, 0),
	    EVENTS_ARE(""),
	    GROUP_STOPPED(1100, true),
	    TRAP(1101, SIGTSTP),
	    EVENTS_ARE(""),
	    TRAP(1101, 0),		/* 1101 a thread of this stop: it ends */
	    TRAP(1100, 0),
	    EVENTS_ARE("continued 1100/1101 SIGCONT"),
	    COUNTS_ARE(1, 2));
}
END_TEST

/* A process found stopped at attach: its first group-stop trap reports the
 * stop with no delivery seen (the attach arms it). */
START_TEST(attach_to_a_stopped_process_reports_its_stop)
{
	RUN(0,
	    ATTACH(1200, 3),
	    TRAP(1201, SIGTSTP),
	    TRAP(1200, SIGTSTP),
	    TRAP(1202, SIGTSTP),
	    EVENTS_ARE("group-stop 1200/1201 SIGTSTP"),
	    CALLS_ARE("listen 1201; listen 1200; listen 1202"));
}
END_TEST

/* STOP; CONT; STOP in quick succession: the second SIGSTOP's delivery is
 * read before any end trap of the first stop.  Those late end traps end the
 * first stop (once) but leave the second armed, so its traps report it. */
START_TEST(late_end_after_next_delivery_keeps_next_stop_armed)
{
	RUN(0,
	    ATTACH(1300, 4),
	    DELIVER(1300, SIGSTOP),
	    TRAP_RANGE(1300, 1303, SIGSTOP),
	    EVENTS_ARE("signal 1300/1300 SIGSTOP from=77; group-stop 1300/1300 SIGSTOP"),
	    CLEAR,

	    DELIVER(1302, SIGSTOP),		/* the next stop's signal, read first */
	    CALLS_ARE("cont 1302 SIGSTOP"),
	    STOP_ARMED(1300, true),
	    TRAP_RANGE(1300, 1303, 0),		/* the first stop's end, read late */
	    TRAP_RANGE(1300, 1303, SIGSTOP),	/* the next stop */
	    EVENTS_ARE("signal 1300/1302 SIGSTOP from=77; continued 1300/1300 SIGCONT; "
		       "group-stop 1300/1300 SIGSTOP"),
	    EPOCH(1300, 2),
	    GROUP_STOPPED(1300, true));
}
END_TEST

/* A thread whose end trap was read during stop 1 but did not end it (that
 * thread's group-stop trap was never read), then dequeues the next SIGSTOP:
 * that proves stop 1 over, so CONTINUED is reported then, and the other
 * threads' end traps of stop 1, read later, cannot end stop 2. */
START_TEST(stop_signal_after_an_end_trap_ends_the_old_stop)
{
	RUN(0,
	    ATTACH(1400, 2),
	    DELIVER(1400, SIGSTOP),
	    TRAP(1400, SIGSTOP),
	    EVENTS_ARE("signal 1400/1400 SIGSTOP from=77; group-stop 1400/1400 SIGSTOP"),
	    TRAP(1401, 0),		/* 1401's first trap: already "no group-stop" */
	    EVENTS_ARE(""),
	    GROUP_STOPPED(1400, true),
	    DELIVER(1401, SIGSTOP),	/* stop 1 is over, stop 2 begins */
	    EVENTS_ARE("continued 1400/1401 SIGCONT; signal 1400/1401 SIGSTOP from=77"),
	    TRAP(1400, 0),		/* 1400's end of stop 1, read late */
	    EVENTS_ARE(""),
	    TRAP(1401, SIGSTOP),
	    TRAP(1400, SIGSTOP),
	    EVENTS_ARE("group-stop 1400/1401 SIGSTOP"),
	    EPOCH(1400, 2),
	    /* And stop 2 ends as usual. */
	    TRAP(1400, 0),
	    TRAP(1401, 0),
	    EVENTS_ARE("continued 1400/1400 SIGCONT"));
}
END_TEST

/* How each stop is resumed: the pending signal delivered, LISTEN in a
 * group-stop, plain CONT otherwise; nothing while the process is held. */
START_TEST(resume_decisions)
{
	RUN(0,
	    ATTACH(1500, 2),
	    DELIVER(1501, SIGUSR1),
	    CALLS_ARE("cont 1501 SIGUSR1"),
	    FAULT(1500, SIGSEGV),
	    CALLS_ARE("cont 1500 SIGSEGV"),
	    EVENTS_ARE("signal 1500/1501 SIGUSR1 from=77; signal 1500/1500 SIGSEGV"),
	    TRAP(1500, 0),		/* an INTERRUPT's trap, no group-stop */
	    CALLS_ARE("cont 1500"),
	    /* Event stops: plain CONT. */
	    TASK(1502, 1500, 1),
	    CLONE(1501, 1502),
	    CALLS_ARE("cont 1501"),
	    EVENTS_ARE("new-thread 1500/1502"),
	    DELIVER(1500, SIGSTOP),
	    TRAP(1500, SIGSTOP),
	    TRAP(1501, SIGSTOP),
	    CALLS_ARE("cont 1500 SIGSTOP; listen 1500; listen 1501"),
	    /* A signal that arrives in the group-stop is delivered, not listened. */
	    DELIVER(1501, SIGUSR1),
	    CALLS_ARE("cont 1501 SIGUSR1"),
	    TRAP(1501, SIGSTOP),	/* back in its group-stop after the handler */
	    CALLS_ARE("listen 1501"),
	    EVENTS_ARE("signal 1500/1500 SIGSTOP from=77; group-stop 1500/1500 SIGSTOP; "
		       "signal 1500/1501 SIGUSR1 from=77"),

	    /* Held (freeze or detach in progress): nothing is resumed, the stop
	     * is kept with its signal. */
	    HOLD(1500),
	    DELIVER(1500, SIGUSR1),
	    TRAP(1501, SIGSTOP),
	    CALLS_ARE(""),
	    THREAD_STATE(1500, THREAD_HELD),
	    PENDING_SIG(1500, SIGUSR1),
	    RESUME(1500),
	    CALLS_ARE("cont 1500 SIGUSR1"),
	    THREAD_STATE(1501, THREAD_HELD),
	    RESUME(1501),
	    CALLS_ARE("listen 1501"),
	    THREAD_STATE(1501, THREAD_LISTENING));
}
END_TEST

/* A stop signal whose delivery the kernel refused (-ESRCH: killed while
 * held) arms nothing: a later group-stop trap begins no stop. */
START_TEST(refused_stop_signal_arms_nothing)
{
	RUN(0,
	    ATTACH(1600, 1),
	    STOP_AND_CONTINUE(1600, 1600),
	    EVENTS_ARE("signal 1600/1600 SIGSTOP from=77; group-stop 1600/1600 SIGSTOP; "
		       "continued 1600/1600 SIGCONT"),
	    FAIL_NEXT(-ESRCH),
	    DELIVER(1600, SIGSTOP),
	    STOP_ARMED(1600, false),
	    THREAD_STATE(1600, THREAD_RUNNING),
	    TRAP(1600, SIGSTOP),
	    EVENTS_ARE("signal 1600/1600 SIGSTOP from=77"));
}
END_TEST

/* New threads, both orders the kernel can report them in. */
START_TEST(new_threads_either_order)
{
	RUN(0,
	    ATTACH(2000, 1),
	    /* The creator's CLONE first: the thread is added then; its first
	     * stop (a trap) is only resumed. */
	    TASK(2001, 2000, 1),
	    CLONE(2000, 2001),
	    EVENTS_ARE("new-thread 2000/2001"),
	    TRAP(2001, 0),
	    EVENTS_ARE(""),
	    CALLS_ARE("cont 2000; cont 2001"),
	    COUNTS_ARE(1, 2),

	    /* The thread's first stop first: adopted through /proc (Tgid), and
	     * its creator's CLONE, read next, adds nothing. */
	    TASK(2002, 2000, 1),
	    TRAP(2002, 0),
	    EVENTS_ARE("new-thread 2000/2002"),
	    UNANNOUNCED(2002, true),
	    CLONE(2000, 2002),
	    EVENTS_ARE(""),
	    UNANNOUNCED(2002, false),
	    CALLS_ARE("cont 2002; cont 2000"),
	    COUNTS_ARE(1, 3),

	    /* Its whole life first: adopted, dead, and the CLONE brings nothing
	     * back. */
	    TASK(2003, 2000, 1),
	    TRAP(2003, 0),
	    EXITED(2003, 0),
	    CLONE(2000, 2003),
	    EVENTS_ARE("new-thread 2000/2003; thread-exited 2000/2003"),
	    DEAD_UNANNOUNCED(2003, false),
	    COUNTS_ARE(1, 3),

	    /* Dead before anything of it was read, and not in /proc: no record. */
	    CLONE(2000, 2009),
	    EVENTS_ARE(""),
	    COUNTS_ARE(1, 3));
}
END_TEST

/* A stop from a tid that /proc does not know (gone), or whose record cannot
 * be made (out of memory): let go, nothing reported, and a signal stop's
 * signal handed back with the detach. */
START_TEST(unknown_tid_is_let_go)
{
	RUN(0,
	    ATTACH(2100, 1),
	    TRAP(2150, 0),
	    DELIVER(2151, SIGUSR1),
	    CALLS_ARE("detach 2150; detach 2151 SIGUSR1"),
	    EXITED(2152, 0),
	    CALLS_ARE(""),
	    DEAD_UNANNOUNCED(2152, true),
	    EVENTS_ARE(""),
	    COUNTS_ARE(1, 1));
}
END_TEST

/* Deaths: a thread's is THREAD_EXITED, the leader's (last) is the process's,
 * and the records go with them. */
START_TEST(deaths_and_counts)
{
	RUN(0,
	    ATTACH(3000, 4),
	    ATTACH(3100, 1),
	    COUNTS_ARE(2, 5),
	    EXITED(3002, 0),
	    EXITED(3001, 0),
	    KILLED(3003, SIGKILL, false),
	    EVENTS_ARE("thread-exited 3000/3002; thread-exited 3000/3001; "
		       "thread-exited 3000/3003"),
	    COUNTS_ARE(2, 2),
	    EXITED(3000, 7),
	    EVENTS_ARE("exited 3000/3000 exit=7"),
	    NO_PROC(3000),
	    COUNTS_ARE(1, 1),
	    KILLED(3100, SIGSEGV, true),
	    EVENTS_ARE("killed 3100/3100 SIGSEGV core"),
	    COUNTS_ARE(0, 0),
	    CALLS_ARE(""),

	    /* A leader that is not traced (a zombie at attach): the last
	     * thread's death is the process's. */
	    PROC(3200),
	    THREAD(3200, 3201),
	    THREAD(3200, 3202),
	    EXITED(3201, 0),
	    EXITED(3202, 3),
	    EVENTS_ARE("thread-exited 3200/3201; exited 3200/3202 exit=3"),
	    COUNTS_ARE(0, 0));
}
END_TEST

/* exec from a non-leader: the former tid's record goes without a death. */
START_TEST(exec_from_a_thread)
{
	RUN(0,
	    ATTACH(4000, 3),
	    EXEC(4000, 4002),
	    EVENTS_ARE("exec 4000/4000 former=4002"),
	    CALLS_ARE("cont 4000"),
	    NO_THREAD(4002),
	    COUNTS_ARE(1, 2),
	    EXEC(4000, 4000),
	    EVENTS_ARE("exec 4000/4000 former=4000"),
	    COUNTS_ARE(1, 2));
}
END_TEST

/* Children: followed, a NEW_CHILD and a record; not followed, let go at
 * their first stop with its signal handed back, and never reported. */
START_TEST(children_followed_or_let_go)
{
	RUN(SEIZE_TRACER_FOLLOW_CHILDREN,
	    ATTACH(5000, 1),
	    TASK(5001, 5001, 5000),
	    FORK(5000, 5001),
	    EVENTS_ARE("new-child 5001/5001 parent=5000"),
	    TRAP(5001, 0),
	    CALLS_ARE("cont 5000; cont 5001"),
	    /* The child's first stop first: adopted, parent from PPid. */
	    TASK(5002, 5002, 5000),
	    TRAP(5002, 0),
	    VFORK(5000, 5002),
	    EVENTS_ARE("new-child 5002/5002 parent=5000"),
	    /* A clone() that is not a thread (its Tgid is its own): a child. */
	    TASK(5003, 5003, 5000),
	    CLONE(5000, 5003),
	    EVENTS_ARE("new-child 5003/5003 parent=5000"),
	    COUNTS_ARE(4, 4),
	    EXITED(5001, 0),
	    EXITED(5002, 0),
	    EXITED(5003, 0),
	    EXITED(5000, 0),
	    COUNTS_ARE(0, 0));

	RUN(0,
	    ATTACH(5100, 1),
	    TASK(5101, 5101, 5100),
	    TASK(5102, 5102, 5100),
	    FORK(5100, 5101),
	    FORK(5100, 5102),
	    COUNTS_ARE(3, 3),
	    TRAP(5101, 0),
	    DELIVER(5102, SIGUSR1),
	    EVENTS_ARE(""),
	    CALLS_ARE("cont 5100; cont 5100; detach 5101; detach 5102 SIGUSR1"),
	    COUNTS_ARE(1, 1));
}
END_TEST

/* cfg.events filters what reaches the callback, not the bookkeeping. */
START_TEST(event_mask_filters_only_the_callback)
{
	RUN(0,
	    ATTACH(6000, 2),
	    EVENT_MASK(SEIZE_TRACER_MASK(SEIZE_TRACER_CONTINUED)),
	    DELIVER(6000, SIGSTOP),
	    TRAP(6000, SIGSTOP),
	    TRAP(6001, SIGSTOP),
	    GROUP_STOPPED(6000, true),
	    TRAP(6001, 0),
	    TRAP(6000, 0),
	    EVENTS_ARE("continued 6000/6001 SIGCONT"),
	    NEVENTS(1));
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
