// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-check hmm_bench.ko with the kernel's own lib/test_hmm.ko.
 *
 * test_hmm's HMM_DMIRROR_READ mirrors a range the way a driver does: it
 * calls hmm_range_fault() with default_flags = HMM_PFN_REQ_FAULT,
 * pfn_flags_mask = 0 in windows of 64 pages (dmirror_fault()), stores every
 * page in its xarray "device page table", then copies the pages into a
 * bounce buffer and out to the caller. hmm_bench's `default` style with a
 * read request and window 64 issues the same hmm_range_fault() calls and
 * does none of the rest. On the same page states and sizes, this program
 * times both ioctls from userspace (median of --runs each, interleaved) and
 * reports the ratio as TAP diagnostics and in $HMMBENCH_OUT/crosscheck.txt.
 *
 * It asserts sanity only: both succeed, cover every page, and the ratio of
 * times is within a broad bound, default 0.1..50. test_hmm does more work a
 * page (an xarray store, a copy into a vmalloc'ed bounce buffer, a
 * copy_to_user), so the ratio is above 1 and grows with the range: on the
 * KASAN + lockdep + kmemleak kernel under TCG it came out between 5 and 15.
 * The bound catches a side that does no work or a unit slip, nothing finer.
 * Absolute times are never asserted: under TCG and KASAN they mean nothing.
 *
 * Runs in a guest of the debug kernel (tests/debug/run.sh) as root with
 * hmm_bench loaded. Loads test_hmm itself (modprobe, then insmod of
 * $HMMBENCH_TEST_HMM_KO or /lib/modules/$(uname -r)/kernel/lib/test_hmm.ko)
 * and leaves it loaded: its unload leaks the names of its devices in 6.12
 * (dmirror_device_remove() does cdev_device_del() and never put_device(),
 * so the dev_set_name() strings "hmm_dmirror0/1" are never freed), which the
 * lane's final kmemleak scan would report as a kernel problem that is not
 * ours.
 *
 * Usage: test_hmm_crosscheck [--runs N] [--min-ratio R] [--max-ratio R]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ioctl.h>
#include <linux/types.h>

#include "measure/device.h"
#include "measure/page_state.h"

/*
 * From lib/test_hmm_uapi.h of Linux 6.12 (GPL-2.0 WITH Linux-syscall-note):
 * the header is not installed by headers_install, so the few definitions
 * used here are copied. The struct and the command have not changed since
 * test_hmm appeared in 5.7.
 */
struct hmm_dmirror_cmd {
	__u64 addr;	/* (in) user address the device will read/write */
	__u64 ptr;	/* (in) user address where device data is copied to/from */
	__u64 npages;	/* (in) number of pages to read/write */
	__u64 cpages;	/* (out) number of pages copied */
	__u64 faults;	/* (out) number of device page faults seen */
};

#define HMM_DMIRROR_READ	_IOWR('H', 0x00, struct hmm_dmirror_cmd)
/* end of the copy from lib/test_hmm_uapi.h */

#define DMIRROR_DEV	"/dev/hmm_dmirror0"
#define DMIRROR_NAME	"HMM_DMIRROR"	/* its /proc/devices entry */
#define WINDOW		64		/* test_hmm's pfns[64] in dmirror_fault() */

struct xcase {
	const char *state;
	size_t len;
};

/* Populated (4 KiB PTEs and PMD-mapped THP) and unpopulated ranges. */
static const struct xcase cases[] = {
	{ "nothp", 2UL << 20 },
	{ "nothp", 64UL << 20 },
	{ "thp", 64UL << 20 },
	{ "none", 2UL << 20 },
	{ "none", 64UL << 20 },
};

static int tap_n, tap_failed;
static FILE *report;

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* A diagnostic, on stdout and into crosscheck.txt. */
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (report) {
		va_start(ap, fmt);
		vfprintf(report, fmt, ap);
		va_end(ap);
		fputc('\n', report);
		fflush(report);
	}
}

