/* SPDX-License-Identifier: MIT */
/* What the stress cases share (stress-common.c).  Every random choice
 * comes from a fixed-seed PRNG; every failure message starts with
 * "[seed S round R step P]" and SEIZE_STRESS_SEED=S replays the case. */
#ifndef SEIZE_STRESS_COMMON_H
#define SEIZE_STRESS_COMMON_H

#include <stdint.h>
#include <sys/types.h>

/* The bound of every wait, scaled like check's own timeout. */
#define BOUND_MS tst_bound_ms()

/* ck_assert_msg with the "[seed S round R step P] " prefix (tst_context). */
#define CHECK(cond, fmt, ...) TST_CHECK(cond, fmt, ##__VA_ARGS__)
#define CHECK_INT(expr, want)								\
	do {										\
		long got_ = (long)(expr), want_ = (long)(want);				\
		CHECK(got_ == want_, "%s gave %ld, wanted %ld", #expr, got_, want_);	\
	} while (0)

/* ---- seeds, rounds and steps --------------------------------------------- */

extern uint64_t case_seed;

/* Start a case: its seed (SEIZE_STRESS_SEED overrides), round 0, and the
 * watchdog the first time.  The watchdog ends a case just before check's
 * timeout: CK_DEFAULT_TIMEOUT, or the seconds of an ADD_LONG_CASE. */
void begin_case(uint64_t seed);
void begin_long_case(uint64_t seed, double seconds);
void next_round(int round);
/* Name the step the case is at; progress, for the watchdog. */
void step(const char *name);
/* A random number below n (0 if n is 0). */
uint32_t rnd(uint32_t n);
long now_us(void);
/* A random moment, to the microsecond: a busy wait, since the kernel's
 * timer slack would round short sleeps to the same few values. */
void spin_us(unsigned int us);

/* Start a detached thread with every signal blocked (SIGALRM must reach the
 * main thread), and wait until it calls thread_is_up(): a thread that starts
 * while the main thread forks can leave the sanitizers' allocator locked in
 * the child. */
void start_thread(void *(*fn)(void *), void *arg);
void thread_is_up(void);


/* For messages: every thread's pending and blocked signals; where a helper
 * process is (state, wait channel, system call). */
const char *signals_text(pid_t pid);
const char *where_text(pid_t pid);

/* One byte, bounded (CHECK). */
char read_byte(int fd);

/* ---- victims: the processes traced, stopped, killed ------------------------ */

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

/* Fork a victim and wait until it is set up.  *go (if go is not NULL) gets
 * the write end that starts its fate. */
pid_t start_victim(struct victim *v, int *go);
/* The same, as an argument of mother_start(m, victim_of, &v). */
pid_t victim_of(void *v);

/* seize_wait() for tid, bounded, with the waitid twin check of
 * tst_wait_event() -- except for one race of the kernel's: a stop peeked
 * with WNOWAIT is gone when SIGKILL wakes the stopped thread, and the wait
 * that follows reports the death instead.  Only that change is allowed, and
 * counted in stop_replaced_by_death. */
struct seize_event;
int wait_event(pid_t tid, struct seize_event *ev);
extern int stop_replaced_by_death;

/* pid must be an untouched, running child: never attached, stopped or
 * waited for by the tracer. */
void expect_untouched(pid_t pid);

/* Reap a child of ours that should be dead or dying; returns its status. */
int reap(pid_t pid);
/* After the tracer reported pid's death: a zombie leader that is not the
 * tracer's to reap, but ours; its status, or -1 if the tracer reaped it. */
int reap_untraced_leader(pid_t pid);

#endif
