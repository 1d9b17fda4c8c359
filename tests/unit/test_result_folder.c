// SPDX-License-Identifier: GPL-2.0
/*
 * The result folder's contract (common/result_folder.h): sizes, case names
 * both ways, and the canonical order that the sweep (measure/page_state.c,
 * measure/device.c) and the reader share.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/result_folder.h"
#include "measure/device.h"
#include "measure/page_state.h"

static void test_sizes_parse_and_format(void **unused)
{
	uint64_t v;
	char buf[32];

	(void)unused;
	assert_int_equal(hb_size_parse("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(hb_size_parse("2m", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(hb_size_parse("2MiB", &v), 0);
	assert_int_equal(v, 2 << 20);
	assert_int_equal(hb_size_parse("64G", &v), 0);
	assert_int_equal(v, 64ULL << 30);
	assert_int_equal(hb_size_parse("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(hb_size_parse("8192", &v), 0);
	assert_int_equal(v, 8192);
	assert_int_equal(hb_size_parse("2X", &v), -EINVAL);
	assert_int_equal(hb_size_parse("4X", &v), -EINVAL);
	assert_int_equal(hb_size_parse("K", &v), -EINVAL);
	assert_int_equal(hb_size_parse("K4", &v), -EINVAL);
	assert_int_equal(hb_size_parse("-4K", &v), -EINVAL);
	assert_int_equal(hb_size_parse("4KiBx", &v), -EINVAL);
	assert_int_equal(hb_size_parse("99999999999T", &v), -ERANGE);
	hb_size_format(64ULL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "64G");
	hb_size_format(6 << 10, buf, sizeof(buf));
	assert_string_equal(buf, "6K");
	hb_size_format(1ULL << 40, buf, sizeof(buf));
	assert_string_equal(buf, "1T");
	hb_size_format(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
}

/* hmm/ names with and without NUMA suffix and Google Benchmark's args. */
static void test_parse_names(void **unused)
{
	struct hb_case_id id;

	(void)unused;
	assert_int_equal(hb_case_name_parse(
		"hmm/write/prefill/thp-none/64M/manual_time", &id), 0);
	assert_int_equal(id.kind, HB_KIND_HMM);
	assert_string_equal(id.access, "write");
	assert_string_equal(id.style, "prefill");
	assert_string_equal(id.state, "thp-none");
	assert_true(id.size_bytes == 64ULL << 20);
	assert_int_equal(id.cpu_node, -1);

	assert_int_equal(hb_case_name_parse(
		"hmm/read/default/present/1T/c1m0/iterations:5/repeats:3/manual_time",
		&id), 0);
	assert_true(id.size_bytes == 1ULL << 40);
	assert_int_equal(id.cpu_node, 1);
	assert_int_equal(id.mem_node, 0);

	assert_int_equal(hb_case_name_parse(
		"base/read/populate/none/4K/manual_time", &id), 0);
	assert_int_equal(id.kind, HB_KIND_BASE);
	assert_string_equal(id.style, "populate");

	assert_int_equal(hb_case_name_parse("cal/noop/default/none/4K/c0m0",
					    &id), 0);
	assert_int_equal(id.kind, HB_KIND_CAL);
	assert_string_equal(id.style, "default");

	assert_int_equal(hb_case_name_parse("BM_memcpy/64", &id), -EINVAL);
	assert_int_equal(id.kind, HB_KIND_OTHER);
	assert_int_equal(hb_case_name_parse("hmm/read/default/none/12Q", &id),
			 -EINVAL);
	assert_int_equal(id.kind, HB_KIND_OTHER);
	assert_int_equal(hb_case_name_parse("cal/other/default/none/4K", &id),
			 -EINVAL);
	assert_int_equal(hb_case_name_parse("hmm/read/default/none/4K/c0mX",
					    &id), -EINVAL);
}

