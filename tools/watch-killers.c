/* SPDX-License-Identifier: MIT */
/* SIGKILL senders from the kernel's signal_generate trace event (see
 * watch-killers.h): the helper process, and the parsing of its records. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "watch-killers.h"

#define TRACING "/sys/kernel/tracing"

bool watch_killers_parse(const char *line, pid_t *target, pid_t *sender, char comm[16])
{
	const char *rec = strstr(line, "signal_generate: sig=9 "), *p, *open, *dash;
	long t;

	if (!rec || !(p = strstr(rec, " pid=")))
		return false;
	t = strtol(p + 5, NULL, 10);
	/* "   kill-4100    [001] d..1. 12.34: ..." : the sender is the task
	 * before the CPU, its name may hold '-' and spaces: split at the last
	 * '-' before the " [". */
	open = strstr(line, " [");
	if (!open || open > rec || t <= 0)
		return false;
	for (dash = open; dash > line && *dash != '-'; dash--)
		;
	if (*dash != '-')
		return false;
	*sender = (pid_t)strtol(dash + 1, NULL, 10);
	for (p = line; p < dash && *p == ' '; p++)
		;
	snprintf(comm, 16, "%.*s", (int)(dash - p), p);
	*target = (pid_t)t;
	return *sender > 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A seize-watch killed with SIGKILL cannot take its instance down: each
 * start removes those whose pid no longer runs a seize-watch. */
static void remove_stale_instances(void)
{
	DIR *dir = opendir(TRACING "/instances");
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		char path[320], comm[32] = "";
		long pid;
		int fd;
		ssize_t n = 0;

		if (strncmp(de->d_name, "seize-watch-", 12) != 0)
			continue;
		pid = strtol(de->d_name + 12, NULL, 10);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, comm, sizeof(comm) - 1);
			close(fd);
		}
		if (n > 0 && strncmp(comm, "seize-watch\n", 12) == 0)
			continue;	/* alive: its own */
		snprintf(path, sizeof(path), TRACING "/instances/%s", de->d_name);
		rmdir(path);
	}
	if (dir)
		closedir(dir);
}

/* The helper thread: set up, say 'R' (or 'E' and the errno), pass records
 * up until told to stop, then take the instance down.  A thread, not a
 * process: every child of seize-watch is a tracee it reaps. */
static void *helper_main(void *arg)
{
	const struct watch_killers *k = arg;
	char dir[128], path[256], buf[4096];
	struct stat st;
	int fd, err = 0;
	ssize_t n;

	/* Our own mounts (this thread's): they vanish with us, whatever happens. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		err = errno;
	if (!err && stat(TRACING "/instances", &st) < 0 &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL) < 0)
		err = errno;
	if (!err)
		remove_stale_instances();
	snprintf(dir, sizeof(dir), TRACING "/instances/seize-watch-%d", (int)getpid());
	if (!err && mkdir(dir, 0700) < 0 && errno != EEXIST)
		err = errno;
	snprintf(path, sizeof(path), "%s/events/signal/signal_generate/filter", dir);
	if (!err)
		err = -write_file(path, "sig == 9");
	snprintf(path, sizeof(path), "%s/events/signal/signal_generate/enable", dir);
	if (!err)
		err = -write_file(path, "1");
	snprintf(path, sizeof(path), "%s/trace_pipe", dir);
	fd = err ? -1 : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (!err && fd < 0)
		err = errno;
	if (err) {
		char msg[16];
		int len = snprintf(msg, sizeof(msg), "E%d\n", err);

		n = write(k->write_end, msg, (size_t)len);
		rmdir(dir);
		return NULL;
	}
	n = write(k->write_end, "R\n", 2);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = k->stop_read, .events = POLLIN } };

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n > 0 && write(k->write_end, buf, (size_t)n) < 0)
			break;
	}
	close(fd);
	rmdir(dir);	/* an instance outlives its mount: take it down */
	return NULL;
}

