/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stats.h - descriptive statistics and significance tests over samples.
 *
 * Pure functions over arrays of doubles; nothing here allocates state that
 * outlives a call, prints, or keeps globals. The names say exactly what is
 * computed: stats_stddev() is the sample standard deviation (n - 1 in the
 * denominator), not the standard error of the mean (stats_stderr()).
 *
 * Functions that cannot give an answer (no samples, too few samples for a
 * variance, a harmonic mean over non-positive values) return NAN.
 */
#ifndef HMMBENCH_STATS_H
#define HMMBENCH_STATS_H

#include <stddef.h>

#include "common/quantile.h"

double stats_min(const double *x, size_t n);
double stats_max(const double *x, size_t n);
/* Arithmetic mean: the right mean for times (mmtests' Amean). */
double stats_amean(const double *x, size_t n);
/* Harmonic mean: the right mean for rates (mmtests' Hmean); needs x > 0. */
double stats_hmean(const double *x, size_t n);
/* Sample standard deviation, sqrt(sum((x - mean)^2) / (n - 1)); n >= 2. */
double stats_stddev(const double *x, size_t n);
/* Standard error of the mean, stddev / sqrt(n); n >= 2. */
double stats_stderr(const double *x, size_t n);
/* Coefficient of variation in percent: 100 * stddev / amean. */
double stats_coeffvar(const double *x, size_t n);
double stats_median(const double *x, size_t n);
/* Percentiles: hb_percentile(), one definition for the whole suite. */

/*
 * Two-sided p-value of Welch's unequal-variances t-test, with the
 * Welch-Satterthwaite degrees of freedom; needs na, nb >= 2. When both
 * samples have zero variance the answer is 1 for equal means and 0 for
 * different ones.
 */
double stats_welch_p(const double *a, size_t na, const double *b, size_t nb);

/*
 * Two-sided p-value of the Mann-Whitney U test by the normal approximation
 * with tie correction and continuity correction, as scipy's
 * mannwhitneyu(a, b, alternative='two-sided', method='asymptotic').
 * Returns 1 when every value is tied.
 */
double stats_mwu_p(const double *a, size_t na, const double *b, size_t nb);

/* Geometric mean of ratios (all > 0): exp(mean(log(r))). */
double stats_geomean(const double *ratio, size_t n);

/* The two-sample tests compare and report use, by name. */
enum sig_test {
	TEST_WELCH,	/* Welch's t-test (mmtests) */
	TEST_MWU,	/* Mann-Whitney U (Google Benchmark's compare.py) */
};

int sig_test_parse(const char *s, enum sig_test *t);
const char *sig_test_name(enum sig_test t);
/* Two-sided p-value of @t, NAN when a side has too few samples. */
double sig_test_p(enum sig_test t, const double *a, size_t na,
		  const double *b, size_t nb);
/*
 * Multiple-comparison control over a family of p-values. The adjusted
 * p-value of each member is compared with alpha: a member "survives" when
 * its adjusted p < alpha.
 *   HOLM  Holm's step-down: the chance that ANY member of the family is
 *         called different when none is (the family-wise error rate) is
 *         at most alpha, whatever the dependence between the tests.
 *   BH    Benjamini-Hochberg step-up: the expected share of false calls
 *         among the calls (the false discovery rate) is at most alpha, for
 *         independent or positively dependent tests.
 *   NONE  no control: each member alone at alpha (about alpha * m false
 *         calls in a family of m nulls).
 */
enum sig_correction {
	CORR_HOLM,
	CORR_BH,
	CORR_NONE,
};

int sig_correction_parse(const char *s, enum sig_correction *c);
/* "Holm's correction", "Benjamini-Hochberg", "no correction". */
const char *sig_correction_name(enum sig_correction c);
/* What alpha bounds under @c: "family-wise error rate", ... */
const char *sig_correction_rate(enum sig_correction c);

/*
 * Adjusted p-values of the @n p-values @p into @adj (may be @p itself).
 * NAN members (no test possible) stay NAN and are not counted in the
 * family. Returns the family size (members with a p-value), or -1 when
 * out of memory.
 */
long stats_adjust_p(enum sig_correction c, const double *p, size_t n,
		    double *adj);

/*
 * The geometric mean of @n ratios (all > 0) and its two-sided confidence
 * interval at @level (0.95): a Student t interval on the mean of the
 * logarithms, with n - 1 degrees of freedom, taken back with exp(). The
 * interval needs n >= 2 (else NAN).
 */
void stats_geomean_ci(const double *ratio, size_t n, double level,
		      double *gmean, double *lo, double *hi);

#endif /* HMMBENCH_STATS_H */
