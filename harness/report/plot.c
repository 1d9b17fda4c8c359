// SPDX-License-Identifier: GPL-2.0
/*
 * plot.c - derived TSV files and gnuplot charts (see plot.h).
 *
 * gnuplot (gnuplot.c) runs once per chart, with the scripts of plots/ and
 * variables given by -e; it reads only the TSV written here.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "facts.h"
#include "gnuplot.h"
#include "plot.h"
#include "stats.h"
#include "common/fs.h"
#include "common/text.h"

/* The series of one ns/page chart, in TSV column order. */
enum series { S_PREFILL, S_DEFAULT, S_TOUCH, S_POPULATE, NSERIES };

/* ---- grouping ---------------------------------------------------------- */

/*
 * A "group" is one chart of time per page: access x state x NUMA pair, as
 * a struct hb_case_id whose size and style are left empty.
 */

/* The module's cases and their baselines are drawn; cal/ and others not. */
static bool plotted_kind(const struct hb_case_id *id)
{
	return id->kind == HB_KIND_HMM || id->kind == HB_KIND_BASE;
}

static int group_eq(const struct hb_case_id *g, const struct hb_case_id *id)
{
	return !strcmp(g->access, id->access) && !strcmp(g->state, id->state) &&
	       g->cpu_node == id->cpu_node && g->mem_node == id->mem_node;
}

static int group_cmp(const void *pa, const void *pb)
{
	return hb_case_id_cmp(pa, pb);
}

/* The hmm/ groups of @runs, sorted; returns the count, -1 on no memory. */
static ssize_t collect_groups(const struct report_run *runs, size_t nruns,
			      struct hb_case_id **out)
{
	struct hb_case_id *g = NULL;
	size_t n = 0;

	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct hb_case_id *id = &runs[r].cases[i].id;
			struct hb_case_id *grown;
			size_t k;

			if (id->kind != HB_KIND_HMM)
				continue;
			for (k = 0; k < n && !group_eq(&g[k], id); k++)
				;
			if (k < n)
				continue;
			grown = realloc(g, (n + 1) * sizeof(*g));
			if (!grown) {
				free(g);
				return -1;
			}
			g = grown;
			memset(&g[n], 0, sizeof(g[n]));
			g[n].kind = HB_KIND_HMM;
			strcpy(g[n].access, id->access);
			strcpy(g[n].state, id->state);
			g[n].cpu_node = id->cpu_node;
			g[n].mem_node = id->mem_node;
			n++;
		}
	}
	if (n)
		qsort(g, n, sizeof(*g), group_cmp);
	*out = g;
	return (ssize_t)n;
}

static int cmp_ull(const void *pa, const void *pb)
{
	unsigned long long a = *(const unsigned long long *)pa;
	unsigned long long b = *(const unsigned long long *)pb;

	return (a > b) - (a < b);
}

/* Sorted distinct sizes of the cases of group @g (hmm and base cases). */
static size_t group_sizes(const struct report_run *runs, size_t nruns,
			  const struct hb_case_id *g, unsigned long long *sizes,
			  size_t max)
{
	size_t n = 0;

	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct hb_case_id *id = &runs[r].cases[i].id;
			size_t k;

			/* a remote pair's chart has its own baselines */
			if (!plotted_kind(id) || !group_eq(g, id))
				continue;
			for (k = 0; k < n && sizes[k] != id->size_bytes; k++)
				;
			if (k == n && n < max)
				sizes[n++] = id->size_bytes;
		}
	}
	qsort(sizes, n, sizeof(*sizes), cmp_ull);
	return n;
}

/* The case of @run in group @g with @style ("prefill", "touch"...). */
static const struct report_case *
group_case(const struct report_run *run, const struct hb_case_id *g, const char *style,
	   unsigned long long size)
{
	int base = !strcmp(style, "touch") || !strcmp(style, "populate");

	for (size_t i = 0; i < run->ncases; i++) {
		const struct hb_case_id *id = &run->cases[i].id;

		if (id->kind != (base ? HB_KIND_BASE : HB_KIND_HMM) ||
		    id->size_bytes != size || strcmp(id->style, style) ||
		    !group_eq(g, id))
			continue;
		if (run->cases[i].n_error || !run->cases[i].n)
			return NULL;
		return &run->cases[i];
	}
	return NULL;
}

static const char *size_label(const struct report_run *runs, size_t nruns,
			      unsigned long long size)
{
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++)
			if (plotted_kind(&runs[r].cases[i].id) &&
			    runs[r].cases[i].id.size_bytes == size)
				return runs[r].cases[i].id.size;
	return "?";
}

