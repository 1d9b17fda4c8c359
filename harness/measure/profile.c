// SPDX-License-Identifier: GPL-2.0
/* Profile files and the value syntax shared with the command line. */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "common/result_folder.h"

int64_t hb_profile_iterations(const struct hb_profile *p, uint64_t size)
{
	uint64_t n = size ? p->bytes_per_repetition / size : 1;

	if (n < 1)
		n = 1;
	if ((int64_t)n > p->max_iterations)
		n = (uint64_t)p->max_iterations;
	return (int64_t)n;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

static int bad(char *err, size_t errlen, const char *fmt, const char *a,
	       const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

static int parse_long(const char *key, const char *value, long min, long max,
		      long *out, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max) {
		snprintf(err, errlen, "%s: '%s' is not a whole number from %ld to %ld",
			 key, value, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Each word of @value through @one; an empty list is an error. */
static int each_word(struct hb_profile *p, const char *key, const char *value,
		     int (*one)(struct hb_profile *, const char *, char *,
				size_t),
		     char *err, size_t errlen)
{
	char copy[1024], *save = NULL, *word;
	int ret, n = 0;

	snprintf(copy, sizeof(copy), "%s", value);
	for (word = strtok_r(copy, " \t,", &save); word;
	     word = strtok_r(NULL, " \t,", &save)) {
		ret = one(p, word, err, errlen);
		if (ret)
			return ret;
		n++;
	}
	if (!n)
		return bad(err, errlen, "%s: needs at least one value%s", key, "");
	return 0;
}

static int add_size(struct hb_profile *p, const char *word, char *err,
		    size_t errlen)
{
	uint64_t size;

	if (hb_size_parse(word, &size) || !size || size % 4096)
		return bad(err, errlen,
			   "size '%s' is not a whole number of 4 KiB pages (e.g. 4K, 2M, 1G)%s",
			   word, "");
	if (p->nsizes == HB_MAX_LIST)
		return bad(err, errlen, "too many sizes at '%s'%s", word, "");
	p->sizes[p->nsizes++] = size;
	return 0;
}

static int add_state(struct hb_profile *p, const char *word, char *err,
		     size_t errlen)
{
	const struct hb_state *state = hb_state_find(word);
	char names[256];

	if (!state) {
		hb_state_names(names, sizeof(names));
		return bad(err, errlen, "unknown page state '%s' (known: %s)",
			   word, names);
	}
	if (p->nstates == HB_MAX_LIST)
		return bad(err, errlen, "too many states at '%s'%s", word, "");
	p->states[p->nstates++] = state;
	return 0;
}

static int add_ask(struct hb_profile *p, const char *word, char *err,
		   size_t errlen)
{
	struct hb_ask ask;

	if (hb_request_parse(word, &ask.request, &ask.access))
		return bad(err, errlen,
			   "unknown access '%s' (known: read, write, mixed, snap)%s",
			   word, "");
	if (p->nasks == 4)
		return bad(err, errlen, "access '%s' given twice?%s", word, "");
	p->asks[p->nasks++] = ask;
	return 0;
}

static int add_style(struct hb_profile *p, const char *word, char *err,
		     size_t errlen)
{
	enum hmm_bench_style style;

	if (hb_style_parse(word, &style))
		return bad(err, errlen,
			   "unknown style '%s' (known: prefill, default)%s",
			   word, "");
	if (p->nstyles == 2)
		return bad(err, errlen, "style '%s' given twice?%s", word, "");
	p->styles[p->nstyles++] = style;
	return 0;
}

static int add_baseline(struct hb_profile *p, const char *word, char *err,
			size_t errlen)
{
	if (!strcmp(word, "populate"))
		p->baseline_populate = true;
	else if (!strcmp(word, "touch"))
		p->baseline_touch = true;
	else if (strcmp(word, "none"))
		return bad(err, errlen,
			   "unknown baseline '%s' (known: populate, touch, none)%s",
			   word, "");
	return 0;
}

static int add_numa(struct hb_profile *p, const char *word, char *err,
		    size_t errlen)
{
	if (!strcmp(word, "local"))
		p->numa_local = true;
	else if (!strcmp(word, "remote"))
		p->numa_remote = true;
	else
		return bad(err, errlen,
			   "unknown numa placement '%s' (known: local, remote)%s",
			   word, "");
	return 0;
}

static int add_extra(struct hb_profile *p, const char *value, char *err,
		     size_t errlen)
{
	char ask[16], state[32], size[32];
	struct hb_extra *x;

	if (p->nextras == HB_MAX_EXTRA)
		return bad(err, errlen, "more than 8 extra lines at '%s'%s",
			   value, "");
	x = &p->extras[p->nextras];
	if (sscanf(value, "%15s %31s %31s", ask, state, size) != 3)
		return bad(err, errlen,
			   "extra '%s' is not ACCESS STATE SIZE (e.g. snap none 1T)%s",
			   value, "");
	if (hb_request_parse(ask, &x->ask.request, &x->ask.access))
		return bad(err, errlen, "extra: unknown access '%s'%s", ask, "");
	x->state = hb_state_find(state);
	if (!x->state)
		return bad(err, errlen, "extra: unknown state '%s'%s", state, "");
	if (hb_size_parse(size, &x->size) || !x->size || x->size % 4096)
		return bad(err, errlen, "extra: bad size '%s'%s", size, "");
	p->nextras++;
	return 0;
}

int hb_profile_set(struct hb_profile *p, const char *key, const char *value,
		   char *err, size_t errlen)
{
	uint64_t bytes;
	long v;
	int ret;

	if (!strcmp(key, "description")) {
		snprintf(p->description, sizeof(p->description), "%s", value);
		return 0;
	}
	if (!strcmp(key, "sizes")) {
		p->nsizes = 0;
		return each_word(p, key, value, add_size, err, errlen);
	}
	if (!strcmp(key, "states")) {
		p->nstates = 0;
		return each_word(p, key, value, add_state, err, errlen);
	}
	if (!strcmp(key, "access")) {
		p->nasks = 0;
		return each_word(p, key, value, add_ask, err, errlen);
	}
	if (!strcmp(key, "styles")) {
		p->nstyles = 0;
		return each_word(p, key, value, add_style, err, errlen);
	}
	if (!strcmp(key, "baselines")) {
		p->baseline_populate = p->baseline_touch = false;
		return each_word(p, key, value, add_baseline, err, errlen);
	}
	if (!strcmp(key, "numa")) {
		p->numa_local = p->numa_remote = false;
		return each_word(p, key, value, add_numa, err, errlen);
	}
	if (!strcmp(key, "extra"))
		return add_extra(p, value, err, errlen);
	if (!strcmp(key, "window")) {
		ret = parse_long(key, value, 0, 1L << 24, &v, err, errlen);
		p->window = (uint32_t)v;
		return ret;
	}
	if (!strcmp(key, "mixed_stride")) {
		ret = parse_long(key, value, 1, 1L << 20, &v, err, errlen);
		p->mixed_stride = (uint32_t)v;
		return ret;
	}
	if (!strcmp(key, "repetitions")) {
		ret = parse_long(key, value, 1, 1000, &v, err, errlen);
		p->repetitions = (int)v;
		return ret;
	}
	if (!strcmp(key, "max_iterations")) {
		ret = parse_long(key, value, 1, 1L << 30, &v, err, errlen);
		p->max_iterations = v;
		return ret;
	}
	if (!strcmp(key, "bytes_per_repetition")) {
		if (hb_size_parse(value, &bytes) || !bytes)
			return bad(err, errlen, "%s: '%s' is not a size (e.g. 64M)",
				   key, value);
		p->bytes_per_repetition = bytes;
		return 0;
	}
	return bad(err, errlen,
		   "unknown key '%s'%s (known: description sizes states access styles window mixed_stride baselines numa repetitions bytes_per_repetition max_iterations extra)",
		   key, "");
}

static void profile_defaults(struct hb_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->window = 512;
	p->mixed_stride = 4;
	p->repetitions = 9;
	p->bytes_per_repetition = 64ULL << 20;
	p->max_iterations = 64;
	p->numa_local = true;
}

static int check_complete(const struct hb_profile *p, const char *path,
			  char *err, size_t errlen)
{
	const char *missing = !p->nsizes ? "sizes" : !p->nstates ? "states" :
			      !p->nasks ? "access" : !p->nstyles ? "styles" :
			      NULL;

	if (missing)
		return bad(err, errlen, "%s: no '%s' line", path, missing);
	return 0;
}

int hb_profile_load(struct hb_profile *p, const char *name_or_path,
		    const char *profiles_dir, char *err, size_t errlen)
{
	char path[1024], line[1024], msg[512], *key, *value, *eq, *base;
	int lineno = 0, ret = 0;
	FILE *f;

	profile_defaults(p);
	if (strchr(name_or_path, '/'))
		snprintf(path, sizeof(path), "%s", name_or_path);
	else
		snprintf(path, sizeof(path), "%s/%s.conf", profiles_dir,
			 name_or_path);
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen,
			 "profile '%s': cannot open %s: %s (profiles: quick, standard, full, or a path to a .conf file)",
			 name_or_path, path, strerror(-ret));
		return ret;
	}
	base = strrchr(path, '/');
	snprintf(p->name, sizeof(p->name), "%.63s", base ? base + 1 : path);
	p->name[strcspn(p->name, ".")] = 0;

	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "#")] = 0;
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'",
				 path, lineno);
			ret = -EINVAL;
			break;
		}
		*eq = 0;
		value = trim(eq + 1);
		key = trim(key);
		ret = hb_profile_set(p, key, value, msg, sizeof(msg));
		if (ret)
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
	}
	fclose(f);
	if (!ret)
		ret = check_complete(p, path, err, errlen);
	return ret;
}
