// SPDX-License-Identifier: GPL-2.0
/*
 * compare.c - mmtests-style comparison of hmmbench runs (see compare.h).
 *
 * Layout of one case (80 columns: an 8-column row label, then per run an
 * 11-column value and a 10-column delta cell, three runs per block; more
 * runs get further blocks that repeat the baseline):
 *
 *   hmm/read/default/present/2M (ns per call)
 *                  #0 6.1.0-21-amd64        #1 6.12.9-amd64
 *   Min          1000.00 (   0.00%)      800.00 (  20.00%)
 *   Amean        1010.00 (   0.00%)      810.00 *  19.80%*
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "facts.h"
#include "stats.h"
#include "text_wrap.h"

#define WIDTH 80
#define LABEL_W 8
#define VALUE_W 11
#define DELTA_W 10
#define COL_W (1 + VALUE_W + 1 + DELTA_W)
#define RUNS_PER_BLOCK 3

enum row { ROW_MIN, ROW_AMEAN, ROW_STDDEV, ROW_CV, ROW_MAX, NROWS };

static const char *const row_names[NROWS] = {
	"Min", "Amean", "Stddev", "CoeffVar", "Max",
};

/* The statistics of one case in one run. */
struct cell {
	const struct report_case *c;	/* NULL: case absent */
	int ok;				/* numbers to show */
	double v[NROWS];
};

static const char *base_name(const char *path)
{
	const char *end = path + strlen(path), *p;

	while (end > path && end[-1] == '/')
		end--;
	for (p = end; p > path && p[-1] != '/'; p--)
		;
	return p;
}

void compare_run_label(const struct report_run *runs, size_t nruns, size_t i,
		       char *buf, size_t len)
{
	const char *k = results_ctx_or(&runs[i], "kernel_release", "?");
	int unique = 1;

	for (size_t j = 0; j < nruns; j++)
		if (j != i &&
		    !strcmp(k, results_ctx_or(&runs[j], "kernel_release", "?")))
			unique = 0;
	if (unique) {
		snprintf(buf, len, "%s", k);
		return;
	}
	/* same kernel: the folder name (the run's timestamp) tells them apart */
	snprintf(buf, len, "%s", base_name(runs[i].dir));
	buf[strcspn(buf, "/")] = '\0';
}

/* mmtests' pndiff: gain in percent when lower is better. */
static double gain(double v, double base)
{
	if (v == base)
		return 0;
	if (base == 0 || isnan(v) || isnan(base))
		return NAN;
	return 100.0 - v * 100.0 / base;
}

/* Two decimals while they fit the column, then fewer, then exponent form. */
static void fmt_value(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.2f", v);
	if (strlen(buf) > VALUE_W)
		snprintf(buf, len, "%.0f", v);
	if (strlen(buf) > VALUE_W)
		snprintf(buf, len, "%.4e", v);
}

/* Seven characters for the number: fewer decimals as it grows, then e. */
static void fmt_delta(char *buf, size_t len, double d, int sig)
{
	static const char *const forms[] = { "%.2f", "%.1f", "%.0f", "%.0e" };
	char num[32];

	if (fabs(d) < 0.005)
		d = 0;	/* no "-0.00%" */
	if (isnan(d)) {
		snprintf(buf, len, "(     n/a)");	/* 10 wide, like the rest */
		return;
	}
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(num, sizeof(num), forms[i], d);
		if (strlen(num) <= 7)
			break;
	}
	snprintf(buf, len, sig ? "*%7s%%*" : "(%7s%%)", num);
}

static void fill_cell(struct cell *cell, const struct report_case *c)
{
	memset(cell, 0, sizeof(*cell));
	cell->c = c;
	if (!c || c->n_error || !c->n)
		return;
	cell->ok = 1;
	cell->v[ROW_MIN] = stats_min(c->time_ns, c->n);
	cell->v[ROW_AMEAN] = stats_amean(c->time_ns, c->n);
	cell->v[ROW_STDDEV] = stats_stddev(c->time_ns, c->n);
	cell->v[ROW_CV] = stats_coeffvar(c->time_ns, c->n);
	cell->v[ROW_MAX] = stats_max(c->time_ns, c->n);
}

