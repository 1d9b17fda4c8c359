// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input: every malformed request gets its specific errno, and a
 * fatal signal stops a long call. Runs inside the QEMU guest as root; the
 * VM runner fails the run if the kernel logged a WARN, BUG or oops.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "measure/device.h"
#include "measure/page_state.h"
#include "guest_util.h"

#define PAGE		4096UL
#define LEN		(64 * PAGE)
#define HIST_MAX	64	/* the module's ceiling on max_hist_buckets */

static struct hb_device dev;
static uint8_t *buf;		/* LEN bytes, mapped read-write */

static int setup(void **unused)
{
	char msg[256];

	(void)unused;
	if (hb_device_open(&dev, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	buf = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return buf == MAP_FAILED ? -1 : 0;
}

static int teardown(void **unused)
{
	(void)unused;
	munmap(buf, LEN);
	hb_device_close(&dev);
	return 0;
}

/* A valid read request on buf, to be broken one field at a time. */
static void good(struct hmm_bench_fault *req)
{
	hb_fault_init(req, buf, LEN, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ, 0);
}

static int fault(struct hmm_bench_fault *req)
{
	return hb_device_fault(dev.fd, req);
}

static void test_good_request_passes(void **unused)
{
	struct hmm_bench_fault req;

	(void)unused;
	good(&req);
	assert_int_equal(fault(&req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
}

static void test_zero_length(void **unused)
{
	struct hmm_bench_fault req;

	(void)unused;
	good(&req);
	req.len = 0;
	assert_int_equal(fault(&req), -EINVAL);
}

static void test_unaligned(void **unused)
{
	struct hmm_bench_fault req;

	(void)unused;
	good(&req);
	req.addr += 8;
	assert_int_equal(fault(&req), -EINVAL);
	good(&req);
	req.len -= 8;
	assert_int_equal(fault(&req), -EINVAL);
}

static void test_wrapping_range(void **unused)
{
	struct hmm_bench_fault req;

	(void)unused;
	good(&req);
	req.addr = UINT64_MAX & ~(PAGE - 1);
	req.len = 2 * PAGE;
	assert_int_equal(fault(&req), -EOVERFLOW);
}

static void test_beyond_user_space(void **unused)
{
	struct hmm_bench_fault req;

	(void)unused;
	/* Past TASK_SIZE with 4- and with 5-level paging (QEMU -cpu max). */
	good(&req);
	req.addr = 1ULL << 56;
	req.len = PAGE;
	assert_int_equal(fault(&req), -ERANGE);
	good(&req);
	req.addr = (1ULL << 56) - PAGE;
	req.len = 2 * PAGE;
	assert_int_equal(fault(&req), -ERANGE);
	good(&req);
	req.addr = 0xffff800000000000ULL;	/* kernel space */
	assert_int_equal(fault(&req), -ERANGE);
}

static void test_not_mapped(void **unused)
{
	struct hmm_bench_fault req;
	uint8_t *hole;

	(void)unused;
	hole = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(hole != MAP_FAILED);
	assert_int_equal(munmap(hole + PAGE, PAGE), 0);
	good(&req);
	req.addr = (uintptr_t)hole;
	req.len = 3 * PAGE;		/* a hole in the middle */
	assert_int_equal(fault(&req), -ENOMEM);
	req.addr = (uintptr_t)hole + PAGE;
	req.len = PAGE;			/* nothing mapped at all */
	assert_int_equal(fault(&req), -ENOMEM);
	req.style = HMM_BENCH_STYLE_PREFILL;
	req.request = HMM_BENCH_REQ_SNAPSHOT;
	req.access = HMM_BENCH_ACCESS_NONE;
	assert_int_equal(fault(&req), -ENOMEM);
	munmap(hole, PAGE);
	munmap(hole + 2 * PAGE, PAGE);
}

/*
 * Each limit on its own: one page over it is E2BIG, at it the request gets
 * past every limit (to ENOMEM over the unmapped low addresses, or to a
 * pass on buf), so the E2BIG can only have come from that limit.
 */
static void test_over_module_limits(void **unused)
{
	const uint64_t low = 1ULL << 30;	/* unmapped, inside user space */
	uint64_t hist[HIST_MAX];
	struct hmm_bench_fault req;

	(void)unused;
	/* max_range_bytes: a window keeps max_whole_pages out of it. */
	assert_true(low + dev.info.max_range_bytes + PAGE < (1ULL << 47));
	good(&req);
	req.addr = low;
	req.window = 512;
	req.len = dev.info.max_range_bytes + PAGE;
	assert_int_equal(fault(&req), -E2BIG);
	good(&req);
	req.addr = low;
	req.window = 512;
	req.len = dev.info.max_range_bytes;
	assert_int_equal(fault(&req), -ENOMEM);

	/* max_whole_pages: window 0 only. */
	good(&req);
	req.addr = low;
	req.len = (dev.info.max_whole_pages + 1) * PAGE;
	req.window = 0;
	assert_int_equal(fault(&req), -E2BIG);
	req.window = 512;
	assert_int_equal(fault(&req), -ENOMEM);
	req.window = 0;
	req.len = dev.info.max_whole_pages * PAGE;
	assert_int_equal(fault(&req), -ENOMEM);

	/* max_window_pages: a window larger than the range is fine. */
	good(&req);
	req.window = (uint32_t)dev.info.max_window_pages + 1;
	assert_int_equal(fault(&req), -E2BIG);
	req.window = (uint32_t)dev.info.max_window_pages;
	assert_int_equal(fault(&req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
	assert_int_equal(req.calls, 1 + req.ebusy_retries + req.seq_retries);

	/* max_hist_buckets. */
	assert_true(dev.info.max_hist_buckets <= HIST_MAX);
	good(&req);
	req.hist_buckets = dev.info.max_hist_buckets + 1;
	req.hist_ptr = (uintptr_t)hist;
	assert_int_equal(fault(&req), -E2BIG);
	req.hist_buckets = dev.info.max_hist_buckets;
	assert_int_equal(fault(&req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
}

static void test_unknown_flags(void **unused)
{
	struct hmm_bench_fault req;
	unsigned int bit;

	(void)unused;
	for (bit = 1; bit < 32; bit++) {
		good(&req);
		req.flags = 1U << bit;
		assert_int_equal(fault(&req), -EINVAL);
	}
}

static void test_bad_enums(void **unused)
{
	static const uint32_t bad_styles[] = { 0, 3, UINT32_MAX };
	static const uint32_t bad_requests[] = { 0, 4, UINT32_MAX };
	struct hmm_bench_fault req;
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(bad_styles) / sizeof(bad_styles[0]); i++) {
		good(&req);
		req.style = bad_styles[i];
		assert_int_equal(fault(&req), -EINVAL);
		good(&req);
		req.request = bad_requests[i];
		assert_int_equal(fault(&req), -EINVAL);
	}
	good(&req);
	req.access = HMM_BENCH_ACCESS_NONE;	/* a fault needs an access */
	assert_int_equal(fault(&req), -EINVAL);
	good(&req);
	req.access = 3;
	assert_int_equal(fault(&req), -EINVAL);
	good(&req);
	req.request = HMM_BENCH_REQ_SNAPSHOT;	/* a snapshot has none */
	assert_int_equal(fault(&req), -EINVAL);
	good(&req);
	req.request = HMM_BENCH_REQ_MIXED;
	req.access = HMM_BENCH_ACCESS_WRITE;	/* no stride */
	assert_int_equal(fault(&req), -EINVAL);
	req.access = HMM_BENCH_ACCESS_READ;
	req.mixed_stride = 2;			/* mixed writes a subset */
	assert_int_equal(fault(&req), -EINVAL);
	good(&req);
	req.mixed_stride = 2;			/* stride outside mixed */
	assert_int_equal(fault(&req), -EINVAL);
}

static void test_reserved_fields(void **unused)
{
	struct hmm_bench_info info;
	struct hmm_bench_fault req;
	size_t i;

	(void)unused;
	good(&req);
	req.reserved_in = 1;
	assert_int_equal(fault(&req), -EINVAL);
	good(&req);
	req.reserved_out0 = 1;
	assert_int_equal(fault(&req), -EINVAL);
	for (i = 0; i < sizeof(req.reserved) / sizeof(req.reserved[0]); i++) {
		good(&req);
		req.reserved[i] = 1ULL << 63;
		assert_int_equal(fault(&req), -EINVAL);
	}
	/*
	 * Fields that were reserved and became outputs are ignored on input
	 * (a client reusing a struct keeps working) and rewritten.
	 */
	good(&req);
	req.subset_pages = UINT64_MAX;
	req.verify_ns = UINT64_MAX;
	req.own_restarts = UINT64_MAX;
	assert_int_equal(fault(&req), 0);
	assert_int_equal(req.subset_pages, 0);
	assert_true(req.verify_ns < UINT64_MAX);
	assert_int_equal(req.own_restarts, 0);
	for (i = 0; i < sizeof(info.reserved) / sizeof(info.reserved[0]) + 2;
	     i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (i == 0)
			info.reserved0 = 1U << 31;
		else if (i == 1)
			info.reserved1 = 1;
		else
			info.reserved[i - 2] = 1ULL << 63;
		errno = 0;
		assert_int_equal(ioctl(dev.fd, HMM_BENCH_IOC_INFO, &info), -1);
		assert_int_equal(errno, EINVAL);
	}
	/* And with every reserved field clear it answers. */
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	assert_int_equal(ioctl(dev.fd, HMM_BENCH_IOC_INFO, &info), 0);
	assert_int_equal(info.abi_version, HMM_BENCH_ABI_VERSION);
}

static void test_abi_size_and_version(void **unused)
{
	struct hmm_bench_info info;
	struct hmm_bench_fault req;

	(void)unused;
	good(&req);
	req.size = sizeof(req) - 8;
	assert_int_equal(fault(&req), -EMSGSIZE);
	good(&req);
	req.size = 0;
	assert_int_equal(fault(&req), -EMSGSIZE);
	good(&req);
	req.abi_version = HMM_BENCH_ABI_VERSION + 1;
	assert_int_equal(fault(&req), -EPROTONOSUPPORT);
	good(&req);
	req.abi_version = 0;
	assert_int_equal(fault(&req), -EPROTONOSUPPORT);
	memset(&info, 0, sizeof(info));
	info.size = 8;
	assert_int_equal(ioctl(dev.fd, HMM_BENCH_IOC_INFO, &info), -1);
	assert_int_equal(errno, EMSGSIZE);
}

static void test_unknown_commands(void **unused)
{
	struct hmm_bench_fault req;

	(void)unused;
	good(&req);
	errno = 0;
	assert_int_equal(ioctl(dev.fd, _IOWR('H', 0xA7, struct hmm_bench_fault),
			       &req), -1);
	assert_int_equal(errno, ENOTTY);
	/* The right number with another size is another command. */
	assert_int_equal(ioctl(dev.fd, _IOWR('H', 0xA1, uint64_t), &req), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(dev.fd, _IO('H', 0xA0)), -1);
	assert_int_equal(errno, ENOTTY);
}

static void test_bad_struct_pointer(void **unused)
{
	struct hmm_bench_fault *ro;

	(void)unused;
	assert_int_equal(ioctl(dev.fd, HMM_BENCH_IOC_FAULT, (void *)8), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(ioctl(dev.fd, HMM_BENCH_IOC_INFO, (void *)-4096L), -1);
	assert_int_equal(errno, EFAULT);
	/* Readable but not writable: the results cannot be returned. */
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	good(ro);
	assert_int_equal(mprotect(ro, PAGE, PROT_READ), 0);
	assert_int_equal(ioctl(dev.fd, HMM_BENCH_IOC_FAULT, ro), -1);
	assert_int_equal(errno, EFAULT);
	munmap(ro, PAGE);
}

static void test_bad_histogram_pointer(void **unused)
{
	struct hmm_bench_fault req;
	uint64_t *ro;

	(void)unused;
	good(&req);
	req.hist_buckets = 8;
	req.hist_ptr = 8;
	assert_int_equal(fault(&req), -EFAULT);
	good(&req);
	req.hist_buckets = 8;
	req.hist_ptr = 0;
	assert_int_equal(fault(&req), -EFAULT);
	good(&req);
	req.hist_buckets = 0;
	req.hist_ptr = (uintptr_t)buf;
	assert_int_equal(fault(&req), -EINVAL);
	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	good(&req);
	req.hist_buckets = 8;
	req.hist_ptr = (uintptr_t)ro;
	assert_int_equal(fault(&req), -EFAULT);
	/* Crossing from a mapped page into nothing. */
	assert_int_equal(munmap(ro, PAGE), 0);
	ro = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	assert_int_equal(munmap((uint8_t *)ro + PAGE, PAGE), 0);
	good(&req);
	req.hist_buckets = 64;
	req.hist_ptr = (uintptr_t)ro + PAGE - 8;
	assert_int_equal(fault(&req), -EFAULT);
	munmap(ro, PAGE);
}

static void test_write_on_readonly_mapping(void **unused)
{
	struct hmm_bench_fault req;
	void *ro;

	(void)unused;
	ro = mmap(NULL, LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(ro != MAP_FAILED);
	hb_fault_init(&req, ro, LEN, HMM_BENCH_STYLE_PREFILL,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE, 16);
	assert_int_equal(fault(&req), -EPERM);
	hb_fault_init(&req, ro, LEN, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ, 16);
	assert_int_equal(fault(&req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_PASS);
	munmap(ro, LEN);
}

/* A PROT_NONE range cannot be read: the kernel refuses the fault. */
static void test_fault_on_prot_none(void **unused)
{
	struct hmm_bench_fault req;
	void *none;

	(void)unused;
	none = mmap(NULL, LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(none != MAP_FAILED);
	hb_fault_init(&req, none, LEN, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ, 0);
	assert_int_equal(fault(&req), -EFAULT);
	/* A snapshot of it succeeds and reports errors, not a pass. */
	hb_fault_init(&req, none, LEN, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_SNAPSHOT, HMM_BENCH_ACCESS_NONE, 0);
	assert_int_equal(fault(&req), 0);
	assert_int_equal(req.verdict, HMM_BENCH_VERDICT_FAIL);
	assert_int_equal(req.pages_error, LEN / PAGE);
	munmap(none, LEN);
}

/* Seconds for one uninterrupted read request over @len untouched bytes. */
static double time_read_request(size_t len)
{
	struct hmm_bench_fault req;
	double start, end;
	void *mem;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(mem != MAP_FAILED);
	madvise(mem, len, MADV_NOHUGEPAGE);
	hb_fault_init(&req, mem, len, HMM_BENCH_STYLE_DEFAULT,
		      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ, 512);
	start = now_s();
	assert_int_equal(fault(&req), 0);
	end = now_s();
	munmap(mem, len);
	return end - start;
}

/*
 * hmm_range_fault() never checks for signals, so the module must: a call
 * 32 times longer than a measured one, killed early, must die in a small
 * multiple of the short call's time rather than run to its end. Only
 * zero pages are mapped, so no memory is at stake.
 */
static void test_fatal_signal_stops_long_call(void **unused)
{
	const size_t unit = 1UL << 30, len = 32 * unit;
	struct hmm_bench_fault req;
	double unit_s, start, end;
	int pipefd[2], status;
	char byte;
	pid_t pid;
	void *big;

	(void)unused;
	unit_s = time_read_request(unit);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		big = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (big == MAP_FAILED)
			_exit(2);
		madvise(big, len, MADV_NOHUGEPAGE);
		hb_fault_init(&req, big, len, HMM_BENCH_STYLE_DEFAULT,
			      HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ, 512);
		if (write(pipefd[1], "s", 1) != 1)
			_exit(3);
		fault(&req);
		_exit(4);	/* ran to the end: the signal was ignored */
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &byte, 1), 1);
	close(pipefd[0]);
	usleep((useconds_t)(unit_s / 2 * 1e6) + 20000);
	start = now_s();
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	end = now_s();
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	/* A ratio to the same guest's own speed, not an absolute time. */
	if (end - start > 8 * unit_s + 0.5)
		fail_msg("took %.2f s to die; one 1 GiB call takes %.2f s",
			 end - start, unit_s);
}

/* .owner pins the module: it cannot go while a file is open on it. */
static void test_module_pinned_while_open(void **unused)
{
	long ret;

	(void)unused;
	errno = 0;
	ret = syscall(SYS_delete_module, "hmm_bench", O_NONBLOCK);
	assert_int_equal(ret, -1);
	assert_true(errno == EWOULDBLOCK || errno == EBUSY);
	/* And it still works afterwards. */
	test_good_request_passes(NULL);
}

struct worker {
	int id;
	int failures;
	char first[160];	/* what went wrong first */
};

/* Count a failure; keep the first one's description. */
static void worker_failed(struct worker *w, const char *what, int ret,
			  const struct hmm_bench_fault *req)
{
	if (!w->failures++)
		snprintf(w->first, sizeof(w->first),
			 "%s: %s, verdict %u, window %u, %u retries", what,
			 ret ? strerror(-ret) : "success", req->verdict,
			 req->window,
			 (unsigned int)(req->ebusy_retries + req->seq_retries));
}

/* Each thread builds its own states and checks every verdict. */
static void *worker_run(void *arg)
{
	static const char *const states[] = { "none", "present", "thp", "zero" };
	struct worker *w = arg;
	struct hmm_bench_fault req;
	struct hb_range range;
	const char *state;
	char err[256];
	int i, ret;

	for (i = 0; i < 24; i++) {
		state = states[(i + w->id) % 4];
		if (hb_range_build(&range, hb_state_find(state), 4UL << 20, -1,
				   err, sizeof(err))) {
			if (!w->failures++)
				snprintf(w->first, sizeof(w->first),
					 "building %s: %s", state, err);
			continue;
		}
		hb_fault_init(&req, range.addr, range.len,
			      i % 2 ? HMM_BENCH_STYLE_DEFAULT :
				      HMM_BENCH_STYLE_PREFILL,
			      HMM_BENCH_REQ_FAULT,
			      i % 3 ? HMM_BENCH_ACCESS_WRITE :
				      HMM_BENCH_ACCESS_READ,
			      (uint32_t)(i % 3) * 64);
		ret = fault(&req);
		if (ret || req.verdict != HMM_BENCH_VERDICT_PASS)
			worker_failed(w, state, ret, &req);
		/* Everyone also hammers the one shared buffer. */
		good(&req);
		req.window = 8;
		ret = fault(&req);
		if (ret || req.verdict != HMM_BENCH_VERDICT_PASS)
			worker_failed(w, "the shared buffer", ret, &req);
		hb_range_destroy(&range);
	}
	return NULL;
}

static int run_threads(int nthreads)
{
	pthread_t tid[8];
	struct worker w[8];
	int i, failures = 0;

	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .id = i };
		if (pthread_create(&tid[i], NULL, worker_run, &w[i]))
			return -1;
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		failures += w[i].failures;
		if (w[i].failures)
			printf("# pid %d thread %d: %d failures, first %s\n",
			       (int)getpid(), i, w[i].failures, w[i].first);
	}
	fflush(stdout);
	return failures;
}

#define NUMA_BALANCING "/proc/sys/kernel/numa_balancing"
static char numa_balancing[16];	/* to restore, or "" */

/*
 * NUMA balancing (on by default with two nodes) makes PTEs PROT_NONE from
 * every thread's scan: invalidations of the other threads' ranges, which
 * count against their retry budget and, on a loaded host, can end a call
 * with -EBUSY. This test is about callers at once, so it is off meanwhile.
 */
static int numa_balancing_off(void **unused)
{
	ssize_t got;
	int fd;

	(void)unused;
	fd = open(NUMA_BALANCING, O_RDONLY);
	if (fd < 0)
		return 0;
	got = read(fd, numa_balancing, sizeof(numa_balancing) - 1);
	close(fd);
	numa_balancing[got > 0 ? got : 0] = 0;
	write_file(NUMA_BALANCING, "0");
	return 0;
}

static int numa_balancing_restore(void **unused)
{
	(void)unused;
	if (numa_balancing[0])
		write_file(NUMA_BALANCING, numa_balancing);
	return 0;
}

static void test_concurrent_threads_and_processes(void **unused)
{
	pid_t pids[3];
	int i, status;

	(void)unused;
	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(run_threads(4) ? 1 : 0);
	}
	assert_int_equal(run_threads(4), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_request_passes),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_wrapping_range),
		cmocka_unit_test(test_beyond_user_space),
		cmocka_unit_test(test_not_mapped),
		cmocka_unit_test(test_over_module_limits),
		cmocka_unit_test(test_unknown_flags),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_reserved_fields),
		cmocka_unit_test(test_abi_size_and_version),
		cmocka_unit_test(test_unknown_commands),
		cmocka_unit_test(test_bad_struct_pointer),
		cmocka_unit_test(test_bad_histogram_pointer),
		cmocka_unit_test(test_write_on_readonly_mapping),
		cmocka_unit_test(test_fault_on_prot_none),
		cmocka_unit_test(test_fatal_signal_stops_long_call),
		cmocka_unit_test_setup_teardown(test_concurrent_threads_and_processes,
						numa_balancing_off,
						numa_balancing_restore),
		cmocka_unit_test(test_module_pinned_while_open),
	};

	return cmocka_run_group_tests_name("hostile", tests, setup, teardown);
}
