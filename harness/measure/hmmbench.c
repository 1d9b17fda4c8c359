// SPDX-License-Identifier: GPL-2.0
/*
 * hmmbench: sweep hmm_range_fault() over sizes x page states x styles x
 * NUMA placements through /dev/hmm_bench, and record every result with
 * Google Benchmark in a self-contained result folder.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

#include "device.h"
#include "gbench/gbench_shim.h"
#include "governor.h"
#include "interrupt.h"
#include "options.h"
#include "output.h"
#include "page_state.h"
#include "plan.h"
#include "profile.h"
#include "progress.h"
#include "resume.h"
#include "runner.h"
#include "sysrecord.h"
#include "topology.h"
#include "common/fs.h"
#include "common/result_folder.h"

#ifndef HMMBENCH_REVISION
#define HMMBENCH_REVISION "unknown"
#endif
#ifndef HMMBENCH_LIBBENCHMARK_VERSION
#define HMMBENCH_LIBBENCHMARK_VERSION "unknown"
#endif

/* What the interrupt thread needs to say where the results are. */
static struct {
	char partial[1024];
	_Atomic size_t cases_done;
	size_t cases_total;
	_Atomic bool running;	/* read by the interrupt thread */
} interrupted_run;

static void on_interrupt(int sig, void *user)
{
	size_t done = interrupted_run.cases_done;

	(void)user;
	hb_governor_restore();
	if (!interrupted_run.running) {
		fprintf(stderr, "\nhmmbench: %s before the run began; nothing was kept\n",
			strsignal(sig));
		return;
	}
	fprintf(stderr,
		"\nhmmbench: %s: stopped; %zu of %zu cases finished and are kept in %s (not marked complete).\n"
		"Resume with: ./run.sh --resume %s (or hmmbench --resume %s with the module loaded)\n",
		strsignal(sig), done, interrupted_run.cases_total,
		interrupted_run.partial, interrupted_run.partial,
		interrupted_run.partial);
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

/* profiles/ of bench/: $HMMBENCH_BENCH_DIR, beside the build, or ./bench. */
static void find_bench_dir(const struct hb_options *o, char *dir, size_t len)
{
	char bench[PATH_MAX];

	if (o->bench_dir)
		snprintf(bench, sizeof(bench), "%s", o->bench_dir);
	else
		hb_data_dir("HMMBENCH_BENCH_DIR", "bench", "profiles/quick.conf",
			    bench, sizeof(bench));
	snprintf(dir, len, "%s/profiles", bench);
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
		for (i = 0; i < o->noverrides; i++)
			if (!strcmp(o->override_key[i], "numa")) {
				snprintf(err, errlen,
					 "--nodes names the pairs itself: drop --numa");
				return -EINVAL;
			}
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
	if (p->numa_remote && t->nnodes < 2) {
		/* Named and skipped with the reason, not silently left out. */
		pairs[*n] = pairs[0];
		pairs[*n].mem = pairs[0].mem + 1;
		pairs[*n].missing = true;
		(*n)++;
		fprintf(stderr,
			"hmmbench: one NUMA node: running local placement only (remote cases are listed as skipped)\n");
	}
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
	const char *dir;	/* the partial folder */
	bool keep_failed;	/* a finished case could not be kept */
};

/* Keep each case's aggregates for the summary. */
static void on_result(const struct gbs_run_info *info, void *user)
{
	(void)user;
	if (info->case_user && info->run_type == GBS_RUN_AGGREGATE)
		hb_case_result_set_aggregate(info->case_user,
					     info->aggregate_name,
					     info->real_time);
}

/* A case has all its results: keep it on disk, so a resume can skip it. */
static void on_case_done(const char *case_name, void *case_user,
			 const char *json, void *user)
{
	struct progress_ctx *ctx = user;
	struct hb_case_result *res = case_user;
	int ret;

	ret = hb_output_case_done(ctx->dir, case_name, json);
	if (!ret && res)
		ret = hb_output_histogram(ctx->dir, res->c);
	if (ret) {
		hb_progress_clear(&ctx->progress);
		fprintf(stderr, "hmmbench: cannot keep the results of %s in %s: %s\n",
			case_name, ctx->dir, strerror(-ret));
		ctx->keep_failed = true;
	}
	interrupted_run.cases_done++;
	hb_progress_case_done(&ctx->progress, case_name,
			      res && res->errored ? res->error : NULL,
			      res && res->have_stats ? res->ns_per_page : -1);
}

static void on_repetition(const struct hb_case *c, void *user)
{
	struct progress_ctx *ctx = user;

	hb_progress_repetition(&ctx->progress, c->name);
}

static void before_console(void *user)
{
	struct progress_ctx *ctx = user;

	hb_progress_clear(&ctx->progress);
}

/* The states page_state.c rebuilds before each call, for the report's
 * method paragraph: comma-separated, in canonical order. */
static void record_rebuilt_states(struct hb_facts *f)
{
	char fault[256] = "", snap[256] = "";
	const struct hb_state *st;
	size_t n, i;

	st = hb_states(&n);
	for (i = 0; i < n; i++) {
		if (st[i].fault_changes)
			snprintf(fault + strlen(fault), sizeof(fault) - strlen(fault),
				 "%s%s", *fault ? "," : "", hb_state_name(&st[i]));
		if (st[i].snapshot_changes)
			snprintf(snap + strlen(snap), sizeof(snap) - strlen(snap),
				 "%s%s", *snap ? "," : "", hb_state_name(&st[i]));
	}
	hb_fact_set(f, "states_rebuilt_per_call", "%s", fault);
	hb_fact_set(f, "states_rebuilt_per_snapshot", "%s", snap);
}

static void add_contexts(const struct hb_facts *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		gbs_add_context(f->key[i], f->value[i]);
}

struct measure_run {
	struct hb_options opts;
	struct hb_profile profile;
	struct hb_topology topo;
	struct hb_device dev;
	struct hb_machine machine;
	struct hb_plan plan;
	struct hb_facts facts;
	struct hb_output out;
	char *resume_dir;	/* --resume: the partial folder */
	char err[1024];
};

static int prepare(struct measure_run *r, int argc, char **argv)
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
		fprintf(stderr, "hmmbench: %s\nhmmbench: listing with the module's default limits\n",
			devmsg);
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
	hb_fact_set(&r->facts, "hmmbench_schema", "%s", HB_RESULT_SCHEMA);
	hb_fact_set(&r->facts, "profile", "%s", r->profile.name);
	hb_fact_set(&r->facts, "window", "%u", r->profile.window);
	hb_fact_set(&r->facts, "mixed_stride", "%u", r->profile.mixed_stride);
	record_rebuilt_states(&r->facts);
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
		/* The table goes to a file: no colour codes in it. */
		"--benchmark_color=false",
	};

	snprintf(out_flag, sizeof(out_flag), "--benchmark_out=%s", json);
	return gbs_init(5, gb_argv);
}

