/* SPDX-License-Identifier: MIT */
/* What the stress cases share: the fixed-seed PRNG, the case's seed, round
 * and step (the prefix of every failure message), the watchdog that ends a
 * case stuck in a library call, and the victims, the processes that are
 * traced, stopped and killed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seize/seize.h>

#include "test-common.h"
#include "test-common-tracee.h"
#include "stress-common.h"

/* ---- bounds, seeds and checks --------------------------------------------- */

static uint64_t rng_state;
uint64_t case_seed;
static _Atomic long case_started_ms;
static _Atomic int case_round;
static const char *_Atomic case_step = "start";
static _Atomic unsigned long progress;

/* The prefix of every failure message (tst_set_context). */
static const char *stress_context(void)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "[seed %#llx round %d step %s] ", (unsigned long long)case_seed,
		 atomic_load(&case_round), atomic_load(&case_step));
	return buf;
}

__attribute__((constructor)) static void set_stress_context(void)
{
	tst_set_context(stress_context);
}

long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A random moment, to the microsecond: a busy wait, since the kernel's
 * timer slack would round short sleeps to the same few values. */
void spin_us(unsigned int us)
{
	long end = now_us() + us;

	while (now_us() < end)
		;
}

void step(const char *name)
{
	atomic_store(&case_step, name);
	atomic_fetch_add(&progress, 1);
}

void next_round(int round)
{
	atomic_store(&case_round, round);
	step("begin");
}

/* xorshift64*: small, fast, and the same sequence everywhere. */
uint32_t rnd(uint32_t n)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return n ? (uint32_t)(((x * 0x2545f4914f6cdd1dull) >> 32) % n) : 0;
}

/* Threads of the test block every signal: SIGALRM (the bound of a blocking
 * dispatch) must reach the main thread.  And the test forks only once each
 * thread is past its start-up: a thread that starts (allocates) while the
 * main thread forks can leave the sanitizers' allocator locked in the child
 * (gcc 12's ASan does not reset it at fork), and the child -- a mother, a
 * tracee -- then hangs in its first malloc.  Each thread writes one byte
 * here once it has reached its loop. */
static int thread_started[2] = { -1, -1 };

void thread_is_up(void)
{
	char c = 'u';

	if (write(thread_started[1], &c, 1) != 1)
		abort();
}

