// SPDX-License-Identifier: GPL-2.0
/* cpufreq governor pinning, restored whatever ends the run. */
#include "governor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysrecord.h"

#define HB_GOV_MAX_CPUS 1024

/* Filled before anything is changed, so restoring needs no formatting. */
static struct {
	char path[96];
	char governor[32];
} saved[HB_GOV_MAX_CPUS];
static volatile sig_atomic_t nsaved;

static void gov_path(int cpu, char *buf, size_t len)
{
	snprintf(buf, len,
		 "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
}

void hb_governor_restore(void)
{
	int i, n = nsaved, fd;

	nsaved = 0;
	for (i = 0; i < n; i++) {
		fd = open(saved[i].path, O_WRONLY);
		if (fd < 0)
			continue;
		if (write(fd, saved[i].governor, strlen(saved[i].governor)) < 0) {
			/* Nothing better to do in a handler: the next CPU. */
		}
		close(fd);
	}
}

static int write_governor(const char *path, const char *governor)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, governor, strlen(governor)) < 0)
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int hb_governor_pin(const char *governor, char *err, size_t errlen)
{
	int cpu, n = 0, ret;

	for (cpu = 0; cpu < HB_GOV_MAX_CPUS; cpu++) {
		gov_path(cpu, saved[n].path, sizeof(saved[n].path));
		if (hb_read_line(saved[n].path, saved[n].governor,
				 sizeof(saved[n].governor)))
			continue;
		n++;
	}
	if (!n) {
		snprintf(err, errlen,
			 "--governor: this machine has no cpufreq governors");
		return -ENOENT;
	}
	nsaved = n;
	for (cpu = 0; cpu < n; cpu++) {
		ret = write_governor(saved[cpu].path, governor);
		if (ret) {
			snprintf(err, errlen,
				 "cannot set governor '%s' in %s (%s); see scaling_available_governors",
				 governor, saved[cpu].path, strerror(-ret));
			hb_governor_restore();
			return ret;
		}
	}
	return 0;
}