/* Unit that keeps the baseline's Amean within 11 columns with 2 decimals. */
static double pick_unit(double ns, const char **name)
{
	if (!(ns >= 1e7)) {
		*name = "ns";
		return 1;
	}
	if (ns < 1e10) {
		*name = "us";
		return 1e3;
	}
	if (ns < 1e13) {
		*name = "ms";
		return 1e6;
	}
	*name = "s";
	return 1e9;
}

/* Runs shown in block @b: the baseline, then up to two others. */
static size_t block_runs(size_t nruns, size_t b, size_t *idx)
{
	size_t n = 0, first = 1 + b * (RUNS_PER_BLOCK - 1);

	idx[n++] = 0;
	for (size_t i = first; i < nruns && n < RUNS_PER_BLOCK; i++)
		idx[n++] = i;
	return n;
}

static size_t nblocks(size_t nruns)
{
	return nruns <= 1 ? 1 : (nruns - 2) / (RUNS_PER_BLOCK - 1) + 1;
}

static void print_col_header(FILE *out, const struct report_run *runs, size_t nruns,
			     const size_t *idx, size_t n)
{
	fprintf(out, "%-*s", LABEL_W, "");
	for (size_t k = 0; k < n; k++) {
		char label[64], head[96];

		compare_run_label(runs, nruns, idx[k], label, sizeof(label));
		snprintf(head, sizeof(head), "#%zu %s", idx[k], label);
		head[COL_W - 1] = '\0';
		fprintf(out, " %*s", COL_W - 1, head);
	}
	fputc('\n', out);
}

static void print_case_block(FILE *out, const struct compare_view *v,
			     size_t c, const struct cell *cells,
			     const size_t *idx, size_t n, double unit)
{
	const struct cell *base = &cells[0];

	for (int r = 0; r < NROWS; r++) {
		fprintf(out, "%-*s", LABEL_W, row_names[r]);
		for (size_t k = 0; k < n; k++) {
			const struct cell *cl = &cells[idx[k]];
			const struct claim *cm;
			char val[32], delta[32];
			double val_v, d;
			int sig = 0;

			if (!cl->ok) {
				fprintf(out, " %*s %*s", VALUE_W,
					cl->c && cl->c->n_error ? "ERROR" : "n/a",
					DELTA_W, "");
				continue;
			}
			val_v = cl->v[r];
			d = base->ok ? gain(val_v, base->v[r]) : NAN;
			if (r == ROW_AMEAN && idx[k] != 0) {
				cm = compare_claim(v, c, idx[k]);
				sig = cm && cm->survives;
			}
			if (isnan(val_v))
				snprintf(val, sizeof(val), "n/a");
			else
				fmt_value(val, sizeof(val),
					  r == ROW_CV ? val_v : val_v / unit);
			fmt_delta(delta, sizeof(delta), d, sig);
			fprintf(out, " %*s %*s", VALUE_W, val, DELTA_W, delta);
		}
		fputc('\n', out);
	}
}

static void print_errors(FILE *out, const struct cell *cells, size_t nruns)
{
	for (size_t i = 0; i < nruns; i++) {
		char head[32];

		if (!cells[i].c || !cells[i].c->n_error)
			continue;
		snprintf(head, sizeof(head), "  #%zu error: ", i);
		fputs(head, out);
		text_wrap(out, strlen(head), 4, WIDTH, cells[i].c->error);
	}
}

static int in_all_runs(const struct report_run *runs, size_t nruns, const char *name)
{
	for (size_t i = 0; i < nruns; i++)
		if (!results_find(&runs[i], name))
			return 0;
	return 1;
}

/* Print the rows of case @c of the view, block by block. */
static void print_case(FILE *out, const struct compare_view *v, size_t c,
		       struct cell *cells)
{
	const char *uname;
	double unit;
	size_t idx[RUNS_PER_BLOCK];

	for (size_t i = 0; i < v->nruns; i++)
		fill_cell(&cells[i], results_find(&v->runs[i], v->common[c]));
	unit = pick_unit(cells[0].ok ? cells[0].v[ROW_AMEAN] : 0, &uname);
	fprintf(out, "\n%s (%s per call)\n", cells[0].c->label, uname);
	for (size_t b = 0; b < nblocks(v->nruns); b++) {
		size_t n = block_runs(v->nruns, b, idx);

		print_col_header(out, v->runs, v->nruns, idx, n);
		print_case_block(out, v, c, cells, idx, n, unit);
	}
	print_errors(out, cells, v->nruns);
}

