/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resuming an interrupted run. A run keeps its command line in
 * <partial>/hmmbench.args and every finished case in
 * <partial>/cases/<case>.json (written whole, then renamed into place), so
 * `hmmbench --resume <partial>` rebuilds the same plan, skips the cases
 * already finished and runs the rest; the result folder then holds one
 * run as if it had not been interrupted, and its context says it resumed.
 */
#ifndef HMMBENCH_RESUME_H
#define HMMBENCH_RESUME_H

#include <stddef.h>

#include "plan.h"

#define HB_ARGS_FILE	"hmmbench.args"
#define HB_IDENTITY_FILE	"hmmbench.identity"

struct hb_facts;

/*
 * What a resume must find unchanged: host, kernel, module, suite and
 * library versions, kept in <dir>/hmmbench.identity. 0 or -errno; the
 * check gives -ESTALE and names what changed in @err.
 */
int hb_resume_save_identity(const char *dir, const struct hb_facts *f);
int hb_resume_check_identity(const char *dir, const struct hb_facts *f,
			     char *err, size_t errlen);

/* Save argv[1..argc-1] (NUL-separated). 0 or -errno. */
int hb_resume_save_args(const char *dir, int argc, char **argv);

/*
 * Check that @dir is an interrupted run and read its arguments into a
 * NULL-terminated vector whose argv[0] is @argv0; free it with
 * hb_resume_free_args(). 0, or -errno with what is wrong in @err.
 */
int hb_resume_load_args(const char *dir, const char *argv0, int *argc,
			char ***argv, char *err, size_t errlen);
void hb_resume_free_args(char **argv);

/*
 * Mark every case of @plan with a file in <dir>/cases/ as finished before
 * (hb_case.done_before) and load its aggregates into a result the runner
 * owns. Calibration cases always run again: they measure this attempt.
 * Returns the number of cases taken, or -errno with @err.
 */
int hb_resume_load_cases(const char *dir, struct hb_plan *plan, char *err,
			 size_t errlen);

#endif /* HMMBENCH_RESUME_H */
