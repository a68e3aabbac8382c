/* SPDX-License-Identifier: MIT */
/**
 * @file seize.h
 * libseize: Linux ptrace's seize model (PTRACE_SEIZE, PTRACE_INTERRUPT,
 * PTRACE_LISTEN) with every stop decoded into a typed event.
 *
 * @section model The stop model in brief
 *
 * A tracee attached with seize_attach() keeps running and keeps its signal and
 * job-control state: nothing is sent to it.  From then on it stops ("traps")
 * only when something happens, and the tracer learns of each stop from
 * seize_wait():
 *
 * - **signal-delivery-stop** (#SEIZE_EVENT_SIGNAL): a signal is about to be
 *   delivered.  The tracer resumes with seize_cont(tid, ev.sig) to deliver it,
 *   or with 0 to suppress it.
 * - **PTRACE_EVENT_STOP** (#SEIZE_EVENT_STOP): the tracee trapped with no
 *   signal to deliver.  Either the thread group is in **group-stop**
 *   (job control: SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU; @c group_stop is true and
 *   @c sig names the signal), or it is a plain **trap** (@c sig is SIGTRAP):
 *   the answer to seize_interrupt(), the notification that a group-stop
 *   ended (SIGCONT), or the first stop of an automatically attached child.
 * - **syscall-stop** (#SEIZE_EVENT_SYSCALL), after seize_syscall().
 * - **ptrace-event stops** (#SEIZE_EVENT_FORK ... #SEIZE_EVENT_SECCOMP), as
 *   asked by the PTRACE_O_TRACE* options; @c msg holds PTRACE_GETEVENTMSG.
 * - **death**: #SEIZE_EVENT_EXITED and #SEIZE_EVENT_KILLED.
 *
 * A tracee in group-stop can be *listened to* with seize_listen(): it stays
 * stopped (its real parent still sees it stopped) but the tracer is told, by
 * a new PTRACE_EVENT_STOP, when the group-stop ends.  That is how a tracer
 * stays out of a shell's way: it never resumes a job the shell had stopped.
 *
 * @section errors Errors
 *
 * Every function returns 0 (or a tid where said) on success and a negative
 * errno value on failure; none prints, exits or changes errno.  The errors a
 * caller will meet, and what to do about each:
 *
 * - -ESRCH: no such tracee, or it is not stopped as the request needs (it is
 *   running, or it died: wait for its death report).
 * - -EPERM: the kernel or the sandbox refuses (Yama, capabilities, seccomp,
 *   a process already traced); see seize_probe() and seize_explain_attach().
 * - -EIO: the request does not fit the stop (LISTEN outside a
 *   PTRACE_EVENT_STOP), or a signal number the kernel does not know.
 * - -EINVAL: misuse of the library (bad tid, NULL pointer, unknown flag).
 *
 * @section threads Threads and signals
 *
 * The library keeps no global state: every call is thread-safe in the sense
 * that ptrace allows it (ptrace requests must come from the thread that
 * attached).  seize_decode() and seize_decode_waitid() are pure and
 * async-signal-safe.
 *
 * Requires Linux 3.4 or later (PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_LISTEN);
 * PTRACE_O_EXITKILL needs 3.8 and PTRACE_GET_SYSCALL_INFO 5.3.
 */
#ifndef SEIZE_SEIZE_H
#define SEIZE_SEIZE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * siginfo_t is POSIX, not ISO C: under a strict -std=c99 or -std=c11 the C
 * library declares it only when a feature macro asks for it (glibc turns on
 * _DEFAULT_SOURCE in the gnu modes, g++ defines _GNU_SOURCE).  Tested after
 * the includes above, which settle those macros: one clear error rather
 * than a cascade of "unknown type name".
 */
#if !((defined(_POSIX_C_SOURCE) && _POSIX_C_SOURCE - 0 >= 199309L) || \
      (defined(_XOPEN_SOURCE) && _XOPEN_SOURCE - 0 >= 500) || \
      defined(_GNU_SOURCE) || defined(_DEFAULT_SOURCE) || defined(_BSD_SOURCE))
