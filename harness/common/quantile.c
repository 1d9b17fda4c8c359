// SPDX-License-Identifier: GPL-2.0
/* Percentiles (see quantile.h). */
#include "quantile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

double hb_percentile(const double *x, size_t n, double p)
{
	double *s, pos, frac, v;
	size_t lo;

	if (!n || !(p >= 0 && p <= 100))
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	pos = p / 100.0 * (double)(n - 1);
	lo = (size_t)floor(pos);
	frac = pos - (double)lo;
	v = s[lo];
	if (lo + 1 < n)
		v += frac * (s[lo + 1] - s[lo]);
	free(s);
	return v;
}
