/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hmm_fidelity: the ioctl of a minimal second timing of hmm_range_fault().
 *
 * tests/fidelity/ uses it to check hmmbench against a timing that shares
 * none of its code: N snapshot calls of hmm_range_fault() over one user
 * range, back to back in one ioctl, each timed with ktime_get_ns().
 */
#ifndef _UAPI_HMM_FIDELITY_H
#define _UAPI_HMM_FIDELITY_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define HMM_FIDELITY_DEVICE	"/dev/hmm_fidelity"

/* struct hmm_fidelity_run.flags */
/* Every entry written before each call (pfn_flags_mask ~0), as before 5.2. */
#define HMM_FIDELITY_PREFILL	_BITUL(0)
/* A new pfn array for every call (kvcalloc, untimed), else one for all. */
#define HMM_FIDELITY_FRESH	_BITUL(1)
#define HMM_FIDELITY_ALL	(HMM_FIDELITY_PREFILL | HMM_FIDELITY_FRESH)

#define HMM_FIDELITY_MAX_CALLS	4096
#define HMM_FIDELITY_MAX_PAGES	262144	/* 1 GiB of 4 KiB pages */

/**
 * struct hmm_fidelity_run - @calls snapshots of [addr, addr + len)
 * @addr:	(in) page aligned start in the caller's address space
 * @len:	(in) page aligned length, at most HMM_FIDELITY_MAX_PAGES pages
 * @times_ptr:	(in) user pointer to __u64[@calls]; (out) there, the ns of
 *		each call: the array's fill, mmu_interval_read_begin(), the
 *		mmap read lock, hmm_range_fault() and the sequence check,
 *		every retry included
 * @fills_ptr:	(in) user pointer to __u64[@calls]; (out) there, the ns of
 *		each call's fill, part of its time (0 without PREFILL)
 * @calls:	(in) 1 to HMM_FIDELITY_MAX_CALLS
 * @flags:	(in) HMM_FIDELITY_*
 * @retries:	(out) -EBUSY returns and sequence retries over all calls
 * @valid:	(out) entries of the last call with HMM_PFN_VALID
 * @pmd:	(out) of those, entries mapped at PMD order
 * @errors:	(out) entries of the last call with HMM_PFN_ERROR
 */
struct hmm_fidelity_run {
	__u64 addr;
	__u64 len;
	__u64 times_ptr;
	__u64 fills_ptr;
	__u32 calls;
	__u32 flags;
	__u64 retries;
	__u64 valid;
	__u64 pmd;
	__u64 errors;
};

#define HMM_FIDELITY_IOC_RUN	_IOWR('F', 0x01, struct hmm_fidelity_run)

#endif /* _UAPI_HMM_FIDELITY_H */
