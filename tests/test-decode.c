/* SPDX-License-Identifier: MIT */
/* The 'pure' suite: seize_decode() and seize_decode_waitid() tested by table
 * (libseccomp's .tests style), the event names, and a sweep of every status
 * word below 2^24 plus pseudo-random 32-bit words: the fuzz that always runs.
 * Nothing here traces; it never skips.
 *
 * The statuses are built from ptrace(2)'s description (event << 16 | sig << 8
 * | 0x7f, code << 8, sig | core), and checked against glibc's W* macros, so
 * the table is not just the decoder's own idea of a status word. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "test-common.h"

/* The kernel's highest signal number (x86, arm, riscv...; glibc's SIGRTMAX is
 * a function, so not usable in a table). */
#define KERNEL_SIGMAX 64

/* Status words as the kernel builds them (ptrace(2), wait(2)). */
#define STOP_STATUS(event, sig)	((event) << 16 | (sig) << 8 | 0x7f)
#define EXIT_STATUS(code)	((code) << 8)
#define KILL_STATUS(sig, core)	((sig) | ((core) ? 0x80 : 0))
#define CONTINUED_STATUS	0xffff

#define TID 4242

/* ------------------------------------------------------------------------ */
/* The table. */

struct expect {
	enum seize_event_type type;
	int sig;
	bool group_stop;
	int exit_code;
	bool core_dumped;
	bool has_siginfo;
};

struct row {
	const char *name;
	int status;
	bool with_si;		/* pass stop_si (else NULL) */
	struct expect ev;
	int ret;
};

#define E(type)		SEIZE_EVENT_##type
#define NO_EVENT	{ E(NONE), 0, false, 0, false, false }
#define BAD(name, status)	{ name, status, false, NO_EVENT, -EINVAL }
#define BAD_SI(name, status)	{ name, status, true, NO_EVENT, -EINVAL }

