// SPDX-License-Identifier: GPL-2.0
/*
 * test_claims.c - the A/A check of the claims (report/claims.c): on many
 * simulated families of comparisons, drawn from GSL's Mersenne Twister
 * with a fixed seed, the corrected procedure calls at most its stated rate
 * of false differences, and the uncorrected one (what hmmbench-report did
 * before) far more. Also the effect-size floor and the family's counts.
 *
 * A family is what one quick run gives `report` or `compare`: 480
 * comparisons of 5 repetitions against 5, each case with its own mean and
 * spread (a coefficient of variation from 0.5% to 20%).
 *
 * The allowance: the observed rate over F families is a binomial (or, for
 * the false discovery proportion, a bounded) mean; it may exceed the true
 * rate by chance. The bound is rate + 3 standard errors, which a correct
 * procedure exceeds with probability about 0.1%; the draws are fixed by
 * the seed, so the test is deterministic.
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for TAP output.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "report/claims.h"

#define FAMILIES 1000
#define PAIRS 480
#define REPS 5
#define ALPHA 0.05

/* Repetitions of one family: a[p] and b[p] are REPS samples each. */
struct family_data {
	double a[PAIRS][REPS];
	double b[PAIRS][REPS];
	int shifted[PAIRS];	/* a true difference was put into pair p */
};

/*
 * Draw one family: each pair a case with a mean of 1e3 to 1e7 ns and a
 * CV of 0.5% to 20%; @nshift pairs get b's mean @shift times a's.
 */
static void draw_family(gsl_rng *rng, struct family_data *d, size_t nshift,
			double shift)
{
	for (size_t p = 0; p < PAIRS; p++) {
		double mean = pow(10, 3 + 4 * gsl_rng_uniform(rng));
		double cv = 0.005 + 0.195 * gsl_rng_uniform(rng);

		d->shifted[p] = p < nshift;
		for (size_t r = 0; r < REPS; r++) {
			d->a[p][r] = mean * (1 + gsl_ran_gaussian(rng, cv));
			d->b[p][r] = mean * (d->shifted[p] ? shift : 1) *
				     (1 + gsl_ran_gaussian(rng, cv));
		}
	}
}

/* Decide the claims of @d under @o; false and true claims out. */
static void decide(const struct family_data *d, const struct claim_opts *o,
		   size_t *false_claims, size_t *true_claims)
{
	struct claim_family f = { 0 };

	for (size_t p = 0; p < PAIRS; p++)
		assert_int_equal(claims_add(&f, d->a[p], REPS, d->b[p], REPS),
				 (long)p);
	assert_int_equal(claims_decide(&f, o), 0);
	assert_int_equal(f.tested, PAIRS);
	*false_claims = *true_claims = 0;
	for (size_t p = 0; p < PAIRS; p++) {
		*false_claims += f.c[p].survives && !d->shifted[p];
		*true_claims += f.c[p].survives && d->shifted[p];
	}
	claims_free(&f);
}

/* The rates over FAMILIES families of one kind, for two procedures. */
struct rates {
	double fwer;		/* share of families with a false claim */
	double fdr;		/* mean false discovery proportion */
	double fdr_se;		/* its standard error */
	double per_family;	/* false claims per family */
};

static void simulate(unsigned long seed, size_t nshift, double shift,
		     const struct claim_opts *o, struct rates *r)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct family_data *d = malloc(sizeof(*d));
	double sum = 0, sum2 = 0, any = 0, claims = 0;

	assert_non_null(rng);
	assert_non_null(d);
	gsl_rng_set(rng, seed);
	for (size_t i = 0; i < FAMILIES; i++) {
		size_t v, s;
		double fdp;

		draw_family(rng, d, nshift, shift);
		decide(d, o, &v, &s);
		fdp = v + s ? (double)v / (double)(v + s) : 0;
		sum += fdp;
		sum2 += fdp * fdp;
		any += v > 0;
		claims += (double)v;
	}
	r->fwer = any / FAMILIES;
	r->fdr = sum / FAMILIES;
	r->fdr_se = sqrt(fmax(sum2 / FAMILIES - r->fdr * r->fdr, 0) / FAMILIES);
	r->per_family = claims / FAMILIES;
	free(d);
	gsl_rng_free(rng);
}

/* The binomial allowance: rate + 3 standard errors of a share of F. */
static double binomial_bound(double rate)
{
	return rate + 3 * sqrt(rate * (1 - rate) / FAMILIES);
}

/*
 * All 480 pairs unchanged (an A/A comparison): Holm's family-wise error
 * rate stays within alpha; with no correction nearly every family has a
 * false star, about alpha * 480 = 24 of them.
 */
