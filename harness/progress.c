// SPDX-License-Identifier: GPL-2.0
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

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

void hb_progress_start(struct hb_progress *p, size_t total)
{
	p->total = total;
	p->start = now_s();
	p->tty = isatty(STDERR_FILENO);
	p->last_done = 0;
}

void hb_progress_case(struct hb_progress *p, size_t done, const char *name)
{
	double elapsed = now_s() - p->start;
	char el[32], left[32];

	if (done == p->last_done)
		return;
	p->last_done = done;
	hb_format_duration(elapsed, el, sizeof(el));
	hb_format_duration(elapsed / (double)done * (double)(p->total - done),
			   left, sizeof(left));
	fprintf(stderr, "%s[case %zu of %zu] %s elapsed, about %s left: %s%s",
		p->tty ? "\r\033[K" : "", done, p->total, el, left, name,
		p->tty ? "" : "\n");
	fflush(stderr);
}

void hb_progress_end(struct hb_progress *p)
{
	char el[32];

	hb_format_duration(now_s() - p->start, el, sizeof(el));
	fprintf(stderr, "%s%zu cases in %s\n", p->tty ? "\r\033[K" : "",
		p->total, el);
}
