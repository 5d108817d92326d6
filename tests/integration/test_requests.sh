#!/usr/bin/env bash
# Failed requests, not allocator events: each provoked request is counted
# once, with its api, cause, outcome, caller, syscall and cgroup path,
# whatever number of allocator events it took, and the kernel's own
# request counters agree with what user space listed.
#
#  A. In a 32 MiB memory cgroup, `provoke fail kmalloc,large,vmalloc 3`
#     makes bpf(BPF_MAP_CREATE) fail with ENOMEM through
#     bpf_map_area_alloc: kmalloc then vmalloc (5 allocator events for the
#     large one: a page of order 3, kmalloc_large traced twice, two vmalloc
#     pages), and vmalloc alone for 1 MiB.
#  B. mmap refused before any allocation: RLIMIT_AS, RLIMIT_DATA, the
#     overcommit heuristic (vm.overcommit_memory=0: more than RAM + swap),
#     an empty hugetlb pool and vm.max_map_count, each a known number of
#     times; the same
#     counts in `trace` lines and in `serve`'s
#     fragscope_failed_requests_total.
source "$(dirname "$0")/../lib.sh"

require_bpf
command -v jq >/dev/null || fail "jq not installed"
[ -x "$TOOLS/provoke" ] && [ -x "$TOOLS/enomem" ] || fail "tools not built (make tools)"
ROUNDS=3

# --- A: requests of kvmalloc shape in a memory cgroup at its limit --------
memcg_create requests $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
cgpath=/$(basename "$cg")
fragscope_start record --cgroup "$cg" -o "$TMP/a.fsr"
memcg_run "$cg" "$TOOLS/provoke" fail kmalloc,large,vmalloc "$ROUNDS" >"$TMP/a.out" || fail "provoke: $(cat "$TMP/a.out")"
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/a.out" "$ARTIFACTS/requests-provoke.out"
"$FRAGSCOPE" report -i "$TMP/a.fsr" -F json >"$TMP/a.json" || fail "report -F json"
"$FRAGSCOPE" report -i "$TMP/a.fsr" >"$TMP/a.txt" || fail "report"
cp "$TMP/a.json" "$ARTIFACTS/requests-memcg.json"
cp "$TMP/a.txt" "$ARTIFACTS/requests-memcg.txt"
for k in kmalloc large vmalloc; do
	[ "$(val "$TMP/a.out" fail.$k.failed)" = "$ROUNDS" ] || fail "provoke: $k failed $(val "$TMP/a.out" fail.$k.failed) of $ROUNDS"
done

# The requests of one shape: bpf() from __bpf_map_area_alloc, asking BYTES.
shape() {
	jq --argjson b "$1" --arg api "$2" '[.requests[] | select(.syscall == "bpf" and .caller == "__bpf_map_area_alloc"
		and .bytes == $b and .api == $api)]' "$TMP/a.json"
}
check_shape() { # NAME BYTES API EVENTS
	local name=$1 bytes=$2 api=$3 events=$4 n
	shape "$bytes" "$api" >"$TMP/shape.json"
	n=$(jq '[.[].count] | add // 0' "$TMP/shape.json")
	[ "$n" = "$ROUNDS" ] || fail "$name: $n requests of $bytes bytes via $api, expected $ROUNDS: $(jq -c '[.requests[] | {api,bytes,caller,syscall}] | unique' "$TMP/a.json")"
	[ "$(jq -r '[.[] | .outcome + "/" + .cause + "/" + (.ret | tostring) + "/" + .cgroup + "/" + .context] | unique | join(" ")' "$TMP/shape.json")" = "failed/memcg_limit/-12/$cgpath/syscall" ] ||
		fail "$name: $(jq -c '[.[] | {outcome, cause, ret, cgroup, context}] | unique' "$TMP/shape.json")"
	[ "$(jq -c '[.[] | [.events[] | .kind + ":" + (.order | tostring) + "x" + (.count | tostring)] | join(",")] | unique' "$TMP/shape.json")" = "[\"$events\"]" ] ||
		fail "$name: events $(jq -c '[.[] | [.events[] | .kind + ":" + (.order | tostring) + "x" + (.count | tostring)] | join(",")] | unique' "$TMP/shape.json"), expected $events"
	jq -e '.[0] | .evidence.memcg_limit_bytes == 33554432 and (.stack | length) > 3 and (.gfp | test("GFP"))' "$TMP/shape.json" >/dev/null ||
		fail "$name: evidence, stack or gfp missing: $(jq -c '.[0] | {evidence, gfp, stack}' "$TMP/shape.json")"
	pass "$name: $ROUNDS requests, $api of $bytes bytes, failed for memcg_limit in $cgpath, events $events"
}
# kmalloc of 4096 + 312 bytes (kmalloc-cg-8k, order 1), then vmalloc's first page.
check_shape kmalloc 4408 kvmalloc "kmalloc:1x1,vmalloc:0x2"
# kmalloc_large: the order-3 page, kmalloc traced twice, then vmalloc.
check_shape large 16696 kvmalloc "page:3x1,kmalloc:3x2,vmalloc:0x2"
# 1 MiB + 312 bytes: vmalloc only, of 257 pages (the area's size without its guard page).
check_shape vmalloc 1052672 vmalloc "vmalloc:0x2"

