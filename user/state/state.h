/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's memory fragmentation state as /proc and /sys show it:
 * parsers over a redirectable root ("/" normally, a fixture tree in tests),
 * the kernel's own fragmentation indices, and a fixed-size sample that a
 * recording can write to a file as bytes.
 *
 * Nothing here needs BPF or root, except /proc/pagetypeinfo (mode 0400),
 * which is also expensive for the kernel to produce (it walks every free
 * list under the zone lock), so it is read only when asked.
 */
#ifndef FS_STATE_STATE_H
#define FS_STATE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fragscope.h"

#define STATE_MAX_ZONES 128        /* zoneinfo lists every zone of every node */
#define STATE_SAMPLE_MAX_ZONES 64  /* populated zones only */
#define STATE_MAX_PROTECTION 8     /* lowmem_reserve[] has MAX_NR_ZONES entries */
#define STATE_NAME_LEN 16
#define STATE_VMSTAT_MAX 512
#define STATE_VMSTAT_NAME_LEN 48
#define STATE_PATH_MAX 512

/* pagetypeinfo stops counting a free list at this many blocks, printing ">100000". */
#define STATE_PAGETYPEINFO_CAP 100000

enum state_status {
	STATE_OK = 0,
	STATE_ERR_IO = -1,     /* a required file could not be opened or read */
	STATE_ERR_FORMAT = -2, /* a file is malformed, truncated or beyond our limits */
};

/* Where and why reading failed: "path:line: message". */
struct state_error {
	int status;
	int sys_errno; /* for STATE_ERR_IO */
	unsigned int line; /* 0 when the problem is not one line's */
	char path[STATE_PATH_MAX];
	char message[256];
};

void state_error_print(const struct state_error *err, FILE *out);

/* vmstat counters worth following over time; state_counter_name() names them. */
enum state_counter {
	STATE_CNT_COMPACT_STALL,
	STATE_CNT_COMPACT_FAIL,
	STATE_CNT_COMPACT_SUCCESS,
	STATE_CNT_COMPACT_DAEMON_WAKE,
	STATE_CNT_COMPACT_MIGRATE_SCANNED,
	STATE_CNT_COMPACT_FREE_SCANNED,
	STATE_CNT_COMPACT_ISOLATED,
	STATE_CNT_THP_FAULT_ALLOC,
	STATE_CNT_THP_FAULT_FALLBACK,
	STATE_CNT_THP_COLLAPSE_ALLOC,
	STATE_CNT_THP_COLLAPSE_ALLOC_FAILED,
	STATE_CNT_ALLOCSTALL,      /* sum of allocstall_<zone> */
	STATE_CNT_PGSTEAL_KSWAPD,
	STATE_CNT_PGSTEAL_DIRECT,
	STATE_CNT_PGSCAN_KSWAPD,
	STATE_CNT_PGSCAN_DIRECT,
	STATE_CNT_PGMIGRATE_SUCCESS,
	STATE_CNT_PGMIGRATE_FAIL,
	STATE_CNT_OOM_KILL,
	STATE_CNT_NR_FREE_PAGES,
	STATE_CNT_COUNT
};

struct state_counters {
	uint64_t value[STATE_CNT_COUNT];
	uint64_t present; /* bit i: counter i was in the file */
};

/* /proc/meminfo lines worth keeping, in the file's units (kB, HugePages_* in pages). */
enum state_meminfo_key {
	STATE_MEM_TOTAL,
	STATE_MEM_FREE,
	STATE_MEM_AVAILABLE,
	STATE_MEM_BUFFERS,
	STATE_MEM_CACHED,
	STATE_MEM_ANON_PAGES,
	STATE_MEM_SLAB,
	STATE_MEM_SRECLAIMABLE,
	STATE_MEM_SUNRECLAIM,
	STATE_MEM_KERNEL_STACK,
	STATE_MEM_PAGE_TABLES,
	STATE_MEM_VMALLOC_USED,
	STATE_MEM_PERCPU,
	STATE_MEM_SWAP_TOTAL,
	STATE_MEM_SWAP_FREE,
	STATE_MEM_COMMIT_LIMIT,
	STATE_MEM_COMMITTED_AS,
	STATE_MEM_ANON_HUGE_PAGES,
	STATE_MEM_HUGEPAGES_TOTAL,
	STATE_MEM_HUGEPAGES_FREE,
	STATE_MEM_HUGEPAGES_RSVD,
	STATE_MEM_HUGEPAGES_SURP,
	STATE_MEM_HUGEPAGESIZE,
	STATE_MEM_COUNT
};

