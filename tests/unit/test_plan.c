// SPDX-License-Identifier: GPL-2.0
/*
 * The sweep as data: profile files and the expansion into named cases
 * with skip reasons (the command line is test_options.c's). No device,
 * no kernel.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/plan.h"
#include "measure/profile.h"

static char err[1024];

/* A machine with plenty of everything, and the module's default limits. */
static void roomy_machine(struct hb_machine *m)
{
	memset(m, 0, sizeof(*m));
	m->info.max_range_bytes = 1ULL << 40;
	m->info.max_whole_pages = 1ULL << 20;
	m->info.max_window_pages = 65536;
	m->mem_available = 64ULL << 30;
	m->node_free[0] = m->node_free[1] = 32ULL << 30;
	m->has_populate = true;
}

static int write_profile(const char *text, char *path, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/hmmbench-test-XXXXXX.conf");
	fd = mkstemps(path, 5);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return 0;
}

static const struct hb_case *find(const struct hb_plan *plan, const char *name)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (!strcmp(plan->cases[i].name, name))
			return &plan->cases[i];
	return NULL;
}

/* The shipped profiles load and say what they are. */
static void test_shipped_profiles_load(void **unused)
{
	static const char *const names[] = { "quick", "standard", "full" };
	struct hb_profile p;
	size_t i;

	(void)unused;
	for (i = 0; i < 3; i++) {
		if (hb_profile_load(&p, names[i], "bench/profiles", err,
				    sizeof(err)))
			fail_msg("%s: %s", names[i], err);
		assert_string_equal(p.name, names[i]);
		/* Enough for the U test: 9 for claims, 5 (p < 0.01 at
		 * best) for quick, the pipeline in minutes under TCG. */
		assert_true(p.repetitions >= (i == 0 ? 5 : 9));
		assert_int_equal(p.nstyles, 2);
		assert_int_equal(p.nasks, 4);
		assert_true(p.description[0]);
	}
	assert_int_equal(hb_profile_load(&p, "full", "bench/profiles", err,
					 sizeof(err)), 0);
	assert_int_equal(p.nextras, 2);
	assert_true(p.extras[0].size == 1ULL << 40);
}

/* A bad profile line names its file, its line and the fix. */
static void test_profile_errors_name_the_line(void **unused)
{
	char path[64];
	struct hb_profile p;

	(void)unused;
	assert_int_equal(write_profile("sizes = 4K\nstates = none bogus\n",
				       path, sizeof(path)), 0);
	assert_int_equal(hb_profile_load(&p, path, ".", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ":2: unknown page state 'bogus'"));
	assert_non_null(strstr(err, "known: none, zero"));
	unlink(path);

	assert_int_equal(write_profile("sizes 4K\n", path, sizeof(path)), 0);
	assert_int_equal(hb_profile_load(&p, path, ".", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, ":1: expected 'key = value'"));
	unlink(path);

	assert_int_equal(write_profile("sizes = 4K\nstates = none\n", path,
				       sizeof(path)), 0);
	assert_int_equal(hb_profile_load(&p, path, ".", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no 'access' line"));
	unlink(path);

	assert_int_equal(hb_profile_load(&p, "nosuch", "bench/profiles", err,
					 sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "quick, standard, full"));
}

static void small_profile(struct hb_profile *p)
{
	char path[64];

	assert_int_equal(write_profile(
		"sizes = 4K 2M\nstates = none thp\naccess = read snap\n"
		"styles = prefill default\nbaselines = populate touch\n"
		"repetitions = 9\nbytes_per_repetition = 8M\n"
		"max_iterations = 16\nwindow = 0\n", path, sizeof(path)), 0);
	assert_int_equal(hb_profile_load(p, path, ".", err, sizeof(err)), 0);
	unlink(path);
}

/* Cross product, stable names, baselines only for read/write. */
static void test_expansion_names_and_counts(void **unused)
{
	struct hb_node_pair pairs[] = { { .cpu = 0, .mem = 0 }, { .cpu = 0, .mem = 1 } };
	struct hb_machine m;
	struct hb_profile p;
	struct hb_plan plan;
	const struct hb_case *c;

	(void)unused;
	small_profile(&p);
	roomy_machine(&m);
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 2, &m, NULL, err,
				       sizeof(err)), 0);
	/* 2 calibration + 2 pairs x (read: 2x2x(2+2) + snap: 2x2x2) */
	assert_int_equal(plan.n, 2 + 2 * (16 + 8));
	c = find(&plan, "hmm/read/prefill/none/4K/c0m0");
	assert_non_null(c);
	assert_int_equal(c->iterations, 16);
	assert_int_equal(c->repetitions, 9);
	c = find(&plan, "hmm/snap/default/thp/2M/c0m1");
	assert_non_null(c);
	assert_int_equal(c->iterations, 4);
	assert_non_null(find(&plan, "base/read/populate/none/2M/c0m1"));
	assert_null(find(&plan, "base/snap/touch/none/2M/c0m0"));
	assert_non_null(find(&plan, "cal/noop/prefill/present/4K/c0m0"));
	/* A THP state cannot be built in 4 KiB, and says why. */
	c = find(&plan, "hmm/read/default/thp/4K/c0m0");
	assert_non_null(c);
	assert_true(c->skipped);
	assert_non_null(strstr(c->skip_reason, "THP needs 2 MiB"));
	hb_plan_free(&plan);
}

