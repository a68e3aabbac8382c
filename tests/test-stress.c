/* SPDX-License-Identifier: MIT */
/* Stress: the tracer and the requests under storms and races, bounded in time
 * and count.  Every random choice comes from a fixed-seed PRNG; every failure
 * message starts with "[seed S round R step P]" and SEIZE_STRESS_SEED=S
 * replays the case.  A random delay before a SIGKILL (or an exit, or the
 * tracer's death) is the subject of these tests, not synchronisation:
 * nothing here sleeps to wait for anything.  Waits block on the event itself
 * (dispatch bounded by an itimer, the tracer's event fd, pipes from helper
 * processes) or poll /proc with a bound, the only way to see another
 * process's state; a watchdog thread ends a case that stops making progress
 * inside a library call, naming the seed, round and step.
 *
 *   1. storm_*          the real parent stopping and continuing, the tracer listening
 *   2. threads_128_*    128 threads stopped and continued together
 *   3. kill_*           SIGKILL at every point of the requests and of the tracer
 *   4. exit_*, tracer_killed_*   tracees exiting, the tracer dying, at random points
 *   5. pid_reuse_*      records dropped at death; recycled pids never touched
 *   6. spawn_*, child_of_tracee_*   no descriptor leaked, nobody traced unasked
 *
 * Library defects this suite found, all fixed in src/tracer.c (0821f77):
 *   A. a thread going from one group-stop straight into the next (the kernel
 *      runs do_signal_stop() before the pending notify trap) kept its old
 *      stop and merged stop/continue pairs (storm_*_8_threads);
 *   B. freeze/detach blocked on one tid while another thread's death had to
 *      be reaped first (a leader is reported last; an exec waits in
 *      de_thread() for its traced zombie siblings);
 *   C. DETACHED was reported while a thread was still traced (PTRACE_DETACH
 *      gives ESRCH after SIGKILL woke the thread, or an exec moved its tid);
 *   D. attach refused a live process whose leader thread is a zombie;
 *   E. a signal whose delivery-stop the tracer had consumed with a wait was
 *      lost if the tracer died before resuming it (tracer_killed_*).
 *
 * Too slow for valgrind: CI runs it natively and under ASan/UBSan. */
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

/* ---- bounds, seeds and checks --------------------------------------------- */

/* The bound of every wait, scaled like check's own timeout. */
static int bound_ms(void)
{
	const char *mult = getenv("CK_TIMEOUT_MULTIPLIER");
	int m = mult ? atoi(mult) : 1;

	return 2000 * (m > 0 && m < 100 ? m : 1);
}

#define BOUND_MS bound_ms()

static uint64_t rng_state;
static uint64_t case_seed;
static _Atomic long case_started_ms;
static _Atomic int case_round;
static const char *_Atomic case_step = "start";
static _Atomic unsigned long progress;

#define CHECK(cond, fmt, ...)								\
	ck_assert_msg((cond), "[seed %#llx round %d step %s] " fmt,			\
		      (unsigned long long)case_seed, atomic_load(&case_round),		\
		      atomic_load(&case_step), ##__VA_ARGS__)

#define CHECK_INT(expr, want)								\
	do {										\
		long got_ = (long)(expr), want_ = (long)(want);				\
		CHECK(got_ == want_, "%s gave %ld, wanted %ld", #expr, got_, want_);	\
	} while (0)

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A random moment, to the microsecond: a busy wait, since the kernel's
 * timer slack would round short sleeps to the same few values. */
static void spin_us(unsigned int us)
{
	long end = now_us() + us;

	while (now_us() < end)
		;
}

static void step(const char *name)
{
	atomic_store(&case_step, name);
	atomic_fetch_add(&progress, 1);
}

static void next_round(int round)
{
	atomic_store(&case_round, round);
	step("begin");
}

/* xorshift64*: small, fast, and the same sequence everywhere. */
static uint32_t rnd(uint32_t n)
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

static void thread_is_up(void)
{
	char c = 'u';

	if (write(thread_started[1], &c, 1) != 1)
		abort();
}

static char read_byte(int fd);

static void start_thread(void *(*fn)(void *), void *arg)
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
static long case_timeout_ms(void)
{
	const char *def = getenv("CK_DEFAULT_TIMEOUT"), *mult = getenv("CK_TIMEOUT_MULTIPLIER");
	double t = def && atof(def) > 0 ? atof(def) : 4.0;

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
	long since = now_ms(), budget = case_timeout_ms() - 500;

	(void)arg;
	thread_is_up();
	for (;;) {
		struct timespec tick = { 0, 50 * 1000000L };
		const char *why = NULL;
		unsigned long now;

		nanosleep(&tick, NULL);
		now = atomic_load(&progress);
		if (now != last) {
			last = now;
			since = now_ms();
		} else if (now_ms() - since > 3L * BOUND_MS / 2) {
			why = "no progress: hung in a library call";
		}
		if (now_ms() - atomic_load(&case_started_ms) > budget)
			why = "the case ran out of time";
		if (why) {
			fprintf(stderr, "[seed %#llx round %d step %s] %s (%ld ms since the last "
				"step)\n", (unsigned long long)case_seed, atomic_load(&case_round),
				atomic_load(&case_step), why, now_ms() - since);
			fflush(stderr);
			_exit(98);
		}
	}
	return NULL;
}

static void begin_case(uint64_t seed)
{
	static bool watchdog_started;
	const char *env = getenv("SEIZE_STRESS_SEED");

	if (env && *env)
		seed = strtoull(env, NULL, 0);
	case_seed = seed;
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
	atomic_store(&case_started_ms, now_ms());
	next_round(0);
	if (!watchdog_started) {
		watchdog_started = true;
		start_thread(watchdog_main, NULL);
	}
}

/* No child of the test is left, reaped or not. */
static void expect_no_children(void)
{
	pid_t got;

	errno = 0;
	got = waitpid(-1, NULL, WNOHANG | __WALL);
	CHECK(got == -1 && errno == ECHILD, "a child is left behind: waitpid(-1) gave %d (%s)",
	      (int)got, strerror(errno));
}

/* ---- /proc ------------------------------------------------------------------ */

#define MAX_TIDS 256

static int threads_of(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (atoi(de->d_name) > 0 && n < max)
			tids[n++] = (pid_t)atoi(de->d_name);
	closedir(dir);
	return n;
}

/* "129 threads: 128 S, 1 t" */
static const char *states_text(pid_t pid)
{
	static char buf[256];
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS), counts[128] = { 0 };
	size_t len;

	for (i = 0; i < n; i++)
		counts[(unsigned char)tst_task_state(pid, tids[i]) & 127]++;
	len = (size_t)snprintf(buf, sizeof(buf), "%d threads:", n);
	for (i = 0; i < 128 && len < sizeof(buf) - 16; i++)
		if (counts[i])
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %d %c", counts[i],
						i ? i : '?');
	return buf;
}

/* Pending and blocked signals of every thread, for messages. */
static const char *signals_text(pid_t pid)
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
static const char *where_text(pid_t pid)
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

static bool all_threads_in(pid_t pid, const char *states)
{
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS);

	for (i = 0; i < n; i++) {
		char s = tst_task_state(pid, tids[i]);

		if (!s || !strchr(states, s))
			return false;
	}
	return n > 0;
}

static void wait_threads_in(pid_t pid, const char *states)
{
	long deadline = now_ms() + BOUND_MS;

	while (!all_threads_in(pid, states)) {
		CHECK(now_ms() < deadline, "threads of %d: %s, wanted \"%s\"", (int)pid,
		      states_text(pid), states);
		usleep(1000);
	}
}

/* Every thread of pid has TracerPid `tracer`; returns how many threads. */
static int expect_tracer_of_all(pid_t pid, long tracer)
{
	pid_t tids[MAX_TIDS];
	int i, n = threads_of(pid, tids, MAX_TIDS);

	for (i = 0; i < n; i++) {
		long got = tst_task_status_field(pid, tids[i], "TracerPid");

		CHECK(got == tracer || got == -1, "thread %d of %d has TracerPid %ld, wanted %ld",
		      (int)tids[i], (int)pid, got, tracer);
	}
	return n;
}

