// SPDX-License-Identifier: GPL-2.0
/*
 * hmm_bench: a misc device that times hmm_range_fault() on the caller's own
 * address space. This file holds the module, its limits, the device and the
 * ioctl dispatcher, which validates everything userspace hands in before
 * any work starts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/stringify.h>
#include <linux/uaccess.h>

#include "hmm_bench_priv.h"

static unsigned long max_range_gib = 1024;
module_param(max_range_gib, ulong, 0444);
MODULE_PARM_DESC(max_range_gib, "Largest range in GiB (default 1024)");

static unsigned long max_window = 65536;
module_param(max_window, ulong, 0444);
MODULE_PARM_DESC(max_window, "Largest window in pages (default 65536)");

static unsigned long max_whole_pages = 1UL << 20;
module_param(max_whole_pages, ulong, 0444);
MODULE_PARM_DESC(max_whole_pages,
		 "Largest range in pages faulted in one call, window 0 (default 1048576)");

static unsigned int max_hist_buckets = HMM_BENCH_HIST_CEILING;
module_param(max_hist_buckets, uint, 0444);
MODULE_PARM_DESC(max_hist_buckets, "Largest histogram in buckets (default 64, at most 64)");

/* Neither counts a chunk's own restarts: see hmm_bench_chunk(). */
static unsigned int max_retries = 1000;
module_param(max_retries, uint, 0444);
MODULE_PARM_DESC(max_retries,
		 "Retries per chunk, beyond those its own faults cause, before giving up with -EBUSY (default 1000)");

/* As HMM_RANGE_DEFAULT_TIMEOUT in lib/test_hmm.c and nouveau. */
static unsigned int busy_timeout_ms = 1000;
module_param(busy_timeout_ms, uint, 0444);
MODULE_PARM_DESC(busy_timeout_ms,
		 "Milliseconds of retrying per chunk, from the first retry its own faults did not cause, before giving up with -EBUSY (default 1000)");

void hmm_bench_get_limits(struct hmm_bench_limits *limits)
{
	/* The parameters are read-only after load; clamp what load set. */
	limits->max_range_bytes = (u64)min(max_range_gib, 1UL << 20) << 30;
	limits->max_window_pages = clamp(max_window, 1UL, 1UL << 24);
	limits->max_whole_pages = clamp(max_whole_pages, 1UL, 1UL << 26);
	limits->max_hist_buckets = min_t(unsigned int, max_hist_buckets,
					 HMM_BENCH_HIST_CEILING);
	limits->max_retries = max_retries;
	limits->busy_timeout_ns = (u64)max(busy_timeout_ms, 1U) * NSEC_PER_MSEC;
}

static bool hmm_bench_reserved_clear(const __u64 *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (words[i])
			return false;
	return true;
}

static long hmm_bench_ioctl_info(void __user *uarg)
{
	struct hmm_bench_limits limits;
	struct hmm_bench_info info;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.size != sizeof(info))
		return -EMSGSIZE;
	if (info.reserved0 || info.reserved1 ||
	    !hmm_bench_reserved_clear(info.reserved, ARRAY_SIZE(info.reserved)))
		return -EINVAL;

	hmm_bench_get_limits(&limits);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.abi_version = HMM_BENCH_ABI_VERSION;
	info.module_version = HMM_BENCH_VERSION_MAJOR << 16 |
			      HMM_BENCH_VERSION_MINOR << 8 |
			      HMM_BENCH_VERSION_PATCH;
	info.page_shift = PAGE_SHIFT;
	info.features = HMM_BENCH_FEAT_HIST | HMM_BENCH_FEAT_CALIBRATE |
			HMM_BENCH_FEAT_MAP_ORDER | HMM_BENCH_FEAT_SUBSET_PAGES |
			HMM_BENCH_FEAT_VERIFY_NS | HMM_BENCH_FEAT_OWN_RESTARTS;
	info.max_range_bytes = limits.max_range_bytes;
	info.max_window_pages = limits.max_window_pages;
	info.max_whole_pages = limits.max_whole_pages;
	info.max_hist_buckets = limits.max_hist_buckets;
	info.pmd_order = PMD_SHIFT - PAGE_SHIFT;
	info.max_retries = limits.max_retries;

	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/* Which (request, access) pairs mean something; see the uapi header. */
