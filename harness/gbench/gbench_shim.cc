// SPDX-License-Identifier: GPL-2.0
/*
 * gbench_shim: the C interface of gbench_shim.h over Google Benchmark.
 *
 * The only C++ file of the harness. Every extern "C" function catches all
 * exceptions and returns an error instead, and checks beforehand what the
 * library would otherwise answer with abort() (BM_CHECK) or exit():
 * unknown or bad flags, conflicting per-case settings, pause/resume out of
 * order, an unwritable --benchmark_out file.
 *
 * Checked against libbenchmark 1.7.1 (Debian bookworm): Initialize() calls
 * its "usage" callback and then exit(0) for --help and for a bad value of
 * --benchmark_format, --benchmark_out_format, --benchmark_time_unit or
 * --benchmark_color, so the callback given here throws instead;
 * RunSpecifiedBenchmarks() calls exit(1) when the --benchmark_out file
 * cannot be opened; Shutdown() deletes the custom context without
 * clearing the pointer, so nothing may follow it.
 */
#include "gbench_shim.h"
#include "common/quantile.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

enum class phase { uninit, ready, failed, shut_down };

struct shim_case {
	std::string name;
	gbs_fn fn;
	void *user;
	bool manual;
	bool errored;	/* reported an error during the current gbs_run() */
};

struct shim {
	enum phase phase = phase::uninit;
	/* Initialize() keeps argv[0] (Context::executable_name): own it. */
	std::vector<std::string> args;
	std::vector<char *> argp;
	std::string out_path;	/* --benchmark_out as the library sees it */
	std::string out_format;
	std::set<std::string> context_keys;
	std::vector<std::unique_ptr<shim_case>> cases;
	std::map<std::string, shim_case *> by_name;
};

shim &S()
{
	static shim s;
	return s;
}

/* Where console output goes for GBS_CONSOLE_NONE; must outlive a run. */
std::ostream &null_stream()
{
	static std::ostream s(nullptr);
	return s;
}

thread_local char last_error[512];

__attribute__((format(printf, 2, 3)))
int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

/* Run f() with no exception escaping; f returns an int result. */
template <typename F>
int guarded(const char *what, F &&f) noexcept
{
	try {
		return f();
	} catch (const std::bad_alloc &) {
		return fail(-ENOMEM, "%s: out of memory", what);
	} catch (const std::exception &e) {
		return fail(-EIO, "%s: %s", what, e.what());
	} catch (...) {
		return fail(-EIO, "%s: unknown C++ exception", what);
	}
}

int require_ready(const char *what)
{
	switch (S().phase) {
	case phase::ready:
		return 0;
	case phase::uninit:
		return fail(-EINVAL, "%s: gbs_init() has not been called", what);
	case phase::failed:
		return fail(-EINVAL, "%s: gbs_init() failed earlier", what);
	case phase::shut_down:
		break;
	}
	return fail(-EINVAL, "%s: called after gbs_shutdown()", what);
}

/* Thrown by the library's usage callback, which would otherwise exit. */
struct usage_requested {};

[[noreturn]] void on_usage()
{
	throw usage_requested();
}

/*
 * The value of a string flag as the library resolves it: the last
 * "--name=value" on the command line, else the environment variable
 * NAME (the flag name in upper case), else def.
 */
std::string flag_value(const std::vector<std::string> &args,
		       const char *name, const char *def)
{
	const std::string prefix = std::string("--") + name + "=";
	std::string env = name;
	const char *v;

	for (auto it = args.rbegin(); it + 1 < args.rend(); ++it)
		if (it->compare(0, prefix.size(), prefix) == 0)
			return it->substr(prefix.size());
	for (char &ch : env)
		ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
	v = getenv(env.c_str());
	return v ? v : def;
}

template <typename It>
std::string join(It first, It last)
{
	std::string s;

	for (It it = first; it != last; ++it)
		s += (it == first ? "" : " ") + std::string(*it);
	return s;
}

