/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runner: one Google Benchmark case per plan case. Each timed call is
 * preceded by an untimed (re)build of its page state, its time is the one
 * the module measured, and its verdict is checked: a failed verification
 * becomes an error on that case, never a number.
 */
#ifndef HMMBENCH_RUNNER_H
#define HMMBENCH_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "plan.h"
#include "topology.h"

#define HB_HIST_BUCKETS 64

/*
 * Every repetition of a case starts with an untimed warm-up call (caches,
 * TLB, the module's code) while its range is at most one 512-page window
 * and so can sit in a cache; above that only the first repetition does:
 * the call's own work dominates, and with one call a repetition a warm-up
 * would double the time of the run.
 */
#define HB_WARMUP_MAX_BYTES (2ULL << 20)

struct hb_runner {
	struct hb_device *dev;
	const struct hb_topology *topo;
	double min_time;	/* > 0: Google Benchmark min time per repetition */
	int bound_node;		/* CPU node the thread is bound to, or -1 */
	/* Called as each repetition of a case starts (progress); may be NULL. */
	void (*on_repetition)(const struct hb_case *c, void *user);
	void *user;
};

/* What the run learned about one case. */
struct hb_case_result {
	struct hb_runner *runner;
	struct hb_case *c;
	uint64_t hist[HB_HIST_BUCKETS];	/* per-chunk fault time, log2 ns */
	uint64_t calls;			/* timed calls, all repetitions */
	uint64_t retries;		/* their -EBUSY and sequence retries */
	double retries_per_call;	/* retries / calls, or NaN */
	unsigned int repetitions;	/* callbacks so far */
	/* Where the pages were (move_pages() samples after each repetition):
	 * share on the wanted memory node, mean over repetitions, or NaN. */
	double placed_pct;
	double placed_sum;
	size_t placed_n;
	bool errored;
	char error[512];
	/* Aggregates as Google Benchmark reported them, in ns per call. */
	bool have_stats;
	double mean, median, stddev, cv, min, max, p99;
	double ns_per_page;		/* mean over repetitions */
};

/* Register every case of @plan that is not skipped. 0 or -errno. */
int hb_runner_register(struct hb_runner *r, struct hb_plan *plan);

/*
 * Keep aggregate @name ("mean", "median", "stddev", "cv", "min", "max",
 * "p99"; others are ignored) of a case's time per call, in ns, as the
 * summary reads it: from Google Benchmark as it reports, or from the
 * entries of a case an interrupted attempt finished.
 */
void hb_case_result_set_aggregate(struct hb_case_result *res,
				  const char *name, double value);

/* Free the case results that hb_runner_register() hung on @plan. */
void hb_case_results_free(struct hb_plan *plan);

#endif /* HMMBENCH_RUNNER_H */
