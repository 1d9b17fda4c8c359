// SPDX-License-Identifier: GPL-2.0
/* NUMA topology (hwloc), thread binding and placement checks. */
#include "topology.h"

#include <errno.h>
#include <sched.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HB_PLACEMENT_SAMPLE 256

int hb_topology_init(struct hb_topology *t, char *err, size_t errlen)
{
	hwloc_obj_t obj;
	int i, n;

	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&t->topo) || hwloc_topology_load(t->topo)) {
		snprintf(err, errlen, "hwloc cannot read the topology: %s",
			 strerror(errno));
		return -EIO;
	}
	n = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
	for (i = 0; i < n && t->nnodes < HB_MAX_NODES_LIST; i++) {
		obj = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_NUMANODE, i);
		t->node[t->nnodes] = obj->os_index;
		t->ncpus[t->nnodes] = obj->cpuset ?
			hwloc_bitmap_weight(obj->cpuset) : 0;
		t->mem[t->nnodes] = obj->attr ? obj->attr->numanode.local_memory : 0;
		t->nnodes++;
	}
	if (!t->nnodes) {
		snprintf(err, errlen, "hwloc found no NUMA node");
		hwloc_topology_destroy(t->topo);
		return -ENODEV;
	}
	return 0;
}

void hb_topology_fini(struct hb_topology *t)
{
	if (t->topo)
		hwloc_topology_destroy(t->topo);
	t->topo = NULL;
}

void hb_topology_summary(const struct hb_topology *t, char *buf, size_t len)
{
	size_t used;
	int i;

	used = (size_t)snprintf(buf, len, "%d node%s:", t->nnodes,
				t->nnodes == 1 ? "" : "s");
	for (i = 0; i < t->nnodes && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used,
					 "%s %u (%d CPU%s, %llu MiB)",
					 i ? "," : "", t->node[i], t->ncpus[i],
					 t->ncpus[i] == 1 ? "" : "s",
					 (unsigned long long)(t->mem[i] >> 20));
}

int hb_topology_export_xml(const struct hb_topology *t, const char *path)
{
	return hwloc_topology_export_xml(t->topo, path, 0) ? -EIO : 0;
}

static int index_of(const struct hb_topology *t, int node)
{
	int i;

	for (i = 0; i < t->nnodes; i++)
		if ((int)t->node[i] == node)
			return i;
	return -1;
}

int hb_topology_has_node(const struct hb_topology *t, int node, int need_cpus)
{
	int i = index_of(t, node);

	if (i < 0)
		return 0;
	return need_cpus ? t->ncpus[i] > 0 : 1;
}

int hb_default_pairs(const struct hb_topology *t, int want_local,
		     int want_remote, struct hb_node_pair *pairs)
{
	int i, cpu = -1, n = 0;

	for (i = 0; i < t->nnodes && cpu < 0; i++)
		if (t->ncpus[i] > 0)
			cpu = i;
	if (cpu < 0)
		return 0;
	if (want_local)
		pairs[n++] = (struct hb_node_pair){ .cpu = (int)t->node[cpu],
						    .mem = (int)t->node[cpu] };
	/* The next node that has memory (a CPU-only node cannot hold it). */
	for (i = 1; want_remote && i < t->nnodes; i++) {
		int mem = (cpu + i) % t->nnodes;

		if (!t->mem[mem])
			continue;
		pairs[n++] = (struct hb_node_pair){ .cpu = (int)t->node[cpu],
						    .mem = (int)t->node[mem] };
		break;
	}
	return n;
}

int hb_bind_to_node(const struct hb_topology *t, int node, char *err,
		    size_t errlen)
{
	hwloc_bitmap_t set;
	hwloc_obj_t obj;
	int ret = 0, cpu;

	obj = hwloc_get_numanode_obj_by_os_index(t->topo, (unsigned int)node);
	if (!obj || !obj->cpuset || hwloc_bitmap_iszero(obj->cpuset)) {
		snprintf(err, errlen, "node %d has no CPU to run on", node);
		return -ENODEV;
	}
	set = hwloc_bitmap_dup(obj->cpuset);
	if (!set)
		return -ENOMEM;
	hwloc_bitmap_singlify(set);
	if (hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD)) {
		ret = -errno;
		snprintf(err, errlen, "cannot bind to a CPU of node %d: %s",
			 node, strerror(errno));
	} else {
		/* Where the thread runs now, not where it was asked to. */
		cpu = sched_getcpu();
		if (cpu < 0 || !hwloc_bitmap_isset(obj->cpuset, (unsigned int)cpu)) {
			snprintf(err, errlen,
				 "bound to a CPU of node %d, but running on CPU %d (cpuset or isolcpus?)",
				 node, cpu);
			ret = -EXDEV;
		}
	}
	hwloc_bitmap_free(set);
	return ret;
}

int hb_placement_check(const void *addr, size_t len, int node,
		       struct hb_placement *out)
{
	void *pages[HB_PLACEMENT_SAMPLE];
	int status[HB_PLACEMENT_SAMPLE];
	size_t psize = (size_t)sysconf(_SC_PAGESIZE);
	size_t npages = len / psize, n, i, step;

	memset(out, 0, sizeof(*out));
	n = npages < HB_PLACEMENT_SAMPLE ? npages : HB_PLACEMENT_SAMPLE;
	if (!n)
		return 0;
	step = npages / n;
	for (i = 0; i < n; i++)
		pages[i] = (char *)addr + i * step * psize;
	/* NULL nodes: only ask where each page is. */
	if (move_pages(0, (unsigned long)n, pages, NULL, status, 0))
		return -errno;
	out->sampled = n;
	for (i = 0; i < n; i++) {
		if (status[i] < 0)
			continue;
		out->present++;
		out->on_node += status[i] == node;
		if (status[i] < HB_MAX_NODES_LIST)
			out->by_node[status[i]]++;
	}
	return 0;
}
