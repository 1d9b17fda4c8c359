/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one definition of a quantile in the suite, used by the shim's p99
 * aggregate and by hmmbench-report's statistics, so both say the same.
 */
#ifndef HMMBENCH_QUANTILE_H
#define HMMBENCH_QUANTILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The @p-th percentile (0..100) of @x[0..n): linear interpolation between
 * order statistics at rank p/100 * (n - 1), numpy's default "linear"
 * method. NAN for n == 0, p out of range, or no memory.
 */
double hb_percentile(const double *x, size_t n, double p);

#ifdef __cplusplus
}
#endif

#endif /* HMMBENCH_QUANTILE_H */
