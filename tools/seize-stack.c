/* SPDX-License-Identifier: MIT */
/* seize-stack: print the stack of every thread of a running or stopped
 * process, with function names, offsets and modules, as eu-stack does; or
 * sample it N times and print the stacks by count (a poor man's profiler).
 *
 * Built on the tracer of <seize/tracer.h>: attach (PTRACE_SEIZE), freeze
 * (PTRACE_INTERRUPT on every thread; no SIGSTOP), read each thread's
 * registers (seize_get_regs) and, for the unwinder, its memory
 * (seize_read_mem), thaw, detach.  A stopped job stays stopped and its parent
 * hears of nothing; a running process runs on.  libdw (elfutils) unwinds,
 * through our own Dwfl_Thread_Callbacks (so it makes no ptrace request of its
 * own), and names the frames.  Each stack is taken as return addresses while
 * the process is frozen; the names are looked up after the thaw.
 *
 * Exit status: 0 the stacks were printed; 1 a usage error; 2 the process
 * could not be attached (the message says why); 3 another failure (the
 * process ended before a stack was taken, libdw failed, output failed).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>
#include <dwarf.h>

#include <seize/tracer.h>

#ifndef SEIZE_VERSION
#error "SEIZE_VERSION comes from meson.build: the version lives there only"
#endif
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "seize-stack knows the registers of x86_64 and aarch64 only"
#endif

#define PROGRAM "seize-stack"
#define MAX_FRAMES 256

enum {
	EXIT_USAGE = 1,
	EXIT_ATTACH = 2,
	EXIT_FAILURE_ = 3,
};

/* One thread's stack as taken while frozen: return addresses only. */
struct stack {
	pid_t tid;
	int nframes;
	char error[128];	/* why the unwinding stopped early with no frame, else "" */
	Dwarf_Addr pc[MAX_FRAMES];
	bool activation[MAX_FRAMES];	/* pc is where the thread is, not a return address */
};

/* A distinct stack in sampling mode: its names, and how often it was seen. */
struct bucket {
	unsigned long count;
	size_t len;
	char *key;		/* the frames' "function\tmodule\n" lines */
};

struct stk {
	struct seize_tracer *tracer;
	pid_t pid;
	pid_t only_tid;		/* -t, else 0 */
	bool json;
	bool gone;		/* the process ended */
	Dwfl *dwfl;
	pid_t *tids;
	size_t ntids, tids_cap;
	pid_t mem_tid;		/* the thread memory is read through */
	bool mem_checked;	/* one checked read made in this stop */
	struct stack *stacks;	/* one per tid of the sample */
	struct bucket *buckets;
	size_t nbuckets, buckets_cap;
	unsigned long taken;	/* stacks taken over all samples */
};

static volatile sig_atomic_t stop_requested;

/* ---- messages ---------------------------------------------------------- */

static void vcomplain(const char *fmt, va_list ap)
{
	fputs(PROGRAM ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROGRAM " [options] [-p] PID\n"
		"       " PROGRAM " [options] -t TID\n"
		"Print the stack of every thread of process PID (or of thread TID only),\n"
		"with function names, offsets and modules.  The process is stopped with\n"
		"PTRACE_INTERRUPT only while its stacks are read: a running process runs\n"
		"on, a stopped job stays stopped, and its parent notices nothing.\n"
		"\n"
		"  -p, --pid PID        the process\n"
		"  -t, --tid TID        only this thread (of PID, if given)\n"
		"  -n, --samples N      take N samples and print the stacks by count,\n"
		"                       most frequent first (default 1: print each thread)\n"
		"  -i, --interval MS    milliseconds between samples (default 10)\n"
		"      --json           one JSON object per line: per thread, or per\n"
		"                       distinct stack with -n\n"
		"  -h, --help           show this help and exit\n"
		"      --version        show the version and exit\n"
		"\n"
		"Exit status: 0 printed; 1 a usage error; 2 the process could not be\n"
		"attached; 3 another failure (it ended first, the unwinder failed).\n");
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '" PROGRAM " --help' for more information.\n");
	exit(EXIT_USAGE);
}

static long parse_number(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	/* Digits only: strtol() would take " 5" and "+5" too. */
	errno = 0;
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || errno || *end || v < min || v > max)
		usage_error("%s must be a number from %ld to %ld: '%s'", what, min, max, s);
	return v;
}

static void *xrealloc(void *p, size_t n, size_t size)
{
	void *q = n > SIZE_MAX / size ? NULL : realloc(p, n * size);

	if (!q) {
		complain("out of memory");
		exit(EXIT_FAILURE_);
	}
	return q;
}

