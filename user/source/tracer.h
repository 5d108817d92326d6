/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live source: probes what this kernel offers, loads and attaches the
 * BPF programs, drains the ring buffer and reads the in-kernel aggregates.
 */
#ifndef FS_SOURCE_TRACER_H
#define FS_SOURCE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"
#include "model/meta.h"
#include "model/snapshot.h"
#include "util/u64map.h"

struct kernel_info;
struct fragscope_bpf;
struct ring_buffer;
struct bpf_link;
struct btf;
struct state_vmstat;

/*
 * Where successful order-0 page allocations are counted (--order0): by
 * the probe, every event, or from the kernel's own per-page counters
 * (/proc/vmstat pgalloc_*) while the probe's program returns on them at
 * once; auto: vmstat unless an option needs every order-0 event.
 */
enum order0_source { ORDER0_AUTO, ORDER0_TRACED, ORDER0_VMSTAT };

struct tracer_config {
	uint32_t pid;
	char comm[FS_COMM_LEN];
	const char *cgroup_path;
	uint32_t min_order;   /* per-process counts from this order up */
	uint32_t stack_order; /* kernel stacks counted from this order up */
	bool extfrag_stacks;
	uint32_t ringbuf_bytes;     /* power of two, at least one page */
	uint32_t stack_map_entries; /* distinct stacks kept in the kernel */
	const char *mask_probes;    /* comma-separated probe names to leave detached */
	bool classic_only;          /* never use BTF-typed tracepoints */
	enum order0_source order0;
};

void tracer_config_defaults(struct tracer_config *c);
/*
 * The option under which every order-0 allocation must be traced
 * ("--min-order 0", "-p", ..., "--order0 traced"), or NULL if the
 * kernel's pgalloc counters may count them.
 */
const char *tracer_order0_traced_by(const struct tracer_config *c);

struct probe_status {
	const char *name; /* category:event */
	const char *via;  /* "tp_btf", "raw_tp", "tracepoint"; "-" for a masked or missing probe */
	const char *prog; /* the BPF program chosen for it */
	const char *node_prog; /* and for its separate <event>_node tracepoint, on kernels that have one */
	enum probe_state state;
	char why[160];
};

typedef int (*tracer_event_fn)(void *ctx, const void *data, size_t len);

struct tracer {
	struct fragscope_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[FS_PROBES];
	struct bpf_link *node_links[FS_PROBES];
	struct probe_status probes[FS_PROBES];
	int ncpus;
	uint64_t start_ns;    /* CLOCK_MONOTONIC when attached */
	uint64_t attach_ns;   /* time taken from start to attached */
	void *percpu_buf;     /* one value per possible CPU, for reading per-CPU maps */
	struct u64map stack_cache; /* stack id -> index + 1 in cached_stacks */
	uint64_t (*cached_stacks)[FS_MAX_FRAMES];
	uint32_t *cached_nr;
	size_t nr_cached;
	/* Successful order-0 allocations not traced (page_above0_btf attached): read from /proc/vmstat. */
	bool order0_from_vmstat;
	uint64_t pgalloc_at_attach, pgalloc_last; /* sums of pgalloc_<zone> */
	struct state_vmstat *vmstat;              /* read buffer */
};

/*
 * Checks privileges, BTF and tracefs before anything is loaded; returns an
 * enum fs_exit code with a message in err naming what is missing.
 */
int tracer_preflight(char *err, size_t errlen);

/*
 * Where the kernel's interrupt entry text lies ([start, end) of .irqentry.text,
 * then of .softirqentry.text), for the programs to tell an interrupt's
 * failures from the interrupted task's requests.  After tracer_start().
 */
void tracer_set_interrupt_text(struct tracer *t, const uint64_t range[4]);

/*
 * Returns an enum fs_exit code; on_event gets every ring-buffer record.
 * btf is the vmlinux BTF if the caller has parsed it (kernel_info_load_btf()),
 * which the tracer frees, or NULL to parse it here.
 */
int tracer_start(struct tracer *t, const struct tracer_config *cfg, const struct kernel_info *ki,
		 struct btf *btf, tracer_event_fn on_event, void *ctx, char *err, size_t errlen);
/* Waits up to timeout_ms for wakeups, then drains everything pending. */
int tracer_poll(struct tracer *t, int timeout_ms);
/* The sum of /proc/vmstat's pgalloc_<zone> into *pages; false if unreadable. */
bool tracer_read_pgalloc(struct tracer *t, uint64_t *pages);
/* Reads every in-kernel aggregate into out (freed and refilled). */
int tracer_snapshot(struct tracer *t, struct snapshot *out);
void tracer_stop(struct tracer *t);

const char *probe_state_name(enum probe_state s);

#endif
