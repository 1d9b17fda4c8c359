// SPDX-License-Identifier: GPL-2.0
#include "residency.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAPPED	(1ULL << 62)
#define PM_EXCLUSIVE	(1ULL << 56)
#define RUN_PAGES	64

static void count(const uint64_t *entries, size_t n, struct residency *out)
{
	size_t i;

	out->pages += n;
	for (i = 0; i < n; i++) {
		out->present += !!(entries[i] & PM_PRESENT);
		out->swapped += !!(entries[i] & PM_SWAPPED);
		out->exclusive += !!(entries[i] & PM_EXCLUSIVE);
	}
}

/* Pagemap entries of pages [first, first + n) of the address space. */
static int read_entries(int fd, uintptr_t first, size_t n, uint64_t *entries)
{
	ssize_t got = pread(fd, entries, n * sizeof(*entries),
			    (off_t)(first * sizeof(*entries)));

	if (got != (ssize_t)(n * sizeof(*entries)))
		return got < 0 ? -errno : -EIO;
	return 0;
}

int residency_sample(const void *addr, size_t len, size_t max_pages,
		     struct residency *out)
{
	size_t psize = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t first = (uintptr_t)addr / psize;
	size_t n = len / psize, runs, stride, r, take;
	uint64_t *entries;
	int fd, ret = 0;

	memset(out, 0, sizeof(*out));
	if (!max_pages || max_pages >= n) {
		runs = 1;
		take = n;
		stride = n;
	} else {
		take = RUN_PAGES < max_pages ? RUN_PAGES : max_pages;
		runs = max_pages / take;
		stride = n / runs / take * take;
	}
	entries = calloc(take ? take : 1, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	for (r = 0; r < runs && !ret; r++) {
		ret = read_entries(fd, first + r * stride, take, entries);
		if (!ret)
			count(entries, take, out);
	}
	close(fd);
out_free:
	free(entries);
	return ret;
}

int residency_scan(const void *addr, size_t len, struct residency *out)
{
	return residency_sample(addr, len, 0, out);
}

long long residency_cached(void *addr, size_t len)
{
	size_t psize = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = len / psize, i;
	long long cached = 0;
	unsigned char *vec;

	vec = malloc(n ? n : 1);
	if (!vec)
		return -ENOMEM;
	if (mincore(addr, len, vec)) {
		free(vec);
		return -errno;
	}
	for (i = 0; i < n; i++)
		cached += vec[i] & 1;
	free(vec);
	return cached;
}

long long smaps_pmd_bytes(const void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len, start, end;
	long long total = 0, kb;
	int overlap = 0;
	char line[512];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			overlap = start < hi && end > lo;
			continue;
		}
		if (!overlap)
			continue;
		if (sscanf(line, "AnonHugePages: %lld kB", &kb) == 1 ||
		    sscanf(line, "ShmemPmdMapped: %lld kB", &kb) == 1 ||
		    sscanf(line, "FilePmdMapped: %lld kB", &kb) == 1)
			total += kb * 1024;
	}
	fclose(f);
	return total;
}
