// SPDX-License-Identifier: GPL-2.0
/* Userspace client of /dev/hmm_bench. */
#include "device.h"
#include "common/result_folder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *open_hint(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "the module is not loaded: insmod kmod/hmm_bench.ko (./run.sh does it)";
	case EACCES:
	case EPERM:
		return "the device is 0600: run as root";
	default:
		return "see dmesg";
	}
}

int hb_device_open(struct hb_device *dev, const char *path, char *msg,
		   size_t msglen)
{
	int ret;

	if (!path)
		path = HMM_BENCH_DEVICE;
	memset(dev, 0, sizeof(*dev));
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		ret = -errno;
		snprintf(msg, msglen, "cannot open %s: %s; %s", path,
			 strerror(-ret), open_hint(-ret));
		return ret;
	}
	ret = hb_device_info(dev->fd, &dev->info);
	if (ret) {
		snprintf(msg, msglen,
			 "%s does not answer HMM_BENCH_IOC_INFO (%s): it is not hmm_bench, or a module too old; load kmod/hmm_bench.ko from this tree",
			 path, strerror(-ret));
		goto out_close;
	}
	ret = hb_device_check_abi(&dev->info, msg, msglen);
	if (ret)
		goto out_close;
	return 0;

out_close:
	close(dev->fd);
	dev->fd = -1;
	return ret;
}

int hb_device_check_abi(const struct hmm_bench_info *info, char *msg,
			size_t msglen)
{
	char version[16];

	if (info->abi_version == HMM_BENCH_ABI_VERSION)
		return 0;
	hb_module_version_str(info->module_version, version, sizeof(version));
	snprintf(msg, msglen,
		 "the loaded hmm_bench %s speaks ABI %u but this hmmbench speaks ABI %u: rmmod hmm_bench, then load the module built from this tree (make -C kmod)",
		 version, info->abi_version, HMM_BENCH_ABI_VERSION);
	return -EPROTONOSUPPORT;
}

void hb_device_close(struct hb_device *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
}

int hb_device_info(int fd, struct hmm_bench_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->abi_version = HMM_BENCH_ABI_VERSION;
	if (ioctl(fd, HMM_BENCH_IOC_INFO, info) < 0)
		return -errno;
	return 0;
}

int hb_device_fault(int fd, struct hmm_bench_fault *req)
{
	if (ioctl(fd, HMM_BENCH_IOC_FAULT, req) < 0)
		return -errno;
	return 0;
}

void hb_fault_init(struct hmm_bench_fault *req, const void *addr, size_t len,
		   enum hmm_bench_style style, enum hmm_bench_request request,
		   enum hmm_bench_access access, uint32_t window)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->abi_version = HMM_BENCH_ABI_VERSION;
	req->addr = (uintptr_t)addr;
	req->len = len;
	req->style = style;
	req->request = request;
	req->access = access;
	req->window = window;
}

const char *hb_style_name(enum hmm_bench_style style)
{
	switch (style) {
	case HMM_BENCH_STYLE_PREFILL:
		return "prefill";
	case HMM_BENCH_STYLE_DEFAULT:
		return "default";
	}
	return "?";
}

int hb_style_parse(const char *word, enum hmm_bench_style *style)
{
	if (!strcmp(word, "prefill"))
		*style = HMM_BENCH_STYLE_PREFILL;
	else if (!strcmp(word, "default"))
		*style = HMM_BENCH_STYLE_DEFAULT;
	else
		return -EINVAL;
	return 0;
}

/* Each access word's request, in the order of hb_access_order[]. */
static const struct {
	enum hmm_bench_request request;
	enum hmm_bench_access access;
} accesses[HB_ACCESS_COUNT] = {
	[HB_ACCESS_READ] = { HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_READ },
	[HB_ACCESS_WRITE] = { HMM_BENCH_REQ_FAULT, HMM_BENCH_ACCESS_WRITE },
	[HB_ACCESS_MIXED] = { HMM_BENCH_REQ_MIXED, HMM_BENCH_ACCESS_WRITE },
	[HB_ACCESS_SNAP] = { HMM_BENCH_REQ_SNAPSHOT, HMM_BENCH_ACCESS_NONE },
};

const char *hb_request_name(enum hmm_bench_request request,
			    enum hmm_bench_access access)
{
	/* A fault request's word is its access; the others have their own. */
	for (int i = 0; i < HB_ACCESS_COUNT; i++)
		if (accesses[i].request == request &&
		    (request != HMM_BENCH_REQ_FAULT ||
		     accesses[i].access == access))
			return hb_access_order[i];
	return "?";
}

int hb_request_parse(const char *word, enum hmm_bench_request *request,
		     enum hmm_bench_access *access)
{
	int i = hb_access_rank(word);

	if (i >= HB_ACCESS_COUNT)
		return -EINVAL;
	*request = accesses[i].request;
	*access = accesses[i].access;
	return 0;
}

const char *hb_verdict_name(uint32_t verdict)
{
	switch (verdict) {
	case HMM_BENCH_VERDICT_PASS:
		return "pass";
	case HMM_BENCH_VERDICT_FAIL:
		return "FAIL";
	case HMM_BENCH_VERDICT_UNCHECKED:
		return "unchecked";
	}
	return "none";
}

void hb_module_version_str(uint32_t version, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", version >> 16, (version >> 8) & 0xff,
		 version & 0xff);
}
