/* SPDX-License-Identifier: MIT */
/* The tracer's public calls (<seize/tracer.h>): the lifecycle of a tracer
 * and of its processes.  The work is in tracer-state/stop/wait/fd.c. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer-int.h"

/* A filtered command: its calls reach us, it dies with us (or its calls
 * would fail), and its children are ours too (they inherit the filter). */
#define FILTERED_OPTIONS (PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL | PTRACE_O_TRACEFORK | \
			  PTRACE_O_TRACEVFORK)

static unsigned int trace_options(const struct seize_tracer *t)
{
	unsigned int options = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;

	if (t->cfg.flags & SEIZE_TRACER_FOLLOW_CHILDREN)
		options |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	return options;
}

/* Errors are API: each call returns only the values its header and page
 * list.  Anything else a lower layer gives becomes -EIO, the one catch-all
 * (no call lists it otherwise). */
static int rc_filter(int ret, const int *listed)
{
	if (ret >= 0)
		return ret;
	for (; *listed; listed++)
		if (-ret == *listed)
			return ret;
	return -EIO;
}
#define RC(ret, ...) rc_filter((ret), (const int[]){ __VA_ARGS__, 0 })

/* The process a call names: -EINVAL from another thread, -ESRCH if not ours. */
static int traced_proc(struct seize_tracer *t, pid_t pid, struct proc **p)
{
	if (!tracer_usable(t))
		return -EINVAL;
	*p = tracer_proc_find(t, pid);
	return *p ? 0 : -ESRCH;
}

/* What execvp's failure says to a caller of spawn: its own EPERM means the
 * seize was refused, so exec's is EACCES; no descriptor left is -EMFILE,
 * the process's or the system's. */
static int exec_error(int err)
{
	switch (err) {
	case ENOENT: case EACCES: case E2BIG: case ENAMETOOLONG: case ELOOP:
	case ENOTDIR: case ETXTBSY: case ENOMEM: case EAGAIN: case EMFILE:
		return -err;
	case EPERM:
		return -EACCES;
	case ENFILE:
		return -EMFILE;
	default:
		return -EIO;	/* EISDIR, ELIBBAD, EINVAL (a broken ELF), EIO... */
	}
}

