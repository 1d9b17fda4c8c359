/* SPDX-License-Identifier: GPL-2.0 */
/* Progress of a run on stderr: case i of N, elapsed, estimate. */
#ifndef HMMBENCH_PROGRESS_H
#define HMMBENCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct hb_progress {
	size_t total;
	double start;
	bool tty;		/* redraw one line; else a line per case */
	size_t last_done;
};

void hb_progress_start(struct hb_progress *p, size_t total);
void hb_progress_case(struct hb_progress *p, size_t done, const char *name);
void hb_progress_end(struct hb_progress *p);

/* "1h02m", "3m07s", "12s" */
void hb_format_duration(double seconds, char *buf, size_t len);

#endif
