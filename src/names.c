/* SPDX-License-Identifier: MIT */
#include <stddef.h>

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
