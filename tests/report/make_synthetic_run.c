// SPDX-License-Identifier: GPL-2.0
/*
 * make_synthetic_run - write a valid hmmbench run folder with made-up
 * numbers, for testing hmmbench-report (and Google Benchmark's compare.py)
 * without a kernel module.
 *
 * Usage: make_synthetic_run [options] DIR NAME=MEAN_NS...
 *
 * Each NAME=MEAN_NS is one benchmark case (a "/manual_time" suffix is added
 * when missing) whose REPS repetitions are drawn from a normal distribution
 * with that mean and a relative stddev of NOISE, from a seeded GSL RNG: the
 * same options give the same samples. The JSON follows Google Benchmark
 * 1.7.1: iteration entries, then mean/median/stddev/cv/min/max/p99
 * aggregates per case.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "report/results.h"
#include "report/stats.h"

#define MAX_SKIPS 32
#define MAX_ERRORS 32
#define MAX_CTX 32

struct opts {
	int reps;
	double noise;
	unsigned long seed;
	const char *kernel;
	const char *host;
	const char *vm;
	const char *thp;
	const char *governor;
	const char *profile;
	const char *schema;
	const char *module_version;
	int window;
	int iterations;
	int incomplete;
	const char *ctx[MAX_CTX];	/* KEY=VALUE, set last */
	int nctx;
	const char *errors[MAX_ERRORS];
	int nerrors;
	const char *skips[MAX_SKIPS];
	int nskips;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: make_synthetic_run [options] DIR NAME=MEAN_NS...\n"
		"  --reps N          repetitions per case (default 10)\n"
		"  --noise R         relative stddev of samples (default 0.01)\n"
		"  --seed S          GSL RNG seed (default 1)\n"
		"  --kernel REL      kernel_release (default 6.1.0-synthetic)\n"
		"  --host NAME       host (default synth)\n"
		"  --vm none|kvm|tcg (default none)\n"
		"  --thp MODE        thp_enabled (default madvise)\n"
		"  --governor G      cpufreq_governor (default performance)\n"
		"  --profile P       profile (default quick)\n"
		"  --module-version V  module_version (default 0.1)\n"
		"  --schema S        hmmbench_schema (default 1; - leaves it out)\n"
		"  --window W        window, in the context and the counters (default 0)\n"
		"  --iterations N    iterations per repetition (default 10)\n"
		"  --ctx KEY=VALUE   set a context key (after all the others)\n"
		"  --error NAME      that case fails verification\n"
		"  --skip NAME=WHY   add a line to skipped.tsv\n"
		"  --incomplete      do not write COMPLETE\n");
}

static int mkdir_p(const char *path)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void set_num(json_t *o, const char *k, double v)
{
	json_object_set_new(o, k, json_real(v));
}

