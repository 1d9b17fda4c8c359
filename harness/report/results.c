// SPDX-License-Identifier: GPL-2.0
/*
 * results.c - load and validate one hmmbench run folder (see results.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "results.h"
#include "common/text.h"

const char *const results_counter_names[CTR_COUNT] = {
	[CTR_NS_PER_PAGE] = "ns_per_page",
	[CTR_PAGES_PER_S] = "pages_per_s",
	[CTR_GIB_PER_S] = "GiB_per_s",
	[CTR_FILL_NS] = "fill_ns",
	[CTR_FAULT_NS] = "fault_ns",
	[CTR_PAGES] = "pages",
	[CTR_CALLS] = "calls",
	[CTR_RETRIES] = "retries",
	[CTR_PMD_PAGES] = "pmd_pages",
	[CTR_PLACED_PCT] = "placed_pct",
	[CTR_WINDOW] = "window",
};

static int path_join(char *buf, size_t len, const char *dir, const char *file)
{
	int n = snprintf(buf, len, "%s/%s", dir, file);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int file_exists(const char *dir, const char *file)
{
	char path[4096];
	struct stat st;

	if (path_join(path, sizeof(path), dir, file))
		return 0;
	return stat(path, &st) == 0;
}

static double unit_to_ns(const char *unit)
{
	if (!unit || !strcmp(unit, "ns"))
		return 1;
	if (!strcmp(unit, "us"))
		return 1e3;
	if (!strcmp(unit, "ms"))
		return 1e6;
	if (!strcmp(unit, "s"))
		return 1e9;
	return NAN;
}

static struct report_case *find_case(struct report_run *run, const char *name)
{
	for (size_t i = 0; i < run->ncases; i++)
		if (!strcmp(run->cases[i].name, name))
			return &run->cases[i];
	return NULL;
}

const struct report_case *results_find(const struct report_run *run, const char *name)
{
	return find_case((struct report_run *)run, name);
}

static struct report_case *add_case(struct report_run *run, const char *name)
{
	struct report_case *c, *grown;
	size_t len;

	grown = realloc(run->cases, (run->ncases + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	run->cases = grown;
	c = &run->cases[run->ncases];
	memset(c, 0, sizeof(*c));
	c->iterations = NAN;
	c->name = strdup(name);
	c->label = strdup(name);
	if (!c->name || !c->label) {
		free(c->name);
		free(c->label);
		return NULL;
	}
	len = strlen(c->label);
	if (len > 12 && !strcmp(c->label + len - 12, "/manual_time"))
		c->label[len - 12] = '\0';
	hb_case_name_parse(name, &c->id);
	run->ncases++;
	return c;
}

/* Append one repetition's time and counters to @c. */
static int add_sample(struct report_case *c, json_t *b, double scale)
{
	size_t n = c->n + 1;
	double *t;

	t = realloc(c->time_ns, n * sizeof(*t));
	if (!t)
		return -1;
	c->time_ns = t;
	t[c->n] = json_number_value(json_object_get(b, "real_time")) * scale;
	if (!c->n) {
		json_t *it = json_object_get(b, "iterations");

		c->iterations = json_is_number(it) ? json_number_value(it) : NAN;
	}
	for (int k = 0; k < CTR_COUNT; k++) {
		json_t *v = json_object_get(b, results_counter_names[k]);
		double *a = realloc(c->ctr[k], n * sizeof(*a));

		if (!a)
			return -1;
		c->ctr[k] = a;
		a[c->n] = json_is_number(v) ? json_number_value(v) : NAN;
	}
	c->n = n;
	return 0;
}

static int load_benchmark(struct report_run *run, json_t *b, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *type = json_string_value(json_object_get(b, "run_type"));
	const char *unit = json_string_value(json_object_get(b, "time_unit"));
	struct report_case *c;
	double scale;

	if (!name) {
		hb_errf(err, errlen, "a benchmarks[] entry has no name");
		return -1;
	}
	if (type && strcmp(type, "iteration"))
		return 0;	/* aggregates are recomputed from samples */
	c = find_case(run, name);
	if (!c)
		c = add_case(run, name);
	if (!c)
		goto nomem;
	if (json_is_true(json_object_get(b, "error_occurred"))) {
		const char *msg = json_string_value(
			json_object_get(b, "error_message"));

		c->n_error++;
		if (!c->error && !(c->error = strdup(msg ? msg : "error")))
			goto nomem;
		return 0;
	}
	scale = unit_to_ns(unit);
	if (isnan(scale)) {
		hb_errf(err, errlen, "%s: unknown time_unit \"%s\"", name, unit);
		return -1;
	}
	if (!json_is_number(json_object_get(b, "real_time"))) {
		hb_errf(err, errlen, "%s: real_time missing or not a number",
			name);
		return -1;
	}
	if (add_sample(c, b, scale))
		goto nomem;
	return 0;
nomem:
	hb_errf(err, errlen, "out of memory");
	return -1;
}

