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

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

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

/* Append "; "-separated text to @buf. */
static void evidence(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void evidence(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + 2 < len) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void under(const char *root, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", root, path);
}

/* The hypervisor bit of the first "flags" line of /proc/cpuinfo. */
static int cpuinfo_hypervisor(const char *root, int *readable)
{
	char path[512], line[4096], *p, *save;
	int found = 0;
	FILE *f;

	under(root, "/proc/cpuinfo", path, sizeof(path));
	f = fopen(path, "r");
	*readable = f != NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (strncmp(line, "flags", 5) || !p)
			continue;
		for (p = strtok_r(p + 1, " \t\n", &save); p;
		     p = strtok_r(NULL, " \t\n", &save))
			if (!strcmp(p, "hypervisor"))
				found = 1;
		break;
	}
	fclose(f);
	return found;
}

/* The vendor signature of CPUID leaf 0x40000000, when the CPU has one. */
static int cpuid_signature(char *sig, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d, regs[3];
	size_t i;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return 0;
	__cpuid(0x40000000, a, regs[0], regs[1], regs[2]);
	memset(sig, 0, len);
	memcpy(sig, regs, len - 1 < sizeof(regs) ? len - 1 : sizeof(regs));
	for (i = 0; sig[i]; i++)
		if ((unsigned char)sig[i] < 0x20 || (unsigned char)sig[i] > 0x7e)
			sig[i] = '?';
	return 1;
#else
	(void)sig;
	(void)len;
	return 0;
#endif
}

static const char *cpuid_name(const char *sig)
{
	static const struct {
		const char *sig, *name;
	} known[] = {
		{ "KVMKVMKVM", "kvm" },	{ "Linux KVM Hv", "kvm" },
		{ "TCGTCGTCGTCG", "qemu" }, { "Microsoft Hv", "microsoft" },
		{ "VMwareVMware", "vmware" }, { "XenVMMXenVMM", "xen" },
		{ "VBoxVBoxVBox", "oracle" }, { "bhyve bhyve ", "bhyve" },
		{ "ACRNACRNACRN", "acrn" }, { " lrpepyh  vr", "parallels" },
		{ "QNXQVMBSQG", "qnx" },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(sig, known[i].sig))
			return known[i].name;
	return NULL;
}

/*
 * SMBIOS BIOS Characteristics Extension Byte 2, bit 4, "virtual machine"
 * (DSP0134 2.7+; the kernel exposes the table as entry 0-0, readable by
 * root): 1 set, 0 unset, -1 unknown. Unset does not mean bare metal (QEMU
 * with SeaBIOS leaves it clear), so it only tells EC2 metal from EC2 VMs,
 * as systemd-detect-virt does.
 */
static int smbios_vm_bit(const char *root)
{
	unsigned char raw[32];
	char path[512];
	size_t n;
	FILE *f;

	under(root, "/sys/firmware/dmi/entries/0-0/raw", path, sizeof(path));
	f = fopen(path, "rb");
	if (!f)
		return -1;
	n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	if (n < 20 || raw[1] < 20)
		return -1;
	return !!(raw[19] & (1u << 4));
}

/* A hypervisor named by DMI, or NULL (bare-metal cloud hosts excluded). */
static const char *dmi_name(const char *vendor, const char *product,
			    int vm_bit)
{
	static const struct {
		const char *needle, *name;
	} known[] = {
		{ "QEMU", "qemu" }, { "KVM", "kvm" }, { "VMware", "vmware" },
		{ "VMW", "vmware" }, { "innotek GmbH", "oracle" },
		{ "VirtualBox", "oracle" }, { "Xen", "xen" },
		{ "Bochs", "bochs" }, { "Parallels", "parallels" },
		{ "BHYVE", "bhyve" }, { "Google", "google" },
		{ "Alibaba Cloud", "alibaba" }, { "OpenStack", "openstack" },
		{ "Apple Virtualization", "apple" },
	};
	size_t i;

	/* Surface laptops are Microsoft too: Hyper-V says "Virtual Machine". */
	if (strstr(vendor, "Microsoft"))
		return strstr(product, "Virtual Machine") ? "microsoft" : NULL;
	/*
	 * EC2 metal instances say Amazon EC2 too, with the SMBIOS VM bit
	 * clear; without the bit, go by the instance type (*.metal*).
	 */
	if (strstr(vendor, "Amazon EC2")) {
		if (vm_bit >= 0)
			return vm_bit ? "amazon" : NULL;
		return strstr(product, "metal") ? NULL : "amazon";
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(vendor, known[i].needle) ||
		    strstr(product, known[i].needle))
			return known[i].name;
	return NULL;
}

/* systemd-detect-virt --vm's answer, "" when it is absent or says none. */
static void detect_virt(char *buf, size_t len, int *present)
{
	char line[64] = "";
	FILE *p;

	buf[0] = 0;
	*present = 0;
	p = popen("command -v systemd-detect-virt >/dev/null 2>&1 && "
		  "systemd-detect-virt --vm 2>/dev/null || echo absent", "r");
	if (!p)
		return;
	if (!fgets(line, sizeof(line), p))
		line[0] = 0;
	pclose(p);
	line[strcspn(line, "\n")] = 0;
	if (!strcmp(line, "absent"))
		return;
	*present = 1;
	if (line[0] && strcmp(line, "none"))
		snprintf(buf, len, "%s", line);
}