static size_t page_size_bytes(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run a command, quietly; its exit status or -1. */
static int run(const char *cmd)
{
	int st = system(cmd);

	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* test_hmm loaded, or a reason in @why. */
static int load_test_hmm(char *why, size_t len)
{
	struct utsname u;
	char cmd[512], path[300];
	const char *ko = getenv("HMMBENCH_TEST_HMM_KO");

	if (access("/sys/module/test_hmm", F_OK) == 0)
		return 0;
	if (run("modprobe test_hmm >/dev/null 2>&1") == 0)
		return 0;
	if (!ko || !*ko) {
		uname(&u);
		snprintf(path, sizeof(path),
			 "/lib/modules/%s/kernel/lib/test_hmm.ko", u.release);
		ko = path;
	}
	if (access(ko, R_OK)) {
		snprintf(why, len,
			 "modprobe test_hmm failed and there is no %s: the kernel needs CONFIG_TEST_HMM=m (tests/debug/build-kernel.sh builds one)",
			 ko);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
	if (run(cmd) != 0) {
		snprintf(why, len, "modprobe test_hmm and %s failed (see the kernel log)", cmd);
		return -1;
	}
	return 0;
}

/* /dev/hmm_dmirror0: devtmpfs makes it; else mknod from /proc/devices. */
static int dmirror_node(char *why, size_t len)
{
	char line[128], name[64];
	unsigned int major = 0, m;
	FILE *f;
	int i;

	for (i = 0; i < 50; i++) {
		if (access(DMIRROR_DEV, F_OK) == 0)
			return 0;
		usleep(20000);
	}
	f = fopen("/proc/devices", "r");
	if (!f) {
		snprintf(why, len, "no %s and no /proc/devices: %s", DMIRROR_DEV,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %63s", &m, name) == 2 &&
		    !strcmp(name, DMIRROR_NAME))
			major = m;
	fclose(f);
	if (!major) {
		snprintf(why, len, "no %s and no %s in /proc/devices",
			 DMIRROR_DEV, DMIRROR_NAME);
		return -1;
	}
	if (mknod(DMIRROR_DEV, S_IFCHR | 0600, makedev(major, 0))) {
		snprintf(why, len, "mknod %s c %u 0: %s", DMIRROR_DEV, major,
			 strerror(errno));
		return -1;
	}
	diag("made %s (major %u from /proc/devices)", DMIRROR_DEV, major);
	return 0;
}

struct side {
	const char *name;
	uint64_t *wall;		/* per run, userspace ns around the ioctl */
	uint64_t *kernel;	/* hmm_bench: total_ns */
	uint64_t retries;	/* hmm_bench: -EBUSY and sequence retries */
	int done;
	char err[256];
};

/*
 * One test_hmm read over the range. A fresh open of the device gives a
 * fresh mirror (an empty device page table and a new interval notifier
 * over the whole mm), so every run faults the range: a second READ through
 * the same file would find the pages mirrored and only copy them.
 */
static int dmirror_read(const struct hb_range *r, void *buf, uint64_t *wall,
			char *err, size_t len)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)r->addr,
		.ptr = (uintptr_t)buf,
		.npages = r->len / page_size_bytes(),
	};
	uint64_t t0, t1;
	int fd, ret;

	fd = open(DMIRROR_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, len, "open %s: %s", DMIRROR_DEV, strerror(errno));
		return -1;
	}
	t0 = now_ns();
	ret = ioctl(fd, HMM_DMIRROR_READ, &cmd);
	t1 = now_ns();
	if (ret) {
		snprintf(err, len, "HMM_DMIRROR_READ: %s", strerror(errno));
	} else if (cmd.cpages != cmd.npages || cmd.faults < 1) {
		snprintf(err, len,
			 "HMM_DMIRROR_READ copied %llu of %llu pages after %llu faults",
			 (unsigned long long)cmd.cpages,
			 (unsigned long long)cmd.npages,
			 (unsigned long long)cmd.faults);
		ret = -1;
	}
	close(fd);
	*wall = t1 - t0;
	return ret ? -1 : 0;
}

