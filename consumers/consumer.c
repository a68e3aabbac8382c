/* SPDX-License-Identifier: MIT */
/* A program as a user of an installed libseize writes it: decode the wait
 * status of a group-stop and name it.  Valid C and C++ (built as both). */
#include <seize/seize.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>

int main(void)
{
	/* What waitpid() gives a tracer when SIGSTOP stops a seized tracee. */
	int status = PTRACE_EVENT_STOP << 16 | SIGSTOP << 8 | 0x7f;
	struct seize_event ev;
	const char *name;

	if (seize_decode(42, status, NULL, &ev) != 0 || ev.type != SEIZE_EVENT_STOP ||
	    !ev.group_stop || ev.sig != SIGSTOP || ev.tid != 42) {
		fprintf(stderr, "seize_decode(%#x) gave the wrong event\n", (unsigned int)status);
		return 1;
	}
	name = seize_event_type_name(ev.type);
	if (!name || strcmp(name, "group-stop") != 0) {
		fprintf(stderr, "seize_event_type_name() gave %s\n", name ? name : "NULL");
		return 1;
	}
	puts("ok");
	return 0;
}
