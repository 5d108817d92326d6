/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The structures that cross from the BPF programs to user space: ring-buffer
 * events, map keys and values, and the indices of the counter arrays.
 *
 * This header is included by both sides, so it uses only fixed-width types.  Every layout here is also the on-disk
 * layout of a record file's event stream: change one and bump
 * FS_RECORD_FORMAT_VERSION in user/record/record_format.h.
 */
#ifndef FRAGSCOPE_H
#define FRAGSCOPE_H

/*
 * Fixed-width types that are the very types each side uses for 64-bit
 * values (user space: uint64_t, unsigned long on LP64; BPF: __u64), so
 * pointers to fields mix with either side's code without casts.
 */
#ifdef __VMLINUX_H__
typedef __u64 fs_u64;
typedef __s32 fs_s32;
typedef __u32 fs_u32;
typedef __u16 fs_u16;
typedef __u8 fs_u8;
#else
#include <stdint.h>
typedef uint64_t fs_u64;
typedef int32_t fs_s32;
typedef uint32_t fs_u32;
typedef uint16_t fs_u16;
typedef uint8_t fs_u8;
#endif

#define FS_COMM_LEN 16
#define FS_CACHE_NAME_LEN 24
/* The kernel's own cap (sysctl kernel.perf_event_max_stack defaults to 127). */
#define FS_MAX_FRAMES 127

/* Array dimensions are powers of two so an index is a shift, not a multiply. */
#define FS_ORDERS 16 /* MAX_PAGE_ORDER is 10 on x86; room for larger configs */
#define FS_MIGRATETYPES 8
#define FS_GFP_CLASSES 4

/*
 * How a page allocation may behave under pressure, derived from its gfp
 * flags in the kernel using bit values user space reads from the running
 * kernel.  It is orthogonal to the migratetype: it says whether the caller
 * could wait for reclaim/compaction and whether it expects to fail.
 */
enum fs_gfp_class {
	FS_GFP_ATOMIC = 0,  /* no direct reclaim, may use reserves (__GFP_HIGH) */
	FS_GFP_NOWAIT = 1,  /* no direct reclaim, no reserves */
	FS_GFP_MAYFAIL = 2, /* direct reclaim, but __GFP_NORETRY/__GFP_RETRY_MAYFAIL */
	FS_GFP_NORMAL = 3,  /* direct reclaim, retries hard (GFP_KERNEL, GFP_USER...) */
};

static inline unsigned int fs_page_alloc_index(unsigned int order, unsigned int migratetype,
					       unsigned int gfp_class)
{
	return (order * FS_MIGRATETYPES + migratetype) * FS_GFP_CLASSES + gfp_class;
}
#define FS_PAGE_ALLOC_SLOTS (FS_ORDERS * FS_MIGRATETYPES * FS_GFP_CLASSES)

/* Ring-buffer event types: what must not be lost. */
enum fs_event_type {
	FS_EV_PAGE_FAIL = 1,    /* mm_page_alloc returned no page */
	FS_EV_KMALLOC_FAIL = 2, /* kmalloc returned NULL */
	FS_EV_SLAB_FAIL = 3,    /* kmem_cache_alloc returned NULL */
	FS_EV_VMAP_FAIL = 4,    /* alloc_vmap_area failed: no vmalloc address space */
	FS_EV_COMPACT = 5,      /* one zone's direct compaction inside an allocation */
	FS_EV_RECLAIM = 6,      /* one direct or memcg reclaim stall */
	FS_EV_OOM = 7,          /* the OOM killer chose a victim */
	FS_EV_SYSCALL_END = 8,  /* a task with failures returned from its syscall, or a syscall returned ENOMEM */
	FS_EV_TYPES
};

/* Which reclaim a FS_EV_RECLAIM measured. */
enum fs_reclaim_kind {
	FS_RECLAIM_DIRECT = 0, /* global direct reclaim: the zone was short */
	FS_RECLAIM_MEMCG = 1,  /* memcg limit reclaim: the cgroup was full */
};

struct fs_event_header {
	fs_u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	fs_u64 cgroup_id; /* id of the task's memory-controller cgroup (its inode number) */
	fs_u32 type;
	fs_u32 pid; /* tgid */
	fs_u32 tid;
	fs_u32 cpu;
	char comm[FS_COMM_LEN];
	/* The memory cgroup's charge and limit when the event happened, in
	 * pages: a failure at the limit is the cgroup's, not fragmentation. */
	fs_u64 memcg_usage_pages;
	fs_u64 memcg_limit_pages;
	fs_u16 nr_frames; /* valid entries of the event's frames[] */
	fs_u16 flags;     /* FS_HDR_* */
	fs_u16 pad[2];
};

