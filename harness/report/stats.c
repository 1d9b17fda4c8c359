// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - descriptive statistics and significance tests (see stats.h).
 *
 * Distributions come from GSL; nothing here hand-rolls a CDF.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "stats.h"

#include "common/quantile.h"

double stats_min(const double *x, size_t n)
{
	double m = NAN;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || x[i] < m)
			m = x[i];
	return m;
}

double stats_max(const double *x, size_t n)
{
	double m = NAN;

	for (size_t i = 0; i < n; i++)
		if (i == 0 || x[i] > m)
			m = x[i];
	return m;
}

double stats_amean(const double *x, size_t n)
{
	double sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

double stats_hmean(const double *x, size_t n)
{
	double inv = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!(x[i] > 0))
			return NAN;
		inv += 1.0 / x[i];
	}
	return (double)n / inv;
}

/* Sum of squared deviations from the mean, two-pass for accuracy. */
static double sum_sq_dev(const double *x, size_t n, double mean)
{
	double ss = 0;

	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return ss;
}

double stats_stddev(const double *x, size_t n)
{
	if (n < 2)
		return NAN;
	return sqrt(sum_sq_dev(x, n, stats_amean(x, n)) / (double)(n - 1));
}

double stats_stderr(const double *x, size_t n)
{
	return stats_stddev(x, n) / sqrt((double)n);
}

double stats_coeffvar(const double *x, size_t n)
{
	double mean = stats_amean(x, n);

	if (mean == 0)
		return NAN;
	return 100.0 * stats_stddev(x, n) / fabs(mean);
}

double stats_median(const double *x, size_t n)
{
	return hb_percentile(x, n, 50);
}

double stats_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma, mb, va, vb, se2, t, df;

	if (na < 2 || nb < 2)
		return NAN;
	ma = stats_amean(a, na);
	mb = stats_amean(b, nb);
	va = sum_sq_dev(a, na, ma) / (double)(na - 1) / (double)na;
	vb = sum_sq_dev(b, nb, mb) / (double)(nb - 1) / (double)nb;
	se2 = va + vb;
	if (se2 == 0)
		return ma == mb ? 1.0 : 0.0;
	t = (ma - mb) / sqrt(se2);
	df = se2 * se2 / (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
	return 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
}

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

double stats_mwu_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i, j;
	struct ranked *all;
	double r1 = 0, ties = 0, u1, u, mu, sigma, z, p;

	if (na == 0 || nb == 0)
		return NAN;
	all = malloc(n * sizeof(*all));
	if (!all)
		return NAN;
	for (i = 0; i < na; i++)
		all[i] = (struct ranked){ a[i], 1 };
	for (i = 0; i < nb; i++)
		all[na + i] = (struct ranked){ b[i], 0 };
	qsort(all, n, sizeof(*all), cmp_ranked);

	/* Average ranks (1-based) over runs of equal values. */
	for (i = 0; i < n; i = j) {
		double rank, t;

		for (j = i + 1; j < n && all[j].v == all[i].v; j++)
			;
		rank = ((double)(i + 1) + (double)j) / 2.0;
		t = (double)(j - i);
		ties += t * t * t - t;
		for (size_t k = i; k < j; k++)
			if (all[k].from_a)
				r1 += rank;
	}
	free(all);

	u1 = r1 - (double)na * (double)(na + 1) / 2.0;
	u = fmax(u1, (double)na * (double)nb - u1);
	mu = (double)na * (double)nb / 2.0;
	sigma = sqrt((double)na * (double)nb / 12.0 *
		     ((double)(n + 1) - ties / ((double)n * (double)(n - 1))));
	if (!(sigma > 0))
		return 1.0;
	z = (u - mu - 0.5) / sigma;
	p = 2.0 * gsl_cdf_ugaussian_Q(z);
	return p > 1.0 ? 1.0 : p;
}

double stats_geomean(const double *ratio, size_t n)
{
	double sum = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		if (!(ratio[i] > 0))
			return NAN;
		sum += log(ratio[i]);
	}
	return exp(sum / (double)n);
}

int sig_test_parse(const char *s, enum sig_test *t)
{
	if (!strcmp(s, "welch"))
		*t = TEST_WELCH;
	else if (!strcmp(s, "mwu") || !strcmp(s, "utest"))
		*t = TEST_MWU;
	else
		return -1;
	return 0;
}

const char *sig_test_name(enum sig_test t)
{
	return t == TEST_MWU ? "Mann-Whitney U test" : "Welch's t-test";
}

double sig_test_p(enum sig_test t, const double *a, size_t na,
		  const double *b, size_t nb)
{
	if (na < 2 || nb < 2)
		return NAN;
	return t == TEST_MWU ? stats_mwu_p(a, na, b, nb) :
			       stats_welch_p(a, na, b, nb);
}

int sig_correction_parse(const char *s, enum sig_correction *c)
{
	if (!strcmp(s, "holm"))
		*c = CORR_HOLM;
	else if (!strcmp(s, "bh") || !strcmp(s, "fdr"))
		*c = CORR_BH;
	else if (!strcmp(s, "none"))
		*c = CORR_NONE;
	else
		return -1;
	return 0;
}

const char *sig_correction_name(enum sig_correction c)
{
	return c == CORR_HOLM ? "Holm's correction" :
	       c == CORR_BH ? "the Benjamini-Hochberg correction" :
	       "no correction";
}

const char *sig_correction_rate(enum sig_correction c)
{
	return c == CORR_HOLM ? "family-wise error rate" :
	       c == CORR_BH ? "false discovery rate" : "per-comparison rate";
}

struct indexed_p {
	double p;
	size_t i;
};

static int cmp_indexed_p(const void *pa, const void *pb)
{
	const struct indexed_p *a = pa, *b = pb;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

long stats_adjust_p(enum sig_correction c, const double *p, size_t n,
		    double *adj)
{
	struct indexed_p *s = malloc((n ? n : 1) * sizeof(*s));
	size_t m = 0;
	double run;

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			s[m++] = (struct indexed_p){ p[i], i };
		else
			adj[i] = NAN;
	qsort(s, m, sizeof(*s), cmp_indexed_p);
	switch (c) {
	case CORR_HOLM:
		/* (m - k) p_(k) for the k-th smallest (0-based), kept
		 * monotone from the smallest up */
		run = 0;
		for (size_t k = 0; k < m; k++) {
			run = fmax(run, fmin(1.0, (double)(m - k) * s[k].p));
			adj[s[k].i] = run;
		}
		break;
	case CORR_BH:
		/* m / (k + 1) p_(k), kept monotone from the largest down */
		run = 1;
		for (size_t k = m; k-- > 0;) {
			run = fmin(run, (double)m / (double)(k + 1) * s[k].p);
			adj[s[k].i] = run;
		}
		break;
	case CORR_NONE:
		for (size_t k = 0; k < m; k++)
			adj[s[k].i] = s[k].p;
		break;
	}
	free(s);
	return (long)m;
}

void stats_geomean_ci(const double *ratio, size_t n, double level,
		      double *gmean, double *lo, double *hi)
{
	double *l = malloc((n ? n : 1) * sizeof(*l));
	double mean, half;

	*gmean = *lo = *hi = NAN;
	if (!l)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!(ratio[i] > 0)) {
			free(l);
			return;
		}
		l[i] = log(ratio[i]);
	}
	mean = stats_amean(l, n);
	if (n >= 1)
		*gmean = exp(mean);
	if (n >= 2) {
		half = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1)) *
		       stats_stderr(l, n);
		*lo = exp(mean - half);
		*hi = exp(mean + half);
	}
	free(l);
}
