// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - patch-mail text of one run (see report.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "report.h"
#include "stats.h"
#include "text_wrap.h"

#define WIDTH 80

/* Prefill and default of one access x state x size x NUMA pair. */
struct row {
	struct hb_case_id id;
	const struct report_case *pre;
	const struct report_case *def;
	long member;		/* its claim (prefill against default), or -1 */
};

static int row_cmp(const void *pa, const void *pb)
{
	return hb_case_id_cmp(&((const struct row *)pa)->id,
			      &((const struct row *)pb)->id);
}

static int same_slot(const struct hb_case_id *a, const struct hb_case_id *b)
{
	return !strcmp(a->access, b->access) && !strcmp(a->state, b->state) &&
	       a->size_bytes == b->size_bytes && a->cpu_node == b->cpu_node &&
	       a->mem_node == b->mem_node;
}

/* Pair the prefill and default cases of @run; returns the row count. */
static size_t collect_rows(const struct report_run *run, struct row *rows)
{
	size_t n = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct report_case *c = &run->cases[i];
		size_t k;

		if (c->id.kind != HB_KIND_HMM)
			continue;
		for (k = 0; k < n && !same_slot(&rows[k].id, &c->id); k++)
			;
		if (k == n) {
			memset(&rows[n], 0, sizeof(rows[n]));
			rows[n++].id = c->id;
		}
		if (!strcmp(c->id.style, "prefill"))
			rows[k].pre = c;
		else if (!strcmp(c->id.style, "default"))
			rows[k].def = c;
	}
	if (n)
		qsort(rows, n, sizeof(*rows), row_cmp);
	return n;
}

static int usable(const struct report_case *c)
{
	return c && c->n && !c->n_error;
}

/*
 * Repetitions that spread this much make a ratio of means unreadable: on a
 * busy host (or an emulated CPU whose thread the host preempts) a call is
 * now and then delayed by milliseconds from outside, and with a few
 * calls a repetition the means follow those delays, not the work
 * (tests/fidelity/README.md measured it).
 */
#define NOISY_CV_PCT 25.0

static int noisy(const struct report_case *c)
{
	return c->n >= 2 && stats_coeffvar(c->time_ns, c->n) > NOISY_CV_PCT;
}

static double amean_ns_page(const struct report_case *c)
{
	double sum = 0;

	for (size_t r = 0; r < c->n; r++)
		sum += results_ns_per_page(c, r);
	return sum / (double)c->n;
}

/* A number in at most @w columns: fewer decimals as it grows. */
static void fmt_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (fabs(v) >= 1e10)
		snprintf(buf, len, "%.3e", v);
	else if (fabs(v) >= 1e5)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.1f", v);
	else if (fabs(v) >= 1 || v == 0)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

static void cell(char *buf, size_t len, const struct report_case *c,
		 int per_page)
{
	if (!c)
		snprintf(buf, len, "-");
	else if (c->n_error)
		snprintf(buf, len, "ERROR");
	else if (!c->n)
		snprintf(buf, len, "n/a");
	else
		fmt_num(buf, len, per_page ? amean_ns_page(c) :
			stats_amean(c->time_ns, c->n));
}

static int any_numa(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].id.cpu_node >= 0)
			return 1;
	return 0;
}

static void print_row(FILE *out, const struct row *r, int numa,
		      const struct claim *cm)
{
	char pre[32], def[32], prep[32], defp[32], rat[32] = "-", pair[16] = "";

	cell(pre, sizeof(pre), r->pre, 0);
	cell(def, sizeof(def), r->def, 0);
	cell(prep, sizeof(prep), r->pre, 1);
	cell(defp, sizeof(defp), r->def, 1);
	if (cm)
		snprintf(rat, sizeof(rat), cm->ratio >= 1000 ? "%.0f" :
			 cm->ratio >= 100 ? "%.1f" : "%.3f", cm->ratio);
	if (r->id.cpu_node >= 0)
		snprintf(pair, sizeof(pair), "c%dm%d", r->id.cpu_node,
			 r->id.mem_node);
	fprintf(out, "%-11.11s %5.5s", r->id.state, r->id.size);
	if (numa)
		fprintf(out, " %-5.5s", pair);
	fprintf(out, " %11s %11s %9s %9s %7s%c\n", pre, def, prep, defp, rat,
		!cm ? ' ' : cm->survives ? '*' :
		noisy(r->pre) || noisy(r->def) ? '?' : ' ');
}