/* ---- pipes -------------------------------------------------------------------- */

static bool readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & (POLLIN | POLLHUP));
}

static void read_exact(int fd, void *buf, size_t size)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n;

		CHECK(readable(fd, BOUND_MS), "no report within %d ms", BOUND_MS);
		n = read(fd, (char *)buf + len, size - len);
		CHECK(n > 0, "report cut short after %zu of %zu bytes", len, size);
		len += (size_t)n;
	}
}

static char read_byte(int fd)
{
	char c;

	read_exact(fd, &c, 1);
	return c;
}

static void write_or_die(int fd, const void *buf, size_t size)
{
	if (write(fd, buf, size) != (ssize_t)size)
		_exit(99);
}

/* ---- the record of tracer events ------------------------------------------------ */

#define MAX_RECS 8192
#define ANY_SIG (-1)

struct rec {
	enum seize_tracer_event_type type;
	pid_t pid, tid;
	int sig;
	int exit_code;
};

static struct rec recs[MAX_RECS];
static int nrecs;
static bool recs_overflowed;
/* Called from the callback after recording. */
static void (*hook)(const struct seize_tracer_event *ev);

static void record(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	(void)t;
	(void)data;
	if (nrecs < MAX_RECS) {
		struct rec *r = &recs[nrecs++];

		r->type = ev->type;
		r->pid = ev->pid;
		r->tid = ev->tid;
		r->sig = ev->sig;
		r->exit_code = ev->exit_code;
	} else {
		recs_overflowed = true;
	}
	if (hook)
		hook(ev);
}

/* The last events, for failure messages. */
static const char *recs_text(void)
{
	static char buf[3072];
	size_t len = 0;
	int i = nrecs > 40 ? nrecs - 40 : 0;

	buf[0] = '\0';
	if (i > 0)
		len += (size_t)snprintf(buf, sizeof(buf), "(%d before) ", i);
	for (; i < nrecs && len < sizeof(buf) - 64; i++) {
		const struct rec *r = &recs[i];
		const char *name = seize_tracer_event_name(r->type);

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %d/%d", name ? name : "?",
					(int)r->pid, (int)r->tid);
		if (r->sig)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " sig %d", r->sig);
		if (r->type == SEIZE_TRACER_EXITED)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " code %d", r->exit_code);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, i + 1 < nrecs ? ", " : "");
	}
	return nrecs ? buf : "none";
}

static bool rec_matches(const struct rec *r, enum seize_tracer_event_type type, pid_t pid, int sig)
{
	return r->type == type && (pid == 0 || r->pid == pid) && (sig == ANY_SIG || r->sig == sig);
}

static int find(int from, enum seize_tracer_event_type type, pid_t pid)
{
	int i;

	for (i = from; i < nrecs; i++)
		if (rec_matches(&recs[i], type, pid, ANY_SIG))
			return i;
	return -1;
}

static int count(enum seize_tracer_event_type type, pid_t pid, int sig)
{
	int i, n = 0;

	for (i = 0; i < nrecs; i++)
		n += rec_matches(&recs[i], type, pid, sig);
	return n;
}

/* Its death was reported: the tracer reaped it, the pid may be reused. */
static bool gone(pid_t pid)
{
	return find(0, SEIZE_TRACER_KILLED, pid) >= 0 || find(0, SEIZE_TRACER_EXITED, pid) >= 0;
}

static struct seize_tracer *new_tracer(unsigned int flags)
{
	struct seize_tracer_config cfg = {
		.flags = flags, .events = SEIZE_TRACER_ALL, .callback = record,
	};
	struct seize_tracer *t = NULL;

	nrecs = 0;
	recs_overflowed = false;
	hook = NULL;
	ck_assert_int_eq(seize_tracer_new(&cfg, &t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

static void expect_counts(struct seize_tracer *t, unsigned int procs, unsigned int threads)
{
	unsigned int p = ~0u, th = ~0u;

	ck_assert_int_eq(seize_tracer_count(t, &p, &th), 0);
	CHECK(p == procs && th == threads,
	      "tracer counts %u processes and %u threads, wanted %u and %u; events: %s", p, th,
	      procs, threads, recs_text());
}

/* ---- driving the tracer ------------------------------------------------------------ */

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A SIGALRM after ms, without SA_RESTART: a blocking call returns -EINTR. */
static void arm(long ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval timer = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	if (ms <= 0)
		timer.it_value.tv_usec = 1;
	alarmed = 0;
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &timer, NULL), 0);
}

static void disarm(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &off, NULL);
}

/* How the tracer is driven this round: its event fd and poll, or a
 * blocking dispatch. */
static int tracer_fd = -1;

/* Block until the tracer handles something (or until deadline); returns
 * what dispatch gave. */
static int pump(struct seize_tracer *t, long deadline, const char *what)
{
	long left = deadline - now_ms();
	int ret;

	CHECK(left > 0, "waiting for %s: time ran out; events: %s", what, recs_text());
	if (tracer_fd >= 0) {
		struct pollfd pfd = { .fd = tracer_fd, .events = POLLIN };

		CHECK(poll(&pfd, 1, (int)left) >= 0 || errno == EINTR, "poll: %s", strerror(errno));
		ret = seize_tracer_dispatch(t, 0);
	} else {
		arm(left);
		ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT);
		disarm();
	}
	CHECK(ret >= 0 || ret == -EINTR || ret == -ECHILD,
	      "waiting for %s: dispatch gave %d; events: %s", what, ret, recs_text());
	return ret;
}

/* Dispatch until the nth (type, pid, sig) event, or until pid's death if
 * or_gone.  Returns true if the event came. */
static bool await_n(struct seize_tracer *t, enum seize_tracer_event_type type, pid_t pid, int sig,
		    int n, bool or_gone)
{
	long deadline = now_ms() + BOUND_MS;

	for (;;) {
		if (count(type, pid, sig) >= n)
			return true;
		if (or_gone && gone(pid))
			return false;
		CHECK(pump(t, deadline, seize_tracer_event_name(type)) != -ECHILD,
		      "waiting for %s #%d of %d: no tracee left; events: %s",
		      seize_tracer_event_name(type), n, (int)pid, recs_text());
	}
}

/* Handle stops without blocking until every thread of pid is in one of
 * `states` and nothing is left to handle, twice in a row. */
static void settle(struct seize_tracer *t, pid_t pid, const char *states)
{
	long deadline = now_ms() + BOUND_MS;
	int quiet = 0;

	for (;;) {
		bool all = all_threads_in(pid, states);
		int ret = seize_tracer_dispatch(t, 0);

		CHECK(ret >= 0, "dispatch gave %d; events: %s", ret, recs_text());
		quiet = all && ret == 0 ? quiet + 1 : 0;
		if (quiet == 2)
			break;
		CHECK(now_ms() < deadline, "threads of %d: %s, wanted \"%s\"; events: %s", (int)pid,
		      states_text(pid), states, recs_text());
		usleep(1000);
	}
}

/* ---- victims: the processes traced, stopped, killed ----------------------------------- */

enum fate {
	FATE_NONE,	/* pause until killed */
	FATE_EXIT,	/* _exit(exit_code) */
	FATE_EXEC,	/* a thread that is not the leader (if any) execs /bin/true */
	FATE_SIGTERM,	/* sends itself SIGTERM, which kills it */
};

struct victim {
	int nthreads;		/* threads besides the main one */
	enum fate fate;
	unsigned int spin_us;	/* after the go byte, before the fate */
	int exit_code;
	int usr1;		/* write end for the SIGUSR1 handler's 'u', or -1: a no-op handler */
	int ready;		/* write end: 'r' once set up */
	int go;			/* read end: one byte starts the fate */
};

static int usr1_fd = -1;

static void on_usr1(int sig)
{
	char c = 'u';
	ssize_t n;

	(void)sig;
	if (usr1_fd >= 0) {
		n = write(usr1_fd, &c, 1);
		(void)n;
	}
}

