// SPDX-License-Identifier: GPL-2.0
/*
 * test_compare.c - benchmark-name parsing, run loading and the compare
 * table, on small run folders written here.
 *
 * Run with CMOCKA_MESSAGE_OUTPUT=TAP for TAP output.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/compare.h"
#include "report/perf_profile.h"
#include "report/results.h"
#include "report/text_wrap.h"
#include "unit_util.h"

static char tmpdir[] = "/tmp/test_compare.XXXXXX";

/*
 * A run folder named @name with one case per "NAME=v1,v2,..." in @cases
 * (real_time in ns, one repetition per value, @iterations each; a value
 * "error" is a failed repetition), plus an
 * aggregate entry that must be ignored; @ctx is added to the context
 * ("\"window\": \"64\", "). Returns the folder path (static buffer
 * rotation).
 */
static const char *make_run_ctx(const char *name, const char *kernel,
				const char *ctx, int iterations,
				const char *const *cases, int complete)
{
	static char paths[8][256];
	static int next;
	char *dir = paths[next++ % 8], json[16384];
	size_t w = 0;

	snprintf(dir, 256, "%s/%s", tmpdir, name);
	mkdir(dir, 0755);
	w += (size_t)snprintf(json + w, sizeof(json) - w,
		"{\"context\": {\"hmmbench_schema\": \"1\", %s"
		"\"kernel_release\": \"%s\", \"host\": \"h\", \"vm\": \"none\","
		" \"num_cpus\": 4, \"caches\": []}, \"benchmarks\": [", ctx,
		kernel);
	for (int c = 0; cases[c]; c++) {
		char buf[256], *eq, *tok, *save = NULL;
		int rep = 0;

		snprintf(buf, sizeof(buf), "%s", cases[c]);
		eq = strchr(buf, '=');
		*eq++ = '\0';
		for (tok = strtok_r(eq, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			w += !strcmp(tok, "error") ?
			(size_t)snprintf(json + w, sizeof(json) - w,
				"%s{\"name\": \"%s/manual_time\", "
				"\"run_type\": \"iteration\", "
				"\"error_occurred\": true, "
				"\"error_message\": \"verify: failed\"}",
				c || rep ? "," : "", buf) :
			(size_t)snprintf(json + w, sizeof(json) - w,
				"%s{\"name\": \"%s/manual_time\", "
				"\"run_type\": \"iteration\", "
				"\"repetition_index\": %d, \"real_time\": %s, "
				"\"iterations\": %d, "
				"\"time_unit\": \"ns\", \"ns_per_page\": 1.5}",
				c || rep ? "," : "", buf, rep, tok,
				iterations), rep++;
		w += (size_t)snprintf(json + w, sizeof(json) - w,
			",{\"name\": \"%s/manual_time_mean\", "
			"\"run_type\": \"aggregate\", \"aggregate_name\": \"mean\","
			" \"real_time\": 1e99, \"time_unit\": \"ns\"}", buf);
	}
	snprintf(json + w, sizeof(json) - w, "]}\n");
	write_text(dir, "hmmbench.json", json);
	if (complete)
		write_text(dir, "COMPLETE", "");
	return dir;
}

static const char *make_run(const char *name, const char *kernel,
			    const char *const *cases, int complete)
{
	return make_run_ctx(name, kernel, "", 4, cases, complete);
}

/* The options compare uses by default. */
static const struct compare_opts default_opts = {
	{ TEST_WELCH, CORR_HOLM, 0.05, CLAIM_DEFAULT_FLOOR_PCT }, 0,
};

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Iterations become samples; aggregates are ignored. */
static void test_load_samples(void **state)
{
	static const char *const cases[] = {
		"hmm/read/default/present/2M=100,110,120", NULL,
	};
	const char *dir = make_run("load", "6.1", cases, 1);
	char err[512];
	struct report_run run;

	(void)state;
	assert_int_equal(results_load(dir, 0, &run, err, sizeof(err)), 0);
	assert_int_equal(run.ncases, 1);
	assert_int_equal(run.cases[0].n, 3);
	assert_true(run.cases[0].time_ns[2] == 120);
	assert_true(run.cases[0].ctr[CTR_NS_PER_PAGE][0] == 1.5);
	assert_true(isnan(run.cases[0].ctr[CTR_PLACED_PCT][0]));
	assert_string_equal(run.cases[0].label, "hmm/read/default/present/2M");
	assert_string_equal(results_ctx(&run, "kernel_release"), "6.1");
	assert_string_equal(results_ctx(&run, "num_cpus"), "4");
	assert_null(results_ctx(&run, "caches"));
	results_free(&run);
}

/* Problems with a folder are refused with a message naming them. */
static void test_load_errors(void **state)
{
	static const char *const cases[] = { "hmm/read/default/none/4K=1,2", NULL };
	char err[512], dir[300];
	const char *inc = make_run("inc", "6.1", cases, 0);
	struct report_run run;

	(void)state;
	assert_int_equal(results_load("/nonexistent/run", 0, &run, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "no such run folder"));

	assert_int_equal(results_load(inc, 0, &run, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--allow-incomplete"));
	assert_int_equal(results_load(inc, 1, &run, err, sizeof(err)), 0);
	assert_false(run.complete);
	results_free(&run);

	snprintf(dir, sizeof(dir), "%s/trunc", tmpdir);
	mkdir(dir, 0755);
	write_text(dir, "hmmbench.json", "{\"context\": {\"hmmbench_schema\"");
	write_text(dir, "COMPLETE", "");
	assert_int_equal(results_load(dir, 0, &run, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid JSON at line 1"));

	write_text(dir, "hmmbench.json",
		   "{\"context\": {}, \"benchmarks\": []}");
	assert_int_equal(results_load(dir, 0, &run, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a hmmbench run"));
}

/*
 * Run folders "a-@tag" (kernel 6.1) and "b-@tag" (6.12) from the case
 * lists, loaded into @runs; returns compare's text (free it).
 */
static char *compare_two(struct report_run runs[2], const char *tag,
			 const char *const *a, const char *const *b)
{
	struct compare_opts o = default_opts;
	char name[64], err[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(name, sizeof(name), "a-%s", tag);
	assert_int_equal(results_load(make_run(name, "6.1", a, 1), 0,
				      &runs[0], err, sizeof(err)), 0);
	snprintf(name, sizeof(name), "b-%s", tag);
	assert_int_equal(results_load(make_run(name, "6.12", b, 1), 0,
				      &runs[1], err, sizeof(err)), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(compare_print(f, runs, 2, &o, err, sizeof(err)), 0);
	fclose(f);
	return buf;
}

/* The table: a starred 20% regression, 80 columns, geomean, differences. */
static void test_compare_table(void **state)
{
	static const char *const base[] = {
		"hmm/read/default/present/2M=100,101,99,100,102,98,100,101,99",
		"hmm/read/default/none/2M=50,51,49,50,50,51,49,50,50",
		NULL,
	};
	static const char *const slow[] = {
		"hmm/read/default/present/2M=120,121,119,120,122,118,120,121,119",
		"hmm/read/default/none/2M=50,51,49,50,50,51,49,50,50",
		"hmm/read/default/thp/2M=10,10",
		NULL,
	};
	struct compare_opts o = default_opts;
	struct report_run runs[2];
	char err[512], *buf, *line;
	size_t len = 0;
	FILE *f;

	(void)state;
	buf = compare_two(runs, "table", base, slow);

	assert_non_null(strstr(buf, "* -20.00%*"));	/* present: 20% slower */
	assert_non_null(strstr(buf, "(   0.00%)"));
	assert_non_null(strstr(buf, "Gmean"));
	assert_non_null(strstr(buf, "1.0954"));	/* sqrt(1.2 * 1.0) */
	assert_non_null(strstr(buf, "only in #1"));
	assert_non_null(strstr(buf, "Kernel          #0 6.1"));
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 80);
	free(buf);

	/* no case in common: an error, not an empty table */
	f = open_memstream(&buf, &len);
	runs[1].ncases = 0;
	assert_int_equal(compare_print(f, runs, 2, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no benchmark case is in every run"));
	fclose(f);
	free(buf);
	runs[1].ncases = 3;
	results_free(&runs[0]);
	results_free(&runs[1]);
}

/*
 * Wide deltas keep the columns: fewer decimals as they grow, then the
 * exponent form; n/a where the baseline is 0 (a spread of nothing).
 */
static void test_compare_wide_deltas(void **state)
{
	static const char *const base[] = {
		"hmm/read/default/present/4K=100,100,100",
		"hmm/read/default/none/4K=100,101,100",
		NULL,
	};
	static const char *const noisy[] = {
		"hmm/read/default/present/4K=100,300,100",
		"hmm/read/default/none/4K=100,20000,100",
		NULL,
	};
	struct report_run runs[2];
	char *buf, *line, *none, *present;

	(void)state;
	buf = compare_two(runs, "wide", base, noisy);

	none = strstr(buf, "\nhmm/read/default/none/4K ");
	present = strstr(buf, "\nhmm/read/default/present/4K ");
	assert_non_null(none);
	assert_non_null(present);
	/* fewer decimals as the delta grows, then exponent form */
	assert_non_null(strstr(none, "(-6611.0%)"));	/* Amean -6610.96% */
	assert_non_null(strstr(none, "( -19702%)"));	/* Max 101 -> 20000 */
	assert_non_null(strstr(none, "( -2e+06%)"));	/* Stddev 0.58 -> 11489 */
	/* Stddev 0 -> 115: no percentage of nothing, on that very row */
	line = strstr(present, "\nStddev ");
	assert_non_null(line);
	line++;
	assert_int_equal(strcspn(line, "\n"), 8 + 2 * 23);
	assert_memory_equal(line + 8 + 2 * 23 - 10, "(     n/a)", 10);
	/* every statistics row ends in the same column */
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		assert_true(strlen(line) <= 80);
		if (strchr("MASC", line[0]) && strchr(line, '%'))
			assert_int_equal(strlen(line), 8 + 2 * 23);
	}
	free(buf);
	results_free(&runs[0]);
	results_free(&runs[1]);
}

/*
 * The geometric mean covers the hmm/ cases with numbers in every run, the
 * same ones in every column (a case that failed in #2 is left out of #1's
 * too, base/ cases are left out), with its t interval.
 */
static void test_gmean_subset_and_ci(void **state)
{
	static const char *const r0[] = {
		"hmm/read/default/present/2M=100,100,100",
		"hmm/read/default/none/2M=50,50,50",
		"hmm/read/default/zero/2M=100,100,100",
		"base/read/touch/none/2M=10,10,10",
		NULL,
	};
	static const char *const r1[] = {
		"hmm/read/default/present/2M=120,120,120",
		"hmm/read/default/none/2M=50,50,50",
		"hmm/read/default/zero/2M=200,200,200",
		"base/read/touch/none/2M=30,30,30",
		NULL,
	};
	static const char *const r2[] = {
		"hmm/read/default/present/2M=80,80,80",
		"hmm/read/default/none/2M=62.5,62.5,62.5",
		"hmm/read/default/zero/2M=error,error,error",
		"base/read/touch/none/2M=10,10,10",
		NULL,
	};
	struct compare_opts o = default_opts;
	struct report_run runs[3];
	struct compare_view v;
	char err[512], *buf = NULL, *gm;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(results_load(make_run("g0", "6.1", r0, 1), 0,
				      &runs[0], err, sizeof(err)), 0);
	assert_int_equal(results_load(make_run("g1", "6.6", r1, 1), 0,
				      &runs[1], err, sizeof(err)), 0);
	assert_int_equal(results_load(make_run("g2", "6.12", r2, 1), 0,
				      &runs[2], err, sizeof(err)), 0);
	assert_int_equal(compare_view_build(&v, runs, 3, &o, err, sizeof(err)), 0);
	assert_int_equal(v.ncommon, 4);
	assert_int_equal(v.gmean_cases, 2);	/* present and none */
	assert_true(fabs(v.gmean[0].g - 1) < 1e-12);
	assert_true(fabs(v.gmean[1].g - 1.0954451150103321) < 1e-9);
	assert_true(fabs(v.gmean[1].lo - 0.34398860889045996) < 1e-9);
	assert_true(fabs(v.gmean[1].hi - 3.488487609722358) < 1e-9);
	assert_true(fabs(v.gmean[2].g - 1) < 1e-9);
	assert_true(fabs(v.gmean[2].hi - 17.035640485452067) < 1e-6);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	compare_print_view(f, &v);
	fclose(f);
	gm = strstr(buf, "\nGmean ");
	assert_non_null(gm);
	assert_non_null(strstr(gm, "1.0954"));
	assert_non_null(strstr(buf, "\nCI95 lo       1.0000 (   0.00%)      0.3440 "));
	assert_non_null(strstr(buf, "\nCI95 hi       1.0000 (   0.00%)      3.4885 "));
	assert_non_null(strstr(buf, "Cases in the geometric mean: 2 of the 4 cases in common"));
	free(buf);
	compare_view_free(&v);
	for (int i = 0; i < 3; i++)
		results_free(&runs[i]);
}

/*
 * Runs whose window differs are refused, with the values; allowed, the
 * output says so at its top and lists the setting. A THP knob that one
 * kernel lacks is no difference; one both have with other values is.
 */
static void test_settings_differ(void **state)
{
	static const char *const cases[] = {
		"hmm/read/default/present/2M=100,101,99", NULL,
	};
	struct compare_opts o = default_opts;
	struct report_run runs[2];
	char err[1024], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(results_load(make_run_ctx("s0", "6.1",
		"\"window\": \"512\", \"thp_enabled\": \"always\", ", 4, cases, 1),
		0, &runs[0], err, sizeof(err)), 0);
	assert_int_equal(results_load(make_run_ctx("s1", "6.12",
		"\"window\": \"64\", \"thp_enabled\": \"always\", "
		"\"thp_use_zero_page\": \"1\", ", 4, cases, 1),
		0, &runs[1], err, sizeof(err)), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(compare_print(f, runs, 2, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(Window: #0 512, #1 64)"));
	assert_non_null(strstr(err, "--allow-different-settings"));
	assert_null(strstr(err, "thp_use_zero_page"));
	o.allow_different_settings = 1;
	assert_int_equal(compare_print(f, runs, 2, &o, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\nWARNING: the runs differ in 1 setting(s)"));
	assert_non_null(strstr(buf, "\nWindow          #0 512\n                #1 64\n"));
	free(buf);
	results_free(&runs[0]);
	results_free(&runs[1]);

	/* the same knob, recorded by both, with other values; iterations */
	assert_int_equal(results_load(make_run_ctx("s2", "6.1",
		"\"thp_use_zero_page\": \"0\", ", 4, cases, 1),
		0, &runs[0], err, sizeof(err)), 0);
	assert_int_equal(results_load(make_run_ctx("s3", "6.12",
		"\"thp_use_zero_page\": \"1\", ", 2, cases, 1),
		0, &runs[1], err, sizeof(err)), 0);
	o.allow_different_settings = 0;
	assert_int_equal(compare_print(stdout, runs, 2, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "thp_use_zero_page: #0 0, #1 1"));
	assert_non_null(strstr(err, "iterations per repetition: 1 case(s) differ, e.g. hmm/read/default/present/2M: #0 4, #1 2"));
	results_free(&runs[0]);
	results_free(&runs[1]);
}

/*
 * Kernel profiles: the file named after the case, the moves by absolute
 * change (a symbol only in one profile counts 0 in the other), at most
 * @max, at least the minimum; a malformed line is named.
 */
static void test_perf_profile(void **state)
{
	char dir[300], perf[320], err[512];
	struct perf_profile a, b;
	struct perf_move m[3];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/perf-a", tmpdir);
	snprintf(perf, sizeof(perf), "%s/perf", dir);
	mkdir(dir, 0755);
	mkdir(perf, 0755);
	write_text(perf, "hmm_read_default_none_2M_c0m1.txt",
		   "# comment\n40.0 walk\n20.5 clear\n10 same\n2.0 gone\n");
	write_text(perf, "hmm_read_default_none_4K_c0m0.txt",
		   "30 walk\n25.0 clear\n10.4 same\n5 new\n4 newer\n");
	assert_int_equal(perf_profile_load(dir, "hmm/read/default/none/2M/c0m1",
					   &a, err, sizeof(err)), 0);
	assert_int_equal(a.n, 4);
	assert_int_equal(perf_profile_load(dir, "hmm/read/default/none/4K/c0m0",
					   &b, err, sizeof(err)), 0);
	assert_true(perf_profile_share(&b, "new") == 5);
	assert_true(perf_profile_share(&b, "gone") == 0);
	/* walk -10, new +5, clear +4.5, newer +4, gone -2, same +0.4 */
	assert_int_equal(perf_profile_moves(&a, &b, 1.0, m, 3), 3);
	assert_string_equal(m[0].symbol, "walk");
	assert_string_equal(m[1].symbol, "new");
	assert_true(m[1].a == 0 && m[1].b == 5);
	assert_string_equal(m[2].symbol, "clear");
	assert_int_equal(perf_profile_moves(&a, &b, 4.6, m, 3), 2);
	assert_int_equal(perf_profile_moves(&a, &b, 0.3, m, 0), 0);
	perf_profile_free(&a);
	perf_profile_free(&b);

	assert_int_equal(perf_profile_load(dir, "hmm/read/default/none/1G/c0m0",
					   &a, err, sizeof(err)), 1);
	write_text(perf, "hmm_snap_default_none_2M_c0m0.txt",
		   "10 ok\n12 two words\n");
	assert_int_equal(perf_profile_load(dir, "hmm/snap/default/none/2M/c0m0",
					   &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "hmm_snap_default_none_2M_c0m0.txt: line 2 is not"));
	assert_int_equal(a.n, 0);
}

/* Word wrap keeps to the width and indents continuation lines. */
static void test_text_wrap(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	fputs("head: ", f);
	text_wrap(f, 6, 4, 20, "one two three four five six seven");
	fclose(f);
	assert_string_equal(buf, "head: one two three\n    four five six\n"
				 "    seven\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_samples),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_compare_table),
		cmocka_unit_test(test_compare_wide_deltas),
		cmocka_unit_test(test_gmean_subset_and_ci),
		cmocka_unit_test(test_settings_differ),
		cmocka_unit_test(test_perf_profile),
		cmocka_unit_test(test_text_wrap),
	};

	return cmocka_run_group_tests_name("compare", tests, setup, teardown);
}
