// SPDX-License-Identifier: GPL-2.0
/* The result folder's names and case names (see result_folder.h). */
#include "result_folder.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const hb_access_order[HB_ACCESS_COUNT + 1] = {
	[HB_ACCESS_READ] = "read",
	[HB_ACCESS_WRITE] = "write",
	[HB_ACCESS_MIXED] = "mixed",
	[HB_ACCESS_SNAP] = "snap",
};

const char *const hb_state_order[HB_STATE_COUNT + 1] = {
	[HB_STATE_NONE] = "none",
	[HB_STATE_ZERO] = "zero",
	[HB_STATE_PRESENT] = "present",
	[HB_STATE_COW] = "cow",
	[HB_STATE_THP] = "thp",
	[HB_STATE_THP_NONE] = "thp-none",
	[HB_STATE_NOTHP] = "nothp",
	[HB_STATE_FILE] = "file",
	[HB_STATE_FILE_MAPPED] = "file-mapped",
	[HB_STATE_SWAPPED] = "swapped",
	[HB_STATE_HUGETLB] = "hugetlb",
	[HB_STATE_SPARSE] = "sparse",
};

static int rank_in(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return i + 1;
}

int hb_access_rank(const char *access)
{
	return rank_in(hb_access_order, access);
}

int hb_state_rank(const char *state)
{
	return rank_in(hb_state_order, state);
}

int hb_case_id_cmp(const struct hb_case_id *a, const struct hb_case_id *b)
{
	int d;

	d = hb_access_rank(a->access) - hb_access_rank(b->access);
	if (!d)
		d = strcmp(a->access, b->access);
	if (!d)
		d = hb_state_rank(a->state) - hb_state_rank(b->state);
	if (!d)
		d = strcmp(a->state, b->state);
	if (!d)
		d = (a->size_bytes > b->size_bytes) -
		    (a->size_bytes < b->size_bytes);
	if (!d)
		d = a->cpu_node - b->cpu_node;
	if (!d)
		d = a->mem_node - b->mem_node;
	return d;
}

int hb_size_parse(const char *text, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	unsigned long long value;
	const char *unit;
	char *end;
	int shift = 0;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == text)
		return -EINVAL;
	if (*end) {
		unit = strchr(units, toupper((unsigned char)*end));
		if (!unit)
			return -EINVAL;
		shift = 10 * (int)(unit - units + 1);
		end++;
		if (*end == 'i')	/* KiB, MiB: the same units */
			end++;
		if (*end == 'B')
			end++;
		if (*end)
			return -EINVAL;
		if (value > (UINT64_MAX >> shift))
			return -ERANGE;
	}
	*bytes = (uint64_t)value << shift;
	return 0;
}

void hb_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, bytes);
	else
		snprintf(buf, len, "%" PRIu64 "%c", bytes, units[u]);
}

int hb_case_name_format(const struct hb_case_id *id, char *buf, size_t len)
{
	char size[32];
	int n;

	hb_size_format(id->size_bytes, size, sizeof(size));
	switch (id->kind) {
	case HB_KIND_HMM:
		n = snprintf(buf, len, "hmm/%s/%s/%s/%s/c%dm%d", id->access,
			     id->style, id->state, size, id->cpu_node,
			     id->mem_node);
		break;
	case HB_KIND_BASE:
		n = snprintf(buf, len, "base/%s/%s/%s/%s/c%dm%d", id->access,
			     id->style, id->state, size, id->cpu_node,
			     id->mem_node);
		break;
	case HB_KIND_CAL:
		n = snprintf(buf, len, "cal/noop/%s/%s/%s/c%dm%d", id->style,
			     id->state, size, id->cpu_node, id->mem_node);
		break;
	default:
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* "key:value" segments Google Benchmark adds (iterations:5, repeats:3). */
static int is_gb_arg(const char *tok)
{
	return strchr(tok, ':') != NULL;
}

static int copy_tok(char *dst, size_t len, const char *src)
{
	if (strlen(src) >= len)
		return -1;
	strcpy(dst, src);
	return 0;
}

static int parse_nodes(const char *tok, int *c, int *m)
{
	int used = 0;

	if (sscanf(tok, "c%dm%d%n", c, m, &used) != 2 || tok[used] ||
	    *c < 0 || *m < 0)
		return -1;
	return 0;
}

int hb_case_name_parse(const char *name, struct hb_case_id *id)
{
	char buf[512], *tok[8], *save = NULL, *t;
	enum hb_case_kind kind;
	int n = 0;

	memset(id, 0, sizeof(*id));
	id->kind = HB_KIND_OTHER;
	id->cpu_node = id->mem_node = -1;
	if (strlen(name) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, name);
	for (t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (!strcmp(t, "manual_time") || !strcmp(t, "real_time") ||
		    is_gb_arg(t))
			continue;
		if (n == 8)
			return -EINVAL;
		tok[n++] = t;
	}
	if (n < 5 || n > 6)
		return -EINVAL;
	if (!strcmp(tok[0], "hmm"))
		kind = HB_KIND_HMM;
	else if (!strcmp(tok[0], "base"))
		kind = HB_KIND_BASE;
	else if (!strcmp(tok[0], "cal") && !strcmp(tok[1], "noop"))
		kind = HB_KIND_CAL;
	else
		return -EINVAL;
	if (copy_tok(id->access, sizeof(id->access), tok[1]) ||
	    copy_tok(id->style, sizeof(id->style), tok[2]) ||
	    copy_tok(id->state, sizeof(id->state), tok[3]) ||
	    copy_tok(id->size, sizeof(id->size), tok[4]) ||
	    hb_size_parse(tok[4], &id->size_bytes) ||
	    (n == 6 && parse_nodes(tok[5], &id->cpu_node, &id->mem_node))) {
		memset(id, 0, sizeof(*id));
		id->cpu_node = id->mem_node = -1;
		return -EINVAL;
	}
	id->kind = kind;
	return 0;
}