/*
 * Cases Google Benchmark will run and their repetitions, and the cases an
 * interrupted attempt finished.
 */
static void count_work(const struct hb_plan *plan, size_t *cases,
		       size_t *reps, size_t *done)
{
	size_t i;

	*cases = 0;
	*reps = 0;
	*done = 0;
	for (i = 0; i < plan->n; i++) {
		if (plan->cases[i].skipped)
			continue;
		if (plan->cases[i].done_before) {
			(*done)++;
			continue;
		}
		(*cases)++;
		*reps += (size_t)plan->cases[i].repetitions;
	}
}

/* Cases an earlier attempt finished with an error: they count too. */
static int resumed_failures(const struct hb_plan *plan)
{
	const struct hb_case_result *res;
	int n = 0;
	size_t i;

	for (i = 0; i < plan->n; i++) {
		res = plan->cases[i].result;
		n += plan->cases[i].done_before && res && res->errored;
	}
	return n;
}

/* The folder: a new one, or the partial one of the run to resume. */
static int open_output(struct measure_run *r, int argc, char **argv)
{
	int ret;

	if (r->resume_dir) {
		if (hb_output_resume(&r->out, r->resume_dir, r->err,
				     sizeof(r->err)) ||
		    hb_resume_check_identity(r->resume_dir, &r->facts, r->err,
					     sizeof(r->err)))
			return -EINVAL;
		ret = hb_resume_load_cases(r->out.partial, &r->plan, r->err,
					   sizeof(r->err));
		if (ret < 0)
			return ret;
		hb_fact_set(&r->facts, "resumed",
			    "%d cases from an interrupted attempt", ret);
		printf("Resuming %s: %d cases are done already (the calibration runs again)\n",
		       r->out.partial, ret);
		return 0;
	}
	ret = hb_output_begin(&r->out, r->opts.out, hb_fact_get(&r->facts, "host"),
			      hb_fact_get(&r->facts, "kernel_release"), r->err,
			      sizeof(r->err));
	if (ret)
		return ret;
	ret = hb_resume_save_args(r->out.partial, argc, argv);
	if (!ret)
		ret = hb_resume_save_identity(r->out.partial, &r->facts);
	if (!ret)
		ret = hb_sysrecord_write(r->out.partial, &r->topo);
	if (!ret)
		ret = hb_sysrecord_snapshot(r->out.partial, "before");
	if (ret)
		snprintf(r->err, sizeof(r->err), "cannot write into %s: %s",
			 r->out.partial, strerror(-ret));
	return ret;
}