void start_thread(void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	pthread_t th;

	if (thread_started[0] < 0)
		tst_pipe(thread_started);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ck_assert_int_eq(pthread_create(&th, NULL, fn, arg), 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_detach(th);
	ck_assert_int_eq(read_byte(thread_started[0]), 'u');
}

/* check's timeout for a case, in ms: CK_DEFAULT_TIMEOUT (4 s unless set)
 * times CK_TIMEOUT_MULTIPLIER, as check computes it. */
static _Atomic long case_seconds_ms;	/* 0: CK_DEFAULT_TIMEOUT's */

static long case_timeout_ms(void)
{
	const char *def = getenv("CK_DEFAULT_TIMEOUT"), *mult = getenv("CK_TIMEOUT_MULTIPLIER");
	double t = def && atof(def) > 0 ? atof(def) : 4.0;

	if (atomic_load(&case_seconds_ms))
		t = atomic_load(&case_seconds_ms) / 1000.0;
	if (mult && atof(mult) > 0)
		t *= atof(mult);
	return (long)(t * 1000);
}

/* Ends the case, naming where it stood, when no step is taken for one and a
 * half bounds (a library call that never returns: the test's own waits are
 * bounded by one bound), or just before check's timeout would end it with
 * no word of the seed. */
static void *watchdog_main(void *arg)
{
	unsigned long last = atomic_load(&progress);
	long since = tst_now_ms();

	(void)arg;
	thread_is_up();
	for (;;) {
		long budget = case_timeout_ms() - 500;
		struct timespec tick = { 0, 50 * 1000000L };
		const char *why = NULL;
		unsigned long now;

		nanosleep(&tick, NULL);
		now = atomic_load(&progress);
		if (now != last) {
			last = now;
			since = tst_now_ms();
		} else if (tst_now_ms() - since > 3L * BOUND_MS / 2) {
			why = "no progress: hung in a library call";
		}
		if (tst_now_ms() - atomic_load(&case_started_ms) > budget)
			why = "the case ran out of time";
		if (why) {
			fprintf(stderr, "[seed %#llx round %d step %s] %s (%ld ms since the last "
				"step)\n", (unsigned long long)case_seed, atomic_load(&case_round),
				atomic_load(&case_step), why, tst_now_ms() - since);
			fflush(stderr);
			_exit(98);
		}
	}
	return NULL;
}

void begin_long_case(uint64_t seed, double seconds)
{
	atomic_store(&case_seconds_ms, (long)(seconds * 1000));
	begin_case(seed);
}

void begin_case(uint64_t seed)
{
	static bool watchdog_started;
	const char *env = getenv("SEIZE_STRESS_SEED");

	if (env && *env)
		seed = strtoull(env, NULL, 0);
	case_seed = seed;
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
	atomic_store(&case_started_ms, tst_now_ms());
	next_round(0);
	if (!watchdog_started) {
		watchdog_started = true;
		start_thread(watchdog_main, NULL);
	}
}

/* Pending and blocked signals of every thread, for messages. */
const char *signals_text(pid_t pid)
{
	static char buf[2048];
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS);
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf) - 160; i++) {
		char path[96], st[4096], *f;
		static const char *const fields[] = { "SigPnd:", "ShdPnd:", "SigBlk:", "TracerPid:" };
		size_t k;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tids[i]);
		if (tst_read_small(path, st, sizeof(st)) <= 0)
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[%d %c", (int)tids[i],
					tst_task_state(pid, tids[i]));
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			f = strstr(st, fields[k]);
			if (f)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %.*s", (int)strcspn(f, "\n"), f);
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "] ");
	}
	return buf;
}

/* Where a helper process is: its state, kernel wait channel and system call. */
const char *where_text(pid_t pid)
{
	static char buf[256];
	char path[64], wchan[64] = "?", sys[64] = "?";

	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	tst_read_small(path, wchan, sizeof(wchan));
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (tst_read_small(path, sys, sizeof(sys)) > 0)
		sys[strcspn(sys, " \n")] = '\0';
	snprintf(buf, sizeof(buf), "%d: state %c, wchan %s, syscall %s", (int)pid,
		 tst_proc_state(pid) ? tst_proc_state(pid) : '?', wchan, sys);
	return buf;
}

char read_byte(int fd)
{
	char c;

	tst_read_exact(fd, &c, 1, BOUND_MS);
	return c;
}

/* ---- victims: the processes traced, stopped, killed ----------------------------------- */

static void meet_fate(const struct victim *v)
{
	char c;

	if (read(v->go, &c, 1) != 1)
		_exit(2);
	spin_us(v->spin_us);
	switch (v->fate) {
	case FATE_EXIT:
		_exit(v->exit_code);
	case FATE_EXEC:
		execl("/bin/true", "true", (char *)NULL);
		_exit(9);
	case FATE_SIGTERM:
		tst_kill(getpid(), SIGTERM);
		for (;;)
			pause();
	default:
		_exit(3);
	}
}

static void *exec_thread(void *arg)
{
	meet_fate(arg);
	return NULL;
}

