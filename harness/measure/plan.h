/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan: a profile expanded into named cases, with the ones this machine
 * cannot run marked skipped and the reason why. Nothing here runs anything.
 */
#ifndef HMMBENCH_PLAN_H
#define HMMBENCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hmm_bench.h>

#include "topology.h"
#include "profile.h"
#include "common/result_folder.h"

/*
 * A case's kind is common/result_folder.h's: HB_KIND_HMM
 * (hmm_range_fault() through the module), HB_KIND_BASE (the same fault
 * from userspace), HB_KIND_CAL (the module's path without the fault).
 */

enum hb_baseline {
	HB_BASE_POPULATE,	/* MADV_POPULATE_READ/WRITE */
	HB_BASE_TOUCH,		/* a loop touching each page */
};

/* What the machine offers, as far as the plan needs to know. */
struct hb_machine {
	struct hmm_bench_info info;	/* the module's limits */
	uint64_t mem_available;		/* MemAvailable, bytes */
	uint64_t node_free[HB_MAX_NODES_LIST];	/* by OS index */
	bool has_populate;		/* MADV_POPULATE_* (5.14+) */
	char kernel_release[128];
};

struct hb_case {
	enum hb_case_kind kind;
	struct hb_ask ask;
	enum hmm_bench_style style;
	enum hb_baseline method;
	const struct hb_state *state;
	uint64_t size;
	uint32_t window;
	uint32_t mixed_stride;
	struct hb_node_pair nodes;
	int64_t iterations;
	int repetitions;
	char name[128];
	bool skipped;
	char skip_reason[256];
	bool done_before;		/* finished by the run this one resumes */
	void *result;			/* owned by the runner */
};

struct hb_plan {
	struct hb_case *cases;
	size_t n;
	size_t cap;
	size_t nskipped;
};

/*
 * Expand @p over @pairs. @filter, if not NULL, is an extended regular
 * expression that a case name must match (calibration always runs).
 */
int hb_plan_build(struct hb_plan *plan, const struct hb_profile *p,
		  const struct hb_node_pair *pairs, size_t npairs,
		  const struct hb_machine *m, const char *filter, char *err,
		  size_t errlen);
void hb_plan_free(struct hb_plan *plan);

/* A rough wall-clock estimate of running every case that is not skipped. */
double hb_plan_estimate_s(const struct hb_plan *plan, bool emulated);

/* Fill @m from /proc/meminfo, libnuma and a MADV_POPULATE probe. */
void hb_machine_probe(struct hb_machine *m, const struct hb_topology *t);

#endif /* HMMBENCH_PLAN_H */
