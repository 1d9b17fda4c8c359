// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the Google Benchmark C shim (harness/gbench_shim.h).
 *
 * Google Benchmark keeps its flags and cases in globals, and gbs_init()
 * works once per process, so every scenario runs in a forked child: the
 * child only drives the shim and writes what it saw into shared memory;
 * the parent asserts on that record and on the JSON file the child's run
 * wrote with Google Benchmark's own reporter. The child exits normally, so
 * LeakSanitizer checks it too; any sanitizer report fails the test through
 * the child's exit status. A child that reaches its end sets reached_end,
 * which tells "returned an error" from "the library called exit()".
 *
 * TAP: run with CMOCKA_MESSAGE_OUTPUT=TAP.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gbench/gbench_shim.h"

#define MAX_PROGRESS 64
#define NCASES 8
#define MAX_ORDER 64

struct progress_rec {
	char name[96];
	int run_type;
	bool error;
	size_t cases_done, cases_total;
	void *case_user;
};

/* What a child saw; lives in a MAP_SHARED mapping. */
struct record {
	bool reached_end;
	int init_rc, init2_rc, ctx_rc, ctx2_rc, run_rc, late_rc;
	int reg_rc[NCASES];
	char init_err[512], run_err[512];
	int calls[NCASES];	/* callback calls, counted through user data */
	int misuse_rc[NCASES];	/* in-callback calls that must fail */
	int nprogress;
	struct progress_rec progress[MAX_PROGRESS];
	void *progress_user;
	int norder;
	int order[MAX_ORDER];	/* case index of each callback call, in order */
};

struct fixture {
	char dir[PATH_MAX];
	char json_path[PATH_MAX + 16];
	char out_flag[PATH_MAX + 32];
	struct record *rec;
	/* Parent-side allocations, freed by the teardown even after a
	 * failed assertion: a child inherits and would report them. */
	json_t *json;
	char *out_txt, *err_txt;
	const char *param;	/* table-driven variant, from the prestate */
};

typedef void (*scenario_fn)(struct fixture *f);

/* Helpers ------------------------------------------------------------- */

static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	char *buf;
	long len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp)
		return strdup("");
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, fp) != (size_t)len)
		buf[0] = '\0';
	fclose(fp);
	return buf;
}

static void redirect(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX + 64];
	int out;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0 || dup2(out, fd) < 0)
		_exit(90);
	close(out);
}

/* Run scenario in a child; fail unless it exits 0 having reached its end. */
static void run_child(struct fixture *f, scenario_fn scenario)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		redirect(f->dir, "stdout.txt", STDOUT_FILENO);
		redirect(f->dir, "stderr.txt", STDERR_FILENO);
		scenario(f);
		f->rec->reached_end = true;
		exit(0);	/* not _exit: LeakSanitizer runs at exit */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *err = slurp(f->dir, "stderr.txt");

		fprintf(stderr, "# child status 0x%x, its stderr:\n%s\n",
			status, err ? err : "");
		free(err);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(f->rec->reached_end);
}

static void load_json(struct fixture *f)
{
	json_error_t jerr;

	f->json = json_load_file(f->json_path, 0, &jerr);
	if (!f->json)
		fprintf(stderr, "# %s:%d: %s\n", f->json_path, jerr.line,
			jerr.text);
	assert_non_null(f->json);
	assert_true(json_is_array(json_object_get(f->json, "benchmarks")));
}

static const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static double num_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fprintf(stderr, "# field '%s' missing or not a number in %s\n",
			key, str_field(o, "name"));
	assert_true(json_is_number(v));
	return json_number_value(v);
}

#define assert_near(got, want) do {					\
	double g_ = (got), w_ = (want);					\
	if (!(fabs(g_ - w_) <= 1e-9 * fmax(1.0, fabs(w_))))		\
		fail_msg("%s = %.17g, expected %.17g", #got, g_, w_);	\
} while (0)

/* Entries with this name (as reported, aggregate suffix included). */
static size_t find_all(json_t *root, const char *name, json_t **out,
		       size_t max)
{
	json_t *b, *benches = json_object_get(root, "benchmarks");
	size_t i, n = 0;

	json_array_foreach(benches, i, b)
		if (!strcmp(str_field(b, "name"), name) && n < max)
			out[n++] = b;
	return n;
}

static json_t *find_one(json_t *root, const char *name)
{
	json_t *b = NULL;

	if (find_all(root, name, &b, 1) != 1)
		fail_msg("no entry named '%s' in the JSON", name);
	return b;
}

