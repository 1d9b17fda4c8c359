// SPDX-License-Identifier: GPL-2.0
/* Expanding a profile into cases, and deciding what this machine skips. */
#include "plan.h"

#include <errno.h>
#include <numa.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "device.h"
#include "runner.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

static struct hb_case *plan_add(struct hb_plan *plan)
{
	struct hb_case *grown;

	if (plan->n == plan->cap) {
		plan->cap = plan->cap ? plan->cap * 2 : 256;
		grown = realloc(plan->cases, plan->cap * sizeof(*grown));
		if (!grown)
			return NULL;
		plan->cases = grown;
	}
	memset(&plan->cases[plan->n], 0, sizeof(plan->cases[0]));
	return &plan->cases[plan->n++];
}

static void skip(struct hb_case *c, const char *fmt, unsigned long long a,
		 unsigned long long b)
{
	if (c->skipped)
		return;
	c->skipped = true;
	snprintf(c->skip_reason, sizeof(c->skip_reason), fmt, a, b);
}

/* Memory a case takes: what it populates, and COW copies. */
static uint64_t memory_needed(const struct hb_case *c)
{
	const struct hb_state *s = c->state;
	bool writes = c->ask.request != HMM_BENCH_REQ_SNAPSHOT &&
		      c->ask.access == HMM_BENCH_ACCESS_WRITE;
	bool empty = s == hb_state_find("none") ||
		     s == hb_state_find("thp-none");

	if (empty)
		return writes ? c->size : 0;
	if (s == hb_state_find("cow"))
		return writes ? 2 * c->size : c->size;
	return c->size;
}

static void decide_skip(struct hb_case *c, const struct hb_machine *m)
{
	char why[256];
	uint64_t need = memory_needed(c);
	uint64_t pages = c->size / 4096;

	if (c->nodes.missing) {
		skip(c, "this machine has one NUMA node (numactl -H): remote placement needs two; ./run.sh --kernel runs a VM with two%.0llu%.0llu",
		     0, 0);
		return;
	}
	if (c->state->available &&
	    c->state->available(c->size, c->nodes.mem, why, sizeof(why))) {
		c->skipped = true;
		snprintf(c->skip_reason, sizeof(c->skip_reason), "%s", why);
		return;
	}
	if (c->kind == HB_KIND_BASE && c->method == HB_BASE_POPULATE &&
	    !m->has_populate)
		skip(c, "MADV_POPULATE_READ/WRITE needs Linux 5.14 or later%.0llu%.0llu",
		     0, 0);
	if (c->kind != HB_KIND_BASE) {
		if (c->size > m->info.max_range_bytes)
			skip(c, "the module takes ranges up to %llu GiB (max_range_gib)%.0llu",
			     m->info.max_range_bytes >> 30, 0);
		if (!c->window && pages > m->info.max_whole_pages)
			skip(c, "window 0 over %llu pages exceeds the module's max_whole_pages=%llu; use a window",
			     pages, m->info.max_whole_pages);
	}
	if (need > m->mem_available / 10 * 8)
		skip(c, "needs %llu MiB; only %llu MiB of memory is available",
		     need >> 20, m->mem_available >> 20);
	else if (c->nodes.mem >= 0 && c->nodes.mem < HB_MAX_NODES_LIST &&
		 need > m->node_free[c->nodes.mem] / 10 * 9)
		skip(c, "needs %llu MiB on its node; it has %llu MiB free",
		     need >> 20, m->node_free[c->nodes.mem] >> 20);
}

static void name_case(struct hb_case *c)
{
	struct hb_case_id id = {
		.kind = c->kind,
		.size_bytes = c->size,
		.cpu_node = c->nodes.cpu,
		.mem_node = c->nodes.mem,
	};
	const char *style = hb_style_name(c->style);

	if (c->kind == HB_KIND_BASE)
		style = c->method == HB_BASE_POPULATE ? "populate" : "touch";
	snprintf(id.access, sizeof(id.access), "%s",
		 hb_request_name(c->ask.request, c->ask.access));
	snprintf(id.style, sizeof(id.style), "%s", style);
	snprintf(id.state, sizeof(id.state), "%s", hb_state_name(c->state));
	/* Every part is a short word or number: the name always fits. */
	hb_case_name_format(&id, c->name, sizeof(c->name));
}

struct expand {
	struct hb_plan *plan;
	const struct hb_profile *p;
	const struct hb_machine *m;
	regex_t *filter;
	int error;
};

static void add_case(struct expand *x, struct hb_case proto)
{
	struct hb_case *c;

	proto.window = x->p->window;
	proto.mixed_stride = proto.ask.request == HMM_BENCH_REQ_MIXED ?
			     x->p->mixed_stride : 0;
	proto.iterations = hb_profile_iterations(x->p, proto.size);
	proto.repetitions = x->p->repetitions;
	name_case(&proto);
	if (proto.kind != HB_KIND_CAL && x->filter &&
	    regexec(x->filter, proto.name, 0, NULL, 0))
		return;
	decide_skip(&proto, x->m);
	c = plan_add(x->plan);
	if (!c) {
		x->error = -ENOMEM;
		return;
	}
	*c = proto;
	x->plan->nskipped += c->skipped;
}