static void *victim_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

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
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	pthread_attr_t attr;
	char c = 'r';
	int i;

	/* Yama's scope 1 lets only ancestors trace: the tracer may be a sibling. */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	usr1_fd = v->usr1;
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		_exit(4);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (i = 0; i < v->nthreads; i++) {
		pthread_t th;
		bool execer = i == 0 && v->fate == FATE_EXEC;

		if (pthread_create(&th, &attr, execer ? exec_thread : victim_thread, (void *)v) != 0)
			_exit(5);
	}
	write_or_die(v->ready, &c, 1);
	if (v->fate != FATE_NONE && !(v->fate == FATE_EXEC && v->nthreads > 0))
		meet_fate(v);
	for (;;)
		pause();
}

/* Fork a victim and wait until it is set up.  *go (if go is not NULL) gets
 * the write end that starts its fate. */
static pid_t start_victim(struct victim *v, int *go)
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
	close(ready[0]);
	close(ready[1]);
	if (gofds[0] >= 0) {
		close(gofds[0]);
		*go = gofds[1];
	}
	return pid;
}

/* Reap a child of ours that should be dead or dying; returns its status. */
static int reap(pid_t pid)
{
	int status = 0;
	pid_t got;

	CHECK(pid > 0, "refusing to reap %d", (int)pid);
	arm(BOUND_MS);
	got = waitpid(pid, &status, __WALL);
	disarm();
	CHECK(got == pid, "waitpid(%d) gave %d (%s)%s", (int)pid, (int)got, strerror(errno),
	      alarmed ? ": it did not die" : "");
	return status;
}

/* After the tracer reported pid's death: a leader that was already a zombie
 * when the tracer attached (it then traces the other threads) is not its
 * to reap, but its parent's, the test's.  Only our own unreaped child is
 * looked at (waitid WNOWAIT), never a pid the kernel may have reused.
 * Returns its wait status, or -1 if the tracer reaped it. */
static int reap_untraced_leader(pid_t pid)
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

/* ---- the mother: a real parent distinct from the tracer ------------------------------- */

/* Orders, one byte each:
 *   'S' send SIGSTOP, waitid(WSTOPPED)     -> 's' (stopped by SIGSTOP) or '?'
 *   'C' send SIGCONT, waitid(WCONTINUED)   -> 'c' or '?'
 *   'N' waitid(WSTOPPED|WCONTINUED|WNOHANG) -> '0' nothing, 's', 'c' or '?'
 *   'R' then a uint32_t n: n cycles of 'S' and 'C', each step reported, then 'D'
 *   'L' cycles, each step reported, until a 'Q' comes; then 'D'
 *   'X' send SIGSTOP, SIGCONT, SIGSTOP back to back, waitid(WSTOPPED) -> as 'S'
 * On EOF she kills and reaps the target, and exits. */
struct mother {
	pid_t pid;
	pid_t target;
	int order;	/* write end */
	int report;	/* read end */
};

struct mother_arg {
	struct victim v;
	int order;	/* read end */
	int report;	/* write end */
	int others[2];	/* the test's ends, closed here so that EOF comes */
};

static char mother_step(pid_t target, char order)
{
	siginfo_t si;
	int options;

	memset(&si, 0, sizeof(si));
	if (order == 'S' || order == 'X') {
		if (order == 'X') {
			tst_kill(target, SIGSTOP);
			tst_kill(target, SIGCONT);
		}
		tst_kill(target, SIGSTOP);
		options = WSTOPPED;
	} else if (order == 'C') {
		tst_kill(target, SIGCONT);
		options = WCONTINUED;
	} else {
		options = WSTOPPED | WCONTINUED | WNOHANG;
	}
	if (waitid(P_PID, (id_t)target, &si, options) < 0)
		return '!';
	if (si.si_pid == 0)
		return '0';
	if (si.si_code == CLD_STOPPED && si.si_status == SIGSTOP)
		return 's';
	if (si.si_code == CLD_CONTINUED)
		return 'c';
	fprintf(stderr, "mother: waitid for '%c' gave si_code %d si_status %d\n", order,
		si.si_code, si.si_status);
	return '?';
}

static void mother_main(void *arg)
{
	struct mother_arg *a = arg;
	pid_t target;
	char c;

	close(a->others[0]);
	close(a->others[1]);
	target = start_victim(&a->v, NULL);
	write_or_die(a->report, &target, sizeof(target));
	while (read(a->order, &c, 1) == 1) {
		if (c == 'R') {
			uint32_t i, n;

			if (read(a->order, &n, sizeof(n)) != sizeof(n))
				_exit(7);
			for (i = 0; i < n; i++) {
				c = mother_step(target, 'S');
				write_or_die(a->report, &c, 1);
				c = mother_step(target, 'C');
				write_or_die(a->report, &c, 1);
			}
			c = 'D';
		} else if (c == 'L') {
			char next = 'S';

			while (!readable(a->order, 0)) {
				c = mother_step(target, next);
				write_or_die(a->report, &c, 1);
				next = next == 'S' ? 'C' : 'S';
			}
			if (read(a->order, &c, 1) != 1 || c != 'Q')
				_exit(8);
			c = 'D';
		} else {
			c = mother_step(target, c);
		}
		write_or_die(a->report, &c, 1);
	}
	tst_kill(target, SIGKILL);
	while (waitpid(target, NULL, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void mother_start(struct mother *m, const struct victim *v)
{
	struct mother_arg a = { .v = *v };
	int order[2], report[2];

	tst_pipe(order);
	tst_pipe(report);
	a.order = order[0];
	a.report = report[1];
	a.others[0] = order[1];
	a.others[1] = report[0];
	m->pid = tst_fork(mother_main, &a);
	close(order[0]);
	close(report[1]);
	m->order = order[1];
	m->report = report[0];
	read_exact(m->report, &m->target, sizeof(m->target));
	CHECK(m->target > 0, "mother sent pid %d", (int)m->target);
}

static void mother_order(struct mother *m, char c)
{
	tst_write_byte(m->order, c);
}

static char mother_reply(struct mother *m)
{
	return read_byte(m->report);
}

static void mother_end(struct mother *m)
{
	char c;

	close(m->order);
	/* EOF once she has reaped the target and exited. */
	while (readable(m->report, BOUND_MS) && read(m->report, &c, 1) == 1)
		;
	close(m->report);
	tst_reap(m->pid);
}

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
	mother_start(&m, &v);
	wait_threads_in(m.target, "S");
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, m.target), 0);
	fd = seize_tracer_fd(t);
	CHECK(fd >= 0, "seize_tracer_fd gave %d", fd);

	started = now_ms();
	mother_order(&m, 'R');
	CHECK_INT(write(m.order, &cycles, sizeof(cycles)), sizeof(cycles));
	while (!done) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = m.report, .events = POLLIN } };
		int n = poll(pfd, 2, BOUND_MS);

		next_round((int)seen_s);
		CHECK(n > 0, "stalled: the mother saw %u stops and %u continues; tracer: %d "
		      "group-stops, %d continued; mother %s; target %s; %s; events: %s", seen_s,
		      seen_c, count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG),
		      count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG), where_text(m.pid),
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
	settle(t, m.target, "S");
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
	CHECK_INT(count(SEIZE_TRACER_SIGNAL, m.target, SIGSTOP), cycles);

	/* It runs after the last: its handler answers, and its parent has
	 * nothing more to see. */
	tst_kill(m.target, SIGUSR1);
	await_n(t, SEIZE_TRACER_SIGNAL, m.target, SIGUSR1, 1, false);
	CHECK(read_byte(usr1[0]) == 'u', "the handler did not run");
	settle(t, m.target, "S");
	mother_order(&m, 'N');
	CHECK(mother_reply(&m) == '0', "the mother sees a change after the last continue");
	expect_counts(t, 1, (unsigned int)nthreads + 1);
	fprintf(stderr, "storm: %u cycles, %d threads: %ld ms\n", cycles, nthreads + 1,
		now_ms() - started);

	seize_tracer_destroy(t);
	mother_end(&m);
	close(usr1[0]);
	close(usr1[1]);
	expect_no_children();
}

