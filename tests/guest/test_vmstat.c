// SPDX-License-Identifier: GPL-2.0
/*
 * The module's counts and times checked by two witnesses it does not
 * control, around single calls. Runs inside the QEMU guest as root with
 * hmm_bench loaded.
 *
 * The kernel's own counters (/proc/vmstat, event counters summed over the
 * CPUs when read, so exact): a request that faults every page of its
 * range adds one pgfault per page the module reports faulted (pages_write
 * for a write request, pages_valid for a read: hmm_vma_fault() calls
 * handle_mm_fault() once per 4 KiB page, and a THP is allocated by the
 * first of its 512), one thp_fault_alloc per PMD-mapped THP the module
 * reports (pages_pmd / 512), and, with swap readahead off
 * (vm.page-cluster 0), one pswpin per page that mincore() said was not in
 * memory; a snapshot adds none of them.
 *
 * The counters are global: anything else that faults adds to them. The
 * guest runs nothing else, and this program reads them with pread() into a
 * buffer it touched before, and calls nothing between the two reads but
 * clock_gettime() and the ioctl, all of which ran before (so no code, data
 * or stack page of its own is faulted then). What that costs in faults is
 * measured, not assumed: a null call (HMM_BENCH_F_CALIBRATE, the same path
 * without hmm_range_fault()) between the same two reads, NOISE_CALLS
 * times. Its largest pgfault delta is the tolerance; it has been 0 on every
 * kernel. Noise only adds, so a delta must be at least the module's count,
 * and at most the tolerance more, in one of TRIES tries: a module that
 * miscounts is off in every try, while a fault from elsewhere is not
 * repeated on cue.
 *
 * The wall clock (CLOCK_MONOTONIC, which ktime_get_ns() reads too) around
 * each ioctl: the module times disjoint parts of the call, so the wall
 * time is at least total_ns + verify_ns, in every call. The rest (the
 * excess) is what the module leaves untimed on purpose: system call entry
 * and exit, the copies of the struct, validation, allocation, the mapping
 * check, inserting and removing the interval notifier, the reschedule and
 * signal checks between chunks and the clock reads around the check of the
 * entries. A null call over the same range and window does all of it too,
 * and times only its fills and clock reads (total_ns). So the smallest
 * excess over TRIES calls must stay within 2 x the null call's smallest
 * excess + its smallest total_ns: the factor 2 for the caches and TLB a
 * real call leaves cold, total_ns for the two clock reads a chunk adds
 * around the check (the null call's timed region reads the clock four
 * times per chunk). Work that escaped the timed region shows when it
 * costs more than that bound (about 100 us under TCG: the faults of a few
 * pages, or a walk of a few hundred); the smallest of TRIES ignores a call
 * that the host (QEMU on a shared machine) paused. Verification counted in
 * total_ns as well as in verify_ns breaks the first rule whenever it lasts
 * longer than the untimed rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/device.h"
#include "measure/page_state.h"
#include "measure/residency.h"
#include "guest_util.h"

#define PAGE		4096UL
#define RANGE_LEN	(4UL << 20)	/* 1024 pages, two PMDs */
#define NOISE_CALLS	8
#define TRIES		5
#define NOISE_MAX	4	/* a guest noisier than this cannot check */

#define NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"
#define PAGE_CLUSTER	"/proc/sys/vm/page-cluster"
#define ZSWAP		"/sys/module/zswap/parameters/enabled"

static struct hb_device dev;

/* ---- the kernel's counters -------------------------------------------- */

enum ev { EV_PGFAULT, EV_THP_ALLOC, EV_PSWPIN, EV_N };
static const char *const ev_name[EV_N] = {
	[EV_PGFAULT] = "pgfault",
	[EV_THP_ALLOC] = "thp_fault_alloc",
	[EV_PSWPIN] = "pswpin",
};

static int vmstat_fd = -1;
static char vmstat_buf[64 << 10];

