/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hmm_bench: the ioctl ABI of the hmm_range_fault() timing module.
 *
 * /dev/hmm_bench times hmm_range_fault() over a range of the caller's own
 * address space, asking for pages either the pre-5.2 way (every entry of the
 * pfn array pre-filled with request bits, pfn_flags_mask = ~0) or through
 * default_flags/pfn_flags_mask only (commit 023a019a9b4e), and verifies every
 * page it was asked for.
 *
 * This is a private ABI shared by the module and hmmbench; it is not in
 * include/uapi. Rules: one struct per command, __u32/__u64 only, no implicit
 * padding, pointers and times as __u64 (times in ns from ktime_get_ns()).
 * Every struct starts with its size and the ABI version the caller speaks.
 * Unknown flags and non-zero reserved fields get -EINVAL; unknown commands
 * -ENOTTY. New behaviour gets a new command number; a command never changes
 * meaning. HMM_BENCH_IOC_INFO and struct hmm_bench_info never change, so any
 * client can learn which ABI a module speaks.
 *
 * Growing within an ABI version: a reserved field may become a new output,
 * never an input. Its HMM_BENCH_FEAT_* bit says that the module fills it (a
 * module without the bit leaves it zero, as it must leave every reserved
 * field), and outputs are ignored on input, so a client that reuses a
 * struct keeps working. Anything else (a new input, a changed size or
 * meaning) is a new ABI version, which hmmbench refuses to mix.
 */
#ifndef _UAPI_HMM_BENCH_H
#define _UAPI_HMM_BENCH_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define HMM_BENCH_DEVICE		"/dev/hmm_bench"
#define HMM_BENCH_ABI_VERSION		1

/* Features reported by HMM_BENCH_IOC_INFO. */
#define HMM_BENCH_FEAT_HIST		_BITULL(0)	/* per-chunk histogram */
#define HMM_BENCH_FEAT_CALIBRATE	_BITULL(1)	/* HMM_BENCH_F_CALIBRATE */
#define HMM_BENCH_FEAT_MAP_ORDER	_BITULL(2)	/* pages_pmd is counted */
/* Since module 0.2.0: */
#define HMM_BENCH_FEAT_SUBSET_PAGES	_BITULL(3)	/* subset_pages is set */
#define HMM_BENCH_FEAT_VERIFY_NS	_BITULL(4)	/* verify_ns is timed */
/* own_restarts is set, and the retry budget does not count them */
#define HMM_BENCH_FEAT_OWN_RESTARTS	_BITULL(5)

/**
 * struct hmm_bench_info - what the loaded module is and allows
 * @size:		(in) sizeof(struct hmm_bench_info)
 * @abi_version:	(out) HMM_BENCH_ABI_VERSION of the module
 * @module_version:	(out) (major << 16) | (minor << 8) | patch
 * @page_shift:		(out) PAGE_SHIFT of the kernel
 * @features:		(out) HMM_BENCH_FEAT_* bits
 * @reserved1:		must be zero
 * @max_range_bytes:	(out) largest @len accepted (module parameter)
 * @max_window_pages:	(out) largest non-zero @window (module parameter)
 * @max_whole_pages:	(out) largest range in pages for @window == 0
 * @max_hist_buckets:	(out) largest @hist_buckets (module parameter)
 * @pmd_order:		(out) PMD_SHIFT - PAGE_SHIFT
 * @max_retries:	(out) retries allowed per chunk, beyond its own
 *			restarts (see struct hmm_bench_fault, "Retries")
 * @reserved0:		must be zero
 * @reserved:		must be zero
 */
struct hmm_bench_info {
	__u32 size;
	__u32 abi_version;
	__u32 module_version;
	__u32 page_shift;
	__u64 features;
	__u64 reserved1;
	__u64 max_range_bytes;
	__u64 max_window_pages;
	__u64 max_whole_pages;
	__u32 max_hist_buckets;
	__u32 pmd_order;
	__u32 max_retries;
	__u32 reserved0;
	__u64 reserved[6];
};

/* How the driver asks (struct hmm_bench_fault.style). 0 is invalid. */
enum hmm_bench_style {
	/* every entry written with the request; default_flags 0, mask ~0 */
	HMM_BENCH_STYLE_PREFILL = 1,
	/* request in default_flags/pfn_flags_mask only (Linux 5.2+) */
	HMM_BENCH_STYLE_DEFAULT = 2,
};

/* What the driver asks for (struct hmm_bench_fault.request). 0 is invalid. */
enum hmm_bench_request {
	/* fault every page for @access */
	HMM_BENCH_REQ_FAULT = 1,
	/* read every page, and @access (WRITE) every @mixed_stride-th page */
	HMM_BENCH_REQ_MIXED = 2,
	/* fault nothing, report what is mapped; @access must be NONE */
	HMM_BENCH_REQ_SNAPSHOT = 3,
};

enum hmm_bench_access {
	HMM_BENCH_ACCESS_NONE = 0,	/* snapshot only */
	HMM_BENCH_ACCESS_READ = 1,
	HMM_BENCH_ACCESS_WRITE = 2,
};