START_TEST(storm_1000_stop_continue)
{
	storm(0, 1000, 0x5709);
}
END_TEST

/* The same with threads: any of them may take the SIGSTOP, and a thread may
 * go from the end of one stop straight into the next (see the case list). */
/* Checks the fix of library defect A (top of the file) */
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
static void rapid_rounds(int rounds, uint64_t seed)
{
	struct victim v = { .nthreads = 15 };
	struct seize_tracer *t;
	struct mother m;
	bool stopped = false;
	int round, i, fd, stops = 0, conts = 0;
	long started;

	begin_case(seed);
	mother_start(&m, &v);
	wait_threads_in(m.target, "S");
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, m.target), 0);
	fd = seize_tracer_fd(t);
	CHECK(fd >= 0, "seize_tracer_fd gave %d", fd);
	started = now_ms();
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
			settle(t, m.target, phase == 0 ? "t" : "S");
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
	fprintf(stderr, "rapid: %d rounds, %d stops: %ld ms\n", rounds, stops, now_ms() - started);
	mother_order(&m, 'N');
	CHECK(mother_reply(&m) != '?', "the mother sees something odd after the last continue");
	expect_counts(t, 1, 16);
	seize_tracer_destroy(t);
	mother_end(&m);
	expect_no_children();
}

START_TEST(rapid_stop_cont_stop_16_threads)
{
	rapid_rounds(2000, 0x5716);
}
END_TEST

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
	mother_start(&m, &v);
	wait_threads_in(m.target, "S");
	n = threads_of(m.target, tids, MAX_TIDS);
	CHECK_INT(n, NTHREADS + 1);
	for (i = 0; i < n; i++)
		CHECK_INT(seize_attach(tids[i], PTRACE_O_EXITKILL), 0);

	started = now_ms();
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
		now_ms() - started);
	wait_threads_in(m.target, "S");
	CHECK_INT(expect_tracer_of_all(m.target, getpid()), n);
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
	expect_no_children();
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
	mother_start(&m, &v);
	wait_threads_in(m.target, "S");
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, m.target), 0);
	expect_counts(t, 1, NTHREADS + 1);

	started = now_ms();
	for (round = 1; round <= THREAD_ROUNDS; round++) {
		next_round(round);
		step("stop");
		mother_order(&m, 'S');
		await_n(t, SEIZE_TRACER_GROUP_STOP, m.target, SIGSTOP, round, false);
		settle(t, m.target, "t");
		CHECK(mother_reply(&m) == 's', "the mother's report");
		step("continue");
		mother_order(&m, 'C');
		await_n(t, SEIZE_TRACER_CONTINUED, m.target, SIGCONT, round, false);
		settle(t, m.target, "S");
		CHECK(mother_reply(&m) == 'c', "the mother's report");
		CHECK(count(SEIZE_TRACER_GROUP_STOP, 0, ANY_SIG) == round &&
		      count(SEIZE_TRACER_CONTINUED, 0, ANY_SIG) == round, "events: %s", recs_text());
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
		THREAD_ROUNDS, now_ms() - started);
	expect_counts(t, 1, NTHREADS + 1);
	seize_tracer_destroy(t);
	CHECK_INT(expect_tracer_of_all(m.target, 0), NTHREADS + 1);
	mother_end(&m);
	expect_no_children();
}
END_TEST

/* ---- 3. SIGKILL at every point -------------------------------------------------------------- */

/* The killer: a thread of the test that, given a pid and a delay, waits that
 * many microseconds and sends SIGKILL, while the main thread goes on with
 * its requests.  The target dies of nothing else, and is reaped only after
 * its death (so after the kill): the pid cannot have been reused. */
struct kill_order {
	pid_t pid;
	unsigned int delay_us;
};

/* How often a peeked stop was replaced by the death (see wait_event()). */
static int stop_replaced_by_death;

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

/* seize_wait() for tid, bounded, with the waitid twin check of
 * tst_wait_event() -- except for one race of the kernel's: a stop peeked
 * with WNOWAIT is gone when SIGKILL wakes the stopped thread, and the wait
 * that follows reports the death instead.  Only that change is allowed. */
