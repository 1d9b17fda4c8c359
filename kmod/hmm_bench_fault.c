// SPDX-License-Identifier: GPL-2.0
/*
 * hmm_bench timed fault path: prepare the pfn array the way the chosen
 * driver style does, call hmm_range_fault() chunk by chunk under the
 * documented retry protocol, time it with ktime_get_ns(), and verify every
 * entry against the request outside the timed region.
 */
#include <linux/hmm.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_notifier.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hmm_bench_priv.h"

/* State of one HMM_BENCH_IOC_FAULT call. */
struct hmm_bench_run {
	struct hmm_bench_fault *req;	/* request in, counters out */
	const struct hmm_bench_limits *limits;
	struct mm_struct *mm;
	struct hmm_bench_mirror mirror;
	unsigned long *pfns;		/* one chunk, reused */
	unsigned long npages;
	unsigned long window;		/* pages per chunk */
	unsigned long want;		/* request for every page */
	unsigned long want_subset;	/* request for mixed-subset pages */
	u64 *hist;
	bool calibrate;
};

/* Request bits that every page, or every mixed-subset page, must satisfy. */
static void hmm_bench_set_wants(struct hmm_bench_run *run)
{
	const struct hmm_bench_fault *req = run->req;
	unsigned long access = req->access == HMM_BENCH_ACCESS_WRITE ?
			       HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE :
			       HMM_PFN_REQ_FAULT;

	switch (req->request) {
	case HMM_BENCH_REQ_FAULT:
		run->want = access;
		run->want_subset = access;
		break;
	case HMM_BENCH_REQ_MIXED:
		run->want = HMM_PFN_REQ_FAULT;
		run->want_subset = access;
		break;
	default:
		run->want = 0;
		run->want_subset = 0;
		break;
	}
}

/* How the driver hands its request to hmm_range_fault(). */
static void hmm_bench_set_flags(const struct hmm_bench_run *run,
				struct hmm_range *range)
{
	const struct hmm_bench_fault *req = run->req;

	if (req->style == HMM_BENCH_STYLE_PREFILL) {
		/* Before 5.2 every entry carried its own request. */
		range->default_flags = 0;
		range->pfn_flags_mask = ~0UL;
		return;
	}
	switch (req->request) {
	case HMM_BENCH_REQ_FAULT:
		range->default_flags = run->want;
		range->pfn_flags_mask = 0;
		break;
	case HMM_BENCH_REQ_MIXED:
		/* Documentation/mm/hmm.rst: read all, per-entry write bit. */
		range->default_flags = HMM_PFN_REQ_FAULT;
		range->pfn_flags_mask = HMM_PFN_REQ_WRITE;
		break;
	default:
		range->default_flags = 0;
		range->pfn_flags_mask = 0;
		break;
	}
}

static bool hmm_bench_in_subset(const struct hmm_bench_run *run,
				unsigned long index)
{
	return run->req->request == HMM_BENCH_REQ_MIXED &&
	       index % run->req->mixed_stride == 0;
}

/*
 * Prepare entries [0, n) for pages [first, first + n). This is the cost the
 * request style puts on the driver, so it runs inside the timed region, and
 * again before every retry: an -EBUSY leaves output bits in the array, and
 * an output WRITE bit reads as REQ_WRITE. One code for both styles, so that
 * fill_ns differs by what each style must write, not by how: every entry
 * gets the base value, then every stride-th the subset's. PREFILL writes
 * its whole request; DEFAULT writes only what the mask lets through (the
 * WRITE bit of a mixed request), and nothing for the others.
 */
static void hmm_bench_fill(const struct hmm_bench_run *run,
			   unsigned long first, unsigned long n)
{
	const struct hmm_bench_fault *req = run->req;
	bool prefill = req->style == HMM_BENCH_STYLE_PREFILL;
	bool mixed = req->request == HMM_BENCH_REQ_MIXED;
	unsigned long stride = req->mixed_stride;
	unsigned long *pfns = run->pfns;
	unsigned long base, subset, i;

	if (!prefill && !mixed)
		return;	/* default_flags alone carries the request */
	base = prefill ? run->want : 0;
	subset = prefill ? run->want_subset : HMM_PFN_REQ_WRITE;
	memset_l(pfns, base, n);
	if (!mixed)
		return;
	for (i = (stride - first % stride) % stride; i < n; i += stride)
		pfns[i] = subset;
}

