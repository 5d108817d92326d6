#!/usr/bin/env bash
# `fragscope trace` prints each failed request as it closes, in the
# operator's words, and with --events each allocator failure too (the
# process, the kind and the top frames); SIGINT ends it cleanly.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create live $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare fail memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail vmalloc 2
pid=$PROVOKE_PID
"$FRAGSCOPE" trace --events -p "$pid" >"$TMP/trace.out" 2>"$TMP/trace.err" &
trace_pid=$!
on_exit "kill -INT $trace_pid 2>/dev/null"
for _ in $(seq 100); do grep -q "^TIME" "$TMP/trace.out" && break; sleep 0.1; done
provoke_go fail
# Lines come within the drain interval (100 ms); allow for a slow machine.
for _ in $(seq 50); do [ "$(grep -c ' FAILED .* vmalloc 1.0 MiB ' "$TMP/trace.out")" = 2 ] && break; sleep 0.1; done
kill -INT "$trace_pid"
wait "$trace_pid" || fail "trace exited $? on SIGINT: $(cat "$TMP/trace.err")"
cp "$TMP/trace.out" "$ARTIFACTS/trace.txt"
head -5 "$TMP/trace.out"
grep -Eq "^[0-9.]+ +provoke +$pid +vmalloc +order=0 gfp=GFP_KERNEL_ACCOUNT.*at .*__vmalloc_node_range" "$TMP/trace.out" ||
	fail "no vmalloc failure line for pid $pid"
[ "$(val "$TMP/fail.out" fail.vmalloc.failed)" = 2 ] || fail "provoke: $(cat "$TMP/fail.out")"
n=$(grep -Ec "^[0-9.]+ +provoke +$pid FAILED +provoke\[$pid\] /fragscope-test-live-[0-9]+ bpf → ENOMEM: vmalloc 1.0 MiB in __bpf_map_area_alloc failed \(vmalloc\): memcg /fragscope-test-live-[0-9]+ at its limit" "$TMP/trace.out")
[ "$n" = 2 ] || fail "$n request lines for the 2 failed vmalloc map creations"
grep -q "events traced, 0 lost" "$TMP/trace.err" || fail "no closing summary: $(cat "$TMP/trace.err")"
pass "trace prints failed requests and, with --events, failures live, and ends cleanly on SIGINT"