/* Amean, min and max of time per page; NaN when @c is NULL. */
static void ns_page_stats(const struct report_case *c, double v[3])
{
	double *x;

	v[0] = v[1] = v[2] = NAN;
	if (!c)
		return;
	x = malloc(c->n * sizeof(*x));
	if (!x)
		return;
	for (size_t r = 0; r < c->n; r++)
		x[r] = results_ns_per_page(c, r);
	v[0] = stats_amean(x, c->n);
	v[1] = stats_min(x, c->n);
	v[2] = stats_max(x, c->n);
	free(x);
}

static void print_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "\tNaN");
	else
		fprintf(f, "\t%.6g", v);
}

static void group_stem(char *buf, size_t len, const char *prefix,
		       const struct hb_case_id *g)
{
	if (g->cpu_node >= 0)
		snprintf(buf, len, "%s%s-%s-c%dm%d", prefix, g->access,
			 g->state, g->cpu_node, g->mem_node);
	else
		snprintf(buf, len, "%s%s-%s", prefix, g->access, g->state);
}

void plot_compare_stem(const struct hb_case_id *id, char *buf, size_t len)
{
	group_stem(buf, len, "cmp-ns_page-", id);
}

/* "window 0 (whole range)", "window 64 pages", "window mixed". */
static void window_text(const struct report_run *runs, size_t nruns, char *buf,
			size_t len)
{
	double w = NAN;
	int mixed = 0;

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct report_case *c = &runs[r].cases[i];

			for (size_t k = 0; k < c->n; k++) {
				double v = c->ctr[CTR_WINDOW][k];

				if (isnan(v))
					continue;
				if (isnan(w))
					w = v;
				else if (v != w)
					mixed = 1;
			}
		}
	if (mixed)
		snprintf(buf, len, "window varies");
	else if (isnan(w))
		snprintf(buf, len, "window not recorded");
	else if (w == 0)
		snprintf(buf, len, "window 0 (whole range per call)");
	else
		snprintf(buf, len, "window %.0f pages", w);
}

