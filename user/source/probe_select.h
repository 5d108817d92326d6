/* SPDX-License-Identifier: GPL-2.0 */
/* Choosing each probe's BPF program for the running kernel (see probe_select.c). */
#ifndef FS_SOURCE_PROBE_SELECT_H
#define FS_SOURCE_PROBE_SELECT_H

#include "source/tracer.h"

struct bpf_object;
struct bpf_program;

/*
 * Decide per probe which program to load (probes[i].prog, .node_prog,
 * .via) or why none (.state, .why), and set the object's programs'
 * autoload to match.  btf is the kernel's, tracefs its mount point.
 */
void probe_select(struct bpf_object *obj, struct probe_status probes[FS_PROBES], const struct tracer_config *cfg,
		  const struct btf *btf, const char *tracefs);

/* The object's program called name; NULL for a NULL name. */
struct bpf_program *probe_program(struct bpf_object *obj, const char *name);
/*
 * Is mm_page_alloc's attached program the one that leaves successful
 * order-0 allocations to /proc/vmstat's pgalloc counters?
 */
bool probe_order0_from_vmstat(const struct probe_status *page_alloc);
/* Did --mask-probes name this probe? */
bool probe_masked(const struct tracer_config *cfg, int probe);

#endif
