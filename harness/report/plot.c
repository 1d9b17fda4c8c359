// SPDX-License-Identifier: GPL-2.0
/*
 * plot.c - derived TSV files and gnuplot charts (see plot.h).
 *
 * gnuplot runs once per chart, with the scripts of plots/ and variables
 * given by -e; it reads only the TSV written here. Its messages go to
 * <dir>/data/gnuplot.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compare.h"
#include "plot.h"
#include "stats.h"

extern char **environ;

/* The series of one ns/page chart, in TSV column order. */
enum series { S_PREFILL, S_DEFAULT, S_TOUCH, S_POPULATE, NSERIES };

/* One chart of time per page: access x state x NUMA pair. */
struct group {
	char access[16];
	char state[16];
	int cpu_node;
	int mem_node;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* snprintf that reports truncation: 0, or -1 when @buf was too short. */
static int fmt(char *buf, size_t len, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void plot_list_free(struct plot_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->files[i]);
	free(l->files);
	l->files = NULL;
	l->n = 0;
}

static int list_add(struct plot_list *l, const char *path)
{
	char **grown = realloc(l->files, (l->n + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	l->files = grown;
	l->files[l->n] = strdup(path);
	if (!l->files[l->n])
		return -1;
	l->n++;
	return 0;
}

int plot_mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

const char *plot_script_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env = getenv("HMMBENCH_PLOTS");
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		/* build/hmmbench-report or build/san/hmmbench-report */
		for (int up = 1; slash && up <= 2; up++) {
			if (fmt(probe, sizeof(probe), "%s/%s../plots", exe,
				up == 2 ? "../" : ""))
				break;
			if (file_exists(probe) && realpath(probe, dir) &&
			    fmt(probe, sizeof(probe), "%s/ns_page.gp", dir) == 0 &&
			    file_exists(probe))
				return dir;
		}
	}
	return "plots";
}

/* Run argv with stdout and stderr appended to @log; returns exit status. */
static int spawn_wait(char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
					 O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int plot_available(void)
{
	char *argv[] = { "gnuplot", "-e", "set terminal pngcairo", NULL };

	return spawn_wait(argv, "/dev/null") == 0;
}

/* Text safe inside a gnuplot double-quoted string: no quotes, backslashes,
 * macro or control characters. */
static void gp_text(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 32 || c == '"' || c == '\\' || c == '\'' ||
			  c == '@' || c == '`') ? '_' : (char)c;
	}
	dst[i] = '\0';
}

static int gp_path_ok(const char *p)
{
	return !strpbrk(p, "\"'\\`@\n\r\t");
}

/*
 * Run plots/<script> with @vars (gnuplot assignments) plus the output
 * paths <dir>/<stem>.png and .svg; adds both to @out.
 */
