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

# Format 4 (version 2 /proc samples, before the commit reserves): the
# samples' sysctls still read in place, and the two refused mmaps of
# tests/fixtures/record/README.md are what that fragscope listed.
fixture=$TOP/tests/fixtures/record/format4-commit.fsr
"$FRAGSCOPE" report -i "$fixture" -F json >"$TMP/report4.json" || fail "report of a format 4 file exited $?"
n=$(jq '[.requests[] | select(.api == "commit" and .cause == "overcommit_heuristic" and .outcome == "failed" and
	.syscall == "mmap" and .evidence.overcommit_memory == 0 and .evidence.commit_reserve_kb == 0 and
	(.evidence | has("cap_sys_admin") | not)) | .count] | add // 0' "$TMP/report4.json")
[ "$n" = 2 ] || fail "$n refused mmaps in the format 4 file, expected 2: $(jq -c .requests "$TMP/report4.json")"
jq -e '.doctor.all_clear == true and .doctor.notes == []' "$TMP/report4.json" >/dev/null ||
	fail "the format 4 file's samples lost their sysctls: $(jq -c .doctor "$TMP/report4.json")"
pass "format 4: its version 2 samples read with their sysctls, and its 2 refused mmaps are overcommit_heuristic"

# Format 5 (order 0 traced, counters without the failed allocations by
# order): the same order table as the writer reported, and order 0 read as
# traced, not as derived from /proc/vmstat.
fixture=$TOP/tests/fixtures/record/format5-pages.fsr
"$FRAGSCOPE" report -i "$fixture" -F json >"$TMP/report5.json" || fail "report of a format 5 file exited $?"
jq -S '{page_alloc_total: .page_alloc.total, by_order: .page_alloc.by_order, events: .meta.events}' \
	"$TMP/report5.json" >"$TMP/now5.json"
diff -u "${fixture%.fsr}.expected.json" "$TMP/now5.json" || fail "the format 5 file reads differently than when written"
source0=$(json_get "$TMP/report5.json" '.page_alloc.order0_source')
[ "$source0" = traced ] || fail "a format 5 file's order 0 reads as $source0, not traced"
movable0=$(json_get "$TMP/report5.json" '[.page_alloc.by_order[] | select(.order == 0 and .migratetype == "Movable") | .count] | add // 0')
[ "$movable0" -ge 3000 ] || fail "$movable0 Movable order-0 allocations in the format 5 file, fewer than the 3000 pages touched"
pass "format 5: the same order table ($movable0 Movable order-0 allocations for 3000 pages touched), order 0 traced"
