// SPDX-License-Identifier: GPL-2.0
#include "guest_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
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

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0) {
			/* best effort */
		}
		close(fd);
	}
}

int watch_child(pid_t pid, const unsigned long *progress, double stall_s,
		double deadline_s, const char *what,
		void (*on_stall)(void *), void *user)
{
	double start = now_s(), last_change = start, t;
	unsigned long last = progress ? *progress : 0, cur;
	int status, i;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		t = now_s();
		cur = progress ? __atomic_load_n(progress, __ATOMIC_RELAXED) : 0;
		if (cur != last) {
			last = cur;
			last_change = t;
		}
		if (t - last_change > stall_s ||
		    (deadline_s > 0 && t - start > deadline_s)) {
			printf("# watchdog: %s: %s after %.0f s\n", what,
			       t - last_change > stall_s ? "no progress" :
							   "deadline passed",
			       t - start);
			if (on_stall)
				on_stall(user);
			dump_task_stacks(pid);
			kill(pid, SIGKILL);
			for (i = 0; i < 200; i++) {
				if (waitpid(pid, &status, WNOHANG) == pid)
					break;
				usleep(100000);
			}
			if (i == 200)
				printf("# watchdog: the child does not die either\n");
			return -1;
		}
		usleep(50000);
	}
}