/* ---- /proc ------------------------------------------------------------- */

/* The thread group of tid, from /proc/TID/status; -1 if there is none. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], line[256];
	pid_t tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* A thread's name (/proc/PID/task/TID/comm), or "?". */
static void comm_of(pid_t pid, pid_t tid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)size, f))
		snprintf(buf, size, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The threads of the process now (it is frozen: the list holds still). */
static void list_threads(struct stk *s)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	s->ntids = 0;
	if (s->only_tid) {
		if (s->tids_cap == 0)
			s->tids = xrealloc(NULL, s->tids_cap = 1, sizeof(*s->tids));
		s->tids[s->ntids++] = s->only_tid;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)s->pid);
	dir = opendir(path);
	if (!dir)
		return;	/* it ended: no threads */
	while ((d = readdir(dir))) {
		long tid = strtol(d->d_name, NULL, 10);

		if (tid <= 0)
			continue;
		if (s->ntids == s->tids_cap) {
			s->tids_cap = s->tids_cap ? 2 * s->tids_cap : 16;
			s->tids = xrealloc(s->tids, s->tids_cap, sizeof(*s->tids));
		}
		s->tids[s->ntids++] = (pid_t)tid;
	}
	closedir(dir);
	qsort(s->tids, s->ntids, sizeof(*s->tids), cmp_pid);
}

/* ---- libdw's view of the frozen threads --------------------------------- */

/* thread_arg is the thread's index in s->tids, plus one (never NULL). */
static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct stk *s = arg;
	size_t next = (size_t)(uintptr_t)*thread_argp;

	if (next >= s->ntids)
		return 0;
	*thread_argp = (void *)(uintptr_t)(next + 1);
	return s->tids[next];
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct stk *s = arg;

	for (size_t i = 0; i < s->ntids; i++)
		if (s->tids[i] == tid) {
			*thread_argp = (void *)(uintptr_t)(i + 1);
			return true;
		}
	return false;
}

/* One word of the tracee's memory.  The first read of a stop is checked (the
 * thread is ours and stopped); the rest skip the check, one system call each. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct stk *s = arg;
	uint64_t word;
	ssize_t n;

	n = seize_read_mem(s->mem_tid, addr, &word, sizeof(word),
			   s->mem_checked ? SEIZE_MEM_NO_CHECK : 0);
	if (n != (ssize_t)sizeof(word))
		return false;
	s->mem_checked = true;
	*result = word;
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct seize_regs r;
	Dwarf_Word dw[32];

	if (seize_get_regs(dwfl_thread_tid(thread), &r) < 0)
		return false;
#if defined(__x86_64__)
	/* DWARF's numbering: rax rdx rcx rbx rsi rdi rbp rsp r8..r15, then rip (16). */
	dw[0] = r.rax, dw[1] = r.rdx, dw[2] = r.rcx, dw[3] = r.rbx;
	dw[4] = r.rsi, dw[5] = r.rdi, dw[6] = r.rbp, dw[7] = r.rsp;
	dw[8] = r.r8, dw[9] = r.r9, dw[10] = r.r10, dw[11] = r.r11;
	dw[12] = r.r12, dw[13] = r.r13, dw[14] = r.r14, dw[15] = r.r15;
	dw[16] = r.rip;
	return dwfl_thread_state_registers(thread, 0, 17, dw);
#else
	/* x0..x30 are 0..30, sp is 31; the pc has no DWARF number. */
	for (int i = 0; i < 31; i++)
		dw[i] = r.regs[i];
	dw[31] = r.sp;
	if (!dwfl_thread_state_registers(thread, 0, 32, dw))
		return false;
	dwfl_thread_state_register_pc(thread, r.pc);
	return true;
#endif
}

static void detach_nothing(Dwfl *dwfl, void *arg)
{
	/* The tracer holds the threads: nothing for libdw to let go. */
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
	.detach = detach_nothing,
};

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

static int on_frame(Dwfl_Frame *frame, void *arg)
{
	struct stack *st = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	if (pc == 0 && st->nframes > 0)	/* the outermost frame's null return address */
		return DWARF_CB_ABORT;
	st->pc[st->nframes] = pc;
	st->activation[st->nframes] = activation;
	return ++st->nframes == MAX_FRAMES ? DWARF_CB_ABORT : DWARF_CB_OK;
}

