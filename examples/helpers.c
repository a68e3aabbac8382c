/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helpers.h"

unsigned int pace_ms = 1000;

void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	if (write(STDOUT_FILENO, buf, strlen(buf)) != (ssize_t)strlen(buf))	/* one write */
		die("write: %s", strerror(errno));
}

void use_pace(int argc, char **argv)
{
	char *end = argc == 1 ? "" : "?";

	if (argc == 3 && strcmp(argv[1], "-p") == 0 && argv[2][0] != '-')
		pace_ms = (unsigned int)strtoul(argv[2], &end, 10);
	if (*end || end == argv[2] || pace_ms > 60000)
		die("usage: %s [-p MS]  (one step of the mail's rhythm, 0 to 60000)", argv[0]);
}

void nap(unsigned int ms)
{
	usleep(ms * 1000);
}

pid_t fork_child(int death_sig)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	/* Checked after the prctl: the parent may already have died. */
	if (pid == 0 && death_sig && (prctl(PR_SET_PDEATHSIG, death_sig) < 0 || getppid() != parent))
		die("prctl(PR_SET_PDEATHSIG), or the parent is gone");
	return pid;
}

void kill_pid(pid_t pid, int sig)
{
	if (pid <= 0 || kill(pid, sig) < 0)
		die("kill(%d, %d): %s", (int)pid, sig, pid <= 0 ? "refused (pid <= 0)" : strerror(errno));
}

void tokens(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		die("pipe2: %s", strerror(errno));
}

void put(int fd, int token)
{
	if (write(fd, &token, sizeof(token)) != sizeof(token))
		die("put: %s", strerror(errno));
}

int get(int fd)
{
	int token;

	if (read(fd, &token, sizeof(token)) != sizeof(token))
		die("get: no token: the other side is gone");
	return token;
}

const char *proc_state(pid_t pid)
{
	static char state[64];
	char path[64], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	state[0] = '\0';
	if (!(f = fopen(path, "re")))
		return state;
	while (fgets(buf, sizeof(buf), f) && sscanf(buf, "State: %63[^\n]", state) != 1)
		;
	fclose(f);
	return state;
}
