/* SPDX-License-Identifier: MIT */
/**
 * @file tracer.h
 * The tracer: a stateful layer over the requests of seize.h that traces
 * whole processes (all threads, and children when asked), keeps each
 * tracee's job-control state, and turns raw stops into what they mean.
 *
 * @section policy Transparency
 *
 * A traced process behaves, for itself, its parent and its shell, as if
 * nobody traced it: signals are delivered as sent, a group-stop is LISTENed
 * (never resumed), so the real parent sees every WSTOPPED and WCONTINUED and
 * a shell's Ctrl-Z and `fg` work; detaching leaves each process running or
 * stopped as its job-control state says.  If the tracing program dies
 * instead, the kernel detaches every tracee (PTRACE_O_EXITKILL is not used)
 * and keeps the job-control state: a stopped process stays stopped, a
 * running one runs.  A signal caught at its delivery-stop is not lost with
 * the tracer either: those stops are handled from a WNOWAIT peek and never
 * consumed, so the kernel still holds the signal until the tracer passes it
 * on.
 *
 * @section events Events
 *
 * Events are handed to the callback given at creation, from inside the calls
 * that find them (seize_tracer_attach(), _dispatch(), _detach() ...), one at
 * a time, with no allocation.  The callback must not call the tracer's
 * functions other than seize_tracer_count(), seize_tracer_event_name(), and
 * the calls on the thread at its stop (seize_tracer_hold(), _release(),
 * _set_signal(), and the inspection calls of seize.h);
 * it may signal the tracees.  A stop of a 16-thread process is reported
 * once, as the process's group-stop, and its end once, as "continued".
 *
 * @section threads Threads, signals and the event fd
 *
 * A tracer belongs to the thread that created it: ptrace requests are only
 * accepted from the thread that attached, so call every function of one
 * tracer from that thread; a call from another thread is refused with
 * -EINVAL and does nothing (seize_tracer_count() and
 * seize_tracer_event_name() excepted: they make no request).  The tracer never reaps a child that is not its
 * tracee: it waits for its tracees by tid, and only peeks (WNOWAIT) at the
 * rest.  It needs no SIGCHLD: it works with SIGCHLD ignored or with
 * SA_NOCLDSTOP.  seize_tracer_fd() is made readable by a small helper thread
 * that blocks in waitid(WNOWAIT) and so consumes nothing.  The host must reap
 * its own children promptly: while a dead child of the host waits to be
 * reaped, dispatch asks each tracee in turn and the fd keeps turning
 * readable.  The host must never reap a tracee itself.
 *
 * Every call takes a tracer made by seize_tracer_new(); NULL gives -EINVAL.
 *
 * @section errors Errors
 *
 * Each call returns only the negative errno values listed for it below and
 * in its man page.  A call that can meet an error of the system which its
 * list does not name returns -EIO instead (and lists it); no call gives -EIO
 * otherwise.  After -EIO the call has done nothing, as after any other error.
 *
 * @section pids Pids
 *
 * A process's record is dropped when its death is reported (EXITED,
 * KILLED) or it is detached; from then on its pid means nothing to the
 * tracer (-ESRCH), even if the kernel hands it to a new process.  A caller
 * that keeps pids must forget each one at that event.
 */
#ifndef SEIZE_TRACER_H
#define SEIZE_TRACER_H

#include <seize/seize.h>

/* Where seize.h stopped with its #error (no POSIX feature macro), say nothing more. */
#ifdef SEIZE_WAIT_NOHANG

