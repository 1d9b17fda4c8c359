// SPDX-License-Identifier: GPL-2.0
/*
 * Races against long calls. Runs inside the QEMU guest as root.
 *
 * One thread runs a long HMM_BENCH_IOC_FAULT (large windows over a big
 * range; prefill and default; read, write and mixed; THP and 4 KiB pages)
 * while the main thread, at a random moment of the call, changes the same
 * range under it: munmap, mremap (move and shrink), mprotect to PROT_NONE
 * and to read-only, bursts of MADV_DONTNEED or of fork(), or unmaps the
 * histogram or the argument struct. Every call must end with a correct
 * result (success, verdict PASS, every page accounted for) or with an
 * errno that the race explains. "dontneed-storm" zaps the range for as
 * long as the call runs: it must give up with -EBUSY (bounded retries). A
 * process doing calls must die when killed or when another of its threads
 * exits the process, and not run its endless loop of calls.
 *
 * "hit" counts the tries where the call saw the race (an error, or -EBUSY
 * or sequence retries in a successful call); the others ran it too early
 * or too late to matter.
 *
 * "overlap" counts the tries where the race operation provably ran while
 * the call was in progress, and every race must have one. The proof is
 * the histogram: filled with ~0 before the call, the module zeroes it
 * once it has checked the range (clear_user() before the first chunk)
 * and writes the real one, never all zero, only when the call succeeds.
 * A try overlaps when the histogram read all zero just before the
 * operation and still did after it: the call had begun and had not ended
 * successfully, and it cannot have failed before an operation that alone
 * makes it fail. (For unmap-hist and unmap-struct, whose operation takes
 * the page away: all zero before it, then -EFAULT from the copy-out at
 * the end of the call.) For kill and exit-group the histogram page is
 * shared with the dying process: all zero before the signal and after
 * the death means the call was cut short.
 *
 * Half of the tries (the "gated" ones: index + index / 4 even, and every
 * dontneed-storm, kill and exit-group try) wait for the histogram to read
 * zero before their random delay, so they race a call in progress; the
 * others race from the start of the ioctl() and cover its entry (the
 * mapping check). A race with no overlap after its tries runs up to
 * EXTRA_TRIES more, gated and without delay, until it has one; they are
 * counted as "extra", not in "tries".
 *
 * Every race runs in a child process under a watchdog: the test fails,
 * with the kernel stacks of the stuck tasks, when a try does not finish in
 * time. Counts per race come out as TAP diagnostics and in
 * $HMMBENCH_OUT/races-stats.txt.
 *
 * Environment: HMMBENCH_RACES_TRIES (tries per race, default 16; half of
 * that for the exit races, a sixteenth for dontneed-storm),
 * HMMBENCH_RACES_ONLY=<race> (run one race, e.g. dontneed-storm),
 * HMMBENCH_RACES_STORM_WINDOW (window of dontneed-storm, default 4096),
 * HMMBENCH_RACES_STORM_INTERVAL_MS (its pause between zaps, default 0),
 * HMMBENCH_RACES_STALL_S (watchdog: seconds a try may take, default 120).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/device.h"
#include "guest_util.h"

#define PAGE		4096UL
#define STALL_S		120	/* one try may not take longer (default) */
#define TARGET_CALL_S	0.3	/* how long the raced call should take */
#define KILL_BOUND_S(est) (30 + 10 * (est))	/* a killed caller is gone */
#define EXTRA_TRIES	8	/* bound of the tries that look for an overlap */
#define HIST_N		64	/* histogram buckets, the sentinel of a call */

/* ---- outcomes ---------------------------------------------------------- */

enum {
	OC_OK, OC_EFAULT, OC_ENOMEM, OC_EPERM, OC_EBUSY, OC_EINTR, OC_OTHER,
	OC_N
};
static const int oc_errno[OC_N] = {
	0, EFAULT, ENOMEM, EPERM, EBUSY, EINTR, -1
};
static const char *const oc_name[OC_N] = {
	"success", "EFAULT", "ENOMEM", "EPERM", "EBUSY", "EINTR", "other"
};
#define B(r)	(1u << (r))

static int oc_index(int err)
{
	int i;

	for (i = 0; i < OC_OTHER; i++)
		if (oc_errno[i] == err)
			return i;
	return OC_OTHER;
}

enum race {
	RACE_MUNMAP, RACE_MREMAP, RACE_MPROTECT_NONE, RACE_MPROTECT_RO,
	RACE_DONTNEED, RACE_FORK, RACE_UNMAP_HIST, RACE_UNMAP_STRUCT,
	RACE_STORM, RACE_KILL, RACE_EXIT_GROUP, RACE_N
};
static const char *const race_name[RACE_N] = {
	"munmap", "mremap", "mprotect-none", "mprotect-ro", "dontneed",
	"fork", "unmap-hist", "unmap-struct", "dontneed-storm", "kill",
	"exit-group"
};

