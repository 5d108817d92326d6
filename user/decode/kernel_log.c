// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel log text: report headers and the grouping of a report's lines
 * (see kernel_log.h).  Each line's prefix is framed by kernel_log_frame.c,
 * the call trace read by call_trace.c, the Mem-Info dump and the OOM memcg
 * lines by meminfo_dump.c.
 */
#include "decode/kernel_log.h"
#include "decode/kernel_log_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A report left open this many lines without an end is over (the log was cut). */
#define KLOG_REPORT_MAX_LINES 4000
/* "vmap allocation ... failed" and "callbacks suppressed" announce a header this close after them. */
#define KLOG_ANNOUNCE_LINES 8

/* ---- reports ---- */

/* The comm before a marker: "kworker/u16:3: page allocation failure" → "kworker/u16:3". */
static void comm_before(struct klog_report *r, const char *msg, const char *marker)
{
	const char *end = marker;

	while (end > msg && (end[-1] == ' ' || end[-1] == ':'))
		end--;
	copy_text(r->comm, sizeof(r->comm), msg, (size_t)(end - msg));
}

/* "mode:0x40cc0(GFP_KERNEL|__GFP_COMP)" or "gfp_mask=0x...(...)"; the names may be absent. */
static void parse_gfp(struct klog_report *r, const char *at)
{
	const char *open, *close;
	char *end;

	if (!at)
		return;
	r->gfp = strtoull(at, &end, 16);
	r->have_gfp = end != at;
	open = end;
	while (*open && *open != '(' && *open != ',' && *open != ' ')
		open++; /* masked digits ("0x240****") */
	if (*open != '(')
		return;
	close = strchr(open, ')');
	if (close)
		copy_text(r->gfp_text, sizeof(r->gfp_text), open + 1, (size_t)(close - open - 1));
}

static const char *after(const char *msg, const char *key)
{
	const char *p = strstr(msg, key);

	return p ? p + strlen(key) : NULL;
}

