// SPDX-License-Identifier: GPL-2.0
/* The system record of a run and the facts for its context. */
#include "sysrecord.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

void hb_fact_set(struct hb_facts *f, const char *key, const char *fmt, ...)
{
	size_t i;
	va_list ap;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->key[i], key))
			break;
	if (i == f->n) {
		if (f->n == HB_MAX_FACTS)
			return;
		f->n++;
		snprintf(f->key[i], sizeof(f->key[i]), "%s", key);
	}
	va_start(ap, fmt);
	vsnprintf(f->value[i], sizeof(f->value[i]), fmt, ap);
	va_end(ap);
}

const char *hb_fact_get(const struct hb_facts *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->key[i], key))
			return f->value[i];
	return "";
}

int hb_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* "always [madvise] never" -> "madvise" */
static void bracketed(const char *path, char *buf, size_t len)
{
	char line[256], *open, *close;

	if (hb_read_line(path, line, sizeof(line))) {
		snprintf(buf, len, "absent");
		return;
	}
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	if (open && close) {
		*close = 0;
		snprintf(buf, len, "%s", open + 1);
	} else {
		snprintf(buf, len, "%s", line);
	}
}

static void governors(char *buf, size_t len)
{
	char gov[64], seen[256] = "";
	glob_t g;
	size_t i;

	if (glob("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor",
		 0, NULL, &g)) {
		snprintf(buf, len, "none (no cpufreq)");
		return;
	}
	for (i = 0; i < g.gl_pathc; i++) {
		if (hb_read_line(g.gl_pathv[i], gov, sizeof(gov)) ||
		    strstr(seen, gov))
			continue;
		if (seen[0])
			strncat(seen, ",", sizeof(seen) - strlen(seen) - 1);
		strncat(seen, gov, sizeof(seen) - strlen(seen) - 1);
	}
	globfree(&g);
	snprintf(buf, len, "%s", seen[0] ? seen : "unknown");
}

static void turbo(char *buf, size_t len)
{
	char v[16];

	if (!hb_read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", v,
			  sizeof(v)))
		snprintf(buf, len, "%s", v[0] == '1' ? "off" : "on");
	else if (!hb_read_line("/sys/devices/system/cpu/cpufreq/boost", v,
			       sizeof(v)))
		snprintf(buf, len, "%s", v[0] == '1' ? "on" : "off");
	else
		snprintf(buf, len, "unknown");
}

void hb_facts_collect(struct hb_facts *f, const struct hb_topology *t)
{
	char buf[512];
	struct utsname u;
	const char *vm = getenv("HMMBENCH_VM");
	int persona = personality(0xffffffff);

	if (!uname(&u)) {
		hb_fact_set(f, "kernel_release", "%s", u.release);
		hb_fact_set(f, "kernel_version", "%s", u.version);
		hb_fact_set(f, "host", "%s", u.nodename);
		hb_fact_set(f, "machine", "%s", u.machine);
	}
	hb_read_line("/proc/cmdline", buf, sizeof(buf));
	hb_fact_set(f, "kernel_cmdline", "%s", buf);
	bracketed(THP_DIR "/enabled", buf, sizeof(buf));
	hb_fact_set(f, "thp_enabled", "%s", buf);
	bracketed(THP_DIR "/defrag", buf, sizeof(buf));
	hb_fact_set(f, "thp_defrag", "%s", buf);
	bracketed(THP_DIR "/shmem_enabled", buf, sizeof(buf));
	hb_fact_set(f, "thp_shmem_enabled", "%s", buf);
	governors(buf, sizeof(buf));
	hb_fact_set(f, "cpufreq_governor", "%s", buf);
	turbo(buf, sizeof(buf));
	hb_fact_set(f, "turbo", "%s", buf);
	hb_fact_set(f, "aslr", "%s",
		    persona >= 0 && (persona & ADDR_NO_RANDOMIZE) ?
		    "off" : "on");
	hb_fact_set(f, "vm", "%s", vm && *vm ? vm : "none");
	hb_topology_summary(t, buf, sizeof(buf));
	hb_fact_set(f, "numa_nodes", "%s", buf);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in, *out;
	size_t n;
	int ret = 0;

	in = fopen(from, "rb");
	if (!in)
		return -errno;
	out = fopen(to, "wb");
	if (!out) {
		ret = -errno;
		fclose(in);
		return ret;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			ret = -EIO;
			break;
		}
	fclose(in);
	if (fclose(out) && !ret)
		ret = -EIO;
	return ret;
}