struct race_stats {
	unsigned long tries;
	unsigned long hit;	/* the call saw the race: error or retries */
	unsigned long overlap;	/* the operation ran inside the call */
	unsigned long extra;	/* tries beyond "tries" to find an overlap */
	unsigned long oc[OC_N];
	unsigned long ops;	/* race operations done */
	unsigned long ebusy_retries, seq_retries;
	double slowest_s;
	int slow_dumped;
	int fails;
	char fail[4][512];
};

struct shared {
	unsigned long progress;
	char current[256];	/* the try in progress, for the watchdog */
	struct race_stats r[RACE_N];
	double read_pages_per_s, write_pages_per_s;
};

static struct shared *sh;
static struct hb_device dev;

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* ---- is a call in progress? (see the top of the file) ------------------ */

static void hist_arm(uint64_t *hist)
{
	int i;

	for (i = 0; i < HIST_N; i++)
		__atomic_store_n(&hist[i], ~0ULL, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Cleared by the module and not yet the real histogram of a success. */
static bool in_call(const uint64_t *hist)
{
	int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < HIST_N; i++)
		if (__atomic_load_n(&hist[i], __ATOMIC_RELAXED))
			return false;
	return true;
}

/* Tries that wait for the call to be in progress before their delay. */
static bool gated_index(int index)
{
	return (index + index / 4) % 2 == 0;
}

/* splitmix64, seeded per race so that a failing try can be found again */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double frand(void)
{
	return (double)(rnd() >> 11) / (double)(1ULL << 53);
}

static void race_fail(enum race race, const char *fmt, ...)
{
	struct race_stats *st = &sh->r[race];
	va_list ap;

	if (st->fails < 4) {
		va_start(ap, fmt);
		vsnprintf(st->fail[st->fails], sizeof(st->fail[0]), fmt, ap);
		va_end(ap);
	}
	st->fails++;
}

/* ---- the watchdog ------------------------------------------------------ */

/*
 * Run @fn in a child process; fail (return -1) if sh->progress does not
 * move for STALL_S seconds. The child's own descendants are its business.
 */
static void print_try_in_progress(void *unused)
{
	(void)unused;
	printf("# in progress: %s\n", sh->current);
}

static int watchdog_run(int (*fn)(void *), void *arg)
{
	const char *env = getenv("HMMBENCH_RACES_STALL_S");
	int stall_s = env && atoi(env) > 0 ? atoi(env) : STALL_S;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		_exit(fn(arg));
	}
	return watch_child(pid, &sh->progress, stall_s, 0, "no try finished",
			   print_try_in_progress, NULL);
}

/* ---- one call in a thread ---------------------------------------------- */

struct call {
	int fd;
	void *req;		/* struct hmm_bench_fault, maybe in its own page */
	bool read_back;		/* may the struct be read after the call? */
	int started, done;
	int ret;		/* 0 or -errno */
	double secs;
	struct hmm_bench_fault out;
};