static int bench_fault(int fd, const struct hb_range *r, uint64_t *wall,
		       uint64_t *kernel, uint64_t *retries, char *err,
		       size_t len)
{
	struct hmm_bench_fault req;
	uint64_t t0, t1;
	int ret;

	hb_fault_init(&req, r->addr, r->len, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ, WINDOW);
	t0 = now_ns();
	ret = hb_device_fault(fd, &req);
	t1 = now_ns();
	if (ret) {
		snprintf(err, len, "HMM_BENCH_IOC_FAULT: %s", strerror(-ret));
		return -1;
	}
	if (req.verdict != HMM_BENCH_VERDICT_PASS ||
	    req.pages_valid != req.npages || req.pages_error) {
		snprintf(err, len,
			 "HMM_BENCH_IOC_FAULT: verdict %s, %llu of %llu pages valid, %llu errors",
			 hb_verdict_name(req.verdict),
			 (unsigned long long)req.pages_valid,
			 (unsigned long long)req.npages,
			 (unsigned long long)req.pages_error);
		return -1;
	}
	*wall = t1 - t0;
	*kernel = req.total_ns;
	*retries += req.ebusy_retries + req.seq_retries;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: test_hmm_crosscheck [--runs N] [--min-ratio R] [--max-ratio R]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "min-ratio", required_argument, NULL, 'l' },
		{ "max-ratio", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	double min_ratio = 0.1, max_ratio = 50;
	const char *out = getenv("HMMBENCH_OUT");
	struct hb_device dev = { .fd = -1 };
	char why[512], path[4096];
	int runs = 7, c, ok;
	size_t i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'l':
			min_ratio = atof(optarg);
			break;
		case 'u':
			max_ratio = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (runs < 1 || runs > 1000 || !(min_ratio > 0) || !(max_ratio > min_ratio)) {
		usage(stderr);
		return 2;
	}

	if (out && *out) {
		snprintf(path, sizeof(path), "%s/crosscheck.txt", out);
		report = fopen(path, "w");
		if (!report)
			fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
	}

	diag("test_hmm cross-check: HMM_DMIRROR_READ (lib/test_hmm.c) against hmm_bench default/read/window %d", WINDOW);
	diag("median of %d runs each, interleaved; times are userspace wall ns around one ioctl", runs);
	diag("ratio = test_hmm / hmm_bench; test_hmm also stores every page in an xarray and copies it twice");

	ok = load_test_hmm(why, sizeof(why)) == 0;
	tap(ok, "test_hmm.ko is loaded%s%s", ok ? "" : ": ", ok ? "" : why);
	if (ok) {
		ok = dmirror_node(why, sizeof(why)) == 0;
		tap(ok, "%s exists%s%s", DMIRROR_DEV, ok ? "" : ": ", ok ? "" : why);
	}
	if (ok) {
		ok = hb_device_open(&dev, NULL, why, sizeof(why)) == 0;
		tap(ok, "%s opens%s%s", HMM_BENCH_DEVICE, ok ? "" : ": ", ok ? "" : why);
	}
	if (!ok) {
		printf("1..%d\n", tap_n);
		printf("Bail out! the cross-check needs test_hmm and hmm_bench\n");
		return 1;
	}

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct xcase *xc = &cases[i];
		const struct hb_state *st = hb_state_find(xc->state);
		struct side th = { .name = "test_hmm" }, hb = { .name = "hmm_bench" };
		uint64_t *kernel_copy;
		struct hb_range r = { 0 };
		char name[64], err[256];
		double ratio = 0;
		void *buf;
		int run_i, built = 0;

		snprintf(name, sizeof(name), "%s/%zuMiB", xc->state, xc->len >> 20);
		if (!st) {
			tap(0, "%s: no such page state", name);
			continue;
		}
		if (st->available && st->available(xc->len, -1, why, sizeof(why))) {
			tap(1, "%s # SKIP %s", name, why);
			continue;
		}
		th.wall = calloc(runs, sizeof(uint64_t));
		hb.wall = calloc(runs, sizeof(uint64_t));
		hb.kernel = calloc(runs, sizeof(uint64_t));
		kernel_copy = calloc(runs, sizeof(uint64_t));
		/* test_hmm's destination, written first so no copy faults. */
		buf = mmap(NULL, xc->len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (!th.wall || !hb.wall || !hb.kernel || !kernel_copy ||
		    buf == MAP_FAILED) {
			tap(0, "%s: out of memory", name);
			return 1;
		}
		memset(buf, 1, xc->len);

		for (run_i = 0; run_i < runs; run_i++) {
			/* ABAB...: even runs test_hmm first, odd runs hmm_bench. */
			int k;

			for (k = 0; k < 2; k++) {
				struct side *s = (k ^ (run_i & 1)) ? &hb : &th;
				int ret;

				if (*s->err)
					continue;
				if (!built || hb_range_needs_rebuild(&r, false)) {
					if (built)
						hb_range_destroy(&r);
					built = 0;
					if (hb_range_build(&r, st, xc->len, -1, err,
							   sizeof(err))) {
						snprintf(s->err, sizeof(s->err),
							 "building the range: %s", err);
						continue;
					}
					built = 1;
				}
				if (s == &th)
					ret = dmirror_read(&r, buf, &th.wall[th.done],
							   s->err, sizeof(s->err));
				else
					ret = bench_fault(dev.fd, &r, &hb.wall[hb.done],
							  &hb.kernel[hb.done],
							  &hb.retries, s->err, sizeof(s->err));
				if (!ret)
					s->done++;
			}
		}
		if (built)
			hb_range_destroy(&r);
		munmap(buf, xc->len);

		tap(!*th.err && th.done == runs, "%s: test_hmm HMM_DMIRROR_READ succeeded %d/%d times%s%s",
		    name, th.done, runs, *th.err ? ": " : "", th.err);
		tap(!*hb.err && hb.done == runs, "%s: hmm_bench default/read/w%d passed %d/%d times%s%s",
		    name, WINDOW, hb.done, runs, *hb.err ? ": " : "", hb.err);
		if (th.done == runs && hb.done == runs) {
			uint64_t tm = median(th.wall, runs);
			uint64_t bm = median(hb.wall, runs);
			uint64_t km;

			memcpy(kernel_copy, hb.kernel, runs * sizeof(uint64_t));
			km = median(kernel_copy, runs);
			ratio = bm ? (double)tm / (double)bm : 0;
			diag("%-12s ratio %6.2f  test_hmm %11llu ns [%llu..%llu]  hmm_bench %11llu ns [%llu..%llu], in-kernel total %llu ns, %llu retries  (%zu pages, %d runs)",
			     name, ratio, (unsigned long long)tm,
			     (unsigned long long)th.wall[0],
			     (unsigned long long)th.wall[runs - 1],
			     (unsigned long long)bm,
			     (unsigned long long)hb.wall[0],
			     (unsigned long long)hb.wall[runs - 1],
			     (unsigned long long)km,
			     (unsigned long long)hb.retries,
			     xc->len / page_size_bytes(), runs);
			tap(ratio >= min_ratio && ratio <= max_ratio,
			    "%s: ratio test_hmm/hmm_bench %.2f is within [%g, %g]",
			    name, ratio, min_ratio, max_ratio);
		} else {
			tap(0, "%s: no ratio (a side failed)", name);
		}
		free(th.wall);
		free(hb.wall);
		free(hb.kernel);
		free(kernel_copy);
	}

	hb_device_close(&dev);
	diag("test_hmm stays loaded: its unload leaks its device names in 6.12 (no put_device() in dmirror_device_remove()), which kmemleak would report");
	printf("1..%d\n", tap_n);
	if (report)
		fclose(report);
	return tap_failed ? 1 : 0;
}
