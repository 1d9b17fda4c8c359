// SPDX-License-Identifier: GPL-2.0
/* Page-state builders: one small function per state, one table. */
#include "page_state.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <numaif.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "residency.h"
#include "common/result_folder.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

#define HB_MAX_NODES 1024

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static int fail(char *err, size_t errlen, int ret, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(-ret));
	return ret;
}

/*
 * Anonymous private mapping of r->len bytes, its start aligned to @align.
 * MAP_NORESERVE lets a 1 TiB snapshot range exist; not for MAP_HUGETLB,
 * whose mmap() then fails with ENOMEM when too few huge pages are
 * reserved, instead of a SIGBUS when they are touched.
 */
static int map_anon(struct hb_range *r, size_t align, int extra_flags,
		    char *err, size_t errlen)
{
	size_t pad = align > page_size() ? align : 0;
	uintptr_t start;

	r->map_len = r->len + pad;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | extra_flags |
		      (extra_flags & MAP_HUGETLB ? 0 : MAP_NORESERVE),
		      -1, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return fail(err, errlen, -errno, "mmap");
	}
	start = (uintptr_t)r->map;
	if (pad)
		start = (start + align - 1) & ~(uintptr_t)(align - 1);
	r->addr = (uint8_t *)start;
	return 0;
}

static int advise(struct hb_range *r, int advice, const char *what,
		  char *err, size_t errlen)
{
	if (madvise(r->addr, r->len, advice))
		return fail(err, errlen, -errno, what);
	return 0;
}

/* Bind the range to r->mem_node before anything is allocated in it. */
static int place(struct hb_range *r, char *err, size_t errlen)
{
	unsigned long mask[HB_MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };
	unsigned int bits = 8 * sizeof(unsigned long);

	if (r->mem_node < 0)
		return 0;
	if (r->mem_node >= HB_MAX_NODES)
		return fail(err, errlen, -EINVAL, "memory node");
	mask[r->mem_node / bits] |= 1UL << (r->mem_node % bits);
	if (mbind(r->addr, r->len, MPOL_BIND, mask, HB_MAX_NODES + 1,
		  MPOL_MF_STRICT | MPOL_MF_MOVE))
		return fail(err, errlen, -errno, "mbind");
	return 0;
}

/*
 * A guarded touch: a fault the kernel answers with SIGBUS or SIGSEGV (a
 * hugetlb range whose node ran out of huge pages, a range the kernel
 * cannot back) becomes an error of the case, not the end of the run.
 * Only plain loads and stores run between sigsetjmp() and the handler's
 * siglongjmp(), so jumping out is safe; the handlers are the process's
 * only while the loop runs (measuring is single-threaded).
 */
static sigjmp_buf touch_env;
static volatile sig_atomic_t touch_sig;
static void *volatile touch_addr;

static void touch_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	touch_sig = sig;
	touch_addr = si->si_addr;
	siglongjmp(touch_env, 1);
}

int hb_touch_range(void *addr, size_t len, size_t step, bool write,
		   uint64_t (*clock_ns)(void), uint64_t *ns, char *err,
		   size_t errlen)
{
	struct sigaction sa, old_bus, old_segv;
	volatile uint8_t *p = addr;
	volatile uint64_t t0 = 0;	/* read after the loop only */
	size_t off;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = touch_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (sigsetjmp(touch_env, 1)) {
		sigaction(SIGBUS, &old_bus, NULL);
		sigaction(SIGSEGV, &old_segv, NULL);
		snprintf(err, errlen,
			 "%s at byte %td of the range while touching its pages%s",
			 touch_sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
			 (uint8_t *)touch_addr - (uint8_t *)addr,
			 touch_sig == SIGBUS ?
			 " (the kernel could not back a page: for hugetlb, too few free huge pages on the range's node)" :
			 "");
		return -EFAULT;
	}
	if (clock_ns)
		t0 = clock_ns();
	for (off = 0; off < len; off += step) {
		if (write)
			p[off] = 1;
		else
			(void)p[off];
	}
	if (clock_ns)
		*ns = clock_ns() - t0;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return 0;
}

/*
 * Fault in every page at @stride pages. MADV_POPULATE_* where the kernel
 * has it (5.14+; EINVAL before): its failure fails the build, since a
 * touch loop over the same range would only fault. Without it, or for a
 * stride, the guarded touch.
 */
