// SPDX-License-Identifier: GPL-2.0
/*
 * merge.c - several runs of one kernel as one result folder (see merge.h).
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "facts.h"
#include "merge.h"
#include "perf_profile.h"
#include "results.h"
#include "common/fs.h"
#include "common/text.h"

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* rm -rf @dir; what is left is only what could not be removed. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int load_all(char *const *dirs, size_t n, int allow_incomplete,
		    struct report_run *runs, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		char a[PATH_MAX], b[PATH_MAX];

		if (results_load(dirs[i], allow_incomplete, &runs[i], err,
				 errlen))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (realpath(dirs[i], a) && realpath(dirs[j], b) &&
			    !strcmp(a, b)) {
				hb_errf(err, errlen,
					"%s is given twice: its repetitions would count twice; give each run once",
					dirs[i]);
				return -1;
			}
	}
	return 0;
}

/* The runs must be boots of one kernel on one machine, set alike. */
static int check_alike(const struct report_run *runs, size_t n, char *err,
		       size_t errlen)
{
	char diff[2048];

	if (facts_identity_differ(runs, n, diff, sizeof(diff))) {
		hb_errf(err, errlen,
			"cannot merge runs of different kernels or machines (%s); merge only the runs of one kernel on one machine",
			diff);
		return -1;
	}
	if (facts_settings_differ(runs, n, diff, sizeof(diff))) {
		hb_errf(err, errlen,
			"cannot merge runs made with different settings (%s); merge only runs made with the same profile and settings",
			diff);
		return -1;
	}
	return 0;
}

static json_t *load_json(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	json_error_t jerr;
	json_t *root;

	snprintf(path, sizeof(path), "%s/" HB_RESULT_JSON, dir);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		hb_errf(err, errlen, "%s: %s", path, jerr.text);
	return root;
}

/* Is @b an iteration entry (not one of Google Benchmark's aggregates)? */
static int is_iteration(json_t *b)
{
	const char *type = json_string_value(json_object_get(b, "run_type"));

	return !type || !strcmp(type, "iteration");
}

/*
 * benchmarks[]: per case, in the order cases first appear, the iteration
 * entries of every run, their repetitions numbered anew.
 */
static json_t *merge_benchmarks(json_t **roots, size_t n,
				const struct report_run *runs)
{
	json_t *out = json_array(), *b, *seen = json_object();
	size_t i, r;

	if (!out || !seen)
		goto fail;
	for (r = 0; r < n; r++) {
		json_array_foreach(json_object_get(roots[r], "benchmarks"), i, b) {
			const char *name = json_string_value(
				json_object_get(b, "name"));
			size_t rep = 0, total = 0;

			if (!name || !is_iteration(b) ||
			    json_object_get(seen, name))
				continue;
			if (json_object_set_new(seen, name, json_true()))
				goto fail;
			for (size_t k = 0; k < n; k++) {
				const struct report_case *c =
					results_find(&runs[k], name);

				total += c ? c->n + c->n_error : 0;
			}
			for (size_t k = r; k < n; k++) {
				size_t j;
				json_t *e;

				json_array_foreach(json_object_get(roots[k], "benchmarks"), j, e) {
					const char *en = json_string_value(
						json_object_get(e, "name"));
					json_t *copy;

					if (!en || strcmp(en, name) ||
					    !is_iteration(e))
						continue;
					copy = json_deep_copy(e);
					if (!copy ||
					    json_object_set_new(copy, "repetition_index",
								json_integer((json_int_t)rep++)) ||
					    json_object_set_new(copy, "repetitions",
								json_integer((json_int_t)total)) ||
					    json_array_append_new(out, copy))
						goto fail;
				}
			}
		}
	}
	json_decref(seen);
	return out;
fail:
	json_decref(seen);
	json_decref(out);
	return NULL;
}

static json_t *merge_context(json_t *first, char *const *dirs, size_t n)
{
	json_t *ctx = json_deep_copy(json_object_get(first, "context"));
	char *from;
	size_t len = 1, w = 0;
	char count[32];

	if (!ctx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(dirs[i]) + 2;
	from = malloc(len);
	if (!from) {
		json_decref(ctx);
		return NULL;
	}
	from[0] = '\0';
	for (size_t i = 0; i < n; i++)
		w += (size_t)snprintf(from + w, len - w, "%s%s", i ? ", " : "",
				      dirs[i]);
	snprintf(count, sizeof(count), "%zu", n);
	if (json_object_set_new(ctx, "merged_from", json_string(from)) ||
	    json_object_set_new(ctx, "merged_runs", json_string(count))) {
		json_decref(ctx);
		ctx = NULL;
	}
	free(from);
	return ctx;
}

/* @dir/@name, created for writing; NULL on failure. */
static FILE *create_in(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];

	if (hb_fmt(path, sizeof(path), "%s/%s", dir, name))
		return NULL;
	return fopen(path, "w");
}

