// SPDX-License-Identifier: GPL-2.0
/*
 * hmmbench-report - analyse hmmbench run folders.
 *
 *   hmmbench-report compare [options] [--mail] [--out DIR] RUN...
 *   hmmbench-report report [options] RUN
 *   hmmbench-report plot [--allow-incomplete] RUN
 *   hmmbench-report merge --out DIR RUN...
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
#include "mail.h"
#include "merge.h"
#include "plot.h"
#include "report.h"
#include "results.h"
#include "common/fs.h"

#define PROG "hmmbench-report"

struct cli {
	struct claim_opts claim;
	int allow_different_settings;
	const char *out;
	int no_plots;
	int allow_incomplete;
	int mail;
	long max_lines;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " compare [options] [--mail] BASELINE RUN...\n"
		"       " PROG " report [options] RUN\n"
		"       " PROG " plot [--allow-incomplete] RUN\n"
		"       " PROG " merge --out DIR RUN...\n"
		"       " PROG " --help\n"
		"\n"
		"A RUN is a folder results/<host>/<kernel-release>/<timestamp>/ written\n"
		"by hmmbench (hmmbench.json, skipped.tsv, system/, COMPLETE).\n"
		"\n"
		"compare  mmtests-style table of Min/Amean/Stddev/CoeffVar/Max per case\n"
		"         against the first run, significance markers, geometric mean\n"
		"         with its confidence interval, system and settings differences;\n"
		"         compare.txt (and mail.txt) and plots into --out DIR (default\n"
		"         results/compare-<timestamp>/). Runs that differ in window,\n"
		"         mixed stride, THP or iterations are refused (see\n"
		"         --allow-different-settings).\n"
		"         --mail: the condensed view for a patch mail instead: only the\n"
		"         significant changes, base vs patched, perf-profile lines, the\n"
		"         geometric mean, method, plots to attach; 80 columns, about\n"
		"         --max-lines lines.\n"
		"report   patch-mail text of one run: prefill vs default_flags per state\n"
		"         and size, method paragraph, plots to attach (in RUN/plots/).\n"
		"plot     PNG and SVG charts of one run into RUN/plots/.\n"
		"merge    the repetitions of several runs of one kernel, machine and\n"
		"         settings (boots of one kernel) as one result folder DIR;\n"
		"         runs of different kernels or settings are refused.\n"
		"\n"
		"Significant means: the change survives the multiple-comparison\n"
		"correction over every comparison of the table (the family) at alpha,\n"
		"and changes the mean by at least --min-change percent.\n"
		"\n"
		"options:\n"
		"  --test welch|mwu     significance test: Welch's t-test (default) or\n"
		"                       Mann-Whitney U\n"
		"  --correction holm|bh|none\n"
		"                       over the family: Holm (default; the chance of\n"
		"                       any false star is at most alpha), Benjamini-\n"
		"                       Hochberg (the expected share of false stars is\n"
		"                       at most alpha), or none (about alpha of the\n"
		"                       unchanged cases are starred)\n"
		"  --alpha A            the rate the correction bounds, 0 < A < 1\n"
		"                       (default 0.05)\n"
		"  --min-change PCT     effect-size floor: smaller changes are never\n"
		"                       significant (default %g)\n"
		"  --allow-different-settings\n"
		"                       compare runs whose settings differ; the output\n"
		"                       says so at its top and lists them\n"
		"  --mail               compare: the condensed view for a mail\n"
		"  --max-lines N        --mail: about this many lines (default %d)\n"
		"  --out DIR            compare: where plots and compare.txt go;\n"
		"                       merge: the folder to write (must not exist)\n"
		"  --no-plots           do not run gnuplot\n"
		"  --allow-incomplete   accept a run without COMPLETE (interrupted)\n"
		"  -h, --help           this text\n",
		CLAIM_DEFAULT_FLOOR_PCT, MAIL_MAX_LINES);
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
		{ "correction", required_argument, NULL, 'c' },
		{ "min-change", required_argument, NULL, 'f' },
		{ "allow-different-settings", no_argument, NULL, 'd' },
		{ "mail", no_argument, NULL, 'm' },
		{ "max-lines", required_argument, NULL, 'l' },
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
			if (sig_test_parse(optarg, &cli->claim.test))
				die_usage("unknown test '%s' (use welch or mwu)",
					  optarg);
			break;
		case 'a':
			errno = 0;
			cli->claim.alpha = strtod(optarg, &end);
			if (errno || *end ||
			    !(cli->claim.alpha > 0 && cli->claim.alpha < 1))
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
		case 'c':
			if (sig_correction_parse(optarg, &cli->claim.correction))
				die_usage("unknown correction '%s' (use holm, bh or none)",
					  optarg);
			break;
		case 'f':
			errno = 0;
			cli->claim.floor_pct = strtod(optarg, &end);
			if (errno || *end || !(cli->claim.floor_pct >= 0 &&
					       cli->claim.floor_pct < 1000))
				die_usage("--min-change wants a percentage, 0 or more, not '%s'",
					  optarg);
			break;
		case 'd':
			cli->allow_different_settings = 1;
			break;
		case 'm':
			cli->mail = 1;
			break;
		case 'l':
			errno = 0;
			cli->max_lines = strtol(optarg, &end, 10);
			if (errno || *end || cli->max_lines < 20 ||
			    cli->max_lines > 100000)
				die_usage("--max-lines wants a number of lines, 20 or more, not '%s'",
					  optarg);
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

/* Write @dir/@name: the mail of @v when @m, else its table. 0 or -1. */
static int write_view(const char *dir, const char *name,
		      const struct compare_view *v, const struct mail_opts *m)
{
	char path[PATH_MAX + 16];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (m)
		mail_print(f, v, m);
	else
		compare_print_view(f, v);
	return fclose(f);
}