static const struct row rows[] = {
	/* name				status					si	{ type		sig	   group  code core   has_si } ret */
	{ "exited 0",			EXIT_STATUS(0),				false,	{ E(EXITED),	0,	   false, 0,   false, false }, 0 },
	{ "exited 1",			EXIT_STATUS(1),				false,	{ E(EXITED),	0,	   false, 1,   false, false }, 0 },
	{ "exited 255",			EXIT_STATUS(255),			false,	{ E(EXITED),	0,	   false, 255, false, false }, 0 },
	{ "exited 1, siginfo ignored",	EXIT_STATUS(1),				true,	{ E(EXITED),	0,	   false, 1,   false, false }, 0 },
	{ "killed SIGKILL",		KILL_STATUS(SIGKILL, false),		false,	{ E(KILLED),	SIGKILL,   false, 0,   false, false }, 0 },
	{ "killed SIGSEGV, core",	KILL_STATUS(SIGSEGV, true),		false,	{ E(KILLED),	SIGSEGV,   false, 0,   true,  false }, 0 },
	{ "killed 64 (SIGRTMAX)",	KILL_STATUS(KERNEL_SIGMAX, false),	false,	{ E(KILLED),	64,	   false, 0,   false, false }, 0 },
	{ "killed SIGTERM, si ignored",	KILL_STATUS(SIGTERM, false),		true,	{ E(KILLED),	SIGTERM,   false, 0,   false, false }, 0 },
	{ "group-stop SIGSTOP",		STOP_STATUS(PTRACE_EVENT_STOP, SIGSTOP),	true,	{ E(STOP),	SIGSTOP,   true,  0,   false, true  }, 0 },
	{ "group-stop SIGTSTP",		STOP_STATUS(PTRACE_EVENT_STOP, SIGTSTP),	true,	{ E(STOP),	SIGTSTP,   true,  0,   false, true  }, 0 },
	{ "group-stop SIGTTIN",		STOP_STATUS(PTRACE_EVENT_STOP, SIGTTIN),	false,	{ E(STOP),	SIGTTIN,   true,  0,   false, false }, 0 },
	{ "group-stop SIGTTOU",		STOP_STATUS(PTRACE_EVENT_STOP, SIGTTOU),	false,	{ E(STOP),	SIGTTOU,   true,  0,   false, false }, 0 },
	{ "trap (EVENT_STOP|SIGTRAP)",	STOP_STATUS(PTRACE_EVENT_STOP, SIGTRAP),	true,	{ E(STOP),	SIGTRAP,   false, 0,   false, true  }, 0 },
	{ "trap, no siginfo",		STOP_STATUS(PTRACE_EVENT_STOP, SIGTRAP),	false,	{ E(STOP),	SIGTRAP,   false, 0,   false, false }, 0 },
	{ "signal SIGUSR1",		STOP_STATUS(0, SIGUSR1),		true,	{ E(SIGNAL),	SIGUSR1,   false, 0,   false, true  }, 0 },
	{ "signal SIGSTOP (not group)",	STOP_STATUS(0, SIGSTOP),		true,	{ E(SIGNAL),	SIGSTOP,   false, 0,   false, true  }, 0 },
	{ "signal SIGTRAP",		STOP_STATUS(0, SIGTRAP),		true,	{ E(SIGNAL),	SIGTRAP,   false, 0,   false, true  }, 0 },
	{ "signal SIGCONT",		STOP_STATUS(0, SIGCONT),		false,	{ E(SIGNAL),	SIGCONT,   false, 0,   false, false }, 0 },
	{ "signal 32",			STOP_STATUS(0, 32),			false,	{ E(SIGNAL),	32,	   false, 0,   false, false }, 0 },
	{ "signal 33",			STOP_STATUS(0, 33),			true,	{ E(SIGNAL),	33,	   false, 0,   false, true  }, 0 },
	{ "signal 64",			STOP_STATUS(0, KERNEL_SIGMAX),		true,	{ E(SIGNAL),	64,	   false, 0,   false, true  }, 0 },
	{ "signal 1 (SIGHUP)",		STOP_STATUS(0, 1),			false,	{ E(SIGNAL),	SIGHUP,    false, 0,   false, false }, 0 },
	{ "syscall (SIGTRAP|0x80)",	STOP_STATUS(0, SIGTRAP | 0x80),		false,	{ E(SYSCALL),	0,	   false, 0,   false, false }, 0 },
	{ "syscall, siginfo",		STOP_STATUS(0, SIGTRAP | 0x80),		true,	{ E(SYSCALL),	0,	   false, 0,   false, true  }, 0 },
	{ "event fork",			STOP_STATUS(PTRACE_EVENT_FORK, SIGTRAP),	false,	{ E(FORK),	0,	   false, 0,   false, false }, 0 },
	{ "event vfork",		STOP_STATUS(PTRACE_EVENT_VFORK, SIGTRAP),	false,	{ E(VFORK),	0,	   false, 0,   false, false }, 0 },
	{ "event clone",		STOP_STATUS(PTRACE_EVENT_CLONE, SIGTRAP),	true,	{ E(CLONE),	0,	   false, 0,   false, true  }, 0 },
	{ "event exec",			STOP_STATUS(PTRACE_EVENT_EXEC, SIGTRAP),	false,	{ E(EXEC),	0,	   false, 0,   false, false }, 0 },
	{ "event vfork-done",		STOP_STATUS(PTRACE_EVENT_VFORK_DONE, SIGTRAP), false,	{ E(VFORK_DONE), 0,	   false, 0,   false, false }, 0 },
	{ "event exit",			STOP_STATUS(PTRACE_EVENT_EXIT, SIGTRAP),	true,	{ E(EXIT),	0,	   false, 0,   false, true  }, 0 },
	{ "event seccomp",		STOP_STATUS(PTRACE_EVENT_SECCOMP, SIGTRAP),	false,	{ E(SECCOMP),	0,	   false, 0,   false, false }, 0 },
	{ "continued (0xffff)",		CONTINUED_STATUS,			false,	{ E(CONTINUED),	SIGCONT,   false, 0,   false, false }, 0 },
	{ "continued, si ignored",	CONTINUED_STATUS,			true,	{ E(CONTINUED),	SIGCONT,   false, 0,   false, false }, 0 },

	/* Statuses no kernel produces: -EINVAL, ev zeroed. */
	BAD("stopped, signal 0",		STOP_STATUS(0, 0)),
	BAD("stopped, signal 65",		0x41 << 8 | 0x7f),
	BAD("stopped, signal 100",		STOP_STATUS(0, 100)),
	BAD("stopped, signal 127",		STOP_STATUS(0, 127)),
	BAD("stopped, signal 0x80",		STOP_STATUS(0, 0x80)),
	BAD("stopped, SIGUSR1|0x80",		STOP_STATUS(0, SIGUSR1 | 0x80)),
	BAD("stopped, SIGSTOP|0x80",		STOP_STATUS(0, SIGSTOP | 0x80)),
	BAD("stopped, signal 0xff",		STOP_STATUS(0, 0xff)),
	BAD_SI("stopped, signal 0, si",		STOP_STATUS(0, 0)),
	BAD("event fork, SIGUSR1",		STOP_STATUS(PTRACE_EVENT_FORK, SIGUSR1)),
	BAD("event exec, SIGSTOP",		STOP_STATUS(PTRACE_EVENT_EXEC, SIGSTOP)),
	BAD("event exit, signal 0",		STOP_STATUS(PTRACE_EVENT_EXIT, 0)),
	BAD("event seccomp, SIGSYS",		STOP_STATUS(PTRACE_EVENT_SECCOMP, SIGSYS)),
	BAD("EVENT_STOP, SIGUSR1",		STOP_STATUS(PTRACE_EVENT_STOP, SIGUSR1)),
	BAD("EVENT_STOP, SIGCONT",		STOP_STATUS(PTRACE_EVENT_STOP, SIGCONT)),
	BAD("EVENT_STOP, signal 0",		STOP_STATUS(PTRACE_EVENT_STOP, 0)),
	BAD_SI("EVENT_STOP, SIGUSR1, si",	STOP_STATUS(PTRACE_EVENT_STOP, SIGUSR1)),
	BAD("unknown event 8",			STOP_STATUS(8, SIGTRAP)),
	BAD("unknown event 9",			STOP_STATUS(9, SIGTRAP)),
	BAD("unknown event 127",		STOP_STATUS(127, SIGTRAP)),
	BAD("unknown event 129",		STOP_STATUS(129, SIGTRAP)),
	BAD("unknown event 255",		STOP_STATUS(255, SIGTRAP)),
	BAD("unknown event 129, SIGSTOP",	STOP_STATUS(129, SIGSTOP)),
	BAD("bit 24, signal stop",		1 << 24 | STOP_STATUS(0, SIGUSR1)),
	BAD("bit 24, group-stop",		1 << 24 | STOP_STATUS(PTRACE_EVENT_STOP, SIGSTOP)),
	BAD("bit 31, syscall stop",		INT_MIN | STOP_STATUS(0, SIGTRAP | 0x80)),
	BAD("bits 24-31, event exec",		(int)0xff000000u | STOP_STATUS(PTRACE_EVENT_EXEC, SIGTRAP)),
	BAD("exited, stray bit 16",		0x10000),
	BAD("exited 1, stray bit 16",		EXIT_STATUS(1) | 0x10000),
	BAD("exited, core flag",		0x80),
	BAD("exited 3, core flag",		EXIT_STATUS(3) | 0x80),
	BAD("exited, bit 24",			1 << 24),
	BAD("exited, bit 31",			INT_MIN),
	BAD("killed 65",			KILL_STATUS(65, false)),
	BAD("killed 100",			KILL_STATUS(100, false)),
	BAD("killed 126",			KILL_STATUS(126, false)),
	BAD("killed 65, core",			KILL_STATUS(65, true)),
	BAD("killed 127, core (0xff)",		KILL_STATUS(127, true)),
	BAD("killed SIGKILL, stray bit 8",	KILL_STATUS(SIGKILL, false) | 0x100),
	BAD("killed SIGSEGV, stray bit 16",	KILL_STATUS(SIGSEGV, true) | 0x10000),
	BAD("continued, stray bit 16",		CONTINUED_STATUS | 0x10000),
	BAD("-1",				-1),
	BAD("fork, SIGTRAP|0x80",		STOP_STATUS(PTRACE_EVENT_FORK, SIGTRAP | 0x80)),
	BAD("exec, SIGTRAP|0x80",		STOP_STATUS(PTRACE_EVENT_EXEC, SIGTRAP | 0x80)),
	BAD("EVENT_STOP, SIGTRAP|0x80",		STOP_STATUS(PTRACE_EVENT_STOP, SIGTRAP | 0x80)),
	BAD("event 8, SIGTRAP|0x80",		STOP_STATUS(8, SIGTRAP | 0x80)),
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static const struct seize_event zero_event;

/* The stop's siginfo a caller passes: every byte set, so a partial copy or a
 * copy into the wrong place shows. */
static siginfo_t stop_si;

static void init_stop_si(void)
{
	memset(&stop_si, 0x5a, sizeof(stop_si));
	stop_si.si_signo = SIGUSR1;
	stop_si.si_errno = 0;
	stop_si.si_code = SI_USER;
	stop_si.si_pid = 777;
	stop_si.si_uid = 1000;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The ptrace event of a ptrace-event stop type, 0 for any other type. */
static int ptrace_event_of(enum seize_event_type type)
{
	switch (type) {
	case SEIZE_EVENT_FORK:		return PTRACE_EVENT_FORK;
	case SEIZE_EVENT_VFORK:		return PTRACE_EVENT_VFORK;
	case SEIZE_EVENT_CLONE:		return PTRACE_EVENT_CLONE;
	case SEIZE_EVENT_EXEC:		return PTRACE_EVENT_EXEC;
	case SEIZE_EVENT_VFORK_DONE:	return PTRACE_EVENT_VFORK_DONE;
	case SEIZE_EVENT_EXIT:		return PTRACE_EVENT_EXIT;
	case SEIZE_EVENT_SECCOMP:	return PTRACE_EVENT_SECCOMP;
	case SEIZE_EVENT_STOP:		return PTRACE_EVENT_STOP;
	default:			return 0;
	}
}

/* A ptrace stop (the siginfo belongs to it), as opposed to a death or a
 * continue report. */
static bool is_stop_type(enum seize_event_type type)
{
	return type >= SEIZE_EVENT_SIGNAL && type <= SEIZE_EVENT_SECCOMP;
}

static bool reserved_zero(const struct seize_event *ev)
{
	for (size_t i = 0; i < sizeof(ev->reserved) / sizeof(ev->reserved[0]); i++)
		if (ev->reserved[i])
			return false;
	return true;
}

static bool siginfo_zero(const siginfo_t *si)
{
	static const siginfo_t zero;

	return memcmp(si, &zero, sizeof(zero)) == 0;
}

/* Check one decoded event against the expected fields. */
static void check_event(const char *name, int ret, const struct seize_event *ev,
			const struct expect *x, int xret, pid_t tid, int status,
			const siginfo_t *si)
{
	ck_assert_msg(ret == xret, "%s: returned %d, expected %d", name, ret, xret);
	if (xret < 0) {
		ck_assert_msg(memcmp(ev, &zero_event, sizeof(*ev)) == 0,
			      "%s: event not zeroed on error", name);
		return;
	}
	ck_assert_msg(ev->type == x->type, "%s: type %d (%s), expected %d (%s)", name,
		      ev->type, seize_event_type_name(ev->type), x->type,
		      seize_event_type_name(x->type));
	ck_assert_msg(ev->tid == tid, "%s: tid %d, expected %d", name, (int)ev->tid, (int)tid);
	ck_assert_msg(ev->sig == x->sig, "%s: sig %d, expected %d", name, ev->sig, x->sig);
	ck_assert_msg(ev->group_stop == x->group_stop, "%s: group_stop %d, expected %d",
		      name, ev->group_stop, x->group_stop);
	ck_assert_msg(ev->exit_code == x->exit_code, "%s: exit_code %d, expected %d",
		      name, ev->exit_code, x->exit_code);
	ck_assert_msg(ev->core_dumped == x->core_dumped, "%s: core_dumped %d, expected %d",
		      name, ev->core_dumped, x->core_dumped);
	ck_assert_msg(ev->msg == 0, "%s: msg %lu, expected 0", name, ev->msg);
	ck_assert_msg(ev->status == status, "%s: status 0x%x, expected 0x%x", name,
		      (unsigned int)ev->status, (unsigned int)status);
	ck_assert_msg(reserved_zero(ev), "%s: reserved[] not zero", name);
	ck_assert_msg(ev->has_siginfo == x->has_siginfo, "%s: has_siginfo %d, expected %d",
		      name, ev->has_siginfo, x->has_siginfo);
	if (x->has_siginfo)
		ck_assert_msg(si && memcmp(&ev->siginfo, si, sizeof(*si)) == 0,
			      "%s: siginfo not copied byte for byte", name);
	else
		ck_assert_msg(siginfo_zero(&ev->siginfo), "%s: siginfo not zero", name);
}

static int decode_poisoned(pid_t tid, int status, const siginfo_t *si, struct seize_event *ev)
{
	memset(ev, 0xa5, sizeof(*ev));	/* so "filled in whole" is tested */
	return seize_decode(tid, status, si, ev);
}

START_TEST(decode_table)
{
	struct seize_event ev;

	init_stop_si();
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &rows[i];
		const siginfo_t *si = r->with_si ? &stop_si : NULL;
		int ret = decode_poisoned(TID, r->status, si, &ev);

		check_event(r->name, ret, &ev, &r->ev, r->ret, TID, r->status, si);
	}
}
END_TEST

/* Every row again with the siginfo argument flipped: copied for stops,
 * ignored for deaths and continues; an invalid status stays zeroed. */
START_TEST(decode_table_siginfo_flipped)
{
	struct seize_event ev;

	init_stop_si();
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &rows[i];
		const siginfo_t *si = r->with_si ? NULL : &stop_si;
		struct expect x = r->ev;
		int ret = decode_poisoned(TID, r->status, si, &ev);

		x.has_siginfo = si && r->ret == 0 && is_stop_type(r->ev.type);
		check_event(r->name, ret, &ev, &x, r->ret, TID, r->status, si);
	}
}
END_TEST

