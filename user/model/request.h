/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A request: what one caller asked of the kernel's memory, and how it
 * ended.  It is the unit an operator thinks in ("iptables-restore's
 * setsockopt got ENOMEM"), where the allocator emits several events for one
 * request: a kvmalloc whose kmalloc and vmalloc both failed is one request
 * of five allocator failures.
 *
 * The live model (model/requests.c) builds requests from the allocator
 * events of one task, closed by the syscall they were made under; `explain`
 * builds them from the kernel's own allocation-failure reports.  Both fill
 * the evidence they have and call request_classify(), so the live tracer
 * and the log reader give the same causes in the same words.
 */
#ifndef FS_MODEL_REQUEST_H
#define FS_MODEL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"

/* One allocator event's kind, as the per-event failure view names it. */
enum failure_kind {
	FAIL_PAGE,      /* the page allocator returned no page */
	FAIL_THP,       /* ... for a transparent huge page: the fault falls back to small pages */
	FAIL_KMALLOC,   /* kmalloc returned NULL */
	FAIL_SLAB,      /* kmem_cache_alloc returned NULL */
	FAIL_VMALLOC,   /* a page allocation inside vmalloc failed: vmalloc fails */
	FAIL_VMAP_AREA, /* vmalloc found no virtual address space */
	FAIL_KINDS
};

const char *failure_kind_name(enum failure_kind kind);
/* -1 when name is no kind. */
int failure_kind_parse(const char *name);

/* What the caller asked for: the outermost allocation interface of the request. */
enum request_api {
	API_PAGE,       /* alloc_pages and friends */
	API_KMALLOC,
	API_KMEM_CACHE,
	API_VMALLOC,
	API_KVMALLOC,   /* kmalloc, falling back to vmalloc */
	API_THP_FAULT,  /* a transparent huge page for a page fault */
	API_THP_COLLAPSE, /* a huge page to collapse small ones into: khugepaged, MADV_COLLAPSE */
	API_HUGETLB,    /* the hugetlb pool: a reservation or a pool resize */
	API_COMMIT,     /* mmap, brk, mremap, fork...: virtual memory refused before any allocation */
	API_UNTRACED,   /* ENOMEM from an allocation no tracepoint shows (percpu, page tables...) */
	API_COUNT
};

enum request_outcome {
	OUTCOME_FAILED,    /* the caller got NULL: the syscall returned an error, or nothing retried */
	OUTCOME_RECOVERED, /* a fallback or retry succeeded (vmalloc after kmalloc, small pages after THP) */
	OUTCOME_COUNT
};

/* Why the kernel said no.  Names are fragscope's interface: add, never rename. */
enum request_cause {
	CAUSE_UNKNOWN,
	CAUSE_MEMCG_LIMIT,          /* the memory cgroup was at its limit */
	CAUSE_FRAGMENTATION,        /* free memory, but no free block of the order */
	CAUSE_LOW_MEMORY,           /* free memory below the watermark, reclaim did not help */
	CAUSE_NO_RECLAIM_CONTEXT,   /* an atomic/nowait request: it never reclaimed or compacted */
	CAUSE_COMMIT_LIMIT,         /* overcommit_memory=2: Committed_AS would pass CommitLimit */
	CAUSE_OVERCOMMIT_HEURISTIC, /* overcommit_memory=0: more than RAM + swap in one go */
	CAUSE_RLIMIT,               /* RLIMIT_AS or RLIMIT_DATA */
	CAUSE_MAX_MAP_COUNT,        /* vm.max_map_count mappings already */
	CAUSE_VMAP_SPACE,           /* no vmalloc address space */
	CAUSE_HUGETLB_POOL,         /* the hugetlb pool had fewer pages than asked */
	CAUSE_CPUSET_OR_MEMPOLICY,  /* the nodes the task may use were short, others were not */
	CAUSE_COUNT
};

/* Where the request was made: what could have waited, and who gets the error. */
enum request_context {
	CONTEXT_SYSCALL, /* a task in a system call: the syscall's return is the outcome */
	CONTEXT_FAULT,   /* a task's page fault (no syscall) */
	CONTEXT_KTHREAD, /* a kernel thread: closed when its next allocation succeeds, or idle */
	CONTEXT_IRQ,     /* a hard interrupt: not a request of the task it interrupted */
	CONTEXT_SOFTIRQ, /* softirq (network receive...): same */
	CONTEXT_TASK,    /* a task outside a syscall we saw return (closed idle) */
	CONTEXT_COUNT
};

const char *request_api_name(enum request_api api);
const char *request_outcome_name(enum request_outcome outcome);
const char *request_cause_name(enum request_cause cause);
const char *request_context_name(enum request_context context);
/* -1 for an unknown name. */
int request_api_parse(const char *name);

/* Which parts of struct cause_evidence are filled. */
enum evidence_part {
	EVIDENCE_MEMCG = 1u << 0,
	EVIDENCE_ZONES = 1u << 1,
	EVIDENCE_COMMIT = 1u << 2,
	EVIDENCE_RLIMIT = 1u << 3,
	EVIDENCE_MAP_COUNT = 1u << 4,
	EVIDENCE_HUGETLB = 1u << 5,
	EVIDENCE_VMAP = 1u << 6,
	EVIDENCE_NODES = 1u << 7,
};

/* The mempolicy modes (include/uapi/linux/mempolicy.h), as the kernel stores them. */
enum policy_mode {
	POLICY_DEFAULT = 0,
	POLICY_PREFERRED = 1,
	POLICY_BIND = 2,
	POLICY_INTERLEAVE = 3,
	POLICY_LOCAL = 4,
	POLICY_PREFERRED_MANY = 5,
	POLICY_WEIGHTED_INTERLEAVE = 6,
};

#define EVIDENCE_MAX_ZONES 4
#define ZONE_NAME_LEN 12

/* One zone's free memory at the time of the request, in pages. */
struct zone_evidence {
	char name[ZONE_NAME_LEN]; /* "Normal", "DMA32" */
	uint32_t node;
	uint64_t free_pages;
	uint64_t min_pages, low_pages, high_pages; /* watermarks */
	uint64_t free_blocks[FS_ORDERS];           /* free blocks of each order */
};

enum rlimit_kind { RLIMIT_KIND_NONE, RLIMIT_KIND_AS, RLIMIT_KIND_DATA };

/* The numbers that prove a cause; `have` says which parts are known. */
struct cause_evidence {
	uint32_t have; /* enum evidence_part bits */
	uint64_t memcg_usage_bytes, memcg_limit_bytes;
	struct zone_evidence zones[EVIDENCE_MAX_ZONES]; /* the zones the request could use */
	uint32_t nr_zones;
	uint32_t overcommit_memory;
	uint64_t committed_as_kb, commit_limit_kb;
	/* Held back from this caller (__vm_enough_memory()): the admin reserve
	 * unless it had CAP_SYS_ADMIN, and min(its size / 32, the user reserve). */
	uint64_t commit_reserve_kb;
	uint64_t mm_total_vm_kb; /* the caller's mapped memory */
	uint32_t caps_read;      /* the caller's capabilities are known: */
	uint32_t cap_sys_admin;  /* it had CAP_SYS_ADMIN */
	uint64_t ram_swap_kb; /* what the heuristic (mode 0) allows in one request: RAM + swap */
	uint32_t rlimit;      /* enum rlimit_kind */
	uint64_t rlimit_bytes, rlimit_used_bytes;
	uint64_t map_count, max_map_count;
	uint64_t hugetlb_asked, hugetlb_got; /* pages */
	uint64_t vmap_bytes;
	/* The task's nodes at its first page failure, nodes 0-63 a bit each (struct fs_page_fail). */
	uint32_t policy_mode;  /* enum policy_mode */
	uint32_t nodes_read;   /* enum fs_nodes_read */
	uint64_t policy_nodes; /* its mempolicy's nodes */
	uint64_t cpuset_nodes; /* its cpuset's mems_allowed */
	char missing[96]; /* for CAUSE_UNKNOWN: what was not there to decide */
};

/* One allocator event a request is made of. */
struct request_event {
	uint8_t kind; /* enum failure_kind */
	uint8_t order;
	uint16_t pad;
	uint32_t repeats; /* the same event again at once: the kernel traces a failed large kmalloc twice */
	uint64_t bytes;
};

#define REQUEST_MAX_EVENTS 8
#define REQUEST_CALLER_LEN 64
#define REQUEST_CGROUP_LEN 128
#define REQUEST_LOG_LEN 200

struct request {
	uint64_t ts_ns;  /* the first event, CLOCK_MONOTONIC */
	uint64_t end_ns; /* closed: syscall exit, or the last event */
	uint32_t pid, tid;
	char comm[FS_COMM_LEN]; /* at the time of the request */
	uint64_t cgroup_id;     /* memory cgroup; its path is in cgroup */
	char cgroup[REQUEST_CGROUP_LEN];
	uint8_t context;        /* enum request_context */
	uint8_t api;            /* enum request_api */
	uint8_t outcome;        /* enum request_outcome */
	uint8_t cause;          /* enum request_cause */
	uint32_t order;         /* of the outermost allocation */
	uint64_t bytes;         /* asked by the caller */
	uint64_t gfp;
	bool can_reclaim;       /* the gfp mode allowed direct reclaim and compaction */
	char gfp_text[96];      /* the gfp mode in words, when the source had it as text (explain) */
	char caller[REQUEST_CALLER_LEN]; /* the first function outside the allocators */
	uint32_t stack_id;      /* the outermost event's stack in the model's table; UINT32_MAX: none */
	int32_t syscall;        /* -1: none seen */
	int64_t ret;            /* the syscall's return, when it was an error */
	struct cause_evidence evidence;
	struct request_event events[REQUEST_MAX_EVENTS];
	uint32_t nr_events;
	uint32_t events_not_listed; /* beyond REQUEST_MAX_EVENTS */
	char kernel_log[REQUEST_LOG_LEN]; /* the kernel's own line for it, when one was seen */
	uint32_t count;   /* listed: how many times this same request closed (1 for one) */
	uint64_t last_ns; /* listed: when it last did */
};

#define REQUEST_NO_STACK UINT32_MAX

/* How many requests a record stands for: its count, at least 1 (built outside a request table). */
static inline uint32_t request_count(const struct request *r)
{
	return r->count ? r->count : 1;
}

/* A request with nothing known yet. */
void request_init(struct request *r);
/* Adds an allocator event; an identical event right after the last is a repeat, not a new one. */
void request_add_event(struct request *r, enum failure_kind kind, uint32_t order, uint64_t bytes);
/*
 * Was a memory cgroup at its limit for a request?  Failing to charge, the
 * kernel reclaims the cgroup first, so within a sliver (1/64) of the limit
 * after the request counts.  Any unit, the same for all three.
 */
bool memcg_at_limit(uint64_t usage, uint64_t limit, uint64_t request);
/* The highest order with a free block in the zone; -1 when it has none. */
int zone_largest_free_order(const struct zone_evidence *z);
bool request_has_event(const struct request *r, enum failure_kind kind);
/*
 * The nodes a request could take from (bit n: node n): its cpuset's, and
 * its policy's under MPOL_BIND, the one mode that does not fall back to
 * other nodes; every node when neither was read.
 */
uint64_t request_allowed_nodes(const struct cause_evidence *ev);
/* The nodes whose zones the evidence holds, a bit each. */
uint64_t evidence_zone_nodes(const struct cause_evidence *ev);
const char *policy_mode_name(uint32_t mode);
/* What the zones (evidence.zones) on the nodes the request could use showed for its order. */
enum zone_finding {
	ZONES_SHORT,      /* no zone above its min watermark by the request's size */
	ZONES_FRAGMENTED, /* some zone was, but none of those had a free block of the order */
	ZONES_BLOCK_FREE, /* a zone above the watermark had a block of the order when sampled */
	ZONES_ELSEWHERE,  /* none had, but a zone of a node its cpuset or mempolicy kept it from did */
};
enum zone_finding request_zone_finding(const struct request *r);
/* Decides r->cause from r's api, order, gfp and evidence; fills evidence.missing for unknown. */
enum request_cause request_classify(struct request *r);

/*
 * Is this function part of the allocators (so not the caller responsible)?
 * Matches the kernel's names across versions (_noprof suffixes, .isra...).
 */
bool allocator_function(const char *name);

#endif