static int touch(struct hb_range *r, bool write, size_t stride, char *err,
		 size_t errlen)
{
	if (stride == 1) {
		if (!madvise(r->addr, r->len,
			     write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ))
			return 0;
		if (errno != EINVAL)
			return fail(err, errlen, -errno,
				    write ? "madvise(MADV_POPULATE_WRITE)" :
				    "madvise(MADV_POPULATE_READ)");
	}
	return hb_touch_range(r->addr, r->len, page_size() * stride, write,
			      NULL, NULL, err, errlen);
}

/* Anonymous 4 KiB-only range, bound to its node, not populated. */
static int build_small(struct hb_range *r, char *err, size_t errlen)
{
	int ret = map_anon(r, 0, 0, err, errlen);

	if (!ret)
		ret = advise(r, MADV_NOHUGEPAGE, "madvise(NOHUGEPAGE)", err,
			     errlen);
	if (!ret)
		ret = place(r, err, errlen);
	return ret;
}

static int build_none(struct hb_range *r, char *err, size_t errlen)
{
	return build_small(r, err, errlen);
}

static int build_zero(struct hb_range *r, char *err, size_t errlen)
{
	int ret = build_small(r, err, errlen);

	if (!ret)
		ret = touch(r, false, 1, err, errlen);
	return ret;
}

static int build_nothp(struct hb_range *r, char *err, size_t errlen)
{
	int ret = build_small(r, err, errlen);

	if (!ret)
		ret = touch(r, true, 1, err, errlen);
	return ret;
}

static int build_sparse(struct hb_range *r, char *err, size_t errlen)
{
	int ret = build_small(r, err, errlen);

	if (!ret)
		ret = touch(r, true, 2, err, errlen);
	return ret;
}

/* Written with the system's THP default: what a plain buffer looks like. */
static int build_present(struct hb_range *r, char *err, size_t errlen)
{
	int ret = map_anon(r, 0, 0, err, errlen);

	if (!ret)
		ret = place(r, err, errlen);
	if (!ret)
		ret = touch(r, true, 1, err, errlen);
	return ret;
}

/* A child shares every page, so each write request breaks COW. */
static int build_cow(struct hb_range *r, char *err, size_t errlen)
{
	int ret = build_nothp(r, err, errlen);
	pid_t pid;

	if (ret)
		return ret;
	pid = fork();
	if (pid < 0)
		return fail(err, errlen, -errno, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	r->child = pid;
	return 0;
}

static int build_thp_common(struct hb_range *r, bool populate, char *err,
			    size_t errlen)
{
	int ret = map_anon(r, HB_PMD_SIZE, 0, err, errlen);

	if (!ret)
		ret = advise(r, MADV_HUGEPAGE, "madvise(HUGEPAGE)", err, errlen);
	if (!ret)
		ret = place(r, err, errlen);
	if (!ret && populate)
		ret = touch(r, true, 1, err, errlen);
	return ret;
}

static int build_thp(struct hb_range *r, char *err, size_t errlen)
{
	return build_thp_common(r, true, err, errlen);
}

static int build_thp_none(struct hb_range *r, char *err, size_t errlen)
{
	return build_thp_common(r, false, err, errlen);
}

/* Shared memfd (shmem) mapping with its page cache filled on the node. */
static int build_file_common(struct hb_range *r, bool keep_mapped, char *err,
			     size_t errlen)
{
	int ret;

	r->memfd = memfd_create("hmmbench", MFD_CLOEXEC);
	if (r->memfd < 0)
		return fail(err, errlen, -errno, "memfd_create");
	if (ftruncate(r->memfd, (off_t)r->len))
		return fail(err, errlen, -errno, "ftruncate");
	r->map_len = r->len;
	r->map = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->memfd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return fail(err, errlen, -errno, "mmap(memfd)");
	}
	r->addr = r->map;
	/* 4 KiB pages whatever shmem_enabled says, as for anonymous states. */
	ret = advise(r, MADV_NOHUGEPAGE, "madvise(NOHUGEPAGE)", err, errlen);
	if (!ret)
		ret = place(r, err, errlen);
	if (!ret)
		ret = touch(r, true, 1, err, errlen);
	if (ret)
		return ret;
	/* Unmaps the PTEs; shmem keeps the pages in its page cache. */
	if (!keep_mapped && madvise(r->addr, r->len, MADV_DONTNEED))
		return fail(err, errlen, -errno, "madvise(DONTNEED)");
	return 0;
}

