// SPDX-License-Identifier: GPL-2.0
/*
 * fidelity: drive hmm_fidelity.ko, the minimal second timing of
 * hmm_range_fault() snapshots, over a THP-backed range on NUMA node 0.
 *
 * Maps SIZE (default 256 MiB) bound to node 0 with MADV_HUGEPAGE, writes
 * it and checks that smaps counts all of it as AnonHugePages. Then runs
 * ROUNDS rounds; a round is one ioctl of CALLS back-to-back calls in each
 * style, prefill and default, the first style alternating from round to
 * round. Every call's snapshot must see the whole range PMD-mapped.
 *
 * --rebuild unmaps, maps and writes the range again before every ioctl:
 * with --calls 1 each timed call is the first after 256 MiB of other
 * work, as in hmmbench. --fresh allocates the pfn array for every call.
 * --raw FILE writes every call's time ("STYLE ROUND NS FILL_NS" lines).
 *
 * Prints a line per round (median call of each style), then the summary
 * line the fidelity lane reads:
 *   fidelity: prefill_ns P default_ns D ratio_min A ratio_median R
 *             ratio_mean M nofill_ratio_min B nofill_ratio_median S calls N
 * P and D are the medians over all calls of a style; the ratios are
 * prefill / default of the minima (A), medians (R) and arithmetic means
 * (M) of the calls' times; B and S the same of the minima and medians
 * with the prefill calls' fill taken out of their time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <numa.h>
#include <numaif.h>

#include "kmod/hmm_fidelity.h"

#define HUGE_2M (2UL << 20)

struct opts {
	size_t size;
	unsigned int rounds, calls;
	bool fresh, rebuild;
	FILE *raw;
};

/* Every call's time, and its time without the fill, of one style. */
struct style_times {
	uint64_t *ns, *nofill;
	size_t n;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "fidelity: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n), sorting it. */
static double median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] :
		       ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

static double min(const uint64_t *v, size_t n)
{
	uint64_t m = v[0];
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return (double)m;
}

static double mean(const uint64_t *v, size_t n)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += (double)v[i];
	return sum / (double)n;
}