static void print_legend(FILE *out, const struct compare_view *v)
{
	const struct report_run *runs = v->runs;
	const struct claim_opts *co = &v->opts->claim;
	size_t nruns = v->nruns, low = 0;
	char text[2048];

	fprintf(out, "hmmbench compare: %zu runs, #0 is the baseline\n",
		nruns);
	for (size_t i = 0; i < nruns; i++) {
		char label[64], head[320];

		compare_run_label(runs, nruns, i, label, sizeof(label));
		size_t dirlen = strlen(runs[i].dir);

		snprintf(head, sizeof(head), "  #%zu %.64s, host %.64s:", i, label,
			 results_ctx_or(&runs[i], "host",
					results_ctx_or(&runs[i], "host_name",
						       "?")));
		fputs(head, out);
		/* A path has no spaces to wrap at: keep its tail on a line. */
		if (dirlen > WIDTH - 6)
			fprintf(out, "\n      ...%s\n",
				runs[i].dir + dirlen - (WIDTH - 9));
		else
			fprintf(out, "\n      %s\n", runs[i].dir);
	}
	if (v->nsettings) {
		snprintf(text, sizeof(text),
			 "WARNING: the runs differ in %zu setting(s) that change what a case measures (%s): a change below may be the setting's, not the kernel's.",
			 v->nsettings, v->settings);
		text_wrap(out, 0, 0, WIDTH, text);
	}
	snprintf(text, sizeof(text),
		 "Time per call as measured in the kernel; lower is better. "
		 "Deltas are gains against #0 as in mmtests: +5.00%% is 5%% "
		 "faster, -5.00%% is 5%% slower. An Amean delta shown as "
		 "*-5.00%%* is significant: over the %zu Amean comparisons of "
		 "this table it survives %s (%s %g; %s, two-sided) and changes "
		 "the mean by %g%% or more; (-5.00%%) is not.",
		 v->fam.tested, sig_correction_name(co->correction),
		 sig_correction_rate(co->correction), co->alpha,
		 sig_test_name(co->test), co->floor_pct);
	text_wrap(out, 0, 0, WIDTH, text);
	claims_outcome(text, sizeof(text), &v->fam, co, "comparisons");
	text_wrap(out, 0, 0, WIDTH, text);
	fprintf(out, "Repetitions per case:");
	for (size_t i = 0; i < nruns; i++) {
		size_t lo = results_min_reps(&runs[i]);
		size_t hi = results_max_reps(&runs[i]);

		if (lo == hi)
			fprintf(out, " #%zu %zu%s", i, lo,
				i + 1 < nruns ? "," : ".\n");
		else
			fprintf(out, " #%zu %zu-%zu%s", i, lo, hi,
				i + 1 < nruns ? "," : ".\n");
		if (lo < COMPARE_MIN_REPS)
			low++;
	}
	if (low)
		fprintf(out,
			"Warning: %zu run(s) have fewer than %d repetitions of some case;\n"
			"the significance test is unreliable below %d.\n",
			low, COMPARE_MIN_REPS, COMPARE_MIN_REPS);
	for (size_t i = 0; i < nruns; i++)
		if (!runs[i].complete)
			fprintf(out,
				"Warning: #%zu is an incomplete run (no COMPLETE file).\n",
				i);
}

static void print_missing(FILE *out, const struct report_run *runs, size_t nruns)
{
	int header = 0;

	for (size_t i = 0; i < nruns; i++) {
		for (size_t c = 0; c < runs[i].ncases; c++) {
			const char *name = runs[i].cases[c].name;
			char where[128] = "";
			size_t w = 0, first = nruns;

			for (size_t j = 0; j < nruns; j++)
				if (results_find(&runs[j], name) && first == nruns)
					first = j;
			if (first != i || in_all_runs(runs, nruns, name))
				continue;	/* listed once, or common */
			for (size_t j = 0; j < nruns && w < sizeof(where) - 8; j++)
				if (results_find(&runs[j], name))
					w += (size_t)snprintf(where + w,
						sizeof(where) - w, " #%zu", j);
			if (!header) {
				fprintf(out,
					"\nCases not in every run (not compared):\n");
				header = 1;
			}
			fprintf(out, "  %s\n      only in%s\n",
				runs[i].cases[c].label, where);
		}
	}
}

