#!/usr/bin/env bash
# `fragscope trace` prints each failure as it happens, one line with the
# process, the kind and the top frames; SIGINT ends it cleanly.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create live $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare fail memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail vmalloc 2
pid=$PROVOKE_PID
"$FRAGSCOPE" trace -p "$pid" >"$TMP/trace.out" 2>"$TMP/trace.err" &
trace_pid=$!
on_exit "kill -INT $trace_pid 2>/dev/null"
for _ in $(seq 100); do grep -q "^TIME" "$TMP/trace.out" && break; sleep 0.1; done
provoke_go fail
# Lines come within the drain interval (100 ms); allow for a slow machine.
for _ in $(seq 50); do grep -q " vmalloc " "$TMP/trace.out" && break; sleep 0.1; done
kill -INT "$trace_pid"
wait "$trace_pid" || fail "trace exited $? on SIGINT: $(cat "$TMP/trace.err")"
cp "$TMP/trace.out" "$ARTIFACTS/trace.txt"
head -5 "$TMP/trace.out"
grep -Eq "^[0-9.]+ +provoke +$pid +vmalloc +order=0 gfp=GFP_KERNEL_ACCOUNT.*at .*__vmalloc_node_range" "$TMP/trace.out" ||
	fail "no vmalloc failure line for pid $pid"
grep -q "events traced, 0 lost" "$TMP/trace.err" || fail "no closing summary: $(cat "$TMP/trace.err")"
pass "trace prints failures live and ends cleanly on SIGINT"