# One line per request group, in the operator's words, before the allocator tables.
first_section=$(grep -m1 '^== ' "$TMP/a.txt")
[ "$first_section" = "== Failed requests: who asked, what failed, why ==" ] || fail "the text report starts with '$first_section'"
grep -q "^ *${ROUNDS}x provoke\[[0-9]*\] $cgpath bpf → ENOMEM: kvmalloc 16.3 KiB in __bpf_map_area_alloc failed (page order 3, then kmalloc order 3, then vmalloc): memcg $cgpath at its limit (32 MiB of 32 MiB)$" "$TMP/a.txt" ||
	fail "no operator line for the large kvmalloc: $(grep -A6 '^== Failed requests' "$TMP/a.txt")"
pass "the text report leads with the requests' lines"

# The kernel counted the same syscall ends and bare ENOMEMs that user space listed.
# Requests are counted by their count: the same request of one process again is one record.
syscall_failed=$(jq '[.requests[] | select(.context == "syscall" and (.events | length) > 0 and .ret < 0) | .count] | add // 0' "$TMP/a.json")
bare=$(jq '[.requests[] | select((.events | length) == 0) | .count] | add // 0' "$TMP/a.json")
[ "$(jq .request_summary.kernel.syscall_failed "$TMP/a.json")" = "$syscall_failed" ] ||
	fail "kernel syscall_failed $(jq .request_summary.kernel.syscall_failed "$TMP/a.json"), listed $syscall_failed"
[ "$(jq .request_summary.kernel.enomem_no_allocation "$TMP/a.json")" = "$bare" ] ||
	fail "kernel enomem_no_allocation $(jq .request_summary.kernel.enomem_no_allocation "$TMP/a.json"), listed $bare"
[ "$(jq .request_summary.detail_lost "$TMP/a.json")" = 0 ] || fail "detail lost: $(jq -c .request_summary "$TMP/a.json")"
pass "kernel counts = listed: $syscall_failed syscalls failed after allocator failures, $bare ENOMEM with none"

# Folded stacks of failed requests: each request once, not its allocator events.
"$FRAGSCOPE" report -i "$TMP/a.fsr" -F folded --stacks requests >"$TMP/a.folded" || fail "folded --stacks requests"
folded=$(awk '{ n += $NF } END { print n + 0 }' "$TMP/a.folded")
failed=$(jq '[.requests[] | select(.outcome == "failed") | .count] | add // 0' "$TMP/a.json")
[ "$folded" = "$failed" ] || fail "folded --stacks requests weighs $folded, $failed requests failed"
kv=$(awk '/^kvmalloc_memcg_limit;.*;__bpf_map_area_alloc;/ { n += $NF } END { print n + 0 }' "$TMP/a.folded")
[ "$kv" = $((2 * ROUNDS)) ] || fail "folded --stacks requests: $kv kvmalloc requests from __bpf_map_area_alloc, expected $((2 * ROUNDS))"
pass "folded --stacks requests: $folded failed requests, one sample each"