/* Count entries [0, n) for pages [first, first + n). Not in total_ns. */
static void hmm_bench_verify(struct hmm_bench_run *run, unsigned long first,
			     unsigned long n)
{
	struct hmm_bench_fault *req = run->req;
	unsigned int pmd_order = PMD_SHIFT - PAGE_SHIFT;
	unsigned long i, entry, want;
	bool bad;

	for (i = 0; i < n; i++) {
		entry = run->pfns[i];
		want = hmm_bench_in_subset(run, first + i) ?
		       run->want_subset : run->want;
		bad = entry & HMM_PFN_ERROR;
		if (entry & HMM_PFN_VALID) {
			req->pages_valid++;
			if (hmm_pfn_to_map_order(entry) == pmd_order)
				req->pages_pmd++;
			if (!pfn_valid(entry & ~HMM_PFN_FLAGS))
				bad = true;
		} else if (want & HMM_PFN_REQ_FAULT) {
			bad = true;
		}
		if (entry & HMM_PFN_WRITE)
			req->pages_write++;
		else if (want & HMM_PFN_REQ_WRITE)
			bad = true;
		if (entry & HMM_PFN_ERROR)
			req->pages_error++;
		if (bad) {
			if (!req->pages_bad)
				req->first_bad = first + i;
			req->pages_bad++;
		}
	}
}

static void hmm_bench_hist_add(struct hmm_bench_run *run, u64 ns)
{
	unsigned int bucket = ns > 1 ? ilog2(ns) : 0;

	if (run->hist)
		run->hist[min(bucket, run->req->hist_buckets - 1)]++;
}

/* PMDs that [start, end) spans: its walk spans, within one VMA. */
static unsigned long hmm_bench_pmds(unsigned long start, unsigned long end)
{
	return (ALIGN(end, PMD_SIZE) - ALIGN_DOWN(start, PMD_SIZE)) >> PMD_SHIFT;
}

/*
 * Invalidations since @foreign (a count read before the try) all came from
 * the call's own faults? Read under the lock the callback counts under.
 */
static bool hmm_bench_own_restart(struct hmm_bench_mirror *mirror,
				  unsigned long foreign)
{
	bool own;

	mutex_lock(&mirror->lock);
	own = mirror->foreign == foreign;
	mutex_unlock(&mirror->lock);
	return own;
}

/*
 * Another counted retry, after an -EBUSY or a sequence change that the
 * call's own faults did not cause? @tries counts them so far, this one
 * included; *@since is when the first was made. Bounded by max_retries
 * (0: none) and by busy_timeout_ns from the first counted retry, which is
 * always allowed since one try can last as long as the whole chunk; as
 * drivers bound their retries (HMM_RANGE_DEFAULT_TIMEOUT): without a time
 * bound, a range invalidated every X ms keeps the caller for retries * X
 * ms.
 */
static bool hmm_bench_may_retry(const struct hmm_bench_run *run, u64 tries,
				u64 *since)
{
	u64 now = ktime_get_ns();

	if (tries > run->limits->max_retries)
		return false;
	if (tries == 1)
		*since = now;
	return now - *since <= run->limits->busy_timeout_ns;
}

/*
 * Let others run before a retry, as between chunks; the wait is not the
 * request's cost, so the caller keeps it out of total_ns.
 */
static u64 hmm_bench_yield(void)
{
	u64 t = ktime_get_ns();

	cond_resched();
	return ktime_get_ns() - t;
}

