/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claims.h - which differences hmmbench-report calls significant.
 *
 * A comparison (two samples of times: the reference a and the other b) is
 * one member of a family: every Amean that `compare` could star, every
 * prefill/default pair of `report`. A member is claimed ("significant",
 * starred, listed in the mail) only when both hold:
 *   - its p-value, from the two-sample test, survives the family's
 *     multiple-comparison correction (Holm by default) at alpha;
 *   - the change is at least the effect-size floor: the larger mean is at
 *     least (1 + floor/100) times the smaller.
 * The floor is there because the repetitions of one run share the run's
 * boot, memory layout and host load: the test sees the spread within a
 * run, not the drift between runs, so a small but consistent difference
 * between two runs of one kernel can reach any p-value. With no
 * correction, a family of 480 null pairs at alpha 0.05 stars about 24.
 */
#ifndef HMMBENCH_CLAIMS_H
#define HMMBENCH_CLAIMS_H

#include <stddef.h>
#include <stdio.h>

#include "stats.h"

/*
 * The default floor, in percent: the smallest change a patch mail should
 * claim. Between boots of one kernel the Amean of a case moves by more
 * than its repetitions spread (two quick runs of 6.12 in separate TCG
 * boots: a median of 7% in the cases whose repetitions spread by under
 * 10%; README, "Comparing kernels"), and the test cannot see it. Under
 * TCG, merge several boots per kernel or raise the floor.
 */
#define CLAIM_DEFAULT_FLOOR_PCT 5.0

struct claim_opts {
	enum sig_test test;
	enum sig_correction correction;
	double alpha;		/* the rate the correction bounds */
	double floor_pct;	/* changes below this are never claimed */
};

/* One comparison: sample b against the reference sample a. */
struct claim {
	const double *a, *b;
	size_t na, nb;
	double ratio;		/* Amean(b) / Amean(a) */
	double p;		/* two-sided p of the test; NAN: no test */
	double p_adj;		/* adjusted within the family */
	int raw;		/* p < alpha alone: what no correction stars */
	int beyond_floor;	/* the change reaches the floor */
	int survives;		/* claimed: p_adj < alpha and beyond_floor */
};

struct claim_family {
	struct claim *c;
	size_t n, cap;
	size_t tested;		/* members with a p-value: the family size */
	size_t raw;		/* p < alpha before correction */
	size_t survived;	/* claimed */
	size_t min_reps;	/* fewest repetitions of a tested side */
};

/* Add a member; its index, or -1 when out of memory. */
long claims_add(struct claim_family *f, const double *a, size_t na,
		const double *b, size_t nb);

/* Test every member, correct over the family, apply the floor. 0 or -1
 * (out of memory). */
int claims_decide(struct claim_family *f, const struct claim_opts *o);

void claims_free(struct claim_family *f);

/* Does @ratio (>0) differ from 1 by at least @floor_pct percent, either
 * way (ratio >= 1 + f or ratio <= 1 / (1 + f))? */
int claim_beyond_floor(double ratio, double floor_pct);

/*
 * The rule, as the end of a sentence "significant: it ...": "survives
 * Holm's correction (family-wise error rate 0.05; Welch's t-test,
 * two-sided) and changes by 5% or more"; without a correction "has p <
 * 0.05 by itself (...) and ...".
 */
void claims_rule(char *buf, size_t len, const struct claim_opts *o);

/*
 * When the test cannot reach the correction's first threshold (alpha / m)
 * with the family's fewest repetitions, a sentence that says so; else "".
 */
void claims_power_note(char *buf, size_t len, const struct claim_family *f,
		       const struct claim_opts *o);

/*
 * The outcome, in one sentence: "3 of 240 comparisons are significant (19
 * had p < 0.05 before correction)." and the power note, if any.
 */
void claims_outcome(char *buf, size_t len, const struct claim_family *f,
		    const struct claim_opts *o, const char *what);

#endif /* HMMBENCH_CLAIMS_H */
