// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc and kmem_cache_alloc per call site (count, bytes requested,
 * bytes allocated: the difference is internal waste) and their failures.
 * Per-CPU values: these probes fire millions of times a second and shared
 * counters would bounce between CPUs.
 */
#include "fragscope.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct fs_callsite_key);
	__type(value, struct fs_callsite_value);
} callsites SEC(".maps");

/*
 * The direct-mapped cache in front of callsites (see fs_callsite_slots in
 * fragscope.h), one per probe.  One element holding every slot: the lookup
 * of key 0 is inlined by the verifier and always reads the same pointer,
 * so an event touches one cache line of slot.  A slot is written only by
 * its probe's program on its CPU, and a program never runs nested in
 * itself on one CPU (the kernel skips and counts such a recursion), so the
 * claim and the additions need no atomics.
 */
struct fs_slots_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_callsite_slots);
};
struct fs_slots_map kmalloc_slots SEC(".maps");
struct fs_slots_map kcache_slots SEC(".maps");

/*
 * Adds a successful allocation in call_site's slot; false if both slots of
 * its pair (two ways, adjacent, usually one cache line) belong to other call
 * sites.  Slots are claimed way 0 first and never released, so a call site
 * is in way 1 only if way 0 is another's.
 */
static __always_inline bool slot_add(void *slots, __u64 call_site, __u64 bytes_req, __u64 bytes_alloc)
{
	__u32 zero = 0, i = fs_callsite_slot_index(call_site) & (FS_CALLSITE_SLOTS - 2);
	struct fs_callsite_slots *all = bpf_map_lookup_elem(slots, &zero);
	struct fs_callsite_slot *s;

	if (!all || !call_site)
		return false;
	s = &all->slot[i];
	if (s->call_site && s->call_site != call_site) {
		s = &all->slot[i + 1];
		if (s->call_site && s->call_site != call_site)
			return false;
	}
	s->call_site = call_site; /* claims an empty slot; the line is written anyway */
	s->count++;
	s->bytes_req += bytes_req;
	s->bytes_alloc += bytes_alloc;
	return true;
}

/*
 * Returns the failure event to complete and submit, or NULL when there is none.
 * The probe's hits are the call-site counts; only what no map kept is counted as a hit here.
 */
static __always_inline struct fs_event *on_slab_alloc(void *slots, __u32 probe, __u64 call_site, bool failed,
						      __u64 bytes_req, __u64 bytes_alloc, __u64 gfp,
						      __s32 node)
{
	struct fs_callsite_key key = { .call_site = call_site, .is_cache = probe == FS_PROBE_KMEM_CACHE_ALLOC };
	struct fs_callsite_value *v;
	struct fs_event *e;

	if (task_excluded())
		return NULL;
	if (!failed && slot_add(slots, call_site, bytes_req, bytes_alloc))
		return NULL;
	v = bpf_map_lookup_elem(&callsites, &key);
	if (v) {
		v->count++;
		v->bytes_req += bytes_req;
		v->bytes_alloc += bytes_alloc;
		v->failures += failed;
	} else {
		struct fs_callsite_value init = { 1, bytes_req, bytes_alloc, failed };

		if (bpf_map_update_elem(&callsites, &key, &init, BPF_NOEXIST) == -E2BIG) {
			count(FS_CTR_MAP_FULL + FS_MAP_CALLSITE);
			count(FS_CTR_PROBE_HITS + probe);
		}
	}
	if (!failed)
		return NULL;
	e = event_start(key.is_cache ? FS_EV_SLAB_FAIL : FS_EV_KMALLOC_FAIL);
	if (!e)
		return NULL;
	e->kmalloc.call_site = call_site;
	e->kmalloc.bytes_req = bytes_req;
	e->kmalloc.bytes_alloc = bytes_alloc;
	e->kmalloc.gfp = gfp;
	e->kmalloc.node = node;
	e->kmalloc.cache[0] = 0;
	return e;
}

/* An allocation whose failure needs nothing more than its arguments: counted, and a failure submitted. */
static __always_inline int on_slab_submit(void *ctx, void *slots, __u32 probe, unsigned long call_site,
					  const void *ptr, size_t bytes_req, size_t bytes_alloc, unsigned long gfp,
					  int node)
{
	struct fs_event *e = on_slab_alloc(slots, probe, call_site, !ptr, bytes_req, bytes_alloc, gfp, node);

	if (e)
		failure_submit(ctx, e);
	return 0;
}

/* kmalloc's tracepoint arguments, typed (tp_btf), untyped (raw_tp) or classic: one body. */
static __always_inline int on_kmalloc(void *ctx, unsigned long call_site, const void *ptr, size_t bytes_req,
				      size_t bytes_alloc, unsigned long gfp, int node)
{
	return on_slab_submit(ctx, &kmalloc_slots, FS_PROBE_KMALLOC, call_site, ptr, bytes_req, bytes_alloc, gfp, node);
}

SEC("tp_btf/kmalloc")
int BPF_PROG(kmalloc_btf, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, gfp_t gfp, int node)
{
	return on_kmalloc(ctx, call_site, ptr, bytes_req, bytes_alloc, gfp, node);
}

