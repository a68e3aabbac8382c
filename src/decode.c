/* SPDX-License-Identifier: MIT */
/* Pure decoding of wait statuses: no system calls, no globals.  Both entry
 * points funnel into decode_status(), so a waitpid caller and a waitid caller
 * always get the same event for the same stop. */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "internal.h"

bool decode_is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static bool valid_signal(int sig)
{
	return sig >= 1 && sig <= SEIZE_KERNEL_NSIG;
}

static enum seize_event_type ptrace_event_type(int event)
{
	switch (event) {
	case PTRACE_EVENT_FORK:		return SEIZE_EVENT_FORK;
	case PTRACE_EVENT_VFORK:	return SEIZE_EVENT_VFORK;
	case PTRACE_EVENT_CLONE:	return SEIZE_EVENT_CLONE;
	case PTRACE_EVENT_EXEC:		return SEIZE_EVENT_EXEC;
	case PTRACE_EVENT_VFORK_DONE:	return SEIZE_EVENT_VFORK_DONE;
	case PTRACE_EVENT_EXIT:		return SEIZE_EVENT_EXIT;
	case PTRACE_EVENT_SECCOMP:	return SEIZE_EVENT_SECCOMP;
	case PTRACE_EVENT_STOP:		return SEIZE_EVENT_STOP;
	default:			return SEIZE_EVENT_NONE;
	}
}

/* A stop: status is (event << 16) | (sig << 8) | 0x7f. */
static int decode_stop(unsigned int status, struct seize_event *ev)
{
	int sig = (status >> 8) & 0xff;
	int event = (status >> 16) & 0xff;

	if (status >> 24)
		return -EINVAL;
	if (event == 0) {
		if (sig == (SIGTRAP | 0x80)) {
			ev->type = SEIZE_EVENT_SYSCALL;
			return 0;
		}
		if (!valid_signal(sig))
			return -EINVAL;
		ev->type = SEIZE_EVENT_SIGNAL;
		ev->sig = sig;
		return 0;
	}
	ev->type = ptrace_event_type(event);
	if (ev->type == SEIZE_EVENT_NONE)
		return -EINVAL;
	if (ev->type == SEIZE_EVENT_STOP) {
		/* The kernel reports the stop signal while a group-stop is in
		 * effect, SIGTRAP otherwise (do_jobctl_trap()). */
		if (sig != SIGTRAP && !decode_is_stop_signal(sig))
			return -EINVAL;
		ev->sig = sig;
		ev->group_stop = sig != SIGTRAP;
		return 0;
	}
	return sig == SIGTRAP ? 0 : -EINVAL;
}

static int decode_status(pid_t tid, unsigned int status, const siginfo_t *si,
			 struct seize_event *ev)
{
	int ret;

	memset(ev, 0, sizeof(*ev));
	ev->tid = tid;
	ev->status = (int)status;

	if ((status & 0x7f) == 0) {			/* exited */
		if (status & ~0xff00u)
			goto invalid;
		ev->type = SEIZE_EVENT_EXITED;
		ev->exit_code = (status >> 8) & 0xff;
		return 0;
	}
	if (status == 0xffff) {				/* continued */
		ev->type = SEIZE_EVENT_CONTINUED;
		ev->sig = SIGCONT;
		return 0;
	}
	if ((status & 0xff) == 0x7f) {			/* stopped */
		ret = decode_stop(status, ev);
		if (ret < 0)
			goto invalid;
		if (si) {
			ev->siginfo = *si;
			ev->has_siginfo = true;
		}
		return 0;
	}
	/* killed: low 7 bits the signal, 0x80 the core flag, nothing else */
	if ((status & ~0xffu) || !valid_signal(status & 0x7f))
		goto invalid;
	ev->type = SEIZE_EVENT_KILLED;
	ev->sig = status & 0x7f;
	ev->core_dumped = status & 0x80;
	return 0;

invalid:
	memset(ev, 0, sizeof(*ev));
	return -EINVAL;
}

SEIZE_EXPORT int seize_decode(pid_t tid, int wstatus, const siginfo_t *si,
			      struct seize_event *ev)
{
	if (!ev)
		return -EINVAL;
	return decode_status(tid, (unsigned int)wstatus, si, ev);
}

SEIZE_EXPORT int seize_decode_waitid(const siginfo_t *wsi, const siginfo_t *si,
				     struct seize_event *ev)
{
	unsigned int status;
	unsigned int value;

	if (!ev)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	if (!wsi)
		return -EINVAL;
	if (wsi->si_pid == 0) {
		ev->type = SEIZE_EVENT_NONE;
		return 0;
	}
	if (wsi->si_signo != SIGCHLD)
		return -EINVAL;

	/* Rebuild the status word that wait4() would have given. */
	value = (unsigned int)wsi->si_status;
	switch (wsi->si_code) {
	case CLD_EXITED:
		if (value > 0xff)
			return -EINVAL;
		status = value << 8;
		break;
	case CLD_KILLED:
	case CLD_DUMPED:
		if (value == 0 || value > 0x7f)
			return -EINVAL;
		status = value | (wsi->si_code == CLD_DUMPED ? 0x80 : 0);
		break;
	case CLD_TRAPPED:
	case CLD_STOPPED:
		if (value > 0xffff)
			return -EINVAL;
		status = (value << 8) | 0x7f;
		break;
	case CLD_CONTINUED:
		if (value != SIGCONT)
			return -EINVAL;
		status = 0xffff;
		break;
	default:
		return -EINVAL;
	}
	return decode_status(wsi->si_pid, status, si, ev);
}