static int load_context(struct report_run *run, json_t *ctx)
{
	const char *key;
	json_t *v;

	run->ctx = calloc(json_object_size(ctx) + 1, sizeof(*run->ctx));
	if (!run->ctx)
		return -1;
	json_object_foreach(ctx, key, v) {
		char num[64];
		const char *s = NULL;

		if (json_is_string(v)) {
			s = json_string_value(v);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
			s = num;
		} else if (json_is_real(v)) {
			snprintf(num, sizeof(num), "%g", json_real_value(v));
			s = num;
		} else if (json_is_boolean(v)) {
			s = json_is_true(v) ? "true" : "false";
		}
		if (!s)
			continue;	/* arrays and objects: caches, load_avg */
		run->ctx[run->nctx].key = strdup(key);
		run->ctx[run->nctx].value = strdup(s);
		if (!run->ctx[run->nctx].key || !run->ctx[run->nctx].value) {
			free(run->ctx[run->nctx].key);
			free(run->ctx[run->nctx].value);
			return -1;
		}
		run->nctx++;
	}
	return 0;
}

const char *results_ctx(const struct report_run *run, const char *key)
{
	for (size_t i = 0; i < run->nctx; i++)
		if (!strcmp(run->ctx[i].key, key))
			return run->ctx[i].value;
	return NULL;
}

const char *results_ctx_or(const struct report_run *run, const char *key,
			   const char *dflt)
{
	const char *v = results_ctx(run, key);

	return v && *v ? v : dflt;
}

/* skipped.tsv: "name TAB reason" per line; absent means nothing skipped. */
static int load_skipped(struct report_run *run)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	if (path_join(path, sizeof(path), run->dir, HB_RESULT_SKIPPED))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct report_skipped *grown;
		char *tab;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (tab)
			*tab++ = '\0';
		grown = realloc(run->skipped,
				(run->nskipped + 1) * sizeof(*grown));
		if (!grown) {
			ret = -1;
			break;
		}
		run->skipped = grown;
		grown[run->nskipped].name = strdup(line);
		grown[run->nskipped].reason = strdup(tab ? tab : "");
		run->nskipped++;
		if (!grown[run->nskipped - 1].name ||
		    !grown[run->nskipped - 1].reason) {
			ret = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

/* Check the folder itself; fills @err and returns -1 on a problem. */
static int check_folder(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st)) {
		hb_errf(err, errlen,
			"%s: no such run folder (give a folder like results/<host>/<kernel-release>/<timestamp>)",
			dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		hb_errf(err, errlen,
			"%s: not a folder (give the run folder that holds hmmbench.json, not a file)",
			dir);
		return -1;
	}
	if (!file_exists(dir, HB_RESULT_JSON)) {
		hb_errf(err, errlen,
			"%s: not a result folder: no hmmbench.json in it (a run folder is results/<host>/<kernel-release>/<timestamp>/)",
			dir);
		return -1;
	}
	return 0;
}

