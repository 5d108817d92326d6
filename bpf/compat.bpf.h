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

#endif /* FRAGSCOPE_COMPAT_BPF_H */
