/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace client of /dev/hmm_bench: open and ABI check, then one function
 * per ioctl. Functions return 0 or -errno and never print.
 */
#ifndef HMMBENCH_DEVICE_H
#define HMMBENCH_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include <hmm_bench.h>

_Static_assert(sizeof(struct hmm_bench_info) == 120, "ABI: info size");
_Static_assert(sizeof(struct hmm_bench_fault) == 224, "ABI: fault size");

struct hb_device {
	int fd;
	struct hmm_bench_info info;
};

/*
 * Open @path (NULL: HMM_BENCH_DEVICE) and refuse a module of another ABI.
 * On failure returns -errno and writes what went wrong and the fix to @msg.
 */
int hb_device_open(struct hb_device *dev, const char *path, char *msg,
		   size_t msglen);
void hb_device_close(struct hb_device *dev);

/*
 * Can this client use the module that answered HMM_BENCH_IOC_INFO with
 * @info? 0, or -EPROTONOSUPPORT with what is wrong and the fix in @msg.
 * No I/O: hb_device_open() calls it, tests call it with made-up answers.
 */
int hb_device_check_abi(const struct hmm_bench_info *info, char *msg,
			size_t msglen);

/* HMM_BENCH_IOC_INFO. */
int hb_device_info(int fd, struct hmm_bench_info *info);

/*
 * HMM_BENCH_IOC_FAULT. @req must come from hb_fault_init(); size and ABI
 * version are filled in there.
 */
int hb_device_fault(int fd, struct hmm_bench_fault *req);

void hb_fault_init(struct hmm_bench_fault *req, const void *addr, size_t len,
		   enum hmm_bench_style style, enum hmm_bench_request request,
		   enum hmm_bench_access access, uint32_t window);

/* Names used on the command line and in benchmark names. */
const char *hb_style_name(enum hmm_bench_style style);
const char *hb_verdict_name(uint32_t verdict);
/* "read", "write", "mixed" or "snap": what a request asks, in one word. */
const char *hb_request_name(enum hmm_bench_request request,
			    enum hmm_bench_access access);
/* Inverse of hb_request_name(); -EINVAL for an unknown word. */
int hb_request_parse(const char *word, enum hmm_bench_request *request,
		     enum hmm_bench_access *access);
int hb_style_parse(const char *word, enum hmm_bench_style *style);

/* "0.1.0" from info.module_version. */
void hb_module_version_str(uint32_t version, char *buf, size_t len);

#endif /* HMMBENCH_DEVICE_H */