static void victim_main(void *arg)
{
	const struct victim *v = arg;
	pthread_attr_t attr;
	char c = 'r';
	int i;

	/* Yama's scope 1 lets only ancestors trace: the tracer may be a sibling. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	if (!usr1_writes_u(v->usr1))
		_exit(4);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (i = 0; i < v->nthreads; i++) {
		pthread_t th;
		bool execer = i == 0 && v->fate == FATE_EXEC;

		if (pthread_create(&th, &attr, execer ? exec_thread : thread_pause, (void *)v) != 0)
			_exit(5);
	}
	tst_write_or_die(v->ready, &c, 1);
	if (v->fate != FATE_NONE && !(v->fate == FATE_EXEC && v->nthreads > 0))
		meet_fate(v);
	for (;;)
		pause();
}

/* Fork a victim and wait until it is set up.  *go (if go is not NULL) gets
 * the write end that starts its fate. */
pid_t start_victim(struct victim *v, int *go)
{
	int ready[2], gofds[2] = { -1, -1 };
	pid_t pid;

	tst_pipe(ready);
	v->ready = ready[1];
	v->go = -1;
	if (v->fate != FATE_NONE) {
		tst_pipe(gofds);
		v->go = gofds[0];
	}
	pid = tst_fork(victim_main, v);
	CHECK(read_byte(ready[0]) == 'r', "victim %d did not start", (int)pid);
	tst_close_pipe(ready);
	if (gofds[0] >= 0) {
		close(gofds[0]);
		*go = gofds[1];
	}
	return pid;
}

pid_t victim_of(void *v)
{
	return start_victim(v, NULL);
}

void expect_untouched(pid_t pid)
{
	tst_wait_state(pid, "S", BOUND_MS);
	CHECK(tst_tracer_pid(pid) == 0, "the new process %d has TracerPid %ld", (int)pid,
	      tst_tracer_pid(pid));
}

/* Reap a child of ours that should be dead or dying; returns its status. */
int reap(pid_t pid)
{
	int status = 0;
	pid_t got;

	CHECK(pid > 0, "refusing to reap %d", (int)pid);
	tst_arm(BOUND_MS);
	got = waitpid(pid, &status, __WALL);
	tst_disarm();
	CHECK(got == pid, "waitpid(%d) gave %d (%s)%s", (int)pid, (int)got, strerror(errno),
	      tst_alarmed ? ": it did not die" : "");
	return status;
}

/* After the tracer reported pid's death: a leader that was already a zombie
 * when the tracer attached (it then traces the other threads) is not its
 * to reap, but its parent's, the test's.  Only our own unreaped child is
 * looked at (waitid WNOWAIT), never a pid the kernel may have reused.
 * Returns its wait status, or -1 if the tracer reaped it. */
int reap_untraced_leader(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0 ||
	    si.si_pid != pid)
		return -1;
	CHECK(tst_tracer_pid(pid) == 0, "its death was reported, but the zombie %d is still "
	      "traced (TracerPid %ld)", (int)pid, tst_tracer_pid(pid));
	return reap(pid);
}

int stop_replaced_by_death;

/* seize_wait() for tid, bounded, with the waitid twin check of
 * tst_wait_event() -- except for one race of the kernel's: a stop peeked
 * with WNOWAIT is gone when SIGKILL wakes the stopped thread, and the wait
 * that follows reports the death instead.  Only that change is allowed. */
int wait_event(pid_t tid, struct seize_event *ev)
{
	struct seize_event twin;
	siginfo_t wsi;
	int ret;

	tst_arm(BOUND_MS);
	memset(&wsi, 0, sizeof(wsi));
	ret = waitid(P_PID, (id_t)tid, &wsi, WEXITED | WSTOPPED | WNOWAIT | __WALL);
	CHECK(ret == 0, "no event from %d within %d ms (%s)", (int)tid, BOUND_MS,
	      strerror(errno));
	ret = seize_wait(tid, ev, 0);
	tst_disarm();
	CHECK(ret == tid, "seize_wait(%d) gave %d", (int)tid, ret);
	CHECK_INT(seize_decode_waitid(&wsi, ev->has_siginfo ? &ev->siginfo : NULL, &twin), 0);
	twin.msg = ev->msg;
	if (memcmp(&twin, ev, sizeof(twin)) != 0) {
		CHECK(ev->type == SEIZE_EVENT_KILLED && ev->sig == SIGKILL &&
		      wsi.si_code == CLD_TRAPPED,
		      "waitid peeked %s (si_code %d), waitpid gave %s", seize_event_name(&twin),
		      wsi.si_code, seize_event_name(ev));
		stop_replaced_by_death++;
	}
	return ret;
}
