/* SPDX-License-Identifier: GPL-2.0 */
/*
 * results.h - load one hmmbench run folder for analysis.
 *
 * A run folder is results/<host>/<kernel-release>/<timestamp>/ holding
 * hmmbench.json (Google Benchmark JSON whose context carries
 * hmmbench_schema), skipped.tsv, system/, hist/ and, written last, an empty
 * COMPLETE file. results_load() validates the folder and keeps, per
 * benchmark case, the per-repetition samples (run_type "iteration");
 * Google Benchmark's own aggregates are ignored, statistics are recomputed
 * from the samples.
 */
#ifndef HMMBENCH_RESULTS_H
#define HMMBENCH_RESULTS_H

#include <stddef.h>

/* The hmmbench_schema this code reads. */
#define RESULTS_SCHEMA "1"

/* Per-repetition counters that the benchmark writes as top-level fields. */
enum results_counter {
	CTR_NS_PER_PAGE,
	CTR_PAGES_PER_S,
	CTR_GIB_PER_S,
	CTR_FILL_NS,
	CTR_FAULT_NS,
	CTR_PAGES,
	CTR_CALLS,
	CTR_RETRIES,
	CTR_PMD_PAGES,
	CTR_PLACED_PCT,
	CTR_WINDOW,
	CTR_COUNT
};

extern const char *const results_counter_names[CTR_COUNT];

enum case_kind {
	CASE_OTHER,	/* a name we do not parse: compared, not reported */
	CASE_HMM,	/* hmm/<access>/<style>/<state>/<size>[/c<C>m<M>] */
	CASE_BASE,	/* base/<access>/<method>/<state>/<size> */
};

/* A benchmark name taken apart. */
struct case_id {
	enum case_kind kind;
	char access[16];	/* read, write, mixed, snap */
	char style[16];		/* prefill, default; populate, touch for base */
	char state[16];		/* none, zero, present, ... */
	char size[16];		/* as written: 4K, 2M, 1G */
	unsigned long long size_bytes;
	int cpu_node;		/* -1 without a c<C>m<M> suffix */
	int mem_node;
};

struct result_case {
	char *name;		/* full Google Benchmark name, the match key */
	char *label;		/* name without "/manual_time" */
	struct case_id id;
	size_t n;		/* successful repetitions */
	double *time_ns;	/* real_time per call, in ns, per repetition */
	double *ctr[CTR_COUNT];	/* per repetition; NAN where absent */
	char *error;		/* error_message of a failed repetition */
	size_t n_error;		/* failed repetitions */
};

struct result_skipped {
	char *name;
	char *reason;
};

struct result_ctx {
	char *key;
	char *value;		/* numbers and booleans as text */
};

struct run {
	char *dir;
	int complete;		/* COMPLETE present */
	struct result_ctx *ctx;
	size_t nctx;
	struct result_case *cases;
	size_t ncases;
	struct result_skipped *skipped;
	size_t nskipped;
};

/*
 * Load the run folder @dir into @run. Returns 0, or -1 with a one-line
 * message in @err that names the problem and the fix. An interrupted run
 * (no COMPLETE) is refused unless @allow_incomplete.
 */
int results_load(const char *dir, int allow_incomplete, struct run *run,
		 char *err, size_t errlen);
void results_free(struct run *run);

/* Context value as text, or NULL when the key is absent. */
const char *results_ctx(const struct run *run, const char *key);
/* Like results_ctx() but never NULL: absent keys read as @dflt. */
const char *results_ctx_or(const struct run *run, const char *key,
			   const char *dflt);

const struct result_case *results_find(const struct run *run,
				       const char *name);

/* Parse a benchmark name; returns 0 for hmm/ and base/ names, else -1. */
int results_parse_name(const char *name, struct case_id *id);
/* Parse 4K / 64K / 2M / 1G / 1T (binary units) or plain bytes. */
int results_parse_size(const char *s, unsigned long long *bytes);

/*
 * Sort ranks of the known accesses (read, write, mixed, snap) and page
 * states (none, zero, present, ...) in the order of the design; unknown
 * names sort last.
 */
int results_access_rank(const char *access);
int results_state_rank(const char *state);

/* Time per page of repetition @r: the ns_per_page counter, or time / pages
 * (pages from the counter, else the range size in 4 KiB pages). */
double results_ns_per_page(const struct result_case *c, size_t r);

/* Largest and smallest repetition count over the cases of a run. */
size_t results_max_reps(const struct run *run);
size_t results_min_reps(const struct run *run);

#endif /* HMMBENCH_RESULTS_H */
