// SPDX-License-Identifier: GPL-2.0
/* Result folder lifecycle and the files written beside the JSON. */
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner.h"
#include "common/fs.h"
#include "common/result_folder.h"

int hb_output_begin(struct hb_output *o, const char *root,
		    const char *host, const char *release, char *err,
		    size_t errlen)
{
	char stamp[32], parent[900];
	time_t now = time(NULL);
	struct stat st;
	int ret;

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(parent, sizeof(parent), "%s/%s/%s", root, host, release);
	ret = hb_mkdir_p(parent);
	if (ret) {
		snprintf(err, errlen, "cannot create %s: %s (choose another --out)",
			 parent, strerror(-ret));
		return ret;
	}
	snprintf(o->final, sizeof(o->final), "%s/%s", parent, stamp);
	snprintf(o->partial, sizeof(o->partial), "%s/.%s.partial", parent,
		 stamp);
	if (!stat(o->final, &st)) {
		snprintf(err, errlen, "%s exists already; wait a second and retry",
			 o->final);
		return -EEXIST;
	}
	if (mkdir(o->partial, 0755)) {
		ret = -errno;
		snprintf(err, errlen, "cannot create %s: %s", o->partial,
			 strerror(-ret));
		return ret;
	}
	return 0;
}

int hb_output_resume(struct hb_output *o, const char *dir, char *err,
		     size_t errlen)
{
	const char *base = strrchr(dir, '/');
	size_t parent_len = base ? (size_t)(base - dir) : 0;
	size_t stamp_len;

	base = base ? base + 1 : dir;
	stamp_len = strlen(base);
	if (base[0] != '.' || stamp_len < 10 ||
	    strcmp(base + stamp_len - 8, ".partial")) {
		snprintf(err, errlen,
			 "--resume %s: expected the .<timestamp>.partial folder of an interrupted run",
			 dir);
		return -EINVAL;
	}
	snprintf(o->partial, sizeof(o->partial), "%s", dir);
	snprintf(o->final, sizeof(o->final), "%.*s%s%.*s", (int)parent_len,
		 dir, parent_len ? "/" : "", (int)(stamp_len - 9), base + 1);
	return 0;
}

int hb_output_finish(struct hb_output *o, char *err, size_t errlen)
{
	char path[1100];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/" HB_RESULT_COMPLETE, o->partial);
	f = fopen(path, "w");
	if (!f || fclose(f)) {
		ret = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	if (rename(o->partial, o->final)) {
		ret = -errno;
		snprintf(err, errlen, "cannot rename %s to %s: %s", o->partial,
			 o->final, strerror(-ret));
		return ret;
	}
	return 0;
}

static FILE *open_in(const char *dir, const char *name, char *path,
		     size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	return fopen(path, "w");
}

int hb_output_skipped(const char *dir, const struct hb_plan *plan)
{
	char path[1100];
	size_t i;
	FILE *f;

	f = open_in(dir, HB_RESULT_SKIPPED, path, sizeof(path));
	if (!f)
		return -errno;
	for (i = 0; i < plan->n; i++)
		if (plan->cases[i].skipped)
			fprintf(f, "%s\t%s\n", plan->cases[i].name,
				plan->cases[i].skip_reason);
	return fclose(f) ? -errno : 0;
}

void hb_case_file_name(const char *case_name, const char *ext, char *buf,
		       size_t len)
{
	size_t i;

	snprintf(buf, len, "%s%s", case_name, ext);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '/')
			buf[i] = '-';
}

void hb_case_file(const char *dir, const char *case_name, char *path,
		  size_t len)
{
	char name[160];

	hb_case_file_name(case_name, ".json", name, sizeof(name));
	snprintf(path, len, "%s/%s/%s", dir, HB_RESULT_CASES_DIR, name);
}

