// SPDX-License-Identifier: GPL-2.0
/*
 * The hmmbench command line (harness/options.c): every option, and every
 * way to get one wrong. Options that narrow the sweep become profile keys
 * and are checked when hmmbench applies them to the profile
 * (hb_profile_set(), as harness/hmmbench.c does), so their bad values are
 * tested through that path. Every error must name what is wrong.
 * No device, no kernel; run from the top of the tree (bench/profiles).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "measure/options.h"
#include "measure/profile.h"

#define MAX_ARGS 64

static char err[1024];

/* argv as getopt wants it: writable, NULL-terminated. */
struct args {
	int argc;
	char *argv[MAX_ARGS + 1];
};

static void args_init(struct args *a, const char *const *words)
{
	memset(a, 0, sizeof(*a));
	a->argv[a->argc++] = "hmmbench";
	for (; *words; words++) {
		assert_true(a->argc < MAX_ARGS);
		a->argv[a->argc++] = (char *)*words;
	}
}

/* Parse "hmmbench WORDS..." (NULL-terminated); return what the parser did. */
static int parse_words(struct hb_options *o, const char *const *words)
{
	struct args a;

	args_init(&a, words);
	err[0] = 0;
	return hb_options_parse(o, a.argc, a.argv, err, sizeof(err));
}

#define PARSE(o, ...) parse_words((o), (const char *const[]){ __VA_ARGS__, NULL })

/* The parse fails with -EINVAL and a message containing every @needle. */
static void refused(const char *const *words, const char *const *needles)
{
	struct hb_options o;
	char line[512] = "";
	size_t n = 0;

	for (const char *const *w = words; *w && n < sizeof(line); w++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " '%s'", *w);
	if (parse_words(&o, words) != -EINVAL)
		fail_msg("hmmbench%s was accepted", line);
	for (; *needles; needles++)
		if (!strstr(err, *needles))
			fail_msg("hmmbench%s: message \"%s\" lacks \"%s\"", line,
				 err, *needles);
}

#define REFUSED(words, ...) refused((const char *const[]){ words, NULL }, \
				    (const char *const[]){ __VA_ARGS__, NULL })
#define W(...) __VA_ARGS__

/*
 * What hmmbench.c does with the parse: load the profile, then apply the
 * overrides in command-line order. 0 or the first error, message in err.
 */
static int apply(struct hb_profile *p, const struct hb_options *o)
{
	int ret;

	ret = hb_profile_load(p, o->profile, "bench/profiles", err,
			      sizeof(err));
	for (size_t i = 0; !ret && i < o->noverrides; i++)
		ret = hb_profile_set(p, o->override_key[i],
				     o->override_value[i], err, sizeof(err));
	return ret;
}

/* Parse and apply; the override must be refused naming each needle. */
static void value_refused(const char *const *words, const char *const *needles)
{
	struct hb_options o;
	struct hb_profile p;

	if (parse_words(&o, words))
		fail_msg("parse of '%s %s' failed: %s", words[0],
			 words[1] ? words[1] : "", err);
	if (apply(&p, &o) != -EINVAL)
		fail_msg("'%s %s' was accepted", words[0],
			 words[1] ? words[1] : "");
	for (; *needles; needles++)
		if (!strstr(err, *needles))
			fail_msg("'%s %s': message \"%s\" lacks \"%s\"", words[0],
				 words[1] ? words[1] : "", err, *needles);
}

#define VALUE_REFUSED(opt, value, ...) \
	value_refused((const char *const[]){ opt, value, NULL }, \
		      (const char *const[]){ __VA_ARGS__, NULL })

/* ---- what is accepted --------------------------------------------------- */

static void test_defaults(void **unused)
{
	struct hb_options o;

	(void)unused;
	assert_int_equal(parse_words(&o, (const char *const[]){ NULL }), 0);
	assert_string_equal(o.profile, "standard");
	assert_string_equal(o.out, "results");
	assert_null(o.filter);
	assert_null(o.device);
	assert_null(o.governor);
	assert_null(o.bench_dir);
	assert_int_equal(o.noverrides, 0);
	assert_int_equal(o.npairs, 0);
	assert_true(o.min_time == 0);
	assert_false(o.list);
	assert_false(o.help);
}

