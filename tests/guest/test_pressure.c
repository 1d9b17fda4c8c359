// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure. Runs inside the QEMU guest as root.
 *
 * A child process asks for a write fault over a MAP_NORESERVE range larger
 * than the guest's memory and swap together. It must end with -EFAULT or
 * -ENOMEM, or -EBUSY after bounded retries, or the OOM killer must take it
 * (SIGKILL), within a watchdog's time; success only if every page was
 * satisfied (see run_attempt()). Then the guest must be healthy: the module
 * answers, a normal request passes and memory comes back. The VM runner
 * checks that the module unloads and that the kernel reported no problem.
 * Works with and without swap (vm-run --swap MiB).
 *
 * The kernel log of each attempt is kept in $HMMBENCH_OUT/pressure-kmsg-N.txt
 * and scanned for reports other than the OOM killer's own (see
 * quiet_console() for why and how).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/device.h"
#include "guest_util.h"

#define PAGE		4096UL
#define MiB		(1UL << 20)

static struct hb_device dev;

/* ---- the kernel log of one attempt ------------------------------------ */

/*
 * An OOM kill logs a report with a stack dump ("Call Trace:"), and the
 * victim, still faulting in hmm_range_fault() (which has no signal check
 * of its own), can log "page allocation failure" with another one. Both
 * are how the kernel reports the pressure this test creates, not
 * problems; but the VM runner fails a run on any "Call Trace:" on the
 * console. So while an attempt runs, the console shows only messages more
 * urgent than KERN_WARNING, the test reads every record from /dev/kmsg
 * itself, and whatever it finds that is not part of those two reports
 * (WARNING:, BUG:, Oops, lockdep, hung tasks, any other Call Trace...)
 * fails the test and is logged again at KERN_ERR, so that the VM runner
 * sees it too. The records are kept in $HMMBENCH_OUT/pressure-kmsg-N.txt.
 */
#define RELOG_PREFIX \
	"hmmbench test_pressure: the kernel reported a problem during the OOM test:"

static int saved_console_loglevel = -1;

static void quiet_console(void)
{
	FILE *f = fopen("/proc/sys/kernel/printk", "r");
	int level;

	if (saved_console_loglevel < 0 && f && fscanf(f, "%d", &level) == 1 &&
	    level > 4) {
		saved_console_loglevel = level;
		write_file("/proc/sys/kernel/printk", "4");
	}
	if (f)
		fclose(f);
}

static void restore_console(void)
{
	char buf[16];

	if (saved_console_loglevel < 0)
		return;
	sleep(1);	/* let the console print what was logged so far */
	snprintf(buf, sizeof(buf), "%d", saved_console_loglevel);
	write_file("/proc/sys/kernel/printk", buf);
	saved_console_loglevel = -1;
}

struct kmsg_scan {
	int oom_invoked;	/* "invoked oom-killer" */
	int oom_killed_child;	/* "Killed process <child>" */
	int alloc_failures;	/* "page allocation failure" */
	int problems;		/* anything else the runner would flag */
	char first_problem[256];
};

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static void relog(const char *text)
{
	char line[512];
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0)
		return;
	snprintf(line, sizeof(line), "<3>" RELOG_PREFIX " %s\n", text);
	if (write(fd, line, strlen(line)) < 0) {
		/* best effort: the test fails anyway */
	}
	close(fd);
}

static void kmsg_collect(int fd, const char *path, pid_t child,
			 struct kmsg_scan *s)
{
	/* what the VM runner looks for, and a few more */
	static const char *const flagged[] = {
		"Oops", "WARNING:", "BUG:", "Kernel panic",
		"general protection fault", "UBSAN:", "KASAN:",
		"possible circular locking", "inconsistent lock state",
		"suspected memory leak", "Call Trace:", "blocked for more than",
		"soft lockup", "self-detected stall", "unable to reap",
	};
	/* a record that starts some other report ends the OOM one */
	static const char *const other_report[] = {
		"WARNING:", "BUG:", "Oops", "cut here", "INFO:", "rcu:",
		"watchdog:",
	};
	enum { CTX_NONE, CTX_OOM, CTX_ALLOC } ctx = CTX_NONE;
	char rec[2048], killed[64], *text, *nl;
	FILE *out = path ? fopen(path, "w") : NULL;
	ssize_t n;
	size_t i;