int watch_killers_start(struct watch_killers *k, char *why, size_t size)
{
	int fds[2], stop[2];
	char first[32] = "";
	sigset_t all, old;
	struct pollfd pfd;
	ssize_t n = 0;

	memset(k, 0, sizeof(*k));
	k->fd = k->stop = -1;
	if (geteuid() != 0) {
		snprintf(why, size, "not root");
		return -EPERM;
	}
	/* Tracing speaks of the first pid namespace's pids: elsewhere they
	 * are not ours to compare. */
	if (readlink("/proc/self/ns/pid", first, sizeof(first) - 1) < 0 ||
	    strncmp(first, "pid:[4026531836]", 16) != 0) {
		snprintf(why, size, "in a pid namespace of its own, where tracing's pids are not ours");
		return -EPERM;
	}
	memset(first, 0, sizeof(first));
	if (pipe2(fds, O_CLOEXEC) < 0 || pipe2(stop, O_CLOEXEC) < 0) {
		snprintf(why, size, "no pipe: %s", strerror(errno));
		return -EMFILE;
	}
	k->fd = fds[0];
	k->write_end = fds[1];
	k->stop = stop[1];
	k->stop_read = stop[0];
	/* The helper takes no signal: they are seize-watch's main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&k->helper, NULL, helper_main, k) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		snprintf(why, size, "no helper thread");
		close(fds[0]); close(fds[1]); close(stop[0]); close(stop[1]);
		k->fd = -1;
		return -EAGAIN;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	k->running = true;
	pfd.fd = k->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) == 1)
		n = read(k->fd, first, sizeof(first) - 1);
	if (n >= 2 && first[0] == 'R') {
		fcntl(k->fd, F_SETFL, O_NONBLOCK);
		/* Records may follow 'R' in the same read. */
		memcpy(k->buf, first + 2, (size_t)n - 2);
		k->len = (size_t)n - 2;
		return 0;
	}
	first[n > 0 ? n : 0] = '\0';
	snprintf(why, size, "no tracing file system here%s%s", n > 1 ? ": " : "",
		 n > 1 ? strerror(atoi(first + 1)) : "");
	watch_killers_stop(k);
	return -ENOENT;
}

static void take_records(struct watch_killers *k)
{
	char *line, *nl;
	ssize_t n;

	while (k->len < sizeof(k->buf) - 1 &&
	       (n = read(k->fd, k->buf + k->len, sizeof(k->buf) - 1 - k->len)) > 0)
		k->len += (size_t)n;
	k->buf[k->len] = '\0';
	line = k->buf;
	while ((nl = strchr(line, '\n'))) {
		pid_t target, sender;
		char comm[16];

		*nl = '\0';
		if (watch_killers_parse(line, &target, &sender, comm)) {
			k->kept[k->next].target = target;
			k->kept[k->next].sender = sender;
			memcpy(k->kept[k->next].comm, comm, sizeof(comm));
			k->next = (k->next + 1) % WATCH_KILLERS_KEPT;
		}
		line = nl + 1;
	}
	k->len -= (size_t)(line - k->buf);
	memmove(k->buf, line, k->len);
	if (k->len == sizeof(k->buf) - 1)
		k->len = 0;	/* a line longer than the buffer: none of ours */
}

static bool find_kept(const struct watch_killers *k, pid_t target, pid_t *sender,
		      char comm[16])
{
	/* The latest first. */
	for (unsigned int i = 0; i < WATCH_KILLERS_KEPT; i++) {
		unsigned int at = (k->next + WATCH_KILLERS_KEPT - 1 - i) % WATCH_KILLERS_KEPT;

		if (k->kept[at].target == target) {
			*sender = k->kept[at].sender;
			memcpy(comm, k->kept[at].comm, 16);
			return true;
		}
	}
	return false;
}

bool watch_killers_find(struct watch_killers *k, pid_t target, int wait_ms, pid_t *sender,
			char comm[16])
{
	struct timespec start, now;

	if (k->fd < 0 || target <= 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { .fd = k->fd, .events = POLLIN };
		long left;

		take_records(k);
		if (find_kept(k, target, sender, comm))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = wait_ms - ((now.tv_sec - start.tv_sec) * 1000 +
				  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return false;
	}
}

void watch_killers_stop(struct watch_killers *k)
{
	if (k->running) {
		ssize_t n = write(k->stop, "s", 1);

		(void)n;
		pthread_join(k->helper, NULL);
		k->running = false;
		close(k->stop);
		close(k->stop_read);
		close(k->write_end);
	}
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