static int hmm_bench_check_request(const struct hmm_bench_fault *req)
{
	if (req->style != HMM_BENCH_STYLE_PREFILL &&
	    req->style != HMM_BENCH_STYLE_DEFAULT)
		return -EINVAL;

	switch (req->request) {
	case HMM_BENCH_REQ_FAULT:
		if (req->access != HMM_BENCH_ACCESS_READ &&
		    req->access != HMM_BENCH_ACCESS_WRITE)
			return -EINVAL;
		return req->mixed_stride ? -EINVAL : 0;
	case HMM_BENCH_REQ_MIXED:
		if (req->access != HMM_BENCH_ACCESS_WRITE)
			return -EINVAL;
		return req->mixed_stride ? 0 : -EINVAL;
	case HMM_BENCH_REQ_SNAPSHOT:
		if (req->access != HMM_BENCH_ACCESS_NONE)
			return -EINVAL;
		return req->mixed_stride ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* Where [addr, addr + len) lies and how much of it one call may take. */
static int hmm_bench_check_range(const struct hmm_bench_fault *req,
				 const struct hmm_bench_limits *limits)
{
	u64 end;

	if (!req->len || !PAGE_ALIGNED(req->addr) || !PAGE_ALIGNED(req->len))
		return -EINVAL;
	if (check_add_overflow(req->addr, req->len, &end))
		return -EOVERFLOW;
	if (end > TASK_SIZE)
		return -ERANGE;
	if (req->len > limits->max_range_bytes)
		return -E2BIG;
	if (req->window > limits->max_window_pages)
		return -E2BIG;
	if (!req->window && req->len >> PAGE_SHIFT > limits->max_whole_pages)
		return -E2BIG;
	return 0;
}

static int hmm_bench_check_fault(const struct hmm_bench_fault *req,
				 const struct hmm_bench_limits *limits)
{
	int ret;

	if (req->size != sizeof(*req))
		return -EMSGSIZE;
	if (req->abi_version != HMM_BENCH_ABI_VERSION)
		return -EPROTONOSUPPORT;
	if (req->reserved_in || req->reserved_out0 ||
	    !hmm_bench_reserved_clear(req->reserved, ARRAY_SIZE(req->reserved)))
		return -EINVAL;
	if (req->flags & ~HMM_BENCH_F_ALL)
		return -EINVAL;
	ret = hmm_bench_check_request(req);
	if (ret)
		return ret;
	if (req->hist_buckets > limits->max_hist_buckets)
		return -E2BIG;
	if (!req->hist_buckets != !req->hist_ptr)
		return req->hist_buckets ? -EFAULT : -EINVAL;
	return hmm_bench_check_range(req, limits);
}

static long hmm_bench_ioctl_fault(void __user *uarg)
{
	struct hmm_bench_limits limits;
	struct hmm_bench_fault req;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	hmm_bench_get_limits(&limits);
	ret = hmm_bench_check_fault(&req, &limits);
	if (ret)
		return ret;

	ret = hmm_bench_fault_run(&req, &limits);
	if (ret)
		return ret;

	if (copy_to_user(uarg, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

static long hmm_bench_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case HMM_BENCH_IOC_INFO:
		return hmm_bench_ioctl_info(uarg);
	case HMM_BENCH_IOC_FAULT:
		return hmm_bench_ioctl_fault(uarg);
	default:
		return -ENOTTY;
	}
}

/* .owner pins the module while the device is open. */
static const struct file_operations hmm_bench_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hmm_bench_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hmm_bench_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hmm_bench",
	.fops = &hmm_bench_fops,
	.mode = 0600,
};

static int __init hmm_bench_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct hmm_bench_info) != 120);
	BUILD_BUG_ON(sizeof(struct hmm_bench_fault) != 224);

	ret = misc_register(&hmm_bench_misc);
	if (ret)
		return ret;
	pr_info("version %s, ABI %d\n", HMM_BENCH_VERSION_STR,
		HMM_BENCH_ABI_VERSION);
	return 0;
}

static void __exit hmm_bench_exit(void)
{
	misc_deregister(&hmm_bench_misc);
}

module_init(hmm_bench_init);
module_exit(hmm_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Times hmm_range_fault() with pre-filled and default_flags requests");
MODULE_AUTHOR("hmmbench developers");
MODULE_VERSION(HMM_BENCH_VERSION_STR);
MODULE_INFO(abi, __stringify(HMM_BENCH_ABI_VERSION));