static int wait_event(pid_t tid, struct seize_event *ev)
{
	struct seize_event twin;
	siginfo_t wsi;
	int ret;

	arm(BOUND_MS);
	memset(&wsi, 0, sizeof(wsi));
	ret = waitid(P_PID, (id_t)tid, &wsi, WEXITED | WSTOPPED | WNOWAIT | __WALL);
	CHECK(ret == 0, "no event from %d within %d ms (%s)", (int)tid, BOUND_MS,
	      strerror(errno));
	ret = seize_wait(tid, ev, 0);
	disarm();
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
	expect_no_children();
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
	if (tr.how != KILL_AT_POINT && ++tr.events == tr.at_event && !gone(tr.pid))
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
	hook = tr_hook;
	tracer_fd = -1;
	if (rnd(2))
		tracer_fd = seize_tracer_fd(t);

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
		CHECK(nrecs == 0 || (count(SEIZE_TRACER_KILLED, tr.pid, SIGKILL) == 1 &&
				     find(0, SEIZE_TRACER_ATTACHED, tr.pid) < 0),
		      "attach gave %d; events: %s", ret, recs_text());
		expect_counts(t, 0, 0);
		if (!gone(tr.pid))
			tr_landed[TP_ATTACH]++;
	}
	if (attached) {
		tr_at(TP_DISPATCH);
		ret = seize_tracer_dispatch(t, 0);
		CHECK(ret >= 0 || (ret == -ECHILD && gone(tr.pid)), "dispatch gave %d", ret);
	}
	if (attached && !gone(tr.pid)) {
		tr_at(TP_FREEZE);
		before = nrecs;
		tr_result(TP_FREEZE, seize_tracer_freeze(t, tr.pid), false);
		CHECK(find(before, SEIZE_TRACER_FROZEN, tr.pid) >= 0 || gone(tr.pid),
		      "freeze gave 0 with neither frozen nor killed; events: %s", recs_text());
		tr_at(TP_THAW);
		ret = seize_tracer_thaw(t, tr.pid);
		tr_result(TP_THAW, ret, gone(tr.pid));
	}
	if (attached && !gone(tr.pid)) {
		tr_at(TP_SIGSTOP);
		tst_kill(tr.pid, SIGSTOP);
		await_n(t, SEIZE_TRACER_GROUP_STOP, tr.pid, SIGSTOP, 1, true);
	}
	if (attached && !gone(tr.pid)) {
		tr_at(TP_FREEZE_STOPPED);
		before = nrecs;
		tr_result(TP_FREEZE_STOPPED, seize_tracer_freeze(t, tr.pid), false);
		CHECK(find(before, SEIZE_TRACER_FROZEN, tr.pid) >= 0 || gone(tr.pid),
		      "freeze gave 0 with neither frozen nor killed; events: %s", recs_text());
		tr_at(TP_THAW_STOPPED);
		tr_result(TP_THAW_STOPPED, seize_tracer_thaw(t, tr.pid), gone(tr.pid));
	}
	if (attached && !gone(tr.pid)) {
		tr_at(TP_SIGCONT);
		tst_kill(tr.pid, SIGCONT);
		await_n(t, SEIZE_TRACER_CONTINUED, tr.pid, SIGCONT, 1, true);
	}
	if (attached && !gone(tr.pid)) {
		/* A signal on its way while detaching: it is handed back. */
		tr_at(TP_DETACH);
		tst_kill(tr.pid, SIGUSR1);
		before = nrecs;
		tr_result(TP_DETACH, seize_tracer_detach(t, tr.pid), false);
		detached = find(before, SEIZE_TRACER_DETACHED, tr.pid) >= 0;
		CHECK(detached || gone(tr.pid), "detach gave 0 with neither detached nor killed; "
		      "events: %s", recs_text());
	}
	tr_at(TP_END);
	if (!tr.fired && !gone(tr.pid))
		tr_fire();
	killer_join();
	CHECK(tr.fired, "killed without a kill");

	if (attached && !gone(tr.pid) && !detached) {
		/* Still traced (a kill that came with the last event): its death
		 * is the tracer's to report. */
		await_n(t, SEIZE_TRACER_KILLED, tr.pid, SIGKILL, 1, true);
	}
	if (gone(tr.pid)) {
		int i = find(0, SEIZE_TRACER_KILLED, tr.pid);

		CHECK(i >= 0 && recs[i].sig == SIGKILL && i == nrecs - 1 && !detached &&
		      count(SEIZE_TRACER_KILLED, tr.pid, ANY_SIG) == 1 &&
		      count(SEIZE_TRACER_EXITED, tr.pid, ANY_SIG) == 0,
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
		expect_tracer_of_all(tr.pid, 0);
		status = reap(tr.pid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "status %#x after %s; events: %s", status, detached ? "detach" : "no attach",
		      recs_text());
	}
	if (detached)
		tr_landed[TP_END]++;
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	tracer_fd = -1;
	expect_no_children();
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

/* Checks the fixes of library defects B and C (top of the file). */
START_TEST(kill_tracer_at_random_point_1)
{
	tracer_rounds(0xdead11, 50, KILL_AT_POINT);
}
END_TEST

/* Checks the fixes of library defects B and C (top of the file). */
START_TEST(kill_tracer_at_random_point_2)
{
	tracer_rounds(0xdead12, 50, KILL_AT_POINT);
}
END_TEST

/* Checks the fixes of library defects B and C (top of the file). */
START_TEST(kill_tracer_after_random_event_count)
{
	tracer_rounds(0xdead13, 50, KILL_AFTER_EVENTS);
}
END_TEST

/* Checks the fixes of library defects C and B (top of the file). */
START_TEST(kill_tracer_from_callback)
{
	tracer_rounds(0xdead14, 50, KILL_IN_CALLBACK);
}
END_TEST

/* ---- 4. exit races ------------------------------------------------------------------------ */

static const char *const fate_names[] = { "none", "exit", "exec", "sigterm" };

/* The death a fate ends in, as a wait status. */
static bool fate_status_ok(enum fate fate, int exit_code, int status)
{
	switch (fate) {
	case FATE_EXIT:
		return WIFEXITED(status) && WEXITSTATUS(status) == exit_code;
	case FATE_EXEC:
		return WIFEXITED(status) && WEXITSTATUS(status) == 0;	/* /bin/true */
	case FATE_SIGTERM:
		return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
	default:
		return false;
	}
}

/* Requests racing a tracee's own death: attach, interrupt, wait, detach,
 * while it exits or sends itself SIGTERM after a random delay.  Its death
 * must come as it chose it: the exit code, or SIGTERM delivered (never
 * swallowed at a signal-delivery-stop). */
static void exit_request_round(enum fate fate)
{
	struct victim v = { .fate = fate, .usr1 = -1, .exit_code = 1 + (int)rnd(120),
			    .spin_us = rnd(250) };
	struct seize_event ev;
	bool traced, dead = false;
	int go, ret, status = 0;
	pid_t pid;

	pid = start_victim(&v, &go);
	step("go");
	tst_write_byte(go, 'g');
	close(go);
	if (rnd(2))
		spin_us(rnd(200));
	step("attach");
	ret = seize_attach(pid, PTRACE_O_EXITKILL);
	traced = ret == 0;
	CHECK(traced || (ret == -EPERM && tst_proc_state(pid) == 'Z'), "attach gave %d, state %c",
	      ret, tst_proc_state(pid));
	if (traced) {
		step("interrupt");
		ret = seize_interrupt(pid);
		CHECK(ret == 0 || ret == -ESRCH, "interrupt gave %d", ret);
	}
	while (traced && !dead) {
		step("wait");
		CHECK_INT(wait_event(pid, &ev), pid);
		if (ev.type == SEIZE_EVENT_EXITED || ev.type == SEIZE_EVENT_KILLED) {
			dead = true;
			status = ev.status;
		} else if (ev.type == SEIZE_EVENT_SIGNAL) {
			CHECK(ev.sig == SIGTERM, "signal %d", ev.sig);
			/* Hand it back: by resuming, or by detaching with it. */
			step("deliver");
			ret = rnd(2) ? seize_cont(pid, SIGTERM) : seize_detach(pid, SIGTERM);
			CHECK(ret == 0 || ret == -ESRCH, "resuming with SIGTERM gave %d", ret);
		} else {
			CHECK(ev.type == SEIZE_EVENT_STOP, "%s sig %d", seize_event_name(&ev), ev.sig);
			step("detach");
			ret = seize_detach(pid, 0);
			CHECK(ret == 0 || ret == -ESRCH, "detach gave %d", ret);
			if (ret == 0)
				break;
		}
	}
	if (!dead) {
		step("reap");
		CHECK_INT(wait_event(pid, &ev), pid);
		CHECK(ev.type == SEIZE_EVENT_EXITED || ev.type == SEIZE_EVENT_KILLED,
		      "after detach: %s sig %d", seize_event_name(&ev), ev.sig);
		status = ev.status;
	}
	CHECK(fate_status_ok(fate, v.exit_code, status), "%s (code %d): status %#x",
	      fate_names[fate], v.exit_code, status);
	expect_no_children();
}

/* The tracer racing the same deaths, and exec from a thread. */
static void exit_tracer_round(enum fate fate)
{
	struct victim v = { .fate = fate, .usr1 = -1, .exit_code = 1 + (int)rnd(120),
			    .spin_us = rnd(400), .nthreads = (int)rnd(4) };
	struct seize_tracer *t;
	bool attached, detached = false, exec_after_attach;
	int go, ret, before, status = 0;
	char state;
	pid_t pid;

	if (fate == FATE_EXEC && v.nthreads == 0 && rnd(4))
		v.nthreads = 1;		/* mostly from a thread, sometimes the leader */
	pid = start_victim(&v, &go);
	t = new_tracer(0);
	tracer_fd = rnd(2) ? seize_tracer_fd(t) : -1;
	/* An exec from a thread while PTRACE_SEIZE is under way can deadlock in
	 * the kernel: ptrace_attach() waits for cred_guard_mutex, which the exec
	 * holds while de_thread() waits for the tracer to reap the siblings it
	 * already traces (seen here on 6.18: the tracer in ptrace_attach, the
	 * execing thread in D at begin_new_exec).  No tracer can avoid that but
	 * by not attaching during such an exec, so that exec races the rest. */
	exec_after_attach = fate == FATE_EXEC && v.nthreads > 0;
	if (!exec_after_attach) {
		step("go");
		tst_write_byte(go, 'g');
		close(go);
	}
	step("attach");
	ret = seize_tracer_attach(t, pid);
	state = tst_proc_state(pid);
	if (exec_after_attach) {
		step("go");
		tst_write_byte(go, 'g');
		close(go);
	}
	attached = ret == 0;
	CHECK(attached || ret == -ESRCH || (ret == -EPERM && state == 'Z'),
	      "attach gave %d, state %c; events: %s", ret, state ? state : '?', recs_text());
	if (attached && !gone(pid)) {
		step("freeze");
		before = nrecs;
		CHECK_INT(seize_tracer_freeze(t, pid), 0);
		CHECK(find(before, SEIZE_TRACER_FROZEN, pid) >= 0 || gone(pid),
		      "freeze gave 0 with neither frozen nor dead; events: %s", recs_text());
	}
	if (attached && !gone(pid)) {
		step("thaw");
		CHECK_INT(seize_tracer_thaw(t, pid), 0);
		step("dispatch");
		ret = seize_tracer_dispatch(t, 0);
		CHECK(ret >= 0 || (ret == -ECHILD && gone(pid)), "dispatch gave %d", ret);
	}
	if (attached && !gone(pid) && rnd(2)) {
		step("detach");
		before = nrecs;
		CHECK_INT(seize_tracer_detach(t, pid), 0);
		detached = find(before, SEIZE_TRACER_DETACHED, pid) >= 0;
		CHECK(detached || gone(pid), "detach gave 0 with neither detached nor dead; events: %s",
		      recs_text());
	}
	step("death");
	if (attached && !detached) {
		long deadline = now_ms() + BOUND_MS;

		while (!gone(pid))
			CHECK(pump(t, deadline, "the death") != -ECHILD, "no tracee left; events: %s",
			      recs_text());
		before = find(0, SEIZE_TRACER_EXITED, pid);
		if (before >= 0)
			status = (recs[before].exit_code & 0xff) << 8;
		else
			status = recs[find(0, SEIZE_TRACER_KILLED, pid)].sig;
		CHECK(count(SEIZE_TRACER_EXITED, pid, ANY_SIG) + count(SEIZE_TRACER_KILLED, pid, ANY_SIG) == 1,
		      "one death; events: %s", recs_text());
		before = reap_untraced_leader(pid);
		CHECK(before < 0 || fate_status_ok(fate, v.exit_code, before),
		      "the untraced leader's status %#x", before);
	} else {
		CHECK(tst_tracer_pid(pid) <= 0, "TracerPid %ld after %s; events: %s", tst_tracer_pid(pid),
		      detached ? "detach" : "a refused attach", recs_text());
		status = reap(pid);
	}
	CHECK(fate_status_ok(fate, v.exit_code, status), "%s (code %d, %d threads): status %#x; "
	      "events: %s", fate_names[fate], v.exit_code, v.nthreads + 1, status, recs_text());
	expect_counts(t, 0, 0);
	seize_tracer_destroy(t);
	tracer_fd = -1;
	expect_no_children();
}

START_TEST(exit_races_requests)
{
	int round;

	begin_case(0xe1);
	for (round = 1; round <= 60; round++) {
		next_round(round);
		exit_request_round(round % 2 ? FATE_EXIT : FATE_SIGTERM);
	}
}
END_TEST

/* Checks the fix of library defect B (top of the file) */
START_TEST(exit_races_tracer)
{
	int round;

	begin_case(0xe2);
	for (round = 1; round <= 60; round++) {
		next_round(round);
		exit_tracer_round(round % 2 ? FATE_EXIT : FATE_SIGTERM);
	}
}
END_TEST

/* Checks the fixes of library defects B, C and D (top of the file). */
START_TEST(exec_from_thread_races_tracer)
{
	int round;

	begin_case(0xe3);
	for (round = 1; round <= 40; round++) {
		next_round(round);
		exit_tracer_round(FATE_EXEC);
	}
}
END_TEST

/* -- the tracing program killed at a random moment -- */

struct remote {
	pid_t target;
	bool use_fd;
	bool die_at_sigstop;	/* the tracer kills itself in its callback at SIGNAL SIGSTOP */
	int report;		/* write end: 'a' once attached, or -1 */
};

static void remote_event(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	const struct remote *r = data;

	(void)t;
	if (r->die_at_sigstop && ev->type == SEIZE_TRACER_SIGNAL && ev->sig == SIGSTOP)
		tst_kill(getpid(), SIGKILL);
}

/* A tracer process of its own: attach, then dispatch until killed. */
static void remote_tracer(void *arg)
{
	struct remote *r = arg;
	struct seize_tracer_config cfg = { .events = SEIZE_TRACER_ALL, .callback = remote_event,
					   .data = r };
	struct seize_tracer *t;
	int fd = -1;
	char c = 'a';

	if (seize_tracer_new(&cfg, &t) != 0)
		_exit(2);
	if (r->use_fd)
		fd = seize_tracer_fd(t);
	if (seize_tracer_attach(t, r->target) != 0)
		_exit(3);
	if (r->report >= 0)
		write_or_die(r->report, &c, 1);
	for (;;) {
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				_exit(4);
			if (seize_tracer_dispatch(t, 0) < 0)
				_exit(5);
		} else if (seize_tracer_dispatch(t, SEIZE_TRACER_WAIT) < 0) {
			_exit(5);
		}
	}
}