/* Take the stacks of s->tids, which are stopped. */
static void take_stacks(struct stk *s)
{
	s->stacks = xrealloc(s->stacks, s->ntids ? s->ntids : 1, sizeof(*s->stacks));
	s->mem_checked = false;
	for (size_t i = 0; i < s->ntids; i++) {
		struct stack *st = &s->stacks[i];

		st->tid = s->tids[i];
		st->nframes = 0;
		st->error[0] = '\0';
		s->mem_tid = st->tid;
		if (dwfl_getthread_frames(s->dwfl, st->tid, on_frame, st) != 0 && st->nframes == 0)
			snprintf(st->error, sizeof(st->error), "%s", dwfl_errmsg(-1));
	}
}

/* ---- names --------------------------------------------------------------- */

struct frame_name {
	const char *function;	/* NULL: no symbol */
	GElf_Off offset;	/* of pc from the function's start */
	const char *module;	/* its full name, NULL: no module */
};

static void name_frame(struct stk *s, Dwarf_Addr pc, bool activation, struct frame_name *fn)
{
	/* A return address may be past the call's end (a noreturn call last in
	 * its function): look up the call's own byte. */
	Dwarf_Addr at = activation || pc == 0 ? pc : pc - 1;
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, at);
	GElf_Off off = 0;
	GElf_Sym sym;

	fn->function = NULL;
	fn->offset = 0;
	fn->module = NULL;
	if (!mod)
		return;
	fn->module = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	fn->function = dwfl_module_addrinfo(mod, at, &off, &sym, NULL, NULL, NULL);
	fn->offset = off + (pc - at);
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

/* A JSON string (quotes included); NULL as null. */
static void put_json_string(const char *v)
{
	if (!v) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_stack_text(struct stk *s, const struct stack *st)
{
	char comm[64];

	comm_of(s->pid, st->tid, comm, sizeof(comm));
	printf("TID %d (%s):\n", (int)st->tid, comm);
	for (int i = 0; i < st->nframes; i++) {
		struct frame_name fn;

		name_frame(s, st->pc[i], st->activation[i], &fn);
		printf("#%-2d 0x%016" PRIx64, i, (uint64_t)st->pc[i]);
		if (fn.function)
			printf(" %s+0x%" PRIx64, fn.function, (uint64_t)fn.offset);
		else
			printf(" ??");
		if (fn.module)
			printf(" (%s)", base_name(fn.module));
		putchar('\n');
	}
	if (st->error[0])
		printf("    (no stack: %s)\n", st->error);
}

static void print_stack_json(struct stk *s, const struct stack *st)
{
	char comm[64];

	comm_of(s->pid, st->tid, comm, sizeof(comm));
	printf("{\"pid\":%d,\"tid\":%d,\"comm\":", (int)s->pid, (int)st->tid);
	put_json_string(comm);
	printf(",\"frames\":[");
	for (int i = 0; i < st->nframes; i++) {
		struct frame_name fn;

		name_frame(s, st->pc[i], st->activation[i], &fn);
		printf("%s{\"pc\":\"0x%" PRIx64 "\",\"function\":", i ? "," : "",
		       (uint64_t)st->pc[i]);
		put_json_string(fn.function);
		printf(",\"offset\":%" PRIu64 ",\"module\":", (uint64_t)fn.offset);
		put_json_string(fn.module);
		putchar('}');
	}
	putchar(']');
	if (st->error[0]) {
		printf(",\"error\":");
		put_json_string(st->error);
	}
	printf("}\n");
}

/* ---- sampling: stacks by count ------------------------------------------ */

static void count_stack(struct stk *s, const struct stack *st)
{
	char *key = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&key, &len);

	if (!f) {
		complain("out of memory");
		exit(EXIT_FAILURE_);
	}
	for (int i = 0; i < st->nframes; i++) {
		struct frame_name fn;

		name_frame(s, st->pc[i], st->activation[i], &fn);
		if (fn.function)
			fprintf(f, "%s\t%s\n", fn.function, fn.module ? fn.module : "");
		else
			fprintf(f, "0x%" PRIx64 "\t%s\n", (uint64_t)st->pc[i],
				fn.module ? fn.module : "");
	}
	if (st->nframes == 0)
		fprintf(f, "(no stack)\t\n");
	if (fclose(f) != 0) {
		complain("out of memory");
		exit(EXIT_FAILURE_);
	}
	s->taken++;
	for (size_t i = 0; i < s->nbuckets; i++)
		if (s->buckets[i].len == len && memcmp(s->buckets[i].key, key, len) == 0) {
			s->buckets[i].count++;
			free(key);
			return;
		}
	if (s->nbuckets == s->buckets_cap) {
		s->buckets_cap = s->buckets_cap ? 2 * s->buckets_cap : 16;
		s->buckets = xrealloc(s->buckets, s->buckets_cap, sizeof(*s->buckets));
	}
	s->buckets[s->nbuckets++] = (struct bucket){ .count = 1, .len = len, .key = key };
}

