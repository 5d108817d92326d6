/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What older kernels lay out or offer differently, in one place.  Nothing
 * here names a kernel version: each difference is found on the running
 * kernel, by CO-RE (bpf_core_type_exists / bpf_core_field_exists against
 * its BTF) or by user space probing before the load (libbpf_probe_bpf_helper,
 * the BTF's types), which then chooses the programs to load and sets the
 * switches below.  A ___compat suffix is dropped by CO-RE: the struct
 * matches the kernel type of the name before it, where there is one.
 */
#ifndef FRAGSCOPE_COMPAT_BPF_H
#define FRAGSCOPE_COMPAT_BPF_H

/*
 * Whether the helper bpf_get_current_task_btf exists (libbpf_probe_bpf_helper,
 * set before load): with it the current task is read by plain BTF-typed
 * loads, without it (5.10) by CO-RE bpf_probe_read_kernel chains.
 */
extern const volatile bool has_current_task_btf;

/* A cgroup that keeps its ancestors' ids rather than pointers to them. */
struct cgroup___ancestor_ids {
	int level;
	__u64 ancestor_ids[];
} __attribute__((preserve_access_index));

/* kmalloc's node where the kernel's event has none (bpf/slab.bpf.c's compat programs). */
#define FS_NUMA_NO_NODE (-1)

/*
 * Whether compact_stall counts a direct-compaction attempt that found every
 * zone deferred (try_to_compact_pages() returned COMPACT_DEFERRED).  Kernels
 * up to 6.18 count every attempt that returned more than COMPACT_SKIPPED;
 * later ones (7.2, 7.3 read) return before counting a deferred one, and
 * their capture_control names the zone, migratetype and order it captures
 * for instead of pointing at the compact_control: the BTF fact that goes
 * with the new accounting in the kernels read (one function,
 * __alloc_pages_direct_compact, fills both).
 */
struct capture_control___zone {
	struct zone *zone;
} __attribute__((preserve_access_index));

static __always_inline bool deferred_attempts_are_stalls(void)
{
	return !bpf_core_field_exists(struct capture_control___zone, zone);
}

/*
 * A mempolicy whose nodes share a union with its preferred node (the
 * layout before the preferred node became a nodemask too): the nodes are
 * v.nodes there, nodes later.
 */
struct mempolicy___v_nodes {
	unsigned short mode;
	union {
		short preferred_node;
		nodemask_t nodes;
	} v;
} __attribute__((preserve_access_index));

#endif /* FRAGSCOPE_COMPAT_BPF_H */
