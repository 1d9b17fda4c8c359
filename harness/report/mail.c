// SPDX-License-Identifier: GPL-2.0
/*
 * mail.c - the condensed comparison for a patch mail (see mail.h).
 *
 *             base      %change          patched
 *  ns/call %stddev               ns/call %stddev  case
 * ---------------- ----------- ----------------  -----------------------
 * write cow   (a symbol too long for the line is cut and ends in '~')
 *      1031245 ±  2%     +12.3%     1158090 ±  1%  hmm/default/2M/c0m0
 *       4.10            +2.30        6.40  perf-profile.self.wp_page_copy
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "facts.h"
#include "perf_profile.h"
#include "plot.h"
#include "stats.h"
#include "text_wrap.h"

#define WIDTH 80
#define PARA_WIDTH 76
#define MAIL_PLOT_LINES 4

/* One significant change, with its perf-profile moves. */
struct change {
	size_t c;		/* index in v->common */
	size_t run;		/* the other run, >= 1 */
	const struct report_case *base, *other;
	const struct claim *cm;
	struct perf_move moves[MAIL_PERF_LINES];
	size_t nmoves;
	struct perf_profile prof[2];	/* what the moves point into */
	int shown;
};

/* ---- formatting ---------------------------------------------------------- */

/* A time in at most 10 columns. */
static void fmt_time(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (fabs(v) >= 1e10)
		snprintf(buf, len, "%.3e", v);
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* "  1031245 ±  2%": 16 columns, the spread left out below 1%. */
static void fmt_value_cv(char *buf, size_t len, const struct report_case *c)
{
	char num[32];
	double cv = stats_coeffvar(c->time_ns, c->n);

	fmt_time(num, sizeof(num), stats_amean(c->time_ns, c->n));
	if (cv >= 1 && cv < 999.5)
		snprintf(buf, len, "%10s ±%3.0f%%", num, cv);
	else
		snprintf(buf, len, "%10s      ", num);
}

/* The case's name within its access/state group: hmm/default/2M/c0m1. */
static void short_name(char *buf, size_t len, const struct report_case *c)
{
	const struct hb_case_id *id = &c->id;
	const char *kind = id->kind == HB_KIND_BASE ? "base" :
			   id->kind == HB_KIND_CAL ? "cal" : "hmm";

	if (id->kind == HB_KIND_OTHER)
		snprintf(buf, len, "%s", c->label);
	else if (id->cpu_node >= 0)
		snprintf(buf, len, "%s/%s/%s/c%dm%d", kind, id->style, id->size,
			 id->cpu_node, id->mem_node);
	else
		snprintf(buf, len, "%s/%s/%s", kind, id->style, id->size);
}

static void print_change(FILE *out, const struct change *ch)
{
	char a[40], b[40], name[128];

	fmt_value_cv(a, sizeof(a), ch->base);
	fmt_value_cv(b, sizeof(b), ch->other);
	short_name(name, sizeof(name), ch->base);
	fprintf(out, "%s %+10.1f%% %s  %.33s\n", a,
		100.0 * (ch->cm->ratio - 1.0), b, name);
	for (size_t k = 0; k < ch->nmoves; k++) {
		const struct perf_move *m = &ch->moves[k];
		int room = WIDTH - 59;	/* what the columns leave the name */
		int cut = (int)strlen(m->symbol) > room;

		fprintf(out, "%10.2f       %+10.2f  %10.2f  perf-profile.self.%.*s%s\n",
			m->a, m->b - m->a, m->b, cut ? room - 1 : room,
			m->symbol, cut ? "~" : "");
	}
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; text && *text; text++)
		n += *text == '\n';
	return n;
}

/* A path on a line of its own, its tail when it is too long. */
static void print_path(FILE *out, const char *indent, const char *path)
{
	size_t len = strlen(path), room = WIDTH - strlen(indent);

	if (len > room)
		fprintf(out, "%s...%s\n", indent, path + len - (room - 3));
	else
		fprintf(out, "%s%s\n", indent, path);
}

/* ---- the changes ---------------------------------------------------------- */

