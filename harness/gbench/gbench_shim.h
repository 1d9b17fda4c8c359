/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gbench_shim: a C interface to Google Benchmark (libbenchmark >= 1.7.1).
 *
 * Google Benchmark has no C API. This header is the whole surface the
 * harness sees: opaque handles, plain C types, negative errno returns.
 * The one implementation file, gbench_shim.cc, catches every C++ exception
 * at the boundary and turns it into an error return, and checks the
 * preconditions on which the library would abort() or exit() instead.
 *
 * Life cycle (one per process; Google Benchmark keeps global state):
 *
 *   gbs_init(argc, argv)        Google Benchmark flags, e.g. --benchmark_out=F
 *   gbs_add_context(k, v)       ... any number
 *   gbs_register(name, fn, user, &opts)   ... one per case
 *   gbs_run(&run_opts)          runs every registered case matching
 *                               --benchmark_filter, writes the console and
 *                               the --benchmark_out file; returns the
 *                               number of cases that reported an error
 *   gbs_shutdown()              final: no gbs_* call works after it
 *
 * A case's callback drives the measuring loop:
 *
 *   static void one(gbs_state *st, void *user)
 *   {
 *           while (gbs_keep_running(st)) {
 *                   uint64_t ns = ...;          // measured by the kernel
 *                   gbs_set_iteration_time(st, ns * 1e-9);
 *           }
 *           gbs_set_counter(st, "pages", npages, GBS_COUNTER_AVG_ITERATIONS);
 *   }
 *
 * Names: Google Benchmark appends "/manual_time" (or "/real_time") to the
 * name of a case that uses manual (or real) time, and appends
 * "/iterations:N", "/repeats:N" and "/min_time:T" for per-case settings.
 * The shim drops the last three from the reported
 * names (console and file) unless gbs_run_opts.setting_names is set, so
 * names stay the same whatever profile set them; the "iterations" and
 * "repetitions" fields of the JSON still carry the values.
 *
 * Errors: functions returning int give 0 (or a count) on success and a
 * negative errno value on failure; gbs_last_error() then describes it.
 * Not thread-safe: call everything from one thread.
 */
#ifndef HMMBENCH_GBENCH_SHIM_H
#define HMMBENCH_GBENCH_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The running measurement, valid only inside a case callback. */
typedef struct gbs_state gbs_state;

/* A case: called once per measurement batch (at least once a repetition). */
typedef void (*gbs_fn)(gbs_state *st, void *user);

/*
 * How a case is timed. Manual is the zero value: the harness feeds the
 * kernel's time. Only the shim's tests use real and CPU time: they check
 * pause/resume and the name suffixes against a clock the library itself
 * reads, which manual time cannot show.
 */
enum gbs_timing {
	GBS_TIMING_MANUAL = 0,	/* UseManualTime(): gbs_set_iteration_time() */
	GBS_TIMING_REAL,	/* UseRealTime(): wall clock of the loop */
	GBS_TIMING_CPU,		/* Google Benchmark's default: CPU time */
};

/* The harness reports in ns; the tests use ms to see the unit reach the JSON. */
enum gbs_time_unit {
	GBS_UNIT_DEFAULT = 0,	/* --benchmark_time_unit, else ns */
	GBS_UNIT_NS,
	GBS_UNIT_US,
	GBS_UNIT_MS,
	GBS_UNIT_S,
};

/*
 * Extra aggregates over the repetitions of a case, in addition to Google
 * Benchmark's mean, median, stddev and cv. Like those, they are computed
 * over the per-repetition values (time per iteration and each counter),
 * never over single iterations, and only when at least 2 repetitions
 * succeeded. p99 interpolates linearly between order statistics
 * (rank 0.99 * (n - 1), as numpy's default "linear" method).
 */
enum gbs_stat {
	GBS_STAT_MIN = 1u << 0,	/* aggregate_name "min" */
	GBS_STAT_MAX = 1u << 1,	/* aggregate_name "max" */
	GBS_STAT_P99 = 1u << 2,	/* aggregate_name "p99" */
	GBS_STAT_ALL = GBS_STAT_MIN | GBS_STAT_MAX | GBS_STAT_P99,
};

/*
 * Per-case settings. All-zero (or a NULL pointer) means: manual time, the
 * library's flags for iterations, min time, repetitions and unit, no extra
 * statistics.
 */
