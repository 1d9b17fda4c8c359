// SPDX-License-Identifier: GPL-2.0
/* Google Benchmark callbacks for module, baseline and calibration cases. */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gbench/gbench_shim.h"
#include "page_state.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

/* Sums over the timed calls of one repetition. */
struct rep_sums {
	int64_t iterations;
	uint64_t total_ns, fill_ns, fault_ns, calls, retries, pmd_pages;
	uint64_t npages, subset_pages, write_pages, own_restarts;
};

static void fail_case(gbs_state *st, struct hb_case_result *res,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail_case(gbs_state *st, struct hb_case_result *res,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	res->errored = true;
	gbs_skip_with_error(st, res->error);
}

static int bind_cpu(struct hb_case_result *res, char *err, size_t errlen)
{
	struct hb_runner *r = res->runner;
	int node = res->c->nodes.cpu;
	int ret;

	if (r->bound_node == node)
		return 0;
	ret = hb_bind_to_node(r->topo, node, err, errlen);
	if (!ret)
		r->bound_node = node;
	return ret;
}

/*
 * Build the case's state. The first build of a repetition (@state_pct
 * given) is then checked from userspace to be the state the case is named
 * after, so a case does not measure something else; the rebuilds between
 * its calls repeat the same steps and are not checked again (under TCG the
 * checks would add a third to a run).
 */
static int build(struct hb_case_result *res, struct hb_range *range,
		 double *state_pct, char *err, size_t errlen)
{
	const struct hb_case *c = res->c;
	double pct = 0;
	int ret;

	ret = hb_range_build(range, c->state, c->size, c->nodes.mem, err,
			     errlen);
	if (ret || !state_pct)
		return ret;
	ret = hb_range_check(range, res->repetitions == 1, &pct, err, errlen);
	if (ret)
		hb_range_destroy(range);
	if (pct < *state_pct)
		*state_pct = pct;
	return ret;
}

/*
 * Where this repetition's pages are (a move_pages() sample), as counters:
 * placed_pct on the wanted memory node, node<N>_pct on each node.
 */
static void placement_counters(gbs_state *st, struct hb_case_result *res,
			       const struct hb_range *range)
{
	const struct hb_topology *t = res->runner->topo;
	struct hb_placement p;
	char name[32];
	double pct;
	int i;

	if (hb_placement_check(range->addr, range->len, res->c->nodes.mem,
			       &p) || !p.present)
		return;
	pct = 100.0 * (double)p.on_node / (double)p.present;
	gbs_set_counter(st, "placed_pct", pct, GBS_COUNTER_DEFAULT);
	for (i = 0; i < t->nnodes; i++) {
		if (t->node[i] >= HB_MAX_NODES_LIST)
			continue;
		snprintf(name, sizeof(name), "node%u_pct", t->node[i]);
		gbs_set_counter(st, name,
				100.0 * (double)p.by_node[t->node[i]] /
				(double)p.present, GBS_COUNTER_DEFAULT);
	}
	res->placed_sum += pct;
	res->placed_n++;
	res->placed_pct = res->placed_sum / (double)res->placed_n;
}

static void set_counters(gbs_state *st, struct hb_case_result *res,
			 const struct rep_sums *s, double state_pct)
{
	const struct hb_case *c = res->c;
	double it = s->iterations ? (double)s->iterations : 1;
	double npages = (double)c->size / 4096;

	gbs_set_counter(st, "pages", npages, GBS_COUNTER_DEFAULT);
	gbs_set_counter(st, "ns_per_page", (double)s->total_ns / it / npages,
			GBS_COUNTER_DEFAULT);
	gbs_set_counter(st, "pages_per_s", npages * it, GBS_COUNTER_RATE);
	gbs_set_counter(st, "GiB_per_s", (double)c->size * it / (1 << 30),
			GBS_COUNTER_RATE);
	gbs_set_counter(st, "window", c->window, GBS_COUNTER_DEFAULT);
	gbs_set_counter(st, "cpu_node", c->nodes.cpu, GBS_COUNTER_DEFAULT);
	gbs_set_counter(st, "mem_node", c->nodes.mem, GBS_COUNTER_DEFAULT);
	gbs_set_counter(st, "state_pct", state_pct, GBS_COUNTER_DEFAULT);
	if (c->kind != HB_KIND_BASE) {
		gbs_set_counter(st, "fill_ns", (double)s->fill_ns / it,
				GBS_COUNTER_DEFAULT);
		gbs_set_counter(st, "fault_ns", (double)s->fault_ns / it,
				GBS_COUNTER_DEFAULT);
		gbs_set_counter(st, "calls", (double)s->calls / it,
				GBS_COUNTER_DEFAULT);
		gbs_set_counter(st, "retries", (double)s->retries / it,
				GBS_COUNTER_DEFAULT);
		gbs_set_counter(st, "pmd_pages", (double)s->pmd_pages / it,
				GBS_COUNTER_DEFAULT);
		/* Asked to be writable, and made writable (mixed: more). */
		if (res->runner->dev->info.features &
		    HMM_BENCH_FEAT_SUBSET_PAGES)
			gbs_set_counter(st, "subset_pages",
					(double)s->subset_pages / it,
					GBS_COUNTER_DEFAULT);
		/* The retries the call's own copies caused (README). */
		if (res->runner->dev->info.features &
		    HMM_BENCH_FEAT_OWN_RESTARTS)
			gbs_set_counter(st, "own_restarts",
					(double)s->own_restarts / it,
					GBS_COUNTER_DEFAULT);
		gbs_set_counter(st, "write_pages", (double)s->write_pages / it,
				GBS_COUNTER_DEFAULT);
	}
}

/* A repetition that cannot start: fail it, and end its loop. */
static void fail_repetition(gbs_state *st, struct hb_case_result *res,
			    const char *err)
{
	fail_case(st, res, "%s", err);
	while (gbs_keep_running(st))
		;
}

/* Tell the progress hook; true if this repetition needs a warm-up call. */
static bool repetition_starts(struct hb_case_result *res)
{
	struct hb_runner *r = res->runner;

	if (r->on_repetition)
		r->on_repetition(res->c, r->user);
	return !res->repetitions++ || res->c->size <= HB_WARMUP_MAX_BYTES;
}

/* One call of the module; 0, or the case has failed. */
static int module_call(gbs_state *st, struct hb_case_result *res,
		       const struct hb_range *range, struct hmm_bench_fault *req,
		       uint64_t *hist)
{
	const struct hb_case *c = res->c;
	int ret;

	hb_fault_init(req, range->addr, range->len, c->style, c->ask.request,
		      c->ask.access, c->window);
	req->mixed_stride = c->mixed_stride;
	if (c->kind == HB_KIND_CAL)
		req->flags = HMM_BENCH_F_CALIBRATE;
	if (hist) {
		req->hist_buckets = HB_HIST_BUCKETS;
		req->hist_ptr = (uintptr_t)hist;
	}
	ret = hb_device_fault(res->runner->dev->fd, req);
	if (ret) {
		fail_case(st, res, "HMM_BENCH_IOC_FAULT failed: %s",
			  strerror(-ret));
		return ret;
	}
	if (c->kind == HB_KIND_HMM &&
	    req->verdict != HMM_BENCH_VERDICT_PASS) {
		fail_case(st, res,
			  "verification failed: %" PRIu64 " of %" PRIu64
			  " pages do not satisfy the request, first at page %"
			  PRIu64 " (valid %" PRIu64 ", write %" PRIu64
			  ", error %" PRIu64 ")",
			  (uint64_t)req->pages_bad, (uint64_t)req->npages,
			  (uint64_t)req->first_bad, (uint64_t)req->pages_valid,
			  (uint64_t)req->pages_write,
			  (uint64_t)req->pages_error);
		return -EIO;
	}
	/* A THP state is PMD-mapped whatever the request (smaps said so
	 * at the case's first build; the module tells it for every call). */
	if (c->kind == HB_KIND_HMM && c->state->expect.pmd &&
	    req->pages_pmd != req->npages) {
		fail_case(st, res,
			  "state '%s' not kept: %" PRIu64 " of %" PRIu64
			  " pages were PMD-mapped (THP split or not allocated)",
			  hb_state_name(c->state), (uint64_t)req->pages_pmd,
			  (uint64_t)req->npages);
		return -EPROTO;
	}
	return 0;
}

static void run_module_case(gbs_state *st, void *user)
{
	struct hb_case_result *res = user;
	bool snapshot = res->c->ask.request == HMM_BENCH_REQ_SNAPSHOT;
	uint64_t hist[HB_HIST_BUCKETS];
	struct rep_sums s = { 0 };
	struct hmm_bench_fault req;
	double state_pct = 100;
	bool warm_up = repetition_starts(res), fresh;
	struct hb_range range;
	char err[512];
	size_t b;

	if (bind_cpu(res, err, sizeof(err)) ||
	    build(res, &range, &state_pct, err, sizeof(err))) {
		fail_repetition(st, res, err);
		return;
	}
	/* Warm-up: one untimed call, then the state as the case wants it;
	 * its verdict is checked like any other. */
	if (warm_up && module_call(st, res, &range, &req, NULL))
		goto out;
	fresh = !warm_up;
	while (gbs_keep_running(st)) {
		if (!fresh && hb_range_needs_rebuild(&range, snapshot)) {
			hb_range_destroy(&range);
			if (build(res, &range, NULL, err, sizeof(err))) {
				fail_case(st, res, "rebuilding the state: %s",
					  err);
				break;
			}
		}
		fresh = false;
		if (module_call(st, res, &range, &req, hist))
			break;
		gbs_set_iteration_time(st, (double)req.total_ns * 1e-9);
		s.iterations++;
		s.total_ns += req.total_ns;
		s.fill_ns += req.fill_ns;
		s.fault_ns += req.fault_ns;
		s.calls += req.calls;
		s.retries += req.ebusy_retries + req.seq_retries;
		s.pmd_pages += req.pages_pmd;
		s.subset_pages += req.subset_pages;
		s.write_pages += req.pages_write;
		s.own_restarts += req.own_restarts;
		for (b = 0; b < HB_HIST_BUCKETS; b++)
			res->hist[b] += hist[b];
		res->calls++;
		res->retries += req.ebusy_retries + req.seq_retries;
		res->retries_per_call = (double)res->retries /
					(double)res->calls;
	}
	placement_counters(st, res, &range);
	set_counters(st, res, &s, state_pct);
out:
	hb_range_destroy(&range);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The userspace reference: fault the same pages without HMM. The touch
 * loop is guarded: a page the kernel cannot back (SIGBUS) fails the case.
 */
static int baseline_call(const struct hb_case *c, struct hb_range *range,
			 uint64_t *ns, char *err, size_t errlen)
{
	bool write = c->ask.access == HMM_BENCH_ACCESS_WRITE;
	uint64_t t0;
	int ret;

	if (c->method != HB_BASE_POPULATE)
		return hb_touch_range(range->addr, range->len, 4096, write,
				      now_ns, ns, err, errlen);
	t0 = now_ns();
	if (madvise(range->addr, range->len,
		    write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ)) {
		ret = -errno;
		snprintf(err, errlen, "madvise(%s): %s",
			 write ? "MADV_POPULATE_WRITE" : "MADV_POPULATE_READ",
			 strerror(-ret));
		return ret;
	}
	*ns = now_ns() - t0;
	return 0;
}

static void run_baseline_case(gbs_state *st, void *user)
{
	struct hb_case_result *res = user;
	bool changes = res->c->state->fault_changes;
	bool warm_up = repetition_starts(res), fresh = !warm_up;
	struct rep_sums s = { 0 };
	double state_pct = 100;
	struct hb_range range;
	char err[512];
	uint64_t ns = 0;
	int ret;

	if (bind_cpu(res, err, sizeof(err)) ||
	    build(res, &range, &state_pct, err, sizeof(err))) {
		fail_repetition(st, res, err);
		return;
	}
	/* Warm-up, untimed, as for the module's cases. */
	ret = warm_up ? baseline_call(res->c, &range, &ns, err, sizeof(err)) : 0;
	while (!ret && gbs_keep_running(st)) {
		/* Every fault changes a state that needs faulting: rebuild. */
		if (changes && !fresh) {
			hb_range_destroy(&range);
			if (build(res, &range, NULL, err, sizeof(err))) {
				fail_case(st, res, "rebuilding the state: %s",
					  err);
				break;
			}
		}
		fresh = false;
		ret = baseline_call(res->c, &range, &ns, err, sizeof(err));
		if (ret)
			break;
		gbs_set_iteration_time(st, (double)ns * 1e-9);
		s.iterations++;
		s.total_ns += ns;
		res->calls++;
	}
	if (ret) {
		fail_case(st, res, "%s", err);
		while (gbs_keep_running(st))
			;
	}
	placement_counters(st, res, &range);
	set_counters(st, res, &s, state_pct);
	hb_range_destroy(&range);
}

int hb_runner_register(struct hb_runner *r, struct hb_plan *plan)
{
	struct gbs_case_opts opts;
	struct hb_case_result *res;
	struct hb_case *c;
	size_t i;
	int ret;

	r->bound_node = -1;
	for (i = 0; i < plan->n; i++) {
		c = &plan->cases[i];
		if (c->skipped || c->done_before)
			continue;
		res = calloc(1, sizeof(*res));
		if (!res)
			return -ENOMEM;
		res->runner = r;
		res->c = c;
		res->placed_pct = NAN;
		res->retries_per_call = NAN;
		c->result = res;
		memset(&opts, 0, sizeof(opts));
		opts.timing = GBS_TIMING_MANUAL;
		if (r->min_time > 0)
			opts.min_time = r->min_time;
		else
			opts.iterations = c->iterations;
		opts.repetitions = c->repetitions;
		opts.display_aggregates_only = true;
		opts.unit = GBS_UNIT_NS;
		opts.stats = GBS_STAT_ALL;
		ret = gbs_register(c->name,
				   c->kind == HB_KIND_BASE ?
				   run_baseline_case : run_module_case,
				   res, &opts);
		if (ret)
			return ret;
	}
	return 0;
}

void hb_case_result_set_aggregate(struct hb_case_result *res,
				  const char *name, double value)
{
	static const char *const names[] = { "mean", "median", "stddev", "cv",
					     "min", "max", "p99" };
	double *fields[] = { &res->mean, &res->median, &res->stddev,
			     &res->cv, &res->min, &res->max, &res->p99 };
	size_t k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(name, names[k]))
			*fields[k] = value;
	res->have_stats = true;
	res->ns_per_page = res->mean / ((double)res->c->size / 4096);
}

void hb_case_results_free(struct hb_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		free(plan->cases[i].result);
		plan->cases[i].result = NULL;
	}
}
