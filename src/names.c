/* SPDX-License-Identifier: MIT */
/* Every name table of the library: event names, and the errno names that
 * the probe's and the attach explanation's sentences use. */
#include <errno.h>
#include <stddef.h>

#include <seize/tracer.h>

#include "internal.h"

static const char *const type_names[] = {
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

SEIZE_EXPORT const char *seize_event_type_name(enum seize_event_type type)
{
	if ((unsigned int)type >= sizeof(type_names) / sizeof(type_names[0]))
		return NULL;
	return type_names[type];
}

SEIZE_EXPORT const char *seize_event_name(const struct seize_event *ev)
{
	if (!ev)
		return NULL;
	if (ev->type == SEIZE_EVENT_STOP && !ev->group_stop)
		return "trap";
	return seize_event_type_name(ev->type);
}

SEIZE_EXPORT const char *seize_tracer_event_name(enum seize_tracer_event_type type)
{
	static const char *const names[] = {
		[SEIZE_TRACER_ATTACHED] = "attached",
		[SEIZE_TRACER_DETACHED] = "detached",
		[SEIZE_TRACER_SIGNAL] = "signal",
		[SEIZE_TRACER_GROUP_STOP] = "group-stop",
		[SEIZE_TRACER_CONTINUED] = "continued",
		[SEIZE_TRACER_EXITED] = "exited",
		[SEIZE_TRACER_KILLED] = "killed",
		[SEIZE_TRACER_NEW_THREAD] = "new-thread",
		[SEIZE_TRACER_NEW_CHILD] = "new-child",
		[SEIZE_TRACER_EXEC] = "exec",
		[SEIZE_TRACER_THREAD_EXITED] = "thread-exited",
		[SEIZE_TRACER_FROZEN] = "frozen",
		[SEIZE_TRACER_SYSCALL] = "syscall",
	};

	if ((unsigned int)type >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[type];
}

static const struct {
	int err;
	const char *name, *text;
} errnos[] = {
	{ EPERM, "EPERM", "Operation not permitted" },
	{ ESRCH, "ESRCH", "No such process" },
	{ EIO, "EIO", "Input/output error" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ ENOMEM, "ENOMEM", "Cannot allocate memory" },
	{ EACCES, "EACCES", "Permission denied" },
	{ EFAULT, "EFAULT", "Bad address" },
	{ EBUSY, "EBUSY", "Device or resource busy" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ ENOSYS, "ENOSYS", "Function not implemented" },
	{ ECHILD, "ECHILD", "No child processes" },
};

/* A small table instead of strerror(): thread-safe and locale-independent. */
const char *names_errno(int err, bool symbolic)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return symbolic ? errnos[i].name : errnos[i].text;
	return NULL;
}