/* What the writer formats, the reader parses back to the same parts. */
static void test_names_round_trip(void **unused)
{
	static const enum hb_case_kind kinds[] = {
		HB_KIND_HMM, HB_KIND_BASE, HB_KIND_CAL,
	};
	struct hb_case_id in = {
		.size_bytes = 3ULL << 21, .cpu_node = 1, .mem_node = 0,
	}, out;
	char name[128];

	(void)unused;
	strcpy(in.style, "prefill");
	strcpy(in.state, "thp-none");
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		in.kind = kinds[k];
		strcpy(in.access, in.kind == HB_KIND_CAL ? "noop" : "mixed");
		assert_int_equal(hb_case_name_format(&in, name, sizeof(name)), 0);
		assert_int_equal(hb_case_name_parse(name, &out), 0);
		assert_int_equal(out.kind, in.kind);
		assert_string_equal(out.access, in.access);
		assert_string_equal(out.style, in.style);
		assert_string_equal(out.state, in.state);
		assert_string_equal(out.size, "6M");
		assert_true(out.size_bytes == in.size_bytes);
		assert_int_equal(out.cpu_node, 1);
		assert_int_equal(out.mem_node, 0);
	}
	in.kind = HB_KIND_HMM;
	assert_int_equal(hb_case_name_format(&in, name, 10), -ENAMETOOLONG);
	in.kind = HB_KIND_OTHER;
	assert_int_equal(hb_case_name_format(&in, name, sizeof(name)), -EINVAL);
}

/*
 * The sweep's page states are the canonical list, in its order, each
 * buildable; the sweep's access words are the canonical ones.
 */
static void test_canonical_order_is_the_sweeps(void **unused)
{
	enum hmm_bench_request req;
	enum hmm_bench_access acc;
	const struct hb_state *all;
	size_t n;

	(void)unused;
	all = hb_states(&n);
	assert_int_equal(n, HB_STATE_COUNT);
	assert_null(hb_state_order[HB_STATE_COUNT]);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(hb_state_order[i]);
		assert_string_equal(hb_state_name(&all[i]), hb_state_order[i]);
		assert_ptr_equal(hb_state_find(hb_state_order[i]), &all[i]);
		assert_int_equal(hb_state_rank(hb_state_order[i]), (int)i);
		assert_non_null(all[i].build);
		assert_non_null(all[i].summary);
	}
	assert_null(hb_state_find("no-such-state"));
	assert_true(hb_state_rank("no-such-state") > HB_STATE_COUNT - 1);

	assert_null(hb_access_order[HB_ACCESS_COUNT]);
	for (int i = 0; i < HB_ACCESS_COUNT; i++) {
		assert_int_equal(hb_request_parse(hb_access_order[i], &req,
						  &acc), 0);
		assert_string_equal(hb_request_name(req, acc),
				    hb_access_order[i]);
		assert_int_equal(hb_access_rank(hb_access_order[i]), i);
	}
	assert_int_equal(hb_request_parse("noop", &req, &acc), -EINVAL);
}

/* Tables and plots list cases by access, state, size, then nodes. */
static void test_case_order(void **unused)
{
	static const char *const sorted[] = {
		"hmm/read/default/none/4K/c0m0",
		"hmm/read/default/none/4K/c0m1",
		"hmm/read/default/none/2M/c0m0",
		"hmm/read/default/thp/4K/c0m0",
		"hmm/read/default/sparse/4K/c0m0",
		"hmm/read/default/zzz-unknown/4K/c0m0",
		"hmm/write/default/none/4K/c0m0",
		"hmm/snap/default/none/4K/c0m0",
	};
	struct hb_case_id a, b;

	(void)unused;
	for (size_t i = 0; i + 1 < sizeof(sorted) / sizeof(sorted[0]); i++) {
		assert_int_equal(hb_case_name_parse(sorted[i], &a), 0);
		assert_int_equal(hb_case_name_parse(sorted[i + 1], &b), 0);
		assert_true(hb_case_id_cmp(&a, &b) < 0);
		assert_true(hb_case_id_cmp(&b, &a) > 0);
		assert_int_equal(hb_case_id_cmp(&a, &a), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_parse_and_format),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_canonical_order_is_the_sweeps),
		cmocka_unit_test(test_case_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
