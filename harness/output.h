/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's folder: results/<host>/<kernel-release>/<timestamp>/. It is
 * written as .<timestamp>.partial and renamed when complete, with an empty
 * COMPLETE file inside: a folder without it is an interrupted run.
 */
#ifndef HMMBENCH_OUTPUT_H
#define HMMBENCH_OUTPUT_H

#include <stddef.h>

#include "plan.h"
#include "sysrecord.h"

struct hb_output {
	char partial[1024];	/* where files are written while running */
	char final[1024];	/* where the run ends up */
};

/* Create the partial folder (and its parents). 0 or -errno with @err. */
int hb_output_begin(struct hb_output *o, const char *root,
		    const char *host, const char *release, char *err,
		    size_t errlen);

/* Write COMPLETE and rename into place. 0 or -errno with @err. */
int hb_output_finish(struct hb_output *o, char *err, size_t errlen);

/* <dir>/skipped.tsv: name TAB reason, one line per skipped case. */
int hb_output_skipped(const char *dir, const struct hb_plan *plan);

/* <dir>/hist/<case>.tsv: per-chunk fault time histogram of each case. */
int hb_output_histograms(const char *dir, const struct hb_plan *plan);

/*
 * Google Benchmark writes NaN and Infinity as bare words (a counter that is
 * 0 in every repetition has a cv of 0/0), which is not JSON. Rewrite them
 * as null in place so that any JSON library reads the file. 0 or -errno.
 */
int hb_output_json_sanitize(const char *path);

/* <dir>/summary.txt, and the same text on @also (may be NULL). */
int hb_output_summary(const char *dir, const struct hb_plan *plan,
		      const struct hb_facts *facts, FILE *also);

#endif /* HMMBENCH_OUTPUT_H */
