#!/usr/bin/env bash
# Soak: a system-wide `record -o FILE` for SOAK_SECONDS (default 60; 1800 for
# the long run in docs/hardening.md) while a churning workload runs
# (provoke kmalloc + pages in a loop) and failures are provoked in a memory
# cgroup every few seconds.  Checks that fragscope's RSS stays flat (the last
# VmRSS sample <= the first after warm-up + 2 MiB), that no event was lost
# (meta.lost.total == 0), and that the file is readable and holds every
# failure the live report printed, at least one per provoking round.
# Samples go to $ARTIFACTS/soak-rss.txt.  Bounded: SOAK_SECONDS + ~30 s.
source "$(dirname "$0")/../lib.sh"
require_bpf
SOAK_SECONDS=${SOAK_SECONDS:-60}
SAMPLE_EVERY=${SAMPLE_EVERY:-5}
WARMUP=$((SOAK_SECONDS / 4 < 15 ? 15 : SOAK_SECONDS / 4))
[ "$SOAK_SECONDS" -ge 30 ] || fail "SOAK_SECONDS must be at least 30"
SOAK_DIR=${SOAK_DIR:-$TMP}
file=$SOAK_DIR/soak-$$.data
on_exit "rm -f $file $file.partial"

memcg_create soak $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
memcg_id=$(stat -c %i "$cg")

"$FRAGSCOPE" record -d "$SOAK_SECONDS" -o "$file" -F json --top 20 >"$TMP/soak.json" 2>"$TMP/soak.err" &
fs=$!
on_exit "kill -KILL $fs 2>/dev/null; wait $fs 2>/dev/null"
for _ in $(seq 100); do grep -q "tracing (attached" "$TMP/soak.err" 2>/dev/null && break; sleep 0.1; done
grep -q "tracing (attached" "$TMP/soak.err" || fail "record did not attach: $(cat "$TMP/soak.err")"
start=$(date +%s)
stop_at=$((start + SOAK_SECONDS - 3))

# The churn: slab-heavy syscalls and page faults, in a loop, in the background.
(
	while [ "$(date +%s)" -lt "$stop_at" ]; do
		"$TOOLS/provoke" kmalloc 20000 both >/dev/null 2>&1
		"$TOOLS/provoke" pages 20000 >/dev/null 2>&1
	done
) &
churn=$!
on_exit "kill $churn 2>/dev/null; wait $churn 2>/dev/null"

# Failures in the memcg every few seconds, and VmRSS samples.
rounds=0
next_sample=$start
: >"$ARTIFACTS/soak-rss.txt"
while kill -0 "$fs" 2>/dev/null; do
	now=$(date +%s)
	if [ "$now" -ge "$next_sample" ]; then
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$fs/status" 2>/dev/null)
		[ -n "$rss" ] && echo "$((now - start)) $rss" >>"$ARTIFACTS/soak-rss.txt"
		next_sample=$((next_sample + SAMPLE_EVERY))
	fi
	if [ "$now" -lt "$stop_at" ] && [ $(((now - start) % 10)) -lt 2 ]; then
		memcg_run "$cg" "$TOOLS/provoke" fail all 1 >/dev/null 2>&1 && rounds=$((rounds + 1))
	fi
	sleep 1
done
wait "$fs"
rc=$?
wait "$churn" 2>/dev/null
[ "$rc" = 0 ] || fail "record exited $rc: $(tail -20 "$TMP/soak.err")"
cat "$TMP/soak.err"

echo "VmRSS samples (seconds kB):"
cat "$ARTIFACTS/soak-rss.txt"
base=$(awk -v w="$WARMUP" '$1 >= w { print $2; exit }' "$ARTIFACTS/soak-rss.txt")
last=$(tail -1 "$ARTIFACTS/soak-rss.txt" | awk '{ print $2 }')
max=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$ARTIFACTS/soak-rss.txt")
[ -n "$base" ] && [ -n "$last" ] || fail "not enough VmRSS samples"
echo "RSS: after warm-up (${WARMUP}s) $base kB, last $last kB, max $max kB"
[ "$last" -le $((base + 2048)) ] || fail "RSS grew from $base kB to $last kB (> 2 MiB) during the soak"
pass "RSS flat over ${SOAK_SECONDS}s: $base kB after warm-up, $last kB at the end"

lost=$(json_get "$TMP/soak.json" '.meta.lost.total')
[ "$lost" = 0 ] || fail "$lost events lost during the soak: $(jq -c .meta.lost "$TMP/soak.json")"
live=$(json_get "$TMP/soak.json" "[.failures[] | select(.cgroup_id == $memcg_id) | .count] | add // 0")
all=$(json_get "$TMP/soak.json" '[.failures[] | .count] | add // 0')
"$FRAGSCOPE" report -i "$file" -F json >"$TMP/replay.json" 2>"$TMP/replay.err" ||
	fail "report -i of the soak's file exited $?: $(cat "$TMP/replay.err")"
replay=$(json_get "$TMP/replay.json" '[.failures[] | .count] | add // 0')
echo "soak: $rounds provoking rounds; failures in the memcg $live, in all $all; report -i $replay; file $(stat -c %s "$file") bytes"
[ "$rounds" -ge 1 ] || fail "no provoking round ran"
[ "$live" -ge "$rounds" ] || fail "$live failures in the memcg for $rounds provoking rounds"
[ "$replay" = "$all" ] || fail "report -i counts $replay failures, the live report $all"
pass "no event lost; file readable with all $all failures ($live provoked in $rounds rounds)"
