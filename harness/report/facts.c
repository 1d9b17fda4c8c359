// SPDX-License-Identifier: GPL-2.0
/*
 * facts.c - machine, kernel and settings facts of runs, and which differ
 * (see facts.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "text_wrap.h"

#define WIDTH 80
#define NOT_RECORDED "(not recorded)"

const char *facts_machine_kind(const struct report_run *run, char *buf,
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

/* ---- settings ----------------------------------------------------------- */

/* Settings every run must record alike; other thp_* keys are compared
 * where both runs have them (a knob an older kernel lacks is no
 * difference of setting). */
static const struct { const char *key, *title; } settings[] = {
	{ "window", "Window" },
	{ "mixed_stride", "Mixed stride" },
	{ "thp_enabled", "THP enabled" },
	{ "thp_defrag", "THP defrag" },
};

static int is_listed_setting(const char *key)
{
	for (size_t s = 0; s < sizeof(settings) / sizeof(settings[0]); s++)
		if (!strcmp(key, settings[s].key))
			return 1;
	return 0;
}

static int is_extra_setting(const char *key)
{
	return !strncmp(key, "thp_", 4) && !is_listed_setting(key);
}

/* Do @runs record @key differently? @strict: absent counts as a value. */
static int key_differs(const struct report_run *runs, size_t nruns,
		       const char *key, int strict)
{
	const char *first = NULL;
	int seen = 0;

	for (size_t i = 0; i < nruns; i++) {
		const char *v = results_ctx(&runs[i], key);

		if (!v && !strict)
			continue;
		v = v ? v : NOT_RECORDED;
		if (seen && strcmp(first, v))
			return 1;
		first = v;
		seen = 1;
	}
	return 0;
}

/* "#0 512, #1 64" */
static void values_text(const struct report_run *runs, size_t nruns,
			const char *key, char *buf, size_t len)
{
	size_t w = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nruns && w < len; i++)
		w += (size_t)snprintf(buf + w, len - w, "%s#%zu %s",
				      i ? ", " : "", i,
				      results_ctx_or(&runs[i], key,
						     NOT_RECORDED));
}

/*
 * Cases (in every run) whose iterations per repetition differ: the count,
 * and the first one's name and values ("#0 4, #1 2") in @example.
 */
static size_t iterations_differ(const struct report_run *runs, size_t nruns,
				char *example, size_t len)
{
	size_t count = 0;

	example[0] = '\0';
	for (size_t c = 0; c < runs[0].ncases; c++) {
		const struct report_case *base = &runs[0].cases[c];
		const struct report_case *other;
		int differ = 0;

		for (size_t i = 1; i < nruns; i++) {
			other = results_find(&runs[i], base->name);
			if (other && !isnan(base->iterations) &&
			    !isnan(other->iterations) &&
			    base->iterations != other->iterations)
				differ = 1;
		}
		if (!differ)
			continue;
		if (!count++) {
			size_t w = (size_t)snprintf(example, len, "%s:",
						    base->label);

			for (size_t i = 0; i < nruns && w < len; i++) {
				other = results_find(&runs[i], base->name);
				w += (size_t)snprintf(example + w, len - w,
						      "%s #%zu %.0f",
						      i ? "," : "", i,
						      other ? other->iterations :
						      NAN);
			}
		}
	}
	return count;
}

/* Append "@title: @text" to @buf, "; " between items. */
static void append_item(char *buf, size_t len, size_t *w, const char *title,
			const char *text)
{
	if (*w < len)
		*w += (size_t)snprintf(buf + *w, len - *w, "%s%s: %s",
				       *w ? "; " : "", title, text);
}

/*
 * Call @fn(@key, @arg) once for every context key of @runs for which
 * @want(@key) holds, in the order the runs first have them.
 */
static void for_each_key(const struct report_run *runs, size_t nruns,
			 int (*want)(const char *key),
			 void (*fn)(const char *key, void *arg), void *arg)
{
	for (size_t i = 0; i < nruns; i++)
		for (size_t k = 0; k < runs[i].nctx; k++) {
			const char *key = runs[i].ctx[k].key;
			int first = 1;

			for (size_t j = 0; j < i && first; j++)
				first = !results_ctx(&runs[j], key);
			if (first && want(key))
				fn(key, arg);
		}
}

/* The differences found so far, as one line. */
struct diff_line {
	const struct report_run *runs;
	size_t nruns;
	int strict;		/* a key absent from a run differs */
	char *buf;
	size_t len, w, n;
};

static void add_difference(struct diff_line *d, const char *key,
			   const char *title)
{
	char vals[512];

	if (!key_differs(d->runs, d->nruns, key, d->strict))
		return;
	values_text(d->runs, d->nruns, key, vals, sizeof(vals));
	append_item(d->buf, d->len, &d->w, title, vals);
	d->n++;
}

