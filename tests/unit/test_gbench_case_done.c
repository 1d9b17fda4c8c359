// SPDX-License-Identifier: GPL-2.0
/*
 * The shim's case_done hook (harness/gbench_shim.h), which hmmbench uses
 * to keep each finished case on disk so an interrupted run can resume:
 * every case is handed over exactly once, after all its results, and the
 * entries handed over are those the --benchmark_out file got, for cases
 * with aggregates, without (one repetition) and with failed repetitions,
 * under random interleaving. One gbs_init() per process: one scenario.
 * TAP: run with CMOCKA_MESSAGE_OUTPUT=TAP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gbench/gbench_shim.h"

enum { CASE_OK, CASE_ONE, CASE_ALL_FAIL, CASE_ONE_FAIL, NCASES };

struct one_case {
	const char *name;
	int repetitions;
	int calls;		/* callback calls so far */
	int done_calls;		/* case_done calls */
	json_t *done;		/* the entries case_done handed over */
	size_t want_entries;	/* repetitions + aggregates */
};

static struct one_case cases[NCASES] = {
	[CASE_OK] = { "t/ok", 3, .want_entries = 3 + 7 },
	[CASE_ONE] = { "t/one", 1, .want_entries = 1 },
	/* No two good repetitions: the library computes no aggregates. */
	[CASE_ALL_FAIL] = { "t/all_fail", 3, .want_entries = 3 },
	[CASE_ONE_FAIL] = { "t/one_fail", 3, .want_entries = 3 + 7 },
};

static int console_hooks;

static void run_one(gbs_state *st, void *user)
{
	struct one_case *c = user;
	int call = c->calls++;

	if (c == &cases[CASE_ALL_FAIL] ||
	    (c == &cases[CASE_ONE_FAIL] && call == 1)) {
		gbs_skip_with_error(st, "failed on purpose");
		while (gbs_keep_running(st))
			;
		return;
	}
	while (gbs_keep_running(st))
		gbs_set_iteration_time(st, 1e-6 * (call + 1));
}

static void on_done(const char *name, void *case_user, const char *json,
		    void *user)
{
	struct one_case *c = case_user;
	char *text;

	assert_ptr_equal(user, cases);
	assert_non_null(c);
	assert_string_equal(name, c->name);
	c->done_calls++;
	/* The library writes NaN bare; this test's cases have none. */
	assert_true(asprintf(&text, "[%s]", json) > 0);
	json_decref(c->done);
	c->done = json_loads(text, 0, NULL);
	free(text);
}

static void on_console(void *user)
{
	assert_ptr_equal(user, &console_hooks);
	console_hooks++;
}

static void test_every_case_handed_over_once(void **state)
{
	char dir[] = "/tmp/gbs_case_done.XXXXXX", out[96], path[64];
	const char *argv[] = { "test", out, "--benchmark_out_format=json",
			       "--benchmark_enable_random_interleaving=true" };
	struct gbs_case_opts opts = { .iterations = 2,
				      .stats = GBS_STAT_ALL };
	struct gbs_run_opts ropts = { .console = GBS_CONSOLE_NONE,
				      .case_done = on_done,
				      .case_done_user = cases,
				      .before_console = on_console,
				      .before_console_user = &console_hooks };
	json_t *file, *entry;
	size_t i, k, in_file;
	int c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	snprintf(out, sizeof(out), "--benchmark_out=%s", path);
	assert_int_equal(gbs_init(4, argv), 0);
	for (c = 0; c < NCASES; c++) {
		opts.repetitions = cases[c].repetitions;
		assert_int_equal(gbs_register(cases[c].name, run_one,
					      &cases[c], &opts), 0);
	}
	/* Two cases reported errors. */
	assert_int_equal(gbs_run(&ropts), 2);
	gbs_shutdown();

	file = json_load_file(path, 0, NULL);
	assert_non_null(file);
	for (c = 0; c < NCASES; c++) {
		assert_int_equal(cases[c].done_calls, 1);
		assert_true(json_is_array(cases[c].done));
		assert_int_equal(json_array_size(cases[c].done),
				 cases[c].want_entries);
		/* The same entries as the file has for the case, in order. */
		k = 0;
		in_file = 0;
		json_array_foreach(json_object_get(file, "benchmarks"), i, entry) {
			const char *name = json_string_value(
				json_object_get(entry, "run_name"));
			size_t len = strlen(cases[c].name);

			/* "t/ok/manual_time": the case's own entries. */
			if (!name || strncmp(name, cases[c].name, len) ||
			    (name[len] && name[len] != '/'))
				continue;
			in_file++;
			assert_true(json_equal(entry,
					       json_array_get(cases[c].done, k++)));
		}
		assert_int_equal(in_file, cases[c].want_entries);
		json_decref(cases[c].done);
	}
	/* Called before each console report, even with no console. */
	assert_true(console_hooks >= NCASES);
	json_decref(file);
	unlink(path);
	rmdir(dir);
}

/*
 * case_done needs the JSON file: refused, not silently never called. In a
 * child, since the library can be set up once per process.
 */
static void test_needs_json_out(void **state)
{
	const char *argv[] = { "test" };
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct gbs_run_opts ropts = { .console = GBS_CONSOLE_NONE,
					      .case_done = on_done };
		int ok;

		ok = !gbs_init(1, argv) &&
		     !gbs_register("t/x", run_one, &cases[CASE_ONE], NULL) &&
		     gbs_run(&ropts) == -EINVAL &&
		     strstr(gbs_last_error(), "case_done");
		gbs_shutdown();
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_json_out),
		cmocka_unit_test(test_every_case_handed_over_once),
	};

	return cmocka_run_group_tests_name("gbench_case_done", tests, NULL,
					   NULL);
}