void hb_detect_virtualization(const char *root, char *what, size_t wlen,
			      char *how, size_t hlen)
{
	char path[512], sig[16], vendor[256], product[256], xen[64], sd[64];
	const char *name = NULL, *dmi, *cpuid = NULL;
	int live = !root || !*root, flag, readable, sd_present = 0;
	int dmi_present, xen_present, vm_bit;

	if (!root)
		root = "";
	how[0] = 0;
	if (live) {
		detect_virt(sd, sizeof(sd), &sd_present);
		if (sd[0]) {
			name = sd;
			evidence(how, hlen, "systemd-detect-virt --vm: %s", sd);
		}
		if (cpuid_signature(sig, sizeof(sig))) {
			cpuid = cpuid_name(sig);
			if (!name)
				name = cpuid ? cpuid : "unknown";
			evidence(how, hlen, "CPUID 0x40000000: \"%s\"", sig);
		}
	}
	flag = cpuinfo_hypervisor(root, &readable);
	if (flag) {
		if (!name)
			name = "unknown";
		evidence(how, hlen, "/proc/cpuinfo: hypervisor flag");
	}
	under(root, "/sys/hypervisor/type", path, sizeof(path));
	xen_present = !hb_read_line(path, xen, sizeof(xen));
	if (xen_present && xen[0]) {
		if (!name || !strcmp(name, "unknown"))
			name = xen;
		evidence(how, hlen, "/sys/hypervisor/type: %s", xen);
	}
	under(root, "/sys/class/dmi/id/sys_vendor", path, sizeof(path));
	dmi_present = !hb_read_line(path, vendor, sizeof(vendor));
	under(root, "/sys/class/dmi/id/product_name", path, sizeof(path));
	if (hb_read_line(path, product, sizeof(product)))
		product[0] = 0;
	else
		dmi_present = 1;
	vm_bit = smbios_vm_bit(root);
	dmi = dmi_name(vendor, product, vm_bit);
	if (dmi) {
		if (!name || !strcmp(name, "unknown"))
			name = dmi;
		evidence(how, hlen, "DMI: \"%s\" \"%s\"", vendor, product);
	}
	if (vm_bit == 1) {
		if (!name)
			name = "unknown";
		evidence(how, hlen, "SMBIOS: virtual machine bit");
	}
	if (name) {
		snprintf(what, wlen, "%s", name);
		return;
	}
	snprintf(what, wlen, "none");
	evidence(how, hlen, "nothing found; checked %s/proc/cpuinfo%s, /sys/hypervisor%s, DMI%s%s",
		 live ? "CPUID, " : "", readable ? "" : " (unreadable)",
		 xen_present ? "" : " (absent)",
		 dmi_present ? "" : " (absent)",
		 !live ? "" : sd_present ? ", systemd-detect-virt" :
		 ", systemd-detect-virt (not installed)");
}

const char *hb_facts_machine_kind(const struct hb_facts *f, char *buf,
				  size_t len)
{
	const char *vm = hb_fact_get(f, "vm");
	const char *virt = hb_fact_get(f, "virtualization");

	if (!strcmp(vm, "tcg"))
		snprintf(buf, len, "VM (tcg): times are emulated, compare ratios only");
	else if (*vm && strcmp(vm, "none"))
		snprintf(buf, len, "VM (%s): not bare metal, compare ratios", vm);
	else if (*virt && strcmp(virt, "none"))
		snprintf(buf, len, "virtual machine (%s): not bare metal", virt);
	else if (!*virt)
		snprintf(buf, len, "virtualization not recorded");
	else
		snprintf(buf, len, "bare metal");
	return buf;
}

void hb_facts_collect(struct hb_facts *f, const struct hb_topology *t)
{
	char buf[4096], virt[64];
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
	hb_detect_virtualization("", virt, sizeof(virt), buf, sizeof(buf));
	hb_fact_set(f, "virtualization", "%s", virt);
	hb_fact_set(f, "virtualization_detected_by", "%s", buf);
	hb_topology_summary(t, buf, sizeof(buf));
	hb_fact_set(f, "numa_nodes", "%s", buf);
	/*
	 * NUMA balancing turns PTEs PROT_NONE now and then; hmm_range_fault()
	 * sees those as not valid and faults them: a source of noise.
	 */
	if (hb_read_line("/proc/sys/kernel/numa_balancing", buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "not in this kernel");
	hb_fact_set(f, "numa_balancing", "%s", buf);
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
	FILE *out;

	snprintf(to, sizeof(to), "%s/config.gz", sys);
	if (!copy_file("/proc/config.gz", to))
		return;
	if (uname(&u))
		return;
	snprintf(from, sizeof(from), "/boot/config-%.200s", u.release);
	snprintf(to, sizeof(to), "%s/config", sys);
	if (!copy_file(from, to))
		return;
	/* Say so, rather than leave a reader looking for it. */
	snprintf(to, sizeof(to), "%s/config.missing", sys);
	out = fopen(to, "w");
	if (out) {
		fprintf(out, "no kernel config: /proc/config.gz is absent (CONFIG_IKCONFIG_PROC) and %s cannot be read\n",
			from);
		fclose(out);
	}
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