static int change_cmp_size(const void *pa, const void *pb)
{
	const struct change *a = pa, *b = pb;
	double da = fabs(log(a->cm->ratio)), db = fabs(log(b->cm->ratio));

	return (da < db) - (da > db);
}

/* Run, then canonical case order; hmm/ before base/, then style. */
static int change_cmp_order(const void *pa, const void *pb)
{
	const struct change *a = pa, *b = pb;
	int d = (a->run > b->run) - (a->run < b->run);

	if (!d)
		d = hb_access_rank(a->base->id.access) -
		    hb_access_rank(b->base->id.access);
	if (!d)
		d = strcmp(a->base->id.access, b->base->id.access);
	if (!d)
		d = hb_state_rank(a->base->id.state) -
		    hb_state_rank(b->base->id.state);
	if (!d)
		d = strcmp(a->base->id.state, b->base->id.state);
	if (!d)
		d = (int)a->base->id.kind - (int)b->base->id.kind;
	if (!d)
		d = strcmp(a->base->id.style, b->base->id.style);
	if (!d)
		d = hb_case_id_cmp(&a->base->id, &b->base->id);
	if (!d)
		d = strcmp(a->base->name, b->base->name);
	return d;
}

static int same_group(const struct change *a, const struct change *b)
{
	return a->run == b->run &&
	       !strcmp(a->base->id.access, b->base->id.access) &&
	       !strcmp(a->base->id.state, b->base->id.state);
}

/* The perf-profile lines of @ch, when both runs profiled its case. */
static void load_moves(struct change *ch, const struct compare_view *v,
		       FILE *warn)
{
	char err[600];
	int ra, rb;

	ra = perf_profile_load(v->runs[0].dir, ch->base->label, &ch->prof[0],
			       err, sizeof(err));
	if (ra < 0 && warn)
		fprintf(warn, "hmmbench-report: ignored: %s\n", err);
	rb = perf_profile_load(v->runs[ch->run].dir, ch->other->label,
			       &ch->prof[1], err, sizeof(err));
	if (rb < 0 && warn)
		fprintf(warn, "hmmbench-report: ignored: %s\n", err);
	if (ra == 0 && rb == 0)
		ch->nmoves = perf_profile_moves(&ch->prof[0], &ch->prof[1],
						MAIL_PERF_MIN_POINTS,
						ch->moves, MAIL_PERF_LINES);
}

static struct change *collect_changes(const struct compare_view *v,
				      size_t *n, FILE *warn)
{
	struct change *ch = calloc(v->fam.survived + 1, sizeof(*ch));

	*n = 0;
	if (!ch)
		return NULL;
	for (size_t c = 0; c < v->ncommon; c++)
		for (size_t i = 1; i < v->nruns; i++) {
			const struct claim *cm = compare_claim(v, c, i);
			struct change *x;

			if (!cm || !cm->survives || *n == v->fam.survived)
				continue;
			x = &ch[(*n)++];
			x->c = c;
			x->run = i;
			x->cm = cm;
			x->base = results_find(&v->runs[0], v->common[c]);
			x->other = results_find(&v->runs[i], v->common[c]);
			load_moves(x, v, warn);
		}
	return ch;
}

/*
 * Mark the largest changes that fit in @budget lines (with their group
 * and block headers); returns how many.
 */
static size_t choose_shown(struct change *ch, size_t n, size_t budget,
			   size_t nruns)
{
	size_t used = 0, shown = 0;

	qsort(ch, n, sizeof(*ch), change_cmp_size);
	for (size_t k = 0; k < n; k++) {
		size_t cost = 1 + ch[k].nmoves;
		int group = 0, block = 0;

		for (size_t j = 0; j < k; j++) {
			if (!ch[j].shown)
				continue;
			group |= same_group(&ch[j], &ch[k]);
			block |= ch[j].run == ch[k].run;
		}
		/* a block: blank line, its runs (of three or more), header */
		cost += !group + (!block ? (nruns > 2 ? 5 : 4) : 0);
		if (used + cost > budget)
			break;
		ch[k].shown = 1;
		used += cost;
		shown++;
	}
	qsort(ch, n, sizeof(*ch), change_cmp_order);
	return shown;
}

