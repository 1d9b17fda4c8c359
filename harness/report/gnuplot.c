// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot.c - running gnuplot (see gnuplot.h): the scripts of plots/, one
 * process per chart, its messages into <dir>/data/gnuplot.log.
 */
#include "gnuplot.h"

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/fs.h"
#include "common/text.h"

extern char **environ;

void plot_list_free(struct plot_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->files[i]);
	free(l->files);
	l->files = NULL;
	l->n = 0;
}

static int list_add(struct plot_list *l, const char *path)
{
	char **grown = realloc(l->files, (l->n + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	l->files = grown;
	l->files[l->n] = strdup(path);
	if (!l->files[l->n])
		return -1;
	l->n++;
	return 0;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

const char *plot_script_dir(void)
{
	static char dir[PATH_MAX];

	hb_data_dir("HMMBENCH_PLOTS", "plots", "ns_page.gp", dir, sizeof(dir));
	return dir;
}

/* Run argv with stdout and stderr appended to @log; returns exit status. */
static int spawn_wait(char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
					 O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int plot_available(void)
{
	char *argv[] = { "gnuplot", "-e", "set terminal pngcairo", NULL };

	return spawn_wait(argv, "/dev/null") == 0;
}

void gnuplot_text(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 32 || c == '"' || c == '\\' || c == '\'' ||
			  c == '@' || c == '`') ? '_' : (char)c;
	}
	dst[i] = '\0';
}

static int gp_path_ok(const char *p)
{
	return !strpbrk(p, "\"'\\`@\n\r\t");
}

int gnuplot_chart(const char *dir, const char *stem, const char *script,
		   const char *vars, struct plot_list *out, char *err,
		   size_t errlen)
{
	char png[PATH_MAX], svg[PATH_MAX], gp[PATH_MAX], log[PATH_MAX];
	char *assign, *argv[5];
	const char *sdir = plot_script_dir();
	size_t len;
	int rc;

	if (hb_fmt(png, sizeof(png), "%s/%s.png", dir, stem) ||
	    hb_fmt(svg, sizeof(svg), "%s/%s.svg", dir, stem) ||
	    hb_fmt(gp, sizeof(gp), "%s/%s", sdir, script) ||
	    hb_fmt(log, sizeof(log), "%s/data/gnuplot.log", dir)) {
		hb_errf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (!file_exists(gp)) {
		hb_errf(err, errlen,
			"gnuplot script %s not found (set HMMBENCH_PLOTS to the suite's plots/ folder)",
			gp);
		return -1;
	}
	if (!gp_path_ok(png) || !gp_path_ok(sdir)) {
		hb_errf(err, errlen,
			"%s: path has a quote, backslash or @ that gnuplot cannot take; use a plainer folder name",
			dir);
		return -1;
	}
	len = strlen(vars) + 3 * PATH_MAX + 64;
	assign = malloc(len);
	if (!assign) {
		hb_errf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(assign, len, "%s; png_out=\"%s\"; svg_out=\"%s\"; dir=\"%s\"",
		 vars, png, svg, sdir);
	argv[0] = "gnuplot";
	argv[1] = "-e";
	argv[2] = assign;
	argv[3] = gp;
	argv[4] = NULL;
	rc = spawn_wait(argv, log);
	free(assign);
	if (rc) {
		hb_errf(err, errlen, rc < 0 ?
			"cannot run gnuplot (install gnuplot-nox)" :
			"gnuplot failed on %s (see %s)", script, log);
		return -1;
	}
	if (list_add(out, png) || list_add(out, svg)) {
		hb_errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
