// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log in a record file: REC_KLOG records written as the session
 * writes them (one /dev/kmsg record each) come back through replay_file()
 * as the same reports, judged as explain judges them, and kept apart when
 * no traced request joins them, under the report's --pid/--comm filter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "decode/kernel_log.h"
#include "format/request_line.h"
#include "kernel/text_file.h"
#include "model/log_requests.h"
#include "model/meta.h"
#include "record/recorder.h"
#include "source/replay.h"

#define FIXTURE "tests/fixtures/dmesg/fragscope-provoke-iptables-6.18-kmsg.log"

static char path[] = "/tmp/test_record_klog.XXXXXX";

/* explain's one line for the fixture's report, to compare the replay's with. */
struct explained {
	char line[512];
	char kernel_log[512];
	int n;
};

static void explain_one(const struct klog_report *rep, void *ctx)
{
	struct explained *e = ctx;
	struct request r;

	log_report_request(rep, &r);
	request_line(&r, log_report_page_size(rep), e->line, sizeof(e->line));
	snprintf(e->kernel_log, sizeof(e->kernel_log), "%s", r.kernel_log);
	e->n++;
}

/* The fixture's lines, one REC_KLOG record each, as /dev/kmsg gives them. */
static void write_recording(const char *text)
{
	struct trace_meta meta = { .min_order = 0 };
	struct kernel_info kinfo = { .page_size = 4096 };
	struct recorder *rec;
	int err = 0;

	rec = recorder_create(path, &meta, &kinfo, NULL, &err);
	assert_non_null(rec);
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");

		assert_int_equal(recorder_write_klog(rec, line, len + (line[len] == '\n')), 0);
		line += len + (line[len] == '\n');
	}
	assert_int_equal(recorder_close(rec, NULL), 0);
}

static size_t replay_unjoined(const struct model_filter *filter, char *line, size_t len, char *kernel_log,
			      size_t log_len)
{
	struct replay rp;
	struct model m;
	char err[256];
	size_t n;

	assert_int_equal(replay_file(path, &rp, &m, filter, NULL, NULL, err, sizeof(err)), 0);
	n = m.requests.nr_log_unjoined;
	if (n) {
		request_line(&m.requests.log_unjoined[0], 4096, line, len);
		snprintf(kernel_log, log_len, "%s", m.requests.log_unjoined[0].kernel_log);
	}
	assert_int_equal(m.requests.nr, 0);
	model_free(&m);
	replay_free(&rp);
	return n;
}

static void test_round_trip(void **state)
{
	char *text = text_file_read(FIXTURE, NULL);
	struct explained e = { 0 };
	struct klog_parser p;
	struct model_filter all = { .min_order = -1 }, other = all, same = all;
	char line[512] = "", kernel_log[512] = "";

	(void)state;
	assert_non_null(text);
	klog_init(&p, explain_one, &e);
	klog_feed(&p, text, strlen(text));
	klog_finish(&p);
	assert_int_equal(e.n, 1);
	assert_int_not_equal(mkstemp(path), -1);
	write_recording(text);

	/* No request was traced: the report stands alone, explain's line and the kernel's own. */
	assert_int_equal(replay_unjoined(&all, line, sizeof(line), kernel_log, sizeof(kernel_log)), 1);
	assert_string_equal(line, e.line);
	assert_string_equal(kernel_log, e.kernel_log);
	assert_non_null(strstr(line, "memcg"));
	/* The report filter holds where the log names the task (provoke, pid 8147). */
	snprintf(other.comm, sizeof(other.comm), "other");
	assert_int_equal(replay_unjoined(&other, line, sizeof(line), kernel_log, sizeof(kernel_log)), 0);
	other = all;
	other.pid = 8148;
	assert_int_equal(replay_unjoined(&other, line, sizeof(line), kernel_log, sizeof(kernel_log)), 0);
	same.pid = 8147;
	snprintf(same.comm, sizeof(same.comm), "provoke");
	assert_int_equal(replay_unjoined(&same, line, sizeof(line), kernel_log, sizeof(kernel_log)), 1);
	unlink(path);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
