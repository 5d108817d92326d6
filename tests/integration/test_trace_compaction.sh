#!/usr/bin/env bash
# Compaction provoked for real is traced: a workload fragments memory and
# compacts it synchronously in its own task (vm.compact_memory), so the
# zone compactions are that pid's.  Direct compaction inside an allocation
# needs a machine whose free memory has no order-9 blocks left, which a
# bounded test cannot make on a 24 GiB machine: its stall accounting is
# covered by tests/unit/test_model.c on events of the same shape.
source "$(dirname "$0")/../lib.sh"
require_bpf

provoke_prepare compact "$TOOLS/provoke" --wait compact sysctl 256
pid=$PROVOKE_PID
fragscope_start record -p "$pid" -o "$TMP/compact.data" -F json
provoke_go compact
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/compaction.json"

begins=$(json_get "$TMP/fs.out" '.meta.events["compaction:mm_compaction_begin"]')
ends=$(json_get "$TMP/fs.out" '.meta.events["compaction:mm_compaction_end"]')
runs=$(json_get "$TMP/fs.out" '.compaction.background_zone_runs')
zones=$(grep -c "zone" /proc/zoneinfo)
echo "compaction begin: $begins, end: $ends, zone compactions outside allocations: $runs"
[ "$begins" -ge 1 ] && [ "$begins" = "$ends" ] || fail "compaction begin/end not traced in pairs"
[ "$runs" = "$ends" ] || fail "sysctl compactions not counted as compactions outside allocations"
[ "$(json_get "$TMP/fs.out" '.compaction.stalls')" = 0 ] || fail "sysctl compaction counted as an allocation stall"
pass "compaction provoked by the workload is traced for its pid"

"$FRAGSCOPE" report -i "$TMP/compact.data" -F json >"$TMP/replay.json" || fail "report of the recording failed"
diff <(jq -S 'del(.meta.duration_s)' "$TMP/fs.out") <(jq -S 'del(.meta.duration_s)' "$TMP/replay.json") >/dev/null ||
	fail "the recorded file reports differently from the live run"
pass "the recording reports the same compaction figures"
