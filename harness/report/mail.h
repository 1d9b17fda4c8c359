/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mail.h - the condensed comparison for a patch mail (compare --mail), in
 * the manner of the 0-day robot's reports: only the significant changes
 * (claims.h), grouped by access and page state, as base value, %change,
 * patched value and case name, each followed by the kernel functions
 * whose share of the profile moved most (perf/, when both runs have a
 * profile of the case); the geometric mean with its confidence interval;
 * one paragraph of method and system; the plots to attach. 80 columns,
 * about max_lines lines: the list is cut to fit, saying how many more
 * changes there are and where the full table is.
 *
 * With more than two runs, #0 is the base of every other run, each a
 * block of its own; the family of comparisons is all of them.
 */
#ifndef HMMBENCH_MAIL_H
#define HMMBENCH_MAIL_H

#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "gnuplot.h"

#define MAIL_MAX_LINES 60
/* perf-profile lines per change, and the smallest move they show. */
#define MAIL_PERF_LINES 3
#define MAIL_PERF_MIN_POINTS 1.0

struct mail_opts {
	const char *full_table;		/* where the full table is, or NULL */
	const struct plot_list *plots;	/* compare's charts, or NULL */
	size_t max_lines;
	FILE *warn;			/* unreadable profiles are said here */
};

/* Print the mail of @v to @out. 0, or -1 when out of memory. */
int mail_print(FILE *out, const struct compare_view *v,
	       const struct mail_opts *m);

#endif /* HMMBENCH_MAIL_H */
