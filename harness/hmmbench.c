// SPDX-License-Identifier: GPL-2.0
/*
 * hmmbench: sweep hmm_range_fault() over sizes x page states x styles x
 * NUMA placements through /dev/hmm_bench, and record every result with
 * Google Benchmark in a self-contained result folder.
 */
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device.h"
#include "gbench_shim.h"
#include "options.h"
#include "output.h"
#include "plan.h"
#include "profile.h"
#include "progress.h"
#include "runner.h"
#include "sysrecord.h"
#include "topology.h"

#ifndef HMMBENCH_REVISION
#define HMMBENCH_REVISION "unknown"
#endif
#ifndef HMMBENCH_LIBBENCHMARK_VERSION
#define HMMBENCH_LIBBENCHMARK_VERSION "unknown"
#endif

#define MAX_CPUS 1024

/* Governors as found, restored at exit and on SIGINT/SIGTERM. */
static char saved_governor[MAX_CPUS][32];
static int governor_pinned;
static char partial_dir[1024];

static void restore_governor(void)
{
	char path[128];
	FILE *f;
	int cpu;

	if (!governor_pinned)
		return;
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!saved_governor[cpu][0])
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor",
			 cpu);
		f = fopen(path, "w");
		if (f) {
			fputs(saved_governor[cpu], f);
			fclose(f);
		}
	}
	governor_pinned = 0;
}

static int pin_governor(const char *governor, char *err, size_t errlen)
{
	char path[128];
	int cpu, pinned = 0;
	FILE *f;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor",
			 cpu);
		if (hb_read_line(path, saved_governor[cpu],
				 sizeof(saved_governor[cpu])))
			continue;
		governor_pinned = 1;
		f = fopen(path, "w");
		if (!f || fputs(governor, f) < 0 || fclose(f)) {
			snprintf(err, errlen,
				 "cannot set governor '%s' on cpu%d (%s); see scaling_available_governors",
				 governor, cpu, strerror(errno));
			restore_governor();
			return -EPERM;
		}
		pinned++;
	}
	if (!pinned) {
		snprintf(err, errlen,
			 "--governor: this machine has no cpufreq governors");
		return -ENOENT;
	}
	return 0;
}

static void on_signal(int sig)
{
	static const char msg1[] = "\nhmmbench: interrupted; partial results stay in ";
	static const char msg2[] = " (not marked complete); run again to measure anew\n";

	restore_governor();
	if (write(STDERR_FILENO, msg1, sizeof(msg1) - 1) < 0 ||
	    write(STDERR_FILENO, partial_dir, strlen(partial_dir)) < 0 ||
	    write(STDERR_FILENO, msg2, sizeof(msg2) - 1) < 0)
		_exit(128 + sig);
	_exit(128 + sig);
}

/*
 * Page-table layout moves with ASLR, so run without it, as
 * will-it-scale's runtest.py does: re-exec once with it off.
 */
static void reexec_without_aslr(char **argv)
{
	int persona = personality(0xffffffff);

	if (persona < 0 || (persona & ADDR_NO_RANDOMIZE))
		return;
	if (personality((unsigned long)persona | ADDR_NO_RANDOMIZE) < 0)
		return;
	execv("/proc/self/exe", argv);
	/* If that failed, measure with ASLR on; the context says so. */
}

/* bench/ beside the tree the binary was built in, or under the cwd. */
static void find_bench_dir(const struct hb_options *o, char *dir, size_t len)
{
	char exe[PATH_MAX], candidate[PATH_MAX + 32];
	struct stat st;
	ssize_t n;

	if (o->bench_dir) {
		snprintf(dir, len, "%s/profiles", o->bench_dir);
		return;
	}
	if (getenv("HMMBENCH_BENCH_DIR")) {
		snprintf(dir, len, "%s/profiles", getenv("HMMBENCH_BENCH_DIR"));
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		snprintf(candidate, sizeof(candidate), "%s/../bench/profiles",
			 dirname(exe));
		if (!stat(candidate, &st)) {
			snprintf(dir, len, "%s", candidate);
			return;
		}
	}
	snprintf(dir, len, "bench/profiles");
}

static void command_line(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < argc && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? " " : "", argv[i]);
}

static int node_pairs(const struct hb_options *o, const struct hb_profile *p,
		      const struct hb_topology *t, struct hb_node_pair *pairs,
		      size_t *n, char *err, size_t errlen)
{
	size_t i;

	if (o->npairs) {
		for (i = 0; i < o->npairs; i++) {
			if (!hb_topology_has_node(t, o->pairs[i].cpu, 1) ||
			    !hb_topology_has_node(t, o->pairs[i].mem, 0)) {
				snprintf(err, errlen,
					 "--nodes %d:%d: this machine has no such CPU or memory node (see numactl -H)",
					 o->pairs[i].cpu, o->pairs[i].mem);
				return -EINVAL;
			}
			pairs[i] = o->pairs[i];
		}
		*n = o->npairs;
		return 0;
	}
	*n = (size_t)hb_default_pairs(t, p->numa_local, p->numa_remote, pairs);
	if (!*n) {
		snprintf(err, errlen,
			 "no NUMA placement to run: the profile asks for remote only and this machine has one node");
		return -EINVAL;
	}
	if (p->numa_remote && t->nnodes < 2)
		fprintf(stderr,
			"hmmbench: one NUMA node: running local placement only\n");
	return 0;
}

