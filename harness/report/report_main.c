// SPDX-License-Identifier: GPL-2.0
/*
 * hmmbench-report - analyse hmmbench run folders.
 *
 *   hmmbench-report compare [--test welch|mwu] [--alpha A] [--out DIR]
 *                           [--no-plots] [--allow-incomplete] RUN...
 *   hmmbench-report report [--test welch|mwu] [--alpha A] [--no-plots]
 *                          [--allow-incomplete] RUN
 *   hmmbench-report plot [--allow-incomplete] RUN
 *
 * Exit status: 0 success, 1 a run or the data could not be used, 2 bad
 * usage. Every error is one line on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "plot.h"
#include "report.h"
#include "results.h"
#include "common/fs.h"

#define PROG "hmmbench-report"

struct cli {
	enum sig_test test;
	double alpha;
	const char *out;
	int no_plots;
	int allow_incomplete;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " compare [options] BASELINE RUN...\n"
		"       " PROG " report [options] RUN\n"
		"       " PROG " plot [--allow-incomplete] RUN\n"
		"       " PROG " --help\n"
		"\n"
		"A RUN is a folder results/<host>/<kernel-release>/<timestamp>/ written\n"
		"by hmmbench (hmmbench.json, skipped.tsv, system/, COMPLETE).\n"
		"\n"
		"compare  mmtests-style table of Min/Amean/Stddev/CoeffVar/Max per case\n"
		"         against the first run, significance markers, geometric mean,\n"
		"         system differences; plots into --out DIR (default\n"
		"         results/compare-<timestamp>/).\n"
		"report   patch-mail text of one run: prefill vs default_flags per state\n"
		"         and size, method paragraph, plots to attach (in RUN/plots/).\n"
		"plot     PNG and SVG charts of one run into RUN/plots/.\n"
		"\n"
		"options:\n"
		"  --test welch|mwu     significance test: Welch's t-test (default) or\n"
		"                       Mann-Whitney U\n"
		"  --alpha A            significance level, 0 < A < 1 (default 0.05)\n"
		"  --out DIR            compare: where plots and compare.txt go\n"
		"  --no-plots           do not run gnuplot\n"
		"  --allow-incomplete   accept a run without COMPLETE (interrupted)\n"
		"  -h, --help           this text\n");
}

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see " PROG " --help)\n");
	exit(2);
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-plots", no_argument, NULL, 'n' },
		{ "allow-incomplete", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 't':
			if (sig_test_parse(optarg, &cli->test))
				die_usage("unknown test '%s' (use welch or mwu)",
					  optarg);
			break;
		case 'a':
			errno = 0;
			cli->alpha = strtod(optarg, &end);
			if (errno || *end || !(cli->alpha > 0 && cli->alpha < 1))
				die_usage("--alpha wants a number between 0 and 1, not '%s'",
					  optarg);
			break;
		case 'o':
			cli->out = optarg;
			break;
		case 'n':
			cli->no_plots = 1;
			break;
		case 'i':
			cli->allow_incomplete = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			die_usage("option %s needs a value", argv[optind - 1]);
			break;
		default:
			die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	return optind;
}

static struct report_run *load_runs(char **dirs, size_t n, int allow_incomplete)
{
	struct report_run *runs = calloc(n, sizeof(*runs));
	char err[1024];

	if (!runs) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		if (results_load(dirs[i], allow_incomplete, &runs[i], err,
				 sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			for (size_t j = 0; j < i; j++)
				results_free(&runs[j]);
			free(runs);
			exit(1);
		}
	}
	return runs;
}

static void free_runs(struct report_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		results_free(&runs[i]);
	free(runs);
}

/* results/compare-<timestamp>, next to the baseline's results/ folder. */
static void default_out(const struct report_run *base, char *buf, size_t len)
{
	char real[PATH_MAX], stamp[32], *p;
	time_t now = time(NULL);
	int up = 3;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", localtime(&now));
	if (realpath(base->dir, real)) {
		/* results/<host>/<kernel>/<timestamp> -> results */
		while (up-- > 0 && (p = strrchr(real, '/')) && p != real)
			*p = '\0';
		p = strrchr(real, '/');
		if (p && !strcmp(p + 1, "results")) {
			if (snprintf(buf, len, "%s/compare-%s", real, stamp) <
			    (int)len)
				return;
		}
	}
	snprintf(buf, len, "results/compare-%s", stamp);
}