SEIZE_EXPORT int seize_tracer_new(const struct seize_tracer_config *cfg, struct seize_tracer **out)
{
	struct seize_tracer *t;
	size_t i;

	if (!cfg || !out || (cfg->flags & ~(SEIZE_TRACER_FOLLOW_CHILDREN | SEIZE_TRACER_ALL_CHILDREN)))
		return -EINVAL;
	for (i = 0; i < sizeof(cfg->reserved) / sizeof(cfg->reserved[0]); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	t->owner_tid = (pid_t)syscall(SYS_gettid);
	t->owner = pthread_self();
	t->event_fd = -1;
	t->rearm[0] = t->rearm[1] = -1;
	*out = t;
	return 0;
}

static int detach_proc(struct seize_tracer *t, struct proc *p)
{
	pid_t pid = p->pid;
	struct thread *th;

	int tries = 0;

again:
	tracer_hold_all(t, p);
	p = tracer_proc_find(t, pid);
	if (!p)
		return 0;
	/* Each thread takes its pending signal back; one in group-stop goes
	 * back to it (the kernel re-arms the stop on detach).  -ESRCH: it left
	 * its stop (SIGKILL, or an exec gave its tid to another thread): hold
	 * it again, and see it die or stop. */
	for (th = p->threads; th; ) {
		struct thread *next = th->next;

		if (seize_detach(th->tid, th->pending_sig) == -ESRCH && tries++ < 100) {
			th->state = THREAD_RUNNING;
			goto again;
		}
		tracer_thread_remove(t, th);
		th = next;
	}
	tracer_proc_remove(t, p);
	tracer_emit_simple(t, SEIZE_TRACER_DETACHED, pid, pid, 0);
	return 0;
}

SEIZE_EXPORT void seize_tracer_destroy(struct seize_tracer *t)
{
	if (!t)
		return;
	/* Newest first: a vfork child is let go before the parent waiting for it.
	 * A filtered one cannot live without us: it dies, as with our exit. */
	while (t->procs) {
		if (t->procs->filtered && t->procs->pid > 0)
			kill(t->procs->pid, SIGKILL);
		detach_proc(t, t->procs);
	}
	tracer_fd_stop(t);
	tracer_free_records(t);
}

/* Seize every thread in /proc/PID/task until a pass finds nothing new.
 * Threads created meanwhile by an attached thread are attached by the
 * kernel (TRACECLONE) and show up as already ours. */
static int attach_threads(struct seize_tracer *t, struct proc *p)
{
	char path[64];
	bool found_new;
	int passes = 0, zombies = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	do {
		DIR *dir = opendir(path);
		struct dirent *de;

		if (!dir) {
			if (errno == ENOENT)
				return p->nthreads ? 0 : -ESRCH;
			return errno == ENFILE ? -EMFILE : -errno;
		}
		found_new = false;
		while ((de = readdir(dir))) {
			pid_t tid = (pid_t)atoi(de->d_name);
			int ret;

			if (tid <= 0 || tidmap_get(&t->threads, tid))
				continue;
			ret = seize_attach(tid, trace_options(t));
			if (ret == -EPERM && procfs_status_field(tid, "TracerPid") == t->owner_tid)
				ret = 0;	/* attached by the kernel as a clone */
			if (ret == -ESRCH)
				continue;	/* exited meanwhile */
			if (ret == -EPERM) {
				char state = procfs_task_state(p->pid, tid);

				if (state == 'Z' || state == 'X') {
					zombies++;
					continue;	/* a dead thread of a live process */
				}
				/* Alive now: the tid was a zombie's a moment ago (an exec
				 * from another thread gives it the leader's tid). */
				if (procfs_status_field(tid, "TracerPid") == t->owner_tid)
					ret = 0;
				else
					ret = seize_attach(tid, trace_options(t));
				if (ret == -ESRCH)
					continue;
			}
			if (ret < 0) {
				closedir(dir);
				return ret;
			}
			if (!tracer_thread_add(t, p, tid)) {
				closedir(dir);
				return -ENOMEM;
			}
			found_new = true;
		}
		closedir(dir);
	} while (found_new && ++passes < 1000);
	return p->nthreads ? 0 : zombies ? -EPERM : -ESRCH;
}

static int attach(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;
	long tgid;
	int ret;

	if (!tracer_usable(t) || pid <= 0)
		return -EINVAL;
	tgid = procfs_status_field(pid, "Tgid");
	if (tgid < 0)
		return (int)tgid;
	if (tgid != pid)
		return -ESRCH;		/* a thread id, not a process */
	if (tracer_proc_find(t, pid))
		return -EALREADY;
	p = tracer_proc_add(t, pid, (pid_t)procfs_status_field(pid, "PPid"));
	if (!p)
		return -ENOMEM;
	ret = attach_threads(t, p);
	if (ret < 0) {
		/* Leave nothing attached: threads seized so far are let go. */
		if (p->nthreads)
			detach_proc(t, p);
		else
			tracer_proc_remove(t, p);
		return ret;
	}
	tracer_emit_simple(t, SEIZE_TRACER_ATTACHED, pid, pid, 0);
	tracer_fd_poke(t);
	return 0;
}

SEIZE_EXPORT int seize_tracer_attach(struct seize_tracer *t, pid_t pid)
{
	int ret = attach(t, pid);

	return RC(ret == -ENFILE ? -EMFILE : ret, ESRCH, EPERM, EALREADY, EINVAL, EMFILE, ENOMEM);
}

static int spawn(struct seize_tracer *t, char *const argv[], pid_t *pid_out)
{
	int go[2], err[2];
	struct proc *p;
	pid_t pid;
	int ret, child_errno = 0;
	ssize_t n;

	if (!tracer_usable(t) || !argv || !argv[0] || !pid_out)
		return -EINVAL;
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		ret = -errno;
		close(go[0]);
		close(go[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(go[0]); close(go[1]); close(err[0]); close(err[1]);
		return ret;
	}
	if (pid == 0) {
		sigset_t none;
		char c;

		/* Only the tracer may hold the write end, or a refused seize
		 * (its EOF) would leave this child waiting for ever. */
		close(go[1]);
		close(err[0]);

		/* The tracer may block signals it reads from a signalfd. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Wait until seized, so the exec is traced; no SIGSTOP needed. */
		if (read(go[0], &c, 1) == 1 && (child_errno = tracer_install_filter(t)) == 0)
			execvp(argv[0], argv);
		child_errno = child_errno ? child_errno : errno ? errno : EIO;
		n = write(err[1], &child_errno, sizeof(child_errno));
		(void)n;
		_exit(127);
	}
	close(go[0]);
	close(err[1]);
	ret = seize_attach(pid, trace_options(t) | (t->spawn_syscalls ? FILTERED_OPTIONS : 0));
	p = ret == 0 ? tracer_proc_add(t, pid, getpid()) : NULL;
	if (p && t->spawn_syscalls) {
		p->filtered = true;
		p->syscalls = t->spawn_syscalls;
		memcpy(p->syscall_set, t->spawn_set, sizeof(p->syscall_set));
	}
	if (p && !tracer_thread_add(t, p, pid)) {
		tracer_proc_remove(t, p);
		p = NULL;
	}
	if (!p) {
		close(go[1]);
		close(err[0]);
		/* It ran nothing; a running tracee cannot be detached, and any
		 * signal would stop it for a tracer that has no record of it. */
		kill(pid, SIGKILL);
		sys_reap(pid);
		return ret < 0 ? ret : -ENOMEM;
	}
	n = write(go[1], "g", 1);
	close(go[1]);
	/* EOF on err: the exec closed it.  A number: exec failed. */
	do
		n = read(err[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(err[0]);
	if (n == sizeof(child_errno)) {
		/* It ran nothing: reap it quietly (killed, lest a signal
		 * stop it on its way out). */
		kill(pid, SIGKILL);
		sys_reap(pid);
		tracer_proc_remove(t, p);
		return exec_error(child_errno);
	}
	tracer_emit_simple(t, SEIZE_TRACER_ATTACHED, pid, pid, 0);
	*pid_out = pid;
	tracer_fd_poke(t);
	return 0;
}

SEIZE_EXPORT int seize_tracer_spawn(struct seize_tracer *t, char *const argv[], pid_t *pid_out)
{
	int ret = spawn(t, argv, pid_out);

	if (ret == -ENFILE)
		ret = -EMFILE;
	/* The exec's own errors were sorted by exec_error(). */
	return RC(ret, ENOENT, EACCES, E2BIG, ENAMETOOLONG, ELOOP, ENOTDIR, ETXTBSY,
		  EINVAL, EAGAIN, EPERM, EMFILE, ENOMEM);
}

SEIZE_EXPORT int seize_tracer_detach(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;
	int ret = traced_proc(t, pid, &p);

	if (ret == 0 && p->filtered)
		return -EBUSY;	/* let go, its traced calls would fail with ENOSYS */
	return ret < 0 ? ret : detach_proc(t, p);
}

SEIZE_EXPORT int seize_tracer_freeze(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;
	int ret = traced_proc(t, pid, &p);

	if (ret < 0)
		return ret;
	if (p->frozen)
		return -EALREADY;
	if (tracer_hold_all(t, p) < 0)
		return 0;	/* it died meanwhile, and that was reported */
	p->frozen = true;
	tracer_emit_simple(t, SEIZE_TRACER_FROZEN, pid, pid, 0);
	return 0;
}

SEIZE_EXPORT int seize_tracer_thaw(struct seize_tracer *t, pid_t pid)
{
	struct proc *p;
	int ret = traced_proc(t, pid, &p);

	if (ret < 0)
		return ret;
	if (!p->frozen)
		return -EINVAL;
	p->frozen = false;
	tracer_release_all(p);
	return 0;
}

SEIZE_EXPORT int seize_tracer_dispatch(struct seize_tracer *t, unsigned int flags)
{
	if (!tracer_usable(t) || (flags & ~SEIZE_TRACER_WAIT))
		return -EINVAL;
	return RC(tracer_dispatch(t, flags), ECHILD, EINTR, EINVAL);
}

SEIZE_EXPORT int seize_tracer_fd(struct seize_tracer *t)
{
	int ret;

	if (!t)
		return -EINVAL;
	ret = tracer_fd_start(t);
	/* No descriptor: -EMFILE, the process's or the system's; no memory
	 * for the thread or the descriptors: -EAGAIN, try later. */
	if (ret == -ENFILE)
		ret = -EMFILE;
	else if (ret == -ENOMEM)
		ret = -EAGAIN;
	return RC(ret, EINVAL, EMFILE, EAGAIN);
}

SEIZE_EXPORT int seize_tracer_count(const struct seize_tracer *t, unsigned int *processes,
				    unsigned int *threads)
{
	if (!t)
		return -EINVAL;
	if (processes)
		*processes = t->nprocs;
	if (threads)
		*threads = t->nthreads;
	return 0;
}