/* A decimal that fits 32 bits: a longer one is garbage, not the number's low bits. */
static bool parse_u32(const char *at, uint32_t *out)
{
	unsigned long long v;

	if (!at || !isdigit((unsigned char)*at))
		return false;
	v = strtoull(at, NULL, 10); /* ULLONG_MAX when it overflows */
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* An order a kernel prints: none reaches warn_alloc() or the OOM killer above MAX_PAGE_ORDER (< FS_ORDERS). */
static bool parse_order(const char *at, uint32_t *out)
{
	uint32_t order;

	if (!parse_u32(at, &order) || order >= FS_ORDERS)
		return false;
	*out = order;
	return true;
}

static uint64_t parse_u64(const char *at)
{
	return at && isdigit((unsigned char)*at) ? strtoull(at, NULL, 10) : 0;
}

/* "0", "0-1,3" (%*pbl): node n is bit n; false for "(null)", garbage or a node past 63. */
static bool parse_node_list(const char *at, uint64_t *out)
{
	uint64_t nodes = 0;
	char *end;

	if (!at || !isdigit((unsigned char)*at))
		return false;
	for (;;) {
		unsigned long first = strtoul(at, &end, 10), last = first;

		if (*end == '-')
			last = strtoul(end + 1, &end, 10);
		if (first > last || last > 63)
			return false;
		for (unsigned long n = first; n <= last; n++)
			nodes |= 1ULL << n;
		if (*end != ',' || !isdigit((unsigned char)end[1]))
			break;
		at = end + 1;
	}
	*out = nodes;
	return true;
}

/* warn_alloc's "nodemask=0-1" and cpuset_print_current_mems_allowed()'s "mems_allowed=0", wherever printed. */
static void parse_nodes(struct klog_report *r, const char *msg)
{
	const char *mask = after(msg, "nodemask="), *mems = after(msg, "mems_allowed=");

	if (mask)
		r->have_nodemask = parse_node_list(mask, &r->nodemask);
	if (mems)
		r->have_mems_allowed = parse_node_list(mems, &r->mems_allowed);
}

/* "2.00 MiB", "1.00 GiB", "2048 kB", "2097152": bytes. */
static uint64_t parse_size(const char *at)
{
	char *end;
	double v;

	if (!at)
		return 0;
	v = strtod(at, &end);
	end = (char *)skip_spaces(end);
	if (starts(end, "KiB") || starts(end, "kB") || starts(end, "KB"))
		v *= 1024;
	else if (starts(end, "MiB") || starts(end, "MB"))
		v *= 1024 * 1024;
	else if (starts(end, "GiB") || starts(end, "GB"))
		v *= 1024.0 * 1024 * 1024;
	return v >= 0 && v < 1e18 ? (uint64_t)v : 0; /* a garbled size is none */
}

static void emit(struct klog_parser *p)
{
	if (!p->open)
		return;
	p->open = false;
	p->reports++;
	p->emit(&p->cur, p->ctx);
}

static struct klog_report *begin(struct klog_parser *p, enum klog_kind kind, const char *msg, double time_s,
				 uint64_t line_no)
{
	struct klog_report *r = &p->cur;

	emit(p);
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->line_no = line_no;
	r->time_s = time_s;
	copy_text(r->text, sizeof(r->text), msg, strlen(msg));
	if (p->suppressed && line_no - p->suppressed_line <= KLOG_ANNOUNCE_LINES)
		r->suppressed = p->suppressed;
	p->suppressed = 0;
	p->open = true;
	p->frames_done = false;
	p->buddy_zone = p->reserve_zone = -1;
	p->lines_in_report = 0;
	return r;
}

/* Digits that are no order a kernel prints: a garbled line, whose size would be invented. */
static bool garbled_order(const char *at)
{
	uint32_t order;

	return at && isdigit((unsigned char)*at) && !parse_order(at, &order);
}

/* A header line starts a report; false if msg is none. */
static bool header(struct klog_parser *p, const char *msg, double time_s, uint64_t line_no)
{
	const char *m;
	struct klog_report *r;

	if ((m = strstr(msg, "page allocation failure")) && !garbled_order(after(m, "order:"))) {
		r = begin(p, KLOG_PAGE_ALLOC, msg, time_s, line_no);
		comm_before(r, msg, m);
		r->have_order = parse_order(after(m, "order:"), &r->order);
		parse_gfp(r, after(m, "mode:"));
		parse_nodes(r, m);
		return true;
	}
	if ((m = strstr(msg, "vmalloc error: size ")) || (m = strstr(msg, "vmalloc: allocation failure"))) {
		r = begin(p, KLOG_VMALLOC, msg, time_s, line_no);
		comm_before(r, msg, m);
		parse_gfp(r, after(m, "mode:"));
		if (starts(m, "vmalloc error")) {
			/* "failed to allocate pages" gives the size allocated before the failure, not the size asked */
			if (!strstr(m, "failed to allocate pag"))
				r->bytes = parse_u64(m + strlen("vmalloc error: size "));
			r->have_order = parse_order(after(m, "page order "), &r->order);
			r->vmap_failed = strstr(m, "vm_struct allocation failed") != NULL;
		} else if (after(m, " of ")) { /* "allocated 0 of 475136 bytes": a page inside failed */
			r->bytes = parse_u64(after(m, " of "));
		} else {                         /* "allocation failure: 32768 bytes": no address space */
			r->bytes = parse_u64(skip_spaces(m + strlen("vmalloc: allocation failure:")));
			r->vmap_failed = true;
		}
		if (!r->have_order) {
			r->order = 0;
			r->have_order = true;
		}
		if (p->vmap_bytes && line_no - p->vmap_line <= KLOG_ANNOUNCE_LINES) {
			r->vmap_failed = true;
			r->vmap_bytes = p->vmap_bytes;
		}
		if (r->vmap_failed && !r->vmap_bytes)
			r->vmap_bytes = r->bytes;
		p->vmap_bytes = 0;
		return true;
	}
	if ((m = strstr(msg, " invoked oom-killer: "))) {
		r = begin(p, KLOG_OOM, msg, time_s, line_no);
		comm_before(r, msg, m);
		parse_gfp(r, after(m, "gfp_mask="));
		r->have_order = parse_order(after(m, "order="), &r->order);
		return true;
	}
	if ((m = strstr(msg, "HugeTLB: allocating ")) && strstr(m, " failed")) {
		uint64_t page_bytes;

		r = begin(p, KLOG_HUGETLB, msg, time_s, line_no);
		r->hugetlb_asked = parse_u64(m + strlen("HugeTLB: allocating "));
		page_bytes = parse_size(after(m, "of page size "));
		r->hugetlb_got = parse_u64(after(m, "Only allocated "));
		r->bytes = r->hugetlb_asked * page_bytes;
		r->complete = true;
		emit(p);
		return true;
	}
	return false;
}

/* "CPU: 1 PID: 1333536 Comm: kworker/u16:3 ..." and 3.x's "Pid: 31170, comm: splat ...". */
static bool task_line(struct klog_report *r, const char *msg)
{
	const char *pid = NULL, *comm = NULL;

	if (starts(msg, "CPU: ") && (pid = after(msg, " PID: ")))
		comm = after(msg, " Comm: ");
	else if (starts(msg, "Pid: ") && (pid = msg + 5))
		comm = after(msg, " comm: ");
	if (!pid)
		return false;
	r->have_pid = parse_u32(pid, &r->pid);
	if (comm && !r->comm[0]) {
		size_t n = strcspn(comm, " ");

		copy_text(r->comm, sizeof(r->comm), comm, n);
	}
	return true;
}

/* "iptables cpuset=8b47... mems_allowed=0" (4.x prints it on its own line). */
static bool cpuset_line(struct klog_report *r, const char *msg)
{
	const char *c = strstr(msg, "cpuset=");

	if (!c || !strstr(msg, "mems_allowed="))
		return false;
	if (!r->comm[0] && c > msg)
		comm_before(r, msg, c);
	copy_text(r->cpuset, sizeof(r->cpuset), c + 7, strcspn(c + 7, " ,"));
	if (r->kind == KLOG_PAGE_ALLOC && !r->have_mems_allowed)
		parse_nodes(r, c);
	return true;
}

/* Lines a report holds that carry nothing explain uses: known, not skipped. */
static bool known_noise(const char *msg)
{
	static const char *const prefixes[] = {
		"Hardware name:", "Call Trace:", "Call trace:", "Backtrace:", "Stack:", "Workqueue:", "<IRQ>", "</IRQ>",
		"<TASK>", "</TASK>", "<EOI>", "RIP:", "RSP:", "RAX:", "RDX:", "RBP:", "R10:", "R13:", "Code:", "Exception stack",
		"Modules linked in", "Tasks state", "[ pid ]", "[  pid  ]", "oom_reaper:", "Out of memory", "Mem-Info:",
		"Mem-info:", "active_anon:", "active_file:", "unevictable:", "slab_reclaimable:", "mapped:", "free:",
		"sec_pagetables:", "kernel_stack:", "Node ", "lowmem_reserve", "Swap cache", "Free swap", "Total swap",
		"Unreclaimable slab", "Name ", "pc :", "lr :", "sp :", "x2", "x1", "x0", "r1", "r0", "r4", "r7", "r8",
		"r10", "pc:", "lr:", "psr:", "Exception", "CR2:", "CS:", "DS:", "ES:", "FS:", "GS:", "CR0:", "DR", "---[",
		"memory+swap:", "kmem:", "swap:", "Memory cgroup stats", "anon ", "file ", "oom-kill:", "Task in ",
		NULL,
	};
	const char *s = skip_spaces(msg);

	if (!*s)
		return true;
	for (const char *const *p = prefixes; *p; p++)
		if (starts(s, *p))
			return true;
	/* "[  12345]  1000 12345 ..." task list rows, hex stack dumps, "NN total pagecache pages" */
	if (s[0] == '[' || isxdigit((unsigned char)s[0]) || isdigit((unsigned char)s[0]))
		return true;
	/* the Mem-Info summary's continuation lines: "kernel_misc_reclaimable:0", "shmem:2576 pagetables:847" */
	return islower((unsigned char)s[0]) && strspn(s, "abcdefghijklmnopqrstuvwxyz_()") == strcspn(s, ":") &&
	       isdigit((unsigned char)s[strcspn(s, ":") + 1]);
}

/* Lines outside a report that the next header needs. */
static void announcement(struct klog_parser *p, const char *msg, uint64_t line_no)
{
	const char *m;

	if ((m = strstr(msg, "vmap allocation for size "))) {
		p->vmap_bytes = parse_u64(m + strlen("vmap allocation for size "));
		p->vmap_line = line_no;
	} else if ((m = strstr(msg, " callbacks suppressed")) && strstr(msg, "warn_alloc")) {
		const char *n = strstr(msg, ": ");

		p->suppressed = n ? (uint32_t)parse_u64(n + 2) : 0;
		p->suppressed_line = line_no;
	}
}

static void report_line(struct klog_parser *p, const char *msg, uint64_t line_no)
{
	struct klog_report *r = &p->cur;

	if (++p->lines_in_report > KLOG_REPORT_MAX_LINES) {
		emit(p);
		return;
	}
	if (!p->frames_done && klog_trace_line(r, msg))
		return;
	if (strstr(msg, "<IRQ>")) {
		r->in_irq = true;
		return;
	}
	/* before cpuset_line: "oom-kill:constraint=...,cpuset=/,mems_allowed=0,oom_memcg=..." */
	if (task_line(r, msg) || klog_meminfo_line(p, msg) || (p->open && cpuset_line(r, msg)))
		return;
	/*
	 * Counted per physical line, as `lines` is: one line the kernel wrote
	 * with embedded newlines ("#012") splits into several messages here.
	 */
	if (!known_noise(msg) && p->skipped_line_no != line_no) {
		p->skipped_lines++;
		p->skipped_line_no = line_no;
	}
}

/* One logical line: a header, a line of the open report, or a line between reports. */
static void logical_line(struct klog_parser *p, char *msg, double time_s, uint64_t line_no)
{
	if (header(p, msg, time_s, line_no))
		return;
	if (p->open) {
		report_line(p, msg, line_no);
		return;
	}
	/* The memcg OOM's kill line alone: its header is not in the log (earlier, or cut). */
	if (strstr(msg, "Memory cgroup out of memory: Kill")) {
		struct klog_report *r = begin(p, KLOG_MEMCG_KILL, msg, time_s, line_no);

		r->memcg_oom = true;
		r->complete = true;
		emit(p);
		return;
	}
	announcement(p, msg, line_no);
}

/* The kernel's embedded newlines: rsyslog writes them "#012", /dev/kmsg "\x0a". */
static char *escaped_newline(char *msg, size_t *len)
{
	char *a = strstr(msg, "#012"), *b = strstr(msg, "\\x0a");

	if (b && (!a || b < a))
		a = b;
	*len = 4;
	return a;
}

static void split_escapes(struct klog_parser *p, char *msg, double time_s, uint64_t line_no)
{
	char *esc;
	size_t len;

	while ((esc = escaped_newline(msg, &len))) {
		*esc = 0;
		logical_line(p, msg, time_s, line_no);
		msg = esc + len;
	}
	logical_line(p, msg, time_s, line_no);
}

static void flush_pending(struct klog_parser *p)
{
	if (!p->have_pending)
		return;
	p->have_pending = false;
	split_escapes(p, p->pending, p->pending_time, p->pending_line);
}

/*
 * A bare line was wrapped (by a mail client or a terminal) when it continues
 * the header's list: the pending line ends with ',', or, in a log whose
 * lines carry prefixes, this one starts with one of the header's keys.
 */
static bool continues_pending(const struct klog_parser *p, const char *msg)
{
	static const char *const keys[] = { "mode:", ", mode:", "nodemask=", "cpuset=", "mems_allowed=", "order=",
					    "oom_score_adj=", "gfp_mask=", NULL };

	if (!p->have_pending)
		return false;
	if (p->pending_len && p->pending[p->pending_len - 1] == ',')
		return true;
	if (!p->seen_prefix)
		return false;
	for (const char *const *k = keys; *k; k++)
		if (starts(msg, *k))
			return true;
	return false;
}

void klog_line(struct klog_parser *p, const char *line, size_t len)
{
	char buf[KLOG_LINE_MAX];
	struct klog_frame_info info;
	const char *msg;

	p->lines++;
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	copy_text(buf, sizeof(buf), line, len);
	klog_frame_line(buf, &info); /* a NUL inside the line ends it */
	if (info.style == KLOG_STYLE_KMSG_DICT || info.style == KLOG_STYLE_OTHER)
		return;
	msg = buf + info.text;
	if (info.style == KLOG_STYLE_BARE && continues_pending(p, msg)) {
		size_t add = strlen(msg);

		if (p->pending_len + 1 + add < sizeof(p->pending)) {
			p->pending[p->pending_len++] = ' ';
			memcpy(p->pending + p->pending_len, msg, add + 1);
			p->pending_len += add;
		}
		return;
	}
	if (info.style != KLOG_STYLE_BARE)
		p->seen_prefix = true;
	flush_pending(p);
	copy_text(p->pending, sizeof(p->pending), msg, strlen(msg));
	p->pending_len = strlen(p->pending);
	p->pending_time = info.time_s;
	p->pending_line = p->lines;
	p->have_pending = true;
}

void klog_feed(struct klog_parser *p, const char *buf, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n') {
			klog_line(p, buf + start, i - start);
			start = i + 1;
		}
	if (start < len)
		klog_line(p, buf + start, len - start);
}

void klog_finish(struct klog_parser *p)
{
	flush_pending(p);
	emit(p);
}

void klog_init(struct klog_parser *p, klog_report_fn emit_fn, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->emit = emit_fn;
	p->ctx = ctx;
	p->buddy_zone = p->reserve_zone = -1;
}

void klog_end_report(struct klog_parser *p)
{
	p->cur.complete = true;
	emit(p);
}
