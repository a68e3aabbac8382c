/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the pure decoder: any status word and any siginfo
 * bytes, through both entry points.  It aborts on a broken invariant; the
 * sanitizers catch any out-of-bounds or undefined behaviour.
 *
 *   fuzz/run-fuzz.sh [SECONDS]    (needs clang) */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <seize/seize.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void check_event(int ret, const struct seize_event *ev)
{
	static const struct seize_event zero;

	if (ret == -22) {
		if (memcmp(ev, &zero, sizeof(zero)) != 0)
			abort();		/* a refused input leaves ev zeroed */
		return;
	}
	if (ret != 0 || !seize_event_type_name(ev->type))
		abort();
	if (ev->group_stop && (ev->type != SEIZE_EVENT_STOP || !is_stop_signal(ev->sig)))
		abort();
	if (ev->type == SEIZE_EVENT_STOP && ev->sig != SIGTRAP && !is_stop_signal(ev->sig))
		abort();
	if ((ev->type == SEIZE_EVENT_SIGNAL || ev->type == SEIZE_EVENT_KILLED) &&
	    (ev->sig < 1 || ev->sig > 64))
		abort();
	if (ev->exit_code < 0 || ev->exit_code > 255)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seize_event ev, twin;
	siginfo_t si, wsi;
	int status;
	int ret;

	if (size < sizeof(status))
		return 0;
	memcpy(&status, data, sizeof(status));
	data += sizeof(status);
	size -= sizeof(status);
	memset(&si, 0, sizeof(si));
	memcpy(&si, data, size < sizeof(si) ? size : sizeof(si));

	ret = seize_decode(1234, status, size ? &si : NULL, &ev);
	check_event(ret, &ev);

	/* The waitid twin of a decodable status must agree exactly. */
	if (ret == 0 && ev.type != SEIZE_EVENT_NONE) {
		memset(&wsi, 0, sizeof(wsi));
		wsi.si_signo = SIGCHLD;
		wsi.si_pid = 1234;
		if (WIFEXITED(status)) {
			wsi.si_code = CLD_EXITED;
			wsi.si_status = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status)) {
			wsi.si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
			wsi.si_status = WTERMSIG(status);
		} else if (WIFCONTINUED(status)) {
			wsi.si_code = CLD_CONTINUED;
			wsi.si_status = SIGCONT;
		} else {
			wsi.si_code = CLD_TRAPPED;
			wsi.si_status = (status >> 8) & 0xffff;
		}
		if (seize_decode_waitid(&wsi, size ? &si : NULL, &twin) != 0 ||
		    memcmp(&ev, &twin, sizeof(ev)) != 0)
			abort();
	}

	/* Any waitid siginfo at all: 0 or -EINVAL, never a crash. */
	ret = seize_decode_waitid(&si, NULL, &twin);
	if (ret == 0 && twin.type == SEIZE_EVENT_NONE)
		return 0;
	check_event(ret, &twin);
	return 0;
}
