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

const char *compare_machine_kind(const struct report_run *run, char *buf,
				 size_t len)
{
	const char *vm = results_ctx_or(run, "vm", "unknown");
	const char *virt = results_ctx_or(run, "virtualization", "");

	if (!strcmp(vm, "none") && !strcmp(virt, "none"))
		snprintf(buf, len, "bare metal");
	else if (!strcmp(vm, "none") && *virt)
		snprintf(buf, len, "virtual machine (%s)", virt);
	else if (!strcmp(vm, "none"))
		snprintf(buf, len, "native (virtualization not recorded)");
	else if (!strcmp(vm, "unknown"))
		snprintf(buf, len, "unknown (no vm in context)");
	else
		snprintf(buf, len, "VM (%s)", vm);
	return buf;
}

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

static void print_case_block(FILE *out, const struct cell *cells,
			     const size_t *idx, size_t n, double unit,
			     const struct compare_opts *o)
{
	const struct cell *base = &cells[0];

	for (int r = 0; r < NROWS; r++) {
		fprintf(out, "%-*s", LABEL_W, row_names[r]);
		for (size_t k = 0; k < n; k++) {
			const struct cell *cl = &cells[idx[k]];
			char val[32], delta[32];
			double v, d;
			int sig = 0;

			if (!cl->ok) {
				fprintf(out, " %*s %*s", VALUE_W,
					cl->c && cl->c->n_error ? "ERROR" : "n/a",
					DELTA_W, "");
				continue;
			}
			v = cl->v[r];
			d = base->ok ? gain(v, base->v[r]) : NAN;
			if (r == ROW_AMEAN && idx[k] != 0 && base->ok)
				sig = sig_test_significant(o->test, o->alpha,
					base->c->time_ns, base->c->n,
					cl->c->time_ns, cl->c->n);
			if (isnan(v))
				snprintf(val, sizeof(val), "n/a");
			else
				fmt_value(val, sizeof(val),
					  r == ROW_CV ? v : v / unit);
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

/* Print the rows of one case that every run has, block by block. */
static void print_case(FILE *out, const struct report_run *runs, size_t nruns,
		       const char *name, const struct compare_opts *o,
		       struct cell *cells)
{
	const char *uname;
	double unit;
	size_t idx[RUNS_PER_BLOCK];

	for (size_t i = 0; i < nruns; i++)
		fill_cell(&cells[i], results_find(&runs[i], name));
	unit = pick_unit(cells[0].ok ? cells[0].v[ROW_AMEAN] : 0, &uname);
	fprintf(out, "\n%s (%s per call)\n", cells[0].c->label, uname);
	for (size_t b = 0; b < nblocks(nruns); b++) {
		size_t n = block_runs(nruns, b, idx);

		print_col_header(out, runs, nruns, idx, n);
		print_case_block(out, cells, idx, n, unit, o);
	}
	print_errors(out, cells, nruns);
}

static void print_legend(FILE *out, const struct report_run *runs, size_t nruns,
			 const struct compare_opts *o)
{
	size_t low = 0;

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
	fprintf(out,
		"Time per call as measured in the kernel; lower is better.\n"
		"Deltas are gains against #0 as in mmtests: +5.00%% is 5%% faster,\n"
		"-5.00%% is 5%% slower. An Amean delta shown as *-5.00%%* is significant\n"
		"by %s (two-sided, alpha %g); (-5.00%%) is not.\n",
		sig_test_name(o->test), o->alpha);
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

/* Geometric mean of Amean(run) / Amean(#0) over cases with numbers in both. */
static void print_geomean(FILE *out, const struct report_run *runs, size_t nruns,
			  const char *const *common, size_t ncommon)
{
	double *ratio = calloc(ncommon ? ncommon : 1, sizeof(*ratio));
	double *g = calloc(nruns, sizeof(*g));
	size_t *used = calloc(nruns, sizeof(*used));
	size_t idx[RUNS_PER_BLOCK];

	if (!ratio || !g || !used)
		goto out;
	g[0] = 1;
	for (size_t i = 1; i < nruns; i++) {
		size_t n = 0;

		for (size_t c = 0; c < ncommon; c++) {
			struct cell a, b;

			fill_cell(&a, results_find(&runs[0], common[c]));
			fill_cell(&b, results_find(&runs[i], common[c]));
			if (a.ok && b.ok && a.v[ROW_AMEAN] > 0 &&
			    b.v[ROW_AMEAN] > 0)
				ratio[n++] = b.v[ROW_AMEAN] / a.v[ROW_AMEAN];
		}
		g[i] = stats_geomean(ratio, n);
		used[i] = n;
	}
	fprintf(out,
		"\nGeometric mean of Amean ratios to #0 over the cases in common\n"
		"(lower is better; delta as gain, +5.00%% is 5%% faster):\n");
	for (size_t b = 0; b < nblocks(nruns); b++) {
		size_t n = block_runs(nruns, b, idx);

		print_col_header(out, runs, nruns, idx, n);
		fprintf(out, "%-*s", LABEL_W, "Gmean");
		for (size_t k = 0; k < n; k++) {
			char delta[32];

			fmt_delta(delta, sizeof(delta),
				  isnan(g[idx[k]]) ? NAN :
				  100.0 - 100.0 * g[idx[k]], 0);
			fprintf(out, " %*.4f %*s", VALUE_W, g[idx[k]], DELTA_W,
				delta);
		}
		fputc('\n', out);
	}
	{
		char text[1024];
		size_t w = 0;

		for (size_t i = 1; i < nruns && w < sizeof(text); i++)
			w += (size_t)snprintf(text + w, sizeof(text) - w,
					      "#%zu %zu%s", i, used[i],
					      i + 1 < nruns ? ", " : "");
		if (w < sizeof(text))
			snprintf(text + w, sizeof(text) - w,
				 " (of %zu in common; errors excluded).",
				 ncommon);
		fputs("Cases in the geometric mean: ", out);
		text_wrap(out, 29, 2, WIDTH, text);
	}
out:
	free(ratio);
	free(g);
	free(used);
}

/* NUMA placement achieved, "c0m0 100% c0m1 99%", from placed_pct. */
static void numa_achieved(const struct report_run *run, char *buf, size_t len)
{
	size_t w = 0;

	buf[0] = '\0';
	for (int cn = 0; cn < 64; cn++) {
		for (int mn = 0; mn < 64; mn++) {
			double sum = 0;
			size_t cnt = 0;

			for (size_t i = 0; i < run->ncases; i++) {
				const struct report_case *c = &run->cases[i];

				if (c->id.cpu_node != cn || c->id.mem_node != mn)
					continue;
				for (size_t r = 0; r < c->n; r++)
					if (!isnan(c->ctr[CTR_PLACED_PCT][r])) {
						sum += c->ctr[CTR_PLACED_PCT][r];
						cnt++;
					}
			}
			if (cnt && w < len)
				w += (size_t)snprintf(buf + w, len - w,
					"%sc%dm%d %.0f%% on node %d",
					w ? ", " : "", cn, mn, sum / cnt, mn);
		}
	}
	if (!w)
		snprintf(buf, len, "no NUMA cases");
}

struct fact {
	const char *key;	/* context key; NULL for derived facts */
	const char *title;
};

static const struct fact facts[] = {
	{ "kernel_release", "Kernel" },
	{ "kernel_version", "Kernel build" },
	{ "kernel_cmdline", "Kernel cmdline" },
	{ "command_line", "Command line" },
	{ "host", "Host" },
	{ "num_cpus", "CPUs" },
	{ "numa_nodes", "NUMA nodes" },
	{ NULL, "Machine" },
	{ "virtualization", "Virtualization" },
	{ NULL, "NUMA placed" },
	{ "thp_enabled", "THP enabled" },
	{ "thp_defrag", "THP defrag" },
	{ "cpufreq_governor", "Governor" },
	{ "turbo", "Turbo" },
	{ "aslr", "ASLR" },
	{ "profile", "Profile" },
	{ "module_version", "Module" },
	{ "module_abi", "Module ABI" },
	{ "suite_revision", "Suite rev" },
	{ "libbenchmark_version", "libbenchmark" },
	{ "library_build_type", "GB build" },
};

static void fact_value(const struct report_run *run, const struct fact *f,
		       char *buf, size_t len)
{
	if (f->key)
		snprintf(buf, len, "%s", results_ctx_or(run, f->key, "(not recorded)"));
	else if (!strcmp(f->title, "Machine"))
		compare_machine_kind(run, buf, len);
	else
		numa_achieved(run, buf, len);
}

static void print_system_diff(FILE *out, const struct report_run *runs, size_t nruns)
{
	char a[1024], b[1024];
	int any = 0;

	fprintf(out, "\nSystem differences (only facts that differ):\n");
	for (size_t f = 0; f < sizeof(facts) / sizeof(facts[0]); f++) {
		int differ = 0;

		fact_value(&runs[0], &facts[f], a, sizeof(a));
		for (size_t i = 1; i < nruns && !differ; i++) {
			fact_value(&runs[i], &facts[f], b, sizeof(b));
			differ = strcmp(a, b) != 0;
		}
		if (!differ)
			continue;
		any = 1;
		for (size_t i = 0; i < nruns; i++) {
			char head[40];

			fact_value(&runs[i], &facts[f], b, sizeof(b));
			snprintf(head, sizeof(head), "%-15s #%zu ",
				 i ? "" : facts[f].title, i);
			fputs(head, out);
			text_wrap(out, strlen(head), strlen(head), WIDTH, b);
		}
	}
	if (!any)
		fprintf(out, "  none: kernel, THP, governor, machine, profile "
			"and module are the same.\n");
}

int compare_print(FILE *out, const struct report_run *runs, size_t nruns,
		  const struct compare_opts *o, char *err, size_t errlen)
{
	const char **common;
	struct cell *cells;
	size_t ncommon = 0;

	common = calloc(runs[0].ncases + 1, sizeof(*common));
	cells = calloc(nruns, sizeof(*cells));
	if (!common || !cells) {
		snprintf(err, errlen, "out of memory");
		free(common);
		free(cells);
		return -1;
	}
	for (size_t c = 0; c < runs[0].ncases; c++)
		if (in_all_runs(runs, nruns, runs[0].cases[c].name))
			common[ncommon++] = runs[0].cases[c].name;
	if (!ncommon) {
		snprintf(err, errlen,
			 "no benchmark case is in every run (#0 has %zu cases, #1 has %zu): were they run with the same suite and profile?",
			 runs[0].ncases, nruns > 1 ? runs[1].ncases : 0);
		free(common);
		free(cells);
		return -1;
	}
	print_legend(out, runs, nruns, o);
	for (size_t c = 0; c < ncommon; c++)
		print_case(out, runs, nruns, common[c], o, cells);
	print_missing(out, runs, nruns);
	print_geomean(out, runs, nruns, common, ncommon);
	print_system_diff(out, runs, nruns);
	free(common);
	free(cells);
	return 0;
}