/* The tid is copied as given, whatever it is: the decoder does not judge it. */
START_TEST(decode_tid_copied)
{
	static const pid_t tids[] = { 1, 2, TID, 65535, 4194304, INT_MAX };
	struct seize_event ev;

	for (size_t i = 0; i < sizeof(tids) / sizeof(tids[0]); i++) {
		for (size_t j = 0; j < N_ROWS; j++) {
			if (rows[j].ret != 0)
				continue;
			ck_assert_int_eq(decode_poisoned(tids[i], rows[j].status, NULL, &ev), 0);
			ck_assert_msg(ev.tid == tids[i], "%s: tid %d, expected %d", rows[j].name,
				      (int)ev.tid, (int)tids[i]);
		}
	}
}
END_TEST

START_TEST(decode_null_event)
{
	init_stop_si();
	for (size_t i = 0; i < N_ROWS; i++) {
		ck_assert_int_eq(seize_decode(TID, rows[i].status, NULL, NULL), -EINVAL);
		ck_assert_int_eq(seize_decode(TID, rows[i].status, &stop_si, NULL), -EINVAL);
	}
}
END_TEST

/* The table's valid rows, checked against glibc's W* macros and against the
 * literal values of ptrace(2) and wait(2). */
START_TEST(decode_table_matches_glibc)
{
	/* The helpers against the man page's numbers. */
	ck_assert_int_eq(PTRACE_EVENT_FORK, 1);
	ck_assert_int_eq(PTRACE_EVENT_SECCOMP, 7);
	ck_assert_int_eq(PTRACE_EVENT_STOP, 128);
	ck_assert_int_eq(STOP_STATUS(PTRACE_EVENT_STOP, SIGSTOP), 0x80137f);
	ck_assert_int_eq(STOP_STATUS(PTRACE_EVENT_STOP, SIGTRAP), 0x80057f);
	ck_assert_int_eq(STOP_STATUS(PTRACE_EVENT_EXEC, SIGTRAP), 0x4057f);
	ck_assert_int_eq(STOP_STATUS(0, SIGTRAP | 0x80), 0x857f);
	ck_assert_int_eq(STOP_STATUS(0, SIGSTOP), 0x137f);
	ck_assert_int_eq(KILL_STATUS(SIGSEGV, true), 0x8b);
	ck_assert_int_eq(EXIT_STATUS(255), 0xff00);
	ck_assert_int_eq(SIGRTMAX, KERNEL_SIGMAX);

	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &rows[i];
		const struct expect *x = &r->ev;
		int s = r->status;
		int event = (s >> 16) & 0xff;

		if (r->ret != 0)
			continue;
		switch (x->type) {
		case SEIZE_EVENT_EXITED:
			ck_assert_msg(WIFEXITED(s) && !WIFSIGNALED(s) && !WIFSTOPPED(s) &&
				      !WIFCONTINUED(s), "%s: not WIFEXITED alone", r->name);
			ck_assert_msg(WEXITSTATUS(s) == x->exit_code, "%s", r->name);
			ck_assert_msg(s == W_EXITCODE(x->exit_code, 0), "%s", r->name);
			break;
		case SEIZE_EVENT_KILLED:
			ck_assert_msg(WIFSIGNALED(s) && !WIFEXITED(s) && !WIFSTOPPED(s) &&
				      !WIFCONTINUED(s), "%s: not WIFSIGNALED alone", r->name);
			ck_assert_msg(WTERMSIG(s) == x->sig, "%s", r->name);
			ck_assert_msg(!!WCOREDUMP(s) == x->core_dumped, "%s", r->name);
			ck_assert_msg(s == (W_EXITCODE(0, x->sig) | (x->core_dumped ? WCOREFLAG : 0)),
				      "%s", r->name);
			break;
		case SEIZE_EVENT_CONTINUED:
			ck_assert_msg(WIFCONTINUED(s) && !WIFEXITED(s) && !WIFSIGNALED(s) &&
				      !WIFSTOPPED(s), "%s: not WIFCONTINUED alone", r->name);
			ck_assert_int_eq(x->sig, SIGCONT);
			break;
		case SEIZE_EVENT_SIGNAL:
			ck_assert_msg(WIFSTOPPED(s) && !WIFEXITED(s) && !WIFSIGNALED(s) &&
				      !WIFCONTINUED(s), "%s: not WIFSTOPPED alone", r->name);
			ck_assert_msg(WSTOPSIG(s) == x->sig && event == 0, "%s", r->name);
			ck_assert_msg(s == W_STOPCODE(x->sig), "%s", r->name);
			ck_assert_msg(!x->group_stop, "%s", r->name);
			break;
		case SEIZE_EVENT_SYSCALL:
			ck_assert_msg(WIFSTOPPED(s), "%s", r->name);
			ck_assert_msg(WSTOPSIG(s) == (SIGTRAP | 0x80) && event == 0, "%s", r->name);
			break;
		case SEIZE_EVENT_STOP:
			ck_assert_msg(WIFSTOPPED(s), "%s", r->name);
			ck_assert_msg(event == PTRACE_EVENT_STOP && WSTOPSIG(s) == x->sig, "%s", r->name);
			ck_assert_msg(x->group_stop == (WSTOPSIG(s) != SIGTRAP), "%s", r->name);
			ck_assert_msg(x->sig == SIGTRAP || is_stop_signal(x->sig), "%s", r->name);
			break;
		default:	/* the ptrace-event stops */
			ck_assert_msg(WIFSTOPPED(s), "%s", r->name);
			ck_assert_msg(WSTOPSIG(s) == SIGTRAP, "%s", r->name);
			ck_assert_msg(event == ptrace_event_of(x->type) && event != 0, "%s", r->name);
			break;
		}
	}
}
END_TEST

