// SPDX-License-Identifier: GPL-2.0
/*
 * The instrument on a real kernel: for every style x request x window on the
 * states none, zero, present, thp, cow and file, the module's counts and
 * verdicts must be right and agree with what /proc/self/pagemap and smaps
 * say; so must they where the window does not divide the range. Restarts
 * are counted exactly where the call's own faults cause them, and the
 * retry budget leaves those out and counts the others (module reloaded
 * with small parameters). Runs inside the QEMU guest as root with
 * hmm_bench loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/device.h"
#include "measure/page_state.h"
#include "measure/residency.h"

#define RANGE_LEN	(4UL << 20)	/* two PMDs: THP states get two THPs */
#define MIXED_STRIDE	3		/* windows never line up with it */
#define PMD_BYTES	(2UL << 20)
/* Where the guest's /init keeps the module it loaded (harness/vm/guest). */
#define MODULE_KO	"/lib/modules/hmmbench/hmm_bench.ko"

static struct hb_device dev;

struct matrix_case {
	const char *state;
	enum hmm_bench_style style;
	const char *request;
	uint32_t window;
	size_t npages;		/* 0: RANGE_LEN */
	char name[96];
};

#define NUMA_BALANCING	"/proc/sys/kernel/numa_balancing"
static char numa_balancing[16];	/* the value to restore, or "" */

/*
 * NUMA balancing (on by default with two nodes) turns PTEs PROT_NONE
 * behind the test's back: hmm_range_fault() then reports them neither
 * valid nor writable, while pagemap still says present. Off while we run.
 */
static void numa_balancing_set(const char *value)
{
	int fd = open(NUMA_BALANCING, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, value, strlen(value)) < 0)
		fprintf(stderr, "# cannot write %s to %s\n", value,
			NUMA_BALANCING);
	close(fd);
}