static void print_changes(FILE *out, const struct compare_view *v,
			  const struct change *ch, size_t n)
{
	const struct change *prev = NULL;

	for (size_t k = 0; k < n; k++) {
		if (!ch[k].shown)
			continue;
		if (!prev || prev->run != ch[k].run) {
			char a[64], b[64];

			compare_run_label(v->runs, v->nruns, 0, a, sizeof(a));
			compare_run_label(v->runs, v->nruns, ch[k].run, b,
					  sizeof(b));
			fputc('\n', out);
			if (v->nruns > 2)
				fprintf(out, "#0 %.30s (base) against #%zu %.30s:\n",
					a, ch[k].run, b);
			fprintf(out,
				"            base      %%change          patched\n"
				" ns/call %%stddev               ns/call %%stddev  case\n"
				"---------------- ----------- ----------------  -------------------------\n");
		}
		if (!prev || !same_group(prev, &ch[k]))
			fprintf(out, "%s %s\n", ch[k].base->id.access,
				ch[k].base->id.state);
		print_change(out, &ch[k]);
		prev = &ch[k];
	}
}

/* ---- the fixed sections ------------------------------------------------- */

static void print_head(FILE *out, const struct compare_view *v)
{
	const struct claim_opts *o = &v->opts->claim;
	char text[3072], rule[512], outcome[1024], label[64];
	size_t w;

	compare_run_label(v->runs, v->nruns, 0, label, sizeof(label));
	w = (size_t)snprintf(text, sizeof(text),
			     "hmmbench: base #0 %s against", label);
	for (size_t i = 1; i < v->nruns && w < sizeof(text); i++) {
		compare_run_label(v->runs, v->nruns, i, label, sizeof(label));
		w += (size_t)snprintf(text + w, sizeof(text) - w, "%s #%zu %s",
				      i > 1 ? "," : " patched", i, label);
	}
	claims_outcome(outcome, sizeof(outcome), &v->fam, o, "comparisons");
	claims_rule(rule, sizeof(rule), o);
	if (w < sizeof(text))
		snprintf(text + w, sizeof(text) - w,
			 ". %s Significant: it %s. Time per call, lower is better; %%change is patched against base (+ is slower).",
			 outcome, rule);
	text_wrap(out, 0, 0, WIDTH, text);
	if (v->nsettings) {
		snprintf(text, sizeof(text),
			 "WARNING: the runs differ in settings that change what a case measures (%s): a change may be the setting's, not the kernel's.",
			 v->settings);
		text_wrap(out, 0, 0, WIDTH, text);
	}
}

static void print_gmeans(FILE *out, const struct compare_view *v)
{
	int level = (int)lround(100 * (1 - v->opts->claim.alpha));
	char text[1024];

	for (size_t i = 1; i < v->nruns; i++) {
		const struct compare_gmean *g = &v->gmean[i];
		char who[32] = "";

		if (v->nruns > 2)
			snprintf(who, sizeof(who), " #%zu", i);
		snprintf(text, sizeof(text),
			 "Geometric mean of patched%s/base Amean over the %zu hmm/ cases with numbers in every run: %.4f (%+.2f%%), %d%% CI %.4f to %.4f (a t interval on the mean of the log ratios).",
			 who, v->gmean_cases, g->g, 100.0 * (g->g - 1.0), level,
			 g->lo, g->hi);
		text_wrap(out, 0, 0, WIDTH, text);
	}
}

/* "5 repetitions" or "5 to 9 repetitions" of run @r. */
static void reps_text(char *buf, size_t len, const struct report_run *r)
{
	size_t lo = results_min_reps(r), hi = results_max_reps(r);

	if (lo == hi)
		snprintf(buf, len, "%zu", lo);
	else
		snprintf(buf, len, "%zu to %zu", lo, hi);
}