#error "libseize needs POSIX siginfo_t: define _POSIX_C_SOURCE=200809L before any #include (or use -std=gnu11)"
#else

#ifdef __cplusplus
extern "C" {
#endif

/** The kind of a decoded stop or death. */
enum seize_event_type {
	SEIZE_EVENT_NONE = 0,	/**< nothing (SEIZE_WAIT_NOHANG found nothing ready) */
	SEIZE_EVENT_SIGNAL,	/**< signal-delivery-stop: @c sig is about to be delivered */
	SEIZE_EVENT_STOP,	/**< PTRACE_EVENT_STOP: see @c group_stop */
	SEIZE_EVENT_SYSCALL,	/**< syscall-stop (entry or exit) */
	SEIZE_EVENT_FORK,	/**< PTRACE_EVENT_FORK: @c msg is the new child's pid */
	SEIZE_EVENT_VFORK,	/**< PTRACE_EVENT_VFORK: @c msg is the new child's pid */
	SEIZE_EVENT_CLONE,	/**< PTRACE_EVENT_CLONE: @c msg is the new thread's tid */
	SEIZE_EVENT_EXEC,	/**< PTRACE_EVENT_EXEC: @c msg is the former tid of the execing thread */
	SEIZE_EVENT_VFORK_DONE,	/**< PTRACE_EVENT_VFORK_DONE: @c msg is the child's pid */
	SEIZE_EVENT_EXIT,	/**< PTRACE_EVENT_EXIT: @c msg is the wait status it will exit with */
	SEIZE_EVENT_SECCOMP,	/**< PTRACE_EVENT_SECCOMP: @c msg is the filter's SECCOMP_RET_DATA */
	SEIZE_EVENT_EXITED,	/**< the tracee exited: @c exit_code */
	SEIZE_EVENT_KILLED,	/**< the tracee was killed: @c sig, @c core_dumped */
	/* Added in 0.1 beyond the contract's list: */
	SEIZE_EVENT_CONTINUED,	/**< a stopped child was continued (status 0xffff, CLD_CONTINUED):
				     only seen by a real parent waiting with WCONTINUED; @c sig is SIGCONT */
};

/** One decoded stop or death.  Zero-initialise it, or let the calls fill it whole. */
struct seize_event {
	enum seize_event_type type;
	pid_t tid;		/**< the thread that stopped or died */
	int sig;		/**< SIGNAL: the pending signal; STOP: SIGTRAP, or the signal
				     that stopped the group; KILLED: the fatal signal; else 0 */
	bool group_stop;	/**< STOP: true when the tracee is in group-stop (sig is a stop
				     signal), false for a trap with no group-stop in effect */
	int exit_code;		/**< EXITED: the exit status, 0 to 255 */
	bool core_dumped;	/**< KILLED: a core was dumped */
	unsigned long msg;	/**< ptrace-event stops: PTRACE_GETEVENTMSG */
	bool has_siginfo;	/**< @c siginfo is valid */
	siginfo_t siginfo;	/**< SIGNAL always (seize_wait); STOP where fetched */
	int status;		/**< the raw wait(2) status word it was decoded from */
	uint64_t reserved[7];	/**< zero; room to grow without an ABI break */
};

/**
 * Attach to @p tid with PTRACE_SEIZE, without stopping it.
 *
 * PTRACE_O_TRACESYSGOOD is always added, so that a syscall-stop can never be
 * taken for a SIGTRAP.  Each thread is attached on its own.
 *
 * @param tid      the thread to attach to (> 0)
 * @param options  PTRACE_O_* bits from <sys/ptrace.h>
 * @return 0 on success, or
 * @retval -EINVAL  @p tid <= 0, or an option bit the kernel does not define
 *                  (PTRACE_SEIZE_DEVEL included); refused before any system call
 * @retval -ESRCH   no such thread
 * @retval -EPERM   refused: it is this process, it is already traced, a kernel
 *                  thread, or Yama, capabilities or seccomp forbid it
 *                  (seize_explain_attach() says which)
 * @note Linux 3.4; PTRACE_O_EXITKILL needs 3.8 (else -EINVAL from the kernel).
 */
int seize_attach(pid_t tid, unsigned int options);

/**
 * Ask a seized tracee to stop (PTRACE_INTERRUPT).  It reports a
 * #SEIZE_EVENT_STOP soon after, unless another stop comes first; an INTERRUPT
 * on a listening tracee makes it trap again at once.
 *
 * @retval 0        asked
 * @retval -EINVAL  @p tid <= 0
 * @retval -ESRCH   not our tracee (not traced, or traced by another)
 * @retval -EIO     the tracee was attached with PTRACE_ATTACH, not seized
 */
int seize_interrupt(pid_t tid);

/**
 * Let a tracee stopped in PTRACE_EVENT_STOP stay stopped while the tracer is
 * told of the next change of its job-control state (PTRACE_LISTEN).
 *
 * @retval 0        listening; the next seize_wait() reports the change
 * @retval -EINVAL  @p tid <= 0
 * @retval -ESRCH   not our tracee, or not stopped (running, listening already)
 * @retval -EIO     stopped, but not in a PTRACE_EVENT_STOP (e.g. at a
 *                  signal-delivery-stop: resume it with seize_cont() instead)
 */
int seize_listen(pid_t tid);

/**
 * Resume a stopped tracee (PTRACE_CONT), delivering @p sig (0: none).
 *
 * @retval 0        resumed
 * @retval -EINVAL  @p tid <= 0
 * @retval -ESRCH   not our tracee, or not stopped
 * @retval -EIO     @p sig is not a signal number
 */
int seize_cont(pid_t tid, int sig);

/**
 * Detach from a stopped tracee (PTRACE_DETACH), delivering @p sig (0: none).
 * If its group-stop is in effect, the tracee goes back to it.
 *
 * @retval 0        detached
 * @retval -EINVAL  @p tid <= 0
 * @retval -ESRCH   not our tracee, or not stopped
 * @retval -EIO     @p sig is not a signal number
 */
int seize_detach(pid_t tid, int sig);

/**
 * Resume a stopped tracee until its next syscall entry or exit
 * (PTRACE_SYSCALL), delivering @p sig (0: none).  Errors as seize_cont().
 */
int seize_syscall(pid_t tid, int sig);

/** seize_wait() flag: return 0 at once (event type NONE) if nothing is ready. */
#define SEIZE_WAIT_NOHANG	(1u << 0)

/**
 * Wait for the next stop or death of @p tid and decode it.
 *
 * Waits with __WALL, so threads and children are reported alike.  For a
 * signal-delivery-stop and a PTRACE_EVENT_STOP it also fetches the stop's
 * siginfo (sender's pid and uid, and the group-stop state); for a ptrace-event
 * stop it fetches @c msg.  If the tracee dies between the stop and those
 * fetches, the event is still returned, with @c has_siginfo false, and its
 * death is reported by a later call.
 *
 * @param tid    the thread to wait for, or -1 for any child or tracee
 * @param ev     filled in whole
 * @param flags  0 or SEIZE_WAIT_NOHANG
 * @return the tid of the event, or
 * @retval 0        SEIZE_WAIT_NOHANG and nothing ready (@c ev->type NONE)
 * @retval -EINVAL  @p ev NULL, @p tid 0 or below -1, an unknown flag, or a
 *                  status word no kernel produces
 * @retval -ECHILD  no such child or tracee to wait for
 * @retval -EINTR   a signal handler ran; nothing was consumed.  Not retried,
 *                  so the caller can react to its own signals.
 */
int seize_wait(pid_t tid, struct seize_event *ev, unsigned int flags);

/**
 * Decode a wait(2) status word, and the stop's siginfo where the caller has
 * it (NULL otherwise), with no system call.  @p si is copied, not checked.
 *
 * @retval 0        @p ev filled in
 * @retval -EINVAL  @p ev NULL, or a status that no kernel produces (bits
 *                  above the event byte, a signal number above 64, a ptrace
 *                  event that does not exist, a SIGTRAP-less event stop, a
 *                  PTRACE_EVENT_STOP whose signal is neither SIGTRAP nor a
 *                  stop signal); @p ev is then zeroed
 * @note Pure and async-signal-safe.
 */
int seize_decode(pid_t tid, int wstatus, const siginfo_t *si, struct seize_event *ev);

/**
 * The twin of seize_decode() for waitid(2) callers: from waitid's own
 * siginfo @p wsi (si_pid is the tid; si_code CLD_TRAPPED with si_status
 * event << 8 | sig, CLD_STOPPED, CLD_CONTINUED, CLD_EXITED, CLD_KILLED or
 * CLD_DUMPED) the same event that seize_decode() gives for the matching
 * status word.  A @p wsi whose si_pid is 0 (WNOHANG, nothing ready) gives
 * #SEIZE_EVENT_NONE.
 *
 * @retval 0        @p ev filled in
 * @retval -EINVAL  @p wsi or @p ev NULL, si_signo not SIGCHLD, an unknown
 *                  si_code, or a status as in seize_decode()
 */
int seize_decode_waitid(const siginfo_t *wsi, const siginfo_t *si, struct seize_event *ev);

/**
 * The name of an event type: "none", "signal", "group-stop" (a STOP event
 * is named by seize_event_name()), "syscall", "fork", "vfork", "clone",
 * "exec", "vfork-done", "exit", "seccomp", "exited", "killed", "continued".
 * @return a static string, or NULL for a value outside the enum.
 */
const char *seize_event_type_name(enum seize_event_type type);

/**
 * The name of one event, telling the two kinds of STOP apart:
 * "group-stop" when @c group_stop is true, "trap" otherwise; other types as
 * seize_event_type_name().  @return a static string, or NULL if @p ev is
 * NULL or its type is outside the enum.
 */
const char *seize_event_name(const struct seize_event *ev);

/* ------------------------------------------------------------------------ */
/* The probe: what the running kernel and sandbox allow.                    */

/** seize_probe() feature bits: what worked on a child of this process. */
#define SEIZE_FEATURE_SEIZE		(1u << 0)	/**< PTRACE_SEIZE (3.4) */
#define SEIZE_FEATURE_INTERRUPT		(1u << 1)	/**< PTRACE_INTERRUPT (3.4) */
#define SEIZE_FEATURE_LISTEN		(1u << 2)	/**< PTRACE_LISTEN (3.4) */
#define SEIZE_FEATURE_EXITKILL		(1u << 3)	/**< PTRACE_O_EXITKILL (3.8) */
#define SEIZE_FEATURE_SYSCALL_INFO	(1u << 4)	/**< PTRACE_GET_SYSCALL_INFO (5.3) */

/** Why ptrace is refused here, when it is (seize_probe()). */
enum seize_refusal {
	SEIZE_REFUSAL_NONE = 0,		/**< ptrace works on our own children */
	SEIZE_REFUSAL_SECCOMP,		/**< a seccomp filter refuses ptrace(2) */
	SEIZE_REFUSAL_YAMA,		/**< Yama's ptrace_scope forbids it */
	SEIZE_REFUSAL_CAPABILITY,	/**< CAP_SYS_PTRACE is needed and missing */
	SEIZE_REFUSAL_OTHER,		/**< refused for a reason the probe cannot name */
};

/** What seize_probe() found. */
struct seize_probe {
	unsigned int features;		/**< SEIZE_FEATURE_* bits that worked */
	enum seize_refusal refusal;	/**< why ptrace is refused, if it is */
	int error;			/**< the -errno the refused request gave, else 0;
					     -EPERM when the helper was killed (seccomp) */
	int yama_ptrace_scope;		/**< /proc/sys/kernel/yama/ptrace_scope, -1 without Yama */
	bool seccomp_filtered;		/**< this process runs under a seccomp filter */
	bool cap_sys_ptrace;		/**< CAP_SYS_PTRACE is in the effective set */
	char reason[160];		/**< one sentence on the refusal, "" when none */
	uint64_t reserved[4];		/**< zero */
};

/**
 * Find out, before trying for real, what ptrace can do here: fork a
 * short-lived helper that seizes, interrupts and listens to a child of its
 * own, and read the sandbox's settings.  The helper runs in its own process,
 * so a seccomp filter that kills on ptrace(2) kills only it.  Every process
 * the probe starts is reaped before it returns.
 *
 * @retval 0        @p probe filled in (a refusal is a result, not an error)
 * @retval -EINVAL  @p probe NULL
 * @retval -EAGAIN  fork failed (-ENOMEM likewise); try again later
 * @retval -EMFILE  no descriptor left for its pipe (-ENFILE likewise)
 * @note Takes about a millisecond; call it once.  Not async-signal-safe.
 */
int seize_probe(struct seize_probe *probe);

/**
 * Turn a failed seize_attach(@p tid) into one sentence a person can act on,
 * e.g. "process 4242 is already traced by 4100 (strace)", "process 4242 is a
 * zombie", "Yama ptrace_scope=1 allows tracing only of descendants".  It reads
 * /proc at the time of the call.
 *
 * @param tid    the thread the attach was for
 * @param error  the negative errno seize_attach() returned
 * @param buf    where the sentence goes, NUL-terminated and cut to @p size
 * @param size   the size of @p buf
 * @return the length of the whole sentence (as snprintf), or
 * @retval -EINVAL  @p buf NULL with @p size > 0, or @p error >= 0
 */
int seize_explain_attach(pid_t tid, int error, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Inspection of a stopped tracee: registers, memory, the system call.     */
/*                                                                          */
/* Every call below needs @p tid to be a thread that the calling thread     */
/* traces and that is in a ptrace-stop (any stop seize_wait() reported and  */
/* that has not been resumed since; not a listening tracee).  Anything else */
/* is -ESRCH: never an answer from a running thread.  The register and      */
/* syscall calls get that check from the kernel; the memory calls make it   */
/* with one cheap request (PTRACE_GETEVENTMSG) before the transfer, since   */
/* process_vm_readv(2) and /proc/PID/mem would read a running process too  */
/* (a one-word read is a PEEKDATA instead, which is checked by the kernel). */
/* None allocates; each is thread-safe as the other requests are.           */

/**
 * The general registers of a thread, as NT_PRSTATUS holds them: the layout
 * of the kernel's user_regs_struct (x86_64) or user_pt_regs (aarch64), field
 * for field, so that a caller needs neither <sys/user.h> nor <asm/ptrace.h>.
 * On other architectures it is an opaque buffer of the same role, filled to
 * the size of the kernel's set (use seize_get_regset() to learn its size).
 */
struct seize_regs {
#if defined(__x86_64__)
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint64_t orig_rax;	/**< the system call number at a syscall-stop, else -1 */
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
#elif defined(__aarch64__)
	uint64_t regs[31];	/**< x0 to x30 (x30 is the link register) */
	uint64_t sp, pc, pstate;
#else
	uint64_t raw[128];	/**< this architecture's NT_PRSTATUS, untyped */
#endif
};

#if defined(__x86_64__) || defined(__aarch64__)
/** seize_regs has a typed layout here: the SEIZE_REG_* accessors exist. */
#define SEIZE_REGS_TYPED 1
#endif
#if defined(__x86_64__)
/** The instruction pointer of a struct seize_regs *, as an lvalue. */
#define SEIZE_REG_PC(r)		((r)->rip)
/** The stack pointer, as an lvalue. */
#define SEIZE_REG_SP(r)		((r)->rsp)
/** A system call's return value at its exit stop (and the first argument
 *  register on aarch64), as an lvalue. */
#define SEIZE_REG_RETVAL(r)	((r)->rax)
#elif defined(__aarch64__)
#define SEIZE_REG_PC(r)		((r)->pc)
#define SEIZE_REG_SP(r)		((r)->sp)
#define SEIZE_REG_RETVAL(r)	((r)->regs[0])
#endif

/**
 * Read the general registers of the stopped tracee @p tid
 * (PTRACE_GETREGSET, NT_PRSTATUS).
 *
 * @param tid   a thread we trace, in a ptrace-stop
 * @param regs  filled in whole
 * @retval 0        @p regs filled in
 * @retval -EINVAL  @p tid <= 0 or @p regs NULL; refused before any system call
 * @retval -ESRCH   not our tracee, not stopped (running, or listening), or
 *                  gone: wait for its next event (or its death) and retry
 * @retval -ENOEXEC the kernel's set has another size than struct seize_regs
 *                  (a 32-bit tracee on x86_64): use seize_get_regset()
 * @note Linux 2.6.34 (PTRACE_GETREGSET); async-signal-safe.
 */
int seize_get_regs(pid_t tid, struct seize_regs *regs);

/**
 * Write the general registers of the stopped tracee @p tid
 * (PTRACE_SETREGSET, NT_PRSTATUS).  Read them first and change what you
 * mean to: every field is written.  They take effect when it is resumed.
 *
 * @retval 0        written
 * @retval -EINVAL  @p tid <= 0 or @p regs NULL
 * @retval -ESRCH   not our tracee, not stopped, or gone (as seize_get_regs())
 * @retval -EIO     the kernel refused a value (x86_64: a segment selector
 *                  that is not a user one, an fs_base or gs_base beyond the
 *                  user address space); nothing was written
 * @retval -ENOEXEC not the tracee's register layout (as seize_get_regs())
 * @note Linux 2.6.34 (PTRACE_SETREGSET); async-signal-safe.
 */
int seize_set_regs(pid_t tid, const struct seize_regs *regs);

/**
 * Read any register set of the stopped tracee @p tid, untyped
 * (PTRACE_GETREGSET): NT_PRSTATUS, NT_PRFPREG, NT_X86_XSTATE, NT_ARM_TLS ...
 * (NT_* from <elf.h>).
 *
 * @param tid   a thread we trace, in a ptrace-stop
 * @param type  the NT_* note type of the set
 * @param buf   where the set goes
 * @param size  in: the size of @p buf; out: how many bytes the kernel wrote
 *              (less than the whole set if @p buf is smaller: the set is cut)
 * @retval 0        read; *@p size says how much
 * @retval -EINVAL  @p tid <= 0, @p size NULL, @p buf NULL with *@p size > 0;
 *                  or from the kernel: no such set on this architecture
 * @retval -ESRCH   not our tracee, not stopped, or gone
 * @retval -ENODEV  the set exists but is not active for this thread (aarch64
 *                  SVE state, for instance)
 * @retval -EFAULT  @p buf is not writable memory of ours
 * @note Linux 2.6.34; async-signal-safe.
 */
int seize_get_regset(pid_t tid, unsigned int type, void *buf, size_t *size);

/**
 * Write any register set of the stopped tracee @p tid, untyped
 * (PTRACE_SETREGSET).
 *
 * @param size  in: how many bytes of @p buf to write; out: how many the
 *              kernel took
 * @retval 0        written
 * @retval -EINVAL  as seize_get_regset(), or the kernel refused the set's
 *                  contents (a reserved bit of an XSAVE header, for instance)
 * @retval -ESRCH   not our tracee, not stopped, or gone
 * @retval -EIO     a value the kernel refuses (as seize_set_regs())
 * @retval -ENODEV  the set is not active for this thread
 * @retval -EFAULT  @p buf is not readable memory of ours
 * @note Linux 2.6.34; async-signal-safe.
 */
int seize_set_regset(pid_t tid, unsigned int type, const void *buf, size_t *size);

/** Memory flag: do not use process_vm_readv(2) (for tests, and for sandboxes
 *  that refuse it: the next path is tried at once). */
#define SEIZE_MEM_NO_VM_READV	(1u << 0)
/** Memory flag: do not use /proc/PID/mem (for tests, and where /proc is not
 *  mounted or is refused): reads and writes go word by word through
 *  PTRACE_PEEKDATA and PTRACE_POKEDATA. */
#define SEIZE_MEM_NO_PROC_MEM	(1u << 1)
/** Memory flag: skip the stop check.  The caller vouches that @p tid is our
 *  tracee in a ptrace-stop (it made another inspection call in this same
 *  stop); many small reads then cost one system call each.  Without the
 *  check, a read of a running process may succeed (it is racy, not wrong
 *  memory), and the errors are what the transfer gives. */
#define SEIZE_MEM_NO_CHECK	(1u << 2)

/**
 * Read @p len bytes of the memory of the stopped tracee @p tid at @p addr.
 *
 * Tries process_vm_readv(2) first (one system call, no descriptor), then
 * /proc/TID/mem (pread(2): it also reads pages the tracee itself may not
 * read, such as PROT_NONE ones), then PTRACE_PEEKDATA word by word, each
 * next path only where the one before is refused (EPERM, ENOSYS from a
 * seccomp filter, no /proc) or did not reach the end.  A read that runs into
 * an unmapped page returns the bytes before it.  /proc/TID/mem is opened and
 * closed within the call: nothing is cached, nothing allocated.
 *
 * With @p flags 0, a read that lies within one aligned word (8 bytes on
 * 64-bit; an unwinder's usual read) is one PTRACE_PEEKDATA, which makes the
 * stop check and the transfer in a single system call.
 *
 * Threads of one process share their memory: @p tid may be any stopped
 * thread of it.
 *
 * @param tid    a thread we trace, in a ptrace-stop
 * @param addr   an address in the tracee
 * @param buf    where the bytes go
 * @param len    how many to read (0: only the stop check)
 * @param flags  0, or SEIZE_MEM_NO_VM_READV, SEIZE_MEM_NO_PROC_MEM,
 *               SEIZE_MEM_NO_CHECK
 * @return how many bytes were read: @p len, or fewer when the range runs
 *         into memory that cannot be read; or
 * @retval -EINVAL  @p tid <= 0, @p buf NULL with @p len > 0, @p len above
 *                  SSIZE_MAX, @p addr + @p len past the end of the address
 *                  space, or an unknown flag; refused before any system call
 * @retval -ESRCH   not our tracee, not stopped, or gone: wait for its next
 *                  event (or its death) and retry
 * @retval -EFAULT  not one byte at @p addr can be read (unmapped, or beyond
 *                  the user address space); the same on every path
 * @retval -EPERM   every allowed path was refused (a seccomp filter, or
 *                  flags that left only a refused one)
 * @note process_vm_readv needs Linux 3.2; async-signal-safe.
 */
ssize_t seize_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len, unsigned int flags);

/**
 * Write @p len bytes into the memory of the stopped tracee @p tid at @p addr,
 * through /proc/TID/mem (pwrite(2)), which writes read-only mappings too, as
 * a debugger needs for a breakpoint in the text (the kernel copies the page
 * on write: the file the text comes from is not changed).  Where
 * /proc/TID/mem is refused (or with SEIZE_MEM_NO_PROC_MEM), word by word
 * through PTRACE_POKEDATA, which writes read-only mappings as well; the
 * words at either end are read first and merged, so no byte outside the
 * range changes.  process_vm_writev(2) is never used: it cannot write
 * read-only mappings.
 *
 * @param flags  0, SEIZE_MEM_NO_PROC_MEM, SEIZE_MEM_NO_CHECK
 *               (SEIZE_MEM_NO_VM_READV is accepted and changes nothing)
 * @return how many bytes were written: @p len, or fewer when the range runs
 *         into unmapped memory; or
 * @retval -EINVAL  as seize_read_mem()
 * @retval -ESRCH   not our tracee, not stopped, or gone
 * @retval -EFAULT  not one byte at @p addr can be written
 * @retval -EPERM   every allowed path was refused
 * @note Linux 2.6.39 for writes to /proc/PID/mem; async-signal-safe.
 */
ssize_t seize_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len, unsigned int flags);