struct state_ratio {
	char state[16];
	double r[64];
	size_t n;
};

/* "none 1.02, zero 1.10" per state: geometric mean over sizes. */
static void print_state_gmeans(FILE *out, struct state_ratio *s, size_t ns)
{
	char text[2048];
	size_t w = 0;

	for (size_t i = 0; i < ns && w < sizeof(text); i++)
		if (s[i].n)
			w += (size_t)snprintf(text + w, sizeof(text) - w,
					      "%s%s %.3f", w ? ", " : "",
					      s[i].state,
					      stats_geomean(s[i].r, s[i].n));
	if (!w)
		return;
	fputs("Gmean ratio by state: ", out);
	text_wrap(out, 22, 2, WIDTH, text);
}

static void add_state_ratio(struct state_ratio *s, size_t *ns,
			    const char *state, double ratio)
{
	size_t i;

	for (i = 0; i < *ns && strcmp(s[i].state, state); i++)
		;
	if (i == *ns) {
		if (*ns == 32)
			return;
		memset(&s[i], 0, sizeof(s[i]));
		snprintf(s[i].state, sizeof(s[i].state), "%s", state);
		(*ns)++;
	}
	if (s[i].n < 64)
		s[i].r[s[i].n++] = ratio;
}

struct tally {
	size_t faster, slower;	/* significant either way */
	size_t noisy;		/* pairs with a side over NOISY_CV_PCT */
	double best;
	char best_name[96];
};

/* The prefill/default pairs with numbers on both sides: one family. */
static int decide_claims(struct row *rows, size_t n, struct claim_family *f,
			 const struct claim_opts *o)
{
	for (size_t i = 0; i < n; i++) {
		rows[i].member = -1;
		if (!usable(rows[i].pre) || !usable(rows[i].def))
			continue;
		rows[i].member = claims_add(f, rows[i].def->time_ns,
					    rows[i].def->n,
					    rows[i].pre->time_ns,
					    rows[i].pre->n);
		if (rows[i].member < 0)
			return -1;
	}
	return claims_decide(f, o);
}

static void print_table(FILE *out, const struct row *rows, size_t n,
			const struct claim_family *f, struct tally *t)
{
	int numa = any_numa(rows, n);
	struct state_ratio *sr = calloc(32, sizeof(*sr));
	size_t nsr = 0;

	for (size_t i = 0; i < n; i++) {
		const struct claim *cm = rows[i].member < 0 ? NULL :
					 &f->c[rows[i].member];

		if (!i || strcmp(rows[i].id.access, rows[i - 1].id.access)) {
			if (i)
				print_state_gmeans(out, sr, nsr);
			nsr = 0;
			fprintf(out, "\n%s access\n", rows[i].id.access);
			fprintf(out, "%*s %23s %19s\n", numa ? 23 : 17, "",
				"ns per call", "ns per page");
			fprintf(out, "%-11s %5s", "state", "size");
			if (numa)
				fprintf(out, " %-5s", "numa");
			fprintf(out, " %11s %11s %9s %9s %7s\n", "prefill",
				"default", "prefill", "default", "ratio");
		}
		print_row(out, &rows[i], numa, cm);
		if (!cm)
			continue;
		if (sr)
			add_state_ratio(sr, &nsr, rows[i].id.state, cm->ratio);
		t->noisy += noisy(rows[i].pre) || noisy(rows[i].def);
		t->faster += cm->survives && cm->ratio > 1;
		t->slower += cm->survives && cm->ratio < 1;
		if (cm->survives && cm->ratio > t->best) {
			t->best = cm->ratio;
			snprintf(t->best_name, sizeof(t->best_name),
				 "%s/%s/%s", rows[i].id.access,
				 rows[i].id.state, rows[i].id.size);
		}
	}
	if (n && sr)
		print_state_gmeans(out, sr, nsr);
	free(sr);
}

/*
 * Pairs whose calls restarted, in restarts per call: a write on zero or
 * cow pages restarts once per PMD of a chunk (README, "The module").
 */