/* The events now. No allocation, nothing this process has not touched. */
static int vmstat_read(uint64_t ev[EV_N])
{
	size_t len = 0, keylen;
	ssize_t got;
	const char *p;
	int i;

	while ((got = pread(vmstat_fd, vmstat_buf + len,
			    sizeof(vmstat_buf) - 1 - len, (off_t)len)) > 0)
		len += (size_t)got;
	if (got < 0 || len == sizeof(vmstat_buf) - 1)
		return -1;
	vmstat_buf[len] = 0;
	for (i = 0; i < EV_N; i++) {
		keylen = strlen(ev_name[i]);
		for (p = vmstat_buf; p; p = strchr(p, '\n'), p = p ? p + 1 : p)
			if (!strncmp(p, ev_name[i], keylen) && p[keylen] == ' ')
				break;
		if (!p)
			return -1;
		ev[i] = strtoull(p + keylen + 1, NULL, 10);
	}
	return 0;
}

/* One call between two reads of the counters and of the clock. */
struct probe {
	int ret;
	uint64_t ev[EV_N];	/* deltas */
	uint64_t wall_ns;
};

static struct hmm_bench_fault probe_req;

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec;
}

static void probe_call(struct probe *p)
{
	uint64_t before[EV_N], after[EV_N];
	struct timespec t0, t1;
	int i, r0, r1;

	r0 = vmstat_read(before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p->ret = ioctl(dev.fd, HMM_BENCH_IOC_FAULT, &probe_req) ? -errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r1 = vmstat_read(after);
	assert_int_equal(r0, 0);
	assert_int_equal(r1, 0);
	for (i = 0; i < EV_N; i++)
		p->ev[i] = after[i] - before[i];
	p->wall_ns = ts_ns(&t1) - ts_ns(&t0);
}

/* ---- the guest's settings, restored at the end ------------------------ */

struct knob {
	const char *path;
	const char *value;	/* what the test needs */
	char saved[16];		/* "" when absent */
};

static struct knob knobs[] = {
	/* NUMA hinting faults count as pgfault, and invalidate. */
	{ NUMA_BALANCING, "0", "" },
	/* One pswpin per page faulted from swap, no readahead. */
	{ PAGE_CLUSTER, "0", "" },
	/* zswap would answer swap-ins without pswpin. */
	{ ZSWAP, "N", "" },
};

#define N_KNOBS (sizeof(knobs) / sizeof(knobs[0]))

static void knobs_set(void)
{
	size_t i;
	ssize_t got;
	int fd;

	for (i = 0; i < N_KNOBS; i++) {
		fd = open(knobs[i].path, O_RDONLY);
		if (fd < 0)
			continue;
		got = read(fd, knobs[i].saved, sizeof(knobs[i].saved) - 1);
		close(fd);
		knobs[i].saved[got > 0 ? got : 0] = 0;
		knobs[i].saved[strcspn(knobs[i].saved, "\n")] = 0;
		write_file(knobs[i].path, knobs[i].value);
	}
}

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i < N_KNOBS; i++)
		if (knobs[i].saved[0])
			write_file(knobs[i].path, knobs[i].saved);
}

/* ---- cases -------------------------------------------------------------- */

struct vm_case {
	const char *state;
	enum hmm_bench_style style;
	const char *request;	/* "read", "write" or "snap" */
	uint32_t window;
	char name[80];
};

/* Largest delta of each event over the null calls: the harness's cost. */
static uint64_t noise[EV_N];

/* Wait until no page of the guest is under writeback (at most 30 s). */
static void wait_writeback(void)
{
	uint64_t n = 1;
	double t0 = now_s();
	char *p;

	while (n && now_s() - t0 < 30) {
		memset(vmstat_buf, 0, sizeof(vmstat_buf));
		if (pread(vmstat_fd, vmstat_buf, sizeof(vmstat_buf) - 1, 0) <= 0)
			break;
		p = strstr(vmstat_buf, "\nnr_writeback ");
		n = p ? strtoull(p + 14, NULL, 10) : 0;
		if (n)
			usleep(20000);
	}
}