static json_t *make_context(const struct opts *o)
{
	json_t *ctx = json_object(), *caches = json_array(), *c = json_object();
	char cmdline[256];

	json_object_set_new(ctx, "date",
			    json_string("2024-05-01T12:00:00+00:00"));
	json_object_set_new(ctx, "host_name", json_string(o->host));
	json_object_set_new(ctx, "executable", json_string("build/hmmbench"));
	json_object_set_new(ctx, "num_cpus", json_integer(8));
	json_object_set_new(ctx, "mhz_per_cpu", json_integer(2400));
	json_object_set_new(ctx, "cpu_scaling_enabled", json_false());
	json_object_set_new(c, "type", json_string("Data"));
	json_object_set_new(c, "level", json_integer(1));
	json_object_set_new(c, "size", json_integer(32768));
	json_object_set_new(c, "num_sharing", json_integer(1));
	json_array_append_new(caches, c);
	json_object_set_new(ctx, "caches", caches);
	json_object_set_new(ctx, "load_avg", json_pack("[fff]", 0.1, 0.1, 0.1));
	json_object_set_new(ctx, "library_build_type", json_string("release"));
	if (strcmp(o->schema, "-"))
		json_object_set_new(ctx, "hmmbench_schema",
				    json_string(o->schema));
	snprintf(cmdline, sizeof(cmdline),
		 "BOOT_IMAGE=/vmlinuz-%s root=/dev/sda1 ro quiet", o->kernel);
	json_object_set_new(ctx, "kernel_release", json_string(o->kernel));
	json_object_set_new(ctx, "kernel_version",
			    json_string("#1 SMP PREEMPT_DYNAMIC Debian"));
	json_object_set_new(ctx, "host", json_string(o->host));
	json_object_set_new(ctx, "command_line",
			    json_string("hmmbench --profile quick"));
	json_object_set_new(ctx, "kernel_cmdline", json_string(cmdline));
	json_object_set_new(ctx, "profile", json_string(o->profile));
	json_object_set_new(ctx, "thp_enabled", json_string(o->thp));
	json_object_set_new(ctx, "thp_defrag", json_string("madvise"));
	json_object_set_new(ctx, "module_version",
			    json_string(o->module_version));
	json_object_set_new(ctx, "module_abi", json_string("1.0"));
	json_object_set_new(ctx, "numa_nodes", json_string("2"));
	json_object_set_new(ctx, "cpufreq_governor", json_string(o->governor));
	json_object_set_new(ctx, "turbo", json_string("off"));
	json_object_set_new(ctx, "suite_revision", json_string("synthetic"));
	json_object_set_new(ctx, "vm", json_string(o->vm));
	json_object_set_new(ctx, "aslr", json_string("off"));
	json_object_set_new(ctx, "libbenchmark_version", json_string("1.7.1"));
	json_object_set_new(ctx, "window", json_integer(o->window));
	json_object_set_new(ctx, "mixed_stride", json_string("4"));
	for (int i = 0; i < o->nctx; i++) {
		const char *eq = strchr(o->ctx[i], '=');
		char key[128];

		if (!eq)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->ctx[i]),
			 o->ctx[i]);
		json_object_set_new(ctx, key, json_string(eq + 1));
	}
	return ctx;
}

/* The fields every entry of one case shares, in Google Benchmark's order. */
static json_t *entry_head(const char *name, const char *run_type, int family,
			  int reps)
{
	json_t *e = json_object();

	json_object_set_new(e, "name", json_string(name));
	json_object_set_new(e, "family_index", json_integer(family));
	json_object_set_new(e, "per_family_instance_index", json_integer(0));
	json_object_set_new(e, "run_name", json_string(name));
	json_object_set_new(e, "run_type", json_string(run_type));
	json_object_set_new(e, "repetitions", json_integer(reps));
	return e;
}

static void set_counters(json_t *e, const struct hb_case_id *id, double t,
			 const struct opts *o)
{
	double pages = id->size_bytes ? (double)id->size_bytes / 4096 : 1;
	int prefill = !strcmp(id->style, "prefill");

	set_num(e, "ns_per_page", t / pages);
	set_num(e, "pages_per_s", t > 0 ? pages / t * 1e9 : 0);
	set_num(e, "GiB_per_s", t > 0 ? pages * 4096 / t : 0);
	set_num(e, "fill_ns", prefill ? t * 0.05 : 0);
	set_num(e, "fault_ns", prefill ? t * 0.95 : t);
	set_num(e, "pages", pages);
	set_num(e, "calls", 1);
	/* A write on zero or cow restarts once per PMD (README). */
	set_num(e, "retries", !strcmp(id->access, "write") &&
		(!strcmp(id->state, "zero") || !strcmp(id->state, "cow")) ?
		ceil(pages / 512) : 0);
	set_num(e, "pmd_pages", strncmp(id->state, "thp", 3) ? 0 : pages);
	if (id->cpu_node >= 0)
		set_num(e, "placed_pct", 99.5);
	set_num(e, "window", o->window);
}

static int is_error_case(const struct opts *o, const char *name)
{
	for (int i = 0; i < o->nerrors; i++)
		if (!strncmp(name, o->errors[i], strlen(o->errors[i])))
			return 1;
	return 0;
}