/* Every readable regular file below @from, same layout below @to. */
static void copy_tree(const char *from, const char *to)
{
	char src[1024], dst[1024];
	struct dirent *e;
	struct stat st;
	DIR *d;

	d = opendir(from);
	if (!d)
		return;
	mkdir(to, 0755);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", from, e->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", to, e->d_name);
		if (lstat(src, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			copy_tree(src, dst);
		else if (S_ISREG(st.st_mode))
			copy_file(src, dst);
	}
	closedir(d);
}

/* Output of a shell command into @to; a missing tool is noted in it. */
static void command_to_file(const char *cmd, const char *to)
{
	char line[4096];
	FILE *p, *out;

	out = fopen(to, "w");
	if (!out)
		return;
	p = popen(cmd, "r");
	if (p) {
		while (fgets(line, sizeof(line), p))
			fputs(line, out);
		if (pclose(p))
			fprintf(out, "(%s failed or is not installed)\n", cmd);
	}
	fclose(out);
}

static void kernel_config(const char *sys)
{
	char from[256], to[1100];
	struct utsname u;

	snprintf(to, sizeof(to), "%s/config.gz", sys);
	if (!copy_file("/proc/config.gz", to))
		return;
	if (uname(&u))
		return;
	snprintf(from, sizeof(from), "/boot/config-%.200s", u.release);
	snprintf(to, sizeof(to), "%s/config", sys);
	copy_file(from, to);
}

int hb_sysrecord_write(const char *dir, const struct hb_topology *t)
{
	char sys[1024], path[1100];

	snprintf(sys, sizeof(sys), "%s/system", dir);
	if (mkdir(sys, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/uname", sys);
	command_to_file("uname -a", path);
	snprintf(path, sizeof(path), "%s/cmdline", sys);
	copy_file("/proc/cmdline", path);
	kernel_config(sys);
	snprintf(path, sizeof(path), "%s/thp", sys);
	copy_tree(THP_DIR, path);
	snprintf(path, sizeof(path), "%s/numactl-H.txt", sys);
	command_to_file("numactl -H 2>&1", path);
	snprintf(path, sizeof(path), "%s/topology.xml", sys);
	hb_topology_export_xml(t, path);
	snprintf(path, sizeof(path), "%s/cpuinfo", sys);
	copy_file("/proc/cpuinfo", path);
	snprintf(path, sizeof(path), "%s/vulnerabilities", sys);
	copy_tree("/sys/devices/system/cpu/vulnerabilities", path);
	snprintf(path, sizeof(path), "%s/cpufreq.txt", sys);
	command_to_file("grep -H . /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor /sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq /sys/devices/system/cpu/intel_pstate/no_turbo /sys/devices/system/cpu/cpufreq/boost 2>/dev/null",
			path);
	snprintf(path, sizeof(path), "%s/sysctl-vm.txt", sys);
	command_to_file("grep -H . /proc/sys/vm/* 2>/dev/null", path);
	snprintf(path, sizeof(path), "%s/hugepages.txt", sys);
	command_to_file("grep -H . /sys/kernel/mm/hugepages/*/* 2>/dev/null",
			path);
	snprintf(path, sizeof(path), "%s/swaps", sys);
	copy_file("/proc/swaps", path);
	snprintf(path, sizeof(path), "%s/modules", sys);
	copy_file("/proc/modules", path);
	return 0;
}

int hb_sysrecord_snapshot(const char *dir, const char *when)
{
	char path[1100];
	int ret;

	snprintf(path, sizeof(path), "%s/system/meminfo.%s", dir, when);
	ret = copy_file("/proc/meminfo", path);
	snprintf(path, sizeof(path), "%s/system/vmstat.%s", dir, when);
	return ret ? ret : copy_file("/proc/vmstat", path);
}