/* --result-file: the complete folder's path, for scripts (run.sh). */
static int write_result_file(struct measure_run *r)
{
	FILE *f = fopen(r->opts.result_file, "w");

	if (!f || fprintf(f, "%s\n", r->out.final) < 0 || fclose(f)) {
		snprintf(r->err, sizeof(r->err), "cannot write --result-file %s: %s",
			 r->opts.result_file, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return 0;
}

static int measure(struct measure_run *r, int argc, char **argv)
{
	struct hb_runner runner = { .dev = &r->dev, .topo = &r->topo,
				    .min_time = r->opts.min_time };
	/* Google Benchmark's table is thousands of lines: a file, not the
	 * terminal (which gets the progress line and a line per case). */
	struct gbs_run_opts ropts = { .console = GBS_CONSOLE_FILE };
	struct progress_ctx ctx = { 0 };
	size_t ncases, nreps, ndone;
	char json[1200], console[1200], est[32];
	int ret, failures;

	if (open_output(r, argc, argv))
		return 1;
	snprintf(interrupted_run.partial, sizeof(interrupted_run.partial),
		 "%s", r->out.partial);
	ctx.dir = r->out.partial;
	if (hb_output_skipped(r->out.partial, &r->plan)) {
		snprintf(r->err, sizeof(r->err), "cannot write %s/" HB_RESULT_SKIPPED,
			 r->out.partial);
		return 1;
	}

	snprintf(json, sizeof(json), "%s/" HB_RESULT_JSON, r->out.partial);
	if (gb_init(json) || (add_contexts(&r->facts), 0) ||
	    hb_runner_register(&runner, &r->plan)) {
		snprintf(r->err, sizeof(r->err), "Google Benchmark: %s",
			 gbs_last_error());
		return 1;
	}
	snprintf(console, sizeof(console), "%s/" HB_RESULT_CONSOLE, r->out.partial);
	ropts.console_path = console;
	count_work(&r->plan, &ncases, &nreps, &ndone);
	hb_format_duration(hb_plan_estimate_s(&r->plan,
					      strcmp(hb_fact_get(&r->facts, "vm"), "none")),
			   est, sizeof(est));
	fprintf(stderr, "hmmbench: %zu cases to run (%zu repetitions), %zu skipped%s; estimated %s\n",
		ncases, nreps, r->plan.nskipped,
		ndone ? ", the rest done before" : "", est);
	fprintf(stderr, "hmmbench: Google Benchmark's table goes to " HB_RESULT_CONSOLE " in the result folder\n");
	if (r->plan.nskipped) {
		fprintf(stderr, "hmmbench: skipping %zu cases this machine cannot run:\n",
			r->plan.nskipped);
		hb_output_skip_lines(&r->plan, stderr);
	}
	interrupted_run.cases_total = ncases + ndone;
	interrupted_run.cases_done = ndone;
	interrupted_run.running = true;
	hb_progress_start(&ctx.progress, ncases, nreps);
	runner.on_repetition = on_repetition;
	runner.user = &ctx;
	ropts.progress = on_result;
	ropts.case_done = on_case_done;
	ropts.case_done_user = &ctx;
	ropts.before_console = before_console;
	ropts.before_console_user = &ctx;
	failures = gbs_run(&ropts);
	hb_progress_end(&ctx.progress);
	gbs_shutdown();
	if (failures < 0) {
		snprintf(r->err, sizeof(r->err), "Google Benchmark: %s",
			 gbs_last_error());
		return 1;
	}
	failures += resumed_failures(&r->plan);
	if (ctx.keep_failed) {
		snprintf(r->err, sizeof(r->err),
			 "some results could not be written (see above)");
		return 1;
	}

	ret = hb_output_json_sanitize(json);
	if (ret) {
		snprintf(r->err, sizeof(r->err), "cannot rewrite %s: %s", json,
			 strerror(-ret));
		return 1;
	}
	if (hb_output_merge(r->out.partial, &r->plan, r->err, sizeof(r->err)))
		return 1;
	ret = hb_sysrecord_snapshot(r->out.partial, "after");
	if (!ret)
		ret = hb_output_summary(r->out.partial, &r->plan, &r->facts,
					stdout);
	if (ret) {
		snprintf(r->err, sizeof(r->err), "cannot write into %s: %s",
			 r->out.partial, strerror(-ret));
		return 1;
	}
	if (hb_output_finish(&r->out, r->err, sizeof(r->err)))
		return 1;
	interrupted_run.running = false;
	printf("Results: %s\n", r->out.final);
	if (r->opts.result_file && write_result_file(r))
		return 1;
	if (failures)
		fprintf(stderr, "hmmbench: %d cases failed; their reasons are in %s/%s and the JSON's error_message\n",
			failures, r->out.final, HB_RESULT_SUMMARY);
	return failures ? 1 : 0;
}

/*
 * --resume DIR: the run goes on with the arguments it started with, so
 * its cases keep their names and settings; nothing else may be given.
 */
static int load_resume_args(struct measure_run *r, char *argv0, int *argc,
			    char ***argv)
{
	const char *result_file = r->opts.result_file;
	char dir[PATH_MAX];

	if (r->opts.noptions != 1) {
		snprintf(r->err, sizeof(r->err),
			 "--resume takes no other option: the run goes on with the options it started with");
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%s", r->opts.resume);
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = 0;
	if (hb_resume_load_args(dir, argv0, argc, argv, r->err,
				sizeof(r->err)))
		return -EINVAL;
	if (hb_options_parse(&r->opts, *argc, *argv, r->err, sizeof(r->err)) ||
	    r->opts.resume || r->opts.list || r->opts.help) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err),
				 "%s/%s does not hold a run's options", dir,
				 HB_ARGS_FILE);
		return -EINVAL;
	}
	r->opts.result_file = result_file;
	r->resume_dir = strdup(dir);
	return r->resume_dir ? 0 : -ENOMEM;
}

