// SPDX-License-Identifier: GPL-2.0
#include "guest_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>

int read_meminfo(struct meminfo *m)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "MemTotal", offsetof(struct meminfo, total) },
		{ "MemAvailable", offsetof(struct meminfo, avail) },
		{ "MemFree", offsetof(struct meminfo, free_) },
		{ "Slab", offsetof(struct meminfo, slab) },
		{ "SUnreclaim", offsetof(struct meminfo, sunreclaim) },
		{ "VmallocUsed", offsetof(struct meminfo, vmalloc) },
		{ "PageTables", offsetof(struct meminfo, pagetables) },
		{ "SwapTotal", offsetof(struct meminfo, swap_total) },
		{ "SwapFree", offsetof(struct meminfo, swap_free) },
	};
	char line[256], key[64];
	long long v;
	size_t i;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	memset(m, 0, sizeof(*m));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", key, &v) != 2)
			continue;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(key, keys[i].key))
				*(long long *)((char *)m + keys[i].off) = v;
	}
	fclose(f);
	/* Free pages parked on per-CPU lists are not in MemFree. */
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &v) == 1)
			m->pcp += v * (sysconf(_SC_PAGESIZE) / 1024);
	fclose(f);
	return 0;
}

void dump_task_stacks(pid_t pid)
{
	char path[128], buf[4096];
	struct dirent *d;
	ssize_t n;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid,
			 d->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		printf("# task %s kernel stack:\n", d->d_name);
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			printf("#   %s\n", line);
	}
	closedir(dir);
}
