/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's allocation-failure reports, read back from log text: dmesg
 * (with or without [timestamps], -T), journalctl -k and syslog files
 * (`Mon DD HH:MM:SS host kernel: `, ISO dates, OpenWrt logread), /dev/kmsg
 * records (`6,1234,5678,-;text`) and rsyslog's #012 escapes.
 *
 * The parser is fed one physical line at a time, so the same code reads a
 * file after the fact and /dev/kmsg live.  It frames each line (strips the
 * prefix, joins lines a mail client or syslog wrapped), groups the lines of
 * one report (header, call trace, Mem-Info dump, OOM memcg lines) and hands
 * each finished report to a callback.  Nothing here judges a report: that
 * is model/log_requests.c with the shared cause rules.
 *
 * A line it cannot use is skipped and counted, never an error: logs are
 * interleaved, cut short and garbled by concurrent printk.
 */
#ifndef FS_DECODE_KERNEL_LOG_H
#define FS_DECODE_KERNEL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"
#include "model/log_report.h"

#define KLOG_LINE_MAX 1024

/* How a physical line was framed (tests check each style). */
enum klog_style {
	KLOG_STYLE_BARE,      /* no prefix at all */
	KLOG_STYLE_DMESG,     /* [  123.456789] */
	KLOG_STYLE_DMESG_T,   /* [Mon Apr 20 15:08:07 2020] */
	KLOG_STYLE_SYSLOG,    /* Mon DD HH:MM:SS host kernel: (journalctl -k, kern.log, logread, ISO dates) */
	KLOG_STYLE_KMSG,      /* /dev/kmsg: prio,seq,usec,flags;text */
	KLOG_STYLE_KMSG_DICT, /* /dev/kmsg continuation " KEY=value": not text */
	KLOG_STYLE_OTHER,     /* a syslog line of another program than the kernel */
};

struct klog_frame_info {
	enum klog_style style;
	bool syslog;  /* a syslog prefix came before the dmesg timestamp (kern.log) */
	double time_s; /* seconds since boot from [ts] or kmsg; <0: none */
	size_t text;   /* offset of the message text in the line */
};

/* Strips the prefixes of a NUL-terminated line; the message is line + info->text. */
void klog_frame_line(const char *line, struct klog_frame_info *info);

typedef void (*klog_report_fn)(const struct klog_report *rep, void *ctx);

struct klog_parser {
	klog_report_fn emit;
	void *ctx;
	struct klog_report cur;
	bool open;            /* cur is a report being read */
	bool frames_done;     /* past the trace (Mem-Info, registers) */
	int buddy_zone;       /* a buddy line split over lines continues in this zone; -1 */
	int reserve_zone;     /* the zone a lowmem_reserve[] line belongs to; -1 */
	uint64_t lines_in_report;
	uint64_t skipped_line_no; /* the last line counted in skipped_lines (lines count from 1) */
	/* the logical line being assembled from wrapped physical lines */
	char pending[KLOG_LINE_MAX];
	size_t pending_len;
	bool have_pending;
	double pending_time;
	uint64_t pending_line;
	bool seen_prefix;     /* the log's lines carry prefixes: a bare line is a wrap */
	bool kmsg;            /* the log is /dev/kmsg records */
	/* lines that announce the next header */
	uint64_t vmap_line, vmap_bytes;
	uint64_t suppressed_line;
	uint32_t suppressed;
	/* counts for the caller */
	uint64_t lines;         /* physical lines read */
	uint64_t reports;       /* reports emitted */
	uint64_t skipped_lines; /* physical lines inside a report with a message not understood */
};

void klog_init(struct klog_parser *p, klog_report_fn emit, void *ctx);
/* One physical line, without its newline (a trailing \r is dropped). */
void klog_line(struct klog_parser *p, const char *line, size_t len);
/* Splits buf into lines and feeds them; a last line without newline too. */
void klog_feed(struct klog_parser *p, const char *buf, size_t len);
/* The end of the input: emits the report still open. */
void klog_finish(struct klog_parser *p);

/* Mem-Info and OOM lines of the open report (meminfo_dump.c); true if the message was one. */
bool klog_meminfo_line(struct klog_parser *p, const char *msg);
/* A call trace frame of the open report (call_trace.c); true if the message was one. */
bool klog_trace_line(struct klog_report *r, const char *msg);
/* The open report ended as the kernel ends it: emits it (for meminfo_dump.c). */
void klog_end_report(struct klog_parser *p);

#endif