/*
 * Fault pages [first, first + n) with the retry loop of
 * Documentation/mm/hmm.rst. Fill and fault are timed, and total_ns runs
 * from the first fill to the successful sequence check; the mirror lock is
 * held while the pfns are checked, as a driver would hold it while
 * programming its page table, and that check is timed apart (verify_ns).
 *
 * A write that copies pages (the zero page, pages shared after fork())
 * invalidates the range itself, and hmm_range_fault() returns -EBUSY after
 * each walk span it faulted: the chunk restarts once per PMD it spans, and
 * makes progress each time. Those restarts, up to one per PMD, are the
 * protocol's cost, not contention: the retry budget counts only the others.
 */
static int hmm_bench_chunk(struct hmm_bench_run *run, unsigned long first,
			   unsigned long n)
{
	struct hmm_bench_fault *req = run->req;
	struct hmm_range range = {
		.notifier = &run->mirror.notifier,
		.start = req->addr + (first << PAGE_SHIFT),
		.end = req->addr + ((first + n) << PAGE_SHIFT),
		.hmm_pfns = run->pfns,
	};
	unsigned long pmds = hmm_bench_pmds(range.start, range.end), foreign;
	u64 begin, t0, t1, t2, end = 0, fault_ns = 0, yielded = 0;
	u64 own = 0, counted = 0, since = 0;
	int ret;

	hmm_bench_set_flags(run, &range);
	begin = ktime_get_ns();
	for (;;) {
		if (fatal_signal_pending(current))
			return -EINTR;
		t0 = ktime_get_ns();
		hmm_bench_fill(run, first, n);
		t1 = ktime_get_ns();
		foreign = READ_ONCE(run->mirror.foreign);
		range.notifier_seq = mmu_interval_read_begin(range.notifier);
		if (mmap_read_lock_killable(run->mm))
			return -EINTR;
		WRITE_ONCE(run->mirror.faulter, current);
		ret = run->calibrate ? 0 : hmm_range_fault(&range);
		WRITE_ONCE(run->mirror.faulter, NULL);
		mmap_read_unlock(run->mm);
		t2 = ktime_get_ns();
		req->fill_ns += t1 - t0;
		fault_ns += t2 - t1;
		if (!run->calibrate)
			req->calls++;
		if (ret == -EBUSY) {
			req->ebusy_retries++;
			if (own < pmds &&
			    hmm_bench_own_restart(&run->mirror, foreign))
				own++;
			else if (!hmm_bench_may_retry(run, ++counted, &since))
				return -EBUSY;
			yielded += hmm_bench_yield();
			continue;
		}
		if (ret)
			return ret;

		mutex_lock(&run->mirror.lock);
		if (mmu_interval_read_retry(range.notifier,
					    range.notifier_seq)) {
			mutex_unlock(&run->mirror.lock);
			req->seq_retries++;
			if (!hmm_bench_may_retry(run, ++counted, &since))
				return -EBUSY;
			yielded += hmm_bench_yield();
			continue;
		}
		end = ktime_get_ns();
		if (!run->calibrate) {
			hmm_bench_verify(run, first, n);
			req->verify_ns += ktime_get_ns() - end;
		}
		mutex_unlock(&run->mirror.lock);
		break;
	}
	req->own_restarts += own;
	req->fault_ns += fault_ns;
	req->total_ns += end - begin - yielded;
	hmm_bench_hist_add(run, fault_ns);
	return 0;
}

/*
 * hmm_range_fault() never reschedules nor checks signals itself, so the
 * range goes in chunks with both between them.
 */
