/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Optional cpufreq governor pinning for a run. What was found is saved
 * first and put back at the end, on an interrupt and on a crash: the
 * restore path uses only async-signal-safe calls, so a signal handler may
 * call it.
 */
#ifndef HMMBENCH_GOVERNOR_H
#define HMMBENCH_GOVERNOR_H

#include <stddef.h>

/* Set @governor on every CPU that has cpufreq. 0, or -errno with @err. */
int hb_governor_pin(const char *governor, char *err, size_t errlen);

/* Put back what hb_governor_pin() found. Safe to call twice, and from a
 * signal handler. */
void hb_governor_restore(void);

#endif /* HMMBENCH_GOVERNOR_H */