/* Every option, long form with a separate value. */
static void test_every_option(void **unused)
{
	static const char *const keys[] = {
		"sizes", "states", "styles", "access", "window", "numa",
		"repetitions", "baselines", "mixed_stride",
	};
	static const char *const values[] = {
		"4K,2M", "none,thp", "prefill", "read,mixed", "64",
		"local,remote", "11", "none", "8",
	};
	struct hb_options o;

	(void)unused;
	assert_int_equal(PARSE(&o, "--profile", "quick", "--filter", "^hmm/",
			       "--sizes", "4K,2M", "--states", "none,thp",
			       "--styles", "prefill", "--access", "read,mixed",
			       "--window", "64", "--nodes", "0:0,0:1",
			       "--numa", "local,remote", "--repetitions", "11",
			       "--min-time", "0.25", "--baselines", "none",
			       "--mixed-stride", "8", "--out", "/tmp/res",
			       "--device", "/dev/null", "--governor",
			       "performance", "--bench-dir", "/tmp/bench",
			       "--list", "--help"), 0);
	assert_string_equal(o.profile, "quick");
	assert_string_equal(o.filter, "^hmm/");
	assert_string_equal(o.out, "/tmp/res");
	assert_string_equal(o.device, "/dev/null");
	assert_string_equal(o.governor, "performance");
	assert_string_equal(o.bench_dir, "/tmp/bench");
	assert_true(o.min_time == 0.25);
	assert_true(o.list);
	assert_true(o.help);
	assert_int_equal(o.npairs, 2);
	assert_int_equal(o.pairs[0].cpu, 0);
	assert_int_equal(o.pairs[0].mem, 0);
	assert_int_equal(o.pairs[1].cpu, 0);
	assert_int_equal(o.pairs[1].mem, 1);
	/* The sweep options become profile keys, in command-line order. */
	assert_int_equal(o.noverrides, sizeof(keys) / sizeof(keys[0]));
	for (size_t i = 0; i < o.noverrides; i++) {
		assert_string_equal(o.override_key[i], keys[i]);
		assert_string_equal(o.override_value[i], values[i]);
	}
}

/*
 * --resume: hmmbench refuses it with anything else, so the parser counts
 * the options it saw, whatever their form.
 */
static void test_resume_counts_options(void **unused)
{
	struct hb_options o;

	(void)unused;
	assert_int_equal(PARSE(&o, "--resume", "/r/.x.partial"), 0);
	assert_string_equal(o.resume, "/r/.x.partial");
	assert_int_equal(o.noptions, 1);
	assert_int_equal(PARSE(&o, "--resume=/r/.x.partial"), 0);
	assert_int_equal(o.noptions, 1);
	assert_int_equal(PARSE(&o, "--resume", "d", "--sizes=4K", "-pquick"), 0);
	assert_int_equal(o.noptions, 3);
	assert_int_equal(PARSE(&o, "--list"), 0);
	assert_null(o.resume);
	assert_int_equal(o.noptions, 1);
}

/* Short forms, "--opt=value" and "-pVALUE". */
static void test_short_and_attached_forms(void **unused)
{
	struct hb_options o;

	(void)unused;
	assert_int_equal(PARSE(&o, "-p", "full", "-f", "snap", "-h"), 0);
	assert_string_equal(o.profile, "full");
	assert_string_equal(o.filter, "snap");
	assert_true(o.help);
	assert_int_equal(PARSE(&o, "-pquick", "-fread"), 0);
	assert_string_equal(o.profile, "quick");
	assert_string_equal(o.filter, "read");
	assert_false(o.help);	/* a new parse starts from the defaults */
	assert_int_equal(PARSE(&o, "--profile=quick", "--sizes=2M",
			       "--nodes=1:0", "--min-time=2", "--out=o",
			       "--governor=powersave"), 0);
	assert_string_equal(o.profile, "quick");
	assert_int_equal(o.noverrides, 1);
	assert_string_equal(o.override_value[0], "2M");
	assert_int_equal(o.npairs, 1);
	assert_int_equal(o.pairs[0].cpu, 1);
	assert_int_equal(o.pairs[0].mem, 0);
	assert_true(o.min_time == 2);
	assert_string_equal(o.out, "o");
	assert_string_equal(o.governor, "powersave");
}

