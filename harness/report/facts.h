/* SPDX-License-Identifier: GPL-2.0 */
/*
 * facts.h - what the runs' contexts say about machine, kernel and
 * settings, and which of those differ between runs.
 *
 * Three kinds of fact:
 *   settings  change what a case measures: the window, the mixed stride,
 *             every THP knob (thp_*), the iterations per repetition of
 *             each case. Runs that differ in one are not compared unless
 *             the user insists (compare --allow-different-settings), and
 *             are never merged.
 *   kernel    every context key that starts with "kernel_" (release,
 *             version, command line, and whatever identifies a built
 *             tree), plus host and vm: runs merged into one must agree.
 *   system    the rest (governor, profile, module...): shown when they
 *             differ, never refused.
 */
#ifndef HMMBENCH_FACTS_H
#define HMMBENCH_FACTS_H

#include <stddef.h>
#include <stdio.h>

#include "results.h"

/*
 * "bare metal" (vm and virtualization none), "virtual machine (kvm)" (a
 * native run on a hypervisor), "VM (kvm)", "VM (tcg)" (our QEMU runs).
 */
const char *facts_machine_kind(const struct report_run *run, char *buf,
			       size_t len);

/*
 * The settings in which @runs differ, as one line ("window: #0 512, #1 64;
 * THP enabled: ..."), into @buf. Returns how many differ (0: none).
 */
size_t facts_settings_differ(const struct report_run *runs, size_t nruns,
			     char *buf, size_t len);

/* The same for the kernel and machine identity (see above). */
size_t facts_identity_differ(const struct report_run *runs, size_t nruns,
			     char *buf, size_t len);

/*
 * "System and settings differences" for compare: every fact that
 * differs, one per line group, settings first and marked as such; fits
 * 80 columns.
 */
void facts_print_differences(FILE *out, const struct report_run *runs,
			     size_t nruns);

#endif /* HMMBENCH_FACTS_H */