struct gbs_case_opts {
	enum gbs_timing timing;
	int64_t iterations;	/* > 0: exactly this many per repetition */
	double min_time;	/* > 0: seconds (excludes iterations) */
	int repetitions;	/* > 0: overrides --benchmark_repetitions */
	bool display_aggregates_only;	/* console only: aggregates only */
	enum gbs_time_unit unit;
	unsigned int stats;	/* GBS_STAT_* bits */
};

/*
 * Counter flags, Google Benchmark's Counter::Flags and OneK as C bits.
 * A rate is divided by the measured time of the repetition (the manual
 * time for a manual-time case).
 */
/*
 * The whole of Counter::Flags, although the harness sets only RATE: one
 * line each, and a caller cannot pass a bit that means nothing.
 */
enum gbs_counter_flags {
	GBS_COUNTER_DEFAULT = 0,
	GBS_COUNTER_RATE = 1u << 0,		/* kIsRate: value / seconds */
	GBS_COUNTER_AVG_THREADS = 1u << 1,	/* kAvgThreads: value / threads */
	GBS_COUNTER_AVG_THREADS_RATE = GBS_COUNTER_RATE | GBS_COUNTER_AVG_THREADS,
	GBS_COUNTER_ITERATION_INVARIANT = 1u << 2,	/* value * iterations */
	GBS_COUNTER_ITERATION_INVARIANT_RATE =
		GBS_COUNTER_RATE | GBS_COUNTER_ITERATION_INVARIANT,
	GBS_COUNTER_AVG_ITERATIONS = 1u << 3,	/* value / iterations */
	GBS_COUNTER_AVG_ITERATIONS_RATE =
		GBS_COUNTER_RATE | GBS_COUNTER_AVG_ITERATIONS,
	GBS_COUNTER_INVERT = 1u << 4,		/* kInvert: 1 / result, last */
	GBS_COUNTER_BASE_1024 = 1u << 5,	/* kIs1024: console k = 1024 */
};

enum gbs_console {
	GBS_CONSOLE_STDOUT = 0,	/* --benchmark_format output on stdout */
	GBS_CONSOLE_STDERR,	/* the tests: a table apart from their TAP */
	GBS_CONSOLE_NONE,
	GBS_CONSOLE_FILE,	/* into gbs_run_opts.console_path */
};

enum gbs_run_type {
	GBS_RUN_ITERATION = 0,	/* one repetition */
	GBS_RUN_AGGREGATE,	/* mean, median, stddev, cv, min, max, p99 */
};

/* What gbs_run() tells the progress callback about one reported result. */
struct gbs_run_info {
	const char *name;	/* as reported, e.g. "a/b/manual_time_mean" */
	const char *case_name;	/* as registered, e.g. "a/b" */
	void *case_user;	/* the user pointer given to gbs_register() */
	enum gbs_run_type run_type;
	const char *aggregate_name;	/* "" for an iteration */
	int64_t repetition_index;	/* -1 for an aggregate */
	int64_t repetitions;
	int64_t iterations;
	double real_time;	/* per iteration, in time_unit (cv: a fraction) */
	double cpu_time;	/* the same for CPU time */
	const char *time_unit;	/* "ns", "us", "ms" or "s" */
	bool error_occurred;
	const char *error_message;	/* "" without an error */
	size_t cases_done;	/* cases reported so far, this one included */
	size_t cases_total;	/* cases registered (a filter may run fewer) */
};

/*
 * Called after each result the console gets (so, with
 * display_aggregates_only, only aggregates), in order; results of one case
 * arrive together once all its repetitions have run. The strings live
 * until the callback returns.
 */
typedef void (*gbs_progress_fn)(const struct gbs_run_info *info, void *user);

/*
 * Called once per case when the --benchmark_out file has got every result
 * of it (its repetitions, then its aggregates), with those results as the
 * file has them: @json is the JSON objects of the file's "benchmarks"
 * array, comma-separated, without the brackets (so "[" json "]" is the
 * case's own array), as the JSON reporter writes them (NaN and Infinity
 * as bare words). Lets a caller keep each finished case safe on disk
 * while the run goes on. Needs --benchmark_out_format=json.
 */
typedef void (*gbs_case_done_fn)(const char *case_name, void *case_user,
				 const char *json, void *user);

