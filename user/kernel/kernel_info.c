// SPDX-License-Identifier: GPL-2.0
#include "kernel/kernel_info.h"

#include <bpf/btf.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel/expr.h"
#include "kernel/print_fmt.h"
#include "kernel/text_file.h"
#include "util/units.h"

#define BTF_PATH "sys/kernel/btf/vmlinux"
#define TRACEFS_PATH "sys/kernel/tracing"
#define DEBUGFS_TRACING_PATH "sys/kernel/debug/tracing"
#define THP_PMD_SIZE_PATH "sys/kernel/mm/transparent_hugepage/hpage_pmd_size"
#define MAX_MAP_COUNT_PATH "proc/sys/vm/max_map_count"
#define OSRELEASE_PATH "proc/sys/kernel/osrelease"
#define PAGETYPEINFO_PATH "proc/pagetypeinfo"
#define GFP_FORMAT_PATH "events/kmem/mm_page_alloc/format"
#define EXTFRAG_FORMAT_PATH "events/kmem/mm_page_alloc_extfrag/format"

/* Appends one sentence to the caller's message buffer. */
static void add_note(char *errbuf, size_t errlen, const char *note)
{
	size_t used = strnlen(errbuf, errlen);

	if (used + 1 < errlen)
		snprintf(errbuf + used, errlen - used, "%s%s", used ? "; " : "", note);
}

static void root_path(char *path, size_t len, const char *sys_root, const char *rel)
{
	size_t root_len = strlen(sys_root);

	snprintf(path, len, "%s%s%s", sys_root, root_len && sys_root[root_len - 1] == '/' ? "" : "/",
		 rel);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* A whole sysfs/procfs value as an unsigned number; false if absent or not a number. */
static bool read_number(const char *path, unsigned long long *value)
{
	char *text = text_file_read(path, NULL), *end;
	bool ok;

	if (!text)
		return false;
	errno = 0;
	*value = strtoull(text, &end, 10);
	ok = !errno && end != text && (*end == '\n' || !*end);
	free(text);
	return ok;
}

static void load_release(struct kernel_info *out, const char *sys_root)
{
	struct utsname uts;
	char path[PATH_MAX], *text;

	/* A test root has no uname(): its osrelease file says the same. */
	if (!strcmp(sys_root, "/") && !uname(&uts)) {
		snprintf(out->release, sizeof(out->release), "%s", uts.release);
		return;
	}
	root_path(path, sizeof(path), sys_root, OSRELEASE_PATH);
	text = text_file_read(path, NULL);
	if (text) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(out->release, sizeof(out->release), "%s", text);
		free(text);
	}
}

static void load_page_geometry(struct kernel_info *out, const char *sys_root)
{
	int page_shift;
	unsigned long long pmd_size, max_map_count;
	char path[PATH_MAX];

	out->page_size = sysconf(_SC_PAGESIZE);
	page_shift = log2_exact(out->page_size);
	root_path(path, sizeof(path), sys_root, THP_PMD_SIZE_PATH);
	if (read_number(path, &pmd_size) && pmd_size > out->page_size &&
	    log2_exact(pmd_size) > page_shift)
		out->pmd_order = log2_exact(pmd_size) - page_shift;
	else
		/* A page-table page holds page_size / 8 entries: 9 on 4k pages. */
		out->pmd_order = page_shift - 3;
	/* The mappings a process may have: an mmap past it is ENOMEM before any allocation. */
	root_path(path, sizeof(path), sys_root, MAX_MAP_COUNT_PATH);
	if (read_number(path, &max_map_count))
		out->max_map_count = (uint32_t)max_map_count;
}

/* "Page block order: 9" heads /proc/pagetypeinfo (readable by root only). */
static bool pageblock_order_from_pagetypeinfo(const char *sys_root, unsigned int *order)
{
	char path[PATH_MAX], *text;
	bool found;

	root_path(path, sizeof(path), sys_root, PAGETYPEINFO_PATH);
	text = text_file_read(path, NULL);
	if (!text)
		return false;
	found = sscanf(text, "Page block order: %u", order) == 1;
	free(text);
	return found;
}

/* The value the extfrag tracepoint prints as pageblock_order=%d. */
static bool pageblock_order_from_format(const char *tracefs, unsigned int *order)
{
	char path[PATH_MAX + 64], *text;
	const char *arg;
	size_t arg_len;
	uint64_t value;
	bool found;

	snprintf(path, sizeof(path), "%s/%s", tracefs, EXTFRAG_FORMAT_PATH);
	text = text_file_read(path, NULL);
	if (!text)
		return false;
	found = !print_fmt_arg(text, "pageblock_order=", &arg, &arg_len) &&
		!expr_eval(arg, arg_len, NULL, NULL, &value) && value < 64;
	free(text);
	if (found)
		*order = value;
	return found;
}