/* Given twice: the last one counts (overrides are applied in order). */
static void test_last_one_wins(void **unused)
{
	struct hb_options o;
	struct hb_profile p;

	(void)unused;
	assert_int_equal(PARSE(&o, "--profile", "full", "--profile", "quick",
			       "--nodes", "1:1,1:0", "--nodes", "0:1",
			       "--min-time", "1", "--min-time", "3",
			       "--repetitions", "5", "--repetitions", "7",
			       "--sizes", "4K", "--sizes", "8K,2M"), 0);
	assert_string_equal(o.profile, "quick");
	assert_int_equal(o.npairs, 1);
	assert_int_equal(o.pairs[0].cpu, 0);
	assert_int_equal(o.pairs[0].mem, 1);
	assert_true(o.min_time == 3);
	assert_int_equal(apply(&p, &o), 0);
	assert_int_equal(p.repetitions, 7);
	assert_int_equal(p.nsizes, 2);
	assert_true(p.sizes[0] == 8192);
	assert_true(p.sizes[1] == 2 << 20);
}

/* The overrides mean in the profile what a profile line would. */
static void test_overrides_set_the_profile(void **unused)
{
	struct hb_options o;
	struct hb_profile p;

	(void)unused;
	assert_int_equal(PARSE(&o, "--profile", "quick", "--sizes", "4K,1G",
			       "--states", "zero,cow,hugetlb", "--styles",
			       "default", "--access", "write,snap",
			       "--window", "0", "--numa", "remote",
			       "--repetitions", "1000", "--baselines", "touch",
			       "--mixed-stride", "3"), 0);
	assert_int_equal(apply(&p, &o), 0);
	assert_string_equal(p.name, "quick");
	assert_int_equal(p.nsizes, 2);
	assert_true(p.sizes[0] == 4096 && p.sizes[1] == 1ULL << 30);
	assert_int_equal(p.nstates, 3);
	assert_string_equal(hb_state_name(p.states[0]), "zero");
	assert_string_equal(hb_state_name(p.states[2]), "hugetlb");
	assert_int_equal(p.nstyles, 1);
	assert_int_equal(p.styles[0], HMM_BENCH_STYLE_DEFAULT);
	assert_int_equal(p.nasks, 2);
	assert_int_equal(p.asks[0].request, HMM_BENCH_REQ_FAULT);
	assert_int_equal(p.asks[0].access, HMM_BENCH_ACCESS_WRITE);
	assert_int_equal(p.asks[1].request, HMM_BENCH_REQ_SNAPSHOT);
	assert_int_equal(p.window, 0);
	assert_false(p.numa_local);
	assert_true(p.numa_remote);
	assert_int_equal(p.repetitions, 1000);
	assert_false(p.baseline_populate);
	assert_true(p.baseline_touch);
	assert_int_equal(p.mixed_stride, 3);

	/* The other ends of the ranges. */
	assert_int_equal(PARSE(&o, "--window", "16777216", "--repetitions",
			       "1", "--mixed-stride", "1048576", "--baselines",
			       "populate,touch", "--numa", "local,remote"), 0);
	assert_int_equal(apply(&p, &o), 0);
	assert_string_equal(p.name, "standard");
	assert_int_equal(p.window, 1 << 24);
	assert_int_equal(p.repetitions, 1);
	assert_int_equal(p.mixed_stride, 1 << 20);
	assert_true(p.baseline_populate && p.baseline_touch);
	assert_true(p.numa_local && p.numa_remote);
}

/* --nodes: CPU:memory pairs, up to HB_MAX_PAIRS. */
static void test_nodes(void **unused)
{
	struct hb_options o;

	(void)unused;
	assert_int_equal(PARSE(&o, "--nodes", "3:2"), 0);
	assert_int_equal(o.npairs, 1);
	assert_int_equal(o.pairs[0].cpu, 3);
	assert_int_equal(o.pairs[0].mem, 2);
	assert_int_equal(PARSE(&o, "--nodes", "0:0,0:1,1:0,1:1,2:0,2:1,3:63,"
			       "2147483647:2147483647"), 0);
	assert_int_equal(o.npairs, HB_MAX_PAIRS);
	assert_int_equal(o.pairs[6].cpu, 3);
	assert_int_equal(o.pairs[6].mem, 63);
	assert_int_equal(o.pairs[7].cpu, 2147483647);
	assert_int_equal(o.pairs[7].mem, 2147483647);
}

static void test_min_time(void **unused)
{
	static const char *const good[] = { "0.5", "1", "3600", "1e-3", "60.0" };
	static const double want[] = { 0.5, 1, 3600, 1e-3, 60 };
	struct hb_options o;

	(void)unused;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(PARSE(&o, "--min-time", good[i]), 0);
		assert_true(o.min_time == want[i]);
	}
}

