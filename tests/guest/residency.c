// SPDX-License-Identifier: GPL-2.0
#include "residency.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int residency_scan(const void *addr, size_t len, struct residency *out)
{
	size_t psize = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = len / psize, i;
	uint64_t *entries;
	ssize_t got;
	int fd, ret = 0;

	memset(out, 0, sizeof(*out));
	entries = calloc(n, sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	got = pread(fd, entries, n * sizeof(*entries),
		    (off_t)((uintptr_t)addr / psize * sizeof(*entries)));
	if (got != (ssize_t)(n * sizeof(*entries))) {
		ret = got < 0 ? -errno : -EIO;
		goto out_close;
	}
	out->pages = n;
	for (i = 0; i < n; i++) {
		out->present += !!(entries[i] & (1ULL << 63));
		out->swapped += !!(entries[i] & (1ULL << 62));
		out->exclusive += !!(entries[i] & (1ULL << 56));
	}
out_close:
	close(fd);
out_free:
	free(entries);
	return ret;
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