static int build_file(struct hb_range *r, char *err, size_t errlen)
{
	return build_file_common(r, false, err, errlen);
}

static int build_file_mapped(struct hb_range *r, char *err, size_t errlen)
{
	return build_file_common(r, true, err, errlen);
}

static int build_swapped(struct hb_range *r, char *err, size_t errlen)
{
	int ret = build_nothp(r, err, errlen);

	if (!ret)
		ret = advise(r, MADV_PAGEOUT, "madvise(PAGEOUT)", err, errlen);
	return ret;
}

static int build_hugetlb(struct hb_range *r, char *err, size_t errlen)
{
	int ret = map_anon(r, 0, MAP_HUGETLB | MAP_HUGE_2MB, err, errlen);

	if (!ret)
		ret = place(r, err, errlen);
	if (!ret)
		ret = touch(r, true, 1, err, errlen);
	return ret;
}

/* Value of "Key:" in /proc/meminfo in kB, or -1. */
static long meminfo_kb(const char *key)
{
	size_t keylen = strlen(key);
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, keylen) && line[keylen] == ':') {
			val = strtol(line + keylen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static int thp_available(size_t len, int mem_node, char *why, size_t whylen)
{
	(void)mem_node;
	char mode[128] = "";
	FILE *f;

	if (len < HB_PMD_SIZE) {
		snprintf(why, whylen,
			 "a THP needs 2 MiB; the range is smaller (use --sizes 2M or more)");
		return -EINVAL;
	}
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f) {
		snprintf(why, whylen,
			 "this kernel has no transparent hugepages (CONFIG_TRANSPARENT_HUGEPAGE)");
		return -ENOTSUP;
	}
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = 0;
	fclose(f);
	if (strstr(mode, "[never]")) {
		snprintf(why, whylen,
			 "THP is disabled: echo madvise > /sys/kernel/mm/transparent_hugepage/enabled");
		return -ENOTSUP;
	}
	return 0;
}

static int swap_available(size_t len, int mem_node, char *why, size_t whylen)
{
	long free_kb = meminfo_kb("SwapFree");

	(void)mem_node;
	if (free_kb <= 0) {
		snprintf(why, whylen,
			 "no swap is configured (swapon a device or file, or ./run.sh --kernel with its VM swap)");
		return -ENOTSUP;
	}
	if ((size_t)free_kb * 1024 < len) {
		snprintf(why, whylen, "only %ld MiB of swap is free for a %zu MiB range",
			 free_kb / 1024, len >> 20);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Free 2 MiB huge pages on @node. The pool is reserved globally at mmap()
 * but allocated on the bound node at fault time, so the global
 * HugePages_Free can promise pages a node does not have. Without
 * per-node sysfs (no NUMA), the global count.
 */
static long hugetlb_free(int node, char *where, size_t wherelen)
{
	char path[160];
	long val = -1;
	FILE *f;

	if (node >= 0) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB", node);
		snprintf(where, wherelen, "%s/nr_hugepages", path);
		strncat(path, "/free_hugepages", sizeof(path) - strlen(path) - 1);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%ld", &val) != 1)
				val = -1;
			fclose(f);
			return val;
		}
	}
	snprintf(where, wherelen, "/proc/sys/vm/nr_hugepages");
	return meminfo_kb("HugePages_Free");
}

static int hugetlb_available(size_t len, int mem_node, char *why, size_t whylen)
{
	long size_kb = meminfo_kb("Hugepagesize");
	char where[160];
	long free_pages;

	if (size_kb != 2048) {
		snprintf(why, whylen, "the default huge page size is not 2 MiB");
		return -ENOTSUP;
	}
	if (len % HB_PMD_SIZE) {
		snprintf(why, whylen, "hugetlb ranges must be a multiple of 2 MiB");
		return -EINVAL;
	}
	free_pages = hugetlb_free(mem_node, where, sizeof(where));
	if (free_pages < 0 || (size_t)free_pages * HB_PMD_SIZE < len) {
		if (mem_node >= 0 && strncmp(where, "/proc", 5))
			snprintf(why, whylen,
				 "not enough huge pages on node %d (%ld free there, %zu needed): echo %zu > %s",
				 mem_node, free_pages < 0 ? 0 : free_pages,
				 len / HB_PMD_SIZE, len / HB_PMD_SIZE, where);
		else
			snprintf(why, whylen,
				 "not enough huge pages reserved (%ld free, %zu needed): echo %zu > %s",
				 free_pages < 0 ? 0 : free_pages, len / HB_PMD_SIZE,
				 len / HB_PMD_SIZE, where);
		return -ENOSPC;
	}
	return 0;
}

#define EXPECT(...) .expect = { __VA_ARGS__ }

/* One entry per state, in the canonical order of common/result_folder.h. */
static const struct hb_state states[HB_STATE_COUNT] = {
	[HB_STATE_NONE] = {
		.id = HB_STATE_NONE,
		.summary = "fresh anonymous memory (4 KiB, nothing mapped)",
		.build = build_none, .fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_NONE)
	},
	[HB_STATE_ZERO] = {
		.id = HB_STATE_ZERO,
		.summary = "read-touched anonymous memory: the zero page mapped",
		.build = build_zero, .fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_ALL)
	},
	[HB_STATE_PRESENT] = {
		.id = HB_STATE_PRESENT,
		.summary = "written anonymous memory, THP as the system default",
		.build = build_present,
		EXPECT(.mapped = HB_MAPPED_ALL)
	},
	[HB_STATE_COW] = {
		.id = HB_STATE_COW,
		.summary = "written, then shared with a forked child",
		.build = build_cow, .fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_ALL, .shared = true)
	},
	[HB_STATE_THP] = {
		.id = HB_STATE_THP,
		.summary = "MADV_HUGEPAGE, written: PMD-mapped",
		.available = thp_available, .build = build_thp,
		EXPECT(.mapped = HB_MAPPED_ALL, .pmd = true)
	},
	[HB_STATE_THP_NONE] = {
		.id = HB_STATE_THP_NONE,
		.summary = "MADV_HUGEPAGE, untouched: huge faults",
		.available = thp_available, .build = build_thp_none,
		.fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_NONE)
	},
	[HB_STATE_NOTHP] = {
		.id = HB_STATE_NOTHP,
		.summary = "MADV_NOHUGEPAGE, written: 4 KiB PTEs",
		.build = build_nothp,
		EXPECT(.mapped = HB_MAPPED_ALL)
	},
	[HB_STATE_FILE] = {
		.id = HB_STATE_FILE,
		.summary = "shmem page cache filled, not mapped",
		.build = build_file, .fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_NONE, .cached = true)
	},
	[HB_STATE_FILE_MAPPED] = {
		.id = HB_STATE_FILE_MAPPED,
		.summary = "shmem page cache filled and mapped",
		.build = build_file_mapped,
		EXPECT(.mapped = HB_MAPPED_ALL, .cached = true)
	},
	[HB_STATE_SWAPPED] = {
		.id = HB_STATE_SWAPPED,
		.summary = "written, then MADV_PAGEOUT to swap",
		.available = swap_available, .build = build_swapped,
		.fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_SWAPPED)
	},
	[HB_STATE_HUGETLB] = {
		.id = HB_STATE_HUGETLB,
		.summary = "MAP_HUGETLB 2 MiB pages, written",
		.available = hugetlb_available, .build = build_hugetlb,
		EXPECT(.mapped = HB_MAPPED_ALL)
	},
	[HB_STATE_SPARSE] = {
		.id = HB_STATE_SPARSE,
		.summary = "every other page written, holes between",
		.build = build_sparse, .fault_changes = true,
		EXPECT(.mapped = HB_MAPPED_HALF)
	},
};