/* struct hmm_bench_fault.flags */
/* Do everything but call hmm_range_fault(): measures the instrument itself. */
#define HMM_BENCH_F_CALIBRATE		_BITUL(0)
#define HMM_BENCH_F_ALL			(HMM_BENCH_F_CALIBRATE)

/* struct hmm_bench_fault.verdict */
enum hmm_bench_verdict {
	HMM_BENCH_VERDICT_PASS = 1,	 /* every page satisfies the request */
	HMM_BENCH_VERDICT_FAIL = 2,	 /* pages_bad > 0, see first_bad */
	HMM_BENCH_VERDICT_UNCHECKED = 3, /* HMM_BENCH_F_CALIBRATE */
};

/**
 * struct hmm_bench_fault - one timed request over [addr, addr + len)
 * @size:		(in) sizeof(struct hmm_bench_fault)
 * @abi_version:	(in) HMM_BENCH_ABI_VERSION the caller speaks
 * @addr:		(in) start, page aligned, in the caller's address space
 * @len:		(in) bytes, page aligned, > 0, fully mapped
 * @style:		(in) enum hmm_bench_style
 * @request:		(in) enum hmm_bench_request
 * @access:		(in) enum hmm_bench_access
 * @flags:		(in) HMM_BENCH_F_*
 * @window:		(in) pages per hmm_range_fault() call; 0: the whole
 *			range in one call (limited by max_whole_pages, see
 *			below)
 * @mixed_stride:	(in) REQ_MIXED: page i gets @access when
 *			i % mixed_stride == 0; must be 0 for other requests
 * @hist_buckets:	(in) number of __u64 at @hist_ptr; 0: no histogram
 * @reserved_in:	must be zero
 * @hist_ptr:		(in) user pointer to __u64[hist_buckets]. (out) bucket
 *			b counts chunks whose fault time t has floor(log2(t))
 *			== b (t <= 1 ns in bucket 0); the last bucket also
 *			counts everything longer
 * @fill_ns:		(out) time spent preparing the pfn array, every
 *			retry's refill included
 * @fault_ns:		(out) time from mmu_interval_read_begin() to
 *			mmap_read_unlock() around each hmm_range_fault()
 *			call: the sequence read (which waits for a running
 *			invalidation), mmap_read_lock and the call, every
 *			retry included
 * @total_ns:		(out) time of the chunk loops: fills, faults, the
 *			mmu_interval_read_retry() checks under the mirror
 *			lock and the clock reads between them; not
 *			verification, setup, teardown, or the cond_resched()
 *			before a retry
 * @npages:		(out) pages in the range
 * @calls:		(out) hmm_range_fault() calls
 * @ebusy_retries:	(out) calls that returned -EBUSY
 * @seq_retries:	(out) mmu_interval_read_retry() restarts
 * @pages_valid:	(out) entries with HMM_PFN_VALID
 * @pages_write:	(out) entries with HMM_PFN_WRITE (see @subset_pages)
 * @pages_error:	(out) entries with HMM_PFN_ERROR
 * @pages_pmd:		(out) valid entries mapped at PMD order
 * @pages_bad:		(out) entries that do not satisfy the request
 * @first_bad:		(out) index of the first such entry, or ~0
 * @verdict:		(out) enum hmm_bench_verdict
 * @reserved_out0:	must be zero
 * @subset_pages:	(out, HMM_BENCH_FEAT_SUBSET_PAGES) pages the request
 *			asks to be writable: @npages for a WRITE fault,
 *			ceil(@npages / @mixed_stride) for REQ_MIXED, else 0
 * @verify_ns:		(out, HMM_BENCH_FEAT_VERIFY_NS) time spent checking
 *			the entries, outside @total_ns; 0 with
 *			HMM_BENCH_F_CALIBRATE
 * @own_restarts:	(out, HMM_BENCH_FEAT_OWN_RESTARTS) the @ebusy_retries
 *			that the call's own faults caused (see "Retries")
 * @reserved:		must be zero
 *
 * Snapshot requests are satisfied by any entry without HMM_PFN_ERROR.
 *
 * Mixed requests: hmm_range_fault() faults a whole walk span (at most one
 * PMD, inside one VMA) with one set of flags: those of the first page that
 * needs a fault, or, over a hole (pmd_none), those of all its pages
 * together. So one subset page write-faults the rest of its span, and
 * @pages_write can exceed @subset_pages by up to a PMD per subset page; it
 * is what the kernel did, and @subset_pages what was asked.
 *
 * Retries: a chunk that an invalidation interrupts starts over (-EBUSY
 * from hmm_range_fault(), or a sequence change seen by
 * mmu_interval_read_retry()), as Documentation/mm/hmm.rst says. A write
 * request on pages that must be copied (the zero page, pages shared
 * after fork()) invalidates the module's own notifier at every copy, and
 * hmm_range_fault() notices after each walk span it faulted: such a chunk
 * restarts once per PMD it spans (P = 1 for a window of 512 pages or less
 * that does not cross a PMD boundary), each restart walks the chunk again
 * from its start, and the PREFILL style refills the whole chunk each
 * time. These restarts make progress and cost what the chunk's size
 * makes them cost, so the retry budget grows with the chunk: up to P
 * restarts that only the call's own faults caused (invalidations made in
 * the calling task, inside hmm_range_fault(), outside reclaim and
 * compaction) are @own_restarts and not counted. Every other retry is:
 * the chunk gives up with -EBUSY after max_retries of them, or once they
 * have gone on for busy_timeout_ms from the first (which is always
 * allowed). A fatal signal ends a chunk at its next retry either way.
 *
 * Window 0 is one hmm_range_fault() call over the whole range, as made by a
 * driver that never chunks. The module allocates 8 bytes a page for it, up
 * to max_whole_pages (default 2^20 pages: 4 GiB of 4 KiB pages, an 8 MiB
 * array), and cannot stop it halfway: hmm_range_fault() has no
 * cond_resched() and no signal check of its own, so a fatal signal takes
 * effect only when the call returns, and an -EBUSY retry walks the whole
 * range again. Long ranges belong in windows: the module reschedules and
 * checks for fatal signals between chunks, and allocates 8 bytes a page of
 * one window only.
 *
 * Errors of HMM_BENCH_IOC_FAULT (the ioctl returns -1 and sets errno; the
 * struct is written back only on success):
 *   EFAULT	the struct cannot be read or written back; @hist_ptr is 0 or
 *		not writable for @hist_buckets entries; hmm_range_fault()
 *		could not fault a page (PROT_NONE, VM_IO/VM_PFNMAP, a fault
 *		that ended in SIGBUS or OOM)
 *   EMSGSIZE	@size is not sizeof(struct hmm_bench_fault)
 *   EPROTONOSUPPORT @abi_version is not HMM_BENCH_ABI_VERSION
 *   EINVAL	a non-zero reserved field or unknown flag; an unknown style,
 *		request or access, or a request with an access or
 *		@mixed_stride it does not take; @hist_ptr without
 *		@hist_buckets; @len 0; @addr or @len not page aligned
 *   EOVERFLOW	@addr + @len wraps
 *   ERANGE	the range ends beyond the user address space
 *   E2BIG	@len over max_range_bytes, @window over max_window_pages,
 *		@window 0 with more than max_whole_pages pages, or
 *		@hist_buckets over max_hist_buckets
 *   ENOMEM	part of the range is not mapped (as mincore()), or the
 *		kernel could not allocate the pfn array, the histogram or
 *		the interval notifier's state
 *   EPERM	a write request on a mapping without write permission
 *   EBUSY	invalidations that the call's own faults did not cause
 *		kept a chunk from completing within max_retries retries
 *		or busy_timeout_ms (module parameters; see "Retries")
 *   EINTR	a fatal signal was pending before a chunk (window 0 is one
 *		chunk) or a retry, or came while the call waited for the
 *		mmap lock (to check the range, or before a try); or any
 *		unblocked signal was
 *		pending while the first call in this address space (the
 *		first of a process since fork() or exec()) set up interval
 *		notifiers: mmu_interval_notifier_insert() then registers the
 *		mm with mm_take_all_locks(), which gives up on any pending
 *		signal. Never restarted, even with SA_RESTART; the call is
 *		safe to repeat
 *   ESRCH	no user address space to act on (not from a user process)
 */