/* The real parent stops and continues the target without pause (waiting
 * for each change), a tracer process traces it, and is killed at a random
 * moment -- before, during or after its attach.  Once it is dead, the
 * mother finishes her step: the kernel let the target go, and it must be
 * stopped if her last step was a stop, running if it was a continue, with
 * TracerPid 0 in every thread. */
static void tracer_killed_round(void)
{
	struct victim v = { .nthreads = (int)rnd(4), .usr1 = -1 };
	struct remote r = { .use_fd = rnd(2), .report = -1 };
	unsigned int delay = rnd(3000), steps = 0;
	char last = 0, c;
	struct mother m;
	pid_t tracer;
	int status;

	mother_start(&m, &v);
	r.target = m.target;
	step("cycling");
	mother_order(&m, 'L');
	tracer = tst_fork(remote_tracer, &r);
	spin_us(delay);
	step("kill tracer");
	tst_kill(tracer, SIGKILL);
	CHECK_INT(waitpid(tracer, &status, 0), tracer);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "the tracer ended with status %#x before it was killed", status);
	step("quit");
	mother_order(&m, 'Q');
	for (;;) {
		CHECK(readable(m.report, BOUND_MS), "the mother's step after '%c' (%u steps) never "
		      "completes: mother %s; target %s; %s", last ? last : '-', steps,
		      where_text(m.pid), states_text(m.target), signals_text(m.target));
		c = mother_reply(&m);
		if (c == 'D')
			break;
		CHECK(c == (last == 's' ? 'c' : 's'), "the mother's report %u is '%c' after '%c'",
		      steps, c, last ? last : '-');
		last = c;
		steps++;
	}
	step("check");
	/* No step at all (the tracer died before she began): never stopped. */
	wait_threads_in(m.target, last == 's' ? "T" : "SR");
	CHECK_INT(expect_tracer_of_all(m.target, 0), v.nthreads + 1);
	/* And job control works as before: the stop is a real group-stop. */
	mother_order(&m, last == 's' ? 'C' : 'S');
	CHECK(mother_reply(&m) == (last == 's' ? 'c' : 's'), "the mother's next step");
	wait_threads_in(m.target, last == 's' ? "SR" : "T");
	mother_end(&m);
	expect_no_children();
}

/* The tracing program dies at the worst moment of all: it has taken the
 * SIGSTOP's signal-delivery-stop (the report is consumed, the callback is
 * running) and not yet resumed the tracee with it.  The kernel must still
 * let the target stop, as its real parent asked. */
/* Checks the fix of library defect E (top of the file) */
START_TEST(tracer_killed_holding_a_stop_signal)
{
	struct victim v = { .nthreads = 1, .usr1 = -1 };
	struct remote r = { .die_at_sigstop = true };
	int report[2], status;
	struct mother m;
	pid_t tracer;
	char c;

	begin_case(0x7f);
	mother_start(&m, &v);
	wait_threads_in(m.target, "S");
	r.target = m.target;
	tst_pipe(report);
	r.report = report[1];
	tracer = tst_fork(remote_tracer, &r);
	CHECK(read_byte(report[0]) == 'a', "the tracer did not attach");
	mother_order(&m, 'S');
	CHECK_INT(waitpid(tracer, &status, 0), tracer);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the tracer's status %#x",
	      status);
	CHECK(readable(m.report, BOUND_MS), "the SIGSTOP was lost with the tracer: the real "
	      "parent never sees the stop; target %s; %s", states_text(m.target),
	      signals_text(m.target));
	c = mother_reply(&m);
	CHECK(c == 's', "the mother's report '%c'", c);
	wait_threads_in(m.target, "T");
	CHECK_INT(expect_tracer_of_all(m.target, 0), 2);
	mother_end(&m);
	close(report[0]);
	close(report[1]);
	expect_no_children();
}
END_TEST

static void tracer_killed_rounds(uint64_t seed, int rounds)
{
	int round;

	begin_case(seed);
	for (round = 1; round <= rounds; round++) {
		next_round(round);
		tracer_killed_round();
	}
}

/* These three check the fix of library defect E (top of the file). */
START_TEST(tracer_killed_at_random_moment_1)
{
	tracer_killed_rounds(0x7e, 25);
}
END_TEST