/* The machine decides what is skipped, always with a reason. */
static void test_machine_limits_skip_with_reasons(void **unused)
{
	struct hb_node_pair pairs[] = { { .cpu = 0, .mem = 0 }, { .cpu = 0, .mem = 1 } };
	struct hb_machine m;
	struct hb_profile p;
	struct hb_plan plan;
	const struct hb_case *c;
	size_t i;

	(void)unused;
	small_profile(&p);
	roomy_machine(&m);
	m.has_populate = false;
	m.info.max_whole_pages = 256;		/* 1 MiB in one call */
	m.node_free[1] = 1 << 20;		/* node 1 nearly full */
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 2, &m, NULL, err,
				       sizeof(err)), 0);
	c = find(&plan, "base/read/populate/none/4K/c0m0");
	assert_true(c->skipped);
	assert_non_null(strstr(c->skip_reason, "5.14"));
	c = find(&plan, "hmm/read/prefill/none/2M/c0m0");
	assert_true(c->skipped);
	assert_non_null(strstr(c->skip_reason, "max_whole_pages"));
	c = find(&plan, "hmm/snap/prefill/thp/2M/c0m1");
	assert_true(c->skipped);
	for (i = 0; i < plan.n; i++)
		if (plan.cases[i].skipped)
			assert_true(plan.cases[i].skip_reason[0]);
	hb_plan_free(&plan);
}

/* --filter narrows the cases but never the calibration. */
static void test_filter_keeps_calibration(void **unused)
{
	struct hb_node_pair pairs[] = { { .cpu = 0, .mem = 0 } };
	struct hb_machine m;
	struct hb_profile p;
	struct hb_plan plan;

	(void)unused;
	small_profile(&p);
	roomy_machine(&m);
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 1, &m,
				       "^hmm/snap/.*/none/", err,
				       sizeof(err)), 0);
	assert_int_equal(plan.n, 2 + 4);
	assert_non_null(find(&plan, "cal/noop/default/present/4K/c0m0"));
	hb_plan_free(&plan);
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 1, &m, "(", err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--filter"));
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 1, &m, "^nothing$",
				       err, sizeof(err)), -ENOENT);
}

/*
 * Stand-ins for the states whose availability page_state.c reads from the
 * running system (/proc/meminfo for swap and hugetlb, sysfs for THP): the
 * plan only calls hb_state.available(), so fakes with the real names make
 * the skip paths the same on every host. What the real callbacks decide
 * from /proc and sysfs is not covered here.
 */
static uint64_t fake_sizes_seen[64];
static size_t fake_nseen;

static int fake_no_swap(size_t len, int mem_node, char *why, size_t whylen)
{
	(void)mem_node;
	if (fake_nseen < 64)
		fake_sizes_seen[fake_nseen++] = len;
	snprintf(why, whylen, "no swap is configured (fake)");
	return -ENOTSUP;
}