/* Every type of the enum has at least one valid row, and every one of the
 * seven ptrace events and four stop signals is in the table. */
START_TEST(decode_table_covers_every_type)
{
	unsigned int seen_types = 0, seen_stop_sigs = 0;

	for (size_t i = 0; i < N_ROWS; i++) {
		if (rows[i].ret != 0)
			continue;
		seen_types |= 1u << rows[i].ev.type;
		if (rows[i].ev.type == SEIZE_EVENT_STOP && rows[i].ev.group_stop)
			seen_stop_sigs |= 1u << rows[i].ev.sig;
	}
	for (int t = SEIZE_EVENT_SIGNAL; t <= SEIZE_EVENT_CONTINUED; t++)
		ck_assert_msg(seen_types & (1u << t), "no valid row of type %s",
			      seize_event_type_name((enum seize_event_type)t));
	ck_assert_uint_eq(seen_stop_sigs, 1u << SIGSTOP | 1u << SIGTSTP | 1u << SIGTTIN | 1u << SIGTTOU);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* waitid. */

static void make_wsi(siginfo_t *wsi, pid_t pid, int code, int status)
{
	memset(wsi, 0, sizeof(*wsi));
	wsi->si_signo = SIGCHLD;
	wsi->si_code = code;
	wsi->si_pid = pid;
	wsi->si_uid = 1000;
	wsi->si_status = status;
}

/* waitid's siginfo for a row, built from the expected event (not from the
 * status word), as the kernel's wait_task_*() fill it in. */
static void wsi_from_expect(siginfo_t *wsi, pid_t pid, const struct expect *x)
{
	switch (x->type) {
	case SEIZE_EVENT_EXITED:
		make_wsi(wsi, pid, CLD_EXITED, x->exit_code);
		break;
	case SEIZE_EVENT_KILLED:
		make_wsi(wsi, pid, x->core_dumped ? CLD_DUMPED : CLD_KILLED, x->sig);
		break;
	case SEIZE_EVENT_CONTINUED:
		make_wsi(wsi, pid, CLD_CONTINUED, SIGCONT);
		break;
	case SEIZE_EVENT_SIGNAL:
		make_wsi(wsi, pid, CLD_TRAPPED, x->sig);
		break;
	case SEIZE_EVENT_SYSCALL:
		make_wsi(wsi, pid, CLD_TRAPPED, SIGTRAP | 0x80);
		break;
	case SEIZE_EVENT_STOP:
		make_wsi(wsi, pid, CLD_TRAPPED, PTRACE_EVENT_STOP << 8 | x->sig);
		break;
	default:
		make_wsi(wsi, pid, CLD_TRAPPED, ptrace_event_of(x->type) << 8 | SIGTRAP);
		break;
	}
}

/* waitid's siginfo for a status word, as the kernel derives one from the
 * other (wait_task_zombie(), wait_task_stopped(), wait_task_continued()). */
static void wsi_from_status(siginfo_t *wsi, pid_t pid, int status)
{
	if (WIFEXITED(status))
		make_wsi(wsi, pid, CLD_EXITED, WEXITSTATUS(status));
	else if (WIFCONTINUED(status))
		make_wsi(wsi, pid, CLD_CONTINUED, SIGCONT);
	else if (WIFSTOPPED(status))
		make_wsi(wsi, pid, CLD_TRAPPED, (status >> 8) & 0xffff);
	else
		make_wsi(wsi, pid, WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED, WTERMSIG(status));
}

static int decode_waitid_poisoned(const siginfo_t *wsi, const siginfo_t *si,
				  struct seize_event *ev)
{
	memset(ev, 0xa5, sizeof(*ev));
	return seize_decode_waitid(wsi, si, ev);
}

START_TEST(waitid_table)
{
	struct seize_event ev, wev;
	siginfo_t wsi;

	init_stop_si();
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &rows[i];

		if (r->ret != 0)
			continue;
		wsi_from_expect(&wsi, TID, &r->ev);
		for (int with_si = 0; with_si < 2; with_si++) {
			const siginfo_t *si = with_si ? &stop_si : NULL;
			struct expect x = r->ev;

			x.has_siginfo = si && is_stop_type(x.type);
			ck_assert_int_eq(decode_poisoned(TID, r->status, si, &ev), 0);
			ck_assert_msg(decode_waitid_poisoned(&wsi, si, &wev) == 0,
				      "%s: waitid form refused", r->name);
			check_event(r->name, 0, &wev, &x, 0, TID, r->status, si);
			ck_assert_msg(memcmp(&ev, &wev, sizeof(ev)) == 0,
				      "%s (si %d): waitid event differs from seize_decode's",
				      r->name, with_si);
		}
	}
}
END_TEST

