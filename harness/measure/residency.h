/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An independent view of a range from userspace: /proc/self/pagemap per
 * page, mincore() for the page cache and /proc/self/smaps per mapping.
 * The harness uses it to check that a page state was really built; the
 * guest tests use it to check what the module reports.
 */
#ifndef HMMBENCH_RESIDENCY_H
#define HMMBENCH_RESIDENCY_H

#include <stddef.h>

struct residency {
	size_t pages;		/* pages looked at */
	size_t present;		/* pagemap bit 63 */
	size_t swapped;		/* pagemap bit 62 */
	size_t exclusive;	/* pagemap bit 56: mapped by this process only */
};

/* Every page of [addr, addr + len). 0 or -errno. */
int residency_scan(const void *addr, size_t len, struct residency *out);

/*
 * At most about @max_pages of them, in runs of 64 consecutive pages spread
 * evenly over the range (runs keep patterns such as every other page).
 * 0 or -errno.
 */
int residency_sample(const void *addr, size_t len, size_t max_pages,
		     struct residency *out);

/* Pages of the range in the page cache, by mincore(); -errno. */
long long residency_cached(void *addr, size_t len);

/*
 * Bytes of AnonHugePages + ShmemPmdMapped + FilePmdMapped in the smaps
 * entries that overlap [addr, addr + len), or -1.
 */
long long smaps_pmd_bytes(const void *addr, size_t len);

#endif