/* --help: the usage names every option and every page state. */
static void test_usage_names_every_option(void **unused)
{
	static const char *const opts[] = {
		"--profile", "--filter", "--sizes", "--states", "--styles",
		"--access", "--window", "--nodes", "--numa", "--repetitions",
		"--min-time", "--baselines", "--mixed-stride", "--out",
		"--device", "--governor", "--bench-dir", "--list", "--help",
		"-p,", "-f,", "-h,",
	};
	char *text = NULL, states[256];
	size_t len = 0;
	FILE *f;

	(void)unused;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	hb_options_usage(f);
	fclose(f);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strstr(text, opts[i]))
			fail_msg("the usage does not mention %s", opts[i]);
	hb_state_names(states, sizeof(states));
	assert_non_null(strstr(text, states));
	assert_non_null(strstr(text, "Usage: hmmbench"));
	free(text);
}

/* ---- what is refused, and what the message says ------------------------- */

static void test_unknown_options(void **unused)
{
	(void)unused;
	REFUSED(W("--frobnicate"), "unknown option '--frobnicate'", "--help");
	REFUSED(W("--frobnicate=1"), "unknown option '--frobnicate=1'");
	REFUSED(W("-x"), "unknown option '-x'");
	/* In a cluster, the letter that is wrong, wherever it is. */
	REFUSED(W("-hx"), "unknown option '-x'");
	REFUSED(W("--list", "-xh"), "unknown option '-x'");
	/* No value allowed. */
	REFUSED(W("--list=yes"), "'--list=yes'");
	REFUSED(W("--help=me"), "'--help=me'");
	/* Ambiguous abbreviation (--states or --styles). */
	REFUSED(W("--st", "none"), "'--st'");
	/* Not an option at all. */
	REFUSED(W("extra"), "unexpected argument 'extra'");
	REFUSED(W("--list", "quick"), "unexpected argument 'quick'");
	REFUSED(W("--", "--list"), "unexpected argument '--list'");
}

/* Every option that takes a value, given none. */
static void test_missing_values(void **unused)
{
	static const char *const opts[] = {
		"--profile", "--filter", "--sizes", "--states", "--styles",
		"--access", "--window", "--nodes", "--numa", "--repetitions",
		"--min-time", "--baselines", "--mixed-stride", "--out",
		"--device", "--governor", "--bench-dir", "-p", "-f",
	};
	char want[64];

	(void)unused;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		snprintf(want, sizeof(want), "option '%s' needs a value",
			 opts[i]);
		refused((const char *const[]){ "--list", opts[i], NULL },
			(const char *const[]){ want, NULL });
	}
}

static void test_bad_nodes(void **unused)
{
	static const char *const bad[] = {
		"", "0", "0:", ":0", ":", "a:b", "0:b", "0-1", "0;1", "0:0;0:1",
		"0:0,,0:1", ",0:0", "-1:0", "0:-1", "0:0:0", "0:1x", "0x1:0",
		"0.5:0", "2147483648:0", "0:2147483648", "4294967296:1",
		"99999999999999999999:0", "0:99999999999999999999",
	};
	char want[128];

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "--nodes '%s'", bad[i]);
		refused((const char *const[]){ "--nodes", bad[i], NULL },
			(const char *const[]){ want, "CPU:MEMORY", "0:0,0:1",
					       NULL });
	}
	REFUSED(W("--nodes", "0:0,0:1,0:2,0:3,0:4,0:5,0:6,0:7,0:8"),
		"--nodes: at most 8 pairs");
}

static void test_bad_min_time(void **unused)
{
	static const char *const bad[] = {
		"0", "-1", "-0.5", "abc", "", "1s", "1.5.2", "3600.5", "1e9",
		"nan", "inf", "-inf",
	};
	char want[64];

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "--min-time '%s'", bad[i]);
		refused((const char *const[]){ "--min-time", bad[i], NULL },
			(const char *const[]){ want, "more than 0",
					       "at most 3600", NULL });
	}
}