static int write_skipped(const char *dir, const struct report_run *runs,
			 size_t n)
{
	FILE *f = create_in(dir, HB_RESULT_SKIPPED);

	if (!f)
		return -1;
	for (size_t r = 0; r < n; r++)
		for (size_t s = 0; s < runs[r].nskipped; s++) {
			int dup = 0;

			for (size_t q = 0; q <= r && !dup; q++)
				for (size_t t = 0; t < runs[q].nskipped &&
				     !(q == r && t >= s) && !dup; t++)
					dup = !strcmp(runs[q].skipped[t].name,
						      runs[r].skipped[s].name);
			if (!dup)
				fprintf(f, "%s\t%s\n", runs[r].skipped[s].name,
					runs[r].skipped[s].reason);
		}
	return fclose(f);
}

/* The averaged profile of one case, or nothing when no run has one. */
static int merge_profile(const char *dir, const struct report_run *runs,
			 size_t n, const char *name, char *err, size_t errlen)
{
	struct perf_profile *p = calloc(n, sizeof(*p));
	struct perf_profile sum = { 0 };
	char path[PATH_MAX + 300];
	size_t have = 0;
	int ret = -1;
	FILE *f;

	if (!p)
		goto nomem;
	for (size_t r = 0; r < n; r++) {
		int got = perf_profile_load(runs[r].dir, name, &p[r], err,
					    errlen);

		if (got < 0)
			goto out;
		have += got == 0;
	}
	ret = 0;
	if (!have)
		goto out;
	ret = -1;
	/* each symbol once, its shares summed over the runs with a profile */
	for (size_t r = 0; r < n; r++)
		for (size_t e = 0; e < p[r].n; e++) {
			struct perf_entry *grown;
			size_t k;

			for (k = 0; k < sum.n &&
			     strcmp(sum.e[k].symbol, p[r].e[e].symbol); k++)
				;
			if (k < sum.n) {
				sum.e[k].pct += p[r].e[e].pct;
				continue;
			}
			grown = realloc(sum.e, (sum.n + 1) * sizeof(*grown));
			if (!grown)
				goto nomem;
			sum.e = grown;
			sum.e[sum.n].symbol = strdup(p[r].e[e].symbol);
			if (!sum.e[sum.n].symbol)
				goto nomem;
			sum.e[sum.n++].pct = p[r].e[e].pct;
		}
	for (size_t a = 0; a < sum.n; a++)	/* by share, highest first */
		for (size_t b = a + 1; b < sum.n; b++)
			if (sum.e[b].pct > sum.e[a].pct) {
				struct perf_entry t = sum.e[a];

				sum.e[a] = sum.e[b];
				sum.e[b] = t;
			}
	if (perf_profile_path(dir, name, path, sizeof(path)) ||
	    !(f = fopen(path, "w"))) {
		hb_errf(err, errlen, "cannot write the merged profile %s",
			path);
		goto out;
	}
	fprintf(f, "# the mean of %zu profiles\n", have);
	for (size_t k = 0; k < sum.n; k++)
		fprintf(f, "%.4f %s\n", sum.e[k].pct / (double)have,
			sum.e[k].symbol);
	ret = fclose(f);
	if (ret)
		hb_errf(err, errlen, "cannot write the merged profile %s",
			path);
	goto out;
nomem:
	hb_errf(err, errlen, "out of memory");
out:
	for (size_t r = 0; p && r < n; r++)
		perf_profile_free(&p[r]);
	free(p);
	perf_profile_free(&sum);
	return ret;
}

static int merge_profiles(const char *dir, const struct report_run *runs,
			  size_t n, char *err, size_t errlen)
{
	char perf[PATH_MAX + 16];

	snprintf(perf, sizeof(perf), "%s/" HB_RESULT_PERF_DIR, dir);
	if (hb_mkdir_p(perf)) {
		hb_errf(err, errlen, "cannot create %s: %s", perf,
			strerror(errno));
		return -1;
	}
	for (size_t r = 0; r < n; r++)
		for (size_t c = 0; c < runs[r].ncases; c++) {
			const struct report_case *rc = &runs[r].cases[c];
			int first = 1;

			for (size_t q = 0; q < r && first; q++)
				first = !results_find(&runs[q], rc->name);
			if (first &&
			    merge_profile(dir, runs, n, rc->label, err, errlen))
				return -1;
		}
	rmdir(perf);	/* only when no run had a profile: then it is empty */
	return 0;
}