struct state_meminfo {
	uint64_t value[STATE_MEM_COUNT];
	uint64_t present;
};

/* /proc/sys/vm files; state_sysctl_name() gives "vm.<file>". */
enum state_sysctl {
	STATE_SYSCTL_MIN_FREE_KBYTES,
	STATE_SYSCTL_WATERMARK_SCALE_FACTOR,
	STATE_SYSCTL_WATERMARK_BOOST_FACTOR,
	STATE_SYSCTL_EXTFRAG_THRESHOLD,
	STATE_SYSCTL_COMPACTION_PROACTIVENESS,
	STATE_SYSCTL_OVERCOMMIT_MEMORY,
	STATE_SYSCTL_OVERCOMMIT_RATIO,
	STATE_SYSCTL_OVERCOMMIT_KBYTES,
	STATE_SYSCTL_ZONE_RECLAIM_MODE,
	/* version 3 samples */
	STATE_SYSCTL_ADMIN_RESERVE_KBYTES,
	STATE_SYSCTL_USER_RESERVE_KBYTES,
	STATE_SYSCTL_COUNT
};

/* The sysctls a version 2 sample holds: those before the version 3 ones. */
#define STATE_SYSCTL_V2_COUNT STATE_SYSCTL_ADMIN_RESERVE_KBYTES

struct state_sysctls {
	int64_t value[STATE_SYSCTL_COUNT];
	uint64_t present;
	/* The [selected] word of /sys/kernel/mm/transparent_hugepage/{enabled,defrag}. */
	char thp_enabled[STATE_NAME_LEN];
	char thp_defrag[STATE_NAME_LEN];
	uint32_t has_thp; /* a flag; a fixed-size field so that samples can hold this struct as bytes */
	uint32_t reserved;
};

/*
 * What the indices and the watermark check need of one zone.  Pointer-free
 * and without implicit padding, so a sample holding it is plain bytes.
 */
struct state_zone_free {
	int32_t node;
	uint32_t nr_orders; /* 0: not in buddyinfo (an unpopulated zone) */
	char name[STATE_NAME_LEN];
	uint64_t free_blocks[FS_ORDERS]; /* buddyinfo: free blocks of each order */
	/* zoneinfo, in pages */
	uint64_t pages_free;
	uint64_t managed;
	uint64_t wmark_min;
	uint64_t wmark_low;
	uint64_t wmark_high;
	uint64_t lowmem_reserve; /* the largest protection[] entry */
	uint64_t free_cma;
	/* pagetypeinfo, when it was read (has_types) */
	uint64_t reserved_highatomic; /* pages in HighAtomic pageblocks */
	uint64_t free_blocks_pcptypes[FS_ORDERS]; /* on Unmovable/Movable/Reclaimable lists */
	uint32_t has_zoneinfo;
	uint32_t has_types;
};

struct state_zone {
	struct state_zone_free core;
	bool populated; /* listed in buddyinfo */
	/* zoneinfo */
	uint64_t boost;
	uint64_t spanned;
	uint64_t present;
	uint64_t start_pfn;
	uint64_t nr_free_pages;
	unsigned int nr_protection;
	int64_t protection[STATE_MAX_PROTECTION];
	bool node_unreclaimable;
	/* pagetypeinfo */
	bool has_pageblocks;
	uint64_t free_by_type[FS_MIGRATETYPES][FS_ORDERS];
	/* bit o: the count at order o was printed as ">100000" and is a lower bound */
	uint32_t capped_by_type[FS_MIGRATETYPES];
	uint64_t pageblocks[FS_MIGRATETYPES];
};

struct state_vmstat_entry {
	char name[STATE_VMSTAT_NAME_LEN];
	uint64_t value;
};

/* Every name/value pair of /proc/vmstat, in file order. */
struct state_vmstat {
	unsigned int count;
	struct state_vmstat_entry entries[STATE_VMSTAT_MAX];
};

struct state {
	unsigned int nr_orders;
	unsigned int nr_zones;
	struct state_zone zones[STATE_MAX_ZONES];
	unsigned int page_kb;

