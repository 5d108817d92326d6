// SPDX-License-Identifier: GPL-2.0
/* /proc/vmstat, /proc/meminfo, the vm sysctls and the THP settings. */
#include "state/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	/* Also sum name_<zone>: allocstall_normal..., and pgsteal_kswapd_normal of old kernels. */
	bool per_zone;
} counter_defs[STATE_CNT_COUNT] = {
	[STATE_CNT_COMPACT_STALL] = { "compact_stall" },
	[STATE_CNT_COMPACT_FAIL] = { "compact_fail" },
	[STATE_CNT_COMPACT_SUCCESS] = { "compact_success" },
	[STATE_CNT_COMPACT_DAEMON_WAKE] = { "compact_daemon_wake" },
	[STATE_CNT_COMPACT_MIGRATE_SCANNED] = { "compact_migrate_scanned" },
	[STATE_CNT_COMPACT_FREE_SCANNED] = { "compact_free_scanned" },
	[STATE_CNT_COMPACT_ISOLATED] = { "compact_isolated" },
	[STATE_CNT_THP_FAULT_ALLOC] = { "thp_fault_alloc" },
	[STATE_CNT_THP_FAULT_FALLBACK] = { "thp_fault_fallback" },
	[STATE_CNT_THP_COLLAPSE_ALLOC] = { "thp_collapse_alloc" },
	[STATE_CNT_THP_COLLAPSE_ALLOC_FAILED] = { "thp_collapse_alloc_failed" },
	[STATE_CNT_ALLOCSTALL] = { "allocstall", true },
	[STATE_CNT_PGSTEAL_KSWAPD] = { "pgsteal_kswapd", true },
	[STATE_CNT_PGSTEAL_DIRECT] = { "pgsteal_direct", true },
	[STATE_CNT_PGSCAN_KSWAPD] = { "pgscan_kswapd", true },
	[STATE_CNT_PGSCAN_DIRECT] = { "pgscan_direct", true },
	[STATE_CNT_PGMIGRATE_SUCCESS] = { "pgmigrate_success" },
	[STATE_CNT_PGMIGRATE_FAIL] = { "pgmigrate_fail" },
	[STATE_CNT_OOM_KILL] = { "oom_kill" },
	[STATE_CNT_NR_FREE_PAGES] = { "nr_free_pages" },
};

static const char *const meminfo_names[STATE_MEM_COUNT] = {
	[STATE_MEM_TOTAL] = "MemTotal",
	[STATE_MEM_FREE] = "MemFree",
	[STATE_MEM_AVAILABLE] = "MemAvailable",
	[STATE_MEM_BUFFERS] = "Buffers",
	[STATE_MEM_CACHED] = "Cached",
	[STATE_MEM_ANON_PAGES] = "AnonPages",
	[STATE_MEM_SLAB] = "Slab",
	[STATE_MEM_SRECLAIMABLE] = "SReclaimable",
	[STATE_MEM_SUNRECLAIM] = "SUnreclaim",
	[STATE_MEM_KERNEL_STACK] = "KernelStack",
	[STATE_MEM_PAGE_TABLES] = "PageTables",
	[STATE_MEM_VMALLOC_USED] = "VmallocUsed",
	[STATE_MEM_PERCPU] = "Percpu",
	[STATE_MEM_SWAP_TOTAL] = "SwapTotal",
	[STATE_MEM_SWAP_FREE] = "SwapFree",
	[STATE_MEM_COMMIT_LIMIT] = "CommitLimit",
	[STATE_MEM_COMMITTED_AS] = "Committed_AS",
	[STATE_MEM_ANON_HUGE_PAGES] = "AnonHugePages",
	[STATE_MEM_HUGEPAGES_TOTAL] = "HugePages_Total",
	[STATE_MEM_HUGEPAGES_FREE] = "HugePages_Free",
	[STATE_MEM_HUGEPAGES_RSVD] = "HugePages_Rsvd",
	[STATE_MEM_HUGEPAGES_SURP] = "HugePages_Surp",
	[STATE_MEM_HUGEPAGESIZE] = "Hugepagesize",
};