static int check_schema(const char *dir, json_t *root, char *err,
			size_t errlen)
{
	json_t *ctx = json_object_get(root, "context");
	json_t *schema = json_object_get(ctx, "hmmbench_schema");
	char have[32];

	if (!json_is_object(ctx) ||
	    !json_is_array(json_object_get(root, "benchmarks"))) {
		hb_errf(err, errlen,
			"%s/hmmbench.json: not Google Benchmark JSON (no context and benchmarks[]); was it written by hmmbench?",
			dir);
		return -1;
	}
	if (!schema) {
		hb_errf(err, errlen,
			"%s/hmmbench.json: not a hmmbench run (no hmmbench_schema in its context); compare other Google Benchmark output with compare.py",
			dir);
		return -1;
	}
	if (json_is_string(schema))
		snprintf(have, sizeof(have), "%s", json_string_value(schema));
	else if (json_is_integer(schema))
		snprintf(have, sizeof(have), "%lld",
			 (long long)json_integer_value(schema));
	else
		snprintf(have, sizeof(have), "?");
	if (strcmp(have, HB_RESULT_SCHEMA)) {
		hb_errf(err, errlen,
			"%s: hmmbench_schema \"%s\" but this hmmbench-report reads schema \"%s\"; use the hmmbench-report of the suite revision that wrote the run",
			dir, have, HB_RESULT_SCHEMA);
		return -1;
	}
	return 0;
}

static json_t *parse_json(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	json_error_t jerr;
	struct stat st;
	json_t *root;

	if (path_join(path, sizeof(path), dir, HB_RESULT_JSON)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	if (stat(path, &st) == 0 && st.st_size == 0) {
		hb_errf(err, errlen,
			"%s: hmmbench.json is empty (the run was interrupted before writing results); rerun the benchmark",
			path);
		return NULL;
	}
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		hb_errf(err, errlen,
			"%s: invalid JSON at line %d, column %d: %s (the file is truncated or corrupt; rerun the benchmark)",
			path, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	return root;
}

int results_load(const char *dir, int allow_incomplete, struct report_run *run,
		 char *err, size_t errlen)
{
	json_t *root = NULL, *b;
	size_t i;

	memset(run, 0, sizeof(*run));
	if (check_folder(dir, err, errlen))
		return -1;
	run->dir = strdup(dir);
	if (!run->dir)
		goto nomem;
	run->complete = file_exists(dir, HB_RESULT_COMPLETE);
	if (!run->complete && !allow_incomplete) {
		hb_errf(err, errlen,
			"%s: incomplete run (no COMPLETE file: it was interrupted); rerun it, or pass --allow-incomplete to use what it wrote",
			dir);
		goto fail;
	}
	root = parse_json(dir, err, errlen);
	if (!root || check_schema(dir, root, err, errlen))
		goto fail;
	if (load_context(run, json_object_get(root, "context")))
		goto nomem;
	json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
		char msg[512];

		if (load_benchmark(run, b, msg, sizeof(msg))) {
			hb_errf(err, errlen, "%s/hmmbench.json: %s", dir, msg);
			goto fail;
		}
	}
	if (load_skipped(run))
		goto nomem;
	json_decref(root);
	return 0;
nomem:
	hb_errf(err, errlen, "%s: out of memory", dir);
fail:
	json_decref(root);
	results_free(run);
	return -1;
}

void results_free(struct report_run *run)
{
	size_t i;

	for (i = 0; i < run->ncases; i++) {
		struct report_case *c = &run->cases[i];

		free(c->name);
		free(c->label);
		free(c->time_ns);
		free(c->error);
		for (int k = 0; k < CTR_COUNT; k++)
			free(c->ctr[k]);
	}
	for (i = 0; i < run->nctx; i++) {
		free(run->ctx[i].key);
		free(run->ctx[i].value);
	}
	for (i = 0; i < run->nskipped; i++) {
		free(run->skipped[i].name);
		free(run->skipped[i].reason);
	}
	free(run->cases);
	free(run->ctx);
	free(run->skipped);
	free(run->dir);
	memset(run, 0, sizeof(*run));
}

size_t results_max_reps(const struct report_run *run)
{
	size_t m = 0;

	for (size_t i = 0; i < run->ncases; i++)
		if (run->cases[i].n > m)
			m = run->cases[i].n;
	return m;
}

size_t results_min_reps(const struct report_run *run)
{
	size_t m = 0;

	for (size_t i = 0; i < run->ncases; i++) {
		size_t n = run->cases[i].n;

		if (n && (!m || n < m))
			m = n;
	}
	return m;
}

double results_ns_per_page(const struct report_case *c, size_t r)
{
	double v = c->ctr[CTR_NS_PER_PAGE][r];
	double pages = c->ctr[CTR_PAGES][r];

	if (!isnan(v))
		return v;
	if (!(pages > 0))
		pages = (double)(c->id.size_bytes / 4096);
	return pages > 0 ? c->time_ns[r] / pages : NAN;
}