/* Does another run have run @i's kernel release, but another build? */
static int release_shared(const struct compare_view *v, size_t i)
{
	const struct report_run *r = &v->runs[i];
	const char *k = results_ctx_or(r, "kernel_release", "?");
	const char *b = results_ctx_or(r, "kernel_version", "?");

	for (size_t j = 0; j < v->nruns; j++)
		if (j != i &&
		    !strcmp(k, results_ctx_or(&v->runs[j], "kernel_release", "?")) &&
		    strcmp(b, results_ctx_or(&v->runs[j], "kernel_version", "?")))
			return 1;
	return 0;
}

/* Another host or kind of machine than #0's? */
static int machines_differ(const struct compare_view *v)
{
	char a[128], b[128];

	facts_machine_kind(&v->runs[0], a, sizeof(a));
	for (size_t i = 1; i < v->nruns; i++) {
		facts_machine_kind(&v->runs[i], b, sizeof(b));
		if (strcmp(a, b) ||
		    strcmp(results_ctx_or(&v->runs[0], "host", "?"),
			   results_ctx_or(&v->runs[i], "host", "?")))
			return 1;
	}
	return 0;
}

static void print_method(FILE *out, const struct compare_view *v)
{
	const struct report_run *base = &v->runs[0];
	const struct claim_opts *o = &v->opts->claim;
	char text[6144], kind[128], reps[64];
	size_t w;

	w = (size_t)snprintf(text, sizeof(text), "Method and system:");
	for (size_t i = 0; i < v->nruns && w < sizeof(text); i++) {
		const char *merged = results_ctx(&v->runs[i], "merged_runs");

		reps_text(reps, sizeof(reps), &v->runs[i]);
		w += (size_t)snprintf(text + w, sizeof(text) - w,
			"%s #%zu Linux %s%s%s%s, %s repetitions per case%s%s%s",
			i ? ";" : "", i,
			results_ctx_or(&v->runs[i], "kernel_release", "?"),
			release_shared(v, i) ? " (" : "",
			release_shared(v, i) ?
			results_ctx_or(&v->runs[i], "kernel_version", "?") : "",
			release_shared(v, i) ? ")" : "", reps,
			merged ? " (merged from " : "", merged ? merged : "",
			merged ? " runs)" : "");
	}
	facts_machine_kind(base, kind, sizeof(kind));
	if (w < sizeof(text))
		w += (size_t)snprintf(text + w, sizeof(text) - w,
			". Machine: %s, host %s, %s CPUs, NUMA %s%s%s%s. Profile "
			"%s, window %s, seed %s, THP %s. hmmbench %s times each "
			"call in hmm_bench.ko with ktime_get_ns() over the pfn "
			"fill, mmu_interval_read_begin(), hmm_range_fault() and "
			"the mmu_interval_read_retry() check, retries included; "
			"states a fault changes are rebuilt, untimed, before each "
			"call (`report` says which). Amean per case; %s per case, "
			"%s over all %zu comparisons (%s %g); changes under %g%% "
			"are never reported.",
			kind, results_ctx_or(base, "host", "?"),
			results_ctx_or(base, "num_cpus", "?"),
			results_ctx_or(base, "numa_nodes", "?"),
			results_ctx(base, "cpu_model") ? ", CPU " : "",
			results_ctx_or(base, "cpu_model", ""),
			machines_differ(v) ?
			" (#0's; the runs' machines differ)" : "",
			results_ctx_or(base, "profile", "?"),
			results_ctx_or(base, "window", "?"),
			results_ctx_or(base, "seed", "not recorded"),
			results_ctx_or(base, "thp_enabled", "?"),
			results_ctx_or(base, "suite_revision", "?"),
			sig_test_name(o->test),
			sig_correction_name(o->correction), v->fam.tested,
			sig_correction_rate(o->correction), o->alpha,
			o->floor_pct);
	text_wrap(out, 0, 0, PARA_WIDTH, text);
}

