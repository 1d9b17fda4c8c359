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
	char key[32];

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
			const char *name = json_string_value(
				json_object_get(b, "name"));
			const char *tail = strrchr(name, 'c');
			json_t *pct = json_object_get(b, "placed_pct");

			if (!tail || sscanf(tail, "c%dm%d", &cpu, &mem) != 2 ||
			    !json_is_number(pct) || strcmp(json_string_value(
				json_object_get(b, "run_type")), "iteration"))
				continue;
			if (json_number_value(pct) < 90)
				fail_msg("%s: %s: only %.0f%% of pages on node %d",
					 runs[r], name, json_number_value(pct),
					 mem);
			/* Where the pages are, counted by node, agrees. */
			snprintf(key, sizeof(key), "node%d_pct", mem);
			if (json_number_value(json_object_get(b, key)) < 90)
				fail_msg("%s: %s: %s is %.0f", runs[r], name,
					 key, json_number_value(json_object_get(b, key)));
			remote += cpu != mem;
		}
		json_decref(root);
	}
	/* The guests have two nodes: remote cases must have run. */
	assert_true(remote > 0);
}

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* The kernel config is recorded, as /proc/config.gz or /boot/config-*. */
static void test_kernel_config_recorded(void **unused)
{
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++)
		if (!exists(runs[r], "system/config") &&
		    !exists(runs[r], "system/config.gz"))
			fail_msg("%s: no system/config or system/config.gz",
				 runs[r]);
}

/*
 * Each repetition of a module case carries the counters a reader needs,
 * and its page state was checked from userspace before it was timed.
 */
static void test_repetitions_carry_counters(void **unused)
{
	static const char *const counters[] = {
		"ns_per_page", "pages_per_s", "GiB_per_s", "fill_ns",
		"fault_ns", "calls", "retries", "pmd_pages", "state_pct",
		"subset_pages", "write_pages", "own_restarts",
	};
	json_t *root, *b, *v;
	size_t i, k, seen = 0;
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
			const char *name = str(b, "name");

			if (strncmp(name, "hmm/", 4) ||
			    strcmp(str(b, "run_type"), "iteration") ||
			    json_is_true(json_object_get(b, "error_occurred")))
				continue;	/* errors: test_every_case_verified */
			seen++;
			for (k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
				if (!json_is_number(json_object_get(b, counters[k])))
					fail_msg("%s: %s: no counter %s", runs[r],
						 name, counters[k]);
			v = json_object_get(b, "state_pct");
			if (json_number_value(v) < (strstr(name, "/swapped/") ? 90 : 100))
				fail_msg("%s: %s: state_pct %.1f", runs[r], name,
					 json_number_value(v));
		}
		json_decref(root);
	}
	assert_true(seen > 0);
}

/* Every case has Google Benchmark's aggregates and the shim's own. */
static void test_cases_have_aggregates(void **unused)
{
	static const char *const aggregates[] = {
		"mean", "median", "stddev", "cv", "min", "max", "p99",
	};
	json_t *root, *b;
	size_t i, k, cases = 0;
	unsigned int found;
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		found = 0;
		json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
			if (strcmp(str(b, "run_type"), "aggregate"))
				continue;
			for (k = 0; k < sizeof(aggregates) / sizeof(aggregates[0]); k++)
				if (!strcmp(str(b, "aggregate_name"), aggregates[k]))
					found |= 1u << k;
			if (!strcmp(str(b, "aggregate_name"), "mean"))
				cases++;
		}
		if (found != (1u << (sizeof(aggregates) / sizeof(aggregates[0]))) - 1)
			fail_msg("%s: aggregates missing (found mask 0x%x)",
				 runs[r], found);
		json_decref(root);
	}
	assert_true(cases > 0);
}

/* Every page state of DESIGN.md ran in one of the runs (the guests have
 * swap, huge pages and THP): none was skipped unnoticed. */
static void test_every_state_ran(void **unused)
{
	static const char *const states[] = {
		"none", "zero", "present", "cow", "thp", "thp-none", "nothp",
		"file", "file-mapped", "swapped", "hugetlb", "sparse",
	};
	char needle[32];
	json_t *root, *b;
	size_t i, k;
	unsigned int ran = 0;
	int r;

	(void)unused;
	for (r = 0; r < nruns; r++) {
		root = load_json(runs[r]);
		json_array_foreach(json_object_get(root, "benchmarks"), i, b) {
			if (strcmp(str(b, "run_type"), "iteration") ||
			    json_is_true(json_object_get(b, "error_occurred")))
				continue;
			for (k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
				snprintf(needle, sizeof(needle), "/%s/", states[k]);
				if (strstr(str(b, "name"), needle))
					ran |= 1u << k;
			}
		}
		json_decref(root);
	}
	for (k = 0; k < sizeof(states) / sizeof(states[0]); k++)
		if (!(ran & (1u << k)))
			fail_msg("state %s never ran", states[k]);
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
		cmocka_unit_test(test_kernel_config_recorded),
		cmocka_unit_test(test_repetitions_carry_counters),
		cmocka_unit_test(test_cases_have_aggregates),
		cmocka_unit_test(test_every_state_ran),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: check_run RUN_DIR...\n");
		return 2;
	}
	nruns = argc - 1;
	runs = argv + 1;
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