/* Huge pages per node, as hugetlb_available() judges them: node 0 has 4
 * (8 MiB), node 1 one (2 MiB). */
static int fake_few_hugepages(size_t len, int mem_node, char *why, size_t whylen)
{
	if (len <= (mem_node == 1 ? 2UL << 20 : 8UL << 20))
		return 0;
	snprintf(why, whylen, "not enough huge pages on node %d (fake, %zu needed)",
		 mem_node, len >> 21);
	return -ENOSPC;
}

static int fake_thp(size_t len, int mem_node, char *why, size_t whylen)
{
	(void)mem_node;
	if (len >= 2UL << 20)
		return 0;
	snprintf(why, whylen, "a THP needs 2 MiB (fake)");
	return -EINVAL;
}

static const struct hb_state fake_swapped = {
	.id = HB_STATE_SWAPPED, .summary = "fake", .available = fake_no_swap,
	.fault_changes = true,
};
static const struct hb_state fake_hugetlb = {
	.id = HB_STATE_HUGETLB, .summary = "fake", .available = fake_few_hugepages,
};
static const struct hb_state fake_thp_state = {
	.id = HB_STATE_THP, .summary = "fake", .available = fake_thp,
};

static void fake_state_profile(struct hb_profile *p)
{
	char path[64];

	assert_int_equal(write_profile(
		"sizes = 4K 2M 8M\nstates = present\naccess = read snap\n"
		"styles = prefill default\nbaselines = populate\n"
		"repetitions = 9\nbytes_per_repetition = 8M\n"
		"max_iterations = 16\nwindow = 64\n", path, sizeof(path)), 0);
	assert_int_equal(hb_profile_load(p, path, ".", err, sizeof(err)), 0);
	unlink(path);
	p->states[0] = &fake_swapped;
	p->states[1] = &fake_hugetlb;
	p->states[2] = &fake_thp_state;
	p->states[3] = hb_state_find("present");
	p->nstates = 4;
}

/* A state this machine cannot build skips its cases with its own reason. */
static void test_state_unavailable_skips_with_its_reason(void **unused)
{
	struct hb_node_pair pairs[] = { { .cpu = 0, .mem = 0 }, { .cpu = 0, .mem = 1 } };
	static const char *const sizes[] = { "4K", "2M", "8M" };
	struct hb_machine m;
	struct hb_profile p;
	struct hb_plan plan;
	const struct hb_case *c;
	char name[128];
	size_t i, s, skipped = 0;

	(void)unused;
	fake_state_profile(&p);
	roomy_machine(&m);
	fake_nseen = 0;
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 2, &m, NULL, err,
				       sizeof(err)), 0);
	/* 2 calibration + 2 pairs x 4 states x 3 sizes x (read 3 + snap 2) */
	assert_int_equal(plan.n, 2 + 2 * 4 * 3 * 5);
	for (i = 0; i < plan.n; i++) {
		c = &plan.cases[i];
		skipped += c->skipped;
		if (c->state == &fake_swapped) {
			assert_true(c->skipped);
			assert_string_equal(c->skip_reason,
					    "no swap is configured (fake)");
		} else if (c->state == &fake_hugetlb) {
			/* judged on the case's memory node */
			assert_int_equal(c->skipped,
					 c->size > (c->nodes.mem == 1 ? 2UL << 20 : 8UL << 20));
		} else if (c->state == &fake_thp_state) {
			assert_int_equal(c->skipped, c->size < 2UL << 20);
		} else {
			assert_false(c->skipped);	/* present, calibration */
		}
	}
	assert_int_equal(plan.nskipped, skipped);
	/* swapped: 30; hugetlb 8M on node 1: 5; thp 4K: 10 */
	assert_int_equal(skipped, 30 + 5 + 10);
	/* Asked once per case, with the case's size. */
	assert_int_equal(fake_nseen, 2 * 3 * 5);
	for (i = 0; i < fake_nseen; i++)
		assert_true(fake_sizes_seen[i] == 4096 ||
			    fake_sizes_seen[i] == 2UL << 20 ||
			    fake_sizes_seen[i] == 8UL << 20);
	for (s = 0; s < 3; s++) {
		snprintf(name, sizeof(name), "hmm/read/default/swapped/%s/c0m1",
			 sizes[s]);
		c = find(&plan, name);
		assert_non_null(c);
		assert_true(c->skipped);
	}
	c = find(&plan, "base/read/populate/hugetlb/8M/c0m1");
	assert_non_null(c);
	assert_string_equal(c->skip_reason,
			    "not enough huge pages on node 1 (fake, 4 needed)");
	assert_false(find(&plan, "base/read/populate/hugetlb/8M/c0m0")->skipped);
	c = find(&plan, "hmm/snap/prefill/thp/4K/c0m1");
	assert_non_null(c);
	assert_string_equal(c->skip_reason, "a THP needs 2 MiB (fake)");
	assert_false(find(&plan, "hmm/snap/prefill/thp/2M/c0m1")->skipped);
	hb_plan_free(&plan);
}