/*
 * The value a C caller stored in an enum field. C++ may assume a loaded
 * enum is in range (UBSan checks it), so range checks read it as int.
 */
template <typename E>
int enum_value(const E &e)
{
	int v;

	static_assert(sizeof(E) == sizeof(int), "C enums are int-sized");
	memcpy(&v, &e, sizeof(v));
	return v;
}

/* Custom statistics over the per-repetition values (never empty). */
double stat_min(const std::vector<double> &v)
{
	return v.empty() ? NAN : *std::min_element(v.begin(), v.end());
}

double stat_max(const std::vector<double> &v)
{
	return v.empty() ? NAN : *std::max_element(v.begin(), v.end());
}

/* p99 as hmmbench-report computes it: one definition, common/quantile.c. */
double stat_p99(const std::vector<double> &v)
{
	return hb_percentile(v.data(), v.size(), 99);
}

/*
 * Forwards to the library's own reporter; drops the per-case setting
 * components from the names and calls the progress callback.
 */
class shim_reporter final : public benchmark::BenchmarkReporter {
public:
	/* @opts: the display reporter's progress and console hooks; for the
	 * file reporter, @file_opts: its case_done hook. */
	shim_reporter(benchmark::BenchmarkReporter *inner, bool setting_names,
		      const gbs_run_opts *opts,
		      const gbs_run_opts *file_opts = nullptr)
		: inner_(inner), setting_names_(setting_names),
		  progress_(opts && opts->progress ? opts : nullptr),
		  console_(opts && opts->before_console ? opts : nullptr),
		  done_(file_opts && file_opts->case_done ? file_opts : nullptr)
	{
	}

	bool ReportContext(const Context &context) override
	{
		/* The library sets our streams (the --benchmark_out file). */
		inner_->SetOutputStream(&GetOutputStream());
		inner_->SetErrorStream(&GetErrorStream());
		return inner_->ReportContext(context);
	}

	void ReportRuns(const std::vector<Run> &reports) override
	{
		std::vector<Run> renamed;
		const std::vector<Run> *runs = &reports;

		if (!setting_names_) {
			renamed = reports;
			for (Run &r : renamed) {
				r.run_name.min_time.clear();
				r.run_name.min_warmup_time.clear();
				r.run_name.iterations.clear();
				r.run_name.repetitions.clear();
			}
			runs = &renamed;
		}
		if (console_)
			console_->before_console(console_->before_console_user);
		inner_->ReportRuns(*runs);
		if (progress_)
			for (const Run &r : *runs)
				report_progress(r);
		if (done_)
			collect(*runs);
	}

	void Finalize() override
	{
		inner_->Finalize();
	}

private:
	/*
	 * The library reports a case to the file in one or two calls: its
	 * repetitions, then (when ComputeStats() has any: two or more
	 * repetitions without an error) its aggregates; with
	 * report_aggregates_only, the aggregates alone. So a case is
	 * complete after a call with aggregates, or after its repetitions
	 * when fewer than two succeeded.
	 */
	void collect(const std::vector<Run> &runs)
	{
		std::ostringstream os;
		benchmark::JSONReporter json;
		size_t ok = 0;
		bool aggregates = false;
		const gbs_case_done_fn fn = done_->case_done;

		if (runs.empty())
			return;
		const std::string &name = runs.front().run_name.function_name;
		if (name != pending_name_) {
			pending_name_ = name;
			pending_.clear();
		}
		for (const Run &r : runs) {
			aggregates |= r.run_type == Run::RT_Aggregate;
			ok += !r.error_occurred;
		}
		json.SetOutputStream(&os);
		json.SetErrorStream(&os);
		json.ReportRuns(runs);
		if (!pending_.empty())
			pending_ += ",\n";
		pending_ += os.str();
		if (!aggregates && ok >= 2)
			return;		/* the aggregates follow */
		const auto c = S().by_name.find(name);
		fn(name.c_str(), c != S().by_name.end() ? c->second->user : nullptr,
		   pending_.c_str(), done_->case_done_user);
		pending_.clear();
		pending_name_.clear();
	}

