/* SPDX-License-Identifier: GPL-2.0 */
/* What the guest tests share: the guest's state, clocks, files, a watchdog. */
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

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

/* Write @s into @path (a /proc or /sys knob), best effort. */
void write_file(const char *path, const char *s);

/*
 * Wait for child @pid, as a watchdog: give up when *@progress (NULL: never
 * moves) has not changed for @stall_s seconds, or when @deadline_s have
 * passed (0: no deadline). Giving up prints "# watchdog: " @what and the
 * reason, calls @on_stall (may be NULL) for the caller's own diagnostics,
 * dumps the child's kernel stacks, kills it and waits up to 20 s for it.
 * Returns the child's wait status, or -1 when the watchdog gave up.
 */
int watch_child(pid_t pid, const unsigned long *progress, double stall_s,
		double deadline_s, const char *what,
		void (*on_stall)(void *), void *user);

#endif