static int cmd_compare(int argc, char **argv, struct cli *cli)
{
	struct compare_opts co = { cli->claim, cli->allow_different_settings };
	char err[1024], out[PATH_MAX + 64], table[PATH_MAX + 80];
	struct mail_opts mo = { .max_lines = (size_t)cli->max_lines };
	struct plot_list plots = { 0 };
	size_t n = (size_t)argc;
	struct compare_view v;
	struct report_run *runs;
	int files = !cli->no_plots || cli->out, ret = 0;

	if (argc < 2)
		die_usage("compare needs two runs or more, got %s",
			  argc ? "one" : "none");
	runs = load_runs(argv, n, cli->allow_incomplete);
	if (compare_view_build(&v, runs, n, &co, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		free_runs(runs, n);
		return 1;
	}
	if (files) {
		if (cli->out)
			snprintf(out, sizeof(out), "%s", cli->out);
		else
			default_out(&runs[0], out, sizeof(out));
		snprintf(table, sizeof(table), "%s/compare.txt", out);
		if (hb_mkdir_p(out) || write_view(out, "compare.txt", &v, NULL)) {
			fprintf(stderr, PROG ": cannot write in %s: %s\n", out,
				strerror(errno));
			ret = 1;
			files = 0;
		} else if (!cli->no_plots &&
			   plot_compare(runs, n, out, &plots, err, sizeof(err))) {
			fprintf(stderr, PROG ": plots: %s\n", err);
			ret = 1;
		}
	}
	mo.full_table = files ? table : NULL;
	mo.plots = files && !cli->no_plots ? &plots : NULL;
	mo.warn = stderr;
	if (cli->mail) {
		if (mail_print(stdout, &v, &mo)) {
			fprintf(stderr, PROG ": out of memory\n");
			ret = 1;
		}
		mo.warn = NULL;	/* said once */
		if (files && write_view(out, "mail.txt", &v, &mo)) {
			fprintf(stderr, PROG ": cannot write %s/mail.txt: %s\n",
				out, strerror(errno));
			ret = 1;
		}
	} else {
		compare_print_view(stdout, &v);
	}
	if (files) {
		/* On stderr: stdout is the text, ready to paste into a mail. */
		fprintf(stderr, "Written to %s/: compare.txt%s", out,
			cli->mail ? ", mail.txt" : "");
		if (plots.n)
			fprintf(stderr, " and %zu plots (PNG and SVG)", plots.n);
		fprintf(stderr, "\n");
	}
	compare_view_free(&v);
	plot_list_free(&plots);
	free_runs(runs, n);
	return ret;
}

static int cmd_merge(int argc, char **argv, struct cli *cli)
{
	char err[2048];

	if (!cli->out)
		die_usage("merge needs --out DIR, the folder to write%s", "");
	if (argc < 1)
		die_usage("merge needs the run folders to merge%s", "");
	if (merge_runs(argv, (size_t)argc, cli->out, cli->allow_incomplete,
		       err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	printf("%s\n", cli->out);
	return 0;
}

static int cmd_report(int argc, char **argv, struct cli *cli)
{
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
	if (report_print(stdout, &runs[0], &cli->claim, &plots)) {
		fprintf(stderr, PROG ": out of memory\n");
		ret = 1;
	}
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
	struct cli cli = {
		.claim = { .test = TEST_WELCH, .correction = CORR_HOLM,
			   .alpha = 0.05, .floor_pct = CLAIM_DEFAULT_FLOOR_PCT },
		.max_lines = MAIL_MAX_LINES,
	};
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
	    strcmp(cmd, "plot") && strcmp(cmd, "merge"))
		die_usage("unknown command '%s' (compare, report, plot or merge)",
			  cmd);
	/* options may come before or after the run folders */
	first = parse_cli(argc - 1, argv + 1, &cli) + 1;
	if (cli.mail && strcmp(cmd, "compare"))
		die_usage("--mail is an option of compare, not of %s", cmd);
	if (!strcmp(cmd, "compare"))
		return cmd_compare(argc - first, argv + first, &cli);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - first, argv + first, &cli);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc - first, argv + first, &cli);
	return cmd_plot(argc - first, argv + first, &cli);
}
