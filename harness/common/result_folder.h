/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result folder: the one contract between hmmbench, which writes it
 * (measure/output.c), and hmmbench-report, which reads it
 * (report/results.c).
 *
 * A run is results/<host>/<kernel-release>/<timestamp>/, written as
 * .<timestamp>.partial and renamed when complete. Inside:
 *   hmmbench.json  Google Benchmark JSON; its context carries
 *                  hmmbench_schema = HB_RESULT_SCHEMA
 *   summary.txt    one line per case, for people
 *   console.txt    Google Benchmark's console table, as it ran (its
 *                  "Library was built as DEBUG" line is about the
 *                  library's own timer loop: the times are the module's)
 *   skipped.tsv    "name TAB reason" per case this machine could not run
 *   system/        what the machine was (uname, config, THP, topology...)
 *   hist/          per-case latency histograms
 *   cases/         while running: each finished case's JSON (for resume)
 *   perf/          optional kernel profiles (--perf CASES): perf/<case>.txt
 *                  for a case, <case> its name (below; no "/manual_time")
 *                  with '/' made '_' (hmm_read_default_none_2M_c0m0.txt);
 *                  each line
 *                  "PERCENT SYMBOL", the symbol's share of the samples in
 *                  percent, highest first; '#' lines are comments
 *   COMPLETE       written last; a folder without it was interrupted
 *
 * Case names: hmm/<access>/<style>/<state>/<size>/c<C>m<M> (the module),
 * base/<access>/<populate|touch>/<state>/<size>/c<C>m<M> (userspace
 * baselines), cal/noop/<style>/<state>/<size>/c<C>m<M> (the instrument's
 * own cost). Sizes are in binary units (4K, 2M, 1G, 1T).
 */
#ifndef HMMBENCH_RESULT_FOLDER_H
#define HMMBENCH_RESULT_FOLDER_H

#include <stddef.h>
#include <stdint.h>

/* Bump when a reader of the old layout would misread the new one. */
#define HB_RESULT_SCHEMA	"1"

#define HB_RESULT_JSON		"hmmbench.json"
#define HB_RESULT_SUMMARY	"summary.txt"
#define HB_RESULT_CONSOLE	"console.txt"
#define HB_RESULT_SKIPPED	"skipped.tsv"
#define HB_RESULT_COMPLETE	"COMPLETE"
#define HB_RESULT_CASES_DIR	"cases"
#define HB_RESULT_HIST_DIR	"hist"
#define HB_RESULT_SYSTEM_DIR	"system"
#define HB_RESULT_PERF_DIR	"perf"
#define HB_RESULT_PERF_EXT	".txt"

/*
 * The canonical order of accesses and page states: the sweep runs them in
 * this order, and every table and plot lists them in it. The names are
 * hb_access_order[id] and hb_state_order[id] (NULL-terminated).
 * measure/page_state.c has one entry per hb_state_id.
 */
enum hb_access_id {
	HB_ACCESS_READ,
	HB_ACCESS_WRITE,
	HB_ACCESS_MIXED,	/* read everything, write every k-th page */
	HB_ACCESS_SNAP,		/* fault nothing */
	HB_ACCESS_COUNT
};

enum hb_state_id {
	HB_STATE_NONE,
	HB_STATE_ZERO,
	HB_STATE_PRESENT,
	HB_STATE_COW,
	HB_STATE_THP,
	HB_STATE_THP_NONE,
	HB_STATE_NOTHP,
	HB_STATE_FILE,
	HB_STATE_FILE_MAPPED,
	HB_STATE_SWAPPED,
	HB_STATE_HUGETLB,
	HB_STATE_SPARSE,
	HB_STATE_COUNT
};

extern const char *const hb_access_order[HB_ACCESS_COUNT + 1];
extern const char *const hb_state_order[HB_STATE_COUNT + 1];

/* Index in the canonical order; unknown names sort after every known one. */
int hb_access_rank(const char *access);
int hb_state_rank(const char *state);

enum hb_case_kind {
	HB_KIND_OTHER,		/* a name we do not parse: compared, not reported */
	HB_KIND_HMM,		/* hmm/... */
	HB_KIND_BASE,		/* base/... */
	HB_KIND_CAL,		/* cal/noop/... */
};

/* A case name taken apart. */
struct hb_case_id {
	enum hb_case_kind kind;
	char access[16];	/* read, write, mixed, snap; "noop" for cal/ */
	char style[16];		/* prefill, default; populate, touch for base/ */
	char state[16];		/* none, zero, present, ... */
	char size[16];		/* as written: 4K, 2M, 1G */
	uint64_t size_bytes;
	int cpu_node;		/* -1 without a c<C>m<M> suffix */
	int mem_node;
};

/*
 * Write the name of @id (kind, access, style, state, size_bytes and nodes
 * are used) into @buf. 0, or -ENAMETOOLONG, or -EINVAL for HB_KIND_OTHER.
 */
int hb_case_name_format(const struct hb_case_id *id, char *buf, size_t len);

/*
 * Parse a name as Google Benchmark reports it (its "/manual_time" and
 * "/iterations:N" segments are ignored). 0 for hmm/, base/ and cal/
 * names; -EINVAL otherwise, with @id->kind = HB_KIND_OTHER.
 */
int hb_case_name_parse(const char *name, struct hb_case_id *id);

/*
 * The canonical order of cases: by access, state (their canonical order,
 * then unknown names alphabetically), size, CPU node, memory node. Kind
 * and style are not compared. For qsort() through a wrapper.
 */
int hb_case_id_cmp(const struct hb_case_id *a, const struct hb_case_id *b);

/*
 * Sizes: digits with an optional binary unit K, M, G or T (either case,
 * optionally followed by "iB" or "B"). 0, -EINVAL for junk, -ERANGE for
 * more than 64 bits.
 */
int hb_size_parse(const char *text, uint64_t *bytes);
/* The largest exact unit: 4096 -> "4K", 6144 -> "6K", 1000 -> "1000". */
void hb_size_format(uint64_t bytes, char *buf, size_t len);

#endif /* HMMBENCH_RESULT_FOLDER_H */
