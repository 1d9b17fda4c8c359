/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - the text of one hmmbench run for a patch mail.
 *
 * Per access, page state, range size (and NUMA pair), the prefill style
 * (every pfn entry written, as drivers did before Linux 5.2) against the
 * default style (default_flags only): Amean ns per call and per page, the
 * prefill/default ratio and a marker of the significant ratios (those
 * that survive the correction over all the run's pairs and reach the
 * effect-size floor, claims.h); userspace baselines;
 * cases that failed or were skipped; a one-paragraph method section and
 * the plot files to attach. Every line fits 80 columns.
 */
#ifndef HMMBENCH_REPORT_H
#define HMMBENCH_REPORT_H

#include <stdio.h>

#include "claims.h"
#include "plot.h"
#include "results.h"

/*
 * What the module times and which states are rebuilt before each call, as
 * sentences for a method paragraph (from @run's context).
 */
void report_method_timing(const struct report_run *run, char *buf,
			  size_t len);

/*
 * @plots may be NULL or empty (no plots made). The prefill/default pairs
 * of the run are one family (claims.h). 0, or -1 when out of memory.
 */
int report_print(FILE *out, const struct report_run *run,
		 const struct claim_opts *o, const struct plot_list *plots);

#endif /* HMMBENCH_REPORT_H */
