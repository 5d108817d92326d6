#!/usr/bin/env bash
# provoke reclaim, in a memory cgroup at 32 MiB, reads a 128 MiB sparse file
# on disk twice: its clean page cache is charged to the cgroup beyond its
# limit, so the reader reclaims: tracefs sees vmscan:mm_vmscan_memcg_reclaim_begin
# and _end for provoke's pid, in pairs, and the OOM killer never runs.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

provoke_require
dir=${PROVOKE_DIR:-/var/tmp}
[ "$(stat -f -c %T "$dir")" != tmpfs ] || skip "$dir is tmpfs: set PROVOKE_DIR to a directory on disk"
memcg_create provoke-reclaim $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
trace_event vmscan/mm_vmscan_memcg_reclaim_begin
trace_event vmscan/mm_vmscan_memcg_reclaim_end
trace_event oom/mark_victim

out=$TMP/reclaim.out
start=$(date +%s)
memcg_run "$cg" sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" reclaim 128 2 >"$out" ||
	fail "provoke reclaim: $(cat "$out")"
secs=$(($(date +%s) - start))
trace_save reclaim
cp "$out" "$ARTIFACTS/provoke-reclaim.out"
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
pid=$(val "$out" pid)
begin=$(between "$TMP/reclaim.trace" reclaim | count "-$pid .* mm_vmscan_memcg_reclaim_begin:")
end=$(between "$TMP/reclaim.trace" reclaim | count "-$pid .* mm_vmscan_memcg_reclaim_end:")
reclaimed=$(between "$TMP/reclaim.trace" reclaim | sed -n 's/.*mm_vmscan_memcg_reclaim_end: nr_reclaimed=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
echo "memcg reclaim stalls: $begin begin, $end end, $reclaimed pages reclaimed;" \
	"memcg failcnt +$(val "$out" reclaim.memcg_failcnt_delta); read $(val "$out" reclaim.bytes_read) bytes in ${secs}s"
[ "$(val "$out" reclaim.bytes_read)" = $((2 * 128 << 20)) ] || fail "read $(val "$out" reclaim.bytes_read) bytes"
[ "$begin" -ge 10 ] || fail "only $begin memcg reclaim stalls for pid $pid"
[ "$begin" = "$end" ] || fail "$begin mm_vmscan_memcg_reclaim_begin but $end _end"
# 256 MiB went through a 32 MiB cgroup: most of it was reclaimed on the way.
[ "$reclaimed" -ge $((((256 - 32) << 20 >> 12) / 2)) ] || fail "only $reclaimed pages reclaimed"
[ "$(val "$out" reclaim.memcg_failcnt_delta)" -gt 0 ] || fail "memcg failcnt did not grow"
[ "$(count 'mark_victim:' <"$TMP/reclaim.trace")" = 0 ] || fail "the OOM killer ran"
[ "$secs" -le 30 ] || fail "took $secs s"
pass "memcg reclaim: $begin stalls ($reclaimed pages) for pid $pid, no OOM kill"
