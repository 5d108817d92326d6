// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as kernel log text for `explain`.  The
 * parser must frame, group and emit reports without crashing or overreading
 * whatever the bytes (NULs, endless lines, half headers, garbled dumps), and
 * each report must become a request that classifies, prints its line and
 * advice, and writes its JSON object: the whole path explain takes.
 *
 * fuzz-sources: user/decode/kernel_log.c user/decode/kernel_log_frame.c user/decode/meminfo_dump.c user/decode/call_trace.c user/model/log_requests.c user/model/request.c user/format/request_line.c user/format/request_json.c user/util/json.c user/util/units.c user/kernel/syscall_names.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/kernel_log.h"
#include "format/request_json.h"
#include "format/request_line.h"
#include "model/log_requests.h"
#include "util/json.h"

static FILE *devnull;
static uint64_t emitted;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		__builtin_trap();
	return 0;
}

static void check_text(const char *buf, size_t len, size_t size)
{
	if (len >= size || strlen(buf) != len)
		__builtin_trap();
}

static void use(const struct klog_report *rep, void *ctx)
{
	struct request r;
	char line[512], advice[1024];
	struct advice_context c = { .page_size = log_report_page_size(rep), .addr_bits = rep->addr_bits,
				    .mem_info = rep->mem_info, .cpuset = rep->cpuset };
	const char *frames[KLOG_MAX_FRAMES];
	struct request_json_extra x = { .time_s = rep->time_s, .frames = frames, .nr_frames = rep->nr_frames,
					.page_size = c.page_size, .advice = advice };
	struct json j;

	(void)ctx;
	emitted++;
	if (rep->nr_frames > KLOG_MAX_FRAMES || rep->nr_zones > KLOG_MAX_ZONES || strlen(rep->text) >= KLOG_TEXT_LEN)
		__builtin_trap();
	log_report_request(rep, &r);
	if (r.cause >= CAUSE_COUNT || r.evidence.nr_zones > EVIDENCE_MAX_ZONES)
		__builtin_trap();
	check_text(line, request_line(&r, c.page_size, line, sizeof(line)), sizeof(line));
	check_text(advice, request_advice(&r, &c, advice, sizeof(advice)), sizeof(advice));
	for (uint32_t i = 0; i < rep->nr_frames; i++)
		frames[i] = rep->frames[i].name;
	json_init(&j, devnull, false);
	request_write_json(&j, &r, &x);
	json_finish(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klog_parser p;

	emitted = 0;
	klog_init(&p, use, NULL);
	klog_feed(&p, (const char *)data, size);
	klog_finish(&p);
	if (p.reports != emitted || p.skipped_lines > p.lines)
		__builtin_trap();
	return 0;
}