static void *caller(void *arg)
{
	struct call *c = arg;
	double t0 = now_s();
	int ret;

	__atomic_store_n(&c->started, 1, __ATOMIC_RELEASE);
	ret = ioctl(c->fd, HMM_BENCH_IOC_FAULT, c->req);
	c->ret = ret < 0 ? -errno : 0;
	c->secs = now_s() - t0;
	if (!c->ret && c->read_back)
		memcpy(&c->out, c->req, sizeof(c->out));
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void wait_started(struct call *c)
{
	while (!__atomic_load_n(&c->started, __ATOMIC_ACQUIRE))
		sched_yield();
}

static bool is_done(struct call *c)
{
	return __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
}

/* ---- calibration ------------------------------------------------------- */

/* Pages per second of one uninterrupted request, to size the raced ones. */
static double measure_rate(bool write)
{
	size_t len = write ? 16UL << 20 : 64UL << 20;
	struct hmm_bench_fault req;
	double t0, t;
	void *mem;
	int ret;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return 0;
	madvise(mem, len, MADV_NOHUGEPAGE);
	hb_fault_init(&req, mem, len, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT,
		      write ? HMM_BENCH_ACCESS_WRITE : HMM_BENCH_ACCESS_READ, 512);
	t0 = now_s();
	ret = hb_device_fault(dev.fd, &req);
	t = now_s() - t0;
	munmap(mem, len);
	if (ret || t <= 0)
		return 0;
	return (double)(len / PAGE) / t;
}

/* ---- the races on the range -------------------------------------------- */

struct try {
	enum race race;
	int index;
	uint8_t *mem;		/* the range */
	size_t len;
	uint8_t *spare;		/* mremap target */
	uint32_t style, request, access, window, stride;
	bool thp;
	double est_s;		/* expected length of the call */
	double delay_s;		/* when the race hits */
	unsigned long ops;
	bool extra;		/* one of the EXTRA_TRIES */
	bool gated;		/* delay counted from "in progress" */
	uint64_t *hist;		/* the call's histogram, the sentinel */
	bool pre;		/* in progress just before the operation */
	bool overlap;		/* ... and still after one operation */
	char desc[256];
};

/* What each race may do to the call, beside success. */
static uint32_t allowed(const struct try *t)
{
	bool write = t->access == HMM_BENCH_ACCESS_WRITE;
	uint32_t ok = B(OC_OK) | B(OC_EBUSY);

	switch (t->race) {
	case RACE_MUNMAP:
	case RACE_MREMAP:
		/* before the mapping check: -ENOMEM; after it: -EFAULT */
		return ok | B(OC_EFAULT) | B(OC_ENOMEM);
	case RACE_MPROTECT_NONE:
		return ok | B(OC_EFAULT);
	case RACE_MPROTECT_RO:
		return write ? ok | B(OC_EPERM) : ok;
	case RACE_DONTNEED:
	case RACE_FORK:
	case RACE_STORM:
		return ok;
	case RACE_UNMAP_HIST:
	case RACE_UNMAP_STRUCT:
		return B(OC_OK) | B(OC_EFAULT);
	default:
		return 0;
	}
}

/* A part of the range: all of it, its first half, or a middle third. */
static void pick_part(struct try *t, uint8_t **p, size_t *len)
{
	size_t pages = t->len / PAGE;

	switch (rnd() % 3) {
	case 0:
		*p = t->mem;
		*len = t->len;
		break;
	case 1:
		*p = t->mem;
		*len = pages / 2 * PAGE;
		break;
	default:
		*p = t->mem + pages / 3 * PAGE;
		*len = pages / 3 * PAGE;
		break;
	}
}

static uint32_t storm_window(void);
static double storm_interval_s(void);

/* After one operation: did it run inside the call? */
static void note_op(struct try *t)
{
	if (t->pre && in_call(t->hist))
		t->overlap = true;
}

static int race_op(struct try *t, struct call *c, void *hist_page,
		   void *struct_page)
{
	uint8_t *p;
	size_t len;
	pid_t pid;
	int n, ret;

	pick_part(t, &p, &len);
	switch (t->race) {
	case RACE_MUNMAP:
		t->ops++;
		ret = munmap(p, len);
		note_op(t);
		return ret;
	case RACE_MREMAP:
		t->ops++;
		if (rnd() % 2) {
			/* move the whole range elsewhere */
			void *q = mremap(t->mem, t->len, t->len,
					 MREMAP_MAYMOVE | MREMAP_FIXED, t->spare);

			note_op(t);
			return q == t->spare ? 0 : -1;
		}
		/* shrink it to its first half, or to one page */
		ret = mremap(t->mem, t->len, rnd() % 2 ? t->len / 2 : PAGE, 0) ==
		      MAP_FAILED ? -1 : 0;
		note_op(t);
		return ret;
	case RACE_MPROTECT_NONE:
		t->ops++;
		ret = mprotect(p, len, PROT_NONE);
		note_op(t);
		return ret;
	case RACE_MPROTECT_RO:
		t->ops++;
		ret = mprotect(p, len, PROT_READ);
		note_op(t);
		return ret;
	case RACE_DONTNEED:
		/* a burst of 1 to 8, a tenth of the call apart */
		for (n = 1 + (int)(rnd() % 8); n && !is_done(c); n--) {
			pick_part(t, &p, &len);
			if (madvise(p, len, MADV_DONTNEED))
				return -1;
			t->ops++;
			note_op(t);
			sleep_s(t->est_s / 10);
		}
		return 0;
	case RACE_STORM:
		/* zap the whole range for as long as the call runs */
		while (!is_done(c)) {
			if (madvise(t->mem, t->len, MADV_DONTNEED))
				return -1;
			t->ops++;
			note_op(t);
			sleep_s(storm_interval_s());
		}
		return 0;
	case RACE_FORK:
		for (n = 1 + (int)(rnd() % 8); n && !is_done(c); n--) {
			pid = fork();
			if (pid < 0)
				return -1;
			if (pid == 0) {
				/* the child breaks COW on a page of its own */
				if (t->access == HMM_BENCH_ACCESS_WRITE)
					p[0] = 1;
				_exit(0);
			}
			if (waitpid(pid, NULL, 0) != pid)
				return -1;
			t->ops++;
			note_op(t);
		}
		return 0;
	case RACE_UNMAP_HIST:
		t->ops++;
		return munmap(hist_page, PAGE);
	case RACE_UNMAP_STRUCT:
		t->ops++;
		return munmap(struct_page, PAGE);
	default:
		return -1;
	}
}

static uint64_t nchunks(uint64_t npages, uint32_t window)
{
	uint64_t w = window ? window : npages;

	if (w > npages)
		w = npages;
	return (npages + w - 1) / w;
}

/* Is a successful call's result right? NULL or what is wrong. */
static const char *check_result(const struct try *t,
				const struct hmm_bench_fault *o)
{
	uint64_t n = t->len / PAGE;

	if (o->verdict != HMM_BENCH_VERDICT_PASS)
		return "success without verdict PASS";
	if (o->npages != n || o->pages_valid != n)
		return "success with npages or pages_valid != len / 4096";
	if (o->pages_bad || o->first_bad != UINT64_MAX)
		return "PASS with bad pages";
	if (t->request == HMM_BENCH_REQ_FAULT &&
	    t->access == HMM_BENCH_ACCESS_WRITE && o->pages_write != n)
		return "write request: pages_write != npages";
	if (t->request == HMM_BENCH_REQ_MIXED &&
	    o->pages_write < (n + t->stride - 1) / t->stride)
		return "mixed request: too few WRITE pages";
	if (o->calls != nchunks(n, t->window) + o->ebusy_retries + o->seq_retries)
		return "calls != chunks + retries";
	if (o->total_ns < o->fill_ns + o->fault_ns)
		return "total_ns < fill_ns + fault_ns";
	return NULL;
}

/* HMMBENCH_RACES_STORM_WINDOW: the window of the dontneed-storm race. */
static uint32_t storm_window(void)
{
	const char *s = getenv("HMMBENCH_RACES_STORM_WINDOW");

	return s && *s ? (uint32_t)strtoul(s, NULL, 0) : 4096;
}

/* HMMBENCH_RACES_STORM_INTERVAL_MS: pause between zaps (default 0). */
static double storm_interval_s(void)
{
	const char *s = getenv("HMMBENCH_RACES_STORM_INTERVAL_MS");

	return s && *s ? atof(s) / 1000 : 0;
}

static void pick_config(struct try *t)
{
	static const uint32_t windows[] = { 512, 4096, 65536, 0 };
	double rate;
	size_t pages, max_pages;

	t->style = t->index % 2 ? HMM_BENCH_STYLE_DEFAULT :
				  HMM_BENCH_STYLE_PREFILL;
	switch ((t->index / 2) % 4) {
	case 0:
		t->request = HMM_BENCH_REQ_FAULT;
		t->access = HMM_BENCH_ACCESS_READ;
		break;
	case 1:
	case 2:
		t->request = HMM_BENCH_REQ_FAULT;
		t->access = HMM_BENCH_ACCESS_WRITE;
		break;
	default:
		t->request = HMM_BENCH_REQ_MIXED;
		t->access = HMM_BENCH_ACCESS_WRITE;
		break;
	}
	/* mprotect-ro says the most about writes */
	if (t->race == RACE_MPROTECT_RO && t->index % 4 == 0)
		t->access = HMM_BENCH_ACCESS_WRITE;
	t->stride = t->request == HMM_BENCH_REQ_MIXED ? 1 + rnd() % 8 : 0;
	t->window = windows[(t->index / 8 + t->index) % 4];
	t->thp = t->index % 3 == 2;
	rate = t->access == HMM_BENCH_ACCESS_READ ? sh->read_pages_per_s :
						   sh->write_pages_per_s;
	if (rate <= 0)
		rate = 50000;
	/* Writes take memory: at most 128 MiB; reads map the zero page. */
	max_pages = t->access == HMM_BENCH_ACCESS_READ ? (1UL << 30) / PAGE :
							 (128UL << 20) / PAGE;
	if (max_pages > dev.info.max_whole_pages)
		max_pages = dev.info.max_whole_pages;
	pages = (size_t)(rate * TARGET_CALL_S);
	if (pages > max_pages)
		pages = max_pages;
	if (pages < 1024)
		pages = 1024;
	pages = (pages + 511) & ~511UL;		/* whole PMDs */
	t->len = pages * PAGE;
	t->est_s = (double)pages / rate;
	t->delay_s = frand() * t->est_s;
	t->gated = t->extra || gated_index(t->index);
	/* From "in progress", the first half of the call; extras at once. */
	if (t->gated)
		t->delay_s = t->extra ? 0 : t->delay_s / 2;
	if (t->race == RACE_STORM) {
		/*
		 * Chunks long enough that every retry is zapped while it
		 * runs: the call gives up with -EBUSY after max_retries or
		 * busy_timeout_ms (1 s by default), whichever comes first;
		 * the watchdog bounds it. (Success stays allowed: a retry
		 * that falls between two zaps may finish its chunk.)
		 */
		t->request = HMM_BENCH_REQ_FAULT;
		t->access = HMM_BENCH_ACCESS_WRITE;
		t->stride = 0;
		t->thp = false;
		t->window = storm_window();
		t->len = 4 * (size_t)(t->window ? t->window : 1024) * PAGE;
		t->est_s = (double)(t->len / PAGE) / rate;
		t->delay_s = 0;
		t->gated = true;
	}
}

/* One try: map, start the call, race it, check what came back. */
static int one_try(struct try *t, int fd)
{
	struct race_stats *st = &sh->r[t->race];
	struct hmm_bench_fault req;
	uint64_t *hist_page = NULL;
	void *struct_page = NULL;
	struct call c = { .fd = fd, .read_back = true };
	pthread_t tid;
	const char *bad;
	int r, op_ret = 0;

	pick_config(t);
	snprintf(t->desc, sizeof(t->desc),
		 "%s %stry %d: %s %s %s window %u stride %u, %zu MiB%s, race at %.3f s%s of ~%.3f s",
		 race_name[t->race], t->extra ? "extra " : "", t->index,
		 hb_style_name(t->style),
		 t->request == HMM_BENCH_REQ_MIXED ? "mixed" : "fault",
		 t->access == HMM_BENCH_ACCESS_WRITE ? "write" : "read",
		 t->window, t->stride, t->len >> 20, t->thp ? " THP" : "",
		 t->delay_s, t->gated ? " from in progress" : "", t->est_s);
	snprintf(sh->current, sizeof(sh->current), "%s", t->desc);

	t->mem = mmap(NULL, t->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	t->spare = mmap(NULL, t->len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	hist_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->mem == MAP_FAILED || t->spare == MAP_FAILED ||
	    hist_page == MAP_FAILED || struct_page == MAP_FAILED) {
		race_fail(t->race, "mmap: %s", strerror(errno));
		return -1;
	}
	madvise(t->mem, t->len, t->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);

	hb_fault_init(&req, t->mem, t->len, t->style, t->request, t->access,
		      t->window);
	req.mixed_stride = t->stride;
	req.hist_buckets = HIST_N;
	req.hist_ptr = (uintptr_t)hist_page;
	t->hist = hist_page;
	hist_arm(hist_page);
	memcpy(struct_page, &req, sizeof(req));
	c.req = struct_page;
	c.read_back = t->race != RACE_UNMAP_STRUCT;

	if (pthread_create(&tid, NULL, caller, &c)) {
		race_fail(t->race, "pthread_create");
		return -1;
	}
	wait_started(&c);
	if (t->gated)
		while (!in_call(hist_page) && !is_done(&c))
			sleep_s(20e-6);
	sleep_s(t->delay_s);
	t->pre = in_call(hist_page);
	if (t->race == RACE_DONTNEED || t->race == RACE_FORK || !is_done(&c))
		op_ret = race_op(t, &c, hist_page, struct_page);
	pthread_join(tid, NULL);
	/* These take away the page that the end of the call writes. */
	if (t->race == RACE_UNMAP_HIST || t->race == RACE_UNMAP_STRUCT)
		t->overlap = t->pre && t->ops && c.ret == -EFAULT;
	st->overlap += t->overlap;

	if (t->extra)
		st->extra++;
	else
		st->tries++;
	st->ops += t->ops;
	if (c.secs > st->slowest_s)
		st->slowest_s = c.secs;
	if (op_ret)
		race_fail(t->race, "%s: the race operation failed: %s", t->desc,
			  strerror(errno));
	r = oc_index(-c.ret);
	st->oc[r]++;

	if (!(allowed(t) & B(r)))
		race_fail(t->race, "%s: got %s (%d)", t->desc, oc_name[r], c.ret);
	if (!c.ret && c.read_back) {
		bad = check_result(t, &c.out);
		if (bad)
			race_fail(t->race, "%s: %s (valid %" PRIu64 " write %"
				  PRIu64 " bad %" PRIu64 " calls %" PRIu64
				  " ebusy %" PRIu64 " seq %" PRIu64 ")",
				  t->desc, bad, (uint64_t)c.out.pages_valid,
				  (uint64_t)c.out.pages_write,
				  (uint64_t)c.out.pages_bad, (uint64_t)c.out.calls,
				  (uint64_t)c.out.ebusy_retries,
				  (uint64_t)c.out.seq_retries);
		st->ebusy_retries += c.out.ebusy_retries;
		st->seq_retries += c.out.seq_retries;
		if (c.out.ebusy_retries || c.out.seq_retries)
			st->hit++;
	} else if (c.ret) {
		st->hit++;
	}

	/* Whatever is left of the range, wherever it is now. */
	munmap(t->mem, t->len);
	munmap(t->spare, t->len);
	if (t->race != RACE_UNMAP_HIST)
		munmap(hist_page, PAGE);
	if (t->race != RACE_UNMAP_STRUCT)
		munmap(struct_page, PAGE);
	__atomic_fetch_add(&sh->progress, 1, __ATOMIC_RELAXED);
	return 0;
}

struct race_arg {
	enum race race;
	int tries;
};

static int race_child(void *arg)
{
	const struct race_arg *a = arg;
	int i, fd;

	rng_state = 0x5eed0000ULL + (uint64_t)a->race;
	fd = open(HMM_BENCH_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 2;
	for (i = 0; i < a->tries; i++) {
		struct try t = { .race = a->race, .index = i };

		if (one_try(&t, fd))
			return 3;
	}
	/* Not one overlap: look for it, a bounded number of times. */
	for (i = 0; !sh->r[a->race].overlap && i < EXTRA_TRIES; i++) {
		struct try t = { .race = a->race, .index = a->tries + i,
				 .extra = true };

		if (one_try(&t, fd))
			return 3;
	}
	close(fd);
	return 0;
}

/* ---- a process that dies while it has calls running ------------------- */

/* Shared with the dying process: its calls' histogram, and what it saw. */
struct exit_shared {
	uint64_t hist[HIST_N];
	int pre;		/* exit-group: in progress just before exit */
};

struct exit_child {
	size_t len;
	uint32_t style, access, window;
	struct exit_shared *xs;
};

static int exit_child_started;

static void *endless_calls(void *arg)
{
	const struct exit_child *x = arg;
	struct hmm_bench_fault req;
	int fd = open(HMM_BENCH_DEVICE, O_RDWR);
	void *mem = mmap(NULL, x->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	static const char go = 'g';

	if (fd < 0 || mem == MAP_FAILED)
		_exit(5);
	madvise(mem, x->len, MADV_NOHUGEPAGE);
	hb_fault_init(&req, mem, x->len, x->style, HMM_BENCH_REQ_FAULT,
		      x->access, x->window);
	if (write(3, &go, 1) != 1)
		_exit(6);
	__atomic_store_n(&exit_child_started, 1, __ATOMIC_RELEASE);
	for (;;) {
		/* Its results cannot be seen: the process dies in one. */
		hb_fault_init(&req, mem, x->len, x->style, HMM_BENCH_REQ_FAULT,
			      x->access, x->window);
		req.hist_buckets = HIST_N;
		req.hist_ptr = (uintptr_t)x->xs->hist;
		hist_arm(x->xs->hist);
		hb_device_fault(fd, &req);
		if (x->access == HMM_BENCH_ACCESS_WRITE)
			madvise(mem, x->len, MADV_DONTNEED);
	}
	return NULL;
}

/* Wait, a bounded time, for a call of the process to be in progress. */
static bool wait_in_call(const uint64_t *hist, double bound_s)
{
	double t0 = now_s();

	while (!in_call(hist) && now_s() - t0 < bound_s)
		sleep_s(20e-6);
	return in_call(hist);
}

/*
 * RACE_KILL: SIGKILL from outside while a thread is in a call.
 * RACE_EXIT_GROUP: the main thread calls exit() while another thread is
 * in a call; the kernel kills that thread, its call must end.
 * Both wait, after their random delay, for a call to be in progress.
 */
static int exit_try(enum race race, int index, bool extra)
{
	struct race_stats *st = &sh->r[race];
	struct exit_shared *xs;
	struct exit_child x;
	double rate, est, delay, t0, took;
	int pipefd[2], status;
	bool overlap;
	char byte;
	pid_t pid;

	x.style = index % 2 ? HMM_BENCH_STYLE_DEFAULT : HMM_BENCH_STYLE_PREFILL;
	x.access = (index / 2) % 2 ? HMM_BENCH_ACCESS_WRITE :
				     HMM_BENCH_ACCESS_READ;
	x.window = index % 3 == 2 ? 0 : 4096;
	rate = x.access == HMM_BENCH_ACCESS_READ ? sh->read_pages_per_s :
						   sh->write_pages_per_s;
	if (rate <= 0)
		rate = 50000;
	x.len = (size_t)(rate * 4 * TARGET_CALL_S) * PAGE;
	if (x.len > (x.access == HMM_BENCH_ACCESS_READ ? 1UL << 30 : 128UL << 20))
		x.len = x.access == HMM_BENCH_ACCESS_READ ? 1UL << 30 : 128UL << 20;
	x.len = (x.len + (2UL << 20) - 1) & ~((2UL << 20) - 1);
	est = (double)(x.len / PAGE) / rate;
	delay = frand() * est;
	if (extra)
		delay = 0;
	snprintf(sh->current, sizeof(sh->current),
		 "%s %stry %d: %s %s window %u, %zu MiB, at %.3f s of ~%.3f s",
		 race_name[race], extra ? "extra " : "", index,
		 hb_style_name(x.style),
		 x.access == HMM_BENCH_ACCESS_WRITE ? "write" : "read", x.window,
		 x.len >> 20, delay, est);

	xs = mmap(NULL, sizeof(*xs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (xs == MAP_FAILED)
		return -1;
	hist_arm(xs->hist);
	xs->pre = 0;
	x.xs = xs;
	if (pipe(pipefd)) {
		munmap(xs, sizeof(*xs));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		munmap(xs, sizeof(*xs));
		return -1;
	}
	if (pid == 0) {
		pthread_t tid;

		close(pipefd[0]);
		if (dup2(pipefd[1], 3) != 3)
			_exit(7);
		if (pthread_create(&tid, NULL, endless_calls, &x))
			_exit(8);
		if (race == RACE_EXIT_GROUP) {
			/* wait for the first call, then leave mid-call */
			while (!__atomic_load_n(&exit_child_started,
						__ATOMIC_ACQUIRE))
				sched_yield();
			sleep_s(delay);
			xs->pre = wait_in_call(xs->hist, 5 + 4 * est);
			_exit(0);	/* exit_group(), without stdio */
		}
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (read(pipefd[0], &byte, 1) != 1) {
		close(pipefd[0]);
		waitpid(pid, &status, 0);
		race_fail(race, "%s: the child never started (status %#x)",
			  sh->current, status);
		munmap(xs, sizeof(*xs));
		return 0;
	}
	close(pipefd[0]);
	t0 = now_s();
	if (race == RACE_KILL) {
		sleep_s(delay);
		xs->pre = wait_in_call(xs->hist, 5 + 4 * est);
		t0 = now_s();
		kill(pid, SIGKILL);
	}
	/* If it is slow to go, show where it is. */
	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (now_s() - t0 > 5 + 2 * est && !st->slow_dumped) {
			st->slow_dumped = 1;
			printf("# %s: not dead %.1f s after the kill; stacks:\n",
			       sh->current, now_s() - t0);
			dump_task_stacks(pid);
			fflush(stdout);
		}
		usleep(10000);
	}
	took = now_s() - t0;
	/* In a call just before the end, and that call never finished. */
	overlap = xs->pre && in_call(xs->hist);
	munmap(xs, sizeof(*xs));
	st->overlap += overlap;
	if (extra)
		st->extra++;
	else
		st->tries++;
	st->ops++;
	if (took > st->slowest_s)
		st->slowest_s = took;
	if (race == RACE_KILL) {
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			race_fail(race, "%s: status %#x, not killed", sh->current,
				  status);
		/*
		 * One chunk at most (the whole range with window 0, which
		 * hmm_range_fault() does without a signal check), never the
		 * endless loop of calls. The bound is loose: under TCG on a
		 * busy host a 0.5 s chunk was once seen to take 20 s, and
		 * test_hostile measures the promptness itself.
		 */
		if (took > KILL_BOUND_S(est))
			race_fail(race, "%s: took %.2f s to die", sh->current, took);
		st->oc[OC_EINTR]++;
	} else {
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			race_fail(race, "%s: status %#x, not a clean exit",
				  sh->current, status);
		/* after its delay and its wait for a call (5 + 4 * est) */
		if (took > delay + 5 + 4 * est + KILL_BOUND_S(est))
			race_fail(race, "%s: took %.2f s to exit", sh->current,
				  took);
		st->oc[OC_OK]++;
	}
	st->hit++;
	__atomic_fetch_add(&sh->progress, 1, __ATOMIC_RELAXED);
	return 0;
}

static int exit_child_run(void *arg)
{
	const struct race_arg *a = arg;
	int i;

	rng_state = 0x5eed0000ULL + (uint64_t)a->race;
	for (i = 0; i < a->tries; i++)
		if (exit_try(a->race, i, false))
			return 3;
	for (i = 0; !sh->r[a->race].overlap && i < EXTRA_TRIES; i++)
		if (exit_try(a->race, a->tries + i, true))
			return 3;
	return 0;
}

/* ---- tests ------------------------------------------------------------- */

static int tries_per_race(void)
{
	const char *s = getenv("HMMBENCH_RACES_TRIES");
	int n = s ? atoi(s) : 16;

	return n > 0 ? n : 16;
}

static void report(enum race race, int status, int tries)
{
	struct race_stats *st = &sh->r[race];
	char line[512];
	size_t n = 0;
	int r, i;

	for (r = 0; r < OC_N; r++)
		if (st->oc[r] && n < sizeof(line))
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      oc_name[r], st->oc[r]);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	line[n] = 0;
	printf("# race %-13s tries=%lu overlap=%lu extra=%lu hit=%lu ops=%lu "
	       "slowest=%.2fs ebusy_retries=%lu seq_retries=%lu:%s\n",
	       race_name[race], st->tries, st->overlap, st->extra, st->hit,
	       st->ops, st->slowest_s, st->ebusy_retries, st->seq_retries,
	       line);
	for (i = 0; i < st->fails && i < 4; i++)
		printf("# race %s failure: %s\n", race_name[race], st->fail[i]);
	fflush(stdout);
	if (status == -1)
		fail_msg("watchdog: a %s try never finished (stacks above)",
			 race_name[race]);
	if (WIFSIGNALED(status))
		fail_msg("the race process died of signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(st->fails, 0);
	assert_int_equal(st->tries, (unsigned long)tries);
	if (!st->overlap)
		fail_msg("race %s never ran inside a call in %lu tries and %lu extra ones",
			 race_name[race], st->tries, st->extra);
}

static void run_race(enum race race)
{
	struct race_arg a = { .race = race, .tries = tries_per_race() };
	bool exiting = race == RACE_KILL || race == RACE_EXIT_GROUP;
	const char *only = getenv("HMMBENCH_RACES_ONLY");

	if (only && *only && strcmp(only, race_name[race]))
		skip();
	if (exiting)
		a.tries = (a.tries + 1) / 2;
	if (race == RACE_STORM)
		a.tries = (a.tries + 15) / 16;
	report(race, watchdog_run(exiting ? exit_child_run : race_child, &a),
	       a.tries);
}

#define RACE_TEST(fn, race) \
	static void fn(void **unused) { (void)unused; run_race(race); }

RACE_TEST(test_race_munmap, RACE_MUNMAP)
RACE_TEST(test_race_mremap, RACE_MREMAP)
RACE_TEST(test_race_mprotect_none, RACE_MPROTECT_NONE)
RACE_TEST(test_race_mprotect_ro, RACE_MPROTECT_RO)
RACE_TEST(test_race_dontneed, RACE_DONTNEED)
RACE_TEST(test_race_fork, RACE_FORK)
RACE_TEST(test_race_unmap_hist, RACE_UNMAP_HIST)
RACE_TEST(test_race_unmap_struct, RACE_UNMAP_STRUCT)
RACE_TEST(test_race_dontneed_storm, RACE_STORM)
RACE_TEST(test_race_kill, RACE_KILL)
RACE_TEST(test_race_exit_group, RACE_EXIT_GROUP)

/* After all that, the module still answers and a plain request passes. */
static void test_still_works(void **unused)
{
	struct hmm_bench_fault req;
	size_t len = 256 * PAGE;
	void *buf;

	(void)unused;
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	hb_fault_init(&req, buf, len, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE, 64);
	assert_int_equal(hb_device_fault(dev.fd, &req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
	munmap(buf, len);
}

static void write_stats(void)
{
	const char *outdir = getenv("HMMBENCH_OUT");
	char path[512];
	FILE *f;
	int i, r;

	if (!outdir || !*outdir)
		return;
	snprintf(path, sizeof(path), "%s/races-stats.txt", outdir);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "read_pages_per_s=%.0f\nwrite_pages_per_s=%.0f\n",
		sh->read_pages_per_s, sh->write_pages_per_s);
	for (i = 0; i < RACE_N; i++) {
		const struct race_stats *st = &sh->r[i];

		fprintf(f, "%s.tries=%lu\n%s.overlap=%lu\n%s.extra=%lu\n"
			"%s.hit=%lu\n%s.ops=%lu\n"
			"%s.slowest_s=%.3f\n%s.failures=%d\n",
			race_name[i], st->tries, race_name[i], st->overlap,
			race_name[i], st->extra, race_name[i], st->hit,
			race_name[i], st->ops, race_name[i], st->slowest_s,
			race_name[i], st->fails);
		for (r = 0; r < OC_N; r++)
			if (st->oc[r])
				fprintf(f, "%s.%s=%lu\n", race_name[i],
					oc_name[r], st->oc[r]);
	}
	fclose(f);
}

static int setup(void **unused)
{
	char msg[256];

	(void)unused;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -1;
	memset(sh, 0, sizeof(*sh));
	if (hb_device_open(&dev, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	sh->read_pages_per_s = measure_rate(false);
	sh->write_pages_per_s = measure_rate(true);
	printf("# races: a read request does %.0f pages/s, a write %.0f; "
	       "raced calls are sized for ~%.1f s\n", sh->read_pages_per_s,
	       sh->write_pages_per_s, TARGET_CALL_S);
	fflush(stdout);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	write_stats();
	hb_device_close(&dev);
	munmap(sh, sizeof(*sh));
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race_munmap),
		cmocka_unit_test(test_race_mremap),
		cmocka_unit_test(test_race_mprotect_none),
		cmocka_unit_test(test_race_mprotect_ro),
		cmocka_unit_test(test_race_dontneed),
		cmocka_unit_test(test_race_fork),
		cmocka_unit_test(test_race_unmap_hist),
		cmocka_unit_test(test_race_unmap_struct),
		cmocka_unit_test(test_race_dontneed_storm),
		cmocka_unit_test(test_race_kill),
		cmocka_unit_test(test_race_exit_group),
		cmocka_unit_test(test_still_works),
	};

	return cmocka_run_group_tests_name("races", tests, setup, teardown);
}
