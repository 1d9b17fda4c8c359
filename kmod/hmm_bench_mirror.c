// SPDX-License-Identifier: GPL-2.0
/*
 * hmm_bench mirror: the mmu interval notifier that makes hmm_range_fault()
 * results trustworthy. The invalidate callback bumps the sequence under the
 * mirror lock; the fault path re-checks the sequence under the same lock
 * before it believes the pfns (the protocol of Documentation/mm/hmm.rst).
 */
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "hmm_bench_priv.h"

static bool hmm_bench_invalidate(struct mmu_interval_notifier *mni,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct hmm_bench_mirror *mirror =
		container_of(mni, struct hmm_bench_mirror, notifier);

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&mirror->lock);
	else if (!mutex_trylock(&mirror->lock))
		return false;

	/*
	 * The faulting task's own faults invalidate too, when they copy the
	 * zero page or a page shared after fork(); reclaim and compaction
	 * that the task runs (PF_MEMALLOC) are not its faults.
	 */
	if (READ_ONCE(mirror->faulter) != current ||
	    (current->flags & PF_MEMALLOC))
		mirror->foreign++;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&mirror->lock);
	return true;
}

static const struct mmu_interval_notifier_ops hmm_bench_mirror_ops = {
	.invalidate = hmm_bench_invalidate,
};

/*
 * Must be called without the mmap lock held and with a reference on @mm:
 * the first notifier of an mm registers with mmap_write_lock taken.
 */
int hmm_bench_mirror_init(struct hmm_bench_mirror *mirror,
			  struct mm_struct *mm, unsigned long start,
			  unsigned long length)
{
	int ret;

	mutex_init(&mirror->lock);
	mirror->faulter = NULL;
	mirror->foreign = 0;
	ret = mmu_interval_notifier_insert(&mirror->notifier, mm, start,
					   length, &hmm_bench_mirror_ops);
	if (ret)
		mutex_destroy(&mirror->lock);
	return ret;
}

void hmm_bench_mirror_fini(struct hmm_bench_mirror *mirror)
{
	mmu_interval_notifier_remove(&mirror->notifier);
	mutex_destroy(&mirror->lock);
}