static void add_aggregate(json_t *arr, const char *name, int family,
			  const struct opts *o, const struct hb_case_id *id,
			  const char *agg, double v)
{
	char aname[600];
	json_t *e;

	snprintf(aname, sizeof(aname), "%s_%s", name, agg);
	e = entry_head(aname, "aggregate", family, o->reps);
	json_object_set_new(e, "run_name", json_string(name));
	json_object_set_new(e, "threads", json_integer(1));
	json_object_set_new(e, "aggregate_name", json_string(agg));
	json_object_set_new(e, "aggregate_unit",
			    json_string(strcmp(agg, "cv") ? "time" :
					"percentage"));
	json_object_set_new(e, "iterations", json_integer(o->reps));
	set_num(e, "real_time", v);
	set_num(e, "cpu_time", v / 2);
	json_object_set_new(e, "time_unit", json_string("ns"));
	set_counters(e, id, v, o);
	json_array_append_new(arr, e);
}

static int add_case(json_t *arr, const char *spec, int family,
		    const struct opts *o, gsl_rng *rng)
{
	char name[512];
	const char *eq = strrchr(spec, '=');
	double mean, *t;
	struct hb_case_id id;
	size_t len;

	if (!eq || eq == spec || sscanf(eq + 1, "%lf", &mean) != 1 ||
	    !(mean > 0)) {
		fprintf(stderr, "make_synthetic_run: bad case '%s' (NAME=MEAN_NS)\n",
			spec);
		return -1;
	}
	len = (size_t)(eq - spec);
	snprintf(name, sizeof(name), "%.*s%s", (int)len, spec,
		 len > 12 && !strncmp(eq - 12, "/manual_time", 12) ?
		 "" : "/manual_time");
	hb_case_name_parse(name, &id);
	t = calloc((size_t)o->reps, sizeof(*t));
	if (!t)
		return -1;
	for (int r = 0; r < o->reps; r++) {
		json_t *e = entry_head(name, "iteration", family, o->reps);

		t[r] = fmax(mean + gsl_ran_gaussian(rng, mean * o->noise),
			    mean * 0.01);
		json_object_set_new(e, "repetition_index", json_integer(r));
		json_object_set_new(e, "threads", json_integer(1));
		if (is_error_case(o, name)) {
			json_object_set_new(e, "error_occurred", json_true());
			json_object_set_new(e, "error_message", json_string(
				"verify: 3 pages not valid after the call"));
			json_object_set_new(e, "iterations",
					    json_integer(o->iterations));
			set_num(e, "real_time", 0);
			set_num(e, "cpu_time", 0);
			json_object_set_new(e, "time_unit", json_string("ns"));
		} else {
			json_object_set_new(e, "iterations",
					    json_integer(o->iterations));
			set_num(e, "real_time", t[r]);
			set_num(e, "cpu_time", t[r] / 2);
			json_object_set_new(e, "time_unit", json_string("ns"));
			set_counters(e, &id, t[r], o);
		}
		json_array_append_new(arr, e);
	}
	if (!is_error_case(o, name) && o->reps >= 2) {
		size_t n = (size_t)o->reps;

		add_aggregate(arr, name, family, o, &id, "mean",
			      stats_amean(t, n));
		add_aggregate(arr, name, family, o, &id, "median",
			      stats_median(t, n));
		add_aggregate(arr, name, family, o, &id, "stddev",
			      stats_stddev(t, n));
		add_aggregate(arr, name, family, o, &id, "cv",
			      stats_coeffvar(t, n) / 100);
		add_aggregate(arr, name, family, o, &id, "min",
			      stats_min(t, n));
		add_aggregate(arr, name, family, o, &id, "max",
			      stats_max(t, n));
		add_aggregate(arr, name, family, o, &id, "p99",
			      hb_percentile(t, n, 99));
	}
	free(t);
	return 0;
}

