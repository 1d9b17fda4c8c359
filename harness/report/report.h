/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - the text of one hmmbench run for a patch mail.
 *
 * Per access, page state, range size (and NUMA pair), the prefill style
 * (every pfn entry written, as drivers did before Linux 5.2) against the
 * default style (default_flags only): Amean ns per call and per page, the
 * prefill/default ratio and a significance marker; userspace baselines;
 * cases that failed or were skipped; a one-paragraph method section and
 * the plot files to attach. Every line fits 80 columns.
 */
#ifndef HMMBENCH_REPORT_H
#define HMMBENCH_REPORT_H

#include <stdio.h>

#include "compare.h"
#include "plot.h"
#include "results.h"

struct report_opts {
	enum sig_test test;
	double alpha;
};

/* @plots may be NULL or empty (no plots made). */
void report_print(FILE *out, const struct report_run *run,
		  const struct report_opts *o, const struct plot_list *plots);

#endif /* HMMBENCH_REPORT_H */