/* Called before the console gets a result: a caller drawing a progress
 * line on the same terminal clears it here. */
typedef void (*gbs_before_console_fn)(void *user);

struct gbs_run_opts {
	enum gbs_console console;
	const char *console_path;	/* GBS_CONSOLE_FILE: truncated */
	gbs_progress_fn progress;	/* may be NULL */
	void *progress_user;
	bool setting_names;	/* keep "/iterations:N" etc. in names: lets
				 * the tests see what the default strips */
	gbs_case_done_fn case_done;	/* may be NULL */
	void *case_done_user;
	gbs_before_console_fn before_console;	/* may be NULL */
	void *before_console_user;
};

/*
 * Parse Google Benchmark flags: argv[0] is the program name (the JSON's
 * "executable"), every other element must be a flag the library knows
 * (--benchmark_*, --v; 1.7.1 takes --benchmark_min_time only in seconds,
 * not as "<N>x"). As in the library, environment variables named like the
 * flags (BENCHMARK_OUT, BENCHMARK_REPETITIONS, ...) give defaults.
 * Returns 0, or -EINVAL for an unknown flag, a malformed value, or --help
 * (where the library would print its usage and exit; the usage text is
 * not printed). Once per process: after a failure every gbs_* call but
 * gbs_shutdown() and gbs_last_error() returns -EINVAL. argv is copied.
 */
int gbs_init(int argc, const char *const *argv);

/*
 * Add a key/value to the "context" object of the report; -EEXIST for a
 * key added before (a key also given by --benchmark_context keeps the
 * flag's value, and the library says so on stderr).
 */
int gbs_add_context(const char *key, const char *value);

/*
 * Register a case. The name must be unique and non-empty; opts may be
 * NULL. Returns 0, -EINVAL (bad name or options), -EEXIST (name taken).
 */
int gbs_register(const char *name, gbs_fn fn, void *user,
		 const struct gbs_case_opts *opts);

/* Number of cases registered so far (the tests: a refused registration
 * leaves nothing behind). */
size_t gbs_case_count(void);

/*
 * Run every registered case that matches --benchmark_filter (with
 * --benchmark_list_tests=true, list them instead). Returns the number of
 * cases that reported an error in any repetition (gbs_skip_with_error(),
 * or a misuse the shim caught), even where aggregates-only reporting
 * hides the failed repetition; or -EINVAL (called out of order), -ENOENT
 * (no case registered, none matched the filter, or the filter is not a
 * valid regular expression), -EIO (the --benchmark_out file cannot be
 * written; checked before anything runs), -ENOMEM. opts may be NULL
 * (console on stdout, no progress). May be called again; each call runs
 * the cases again and rewrites the file.
 */
int gbs_run(const struct gbs_run_opts *opts);

/* Release the library's global state. Final: later calls get -EINVAL. */
void gbs_shutdown(void);

/* Message for the last failed call in this thread ("" if none). */
const char *gbs_last_error(void);

/* Inside a callback. ---------------------------------------------------- */

/*
 * True while another iteration should run. Resumes timing first if it was
 * paused. For a manual-time case, an iteration that did not call
 * gbs_set_iteration_time() fails the case (instead of spinning with zero
 * time); so does returning from the callback before this returned false.
 */
bool gbs_keep_running(gbs_state *st);

/*
 * This iteration's time in seconds, for manual time. Outside the loop, or
 * negative or not finite, it fails the case instead.
 */
void gbs_set_iteration_time(gbs_state *st, double seconds);

/*
 * Stop/restart the clock within an iteration (real or CPU time). Return
 * 0, or -EINVAL outside the loop, after an error, or when already
 * paused/running (where the library would abort).
 */
int gbs_pause_timing(gbs_state *st);
int gbs_resume_timing(gbs_state *st);

/* Set counter name to value (GBS_COUNTER_* flags). 0, -EINVAL, -ENOMEM. */
int gbs_set_counter(gbs_state *st, const char *name, double value,
		    unsigned int flags);


/*
 * Mark the case failed with message (the JSON gets "error_occurred": true
 * and "error_message"); the next gbs_keep_running() returns false. The
 * first message of a run is kept.
 */
void gbs_skip_with_error(gbs_state *st, const char *message);


#ifdef __cplusplus
}
#endif

#endif /* HMMBENCH_GBENCH_SHIM_H */
