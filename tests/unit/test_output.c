// SPDX-License-Identifier: GPL-2.0
/*
 * The result folder's files (harness/output.c) that make an interrupted
 * run resumable: each finished case kept as its own JSON file (NaN made
 * null), and the final hmmbench.json made from Google Benchmark's context
 * and every case's entries in plan order, cases/ removed; a case without
 * its file, or a file that is not a report, is an error and nothing is
 * rewritten; --resume takes the kept cases back, all but the calibration.
 * TAP: run with CMOCKA_MESSAGE_OUTPUT=TAP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "measure/output.h"
#include "measure/resume.h"
#include "measure/runner.h"
#include "common/result_folder.h"
#include "unit_util.h"

struct fixture {
	char dir[PATH_MAX];
	struct hb_case cases[4];
	struct hb_plan plan;
};

/* A report as Google Benchmark writes it: its own (unordered) entries,
 * and a context value that looks like the key the merge looks for. */
static const char report[] =
	"{\n  \"context\": {\n    \"date\": \"x\",\n"
	"    \"command_line\": \"hmmbench --filter '\\\"benchmarks\\\": [' {\",\n"
	"    \"caches\": [ { \"type\": \"Data\" } ]\n  },\n"
	"  \"benchmarks\": [\n    { \"name\": \"stale\" }\n  ]\n}\n";

static int setup(void **state)
{
	static const char *const names[] = { "hmm/read/prefill/none/4K/c0m0",
					     "hmm/read/default/none/4K/c0m0",
					     "hmm/read/prefill/thp/4K/c0m0",
					     "cal/noop/prefill/present/4K/c0m0" };
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_output.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	for (i = 0; i < 4; i++)
		snprintf(f->cases[i].name, sizeof(f->cases[i].name), "%s",
			 names[i]);
	f->cases[2].skipped = true;	/* never ran: no file, no entry */
	f->cases[3].kind = HB_KIND_CAL;
	f->plan.cases = f->cases;
	f->plan.n = 4;
	f->plan.nskipped = 1;
	write_text(f->dir, "hmmbench.json", report);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void keep(struct fixture *f, size_t i, const char *json)
{
	assert_int_equal(hb_output_case_done(f->dir, f->cases[i].name, json), 0);
}

static void test_case_file_is_an_array_without_nan(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX + 200];
	json_t *a;

	keep(f, 0, "{ \"name\": \"a\", \"cv\": NaN, \"s\": \"NaN stays\" },\n"
		   "{ \"name\": \"b\", \"x\": -Infinity }");
	hb_case_file(f->dir, f->cases[0].name, path, sizeof(path));
	assert_non_null(strstr(path, "/cases/hmm-read-prefill-none-4K-c0m0.json"));
	a = json_load_file(path, 0, NULL);
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 2);
	assert_true(json_is_null(json_object_get(json_array_get(a, 0), "cv")));
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(a, 0), "s")), "NaN stays");
	assert_true(json_is_null(json_object_get(json_array_get(a, 1), "x")));
	json_decref(a);
}

static void test_merge_in_plan_order(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX + 64], err[512] = "";
	json_t *doc, *b;
	struct stat st;

	/* Kept in another order than the plan's, as interleaving does. */
	keep(f, 3, "{ \"name\": \"cal\" }");
	keep(f, 1, "{ \"name\": \"d1\" },\n{ \"name\": \"d2\" }");
	keep(f, 0, "{ \"name\": \"p1\" }");
	assert_int_equal(hb_output_merge(f->dir, &f->plan, err, sizeof(err)), 0);

	snprintf(path, sizeof(path), "%s/hmmbench.json", f->dir);
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	/* The context is the library's, untouched. */
	assert_non_null(strstr(json_string_value(json_object_get(
		json_object_get(doc, "context"), "command_line")), "benchmarks"));
	b = json_object_get(doc, "benchmarks");
	assert_int_equal(json_array_size(b), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "name")), "p1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 1), "name")), "d1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 2), "name")), "d2");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 3), "name")), "cal");
	json_decref(doc);
	snprintf(path, sizeof(path), "%s/%s", f->dir, HB_RESULT_CASES_DIR);
	assert_int_not_equal(stat(path, &st), 0);	/* cases/ is gone */
}

static void test_merge_refuses_a_missing_case(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX + 64], err[512] = "";
	json_t *doc;

	keep(f, 0, "{ \"name\": \"p1\" }");
	keep(f, 3, "{ \"name\": \"cal\" }");
	assert_int_not_equal(hb_output_merge(f->dir, &f->plan, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "hmm/read/default/none/4K/c0m0 has no result"));
	/* Nothing was rewritten: the library's entry is still there. */
	snprintf(path, sizeof(path), "%s/hmmbench.json", f->dir);
	doc = json_load_file(path, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "benchmarks")), 1);
	json_decref(doc);
}

static void test_merge_refuses_a_non_report(void **state)
{
	struct fixture *f = *state;
	char err[512] = "";

	write_text(f->dir, "hmmbench.json", "{ \"context\": { \"benchmarks\": [] } ");
	keep(f, 0, "{}");
	keep(f, 1, "{}");
	keep(f, 3, "{}");
	assert_int_not_equal(hb_output_merge(f->dir, &f->plan, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a Google Benchmark report"));
}

/*
 * --resume takes every kept case with its numbers, but not the no-op
 * calibration: that one is measured again beside the rest.
 */
static void test_resume_takes_kept_cases_but_the_calibration(void **state)
{
	struct fixture *f = *state;
	const struct hb_case_result *res;
	char err[512] = "";
	size_t i;

	keep(f, 0, "{ \"name\": \"p/manual_time_mean\", \"run_type\": \"aggregate\","
		   " \"aggregate_name\": \"mean\", \"real_time\": 1500,"
		   " \"placed_pct\": 100 }");
	keep(f, 3, "{ \"name\": \"cal/manual_time_mean\", \"run_type\": \"aggregate\","
		   " \"aggregate_name\": \"mean\", \"real_time\": 90 }");
	assert_int_equal(hb_resume_load_cases(f->dir, &f->plan, err,
					      sizeof(err)), 1);
	assert_true(f->cases[0].done_before);
	res = f->cases[0].result;
	assert_non_null(res);
	assert_true(res->mean == 1500);
	assert_true(res->placed_pct == 100);
	assert_false(f->cases[1].done_before);	/* not kept */
	assert_false(f->cases[3].done_before);	/* kept, measured again */
	assert_null(f->cases[3].result);
	for (i = 0; i < 4; i++)
		free(f->cases[i].result);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_case_file_is_an_array_without_nan,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_in_plan_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_refuses_a_missing_case,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_refuses_a_non_report,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_takes_kept_cases_but_the_calibration,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
