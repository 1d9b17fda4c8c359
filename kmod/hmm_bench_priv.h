/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmm_bench internals shared by the device, the timed fault path and the
 * interval-notifier mirror.
 */
#ifndef _HMM_BENCH_PRIV_H
#define _HMM_BENCH_PRIV_H

#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "uapi/hmm_bench.h"

#define HMM_BENCH_VERSION_MAJOR	0
#define HMM_BENCH_VERSION_MINOR	2
#define HMM_BENCH_VERSION_PATCH	0
#define HMM_BENCH_VERSION_STR	"0.2.0"

/* Hard ceiling of the histogram: log2 buckets of a u64 nanosecond count. */
#define HMM_BENCH_HIST_CEILING	64

/* Limits set by module parameters, read once per call. */
struct hmm_bench_limits {
	u64 max_range_bytes;
	unsigned long max_window_pages;
	unsigned long max_whole_pages;
	unsigned int max_hist_buckets;
	unsigned int max_retries;	/* per chunk, its own restarts aside */
	u64 busy_timeout_ns;	/* from a chunk's first counted retry */
};

void hmm_bench_get_limits(struct hmm_bench_limits *limits);

/*
 * One mirror per call: an interval notifier over the range and the driver
 * lock that its invalidate callback takes, as Documentation/mm/hmm.rst asks.
 */
struct hmm_bench_mirror {
	struct mmu_interval_notifier notifier;
	struct mutex lock;	/* orders invalidations against pfn checks */
	/* The task inside hmm_range_fault() on this range, or NULL. */
	struct task_struct *faulter;
	/* Invalidations not made by the faulter's own faults; under lock. */
	unsigned long foreign;
};

int hmm_bench_mirror_init(struct hmm_bench_mirror *mirror,
			  struct mm_struct *mm, unsigned long start,
			  unsigned long length);
void hmm_bench_mirror_fini(struct hmm_bench_mirror *mirror);

int hmm_bench_fault_run(struct hmm_bench_fault *req,
			const struct hmm_bench_limits *limits);

#endif /* _HMM_BENCH_PRIV_H */
