// SPDX-License-Identifier: GPL-2.0
/*
 * The Mem-Info dump that follows a warn_alloc or OOM report (the kernel's
 * show_free_areas/__show_mem), and the OOM report's memory cgroup lines:
 *
 *   Node 0 Normal free:173104kB boost:0kB min:173116kB low:186432kB high:199748kB ...
 *   lowmem_reserve[]: 0 0 7459 7459 7459
 *   Node 0 Normal: 12*4kB (UME) 5841*8kB (UM) 7020*16kB (UM) 463*32kB (UM) 0*64kB ... = 173912kB
 *   Task in /mm_test killed as a result of limit of /mm_test
 *   memory: usage 204800kB, limit 204800kB, failcnt 26
 *
 * "Node N " is absent on kernels without NUMA naming; a buddy line split by
 * syslog into pieces continues until its "= NkB" total.  The first block
 * size of a buddy line is the page size, so 16K and 64K page kernels read
 * right.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/kernel_log.h"
#include "decode/kernel_log_text.h"
#include "util/units.h"

/* "Node 0 Normal" or "Normal" before `suffix`: the zone's node and name, and what follows. */
static const char *zone_name(const char *msg, const char *suffix, uint32_t *node, char *name, size_t len)
{
	const char *s = msg, *end;
	size_t n;

	*node = 0;
	if (starts(s, "Node ")) {
		char *after;

		*node = (uint32_t)strtoul(s + 5, &after, 10);
		if (after == s + 5 || *after != ' ')
			return NULL;
		s = after + 1;
	}
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	if (!n || n >= len || !isupper((unsigned char)s[0]) || !starts(s + n, suffix))
		return NULL;
	memcpy(name, s, n);
	name[n] = 0;
	end = s + n + strlen(suffix);
	return end;
}

static struct klog_zone *zone_of(struct klog_report *r, uint32_t node, const char *name)
{
	struct klog_zone *z;

	for (uint32_t i = 0; i < r->nr_zones; i++)
		if (r->zones[i].node == node && !strcmp(r->zones[i].name, name))
			return &r->zones[i];
	if (r->nr_zones == KLOG_MAX_ZONES)
		return NULL;
	z = &r->zones[r->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->node = node;
	snprintf(z->name, sizeof(z->name), "%s", name);
	return z;
}

static uint64_t kb_after(const char *msg, const char *key, bool *found)
{
	const char *p = strstr(msg, key);

	if (!p || !isdigit((unsigned char)p[strlen(key)])) {
		*found = false;
		return 0;
	}
	return strtoull(p + strlen(key), NULL, 10);
}

/*
 * The zone a "[Node N ]NAME<suffix>DIGITS..." line is about, and in *rest the
 * text after the suffix; *rest NULL if the line is no such line, the zone
 * NULL if the report holds no more zones.
 */
static struct klog_zone *zone_line_of(struct klog_report *r, const char *msg, const char *suffix, const char **rest)
{
	char name[12];
	uint32_t node;