/* kB of AnonHugePages of the mapping that starts at @addr, or -1. */
static long anon_huge_kb(const void *addr)
{
	char line[256], want[32];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false;
	long kb = -1;
	char *dash, *space;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		dash = strchr(line, '-');
		space = strchr(line, ' ');
		if (dash && space && dash < space) {	/* a mapping's header */
			in = !strncmp(line, want, strlen(want));
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * A 2 MiB-aligned range of @size bytes on node 0, written and checked to
 * be THP-backed. Bound, as hmmbench binds its ranges: NUMA balancing then
 * leaves it alone (no PROT_NONE hinting PMDs, no migration).
 */
static void *map_thp(size_t size)
{
	unsigned long node0 = 1;
	size_t len = size + HUGE_2M;
	uintptr_t start;
	char *p;
	long kb;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	start = ((uintptr_t)p + HUGE_2M - 1) & ~(HUGE_2M - 1);
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	munmap((char *)start + size, (uintptr_t)p + len - start - size);
	p = (char *)start;
	if (mbind(p, size, MPOL_BIND, &node0, sizeof(node0) * 8, 0))
		die("mbind: %s", strerror(errno));
	if (madvise(p, size, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	memset(p, 1, size);
	kb = anon_huge_kb(p);
	if (kb < 0 || (size_t)kb * 1024 != size)
		die("%s", "the range did not get transparent huge pages (smaps AnonHugePages is not all of it)");
	return p;
}

/* One ioctl of o->calls calls in one style; the median call in ns. */
static double run_style(int fd, const struct opts *o, void *addr,
			bool prefill, unsigned int round,
			struct style_times *all)
{
	uint64_t *ns = all->ns + all->n, *nofill = all->nofill + all->n;
	uint64_t fills[HMM_FIDELITY_MAX_CALLS];
	struct hmm_fidelity_run run = {
		.addr = (uintptr_t)addr,
		.len = o->size,
		.times_ptr = (uintptr_t)ns,
		.fills_ptr = (uintptr_t)fills,
		.calls = o->calls,
		.flags = (prefill ? HMM_FIDELITY_PREFILL : 0) |
			 (o->fresh ? HMM_FIDELITY_FRESH : 0),
	};
	uint64_t sorted[HMM_FIDELITY_MAX_CALLS];
	size_t i;

	if (ioctl(fd, HMM_FIDELITY_IOC_RUN, &run))
		die("HMM_FIDELITY_IOC_RUN: %s", strerror(errno));
	if (run.valid != o->size / 4096 || run.pmd != run.valid ||
	    run.errors) {
		fprintf(stderr,
			"fidelity: the snapshot did not see the whole range PMD-mapped: %" PRIu64 " of %zu pages valid, %" PRIu64 " PMD-mapped, %" PRIu64 " errors\n",
			(uint64_t)run.valid, o->size / 4096,
			(uint64_t)run.pmd, (uint64_t)run.errors);
		exit(1);
	}
	for (i = 0; i < o->calls; i++) {
		nofill[i] = ns[i] - fills[i];
		if (o->raw)
			fprintf(o->raw, "%s %u %" PRIu64 " %" PRIu64 "\n",
				prefill ? "prefill" : "default", round,
				(uint64_t)ns[i], (uint64_t)fills[i]);
	}
	all->n += o->calls;
	memcpy(sorted, ns, o->calls * sizeof(*ns));
	return median(sorted, o->calls);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "size-mib", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "calls", required_argument, NULL, 'c' },
		{ "fresh", no_argument, NULL, 'f' },
		{ "rebuild", no_argument, NULL, 'b' },
		{ "raw", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	*o = (struct opts){ .size = 256UL << 20, .rounds = 15, .calls = 9 };
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->fresh = true;
			continue;
		case 'b':
			o->rebuild = true;
			continue;
		case 'w':
			o->raw = fopen(optarg, "w");
			if (!o->raw)
				die("cannot write %s", optarg);
			continue;
		case '?':
			exit(2);
		}
		errno = 0;
		v = strtoul(optarg, &end, 10);
		if (errno || *end || !v || v > 1024)
			die("'%s' is not a number from 1 to 1024", optarg);
		if (c == 's')
			o->size = v << 20;
		else if (c == 'r')
			o->rounds = (unsigned int)v;
		else
			o->calls = (unsigned int)v;
	}
	if (optind < argc)
		die("unexpected argument '%s'", argv[optind]);
	if (o->size % HUGE_2M)
		die("%s", "--size-mib must be a multiple of 2");
}

int main(int argc, char **argv)
{
	struct style_times t[2] = { { 0 } };	/* prefill, default */
	double med[2], m[2], lo[2], nofill[2];
	struct opts o;
	unsigned int r;
	void *addr;
	int fd, k;

	parse(argc, argv, &o);
	/* CPU and memory on node 0, as hmmbench's local pair c0m0. */
	if (numa_available() < 0 || numa_run_on_node(0))
		die("%s", "cannot run on NUMA node 0");
	fd = open(HMM_FIDELITY_DEVICE, O_RDWR);
	if (fd < 0)
		die("cannot open " HMM_FIDELITY_DEVICE ": %s (insmod hmm_fidelity.ko)",
		    strerror(errno));
	for (k = 0; k < 2; k++) {
		t[k].ns = calloc((size_t)o.rounds * o.calls, sizeof(uint64_t));
		t[k].nofill = calloc((size_t)o.rounds * o.calls,
				     sizeof(uint64_t));
		if (!t[k].ns || !t[k].nofill)
			die("%s", "out of memory");
	}
	addr = map_thp(o.size);
	printf("# fidelity: %zu MiB THP, %u rounds of %u back-to-back calls a style%s%s\n",
	       o.size >> 20, o.rounds, o.calls,
	       o.rebuild ? ", the range rebuilt before each" : "",
	       o.fresh ? ", a new pfn array for every call" : "");
	for (r = 0; r < o.rounds; r++) {
		for (k = 0; k < 2; k++) {
			/* Even rounds start with prefill, odd with default. */
			bool prefill = (k == 0) == (r % 2 == 0);

			if (o.rebuild) {
				munmap(addr, o.size);
				addr = map_thp(o.size);
			}
			med[!prefill] = run_style(fd, &o, addr, prefill, r,
						  &t[!prefill]);
		}
		printf("round %u prefill_ns %.0f default_ns %.0f ratio %.3f\n",
		       r, med[0], med[1], med[0] / med[1]);
	}
	for (k = 0; k < 2; k++) {
		lo[k] = min(t[k].ns, t[k].n);
		m[k] = mean(t[k].ns, t[k].n);
		med[k] = median(t[k].ns, t[k].n);
	}
	/* Prefill without its fill, against default (which has none). */
	nofill[0] = min(t[0].nofill, t[0].n);
	nofill[1] = median(t[0].nofill, t[0].n);
	printf("fidelity: prefill_ns %.0f default_ns %.0f ratio_min %.3f ratio_median %.3f ratio_mean %.3f nofill_ratio_min %.3f nofill_ratio_median %.3f calls %zu\n",
	       med[0], med[1], lo[0] / lo[1], med[0] / med[1], m[0] / m[1],
	       nofill[0] / lo[1], nofill[1] / med[1], t[0].n);
	if (o.raw)
		fclose(o.raw);
	munmap(addr, o.size);
	for (k = 0; k < 2; k++) {
		free(t[k].ns);
		free(t[k].nofill);
	}
	close(fd);
	return 0;
}
