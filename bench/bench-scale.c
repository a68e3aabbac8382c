/* SPDX-License-Identifier: MIT */
/* The tracer layer at scale, and its loop's allocations.
 *
 * 4. seize_tracer_dispatch() handling signal-delivery-stops of a tracee that
 *    raises SIGUSR1: allocations counted in the steady state (target: zero
 *    per stop), its time per stop beside the hand-written loop's.
 * 3. A process of 1, 64, 512 and 4096 threads, each blocked in pause(): the
 *    time to attach to all (seize_tracer_attach), fold one SIGSTOP/SIGCONT
 *    cycle into one GROUP_STOP and one CONTINUED, freeze, thaw and detach,
 *    per thread; the same with a hand-written loop for reference, which also
 *    folds a second way, gathering the threads' traps by tid (the remedy for
 *    the kernel's O(tracees) wait-for-any).  Target: per-thread cost at 4096
 *    threads at most 1.5x that at 64, for each, in CPU time (tracer +
 *    tracees; wall clock printed beside it: this machine is shared).
 *    Then trees of 16 and 256 processes created under
 *    SEIZE_TRACER_FOLLOW_CHILDREN: creation, fold, freeze, thaw, detach per
 *    process (printed, with the 256/16 ratio).
 *
 * Rounds alternate: every size in every round, library and raw in turn. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seize/seize.h>
#include <seize/tracer.h>

#include "bench-allocs.h"
#include "bench-common.h"

#define DROUNDS		7	/* rounds of the dispatch loop */
#define DSTOPS		20000	/* raw and dispatched stops a round */
#define DBLOCK		1000	/* ... in blocks that alternate ABBA */
#define DWARMUP		2000
#define SROUNDS		7	/* rounds of the scale benchmark */
#define STACK_SIZE	(64 * 1024)
#define MAX_THREADS	4096
#define MAX_TREE	256

static const int sizes[] = { 1, 64, 512, 4096 };
#define NSIZES		((int)(sizeof(sizes) / sizeof(sizes[0])))
#define BASE		1	/* sizes[BASE] = 64 is the reference */
static const int trees[] = { 16, 256 };
#define NTREES		((int)(sizeof(trees) / sizeof(trees[0])))

/* The library's operations; the raw sequence also folds gathering by tid. */
enum op { OP_ATTACH, OP_FOLD, OP_FREEZE, OP_THAW, OP_DETACH, OP_N, OP_FOLD_BYTID = OP_N, OP_ALL };
static const char *const op_names[OP_ALL] = {
	"attach", "fold", "freeze", "thaw", "detach", "fold by tid"
};

/* ---- what the tracer reported ---- */

static struct {
	unsigned int n[SEIZE_TRACER_EVENT_MAX_];
	unsigned int sigstop, sigcont;		/* SIGNAL events of these signals */
	pid_t children[MAX_TREE];		/* NEW_CHILD, in the order reported */
	int nchildren;
} seen;

static void on_event(struct seize_tracer *t, const struct seize_tracer_event *ev, void *data)
{
	(void)t;
	(void)data;
	if ((unsigned int)ev->type < SEIZE_TRACER_EVENT_MAX_)
		seen.n[ev->type]++;
	if (ev->type == SEIZE_TRACER_SIGNAL && ev->sig == SIGSTOP)
		seen.sigstop++;
	if (ev->type == SEIZE_TRACER_SIGNAL && ev->sig == SIGCONT)
		seen.sigcont++;
	if (ev->type == SEIZE_TRACER_NEW_CHILD && seen.nchildren < MAX_TREE)
		seen.children[seen.nchildren++] = ev->pid;
}

static void reset_seen(void)
{
	memset(&seen, 0, sizeof(seen));
}

static struct seize_tracer *new_tracer(unsigned int flags)
{
	struct seize_tracer_config cfg = { .flags = flags, .events = SEIZE_TRACER_ALL,
					   .callback = on_event };
	struct seize_tracer *t;
	int ret = seize_tracer_new(&cfg, &t);

	if (ret < 0)
		bench_fail("seize_tracer_new: %s", strerror(-ret));
	return t;
}

