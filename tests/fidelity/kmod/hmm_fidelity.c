// SPDX-License-Identifier: GPL-2.0
/*
 * hmm_fidelity: a second, minimal timing of hmm_range_fault() snapshots.
 *
 * One ioctl makes N calls over one user range back to back, as a driver
 * that mirrors the same range again and again, each with the retry
 * protocol of Documentation/mm/hmm.rst, and times each with
 * ktime_get_ns(). It shares no code with hmm_bench.ko on purpose: it is
 * the reference that hmmbench's ratios are checked against
 * (tests/fidelity/README.md).
 */
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/hmm.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hmm_fidelity.h"

/* The driver side of a mirror: its notifier and its page table lock. */
struct fid_mirror {
	struct mmu_interval_notifier notifier;
	struct mutex lock;	/* held to check the sequence, and to update */
};

static bool fid_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct fid_mirror *m = container_of(mni, struct fid_mirror, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&m->lock);
	else if (!mutex_trylock(&m->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&m->lock);
	return true;
}

static const struct mmu_interval_notifier_ops fid_notifier_ops = {
	.invalidate = fid_invalidate,
};

/* What a pre-5.2 driver does before each call: a request in every entry. */
static void fid_prefill(unsigned long *pfns, unsigned long n,
			unsigned long request)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		pfns[i] = request;
}

/*
 * One snapshot of @range: fill (prefill only), read_begin, the call under
 * the mmap read lock, then the sequence check under the mirror's lock,
 * where a driver would program its page table. Retried on -EBUSY or a
 * changed sequence until HMM_RANGE_DEFAULT_TIMEOUT, as the document says.
 */
static int fid_snapshot(struct fid_mirror *m, struct mm_struct *mm,
			struct hmm_range *range, unsigned long npages,
			bool prefill, u64 *fill_ns, u64 *retries)
{
	unsigned long timeout = jiffies +
				msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	u64 t0;
	int ret;

	for (;;) {
		if (prefill) {
			t0 = ktime_get_ns();
			fid_prefill(range->hmm_pfns, npages, 0);
			*fill_ns += ktime_get_ns() - t0;
		}
		range->notifier_seq = mmu_interval_read_begin(&m->notifier);
		if (mmap_read_lock_killable(mm))
			return -EINTR;
		ret = hmm_range_fault(range);
		mmap_read_unlock(mm);
		if (!ret) {
			mutex_lock(&m->lock);
			if (!mmu_interval_read_retry(&m->notifier,
						     range->notifier_seq)) {
				mutex_unlock(&m->lock);
				return 0;
			}
			mutex_unlock(&m->lock);
		} else if (ret != -EBUSY) {
			return ret;
		}
		(*retries)++;
		if (time_after(jiffies, timeout))
			return -EBUSY;
	}
}

/* Counts of the last call's entries, outside every timed region. */
static void fid_count(struct hmm_fidelity_run *run, const unsigned long *pfns,
		      unsigned long npages)
{
	unsigned long i;

	run->valid = 0;
	run->pmd = 0;
	run->errors = 0;
	for (i = 0; i < npages; i++) {
		if (pfns[i] & HMM_PFN_ERROR)
			run->errors++;
		if (!(pfns[i] & HMM_PFN_VALID))
			continue;
		run->valid++;
		if (hmm_pfn_to_map_order(pfns[i]) == PMD_SHIFT - PAGE_SHIFT)
			run->pmd++;
	}
}

static int fid_check(const struct hmm_fidelity_run *run)
{
	if (run->flags & ~HMM_FIDELITY_ALL)
		return -EINVAL;
	if (!run->calls || run->calls > HMM_FIDELITY_MAX_CALLS)
		return -EINVAL;
	if (!run->len || !PAGE_ALIGNED(run->addr) || !PAGE_ALIGNED(run->len))
		return -EINVAL;
	if (run->len >> PAGE_SHIFT > HMM_FIDELITY_MAX_PAGES)
		return -E2BIG;
	if (run->addr > TASK_SIZE || run->len > TASK_SIZE - run->addr)
		return -EINVAL;
	return 0;
}

/*
 * The timed calls, their times into @times and their fills' into @fills.
 * The pfn array is one for all calls or, with FRESH, one per call.
 */
static int fid_calls(struct hmm_fidelity_run *run, struct fid_mirror *m,
		     struct mm_struct *mm, u64 *times, u64 *fills)
{
	unsigned long npages = run->len >> PAGE_SHIFT;
	bool fresh = run->flags & HMM_FIDELITY_FRESH;
	struct hmm_range range = {
		.notifier = &m->notifier,
		.start = run->addr,
		.end = run->addr + run->len,
		/* prefill: the entries carry the request; default: none */
		.pfn_flags_mask = run->flags & HMM_FIDELITY_PREFILL ? ~0UL : 0,
	};
	unsigned long *pfns = NULL;
	u32 i;
	u64 t0;
	int ret = 0;

	for (i = 0; i < run->calls && !ret; i++) {
		if (!pfns || fresh) {
			kvfree(pfns);
			pfns = kvcalloc(npages, sizeof(*pfns), GFP_KERNEL);
			if (!pfns)
				return -ENOMEM;
		}
		range.hmm_pfns = pfns;
		t0 = ktime_get_ns();
		ret = fid_snapshot(m, mm, &range, npages,
				   run->flags & HMM_FIDELITY_PREFILL, &fills[i],
				   &run->retries);
		times[i] = ktime_get_ns() - t0;
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret)
		fid_count(run, pfns, npages);
	kvfree(pfns);
	return ret;
}

static long fid_run(struct hmm_fidelity_run __user *arg)
{
	struct hmm_fidelity_run run;
	struct fid_mirror m;
	struct mm_struct *mm;
	u64 *times;
	int ret;

	if (copy_from_user(&run, arg, sizeof(run)))
		return -EFAULT;
	ret = fid_check(&run);
	if (ret)
		return ret;
	run.retries = 0;

	mm = current->mm;
	if (!mm || !mmget_not_zero(mm))
		return -ESRCH;
	ret = -ENOMEM;
	/* Each call's time, then each call's fill. */
	times = kvcalloc(2 * run.calls, sizeof(*times), GFP_KERNEL);
	if (!times)
		goto out_mmput;
	mutex_init(&m.lock);
	ret = mmu_interval_notifier_insert(&m.notifier, mm, run.addr,
					   run.len, &fid_notifier_ops);
	if (ret)
		goto out_free;
	ret = fid_calls(&run, &m, mm, times, times + run.calls);
	mmu_interval_notifier_remove(&m.notifier);
	if (ret)
		goto out_free;
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(run.times_ptr), times,
			 run.calls * sizeof(*times)) ||
	    copy_to_user(u64_to_user_ptr(run.fills_ptr), times + run.calls,
			 run.calls * sizeof(*times)) ||
	    copy_to_user(arg, &run, sizeof(run)))
		goto out_free;
	ret = 0;
out_free:
	mutex_destroy(&m.lock);
	kvfree(times);
out_mmput:
	mmput(mm);
	return ret;
}

static long fid_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd != HMM_FIDELITY_IOC_RUN)
		return -ENOTTY;
	return fid_run((struct hmm_fidelity_run __user *)arg);
}

static const struct file_operations fid_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = fid_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice fid_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hmm_fidelity",
	.fops = &fid_fops,
};

module_misc_device(fid_misc);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A minimal timing of back-to-back hmm_range_fault() snapshots");
MODULE_AUTHOR("hmmbench developers");