static void test_aa_holm_controls_the_family(void **state)
{
	struct claim_opts holm = { TEST_WELCH, CORR_HOLM, ALPHA, 0 };
	struct claim_opts none = { TEST_WELCH, CORR_NONE, ALPHA, 0 };
	struct rates h, n;

	(void)state;
	simulate(20240501, 0, 1, &holm, &h);
	simulate(20240501, 0, 1, &none, &n);
	print_message("# A/A, %d families of %d null pairs: Holm family-wise error %.4f (bound %.4f), %.3f false stars per family; uncorrected %.4f, %.1f per family\n",
		      FAMILIES, PAIRS, h.fwer, binomial_bound(ALPHA),
		      h.per_family, n.fwer, n.per_family);
	assert_true(h.fwer <= binomial_bound(ALPHA));
	/* the check can fail: the old, uncorrected procedure fails it */
	assert_true(n.fwer > binomial_bound(ALPHA));
	assert_true(fabs(n.per_family - ALPHA * PAIRS) < 0.2 * ALPHA * PAIRS);
}

/*
 * 48 of 480 pairs 20% slower, the rest unchanged: Holm still makes no
 * false claim in at least 1 - alpha of the families; Benjamini-Hochberg
 * keeps the false discovery rate within alpha; uncorrected, a third of
 * the claims are false.
 */
static void test_ab_holm_and_bh_rates(void **state)
{
	struct claim_opts holm = { TEST_WELCH, CORR_HOLM, ALPHA, 0 };
	struct claim_opts bh = { TEST_WELCH, CORR_BH, ALPHA, 0 };
	struct claim_opts none = { TEST_WELCH, CORR_NONE, ALPHA, 0 };
	struct rates h, b, n;

	(void)state;
	simulate(7, 48, 1.2, &holm, &h);
	simulate(7, 48, 1.2, &bh, &b);
	simulate(7, 48, 1.2, &none, &n);
	print_message("# A/B, 48 of %d pairs 20%% slower: Holm FWER %.4f; BH FDR %.4f (+- %.4f); uncorrected FDR %.4f, FWER %.4f\n",
		      PAIRS, h.fwer, b.fdr, b.fdr_se, n.fdr, n.fwer);
	assert_true(h.fwer <= binomial_bound(ALPHA));
	assert_true(b.fdr <= ALPHA + 3 * b.fdr_se);
	assert_true(n.fdr > ALPHA + 3 * n.fdr_se);
	assert_true(n.fwer > binomial_bound(ALPHA));
}

/* The floor: a change below it is never claimed, whatever its p-value. */
static void test_floor(void **state)
{
	static const double a[] = { 100.0, 100.1, 99.9, 100.0, 100.05 };
	static const double b[] = { 104.0, 104.1, 103.9, 104.0, 104.05 };
	struct claim_opts o = { TEST_WELCH, CORR_HOLM, ALPHA, 5 };
	struct claim_family f = { 0 };

	(void)state;
	assert_true(claim_beyond_floor(1.05, 5));
	assert_true(claim_beyond_floor(1 / 1.05, 5));
	assert_false(claim_beyond_floor(1.049, 5));
	assert_false(claim_beyond_floor(0.96, 5));
	assert_true(claim_beyond_floor(0.96, 0));
	assert_false(claim_beyond_floor(NAN, 0));

	assert_int_equal(claims_add(&f, a, 5, b, 5), 0);
	assert_int_equal(claims_add(&f, b, 5, a, 5), 1);
	assert_int_equal(claims_decide(&f, &o), 0);
	assert_true(f.c[0].p < 1e-8);		/* 4% with no noise */
	assert_false(f.c[0].survives);
	assert_false(f.c[1].survives);
	assert_int_equal(f.raw, 2);
	assert_int_equal(f.survived, 0);
	o.floor_pct = 3;
	assert_int_equal(claims_decide(&f, &o), 0);
	assert_true(f.c[0].survives);
	assert_true(f.c[1].survives);
	assert_int_equal(f.survived, 2);
	claims_free(&f);
}

/*
 * A side with one repetition has no test: it is not in the family, and
 * the U test's bounded p-value is said when it cannot pass Holm.
 */
static void test_family_size_and_power_note(void **state)
{
	static const double x[] = { 1, 2, 3, 4, 5 };
	static const double y[] = { 6, 7, 8, 9, 10 };
	struct claim_opts o = { TEST_MWU, CORR_HOLM, ALPHA, 0 };
	struct claim_family f = { 0 };
	char note[512];

	(void)state;
	assert_int_equal(claims_add(&f, x, 5, y, 5), 0);
	assert_int_equal(claims_add(&f, x, 1, y, 5), 1);
	for (int i = 0; i < 10; i++)
		claims_add(&f, x, 5, x, 5);
	assert_int_equal(claims_decide(&f, &o), 0);
	assert_int_equal(f.tested, 11);
	assert_true(isnan(f.c[1].p));
	assert_false(f.c[1].survives);
	/* U test, 5 against 5: p >= 0.012 > 0.05 / 11 */
	assert_false(f.c[0].survives);
	claims_power_note(note, sizeof(note), &f, &o);
	assert_non_null(strstr(note, "cannot go below p = 0.012"));
	o.test = TEST_WELCH;
	assert_int_equal(claims_decide(&f, &o), 0);
	assert_true(f.c[0].survives);
	claims_power_note(note, sizeof(note), &f, &o);
	assert_string_equal(note, "");
	claims_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aa_holm_controls_the_family),
		cmocka_unit_test(test_ab_holm_and_bh_rates),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_family_size_and_power_note),
	};

	return cmocka_run_group_tests_name("claims", tests, NULL, NULL);
}