static int gnuplot(const char *dir, const char *stem, const char *script,
		   const char *vars, struct plot_list *out, char *err,
		   size_t errlen)
{
	char png[PATH_MAX], svg[PATH_MAX], gp[PATH_MAX], log[PATH_MAX];
	char *assign, *argv[5];
	const char *sdir = plot_script_dir();
	size_t len;
	int rc;

	if (fmt(png, sizeof(png), "%s/%s.png", dir, stem) ||
	    fmt(svg, sizeof(svg), "%s/%s.svg", dir, stem) ||
	    fmt(gp, sizeof(gp), "%s/%s", sdir, script) ||
	    fmt(log, sizeof(log), "%s/data/gnuplot.log", dir)) {
		set_err(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (!file_exists(gp)) {
		set_err(err, errlen,
			"gnuplot script %s not found (set HMMBENCH_PLOTS to the suite's plots/ folder)",
			gp);
		return -1;
	}
	if (!gp_path_ok(png) || !gp_path_ok(sdir)) {
		set_err(err, errlen,
			"%s: path has a quote, backslash or @ that gnuplot cannot take; use a plainer folder name",
			dir);
		return -1;
	}
	len = strlen(vars) + 3 * PATH_MAX + 64;
	assign = malloc(len);
	if (!assign) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	snprintf(assign, len, "%s; png_out=\"%s\"; svg_out=\"%s\"; dir=\"%s\"",
		 vars, png, svg, sdir);
	argv[0] = "gnuplot";
	argv[1] = "-e";
	argv[2] = assign;
	argv[3] = gp;
	argv[4] = NULL;
	rc = spawn_wait(argv, log);
	free(assign);
	if (rc) {
		set_err(err, errlen, rc < 0 ?
			"cannot run gnuplot (install gnuplot-nox)" :
			"gnuplot failed on %s (see %s)", script, log);
		return -1;
	}
	if (list_add(out, png) || list_add(out, svg)) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- grouping ---------------------------------------------------------- */

static int group_eq(const struct group *g, const struct case_id *id)
{
	return !strcmp(g->access, id->access) && !strcmp(g->state, id->state) &&
	       g->cpu_node == id->cpu_node && g->mem_node == id->mem_node;
}

static int group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;
	int d;

	d = results_access_rank(a->access) - results_access_rank(b->access);
	if (!d)
		d = strcmp(a->access, b->access);
	if (!d)
		d = results_state_rank(a->state) - results_state_rank(b->state);
	if (!d)
		d = strcmp(a->state, b->state);
	if (!d)
		d = a->cpu_node - b->cpu_node;
	if (!d)
		d = a->mem_node - b->mem_node;
	return d;
}

/* The hmm/ groups of @runs, sorted; returns the count, -1 on no memory. */
static ssize_t collect_groups(const struct run *runs, size_t nruns,
			      struct group **out)
{
	struct group *g = NULL;
	size_t n = 0;

	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct case_id *id = &runs[r].cases[i].id;
			struct group *grown;
			size_t k;

			if (id->kind != CASE_HMM)
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
static size_t group_sizes(const struct run *runs, size_t nruns,
			  const struct group *g, unsigned long long *sizes,
			  size_t max)
{
	size_t n = 0;

	for (size_t r = 0; r < nruns; r++) {
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct case_id *id = &runs[r].cases[i].id;
			size_t k;

			if (id->kind == CASE_OTHER ||
			    strcmp(id->access, g->access) ||
			    strcmp(id->state, g->state))
				continue;
			if (id->kind == CASE_HMM && (id->cpu_node != g->cpu_node ||
						     id->mem_node != g->mem_node))
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
static const struct result_case *
group_case(const struct run *run, const struct group *g, const char *style,
	   unsigned long long size)
{
	int base = !strcmp(style, "touch") || !strcmp(style, "populate");

	for (size_t i = 0; i < run->ncases; i++) {
		const struct case_id *id = &run->cases[i].id;

		if (id->kind != (base ? CASE_BASE : CASE_HMM) ||
		    id->size_bytes != size || strcmp(id->style, style) ||
		    strcmp(id->access, g->access) || strcmp(id->state, g->state))
			continue;
		if (!base && (id->cpu_node != g->cpu_node ||
			      id->mem_node != g->mem_node))
			continue;
		if (run->cases[i].n_error || !run->cases[i].n)
			return NULL;
		return &run->cases[i];
	}
	return NULL;
}

static const char *size_label(const struct run *runs, size_t nruns,
			      unsigned long long size)
{
	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++)
			if (runs[r].cases[i].id.kind != CASE_OTHER &&
			    runs[r].cases[i].id.size_bytes == size)
				return runs[r].cases[i].id.size;
	return "?";
}

/* Amean, min and max of time per page; NaN when @c is NULL. */
static void ns_page_stats(const struct result_case *c, double v[3])
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
		       const struct group *g)
{
	if (g->cpu_node >= 0)
		snprintf(buf, len, "%s%s-%s-c%dm%d", prefix, g->access,
			 g->state, g->cpu_node, g->mem_node);
	else
		snprintf(buf, len, "%s%s-%s", prefix, g->access, g->state);
}

/* "window 0 (whole range)", "window 64 pages", "window mixed". */
static void window_text(const struct run *runs, size_t nruns, char *buf,
			size_t len)
{
	double w = NAN;
	int mixed = 0;

	for (size_t r = 0; r < nruns; r++)
		for (size_t i = 0; i < runs[r].ncases; i++) {
			const struct result_case *c = &runs[r].cases[i];

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

	if (fmt(path, len, "%s/data/%s.tsv", dir, stem)) {
		set_err(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	f = fopen(path, "w");
	if (!f)
		set_err(err, errlen, "cannot write %s: %s", path,
			strerror(errno));
	return f;
}

static void group_title(char *buf, size_t len, const struct group *g,
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

static int plot_ns_page(const struct run *run, const char *dir,
			const struct group *g, const char *subtitle,
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
	fprintf(f, "\n# ns per page; min and max over repetitions\n");
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
		fputc('\n', f);
	}
	fclose(f);
	if (!points)
		return 0;	/* every case of the group failed */
	group_title(title, sizeof(title), g, "time per page vs range size");
	if (fmt(vars, sizeof(vars),
		"tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; has_touch=%d; has_populate=%d",
		tsv, title, subtitle, has[S_TOUCH] > 0,
		has[S_POPULATE] > 0)) {
		set_err(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot(dir, stem, "ns_page.gp", vars, out, err, errlen);
}

/* Wide table: size, then one ratio column per state of @access. */
static int plot_ratio(const struct run *run, const char *dir,
		      const struct group *groups, size_t ngroups,
		      const char *access, const char *subtitle,
		      struct plot_list *out, char *err, size_t errlen)
{
	unsigned long long sizes[64];
	const struct group *cols[32];
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
			const struct result_case *p, *d;
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
	if (fmt(vars, sizeof(vars),
		 "tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; ncol=%zu", tsv, title,
		 subtitle, ncols + 2)) {
		set_err(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot(dir, stem, "ratio.gp", vars, out, err, errlen);
}

/* cpu node x memory node matrix of default-style ns/page at the largest
 * size that has two NUMA pairs or more. */
static int plot_numa(const struct run *run, const char *dir,
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
		const struct case_id *id = &run->cases[i].id;
		int n = 0;

		if (id->kind != CASE_HMM || id->cpu_node < 0 ||
		    strcmp(id->access, access) || strcmp(id->state, state) ||
		    strcmp(id->style, "default") || id->size_bytes < best)
			continue;
		for (size_t j = 0; j < run->ncases; j++) {
			const struct case_id *o = &run->cases[j].id;

			n += o->kind == CASE_HMM && o->cpu_node >= 0 &&
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
		const struct result_case *c = &run->cases[i];
		double v[3], pct;

		if (c->id.kind != CASE_HMM || c->id.cpu_node < 0 ||
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
	if (fmt(vars, sizeof(vars),
		 "tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; maxc=%d; maxm=%d", tsv,
		 title, subtitle, maxc, maxm)) {
		set_err(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot(dir, stem, "numa.gp", vars, out, err, errlen);
}

static void run_subtitle(const struct run *run, char *buf, size_t len)
{
	char win[64], kind[64], raw[512];

	window_text(run, 1, win, sizeof(win));
	compare_machine_kind(run, kind, sizeof(kind));
	snprintf(raw, sizeof(raw), "kernel %s, host %s, %s, %s",
		 results_ctx_or(run, "kernel_release", "?"),
		 results_ctx_or(run, "host",
				results_ctx_or(run, "host_name", "?")),
		 kind, win);
	gp_text(buf, len, raw);
}

static int prepare_dir(const char *dir, char *err, size_t errlen)
{
	char data[PATH_MAX], log[PATH_MAX + 16];

	snprintf(data, sizeof(data), "%s/data", dir);
	if (plot_mkdir_p(data)) {
		set_err(err, errlen, "cannot create %s: %s", data,
			strerror(errno));
		return -1;
	}
	snprintf(log, sizeof(log), "%s/gnuplot.log", data);
	unlink(log);
	if (!plot_available()) {
		set_err(err, errlen,
			"gnuplot with pngcairo is not installed (apt-get install gnuplot-nox), or pass --no-plots");
		return -1;
	}
	return 0;
}

int plot_run(const struct run *run, struct plot_list *out, char *err,
	     size_t errlen)
{
	char dir[PATH_MAX], sub[512], prev[16] = "";
	struct group *g = NULL;
	ssize_t ng;
	int ret = -1;

	snprintf(dir, sizeof(dir), "%s/plots", run->dir);
	if (prepare_dir(dir, err, errlen))
		return -1;
	ng = collect_groups(run, 1, &g);
	if (ng < 0) {
		set_err(err, errlen, "out of memory");
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

static int plot_cmp_group(const struct run *runs, size_t nruns,
			  const char *dir, const struct group *g,
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
		gp_text(safe, sizeof(safe), label);
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
	if (fmt(vars, sizeof(vars),
		 "tsv=\"%s\"; ttl=\"%s\"; sub=\"%s\"; nruns=%zu", tsv, title,
		 subtitle, nruns)) {
		set_err(err, errlen, "%s: path too long", dir);
		return -1;
	}
	return gnuplot(dir, stem, "compare.gp", vars, out, err, errlen);
}

int plot_compare(const struct run *runs, size_t nruns, const char *dir,
		 struct plot_list *out, char *err, size_t errlen)
{
	char sub[512], raw[512], win[64];
	struct group *g = NULL;
	size_t w = 0;
	ssize_t ng;
	int ret = -1;

	if (prepare_dir(dir, err, errlen))
		return -1;
	ng = collect_groups(runs, nruns, &g);
	if (ng < 0) {
		set_err(err, errlen, "out of memory");
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
	gp_text(sub, sizeof(sub), raw);
	for (ssize_t i = 0; i < ng; i++)
		if (plot_cmp_group(runs, nruns, dir, &g[i], sub, out, err,
				   errlen))
			goto out;
	ret = 0;
out:
	free(g);
	return ret;
}
