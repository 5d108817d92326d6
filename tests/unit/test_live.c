// SPDX-License-Identifier: GPL-2.0
/*
 * The live views' pure parts on a hand-built model: top's screen, the
 * Prometheus/OpenMetrics exposition, interval histograms; and serve's HTTP
 * server on a loopback port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "live/http_server.h"
#include "live/live.h"
#include "model/model.h"

#define T0 1000000000ULL
#define SECOND 1000000000ULL

enum { A_ALLOC_PAGES = 0x1000, A_VMALLOC_RANGE = 0x2000, A_CALLER = 0x3000, A_END = 0x4000 };

struct fixture {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct model model;
	struct report report;
	struct live_totals prev, cur;
	struct live_text text;
};

static void snapshot_at(struct fixture *f, uint64_t ts, uint64_t order0_movable, uint64_t order3_unmovable)
{
	struct snapshot s;

	snapshot_init(&s);
	s.ts_ns = ts;
	s.page_allocs[fs_page_alloc_index(0, 1, FS_GFP_NORMAL)] = order0_movable;
	s.page_allocs[fs_page_alloc_index(3, 0, FS_GFP_ATOMIC)] = order3_unmovable;
	s.counters[FS_CTR_LOST + FS_EV_COMPACT] = order3_unmovable / 10;
	s.counters[FS_CTR_MAP_FULL + FS_MAP_OPEN_REQUESTS] = order3_unmovable / 10 + 2;
	assert_int_equal(model_set_snapshot(&f->model, &s), 0);
	snapshot_free(&s);
}

static void zone_state(struct state_sample *st, uint64_t order0_free)
{
	memset(st, 0, sizeof(*st));
	st->nr_zones = 1;
	st->zones[0].node = 0;
	st->zones[0].nr_orders = 11;
	snprintf(st->zones[0].name, sizeof(st->zones[0].name), "Normal");
	st->zones[0].free_blocks[0] = order0_free;
	st->zones[0].free_blocks[1] = 40;
	st->zones[0].free_blocks[4] = 2;
	st->counters.value[STATE_CNT_COMPACT_STALL] = 7;
	st->counters.present = 1ull << STATE_CNT_COMPACT_STALL;
}

/*
 * Two ticks, 2 s apart: 400 order-0 Movable and 40 order-3 Unmovable
 * allocations, a vmalloc failure, two compaction stalls, and 5 more free
 * order-0 blocks.
 */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const uint64_t frames[] = { A_ALLOC_PAGES + 4, A_VMALLOC_RANGE + 0x10, A_CALLER + 8 };
	struct state_sample st;
	struct fs_event e;

	f->kinfo.page_size = 4096;
	snprintf(f->kinfo.release, sizeof(f->kinfo.release), "6.1.0-\"test\"");
	f->kinfo.migratetypes.n = 2;
	snprintf(f->kinfo.migratetypes.name[0], sizeof(f->kinfo.migratetypes.name[0]), "Unmovable");
	snprintf(f->kinfo.migratetypes.name[1], sizeof(f->kinfo.migratetypes.name[1]), "Movable");
	f->ksyms = ksyms_new();
	ksyms_add(f->ksyms, A_ALLOC_PAGES, "__alloc_pages_noprof", NULL);
	ksyms_add(f->ksyms, A_VMALLOC_RANGE, "__vmalloc_node_range_noprof", NULL);
	ksyms_add(f->ksyms, A_CALLER, "bpf_map_area_alloc", NULL);
	ksyms_add(f->ksyms, A_END, NULL, NULL);
	ksyms_sort(f->ksyms);
	model_init(&f->model, &f->kinfo, f->ksyms, NULL, T0);
	f->report = (struct report){ .model = &f->model, .kinfo = &f->kinfo, .ksyms = f->ksyms,
				     .opts = { .sort = "count", .top = 10 } };

	snapshot_at(f, T0 + SECOND, 100, 0);
	hist_add(&f->model.compaction.stall, 5000000);
	zone_state(&st, 1000);
	live_totals_take(&f->prev, &f->model, &st);

	memset(&e, 0, sizeof(e));
	e.hdr.type = FS_EV_PAGE_FAIL;
	e.hdr.pid = e.hdr.tid = 4242;
	e.hdr.ts_ns = T0 + 2 * SECOND;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "provoke");
	e.hdr.nr_frames = 3;
	memcpy(e.frames, frames, sizeof(frames));
	assert_int_equal(model_add_event(&f->model, &e), 0);
	hist_add(&f->model.compaction.stall, 100000);
	hist_add(&f->model.compaction.stall, 300000);
	f->model.compaction.deferred_stalls = 1; /* one of the three found every zone deferred */
	snapshot_at(f, T0 + 3 * SECOND, 500, 40);
	zone_state(&st, 1005);
	live_totals_take(&f->cur, &f->model, &st);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	live_text_free(&f->text);
	model_free(&f->model);
	ksyms_free(f->ksyms);
	free(f);
	return 0;
}

