/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf_profile.h - the kernel profiles of a result folder
 * (perf/<case>.txt, common/result_folder.h) and the functions whose share
 * of the samples moved between two runs, as the 0-day robot's
 * perf-profile lines show them.
 */
#ifndef HMMBENCH_PERF_PROFILE_H
#define HMMBENCH_PERF_PROFILE_H

#include <stddef.h>

#include "common/result_folder.h"

struct perf_entry {
	char *symbol;
	double pct;		/* share of the samples, in percent */
};

struct perf_profile {
	struct perf_entry *e;
	size_t n;
};

/*
 * <dir>/perf/<case>.txt of the case named @name (as hmmbench names it,
 * without Google Benchmark's "/manual_time") into @buf; -1 if too long.
 */
int perf_profile_path(const char *dir, const char *name, char *buf,
		      size_t len);

/*
 * Load the profile of the case named @name from the run folder @dir. 0
 * loaded, 1 no profile for the case, -1 a malformed file (@err names it
 * and the line).
 */
int perf_profile_load(const char *dir, const char *name,
		      struct perf_profile *p, char *err, size_t errlen);
void perf_profile_free(struct perf_profile *p);

/* The share of @symbol, 0 when absent. */
double perf_profile_share(const struct perf_profile *p, const char *symbol);

struct perf_move {
	const char *symbol;	/* points into a or b */
	double a, b;		/* shares in percent */
};

/*
 * The @max functions whose share moved most from @a to @b, by absolute
 * change, each by at least @min_points percentage points; into @out,
 * largest move first. Returns how many.
 */
size_t perf_profile_moves(const struct perf_profile *a,
			  const struct perf_profile *b, double min_points,
			  struct perf_move *out, size_t max);

#endif /* HMMBENCH_PERF_PROFILE_H */