/* fs_event_header.flags (zero in records written before they existed). */
#define FS_HDR_CAPS_READ (1u << 0) /* the task's capabilities were read: FS_HDR_CAP_SYS_ADMIN is meaningful */
#define FS_HDR_CAP_SYS_ADMIN (1u << 1) /* the task had CAP_SYS_ADMIN (no admin reserve in the commit limit) */

struct fs_page_fail {
	fs_u64 gfp;
	fs_u32 order;
	fs_s32 migratetype;
	/* The size of the task's latest vmalloc area: what a vmalloc failing its pages asked (format 3). */
	fs_u64 vmalloc_bytes;
	/*
	 * The nodes the task could take from when it failed (format 5), nodes
	 * 0-63 a bit each: its mempolicy's mode (MPOL_*, the uapi numbers;
	 * MPOL_DEFAULT without a policy) and nodes, and its cpuset's
	 * mems_allowed.  nodes_read says which were read (enum fs_nodes_read).
	 */
	fs_u64 policy_nodes;
	fs_u64 cpuset_nodes;
	fs_u16 policy_mode;
	fs_u16 nodes_read;
	fs_u32 pad;
};

enum fs_nodes_read {
	FS_NODES_POLICY = 1 << 0, /* policy_mode and policy_nodes */
	FS_NODES_CPUSET = 1 << 1, /* cpuset_nodes */
};

struct fs_kmalloc_fail {
	fs_u64 call_site;
	fs_u64 bytes_req;
	fs_u64 bytes_alloc;
	fs_u64 gfp;
	fs_s32 node;
	fs_u32 pad;
	char cache[FS_CACHE_NAME_LEN]; /* kmem_cache name, empty for kmalloc */
};

struct fs_vmap_fail {
	fs_u64 size;
	fs_u64 align;
	fs_u64 vstart;
	fs_u64 vend;
};

struct fs_compact {
	fs_u64 try_ts_ns;   /* when try_to_compact_pages started: the stall's start */
	fs_u64 begin_ts_ns; /* this zone's compaction began; 0: the attempt found its zones deferred */
	fs_u64 gfp;
	fs_u64 zone_start_pfn;
	fs_u32 order;
	fs_s32 priority;
	fs_s32 status; /* enum compact_result */
	fs_u32 sync;
};

struct fs_reclaim {
	fs_u64 begin_ts_ns;
	fs_u64 gfp;
	fs_u64 nr_reclaimed;
	fs_s32 order;
	fs_u32 kind; /* enum fs_reclaim_kind */
};

struct fs_oom {
	fs_u64 total_vm_kb;
	fs_u64 anon_rss_kb;
	fs_u64 file_rss_kb;
	fs_u64 shmem_rss_kb;
	fs_u64 pgtables_kb;
	fs_u32 victim_pid;
	fs_u32 uid;
	fs_s32 oom_score_adj;
	fs_u32 pad;
	char victim_comm[FS_COMM_LEN];
};

/*
 * FS_EV_SYSCALL_END: what closes a request made under a syscall, and the
 * evidence for ENOMEM that never reached an allocator (commit limit,
 * rlimits).  No stack: the exit path says nothing.  Sized to keep the
 * event union, and so the record layout, as it was (72 bytes).
 */
struct fs_syscall_end {
	fs_u64 args[4];      /* the syscall's first four arguments */
	fs_s32 nr;           /* syscall number, -1 if unknown */
	fs_s32 ret;          /* the return value if negative (an errno), else 0 */
	fs_u32 nr_failures;  /* allocator failures of the task since its last syscall exit (0: none) */
	fs_u32 map_count;    /* the task's mm: mappings */
	fs_u32 total_vm;     /* pages mapped */
	fs_u32 data_vm;      /* pages of private writable mappings (RLIMIT_DATA) */
	fs_u64 rlimit_as;    /* RLIMIT_AS and RLIMIT_DATA soft limits, bytes (~0: unlimited) */
	fs_u64 rlimit_data;
};

/* A task's request in flight: opened by its first allocator failure, closed at its syscall exit. */
struct fs_open_request {
	fs_u64 first_ts_ns;
	fs_u32 nr_failures;
	fs_u32 pad;
};

/*
 * Events are written with only nr_frames of frames[], so a record is
 * fs_event_size(nr_frames) bytes long, not sizeof(struct fs_event).
 */