/* Each profile-key option's malformed and out-of-range values. */
static void test_bad_values(void **unused)
{
	(void)unused;
	VALUE_REFUSED("--repetitions", "abc", "repetitions: 'abc'",
		      "whole number from 1 to 1000");
	VALUE_REFUSED("--repetitions", "0", "repetitions: '0'", "from 1 to 1000");
	VALUE_REFUSED("--repetitions", "1001", "repetitions: '1001'");
	VALUE_REFUSED("--repetitions", "-3", "repetitions: '-3'");
	VALUE_REFUSED("--repetitions", "9x", "repetitions: '9x'");
	VALUE_REFUSED("--repetitions", "", "repetitions: ''");
	VALUE_REFUSED("--repetitions", "99999999999999999999",
		      "repetitions: '99999999999999999999'");
	VALUE_REFUSED("--window", "-1", "window: '-1'", "from 0 to 16777216");
	VALUE_REFUSED("--window", "16777217", "window: '16777217'");
	VALUE_REFUSED("--window", "64k", "window: '64k'");
	VALUE_REFUSED("--window", "1.5", "window: '1.5'");
	VALUE_REFUSED("--mixed-stride", "0", "mixed_stride: '0'",
		      "from 1 to 1048576");
	VALUE_REFUSED("--mixed-stride", "1048577", "mixed_stride: '1048577'");
	VALUE_REFUSED("--sizes", "3K", "size '3K'", "4 KiB pages");
	VALUE_REFUSED("--sizes", "4K,2X", "size '2X'");
	VALUE_REFUSED("--sizes", "0", "size '0'");
	VALUE_REFUSED("--sizes", "-4K", "size '-4K'");
	VALUE_REFUSED("--sizes", "M", "size 'M'");
	VALUE_REFUSED("--sizes", "99999999999T", "size '99999999999T'");
	VALUE_REFUSED("--sizes", "", "sizes: needs at least one value");
	VALUE_REFUSED("--sizes", ",", "sizes: needs at least one value");
	VALUE_REFUSED("--states", "none,bogus", "unknown page state 'bogus'",
		      "known: none, zero");
	VALUE_REFUSED("--states", "", "states: needs at least one value");
	VALUE_REFUSED("--styles", "fast", "unknown style 'fast'",
		      "prefill, default");
	VALUE_REFUSED("--styles", "prefill,default,prefill",
		      "style 'prefill' given twice");
	VALUE_REFUSED("--access", "exec", "unknown access 'exec'",
		      "read, write, mixed, snap");
	VALUE_REFUSED("--access", "read,write,mixed,snap,read",
		      "access 'read' given twice");
	VALUE_REFUSED("--numa", "far", "unknown numa placement 'far'",
		      "local, remote");
	VALUE_REFUSED("--baselines", "both", "unknown baseline 'both'",
		      "populate, touch, none");
}

/* --profile: a name in bench/profiles/ or a path; a missing one is named. */
static void test_bad_profile(void **unused)
{
	struct hb_options o;
	struct hb_profile p;

	(void)unused;
	assert_int_equal(PARSE(&o, "--profile", "nosuch"), 0);
	assert_int_equal(apply(&p, &o), -ENOENT);
	assert_non_null(strstr(err, "profile 'nosuch'"));
	assert_non_null(strstr(err, "bench/profiles/nosuch.conf"));
	assert_non_null(strstr(err, "quick, standard, full"));
	assert_int_equal(PARSE(&o, "--profile", "/nonexistent/x.conf"), 0);
	assert_int_equal(apply(&p, &o), -ENOENT);
	assert_non_null(strstr(err, "cannot open /nonexistent/x.conf"));
	assert_int_equal(PARSE(&o, "--profile", "bench/profiles/quick.conf"), 0);
	assert_int_equal(apply(&p, &o), 0);
	assert_string_equal(p.name, "quick");
}

/* At most HB_MAX_OVERRIDES sweep options on one command line. */
static void test_too_many_overrides(void **unused)
{
	struct hb_options o;
	struct args a;
	int i;

	(void)unused;
	args_init(&a, (const char *const[]){ NULL });
	for (i = 0; i < HB_MAX_OVERRIDES; i++) {
		a.argv[a.argc++] = "--sizes";
		a.argv[a.argc++] = "4K";
	}
	assert_int_equal(hb_options_parse(&o, a.argc, a.argv, err,
					  sizeof(err)), 0);
	assert_int_equal(o.noverrides, HB_MAX_OVERRIDES);
	a.argv[a.argc++] = "--window";
	a.argv[a.argc++] = "64";
	assert_int_equal(hb_options_parse(&o, a.argc, a.argv, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too many options"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_resume_counts_options),
		cmocka_unit_test(test_short_and_attached_forms),
		cmocka_unit_test(test_last_one_wins),
		cmocka_unit_test(test_overrides_set_the_profile),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_min_time),
		cmocka_unit_test(test_usage_names_every_option),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_bad_nodes),
		cmocka_unit_test(test_bad_min_time),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_profile),
		cmocka_unit_test(test_too_many_overrides),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
