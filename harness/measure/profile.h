/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Profiles: the axes of a sweep, read from bench/profiles/<name>.conf
 * ("key = value" lines, # comments). The command line overrides keys
 * through the same parser, so a value means the same in both places.
 */
#ifndef HMMBENCH_PROFILE_H
#define HMMBENCH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hmm_bench.h>

#include "page_state.h"

#define HB_MAX_LIST	32
#define HB_MAX_EXTRA	8

/* What a case asks for: one word of "read write mixed snap". */
struct hb_ask {
	enum hmm_bench_request request;
	enum hmm_bench_access access;
};

struct hb_extra {
	struct hb_ask ask;
	const struct hb_state *state;
	uint64_t size;
};

struct hb_profile {
	char name[64];
	char description[160];
	uint64_t sizes[HB_MAX_LIST];
	size_t nsizes;
	const struct hb_state *states[HB_MAX_LIST];
	size_t nstates;
	struct hb_ask asks[4];
	size_t nasks;
	enum hmm_bench_style styles[2];
	size_t nstyles;
	uint32_t window;
	uint32_t mixed_stride;
	bool baseline_populate;
	bool baseline_touch;
	bool numa_local;
	bool numa_remote;
	int repetitions;
	uint64_t bytes_per_repetition;
	int64_t max_iterations;
	struct hb_extra extras[HB_MAX_EXTRA];
	size_t nextras;
};

/*
 * Load @name_or_path: a file path, or a profile name looked up in
 * @profiles_dir. 0, or -errno with "file:line: problem; fix" in @err.
 */
int hb_profile_load(struct hb_profile *p, const char *name_or_path,
		    const char *profiles_dir, char *err, size_t errlen);

/* Set one key as a profile line would. 0, or -EINVAL with @err. */
int hb_profile_set(struct hb_profile *p, const char *key, const char *value,
		   char *err, size_t errlen);

/* Sizes are read and written with hb_size_parse()/hb_size_format(). */

/* Iterations per repetition for a range of @size bytes. */
int64_t hb_profile_iterations(const struct hb_profile *p, uint64_t size);

#endif /* HMMBENCH_PROFILE_H */