int main(int argc, char **argv)
{
	static struct measure_run r;
	char **resume_argv = NULL;
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
	if (r.opts.resume) {
		if (load_resume_args(&r, argv[0], &argc, &resume_argv)) {
			fprintf(stderr, "hmmbench: %s\n", r.err);
			hb_resume_free_args(resume_argv);
			return 2;
		}
		argv = resume_argv;
	}
	/* Before any other thread: they inherit the blocked signals. */
	if (!r.opts.list &&
	    hb_interrupt_start(on_interrupt, NULL, hb_governor_restore)) {
		fprintf(stderr, "hmmbench: cannot start the interrupt thread\n");
		return 1;
	}

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
	if (r.opts.governor) {
		if (hb_governor_pin(r.opts.governor, r.err, sizeof(r.err))) {
			fprintf(stderr, "hmmbench: %s\n", r.err);
			status = 1;
			goto out;
		}
		atexit(hb_governor_restore);
		hb_fact_set(&r.facts, "cpufreq_governor", "%s (pinned)",
			    r.opts.governor);
	}
	status = measure(&r, argc, argv);
	if (status && r.err[0]) {
		fprintf(stderr, "hmmbench: %s\n", r.err);
		if (interrupted_run.running)
			fprintf(stderr,
				"hmmbench: not marked complete; the finished cases stay in %s (hmmbench --resume %s)\n",
				r.out.partial, r.out.partial);
	}
	hb_governor_restore();
out:
	hb_case_results_free(&r.plan);
	hb_plan_free(&r.plan);
	hb_device_close(&r.dev);
	hb_topology_fini(&r.topo);
	free(r.resume_dir);
	hb_resume_free_args(resume_argv);
	return status;
}
