// SPDX-License-Identifier: GPL-2.0
/* Resuming an interrupted run: its arguments and its finished cases. */
#include "resume.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "sysrecord.h"
#include "runner.h"
#include "common/result_folder.h"

int hb_resume_save_args(const char *dir, int argc, char **argv)
{
	char path[1100], tmp[1110];
	int i, ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, HB_ARGS_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	for (i = 1; i < argc; i++) {
		/* --result-file names this attempt's answer, not the run. */
		if (!strcmp(argv[i], "--result-file") && i + 1 < argc) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--result-file=", 14))
			continue;
		if (fwrite(argv[i], 1, strlen(argv[i]) + 1, f) !=
		    strlen(argv[i]) + 1)
			ret = -EIO;
	}
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	return ret;
}

/* What must not change between an attempt and its resume. */
static const char *const identity_keys[] = {
	"host", "kernel_release", "kernel_version", "module_version",
	"module_abi", "suite_revision", "libbenchmark_version",
};

int hb_resume_save_identity(const char *dir, const struct hb_facts *f)
{
	char path[1100];
	size_t i;
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", dir, HB_IDENTITY_FILE);
	out = fopen(path, "w");
	if (!out)
		return -errno;
	for (i = 0; i < sizeof(identity_keys) / sizeof(identity_keys[0]); i++)
		fprintf(out, "%s\t%s\n", identity_keys[i],
			hb_fact_get(f, identity_keys[i]));
	return fclose(out) ? -errno : 0;
}

int hb_resume_check_identity(const char *dir, const struct hb_facts *f,
			     char *err, size_t errlen)
{
	char path[1100], line[700], *tab;
	const char *now;
	int ret = 0;
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, HB_IDENTITY_FILE);
	in = fopen(path, "r");
	if (!in) {
		snprintf(err, errlen, "--resume %s: no %s (%s)", dir,
			 HB_IDENTITY_FILE, strerror(errno));
		return -ENOENT;
	}
	while (!ret && fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = 0;
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		now = hb_fact_get(f, line);
		if (strcmp(now, tab + 1)) {
			snprintf(err, errlen,
				 "--resume %s: that run had %s '%s', this one has '%s'; its numbers would not be comparable: start a new run",
				 dir, line, tab + 1, now);
			ret = -ESTALE;
		}
	}
	fclose(in);
	return ret;
}

int hb_resume_load_args(const char *dir, const char *argv0, int *argc,
			char ***argv, char *err, size_t errlen)
{
	char path[1100], *buf, **v;
	size_t len = 0, i, n = 0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/" HB_RESULT_COMPLETE, dir);
	if (!stat(path, &st)) {
		snprintf(err, errlen,
			 "--resume %s: this run is complete already; start a new one",
			 dir);
		return -EEXIST;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, HB_ARGS_FILE);
	if (access(path, R_OK)) {
		snprintf(err, errlen,
			 "--resume %s: not an interrupted hmmbench run (no %s: %s); give the .<timestamp>.partial folder the interrupted run named",
			 dir, HB_ARGS_FILE, strerror(errno));
		return -ENOENT;
	}
	buf = hb_read_all(path, &len);
	if (!buf || (len && buf[len - 1])) {
		free(buf);
		snprintf(err, errlen, "--resume %s: %s is unreadable or truncated",
			 dir, path);
		return -EIO;
	}
	for (i = 0; i < len; i++)
		n += !buf[i];
	v = calloc(n + 2, sizeof(*v));
	if (!v) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v[0] = strdup(argv0);
	for (i = 0, n = 1; i < len; i += strlen(buf + i) + 1)
		v[n++] = strdup(buf + i);
	free(buf);
	for (i = 0; i < n; i++)
		if (!v[i]) {
			hb_resume_free_args(v);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	*argc = (int)n;
	*argv = v;
	return 0;
}

void hb_resume_free_args(char **argv)
{
	size_t i;

	if (!argv)
		return;
	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* The summary's numbers of one finished case, from its JSON entries. */
static int load_result(struct hb_case_result *res, json_t *entries)
{
	const char *agg, *msg;
	json_t *e, *v;
	size_t i;

	if (!json_is_array(entries) || !json_array_size(entries))
		return -EINVAL;
	json_array_foreach(entries, i, e) {
		if (json_is_true(json_object_get(e, "error_occurred"))) {
			msg = json_string_value(json_object_get(e, "error_message"));
			if (!res->errored)
				snprintf(res->error, sizeof(res->error), "%s",
					 msg ? msg : "error");
			res->errored = true;
			continue;
		}
		agg = json_string_value(json_object_get(e, "aggregate_name"));
		v = json_object_get(e, "real_time");
		if (!agg || !json_is_number(v))
			continue;
		hb_case_result_set_aggregate(res, agg, json_number_value(v));
		v = json_object_get(e, "placed_pct");
		if (!strcmp(agg, "mean") && json_is_number(v))
			res->placed_pct = json_number_value(v);
		v = json_object_get(e, "retries");
		if (!strcmp(agg, "mean") && json_is_number(v))
			res->retries_per_call = json_number_value(v);
	}
	return 0;
}

int hb_resume_load_cases(const char *dir, struct hb_plan *plan, char *err,
			 size_t errlen)
{
	struct hb_case_result *res;
	json_error_t jerr;
	char path[1300];
	struct hb_case *c;
	struct stat st;
	json_t *entries;
	int taken = 0;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		c = &plan->cases[i];
		/*
		 * The calibration runs again even when it was kept: it is
		 * one short case, and the overhead the summary reports is
		 * then measured beside the cases this attempt measures.
		 */
		if (c->skipped || c->kind == HB_KIND_CAL)
			continue;
		hb_case_file(dir, c->name, path, sizeof(path));
		if (stat(path, &st))
			continue;
		entries = json_load_file(path, 0, &jerr);
		res = calloc(1, sizeof(*res));
		if (!res) {
			json_decref(entries);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		res->c = c;
		res->placed_pct = NAN;
		res->retries_per_call = NAN;
		if (!entries || load_result(res, entries)) {
			snprintf(err, errlen,
				 "--resume: %s is not a case result (%s); delete it to measure the case again",
				 path, entries ? "no entries" : jerr.text);
			json_decref(entries);
			free(res);
			return -EINVAL;
		}
		json_decref(entries);
		c->result = res;
		c->done_before = true;
		taken++;
	}
	return taken;
}
