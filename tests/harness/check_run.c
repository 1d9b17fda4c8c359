// SPDX-License-Identifier: GPL-2.0
/*
 * Checks a result folder written by hmmbench in a guest: it is complete,
 * its JSON parses and carries the context, every case passed its
 * verification, remote cases really placed their pages on the other node,
 * skipped cases say why, and the system record is there.
 * Usage: check_run RUN_DIR... (TAP with CMOCKA_MESSAGE_OUTPUT=TAP)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

static int nruns;
static char **runs;

static json_t *load_json(const char *dir)
{
	char path[1024];
	json_error_t error;
	json_t *root;

	snprintf(path, sizeof(path), "%s/hmmbench.json", dir);
	root = json_load_file(path, 0, &error);
	if (!root)
		fail_msg("%s: line %d: %s", path, error.line, error.text);
	return root;
}

static int exists(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !stat(path, &st);
}

static void test_complete_with_system_record(void **unused)
{
	static const char *const files[] = {
		"COMPLETE", "summary.txt", "skipped.tsv", "hist",
		"system/uname", "system/cmdline", "system/thp/enabled",
		"system/numactl-H.txt", "system/topology.xml",
		"system/meminfo.before", "system/meminfo.after",
		"system/vmstat.before", "system/vmstat.after",
	};
	int r;
	size_t i;

	(void)unused;
	for (r = 0; r < nruns; r++)
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			if (!exists(runs[r], files[i]))
				fail_msg("%s: no %s", runs[r], files[i]);
}

static void test_context_names_the_run(void **unused)
{
	static const char *const keys[] = {
		"hmmbench_schema", "kernel_release", "kernel_version",
		"command_line", "thp_enabled", "module_version", "module_abi",
		"numa_nodes", "cpufreq_governor", "suite_revision",
		"libbenchmark_version", "vm", "profile", "aslr",
	};
	json_t *root, *ctx;
	const char *vm;
	size_t i;
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		ctx = json_object_get(root, "context");
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!json_is_string(json_object_get(ctx, keys[i])))
				fail_msg("%s: context has no %s", runs[r],
					 keys[i]);
		/* A guest run says so: nobody takes it for bare metal. */
		vm = json_string_value(json_object_get(ctx, "vm"));
		assert_true(!strcmp(vm, "kvm") || !strcmp(vm, "tcg"));
		assert_string_equal(
			json_string_value(json_object_get(ctx, "aslr")), "off");
		json_decref(root);
	}
}

/* Every case ran, passed its verification and produced numbers. */
static void test_every_case_verified(void **unused)
{
	json_t *root, *benchmarks, *b;
	size_t i, iterations = 0;
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		benchmarks = json_object_get(root, "benchmarks");
		assert_true(json_array_size(benchmarks) > 0);
		json_array_foreach(benchmarks, i, b) {
			const char *name = json_string_value(
				json_object_get(b, "name"));

			if (json_is_true(json_object_get(b, "error_occurred")))
				fail_msg("%s: %s: %s", runs[r], name,
					 json_string_value(json_object_get(
						 b, "error_message")));
			if (strcmp(json_string_value(json_object_get(
					   b, "run_type")), "iteration"))
				continue;
			iterations++;
			assert_true(json_real_value(json_object_get(
					    b, "real_time")) > 0);
		}
		assert_true(iterations > 0);
		json_decref(root);
	}
}

/* cXmY with X != Y: the pages are on node Y, as move_pages() saw them. */
static void test_remote_pages_on_the_other_node(void **unused)
{
	json_t *root, *b;
	size_t i, remote = 0;
	int r, cpu, mem;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
			const char *name = json_string_value(
				json_object_get(b, "name"));
			const char *tail = strrchr(name, 'c');
			json_t *pct = json_object_get(b, "local_pct");

			if (!tail || sscanf(tail, "c%dm%d", &cpu, &mem) != 2 ||
			    !json_is_number(pct) || strcmp(json_string_value(
				json_object_get(b, "run_type")), "iteration"))
				continue;
			if (json_number_value(pct) < 90)
				fail_msg("%s: %s: only %.0f%% of pages on node %d",
					 runs[r], name, json_number_value(pct),
					 mem);
			remote += cpu != mem;
		}
		json_decref(root);
	}
	/* The guests have two nodes: remote cases must have run. */
	assert_true(remote > 0);
}

static void test_skipped_cases_have_reasons(void **unused)
{
	char path[1024], line[1024], *tab;
	FILE *f;
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		snprintf(path, sizeof(path), "%s/skipped.tsv", runs[r]);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			tab = strchr(line, '\t');
			if (!tab || strlen(tab + 1) < 10)
				fail_msg("%s: no reason in: %s", path, line);
		}
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_with_system_record),
		cmocka_unit_test(test_context_names_the_run),
		cmocka_unit_test(test_every_case_verified),
		cmocka_unit_test(test_remote_pages_on_the_other_node),
		cmocka_unit_test(test_skipped_cases_have_reasons),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: check_run RUN_DIR...\n");
		return 2;
	}
	nruns = argc - 1;
	runs = argv + 1;
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
