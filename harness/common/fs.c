// SPDX-License-Identifier: GPL-2.0
/* Files and folders (see fs.h). */
#include "fs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hb_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	int n = snprintf(buf, sizeof(buf), "%s", path);

	if (n < 0 || (size_t)n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -ENAMETOOLONG;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int has_file(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/%s", dir, file);

	return n > 0 && (size_t)n < sizeof(path) && !stat(path, &st);
}

void hb_data_dir(const char *env, const char *name, const char *probe,
		 char *buf, size_t len)
{
	char exe[PATH_MAX], found[PATH_MAX], candidate[PATH_MAX + 64];
	const char *value = getenv(env);
	char *slash;
	ssize_t n;

	if (value && *value) {
		snprintf(buf, len, "%s", value);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		for (int up = 1; slash && up <= 2; up++) {
			snprintf(candidate, sizeof(candidate), "%s/%s%s", exe,
				 up == 2 ? "../../" : "../", name);
			if (has_file(candidate, probe) &&
			    realpath(candidate, found)) {
				snprintf(buf, len, "%s", found);
				return;
			}
		}
	}
	snprintf(buf, len, "%s", name);
}