/* The charts of the groups with a shown change, at most MAIL_PLOT_LINES. */
static void print_plots(FILE *out, const struct change *ch, size_t n,
			const struct plot_list *plots)
{
	const char *listed[MAIL_PLOT_LINES];
	size_t nlisted = 0, more = 0;
	const char *dir = NULL;

	if (!plots) {
		fprintf(out, "Plots: none made (compare --mail without --no-plots makes them).\n");
		return;
	}
	for (size_t p = 0; p < plots->n; p++) {
		const char *f = plots->files[p], *slash = strrchr(f, '/');
		const char *file = slash ? slash + 1 : f;
		size_t len = strlen(file);
		int wanted = 0;

		if (len < 4 || strcmp(file + len - 4, ".png"))
			continue;
		for (size_t k = 0; k < n && !wanted; k++) {
			char stem[160];

			plot_compare_stem(&ch[k].base->id, stem, sizeof(stem));
			wanted = ch[k].shown && strlen(stem) == len - 4 &&
				 !strncmp(file, stem, len - 4);
		}
		if (!wanted)
			continue;
		if (nlisted < MAIL_PLOT_LINES)
			listed[nlisted++] = f;
		else
			more++;
		dir = f;
	}
	if (!nlisted) {
		fprintf(out, "Plots: none to attach (no significant change shown).\n");
		return;
	}
	fprintf(out, "Plots to attach (PNG; an SVG beside each):\n");
	for (size_t k = 0; k < nlisted; k++)
		print_path(out, "  ", listed[k]);
	if (more) {
		char folder[4096];
		const char *slash = strrchr(dir, '/');

		snprintf(folder, sizeof(folder), "%.*s",
			 slash ? (int)(slash - dir) : 1, slash ? dir : ".");
		fprintf(out, "  and %zu more in\n", more);
		print_path(out, "  ", folder);
	}
}

static void print_tail(FILE *out, const struct compare_view *v,
		       const struct change *ch, size_t n,
		       const struct mail_opts *m)
{
	fputc('\n', out);
	print_gmeans(out, v);
	fputc('\n', out);
	print_method(out, v);
	fputc('\n', out);
	print_plots(out, ch, n, m->plots);
	if (m->full_table) {
		fprintf(out, "The full table, every case:\n");
		print_path(out, "  ", m->full_table);
	} else {
		fprintf(out, "The full table: the same compare without --mail.\n");
	}
}

/* ---- the mail -------------------------------------------------------------- */

int mail_print(FILE *out, const struct compare_view *v,
	       const struct mail_opts *m)
{
	char *head = NULL, *tail = NULL;
	size_t head_len = 0, tail_len = 0, n = 0, shown, fixed, budget;
	struct change *ch;
	FILE *f;
	int ret = -1;

	ch = collect_changes(v, &n, m->warn);
	if (!ch)
		return -1;
	/* the tail names the plots of the shown changes: measure it with
	 * every change shown, the longest it can be */
	for (size_t k = 0; k < n; k++)
		ch[k].shown = 1;
	f = open_memstream(&head, &head_len);
	if (!f)
		goto out;
	print_head(f, v);
	fclose(f);
	f = open_memstream(&tail, &tail_len);
	if (!f)
		goto out;
	print_tail(f, v, ch, n, m);
	fclose(f);
	for (size_t k = 0; k < n; k++)
		ch[k].shown = 0;
	/* head, the list, one line for "N more", the tail */
	fixed = count_lines(head) + count_lines(tail) + 1;
	budget = m->max_lines > fixed ? m->max_lines - fixed : 0;
	shown = choose_shown(ch, n, budget, v->nruns);

	fputs(head, out);
	if (!n)
		fprintf(out, "\nNo significant change.\n");
	print_changes(out, v, ch, n);
	if (shown < n)
		fprintf(out, "(%zu more significant change%s, smaller: see the full table)\n",
			n - shown, n - shown == 1 ? "" : "s");
	print_tail(out, v, ch, n, m);
	ret = 0;
out:
	for (size_t k = 0; k < n; k++) {
		perf_profile_free(&ch[k].prof[0]);
		perf_profile_free(&ch[k].prof[1]);
	}
	free(ch);
	free(head);
	free(tail);
	return ret;
}