int hb_output_histogram(const char *dir, const struct hb_case *c)
{
	const struct hb_case_result *res = c->result;
	char path[1300], name[160];
	size_t b;
	FILE *f;

	if (!res || !res->calls || c->kind != HB_KIND_HMM)
		return 0;
	snprintf(path, sizeof(path), "%s/" HB_RESULT_HIST_DIR, dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	hb_case_file_name(c->name, ".tsv", name, sizeof(name));
	snprintf(path, sizeof(path), "%s/" HB_RESULT_HIST_DIR "/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "# %s: hmm_range_fault() time per chunk, all timed calls\n",
		c->name);
	fprintf(f, "# from_ns\tto_ns\tchunks\n");
	for (b = 0; b < HB_HIST_BUCKETS; b++)
		if (res->hist[b])
			fprintf(f, "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n",
				b ? (uint64_t)1 << b : 0,
				b < 63 ? ((uint64_t)1 << (b + 1)) - 1 :
					 UINT64_MAX,
				res->hist[b]);
	return fclose(f) ? -errno : 0;
}

char *hb_read_all(const char *path, size_t *len)
{
	char *buf = NULL;
	long size;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)size + 1);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[size] = 0;
			*len = (size_t)size;
		}
	}
	fclose(f);
	return buf;
}

/* Length of a non-number word at @p outside strings, or 0. */
static size_t bad_number(const char *p)
{
	static const char *const words[] = { "-NaN", "NaN", "-Infinity",
					     "Infinity" };
	size_t i, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (!strncmp(p, words[i], n))
			return n;
	}
	return 0;
}

/* @buf with NaN and Infinity outside strings as null; malloc()ed. */
static char *sanitize(const char *buf, size_t len, size_t *outlen)
{
	bool in_string = false;
	size_t i, n;
	char *tmp;

	tmp = malloc(len * 2 + 1);
	if (!tmp)
		return NULL;
	for (i = 0, n = 0; i < len; i++) {
		if (in_string) {
			if (buf[i] == '\\' && i + 1 < len)
				tmp[n++] = buf[i++];
			else if (buf[i] == '"')
				in_string = false;
		} else if (buf[i] == '"') {
			in_string = true;
		} else if (bad_number(buf + i)) {
			i += bad_number(buf + i) - 1;
			memcpy(tmp + n, "null", 4);
			n += 4;
			continue;
		}
		tmp[n++] = buf[i];
	}
	tmp[n] = 0;
	*outlen = n;
	return tmp;
}

/* Write the pieces to @path.tmp, then rename it: never half a file. */
static int write_atomic(const char *path, const char *const *parts,
			size_t nparts)
{
	char tmp[1400];
	size_t i, len;
	int ret = 0;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		return -errno;
	for (i = 0; i < nparts; i++) {
		len = strlen(parts[i]);
		if (fwrite(parts[i], 1, len, f) != len)
			ret = -EIO;
	}
	if (fflush(f) || fsync(fileno(f)))
		ret = ret ? ret : -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

int hb_output_json_sanitize(const char *path)
{
	size_t len = 0, n;
	char *buf, *clean;
	int ret;

	buf = hb_read_all(path, &len);
	if (!buf)
		return -EIO;
	clean = sanitize(buf, len, &n);
	free(buf);
	if (!clean)
		return -ENOMEM;
	ret = write_atomic(path, (const char *const[]){ clean }, 1);
	free(clean);
	return ret;
}

int hb_output_case_done(const char *dir, const char *case_name,
			const char *json)
{
	char path[1300];
	char *clean;
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, HB_RESULT_CASES_DIR);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	hb_case_file(dir, case_name, path, sizeof(path));
	clean = sanitize(json, strlen(json), &n);
	if (!clean)
		return -ENOMEM;
	ret = write_atomic(path, (const char *const[]){ "[\n", clean, "\n]\n" },
			   3);
	free(clean);
	return ret;
}

/* Remove <dir>/cases/ once its entries are in hmmbench.json. */
static void remove_cases(const char *dir, const struct hb_plan *plan)
{
	char path[1300];
	size_t i;

	for (i = 0; i < plan->n; i++) {
		hb_case_file(dir, plan->cases[i].name, path, sizeof(path));
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, HB_RESULT_CASES_DIR);
	rmdir(path);
}