static int write_summary(const char *dir, char *const *dirs, size_t n,
			 const struct report_run *merged)
{
	FILE *f = create_in(dir, HB_RESULT_SUMMARY);

	if (!f)
		return -1;
	fprintf(f, "hmmbench-report merge of %zu runs:\n", n);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %s\n", dirs[i]);
	fprintf(f, "case\trepetitions\tfailed\tAmean ns per call\n");
	for (size_t c = 0; c < merged->ncases; c++) {
		const struct report_case *rc = &merged->cases[c];
		double sum = 0;

		for (size_t r = 0; r < rc->n; r++)
			sum += rc->time_ns[r];
		fprintf(f, "%s\t%zu\t%zu\t%.1f\n", rc->label, rc->n,
			rc->n_error, rc->n ? sum / (double)rc->n : NAN);
	}
	return fclose(f);
}

/* Write the merged folder into @tmp (created here). */
static int write_merged(const char *tmp, char *const *dirs, size_t n,
			const struct report_run *runs, json_t **roots,
			char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	json_t *root = json_object(), *ctx, *bench;
	struct report_run merged;
	FILE *f;

	if (mkdir(tmp, 0755)) {
		hb_errf(err, errlen, "cannot create %s: %s", tmp,
			strerror(errno));
		json_decref(root);
		return -1;
	}
	ctx = merge_context(roots[0], dirs, n);
	bench = merge_benchmarks(roots, n, runs);
	if (!root || !ctx || !bench ||
	    json_object_set_new(root, "context", ctx) ||
	    json_object_set_new(root, "benchmarks", bench)) {
		hb_errf(err, errlen, "out of memory");
		json_decref(root);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" HB_RESULT_JSON, tmp);
	if (json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			   JSON_REAL_PRECISION(17))) {
		hb_errf(err, errlen, "cannot write %s", path);
		json_decref(root);
		return -1;
	}
	json_decref(root);
	if (write_skipped(tmp, runs, n)) {
		hb_errf(err, errlen, "cannot write %s/" HB_RESULT_SKIPPED, tmp);
		return -1;
	}
	if (merge_profiles(tmp, runs, n, err, errlen))
		return -1;
	/* read back as any reader will, before it is called complete */
	if (results_load(tmp, 1, &merged, err, errlen))
		return -1;
	if (write_summary(tmp, dirs, n, &merged)) {
		results_free(&merged);
		hb_errf(err, errlen, "cannot write %s/" HB_RESULT_SUMMARY, tmp);
		return -1;
	}
	results_free(&merged);
	f = create_in(tmp, HB_RESULT_COMPLETE);
	if (!f || fclose(f)) {
		hb_errf(err, errlen, "cannot write %s/" HB_RESULT_COMPLETE, tmp);
		return -1;
	}
	return 0;
}

int merge_runs(char *const *dirs, size_t n, const char *out,
	       int allow_incomplete, char *err, size_t errlen)
{
	struct report_run *runs = calloc(n, sizeof(*runs));
	json_t **roots = calloc(n, sizeof(*roots));
	char tmp[PATH_MAX + 16], parent[PATH_MAX], *slash;
	const char *base;
	struct stat st;
	int ret = -1;

	if (!runs || !roots) {
		hb_errf(err, errlen, "out of memory");
		goto out;
	}
	if (!stat(out, &st)) {
		hb_errf(err, errlen,
			"%s exists; give merge a new folder to write (--out)",
			out);
		goto out;
	}
	if (load_all(dirs, n, allow_incomplete, runs, err, errlen) ||
	    check_alike(runs, n, err, errlen))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!(roots[i] = load_json(dirs[i], err, errlen)))
			goto out;
	/* .<name>.partial beside <name> */
	snprintf(parent, sizeof(parent), "%s", out);
	while (strlen(parent) > 1 && parent[strlen(parent) - 1] == '/')
		parent[strlen(parent) - 1] = '\0';
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		base = slash + 1;
	} else {
		base = parent;
	}
	if (hb_fmt(tmp, sizeof(tmp), "%s/.%s.partial",
		   !slash ? "." : *parent ? parent : "", base)) {
		hb_errf(err, errlen, "%s: path too long", out);
		goto out;
	}
	if (slash && *parent && hb_mkdir_p(parent)) {
		hb_errf(err, errlen, "cannot create %s: %s", parent,
			strerror(errno));
		goto out;
	}
	remove_tree(tmp);	/* what an interrupted merge left */
	if (write_merged(tmp, dirs, n, runs, roots, err, errlen)) {
		remove_tree(tmp);
		goto out;
	}
	if (rename(tmp, out)) {
		hb_errf(err, errlen, "cannot rename %s to %s: %s", tmp, out,
			strerror(errno));
		remove_tree(tmp);
		goto out;
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++) {
		if (runs)
			results_free(&runs[i]);
		if (roots)
			json_decref(roots[i]);
	}
	free(runs);
	free(roots);
	return ret;
}