static const char *const sysctl_names[STATE_SYSCTL_COUNT] = {
	[STATE_SYSCTL_MIN_FREE_KBYTES] = "vm.min_free_kbytes",
	[STATE_SYSCTL_WATERMARK_SCALE_FACTOR] = "vm.watermark_scale_factor",
	[STATE_SYSCTL_WATERMARK_BOOST_FACTOR] = "vm.watermark_boost_factor",
	[STATE_SYSCTL_EXTFRAG_THRESHOLD] = "vm.extfrag_threshold",
	[STATE_SYSCTL_COMPACTION_PROACTIVENESS] = "vm.compaction_proactiveness",
	[STATE_SYSCTL_OVERCOMMIT_MEMORY] = "vm.overcommit_memory",
	[STATE_SYSCTL_OVERCOMMIT_RATIO] = "vm.overcommit_ratio",
	[STATE_SYSCTL_OVERCOMMIT_KBYTES] = "vm.overcommit_kbytes",
	[STATE_SYSCTL_ZONE_RECLAIM_MODE] = "vm.zone_reclaim_mode",
	[STATE_SYSCTL_ADMIN_RESERVE_KBYTES] = "vm.admin_reserve_kbytes",
	[STATE_SYSCTL_USER_RESERVE_KBYTES] = "vm.user_reserve_kbytes",
};

const char *state_counter_name(enum state_counter c) { return counter_defs[c].name; }
const char *state_meminfo_name(enum state_meminfo_key k) { return meminfo_names[k]; }
const char *state_sysctl_name(enum state_sysctl s) { return sysctl_names[s]; }

static bool is_zone_suffix(const char *s)
{
	static const char *const zones[] = { "dma", "dma32", "normal", "high", "movable", "device" };

	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (!strcmp(s, zones[i]))
			return true;
	return false;
}

static bool counter_matches(enum state_counter c, const char *name)
{
	size_t len = strlen(counter_defs[c].name);

	if (strncmp(name, counter_defs[c].name, len))
		return false;
	if (!name[len])
		return true;
	return counter_defs[c].per_zone && name[len] == '_' && is_zone_suffix(name + len + 1);
}

void state_counters_from_vmstat(const struct state_vmstat *vm, struct state_counters *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; i < vm->count; i++)
		for (int c = 0; c < STATE_CNT_COUNT; c++)
			if (counter_matches(c, vm->entries[i].name)) {
				out->value[c] += vm->entries[i].value;
				out->present |= 1ull << c;
			}
}

bool state_vmstat_get(const struct state_vmstat *vm, const char *name, uint64_t *value)
{
	for (unsigned int i = 0; i < vm->count; i++)
		if (!strcmp(vm->entries[i].name, name)) {
			*value = vm->entries[i].value;
			return true;
		}
	return false;
}

bool state_vmstat_pgalloc(const struct state_vmstat *vm, uint64_t *pages)
{
	bool found = false;

	*pages = 0;
	for (unsigned int i = 0; i < vm->count; i++)
		if (!strncmp(vm->entries[i].name, "pgalloc_", 8) && is_zone_suffix(vm->entries[i].name + 8)) {
			*pages += vm->entries[i].value;
			found = true;
		}
	return found;
}

static int vmstat_line(struct state_file *sf, char *line, void *ctx)
{
	struct state_vmstat *vm = ctx;
	char *save = NULL, *name, *value;
	struct state_vmstat_entry *e;

	name = strtok_r(line, " \t", &save);
	value = strtok_r(NULL, " \t", &save);
	if (!name || !value || strtok_r(NULL, " \t", &save))
		return state_file_fail(sf, "expected 'name value'");
	if (strlen(name) >= STATE_VMSTAT_NAME_LEN)
		return state_file_fail(sf, "counter name longer than %d characters",
				       STATE_VMSTAT_NAME_LEN - 1);
	if (vm->count == STATE_VMSTAT_MAX)
		return state_file_fail(sf, "more than %d counters", STATE_VMSTAT_MAX);
	e = &vm->entries[vm->count];
	if (!state_parse_u64(value, &e->value))
		return state_file_fail(sf, "'%s' of %s is not a number", value, name);
	snprintf(e->name, sizeof(e->name), "%s", name);
	vm->count++;
	return STATE_OK;
}

static int vmstat_finish(struct state_file *sf, void *ctx)
{
	const struct state_vmstat *vm = ctx;

	return vm->count ? STATE_OK :
		state_fail(sf->err, STATE_ERR_FORMAT, sf->path, "no counters (empty file?)");
}

int state_read_vmstat(const char *root, struct state_vmstat *vm, struct state_error *err)
{
	vm->count = 0;
	return state_read_lines(root, "proc/vmstat", err, vmstat_line, vmstat_finish, vm);
}