struct hmm_bench_fault {
	__u32 size;
	__u32 abi_version;
	__u64 addr;
	__u64 len;
	__u32 style;
	__u32 request;
	__u32 access;
	__u32 flags;
	__u32 window;
	__u32 mixed_stride;
	__u32 hist_buckets;
	__u32 reserved_in;
	__u64 hist_ptr;

	__u64 fill_ns;
	__u64 fault_ns;
	__u64 total_ns;
	__u64 npages;
	__u64 calls;
	__u64 ebusy_retries;
	__u64 seq_retries;
	__u64 pages_valid;
	__u64 pages_write;
	__u64 pages_error;
	__u64 pages_pmd;
	__u64 pages_bad;
	__u64 first_bad;
	__u32 verdict;
	__u32 reserved_out0;
	__u64 subset_pages;
	__u64 verify_ns;
	__u64 own_restarts;
	__u64 reserved[3];
};

/*
 * HMM_BENCH_IOC_INFO fails with EFAULT (the struct cannot be read or
 * written), EMSGSIZE (@size is not sizeof(struct hmm_bench_info)) or EINVAL
 * (a non-zero reserved field); any other command gets ENOTTY.
 */
#define HMM_BENCH_IOC_MAGIC	'H'
/* 0xA0.. keeps clear of lib/test_hmm's 'H' 0x00..0x0f. Append only. */
#define HMM_BENCH_IOC_INFO	_IOWR(HMM_BENCH_IOC_MAGIC, 0xA0, struct hmm_bench_info)
#define HMM_BENCH_IOC_FAULT	_IOWR(HMM_BENCH_IOC_MAGIC, 0xA1, struct hmm_bench_fault)

#endif /* _UAPI_HMM_BENCH_H */
