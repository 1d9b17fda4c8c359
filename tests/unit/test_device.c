// SPDX-License-Identifier: GPL-2.0
/*
 * The device client without the module: a module of another ABI is
 * refused with a message that names both ABIs and the fix, and opening
 * something that is not the module says what to do. No kernel needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "measure/device.h"

/* What a module of ABI @abi, version @version, answers to INFO. */
static void answer(struct hmm_bench_info *info, uint32_t abi,
		   uint32_t version)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->abi_version = abi;
	info->module_version = version;
	info->page_shift = 12;
}

static void assert_contains(const char *msg, const char *part)
{
	if (!strstr(msg, part))
		fail_msg("\"%s\" does not say \"%s\"", msg, part);
}

static void test_same_abi_accepted(void **unused)
{
	struct hmm_bench_info info;
	char msg[256] = "untouched";

	(void)unused;
	answer(&info, HMM_BENCH_ABI_VERSION, 0x000100);
	assert_int_equal(hb_device_check_abi(&info, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "untouched");
}

static void test_newer_abi_refused(void **unused)
{
	struct hmm_bench_info info;
	char msg[512] = "", want[64];

	(void)unused;
	answer(&info, HMM_BENCH_ABI_VERSION + 1, 0x000203);
	assert_int_equal(hb_device_check_abi(&info, msg, sizeof(msg)),
			 -EPROTONOSUPPORT);
	/* The problem: which module, which ABI it speaks, which we speak. */
	assert_contains(msg, "hmm_bench 0.2.3");
	snprintf(want, sizeof(want), "speaks ABI %u but",
		 HMM_BENCH_ABI_VERSION + 1);
	assert_contains(msg, want);
	snprintf(want, sizeof(want), "this hmmbench speaks ABI %u",
		 HMM_BENCH_ABI_VERSION);
	assert_contains(msg, want);
	/* The fix: unload it, load the one from this tree. */
	assert_contains(msg, "rmmod hmm_bench");
	assert_contains(msg, "make -C kmod");
}

static void test_older_and_odd_abis_refused(void **unused)
{
	static const uint32_t abis[] = { 0, HMM_BENCH_ABI_VERSION - 1,
					 UINT32_MAX };
	struct hmm_bench_info info;
	char msg[512], want[64];
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(abis) / sizeof(abis[0]); i++) {
		if (abis[i] == HMM_BENCH_ABI_VERSION)
			continue;
		msg[0] = 0;
		answer(&info, abis[i], 0);
		assert_int_equal(hb_device_check_abi(&info, msg, sizeof(msg)),
				 -EPROTONOSUPPORT);
		snprintf(want, sizeof(want), "speaks ABI %u but", abis[i]);
		assert_contains(msg, want);
		assert_contains(msg, "rmmod hmm_bench");
	}
}

/* A short buffer gets a terminated prefix, and nothing past its end. */
static void test_short_message_buffer(void **unused)
{
	struct hmm_bench_info info;
	char msg[24];

	(void)unused;
	memset(msg, 'x', sizeof(msg));
	answer(&info, HMM_BENCH_ABI_VERSION + 1, 0);
	assert_int_equal(hb_device_check_abi(&info, msg, 16), -EPROTONOSUPPORT);
	assert_int_equal(strlen(msg), 15);
	assert_int_equal(msg[16], 'x');
}

static void test_open_missing_device(void **unused)
{
	struct hb_device dev;
	char msg[512] = "";

	(void)unused;
	assert_int_equal(hb_device_open(&dev, "/nonexistent/hmm_bench", msg,
					sizeof(msg)), -ENOENT);
	assert_int_equal(dev.fd, -1);
	assert_contains(msg, "/nonexistent/hmm_bench");
	assert_contains(msg, "not loaded");
	assert_contains(msg, "insmod kmod/hmm_bench.ko");
}

/* A device that is not hmm_bench does not answer INFO. */
static void test_open_other_device(void **unused)
{
	struct hb_device dev;
	char msg[512] = "";

	(void)unused;
	assert_int_equal(hb_device_open(&dev, "/dev/null", msg, sizeof(msg)),
			 -ENOTTY);
	assert_int_equal(dev.fd, -1);
	assert_contains(msg, "/dev/null does not answer HMM_BENCH_IOC_INFO");
	assert_contains(msg, "load kmod/hmm_bench.ko");
}

static void test_module_version_str(void **unused)
{
	char buf[16];

	(void)unused;
	hb_module_version_str(0x010203, buf, sizeof(buf));
	assert_string_equal(buf, "1.2.3");
	hb_module_version_str(0xff00ff, buf, sizeof(buf));
	assert_string_equal(buf, "255.0.255");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_abi_accepted),
		cmocka_unit_test(test_newer_abi_refused),
		cmocka_unit_test(test_older_and_odd_abis_refused),
		cmocka_unit_test(test_short_message_buffer),
		cmocka_unit_test(test_open_missing_device),
		cmocka_unit_test(test_open_other_device),
		cmocka_unit_test(test_module_version_str),
	};

	return cmocka_run_group_tests_name("device", tests, NULL, NULL);
}
