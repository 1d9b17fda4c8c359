// SPDX-License-Identifier: GPL-2.0
/*
 * test_stats.c - checks harness/stats.c against values computed once with
 * scipy 1.10 / numpy (Debian bookworm's /usr/bin/python3):
 *
 *   stats.ttest_ind(x, y, equal_var=False).pvalue
 *   stats.mannwhitneyu(x, y, alternative='two-sided',
 *                      method='asymptotic').pvalue
 *   np.std(x, ddof=1), np.percentile(x, p), stats.hmean, stats.gmean
 *   exp(mean(log r) +- stats.t.ppf(0.975, n - 1) * sem(log r))
 *
 * and the Holm and Benjamini-Hochberg adjusted p-values of a textbook
 * example (statsmodels' multipletests 'holm' and 'fdr_bh' give the same).
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for TAP output.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report/stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const double A[] = { 10.1, 10.3, 9.8, 10.0, 10.2, 9.9, 10.4, 10.1, 9.7 };
static const double B[] = { 11.0, 10.8, 11.5, 10.9, 11.2, 11.1, 10.7, 11.3 };
static const double C[] = { 1, 2, 2, 3, 3, 3, 4, 5 };
static const double D[] = { 2, 3, 3, 4, 4, 5, 6, 6, 6, 7 };
static const double E[] = { 5.0, 5.1, 4.9, 5.2, 4.8 };
static const double F[] = { 5.05, 5.0, 4.95, 5.15, 4.85, 5.1 };

/* |got - want| within a relative tolerance (absolute near zero). */
static void assert_close(double got, double want, double rel)
{
	double tol = fmax(fabs(want) * rel, 1e-15);

	if (!(fabs(got - want) <= tol))
		fail_msg("got %.17g, want %.17g (tolerance %.3g)", got, want, tol);
}

/* Min, max, arithmetic and harmonic means of a small sample. */
static void test_descriptive(void **state)
{
	(void)state;
	assert_close(stats_min(A, N(A)), 9.7, 1e-15);
	assert_close(stats_max(A, N(A)), 10.4, 1e-15);
	assert_close(stats_amean(A, N(A)), 10.055555555555557, 1e-13);
	assert_close(stats_hmean(A, N(A)), 10.050880423405548, 1e-13);
}

/* Sample stddev uses n - 1; the standard error is stddev / sqrt(n). */
static void test_stddev_is_sample_stddev(void **state)
{
	(void)state;
	assert_close(stats_stddev(A, N(A)), 0.22973414586817048, 1e-12);
	assert_close(stats_stderr(A, N(A)), 0.22973414586817048 / 3.0, 1e-12);
	assert_close(stats_coeffvar(A, N(A)), 2.284648964434844, 1e-12);
}

/* Median and interpolated percentiles agree with numpy's default. */
static void test_percentiles(void **state)
{
	(void)state;
	assert_close(stats_median(A, N(A)), 10.1, 1e-15);
	assert_close(hb_percentile(A, N(A), 90), 10.32, 1e-12);
	assert_close(hb_percentile(B, N(B), 99), 11.486, 1e-12);
	assert_close(hb_percentile(C, N(C), 25), 2.0, 1e-15);
	assert_close(hb_percentile(C, N(C), 0), 1.0, 0);
	assert_close(hb_percentile(C, N(C), 100), 5.0, 0);
	assert_close(stats_median(B, N(B)), 11.05, 1e-12);
}

/* Empty input, one sample, and non-positive values give NAN, not junk. */
static void test_degenerate_inputs(void **state)
{
	static const double one[] = { 3.0 };
	static const double neg[] = { 1.0, -1.0 };

	(void)state;
	assert_true(isnan(stats_amean(A, 0)));
	assert_true(isnan(stats_min(A, 0)));
	assert_true(isnan(stats_median(A, 0)));
	assert_true(isnan(stats_stddev(one, 1)));
	assert_true(isnan(stats_hmean(neg, 2)));
	assert_true(isnan(hb_percentile(A, N(A), 101)));
	assert_true(isnan(stats_welch_p(one, 1, A, N(A))));
	assert_true(isnan(stats_geomean(neg, 2)));
}

/* Welch's t-test p-values match scipy's ttest_ind(equal_var=False). */
static void test_welch_matches_scipy(void **state)
{
	(void)state;
	assert_close(stats_welch_p(A, N(A), B, N(B)), 9.279513063098896e-07, 1e-6);
	assert_close(stats_welch_p(C, N(C), D, N(D)), 0.02235835479448327, 1e-6);
	assert_close(stats_welch_p(E, N(E), F, N(F)), 0.8472607878931958, 1e-6);
	assert_close(stats_welch_p(A, N(A), A, N(A)), 1.0, 1e-12);
	/* symmetric in its arguments */
	assert_close(stats_welch_p(B, N(B), A, N(A)), 9.279513063098896e-07, 1e-6);
}