static void print_list(const struct hb_plan *plan, const struct hb_profile *p,
		       bool emulated)
{
	char est[32];
	size_t i, run = 0;

	printf("profile %s: %s\n", p->name, p->description);
	for (i = 0; i < plan->n; i++) {
		const struct hb_case *c = &plan->cases[i];

		if (c->skipped) {
			printf("  %-46s skipped: %s\n", c->name, c->skip_reason);
			continue;
		}
		run++;
		printf("  %-46s %lld x %d\n", c->name, (long long)c->iterations,
		       c->repetitions);
	}
	hb_format_duration(hb_plan_estimate_s(plan, emulated), est,
			   sizeof(est));
	printf("%zu cases to run, %zu skipped; estimated %s%s\n", run,
	       plan->nskipped, est, emulated ? " in a VM" : "");
}

struct progress_ctx {
	struct hb_progress progress;
};

/* Keep each case's aggregates for the summary, and show progress. */
static void on_result(const struct gbs_run_info *info, void *user)
{
	struct progress_ctx *ctx = user;
	struct hb_case_result *res = info->case_user;

	if (res && info->run_type == GBS_RUN_AGGREGATE) {
		res->have_stats = true;
		if (!strcmp(info->aggregate_name, "mean")) {
			res->mean = info->real_time;
			res->ns_per_page = info->real_time /
					   ((double)res->c->size / 4096);
		} else if (!strcmp(info->aggregate_name, "median")) {
			res->median = info->real_time;
		} else if (!strcmp(info->aggregate_name, "stddev")) {
			res->stddev = info->real_time;
		} else if (!strcmp(info->aggregate_name, "cv")) {
			res->cv = info->real_time;
		} else if (!strcmp(info->aggregate_name, "min")) {
			res->min = info->real_time;
		} else if (!strcmp(info->aggregate_name, "max")) {
			res->max = info->real_time;
		} else if (!strcmp(info->aggregate_name, "p99")) {
			res->p99 = info->real_time;
		}
	}
	hb_progress_case(&ctx->progress, info->cases_done, info->case_name);
}

static void add_contexts(const struct hb_facts *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		gbs_add_context(f->key[i], f->value[i]);
}

struct run {
	struct hb_options opts;
	struct hb_profile profile;
	struct hb_topology topo;
	struct hb_device dev;
	struct hb_machine machine;
	struct hb_plan plan;
	struct hb_facts facts;
	struct hb_output out;
	char err[1024];
};

static int prepare(struct run *r, int argc, char **argv)
{
	struct hb_node_pair pairs[HB_MAX_PAIRS];
	char dir[PATH_MAX], devmsg[512];
	size_t i, npairs;
	int ret;

	find_bench_dir(&r->opts, dir, sizeof(dir));
	ret = hb_profile_load(&r->profile, r->opts.profile, dir, r->err,
			      sizeof(r->err));
	for (i = 0; !ret && i < r->opts.noverrides; i++)
		ret = hb_profile_set(&r->profile, r->opts.override_key[i],
				     r->opts.override_value[i], r->err,
				     sizeof(r->err));
	if (ret)
		return 2;
	if (hb_topology_init(&r->topo, r->err, sizeof(r->err)))
		return 1;
	if (node_pairs(&r->opts, &r->profile, &r->topo, pairs, &npairs,
		       r->err, sizeof(r->err)))
		return 2;

	r->dev.fd = -1;
	ret = hb_device_open(&r->dev, r->opts.device, devmsg, sizeof(devmsg));
	if (ret && !r->opts.list) {
		snprintf(r->err, sizeof(r->err), "%s", devmsg);
		return 1;
	}
	if (ret) {
		/* --list without the module: plan with the default limits. */
		r->dev.info.max_range_bytes = 1ULL << 40;
		r->dev.info.max_whole_pages = 1ULL << 20;
		r->dev.info.max_window_pages = 65536;
	}
	r->machine.info = r->dev.info;
	hb_machine_probe(&r->machine, &r->topo);
	if (r->profile.window > r->machine.info.max_window_pages) {
		snprintf(r->err, sizeof(r->err),
			 "window %u is over the module's max_window (%llu); use a smaller --window",
			 r->profile.window,
			 (unsigned long long)r->machine.info.max_window_pages);
		return 2;
	}
	ret = hb_plan_build(&r->plan, &r->profile, pairs, npairs, &r->machine,
			    r->opts.filter, r->err, sizeof(r->err));
	if (ret)
		return ret == -EINVAL ? 2 : 1;

	hb_facts_collect(&r->facts, &r->topo);
	command_line(argc, argv, dir, sizeof(dir));
	hb_fact_set(&r->facts, "command_line", "%s", dir);
	hb_fact_set(&r->facts, "hmmbench_schema", "1");
	hb_fact_set(&r->facts, "profile", "%s", r->profile.name);
	hb_fact_set(&r->facts, "window", "%u", r->profile.window);
	hb_fact_set(&r->facts, "mixed_stride", "%u", r->profile.mixed_stride);
	hb_module_version_str(r->dev.info.module_version, devmsg,
			      sizeof(devmsg));
	hb_fact_set(&r->facts, "module_version", "%s", devmsg);
	hb_fact_set(&r->facts, "module_abi", "%u", r->dev.info.abi_version);
	hb_fact_set(&r->facts, "suite_revision", "%s", HMMBENCH_REVISION);
	hb_fact_set(&r->facts, "libbenchmark_version", "%s",
		    HMMBENCH_LIBBENCHMARK_VERSION);
	for (i = 0, dir[0] = 0; i < npairs; i++)
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir),
			 "%sc%dm%d", i ? "," : "", pairs[i].cpu, pairs[i].mem);
	hb_fact_set(&r->facts, "numa_pairs", "%s", dir);
	return 0;
}

