// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: every option maps onto a profile key or a field. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "page_state.h"

enum {
	OPT_SIZES = 256, OPT_STATES, OPT_STYLES, OPT_ACCESS, OPT_WINDOW,
	OPT_NODES, OPT_REPS, OPT_MIN_TIME, OPT_OUT, OPT_LIST, OPT_BASELINES,
	OPT_STRIDE, OPT_DEVICE, OPT_GOVERNOR, OPT_BENCH_DIR, OPT_NUMA, OPT_RESUME, OPT_RESULT_FILE,
};

static const struct option long_options[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "filter", required_argument, NULL, 'f' },
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "states", required_argument, NULL, OPT_STATES },
	{ "styles", required_argument, NULL, OPT_STYLES },
	{ "access", required_argument, NULL, OPT_ACCESS },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "nodes", required_argument, NULL, OPT_NODES },
	{ "numa", required_argument, NULL, OPT_NUMA },
	{ "repetitions", required_argument, NULL, OPT_REPS },
	{ "min-time", required_argument, NULL, OPT_MIN_TIME },
	{ "baselines", required_argument, NULL, OPT_BASELINES },
	{ "mixed-stride", required_argument, NULL, OPT_STRIDE },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "governor", required_argument, NULL, OPT_GOVERNOR },
	{ "bench-dir", required_argument, NULL, OPT_BENCH_DIR },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "result-file", required_argument, NULL, OPT_RESULT_FILE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void hb_options_usage(FILE *f)
{
	char states[256];

	hb_state_names(states, sizeof(states));
	fprintf(f,
		"Usage: hmmbench [OPTION]...\n"
		"Time hmm_range_fault() through /dev/hmm_bench over a sweep of range\n"
		"sizes, page states, request styles and NUMA placements, and record the\n"
		"results with Google Benchmark in results/<host>/<kernel>/<timestamp>/.\n"
		"\n"
		"  -p, --profile NAME|FILE  quick, standard (default) or full, from\n"
		"                           bench/profiles/, or a .conf file\n"
		"  -f, --filter REGEX       run only cases whose name matches\n"
		"      --sizes LIST         range sizes, e.g. 4K,2M,1G\n"
		"      --states LIST        page states: %s\n"
		"      --styles LIST        prefill,default\n"
		"      --access LIST        read,write,mixed,snap\n"
		"      --window N           pages per hmm_range_fault() call (0: all)\n"
		"      --nodes C:M[,C:M]    CPU node:memory node pairs (default: local,\n"
		"                           plus one remote pair with two nodes or more)\n"
		"      --numa LIST          local,remote: which default pairs to run\n"
		"      --repetitions N      Google Benchmark repetitions (9+ advised)\n"
		"      --min-time S         seconds of measured time per repetition\n"
		"                           instead of the profile's iteration count\n"
		"      --baselines LIST     populate,touch or none\n"
		"      --mixed-stride K     mixed: every K-th page is written\n"
		"      --out DIR            results root (default: results)\n"
		"      --device PATH        default /dev/hmm_bench\n"
		"      --governor NAME      pin the cpufreq governor during the run\n"
		"                           (restored afterwards, also on Ctrl-C)\n"
		"      --bench-dir DIR      where profiles/ lives (default: bench/)\n"
		"      --list               print the cases, skips and an estimate\n"
		"      --resume DIR         finish an interrupted run: DIR is the\n"
		"                           .<timestamp>.partial folder it left; the\n"
		"                           cases it finished are kept, not run again\n"
		"      --result-file FILE   write the path of the complete result\n"
		"                           folder into FILE (for scripts; allowed\n"
		"                           with --resume)\n"
		"  -h, --help               this text\n"
		"\n"
		"Case names: hmm/<access>/<style>/<state>/<size>/c<cpu node>m<mem node>,\n"
		"base/<access>/<populate|touch>/... for userspace baselines, cal/... for\n"
		"the instrument's own cost. Exit status: 0, 1 when a case failed its\n"
		"verification or could not run, 2 for bad arguments.\n",
		states);
}

static int add_override(struct hb_options *o, const char *key,
			const char *value, char *err, size_t errlen)
{
	if (o->noverrides == HB_MAX_OVERRIDES) {
		snprintf(err, errlen, "too many options");
		return -EINVAL;
	}
	o->override_key[o->noverrides] = key;
	o->override_value[o->noverrides] = value;
	o->noverrides++;
	return 0;
}