/* The line of text that contains needle, or fails the test. */
static const char *line_with(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);

	if (!at)
		fail_msg("'%s' not in:\n%s", needle, text);
	while (at > text && at[-1] != '\n')
		at--;
	return at;
}

static void assert_fits(const char *text, unsigned int width, unsigned int height)
{
	unsigned int lines = 0;

	for (const char *l = text; *l; lines++) {
		size_t n = strcspn(l, "\n");

		if (n > width)
			fail_msg("line wider than %u: '%.*s'", width, (int)n, l);
		l += n + (l[n] == '\n');
	}
	assert_true(lines <= height);
}

static void test_top_screen(void **state)
{
	struct fixture *f = *state;
	struct top_view v = { .width = 80, .height = 24 };
	const char *l;

	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	assert_non_null(f->text.buf);
	assert_fits(f->text.buf, 80, 24);
	/* Rates are per second of the 2 s interval. */
	l = line_with(f->text.buf, "ALLOCATIONS/s");
	assert_non_null(strstr(l, "Unmovable") && strstr(l, "Movable") ? l : NULL);
	assert_non_null(strstr(line_with(f->text.buf, "    0     200.0"), "200.0"));
	assert_non_null(strstr(line_with(f->text.buf, "    3      20.0"), "20.0"));
	assert_non_null(strstr(f->text.buf, "lost events: 4"));
	/* The failure with process, kind, order, size and innermost frames, more on a wide screen. */
	l = line_with(f->text.buf, "provoke");
	assert_non_null(strstr(l, "4242"));
	assert_non_null(strstr(l, "vmalloc   o0   4096B __alloc_pages"));
	assert_non_null(strstr(f->text.buf, "vmalloc 1"));
	live_text_free(&f->text);
	v.width = 160;
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	l = line_with(f->text.buf, "provoke");
	assert_non_null(strstr(l, "__alloc_pages_noprof <- __vmalloc_node_range_noprof <- bpf_map_area_alloc"));
	/* Two compaction stalls in 2 s: 1/s; the earlier 5 ms stall is not this interval's. */
	l = line_with(f->text.buf, "  compaction");
	assert_non_null(strstr(l, "1.0"));
	assert_null(strstr(l, "5.0ms"));
	/* Free blocks, their change and the extfrag index of costly orders. */
	assert_non_null(strstr(line_with(f->text.buf, "Normal  free"), "  1005    40"));
	assert_non_null(strstr(line_with(f->text.buf, "chg"), "chg       +5 "));
	assert_non_null(strstr(line_with(f->text.buf, "frag"), "     - 0.966"));

	/* Large counts and changes shorten to stay in their 5 columns. */
	live_text_free(&f->text);
	v.width = 80;
	f->cur.state.zones[0].free_blocks[0] = 1000 + 123456;
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	assert_fits(f->text.buf, 80, 24);
	assert_non_null(strstr(line_with(f->text.buf, "Normal  free"), "free    124k    40"));
	assert_non_null(strstr(line_with(f->text.buf, "chg"), "chg    +123k "));
}

/* A kernel log report the trace did not see: the latest one, under the requests, with how many. */
static void test_top_kernel_log_untraced(void **state)
{
	struct fixture *f = *state;
	struct top_view v = { .width = 160, .height = 24 };
	struct request_table *t = &f->model.requests;
	struct request seen[2];

	for (int i = 0; i < 2; i++) {
		request_init(&seen[i]);
		snprintf(seen[i].comm, sizeof(seen[i].comm), "iptables-restor");
		seen[i].pid = 4182 + i;
		seen[i].context = CONTEXT_SYSCALL;
		seen[i].syscall = 54; /* setsockopt */
		seen[i].api = API_KVMALLOC;
		seen[i].cause = CAUSE_MEMCG_LIMIT;
		snprintf(seen[i].caller, sizeof(seen[i].caller), "xt_alloc_table_info");
	}
	t->log_unjoined = seen;
	t->nr_log_unjoined = 2;
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	t->log_unjoined = NULL;
	t->nr_log_unjoined = 0;
	assert_fits(f->text.buf, 160, 24);
	assert_non_null(strstr(line_with(f->text.buf, "kernel log, not traced (2):"),
			       "iptables-restor[4183] setsockopt: kvmalloc in xt_alloc_table_info failed"));
}

