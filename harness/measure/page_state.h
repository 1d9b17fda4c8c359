/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page states: how a range looks before a timed call (DESIGN.md, "Page
 * states"). Each state is a const table entry; building happens in
 * userspace and is never timed.
 */
#ifndef HMMBENCH_PAGE_STATE_H
#define HMMBENCH_PAGE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/result_folder.h"

#define HB_PMD_SIZE	(2UL << 20)

struct hb_state;

/* A range in one page state, with what it takes to undo it. */
struct hb_range {
	const struct hb_state *state;
	uint8_t *addr;		/* start of the range */
	size_t len;		/* bytes */
	void *map;		/* whole mapping, for munmap */
	size_t map_len;
	int memfd;		/* file states, else -1 */
	pid_t child;		/* cow: the process sharing the pages, or 0 */
	int mem_node;		/* node the pages were bound to, or -1 */
};

/* What a built state looks like from userspace (checked after each build). */
enum hb_mapped {
	HB_MAPPED_NONE,		/* no page present in the page table */
	HB_MAPPED_ALL,		/* every page present */
	HB_MAPPED_HALF,		/* every other page present */
	HB_MAPPED_SWAPPED,	/* (nearly) every page a swap entry */
};

struct hb_expect {
	enum hb_mapped mapped;	/* pagemap bits 63 and 62 */
	bool shared;		/* no page exclusive to us (pagemap bit 56) */
	bool pmd;		/* the whole range PMD-mapped (smaps) */
	bool cached;		/* every page in the page cache (mincore) */
};

struct hb_state {
	enum hb_state_id id;	/* its name: hb_state_order[id] */
	const char *summary;
	/*
	 * Can this machine build the state for @len bytes on memory node
	 * @mem_node (-1: any)? 0, or -errno and the reason and the fix in
	 * @why (the case is then skipped).
	 */
	int (*available)(size_t len, int mem_node, char *why, size_t whylen);
	/* Build at r->len bytes and r->mem_node; -errno with @err on failure. */
	int (*build)(struct hb_range *r, char *err, size_t errlen);
	/* A fault request can change the state: rebuild before each call. */
	bool fault_changes;
	/* A snapshot can change it too (never, so far). */
	bool snapshot_changes;
	struct hb_expect expect;
};

/* All states, in the canonical order (common/result_folder.h). */
const struct hb_state *hb_states(size_t *count);
/* Its name in case names and on the command line. */
const char *hb_state_name(const struct hb_state *state);
/* NULL for an unknown name. */
const struct hb_state *hb_state_find(const char *name);
/* "none, zero, present, ..." for error messages. */
void hb_state_names(char *buf, size_t len);

/*
 * Build @state over @len bytes, its memory bound to @mem_node (-1: no
 * binding). 0 or -errno; on error nothing is left mapped.
 */
int hb_range_build(struct hb_range *r, const struct hb_state *state,
		   size_t len, int mem_node, char *err, size_t errlen);
void hb_range_destroy(struct hb_range *r);

/*
 * Touch [@addr, @addr + @len) every @step bytes (a write, or a read), with
 * SIGBUS and SIGSEGV caught: 0, or -EFAULT with the signal and where in
 * @err. With @clock_ns, the loop alone is timed into @ns.
 */
int hb_touch_range(void *addr, size_t len, size_t step, bool write,
		   uint64_t (*clock_ns)(void), uint64_t *ns, char *err,
		   size_t errlen);

/*
 * Is the range in its state? Looks at a sample of pagemap, and at
 * mincore() and (with @deep) smaps where the state says so; untimed. 0;
 * -EPROTO with what was found and a likely cause in @why; -errno when the
 * kernel could not be asked. @pct: share of the sample in the state.
 * smaps is costly (the kernel walks every mapping of the process), so the
 * runner asks for it once a case and checks PMD mappings through the
 * module's counts otherwise.
 */
int hb_range_check(const struct hb_range *r, bool deep, double *pct,
		   char *why, size_t whylen);

/* Must the range be rebuilt after a call with this request? */
bool hb_range_needs_rebuild(const struct hb_range *r, bool snapshot);

#endif /* HMMBENCH_PAGE_STATE_H */
