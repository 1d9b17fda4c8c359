/* SPDX-License-Identifier: GPL-2.0 */
/* The hmmbench command line. Parsing has no side effects. */
#ifndef HMMBENCH_OPTIONS_H
#define HMMBENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "topology.h"

#define HB_MAX_OVERRIDES 16
#define HB_MAX_PAIRS 8

struct hb_options {
	const char *profile;		/* name or path */
	const char *filter;		/* regex over case names, or NULL */
	const char *override_key[HB_MAX_OVERRIDES];	/* profile keys */
	const char *override_value[HB_MAX_OVERRIDES];
	size_t noverrides;
	struct hb_node_pair pairs[HB_MAX_PAIRS];	/* --nodes */
	size_t npairs;
	double min_time;		/* 0: iterations from the profile */
	const char *out;		/* results root */
	const char *device;
	const char *governor;		/* pin for the run, then restore */
	const char *bench_dir;		/* where profiles/ is */
	const char *resume;		/* partial folder of a run to finish */
	const char *result_file;	/* where to write the final folder's path */
	bool list;
	bool help;
	size_t noptions;		/* options given, for --resume's check */
};

/* 0, or -EINVAL with what is wrong and how to fix it in @err. */
int hb_options_parse(struct hb_options *o, int argc, char **argv, char *err,
		     size_t errlen);
void hb_options_usage(FILE *f);

#endif