/*
 * The child that shares the cow state's pages faults on its own stack
 * until it sleeps in pause(): let it get there first (at most 5 s).
 */
static void wait_asleep(pid_t pid)
{
	char path[64], buf[256], *p = NULL;
	double t0 = now_s();
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	while (now_s() - t0 < 5) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return;
		got = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[got > 0 ? got : 0] = 0;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return;
		usleep(10000);
	}
}

/*
 * Build @c's state. For swapped, make sure that a fault must read the
 * disk: the pages hold data (since 6.12 a zero-filled page is swapped out
 * to a bitmap, and back without I/O); and they are out of the swap cache,
 * where MADV_PAGEOUT leaves them while their writeback runs, and where a
 * fault would find them. So: write each page, page them out, wait for the
 * writeback, map them again by reading them (clean, still in the swap
 * cache) and page them out again, which frees them at once. @resident:
 * pages mincore() finds in memory (the swap cache included).
 */
static void build(const struct vm_case *c, struct hb_range *r,
		  long long *resident)
{
	char err[256];
	size_t off;

	if (hb_range_build(r, hb_state_find(c->state), RANGE_LEN, -1, err,
			   sizeof(err)))
		fail_msg("building %s: %s", c->state, err);
	if (r->child)
		wait_asleep(r->child);
	if (!strcmp(c->state, "swapped")) {
		for (off = 0; off < r->len; off += PAGE)
			r->addr[off] = 1;
		assert_int_equal(madvise(r->addr, r->len, MADV_PAGEOUT), 0);
		wait_writeback();
		for (off = 0; off < r->len; off += PAGE)
			(void)*(volatile uint8_t *)(r->addr + off);
		assert_int_equal(madvise(r->addr, r->len, MADV_PAGEOUT), 0);
		wait_writeback();
	}
	*resident = residency_cached(r->addr, r->len);
	assert_true(*resident >= 0);
}

static void request(const struct vm_case *c, const struct hb_range *r,
		    uint32_t flags)
{
	enum hmm_bench_request rq;
	enum hmm_bench_access acc;

	assert_int_equal(hb_request_parse(c->request, &rq, &acc), 0);
	hb_fault_init(&probe_req, r->addr, r->len, c->style, rq, acc,
		      c->window);
	probe_req.flags = flags;
}

/* What the kernel must have counted for the call the module reported. */
static void expected_events(const struct vm_case *c,
			    const struct hmm_bench_fault *out,
			    long long resident, uint64_t ev[EV_N])
{
	memset(ev, 0, EV_N * sizeof(*ev));
	if (!strcmp(c->request, "snap"))
		return;
	/* Every page of these states needs a fault: one each. */
	ev[EV_PGFAULT] = strcmp(c->request, "write") ? out->pages_valid :
						       out->pages_write;
	ev[EV_THP_ALLOC] = out->pages_pmd / 512;
	if (!strcmp(c->state, "swapped"))
		ev[EV_PSWPIN] = out->pages_valid - (uint64_t)resident;
}

/*
 * The wall time of the call just probed, less what the module timed:
 * fails when that would be negative.
 */
