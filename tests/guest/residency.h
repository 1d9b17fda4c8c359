/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An independent view of a range from userspace, to check what the module
 * reports: /proc/self/pagemap per page and /proc/self/smaps per mapping.
 */
#ifndef HMMBENCH_TEST_RESIDENCY_H
#define HMMBENCH_TEST_RESIDENCY_H

#include <stddef.h>

struct residency {
	size_t pages;
	size_t present;		/* pagemap bit 63 */
	size_t swapped;		/* pagemap bit 62 */
	size_t exclusive;	/* pagemap bit 56: mapped by this process only */
};

/* 0 or -errno. */
int residency_scan(const void *addr, size_t len, struct residency *out);

/*
 * Bytes of AnonHugePages + ShmemPmdMapped + FilePmdMapped in the smaps
 * entries that overlap [addr, addr + len), or -1.
 */
long long smaps_pmd_bytes(const void *addr, size_t len);

#endif