/* Every style of the module, and the baselines, for one state and size. */
static void add_point(struct expand *x, struct hb_ask ask,
		      const struct hb_state *state, uint64_t size,
		      struct hb_node_pair nodes)
{
	struct hb_case proto = { .ask = ask, .state = state, .size = size,
				 .nodes = nodes };
	size_t s;

	for (s = 0; s < x->p->nstyles; s++) {
		proto.kind = HB_KIND_HMM;
		proto.style = x->p->styles[s];
		add_case(x, proto);
	}
	if (ask.request != HMM_BENCH_REQ_FAULT)
		return;		/* userspace has no mixed or snapshot */
	proto.kind = HB_KIND_BASE;
	proto.method = HB_BASE_POPULATE;
	if (x->p->baseline_populate)
		add_case(x, proto);
	proto.method = HB_BASE_TOUCH;
	if (x->p->baseline_touch)
		add_case(x, proto);
}

int hb_plan_build(struct hb_plan *plan, const struct hb_profile *p,
		  const struct hb_node_pair *pairs, size_t npairs,
		  const struct hb_machine *m, const char *filter, char *err,
		  size_t errlen)
{
	struct expand x = { .plan = plan, .p = p, .m = m };
	struct hb_case cal = { .kind = HB_KIND_CAL,
			       .ask = { HMM_BENCH_REQ_FAULT,
					HMM_BENCH_ACCESS_READ },
			       .state = hb_state_find("present"),
			       .size = 4096 };
	regex_t re;
	size_t a, st, sz, n, s;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (filter) {
		ret = regcomp(&re, filter, REG_EXTENDED | REG_NOSUB);
		if (ret) {
			regerror(ret, &re, err, errlen);
			snprintf(err + strlen(err), errlen - strlen(err),
				 " (in --filter '%s')", filter);
			return -EINVAL;
		}
		x.filter = &re;
	}
	cal.nodes = pairs[0];
	for (s = 0; s < p->nstyles; s++) {
		cal.style = p->styles[s];
		add_case(&x, cal);
	}
	for (n = 0; n < npairs; n++)
		for (a = 0; a < p->nasks; a++)
			for (st = 0; st < p->nstates; st++)
				for (sz = 0; sz < p->nsizes; sz++)
					add_point(&x, p->asks[a], p->states[st],
						  p->sizes[sz], pairs[n]);
	for (n = 0; n < npairs; n++)
		for (a = 0; a < p->nextras; a++)
			add_point(&x, p->extras[a].ask, p->extras[a].state,
				  p->extras[a].size, pairs[n]);
	if (filter)
		regfree(&re);
	if (x.error) {
		snprintf(err, errlen, "out of memory building the plan");
		hb_plan_free(plan);
		return x.error;
	}
	if (plan->n == plan->nskipped + p->nstyles) {
		snprintf(err, errlen,
			 "no case left to run: every case was filtered out or skipped (see --list)");
		hb_plan_free(plan);
		return -ENOENT;
	}
	return 0;
}

void hb_plan_free(struct hb_plan *plan)
{
	free(plan->cases);
	memset(plan, 0, sizeof(*plan));
}

/*
 * Rough cost model, only for --list: building a state and faulting cost
 * about the same per page (a snapshot an eighth of that); a state a call
 * changes is rebuilt before every call; warm-up calls as the runner makes
 * them (runner.h).
 */
double hb_plan_estimate_s(const struct hb_plan *plan, bool emulated)
{
	const double per_page = emulated ? 20e-6 : 1e-6;
	const double per_call = emulated ? 300e-6 : 20e-6;
	double total = 0, calls, builds, pages, call_pages, warmups;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const struct hb_case *c = &plan->cases[i];
		bool snapshot = c->ask.request == HMM_BENCH_REQ_SNAPSHOT;

		if (c->skipped || c->done_before)
			continue;
		warmups = c->size <= HB_WARMUP_MAX_BYTES ? c->repetitions : 1;
		calls = (double)c->iterations * c->repetitions + warmups;
		pages = (double)c->size / 4096;
		call_pages = snapshot ? pages / 8 : pages;
		builds = c->state->fault_changes && !snapshot ?
			 calls : c->repetitions;
		total += calls * (per_call + call_pages * per_page) +
			 builds * pages * per_page;
	}
	return total;
}

static uint64_t meminfo_bytes(const char *key)
{
	char line[256];
	size_t keylen = strlen(key);
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, keylen) && line[keylen] == ':') {
			sscanf(line + keylen + 1, "%llu", &kb);
			break;
		}
	fclose(f);
	return kb * 1024;
}

void hb_machine_probe(struct hb_machine *m, const struct hb_topology *t)
{
	struct utsname u;
	long long free_bytes;
	void *probe;
	int i;

	m->mem_available = meminfo_bytes("MemAvailable");
	for (i = 0; i < t->nnodes; i++) {
		if (t->node[i] >= HB_MAX_NODES_LIST)
			continue;
		if (numa_available() < 0 ||
		    numa_node_size64((int)t->node[i], &free_bytes) < 0)
			free_bytes = (long long)m->mem_available;
		m->node_free[t->node[i]] = (uint64_t)free_bytes;
	}
	probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m->has_populate = probe != MAP_FAILED &&
			  !madvise(probe, 4096, MADV_POPULATE_READ);
	if (probe != MAP_FAILED)
		munmap(probe, 4096);
	if (!uname(&u))
		snprintf(m->kernel_release, sizeof(m->kernel_release), "%s",
			 u.release);
}