/*
 * Offset just past the '[' of the top-level "benchmarks" array of a JSON
 * text, or 0: a scan that skips strings, so a context value cannot fool it.
 */
static size_t benchmarks_start(const char *text, size_t len)
{
	bool in_string = false, key = false;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (text[i] == '\\')
				i++;
			else if (text[i] == '"')
				in_string = false;
			continue;
		}
		switch (text[i]) {
		case '"':
			if (depth == 1)
				key = !strncmp(text + i, "\"benchmarks\"", 12);
			in_string = true;
			break;
		case '[':
			if (depth == 1 && key)
				return i + 1;
			/* fall through */
		case '{':
			depth++;
			break;
		case ']':
		case '}':
			depth--;
			break;
		}
	}
	return 0;
}

/* Append the entries of a case file ("[ ... ]") to @buf, comma first. */
static int append_entries(char **buf, size_t *len, size_t *cap,
			  const char *file)
{
	size_t n = 0, need;
	char *text, *open, *close, *grown;

	text = hb_read_all(file, &n);
	if (!text)
		return -ENOENT;
	open = strchr(text, '[');
	close = strrchr(text, ']');
	if (!open || !close || close < open) {
		free(text);
		return -EINVAL;
	}
	*close = 0;
	need = *len + strlen(open + 1) + 4;
	if (need > *cap) {
		*cap = need * 2;
		grown = realloc(*buf, *cap);
		if (!grown) {
			free(text);
			return -ENOMEM;
		}
		*buf = grown;
	}
	*len += (size_t)sprintf(*buf + *len, "%s%s", *len ? ",\n" : "",
				open + 1);
	free(text);
	return 0;
}

int hb_output_merge(const char *dir, const struct hb_plan *plan, char *err,
		    size_t errlen)
{
	size_t len = 0, start, n = 0, cap = 0;
	char path[1300], *doc, *entries = NULL;
	size_t i;
	int ret = 0;

	/* Text, not a parse: the file can be tens of MB, and both parts are
	 * the library's own JSON (NaN rewritten). */
	snprintf(path, sizeof(path), "%s/" HB_RESULT_JSON, dir);
	doc = hb_read_all(path, &len);
	start = doc ? benchmarks_start(doc, len) : 0;
	if (!start) {
		snprintf(err, errlen, "%s: not a Google Benchmark report", path);
		free(doc);
		return -EIO;
	}
	doc[start] = 0;
	for (i = 0; i < plan->n && !ret; i++) {
		if (plan->cases[i].skipped)
			continue;
		hb_case_file(dir, plan->cases[i].name, path, sizeof(path));
		ret = append_entries(&entries, &n, &cap, path);
		if (ret)
			snprintf(err, errlen, "case %s has no result (%s: %s)",
				 plan->cases[i].name, path, strerror(-ret));
	}
	if (!ret) {
		/* In plan order, whichever attempt and interleaving ran them. */
		snprintf(path, sizeof(path), "%s/" HB_RESULT_JSON, dir);
		ret = write_atomic(path, (const char *const[]){
			doc, "\n", entries ? entries : "", "\n  ]\n}\n" }, 4);
		if (ret)
			snprintf(err, errlen, "cannot write %s: %s", path,
				 strerror(-ret));
	}
	if (!ret)
		remove_cases(dir, plan);
	free(entries);
	free(doc);
	return ret;
}

/* One line per skip reason: how many cases, and the first of them. */
void hb_output_skip_lines(const struct hb_plan *plan, FILE *out)
{
	const struct hb_case *c, *first;
	size_t i, j, count;

	for (i = 0; i < plan->n; i++) {
		c = &plan->cases[i];
		if (!c->skipped)
			continue;
		for (j = 0; j < i; j++)
			if (plan->cases[j].skipped &&
			    !strcmp(plan->cases[j].skip_reason, c->skip_reason))
				break;
		if (j < i)
			continue;	/* reason shown already */
		first = c;
		for (count = 0, j = i; j < plan->n; j++)
			count += plan->cases[j].skipped &&
				 !strcmp(plan->cases[j].skip_reason,
					 c->skip_reason);
		fprintf(out, "  %zu x %s\n      (%s%s)\n", count, c->skip_reason,
			first->name, count > 1 ? ", ..." : "");
	}
}