static int cmp_bucket(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);	/* a stable order among equals */
}

static void print_counts(struct stk *s, unsigned long samples, long interval_ms)
{
	qsort(s->buckets, s->nbuckets, sizeof(*s->buckets), cmp_bucket);
	if (!s->json)
		printf("%lu samples of PID %d, %ld ms apart: %lu stacks, %zu distinct\n",
		       samples, (int)s->pid, interval_ms, s->taken, s->nbuckets);
	for (size_t i = 0; i < s->nbuckets; i++) {
		const struct bucket *b = &s->buckets[i];
		char *line = b->key;
		bool first = true;

		if (s->json)
			printf("{\"pid\":%d,\"count\":%lu,\"samples\":%lu,\"frames\":[",
			       (int)s->pid, b->count, samples);
		else
			printf("\n%lu (%.1f%%):\n", b->count, 100.0 * (double)b->count /
			       (double)(s->taken ? s->taken : 1));
		while (*line) {
			char *nl = strchr(line, '\n'), *tab = strchr(line, '\t');

			*nl = '\0';
			*tab = '\0';
			if (s->json) {
				printf("%s{\"function\":", first ? "" : ",");
				put_json_string(line);
				printf(",\"module\":");
				put_json_string(tab[1] ? tab + 1 : NULL);
				putchar('}');
			} else {
				printf("    %s", line);
				if (tab[1])
					printf(" (%s)", base_name(tab + 1));
				putchar('\n');
			}
			first = false;
			line = nl + 1;
		}
		if (s->json)
			printf("]}\n");
	}
}

/* ---- the tracer --------------------------------------------------------- */

static void on_event(struct seize_tracer *tracer, const struct seize_tracer_event *ev,
		     void *data)
{
	struct stk *s = data;

	if (ev->pid == s->pid)
		s->gone = true;
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

/* Let the tracer handle what comes for ms milliseconds (signals to the
 * tracee, its stops and continues): it must not wait for us. */
static void pass_time(struct stk *s, long ms)
{
	struct timespec now;
	long deadline, left;
	int fd = seize_tracer_fd(s->tracer);

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000L + now.tv_nsec / 1000000L + ms;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = deadline - (now.tv_sec * 1000L + now.tv_nsec / 1000000L);
		if (left <= 0 || stop_requested || s->gone)
			return;
		if (fd < 0) {
			struct timespec t = { left / 1000, (left % 1000) * 1000000L };

			nanosleep(&t, NULL);
			seize_tracer_dispatch(s->tracer, 0);
			continue;
		}
		if (poll(&p, 1, (int)(left > INT_MAX ? INT_MAX : left)) > 0)
			seize_tracer_dispatch(s->tracer, 0);
	}
}

/* Stop the threads, take their stacks, let them go.  False if the process
 * (or the thread of -t) is gone. */
static bool sample(struct stk *s)
{
	int ret;

	if (s->only_tid)
		ret = seize_tracer_hold(s->tracer, s->only_tid);
	else
		ret = seize_tracer_freeze(s->tracer, s->pid);
	if (ret < 0 || s->gone) {
		s->gone = true;
		return false;
	}
	list_threads(s);
	take_stacks(s);
	if (s->only_tid)
		ret = seize_tracer_release(s->tracer, s->only_tid);
	else
		ret = seize_tracer_thaw(s->tracer, s->pid);
	if (ret < 0)
		complain("cannot let thread(s) of %d go: %s", (int)s->pid, strerror(-ret));
	return true;
}

static void attach(struct stk *s)
{
	struct seize_tracer_config cfg = {
		.flags = SEIZE_TRACER_ALL_CHILDREN,
		.events = SEIZE_TRACER_MASK(SEIZE_TRACER_EXITED) |
			  SEIZE_TRACER_MASK(SEIZE_TRACER_KILLED) |
			  SEIZE_TRACER_MASK(SEIZE_TRACER_EXEC),	/* another program: stop */
		.callback = on_event,
		.data = s,
	};
	char why[256];
	int ret = seize_tracer_new(&cfg, &s->tracer);

	if (ret < 0) {
		complain("cannot create a tracer: %s", strerror(-ret));
		exit(EXIT_FAILURE_);
	}
	ret = seize_tracer_attach(s->tracer, s->pid);
	if (ret == 0)
		return;
	if (ret == -ESRCH)
		snprintf(why, sizeof(why), "no such process");
	else if (seize_explain_attach(s->pid, ret, why, sizeof(why)) < 0)
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	complain("cannot attach to %d: %s", (int)s->pid, why);
	seize_tracer_destroy(s->tracer);
	exit(EXIT_ATTACH);
}