static void print_retries(FILE *out, const struct row *rows, size_t n)
{
	int header = 0;

	for (size_t i = 0; i < n; i++) {
		const struct report_case *c[2] = { rows[i].pre, rows[i].def };
		char cell_text[2][32], pair[16] = "";
		double v[2];

		for (int k = 0; k < 2; k++) {
			v[k] = usable(c[k]) ? stats_amean(c[k]->ctr[CTR_RETRIES],
							  c[k]->n) : NAN;
			fmt_num(cell_text[k], sizeof(cell_text[k]), v[k]);
		}
		if (!(v[0] > 0) && !(v[1] > 0))
			continue;
		if (!header) {
			fprintf(out,
				"\nRestarts per call (-EBUSY and sequence retries; a write on zero or\n"
				"cow pages restarts once per PMD of a chunk, see the README):\n"
				"%-6s %-11s %5s %-5s %9s %9s\n", "access", "state",
				"size", "numa", "prefill", "default");
			header = 1;
		}
		if (rows[i].id.cpu_node >= 0)
			snprintf(pair, sizeof(pair), "c%dm%d", rows[i].id.cpu_node,
				 rows[i].id.mem_node);
		fprintf(out, "%-6.6s %-11.11s %5.5s %-5.5s %9s %9s\n",
			rows[i].id.access, rows[i].id.state, rows[i].id.size,
			pair, cell_text[0], cell_text[1]);
	}
}

static void print_baselines(FILE *out, const struct report_run *run)
{
	int header = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct report_case *c = &run->cases[i];
		char call[32], page[32];

		if (c->id.kind != HB_KIND_BASE)
			continue;
		if (!header) {
			fprintf(out,
				"\nUserspace baselines (the CPU faults the same states; Amean):\n"
				"%-6s %-9s %-11s %5s %14s %12s\n", "access",
				"method", "state", "size", "ns per call",
				"ns per page");
			header = 1;
		}
		cell(call, sizeof(call), c, 0);
		cell(page, sizeof(page), c, 1);
		fprintf(out, "%-6.6s %-9.9s %-11.11s %5.5s %14s %12s\n",
			c->id.access, c->id.style, c->id.state, c->id.size,
			call, page);
	}
}

static void print_problems(FILE *out, const struct report_run *run)
{
	int header = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		const struct report_case *c = &run->cases[i];
		char head[256];

		if (!c->n_error)
			continue;
		if (!header) {
			fprintf(out, "\nFailed verification (ERROR above; no number is reported):\n");
			header = 1;
		}
		snprintf(head, sizeof(head), "  %s: ", c->label);
		fputs(head, out);
		text_wrap(out, strlen(head), 6, WIDTH, c->error);
	}
	if (run->nskipped)
		fprintf(out, "\nNot run on this machine (skipped.tsv):\n");
	for (size_t i = 0; i < run->nskipped; i++) {
		char head[256];

		snprintf(head, sizeof(head), "  %s: ", run->skipped[i].name);
		fputs(head, out);
		text_wrap(out, strlen(head), 6, WIDTH,
			  *run->skipped[i].reason ? run->skipped[i].reason :
			  "no reason given");
	}
}

/* "none, zero and cow", or @none when @list (comma-separated) is empty. */
static void list_text(char *buf, size_t len, const char *list,
		      const char *none)
{
	size_t w = 0, items = 0, n = 0;
	const char *p;

	for (p = list; *p; p++)
		items += *p == ',';
	items += *list != '\0';
	buf[0] = '\0';
	if (!items) {
		snprintf(buf, len, "%s", none);
		return;
	}
	for (p = list; *p && w < len; n++) {
		size_t word = strcspn(p, ",");

		w += (size_t)snprintf(buf + w, len - w, "%s%.*s",
				      !n ? "" : n + 1 == items ? " and " : ", ",
				      (int)word, p);
		p += word + (p[word] == ',');
	}
}

/* Which states are rebuilt before each call, as the run recorded it. */
static void rebuilt_text(const struct report_run *run, char *buf, size_t len)
{
	const char *fault = results_ctx(run, "states_rebuilt_per_call");
	const char *snap = results_ctx(run, "states_rebuilt_per_snapshot");
	char f[512], s[512];

	if (!fault || !snap) {
		snprintf(buf, len,
			 "Which states were rebuilt before each call was not recorded by this run's hmmbench (see fault_changes in harness/measure/page_state.c of its revision).");
		return;
	}
	list_text(f, sizeof(f), fault, "no state");
	list_text(s, sizeof(s), snap, "none");
	snprintf(buf, len,
		 "Before every timed fault request (read, write, mixed) the range is rebuilt, untimed, when its state is one a fault changes: %s; snapshots rebuild %s. The other states are built once per repetition and every call of the repetition finds them as built.",
		 f, s);
}

