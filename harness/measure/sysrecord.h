/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system record: what a reader needs to trust or reproduce a run,
 * written into <run>/system/, and the facts that go into the JSON context.
 */
#ifndef HMMBENCH_SYSRECORD_H
#define HMMBENCH_SYSRECORD_H

#include <stddef.h>

#include "topology.h"

#define HB_MAX_FACTS 64

struct hb_facts {
	size_t n;
	char key[HB_MAX_FACTS][40];
	char value[HB_MAX_FACTS][4096];	/* a command line fits */
};

void hb_fact_set(struct hb_facts *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *hb_fact_get(const struct hb_facts *f, const char *key);

/*
 * Kernel, THP, cpufreq, ASLR, VM and topology facts of this machine.
 * "vm" is kvm or tcg in hmmbench's own QEMU guests (HMMBENCH_VM), "none"
 * otherwise; "virtualization" is what this kernel runs on whoever started
 * it ("none" or the hypervisor: kvm, qemu, vmware, xen, microsoft, amazon,
 * google, oracle, ...) and "virtualization_detected_by" the evidence.
 */
void hb_facts_collect(struct hb_facts *f, const struct hb_topology *t);

/*
 * Detect a hypervisor under this kernel: @what gets "none" or its name,
 * @how the probes that saw it (or, for "none", what was checked). The
 * files read are /proc/cpuinfo (the hypervisor flag), /sys/hypervisor/type
 * and /sys/class/dmi/id/{sys_vendor,product_name}, each below @root ("" for
 * this machine; a test points it at a fake tree). CPUID's hypervisor
 * leaf and systemd-detect-virt --vm are asked only when @root is "".
 */
void hb_detect_virtualization(const char *root, char *what, size_t wlen,
			      char *how, size_t hlen);

/*
 * The kind of machine in words, for summaries: "bare metal" only when
 * vm is "none" and nothing detected a hypervisor.
 */
const char *hb_facts_machine_kind(const struct hb_facts *f, char *buf,
				  size_t len);

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