/* Zero variance on both sides: equal means are p = 1, others p = 0. */
static void test_welch_zero_variance(void **state)
{
	static const double x[] = { 5, 5, 5 };
	static const double y[] = { 6, 6, 6, 6 };

	(void)state;
	assert_close(stats_welch_p(x, N(x), x, N(x)), 1.0, 0);
	assert_close(stats_welch_p(x, N(x), y, N(y)), 0.0, 0);
}

/* Mann-Whitney U (asymptotic, tie- and continuity-corrected) vs scipy. */
static void test_mwu_matches_scipy(void **state)
{
	(void)state;
	assert_close(stats_mwu_p(A, N(A), B, N(B)), 0.0006306360598090672, 1e-6);
	assert_close(stats_mwu_p(C, N(C), D, N(D)), 0.03758825661741347, 1e-6);
	assert_close(stats_mwu_p(E, N(E), F, N(F)), 0.9269325160816494, 1e-6);
	assert_close(stats_mwu_p(A, N(A), A, N(A)), 1.0, 1e-12);
	assert_close(stats_mwu_p(D, N(D), C, N(C)), 0.03758825661741347, 1e-6);
}

/* All values tied: no evidence of a difference. */
static void test_mwu_all_tied(void **state)
{
	static const double x[] = { 7, 7, 7 };

	(void)state;
	assert_close(stats_mwu_p(x, N(x), x, N(x)), 1.0, 0);
}

/* Geometric mean of ratios vs scipy.stats.gmean. */
static void test_geomean(void **state)
{
	static const double r[] = { 0.8, 1.25, 1.1, 0.9 };
	static const double same[] = { 1.2, 1.2, 1.2 };

	(void)state;
	assert_close(stats_geomean(r, N(r)), 0.9974905699336812, 1e-12);
	assert_close(stats_geomean(same, N(same)), 1.2, 1e-12);
}

/* Adjusted p-values; a NaN member is outside the family. */
static void test_adjust_p(void **state)
{
	static const double p[] = { 0.01, 0.04, 0.03, 0.005, 0.2, NAN };
	static const double holm[] = { 0.04, 0.09, 0.09, 0.025, 0.2 };
	static const double bh[] = { 0.025, 0.05, 0.05, 0.025, 0.2 };
	double adj[N(p)];

	(void)state;
	assert_int_equal(stats_adjust_p(CORR_HOLM, p, N(p), adj), 5);
	for (size_t i = 0; i < N(holm); i++)
		assert_close(adj[i], holm[i], 1e-12);
	assert_true(isnan(adj[5]));
	assert_int_equal(stats_adjust_p(CORR_BH, p, N(p), adj), 5);
	for (size_t i = 0; i < N(bh); i++)
		assert_close(adj[i], bh[i], 1e-12);
	assert_int_equal(stats_adjust_p(CORR_NONE, p, N(p), adj), 5);
	for (size_t i = 0; i < N(bh); i++)
		assert_close(adj[i], p[i], 0);
	/* in place, and an empty family */
	memcpy(adj, p, sizeof(p));
	assert_int_equal(stats_adjust_p(CORR_HOLM, adj, N(p), adj), 5);
	assert_close(adj[3], 0.025, 1e-12);
	assert_int_equal(stats_adjust_p(CORR_HOLM, p, 0, adj), 0);
}

/* The geometric mean's t interval against scipy. */
static void test_geomean_ci(void **state)
{
	static const double r[] = { 0.8, 1.25, 1.1, 0.9, 1.05 };
	static const double bad[] = { 1.0, 0.0 };
	double g, lo, hi;

	(void)state;
	stats_geomean_ci(r, N(r), 0.95, &g, &lo, &hi);
	assert_close(g, 1.0077780588191845, 1e-12);
	assert_close(lo, 0.8114219137666087, 1e-9);
	assert_close(hi, 1.2516504651974287, 1e-9);
	stats_geomean_ci(r, 1, 0.95, &g, &lo, &hi);
	assert_close(g, 0.8, 1e-12);
	assert_true(isnan(lo) && isnan(hi));
	stats_geomean_ci(bad, N(bad), 0.95, &g, &lo, &hi);
	assert_true(isnan(g) && isnan(lo) && isnan(hi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptive),
		cmocka_unit_test(test_stddev_is_sample_stddev),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_degenerate_inputs),
		cmocka_unit_test(test_welch_matches_scipy),
		cmocka_unit_test(test_welch_zero_variance),
		cmocka_unit_test(test_mwu_matches_scipy),
		cmocka_unit_test(test_mwu_all_tied),
		cmocka_unit_test(test_geomean),
		cmocka_unit_test(test_adjust_p),
		cmocka_unit_test(test_geomean_ci),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
