// SPDX-License-Identifier: GPL-2.0
/*
 * claims.c - which differences are called significant (see claims.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

long claims_add(struct claim_family *f, const double *a, size_t na,
		const double *b, size_t nb)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 64;
		struct claim *grown = realloc(f->c, cap * sizeof(*grown));

		if (!grown)
			return -1;
		f->c = grown;
		f->cap = cap;
	}
	f->c[f->n] = (struct claim){ .a = a, .na = na, .b = b, .nb = nb,
				     .ratio = NAN, .p = NAN, .p_adj = NAN };
	return (long)f->n++;
}

int claim_beyond_floor(double ratio, double floor_pct)
{
	double f = 1.0 + floor_pct / 100.0;

	if (!(ratio > 0))
		return 0;
	return ratio >= f || ratio <= 1.0 / f;
}

int claims_decide(struct claim_family *f, const struct claim_opts *o)
{
	double *p = malloc((f->n ? f->n : 1) * sizeof(*p));
	long tested;

	if (!p)
		return -1;
	f->raw = f->survived = f->min_reps = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct claim *c = &f->c[i];

		c->ratio = stats_amean(c->b, c->nb) / stats_amean(c->a, c->na);
		c->p = sig_test_p(o->test, c->a, c->na, c->b, c->nb);
		c->beyond_floor = claim_beyond_floor(c->ratio, o->floor_pct);
		c->raw = !isnan(c->p) && c->p < o->alpha;
		p[i] = c->p;
		f->raw += c->raw;
		if (!isnan(c->p)) {
			size_t least = c->na < c->nb ? c->na : c->nb;

			if (!f->min_reps || least < f->min_reps)
				f->min_reps = least;
		}
	}
	tested = stats_adjust_p(o->correction, p, f->n, p);
	if (tested < 0) {
		free(p);
		return -1;
	}
	f->tested = (size_t)tested;
	for (size_t i = 0; i < f->n; i++) {
		struct claim *c = &f->c[i];

		c->p_adj = p[i];
		c->survives = !isnan(c->p_adj) && c->p_adj < o->alpha &&
			      c->beyond_floor;
		f->survived += c->survives;
	}
	free(p);
	return 0;
}

void claims_free(struct claim_family *f)
{
	free(f->c);
	memset(f, 0, sizeof(*f));
}

void claims_rule(char *buf, size_t len, const struct claim_opts *o)
{
	if (o->correction == CORR_NONE) {
		snprintf(buf, len,
			 "has p < %g by itself (no multiple-comparison correction; %s, two-sided) and changes by %g%% or more",
			 o->alpha, sig_test_name(o->test), o->floor_pct);
		return;
	}
	snprintf(buf, len,
		 "survives %s (%s %g; %s, two-sided) and changes by %g%% or more",
		 sig_correction_name(o->correction),
		 sig_correction_rate(o->correction), o->alpha,
		 sig_test_name(o->test), o->floor_pct);
}

/*
 * The smallest p-value @t can give for @n repetitions on each side: the
 * U test's is bounded (all of one sample below all of the other), a
 * t-test's is not.
 */
static double smallest_p(enum sig_test t, size_t n)
{
	double *x;
	double p;

	if (t != TEST_MWU || n < 2)
		return 0;
	x = malloc(2 * n * sizeof(*x));
	if (!x)
		return 0;
	for (size_t i = 0; i < 2 * n; i++)
		x[i] = (double)i;
	p = stats_mwu_p(x, n, x + n, n);
	free(x);
	return p;
}

void claims_power_note(char *buf, size_t len, const struct claim_family *f,
		       const struct claim_opts *o)
{
	double least;

	buf[0] = '\0';
	if (!f->tested || o->correction == CORR_NONE)
		return;
	/* Holm's and BH's first threshold is alpha / m. */
	least = smallest_p(o->test, f->min_reps);
	if (least >= o->alpha / (double)f->tested)
		snprintf(buf, len,
			 "With %zu repetitions the %s cannot go below p = %.2g, over the first threshold alpha/%zu = %.2g: nothing can be significant; use --test welch or more repetitions.",
			 f->min_reps, sig_test_name(o->test), least, f->tested,
			 o->alpha / (double)f->tested);
}

void claims_outcome(char *buf, size_t len, const struct claim_family *f,
		    const struct claim_opts *o, const char *what)
{
	size_t w;

	w = (size_t)snprintf(buf, len,
			     "%zu of %zu %s %s significant (%zu had p < %g before correction).",
			     f->survived, f->tested, what,
			     f->survived == 1 ? "is" : "are", f->raw, o->alpha);
	if (w + 1 < len) {
		buf[w++] = ' ';
		claims_power_note(buf + w, len - w, f, o);
		if (!buf[w])
			buf[w - 1] = '\0';
	}
}