START_TEST(tracer_killed_at_random_moment_2)
{
	tracer_killed_rounds(0x7d, 25);
}
END_TEST

START_TEST(tracer_killed_at_random_moment_3)
{
	tracer_killed_rounds(0x7c, 25);
}
END_TEST

/* A process whose main thread called pthread_exit(): its leader is a zombie
 * while its other threads run.  It is alive and traceable (thread by
 * thread), and so is a process whose thread is exec'ing, for the moment its
 * old leader is dead and the exec'ing thread has not taken its pid yet. */
static void *leader_exits(void *arg)
{
	(void)arg;
	pthread_exit(NULL);
}

static void leaderless_main(void *arg)
{
	int ready = *(int *)arg;
	pthread_t th;
	char c = 'r';
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&th, NULL, victim_thread, NULL) != 0)
			_exit(5);
	write_or_die(ready, &c, 1);
	leader_exits(NULL);
}

/* Checks the fix of library defect D (top of the file) */
START_TEST(exit_of_leader_thread_then_attach)
{
	struct seize_tracer *t;
	int ready[2], ret;
	char why[160];
	pid_t pid;

	begin_case(0xe4);
	tst_pipe(ready);
	pid = tst_fork(leaderless_main, &ready[1]);
	CHECK(read_byte(ready[0]) == 'r', "not started");
	tst_wait_state(pid, "Z", BOUND_MS);
	wait_threads_in(pid, "ZS");
	t = new_tracer(0);
	ret = seize_tracer_attach(t, pid);
	seize_explain_attach(pid, ret < 0 ? ret : -EPERM, why, sizeof(why));
	CHECK(ret == 0, "seize_tracer_attach of a live process whose leader thread exited gave %d "
	      "(\"%s\")", ret, why);
	expect_counts(t, 1, 2);
	seize_tracer_destroy(t);
	tst_reap(pid);
	close(ready[0]);
	close(ready[1]);
	expect_no_children();
}
END_TEST

/* ---- 5. pid reuse ------------------------------------------------------------------------- */

/* A child of the test that pauses, with a pid of our choosing where the
 * kernel lets us (clone3 with set_tid, Linux 5.5, CAP_SYS_ADMIN over the pid
 * namespace); otherwise an ordinary fork.  The child runs raw system calls
 * only (glibc's idea of its tid is stale after a raw clone). */
struct clone_args_v1 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
};

static int recycled, not_recycled;

static pid_t fork_with_pid(pid_t want)
{
	pid_t tid = want, parent = getpid(), pid = -1;
	struct clone_args_v1 args = {
		.exit_signal = SIGCHLD, .set_tid = (uintptr_t)&tid, .set_tid_size = 1,
	};

#ifdef SYS_clone3
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
#else
	(void)args;
	errno = ENOSYS;
#endif
	if (pid < 0) {
		CHECK(errno == EEXIST || errno == EPERM || errno == ENOSYS || errno == EINVAL,
		      "clone3(set_tid %d): %s", (int)want, strerror(errno));
		not_recycled++;
		return tst_fork_pauser();
	}
	if (pid == 0) {
		/* Plain system calls only. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		for (;;)
			pause();
	}
	recycled++;
	CHECK_INT(pid, want);
	return pid;
}

/* pid must be an untouched, running child: never attached, stopped or
 * waited for by the tracer. */
static void expect_untouched(pid_t pid)
{
	tst_wait_state(pid, "S", BOUND_MS);
	CHECK(tst_tracer_pid(pid) == 0, "the new process %d has TracerPid %ld", (int)pid,
	      tst_tracer_pid(pid));
}

/* After a tracee's death is reported its record is gone: every call on its
 * pid gives -ESRCH, even once a new child of the test has that pid, which
 * the tracer never touches (it stays running, untraced, unreaped). */
static void pid_reuse_round(struct seize_tracer *t, pid_t other)
{
	struct victim v = { .nthreads = (int)rnd(3), .usr1 = -1, .fate = FATE_EXIT,
			    .exit_code = 7 };
	bool by_kill = rnd(2);
	int go = -1, status;
	pid_t pid, reborn;
	unsigned int procs;

	v.fate = by_kill ? FATE_NONE : FATE_EXIT;
	pid = start_victim(&v, &go);
	CHECK_INT(seize_tracer_attach(t, pid), 0);
	expect_counts(t, 2, (unsigned int)v.nthreads + 2);
	step("death");
	if (by_kill) {
		tst_kill(pid, SIGKILL);
		await_n(t, SEIZE_TRACER_KILLED, pid, SIGKILL, 1, false);
	} else {
		tst_write_byte(go, 'g');
		close(go);
		await_n(t, SEIZE_TRACER_EXITED, pid, ANY_SIG, 1, false);
	}
	ck_assert_int_eq(seize_tracer_count(t, &procs, NULL), 0);
	CHECK(procs == 1, "the dead process's record is still there: %u processes", procs);
	errno = 0;
	CHECK(waitpid(pid, NULL, WNOHANG | __WALL) == -1 && errno == ECHILD,
	      "the dead tracee was not reaped by the tracer");

	step("reuse");
	reborn = fork_with_pid(pid);
	CHECK_INT(seize_tracer_detach(t, pid), -ESRCH);
	CHECK_INT(seize_tracer_freeze(t, pid), -ESRCH);
	CHECK_INT(seize_tracer_thaw(t, pid), -ESRCH);
	if (reborn != pid) {
		CHECK_INT(seize_tracer_detach(t, reborn), -ESRCH);
		CHECK_INT(seize_tracer_freeze(t, reborn), -ESRCH);
	}
	/* Work on the other tracee goes on around it. */
	CHECK_INT(seize_tracer_freeze(t, other), 0);
	CHECK_INT(seize_tracer_thaw(t, other), 0);
	CHECK(seize_tracer_dispatch(t, 0) >= 0, "dispatch");
	expect_untouched(reborn);
	expect_counts(t, 1, 1);
	tst_kill(reborn, SIGKILL);
	status = reap(reborn);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	if (by_kill && go >= 0)
		close(go);
	/* The other tracee is still ours and still runs. */
	tst_wait_state(other, "S", BOUND_MS);
	CHECK(tst_tracer_pid(other) == getpid(), "the other tracee has TracerPid %ld",
	      tst_tracer_pid(other));
}

START_TEST(pid_reuse_never_touched)
{
	struct seize_tracer *t;
	pid_t other;
	int round;

	begin_case(0x9e);
	other = tst_fork_pauser();
	tst_wait_state(other, "S", BOUND_MS);
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, other), 0);
	for (round = 1; round <= 30; round++) {
		next_round(round);
		pid_reuse_round(t, other);
	}
	fprintf(stderr, "pid reuse: %d pids recycled, %d not (clone3 set_tid refused)\n", recycled,
		not_recycled);
	seize_tracer_destroy(t);
	CHECK(tst_tracer_pid(other) == 0, "TracerPid %ld", tst_tracer_pid(other));
	tst_reap(other);
	expect_no_children();
}
END_TEST

/* The same for a thread: after THREAD_EXITED its tid is dropped, and a new
 * process with that tid is not interrupted by a freeze of the old one. */
struct thread_quitter {
	int ready;	/* 'r' with its tid */
	int go;		/* one byte: the thread exits */
};

static void *quitting_thread(void *arg)
{
	const struct thread_quitter *q = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	write_or_die(q->ready, &tid, sizeof(tid));
	if (read(q->go, &c, 1) == 1)
		return NULL;
	for (;;)
		pause();
}

static void quitter_main(void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, quitting_thread, arg) != 0)
		_exit(5);
	for (;;)
		pause();
}