const struct hb_state *hb_states(size_t *count)
{
	*count = HB_STATE_COUNT;
	return states;
}

const char *hb_state_name(const struct hb_state *state)
{
	return hb_state_order[state->id];
}

const struct hb_state *hb_state_find(const char *name)
{
	int id = hb_state_rank(name);

	return id < HB_STATE_COUNT ? &states[id] : NULL;
}

void hb_state_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < HB_STATE_COUNT && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", hb_state_order[i]);
}

int hb_range_build(struct hb_range *r, const struct hb_state *state,
		   size_t len, int mem_node, char *err, size_t errlen)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->state = state;
	r->len = len;
	r->memfd = -1;
	r->mem_node = mem_node;
	if (!len || len % page_size()) {
		snprintf(err, errlen, "range of %zu bytes is not a whole number of pages",
			 len);
		return -EINVAL;
	}
	if (state->available) {
		ret = state->available(len, mem_node, err, errlen);
		if (ret)
			return ret;
	}
	ret = state->build(r, err, errlen);
	if (ret)
		hb_range_destroy(r);
	return ret;
}

void hb_range_destroy(struct hb_range *r)
{
	if (r->child > 0) {
		kill(r->child, SIGKILL);
		waitpid(r->child, NULL, 0);
	}
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->memfd >= 0)
		close(r->memfd);
	r->child = 0;
	r->map = NULL;
	r->addr = NULL;
	r->memfd = -1;
}