/* One row of the geometric-mean table: @pick chooses g, lo or hi. */
static void print_gmean_row(FILE *out, const struct compare_view *v,
			    const char *label, const size_t *idx, size_t n,
			    int pick)
{
	fprintf(out, "%-*s", LABEL_W, label);
	for (size_t k = 0; k < n; k++) {
		const struct compare_gmean *g = &v->gmean[idx[k]];
		double x = pick == 0 ? g->g : pick < 0 ? g->lo : g->hi;
		char delta[32], val[32];

		fmt_delta(delta, sizeof(delta),
			  isnan(x) ? NAN : 100.0 - 100.0 * x, 0);
		snprintf(val, sizeof(val), "%.4f", x);
		if (strlen(val) > VALUE_W)
			snprintf(val, sizeof(val), "%.4e", x);
		fprintf(out, " %*s %*s", VALUE_W, val, DELTA_W, delta);
	}
	fputc('\n', out);
}

static void print_geomean(FILE *out, const struct compare_view *v)
{
	size_t idx[RUNS_PER_BLOCK];
	char text[1024];
	int level = (int)lround(100 * (1 - v->opts->claim.alpha));

	snprintf(text, sizeof(text),
		 "Geometric mean of the Amean ratios to #0 over the %zu hmm/ "
		 "cases that have numbers in every run (the same cases in every "
		 "column; lower is better; delta as gain, +5.00%% is 5%% "
		 "faster), with its %d%% confidence interval: a t interval on "
		 "the mean of the log ratios over those cases.",
		 v->gmean_cases, level);
	fputc('\n', out);
	text_wrap(out, 0, 0, WIDTH, text);
	for (size_t b = 0; b < nblocks(v->nruns); b++) {
		size_t n = block_runs(v->nruns, b, idx);

		print_col_header(out, v->runs, v->nruns, idx, n);
		print_gmean_row(out, v, "Gmean", idx, n, 0);
		snprintf(text, sizeof(text), "CI%d lo", level);
		print_gmean_row(out, v, text, idx, n, -1);
		snprintf(text, sizeof(text), "CI%d hi", level);
		print_gmean_row(out, v, text, idx, n, 1);
	}
	snprintf(text, sizeof(text),
		 "%zu of the %zu cases in common; base/ and cal/ cases, and cases that failed in any run, are left out.",
		 v->gmean_cases, v->ncommon);
	fputs("Cases in the geometric mean: ", out);
	text_wrap(out, 29, 2, WIDTH, text);
}

/* ---- the view ------------------------------------------------------------ */

const struct claim *compare_claim(const struct compare_view *v, size_t c,
				  size_t i)
{
	long m = v->member[c * v->nruns + i];

	return m < 0 ? NULL : &v->fam.c[m];
}

/* The geometric means over the hmm/ cases with numbers in every run. */
static int build_gmeans(struct compare_view *v)
{
	double **ratio = calloc(v->nruns, sizeof(*ratio));
	double *amean = calloc(v->nruns, sizeof(*amean));
	double level = 1 - v->opts->claim.alpha;
	int ret = -1;

	v->gmean = calloc(v->nruns, sizeof(*v->gmean));
	if (!ratio || !amean || !v->gmean)
		goto out;
	for (size_t i = 0; i < v->nruns; i++) {
		ratio[i] = calloc(v->ncommon + 1, sizeof(**ratio));
		if (!ratio[i])
			goto out;
	}
	v->gmean_cases = 0;
	for (size_t c = 0; c < v->ncommon; c++) {
		int every = 1;

		for (size_t i = 0; i < v->nruns && every; i++) {
			const struct report_case *rc =
				results_find(&v->runs[i], v->common[c]);
			struct cell cl;

			fill_cell(&cl, rc);
			every = rc->id.kind == HB_KIND_HMM && cl.ok &&
				cl.v[ROW_AMEAN] > 0;
			amean[i] = cl.v[ROW_AMEAN];
		}
		if (!every)
			continue;
		for (size_t i = 0; i < v->nruns; i++)
			ratio[i][v->gmean_cases] = amean[i] / amean[0];
		v->gmean_cases++;
	}
	for (size_t i = 0; i < v->nruns; i++)
		stats_geomean_ci(ratio[i], v->gmean_cases, level,
				 &v->gmean[i].g, &v->gmean[i].lo,
				 &v->gmean[i].hi);
	ret = 0;
out:
	for (size_t i = 0; ratio && i < v->nruns; i++)
		free(ratio[i]);
	free(ratio);
	free(amean);
	return ret;
}