	memset(s, 0, sizeof(*s));
	snprintf(killed, sizeof(killed), "Killed process %d ", (int)child);
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = 0;
		if (out)
			fputs(rec, out);
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		nl = strchr(text, '\n');
		if (nl)
			*nl = 0;
		if (!strncmp(text, RELOG_PREFIX, strlen(RELOG_PREFIX)))
			continue;	/* ours, from relog() */
		for (i = 0; i < sizeof(other_report) / sizeof(other_report[0]); i++)
			if (strstr(text, other_report[i]))
				ctx = CTX_NONE;
		if (strstr(text, "invoked oom-killer")) {
			ctx = CTX_OOM;
			s->oom_invoked++;
		} else if (strstr(text, "page allocation failure")) {
			ctx = CTX_ALLOC;
			s->alloc_failures++;
		}
		if (strstr(text, killed))
			s->oom_killed_child++;
		for (i = 0; i < sizeof(flagged) / sizeof(flagged[0]); i++) {
			if (!strstr(text, flagged[i]))
				continue;
			if (!strcmp(flagged[i], "Call Trace:") && ctx != CTX_NONE)
				break;	/* the stack of an OOM report */
			if (!s->problems++)
				snprintf(s->first_problem, sizeof(s->first_problem),
					 "%s", text);
			relog(text);
			break;
		}
	}
	if (out)
		fclose(out);
}

/* ---- the attempt ------------------------------------------------------- */

struct attempt {
	const char *name;
	uint32_t style;
	uint32_t window;
	bool thp;
};

static const struct attempt attempts[] = {
	{ "default, window 512, 4 KiB pages", HMM_BENCH_STYLE_DEFAULT, 512, false },
	{ "prefill, window 65536, THP", HMM_BENCH_STYLE_PREFILL, 65536, true },
	{ "default, whole range in one call, THP", HMM_BENCH_STYLE_DEFAULT, 0, true },
};

struct result {
	int ret;		/* from the child, 0 or -errno */
	uint32_t verdict;
	uint64_t npages, pages_valid, pages_write;
	uint64_t ebusy_retries, seq_retries;
};

/* /proc/vmstat counters that tell how the kernel made room. */
static const char *const vm_keys[] = {
	"pswpout", "thp_split_page", "thp_underused_split_page",
	"thp_deferred_split_page", "oom_kill",
};
#define NVM (sizeof(vm_keys) / sizeof(vm_keys[0]))

static void read_vmstat(long long *v)
{
	char key[64];
	long long val;
	size_t i;
	FILE *f = fopen("/proc/vmstat", "r");

	memset(v, 0, NVM * sizeof(*v));
	if (!f)
		return;
	while (fscanf(f, "%63s %lld", key, &val) == 2)
		for (i = 0; i < NVM; i++)
			if (!strcmp(key, vm_keys[i]))
				v[i] = val;
	fclose(f);
}

static struct meminfo baseline;

static void settle(void)
{
	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	write_file("/proc/sys/vm/stat_refresh", "1");
	usleep(200000);
}

