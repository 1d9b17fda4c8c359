/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress of a run on stderr: cases done of N, repetition i of M,
 * elapsed, and an estimate of what is left. Repetitions are counted as
 * they start, because with random interleaving a case is done only when
 * its last repetition is, late in the run. On a terminal one line is
 * redrawn; otherwise a line is written per finished case.
 */
#ifndef HMMBENCH_PROGRESS_H
#define HMMBENCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct hb_progress {
	size_t cases_total, cases_done;
	size_t reps_total, reps_started;
	double start;
	double last_draw;
	bool tty;		/* redraw one line; else a line per case */
	bool drawn;		/* a progress line is on the terminal */
};

void hb_progress_start(struct hb_progress *p, size_t cases_total,
		       size_t reps_total);
/* A repetition of case @name starts. */
void hb_progress_repetition(struct hb_progress *p, const char *name);
/* Case @name has reported all of its results: @error (NULL when it ran)
 * or its mean @ns_per_page (negative: none) on a line of its own. */
void hb_progress_case_done(struct hb_progress *p, const char *name,
			   const char *error, double ns_per_page);
/* Take the line off the terminal before other output goes there. */
void hb_progress_clear(struct hb_progress *p);
void hb_progress_end(struct hb_progress *p);

/* "1h02m", "3m07s", "12s" */
void hb_format_duration(double seconds, char *buf, size_t len);

#endif