static void test_top_sort_and_small_screens(void **state)
{
	struct fixture *f = *state;
	struct top_view v = { .width = 80, .height = 24, .sort = TOP_SORT_RATE, .paused = true };
	const char *order0, *order3;

	/* Order 3 busier than order 0: sorting by rate puts it first. */
	f->cur.allocs[3][0] += 1000;
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	assert_non_null(strstr(f->text.buf, "sort: rate"));
	assert_non_null(strstr(f->text.buf, "[paused]"));
	order0 = strstr(f->text.buf, "    0     200.0");
	order3 = strstr(f->text.buf, "    3     520.0");
	assert_true(order0 && order3 && order3 < order0);
	live_text_free(&f->text);
	v.sort = TOP_SORT_ORDER;
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	assert_true(strstr(f->text.buf, "    0     200.0") < strstr(f->text.buf, "    3     520.0"));

	live_text_free(&f->text);
	v = (struct top_view){ .width = 30, .height = 5 };
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	assert_fits(f->text.buf, 30, 5);

	live_text_free(&f->text);
	v = (struct top_view){ .width = 80, .height = 24, .help = true };
	top_render(&f->report, &f->prev, &f->cur, &v, &f->text);
	assert_non_null(strstr(f->text.buf, "q   quit"));
	assert_null(strstr(f->text.buf, "ALLOCATIONS/s"));
}

static void test_interval_histogram(void **state)
{
	struct fixture *f = *state;
	struct histogram h;

	live_hist_diff(&h, &f->cur.compaction, &f->prev.compaction);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.sum_ns, 400000);
	/* Bounded by the interval's buckets (64..128 us and 256..512 us), not by the old 5 ms stall. */
	assert_true(h.max_ns <= 512000);
	assert_true(hist_quantile_ns(&h, 0.99) <= 512000);
	assert_true(hist_quantile_ns(&h, 0.5) >= 64000);
	live_hist_diff(&h, &f->cur.compaction, &f->cur.compaction);
	assert_int_equal(h.count, 0);
	assert_int_equal(hist_quantile_ns(&h, 0.5), 0);
}