static int dispatch(struct seize_tracer *t)
{
	int ret = seize_tracer_dispatch(t, SEIZE_TRACER_WAIT);

	if (ret < 0)
		bench_fail("seize_tracer_dispatch: %s", strerror(-ret));
	return ret;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* ---- the two measures ----
 * Wall clock, and CPU time (the tracer's plus its tracees'), which on a
 * shared machine leaves out the time other tenants held the CPUs. */

struct cost {
	uint64_t wall[OP_ALL], cpu[OP_ALL];
};

struct meter {
	const pid_t *pids;	/* the tracee processes whose CPU time counts */
	int npids;
	uint64_t wall, tracer, tracees;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		bench_fail("clock_gettime: %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tracees_cpu(const struct meter *m)
{
	uint64_t sum = 0;
	clockid_t clock;
	int i;

	for (i = 0; i < m->npids; i++) {
		if (clock_getcpuclockid(m->pids[i], &clock) != 0)
			bench_fail("clock_getcpuclockid(%d)", (int)m->pids[i]);
		sum += clock_ns(clock);
	}
	return sum;
}

/* The tracer's clock is read nearest the work, so reading the tracees'
 * clocks is left out of it. */
static void meter_start(struct meter *m)
{
	m->tracees = tracees_cpu(m);
	m->tracer = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	m->wall = bench_now_ns();
}

static void meter_stop(struct meter *m, struct cost *c, enum op op)
{
	uint64_t wall = bench_now_ns(), tracer = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

	c->wall[op] = wall - m->wall;
	c->cpu[op] = tracer - m->tracer + tracees_cpu(m) - m->tracees;
}

/* ---- benchmark 4: the dispatch loop ---- */



static int lib_dispatch(struct seize_tracer *t, int stops)
{
	int done = 0;

	while (done < stops)
		done += dispatch(t);
	return done;
}

static void bench_dispatch(int cpu)
{
	double wall[2][DROUNDS], cpu_us[2][DROUNDS], over[DROUNDS], cpu_over[DROUNDS];
	uint64_t lib_allocs = 0, lib_stops = 0;
	struct seize_tracer *t;
	struct bench_stats w, c;
	pid_t pid;
	int r, k, ret;

	bench_pin(0, cpu);
	pid = bench_fork(bench_raiser, NULL);
	t = new_tracer(0);
	reset_seen();
	ret = seize_tracer_attach(t, pid);
	bench_skip_if_refused(ret, pid);
	if (ret < 0)
		bench_fail("seize_tracer_attach(%d): %s", (int)pid, strerror(-ret));
	lib_dispatch(t, DWARMUP);
	bench_raw_signal(pid, DWARMUP);

	printf("\ntracer loop: seize_tracer_dispatch() on signal-delivery-stops against the raw "
	       "loop,\n%d of each a round in alternating blocks of %d, CPU %d; us per stop, wall "
	       "clock and CPU time (tracer + tracee)\n", DSTOPS, DBLOCK, cpu);
	printf("  round    raw wall  dispatch  overhead     raw cpu  dispatch  overhead  "
	       "allocations\n");
	for (r = 0; r < DROUNDS; r++) {
		uint64_t round_allocs = 0, wall_ns[2] = { 0, 0 }, cpu_ns[2] = { 0, 0 };
		int stops[2] = { 0, 0 }, j;

		for (j = 0; j < DSTOPS / DBLOCK; j++) {
			for (k = 0; k < 2; k++) {
				int is_lib = (k == 0) == ((j + r) % 2 == 1);
				uint64_t a0 = bench_allocs(), c0 = bench_cpu_ns(pid);
				uint64_t t0 = bench_now_ns();
				int done = DBLOCK;

				if (is_lib)
					done = lib_dispatch(t, DBLOCK);
				else
					bench_raw_signal(pid, DBLOCK);
				wall_ns[is_lib] += bench_now_ns() - t0;
				cpu_ns[is_lib] += bench_cpu_ns(pid) - c0;
				stops[is_lib] += done;
				if (is_lib)
					round_allocs += bench_allocs() - a0;
			}
		}
		for (k = 0; k < 2; k++) {
			wall[k][r] = us(wall_ns[k]) / stops[k];
			cpu_us[k][r] = us(cpu_ns[k]) / stops[k];
		}
		lib_stops += (uint64_t)stops[1];
		lib_allocs += round_allocs;
		over[r] = (wall[1][r] / wall[0][r] - 1) * 100;
		cpu_over[r] = (cpu_us[1][r] / cpu_us[0][r] - 1) * 100;
		printf("  %5d  %9.3f %9.3f  %+7.1f%%   %9.3f %9.3f  %+7.1f%%  %11llu\n", r + 1,
		       wall[0][r], wall[1][r], over[r], cpu_us[0][r], cpu_us[1][r], cpu_over[r],
		       (unsigned long long)round_allocs);
	}
	if (seen.n[SEIZE_TRACER_SIGNAL] < lib_stops)
		bench_fail("dispatch reported %u SIGNAL events for %llu stops",
			   seen.n[SEIZE_TRACER_SIGNAL], (unsigned long long)lib_stops);
	seize_tracer_destroy(t);
	bench_reap(pid);
	bench_pin(0, -1);

	for (k = 0; k < 2; k++) {
		bench_print_per_stop(k ? "dispatch" : "raw", 8, wall[k], cpu_us[k], DROUNDS);
	}
	w = bench_stats(over, DROUNDS);
	c = bench_stats(cpu_over, DROUNDS);
	printf("  dispatch over the raw loop (no target): CPU median %+.1f%% (min %+.1f%%, "
	       "max %+.1f%%), wall median %+.1f%% (min %+.1f%%, max %+.1f%%)\n",
	       c.median, c.min, c.max, w.median, w.min, w.max);
	bench_target_line(lib_allocs == 0, "allocations-tracer-dispatch %llu in %llu stops "
			  "(%.4f per stop) target 0", (unsigned long long)lib_allocs,
			  (unsigned long long)lib_stops, (double)lib_allocs / (double)lib_stops);
}

/* ---- the multi-threaded tracees ---- */

static int started;

static void *blocker(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

struct threaded_arg {
	int nthreads;
	int ready_fd;
};

static void threaded(void *arg)
{
	const struct threaded_arg *a = arg;
	pthread_attr_t attr;
	pthread_t th;
	int i;

	if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, STACK_SIZE))
		_exit(2);
	for (i = 1; i < a->nthreads; i++)
		if (pthread_create(&th, &attr, blocker, NULL))
			_exit(2);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < a->nthreads - 1)
		sched_yield();
	if (write(a->ready_fd, "r", 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

static pid_t start_threaded(int nthreads)
{
	struct threaded_arg a = { .nthreads = nthreads };
	int fds[2];
	pid_t pid;
	char c;

	bench_pipe(fds, 0);
	a.ready_fd = fds[1];
	pid = bench_fork(threaded, &a);
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		bench_fail("process of %d threads did not start (pthread_create failed?)", nthreads);
	close(fds[0]);
	return pid;
}

/* ---- the library's sequence on one process ---- */

/* Send sig, then dispatch until `stops` stops are handled and the folded
 * event and the signal's own delivery are reported. */
static void lib_fold_phase(struct seize_tracer *t, const pid_t *pids, int npids, int sig,
			   int stops, enum seize_tracer_event_type type)
{
	unsigned int *delivered = sig == SIGSTOP ? &seen.sigstop : &seen.sigcont;
	int i, done = 0;

	for (i = 0; i < npids; i++)
		bench_kill(pids[i], sig);
	while (done < stops || seen.n[type] < (unsigned int)npids ||
	       *delivered < (unsigned int)npids)
		done += dispatch(t);
}

static void check(bool ok, const char *what, pid_t pid)
{
	if (!ok)
		bench_fail("%s (process %d): events attached %u group-stop %u continued %u "
			   "frozen %u detached %u, SIGSTOP %u SIGCONT %u", what, (int)pid,
			   seen.n[SEIZE_TRACER_ATTACHED], seen.n[SEIZE_TRACER_GROUP_STOP],
			   seen.n[SEIZE_TRACER_CONTINUED], seen.n[SEIZE_TRACER_FROZEN],
			   seen.n[SEIZE_TRACER_DETACHED], seen.sigstop, seen.sigcont);
}

static void lib_ops(struct seize_tracer *t, pid_t pid, int n, struct cost *c)
{
	struct meter m = { .pids = &pid, .npids = 1 };
	unsigned int threads = 0;
	int ret;

	reset_seen();
	meter_start(&m);
	ret = seize_tracer_attach(t, pid);
	meter_stop(&m, c, OP_ATTACH);
	bench_skip_if_refused(ret, pid);
	if (ret < 0)
		bench_fail("seize_tracer_attach(%d): %s", (int)pid, strerror(-ret));
	seize_tracer_count(t, NULL, &threads);
	if (threads != (unsigned int)n)
		bench_fail("attached %u threads of %d", threads, n);

	meter_start(&m);
	lib_fold_phase(t, &pid, 1, SIGSTOP, n + 1, SEIZE_TRACER_GROUP_STOP);
	lib_fold_phase(t, &pid, 1, SIGCONT, n + 1, SEIZE_TRACER_CONTINUED);
	meter_stop(&m, c, OP_FOLD);
	check(seen.n[SEIZE_TRACER_GROUP_STOP] == 1 && seen.n[SEIZE_TRACER_CONTINUED] == 1,
	      "one SIGSTOP/SIGCONT cycle must fold into one GROUP_STOP and one CONTINUED", pid);

	meter_start(&m);
	ret = seize_tracer_freeze(t, pid);
	meter_stop(&m, c, OP_FREEZE);
	check(ret == 0 && seen.n[SEIZE_TRACER_FROZEN] == 1, "seize_tracer_freeze", pid);

	meter_start(&m);
	ret = seize_tracer_thaw(t, pid);
	meter_stop(&m, c, OP_THAW);
	check(ret == 0, "seize_tracer_thaw", pid);

	meter_start(&m);
	ret = seize_tracer_detach(t, pid);
	meter_stop(&m, c, OP_DETACH);
	seize_tracer_count(t, NULL, &threads);
	check(ret == 0 && seen.n[SEIZE_TRACER_DETACHED] == 1 && threads == 0,
	      "seize_tracer_detach", pid);
	check(seen.n[SEIZE_TRACER_EXITED] + seen.n[SEIZE_TRACER_KILLED] +
	      seen.n[SEIZE_TRACER_THREAD_EXITED] == 0, "no tracee may die", pid);
}

/* ---- the same by hand: what a careful hand-written tracer does ---- */

static pid_t raw_tids[MAX_THREADS];
static unsigned char raw_known[(1 << 22) / 8];	/* by tid: pid_max is at most 2^22 */

static void raw_ptrace(int req, pid_t tid, long data)
{
	if (ptrace((enum __ptrace_request)req, tid, NULL, (void *)data) < 0)
		bench_fail("ptrace(%d, %d): %s", req, (int)tid, strerror(errno));
}

static void raw_wait(pid_t tid, int *status)
{
	if (waitpid(tid, status, __WALL) <= 0 || !WIFSTOPPED(*status))
		bench_fail("raw loop: waitpid(%d): %s, status %#x", (int)tid, strerror(errno),
			   *status);
}

/* Seize every thread of /proc/PID/task until a pass finds nothing new. */
static int raw_attach(pid_t pid)
{
	char path[64];
	bool found_new;
	int n = 0, i;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	do {
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir)
			bench_fail("opendir %s: %s", path, strerror(errno));
		found_new = false;
		while ((de = readdir(dir))) {
			pid_t tid = (pid_t)atoi(de->d_name);

			if (tid <= 0 || tid >= (1 << 22) || (raw_known[tid / 8] & (1u << (tid % 8))))
				continue;
			if (n == MAX_THREADS)
				bench_fail("more than %d threads", MAX_THREADS);
			raw_ptrace(PTRACE_SEIZE, tid, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
				   PTRACE_O_TRACEEXEC);
			raw_known[tid / 8] |= (unsigned char)(1u << (tid % 8));
			raw_tids[n++] = tid;
			found_new = true;
		}
		closedir(dir);
	} while (found_new);
	for (i = 0; i < n; i++)
		raw_known[raw_tids[i] / 8] &= (unsigned char)~(1u << (raw_tids[i] % 8));
	return n;
}

/* One stop of the fold: LISTEN through a group-stop, run after its end,
 * deliver a signal.  Returns true for a signal-delivery-stop. */
static bool raw_handle(pid_t tid, int status)
{
	siginfo_t si;

	if (status >> 16 == PTRACE_EVENT_STOP) {
		raw_ptrace(WSTOPSIG(status) == SIGTRAP ? PTRACE_CONT : PTRACE_LISTEN, tid, 0);
		return false;
	}
	if (status >> 16 != 0)
		bench_fail("raw fold: unexpected status %#x", status);
	if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) < 0)
		bench_fail("PTRACE_GETSIGINFO: %s", strerror(errno));
	raw_ptrace(PTRACE_CONT, tid, WSTOPSIG(status));
	return true;
}

static pid_t raw_wait_any(int *status)
{
	pid_t tid = waitpid(-1, status, __WALL);

	if (tid <= 0 || !WIFSTOPPED(*status))
		bench_fail("raw fold: waitpid: %s, status %#x", strerror(errno), *status);
	return tid;
}

/* The plain loop: wait for any tracee, n + 1 times (n traps, one signal). */
static void raw_fold_phase(pid_t pid, int sig, int stops)
{
	int i, status;
	pid_t tid;

	bench_kill(pid, sig);
	for (i = 0; i < stops; i++) {
		tid = raw_wait_any(&status);
		raw_handle(tid, status);
	}
}

/* What a tracer can do better: once the first stop of a group-stop (or of
 * its end) is in, every other thread's trap is certain, so wait for each by
 * tid, which the kernel answers without walking every tracee (Linux 5.x
 * do_wait_pid), then for the signal's own stop if still missing. */
static void raw_fold_bytid_phase(pid_t pid, int sig, int n)
{
	static unsigned char trapped[MAX_THREADS];
	bool signal_seen;
	int i, status;
	pid_t tid;

	memset(trapped, 0, (size_t)n);
	bench_kill(pid, sig);
	tid = raw_wait_any(&status);
	signal_seen = raw_handle(tid, status);
	for (i = 0; i < n && !signal_seen; i++)
		if (raw_tids[i] == tid)
			trapped[i] = 1;
	for (i = 0; i < n; i++) {
		while (!trapped[i]) {
			raw_wait(raw_tids[i], &status);
			if (raw_handle(raw_tids[i], status))
				signal_seen = true;
			else
				trapped[i] = 1;
		}
	}
	while (!signal_seen) {
		tid = raw_wait_any(&status);
		signal_seen = raw_handle(tid, status);
		if (!signal_seen)
			bench_fail("raw fold: a second trap from %d", (int)tid);
	}
}

static void raw_hold(int n)
{
	int i, status;

	for (i = 0; i < n; i++)
		raw_ptrace(PTRACE_INTERRUPT, raw_tids[i], 0);
	for (i = 0; i < n; i++)
		raw_wait(raw_tids[i], &status);
}

static void raw_ops(pid_t pid, int n, struct cost *c)
{
	struct meter m = { .pids = &pid, .npids = 1 };
	int i;

	meter_start(&m);
	if (raw_attach(pid) != n)
		bench_fail("raw attach: not %d threads", n);
	meter_stop(&m, c, OP_ATTACH);

	meter_start(&m);
	raw_fold_phase(pid, SIGSTOP, n + 1);
	raw_fold_phase(pid, SIGCONT, n + 1);
	meter_stop(&m, c, OP_FOLD);

	meter_start(&m);
	raw_fold_bytid_phase(pid, SIGSTOP, n);
	raw_fold_bytid_phase(pid, SIGCONT, n);
	meter_stop(&m, c, OP_FOLD_BYTID);

	meter_start(&m);
	raw_hold(n);
	meter_stop(&m, c, OP_FREEZE);

	meter_start(&m);
	for (i = 0; i < n; i++)
		raw_ptrace(PTRACE_CONT, raw_tids[i], 0);
	meter_stop(&m, c, OP_THAW);

	meter_start(&m);
	raw_hold(n);
	for (i = 0; i < n; i++)
		raw_ptrace(PTRACE_DETACH, raw_tids[i], 0);
	meter_stop(&m, c, OP_DETACH);
}

/* ---- trees under follow ---- */

struct tree_arg {
	int total;
	int go_fd, done_fd;
};

/* Node idx of a binary heap: forks nodes 2 idx and 2 idx + 1, says done,
 * and waits to be killed. */
static void tree_node(const struct tree_arg *a, int idx)
{
	int c;

again:
	for (c = 2 * idx; c <= 2 * idx + 1 && c <= a->total; c++) {
		pid_t parent = getpid();
		pid_t pid = fork();

		if (pid < 0) {
			if (write(a->done_fd, "x", 1) != 1)
				_exit(3);
			break;
		}
		if (pid == 0) {
			bench_die_with(parent);
			idx = c;	/* the child is node c: fork its own */
			goto again;
		}
	}
	if (write(a->done_fd, "d", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

static void tree_root(void *arg)
{
	const struct tree_arg *a = arg;
	char c;

	if (read(a->go_fd, &c, 1) != 1)
		_exit(3);
	tree_node(a, 1);
}

/* Create a tree of `total` processes under follow, run the sequence on it,
 * then kill and reap it all (we are the subreaper of its orphans). */
static void tree_ops(struct seize_tracer *t, int total, struct cost *c)
{
	struct tree_arg a = { .total = total };
	int go[2], done[2], ndone = 0, i, ret;
	pid_t root, pids[MAX_TREE];
	struct meter m = { .pids = pids, .npids = 1 };
	char buf[64];

	bench_pipe(go, 0);
	bench_pipe(done, O_NONBLOCK);
	a.go_fd = go[0];
	a.done_fd = done[1];
	root = bench_fork(tree_root, &a);
	pids[0] = root;
	close(go[0]);
	close(done[1]);
	reset_seen();

	/* Creation: attach to the root, let it fork, follow every child. */
	meter_start(&m);
	ret = seize_tracer_attach(t, root);
	bench_skip_if_refused(ret, root);
	if (ret < 0)
		bench_fail("seize_tracer_attach(%d): %s", (int)root, strerror(-ret));
	if (write(go[1], "g", 1) != 1)
		bench_fail("write: %s", strerror(errno));
	close(go[1]);
	while (ndone < total) {
		ssize_t n;

		if (seen.nchildren < total - 1) {
			dispatch(t);
		} else {
			struct pollfd pfd = { .fd = done[0], .events = POLLIN };

			poll(&pfd, 1, 1);
			seize_tracer_dispatch(t, 0);
		}
		while ((n = read(done[0], buf, sizeof(buf))) > 0) {
			if (memchr(buf, 'x', (size_t)n))
				bench_fail("fork failed in the tree");
			ndone += (int)n;
		}
	}
	if (seen.nchildren != total - 1)
		bench_fail("tree of %d: %d NEW_CHILD events", total, seen.nchildren);
	/* The new processes' CPU time is all their creation's. */
	memcpy(pids + 1, seen.children, (size_t)(total - 1) * sizeof(pid_t));
	m.npids = total;
	meter_stop(&m, c, OP_ATTACH);
	close(done[0]);
	reset_seen();

	meter_start(&m);
	lib_fold_phase(t, pids, total, SIGSTOP, 2 * total, SEIZE_TRACER_GROUP_STOP);
	lib_fold_phase(t, pids, total, SIGCONT, 2 * total, SEIZE_TRACER_CONTINUED);
	meter_stop(&m, c, OP_FOLD);
	check(seen.n[SEIZE_TRACER_GROUP_STOP] == (unsigned int)total &&
	      seen.n[SEIZE_TRACER_CONTINUED] == (unsigned int)total,
	      "each process's SIGSTOP/SIGCONT must fold into one GROUP_STOP and CONTINUED", root);

	meter_start(&m);
	for (i = 0; i < total; i++)
		if (seize_tracer_freeze(t, pids[i]) < 0)
			bench_fail("seize_tracer_freeze(%d)", (int)pids[i]);
	meter_stop(&m, c, OP_FREEZE);

	meter_start(&m);
	for (i = 0; i < total; i++)
		if (seize_tracer_thaw(t, pids[i]) < 0)
			bench_fail("seize_tracer_thaw(%d)", (int)pids[i]);
	meter_stop(&m, c, OP_THAW);

	meter_start(&m);
	for (i = total - 1; i >= 0; i--)	/* leaves first */
		if (seize_tracer_detach(t, pids[i]) < 0)
			bench_fail("seize_tracer_detach(%d)", (int)pids[i]);
	meter_stop(&m, c, OP_DETACH);
	check(seen.n[SEIZE_TRACER_FROZEN] == (unsigned int)total &&
	      seen.n[SEIZE_TRACER_DETACHED] == (unsigned int)total &&
	      seen.n[SEIZE_TRACER_EXITED] + seen.n[SEIZE_TRACER_KILLED] == 0,
	      "freeze and detach each process of the tree", root);

	/* Every one of them is ours (our child's descendants): kill, then reap
	 * parents before children, which by then are orphans of ours. */
	for (i = 0; i < total; i++)
		bench_kill(pids[i], SIGKILL);
	for (i = 0; i < total; i++) {
		int tries;

		for (tries = 0; waitpid(pids[i], NULL, __WALL) < 0 && tries < 1000; tries++) {
			if (errno != EINTR && errno != ECHILD)
				bench_fail("waitpid(%d): %s", (int)pids[i], strerror(errno));
			if (errno == ECHILD)
				usleep(1000);	/* not reparented to us yet */
		}
	}
}

/* ---- the report ---- */

enum metric { CPU, WALL };
/* Microseconds per thread (per process for trees): [metric][lib, raw][size][op][round]. */
static double per_unit[2][2][NSIZES + NTREES][OP_ALL][SROUNDS];

static struct bench_stats cell(enum metric m, int raw, int s, int op)
{
	return bench_stats(per_unit[m][raw][s][op], SROUNDS);
}

/* Per-unit cost at size `big` over that at `base`, within each round. */
static struct bench_stats growth(enum metric m, int raw, int big, int base, int op)
{
	double ratio[SROUNDS];
	int r;

	for (r = 0; r < SROUNDS; r++)
		ratio[r] = per_unit[m][raw][big][op][r] / per_unit[m][raw][base][op][r];
	return bench_stats(ratio, SROUNDS);
}

static void report(void)
{
	struct bench_stats lc, rc, lw, rw;
	char name[64];
	int op, s, r;

	printf("\nscale: microseconds per thread, median (min, max) over %d rounds; CPU = tracer + "
	       "tracee CPU time,\nwall = elapsed, raw = the hand-written loop on the same process\n",
	       SROUNDS);
	printf("  %-6s %7s  %-27s %-27s %7s %9s %9s\n", "op", "threads", "library CPU", "raw CPU",
	       "lib/raw", "lib wall", "raw wall");
	for (op = 0; op < OP_N; op++) {
		for (s = 0; s < NSIZES; s++) {
			double lr[SROUNDS];

			for (r = 0; r < SROUNDS; r++)
				lr[r] = per_unit[CPU][0][s][op][r] / per_unit[CPU][1][s][op][r];
			lc = cell(CPU, 0, s, op);
			rc = cell(CPU, 1, s, op);
			printf("  %-6s %7d  %7.2f (%7.2f, %7.2f)  %7.2f (%7.2f, %7.2f)  %6.2fx %9.2f %9.2f\n",
			       op_names[op], sizes[s], lc.median, lc.min, lc.max, rc.median, rc.min,
			       rc.max, bench_stats(lr, SROUNDS).median, cell(WALL, 0, s, op).median,
			       cell(WALL, 1, s, op).median);
		}
	}
	for (s = 0; s < NSIZES; s++) {
		rc = cell(CPU, 1, s, OP_FOLD_BYTID);
		printf("  %-6s %7d  %-27s %7.2f (%7.2f, %7.2f)  %7s %9s %9.2f\n", "fold*", sizes[s],
		       "-", rc.median, rc.min, rc.max, "", "-", cell(WALL, 1, s, OP_FOLD_BYTID).median);
	}
	printf("  fold* = the raw loop gathering the other threads' traps by tid once the first "
	       "is in\n");
	printf("  per-thread cost at %d over that at %d threads, median (min, max):\n",
	       sizes[NSIZES - 1], sizes[BASE]);
	printf("  %-6s  %-26s %-26s %-26s %s\n", "op", "library CPU", "raw CPU", "library wall",
	       "raw wall");
	for (op = 0; op < OP_N; op++) {
		lc = growth(CPU, 0, NSIZES - 1, BASE, op);
		rc = growth(CPU, 1, NSIZES - 1, BASE, op);
		lw = growth(WALL, 0, NSIZES - 1, BASE, op);
		rw = growth(WALL, 1, NSIZES - 1, BASE, op);
		printf("  %-6s  %5.2fx (%5.2fx, %5.2fx)    %5.2fx (%5.2fx, %5.2fx)    "
		       "%5.2fx (%5.2fx, %5.2fx)    %5.2fx (%5.2fx, %5.2fx)\n", op_names[op],
		       lc.median, lc.min, lc.max, rc.median, rc.min, rc.max,
		       lw.median, lw.min, lw.max, rw.median, rw.min, rw.max);
		snprintf(name, sizeof(name), "scale-%s-%d-vs-%d", op_names[op], sizes[NSIZES - 1],
			 sizes[BASE]);
		bench_target_line(lc.median <= 1.5, "%s median=%.2fx (min %.2fx, max %.2fx) target "
				  "<= 1.5x [library, CPU time per thread; wall: median %.2fx; the raw "
				  "loop: CPU %.2fx, wall %.2fx]", name, lc.median, lc.min, lc.max,
				  lw.median, rc.median, rw.median);
	}
	rc = growth(CPU, 1, NSIZES - 1, BASE, OP_FOLD_BYTID);
	rw = growth(WALL, 1, NSIZES - 1, BASE, OP_FOLD_BYTID);
	printf("  %-6s  %-26s %5.2fx (%5.2fx, %5.2fx)    %-26s %5.2fx (%5.2fx, %5.2fx)\n", "fold*",
	       "-", rc.median, rc.min, rc.max, "-", rw.median, rw.min, rw.max);

	printf("\ntrees under SEIZE_TRACER_FOLLOW_CHILDREN: microseconds per process, median "
	       "(min, max);\nattach = the creation of the tree under follow (fork events, first stops)\n");
	printf("  %-6s", "op");
	for (s = 0; s < NTREES; s++)
		printf("  %3d processes, CPU         wall    ", trees[s]);
	printf("  %d/%d CPU\n", trees[NTREES - 1], trees[0]);
	for (op = 0; op < OP_N; op++) {
		printf("  %-6s", op_names[op]);
		for (s = 0; s < NTREES; s++) {
			lc = cell(CPU, 0, NSIZES + s, op);
			printf("  %7.2f (%7.2f, %7.2f) %8.2f", lc.median, lc.min, lc.max,
			       cell(WALL, 0, NSIZES + s, op).median);
		}
		lc = growth(CPU, 0, NSIZES + NTREES - 1, NSIZES, op);
		printf("  %5.2fx (%.2fx, %.2fx)\n", lc.median, lc.min, lc.max);
	}
}

static void record(int raw, int s, int units, const struct cost *c, int r)
{
	int op;

	for (op = 0; op < OP_ALL; op++) {
		per_unit[CPU][raw][s][op][r] = us(c->cpu[op]) / units;
		per_unit[WALL][raw][s][op][r] = us(c->wall[op]) / units;
	}
}

int main(void)
{
	struct seize_tracer *t, *tf;
	pid_t procs[NSIZES];
	struct cost c;
	int cpus[2], ncpus = bench_cpus(cpus, 2);
	int s, r, k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_watchdog(280, "bench-scale");
	/* Orphans of the trees come to us, to be reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		bench_fail("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));

	printf("bench-scale: the tracer layer's loop, and its cost as threads and processes grow\n");
	bench_dispatch(cpus[ncpus - 1]);

	for (s = 0; s < NSIZES; s++)
		procs[s] = start_threaded(sizes[s]);
	t = new_tracer(0);
	tf = new_tracer(SEIZE_TRACER_FOLLOW_CHILDREN);
	for (r = 0; r < SROUNDS; r++) {
		for (s = 0; s < NSIZES; s++) {
			for (k = 0; k < 2; k++) {
				int raw = (k == 0) == (r % 2 == 1);

				if (raw)
					raw_ops(procs[s], sizes[s], &c);
				else
					lib_ops(t, procs[s], sizes[s], &c);
				record(raw, s, sizes[s], &c, r);
			}
		}
		for (s = 0; s < NTREES; s++) {
			tree_ops(tf, trees[s], &c);
			record(0, NSIZES + s, trees[s], &c, r);
		}
	}
	seize_tracer_destroy(t);
	seize_tracer_destroy(tf);
	for (s = 0; s < NSIZES; s++)
		bench_reap(procs[s]);

	report();
	bench_summary();
	return 0;
}