static void load_pageblock_order(struct kernel_info *out, const char *sys_root, const char *tracefs)
{
	unsigned int order;

	if (pageblock_order_from_format(tracefs, &order) ||
	    pageblock_order_from_pagetypeinfo(sys_root, &order))
		out->pageblock_order = order;
	else
		/* Without hugetlbfs' variable page size, a pageblock is a PMD huge page. */
		out->pageblock_order = out->pmd_order;
}

static struct btf *load_btf(const char *sys_root, char *errbuf, size_t errlen)
{
	char path[PATH_MAX], note[PATH_MAX + 256];
	struct btf *btf;

	root_path(path, sizeof(path), sys_root, BTF_PATH);
	btf = btf__parse(path, NULL);
	if (btf)
		return btf;
	snprintf(note, sizeof(note),
		 "no kernel BTF (%s: %s): the kernel needs CONFIG_DEBUG_INFO_BTF=y; migratetype, "
		 "zone and compaction names will show as numbers",
		 path, strerror(errno));
	add_note(errbuf, errlen, note);
	return NULL;
}

static bool has_events(const char *tracefs)
{
	char events[PATH_MAX + 8];

	snprintf(events, sizeof(events), "%s/events", tracefs);
	return is_dir(events);
}

/* tracefs under sys_root: its own mount, else through debugfs; the first if neither. */
static void find_tracefs(char *tracefs, size_t len, const char *sys_root)
{
	char debugfs_tracing[PATH_MAX];

	root_path(tracefs, len, sys_root, TRACEFS_PATH);
	if (has_events(tracefs))
		return;
	root_path(debugfs_tracing, sizeof(debugfs_tracing), sys_root, DEBUGFS_TRACING_PATH);
	if (has_events(debugfs_tracing))
		snprintf(tracefs, len, "%s", debugfs_tracing);
}

/* Why the gfp flags did not come from the tracepoint format, and what it costs. */
static void explain_gfp_source(const struct gfp_names *gfp, const char *tracefs, char *errbuf,
			       size_t errlen)
{
	char format[PATH_MAX + 64], note[2 * PATH_MAX + 256];
	const char *consequence = gfp->source == GFP_NAMES_BTF ?
		"gfp flags are decoded from BTF, as single flags without names like GFP_KERNEL" :
		"gfp flags cannot be decoded";

	snprintf(format, sizeof(format), "%s/%s", tracefs, GFP_FORMAT_PATH);
	if (!has_events(tracefs))
		snprintf(note, sizeof(note),
			 "tracefs is not mounted at %s (mount it: mount -t tracefs nodev "
			 "/sys/kernel/tracing): %s",
			 tracefs, consequence);
	else if (access(format, R_OK))
		snprintf(note, sizeof(note), "cannot read %s: %s (run as root): %s", format,
			 strerror(errno), consequence);
	else
		snprintf(note, sizeof(note), "%s has no gfp_flags table fragscope can read: %s",
			 format, consequence);
	add_note(errbuf, errlen, note);
}

int kernel_info_load(struct kernel_info *out, const char *sys_root, char *errbuf, size_t errlen)
{
	return kernel_info_load_btf(out, sys_root, errbuf, errlen, NULL);
}

int kernel_info_load_btf(struct kernel_info *out, const char *sys_root, char *errbuf, size_t errlen,
			 struct btf **keep)
{
	char tracefs[PATH_MAX];
	struct btf *btf;
	int err = 0, gfp_err;

	memset(out, 0, sizeof(*out));
	if (errlen)
		errbuf[0] = '\0';
	load_release(out, sys_root);
	load_page_geometry(out, sys_root);
	find_tracefs(tracefs, sizeof(tracefs), sys_root);
	load_pageblock_order(out, sys_root, tracefs);

	btf = load_btf(sys_root, errbuf, errlen);
	if (btf) {
		enum_names_from_btf(btf, "migratetype", "MIGRATE_", NAME_STYLE_PROC, &out->migratetypes);
		enum_names_from_btf(btf, "compact_result", "COMPACT_", NAME_STYLE_LOWER,
				    &out->compact_results);
		enum_names_from_btf(btf, "zone_type", "ZONE_", NAME_STYLE_PROC, &out->zones);
	} else {
		err = -ENOENT;
	}
	gfp_err = gfp_names_load(tracefs, btf, &out->gfp);
	if (out->gfp.source != GFP_NAMES_FORMAT)
		explain_gfp_source(&out->gfp, tracefs, errbuf, errlen);
	if (gfp_err && !err)
		err = gfp_err;
	if (keep)
		*keep = btf;
	else
		btf__free(btf);
	return err;
}