# --- B: ENOMEM that never reached an allocator ----------------------------
[ "$(cat /proc/sys/vm/overcommit_memory)" = 0 ] || fail "vm.overcommit_memory is $(cat /proc/sys/vm/overcommit_memory), the heuristic case needs 0 (not changed here: a host-wide setting)"
run_enomem() { # MODE N
	"$TOOLS/enomem" "$1" "$2" >"$TMP/enomem-$1.out" || fail "enomem $1: $(cat "$TMP/enomem-$1.out")"
	[ "$(val "$TMP/enomem-$1.out" enomem.failed)" = "$2" ] || fail "enomem $1: $(cat "$TMP/enomem-$1.out")"
}
fragscope_start record --comm enomem -o "$TMP/b.fsr"
run_enomem rlimit-as 5
run_enomem rlimit-data 4
run_enomem heuristic 3
run_enomem hugetlb 2
run_enomem map-count 3
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
"$FRAGSCOPE" report -i "$TMP/b.fsr" -F json >"$TMP/b.json" || fail "report -F json"
cp "$TMP/b.json" "$ARTIFACTS/requests-enomem.json"
count() { jq "[.requests[] | select($1) | .count] | add // 0" "$TMP/b.json"; }
expect() { # N FILTER WHAT
	local n
	n=$(count "$2")
	[ "$n" = "$1" ] || fail "$3: $n requests, expected $1: $(jq -c '[.requests[] | {api, cause, why}] | unique' "$TMP/b.json")"
}
expect 5 '.api == "commit" and .cause == "rlimit" and .evidence.rlimit == "RLIMIT_AS" and .bytes == 134217728' "RLIMIT_AS"
expect 4 '.api == "commit" and .cause == "rlimit" and .evidence.rlimit == "RLIMIT_DATA"' "RLIMIT_DATA"
expect 3 '.api == "commit" and .cause == "overcommit_heuristic" and .evidence.overcommit_memory == 0' "overcommit heuristic"
expect 2 '.api == "hugetlb" and .cause == "hugetlb_pool" and .evidence.hugetlb_got < .evidence.hugetlb_asked' "hugetlb pool"
expect 3 '.api == "commit" and .cause == "max_map_count" and .evidence.map_count > .evidence.max_map_count' "max_map_count"
expect 17 '.syscall == "mmap" and .ret == -12 and .outcome == "failed" and .comm == "enomem" and (.events | length) == 0' "all"
[ "$(jq .request_summary.kernel.enomem_no_allocation "$TMP/b.json")" = 17 ] ||
	fail "the kernel counted $(jq .request_summary.kernel.enomem_no_allocation "$TMP/b.json") bare ENOMEMs, expected 17"
jq -e '.requests[0] | has("comm", "pid", "tid", "cgroup", "cgroup_id", "api", "bytes", "order", "gfp", "caller",
	"syscall", "ret", "outcome", "cause", "evidence", "events", "stack", "why", "line")' "$TMP/b.json" >/dev/null ||
	fail "a request lacks JSON fields: $(jq -c '.requests[0] | keys' "$TMP/b.json")"
pass "17 mmap ENOMEMs with no allocation: 5 RLIMIT_AS, 4 RLIMIT_DATA, 3 overcommit heuristic, 2 hugetlb pool, 3 max_map_count; the kernel counted 17"

# trace prints one line per request as it closes.
fragscope_bg trace trace --comm enomem || fail "trace did not attach: $(cat "$TMP/trace.err")"
TRACE_PID=$BG_PID
run_enomem rlimit-as 6
sleep 1
kill -INT "$TRACE_PID"
wait "$TRACE_PID" || fail "trace exited $?"
n=$(grep -c ' FAILED .*mmap → ENOMEM: commit 128 MiB failed: RLIMIT_AS ' "$TMP/trace.out")
[ "$n" = 6 ] || fail "trace printed $n RLIMIT_AS request lines, expected 6: $(head -5 "$TMP/trace.out")"
grep -q '^fragscope: 6 failed requests, 0 recovered;' "$TMP/trace.err" || fail "trace summary: $(cat "$TMP/trace.err")"
pass "trace: 6 request lines"

# serve: the Prometheus counter by api, cause and outcome.
fragscope_bg serve serve --comm enomem --listen 127.0.0.1:0 || fail "serve did not attach: $(cat "$TMP/serve.err")"
SERVE_PID=$BG_PID
addr=$(serve_address "$TMP/serve.err") || fail "serve printed no address"
run_enomem rlimit-as 7
run_enomem hugetlb 1
for _ in $(seq 50); do
	curl -s "http://$addr/metrics" >"$TMP/metrics"
	grep -q 'fragscope_failed_requests_total{api="hugetlb",cause="hugetlb_pool",outcome="failed"} 1' "$TMP/metrics" && break
	sleep 0.2
done
kill -INT "$SERVE_PID"
wait "$SERVE_PID"
grep -q '^fragscope_failed_requests_total{api="commit",cause="rlimit",outcome="failed"} 7$' "$TMP/metrics" ||
	fail "metrics: $(grep failed_requests "$TMP/metrics")"
grep -q '^fragscope_failed_requests_total{api="hugetlb",cause="hugetlb_pool",outcome="failed"} 1$' "$TMP/metrics" ||
	fail "metrics: $(grep failed_requests "$TMP/metrics")"
pass "serve: fragscope_failed_requests_total 7 rlimit, 1 hugetlb_pool"