struct fs_event {
	struct fs_event_header hdr;
	union {
		struct fs_page_fail page;
		struct fs_kmalloc_fail kmalloc;
		struct fs_vmap_fail vmap;
		struct fs_compact compact;
		struct fs_reclaim reclaim;
		struct fs_oom oom;
		struct fs_syscall_end sys;
	};
	fs_u64 frames[FS_MAX_FRAMES];
};

#define FS_EVENT_FIXED_SIZE (sizeof(struct fs_event) - FS_MAX_FRAMES * sizeof(fs_u64))
#define fs_event_size(nr_frames) (FS_EVENT_FIXED_SIZE + (nr_frames) * sizeof(fs_u64))

/*
 * Per-process counts of page allocations at or above min_order.  The comm
 * is the task's at the time of the allocation, part of the key: a process
 * that execs counts its pages under its new name, not its parent shell's.
 */
struct fs_proc_key {
	fs_u64 cgroup_id;
	fs_u32 pid;
	fs_u32 order;
	char comm[FS_COMM_LEN];
};

struct fs_proc_value {
	fs_u64 count;
};

/* kmalloc / kmem_cache_alloc per call site. */
struct fs_callsite_key {
	fs_u64 call_site;
	fs_u32 is_cache; /* 0: kmalloc, 1: kmem_cache_alloc */
	fs_u32 pad;
};

struct fs_callsite_value {
	fs_u64 count;
	fs_u64 bytes_req;
	fs_u64 bytes_alloc;
	fs_u64 failures;
};

/*
 * A direct-mapped, per-CPU cache in front of the callsites hash map, one
 * per probe (kmalloc, kmem_cache_alloc): a call site's successful
 * allocations are added in place in a slot (an inlined array access
 * instead of a hash lookup).  A call site hashes to a pair of adjacent
 * slots (two ways); the first call sites to reach an empty slot of the
 * pair on a CPU keep it; a call site whose two slots are taken, and every
 * failure, goes to the hash map.  User space sums both into one entry
 * per call site (struct fs_callsite_key/value) and derives the probe's
 * hit count from them.  Not part of the record format: only the summed
 * entries are recorded.
 */
#define FS_CALLSITE_SLOTS_LOG2 9
#define FS_CALLSITE_SLOTS (1u << FS_CALLSITE_SLOTS_LOG2)

struct fs_callsite_slot {
	fs_u64 call_site; /* 0: empty */
	fs_u64 count;
	fs_u64 bytes_req;
	fs_u64 bytes_alloc;
};

struct fs_callsite_slots {
	struct fs_callsite_slot slot[FS_CALLSITE_SLOTS];
};

/* Fibonacci hashing: the top bits of the product, so every address bit counts. */
static inline unsigned int fs_callsite_slot_index(fs_u64 call_site)
{
	return (unsigned int)((call_site * 0x9E3779B97F4A7C15ULL) >> (64 - FS_CALLSITE_SLOTS_LOG2));
}

/* One kmem:mm_page_alloc_extfrag shape: exact counts, aggregated in the kernel. */
struct fs_extfrag_key {
	fs_u8 alloc_order;
	fs_u8 fallback_order;
	fs_u8 alloc_migratetype;
	fs_u8 fallback_migratetype;
	fs_u8 change_ownership; /* the whole pageblock changed type: pollution */
	fs_u8 pad[3];
};

/* What a counted kernel stack is a stack of. */
enum fs_stack_kind {
	FS_STACK_HIGH_ORDER = 0, /* a page allocation at or above stack_order */
	FS_STACK_EXTFRAG = 1,    /* a fallback into another migratetype's pageblock */
};

struct fs_stack_key {
	fs_s32 stack_id; /* in the stack-trace map */
	fs_u8 kind;      /* enum fs_stack_kind */
	fs_u8 order;
	fs_u8 migratetype;          /* requested */
	fs_u8 fallback_migratetype; /* extfrag only */
};

/* Direct compaction in progress on a task, keyed by tid. */
struct fs_compact_try {
	fs_u64 ts_ns;
	fs_u64 gfp;
	fs_u64 zone_begin_ts_ns;
	fs_u32 order;
	fs_s32 priority;
	fs_u32 zones_compacted;   /* zones of this attempt that began compacting */
	fs_u32 deferred_streamed; /* its all-deferred event is out (once per attempt) */
};

/* Reclaim in progress on a task, keyed by tid. */
struct fs_reclaim_start {
	fs_u64 ts_ns;
	fs_u64 gfp;
	fs_s32 order;
	fs_u32 kind;
};

/*
 * The probes fragscope attaches, in one list shared by the programs (which
 * count their hits) and user space (which names them and reports them).
 */