static FILE *open_tsv(const char *dir, const char *stem, char *path,
		      size_t len, char *err, size_t errlen)
{
	FILE *f;

	if (hb_fmt(path, len, "%s/data/%s.tsv", dir, stem)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	f = fopen(path, "w");
	if (!f)
		hb_errf(err, errlen, "cannot write %s: %s", path,
			strerror(errno));
	return f;
}

static void group_title(char *buf, size_t len, const struct hb_case_id *g,
			const char *what)
{
	if (g->cpu_node >= 0)
		snprintf(buf, len,
			 "hmm_range_fault() %s, state %s, cpu node %d, memory node %d: %s",
			 g->access, g->state, g->cpu_node, g->mem_node, what);
	else
		snprintf(buf, len, "hmm_range_fault() %s, state %s: %s",
			 g->access, g->state, what);
}

/* ---- one run ----------------------------------------------------------- */

static const char *const series_style[NSERIES] = {
	[S_PREFILL] = "prefill", [S_DEFAULT] = "default",
	[S_TOUCH] = "touch", [S_POPULATE] = "populate",
};

static int plot_ns_page(const struct report_run *run, const char *dir,
			const struct hb_case_id *g, const char *subtitle,
			struct plot_list *out, char *err, size_t errlen)
{
	unsigned long long sizes[64];
	char stem[128], tsv[PATH_MAX], title[512], vars[PATH_MAX + 1024];
	size_t ns = group_sizes(run, 1, g, sizes, 64);
	int points = 0, has[NSERIES] = { 0 };
	FILE *f;

	group_stem(stem, sizeof(stem), "ns_page-", g);
	f = open_tsv(dir, stem, tsv, sizeof(tsv), err, errlen);
	if (!f)
		return -1;
	fprintf(f, "# size_bytes\tsize");
	for (int s = 0; s < NSERIES; s++)
		fprintf(f, "\t%s_amean\t%s_min\t%s_max", series_style[s],
			series_style[s], series_style[s]);
	fprintf(f, "\tprefill_retries\tdefault_retries");
	fprintf(f, "\n# ns per page; min and max over repetitions; then restarts per call\n");
	for (size_t k = 0; k < ns; k++) {
		fprintf(f, "%llu\t%s", sizes[k], size_label(run, 1, sizes[k]));
		for (int s = 0; s < NSERIES; s++) {
			double v[3];

			ns_page_stats(group_case(run, g, series_style[s],
						 sizes[k]), v);
			for (int j = 0; j < 3; j++)
				print_num(f, v[j]);
			has[s] += !isnan(v[0]);
			if (s <= S_DEFAULT && !isnan(v[0]))
				points++;
		}
		for (int s = S_PREFILL; s <= S_DEFAULT; s++) {
			const struct report_case *c =
				group_case(run, g, series_style[s], sizes[k]);

			print_num(f, c ? stats_amean(c->ctr[CTR_RETRIES], c->n) :
					 NAN);
		}
		fputc('\n', f);
	}
	fclose(f);
	if (!points)
		return 0;	/* every case of the group failed */
	group_title(title, sizeof(title), g, "time per page vs range size");
	if (hb_fmt(vars, sizeof(vars),
		"tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; has_touch=%d; has_populate=%d",
		tsv, title, subtitle, has[S_TOUCH] > 0,
		has[S_POPULATE] > 0)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot_chart(dir, stem, "ns_page.gp", vars, out, err, errlen);
}

/* Wide table: size, then one ratio column per state of @access. */
static int plot_ratio(const struct report_run *run, const char *dir,
		      const struct hb_case_id *groups, size_t ngroups,
		      const char *access, const char *subtitle,
		      struct plot_list *out, char *err, size_t errlen)
{
	unsigned long long sizes[64];
	const struct hb_case_id *cols[32];
	char stem[64], tsv[PATH_MAX], title[256], vars[PATH_MAX + 1024];
	size_t nsizes = 0, ncols = 0;
	int points = 0;
	FILE *f;

	for (size_t i = 0; i < ngroups && ncols < 32; i++) {
		unsigned long long s[64];
		size_t n;

		if (strcmp(groups[i].access, access) ||
		    (groups[i].cpu_node >= 0 &&
		     groups[i].cpu_node != groups[i].mem_node))
			continue;	/* remote NUMA pairs are in the matrix */
		cols[ncols++] = &groups[i];
		n = group_sizes(run, 1, &groups[i], s, 64);
		for (size_t k = 0; k < n; k++) {
			size_t j;

			for (j = 0; j < nsizes && sizes[j] != s[k]; j++)
				;
			if (j == nsizes && nsizes < 64)
				sizes[nsizes++] = s[k];
		}
	}
	if (!ncols)
		return 0;
	qsort(sizes, nsizes, sizeof(*sizes), cmp_ull);
	snprintf(stem, sizeof(stem), "ratio-%s", access);
	f = open_tsv(dir, stem, tsv, sizeof(tsv), err, errlen);
	if (!f)
		return -1;
	fprintf(f, "size_bytes\tsize");
	for (size_t c = 0; c < ncols; c++) {
		if (cols[c]->cpu_node >= 0)
			fprintf(f, "\t%s c%dm%d", cols[c]->state,
				cols[c]->cpu_node, cols[c]->mem_node);
		else
			fprintf(f, "\t%s", cols[c]->state);
	}
	fputc('\n', f);
	for (size_t k = 0; k < nsizes; k++) {
		fprintf(f, "%llu\t%s", sizes[k], size_label(run, 1, sizes[k]));
		for (size_t c = 0; c < ncols; c++) {
			const struct report_case *p, *d;
			double r = NAN;

			p = group_case(run, cols[c], "prefill", sizes[k]);
			d = group_case(run, cols[c], "default", sizes[k]);
			if (p && d)
				r = stats_amean(p->time_ns, p->n) /
				    stats_amean(d->time_ns, d->n);
			if (!isnan(r))
				points++;
			print_num(f, r);
		}
		fputc('\n', f);
	}
	fclose(f);
	if (!points)
		return 0;
	snprintf(title, sizeof(title),
		 "hmm_range_fault() %s: prefill / default time per call, by page state",
		 access);
	if (hb_fmt(vars, sizeof(vars),
		 "tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; ncol=%zu", tsv, title,
		 subtitle, ncols + 2)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot_chart(dir, stem, "ratio.gp", vars, out, err, errlen);
}

/* cpu node x memory node matrix of default-style ns/page at the largest
 * size that has two NUMA pairs or more. */
static int plot_numa(const struct report_run *run, const char *dir,
		     const char *access, const char *state,
		     const char *subtitle, struct plot_list *out, char *err,
		     size_t errlen)
{
	unsigned long long best = 0;
	char stem[128], tsv[PATH_MAX], title[256], vars[PATH_MAX + 1024];
	const char *size = NULL;
	int maxc = 0, maxm = 0, pairs = 0;
	FILE *f;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct hb_case_id *id = &run->cases[i].id;
		int n = 0;

		if (id->kind != HB_KIND_HMM || id->cpu_node < 0 ||
		    strcmp(id->access, access) || strcmp(id->state, state) ||
		    strcmp(id->style, "default") || id->size_bytes < best)
			continue;
		for (size_t j = 0; j < run->ncases; j++) {
			const struct hb_case_id *o = &run->cases[j].id;

			n += o->kind == HB_KIND_HMM && o->cpu_node >= 0 &&
			     o->size_bytes == id->size_bytes &&
			     !strcmp(o->access, access) &&
			     !strcmp(o->state, state) &&
			     !strcmp(o->style, "default") &&
			     run->cases[j].n > 0;
		}
		if (n >= 2) {
			best = id->size_bytes;
			size = id->size;
			pairs = n;
		}
	}
	if (!size || pairs < 2)
		return 0;
	snprintf(stem, sizeof(stem), "numa-%s-%s-%s", access, state, size);
	f = open_tsv(dir, stem, tsv, sizeof(tsv), err, errlen);
	if (!f)
		return -1;
	fprintf(f, "# cpu_node\tmem_node\tns_per_page_amean\tpct_on_mem_node\n");
	for (size_t i = 0; i < run->ncases; i++) {
		const struct report_case *c = &run->cases[i];
		double v[3], pct;

		if (c->id.kind != HB_KIND_HMM || c->id.cpu_node < 0 ||
		    c->id.size_bytes != best || strcmp(c->id.access, access) ||
		    strcmp(c->id.state, state) ||
		    strcmp(c->id.style, "default") || !c->n || c->n_error)
			continue;
		ns_page_stats(c, v);
		pct = stats_amean(c->ctr[CTR_PLACED_PCT], c->n);
		fprintf(f, "%d\t%d", c->id.cpu_node, c->id.mem_node);
		print_num(f, v[0]);
		print_num(f, pct);
		fputc('\n', f);
		if (c->id.cpu_node > maxc)
			maxc = c->id.cpu_node;
		if (c->id.mem_node > maxm)
			maxm = c->id.mem_node;
	}
	fclose(f);
	snprintf(title, sizeof(title),
		 "hmm_range_fault() %s, state %s, %s, default_flags: ns per page by NUMA placement",
		 access, state, size);
	if (hb_fmt(vars, sizeof(vars),
		 "tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; maxc=%d; maxm=%d", tsv,
		 title, subtitle, maxc, maxm)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot_chart(dir, stem, "numa.gp", vars, out, err, errlen);
}

static void run_subtitle(const struct report_run *run, char *buf, size_t len)
{
	char win[64], kind[64], raw[512];

	window_text(run, 1, win, sizeof(win));
	facts_machine_kind(run, kind, sizeof(kind));
	snprintf(raw, sizeof(raw), "kernel %s, host %s, %s, %s",
		 results_ctx_or(run, "kernel_release", "?"),
		 results_ctx_or(run, "host",
				results_ctx_or(run, "host_name", "?")),
		 kind, win);
	gnuplot_text(buf, len, raw);
}

static int prepare_dir(const char *dir, char *err, size_t errlen)
{
	char data[PATH_MAX], log[PATH_MAX + 16];

	snprintf(data, sizeof(data), "%s/data", dir);
	if (hb_mkdir_p(data)) {
		hb_errf(err, errlen, "cannot create %s: %s", data,
			strerror(errno));
		return -1;
	}
	snprintf(log, sizeof(log), "%s/gnuplot.log", data);
	unlink(log);
	if (!plot_available()) {
		hb_errf(err, errlen,
			"gnuplot with pngcairo is not installed (apt-get install gnuplot-nox), or pass --no-plots");
		return -1;
	}
	return 0;
}

int plot_run(const struct report_run *run, struct plot_list *out, char *err,
	     size_t errlen)
{
	char dir[PATH_MAX], sub[512], prev[16] = "";
	struct hb_case_id *g = NULL;
	ssize_t ng;
	int ret = -1;

	snprintf(dir, sizeof(dir), "%s/plots", run->dir);
	if (prepare_dir(dir, err, errlen))
		return -1;
	ng = collect_groups(run, 1, &g);
	if (ng < 0) {
		hb_errf(err, errlen, "out of memory");
		return -1;
	}
	run_subtitle(run, sub, sizeof(sub));
	for (ssize_t i = 0; i < ng; i++)
		if (plot_ns_page(run, dir, &g[i], sub, out, err, errlen))
			goto out;
	for (ssize_t i = 0; i < ng; i++) {
		if (!strcmp(prev, g[i].access))
			continue;
		snprintf(prev, sizeof(prev), "%s", g[i].access);
		if (plot_ratio(run, dir, g, (size_t)ng, g[i].access, sub, out,
			       err, errlen))
			goto out;
	}
	for (ssize_t i = 0; i < ng; i++) {
		/* one matrix per access and state: at its first group */
		if (i && !strcmp(g[i].access, g[i - 1].access) &&
		    !strcmp(g[i].state, g[i - 1].state))
			continue;
		if (plot_numa(run, dir, g[i].access, g[i].state, sub, out, err,
			      errlen))
			goto out;
	}
	ret = 0;
out:
	free(g);
	return ret;
}

/* ---- compare ----------------------------------------------------------- */

static int plot_cmp_group(const struct report_run *runs, size_t nruns,
			  const char *dir, const struct hb_case_id *g,
			  const char *subtitle, struct plot_list *out,
			  char *err, size_t errlen)
{
	unsigned long long sizes[64];
	char stem[128], tsv[PATH_MAX], title[512], vars[PATH_MAX + 1024];
	size_t ns = group_sizes(runs, nruns, g, sizes, 64);
	int points = 0;
	FILE *f;

	group_stem(stem, sizeof(stem), "cmp-ns_page-", g);
	f = open_tsv(dir, stem, tsv, sizeof(tsv), err, errlen);
	if (!f)
		return -1;
	fprintf(f, "size_bytes\tsize");
	for (size_t r = 0; r < nruns; r++) {
		char label[64], safe[64];

		compare_run_label(runs, nruns, r, label, sizeof(label));
		gnuplot_text(safe, sizeof(safe), label);
		for (int s = S_PREFILL; s <= S_DEFAULT; s++)
			fprintf(f, "\t#%zu %s %s\tmin\tmax", r, safe,
				series_style[s]);
	}
	fputc('\n', f);
	for (size_t k = 0; k < ns; k++) {
		fprintf(f, "%llu\t%s", sizes[k],
			size_label(runs, nruns, sizes[k]));
		for (size_t r = 0; r < nruns; r++)
			for (int s = S_PREFILL; s <= S_DEFAULT; s++) {
				double v[3];

				ns_page_stats(group_case(&runs[r], g,
					series_style[s], sizes[k]), v);
				for (int j = 0; j < 3; j++)
					print_num(f, v[j]);
				points += !isnan(v[0]);
			}
		fputc('\n', f);
	}
	fclose(f);
	if (!points)
		return 0;
	group_title(title, sizeof(title), g, "time per page, all runs");
	if (hb_fmt(vars, sizeof(vars),
		 "tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; nruns=%zu", tsv, title,
		 subtitle, nruns)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot_chart(dir, stem, "compare.gp", vars, out, err, errlen);
}

int plot_compare(const struct report_run *runs, size_t nruns, const char *dir,
		 struct plot_list *out, char *err, size_t errlen)
{
	char sub[512], raw[512], win[64];
	struct hb_case_id *g = NULL;
	size_t w = 0;
	ssize_t ng;
	int ret = -1;

	if (prepare_dir(dir, err, errlen))
		return -1;
	ng = collect_groups(runs, nruns, &g);
	if (ng < 0) {
		hb_errf(err, errlen, "out of memory");
		return -1;
	}
	window_text(runs, nruns, win, sizeof(win));
	w = (size_t)snprintf(raw, sizeof(raw), "kernels");
	for (size_t r = 0; r < nruns && w < sizeof(raw); r++) {
		char label[64];

		compare_run_label(runs, nruns, r, label, sizeof(label));
		w += (size_t)snprintf(raw + w, sizeof(raw) - w, "%s #%zu %s",
				      r ? "," : "", r,
				      results_ctx_or(&runs[r], "kernel_release",
						     label));
	}
	if (w < sizeof(raw))
		snprintf(raw + w, sizeof(raw) - w, "; host %s; %s",
			 results_ctx_or(&runs[0], "host", "?"), win);
	gnuplot_text(sub, sizeof(sub), raw);
	for (ssize_t i = 0; i < ng; i++)
		if (plot_cmp_group(runs, nruns, dir, &g[i], sub, out, err,
				   errlen))
			goto out;
	ret = 0;
out:
	free(g);
	return ret;
}