void report_method_timing(const struct report_run *run, char *buf, size_t len)
{
	char rebuilt[1536];

	rebuilt_text(run, rebuilt, sizeof(rebuilt));
	snprintf(buf, len,
		 "What is timed: the module reads ktime_get_ns() around each "
		 "chunk of the range (window %s pages; 0: one chunk): from "
		 "before the fill of the chunk's pfn array (prefill writes "
		 "every entry; default writes nothing, or for mixed requests "
		 "clears the array and sets the write bit of 1 entry in %s) "
		 "through mmu_interval_read_begin(), the mmap read lock, "
		 "hmm_range_fault() and its unlock, to the "
		 "mmu_interval_read_retry() check under the mirror lock that "
		 "accepts the chunk; an -EBUSY or a sequence change starts the "
		 "chunk over, refill included, inside the same span. Not timed: "
		 "the check of the returned pfns, the request's setup and "
		 "teardown, and the gaps between chunks; a call's time is the "
		 "sum over its chunks. %s",
		 results_ctx_or(run, "window", "?"),
		 results_ctx_or(run, "mixed_stride", "?"), rebuilt);
}

static void print_method(FILE *out, const struct report_run *run,
			 const struct claim_opts *o)
{
	char text[8192], kind[128], reps[32], timing[4096], rule[512];
	size_t lo = results_min_reps(run), hi = results_max_reps(run);
	const char *vm = results_ctx_or(run, "vm", "unknown");
	const char *virt = results_ctx_or(run, "virtualization", "");

	if (!strcmp(vm, "none") && !strcmp(virt, "none"))
		snprintf(kind, sizeof(kind), "on bare metal");
	else if (!strcmp(vm, "none") && *virt)
		snprintf(kind, sizeof(kind),
			 "natively in a virtual machine (%s), not on bare metal",
			 virt);
	else if (!strcmp(vm, "none"))
		snprintf(kind, sizeof(kind),
			 "natively (whether on bare metal was not recorded)");
	else if (!strcmp(vm, "kvm") || !strcmp(vm, "tcg"))
		snprintf(kind, sizeof(kind),
			 "in a QEMU VM (%s acceleration%s)", vm,
			 strcmp(vm, "tcg") ? "" :
			 ": absolute times mean little, ratios do");
	else
		snprintf(kind, sizeof(kind), "on a machine of unrecorded kind");
	if (lo == hi)
		snprintf(reps, sizeof(reps), "%zu", lo);
	else
		snprintf(reps, sizeof(reps), "%zu to %zu", lo, hi);
	report_method_timing(run, timing, sizeof(timing));
	claims_rule(rule, sizeof(rule), o);
	snprintf(text, sizeof(text),
		 "Method: hmmbench %s with hmm_bench.ko %s (ABI %s) on host %s "
		 "(%s CPUs; NUMA: %s), Linux %s, %s. Profile %s, %s "
		 "repetitions per case (Google Benchmark %s, manual time: the "
		 "module's). %s THP enabled=%s defrag=%s, with madvise() per "
		 "range; cpufreq governor %s, turbo %s, ASLR %s. Statistics are "
		 "recomputed from the repetitions; a ratio is significant when it "
		 "%s, over all the run's prefill/default pairs. Command: %s",
		 results_ctx_or(run, "suite_revision", "(revision unknown)"),
		 results_ctx_or(run, "module_version", "?"),
		 results_ctx_or(run, "module_abi", "?"),
		 results_ctx_or(run, "host",
				results_ctx_or(run, "host_name", "?")),
		 results_ctx_or(run, "num_cpus", "?"),
		 results_ctx_or(run, "numa_nodes", "?"),
		 results_ctx_or(run, "kernel_release", "?"), kind,
		 results_ctx_or(run, "profile", "?"), reps,
		 results_ctx_or(run, "libbenchmark_version", "1.7.1"), timing,
		 results_ctx_or(run, "thp_enabled", "?"),
		 results_ctx_or(run, "thp_defrag", "?"),
		 results_ctx_or(run, "cpufreq_governor", "?"),
		 results_ctx_or(run, "turbo", "?"),
		 results_ctx_or(run, "aslr", "?"), rule,
		 results_ctx_or(run, "command_line", "?"));
	fputc('\n', out);
	text_wrap(out, 0, 0, 72, text);
}