/* The no-op call's cost against the fastest case of 2 MiB or more. */
static void overhead_lines(const struct hb_plan *plan, FILE **outs)
{
	const struct hb_case_result *res, *worst = NULL;
	double cal = 0;
	size_t i, o;

	for (i = 0; i < plan->n; i++) {
		res = plan->cases[i].result;
		if (!res || !res->have_stats)
			continue;
		if (plan->cases[i].kind == HB_KIND_CAL &&
		    res->mean > cal)
			cal = res->mean;
		if (plan->cases[i].kind == HB_KIND_HMM &&
		    plan->cases[i].size >= (2UL << 20) &&
		    (!worst || res->mean < worst->mean))
			worst = res;
	}
	for (o = 0; o < 2 && outs[o]; o++) {
		fprintf(outs[o], "Instrument overhead: %.0f ns per call (no-op call)",
			cal);
		if (worst && worst->mean > 0)
			fprintf(outs[o], ", %.3f %% of the fastest case of 2 MiB or more (%s)",
				100 * cal / worst->mean, worst->c->name);
		fprintf(outs[o], "\n");
	}
}

int hb_output_summary(const char *dir, const struct hb_plan *plan,
		      const struct hb_facts *facts, FILE *also)
{
	const struct hb_case_result *res;
	FILE *outs[2] = { NULL, also };
	size_t i, o, errors = 0;
	char path[1100], kind[128];

	outs[0] = open_in(dir, HB_RESULT_SUMMARY, path, sizeof(path));
	if (!outs[0])
		return -errno;
	if (!also)
		outs[1] = NULL;
	for (o = 0; o < 2 && outs[o]; o++) {
		fprintf(outs[o], "hmmbench on %s, kernel %s (%s), profile %s\n",
			hb_fact_get(facts, "host"),
			hb_fact_get(facts, "kernel_release"),
			hb_facts_machine_kind(facts, kind, sizeof(kind)),
			hb_fact_get(facts, "profile"));
		fprintf(outs[o], "THP %s, governor %s, %s\n\n",
			hb_fact_get(facts, "thp_enabled"),
			hb_fact_get(facts, "cpufreq_governor"),
			hb_fact_get(facts, "numa_nodes"));
		fprintf(outs[o], "%-44s %12s %7s %10s %7s %8s\n", "case",
			"mean ns", "cv %", "ns/page", "placed%",
			"retries");
	}
	for (i = 0; i < plan->n; i++) {
		res = plan->cases[i].result;
		if (!res)
			continue;
		for (o = 0; o < 2 && outs[o]; o++) {
			if (res->errored) {
				fprintf(outs[o], "%-44s ERROR: %s\n",
					plan->cases[i].name, res->error);
				continue;
			}
			fprintf(outs[o], "%-44s %12.0f %7.2f %10.2f ",
				plan->cases[i].name, res->mean,
				res->cv * 100, res->ns_per_page);
			if (!isnan(res->placed_pct))
				fprintf(outs[o], "%7.1f ", res->placed_pct);
			else
				fprintf(outs[o], "%7s ", "-");
			/* per call: one per PMD is a write on zero or cow */
			if (!isnan(res->retries_per_call))
				fprintf(outs[o], "%8.2f\n", res->retries_per_call);
			else
				fprintf(outs[o], "%8s\n", "-");
		}
		errors += res->errored;
	}
	for (o = 0; o < 2 && outs[o]; o++) {
		fprintf(outs[o], "\n");
		if (plan->nskipped)
			fprintf(outs[o], "Skipped %zu cases (each in skipped.tsv):\n",
				plan->nskipped);
		hb_output_skip_lines(plan, outs[o]);
	}
	overhead_lines(plan, outs);
	for (o = 0; o < 2 && outs[o]; o++)
		fprintf(outs[o], "%zu case%s failed verification or could not run\n",
			errors, errors == 1 ? "" : "s");
	return fclose(outs[0]) ? -errno : 0;
}
