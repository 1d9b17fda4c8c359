/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA: hwloc for the topology and for binding the calling thread to a CPU
 * of a node; move_pages() to find where pages really are.
 */
#ifndef HMMBENCH_TOPOLOGY_H
#define HMMBENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwloc.h>

#define HB_MAX_NODES_LIST 64

struct hb_topology {
	hwloc_topology_t topo;
	int nnodes;				/* NUMA nodes */
	unsigned int node[HB_MAX_NODES_LIST];	/* their OS indexes */
	int ncpus[HB_MAX_NODES_LIST];		/* PUs per node */
	uint64_t mem[HB_MAX_NODES_LIST];	/* bytes per node */
};

/* A CPU node and a memory node: where the caller runs, where pages live. */
struct hb_node_pair {
	int cpu;
	int mem;
	bool missing;	/* asked for, but this machine has no such node */
};

int hb_topology_init(struct hb_topology *t, char *err, size_t errlen);
void hb_topology_fini(struct hb_topology *t);

/* "2 nodes: 0 (1 CPU, 1024 MiB), 1 (1 CPU, 1024 MiB)" */
void hb_topology_summary(const struct hb_topology *t, char *buf, size_t len);
int hb_topology_export_xml(const struct hb_topology *t, const char *path);

/* Is @node a node of this machine with CPUs (@need_cpus) or memory? */
int hb_topology_has_node(const struct hb_topology *t, int node, int need_cpus);

/*
 * The default matrix: local on the first node with CPUs and, with two
 * nodes or more, the same CPU node with memory on the next node.
 * Returns the number of pairs written (at most 2).
 */
int hb_default_pairs(const struct hb_topology *t, int want_local,
		     int want_remote, struct hb_node_pair *pairs);

/* Bind the calling thread to the first CPU of @node. 0 or -errno. */
int hb_bind_to_node(const struct hb_topology *t, int node, char *err,
		    size_t errlen);

/* Where a sample of the pages of [addr, addr + len) are. */
struct hb_placement {
	size_t sampled;		/* pages asked about */
	size_t present;		/* of those, pages that exist */
	size_t on_node;		/* of those, pages on the wanted node */
	size_t by_node[HB_MAX_NODES_LIST];	/* of those, by OS index */
};

/* Query up to 256 evenly spread pages. 0 or -errno. */
int hb_placement_check(const void *addr, size_t len, int node,
		       struct hb_placement *out);

#endif /* HMMBENCH_TOPOLOGY_H */