/* The state's reason comes first, whatever else the machine lacks. */
static void test_state_reason_before_machine_reasons(void **unused)
{
	/* Memory on node 1, whose fake pool has one huge page. */
	struct hb_node_pair pairs[] = { { .cpu = 0, .mem = 1 } };
	struct hb_machine m;
	struct hb_profile p;
	struct hb_plan plan;
	const struct hb_case *c;

	(void)unused;
	fake_state_profile(&p);
	roomy_machine(&m);
	m.has_populate = false;
	m.mem_available = 1 << 20;		/* 1 MiB: nothing fits */
	m.info.max_range_bytes = 4096;
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 1, &m, NULL, err,
				       sizeof(err)), 0);
	c = find(&plan, "base/read/populate/swapped/8M/c0m1");
	assert_string_equal(c->skip_reason, "no swap is configured (fake)");
	c = find(&plan, "hmm/read/prefill/hugetlb/8M/c0m1");
	assert_non_null(strstr(c->skip_reason, "huge pages"));
	/* Where the state is fine, the machine's reason. */
	c = find(&plan, "base/read/populate/hugetlb/2M/c0m1");
	assert_non_null(strstr(c->skip_reason, "5.14"));
	c = find(&plan, "hmm/read/prefill/thp/2M/c0m1");
	assert_non_null(strstr(c->skip_reason, "max_range_gib"));
	c = find(&plan, "hmm/read/prefill/present/4K/c0m1");
	assert_false(c->skipped);
	hb_plan_free(&plan);
}

/* Every case skipped by its state: nothing to run, and hmmbench says so. */
static void test_all_states_unavailable(void **unused)
{
	struct hb_node_pair pairs[] = { { .cpu = 0, .mem = 0 }, { .cpu = 0, .mem = 1 } };
	struct hb_machine m;
	struct hb_profile p;
	struct hb_plan plan;

	(void)unused;
	fake_state_profile(&p);
	p.nstates = 1;				/* swapped only */
	roomy_machine(&m);
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 2, &m, NULL, err,
				       sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no case left to run"));
	assert_null(plan.cases);
	/* One state that can run is enough; the skipped ones are counted. */
	p.nstates = 4;
	assert_int_equal(hb_plan_build(&plan, &p, pairs, 2, &m,
				       "/(swapped|present)/", err,
				       sizeof(err)), 0);
	assert_int_equal(plan.n, 2 + 2 * 2 * 3 * 5);
	assert_int_equal(plan.nskipped, 2 * 3 * 5);
	hb_plan_free(&plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_profiles_load),
		cmocka_unit_test(test_profile_errors_name_the_line),
		cmocka_unit_test(test_expansion_names_and_counts),
		cmocka_unit_test(test_machine_limits_skip_with_reasons),
		cmocka_unit_test(test_filter_keeps_calibration),
		cmocka_unit_test(test_state_unavailable_skips_with_its_reason),
		cmocka_unit_test(test_state_reason_before_machine_reasons),
		cmocka_unit_test(test_all_states_unavailable),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
