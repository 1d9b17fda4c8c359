/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare.h - mmtests-style comparison of hmmbench runs.
 *
 * The first run is the baseline. Cases are matched by their full Google
 * Benchmark name. For every case in all runs the table gives Min, Amean,
 * Stddev, CoeffVar and Max of the time per call, each with its gain
 * against the baseline in percent (mmtests' convention for "lower is
 * better": +10.00% is 10% faster); an Amean gain that is significant
 * (claims.h: it survives the multiple-comparison correction over every
 * Amean of the table, and reaches the effect-size floor) reads *-12.34%*
 * instead of (-12.34%). A geometric mean of the hmm/ cases' Amean ratios
 * with its confidence interval, and the system facts and settings that
 * differ between runs close the output. Every line fits 80 columns.
 *
 * Runs that differ in a setting that changes what a case measures
 * (facts.h) are refused unless allow_different_settings; then the output
 * says so at its top and lists the settings among the differences.
 */
#ifndef HMMBENCH_COMPARE_H
#define HMMBENCH_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "claims.h"
#include "results.h"

/* Google Benchmark's advice: fewer repetitions make the tests unreliable. */
#define COMPARE_MIN_REPS 9

struct compare_opts {
	struct claim_opts claim;
	int allow_different_settings;
};

/* The geometric mean of Amean(run) / Amean(#0) with its interval. */
struct compare_gmean {
	double g, lo, hi;
};

/* What the full table and the mail share. */
struct compare_view {
	const struct report_run *runs;
	size_t nruns;
	const struct compare_opts *opts;
	const char **common;	/* names of the cases in every run, #0's order */
	size_t ncommon;
	struct claim_family fam; /* every Amean against #0's */
	long *member;		/* [c * nruns + i]: fam index, -1: none */
	struct compare_gmean *gmean;	/* per run; [0] is 1 */
	size_t gmean_cases;	/* hmm/ cases with numbers in every run */
	size_t nsettings;	/* settings that differ (allowed by opts) */
	char settings[2048];	/* which, as one line */
};

/*
 * Match the cases, decide the claims, take the geometric means. 0, or -1
 * with a one-line message in @err: no case in common, settings that
 * differ (unless allowed), out of memory.
 */
int compare_view_build(struct compare_view *v, const struct report_run *runs,
		       size_t nruns, const struct compare_opts *o, char *err,
		       size_t errlen);
void compare_view_free(struct compare_view *v);

/* The claim of case @c (index in v->common) of run @i >= 1, or NULL. */
const struct claim *compare_claim(const struct compare_view *v, size_t c,
				  size_t i);

/* The full table of @v to @out. */
void compare_print_view(FILE *out, const struct compare_view *v);

/*
 * Build the view of @runs (runs[0] is the baseline) and print the full
 * table to @out. Returns 0, or -1 with a message in @err.
 */
int compare_print(FILE *out, const struct report_run *runs, size_t nruns,
		  const struct compare_opts *o, char *err, size_t errlen);

/* Short column label of run @i ("6.1.0-21-amd64", or the folder name). */
void compare_run_label(const struct report_run *runs, size_t nruns, size_t i,
		       char *buf, size_t len);

#endif /* HMMBENCH_COMPARE_H */
