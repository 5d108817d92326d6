#!/usr/bin/env bash
# A record file of format 2 (written before requests existed) still reads:
# the same failure groups, page allocations and events per tracepoint as
# the fragscope that wrote it reported, and its failures make requests
# (without syscall ends, grouped by caller): the two failed
# bpf(BPF_MAP_CREATE) calls of tests/fixtures/record/README.md.
source "$(dirname "$0")/../lib.sh"

command -v jq >/dev/null || fail "jq not installed"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
fixture=$TOP/tests/fixtures/record/format2-memcg-fail.fsr
"$FRAGSCOPE" report -i "$fixture" -F json >"$TMP/report.json" || fail "report of a format 2 file exited $?"
jq -S '{failures: [.failures[] | {kind, count, bytes, order}], page_alloc_total: .page_alloc.total,
	by_process: [.page_alloc.by_process[] | {comm, pid, order, count}],
	events: (.meta.events | with_entries(select(.key != "raw_syscalls:sys_exit" and .key != "sched:sched_process_exit")))}' \
	"$TMP/report.json" >"$TMP/now.json"
diff -u "${fixture%.fsr}.expected.json" "$TMP/now.json" || fail "the format 2 file reads differently than when written"
pass "format 2: the same failures, page allocations and events as the writer reported"
n=$(jq '[.requests[] | select(.api == "kvmalloc" and .cause == "memcg_limit" and .outcome == "failed" and
	.caller == "__bpf_map_area_alloc" and .bytes == 4408) | .count] | add // 0' "$TMP/report.json")
[ "$n" = 2 ] || fail "$n kvmalloc requests in the format 2 file, expected 2: $(jq -c .request_summary "$TMP/report.json")"
jq -e '.meta.probes["raw_syscalls:sys_exit"] == false' "$TMP/report.json" >/dev/null || fail "a format 2 file had no sys_exit probe"
pass "format 2: its failures make the 2 failed kvmalloc requests"