/**
 * Read a NUL-terminated string of the stopped tracee @p tid at @p addr into
 * @p buf, which is always NUL-terminated.  It reads a page at a time, never
 * past the page that holds the NUL, so a string that ends just before an
 * unmapped page is read whole.
 *
 * @param size       the size of @p buf (>= 1); at most @p size - 1 bytes
 *                   of the string are kept
 * @param flags      as seize_read_mem()
 * @param truncated  if not NULL: set to true when the string did not fit
 *                   (its NUL was not within @p size - 1 bytes), else false
 * @return the length of the string in @p buf (strlen(buf)), or
 * @retval -EINVAL   as seize_read_mem(), or @p size 0
 * @retval -ESRCH    not our tracee, not stopped, or gone
 * @retval -EFAULT   the memory became unreadable before the NUL (or at
 *                   @p addr): @p buf holds the bytes before it, terminated
 * @retval -EPERM    every allowed path was refused
 * @note async-signal-safe.
 */
ssize_t seize_read_string(pid_t tid, uint64_t addr, char *buf, size_t size,
			  unsigned int flags, bool *truncated);

/** What a stop is, for seize_get_syscall_info() (PTRACE_SYSCALL_INFO_*). */
enum seize_syscall_op {
	SEIZE_SYSCALL_OP_NONE = 0,	/**< not a syscall or seccomp stop: only arch, ip, sp */
	SEIZE_SYSCALL_OP_ENTRY = 1,	/**< syscall-entry-stop: nr and args */
	SEIZE_SYSCALL_OP_EXIT = 2,	/**< syscall-exit-stop: rval and is_error */
	SEIZE_SYSCALL_OP_SECCOMP = 3,	/**< PTRACE_EVENT_SECCOMP: nr, args and ret_data */
};