static int write_extras(const char *dir, const struct opts *o)
{
	char sys[4200], text[512];
	FILE *f;

	snprintf(sys, sizeof(sys), "%s/system", dir);
	if (mkdir_p(sys))
		return -1;
	snprintf(text, sizeof(text), "Linux %s %s x86_64 GNU/Linux\n",
		 o->host, o->kernel);
	if (write_file(sys, "uname", text))
		return -1;
	snprintf(sys, sizeof(sys), "%s/hist", dir);
	if (mkdir_p(sys))
		return -1;
	if (write_file(dir, "summary.txt", "synthetic run\n"))
		return -1;
	snprintf(sys, sizeof(sys), "%s/skipped.tsv", dir);
	f = fopen(sys, "w");
	if (!f)
		return -1;
	for (int i = 0; i < o->nskips; i++) {
		const char *eq = strchr(o->skips[i], '=');

		if (eq)
			fprintf(f, "%.*s\t%s\n", (int)(eq - o->skips[i]),
				o->skips[i], eq + 1);
		else
			fprintf(f, "%s\tskipped\n", o->skips[i]);
	}
	fclose(f);
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "noise", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "vm", required_argument, NULL, 'v' },
		{ "thp", required_argument, NULL, 't' },
		{ "governor", required_argument, NULL, 'g' },
		{ "profile", required_argument, NULL, 'p' },
		{ "module-version", required_argument, NULL, 'm' },
		{ "schema", required_argument, NULL, 'S' },
		{ "window", required_argument, NULL, 'w' },
		{ "iterations", required_argument, NULL, 'I' },
		{ "ctx", required_argument, NULL, 'c' },
		{ "error", required_argument, NULL, 'e' },
		{ "skip", required_argument, NULL, 'x' },
		{ "incomplete", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->reps = atoi(optarg); break;
		case 'n': o->noise = atof(optarg); break;
		case 's': o->seed = strtoul(optarg, NULL, 0); break;
		case 'k': o->kernel = optarg; break;
		case 'H': o->host = optarg; break;
		case 'v': o->vm = optarg; break;
		case 't': o->thp = optarg; break;
		case 'g': o->governor = optarg; break;
		case 'p': o->profile = optarg; break;
		case 'm': o->module_version = optarg; break;
		case 'S': o->schema = optarg; break;
		case 'w': o->window = atoi(optarg); break;
		case 'I': o->iterations = atoi(optarg); break;
		case 'c':
			if (o->nctx < MAX_CTX)
				o->ctx[o->nctx++] = optarg;
			break;
		case 'i': o->incomplete = 1; break;
		case 'e':
			if (o->nerrors < MAX_ERRORS)
				o->errors[o->nerrors++] = optarg;
			break;
		case 'x':
			if (o->nskips < MAX_SKIPS)
				o->skips[o->nskips++] = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (argc - optind < 2 || o->reps < 1) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.reps = 10, .noise = 0.01, .seed = 1,
		.kernel = "6.1.0-synthetic", .host = "synth", .vm = "none",
		.thp = "madvise", .governor = "performance",
		.profile = "quick", .schema = "1", .module_version = "0.1",
		.iterations = 10,
	};
	json_t *root, *arr;
	const char *dir;
	gsl_rng *rng;
	char path[4200];
	int ret = 1;

	if (parse_opts(argc, argv, &o))
		return 2;
	dir = argv[optind];
	if (mkdir_p(dir)) {
		fprintf(stderr, "make_synthetic_run: cannot create %s: %s\n",
			dir, strerror(errno));
		return 1;
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, o.seed);
	root = json_object();
	arr = json_array();
	json_object_set_new(root, "context", make_context(&o));
	for (int i = optind + 1; i < argc; i++)
		if (add_case(arr, argv[i], i - optind - 1, &o, rng))
			goto out;
	json_object_set_new(root, "benchmarks", arr);
	arr = NULL;
	snprintf(path, sizeof(path), "%s/hmmbench.json", dir);
	if (json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			   JSON_REAL_PRECISION(17))) {
		fprintf(stderr, "make_synthetic_run: cannot write %s\n", path);
		goto out;
	}
	if (write_extras(dir, &o) ||
	    (!o.incomplete && write_file(dir, "COMPLETE", ""))) {
		fprintf(stderr, "make_synthetic_run: cannot write in %s\n", dir);
		goto out;
	}
	ret = 0;
out:
	json_decref(arr);
	json_decref(root);
	gsl_rng_free(rng);
	return ret;
}