static uint64_t untimed_ns(const char *what, int try, const struct probe *p,
			   const struct hmm_bench_fault *out)
{
	uint64_t timed = out->total_ns + out->verify_ns;

	if (p->wall_ns < timed)
		fail_msg("try %d, %s: the ioctl took %" PRIu64
			 " ns, less than total_ns %" PRIu64 " + verify_ns %"
			 PRIu64, try, what, p->wall_ns, (uint64_t)out->total_ns,
			 (uint64_t)out->verify_ns);
	return p->wall_ns - timed;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Both witnesses around one call, TRIES times on a fresh range each. */
static void run_case(void **state)
{
	const struct vm_case *c = *state;
	uint64_t want[EV_N], min_x = UINT64_MAX, min_e = UINT64_MAX;
	uint64_t min_t = UINT64_MAX, bound;
	struct hmm_bench_fault out;
	struct probe cal, real;
	struct hb_range range;
	long long resident;
	bool agreed = false, within;
	char diag[256] = "";
	int t, i;

	for (t = 0; t < TRIES; t++) {
		build(c, &range, &resident);
		/* The null call first: it changes nothing the real one sees. */
		request(c, &range, HMM_BENCH_F_CALIBRATE);
		probe_call(&cal);
		if (cal.ret)
			fail_msg("try %d: null call: %s", t, strerror(-cal.ret));
		min_e = min_u64(min_e, untimed_ns("null call", t, &cal,
						  &probe_req));
		min_t = min_u64(min_t, probe_req.total_ns);
		request(c, &range, 0);
		probe_call(&real);
		out = probe_req;
		hb_range_destroy(&range);
		if (real.ret)
			fail_msg("try %d: ioctl: %s", t, strerror(-real.ret));
		assert_int_equal(out.verdict, HMM_BENCH_VERDICT_PASS);
		min_x = min_u64(min_x, untimed_ns("call", t, &real, &out));
		/* Pages really out, or the pswpin check says little. */
		if (!strcmp(c->state, "swapped") &&
		    resident > (long long)out.npages / 4)
			fail_msg("try %d: %lld of %" PRIu64 " pages still in memory after MADV_PAGEOUT",
				 t, resident, (uint64_t)out.npages);
		if (!strcmp(c->state, "thp-none"))
			assert_int_equal(out.pages_pmd, out.npages);

		/* Noise only adds: never fewer events than the module's. */
		expected_events(c, &out, resident, want);
		within = true;
		for (i = 0; i < EV_N; i++) {
			if (real.ev[i] < want[i])
				fail_msg("try %d: %s rose by %" PRIu64
					 ", less than the %" PRIu64
					 " the module's counts say", t,
					 ev_name[i], real.ev[i], want[i]);
			within = within && real.ev[i] - want[i] <= noise[i];
		}
		agreed = agreed || within;
		if (!within)
			snprintf(diag, sizeof(diag),
				 "pgfault +%" PRIu64 " (module: %" PRIu64
				 "), thp_fault_alloc +%" PRIu64 " (%" PRIu64
				 "), pswpin +%" PRIu64 " (%" PRIu64 ")",
				 real.ev[EV_PGFAULT], want[EV_PGFAULT],
				 real.ev[EV_THP_ALLOC], want[EV_THP_ALLOC],
				 real.ev[EV_PSWPIN], want[EV_PSWPIN]);
	}
	if (!agreed)
		fail_msg("the kernel's counters exceed the module's counts by more than the null call's (pgfault %" PRIu64 ") in all %d tries; last: %s",
			 noise[EV_PGFAULT], TRIES, diag);
	bound = 2 * min_e + min_t;
	printf("# %s: untimed %" PRIu64 " ns (verification %" PRIu64
	       " ns apart); null call untimed %" PRIu64 " ns, timed %" PRIu64
	       " ns: bound %" PRIu64 " ns (%.2f of it)\n", c->name, min_x,
	       (uint64_t)out.verify_ns, min_e, min_t, bound,
	       (double)min_x / bound);
	if (min_x > bound)
		fail_msg("untimed part of the call %" PRIu64 " ns > 2 x %" PRIu64
			 " + %" PRIu64 " ns of the null call: something of the request escaped its timed region",
			 min_x, min_e, min_t);
}

/* ---- setup ---------------------------------------------------------------- */

static int setup(void **unused)
{
	static const struct vm_case warm = {
		"none", HMM_BENCH_STYLE_DEFAULT, "write", 0, "warm-up"
	};
	struct hb_range range;
	struct probe p;
	long long resident;
	char msg[256];
	int k, i;

	(void)unused;
	if (hb_device_open(&dev, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	vmstat_fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	if (vmstat_fd < 0)
		return -1;
	memset(vmstat_buf, 0, sizeof(vmstat_buf));
	knobs_set();
	/*
	 * Everything a probe runs, run once: a real call and null calls.
	 * Then the null calls' events are what probing itself costs.
	 */
	build(&warm, &range, &resident);
	request(&warm, &range, 0);
	probe_call(&p);
	for (k = 0; k < 2 + NOISE_CALLS; k++) {
		request(&warm, &range, HMM_BENCH_F_CALIBRATE);
		probe_call(&p);
		if (p.ret)
			break;
		for (i = 0; k >= 2 && i < EV_N; i++)
			noise[i] = p.ev[i] > noise[i] ? p.ev[i] : noise[i];
	}
	hb_range_destroy(&range);
	if (p.ret) {
		fprintf(stderr, "null call: %s\n", strerror(-p.ret));
		return -1;
	}
	printf("# tolerance from %d null calls: pgfault %" PRIu64
	       ", thp_fault_alloc %" PRIu64 ", pswpin %" PRIu64 "\n",
	       NOISE_CALLS, noise[EV_PGFAULT], noise[EV_THP_ALLOC],
	       noise[EV_PSWPIN]);
	if (noise[EV_PGFAULT] > NOISE_MAX) {
		fprintf(stderr, "the guest faults %" PRIu64 " pages around a null call: too noisy to check counts to the page\n",
			noise[EV_PGFAULT]);
		return -1;
	}
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	knobs_restore();
	if (vmstat_fd >= 0)
		close(vmstat_fd);
	hb_device_close(&dev);
	return 0;
}

int main(void)
{
	static struct vm_case cases[] = {
		/* every page faulted: pgfault (and thp_fault_alloc) */
		{ "none", HMM_BENCH_STYLE_DEFAULT, "write", 0, "" },
		{ "none", HMM_BENCH_STYLE_PREFILL, "write", 64, "" },
		{ "zero", HMM_BENCH_STYLE_DEFAULT, "write", 512, "" },
		{ "cow", HMM_BENCH_STYLE_PREFILL, "write", 0, "" },
		/* whole PMDs per chunk: each THP's 512 faults in one call */
		{ "thp-none", HMM_BENCH_STYLE_DEFAULT, "write", 0, "" },
		{ "thp-none", HMM_BENCH_STYLE_PREFILL, "write", 512, "" },
		/* and pswpin */
		{ "swapped", HMM_BENCH_STYLE_DEFAULT, "read", 0, "" },
		{ "swapped", HMM_BENCH_STYLE_PREFILL, "read", 64, "" },
		/* a snapshot faults nothing */
		{ "none", HMM_BENCH_STYLE_DEFAULT, "snap", 0, "" },
		{ "zero", HMM_BENCH_STYLE_PREFILL, "snap", 64, "" },
		{ "swapped", HMM_BENCH_STYLE_DEFAULT, "snap", 0, "" },
		{ "file", HMM_BENCH_STYLE_DEFAULT, "snap", 512, "" },
	};
	static struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t i, n = sizeof(cases) / sizeof(cases[0]);

	for (i = 0; i < n; i++) {
		snprintf(cases[i].name, sizeof(cases[i].name), "%s/%s/%s/w%u",
			 cases[i].request, hb_style_name(cases[i].style),
			 cases[i].state, cases[i].window);
		tests[i] = (struct CMUnitTest){
			.name = cases[i].name,
			.test_func = run_case,
			.initial_state = &cases[i],
		};
	}
	return _cmocka_run_group_tests("vmstat", tests, n, setup, teardown);
}
