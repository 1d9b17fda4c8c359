/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system record: what a reader needs to trust or reproduce a run,
 * written into <run>/system/, and the facts that go into the JSON context.
 */
#ifndef HMMBENCH_SYSRECORD_H
#define HMMBENCH_SYSRECORD_H

#include <stddef.h>

#include "topology.h"

#define HB_MAX_FACTS 48

struct hb_facts {
	size_t n;
	char key[HB_MAX_FACTS][40];
	char value[HB_MAX_FACTS][512];
};

void hb_fact_set(struct hb_facts *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *hb_fact_get(const struct hb_facts *f, const char *key);

/* Kernel, THP, cpufreq, ASLR, VM and topology facts of this machine. */
void hb_facts_collect(struct hb_facts *f, const struct hb_topology *t);

/*
 * Write <dir>/system/: uname, cmdline, kernel config, the THP sysfs tree,
 * numactl -H, hwloc XML, cpufreq and vulnerabilities, vm sysctls.
 * 0, or -errno for the first file that could not be written.
 */
int hb_sysrecord_write(const char *dir, const struct hb_topology *t);

/* <dir>/system/{meminfo,vmstat}.<when> */
int hb_sysrecord_snapshot(const char *dir, const char *when);

/* Read the first line of @path into @buf without its newline; -errno. */
int hb_read_line(const char *path, char *buf, size_t len);

#endif /* HMMBENCH_SYSRECORD_H */