static int write_compare_txt(const char *dir, const struct report_run *runs,
			     size_t n, const struct compare_opts *co)
{
	char path[PATH_MAX + 16], err[512];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/compare.txt", dir) >=
	    (int)sizeof(path))
		return -1;
	f = fopen(path, "w");
	if (!f)
		return -1;
	compare_print(f, runs, n, co, err, sizeof(err));
	return fclose(f);
}

static int cmd_compare(int argc, char **argv, struct cli *cli)
{
	struct compare_opts co = { cli->test, cli->alpha };
	struct plot_list plots = { 0 };
	char err[1024], out[PATH_MAX + 64];
	size_t n = (size_t)argc;
	struct report_run *runs;
	int ret = 0;

	if (argc < 2)
		die_usage("compare needs two runs or more, got %s",
			  argc ? "one" : "none");
	runs = load_runs(argv, n, cli->allow_incomplete);
	if (compare_print(stdout, runs, n, &co, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		free_runs(runs, n);
		return 1;
	}
	if (!cli->no_plots || cli->out) {
		if (cli->out)
			snprintf(out, sizeof(out), "%s", cli->out);
		else
			default_out(&runs[0], out, sizeof(out));
		if (hb_mkdir_p(out) || write_compare_txt(out, runs, n, &co)) {
			fprintf(stderr, PROG ": cannot write in %s: %s\n", out,
				strerror(errno));
			ret = 1;
		} else if (!cli->no_plots &&
			   plot_compare(runs, n, out, &plots, err, sizeof(err))) {
			fprintf(stderr, PROG ": plots: %s\n", err);
			ret = 1;
		}
		/* On stderr: stdout is the table, ready to paste into a mail. */
		fprintf(stderr, "Written to %s/: compare.txt", out);
		if (plots.n)
			fprintf(stderr, " and %zu plots (PNG and SVG)", plots.n);
		fprintf(stderr, "\n");
	}
	plot_list_free(&plots);
	free_runs(runs, n);
	return ret;
}

static int cmd_report(int argc, char **argv, struct cli *cli)
{
	struct report_opts ro = { cli->test, cli->alpha };
	struct plot_list plots = { 0 };
	struct report_run *runs;
	char err[1024];
	int ret = 0;

	if (argc != 1)
		die_usage("report takes one run folder, got %s",
			  argc ? "several" : "none");
	runs = load_runs(argv, 1, cli->allow_incomplete);
	if (!cli->no_plots && plot_run(&runs[0], &plots, err, sizeof(err))) {
		fprintf(stderr, PROG ": plots: %s\n", err);
		ret = 1;
	}
	report_print(stdout, &runs[0], &ro, &plots);
	plot_list_free(&plots);
	free_runs(runs, 1);
	return ret;
}

static int cmd_plot(int argc, char **argv, struct cli *cli)
{
	struct plot_list plots = { 0 };
	struct report_run *runs;
	char err[1024];
	int ret = 0;

	if (argc != 1)
		die_usage("plot takes one run folder, got %s",
			  argc ? "several" : "none");
	runs = load_runs(argv, 1, cli->allow_incomplete);
	if (plot_run(&runs[0], &plots, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		ret = 1;
	}
	for (size_t i = 0; i < plots.n; i++)
		printf("%s\n", plots.files[i]);
	if (!ret && !plots.n)
		fprintf(stderr, PROG ": %s: no hmm/ case with numbers to plot\n",
			runs[0].dir);
	plot_list_free(&plots);
	free_runs(runs, 1);
	return ret;
}

int main(int argc, char **argv)
{
	struct cli cli = { .test = TEST_WELCH, .alpha = 0.05 };
	const char *cmd;
	int first;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "compare") && strcmp(cmd, "report") &&
	    strcmp(cmd, "plot"))
		die_usage("unknown command '%s' (compare, report or plot)", cmd);
	/* options may come before or after the run folders */
	first = parse_cli(argc - 1, argv + 1, &cli) + 1;
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argc - first, argv + first, &cli);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - first, argv + first, &cli);
	return cmd_plot(argc - first, argv + first, &cli);
}
