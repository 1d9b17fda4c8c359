/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gnuplot.h - the gnuplot process behind the charts of plot.c: where the
 * scripts are, whether gnuplot can draw, and one chart as PNG and SVG.
 */
#ifndef HMMBENCH_GNUPLOT_H
#define HMMBENCH_GNUPLOT_H

#include <stddef.h>

/* Files written, PNG and SVG, as paths. */
struct plot_list {
	char **files;
	size_t n;
};

void plot_list_free(struct plot_list *l);

/* Is a gnuplot with pngcairo on PATH? */
int plot_available(void);

/* The folder holding the .gp scripts ($HMMBENCH_PLOTS, next to the build,
 * or ./plots). */
const char *plot_script_dir(void);

/* Text safe inside a gnuplot double-quoted string: no quotes, backslashes,
 * macro or control characters (each becomes '_'). */
void gnuplot_text(char *dst, size_t len, const char *src);

/*
 * Run plots/<script> with @vars (gnuplot assignments) plus the output
 * paths <dir>/<stem>.png and .svg; adds both to @out. 0, or -1 with @err.
 */
int gnuplot_chart(const char *dir, const char *stem, const char *script,
		  const char *vars, struct plot_list *out, char *err,
		  size_t errlen);

#endif /* HMMBENCH_GNUPLOT_H */