START_TEST(pid_reuse_of_thread_never_touched)
{
	struct thread_quitter q;
	struct seize_tracer *t;
	int ready[2], go[2];
	pid_t pid, tid, reborn;

	begin_case(0x9f);
	tst_pipe(ready);
	tst_pipe(go);
	q.ready = ready[1];
	q.go = go[0];
	pid = tst_fork(quitter_main, &q);
	read_exact(ready[0], &tid, sizeof(tid));
	wait_threads_in(pid, "S");
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, pid), 0);
	expect_counts(t, 1, 2);
	tst_write_byte(go[1], 'g');
	await_n(t, SEIZE_TRACER_THREAD_EXITED, pid, ANY_SIG, 1, false);
	expect_counts(t, 1, 1);
	reborn = fork_with_pid(tid);
	CHECK_INT(seize_tracer_freeze(t, pid), 0);
	expect_untouched(reborn);
	CHECK_INT(seize_tracer_thaw(t, pid), 0);
	CHECK_INT(seize_tracer_detach(t, pid), 0);
	expect_untouched(reborn);
	seize_tracer_destroy(t);
	tst_reap(reborn);
	tst_reap(pid);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	expect_no_children();
}
END_TEST

/* ---- 6. no descriptor leaked, nobody traced unasked --------------------------------------- */

/* The spawned command's descriptors, listed while it is held at its exec. */
static int spawn_extra_fds;
static char spawn_fd_text[1024];

static void list_fds_at_exec(const struct seize_tracer_event *ev)
{
	char path[64], link[384], target[256];
	struct dirent *de;
	size_t len = 0;
	DIR *dir;

	if (ev->type != SEIZE_TRACER_EXEC)
		return;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)ev->pid);
	dir = opendir(path);
	if (!dir)
		return;
	spawn_extra_fds = 0;
	spawn_fd_text[0] = '\0';
	while ((de = readdir(dir))) {
		ssize_t n;
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || (fd >= 0 && fd <= 2))
			continue;
		spawn_extra_fds++;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (len < sizeof(spawn_fd_text) - 1)
			len += (size_t)snprintf(spawn_fd_text + len, sizeof(spawn_fd_text) - len,
						"%s -> %s; ", de->d_name, target);
	}
	closedir(dir);
}

/* Spawned commands, with the event fd's helper running and other tracees
 * attached, hold 0, 1 and 2 only; and no process of the test that was not
 * named (a bystander child, a child of a tracee that is not followed) is
 * ever attached. */
START_TEST(spawn_no_fd_leaked_nothing_unnamed_attached)
{
	struct victim v = { .nthreads = 2, .usr1 = -1 };
	struct seize_tracer *t;
	pid_t bystander, traced, pid;
	int fd, round;

	begin_case(0x5a);
	/* What the host leaves open without close-on-exec is its own business:
	 * mark its descriptors (the test runner's), so that anything the
	 * command holds beyond 0, 1 and 2 comes from the library. */
	for (fd = 3; fd < 1024; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0)
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
	bystander = tst_fork_pauser();
	traced = start_victim(&v, NULL);
	t = new_tracer(0);
	CHECK(seize_tracer_fd(t) >= 0, "the event fd");
	tracer_fd = seize_tracer_fd(t);
	CHECK_INT(seize_tracer_attach(t, traced), 0);
	expect_untouched(bystander);
	hook = list_fds_at_exec;

	for (round = 1; round <= 40; round++) {
		char code[24];
		char *argv[] = { "/bin/sh", "-c", NULL, NULL };
		int i;

		next_round(round);
		snprintf(code, sizeof(code), "exit %d", round);
		argv[2] = code;
		spawn_extra_fds = -1;
		pid = -1;
		CHECK_INT(seize_tracer_spawn(t, argv, &pid), 0);
		CHECK(pid > 0, "pid %d", (int)pid);
		await_n(t, SEIZE_TRACER_EXITED, pid, ANY_SIG, 1, false);
		i = find(0, SEIZE_TRACER_EXITED, pid);
		CHECK(recs[i].exit_code == round, "exit code %d", recs[i].exit_code);
		CHECK(spawn_extra_fds == 0, "the command holds more than 0, 1, 2: %s%s",
		      spawn_fd_text, spawn_extra_fds < 0 ? "(not listed at its exec)" : "");
		expect_counts(t, 1, 3);
		if (round % 8 == 0)
			expect_untouched(bystander);
	}
	expect_untouched(bystander);
	CHECK_INT(expect_tracer_of_all(traced, getpid()), 3);
	seize_tracer_destroy(t);
	tracer_fd = -1;
	CHECK_INT(expect_tracer_of_all(traced, 0), 3);
	tst_reap(traced);
	tst_reap(bystander);
	expect_no_children();
}
END_TEST

/* A tracee that forks a child: without FOLLOW_CHILDREN the child is never
 * attached (TracerPid 0, running). */
struct forker {
	int go;		/* read end: one byte, fork; EOF, end */
	int report;	/* write end: the child's pid */
	int go_w;	/* the test's end, closed here so that EOF comes */
};

static void forker_main(void *arg)
{
	const struct forker *f = arg;
	pid_t child;
	char c;

	close(f->go_w);
	if (read(f->go, &c, 1) != 1)
		_exit(2);
	child = fork();
	if (child < 0)
		_exit(3);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	write_or_die(f->report, &child, sizeof(child));
	/* EOF on go: kill and reap the child, then go. */
	while (read(f->go, &c, 1) > 0)
		;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	_exit(0);
}

START_TEST(child_of_tracee_not_attached_unasked)
{
	struct forker f;
	struct seize_tracer *t;
	int go[2], report[2];
	pid_t pid, child;

	begin_case(0x5b);
	tst_pipe(go);
	tst_pipe(report);
	f.go = go[0];
	f.report = report[1];
	f.go_w = go[1];
	pid = tst_fork(forker_main, &f);
	close(go[0]);
	close(report[1]);
	t = new_tracer(0);
	CHECK_INT(seize_tracer_attach(t, pid), 0);
	tst_write_byte(go[1], 'g');
	read_exact(report[0], &child, sizeof(child));
	CHECK(child > 0, "child %d", (int)child);
	/* The fork's SIGCHLD-free path: dispatch whatever comes until the
	 * child is seen asleep. */
	tst_wait_state(child, "S", BOUND_MS);
	settle(t, pid, "S");
	expect_untouched(child);
	CHECK(count(SEIZE_TRACER_NEW_CHILD, 0, ANY_SIG) == 0, "events: %s", recs_text());
	expect_counts(t, 1, 1);
	close(go[1]);
	await_n(t, SEIZE_TRACER_EXITED, pid, ANY_SIG, 1, false);
	CHECK(recs[find(0, SEIZE_TRACER_EXITED, pid)].exit_code == 0, "events: %s", recs_text());
	seize_tracer_destroy(t);
	close(report[0]);
	expect_no_children();
}
END_TEST

TEST_SUITE(stress, true)
{
	ADD_CASE(s, storm_1000_stop_continue);
	ADD_CASE(s, storm_1000_stop_continue_8_threads);
	ADD_LONG_CASE(s, rapid_stop_cont_stop_16_threads, 90);
	ADD_CASE(s, threads_128_each_stop_reported);
	ADD_CASE(s, threads_128_one_report_per_round);
	ADD_CASE(s, kill_requests_1);
	ADD_CASE(s, kill_requests_2);
	ADD_CASE(s, kill_tracer_at_random_point_1);
	ADD_CASE(s, kill_tracer_at_random_point_2);
	ADD_CASE(s, kill_tracer_after_random_event_count);
	ADD_CASE(s, kill_tracer_from_callback);
	ADD_CASE(s, exit_races_requests);
	ADD_CASE(s, exit_races_tracer);
	ADD_CASE(s, exec_from_thread_races_tracer);
	ADD_CASE(s, exit_of_leader_thread_then_attach);
	ADD_CASE(s, tracer_killed_at_random_moment_1);
	ADD_CASE(s, tracer_killed_at_random_moment_2);
	ADD_CASE(s, tracer_killed_at_random_moment_3);
	ADD_CASE(s, tracer_killed_holding_a_stop_signal);
	ADD_CASE(s, pid_reuse_never_touched);
	ADD_CASE(s, pid_reuse_of_thread_never_touched);
	ADD_CASE(s, spawn_no_fd_leaked_nothing_unnamed_attached);
	ADD_CASE(s, child_of_tracee_not_attached_unasked);
}