/* The child: be the OOM killer's first choice, then ask for too much. */
static void child_run(const struct attempt *a, size_t len, int fd_out)
{
	struct hmm_bench_fault req;
	struct result res = { 0 };
	void *mem;

	write_file("/proc/self/oom_score_adj", "1000");
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		_exit(10);
	madvise(mem, len, a->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	hb_fault_init(&req, mem, len, a->style, HMM_BENCH_REQ_FAULT,
		      HMM_BENCH_ACCESS_WRITE, a->window);
	res.ret = hb_device_fault(dev.fd, &req);
	res.verdict = req.verdict;
	res.npages = req.npages;
	res.pages_valid = req.pages_valid;
	res.pages_write = req.pages_write;
	res.ebusy_retries = req.ebusy_retries;
	res.seq_retries = req.seq_retries;
	if (write(fd_out, &res, sizeof(res)) != sizeof(res))
		_exit(11);
	_exit(0);
}

static void health_check(void)
{
	struct hmm_bench_fault req;
	struct hmm_bench_info info;
	size_t len = 16 * MiB;
	void *buf;

	assert_int_equal(hb_device_info(dev.fd, &info), 0);
	assert_int_equal(info.abi_version, HMM_BENCH_ABI_VERSION);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	hb_fault_init(&req, buf, len, HMM_BENCH_STYLE_PREFILL,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE, 512);
	assert_int_equal(hb_device_fault(dev.fd, &req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
	assert_int_equal(req.pages_write, len / PAGE);
	munmap(buf, len);
}

static void run_attempt(int index)
{
	const struct attempt *a = &attempts[index];
	const char *outdir = getenv("HMMBENCH_OUT");
	struct meminfo m, after;
	long long vm_before[NVM], vm_after[NVM];
	struct kmsg_scan scan;
	char vmline[256];
	size_t vn = 0, k;
	struct result res;
	char path[512];
	int pipefd[2], status, kfd;
	double t0, took, limit;
	size_t len;
	ssize_t got;
	pid_t pid;

	assert_int_equal(read_meminfo(&m), 0);
	/* More than memory and swap together: it cannot all be there. */
	len = ((size_t)(m.total + m.swap_total) * 1024 + 512 * MiB + 2 * MiB - 1) &
	      ~(2 * MiB - 1);
	if (!a->window && len / PAGE > dev.info.max_whole_pages) {
		printf("# pressure %d (%s): skipped, %zu MiB is over max_whole_pages\n",
		       index, a->name, len / MiB);
		skip();
	}
	/*
	 * Under TCG with swap, the whole-range attempt spends 70-85 s
	 * retrying -EBUSY until max_retries (reclaim keeps invalidating the
	 * range) on an idle host; leave room for a busy one and slow swap.
	 */
	limit = 240 + (double)m.swap_total / 1024 / 10;
	printf("# pressure %d (%s): write request over %zu MiB; MemTotal %lld MiB, "
	       "MemAvailable %lld MiB, swap %lld MiB\n", index, a->name,
	       len / MiB, m.total / 1024, m.avail / 1024, m.swap_total / 1024);
	fflush(stdout);

	read_vmstat(vm_before);
	kfd = kmsg_open();
	quiet_console();
	assert_int_equal(pipe(pipefd), 0);
	t0 = now_s();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		child_run(a, len, pipefd[1]);
	}
	close(pipefd[1]);
	/* No progress counter: only the deadline stops it. */
	status = watch_child(pid, NULL, 2 * limit, limit, "the request", NULL,
			     NULL);
	if (status == -1) {
		restore_console();
		fail_msg("watchdog: the request did not end in %.0f s", limit);
	}
	took = now_s() - t0;
	got = read(pipefd[0], &res, sizeof(res));
	close(pipefd[0]);
	sleep(1);	/* the OOM reaper and its messages */

	if (outdir && *outdir)
		snprintf(path, sizeof(path), "%s/pressure-kmsg-%d.txt", outdir, index);
	if (kfd >= 0) {
		kmsg_collect(kfd, outdir && *outdir ? path : NULL, pid, &scan);
		close(kfd);
	} else {
		memset(&scan, 0, sizeof(scan));
	}
	restore_console();
	read_vmstat(vm_after);
	vmline[0] = 0;
	for (k = 0; k < NVM; k++)
		if (vm_after[k] != vm_before[k] && vn < sizeof(vmline))
			vn += (size_t)snprintf(vmline + vn, sizeof(vmline) - vn,
					       " %s=+%lld", vm_keys[k],
					       vm_after[k] - vm_before[k]);

	if (WIFSIGNALED(status))
		printf("# pressure %d: the child was killed by signal %d after "
		       "%.1f s (OOM killer invoked %d times, killed the child: "
		       "%s; %d page allocation failure reports)\n", index,
		       WTERMSIG(status), took, scan.oom_invoked,
		       scan.oom_killed_child ? "yes" : "no", scan.alloc_failures);
	else if (got == (ssize_t)sizeof(res))
		printf("# pressure %d: the request ended with %s after %.1f s "
		       "(OOM killer invoked %d times)\n", index,
		       res.ret ? strerror(-res.ret) : "success", took,
		       scan.oom_invoked);
	if (got == (ssize_t)sizeof(res) && !res.ret)
		printf("# pressure %d: verdict %s, %" PRIu64 " of %" PRIu64
		       " pages valid, %" PRIu64 " writable, %" PRIu64
		       " ebusy and %" PRIu64 " sequence retries\n", index,
		       hb_verdict_name(res.verdict), res.pages_valid, res.npages,
		       res.pages_write, res.ebusy_retries, res.seq_retries);
	printf("# pressure %d: vmstat:%s\n", index, vn ? vmline : " no change");
	if (scan.problems)
		printf("# pressure %d: the kernel reported %d problems; first: %s\n",
		       index, scan.problems, scan.first_problem);
	fflush(stdout);

	assert_int_equal(scan.problems, 0);
	if (WIFSIGNALED(status)) {
		/* Only the OOM killer sends SIGKILL here. */
		assert_int_equal(WTERMSIG(status), SIGKILL);
		assert_true(scan.oom_killed_child > 0 || kfd < 0);
	} else {
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(got, (ssize_t)sizeof(res));
		/*
		 * -EFAULT/-ENOMEM: a page could not be had. -EBUSY: reclaim
		 * (swap-out, THP splits) kept invalidating the range until
		 * max_retries. Success: each chunk is verified when it is
		 * faulted, and the kernel may make room for the next one
		 * behind the call's back: with swap, reclaim splits the THPs
		 * and 6.12 maps their zero-filled subpages (the module never
		 * writes data) to the shared zero page instead of swapping
		 * them (thp_split_page above). Then every page must have been
		 * satisfied.
		 */
		if (res.ret == 0) {
			assert_int_equal(res.verdict, HMM_BENCH_VERDICT_PASS);
			assert_true(res.pages_valid == res.npages);
			assert_true(res.pages_write == res.npages);
			assert_true(res.npages == len / PAGE);
		} else if (res.ret != -EFAULT && res.ret != -ENOMEM &&
			   res.ret != -EBUSY) {
			fail_msg("the request ended with %d (%s), want -EFAULT, "
				 "-ENOMEM, -EBUSY, success or the OOM killer",
				 res.ret, strerror(-res.ret));
		}
	}

	/* The guest is healthy: the module works, the memory came back. */
	health_check();
	settle();
	assert_int_equal(read_meminfo(&after), 0);
	printf("# pressure %d: afterwards MemAvailable+pcp %lld MiB (at start "
	       "%lld MiB), swap free %lld of %lld MiB\n", index,
	       (after.avail + after.pcp) / 1024,
	       (baseline.avail + baseline.pcp) / 1024, after.swap_free / 1024,
	       after.swap_total / 1024);
	fflush(stdout);
	/*
	 * Swap-cache and page-cache shifts after an OOM kill are a few MiB;
	 * what a leak of the range would keep is gigabytes.
	 */
	assert_true(after.avail + after.pcp >=
		    baseline.avail + baseline.pcp - 64 * 1024);
}

static void test_pressure_default_512(void **unused)
{
	(void)unused;
	run_attempt(0);
}

static void test_pressure_prefill_thp(void **unused)
{
	(void)unused;
	run_attempt(1);
}

static void test_pressure_whole_range(void **unused)
{
	(void)unused;
	run_attempt(2);
}

static void test_healthy_at_end(void **unused)
{
	(void)unused;
	health_check();
}

static int setup(void **unused)
{
	char msg[256];

	(void)unused;
	if (hb_device_open(&dev, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	/* The test itself must survive the OOM killer. */
	write_file("/proc/self/oom_score_adj", "-1000");
	atexit(restore_console);
	settle();
	return read_meminfo(&baseline);
}

static int teardown(void **unused)
{
	(void)unused;
	restore_console();
	hb_device_close(&dev);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pressure_default_512),
		cmocka_unit_test(test_pressure_prefill_thp),
		cmocka_unit_test(test_pressure_whole_range),
		cmocka_unit_test(test_healthy_at_end),
	};

	return cmocka_run_group_tests_name("pressure", tests, setup, teardown);
}