bool hb_range_needs_rebuild(const struct hb_range *r, bool snapshot)
{
	return snapshot ? r->state->snapshot_changes : r->state->fault_changes;
}

/*
 * Pages of the sample that a state wants, in percent, for @mapped. Every
 * other page from the first: ceil(n / 2) of a whole range, half of a
 * sample (its runs are 64 pages from an even page).
 */
static double mapped_pct(enum hb_mapped mapped, const struct residency *res,
			 size_t range_pages)
{
	double n = res->pages ? (double)res->pages : 1;
	double half = res->pages == range_pages ? (double)((res->pages + 1) / 2) :
			      (double)(res->pages / 2);

	switch (mapped) {
	case HB_MAPPED_NONE:
		return 100.0 * (double)(res->pages - res->present -
					res->swapped) / n;
	case HB_MAPPED_ALL:
		return 100.0 * (double)res->present / n;
	case HB_MAPPED_HALF:
		return 100.0 - 100.0 * fabs((double)res->present - half) /
			       (half > 0 ? half : 1);
	case HB_MAPPED_SWAPPED:
		return 100.0 * (double)res->swapped / n;
	}
	return 0;
}

static const char *const mapped_want[] = {
	[HB_MAPPED_NONE] = "no page mapped",
	[HB_MAPPED_ALL] = "every page present",
	[HB_MAPPED_HALF] = "every other page present",
	[HB_MAPPED_SWAPPED] = "every page swapped out",
};

int hb_range_check(const struct hb_range *r, bool deep, double *pct,
		   char *why, size_t whylen)
{
	const struct hb_expect *e = &r->state->expect;
	/* MADV_PAGEOUT is best effort: a page busy elsewhere stays. */
	double need = e->mapped == HB_MAPPED_SWAPPED ? 90.0 : 100.0;
	struct residency res;
	long long pmd, cached;
	int ret;

	ret = residency_sample(r->addr, r->len, 4096, &res);
	if (ret)
		return fail(why, whylen, ret, "reading /proc/self/pagemap");
	*pct = mapped_pct(e->mapped, &res, r->len / page_size());
	if (*pct < need) {
		snprintf(why, whylen,
			 "state '%s' not built: %.1f %% of %zu sampled pages as wanted (%s; present %zu, swapped %zu)%s",
			 hb_state_name(r->state), *pct, res.pages, mapped_want[e->mapped],
			 res.present, res.swapped,
			 e->mapped == HB_MAPPED_SWAPPED ?
			 "; is swap full or slow?" : "");
		return -EPROTO;
	}
	if (e->shared && res.exclusive) {
		snprintf(why, whylen,
			 "state '%s' not built: %zu of %zu sampled pages are still exclusive to this process after fork()",
			 hb_state_name(r->state), res.exclusive, res.pages);
		return -EPROTO;
	}
	if (e->pmd && deep) {
		pmd = smaps_pmd_bytes(r->addr, r->len);
		if (pmd < (long long)r->len) {
			*pct = pmd < 0 ? 0 : 100.0 * (double)pmd / (double)r->len;
			snprintf(why, whylen,
				 "state '%s' not built: %.1f %% of the range is PMD-mapped, wanted all (memory too fragmented for THP? echo 1 > /proc/sys/vm/compact_memory; see /sys/kernel/mm/transparent_hugepage/defrag)",
				 hb_state_name(r->state), *pct);
			return -EPROTO;
		}
	}
	if (e->cached) {
		cached = residency_cached(r->addr, r->len);
		if (cached < 0)
			return fail(why, whylen, (int)cached, "mincore");
		if ((size_t)cached < r->len / page_size()) {
			snprintf(why, whylen,
				 "state '%s' not built: %lld of %zu pages are in the page cache",
				 hb_state_name(r->state), cached, r->len / page_size());
			return -EPROTO;
		}
	}
	return 0;
}