	*rest = zone_name(msg, suffix, &node, name, sizeof(name));
	if (!*rest || !isdigit((unsigned char)**rest)) {
		*rest = NULL;
		return NULL;
	}
	return zone_of(r, node, name);
}

/* "Node 0 DMA32 free:75936kB min:46144kB low:49692kB high:53240kB ..." */
static bool zone_line(struct klog_parser *p, const char *msg)
{
	struct klog_report *r = &p->cur;
	const char *rest;
	struct klog_zone *z = zone_line_of(r, msg, " free:", &rest);
	bool found = true;

	if (!rest)
		return false;
	if (!z)
		return true;
	z->free_kb = strtoull(rest, NULL, 10);
	z->min_kb = kb_after(rest, " min:", &found);
	z->low_kb = kb_after(rest, " low:", &found);
	z->high_kb = kb_after(rest, " high:", &found);
	z->have_watermarks = found;
	r->mem_info = true; /* some logs keep the zone lines without the "Mem-Info:" one */
	p->reserve_zone = (int)(z - r->zones);
	return true;
}

/* "lowmem_reserve[]: 0 2660 15392 15392 15392", in pages, for the zone line before it. */
static bool reserve_line(struct klog_parser *p, const char *msg)
{
	struct klog_zone *z;
	const char *s;
	char *end;

	if (!starts(msg, "lowmem_reserve[]:"))
		return false;
	if (p->reserve_zone < 0)
		return true;
	z = &p->cur.zones[p->reserve_zone];
	s = msg + strlen("lowmem_reserve[]:");
	for (z->nr_reserve = 0; z->nr_reserve < KLOG_MAX_RESERVE; z->nr_reserve++) {
		uint64_t v = strtoull(s, &end, 10);

		if (end == s)
			break;
		z->lowmem_reserve[z->nr_reserve] = v;
		s = end;
	}
	p->reserve_zone = -1;
	return true;
}

/* The "N*SIZEkB (TYPES) ... = TOTALkB" tokens of a buddy line or of its continuation. */
static void buddy_tokens(struct klog_parser *p, const char *s)
{
	struct klog_report *r = &p->cur;
	struct klog_zone *z = &r->zones[p->buddy_zone];

	while (*s) {
		char *end;
		uint64_t count, size_kb;
		int order;

		while (*s == ' ')
			s++;
		if (*s == '=') {
			p->buddy_zone = -1; /* the total ends the line */
			return;
		}
		if (!isdigit((unsigned char)*s)) {
			s += strcspn(s, " "); /* "(UME)" */
			continue;
		}
		count = strtoull(s, &end, 10);
		if (*end != '*') {
			s = end + strcspn(end, " ");
			continue;
		}
		size_kb = strtoull(end + 1, &end, 10);
		if (!r->page_kb && log2_exact(size_kb) >= 0)
			r->page_kb = (uint32_t)size_kb; /* order 0 comes first */
		order = r->page_kb && size_kb % r->page_kb == 0 ? log2_exact(size_kb / r->page_kb) : -1;
		if (order >= 0 && order < FS_ORDERS) {
			z->free_blocks[order] = count;
			z->have_blocks = true;
		}
		s = end + strcspn(end, " ");
	}
}

/* "Node 0 Normal: 1795*4kB (UME) 19012*8kB ...": starts a zone's buddy counts. */
static bool buddy_line(struct klog_parser *p, const char *msg)
{
	const char *rest;
	struct klog_zone *z;

	if (!strchr(msg, '*'))
		return false;
	z = zone_line_of(&p->cur, msg, ": ", &rest);
	if (!rest)
		return false;
	if (!z)
		return true;
	p->buddy_zone = (int)(z - p->cur.zones);
	buddy_tokens(p, rest);
	return true;
}

/* A piece of a buddy line syslog split off: "0*1024kB 0*2048kB = 16832kB", "(U) 1*256kB". */
static bool buddy_continuation(struct klog_parser *p, const char *msg)
{
	const char *s = msg;

	while (*s == ' ')
		s++;
	if (p->buddy_zone < 0)
		return false;
	if (!(isdigit((unsigned char)*s) && strchr(s, '*')) && *s != '(' && *s != '=') {
		p->buddy_zone = -1;
		return false;
	}
	buddy_tokens(p, s);
	return true;
}

static void copy_word(char *dst, size_t len, const char *src, const char *stop)
{
	size_t n = strcspn(src, stop);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* The OOM report's memory cgroup lines and its last lines. */
static bool oom_line(struct klog_parser *p, const char *msg)
{
	struct klog_report *r = &p->cur;
	const char *m;

	if ((m = strstr(msg, "killed as a result of limit of "))) {
		m += strlen("killed as a result of limit of ");
		if (*m == '/') { /* "limit of host" is a global OOM */
			r->memcg_oom = true;
			copy_word(r->memcg, sizeof(r->memcg), m, " ");
		}
		return true;
	}
	if (starts(msg, "memory: usage ")) {
		bool found = true;

		r->memcg_usage_kb = kb_after(msg, "usage ", &found);
		r->memcg_limit_kb = kb_after(msg, "limit ", &found);
		r->have_memcg_usage = found;
		return true;
	}
	if (starts(msg, "oom-kill:")) {
		if (strstr(msg, "constraint=CONSTRAINT_MEMCG"))
			r->memcg_oom = true;
		if ((m = strstr(msg, "oom_memcg=")))
			copy_word(r->memcg, sizeof(r->memcg), m + strlen("oom_memcg="), ",");
		return true;
	}
	if (strstr(msg, "Memory cgroup out of memory: Kill")) {
		r->memcg_oom = true;
		klog_end_report(p);
		return true;
	}
	if (strstr(msg, "Out of memory: Kill") || strstr(msg, "Out of memory (oom_kill_allocating_task)")) {
		klog_end_report(p);
		return true;
	}
	return false;
}

bool klog_meminfo_line(struct klog_parser *p, const char *msg)
{
	while (*msg == ' ')
		msg++;
	if (strstr(msg, "Mem-Info:") || strstr(msg, "Mem-info:")) {
		p->cur.mem_info = true;
		p->frames_done = true;
		return true;
	}
	if (buddy_continuation(p, msg) || zone_line(p, msg) || reserve_line(p, msg) || buddy_line(p, msg))
		return true;
	if (strstr(msg, "pages hwpoisoned")) {
		/* an OOM report goes on with the task list and the kill */
		if (p->cur.kind != KLOG_OOM)
			klog_end_report(p);
		return true;
	}
	return p->cur.kind == KLOG_OOM && oom_line(p, msg);
}