static int parse_pairs(struct hb_options *o, const char *text, char *err,
		       size_t errlen)
{
	const char *p = text;
	char *end;
	long cpu, mem;

	o->npairs = 0;
	while (*p) {
		/* Out of int's range would wrap (4294967296 to node 0). */
		errno = 0;
		cpu = strtol(p, &end, 10);
		if (end == p || *end != ':' || cpu < 0 || cpu > INT_MAX || errno)
			goto bad;
		p = end + 1;
		mem = strtol(p, &end, 10);
		if (end == p || (*end && *end != ',') || mem < 0 ||
		    mem > INT_MAX || errno)
			goto bad;
		if (o->npairs == HB_MAX_PAIRS) {
			snprintf(err, errlen, "--nodes: at most %d pairs",
				 HB_MAX_PAIRS);
			return -EINVAL;
		}
		o->pairs[o->npairs++] = (struct hb_node_pair){ .cpu = (int)cpu,
							       .mem = (int)mem };
		p = *end ? end + 1 : end;
	}
	if (o->npairs)
		return 0;
bad:
	snprintf(err, errlen,
		 "--nodes '%s': expected CPU:MEMORY node pairs like 0:0,0:1",
		 text);
	return -EINVAL;
}

int hb_options_parse(struct hb_options *o, int argc, char **argv, char *err,
		     size_t errlen)
{
	char *end;
	int opt, ret = 0;

	memset(o, 0, sizeof(*o));
	o->profile = "standard";
	o->out = "results";
	optind = 0;	/* glibc: start over, so tests can parse again */
	opterr = 0;
	while (!ret && (opt = getopt_long(argc, argv, ":p:f:h", long_options,
					  NULL)) != -1) {
		o->noptions++;
		switch (opt) {
		case 'p': o->profile = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'h': o->help = true; break;
		case OPT_LIST: o->list = true; break;
		case OPT_RESUME: o->resume = optarg; break;
		case OPT_RESULT_FILE:
			/* Where the answer goes, not how to run: not an
			 * option --resume refuses, not saved with the run. */
			o->result_file = optarg;
			o->noptions--;
			break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_DEVICE: o->device = optarg; break;
		case OPT_GOVERNOR: o->governor = optarg; break;
		case OPT_BENCH_DIR: o->bench_dir = optarg; break;
		case OPT_SIZES:
			ret = add_override(o, "sizes", optarg, err, errlen);
			break;
		case OPT_STATES:
			ret = add_override(o, "states", optarg, err, errlen);
			break;
		case OPT_STYLES:
			ret = add_override(o, "styles", optarg, err, errlen);
			break;
		case OPT_ACCESS:
			ret = add_override(o, "access", optarg, err, errlen);
			break;
		case OPT_WINDOW:
			ret = add_override(o, "window", optarg, err, errlen);
			break;
		case OPT_REPS:
			ret = add_override(o, "repetitions", optarg, err, errlen);
			break;
		case OPT_BASELINES:
			ret = add_override(o, "baselines", optarg, err, errlen);
			break;
		case OPT_STRIDE:
			ret = add_override(o, "mixed_stride", optarg, err, errlen);
			break;
		case OPT_NUMA:
			ret = add_override(o, "numa", optarg, err, errlen);
			break;
		case OPT_NODES:
			ret = parse_pairs(o, optarg, err, errlen);
			break;
		case OPT_MIN_TIME:
			o->min_time = strtod(optarg, &end);
			if (end == optarg || *end || !(o->min_time > 0) ||
			    o->min_time > 3600) {
				snprintf(err, errlen,
					 "--min-time '%s': expected seconds, more than 0 and at most 3600",
					 optarg);
				ret = -EINVAL;
			}
			break;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value",
				 argv[optind - 1]);
			ret = -EINVAL;
			break;
		default:
			/*
			 * An unknown short option leaves optind on its word
			 * unless it ends it ("-xh"), so name the letter. A
			 * long option's error (optopt 0, its value, or 'h'
			 * for "--help=x") has moved optind past its word.
			 */
			if (optopt > 0 && optopt < 256 && !strchr("pfh", optopt))
				snprintf(err, errlen,
					 "unknown option '-%c' (see hmmbench --help)",
					 optopt);
			else
				snprintf(err, errlen,
					 "unknown option '%s' (see hmmbench --help)",
					 argv[optind - 1]);
			ret = -EINVAL;
			break;
		}
	}
	if (!ret && optind < argc) {
		snprintf(err, errlen,
			 "unexpected argument '%s' (see hmmbench --help)",
			 argv[optind]);
		ret = -EINVAL;
	}
	return ret;
}