	void report_progress(const Run &r)
	{
		const std::string name = r.benchmark_name();
		const std::string &case_name = r.run_name.function_name;
		const bool aggregate = r.run_type == Run::RT_Aggregate;
		const auto c = S().by_name.find(case_name);
		gbs_run_info info = {};

		if (case_name != last_case_) {
			last_case_ = case_name;
			cases_done_++;
		}
		info.name = name.c_str();
		info.case_name = case_name.c_str();
		info.case_user = c != S().by_name.end() ? c->second->user
							 : nullptr;
		info.run_type = aggregate ? GBS_RUN_AGGREGATE
					  : GBS_RUN_ITERATION;
		info.aggregate_name = r.aggregate_name.c_str();
		info.repetition_index = aggregate ? -1 : r.repetition_index;
		info.repetitions = r.repetitions;
		info.iterations = r.iterations;
		/* As the JSON reporter: a percentage is not per iteration. */
		if (aggregate && r.aggregate_unit == benchmark::kPercentage) {
			info.real_time = r.real_accumulated_time;
			info.cpu_time = r.cpu_accumulated_time;
		} else {
			info.real_time = r.GetAdjustedRealTime();
			info.cpu_time = r.GetAdjustedCPUTime();
		}
		info.time_unit = benchmark::GetTimeUnitString(r.time_unit);
		info.error_occurred = r.error_occurred;
		info.error_message = r.error_message.c_str();
		info.cases_done = cases_done_;
		info.cases_total = S().cases.size();
		progress_->progress(&info, progress_->progress_user);
	}

	benchmark::BenchmarkReporter *inner_;
	bool setting_names_;
	const gbs_run_opts *progress_;
	const gbs_run_opts *console_;
	const gbs_run_opts *done_;
	std::string last_case_;
	size_t cases_done_ = 0;
	std::string pending_name_;	/* the case being collected */
	std::string pending_;		/* its JSON objects so far */
};

/* The reporter the library would make for --benchmark_out_format. */
std::unique_ptr<benchmark::BenchmarkReporter>
file_reporter_for(const std::string &format)
{
	if (format == "json")
		return std::make_unique<benchmark::JSONReporter>();
	if (format == "console")
		return std::make_unique<benchmark::ConsoleReporter>(
			benchmark::ConsoleReporter::OO_None);
	if (format == "csv") {
		BENCHMARK_DISABLE_DEPRECATED_WARNING
		return std::make_unique<benchmark::CSVReporter>();
		BENCHMARK_RESTORE_DEPRECATED_WARNING
	}
	return nullptr;
}

void run_case(shim_case *c, benchmark::State &st);

} /* namespace */

struct gbs_state {
	benchmark::State &st;
	bool manual;
	bool started;	/* the loop has begun */
	bool finished;	/* gbs_keep_running() has returned false */
	bool paused;
	bool timed;	/* gbs_set_iteration_time() in this iteration */
};

namespace {

void fail_case(benchmark::State &st, const char *msg) noexcept
{
	try {
		if (!st.error_occurred())
			st.SkipWithError(msg);
	} catch (...) {
		/* The library copies msg into a std::string; nothing to do. */
	}
}

void run_case(shim_case *c, benchmark::State &st)
{
	gbs_state s = { st, c->manual, false, false, false, false };

	c->fn(&s, c->user);
	/* The library would abort: "Benchmark returned before ..." */
	if (!s.finished)
		fail_case(st, "the case returned before gbs_keep_running() returned false");
	if (st.error_occurred())
		c->errored = true;
}

benchmark::TimeUnit to_unit(enum gbs_time_unit u)
{
	switch (u) {
	case GBS_UNIT_US:
		return benchmark::kMicrosecond;
	case GBS_UNIT_MS:
		return benchmark::kMillisecond;
	case GBS_UNIT_S:
		return benchmark::kSecond;
	default:
		return benchmark::kNanosecond;
	}
}

int check_case_opts(const gbs_case_opts &o)
{
	const int timing = enum_value(o.timing), unit = enum_value(o.unit);

	if (timing < GBS_TIMING_MANUAL || timing > GBS_TIMING_CPU)
		return fail(-EINVAL, "gbs_register: unknown timing %d", timing);
	if (o.iterations < 0 || o.repetitions < 0)
		return fail(-EINVAL, "gbs_register: negative iterations or repetitions");
	if (!(o.min_time >= 0 && std::isfinite(o.min_time)))
		return fail(-EINVAL, "gbs_register: min_time must be finite and >= 0");
	if (o.iterations > 0 && o.min_time > 0)
		return fail(-EINVAL, "gbs_register: iterations excludes min_time");
	if (unit < GBS_UNIT_DEFAULT || unit > GBS_UNIT_S)
		return fail(-EINVAL, "gbs_register: unknown time unit %d", unit);
	if (o.stats & ~static_cast<unsigned int>(GBS_STAT_ALL))
		return fail(-EINVAL, "gbs_register: unknown statistics bits 0x%x", o.stats);
	return 0;
}

} /* namespace */