SEC("tracepoint/kmem/kmalloc")
int kmalloc_tp(struct trace_event_raw_kmalloc *ctx)
{
	return on_kmalloc(ctx, ctx->call_site, ctx->ptr, ctx->bytes_req, ctx->bytes_alloc, ctx->gfp_flags, ctx->node);
}

/* A kmem_cache_alloc failure (e, if any) named by its cache, from the typed and the raw program alike. */
static __always_inline int submit_cache_failure(void *ctx, struct fs_event *e, struct kmem_cache *s)
{
	if (e) {
		bpf_probe_read_kernel_str(e->kmalloc.cache, sizeof(e->kmalloc.cache), BPF_CORE_READ(s, name));
		failure_submit(ctx, e);
	}
	return 0;
}

/*
 * Since 6.1 the tracepoint passes the cache; user space checks the prototype before choosing this.
 * s is a typed pointer: plain (CO-RE relocated) loads, not two bpf_probe_read_kernel calls.
 */
SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc_btf, unsigned long call_site, const void *ptr, struct kmem_cache *s,
	     gfp_t gfp, int node)
{
	struct fs_event *e = on_slab_alloc(&kcache_slots, FS_PROBE_KMEM_CACHE_ALLOC, call_site, !ptr,
					   s->object_size, s->size, gfp, node);

	return submit_cache_failure(ctx, e, s);
}

/*
 * Raw tracepoints: the typed variants' arguments, untyped, for kernels whose
 * verifier refuses the typed read of `const void *ptr` (6.1's, 6.12's).  The
 * classic tracepoint would do too, but the kernel skips classic tracepoint
 * programs while it holds BPF instrumentation off (a bpf() map update, and
 * an irq_work interrupting one: bpf_mem_alloc's refills), and kmalloc
 * failures happen exactly there; a raw tracepoint program is skipped only
 * if it interrupts itself.  kmem_cache_alloc's cache is read by CO-RE reads.
 */
SEC("raw_tp/kmalloc")
int BPF_PROG(kmalloc_raw, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, gfp_t gfp, int node)
{
	return on_kmalloc(ctx, call_site, ptr, bytes_req, bytes_alloc, gfp, node);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc_raw, unsigned long call_site, const void *ptr, struct kmem_cache *s,
	     gfp_t gfp, int node)
{
	struct fs_event *e = on_slab_alloc(&kcache_slots, FS_PROBE_KMEM_CACHE_ALLOC, call_site, !ptr,
					   BPF_CORE_READ(s, object_size), BPF_CORE_READ(s, size), gfp, node);

	return submit_cache_failure(ctx, e, s);
}

SEC("tracepoint/kmem/kmem_cache_alloc")
int kmem_cache_alloc_tp(struct trace_event_raw_kmem_cache_alloc *ctx)
{
	struct fs_event *e = on_slab_alloc(&kcache_slots, FS_PROBE_KMEM_CACHE_ALLOC, ctx->call_site, !ctx->ptr,
					   ctx->bytes_req, ctx->bytes_alloc, ctx->gfp_flags, ctx->node);

	if (e) {
		if (bpf_core_field_exists(ctx->__data_loc_name)) {
			__u32 loc = BPF_CORE_READ(ctx, __data_loc_name);

			bpf_probe_read_kernel_str(e->kmalloc.cache, sizeof(e->kmalloc.cache),
						  (void *)ctx + (loc & 0xffff));
		}
		failure_submit(ctx, e);
	}
	return 0;
}

/*
 * Kernels whose BTF has no struct trace_event_raw_kmalloc (5.10 among them)
 * pass both events the kmem_alloc class's arguments, without a node, and
 * trace kmalloc_node and kmem_cache_alloc_node as events of their own: user
 * space loads these four instead of the two above there.  Raw tracepoints,
 * not classic ones: the kernel skips classic tracepoint programs while a
 * bpf() syscall holds BPF instrumentation off (bpf_prog_active), and a BPF
 * map's nowait kmalloc fails exactly there (the fragmentation lab's LPM
 * trie update); 5.10 runs a raw tracepoint program whatever it interrupts.
 */
SEC("raw_tp/kmalloc")
int BPF_PROG(kmalloc_tp_compat, unsigned long call_site, const void *ptr, size_t bytes_req, size_t bytes_alloc,
	     unsigned long gfp)
{
	return on_kmalloc(ctx, call_site, ptr, bytes_req, bytes_alloc, gfp, FS_NUMA_NO_NODE);
}

SEC("raw_tp/kmalloc_node")
int BPF_PROG(kmalloc_node_tp_compat, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, unsigned long gfp, int node)
{
	return on_kmalloc(ctx, call_site, ptr, bytes_req, bytes_alloc, gfp, node);
}

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc_tp_compat, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, unsigned long gfp)
{
	return on_slab_submit(ctx, &kcache_slots, FS_PROBE_KMEM_CACHE_ALLOC, call_site, ptr, bytes_req, bytes_alloc,
			      gfp, FS_NUMA_NO_NODE);
}

SEC("raw_tp/kmem_cache_alloc_node")
int BPF_PROG(kmem_cache_alloc_node_tp_compat, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, unsigned long gfp, int node)
{
	return on_slab_submit(ctx, &kcache_slots, FS_PROBE_KMEM_CACHE_ALLOC, call_site, ptr, bytes_req, bytes_alloc,
			      gfp, node);
}
