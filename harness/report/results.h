/* SPDX-License-Identifier: GPL-2.0 */
/*
 * results.h - load one hmmbench run folder for analysis.
 *
 * The folder's layout and names are common/result_folder.h's contract.
 * results_load() validates the folder and keeps, per benchmark case, the
 * per-repetition samples (run_type "iteration"); Google Benchmark's own
 * aggregates are ignored, statistics are recomputed from the samples.
 */
#ifndef HMMBENCH_RESULTS_H
#define HMMBENCH_RESULTS_H

#include <stddef.h>

#include "common/result_folder.h"

/* Per-repetition counters that the benchmark writes as top-level fields. */
enum results_counter {
	CTR_NS_PER_PAGE,
	CTR_PAGES_PER_S,
	CTR_GIB_PER_S,
	CTR_FILL_NS,
	CTR_FAULT_NS,
	CTR_PAGES,
	CTR_CALLS,
	CTR_RETRIES,
	CTR_PMD_PAGES,
	CTR_PLACED_PCT,
	CTR_WINDOW,
	CTR_COUNT
};

extern const char *const results_counter_names[CTR_COUNT];

struct report_case {
	char *name;		/* full Google Benchmark name, the match key */
	char *label;		/* name without "/manual_time" */
	struct hb_case_id id;
	size_t n;		/* successful repetitions */
	double *time_ns;	/* real_time per call, in ns, per repetition */
	double *ctr[CTR_COUNT];	/* per repetition; NAN where absent */
	double iterations;	/* of its first repetition; NAN if absent */
	char *error;		/* error_message of a failed repetition */
	size_t n_error;		/* failed repetitions */
};

struct report_skipped {
	char *name;
	char *reason;
};

struct report_ctx {
	char *key;
	char *value;		/* numbers and booleans as text */
};

struct report_run {
	char *dir;
	int complete;		/* COMPLETE present */
	struct report_ctx *ctx;
	size_t nctx;
	struct report_case *cases;
	size_t ncases;
	struct report_skipped *skipped;
	size_t nskipped;
};

/*
 * Load the run folder @dir into @run. Returns 0, or -1 with a one-line
 * message in @err that names the problem and the fix. An interrupted run
 * (no COMPLETE) is refused unless @allow_incomplete.
 */
int results_load(const char *dir, int allow_incomplete, struct report_run *run,
		 char *err, size_t errlen);
void results_free(struct report_run *run);

/* Context value as text, or NULL when the key is absent. */
const char *results_ctx(const struct report_run *run, const char *key);
/* Like results_ctx() but never NULL: absent keys read as @dflt. */
const char *results_ctx_or(const struct report_run *run, const char *key,
			   const char *dflt);

const struct report_case *results_find(const struct report_run *run,
				       const char *name);

/* Time per page of repetition @r: the ns_per_page counter, or time / pages
 * (pages from the counter, else the range size in 4 KiB pages). */
double results_ns_per_page(const struct report_case *c, size_t r);

/* Largest and smallest repetition count over the cases of a run. */
size_t results_max_reps(const struct report_run *run);
size_t results_min_reps(const struct report_run *run);

#endif /* HMMBENCH_RESULTS_H */