static bool any_name_contains(json_t *root, const char *needle)
{
	json_t *b, *benches = json_object_get(root, "benchmarks");
	size_t i;

	json_array_foreach(benches, i, b)
		if (strstr(str_field(b, "name"), needle))
			return true;
	return false;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Fixtures ------------------------------------------------------------ */

static int setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s/gbench_shim.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->json_path, sizeof(f->json_path), "%s/run.json", f->dir);
	snprintf(f->out_flag, sizeof(f->out_flag), "--benchmark_out=%s",
		 f->json_path);
	f->rec = mmap(NULL, sizeof(*f->rec), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(f->rec != MAP_FAILED);
	f->param = *state;	/* prestate of a table-driven test, or NULL */
	*state = f;
	return 0;
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;
	struct dirent *de;
	DIR *d = opendir(f->dir);

	while (d && (de = readdir(d))) {
		char path[PATH_MAX + 300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	json_decref(f->json);
	free(f->out_txt);
	free(f->err_txt);
	munmap(f->rec, sizeof(*f->rec));
	free(f);
	return 0;
}

/* The main scenario: three cases, three repetitions, JSON out. --------- */

static void case_fixed(gbs_state *st, void *user)
{
	int *calls = user;

	++*calls;
	while (gbs_keep_running(st))
		gbs_set_iteration_time(st, 0.001);
	/* 4 iterations of 1 ms: 0.004 s per repetition. */
	gbs_set_counter(st, "plain", 7, GBS_COUNTER_DEFAULT);
	gbs_set_counter(st, "rate", 8, GBS_COUNTER_RATE);
	gbs_set_counter(st, "inv", 3, GBS_COUNTER_ITERATION_INVARIANT);
	gbs_set_counter(st, "invrate", 3, GBS_COUNTER_ITERATION_INVARIANT_RATE);
	gbs_set_counter(st, "avg", 8, GBS_COUNTER_AVG_ITERATIONS);
	gbs_set_counter(st, "avgrate", 8, GBS_COUNTER_AVG_ITERATIONS_RATE);
	gbs_set_counter(st, "per", 4, GBS_COUNTER_RATE | GBS_COUNTER_INVERT);
	gbs_set_counter(st, "thr", 6, GBS_COUNTER_AVG_THREADS);
	gbs_set_counter(st, "thrrate", 6, GBS_COUNTER_AVG_THREADS_RATE);
	gbs_set_counter(st, "bytes", 2048,
			GBS_COUNTER_RATE | GBS_COUNTER_BASE_1024);
}

/* The k-th call (one per repetition) reports k ms per iteration. */
static void case_varying(gbs_state *st, void *user)
{
	int k = ++*(int *)user;

	while (gbs_keep_running(st))
		gbs_set_iteration_time(st, k * 0.001);
}

static void case_failing(gbs_state *st, void *user)
{
	++*(int *)user;
	gbs_skip_with_error(st, "boom: by design");
	while (gbs_keep_running(st))
		gbs_set_iteration_time(st, 0.001);
}

static void on_progress(const struct gbs_run_info *info, void *user)
{
	struct record *rec = user;
	struct progress_rec *p;

	if (rec->nprogress >= MAX_PROGRESS)
		return;
	p = &rec->progress[rec->nprogress++];
	snprintf(p->name, sizeof(p->name), "%s", info->name);
	p->run_type = info->run_type;
	p->error = info->error_occurred;
	p->cases_done = info->cases_done;
	p->cases_total = info->cases_total;
	p->case_user = info->case_user;
	rec->progress_user = user;
}

static void scenario_main(struct fixture *f)
{
	const char *argv[] = {
		"test_gbench_shim", f->out_flag, "--benchmark_out_format=json",
		"--benchmark_repetitions=3",
		"--benchmark_enable_random_interleaving=true",
	};
	const struct gbs_case_opts fixed = {
		.iterations = 4, .unit = GBS_UNIT_MS, .stats = GBS_STAT_ALL,
	};
	const struct gbs_case_opts varying = {
		.iterations = 2, .unit = GBS_UNIT_MS, .stats = GBS_STAT_ALL,
	};
	const struct gbs_case_opts failing = { .iterations = 1 };
	const struct gbs_run_opts run = {
		.console = GBS_CONSOLE_STDERR,
		.progress = on_progress, .progress_user = f->rec,
	};
	struct record *r = f->rec;

	r->init_rc = gbs_init(5, argv);
	r->ctx_rc = gbs_add_context("hmmbench_test", "shim");
	r->reg_rc[0] = gbs_register("fixed", case_fixed, &r->calls[0], &fixed);
	r->reg_rc[1] = gbs_register("varying", case_varying, &r->calls[1],
				    &varying);
	r->reg_rc[2] = gbs_register("failing", case_failing, &r->calls[2],
				    &failing);
	r->run_rc = gbs_run(&run);
	snprintf(r->run_err, sizeof(r->run_err), "%s", gbs_last_error());
	gbs_shutdown();
}

static int setup_main(void **state)
{
	struct fixture *f;

	setup_dir(state);
	f = *state;
	run_child(f, scenario_main);
	assert_int_equal(f->rec->init_rc, 0);
	assert_int_equal(f->rec->ctx_rc, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->rec->reg_rc[i], 0);
	load_json(f);
	return 0;
}

/* Names: "/manual_time" stays, per-case settings are dropped. */
static void test_names(void **state)
{
	struct fixture *f = *state;
	static const char *const aggs[] = {
		"mean", "median", "stddev", "cv", "min", "max", "p99",
	};
	json_t *e[8];
	char name[64];

	assert_int_equal(find_all(f->json, "fixed/manual_time", e, 8), 3);
	assert_int_equal(find_all(f->json, "varying/manual_time", e, 8), 3);
	assert_int_equal(find_all(f->json, "failing/manual_time", e, 8), 3);
	for (size_t i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++) {
		snprintf(name, sizeof(name), "varying/manual_time_%s", aggs[i]);
		e[0] = find_one(f->json, name);
		assert_string_equal(str_field(e[0], "run_type"), "aggregate");
		assert_string_equal(str_field(e[0], "aggregate_name"), aggs[i]);
		assert_string_equal(str_field(e[0], "run_name"),
				    "varying/manual_time");
	}
	assert_false(any_name_contains(f->json, "iterations:"));
	assert_false(any_name_contains(f->json, "repeats:"));
}

/* real_time is the time fed with gbs_set_iteration_time(). */
static void test_manual_time(void **state)
{
	struct fixture *f = *state;
	double t[3];
	json_t *e[3];

	assert_int_equal(find_all(f->json, "fixed/manual_time", e, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_near(num_field(e[i], "real_time"), 1.0);
		assert_near(num_field(e[i], "iterations"), 4);
		assert_string_equal(str_field(e[i], "time_unit"), "ms");
		assert_string_equal(str_field(e[i], "run_type"), "iteration");
	}
	assert_int_equal(find_all(f->json, "varying/manual_time", e, 3), 3);
	for (int i = 0; i < 3; i++)
		t[i] = num_field(e[i], "real_time");
	qsort(t, 3, sizeof(t[0]), cmp_double);
	assert_near(t[0], 1.0);
	assert_near(t[1], 2.0);
	assert_near(t[2], 3.0);
}

/* Each flag has Google Benchmark's meaning (0.004 s, 4 iterations). */
static void test_counters(void **state)
{
	struct fixture *f = *state;
	json_t *e[3];

	assert_int_equal(find_all(f->json, "fixed/manual_time", e, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_near(num_field(e[i], "plain"), 7);
		assert_near(num_field(e[i], "rate"), 8 / 0.004);
		assert_near(num_field(e[i], "inv"), 3 * 4);
		assert_near(num_field(e[i], "invrate"), 3 * 4 / 0.004);
		assert_near(num_field(e[i], "avg"), 8 / 4.0);
		assert_near(num_field(e[i], "avgrate"), 8 / 4.0 / 0.004);
		assert_near(num_field(e[i], "per"), 0.004 / 4);
		assert_near(num_field(e[i], "thr"), 6);
		assert_near(num_field(e[i], "thrrate"), 6 / 0.004);
		/* Base 1024 changes only the console's "k". */
		assert_near(num_field(e[i], "bytes"), 2048 / 0.004);
	}
	/* Counters get the aggregates too. */
	assert_near(num_field(find_one(f->json, "fixed/manual_time_mean"),
			      "rate"), 2000);
	assert_near(num_field(find_one(f->json, "fixed/manual_time_p99"),
			      "avg"), 2);
}

/* mean/median/stddev/cv and the shim's min/max/p99 over 1, 2, 3 ms. */
static void test_aggregates(void **state)
{
	struct fixture *f = *state;
	json_t *cv;

#define AGG(n) num_field(find_one(f->json, "varying/manual_time_" n), "real_time")
	assert_near(AGG("mean"), 2.0);
	assert_near(AGG("median"), 2.0);
	assert_near(AGG("stddev"), 1.0);	/* sample stddev */
	assert_near(AGG("cv"), 0.5);		/* a fraction */
	assert_near(AGG("min"), 1.0);
	assert_near(AGG("max"), 3.0);
	assert_near(AGG("p99"), 2.98);		/* 2 + 0.98 * (3 - 2) */
#undef AGG
	cv = find_one(f->json, "varying/manual_time_cv");
	assert_string_equal(str_field(cv, "aggregate_unit"), "percentage");
	assert_string_equal(str_field(find_one(f->json,
			"varying/manual_time_p99"), "aggregate_unit"), "time");
	assert_near(num_field(find_one(f->json, "varying/manual_time_p99"),
			      "iterations"), 3);	/* repetitions */
#define AGG(n) num_field(find_one(f->json, "fixed/manual_time_" n), "real_time")
	assert_near(AGG("stddev"), 0.0);
	assert_near(AGG("min"), 1.0);
	assert_near(AGG("max"), 1.0);
	assert_near(AGG("p99"), 1.0);
#undef AGG
}

/* gbs_add_context() lands in "context", beside the library's own keys. */
static void test_context(void **state)
{
	struct fixture *f = *state;
	json_t *ctx = json_object_get(f->json, "context");
	json_t *e[3];

	assert_non_null(ctx);
	assert_string_equal(str_field(ctx, "hmmbench_test"), "shim");
	assert_string_equal(str_field(ctx, "executable"), "test_gbench_shim");
	assert_int_equal(find_all(f->json, "fixed/manual_time", e, 3), 3);
}

/* An erroring case: flagged in the JSON, counted once by gbs_run(). */
static void test_error_case(void **state)
{
	struct fixture *f = *state;
	json_t *e[3];

	assert_int_equal(f->rec->run_rc, 1);
	assert_int_equal(find_all(f->json, "failing/manual_time", e, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_true(json_is_true(json_object_get(e[i], "error_occurred")));
		assert_string_equal(str_field(e[i], "error_message"),
				    "boom: by design");
	}
	/* No aggregate over fewer than 2 successful repetitions. */
	assert_false(any_name_contains(f->json, "failing/manual_time_"));
	assert_null(json_object_get(find_one(f->json,
		"fixed/manual_time_mean"), "error_occurred"));
}

/*
 * Under random interleaving (on in the main scenario) each case still
 * reports its 3 repetitions, with indices 0, 1 and 2. Whether the runs
 * were really interleaved is test_interleaving_*'s business.
 */
static void test_repetition_indices(void **state)
{
	struct fixture *f = *state;
	int seen = 0;
	json_t *e[3];

	assert_int_equal(find_all(f->json, "varying/manual_time", e, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_near(num_field(e[i], "repetitions"), 3);
		seen |= 1 << (int)num_field(e[i], "repetition_index");
	}
	assert_int_equal(seen, 7);
}

/* User data reaches the callback: one call per repetition (fixed iters). */
static void test_user_data(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->rec->calls[0], 3);
	assert_int_equal(f->rec->calls[1], 3);
	assert_int_equal(f->rec->calls[2], 3);
}

/* One progress call per reported result, cases counted in order. */
static void test_progress(void **state)
{
	struct fixture *f = *state;
	struct record *r = f->rec;
	int iters = 0, aggs = 0, errors = 0;

	/* 2 cases x (3 + 7 aggregates) + 3 failed repetitions. */
	assert_int_equal(r->nprogress, 23);
	assert_ptr_equal(r->progress_user, r);
	assert_int_equal(r->progress[0].cases_done, 1);
	for (int i = 0; i < r->nprogress; i++) {
		const struct progress_rec *p = &r->progress[i];
		const int c = !strncmp(p->name, "fixed/", 6) ? 0 :
			      !strncmp(p->name, "varying/", 8) ? 1 : 2;

		assert_int_equal(p->cases_total, 3);
		if (i)
			assert_true(p->cases_done == r->progress[i - 1].cases_done ||
				    p->cases_done == r->progress[i - 1].cases_done + 1);
		assert_ptr_equal(p->case_user, &r->calls[c]);
		iters += p->run_type == GBS_RUN_ITERATION;
		aggs += p->run_type == GBS_RUN_AGGREGATE;
		errors += p->error;
		assert_int_equal(p->error, c == 2);
	}
	assert_int_equal(r->progress[r->nprogress - 1].cases_done, 3);
	assert_int_equal(iters, 9);
	assert_int_equal(aggs, 14);
	assert_int_equal(errors, 3);
}

/* GBS_CONSOLE_STDERR: the table on stderr, nothing on stdout. */
static void test_console_stream(void **state)
{
	struct fixture *f = *state;

	f->out_txt = slurp(f->dir, "stdout.txt");
	f->err_txt = slurp(f->dir, "stderr.txt");
	assert_non_null(f->out_txt);
	assert_non_null(f->err_txt);
	assert_non_null(strstr(f->err_txt, "fixed/manual_time_mean"));
	assert_non_null(strstr(f->err_txt, "bytes=500k/s"));	/* 512000 / 1024 */
	assert_null(strstr(f->out_txt, "fixed"));
}

/* Random interleaving: the order in which repetitions run. ------------- */

/*
 * ILV_CASES cases of ILV_REPS repetitions of one iteration each: one
 * callback call per repetition, logged in order. Google Benchmark 1.7.1
 * lists every repetition of every case and, with
 * --benchmark_enable_random_interleaving, std::shuffle()s that list (seeded
 * from std::random_device) before running it; without, it runs each case's
 * repetitions back to back, in registration order.
 */
#define ILV_CASES 8
#define ILV_REPS 4

static struct record *ilv_rec;

static void case_logged(gbs_state *st, void *user)
{
	struct record *r = ilv_rec;
	int c = (int)((int *)user - r->calls);

	++*(int *)user;
	if (r->norder < MAX_ORDER)
		r->order[r->norder++] = c;
	while (gbs_keep_running(st))
		gbs_set_iteration_time(st, 0.001);
}

static void scenario_interleaving(struct fixture *f)
{
	const char *argv[] = {
		"test_gbench_shim", f->out_flag, "--benchmark_repetitions=4",
		!strcmp(f->param, "on") ?
			"--benchmark_enable_random_interleaving=true" :
			"--benchmark_enable_random_interleaving=false",
	};
	const struct gbs_case_opts one = { .iterations = 1 };
	struct record *r = f->rec;
	char name[16];

	ilv_rec = r;
	r->init_rc = gbs_init(4, argv);
	for (int c = 0; c < ILV_CASES; c++) {
		snprintf(name, sizeof(name), "ilv%d", c);
		r->reg_rc[c] = gbs_register(name, case_logged, &r->calls[c],
					    &one);
	}
	r->run_rc = gbs_run(&(struct gbs_run_opts){ .console = GBS_CONSOLE_NONE });
	snprintf(r->run_err, sizeof(r->run_err), "%s", gbs_last_error());
	gbs_shutdown();
}

/* Number of runs of equal case index in the log: ILV_CASES if contiguous. */
static int order_blocks(const struct record *r)
{
	int blocks = 0;

	for (int i = 0; i < r->norder; i++)
		blocks += !i || r->order[i] != r->order[i - 1];
	return blocks;
}

static void print_order(const struct record *r)
{
	char line[3 * MAX_ORDER + 1];
	size_t n = 0;

	for (int i = 0; i < r->norder && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %d",
				      r->order[i]);
	printf("# call order (case index per repetition):%s\n", line);
}

static void run_interleaving(struct fixture *f)
{
	struct record *r = f->rec;
	int seen[ILV_CASES];
	json_t *e[ILV_REPS + 1];
	char name[32];

	run_child(f, scenario_interleaving);
	assert_int_equal(r->init_rc, 0);
	for (int c = 0; c < ILV_CASES; c++)
		assert_int_equal(r->reg_rc[c], 0);
	if (r->run_rc != 0)
		fail_msg("gbs_run: %d (%s)", r->run_rc, r->run_err);
	print_order(r);
	/* One call per repetition, every one reported with its index. */
	assert_int_equal(r->norder, ILV_CASES * ILV_REPS);
	load_json(f);
	for (int c = 0; c < ILV_CASES; c++) {
		assert_int_equal(r->calls[c], ILV_REPS);
		snprintf(name, sizeof(name), "ilv%d/manual_time", c);
		assert_int_equal(find_all(f->json, name, e, ILV_REPS + 1),
				 ILV_REPS);
		seen[c] = 0;
		for (int i = 0; i < ILV_REPS; i++)
			seen[c] |= 1 << (int)num_field(e[i], "repetition_index");
		assert_int_equal(seen[c], (1 << ILV_REPS) - 1);
	}
}

/*
 * Interleaving on: some case's repetitions are not back to back. A
 * uniform shuffle of ILV_CASES x ILV_REPS calls leaves every case
 * contiguous in ILV_CASES! of the (ILV_CASES * ILV_REPS)! / (ILV_REPS!)^
 * ILV_CASES distinct orders: 8! * 24^8 / 32! = 1.7e-20, so this fails
 * only if the flag does not reach the library (or it stops shuffling).
 */
static void test_interleaving_on(void **state)
{
	struct fixture *f = *state;
	double lp;

	lp = lgamma(ILV_CASES + 1) + ILV_CASES * lgamma(ILV_REPS + 1) -
	     lgamma(ILV_CASES * ILV_REPS + 1);
	printf("# P(a shuffled order is contiguous) = %.3g\n", exp(lp));
	assert_true(exp(lp) < 1e-9);
	run_interleaving(f);
	assert_true(order_blocks(f->rec) > ILV_CASES);
}

/* Interleaving off: each case's repetitions in one block, in order. */
static void test_interleaving_off(void **state)
{
	struct fixture *f = *state;

	run_interleaving(f);
	assert_int_equal(order_blocks(f->rec), ILV_CASES);
	for (int i = 0; i < f->rec->norder; i++)
		assert_int_equal(f->rec->order[i], i / ILV_REPS);
}

/* Flags: errors are returned, the process goes on. ---------------------- */

static void scenario_bad_flag(struct fixture *f)
{
	const char *argv[] = { "test_gbench_shim", f->param };
	struct record *r = f->rec;

	r->init_rc = gbs_init(2, argv);
	snprintf(r->init_err, sizeof(r->init_err), "%s", gbs_last_error());
	r->init2_rc = gbs_init(1, argv);	/* a failure is final */
	r->reg_rc[0] = gbs_register("x", case_varying, &r->calls[0], NULL);
	gbs_shutdown();
}

static void test_bad_flag(void **state)
{
	struct fixture *f = *state;

	run_child(f, scenario_bad_flag);
	assert_int_equal(f->rec->init_rc, -EINVAL);
	assert_non_null(strstr(f->rec->init_err, f->param));
	assert_int_equal(f->rec->init2_rc, -EINVAL);
	assert_int_equal(f->rec->reg_rc[0], -EINVAL);
}

static void scenario_unwritable_out(struct fixture *f)
{
	const char *argv[] = {
		"test_gbench_shim", "--benchmark_out=/nonexistent/dir/run.json",
	};
	const struct gbs_case_opts one = { .iterations = 1 };
	struct record *r = f->rec;

	r->init_rc = gbs_init(2, argv);
	r->reg_rc[0] = gbs_register("x", case_varying, &r->calls[0], &one);
	r->run_rc = gbs_run(&(struct gbs_run_opts){ .console = GBS_CONSOLE_NONE });
	snprintf(r->run_err, sizeof(r->run_err), "%s", gbs_last_error());
	gbs_shutdown();
}

/* The library would exit(1); the shim returns -EIO before running. */
static void test_unwritable_out_file(void **state)
{
	struct fixture *f = *state;

	run_child(f, scenario_unwritable_out);
	assert_int_equal(f->rec->init_rc, 0);
	assert_int_equal(f->rec->run_rc, -EIO);
	assert_non_null(strstr(f->rec->run_err, "/nonexistent/dir/run.json"));
	assert_int_equal(f->rec->calls[0], 0);
}

/* --benchmark_filter picks cases; matching none is -ENOENT. */
static void scenario_filter(struct fixture *f)
{
	const char *argv[] = {
		"test_gbench_shim", f->out_flag, "--benchmark_filter=^keep",
	};
	const char *none[] = { "test_gbench_shim", "--benchmark_filter=^nothing" };
	const struct gbs_case_opts one = { .iterations = 1 };
	const struct gbs_run_opts quiet = { .console = GBS_CONSOLE_NONE };
	struct record *r = f->rec;

	r->init_rc = gbs_init(f->param ? 2 : 3, f->param ? none : argv);
	r->reg_rc[0] = gbs_register("keep", case_varying, &r->calls[0], &one);
	r->reg_rc[1] = gbs_register("drop", case_varying, &r->calls[1], &one);
	r->run_rc = gbs_run(&quiet);
	gbs_shutdown();
}

static void test_filter(void **state)
{
	struct fixture *f = *state;

	run_child(f, scenario_filter);
	assert_int_equal(f->rec->init_rc, 0);
	assert_int_equal(f->rec->run_rc, 0);
	assert_int_equal(f->rec->calls[0], 1);
	assert_int_equal(f->rec->calls[1], 0);
	load_json(f);
	find_one(f->json, "keep/manual_time");
	assert_false(any_name_contains(f->json, "drop"));
}

static void test_filter_matching_nothing(void **state)
{
	struct fixture *f = *state;

	run_child(f, scenario_filter);
	assert_int_equal(f->rec->init_rc, 0);
	assert_int_equal(f->rec->run_rc, -ENOENT);
	assert_int_equal(f->rec->calls[0] + f->rec->calls[1], 0);
}

/* Registration and context: checked before the library could abort. ---- */

static void scenario_registration(struct fixture *f)
{
	const char *argv[] = { "test_gbench_shim" };
	struct record *r = f->rec;
	int *rc = r->reg_rc;

	rc[0] = gbs_register("early", case_varying, NULL, NULL);
	r->init_rc = gbs_init(1, argv);
	r->init2_rc = gbs_init(1, argv);
	rc[1] = gbs_register("ok", case_varying, NULL, NULL);
	rc[2] = gbs_register("ok", case_varying, NULL, NULL);
	rc[3] = gbs_register("", case_varying, NULL, NULL);
	rc[4] = gbs_register("nofn", NULL, NULL, NULL);
	rc[5] = gbs_register("both", case_varying, NULL,
		&(struct gbs_case_opts){ .iterations = 3, .min_time = 0.1 });
	rc[6] = gbs_register("stats", case_varying, NULL,
		&(struct gbs_case_opts){ .stats = 1u << 7 });
	rc[7] = gbs_register("reps", case_varying, NULL,
		&(struct gbs_case_opts){ .repetitions = -1 });
	r->ctx_rc = gbs_add_context("k", "v");
	r->ctx2_rc = gbs_add_context("k", "w");
	r->calls[0] = (int)gbs_case_count();
	gbs_shutdown();
	r->late_rc = gbs_register("late", case_varying, NULL, NULL);
}

static void test_registration_errors(void **state)
{
	struct fixture *f = *state;
	const int *rc = f->rec->reg_rc;

	run_child(f, scenario_registration);
	assert_int_equal(rc[0], -EINVAL);	/* before gbs_init() */
	assert_int_equal(f->rec->init_rc, 0);
	assert_int_equal(f->rec->init2_rc, -EINVAL);	/* twice */
	assert_int_equal(rc[1], 0);
	assert_int_equal(rc[2], -EEXIST);	/* duplicate name */
	assert_int_equal(rc[3], -EINVAL);	/* empty name */
	assert_int_equal(rc[4], -EINVAL);	/* no callback */
	assert_int_equal(rc[5], -EINVAL);	/* iterations and min_time */
	assert_int_equal(rc[6], -EINVAL);	/* unknown statistic */
	assert_int_equal(rc[7], -EINVAL);	/* negative repetitions */
	assert_int_equal(f->rec->ctx_rc, 0);
	assert_int_equal(f->rec->ctx2_rc, -EEXIST);
	assert_int_equal(f->rec->calls[0], 1);
	assert_int_equal(f->rec->late_rc, -EINVAL);	/* after shutdown */
}

/* Callback misuse fails the case instead of aborting or hanging. ------ */

static void case_untimed(gbs_state *st, void *user)
{
	(void)user;
	while (gbs_keep_running(st))
		;	/* never calls gbs_set_iteration_time() */
}

static void case_early_return(gbs_state *st, void *user)
{
	(void)user;
	gbs_keep_running(st);
}

static void case_bad_time(gbs_state *st, void *user)
{
	(void)user;
	while (gbs_keep_running(st))
		gbs_set_iteration_time(st, -1.0);
}

static void case_misuse_rejected(gbs_state *st, void *user)
{
	int *rc = user;

	rc[0] = gbs_pause_timing(st);	/* before the loop */
	while (gbs_keep_running(st)) {
		gbs_set_iteration_time(st, 0.001);
		rc[1] = gbs_pause_timing(st);
		rc[2] = gbs_pause_timing(st);	/* twice */
		rc[3] = gbs_resume_timing(st);
		rc[4] = gbs_resume_timing(st);	/* twice */
		rc[5] = gbs_pause_timing(st);	/* left paused: auto-resume */
	}
	rc[6] = gbs_set_counter(st, "x", 1, 1u << 12);
	rc[7] = gbs_resume_timing(st);	/* after the loop */
}

static void scenario_misuse(struct fixture *f)
{
	const char *argv[] = { "test_gbench_shim", f->out_flag };
	const struct gbs_case_opts two = { .iterations = 2 };
	const struct gbs_case_opts real = {
		.iterations = 2, .timing = GBS_TIMING_REAL,
	};
	struct record *r = f->rec;

	r->init_rc = gbs_init(2, argv);
	r->reg_rc[0] = gbs_register("untimed", case_untimed, NULL, &two);
	r->reg_rc[1] = gbs_register("early", case_early_return, NULL, &real);
	r->reg_rc[2] = gbs_register("badtime", case_bad_time, NULL, &two);
	r->reg_rc[3] = gbs_register("rejected", case_misuse_rejected,
				    r->misuse_rc, &two);
	r->run_rc = gbs_run(&(struct gbs_run_opts){ .console = GBS_CONSOLE_NONE });
	gbs_shutdown();
}

static void test_callback_misuse(void **state)
{
	struct fixture *f = *state;
	const int *m = f->rec->misuse_rc;
	json_t *e;

	run_child(f, scenario_misuse);
	assert_int_equal(f->rec->run_rc, 3);
	load_json(f);
	e = find_one(f->json, "untimed/manual_time");
	assert_true(json_is_true(json_object_get(e, "error_occurred")));
	assert_non_null(strstr(str_field(e, "error_message"),
			       "gbs_set_iteration_time() was not called"));
	e = find_one(f->json, "early/real_time");
	assert_non_null(strstr(str_field(e, "error_message"),
			       "returned before gbs_keep_running()"));
	e = find_one(f->json, "badtime/manual_time");
	assert_non_null(strstr(str_field(e, "error_message"), "negative"));
	e = find_one(f->json, "rejected/manual_time");
	assert_null(json_object_get(e, "error_occurred"));
	assert_int_equal(m[0], -EINVAL);
	assert_int_equal(m[1], 0);
	assert_int_equal(m[2], -EINVAL);
	assert_int_equal(m[3], 0);
	assert_int_equal(m[4], -EINVAL);
	assert_int_equal(m[5], 0);
	assert_int_equal(m[6], -EINVAL);
	assert_int_equal(m[7], -EINVAL);
}

/* Pause/resume keep a sleep out of real time. --------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void case_sleep_paused(gbs_state *st, void *user)
{
	(void)user;
	while (gbs_keep_running(st)) {
		gbs_pause_timing(st);
		sleep_ms(20);
		gbs_resume_timing(st);
	}
}

static void case_sleep(gbs_state *st, void *user)
{
	(void)user;
	while (gbs_keep_running(st))
		sleep_ms(20);
}

static void scenario_pause(struct fixture *f)
{
	const char *argv[] = { "test_gbench_shim", f->out_flag };
	const struct gbs_case_opts real = {
		.iterations = 2, .timing = GBS_TIMING_REAL, .unit = GBS_UNIT_MS,
	};
	struct record *r = f->rec;

	r->init_rc = gbs_init(2, argv);
	r->reg_rc[0] = gbs_register("paused", case_sleep_paused, NULL, &real);
	r->reg_rc[1] = gbs_register("slept", case_sleep, NULL, &real);
	r->run_rc = gbs_run(&(struct gbs_run_opts){ .console = GBS_CONSOLE_NONE });
	gbs_shutdown();
}

static void test_pause_resume(void **state)
{
	struct fixture *f = *state;

	run_child(f, scenario_pause);
	assert_int_equal(f->rec->run_rc, 0);
	load_json(f);
	assert_true(num_field(find_one(f->json, "slept/real_time"),
			      "real_time") >= 20.0);
	assert_true(num_field(find_one(f->json, "paused/real_time"),
			      "real_time") < 10.0);
}

/* setting_names keeps the library's names; timing picks the suffix. ---- */

static void scenario_setting_names(struct fixture *f)
{
	const char *argv[] = { "test_gbench_shim", f->out_flag };
	struct record *r = f->rec;

	r->init_rc = gbs_init(2, argv);
	r->reg_rc[0] = gbs_register("m", case_varying, &r->calls[0],
		&(struct gbs_case_opts){ .iterations = 2, .repetitions = 2 });
	r->reg_rc[1] = gbs_register("r", case_sleep, NULL,
		&(struct gbs_case_opts){ .iterations = 1,
					 .timing = GBS_TIMING_REAL });
	r->reg_rc[2] = gbs_register("c", case_sleep, NULL,
		&(struct gbs_case_opts){ .iterations = 1,
					 .timing = GBS_TIMING_CPU });
	r->run_rc = gbs_run(&(struct gbs_run_opts){
		.console = GBS_CONSOLE_NONE, .setting_names = true });
	gbs_shutdown();
}

static void test_setting_names(void **state)
{
	struct fixture *f = *state;
	json_t *e[2];

	run_child(f, scenario_setting_names);
	assert_int_equal(f->rec->run_rc, 0);
	load_json(f);
	assert_int_equal(find_all(f->json,
		"m/iterations:2/repeats:2/manual_time", e, 2), 2);
	find_one(f->json, "m/iterations:2/repeats:2/manual_time_mean");
	find_one(f->json, "r/iterations:1/real_time");
	find_one(f->json, "c/iterations:1");
}

#define BAD_FLAG(flag) { "bad_flag: " flag, test_bad_flag, setup_dir, \
			 teardown_dir, (void *)(flag) }

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_manual_time, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_counters, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_aggregates, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_context, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_error_case, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_repetition_indices, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_user_data, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_progress, setup_main, teardown_dir),
		cmocka_unit_test_setup_teardown(test_console_stream, setup_main, teardown_dir),
		cmocka_unit_test_prestate_setup_teardown(test_interleaving_on,
			setup_dir, teardown_dir, "on"),
		cmocka_unit_test_prestate_setup_teardown(test_interleaving_off,
			setup_dir, teardown_dir, "off"),
		BAD_FLAG("--benchmark_no_such_flag=1"),
		BAD_FLAG("--help"),
		BAD_FLAG("--benchmark_out_format=xml"),
		BAD_FLAG("--benchmark_format=html"),
		BAD_FLAG("--benchmark_time_unit=fortnight"),
		BAD_FLAG("--benchmark_repetitions=abc"),
		BAD_FLAG("-benchmark_repetitions=2"),
		cmocka_unit_test_setup_teardown(test_unwritable_out_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_filter, setup_dir, teardown_dir),
		cmocka_unit_test_prestate_setup_teardown(test_filter_matching_nothing,
			setup_dir, teardown_dir, "none"),
		cmocka_unit_test_setup_teardown(test_registration_errors, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_callback_misuse, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_pause_resume, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_setting_names, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
