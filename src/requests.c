/* SPDX-License-Identifier: MIT */
/* The requests: thin checks around the real PTRACE_* calls of the running
 * kernel, and seize_wait(), which adds to decoding the two fetches a caller
 * would otherwise make by hand (GETSIGINFO, GETEVENTMSG). */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "internal.h"

static long request(int req, pid_t tid, int sig)
{
	if (tid <= 0)
		return -EINVAL;
	return sys_ptrace(req, tid, NULL, (void *)(long)sig);
}

SEIZE_EXPORT int seize_attach(pid_t tid, unsigned int options)
{
	if (tid <= 0 || (options & ~SEIZE_KNOWN_OPTIONS))
		return -EINVAL;
	return (int)sys_ptrace(PTRACE_SEIZE, tid, NULL,
				     (void *)(unsigned long)(options | PTRACE_O_TRACESYSGOOD));
}

SEIZE_EXPORT int seize_interrupt(pid_t tid)
{
	return (int)request(PTRACE_INTERRUPT, tid, 0);
}

SEIZE_EXPORT int seize_listen(pid_t tid)
{
	return (int)request(PTRACE_LISTEN, tid, 0);
}

SEIZE_EXPORT int seize_cont(pid_t tid, int sig)
{
	return (int)request(PTRACE_CONT, tid, sig);
}

SEIZE_EXPORT int seize_detach(pid_t tid, int sig)
{
	return (int)request(PTRACE_DETACH, tid, sig);
}

SEIZE_EXPORT int seize_syscall(pid_t tid, int sig)
{
	return (int)request(PTRACE_SYSCALL, tid, sig);
}

/* Fetch what the status word cannot say.  A tracee killed since its stop
 * makes these fail with ESRCH: the stop is still reported, and its death
 * comes with the next wait. */
static void fetch_details(struct seize_event *ev)
{
	switch (ev->type) {
	case SEIZE_EVENT_SIGNAL:
	case SEIZE_EVENT_STOP:
		ev->has_siginfo = sys_ptrace(PTRACE_GETSIGINFO, ev->tid, NULL,
						   &ev->siginfo) == 0;
		break;
	case SEIZE_EVENT_FORK:
	case SEIZE_EVENT_VFORK:
	case SEIZE_EVENT_CLONE:
	case SEIZE_EVENT_EXEC:
	case SEIZE_EVENT_VFORK_DONE:
	case SEIZE_EVENT_EXIT:
	case SEIZE_EVENT_SECCOMP:
		if (sys_ptrace(PTRACE_GETEVENTMSG, ev->tid, NULL, &ev->msg) < 0)
			ev->msg = 0;
		break;
	default:
		break;
	}
}

int requests_decode_peeked(const siginfo_t *si, struct seize_event *ev)
{
	int ret = seize_decode_waitid(si, NULL, ev);

	if (ret < 0)
		return ret;
	fetch_details(ev);
	return 0;
}

SEIZE_EXPORT int seize_wait(pid_t tid, struct seize_event *ev, unsigned int flags)
{
	int status = 0;
	int ret;

	if (!ev || tid == 0 || tid < -1 || (flags & ~SEIZE_WAIT_NOHANG))
		return -EINVAL;

	ret = sys_waitpid(tid, &status,
				__WALL | ((flags & SEIZE_WAIT_NOHANG) ? WNOHANG : 0));
	if (ret == 0)
		memset(ev, 0, sizeof(*ev));	/* SEIZE_EVENT_NONE */
	if (ret <= 0)
		return ret;
	if (seize_decode(ret, status, NULL, ev) < 0)
		return -EINVAL;
	fetch_details(ev);
	return ret;
}