extern "C" {

int gbs_init(int argc, const char *const *argv)
{
	return guarded("gbs_init", [&]() {
		shim &s = S();
		int n = argc;

		if (s.phase != phase::uninit)
			return fail(-EINVAL, "gbs_init: called more than once");
		s.phase = phase::failed;	/* until the end: a failure is final */
		if (argc < 1 || !argv)
			return fail(-EINVAL, "gbs_init: argv[0] (the program name) is required");
		for (int i = 0; i < argc; i++)
			if (!argv[i])
				return fail(-EINVAL, "gbs_init: argv[%d] is NULL", i);
		s.args.assign(argv, argv + argc);
		for (std::string &a : s.args)
			s.argp.push_back(&a[0]);
		s.argp.push_back(nullptr);
		try {
			benchmark::Initialize(&n, s.argp.data(), on_usage);
		} catch (const usage_requested &) {
			return fail(-EINVAL, "gbs_init: Google Benchmark would print its usage and exit: --help, or a bad value of --benchmark_format, --benchmark_out_format, --benchmark_time_unit or --benchmark_color in: %s",
				    join(s.args.begin() + 1, s.args.end()).c_str());
		}
		/* Initialize() leaves what it did not take in argv[1..n-1]. */
		if (n > 1)
			return fail(-EINVAL, "gbs_init: unknown or malformed Google Benchmark flag(s): %s",
				    join(s.argp.begin() + 1, s.argp.begin() + n).c_str());
		s.out_path = flag_value(s.args, "benchmark_out", "");
		s.out_format = flag_value(s.args, "benchmark_out_format", "json");
		s.phase = phase::ready;
		return 0;
	});
}

int gbs_add_context(const char *key, const char *value)
{
	return guarded("gbs_add_context", [&]() {
		int err = require_ready("gbs_add_context");

		if (err)
			return err;
		if (!key || !*key || !value)
			return fail(-EINVAL, "gbs_add_context: key must be non-empty and value non-NULL");
		if (!S().context_keys.insert(key).second)
			return fail(-EEXIST, "gbs_add_context: key '%s' already added", key);
		benchmark::AddCustomContext(key, value);
		return 0;
	});
}

int gbs_register(const char *name, gbs_fn fn, void *user,
		 const struct gbs_case_opts *opts)
{
	return guarded("gbs_register", [&]() {
		const gbs_case_opts o = opts ? *opts : gbs_case_opts{};
		shim &s = S();
		benchmark::internal::Benchmark *b;
		shim_case *c;
		int err;

		err = require_ready("gbs_register");
		if (err)
			return err;
		if (!name || !*name || !fn)
			return fail(-EINVAL, "gbs_register: name must be non-empty and fn non-NULL");
		err = check_case_opts(o);
		if (err)
			return err;
		if (s.by_name.count(name))
			return fail(-EEXIST, "gbs_register: case '%s' already registered", name);

		s.cases.push_back(std::make_unique<shim_case>(shim_case{
			name, fn, user, o.timing == GBS_TIMING_MANUAL, false }));
		c = s.cases.back().get();
		s.by_name[c->name] = c;

		b = benchmark::RegisterBenchmark(name, [c](benchmark::State &st) {
			run_case(c, st);
		});
		if (o.timing == GBS_TIMING_MANUAL)
			b->UseManualTime();
		else if (o.timing == GBS_TIMING_REAL)
			b->UseRealTime();
		if (o.iterations > 0)
			b->Iterations(o.iterations);
		if (o.min_time > 0)
			b->MinTime(o.min_time);
		if (o.repetitions > 0)
			b->Repetitions(o.repetitions);
		if (o.display_aggregates_only)
			b->DisplayAggregatesOnly(true);
		if (o.unit != GBS_UNIT_DEFAULT)
			b->Unit(to_unit(o.unit));
		if (o.stats & GBS_STAT_MIN)
			b->ComputeStatistics("min", stat_min);
		if (o.stats & GBS_STAT_MAX)
			b->ComputeStatistics("max", stat_max);
		if (o.stats & GBS_STAT_P99)
			b->ComputeStatistics("p99", stat_p99);
		return 0;
	});
}

size_t gbs_case_count(void)
{
	return S().cases.size();
}

int gbs_run(const struct gbs_run_opts *opts)
{
	return guarded("gbs_run", [&]() {
		const gbs_run_opts o = opts ? *opts : gbs_run_opts{};
		std::unique_ptr<benchmark::BenchmarkReporter> file_inner;
		std::unique_ptr<shim_reporter> file;
		std::ostream *console;
		std::ofstream console_file;
		shim &s = S();
		size_t matched;
		int errors = 0;
		int err;

		err = require_ready("gbs_run");
		if (err)
			return err;
		if (s.cases.empty())
			return fail(-ENOENT, "gbs_run: no case registered");
		switch (enum_value(o.console)) {
		case GBS_CONSOLE_STDOUT:
			console = &std::cout;
			break;
		case GBS_CONSOLE_STDERR:
			console = &std::cerr;
			break;
		case GBS_CONSOLE_NONE:
			console = &null_stream();
			break;
		case GBS_CONSOLE_FILE:
			if (!o.console_path)
				return fail(-EINVAL, "gbs_run: GBS_CONSOLE_FILE without a console_path");
			console_file.open(o.console_path, std::ios::out | std::ios::trunc);
			if (!console_file)
				return fail(-EIO, "gbs_run: cannot write the console file '%s': %s",
					    o.console_path, strerror(errno));
			console = &console_file;
			break;
		default:
			return fail(-EINVAL, "gbs_run: unknown console %d",
				    enum_value(o.console));
		}
		/* The library would exit(1) when it cannot open the file. */
		if (!s.out_path.empty()) {
			FILE *f = fopen(s.out_path.c_str(), "w");

			if (!f)
				return fail(-EIO, "gbs_run: cannot write --benchmark_out file '%s': %s",
					    s.out_path.c_str(), strerror(errno));
			fclose(f);
			file_inner = file_reporter_for(s.out_format);
			if (file_inner)
				file = std::make_unique<shim_reporter>(
					file_inner.get(), o.setting_names, nullptr,
					s.out_format == "json" ? &o : nullptr);
		}
		if (o.case_done && (!file || s.out_format != "json"))
			return fail(-EINVAL, "gbs_run: case_done needs --benchmark_out=FILE with --benchmark_out_format=json");

		shim_reporter display(benchmark::CreateDefaultDisplayReporter(),
				      o.setting_names, &o);
		display.SetOutputStream(console);
		display.SetErrorStream(console);

		for (auto &c : s.cases)
			c->errored = false;
		matched = benchmark::RunSpecifiedBenchmarks(&display, file.get());
		console->flush();
		if (!matched)
			return fail(-ENOENT, "gbs_run: no case matched --benchmark_filter (or it is not a valid regular expression)");
		for (auto &c : s.cases)
			errors += c->errored;
		return errors;
	});
}

void gbs_shutdown(void)
{
	guarded("gbs_shutdown", [&]() {
		shim &s = S();

		if (s.phase == phase::shut_down)
			return 0;
		s.phase = phase::shut_down;
		benchmark::ClearRegisteredBenchmarks();
		benchmark::Shutdown();
		s.by_name.clear();
		s.cases.clear();
		return 0;
	});
}

const char *gbs_last_error(void)
{
	return last_error;
}

bool gbs_keep_running(gbs_state *s)
{
	try {
		bool more;

		if (s->finished)
			return false;
		if (s->started && !s->st.error_occurred()) {
			/* An iteration ended. The library aborts if the
			 * loop ends while paused. */
			if (s->paused) {
				s->st.ResumeTiming();
				s->paused = false;
			}
			if (s->manual && !s->timed)
				fail_case(s->st, "gbs_set_iteration_time() was not called in an iteration of a manual-time case");
		}
		s->timed = false;
		more = s->st.KeepRunning();
		if (more)
			s->started = true;
		else
			s->finished = true;
		return more;
	} catch (...) {
		fail_case(s->st, "gbs_keep_running: C++ exception");
		return false;
	}
}

void gbs_set_iteration_time(gbs_state *s, double seconds)
{
	if (!s->started || s->finished)
		fail_case(s->st, "gbs_set_iteration_time() outside the gbs_keep_running() loop");
	else if (!(seconds >= 0 && std::isfinite(seconds)))
		fail_case(s->st, "gbs_set_iteration_time(): time is negative or not finite");
	else {
		s->st.SetIterationTime(seconds);
		s->timed = true;
	}
}

int gbs_pause_timing(gbs_state *s)
{
	return guarded("gbs_pause_timing", [&]() {
		if (!s->started || s->finished || s->paused ||
		    s->st.error_occurred())
			return fail(-EINVAL, "gbs_pause_timing: not inside a running iteration");
		s->st.PauseTiming();
		s->paused = true;
		return 0;
	});
}

int gbs_resume_timing(gbs_state *s)
{
	return guarded("gbs_resume_timing", [&]() {
		if (!s->paused || s->finished || s->st.error_occurred())
			return fail(-EINVAL, "gbs_resume_timing: timing is not paused");
		s->st.ResumeTiming();
		s->paused = false;
		return 0;
	});
}

int gbs_set_counter(gbs_state *s, const char *name, double value,
		    unsigned int flags)
{
	return guarded("gbs_set_counter", [&]() {
		using benchmark::Counter;
		const unsigned int known = GBS_COUNTER_RATE |
			GBS_COUNTER_AVG_THREADS | GBS_COUNTER_ITERATION_INVARIANT |
			GBS_COUNTER_AVG_ITERATIONS | GBS_COUNTER_INVERT |
			GBS_COUNTER_BASE_1024;
		Counter::Flags f = Counter::kDefaults;

		if (!name || !*name)
			return fail(-EINVAL, "gbs_set_counter: empty name");
		if (flags & ~known)
			return fail(-EINVAL, "gbs_set_counter: unknown flag bits 0x%x", flags & ~known);
		if (flags & GBS_COUNTER_RATE)
			f = f | Counter::kIsRate;
		if (flags & GBS_COUNTER_AVG_THREADS)
			f = f | Counter::kAvgThreads;
		if (flags & GBS_COUNTER_ITERATION_INVARIANT)
			f = f | Counter::kIsIterationInvariant;
		if (flags & GBS_COUNTER_AVG_ITERATIONS)
			f = f | Counter::kAvgIterations;
		if (flags & GBS_COUNTER_INVERT)
			f = f | Counter::kInvert;
		s->st.counters[name] = Counter(value, f,
			(flags & GBS_COUNTER_BASE_1024) ? Counter::kIs1024
							: Counter::kIs1000);
		return 0;
	});
}

void gbs_skip_with_error(gbs_state *s, const char *message)
{
	fail_case(s->st, message && *message ? message : "error");
}

} /* extern "C" */