/* A real parent's view of a group-stop (waitid WSTOPPED, not traced). */
START_TEST(waitid_cld_stopped)
{
	struct seize_event ev, wev;
	siginfo_t wsi;

	init_stop_si();
	make_wsi(&wsi, TID, CLD_STOPPED, SIGSTOP);
	ck_assert_int_eq(decode_waitid_poisoned(&wsi, NULL, &wev), 0);
	ck_assert_int_eq(decode_poisoned(TID, 0x137f, NULL, &ev), 0);
	ck_assert_int_eq(wev.type, SEIZE_EVENT_SIGNAL);
	ck_assert_int_eq(wev.sig, SIGSTOP);
	ck_assert_int_eq(wev.status, 0x137f);
	ck_assert(memcmp(&ev, &wev, sizeof(ev)) == 0);

	ck_assert_int_eq(decode_waitid_poisoned(&wsi, &stop_si, &wev), 0);
	ck_assert_int_eq(decode_poisoned(TID, 0x137f, &stop_si, &ev), 0);
	ck_assert(wev.has_siginfo);
	ck_assert(memcmp(&ev, &wev, sizeof(ev)) == 0);
}
END_TEST

/* waitid with WNOHANG and nothing ready leaves si_pid 0. */
START_TEST(waitid_nothing_ready)
{
	struct seize_event ev;
	siginfo_t wsi;

	init_stop_si();
	memset(&wsi, 0, sizeof(wsi));
	ck_assert_int_eq(decode_waitid_poisoned(&wsi, NULL, &ev), 0);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_NONE);
	ck_assert(memcmp(&ev, &zero_event, sizeof(ev)) == 0);

	ck_assert_int_eq(decode_waitid_poisoned(&wsi, &stop_si, &ev), 0);
	ck_assert_int_eq(ev.type, SEIZE_EVENT_NONE);
	ck_assert(!ev.has_siginfo);
	ck_assert(memcmp(&ev, &zero_event, sizeof(ev)) == 0);

	/* si_pid 0 decides, whatever else is there. */
	make_wsi(&wsi, 0, CLD_TRAPPED, SIGUSR1);
	ck_assert_int_eq(decode_waitid_poisoned(&wsi, &stop_si, &ev), 0);
	ck_assert(memcmp(&ev, &zero_event, sizeof(ev)) == 0);
}
END_TEST

START_TEST(waitid_null)
{
	struct seize_event ev;
	siginfo_t wsi;

	init_stop_si();
	make_wsi(&wsi, TID, CLD_EXITED, 0);
	ck_assert_int_eq(decode_waitid_poisoned(NULL, NULL, &ev), -EINVAL);
	ck_assert(memcmp(&ev, &zero_event, sizeof(ev)) == 0);
	ck_assert_int_eq(decode_waitid_poisoned(NULL, &stop_si, &ev), -EINVAL);
	ck_assert(memcmp(&ev, &zero_event, sizeof(ev)) == 0);
	ck_assert_int_eq(seize_decode_waitid(&wsi, NULL, NULL), -EINVAL);
	ck_assert_int_eq(seize_decode_waitid(&wsi, &stop_si, NULL), -EINVAL);
	ck_assert_int_eq(seize_decode_waitid(NULL, NULL, NULL), -EINVAL);
}
END_TEST

struct wrow {
	const char *name;
	int signo;
	int code;
	int status;
};

static const struct wrow bad_wrows[] = {
	{ "si_signo SIGUSR1",			SIGUSR1, CLD_EXITED,	0 },
	{ "si_signo 0",				0,	 CLD_TRAPPED,	SIGUSR1 },
	{ "si_signo SIGTRAP",			SIGTRAP, CLD_TRAPPED,	SIGTRAP },
	{ "si_code 0 (SI_USER)",		SIGCHLD, SI_USER,	0 },
	{ "si_code SI_QUEUE",			SIGCHLD, SI_QUEUE,	0 },
	{ "si_code SI_KERNEL",			SIGCHLD, SI_KERNEL,	0 },
	{ "si_code 7",				SIGCHLD, 7,		0 },
	{ "si_code 100",			SIGCHLD, 100,		SIGSTOP },
	{ "CLD_EXITED 256",			SIGCHLD, CLD_EXITED,	256 },
	{ "CLD_EXITED 0x10000",			SIGCHLD, CLD_EXITED,	0x10000 },
	{ "CLD_EXITED -1",			SIGCHLD, CLD_EXITED,	-1 },
	{ "CLD_KILLED 0",			SIGCHLD, CLD_KILLED,	0 },
	{ "CLD_KILLED 65",			SIGCHLD, CLD_KILLED,	65 },
	{ "CLD_KILLED 127",			SIGCHLD, CLD_KILLED,	127 },
	{ "CLD_KILLED 128",			SIGCHLD, CLD_KILLED,	128 },
	{ "CLD_KILLED -9",			SIGCHLD, CLD_KILLED,	-9 },
	{ "CLD_DUMPED 0",			SIGCHLD, CLD_DUMPED,	0 },
	{ "CLD_DUMPED 127",			SIGCHLD, CLD_DUMPED,	127 },
	{ "CLD_DUMPED 128",			SIGCHLD, CLD_DUMPED,	128 },
	{ "CLD_DUMPED SIGSEGV|0x80",		SIGCHLD, CLD_DUMPED,	SIGSEGV | 0x80 },
	{ "CLD_TRAPPED 0",			SIGCHLD, CLD_TRAPPED,	0 },
	{ "CLD_TRAPPED 65",			SIGCHLD, CLD_TRAPPED,	65 },
	{ "CLD_TRAPPED SIGUSR1|0x80",		SIGCHLD, CLD_TRAPPED,	SIGUSR1 | 0x80 },
	{ "CLD_TRAPPED fork, SIGUSR1",		SIGCHLD, CLD_TRAPPED,	PTRACE_EVENT_FORK << 8 | SIGUSR1 },
	{ "CLD_TRAPPED EVENT_STOP, SIGUSR1",	SIGCHLD, CLD_TRAPPED,	PTRACE_EVENT_STOP << 8 | SIGUSR1 },
	{ "CLD_TRAPPED event 8",		SIGCHLD, CLD_TRAPPED,	8 << 8 | SIGTRAP },
	{ "CLD_TRAPPED event 255",		SIGCHLD, CLD_TRAPPED,	255 << 8 | SIGTRAP },
	{ "CLD_TRAPPED fork, SIGTRAP|0x80",	SIGCHLD, CLD_TRAPPED,	PTRACE_EVENT_FORK << 8 | SIGTRAP | 0x80 },
	{ "CLD_TRAPPED 0x10000 | SIGUSR1",	SIGCHLD, CLD_TRAPPED,	0x10000 | SIGUSR1 },
	{ "CLD_TRAPPED -1",			SIGCHLD, CLD_TRAPPED,	-1 },
	{ "CLD_STOPPED 0",			SIGCHLD, CLD_STOPPED,	0 },
	{ "CLD_STOPPED 65",			SIGCHLD, CLD_STOPPED,	65 },
	{ "CLD_CONTINUED SIGSTOP",		SIGCHLD, CLD_CONTINUED,	SIGSTOP },
	{ "CLD_CONTINUED 0",			SIGCHLD, CLD_CONTINUED,	0 },
	{ "CLD_CONTINUED 0xffff",		SIGCHLD, CLD_CONTINUED,	0xffff },
};