static void test_prometheus_text(void **state)
{
	struct fixture *f = *state;
	const char *t;

	metrics_render(&f->report, &f->cur, false, &f->text);
	t = f->text.buf;
	assert_non_null(strstr(t, "# TYPE fragscope_page_allocations_total counter\n"));
	assert_non_null(strstr(t, "fragscope_page_allocations_total{order=\"0\",migratetype=\"Movable\"} 500\n"));
	assert_non_null(strstr(t, "fragscope_page_allocations_total{order=\"3\",migratetype=\"Unmovable\"} 40\n"));
	assert_non_null(strstr(t, "fragscope_allocation_failures_total{kind=\"vmalloc\"} 1\n"));
	assert_non_null(strstr(t, "fragscope_allocation_failures_total{kind=\"page\"} 0\n"));
	assert_non_null(strstr(t, "# TYPE fragscope_failed_requests_detail_lost_total counter\n"));
	assert_non_null(strstr(t, "fragscope_kernel_log_reports_untraced_total 0\n"));
	assert_non_null(strstr(t, "# TYPE fragscope_compaction_stall_seconds histogram\n"));
	assert_non_null(strstr(t, "fragscope_compaction_stall_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(t, "fragscope_compaction_stall_seconds_bucket{le=\"0.000128\"} 1\n"));
	assert_non_null(strstr(t, "fragscope_compaction_stall_seconds_count 3\n"));
	assert_non_null(strstr(t, "# TYPE fragscope_compaction_deferred_stalls_total counter\n"));
	assert_non_null(strstr(t, "fragscope_compaction_deferred_stalls_total 1\n"));
	assert_non_null(strstr(t, "fragscope_reclaim_stall_seconds_count{kind=\"memcg\"} 0\n"));
	assert_non_null(strstr(t, "fragscope_lost_events_total{type=\"compaction\"} 4\n"));
	assert_non_null(strstr(t, "# TYPE fragscope_map_full_drops_total counter\n"));
	assert_non_null(strstr(t, "fragscope_map_full_drops_total{map=\"open_requests\"} 6\n"));
	assert_non_null(strstr(t, "fragscope_map_full_drops_total{map=\"proc\"} 0\n"));
	assert_null(strstr(t, "map=\"compact_tries\""));
	assert_non_null(strstr(t, "fragscope_free_blocks{node=\"0\",zone=\"Normal\",order=\"0\"} 1005\n"));
	assert_non_null(strstr(t, "fragscope_fragmentation_index{node=\"0\",zone=\"Normal\",order=\"4\"}"));
	assert_non_null(strstr(t, "fragscope_vmstat_compact_stall_total 7\n"));
	assert_null(strstr(t, "compact_fail"));
	/* Label values are escaped. */
	assert_non_null(strstr(t, "# TYPE fragscope_build_info gauge\n"));
	assert_non_null(strstr(t, "fragscope_build_info{version=\"" FRAGSCOPE_VERSION "\",kernel=\"6.1.0-\\\"test\\\"\"} 1\n"));
	assert_null(strstr(t, "# EOF"));
}

static void test_openmetrics(void **state)
{
	struct fixture *f = *state;
	const char *t;

	metrics_render(&f->report, &f->cur, true, &f->text);
	t = f->text.buf;
	assert_non_null(strstr(t, "# TYPE fragscope_page_allocations counter\n"));
	assert_non_null(strstr(t, "fragscope_page_allocations_total{order=\"0\",migratetype=\"Movable\"} 500\n"));
	assert_non_null(strstr(t, "# TYPE fragscope_build info\n"));
	assert_int_equal(strcmp(t + f->text.len - 6, "# EOF\n"), 0);
}

/* Sends request to the server at addr ("127.0.0.1:PORT") and reads the answer until it closes. */
static char *http_exchange(const char *addr, const char *request)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char answer[65536];
	size_t used = 0;
	ssize_t n;
	int fd;

	sa.sin_port = htons(atoi(strrchr(addr, ':') + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while (used < sizeof(answer) - 1 && (n = read(fd, answer + used, sizeof(answer) - 1 - used)) > 0)
		used += n;
	close(fd);
	answer[used] = 0;
	return answer;
}

static void test_http_server(void **state)
{
	char err[256], *doc, *om, *a;
	struct http_server *srv;
	const char *addr;

	(void)state;
	assert_null(http_server_start("nonsense", err, sizeof(err)));
	assert_non_null(strstr(err, "expected HOST:PORT"));
	srv = http_server_start("127.0.0.1:0", err, sizeof(err));
	assert_non_null(srv);
	addr = http_server_address(srv);
	assert_int_equal(strncmp(addr, "127.0.0.1:", 10), 0);
	assert_true(atoi(addr + 10) > 0);

	/* Nothing published yet: 503, not an empty exposition. */
	a = http_exchange(addr, "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(strncmp(a, "HTTP/1.1 503 ", 13), 0);

	doc = strdup("fragscope_up 1\n");
	om = strdup("fragscope_up 1\n# EOF\n");
	http_server_publish(srv, doc, strlen(doc), om, strlen(om));
	a = http_exchange(addr, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	assert_non_null(strstr(a, "Content-Type: " METRICS_PROMETHEUS_TYPE "\r\n"));
	assert_non_null(strstr(a, "Connection: close\r\n"));
	assert_non_null(strstr(a, "\r\n\r\nfragscope_up 1\n"));
	assert_null(strstr(a, "# EOF"));
	a = http_exchange(addr, "GET /metrics HTTP/1.1\r\nHost: a\r\naccept: application/openmetrics-text;"
				"version=1.0.0;q=0.5,text/plain;q=0.3\r\n\r\n");
	assert_non_null(strstr(a, "Content-Type: " METRICS_OPENMETRICS_TYPE "\r\n"));
	assert_non_null(strstr(a, "\r\n\r\nfragscope_up 1\n# EOF\n"));
	a = http_exchange(addr, "HEAD /metrics HTTP/1.0\r\n\r\n");
	assert_int_equal(strncmp(a, "HTTP/1.1 200 ", 13), 0);
	assert_non_null(strstr(a, "Content-Length: 15\r\n"));
	assert_null(strstr(a, "fragscope_up"));
	a = http_exchange(addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_non_null(strstr(a, "metrics at /metrics\n"));
	a = http_exchange(addr, "GET /metricsx HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(strncmp(a, "HTTP/1.1 404 ", 13), 0);
	a = http_exchange(addr, "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(strncmp(a, "HTTP/1.1 405 ", 13), 0);
	assert_non_null(strstr(a, "Allow: GET, HEAD\r\n"));
	a = http_exchange(addr, "GET /metrics HTTP/2.0\r\nHost: a\r\n\r\n");
	assert_int_equal(strncmp(a, "HTTP/1.1 505 ", 13), 0);
	http_server_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_top_screen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_kernel_log_untraced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_top_sort_and_small_screens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_histogram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prometheus_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_openmetrics, setup, teardown),
		cmocka_unit_test(test_http_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
