// SPDX-License-Identifier: GPL-2.0
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* Redraws per second on a terminal, at most. */
#define REDRAW_HZ 10

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hb_format_duration(double seconds, char *buf, size_t len)
{
	long s = (long)(seconds + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%ldh%02ldm", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, len, "%lds", s);
}

void hb_progress_start(struct hb_progress *p, size_t cases_total,
		       size_t reps_total)
{
	p->cases_total = cases_total;
	p->cases_done = 0;
	p->reps_total = reps_total ? reps_total : 1;
	p->reps_started = 0;
	p->start = now_s();
	p->last_draw = 0;
	p->tty = isatty(STDERR_FILENO);
	p->drawn = false;
}

static void draw(struct hb_progress *p, const char *name)
{
	double elapsed = now_s() - p->start;
	/* Repetitions finished: all started but the one running. */
	size_t done = p->reps_started ? p->reps_started - 1 : 0;
	char el[32], left[32] = "?";

	hb_format_duration(elapsed, el, sizeof(el));
	if (done)
		hb_format_duration(elapsed / (double)done *
				   (double)(p->reps_total - done), left,
				   sizeof(left));
	fprintf(stderr,
		"%s[%zu of %zu cases done, repetition %zu of %zu] %s elapsed, about %s left: %s%s",
		p->tty ? "\r\033[K" : "", p->cases_done, p->cases_total,
		p->reps_started, p->reps_total, el, left, name,
		p->tty ? "" : "\n");
	fflush(stderr);
	p->drawn = p->tty;
	p->last_draw = now_s();
}

void hb_progress_repetition(struct hb_progress *p, const char *name)
{
	/* min_time runs may call a case more often than its repetitions. */
	if (p->reps_started < p->reps_total)
		p->reps_started++;
	if (p->tty && now_s() - p->last_draw >= 1.0 / REDRAW_HZ)
		draw(p, name);
}

void hb_progress_case_done(struct hb_progress *p, const char *name,
			   const char *error, double ns_per_page)
{
	p->cases_done++;
	hb_progress_clear(p);
	if (error)
		fprintf(stderr, "FAILED %s: %s\n", name, error);
	else if (p->tty && ns_per_page >= 0)
		fprintf(stderr, "done   %-46s %10.1f ns/page\n", name, ns_per_page);
	else if (p->tty)
		fprintf(stderr, "done   %s\n", name);
	if (p->tty)
		p->last_draw = 0;	/* the progress line comes back at once */
	else
		draw(p, name);
}

void hb_progress_clear(struct hb_progress *p)
{
	if (!p->drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->drawn = false;
}

void hb_progress_end(struct hb_progress *p)
{
	char el[32];

	hb_progress_clear(p);
	hb_format_duration(now_s() - p->start, el, sizeof(el));
	fprintf(stderr, "%zu cases in %s\n", p->cases_done, el);
}