/* "Key:   123 kB" or "HugePages_Total:       0". */
static int meminfo_line(struct state_file *sf, char *line, void *ctx)
{
	struct state_meminfo *mi = ctx;
	char *colon = strchr(line, ':'), *save = NULL, *value, *unit;
	uint64_t v;

	if (!colon)
		return state_file_fail(sf, "expected 'Key: value'");
	*colon = '\0';
	value = strtok_r(colon + 1, " \t", &save);
	unit = strtok_r(NULL, " \t", &save);
	if (!value || !state_parse_u64(value, &v) || (unit && strcmp(unit, "kB")) ||
	    strtok_r(NULL, " \t", &save))
		return state_file_fail(sf, "expected '%s: NUMBER [kB]'", line);
	for (int k = 0; k < STATE_MEM_COUNT; k++)
		if (!strcmp(line, meminfo_names[k])) {
			mi->value[k] = v;
			mi->present |= 1ull << k;
		}
	return STATE_OK;
}

static int meminfo_finish(struct state_file *sf, void *ctx)
{
	return state_meminfo_present(ctx, STATE_MEM_TOTAL) ? STATE_OK :
		state_fail(sf->err, STATE_ERR_FORMAT, sf->path, "no MemTotal line (truncated?)");
}

int state_read_meminfo(const char *root, struct state_meminfo *mi, struct state_error *err)
{
	memset(mi, 0, sizeof(*mi));
	return state_read_lines(root, "proc/meminfo", err, meminfo_line, meminfo_finish, mi);
}

/*
 * Reads a file of one line that may be missing (a kernel without that
 * sysctl or without THP): 1 with the line in sf->buf, 0 if it is missing,
 * or an error.  The caller closes @sf.
 */
static int read_optional_line(struct state_file *sf, const char *root, const char *rel,
			      struct state_error *err, char **line)
{
	char *extra;
	int ret;

	ret = state_file_open(sf, root, rel, err);
	if (ret)
		return sf->open_errno == ENOENT ? 0 : ret;
	ret = state_file_next(sf, line);
	if (ret == 0)
		return state_fail(err, STATE_ERR_FORMAT, sf->path, "empty file");
	if (ret < 0)
		return ret;
	/* At the end of the file the next read stores nothing: *line stays as read. */
	ret = state_file_next(sf, &extra);
	if (ret == 0)
		return 1;
	return ret < 0 ? ret : state_file_fail(sf, "more than one line");
}

/* "always [madvise] never" -> "madvise" */
static int read_thp(const char *root, const char *rel, char out[STATE_NAME_LEN], uint32_t *present,
		    struct state_error *err)
{
	struct state_file sf;
	char *line, *open, *close;
	int ret = read_optional_line(&sf, root, rel, err, &line);

	if (ret > 0) {
		open = strchr(line, '[');
		close = open ? strchr(open, ']') : NULL;
		if (!close || close - open - 1 <= 0 || close - open - 1 >= STATE_NAME_LEN) {
			ret = state_file_fail(&sf, "no [selected] value in '%s'", line);
		} else {
			snprintf(out, STATE_NAME_LEN, "%.*s", (int)(close - open - 1), open + 1);
			*present = 1;
			ret = STATE_OK;
		}
	}
	state_file_close(&sf);
	return ret;
}

int state_read_sysctls(const char *root, struct state_sysctls *sc, struct state_error *err)
{
	char rel[64];
	int ret = STATE_OK;

	memset(sc, 0, sizeof(*sc));
	for (int s = 0; s < STATE_SYSCTL_COUNT && ret >= 0; s++) {
		struct state_file sf;
		char *line;

		/* "vm.min_free_kbytes" lives in proc/sys/vm/min_free_kbytes */
		snprintf(rel, sizeof(rel), "proc/sys/vm/%s", sysctl_names[s] + 3);
		ret = read_optional_line(&sf, root, rel, err, &line);
		if (ret > 0) {
			if (state_parse_i64(line + strspn(line, " \t"), &sc->value[s]))
				sc->present |= 1ull << s;
			else
				ret = state_file_fail(&sf, "'%s' is not a number", line);
		}
		state_file_close(&sf);
	}
	if (ret >= 0)
		ret = read_thp(root, "sys/kernel/mm/transparent_hugepage/enabled", sc->thp_enabled,
			       &sc->has_thp, err);
	if (ret >= 0)
		ret = read_thp(root, "sys/kernel/mm/transparent_hugepage/defrag", sc->thp_defrag,
			       &sc->has_thp, err);
	return ret < 0 ? ret : STATE_OK;
}

int state_read_uptime(const char *root, double *seconds, struct state_error *err)
{
	struct state_file sf;
	char *line, *end;
	int ret = read_optional_line(&sf, root, "proc/uptime", err, &line);

	*seconds = 0;
	if (ret > 0) {
		*seconds = strtod(line, &end);
		ret = end == line || (*end && *end != ' ') || *seconds < 0 ?
			state_file_fail(&sf, "expected 'SECONDS IDLE_SECONDS'") : STATE_OK;
	}
	state_file_close(&sf);
	return ret;
}