	/* pagetypeinfo */
	bool has_pagetypeinfo;
	int pagetypeinfo_errno; /* why it was skipped under STATE_TRY_PAGETYPEINFO */
	bool pagetypeinfo_capped; /* some count is a ">100000" lower bound */
	unsigned int pageblock_order;
	uint64_t pages_per_block;
	unsigned int nr_migratetypes;
	char migratetype_names[FS_MIGRATETYPES][STATE_NAME_LEN];

	struct state_vmstat vmstat;
	struct state_counters counters; /* the counters of interest, from vmstat */
	struct state_meminfo meminfo;
	struct state_sysctls sysctls;
	bool has_sysctls;
	double uptime_seconds; /* 0 when proc/uptime is missing */
};

/* What state_read() reads besides buddyinfo, zoneinfo, vmstat and meminfo. */
enum state_read_flags {
	STATE_WITH_SYSCTLS = 1 << 0,
	STATE_WITH_PAGETYPEINFO = 1 << 1, /* failing to read it is an error */
	STATE_TRY_PAGETYPEINFO = 1 << 2,  /* read it if it can be opened */
};

/*
 * Reads the state under @root into @st (which it clears first).  Returns
 * STATE_OK or a negative enum state_status with @err (which may be NULL)
 * saying which file, which line and why.
 */
int state_read(const char *root, unsigned int flags, struct state *st, struct state_error *err);

/* The single parsers state_read() is made of; each adds to @st. */
int state_read_zoneinfo(const char *root, struct state *st, struct state_error *err);
int state_read_buddyinfo(const char *root, struct state *st, struct state_error *err);
int state_read_pagetypeinfo(const char *root, struct state *st, struct state_error *err);
int state_read_vmstat(const char *root, struct state_vmstat *vm, struct state_error *err);
int state_read_meminfo(const char *root, struct state_meminfo *mi, struct state_error *err);
int state_read_sysctls(const char *root, struct state_sysctls *sc, struct state_error *err);

/* MiB, for people, from a count of pages. */
double state_pages_mib(const struct state *st, uint64_t pages);

const struct state_zone *state_find_zone(const struct state *st, int node, const char *name);
/* -1 when the kernel has no migratetype of that name. */
int state_migratetype_index(const struct state *st, const char *name);

/* Looks a vmstat counter up by its name: false if the file had no such line. */
bool state_vmstat_get(const struct state_vmstat *vm, const char *name, uint64_t *value);
void state_counters_from_vmstat(const struct state_vmstat *vm, struct state_counters *out);
/*
 * The pages the buddy allocator handed out since boot: the sum of
 * pgalloc_<zone> over every zone the file names.  False if it names none.
 */
bool state_vmstat_pgalloc(const struct state_vmstat *vm, uint64_t *pages);
const char *state_counter_name(enum state_counter c);
const char *state_meminfo_name(enum state_meminfo_key k);
const char *state_sysctl_name(enum state_sysctl s);

static inline bool state_counter_present(const struct state_counters *c, enum state_counter i)
{
	return c->present & (1ull << i);
}

static inline bool state_meminfo_present(const struct state_meminfo *m, enum state_meminfo_key k)
{
	return m->present & (1ull << k);
}

static inline bool state_sysctl_present(const struct state_sysctls *s, enum state_sysctl k)
{
	return s->present & (1ull << k);
}

/*
 * The kernel's contig_page_info (mm/vmstat.c fill_contig_page_info): free
 * pages, free blocks, and blocks large enough for a request of an order,
 * counting the pieces a larger block splits into.
 */
struct state_contig_info {
	uint64_t free_pages;
	uint64_t free_blocks_total;
	uint64_t free_blocks_suitable;
};

void state_contig_info(const struct state_zone_free *z, unsigned int order,
		       struct state_contig_info *info);
/* Both in thousandths, exactly as the kernel computes them before printing. */
int state_unusable_index(const struct state_contig_info *info, unsigned int order);
int state_extfrag_index(const struct state_contig_info *info, unsigned int order);
#define STATE_EXTFRAG_NOT_MEANINGFUL (-1000) /* a request of that order would succeed */

/* Could an order-@order request be met above the low watermark?  See indices.c. */
bool state_watermark_ok(const struct state_zone_free *z, unsigned int order);