START_TEST(waitid_invalid)
{
	struct seize_event ev;
	siginfo_t wsi;

	init_stop_si();
	for (size_t i = 0; i < sizeof(bad_wrows) / sizeof(bad_wrows[0]); i++) {
		const struct wrow *w = &bad_wrows[i];

		make_wsi(&wsi, TID, w->code, w->status);
		wsi.si_signo = w->signo;
		for (int with_si = 0; with_si < 2; with_si++) {
			int ret = decode_waitid_poisoned(&wsi, with_si ? &stop_si : NULL, &ev);

			ck_assert_msg(ret == -EINVAL, "%s: returned %d, expected -EINVAL", w->name, ret);
			ck_assert_msg(memcmp(&ev, &zero_event, sizeof(ev)) == 0,
				      "%s: event not zeroed", w->name);
		}
	}
}
END_TEST

/* Every si_code the kernel gives, with every si_status in 0..0xffff and a
 * few outside: seize_decode_waitid() agrees with seize_decode() of the status
 * word the kernel would have given to wait4() (refusing where there is none). */
START_TEST(waitid_sweep)
{
	static const int codes[] = { CLD_EXITED, CLD_KILLED, CLD_DUMPED,
				     CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED };
	struct seize_event ev, wev;
	siginfo_t wsi;
	unsigned int accepted = 0;

	init_stop_si();
	for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++) {
		for (long v = -2; v <= 0x10001; v++) {
			int code = codes[c], value = (int)v;
			int status = 0, xret, ret;

			/* The status word wait4() would give, where there is one. */
			xret = -EINVAL;
			switch (code) {
			case CLD_EXITED:
				if (value >= 0 && value <= 0xff)
					status = EXIT_STATUS(value), xret = 0;
				break;
			case CLD_KILLED:
			case CLD_DUMPED:
				if (value >= 1 && value <= 0x7f)
					status = KILL_STATUS(value, code == CLD_DUMPED), xret = 0;
				break;
			case CLD_CONTINUED:
				if (value == SIGCONT)
					status = CONTINUED_STATUS, xret = 0;
				break;
			default:
				if (value >= 0 && value <= 0xffff)
					status = value << 8 | 0x7f, xret = 0;
				break;
			}
			if (xret == 0)	/* a well-formed status: as decoded */
				xret = decode_poisoned(TID, status, &stop_si, &ev);
			make_wsi(&wsi, TID, code, value);
			ret = decode_waitid_poisoned(&wsi, &stop_si, &wev);
			if (ret != xret)
				ck_abort_msg("si_code %d si_status %d: returned %d, expected %d",
					     code, value, ret, xret);
			if (ret < 0 ? memcmp(&wev, &zero_event, sizeof(wev)) != 0
				    : memcmp(&wev, &ev, sizeof(wev)) != 0)
				ck_abort_msg("si_code %d si_status %d: event differs", code, value);
			accepted += ret == 0;
		}
	}
	/* EXITED 256 + KILLED 64 + DUMPED 64 + TRAPPED 77 + STOPPED 77 + CONTINUED 1:
	 * 77 = 64 signals, syscall, 7 ptrace events, 5 EVENT_STOPs. */
	ck_assert_uint_eq(accepted, 256 + 64 + 64 + 77 + 77 + 1);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Names. */

START_TEST(type_names)
{
	static const char *const names[] = {
		[SEIZE_EVENT_NONE]	 = "none",
		[SEIZE_EVENT_SIGNAL]	 = "signal",
		[SEIZE_EVENT_STOP]	 = "group-stop",
		[SEIZE_EVENT_SYSCALL]	 = "syscall",
		[SEIZE_EVENT_FORK]	 = "fork",
		[SEIZE_EVENT_VFORK]	 = "vfork",
		[SEIZE_EVENT_CLONE]	 = "clone",
		[SEIZE_EVENT_EXEC]	 = "exec",
		[SEIZE_EVENT_VFORK_DONE] = "vfork-done",
		[SEIZE_EVENT_EXIT]	 = "exit",
		[SEIZE_EVENT_SECCOMP]	 = "seccomp",
		[SEIZE_EVENT_EXITED]	 = "exited",
		[SEIZE_EVENT_KILLED]	 = "killed",
		[SEIZE_EVENT_CONTINUED]	 = "continued",
	};
	const size_t n = sizeof(names) / sizeof(names[0]);

	ck_assert_uint_eq(n, SEIZE_EVENT_CONTINUED + 1);
	for (size_t t = 0; t < n; t++) {
		const char *got = seize_event_type_name((enum seize_event_type)t);

		ck_assert_msg(got && strcmp(got, names[t]) == 0, "type %zu: \"%s\", expected \"%s\"",
			      t, got ? got : "(null)", names[t]);
	}
	ck_assert_ptr_null(seize_event_type_name((enum seize_event_type)(SEIZE_EVENT_CONTINUED + 1)));
	ck_assert_ptr_null(seize_event_type_name((enum seize_event_type)1000));
	ck_assert_ptr_null(seize_event_type_name((enum seize_event_type)-1));
	ck_assert_ptr_null(seize_event_type_name((enum seize_event_type)INT_MIN));
}
END_TEST

