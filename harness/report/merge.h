/* SPDX-License-Identifier: GPL-2.0 */
/*
 * merge.h - several runs of one kernel, on one machine and with the same
 * settings (for instance the boots of one kernel in an A/B run, alternated
 * with the other kernel), as one result folder that compare, report and
 * plot read like any run.
 *
 * Every repetition of a case, from every run that has it, becomes a
 * repetition of that case in the merged folder (numbered anew); Google
 * Benchmark's aggregates are left out (the readers recompute them).
 * skipped.tsv is the union of the runs'. A case's kernel profiles
 * (perf/) are averaged over the runs that have one, a symbol missing from
 * one of them counting as 0%. The context is the first run's, plus
 * merged_from (the source folders, ", "-separated) and merged_runs.
 * summary.txt lists the sources and each case's repetitions; hist/ and
 * system/ stay in the source folders (no reader of a merged folder needs
 * them).
 *
 * Refused, with one line naming the difference: runs of different kernels
 * or machines (facts_identity_differ), different settings
 * (facts_settings_differ), a folder given twice, an output folder that
 * exists. The folder is written as .<name>.partial beside it and renamed
 * when complete: nothing half written is left under the name.
 */
#ifndef HMMBENCH_MERGE_H
#define HMMBENCH_MERGE_H

#include <stddef.h>

/* 0, or -1 with a one-line message in @err. */
int merge_runs(char *const *dirs, size_t n, const char *out,
	       int allow_incomplete, char *err, size_t errlen);

#endif /* HMMBENCH_MERGE_H */