/* Every Amean of a non-baseline run against #0's: one family. */
static int build_claims(struct compare_view *v)
{
	v->member = malloc((v->ncommon * v->nruns + 1) * sizeof(*v->member));
	if (!v->member)
		return -1;
	for (size_t c = 0; c < v->ncommon; c++) {
		const struct report_case *a = results_find(&v->runs[0],
							   v->common[c]);

		for (size_t i = 0; i < v->nruns; i++) {
			const struct report_case *b =
				results_find(&v->runs[i], v->common[c]);
			long *m = &v->member[c * v->nruns + i];
			struct cell ca, cb;

			fill_cell(&ca, a);
			fill_cell(&cb, b);
			*m = -1;
			if (i == 0 || !ca.ok || !cb.ok)
				continue;
			*m = claims_add(&v->fam, a->time_ns, a->n, b->time_ns,
					b->n);
			if (*m < 0)
				return -1;
		}
	}
	return claims_decide(&v->fam, &v->opts->claim);
}

int compare_view_build(struct compare_view *v, const struct report_run *runs,
		       size_t nruns, const struct compare_opts *o, char *err,
		       size_t errlen)
{
	memset(v, 0, sizeof(*v));
	v->runs = runs;
	v->nruns = nruns;
	v->opts = o;
	v->nsettings = facts_settings_differ(runs, nruns, v->settings,
					     sizeof(v->settings));
	if (v->nsettings && !o->allow_different_settings) {
		snprintf(err, errlen,
			 "the runs differ in settings that change what a case measures (%s); compare runs made with the same settings, or pass --allow-different-settings to compare anyway (the output then says so)",
			 v->settings);
		return -1;
	}
	v->common = calloc(runs[0].ncases + 1, sizeof(*v->common));
	if (!v->common)
		goto nomem;
	for (size_t c = 0; c < runs[0].ncases; c++)
		if (in_all_runs(runs, nruns, runs[0].cases[c].name))
			v->common[v->ncommon++] = runs[0].cases[c].name;
	if (!v->ncommon) {
		snprintf(err, errlen,
			 "no benchmark case is in every run (#0 has %zu cases, #1 has %zu): were they run with the same suite and profile?",
			 runs[0].ncases, nruns > 1 ? runs[1].ncases : 0);
		compare_view_free(v);
		return -1;
	}
	if (build_claims(v) || build_gmeans(v))
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	compare_view_free(v);
	return -1;
}

void compare_view_free(struct compare_view *v)
{
	free(v->common);
	free(v->member);
	free(v->gmean);
	claims_free(&v->fam);
	memset(v, 0, sizeof(*v));
}

void compare_print_view(FILE *out, const struct compare_view *v)
{
	struct cell *cells = calloc(v->nruns, sizeof(*cells));

	if (!cells)
		return;
	print_legend(out, v);
	for (size_t c = 0; c < v->ncommon; c++)
		print_case(out, v, c, cells);
	print_missing(out, v->runs, v->nruns);
	print_geomean(out, v);
	facts_print_differences(out, v->runs, v->nruns);
	free(cells);
}

int compare_print(FILE *out, const struct report_run *runs, size_t nruns,
		  const struct compare_opts *o, char *err, size_t errlen)
{
	struct compare_view v;

	if (compare_view_build(&v, runs, nruns, o, err, errlen))
		return -1;
	compare_print_view(out, &v);
	compare_view_free(&v);
	return 0;
}