static void setup_dwfl(struct stk *s)
{
	int ret;

	s->dwfl = dwfl_begin(&proc_callbacks);
	if (!s->dwfl) {
		complain("libdw: %s", dwfl_errmsg(-1));
		exit(EXIT_FAILURE_);
	}
	dwfl_report_begin(s->dwfl);
	ret = dwfl_linux_proc_report(s->dwfl, s->pid);
	if (ret != 0 || dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		complain("cannot read the modules of %d: %s", (int)s->pid,
			 ret > 0 ? strerror(ret) : dwfl_errmsg(-1));
		exit(EXIT_FAILURE_);
	}
	if (!dwfl_attach_state(s->dwfl, NULL, s->pid, &thread_callbacks, s)) {
		complain("libdw cannot unwind %d: %s", (int)s->pid, dwfl_errmsg(-1));
		exit(EXIT_FAILURE_);
	}
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_VERSION };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "tid", required_argument, NULL, 't' },
		{ "samples", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct stk s = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	long samples = 1, interval_ms = 10;
	unsigned long done = 0;
	bool sampling = false;
	int opt, status = 0;

	/* getopt's own messages start with argv[0]: ours, not the whole path. */
	argv[0] = (char *)PROGRAM;
	while ((opt = getopt_long(argc, argv, "p:t:n:i:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (s.pid)
				usage_error("give one process");
			s.pid = (pid_t)parse_number(optarg, "PID", 1, INT_MAX);
			break;
		case 't':
			s.only_tid = (pid_t)parse_number(optarg, "TID", 1, INT_MAX);
			break;
		case 'n':
			samples = parse_number(optarg, "-n", 1, 1000000);
			sampling = true;
			break;
		case 'i':
			interval_ms = parse_number(optarg, "-i", 0, 3600000);
			break;
		case OPT_JSON:
			s.json = true;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 ? 0 : EXIT_FAILURE_;
		case OPT_VERSION:
			printf(PROGRAM " " SEIZE_VERSION "\n");
			return fflush(stdout) == 0 ? 0 : EXIT_FAILURE_;
		default:
			fprintf(stderr, "Try '" PROGRAM " --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (s.pid || optind + 1 < argc)
			usage_error("give one process");
		s.pid = (pid_t)parse_number(argv[optind], "PID", 1, INT_MAX);
	}
	if (s.only_tid) {
		pid_t tgid = tgid_of(s.only_tid);

		if (tgid < 0) {
			complain("cannot attach to thread %d: no such thread", (int)s.only_tid);
			return EXIT_ATTACH;
		}
		if (s.pid && s.pid != tgid)
			usage_error("thread %d is not a thread of %d", (int)s.only_tid, (int)s.pid);
		s.pid = tgid;
	}
	if (!s.pid)
		usage_error("give a PID");
	if (s.pid == getpid())
		usage_error("cannot show its own stack");

	/* SIGINT, SIGTERM, SIGHUP end the sampling: what was taken is printed,
	 * the process let go as found. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	attach(&s);
	setup_dwfl(&s);
	while ((unsigned long)samples > done && !stop_requested) {
		if (done > 0)
			pass_time(&s, interval_ms);
		if (stop_requested || !sample(&s))
			break;
		done++;
		if (!sampling) {
			if (!s.json)
				printf("PID %d\n", (int)s.pid);
			for (size_t i = 0; i < s.ntids; i++) {
				if (s.json)
					print_stack_json(&s, &s.stacks[i]);
				else
					print_stack_text(&s, &s.stacks[i]);
			}
		} else {
			for (size_t i = 0; i < s.ntids; i++)
				count_stack(&s, &s.stacks[i]);
		}
	}
	if (!s.gone)
		seize_tracer_detach(s.tracer, s.pid);
	if (sampling && done > 0)
		print_counts(&s, done, interval_ms);
	if (done == 0) {
		complain("process %d ended before its stack was taken", (int)s.pid);
		status = EXIT_FAILURE_;
	}
	seize_tracer_destroy(s.tracer);
	dwfl_end(s.dwfl);
	for (size_t i = 0; i < s.nbuckets; i++)
		free(s.buckets[i].key);
	free(s.buckets);
	free(s.stacks);
	free(s.tids);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		complain("cannot write: %s", strerror(errno));
		status = EXIT_FAILURE_;
	}
	return status;
}
