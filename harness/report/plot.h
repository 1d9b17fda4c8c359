/* SPDX-License-Identifier: GPL-2.0 */
/*
 * plot.h - gnuplot charts of hmmbench runs.
 *
 * The code writes derived TSV files from the loaded JSON (never from
 * console text) into <dir>/data/, then runs the gnuplot scripts of plots/
 * on them; each chart is written as PNG (pngcairo) and SVG:
 *
 *   ns_page-<access>-<state>[-c<C>m<M>]   time per page against range size,
 *                                         prefill and default, min..max bars
 *   ratio-<access>                        prefill/default Amean per state
 *   numa-<access>-<state>-<size>          cpu node x memory node matrix
 *   cmp-ns_page-<access>-<state>[...]     compare: all runs on one axes
 */
#ifndef HMMBENCH_PLOT_H
#define HMMBENCH_PLOT_H

#include <stddef.h>

#include "gnuplot.h"
#include "results.h"

/* Charts of one run into <run>/plots/. Returns 0 or -1 with @err. */
int plot_run(const struct report_run *run, struct plot_list *out, char *err,
	     size_t errlen);

/*
 * The file name, without folder and extension, of plot_compare()'s chart
 * that draws case @id (an hmm/ case or its baseline): "cmp-ns_page-read-
 * none-c0m1".
 */
void plot_compare_stem(const struct hb_case_id *id, char *buf, size_t len);

/* Charts of several runs (runs[0] the baseline) into @dir. */
int plot_compare(const struct report_run *runs, size_t nruns, const char *dir,
		 struct plot_list *out, char *err, size_t errlen);

#endif /* HMMBENCH_PLOT_H */
