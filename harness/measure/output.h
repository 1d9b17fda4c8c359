/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a run's folder, whose layout and names are the contract of
 * common/result_folder.h.
 */
#ifndef HMMBENCH_OUTPUT_H
#define HMMBENCH_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

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

/*
 * Go on in the partial folder @dir of an interrupted run: it ends up where
 * that run would have. 0, or -EINVAL with @err if @dir is not one.
 */
int hb_output_resume(struct hb_output *o, const char *dir, char *err,
		     size_t errlen);

/* Write COMPLETE and rename into place. 0 or -errno with @err. */
int hb_output_finish(struct hb_output *o, char *err, size_t errlen);

/* <dir>/skipped.tsv: name TAB reason, one line per skipped case. */
int hb_output_skipped(const char *dir, const struct hb_plan *plan);

/* The whole of @path, NUL-terminated, its size in @len; NULL (errno). */
char *hb_read_all(const char *path, size_t *len);

/* A case name as a file name: "hmm/read/..." -> "hmm-read-...<ext>". */
void hb_case_file_name(const char *case_name, const char *ext, char *buf,
		       size_t len);

/* <dir>/cases/<case>.json: a finished case's entries while the run goes on. */
void hb_case_file(const char *dir, const char *case_name, char *path,
		  size_t len);

/*
 * Keep a finished case: @json, its Google Benchmark entries as the shim's
 * case_done hook gives them, becomes <dir>/cases/<case>.json (a JSON
 * array, NaN as null), written whole and renamed into place. 0 or -errno.
 */
int hb_output_case_done(const char *dir, const char *case_name,
			const char *json);

/* <dir>/hist/<case>.tsv: the case's per-chunk fault time histogram. */
int hb_output_histogram(const char *dir, const struct hb_case *c);

/*
 * Make <dir>/hmmbench.json whole: its "benchmarks" become the entries of
 * every case of @plan that ran, from <dir>/cases/, in plan order (so cases
 * finished by an interrupted attempt are in, and the order does not depend
 * on interleaving); then cases/ is removed. 0, or -errno with @err (a case
 * without its file, say).
 */
int hb_output_merge(const char *dir, const struct hb_plan *plan, char *err,
		    size_t errlen);

/*
 * Google Benchmark writes NaN and Infinity as bare words (a counter that is
 * 0 in every repetition has a cv of 0/0), which is not JSON. Rewrite them
 * as null in place so that any JSON library reads the file. 0 or -errno.
 */
int hb_output_json_sanitize(const char *path);

/* The skip reasons, one line each with how many cases and the first. */
void hb_output_skip_lines(const struct hb_plan *plan, FILE *out);

/* <dir>/summary.txt, and the same text on @also (may be NULL). */
int hb_output_summary(const char *dir, const struct hb_plan *plan,
		      const struct hb_facts *facts, FILE *also);

#endif /* HMMBENCH_OUTPUT_H */