START_TEST(event_names)
{
	struct seize_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SEIZE_EVENT_STOP;
	ev.sig = SIGTRAP;
	ck_assert_str_eq(seize_event_name(&ev), "trap");
	ev.group_stop = true;
	ev.sig = SIGTSTP;
	ck_assert_str_eq(seize_event_name(&ev), "group-stop");
	ck_assert_ptr_null(seize_event_name(NULL));

	/* Every other type is named as seize_event_type_name() names it. */
	for (int t = SEIZE_EVENT_NONE; t <= SEIZE_EVENT_CONTINUED; t++) {
		if (t == SEIZE_EVENT_STOP)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = (enum seize_event_type)t;
		ck_assert_str_eq(seize_event_name(&ev), seize_event_type_name(ev.type));
	}
	ev.type = (enum seize_event_type)(SEIZE_EVENT_CONTINUED + 1);
	ck_assert_ptr_null(seize_event_name(&ev));
	ev.type = (enum seize_event_type)-1;
	ck_assert_ptr_null(seize_event_name(&ev));

	/* And as decoded. */
	ck_assert_int_eq(seize_decode(TID, STOP_STATUS(PTRACE_EVENT_STOP, SIGTRAP), NULL, &ev), 0);
	ck_assert_str_eq(seize_event_name(&ev), "trap");
	ck_assert_int_eq(seize_decode(TID, STOP_STATUS(PTRACE_EVENT_STOP, SIGTTOU), NULL, &ev), 0);
	ck_assert_str_eq(seize_event_name(&ev), "group-stop");
	ck_assert_int_eq(seize_decode(TID, STOP_STATUS(0, SIGSTOP), NULL, &ev), 0);
	ck_assert_str_eq(seize_event_name(&ev), "signal");
	ck_assert_int_eq(seize_decode(TID, CONTINUED_STATUS, NULL, &ev), 0);
	ck_assert_str_eq(seize_event_name(&ev), "continued");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The sweep: the fuzz that always runs.  Asserts only on failure (check's
 * ck_assert records a mark point per call, far too slow for 17M words). */

#define SWEEP_LIMIT_DEFAULT 0x1000000u

/* SEIZE_SWEEP_LIMIT=N bounds the exhaustive sweep to statuses 0..N-1, and the
 * random one to N/16 words (for slow runners); the default is all 2^24. */
static uint32_t sweep_limit(void)
{
	const char *env = getenv("SEIZE_SWEEP_LIMIT");
	char *end;
	unsigned long n;

	if (!env || !*env)
		return SWEEP_LIMIT_DEFAULT;
	n = strtoul(env, &end, 0);
	if (*end || n == 0 || n > SWEEP_LIMIT_DEFAULT)
		return SWEEP_LIMIT_DEFAULT;
	return (uint32_t)n;
}

/* Encode a decoded event back into the status word it must have come from. */
static int reencode(const struct seize_event *ev)
{
	switch (ev->type) {
	case SEIZE_EVENT_EXITED:	return EXIT_STATUS(ev->exit_code);
	case SEIZE_EVENT_KILLED:	return KILL_STATUS(ev->sig, ev->core_dumped);
	case SEIZE_EVENT_CONTINUED:	return CONTINUED_STATUS;
	case SEIZE_EVENT_SIGNAL:	return STOP_STATUS(0, ev->sig);
	case SEIZE_EVENT_SYSCALL:	return STOP_STATUS(0, SIGTRAP | 0x80);
	case SEIZE_EVENT_STOP:		return STOP_STATUS(PTRACE_EVENT_STOP, ev->sig);
	default:			return STOP_STATUS(ptrace_event_of(ev->type), SIGTRAP);
	}
}

struct sweep {
	unsigned int per_type[SEIZE_EVENT_CONTINUED + 1];
	unsigned int valid;
};

#define SWEEP_CHECK(cond, status)						\
	do {									\
		if (!(cond))							\
			ck_abort_msg("status 0x%08x: '%s' failed",		\
				     (unsigned int)(status), #cond);		\
	} while (0)

/* Decode one status word and check every invariant the contract gives. */
static void sweep_one(uint32_t status, struct sweep *sw)
{
	struct seize_event ev, ev2;
	siginfo_t wsi;
	int s = (int)status;
	int ret = decode_poisoned(TID, s, &stop_si, &ev);

	if (ret == -EINVAL) {
		SWEEP_CHECK(memcmp(&ev, &zero_event, sizeof(ev)) == 0, status);
		return;
	}
	SWEEP_CHECK(ret == 0, status);
	SWEEP_CHECK(ev.type > SEIZE_EVENT_NONE && ev.type <= SEIZE_EVENT_CONTINUED, status);
	sw->per_type[ev.type]++;
	sw->valid++;

	/* Common fields. */
	SWEEP_CHECK(ev.tid == TID, status);
	SWEEP_CHECK(ev.status == s, status);
	SWEEP_CHECK(ev.msg == 0, status);
	SWEEP_CHECK(reserved_zero(&ev), status);
	SWEEP_CHECK(ev.has_siginfo == is_stop_type(ev.type), status);
	if (ev.has_siginfo)
		SWEEP_CHECK(memcmp(&ev.siginfo, &stop_si, sizeof(stop_si)) == 0, status);
	else
		SWEEP_CHECK(siginfo_zero(&ev.siginfo), status);

	/* Each field only where its type has it. */
	SWEEP_CHECK(!ev.group_stop || (ev.type == SEIZE_EVENT_STOP && is_stop_signal(ev.sig)), status);
	SWEEP_CHECK(ev.exit_code == 0 || ev.type == SEIZE_EVENT_EXITED, status);
	SWEEP_CHECK(!ev.core_dumped || ev.type == SEIZE_EVENT_KILLED, status);
	switch (ev.type) {
	case SEIZE_EVENT_EXITED:
		SWEEP_CHECK(ev.exit_code >= 0 && ev.exit_code <= 255, status);
		SWEEP_CHECK(WIFEXITED(s) && WEXITSTATUS(s) == ev.exit_code, status);
		SWEEP_CHECK(ev.sig == 0, status);
		break;
	case SEIZE_EVENT_KILLED:
		SWEEP_CHECK(ev.sig >= 1 && ev.sig <= KERNEL_SIGMAX, status);
		SWEEP_CHECK(WIFSIGNALED(s) && WTERMSIG(s) == ev.sig, status);
		SWEEP_CHECK(ev.core_dumped == !!WCOREDUMP(s), status);
		break;
	case SEIZE_EVENT_CONTINUED:
		SWEEP_CHECK(WIFCONTINUED(s) && ev.sig == SIGCONT, status);
		break;
	case SEIZE_EVENT_SIGNAL:
		SWEEP_CHECK(ev.sig >= 1 && ev.sig <= KERNEL_SIGMAX, status);
		SWEEP_CHECK(WIFSTOPPED(s) && WSTOPSIG(s) == ev.sig, status);
		break;
	case SEIZE_EVENT_STOP:
		SWEEP_CHECK(ev.sig == SIGTRAP || is_stop_signal(ev.sig), status);
		SWEEP_CHECK(ev.group_stop == (ev.sig != SIGTRAP), status);
		SWEEP_CHECK(WIFSTOPPED(s) && WSTOPSIG(s) == ev.sig, status);
		break;
	default:	/* syscall and the ptrace-event stops */
		SWEEP_CHECK(ev.sig == 0, status);
		SWEEP_CHECK(WIFSTOPPED(s), status);
		break;
	}
	/* Nothing else in the word: the event says all of it. */
	SWEEP_CHECK(reencode(&ev) == s, status);

	/* Without a siginfo: the same, less the siginfo. */
	ev.has_siginfo = false;
	memset(&ev.siginfo, 0, sizeof(ev.siginfo));
	SWEEP_CHECK(decode_poisoned(TID, s, NULL, &ev2) == 0, status);
	SWEEP_CHECK(memcmp(&ev, &ev2, sizeof(ev)) == 0, status);

	/* The waitid form, with and without the stop's siginfo. */
	wsi_from_status(&wsi, TID, s);
	SWEEP_CHECK(decode_waitid_poisoned(&wsi, NULL, &ev2) == 0, status);
	SWEEP_CHECK(memcmp(&ev, &ev2, sizeof(ev)) == 0, status);
	SWEEP_CHECK(decode_poisoned(TID, s, &stop_si, &ev) == 0, status);
	SWEEP_CHECK(decode_waitid_poisoned(&wsi, &stop_si, &ev2) == 0, status);
	SWEEP_CHECK(memcmp(&ev, &ev2, sizeof(ev)) == 0, status);
}

START_TEST(sweep_all_24bit_statuses)
{
	/* The statuses a kernel produces, counted from ptrace(2) and wait(2). */
	static const unsigned int expected[SEIZE_EVENT_CONTINUED + 1] = {
		[SEIZE_EVENT_SIGNAL] = KERNEL_SIGMAX,
		[SEIZE_EVENT_STOP] = 5,		/* SIGTRAP and the 4 stop signals */
		[SEIZE_EVENT_SYSCALL] = 1,
		[SEIZE_EVENT_FORK] = 1, [SEIZE_EVENT_VFORK] = 1, [SEIZE_EVENT_CLONE] = 1,
		[SEIZE_EVENT_EXEC] = 1, [SEIZE_EVENT_VFORK_DONE] = 1, [SEIZE_EVENT_EXIT] = 1,
		[SEIZE_EVENT_SECCOMP] = 1,
		[SEIZE_EVENT_EXITED] = 256,
		[SEIZE_EVENT_KILLED] = 2 * KERNEL_SIGMAX,	/* with and without core */
		[SEIZE_EVENT_CONTINUED] = 1,
	};
	struct sweep sw = { { 0 }, 0 };
	uint32_t limit = sweep_limit();

	init_stop_si();
	for (uint32_t status = 0; status < limit; status++)
		sweep_one(status, &sw);
	if (limit < SWEEP_LIMIT_DEFAULT)
		return;		/* counts hold for the whole range only */
	for (int t = 0; t <= SEIZE_EVENT_CONTINUED; t++)
		ck_assert_msg(sw.per_type[t] == expected[t], "%u statuses of type %s, expected %u",
			      sw.per_type[t], seize_event_type_name((enum seize_event_type)t),
			      expected[t]);
	ck_assert_uint_eq(sw.valid, 462);
}
END_TEST

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* ~1M pseudo-random 32-bit words (fixed seed): half plain random, half a
 * valid status with random bits set above the event byte, which must all be
 * refused.  Plus random waitid siginfos: never anything but 0 or -EINVAL. */
START_TEST(sweep_random_words)
{
	static const int valid_samples[] = {
		EXIT_STATUS(0), EXIT_STATUS(255), KILL_STATUS(SIGKILL, false),
		KILL_STATUS(SIGSEGV, true), CONTINUED_STATUS, STOP_STATUS(0, SIGUSR1),
		STOP_STATUS(0, SIGTRAP | 0x80), STOP_STATUS(PTRACE_EVENT_EXEC, SIGTRAP),
		STOP_STATUS(PTRACE_EVENT_STOP, SIGSTOP), STOP_STATUS(PTRACE_EVENT_STOP, SIGTRAP),
	};
	const size_t n_samples = sizeof(valid_samples) / sizeof(valid_samples[0]);
	uint64_t state = 0x5eed5eed2012abcdull;	/* fixed: failures reproduce */
	uint32_t n = sweep_limit() / 16;
	struct sweep sw = { { 0 }, 0 };
	struct seize_event ev;
	siginfo_t wsi;

	init_stop_si();
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = (uint32_t)(xorshift64(&state) >> 32);
		uint32_t word;
		int ret;

		if (i & 1) {
			uint32_t high = r & 0xff000000u;

			word = (uint32_t)valid_samples[(r & 0xffff) % n_samples] |
			       (high ? high : 0x01000000u);
		} else {
			word = r;
		}
		sweep_one(word, &sw);
		if (word >> 24) {
			/* Nothing is valid above the event byte. */
			ret = decode_poisoned(TID, (int)word, NULL, &ev);
			SWEEP_CHECK(ret == -EINVAL, word);
		}

		/* waitid: a random si_code near the CLD_ range, and a random
		 * si_status, small or not. */
		r = (uint32_t)(xorshift64(&state) >> 32);
		make_wsi(&wsi, (pid_t)(r & 0x3fffff) + 1, (int)(r >> 28) - 2,
			 (r & 0x08000000u) ? (int)(r & 0x1ffff) : (int)(xorshift64(&state) >> 32));
		ret = decode_waitid_poisoned(&wsi, &stop_si, &ev);
		if (ret == -EINVAL ? memcmp(&ev, &zero_event, sizeof(ev)) != 0
				   : ret != 0 || ev.type == SEIZE_EVENT_NONE || ev.tid != wsi.si_pid)
			ck_abort_msg("waitid si_code %d si_status 0x%x: returned %d, type %d",
				     wsi.si_code, (unsigned int)wsi.si_status, ret, ev.type);
	}
}
END_TEST

TEST_SUITE(decode, false)
{
	ADD_CASE(s, decode_table);
	ADD_CASE(s, decode_table_siginfo_flipped);
	ADD_CASE(s, decode_tid_copied);
	ADD_CASE(s, decode_null_event);
	ADD_CASE(s, decode_table_matches_glibc);
	ADD_CASE(s, decode_table_covers_every_type);
	ADD_CASE(s, waitid_table);
	ADD_CASE(s, waitid_cld_stopped);
	ADD_CASE(s, waitid_nothing_ready);
	ADD_CASE(s, waitid_null);
	ADD_CASE(s, waitid_invalid);
	ADD_CASE(s, waitid_sweep);
	ADD_CASE(s, type_names);
	ADD_CASE(s, event_names);
	ADD_CASE(s, sweep_all_24bit_statuses);
	ADD_CASE(s, sweep_random_words);
}
