/* SPDX-License-Identifier: GPL-2.0 */
/* What the hardening tests read of a guest's state, in one place. */
#ifndef HMMBENCH_TEST_GUEST_UTIL_H
#define HMMBENCH_TEST_GUEST_UTIL_H

#include <sys/types.h>

/* /proc/meminfo in kB, plus the free pages parked on per-CPU lists. */
struct meminfo {
	long long total, avail, free_, slab, sunreclaim, vmalloc, pagetables;
	long long swap_total, swap_free;
	long long pcp;		/* kB on per-CPU free lists (zoneinfo) */
};

/* 0, or -1 when /proc cannot be read. */
int read_meminfo(struct meminfo *m);

/* Print every thread's kernel stack of @pid as TAP diagnostics. */
void dump_task_stacks(pid_t pid);

#endif