/** The system call of a stop, typed (PTRACE_GET_SYSCALL_INFO). */
struct seize_syscall_info {
	enum seize_syscall_op op;
	uint32_t arch;			/**< AUDIT_ARCH_* of the call (a 32-bit call on
					     x86_64 says AUDIT_ARCH_I386) */
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	uint64_t nr;			/**< ENTRY, SECCOMP: the system call number */
	uint64_t args[6];		/**< ENTRY, SECCOMP: its arguments */
	int64_t rval;			/**< EXIT: the return value (-errno if is_error) */
	bool is_error;			/**< EXIT: rval is a -errno value */
	uint32_t ret_data;		/**< SECCOMP: the filter's SECCOMP_RET_DATA */
	uint64_t reserved[4];		/**< zero */
};

/**
 * What system call the stopped tracee @p tid is in (PTRACE_GET_SYSCALL_INFO):
 * at a syscall-entry-stop its number and arguments, at a syscall-exit-stop
 * its return value, at a PTRACE_EVENT_SECCOMP stop the number, arguments and
 * the filter's data; at any other stop, op NONE with the architecture and
 * the instruction and stack pointers.
 *
 * @param tid   a thread we trace, in a ptrace-stop
 * @param info  filled in whole (the fields op does not name are zero)
 * @retval 0        @p info filled in
 * @retval -EINVAL  @p tid <= 0 or @p info NULL
 * @retval -ESRCH   not our tracee, not stopped, or gone
 * @retval -EIO     the kernel has no PTRACE_GET_SYSCALL_INFO (before Linux
 *                  5.3): read the registers instead (seize_get_regs());
 *                  seize_probe() tells in advance (SEIZE_FEATURE_SYSCALL_INFO)
 * @note Linux 5.3; async-signal-safe.
 */
int seize_get_syscall_info(pid_t tid, struct seize_syscall_info *info);

#ifdef __cplusplus
}
#endif

#endif /* POSIX feature macros */
#endif /* SEIZE_SEIZE_H */