enum fs_probe {
	FS_PROBE_PAGE_ALLOC,
	FS_PROBE_EXTFRAG,
	FS_PROBE_KMALLOC,
	FS_PROBE_KMEM_CACHE_ALLOC,
	FS_PROBE_COMPACT_TRY,
	FS_PROBE_COMPACT_BEGIN,
	FS_PROBE_COMPACT_END,
	FS_PROBE_COMPACT_DEFERRED,
	FS_PROBE_KCOMPACTD_WAKE,
	FS_PROBE_VMAP_AREA,
	FS_PROBE_DIRECT_RECLAIM_BEGIN,
	FS_PROBE_DIRECT_RECLAIM_END,
	FS_PROBE_MEMCG_RECLAIM_BEGIN,
	FS_PROBE_MEMCG_RECLAIM_END,
	FS_PROBE_OOM_VICTIM,
	FS_PROBE_SYSCALL_EXIT, /* raw_tp: closes requests (bpf/request.bpf.c) */
	FS_PROBE_TASK_EXIT,    /* forgets the requests of tasks killed inside a syscall */
	FS_PROBES
};

/*
 * Slots of the per-CPU "counters" array.  Everything that is counted rather
 * than aggregated by key lives here, so user space reads it in one lookup.
 */
enum fs_map_id {
	FS_MAP_PROC,
	FS_MAP_CALLSITE,
	FS_MAP_EXTFRAG,
	FS_MAP_STACK_COUNTS,
	/* LRU maps, whose oldest entry makes room: never full, so never counted; the slots keep the record layout. */
	FS_MAP_COMPACT_TRIES,
	FS_MAP_RECLAIM_STARTS,
	FS_MAP_OPEN_REQUESTS,
	FS_MAPS
};

/*
 * FS_CTR_PROBE_HITS: events per probe.  The three hot probes do not count
 * here per event: mm_page_alloc's hits are the sum of the page_allocs array
 * (the reports sum it), and the kmalloc and kmem_cache_alloc programs count
 * here only the events the call-site map had no room for; user space adds
 * the call-site counts when it reads the maps, so the sum is exact.
 */
#define FS_CTR_PROBE_HITS 0                                /* [FS_PROBES] */
#define FS_CTR_LOST (FS_CTR_PROBE_HITS + FS_PROBES)        /* [FS_EV_TYPES]: ring buffer full */
#define FS_CTR_MAP_FULL (FS_CTR_LOST + FS_EV_TYPES)        /* [FS_MAPS]: keyed map full */
#define FS_CTR_STACK_COLLISION (FS_CTR_MAP_FULL + FS_MAPS) /* stack map bucket held another stack */
#define FS_CTR_STACK_ERROR (FS_CTR_STACK_COLLISION + 1)    /* stack not taken for another reason */
#define FS_CTR_DEFERRED (FS_CTR_STACK_ERROR + 1)           /* [FS_ORDERS]: compaction deferred */
#define FS_CTR_KCOMPACTD_WAKE (FS_CTR_DEFERRED + FS_ORDERS) /* [FS_ORDERS] */
#define FS_CTR_BG_COMPACT (FS_CTR_KCOMPACTD_WAKE + FS_ORDERS) /* zone compactions outside allocations */
#define FS_CTR_VMAP_AREA (FS_CTR_BG_COMPACT + 1)           /* vmap areas allocated */
/*
 * Requests, counted in the kernel so that their number stays exact when
 * the ring buffer drops their detail: opened (a task's first failure since
 * its last syscall exit), closed at a syscall exit by the syscall's result,
 * and ENOMEM returns with no allocator failure before them.
 */
#define FS_CTR_REQUEST_OPENED (FS_CTR_VMAP_AREA + 1)
#define FS_CTR_REQUEST_SYSCALL_FAILED (FS_CTR_REQUEST_OPENED + 1)
#define FS_CTR_REQUEST_SYSCALL_OK (FS_CTR_REQUEST_SYSCALL_FAILED + 1)
#define FS_CTR_ENOMEM_NO_ALLOC (FS_CTR_REQUEST_SYSCALL_OK + 1)
/*
 * Failed page allocations by order: counted (not only sent as events,
 * which the ring buffer may drop) because deriving order 0 from the
 * kernel's pgalloc counters subtracts the pages of the successful
 * allocations of each order >= 1 (snapshot_order0_from_vmstat()).
 */
#define FS_CTR_PAGE_FAIL (FS_CTR_ENOMEM_NO_ALLOC + 1) /* [FS_ORDERS] */
#define FS_COUNTERS (FS_CTR_PAGE_FAIL + FS_ORDERS)

#endif /* FRAGSCOPE_H */
