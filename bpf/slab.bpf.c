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

/* Returns the failure event to complete and submit, or NULL when there is none. */
static __always_inline struct fs_event *on_slab_alloc(__u32 probe, __u64 call_site, bool failed,
						      __u64 bytes_req, __u64 bytes_alloc, __u64 gfp,
						      __s32 node)
{
	struct fs_callsite_key key = { .call_site = call_site, .is_cache = probe == FS_PROBE_KMEM_CACHE_ALLOC };
	struct fs_callsite_value *v;
	struct fs_event *e;

	if (task_excluded())
		return NULL;
	count(FS_CTR_PROBE_HITS + probe);
	v = bpf_map_lookup_elem(&callsites, &key);
	if (v) {
		v->count++;
		v->bytes_req += bytes_req;
		v->bytes_alloc += bytes_alloc;
		v->failures += failed;
	} else {
		struct fs_callsite_value init = { 1, bytes_req, bytes_alloc, failed };

		count_map_full(bpf_map_update_elem(&callsites, &key, &init, BPF_NOEXIST), FS_MAP_CALLSITE);
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

SEC("tp_btf/kmalloc")
int BPF_PROG(kmalloc_btf, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, gfp_t gfp, int node)
{
	struct fs_event *e = on_slab_alloc(FS_PROBE_KMALLOC, call_site, !ptr, bytes_req, bytes_alloc, gfp, node);

	if (e)
		event_submit(ctx, e);
	return 0;
}

SEC("tracepoint/kmem/kmalloc")
int kmalloc_tp(struct trace_event_raw_kmalloc *ctx)
{
	struct fs_event *e = on_slab_alloc(FS_PROBE_KMALLOC, ctx->call_site, !ctx->ptr, ctx->bytes_req,
					   ctx->bytes_alloc, ctx->gfp_flags, ctx->node);

	if (e)
		event_submit(ctx, e);
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
	struct fs_event *e = on_slab_alloc(FS_PROBE_KMEM_CACHE_ALLOC, call_site, !ptr,
					   s->object_size, s->size, gfp, node);

	if (e) {
		bpf_probe_read_kernel_str(e->kmalloc.cache, sizeof(e->kmalloc.cache), BPF_CORE_READ(s, name));
		event_submit(ctx, e);
	}
	return 0;
}

SEC("tracepoint/kmem/kmem_cache_alloc")
int kmem_cache_alloc_tp(struct trace_event_raw_kmem_cache_alloc *ctx)
{
	struct fs_event *e = on_slab_alloc(FS_PROBE_KMEM_CACHE_ALLOC, ctx->call_site, !ctx->ptr,
					   ctx->bytes_req, ctx->bytes_alloc, ctx->gfp_flags, ctx->node);

	if (e) {
		if (bpf_core_field_exists(ctx->__data_loc_name)) {
			__u32 loc = BPF_CORE_READ(ctx, __data_loc_name);

			bpf_probe_read_kernel_str(e->kmalloc.cache, sizeof(e->kmalloc.cache),
						  (void *)ctx + (loc & 0xffff));
		}
		event_submit(ctx, e);
	}
	return 0;
}