static void add_key_difference(const char *key, void *arg)
{
	add_difference(arg, key, key);
}

size_t facts_settings_differ(const struct report_run *runs, size_t nruns,
			     char *buf, size_t len)
{
	struct diff_line d = { runs, nruns, 1, buf, len, 0, 0 };
	char example[512], vals[640];
	size_t iters;

	buf[0] = '\0';
	for (size_t s = 0; s < sizeof(settings) / sizeof(settings[0]); s++)
		add_difference(&d, settings[s].key, settings[s].title);
	d.strict = 0;
	for_each_key(runs, nruns, is_extra_setting, add_key_difference, &d);
	iters = iterations_differ(runs, nruns, example, sizeof(example));
	if (iters) {
		snprintf(vals, sizeof(vals), "%zu case(s) differ, e.g. %s",
			 iters, example);
		append_item(buf, len, &d.w, "iterations per repetition", vals);
		d.n++;
	}
	return d.n;
}

/* ---- kernel and machine identity ---------------------------------------- */

static int is_identity_key(const char *key)
{
	return !strncmp(key, "kernel_", 7) || !strcmp(key, "host") ||
	       !strcmp(key, "vm");
}

size_t facts_identity_differ(const struct report_run *runs, size_t nruns,
			     char *buf, size_t len)
{
	struct diff_line d = { runs, nruns, 1, buf, len, 0, 0 };

	buf[0] = '\0';
	for_each_key(runs, nruns, is_identity_key, add_key_difference, &d);
	return d.n;
}

/* ---- the differences section of compare --------------------------------- */

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
		snprintf(buf, len, "%s", results_ctx_or(run, f->key, NOT_RECORDED));
	else if (!strcmp(f->title, "Machine"))
		facts_machine_kind(run, buf, len);
	else
		numa_achieved(run, buf, len);
}

/* "Title           #0 value" per run, wrapped under the value column. */
static void print_fact_rows(FILE *out, const char *title,
			    const struct report_run *runs, size_t nruns,
			    const char *key, const struct fact *f)
{
	char b[1024], head[64];

	for (size_t i = 0; i < nruns; i++) {
		if (key)
			snprintf(b, sizeof(b), "%s",
				 results_ctx_or(&runs[i], key, NOT_RECORDED));
		else
			fact_value(&runs[i], f, b, sizeof(b));
		snprintf(head, sizeof(head), "%-15s #%zu ", i ? "" : title, i);
		fputs(head, out);
		text_wrap(out, strlen(head), strlen(head), WIDTH, b);
	}
}

struct rows_out {
	FILE *out;
	const struct report_run *runs;
	size_t nruns;
	int any;
};

static void print_key_rows(const char *key, void *arg)
{
	struct rows_out *r = arg;

	if (!key_differs(r->runs, r->nruns, key, 0))
		return;
	print_fact_rows(r->out, key, r->runs, r->nruns, key, NULL);
	r->any = 1;
}

static int print_settings(FILE *out, const struct report_run *runs,
			  size_t nruns)
{
	struct rows_out r = { out, runs, nruns, 0 };
	char example[512];
	size_t iters;

	for (size_t s = 0; s < sizeof(settings) / sizeof(settings[0]); s++)
		if (key_differs(runs, nruns, settings[s].key, 1)) {
			print_fact_rows(out, settings[s].title, runs, nruns,
					settings[s].key, NULL);
			r.any = 1;
		}
	for_each_key(runs, nruns, is_extra_setting, print_key_rows, &r);
	iters = iterations_differ(runs, nruns, example, sizeof(example));
	if (iters) {
		char text[640];

		snprintf(text, sizeof(text), "%zu case(s) differ, e.g. %s",
			 iters, example);
		fputs("Iterations      ", out);
		text_wrap(out, 16, 16, WIDTH, text);
		r.any = 1;
	}
	return r.any;
}

void facts_print_differences(FILE *out, const struct report_run *runs,
			     size_t nruns)
{
	char a[1024], b[1024];
	int any = 0, settings_differ;

	fprintf(out, "\nSystem differences (only facts that differ):\n");
	settings_differ = print_settings(out, runs, nruns);
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
		print_fact_rows(out, facts[f].title, runs, nruns, NULL,
				&facts[f]);
	}
	if (settings_differ)
		fprintf(out,
			"The settings above (window, mixed stride, THP, iterations) change\n"
			"what a case measures: a change may be theirs, not the kernel's.\n");
	else if (!any)
		fprintf(out, "  none: kernel, THP, governor, machine, profile "
			"and module are the same.\n");
}