static int open_device(void **unused)
{
	char msg[256];
	ssize_t got;
	int fd;

	(void)unused;
	if (hb_device_open(&dev, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	fd = open(NUMA_BALANCING, O_RDONLY);
	if (fd >= 0) {
		got = read(fd, numa_balancing, sizeof(numa_balancing) - 1);
		numa_balancing[got > 0 ? got : 0] = 0;
		close(fd);
		numa_balancing_set("0");
	}
	return 0;
}

static int close_device(void **unused)
{
	(void)unused;
	if (numa_balancing[0])
		numa_balancing_set(numa_balancing);
	hb_device_close(&dev);
	return 0;
}

static size_t subset_pages(size_t npages)
{
	return (npages + MIXED_STRIDE - 1) / MIXED_STRIDE;
}

/* What the module must report as asked to be writable. */
static uint64_t asked_writable(const char *request, size_t npages)
{
	if (!strcmp(request, "write"))
		return npages;
	return strcmp(request, "mixed") ? 0 : subset_pages(npages);
}

struct copy_walk {
	uint64_t restarts;	/* -EBUSY returns of hmm_range_fault() */
	uint64_t pages_write;	/* pages write-faulted */
};

/*
 * What hmm_range_fault() does with a write (@stride 0) or mixed request on
 * pages that must be copied (the zero page, pages shared with a child): it
 * walks a chunk in spans, each the part of the chunk inside one PMD; in a
 * span it write-faults from the first page asked to be writable to the
 * span's end (hmm_vma_fault() with that page's flags), every copy
 * invalidates the module's own notifier, and hmm_range_fault() returns
 * -EBUSY after the span: one restart per span that asks for a write.
 */
static void copy_walk(const void *addr, size_t npages, size_t window,
		      size_t stride, struct copy_walk *out)
{
	uintptr_t base = (uintptr_t)addr;
	size_t first, n, i, j, end;

	memset(out, 0, sizeof(*out));
	window = window && window < npages ? window : npages;
	for (first = 0; first < npages; first += n) {
		n = window < npages - first ? window : npages - first;
		for (i = first; i < first + n; i = end) {
			end = i + (PMD_BYTES - (base + i * 4096) % PMD_BYTES) /
				  4096;
			if (end > first + n)
				end = first + n;
			j = stride ? (i + stride - 1) / stride * stride : i;
			if (j < end) {
				out->restarts++;
				out->pages_write += end - j;
			}
		}
	}
}

/*
 * Restarts, exactly, in states whose only invalidations come from the
 * call's own faults (4 KiB pages, MADV_NOHUGEPAGE: khugepaged leaves them,
 * and NUMA balancing is off). Unpopulated pages get new pages without an
 * invalidation, except a mixed request's, which may map the zero page for
 * reading first and copy it: not counted exactly.
 */
static void check_restarts(const struct matrix_case *c,
			   const struct hb_range *range,
			   const struct hmm_bench_fault *req)
{
	bool copies = !strcmp(c->state, "zero") || !strcmp(c->state, "cow");
	bool writes = !strcmp(c->request, "write") ||
		      !strcmp(c->request, "mixed");
	struct copy_walk walk;

	if (copies && writes) {
		copy_walk(range->addr, req->npages, c->window,
			  strcmp(c->request, "mixed") ? 0 : MIXED_STRIDE,
			  &walk);
		assert_int_equal(req->ebusy_retries, walk.restarts);
		assert_int_equal(req->own_restarts, walk.restarts);
		assert_int_equal(req->seq_retries, 0);
		assert_int_equal(req->pages_write, walk.pages_write);
	} else if (copies ||
		   (!strcmp(c->state, "none") && strcmp(c->request, "mixed"))) {
		assert_int_equal(req->ebusy_retries, 0);
		assert_int_equal(req->own_restarts, 0);
		assert_int_equal(req->seq_retries, 0);
	}
	assert_true(req->own_restarts <= req->ebusy_retries);
}

/*
 * States whose pages are not writable until a write request: unpopulated
 * (a read maps the zero page), the zero page, and pages shared with a
 * child. A page becomes writable only by a write fault, which also makes
 * it exclusive to this process (a new page): so in these states pagemap's
 * exclusive count after the call is the module's pages_write, exactly.
 */
static int read_leaves_readonly(const char *state)
{
	return !strcmp(state, "none") || !strcmp(state, "zero") ||
	       !strcmp(state, "cow");
}

/* Written anonymous states: every PTE or PMD is already writable. */
static int written_anon(const char *state)
{
	return !strcmp(state, "present") || !strcmp(state, "thp");
}

static void check_fault_counts(const struct matrix_case *c,
			       const struct hmm_bench_fault *req,
			       const struct residency *before,
			       const struct residency *after)
{
	size_t n = req->npages;

	assert_int_equal(req->verdict, HMM_BENCH_VERDICT_PASS);
	assert_int_equal(req->pages_bad, 0);
	assert_true(req->first_bad == UINT64_MAX);
	assert_int_equal(req->pages_error, 0);
	assert_int_equal(req->pages_valid, n);
	/* What the device was told is mapped really is. */
	assert_int_equal(after->present, n);

	if (!strcmp(c->request, "write")) {
		assert_int_equal(req->pages_write, n);
	} else if (!strcmp(c->request, "mixed")) {
		/*
		 * hmm_vma_fault() write-faults from the first page that needs
		 * it to the end of the walk step, so more may become writable.
		 */
		assert_true(req->pages_write >= subset_pages(n));
	} else if (read_leaves_readonly(c->state)) {
		assert_int_equal(req->pages_write, 0);
	} else if (written_anon(c->state)) {
		assert_int_equal(req->pages_write, n);
	}

	if (read_leaves_readonly(c->state)) {
		/* Nothing is ours before (zero page, shared, or nothing). */
		assert_int_equal(before->exclusive, 0);
		/*
		 * Each write-faulted page, and no other, is a new private
		 * page: 0 -> pages_write (n for a write request).
		 */
		assert_int_equal(after->exclusive, req->pages_write);
	}
}

static void check_snapshot_counts(const struct matrix_case *c,
				  const struct hmm_bench_fault *req,
				  const struct residency *before,
				  const struct residency *after)
{
	assert_int_equal(req->verdict, HMM_BENCH_VERDICT_PASS);
	assert_int_equal(req->pages_error, 0);
	/* A snapshot faults nothing and sees exactly what is mapped. */
	assert_int_equal(after->present, before->present);
	assert_int_equal(req->pages_valid, before->present);
	if (read_leaves_readonly(c->state))
		assert_int_equal(req->pages_write, 0);
	if (written_anon(c->state)) {
		assert_int_equal(before->present, req->npages);
		assert_int_equal(req->pages_write, req->npages);
	}
}

static void run_matrix_case(void **state)
{
	const struct matrix_case *c = *state;
	enum hmm_bench_request request;
	enum hmm_bench_access access;
	struct residency before, after;
	size_t npages = c->npages ? c->npages : RANGE_LEN / 4096;
	uint64_t hist[64], sum;
	struct hmm_bench_fault req;
	struct hb_range range;
	size_t chunks, window, b;
	long long pmd_before, pmd_after, pmd_module;
	char err[256];
	int ret;

	assert_int_equal(hb_request_parse(c->request, &request, &access), 0);
	ret = hb_range_build(&range, hb_state_find(c->state), npages * 4096,
			     -1, err, sizeof(err));
	if (ret)
		fail_msg("building %s: %s", c->state, err);
	assert_int_equal(residency_scan(range.addr, range.len, &before), 0);
	pmd_before = smaps_pmd_bytes(range.addr, range.len);

	hb_fault_init(&req, range.addr, range.len, c->style, request, access,
		      c->window);
	if (request == HMM_BENCH_REQ_MIXED)
		req.mixed_stride = MIXED_STRIDE;
	if (c->npages) {
		/* Ranges that windows do not divide count their chunks too. */
		memset(hist, 0xff, sizeof(hist));
		req.hist_buckets = 64;
		req.hist_ptr = (uintptr_t)hist;
	}
	ret = hb_device_fault(dev.fd, &req);
	assert_int_equal(residency_scan(range.addr, range.len, &after), 0);
	pmd_after = smaps_pmd_bytes(range.addr, range.len);
	if (!ret)
		check_restarts(c, &range, &req);
	hb_range_destroy(&range);
	if (ret)
		fail_msg("ioctl: %s", strerror(-ret));
	assert_int_equal(req.subset_pages, asked_writable(c->request, npages));

	assert_int_equal(req.npages, npages);
	window = c->window ? c->window : npages;
	chunks = (npages + window - 1) / window;
	assert_true(req.calls >= chunks);
	assert_int_equal(req.calls,
			 chunks + req.ebusy_retries + req.seq_retries);
	if (c->npages) {
		for (sum = 0, b = 0; b < 64; b++)
			sum += hist[b];
		assert_int_equal(sum, chunks);
	}
	assert_true(req.total_ns >= req.fill_ns + req.fault_ns);
	/*
	 * PMD-mapped entries are what smaps counts as PMD-mapped, just before
	 * or just after the call: the call can create THPs, and khugepaged can
	 * collapse a range that fell back to 4 KiB pages at any time.
	 */
	pmd_module = (long long)req.pages_pmd * 4096;
	if (pmd_module != pmd_before && pmd_module != pmd_after)
		fail_msg("module saw %lld PMD-mapped bytes, smaps %lld before and %lld after",
			 pmd_module, pmd_before, pmd_after);
	/* A thp state has THPs, unless the kernel could not allocate one. */
	if (!strcmp(c->state, "thp"))
		assert_true(req.pages_pmd > 0 || pmd_before == 0);

	if (request == HMM_BENCH_REQ_SNAPSHOT)
		check_snapshot_counts(c, &req, &before, &after);
	else
		check_fault_counts(c, &req, &before, &after);
}

/* INFO reports this module, the same version modinfo shows, mode 0600. */
static void test_info(void **unused)
{
	struct hmm_bench_info info;
	char version[32] = "";
	struct stat st;
	FILE *f;

	(void)unused;
	assert_int_equal(hb_device_info(dev.fd, &info), 0);
	assert_int_equal(info.abi_version, HMM_BENCH_ABI_VERSION);
	assert_int_equal(info.size, sizeof(info));
	assert_int_equal(info.page_shift, 12);
	assert_int_equal(info.pmd_order, 9);
	assert_true(info.features & HMM_BENCH_FEAT_HIST);
	assert_true(info.features & HMM_BENCH_FEAT_CALIBRATE);
	assert_true(info.features & HMM_BENCH_FEAT_SUBSET_PAGES);
	assert_true(info.features & HMM_BENCH_FEAT_VERIFY_NS);
	assert_true(info.features & HMM_BENCH_FEAT_OWN_RESTARTS);
	assert_true(info.max_window_pages >= 512);

	/* modinfo's version is the one the ioctl reports. */
	f = fopen("/sys/module/hmm_bench/version", "r");
	assert_non_null(f);
	assert_non_null(fgets(version, sizeof(version), f));
	fclose(f);
	version[strcspn(version, "\n")] = 0;
	{
		char ioctl_version[16];

		hb_module_version_str(info.module_version, ioctl_version,
				      sizeof(ioctl_version));
		assert_string_equal(version, ioctl_version);
	}
	assert_int_equal(stat(HMM_BENCH_DEVICE, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* The bucket hmm_bench_hist_add() must pick for a chunk of @ns. */
static size_t hist_bucket(uint64_t ns, size_t buckets)
{
	size_t b = ns > 1 ? 63 - (size_t)__builtin_clzll(ns) : 0;

	return b < buckets ? b : buckets - 1;
}

/*
 * Histogram buckets add up to the number of chunks, whatever the window
 * (0: one chunk) and whether it divides the range, retries not counted;
 * the last bucket clamps; nothing is written past the buckets asked for;
 * a single chunk lands in the bucket of the call's fault_ns.
 */
static void test_histogram(void **unused)
{
	static const struct {
		size_t npages;
		uint32_t window, buckets;
	} cases[] = {
		{ 1024, 64, 64 }, { 1024, 64, 4 }, { 1024, 64, 1 },
		{ 1024, 0, 64 }, { 1024, 0, 8 }, { 1027, 0, 64 },
		{ 1027, 64, 64 }, { 1027, 512, 16 }, { 1000, 1500, 64 },
	};
	uint64_t hist[65], sum;
	struct hmm_bench_fault req;
	struct hb_range range;
	size_t i, b, buckets, chunks;
	char err[256];

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buckets = cases[i].buckets;
		assert_int_equal(hb_range_build(&range, hb_state_find("none"),
						cases[i].npages * 4096, -1,
						err, sizeof(err)), 0);
		hb_fault_init(&req, range.addr, range.len,
			      HMM_BENCH_STYLE_DEFAULT, HMM_BENCH_REQ_FAULT,
			      HMM_BENCH_ACCESS_READ, cases[i].window);
		memset(hist, 0xff, sizeof(hist));
		req.hist_buckets = (uint32_t)buckets;
		req.hist_ptr = (uintptr_t)hist;
		assert_int_equal(hb_device_fault(dev.fd, &req), 0);
		hb_range_destroy(&range);
		chunks = cases[i].window ?
			 (cases[i].npages + cases[i].window - 1) /
			 cases[i].window : 1;
		for (sum = 0, b = 0; b < buckets; b++)
			sum += hist[b];
		assert_int_equal(sum, chunks);
		assert_int_equal(sum, req.calls - req.ebusy_retries -
				      req.seq_retries);
		/* Nothing written past the buckets asked for. */
		assert_true(hist[buckets] == UINT64_MAX);
		if (chunks == 1)
			assert_int_equal(hist[hist_bucket(req.fault_ns,
							  buckets)], 1);
	}
}

/* Calibration runs the whole path but faults nothing and checks nothing. */
static void test_calibrate(void **unused)
{
	struct residency before, after;
	struct hmm_bench_fault req;
	struct hb_range range;
	char err[256];

	(void)unused;
	assert_int_equal(hb_range_build(&range, hb_state_find("none"),
					RANGE_LEN, -1, err, sizeof(err)), 0);
	assert_int_equal(residency_scan(range.addr, range.len, &before), 0);
	hb_fault_init(&req, range.addr, range.len, HMM_BENCH_STYLE_PREFILL,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE, 64);
	req.flags = HMM_BENCH_F_CALIBRATE;
	assert_int_equal(hb_device_fault(dev.fd, &req), 0);
	assert_int_equal(residency_scan(range.addr, range.len, &after), 0);
	hb_range_destroy(&range);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_UNCHECKED);
	assert_int_equal(req.calls, 0);
	assert_int_equal(req.pages_valid, 0);
	assert_int_equal(req.verify_ns, 0);
	assert_int_equal(req.own_restarts, 0);
	assert_int_equal(req.subset_pages, RANGE_LEN / 4096);
	assert_int_equal(after.present, before.present);
}

/* Replace the loaded module by MODULE_KO with @params; reopen it. */
static int reload_module(const char *params)
{
	char cmd[256], msg[256];

	hb_device_close(&dev);
	if (system("rmmod hmm_bench"))
		return -1;
	snprintf(cmd, sizeof(cmd), "insmod " MODULE_KO " %s", params);
	if (system(cmd))
		return -1;
	if (hb_device_open(&dev, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "# %s\n", msg);
		return -1;
	}
	return 0;
}

/* The other tests, and the VM runner's unload, get the defaults back. */
static int restore_module(void **unused)
{
	(void)unused;
	return reload_module("");
}

/*
 * A write request over 32 MiB of @state (zero or cow: every page is
 * copied) in one call (window 0): 0, with one restart per PMD checked, all
 * of them the call's own, or -errno.
 */
static int copy_write(const char *state, struct hmm_bench_fault *req)
{
	struct hb_range range;
	struct copy_walk walk;
	char err[256];
	int ret;

	assert_int_equal(hb_range_build(&range, hb_state_find(state), 32UL << 20,
					-1, err, sizeof(err)), 0);
	copy_walk(range.addr, range.len / 4096, 0, 0, &walk);
	hb_fault_init(req, range.addr, range.len, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE, 0);
	ret = hb_device_fault(dev.fd, req);
	hb_range_destroy(&range);
	if (!ret) {
		assert_true(walk.restarts >= 16);
		assert_int_equal(req->ebusy_retries, walk.restarts);
		assert_int_equal(req->own_restarts, walk.restarts);
		assert_int_equal(req->verdict, HMM_BENCH_VERDICT_PASS);
	}
	return ret;
}

struct zapper {
	uint8_t *addr;
	size_t len;
	int go;			/* set when the call is about to start */
};

#define ZAPS		8	/* fewer than the PMDs of the range */
#define ZAP_GAP_US	5000

/* Invalidate one page of the range, ZAPS times, from another thread. */
static void *zap_run(void *arg)
{
	struct zapper *z = arg;
	size_t pages = z->len / 4096;
	int i;

	while (!__atomic_load_n(&z->go, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < ZAPS; i++) {
		madvise(z->addr + (size_t)(i * 97) % pages * 4096, 4096,
			MADV_DONTNEED);
		usleep(ZAP_GAP_US);
	}
	return NULL;
}

/*
 * The restarts a chunk's own copies cause, one per PMD (16 or 17 here),
 * are not the retry budget's to count: even max_retries=0 and
 * busy_timeout_ms=1, which allow no retry at all, let writes over zero and
 * cow pages complete (a budget per chunk, or one that scaled with the
 * chunk's PMDs, would not). Invalidations from elsewhere still count:
 * with max_retries=0, ZAPS zaps by another thread during a write over
 * unpopulated pages (which restarts for nothing else) end it in -EBUSY,
 * though they are fewer than the range's PMDs.
 */
static void test_own_restarts_free(void **unused)
{
	struct zapper z = { 0 };
	struct hmm_bench_fault req;
	struct hb_range range;
	pthread_t tid;
	char err[256];
	int ret;

	(void)unused;
	if (access(MODULE_KO, R_OK)) {
		printf("# skipped: no %s to reload with other parameters\n",
		       MODULE_KO);
		skip();
	}
	assert_int_equal(copy_write("zero", &req), 0);
	printf("# default budget: %" PRIu64 " own restarts in %.1f ms\n",
	       (uint64_t)req.own_restarts, req.total_ns / 1e6);

	assert_int_equal(reload_module("max_retries=0 busy_timeout_ms=1"), 0);
	assert_int_equal(copy_write("zero", &req), 0);
	assert_int_equal(copy_write("cow", &req), 0);

	assert_int_equal(hb_range_build(&range, hb_state_find("none"),
					64UL << 20, -1, err, sizeof(err)), 0);
	z.addr = range.addr;
	z.len = range.len;
	assert_int_equal(pthread_create(&tid, NULL, zap_run, &z), 0);
	hb_fault_init(&req, range.addr, range.len, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE, 0);
	__atomic_store_n(&z.go, 1, __ATOMIC_RELEASE);
	ret = hb_device_fault(dev.fd, &req);
	pthread_join(tid, NULL);
	hb_range_destroy(&range);
	if (ret != -EBUSY)
		fail_msg("a write over unpopulated pages with %d zaps from another thread and max_retries=0 ended with %s, not EBUSY (own restarts %" PRIu64 " of %" PRIu64 ")",
			 ZAPS, ret ? strerror(-ret) : "success",
			 ret ? 0 : (uint64_t)req.own_restarts,
			 ret ? 0 : (uint64_t)req.ebusy_retries);
}

/*
 * The default-style mixed request must clear the WRITE bits that the
 * previous chunk's output left in the reused array. Only page 0 asks for
 * write, so only the first 64-page chunk may be write-faulted (the kernel
 * write-faults from page 0 to the end of that chunk): a leak would
 * write-fault every later chunk too. Zero pages make each write fault
 * visible as a page exclusive to this process.
 */
static void test_mixed_clears_stale_write_bits(void **unused)
{
	const size_t len = RANGE_LEN, pmd = 2UL << 20;
	enum hmm_bench_style styles[] = { HMM_BENCH_STYLE_PREFILL,
					  HMM_BENCH_STYLE_DEFAULT };
	struct hmm_bench_fault req;
	struct residency after;
	uint8_t *map, *addr;
	size_t s, off;

	(void)unused;
	for (s = 0; s < 2; s++) {
		map = mmap(NULL, len + pmd, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(map != MAP_FAILED);
		addr = (uint8_t *)(((uintptr_t)map + pmd - 1) & ~(pmd - 1));
		assert_int_equal(madvise(addr, len, MADV_NOHUGEPAGE), 0);
		for (off = 0; off < len; off += 4096)
			(void)*(volatile uint8_t *)(addr + off);
		hb_fault_init(&req, addr, len, styles[s], HMM_BENCH_REQ_MIXED,
			      HMM_BENCH_ACCESS_WRITE, 64);
		req.mixed_stride = len / 4096;
		assert_int_equal(hb_device_fault(dev.fd, &req), 0);
		assert_int_equal(residency_scan(addr, len, &after), 0);
		munmap(map, len + pmd);
		assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
		assert_int_equal(req.pages_write, 64);
		assert_int_equal(after.exclusive, 64);
	}
}

static const char *const matrix_states[] = {
	"none", "zero", "present", "thp", "cow", "file",
};
static const char *const matrix_requests[] = {
	"read", "write", "mixed", "snap",
};
static const uint32_t matrix_windows[] = { 0, 64, 512 };

#define N_STATES (sizeof(matrix_states) / sizeof(matrix_states[0]))
#define N_REQUESTS (sizeof(matrix_requests) / sizeof(matrix_requests[0]))
#define N_WINDOWS (sizeof(matrix_windows) / sizeof(matrix_windows[0]))
#define N_MATRIX (N_STATES * 2 * N_REQUESTS * N_WINDOWS)

/*
 * Ranges that the windows do not divide, and a window larger than the
 * range: the short last chunk, and the mixed stride's phase across chunk
 * boundaries, with exact counts.
 */
static const char *const odd_states[] = { "none", "zero", "present" };
static const size_t odd_npages[] = { 1000, 1027 };
static const uint32_t odd_windows[] = { 64, 512, 1500 };

#define N_ODD_STATES (sizeof(odd_states) / sizeof(odd_states[0]))
#define N_ODD_NPAGES (sizeof(odd_npages) / sizeof(odd_npages[0]))
#define N_ODD_WINDOWS (sizeof(odd_windows) / sizeof(odd_windows[0]))
#define N_ODD (N_ODD_NPAGES * N_ODD_WINDOWS * N_ODD_STATES * 2 * N_REQUESTS)

static void add_case(struct CMUnitTest *test, struct matrix_case *c,
		     const char *state, enum hmm_bench_style style,
		     const char *request, uint32_t window, size_t npages)
{
	c->state = state;
	c->style = style;
	c->request = request;
	c->window = window;
	c->npages = npages;
	if (npages)
		snprintf(c->name, sizeof(c->name), "odd/%zu/%s/%s/%s/w%u",
			 npages, request, hb_style_name(style), state, window);
	else
		snprintf(c->name, sizeof(c->name), "matrix/%s/%s/%s/w%u",
			 request, hb_style_name(style), state, window);
	*test = (struct CMUnitTest){
		.name = c->name,
		.test_func = run_matrix_case,
		.initial_state = c,
	};
}

int main(void)
{
	static const enum hmm_bench_style styles[] = {
		HMM_BENCH_STYLE_PREFILL, HMM_BENCH_STYLE_DEFAULT,
	};
	static struct matrix_case cases[N_MATRIX + N_ODD];
	static struct CMUnitTest tests[N_MATRIX + N_ODD + 5];
	size_t st, sy, rq, w, np, n = 0, nc = 0;

	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_info);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_histogram);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_calibrate);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_mixed_clears_stale_write_bits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(
		test_own_restarts_free, restore_module);
	for (st = 0; st < N_STATES; st++)
		for (sy = 0; sy < 2; sy++)
			for (rq = 0; rq < N_REQUESTS; rq++)
				for (w = 0; w < N_WINDOWS; w++)
					add_case(&tests[n++], &cases[nc++],
						 matrix_states[st], styles[sy],
						 matrix_requests[rq],
						 matrix_windows[w], 0);
	for (np = 0; np < N_ODD_NPAGES; np++)
		for (w = 0; w < N_ODD_WINDOWS; w++)
			for (st = 0; st < N_ODD_STATES; st++)
				for (sy = 0; sy < 2; sy++)
					for (rq = 0; rq < N_REQUESTS; rq++)
						add_case(&tests[n++],
							 &cases[nc++],
							 odd_states[st],
							 styles[sy],
							 matrix_requests[rq],
							 odd_windows[w],
							 odd_npages[np]);
	return _cmocka_run_group_tests("instrument", tests, n, open_device,
				       close_device);
}