static int hmm_bench_chunks(struct hmm_bench_run *run)
{
	unsigned long first, n;
	int ret;

	for (first = 0; first < run->npages; first += n) {
		n = min(run->window, run->npages - first);
		ret = hmm_bench_chunk(run, first, n);
		if (ret)
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* -ENOMEM, like mincore(), unless VMAs cover all of [start, end). */
static int hmm_bench_check_mapped(struct mm_struct *mm, unsigned long start,
				  unsigned long end)
{
	struct vm_area_struct *vma;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	while (start < end) {
		vma = find_vma(mm, start);
		if (!vma || vma->vm_start > start) {
			ret = -ENOMEM;
			break;
		}
		start = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

static void hmm_bench_clear_outputs(struct hmm_bench_fault *req)
{
	req->fill_ns = 0;
	req->fault_ns = 0;
	req->total_ns = 0;
	req->calls = 0;
	req->ebusy_retries = 0;
	req->seq_retries = 0;
	req->pages_valid = 0;
	req->pages_write = 0;
	req->pages_error = 0;
	req->pages_pmd = 0;
	req->pages_bad = 0;
	req->first_bad = ~0ULL;
	req->verdict = 0;
	req->subset_pages = 0;
	req->verify_ns = 0;
	req->own_restarts = 0;
}

/* Pages the request asks to be writable (the kernel may write-fault more). */
static u64 hmm_bench_subset_pages(const struct hmm_bench_fault *req,
				  unsigned long npages)
{
	switch (req->request) {
	case HMM_BENCH_REQ_FAULT:
		return req->access == HMM_BENCH_ACCESS_WRITE ? npages : 0;
	case HMM_BENCH_REQ_MIXED:
		return DIV_ROUND_UP(npages, req->mixed_stride);
	default:
		return 0;
	}
}

/*
 * Run one validated request on current->mm. Setup (allocation, notifier,
 * mapping check) and teardown are outside the timed region on purpose.
 */
int hmm_bench_fault_run(struct hmm_bench_fault *req,
			const struct hmm_bench_limits *limits)
{
	void __user *uhist = u64_to_user_ptr(req->hist_ptr);
	size_t hist_bytes = req->hist_buckets * sizeof(u64);
	struct hmm_bench_run *run;
	int ret;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	run->req = req;
	run->limits = limits;
	run->npages = req->len >> PAGE_SHIFT;
	run->window = req->window ? min_t(unsigned long, req->window,
					  run->npages) : run->npages;
	run->calibrate = req->flags & HMM_BENCH_F_CALIBRATE;
	hmm_bench_set_wants(run);
	hmm_bench_clear_outputs(req);
	req->npages = run->npages;
	req->subset_pages = hmm_bench_subset_pages(req, run->npages);

	ret = -ESRCH;
	run->mm = current->mm;
	if (!run->mm || !mmget_not_zero(run->mm))
		goto out_free_run;

	ret = hmm_bench_check_mapped(run->mm, req->addr, req->addr + req->len);
	if (ret)
		goto out_mmput;

	/*
	 * Userspace sizes these: under memory pressure a failure is an
	 * -ENOMEM for the caller, not a warning with a stack in the log;
	 * and the caller's memory cgroup pays for them.
	 */
	ret = -ENOMEM;
	run->pfns = kvcalloc(run->window, sizeof(*run->pfns),
			     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!run->pfns)
		goto out_mmput;

	if (req->hist_buckets) {
		run->hist = kcalloc(req->hist_buckets, sizeof(u64),
				    GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!run->hist)
			goto out_free_pfns;
		/* Fail a bad pointer before the work, not after it. */
		ret = -EFAULT;
		if (clear_user(uhist, hist_bytes))
			goto out_free_hist;
	}

	ret = hmm_bench_mirror_init(&run->mirror, run->mm, req->addr,
				    req->len);
	if (ret)
		goto out_free_hist;

	ret = hmm_bench_chunks(run);

	hmm_bench_mirror_fini(&run->mirror);
	if (ret)
		goto out_free_hist;

	if (run->hist && copy_to_user(uhist, run->hist, hist_bytes)) {
		ret = -EFAULT;
		goto out_free_hist;
	}
	if (run->calibrate)
		req->verdict = HMM_BENCH_VERDICT_UNCHECKED;
	else if (req->pages_bad)
		req->verdict = HMM_BENCH_VERDICT_FAIL;
	else
		req->verdict = HMM_BENCH_VERDICT_PASS;

out_free_hist:
	kfree(run->hist);
out_free_pfns:
	kvfree(run->pfns);
out_mmput:
	mmput(run->mm);
out_free_run:
	kfree(run);
	return ret;
}