#ifdef __cplusplus
extern "C" {
#endif

struct seize_tracer;

/** What a tracer reports. */
enum seize_tracer_event_type {
	SEIZE_TRACER_ATTACHED = 1,	/**< a process is now traced (all its threads) */
	SEIZE_TRACER_DETACHED,		/**< a process was let go, as found */
	SEIZE_TRACER_SIGNAL,		/**< a signal is being delivered to @c tid: @c sig, sender */
	SEIZE_TRACER_GROUP_STOP,	/**< the process stopped (job control) by @c sig */
	SEIZE_TRACER_CONTINUED,		/**< the process's group-stop ended (SIGCONT) */
	SEIZE_TRACER_EXITED,		/**< the process exited: @c exit_code */
	SEIZE_TRACER_KILLED,		/**< the process was killed by @c sig (@c core_dumped) */
	SEIZE_TRACER_NEW_THREAD,	/**< @c tid is a new thread of @c pid */
	SEIZE_TRACER_NEW_CHILD,		/**< @c pid is a new child of @c parent (followed) */
	SEIZE_TRACER_EXEC,		/**< @c pid exec'd; @c former_tid is the thread that did */
	SEIZE_TRACER_THREAD_EXITED,	/**< thread @c tid of @c pid ended (the process lives on) */
	SEIZE_TRACER_FROZEN,		/**< every thread of @c pid is stopped (seize_tracer_freeze()) */
	SEIZE_TRACER_SYSCALL,		/**< @c tid enters or leaves a system call: @c syscall
					     (seize_tracer_trace_syscalls()) */
	SEIZE_TRACER_EVENT_MAX_		/* not ABI: grows as event types are added */
};

/** Bit for event type @p type in seize_tracer_config.events. */
#define SEIZE_TRACER_MASK(type)	(1u << (type))
/** Every event type. */
#define SEIZE_TRACER_ALL	(~0u)

/** One event; valid only during the callback. */
struct seize_tracer_event {
	enum seize_tracer_event_type type;
	pid_t pid;		/**< the process (thread group id) */
	pid_t tid;		/**< the thread, where the event has one (else = pid) */
	int sig;		/**< SIGNAL, GROUP_STOP, KILLED: the signal; CONTINUED: SIGCONT */
	int exit_code;		/**< EXITED */
	bool core_dumped;	/**< KILLED */
	bool has_sender;	/**< SIGNAL: the kernel said who sent it */
	pid_t sender_pid;	/**< SIGNAL: si_pid where has_sender */
	uid_t sender_uid;	/**< SIGNAL: si_uid where has_sender */
	pid_t parent;		/**< NEW_CHILD: the parent process */
	pid_t former_tid;	/**< EXEC: the tid that called execve */
	const siginfo_t *siginfo; /**< SIGNAL: the whole siginfo */
	pid_t stopped_tid;	/**< the thread at a ptrace-stop during this callback, which
				     seize_tracer_hold() may keep there; 0: none (a death,
				     or an event of a call such as ATTACHED) */
	uint32_t reserved_;	/* zero */
	const struct seize_syscall_info *syscall; /**< SYSCALL: op ENTRY (nr, args) or
						       EXIT (rval, is_error) */
	uint64_t reserved[2];
};

typedef void (*seize_tracer_callback)(struct seize_tracer *tracer,
				      const struct seize_tracer_event *ev, void *data);

/** seize_tracer_config.flags: trace children (fork, vfork) too. */
#define SEIZE_TRACER_FOLLOW_CHILDREN	(1u << 0)
/**
 * seize_tracer_config.flags: every child of this process is a tracee of
 * this tracer (a monitor that only starts or watches its tracees).  Then
 * dispatch consumes stops with one wait for any child, as a hand-written
 * loop does, instead of peeking first; a child that is not a tracee would be
 * reaped by it.
 */
#define SEIZE_TRACER_ALL_CHILDREN	(1u << 1)

struct seize_tracer_config {
	unsigned int flags;		/**< SEIZE_TRACER_FOLLOW_CHILDREN, SEIZE_TRACER_ALL_CHILDREN */
	unsigned int events;		/**< SEIZE_TRACER_MASK() bits, or SEIZE_TRACER_ALL */
	seize_tracer_callback callback;	/**< may be NULL */
	void *data;			/**< passed to the callback */
	uint64_t reserved[4];		/**< zero */
};

/**
 * Create a tracer.
 * @retval 0        *@p out set
 * @retval -EINVAL  @p cfg or @p out NULL, an unknown flag, nonzero reserved
 * @retval -ENOMEM  out of memory
 */
int seize_tracer_new(const struct seize_tracer_config *cfg, struct seize_tracer **out);

/**
 * Detach from every process as seize_tracer_detach() does, then free.  A
 * process under a seccomp filter (seize_tracer_trace_syscalls()) is killed.
 * NULL is accepted.
 */
void seize_tracer_destroy(struct seize_tracer *tracer);

/**
 * Trace process @p pid: every thread, read from /proc/PID/task until two
 * passes find nothing new.  A stopped process stays stopped (and reports
 * its group-stop); a running one runs.  Reports ATTACHED.
 *
 * @retval 0        traced
 * @retval -ESRCH   no such process (or it died while being attached), or
 *                  @p pid is a thread id, not a process id
 * @retval -EPERM   refused (see seize_explain_attach() for a sentence);
 *                  threads already attached are let go again
 * @retval -EALREADY  already traced by this tracer
 * @retval -EINVAL  @p pid <= 0, or called from a thread other than the tracer's
 * @retval -EMFILE  no descriptor left to read /proc (the process's or the system's)
 * @retval -ENOMEM  out of memory
 * @retval -EIO     another error (see @ref errors); nothing stays attached
 * @note If a thread of @p pid execs while its threads are being seized, the
 *       kernel can deadlock: PTRACE_SEIZE waits for the exec's
 *       cred_guard_mutex while the exec waits for the tracer to reap the
 *       threads it already traces (seen on Linux 6.18).  Only SIGKILL to the
 *       tracee or the tracer ends it; a caller that attaches to processes
 *       that may exec from a thread at that moment should know it.
 */
int seize_tracer_attach(struct seize_tracer *tracer, pid_t pid);

/**
 * Start @p argv (PATH is searched) traced from its first instruction: the
 * child waits on a pipe until seized, then execs; no SIGSTOP is involved.
 * Reports ATTACHED then EXEC.  The child inherits no descriptor of the tracer.
 *
 * @param pid  set to the new process's pid
 * @retval 0        started
 * @retval -ENOENT  the command was not found; the child is reaped (as for
 *                  each of execvp's errors that follow)
 * @retval -EACCES  the command may not be executed (no execute permission, a
 *                  directory, a nosuid mount: execvp's EACCES and EPERM)
 * @retval -E2BIG   the arguments and environment are too long
 * @retval -ENAMETOOLONG  the command's name or path is too long
 * @retval -ELOOP   too many symbolic links in its path
 * @retval -ENOTDIR a component of its path is not a directory
 * @retval -ETXTBSY the executable is open for writing
 * @retval -EINVAL  @p argv NULL or empty, @p pid NULL, or called from another thread
 * @retval -EAGAIN  fork failed (a process limit); try again later
 * @retval -EPERM   the seize of the child was refused (see seize_probe())
 * @retval -EMFILE  no descriptor left for its pipes (the process's or the system's)
 * @retval -ENOMEM  out of memory
 * @retval -EIO     another error (see @ref errors), e.g. an executable whose
 *                  ELF interpreter is broken; the child is reaped
 */
int seize_tracer_spawn(struct seize_tracer *tracer, char *const argv[], pid_t *pid);

/**
 * Let process @p pid go, as found: each thread is interrupted, its pending
 * signal handed back, and detached; a stopped process stays stopped.
 * Reports DETACHED.
 *
 * @retval 0        detached (or it died meanwhile, which was reported)
 * @retval -ESRCH   not traced by this tracer
 * @retval -EBUSY   it runs under a seccomp filter (seize_tracer_trace_syscalls()
 *                  with pid 0): without us its traced calls would fail
 * @retval -EINVAL  called from a thread other than the tracer's
 */
int seize_tracer_detach(struct seize_tracer *tracer, pid_t pid);

/**
 * Stop every thread of @p pid with PTRACE_INTERRUPT, without SIGSTOP: its
 * job-control state and what its parent sees are untouched.  Returns when
 * all threads are stopped (and reports FROZEN), so the caller can inspect it.
 *
 * @retval 0        frozen (or the process died meanwhile, which was reported)
 * @retval -ESRCH   not traced by this tracer
 * @retval -EALREADY  already frozen
 * @retval -EINVAL  called from a thread other than the tracer's
 */
int seize_tracer_freeze(struct seize_tracer *tracer, pid_t pid);

/**
 * Put every thread of a frozen process back exactly as it was: running, or
 * in its group-stop (listened to), with any signal that arrived meanwhile
 * delivered.
 *
 * @retval 0        thawed
 * @retval -ESRCH   not traced by this tracer
 * @retval -EINVAL  not frozen, or called from a thread other than the tracer's
 */
int seize_tracer_thaw(struct seize_tracer *tracer, pid_t pid);

/**
 * @name Holding threads (debuggers and profilers)
 *
 * By default every stop is resumed as the transparent policy says before
 * the call that found it returns.  A caller may instead keep a thread
 * stopped, look inside it (seize_get_regs(), seize_read_mem(), ... of
 * seize.h, which need a thread at a ptrace-stop), and give it back later;
 * at a SIGNAL event it may also change the signal that will be delivered.
 *
 * From a callback, only the thread at its stop (@c ev->stopped_tid) may be
 * held or released, and the calls do not wait.  To stop the whole process
 * at an event (a debugger's all-stop), hold that thread in the callback and
 * call seize_tracer_freeze() once dispatch has returned; seize_tracer_thaw()
 * then resumes every thread but those still held.
 *
 * A held thread delays nothing else, with one exception that no tracer can
 * avoid: a group-stop that begins while a thread is held completes (and the
 * real parent hears of it) only once every thread has taken part.  A thread
 * held at a STOP trap (any hold made by seize_tracer_hold() outside a
 * callback) takes part and stays held; one held at a signal-delivery-stop
 * or at a ptrace event takes part when it is released.  A SIGCONT reaches
 * the parent at once in every case.  A signal held at its delivery-stop is
 * the caller's: if the program dies before releasing it, the kernel resumes
 * the thread without it.
 * @{
 */

/**
 * Hold the threads @p tids (at most @p n) at a ptrace-stop, each until
 * released.  Outside a callback, each that runs is interrupted
 * (PTRACE_INTERRUPT: no signal, nothing the process or its parent can see)
 * and the call returns once all are stopped, handling other stops meanwhile
 * (their events are reported).  From a callback, see above.
 *
 * @retval 0        all held
 * @retval -ESRCH   a tid is not traced by this tracer (nothing was done), or
 *                  a thread died before it stopped (its death was reported;
 *                  the others are held)
 * @retval -EINVAL  @p tids NULL with @p n > 0; from a callback, a thread
 *                  other than the one at its stop; called from another thread
 */
int seize_tracer_hold_threads(struct seize_tracer *tracer, const pid_t *tids, size_t n);

/** seize_tracer_hold_threads() for one thread. */
int seize_tracer_hold(struct seize_tracer *tracer, pid_t tid);

/**
 * Give held threads back: each is resumed exactly as the transparent policy
 * would have resumed it at its stop (running with its pending signal, or
 * listened to in its group-stop), unless its process is frozen, which then
 * keeps it until seize_tracer_thaw().
 *
 * @retval 0        released
 * @retval -ESRCH   a tid is not traced by this tracer (nothing was done)
 * @retval -EINVAL  a thread is not held (nothing was done); @p tids NULL with
 *                  @p n > 0; from a callback, a thread other than the one at
 *                  its stop; called from another thread
 */
int seize_tracer_release_threads(struct seize_tracer *tracer, const pid_t *tids, size_t n);

/** seize_tracer_release_threads() for one thread. */
int seize_tracer_release(struct seize_tracer *tracer, pid_t tid);

/**
 * At a signal-delivery-stop (in the SIGNAL event's callback, or while the
 * thread is held there), choose what will be delivered when it resumes:
 * @p sig instead of the signal it stopped with, or nothing (0).
 *
 * @retval 0        set
 * @retval -ESRCH   @p tid not traced by this tracer
 * @retval -EINVAL  @p tid is not at a signal-delivery-stop (or, from a
 *                  callback, not the thread at its stop); @p sig is not 0 to
 *                  64; called from another thread
 */
int seize_tracer_set_signal(struct seize_tracer *tracer, pid_t tid, int sig);

/** @} */

/** seize_tracer_trace_syscalls() modes. */
enum seize_tracer_syscalls {
	SEIZE_SYSCALLS_OFF = 0,	/**< none (the default): the process runs at full speed */
	SEIZE_SYSCALLS_ALL,	/**< every system call */
	SEIZE_SYSCALLS_SET,	/**< those whose numbers are given */
};

/**
 * Report the system calls of process @p pid (all its threads, and threads
 * it creates later; not its children): a SEIZE_TRACER_SYSCALL event at
 * each entry and each exit of a call in the set, with what
 * PTRACE_GET_SYSCALL_INFO says of it.  The threads are resumed with
 * PTRACE_SYSCALL, so every system call stops them, reported or not: the
 * process runs slower for it, as under strace; SEIZE_SYSCALLS_OFF puts it
 * back at full speed.  Signals, group-stops and the rest are as before.
 * A thread inside a call when tracing starts reports no exit for it.
 *
 * With @p pid 0 it is for the commands seize_tracer_spawn() starts from
 * then on, and a seccomp filter does the choosing in the kernel: only the
 * calls of the set stop (SECCOMP_RET_TRACE), the others, and calls of
 * another architecture, run at full speed, as under strace --seccomp-bpf.
 * What that costs the transparency: without its tracer a filtered process
 * would get ENOSYS from each call of the set, so it dies with the tracing
 * program (PTRACE_O_EXITKILL), seize_tracer_destroy() kills it,
 * seize_tracer_detach() refuses it (-EBUSY), its children are followed
 * (they inherit the filter), its set is fixed, and a tracer without
 * CAP_SYS_ADMIN sets no_new_privs on it (its set-user-ID programs gain
 * nothing).
 *
 * @param pid   a traced process, or 0: commands spawned from now on
 * @param mode  SEIZE_SYSCALLS_OFF, _ALL, or _SET with @p nrs[0..n-1]
 *              (numbers of the process's own architecture, below 1024)
 * @retval 0        done
 * @retval -ESRCH   @p pid not traced by this tracer, or it died meanwhile
 *                  (its death was reported)
 * @retval -EBUSY   @p pid runs under a filter: its set was fixed at its start
 * @retval -EINVAL  an unknown mode, a number out of range, @p nrs NULL with
 *                  @p n > 0 for SEIZE_SYSCALLS_SET; called from a callback
 *                  or from another thread
 * @retval -ENOMEM  (@p pid 0) no memory for the filter
 * @retval -ENOSYS  (@p pid 0) no filter on this architecture (not x86_64
 *                  or aarch64)
 * @note Needs Linux 5.3 (PTRACE_GET_SYSCALL_INFO); on older kernels the
 *       events come with op NONE.
 */
int seize_tracer_trace_syscalls(struct seize_tracer *tracer, pid_t pid,
				enum seize_tracer_syscalls mode, const int *nrs, size_t n);

/** seize_tracer_dispatch() flag: block until a stop is handled, and return
 *  after that one (without it, every ready stop is handled). */
#define SEIZE_TRACER_WAIT	(1u << 0)

/**
 * Handle every stop and death that is ready, calling the callback for each
 * event, and resume each tracee as the transparent policy says.
 *
 * @return the number of stops handled (0: nothing was ready), or
 * @retval -ECHILD  no tracees left
 * @retval -EINTR   SEIZE_TRACER_WAIT and a signal handler ran
 * @retval -EINVAL  @p tracer NULL, an unknown flag, or called from another thread
 * @retval -EIO     another error (see @ref errors)
 */
int seize_tracer_dispatch(struct seize_tracer *tracer, unsigned int flags);

/**
 * A descriptor for poll/epoll that is readable while a tracee stop or death
 * is waiting; seize_tracer_dispatch() clears it.  Started on first call
 * (it starts the helper thread); owned by the tracer, do not close it.
 *
 * @return the fd, or
 * @retval -EINVAL  @p tracer NULL
 * @retval -EMFILE  no descriptor left (the process's or the system's)
 * @retval -EAGAIN  the helper thread or its descriptors could not be made
 *                  (a thread limit, or memory); try again later
 * @retval -EIO     another error (see @ref errors)
 */
int seize_tracer_fd(struct seize_tracer *tracer);

/**
 * How many processes and threads are traced now; either pointer may be NULL.
 *
 * @retval 0        set
 * @retval -EINVAL  @p tracer NULL
 */
int seize_tracer_count(const struct seize_tracer *tracer, unsigned int *processes,
		       unsigned int *threads);

/** The name of a tracer event type ("group-stop", "new-thread", ...), NULL if unknown. */
const char *seize_tracer_event_name(enum seize_tracer_event_type type);

#ifdef __cplusplus
}
#endif

#endif /* SEIZE_WAIT_NOHANG: seize.h is complete */
#endif /* SEIZE_TRACER_H */
