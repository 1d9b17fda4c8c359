/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compare.h - mmtests-style comparison of hmmbench runs.
 *
 * The first run is the baseline. Cases are matched by their full Google
 * Benchmark name. For every case in all runs the table gives Min, Amean,
 * Stddev, CoeffVar and Max of the time per call, each with its gain
 * against the baseline in percent (mmtests' convention for "lower is
 * better": +10.00% is 10% faster); an Amean gain that a significance test
 * accepts reads *-12.34%* instead of (-12.34%). A geometric mean of Amean
 * ratios and the system facts that differ between runs close the output.
 * Every line fits 80 columns.
 */
#ifndef HMMBENCH_COMPARE_H
#define HMMBENCH_COMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "results.h"
#include "stats.h"

/* Google Benchmark's advice: fewer repetitions make the tests unreliable. */
#define COMPARE_MIN_REPS 9

struct compare_opts {
	enum sig_test test;
	double alpha;
};

/*
 * Print the comparison of @runs (runs[0] is the baseline) to @out.
 * Returns 0, or -1 with a message in @err when the runs have no case in
 * common.
 */
int compare_print(FILE *out, const struct report_run *runs, size_t nruns,
		  const struct compare_opts *o, char *err, size_t errlen);

/* Short column label of run @i ("6.1.0-21-amd64", or the folder name). */
void compare_run_label(const struct report_run *runs, size_t nruns, size_t i,
		       char *buf, size_t len);

/*
 * "bare metal" (vm and virtualization none), "virtual machine (kvm)" (a
 * native run on a hypervisor), "VM (kvm)", "VM (tcg)" (our QEMU runs).
 */
const char *compare_machine_kind(const struct report_run *run, char *buf,
				 size_t len);

#endif /* HMMBENCH_COMPARE_H */