static void print_plots(FILE *out, const struct report_run *run,
			const struct plot_list *plots)
{
	size_t dirlen = strlen(run->dir);
	int any = 0;

	for (size_t i = 0; plots && i < plots->n; i++) {
		const char *f = plots->files[i];
		size_t len = strlen(f);

		if (len < 4 || strcmp(f + len - 4, ".png"))
			continue;
		if (!any) {
			fprintf(out, "\nPlots to attach (PNG; an SVG of each is beside it):\n");
			any = 1;
		}
		if (!strncmp(f, run->dir, dirlen) && f[dirlen] == '/')
			f += dirlen + 1;
		fprintf(out, "  %s\n", f);
	}
	if (!any)
		fprintf(out, "\nPlots: none made (run `hmmbench-report plot RUN`).\n");
}

int report_print(FILE *out, const struct report_run *run,
		 const struct claim_opts *o, const struct plot_list *plots)
{
	struct row *rows = calloc(run->ncases + 1, sizeof(*rows));
	struct claim_family fam = { 0 };
	struct tally t = { .best = 1 };
	size_t n = rows ? collect_rows(run, rows) : 0;
	size_t lo = results_min_reps(run);
	char intro[1024], rule[512], outcome[1024];

	if (!rows || decide_claims(rows, n, &fam, o)) {
		free(rows);
		claims_free(&fam);
		return -1;
	}
	claims_rule(rule, sizeof(rule), o);
	snprintf(intro, sizeof(intro),
		 "hmm_range_fault() with a pre-filled pfn array (prefill: every "
		 "entry carries the request, default_flags 0, pfn_flags_mask ~0, "
		 "as drivers did before Linux 5.2) against default_flags alone "
		 "(default: pfn_flags_mask 0), Linux %s on %s. Times are the "
		 "Amean per call and per 4 KiB page in ns, lower is better; "
		 "ratio = prefill / default (above 1: default_flags is faster); "
		 "* marks a significant ratio: over the %zu pairs of this run, "
		 "it %s.",
		 results_ctx_or(run, "kernel_release", "?"),
		 results_ctx_or(run, "host",
				results_ctx_or(run, "host_name", "?")),
		 fam.tested, rule);
	text_wrap(out, 0, 0, 76, intro);
	if (lo && lo < COMPARE_MIN_REPS)
		fprintf(out,
			"Warning: some cases have %zu repetitions; below %d the significance\n"
			"test is unreliable.\n", lo, COMPARE_MIN_REPS);
	if (!run->complete)
		fprintf(out, "Warning: incomplete run (no COMPLETE file).\n");
	print_table(out, rows, n, &fam, &t);
	if (fam.n) {
		char text[2048];
		size_t w;

		claims_power_note(outcome, sizeof(outcome), &fam, o);
		w = (size_t)snprintf(text, sizeof(text),
				     "Summary: of %zu prefill/default pairs, default_flags is significantly faster in %zu and slower in %zu (significant as defined above; %zu pairs had p < %g before correction). %s",
				     fam.tested, t.faster, t.slower, fam.raw,
				     o->alpha, outcome);
		if (t.best > 1 && w < sizeof(text))
			snprintf(text + w, sizeof(text) - w,
				 " Largest significant ratio: %.3f (%s).",
				 t.best, t.best_name);
		w = strlen(text);
		if (t.noisy && w < sizeof(text))
			snprintf(text + w, sizeof(text) - w,
				 " %zu pairs are marked ?: a side's repetitions spread by more than %.0f%% (CoeffVar), so their ratio of means says little; a busy host or an emulated CPU delays calls from outside. Run them again on an idle machine, or with more repetitions.",
				 t.noisy, NOISY_CV_PCT);
		fputc('\n', out);
		text_wrap(out, 0, 0, WIDTH, text);
	} else if (!n) {
		fprintf(out, "\nNo hmm/ cases in this run.\n");
	}
	print_retries(out, rows, n);
	print_baselines(out, run);
	print_problems(out, run);
	print_method(out, run, o);
	print_plots(out, run, plots);
	claims_free(&fam);
	free(rows);
	return 0;
}
