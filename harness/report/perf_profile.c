// SPDX-License-Identifier: GPL-2.0
/*
 * perf_profile.c - kernel profiles of a result folder (see perf_profile.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_profile.h"
#include "common/text.h"

int perf_profile_path(const char *dir, const char *name, char *buf,
		      size_t len)
{
	char file[512];

	if (hb_fmt(file, sizeof(file), "%s", name))
		return -1;
	for (char *p = file; *p; p++)
		if (*p == '/')
			*p = '_';
	return hb_fmt(buf, len, "%s/%s/%s%s", dir, HB_RESULT_PERF_DIR, file,
		      HB_RESULT_PERF_EXT);
}

static int add_entry(struct perf_profile *p, const char *symbol, double pct)
{
	struct perf_entry *grown = realloc(p->e, (p->n + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	p->e = grown;
	p->e[p->n].symbol = strdup(symbol);
	if (!p->e[p->n].symbol)
		return -1;
	p->e[p->n++].pct = pct;
	return 0;
}

int perf_profile_load(const char *dir, const char *name,
		      struct perf_profile *p, char *err, size_t errlen)
{
	char path[4096], *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t got;
	FILE *f;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	if (perf_profile_path(dir, name, path, sizeof(path)))
		return 1;
	f = fopen(path, "r");
	if (!f)
		return 1;
	while ((got = getline(&line, &cap, f)) > 0) {
		char symbol[512];
		double pct;
		int used = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[strspn(line, " \t")] || line[strspn(line, " \t")] == '#')
			continue;
		if (sscanf(line, " %lf %511s %n", &pct, symbol, &used) != 2 ||
		    line[used] || !isfinite(pct) || pct < 0 || pct > 100) {
			hb_errf(err, errlen,
				"%s: line %zu is not \"PERCENT SYMBOL\": %.60s",
				path, lineno, line);
			ret = -1;
			break;
		}
		if (add_entry(p, symbol, pct)) {
			hb_errf(err, errlen, "%s: out of memory", path);
			ret = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	if (ret)
		perf_profile_free(p);
	return ret;
}

void perf_profile_free(struct perf_profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->e[i].symbol);
	free(p->e);
	memset(p, 0, sizeof(*p));
}

double perf_profile_share(const struct perf_profile *p, const char *symbol)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->e[i].symbol, symbol))
			return p->e[i].pct;
	return 0;
}

/* Insert @m into @out (sorted by |b - a|, largest first, at most @max). */
static void keep_largest(struct perf_move *out, size_t *n, size_t max,
			 struct perf_move m)
{
	size_t i = *n < max ? (*n)++ : max;

	if (i == max && fabs(m.b - m.a) <= fabs(out[max - 1].b - out[max - 1].a))
		return;
	if (i == max)
		i = max - 1;
	while (i > 0 && fabs(out[i - 1].b - out[i - 1].a) < fabs(m.b - m.a)) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = m;
}

size_t perf_profile_moves(const struct perf_profile *a,
			  const struct perf_profile *b, double min_points,
			  struct perf_move *out, size_t max)
{
	size_t n = 0;

	if (!max)
		return 0;
	/* every symbol of a, then those only in b */
	for (size_t i = 0; i < a->n; i++) {
		struct perf_move m = { a->e[i].symbol, a->e[i].pct,
				       perf_profile_share(b, a->e[i].symbol) };

		if (fabs(m.b - m.a) >= min_points)
			keep_largest(out, &n, max, m);
	}
	for (size_t i = 0; i < b->n; i++) {
		struct perf_move m = { b->e[i].symbol, 0, b->e[i].pct };
		int in_a = 0;

		for (size_t j = 0; j < a->n && !in_a; j++)
			in_a = !strcmp(a->e[j].symbol, b->e[i].symbol);
		if (!in_a && m.b >= min_points)
			keep_largest(out, &n, max, m);
	}
	return n;
}