static int gb_init(const char *json)
{
	char out_flag[1200];
	const char *gb_argv[] = {
		"hmmbench", out_flag, "--benchmark_out_format=json",
		"--benchmark_enable_random_interleaving=true",
	};

	snprintf(out_flag, sizeof(out_flag), "--benchmark_out=%s", json);
	return gbs_init(4, gb_argv);
}

static int measure(struct run *r)
{
	struct hb_runner runner = { .dev = &r->dev, .topo = &r->topo,
				    .min_time = r->opts.min_time };
	struct gbs_run_opts ropts = { .console = GBS_CONSOLE_STDOUT };
	struct progress_ctx ctx;
	char json[1200];
	int ret, failures;

	ret = hb_output_begin(&r->out, r->opts.out, hb_fact_get(&r->facts, "host"),
			      hb_fact_get(&r->facts, "kernel_release"), r->err,
			      sizeof(r->err));
	if (ret)
		return 1;
	snprintf(partial_dir, sizeof(partial_dir), "%s", r->out.partial);
	hb_sysrecord_write(r->out.partial, &r->topo);
	hb_sysrecord_snapshot(r->out.partial, "before");
	if (hb_output_skipped(r->out.partial, &r->plan))
		fprintf(stderr, "hmmbench: cannot write skipped.tsv\n");

	snprintf(json, sizeof(json), "%s/hmmbench.json", r->out.partial);
	if (gb_init(json) || (add_contexts(&r->facts), 0) ||
	    hb_runner_register(&runner, &r->plan)) {
		snprintf(r->err, sizeof(r->err), "Google Benchmark: %s",
			 gbs_last_error());
		return 1;
	}
	hb_progress_start(&ctx.progress, gbs_case_count());
	ropts.progress = on_result;
	ropts.progress_user = &ctx;
	failures = gbs_run(&ropts);
	hb_progress_end(&ctx.progress);
	gbs_shutdown();
	if (failures < 0) {
		snprintf(r->err, sizeof(r->err), "Google Benchmark: %s",
			 gbs_last_error());
		return 1;
	}

	if (hb_output_json_sanitize(json))
		fprintf(stderr, "hmmbench: cannot rewrite NaN in %s\n", json);
	hb_sysrecord_snapshot(r->out.partial, "after");
	hb_output_histograms(r->out.partial, &r->plan);
	hb_output_summary(r->out.partial, &r->plan, &r->facts, stdout);
	if (hb_output_finish(&r->out, r->err, sizeof(r->err)))
		return 1;
	printf("Results: %s\n", r->out.final);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct run r;
	int status;

	if (hb_options_parse(&r.opts, argc, argv, r.err, sizeof(r.err))) {
		fprintf(stderr, "hmmbench: %s\n", r.err);
		return 2;
	}
	if (r.opts.help) {
		hb_options_usage(stdout);
		return 0;
	}
	if (!r.opts.list)
		reexec_without_aslr(argv);

	status = prepare(&r, argc, argv);
	if (status) {
		fprintf(stderr, "hmmbench: %s\n", r.err);
		goto out;
	}
	if (r.opts.list) {
		print_list(&r.plan, &r.profile,
			   strcmp(hb_fact_get(&r.facts, "vm"), "none"));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (r.opts.governor) {
		if (pin_governor(r.opts.governor, r.err, sizeof(r.err))) {
			fprintf(stderr, "hmmbench: %s\n", r.err);
			status = 1;
			goto out;
		}
		atexit(restore_governor);
		hb_fact_set(&r.facts, "cpufreq_governor", "%s (pinned)",
			    r.opts.governor);
	}
	status = measure(&r);
	if (status && r.err[0])
		fprintf(stderr, "hmmbench: %s\n", r.err);
	restore_governor();
out:
	hb_runner_free(&r.plan);
	hb_plan_free(&r.plan);
	hb_device_close(&r.dev);
	hb_topology_fini(&r.topo);
	return status;
}