struct state_zone_indices {
	int32_t largest_order; /* -1: no free block at all */
	uint64_t free_pages;
	uint64_t usable_pages[FS_ORDERS]; /* free pages in blocks of at least that order */
	int32_t unusable[FS_ORDERS];      /* thousandths */
	int32_t extfrag[FS_ORDERS];       /* thousandths, or STATE_EXTFRAG_NOT_MEANINGFUL */
	bool watermark_ok[FS_ORDERS];
};

/* Everything per order for one zone: works on a struct state's zone or a sample's. */
void state_zone_indices(const struct state_zone_free *z, struct state_zone_indices *out);

/*
 * One moment's state for a recording: cheap to take (buddyinfo, zoneinfo,
 * vmstat, meminfo, sysctls; pagetypeinfo only if asked), fixed-size,
 * pointer-free.  Bump STATE_SAMPLE_VERSION when the layout changes, only by
 * appending fields, and teach state_sample_load() the older layout.
 *
 * Version 1 ends at meminfo.  Version 2 adds what the doctor's rules read
 * besides: the sysctls, the uptime and pagetypeinfo's pageblock counts.
 * Version 3 has two more sysctls (the commit limit's admin and user
 * reserves), so everything after sysctls.value[] is 16 bytes further on.
 */
#define STATE_SAMPLE_VERSION 3

/* pagetypeinfo's pageblock figures of a sample's zone, for the pageblock check. */
struct state_zone_pageblocks {
	uint64_t pageblocks[FS_MIGRATETYPES]; /* by migratetype, as state_zone.pageblocks */
	/* Free blocks by order on the Unmovable and Reclaimable free lists. */
	uint64_t free_unmovable[FS_ORDERS];
	uint64_t free_reclaimable[FS_ORDERS];
};

struct state_sample {
	uint32_t version;
	uint32_t nr_zones;
	uint64_t ts_ns; /* CLOCK_MONOTONIC, the clock of the BPF events' ts_ns */
	uint32_t nr_orders;
	uint32_t has_pagetypeinfo;
	struct state_zone_free zones[STATE_SAMPLE_MAX_ZONES]; /* populated zones */
	struct state_counters counters;
	struct state_meminfo meminfo;
	/* version 2 */
	uint32_t has_sysctls;
	uint32_t pagetypeinfo_capped; /* some count is a ">100000" lower bound */
	double uptime_seconds;        /* 0 when proc/uptime is missing */
	struct state_sysctls sysctls;
	/* pagetypeinfo, when has_pagetypeinfo */
	uint32_t pageblock_order;
	uint32_t nr_migratetypes;
	uint64_t pages_per_block;
	char migratetype_names[FS_MIGRATETYPES][STATE_NAME_LEN];
	struct state_zone_pageblocks pageblocks[STATE_SAMPLE_MAX_ZONES]; /* parallel to zones[] */
};

/* The bytes of a version 1 sample: the fields before has_sysctls. */
#define STATE_SAMPLE_V1_SIZE offsetof(struct state_sample, has_sysctls)
/* The bytes of a version 2 sample: STATE_SYSCTL_V2_COUNT sysctl values. */
#define STATE_SAMPLE_V2_SIZE \
	(sizeof(struct state_sample) - (STATE_SYSCTL_COUNT - STATE_SYSCTL_V2_COUNT) * sizeof(int64_t))

int state_sample(const char *root, bool with_pagetypeinfo, struct state_sample *out,
		 struct state_error *err);

/*
 * A sample read back from @len bytes (a REC_STATE record): the current
 * layout, version 2 (the version 3 sysctls not present), or version 1,
 * whose version 2 fields are left zero (no sysctls, no pageblocks).  Returns 0, or -1 when the bytes are no valid sample.
 */
int state_sample_load(const void *bytes, size_t len, struct state_sample *out);

/*
 * A struct state made of a sample, for code that reads a state (the doctor's
 * rules): the populated zones, counters, meminfo, sysctls and uptime of
 * @s, with page size @page_kb.  pagetypeinfo's pageblock figures come from
 * @types when given (the latest sample that read pagetypeinfo; it may be @s)
 * and its zones match, else from @s.  Fields no sample holds (the full
 * vmstat list, zoneinfo's spanned/present/protection...) are left zero.
 */
void state_from_sample(const struct state_sample *s, const struct state_sample *types,
		       unsigned int page_kb, struct state *out);

#endif
