#!/usr/bin/env bash
# A storm of failed requests loses none: what the ring buffer drops is
# counted per event type, and requests are counted exactly by the kernel
# even when their detail is dropped.
#
#  1. Both CPUs make mmap calls that RLIMIT_AS refuses, as fast as they
#     can (two enomem processes, STORM calls each): far more than the ring
#     buffer drains.  The kernel's count of ENOMEM returns equals what the
#     processes saw; user space listed + counted-lost equals it too.
#  2. Two memory cgroups at their limit, a provoke in each making
#     bpf(BPF_MAP_CREATE) fail through kmalloc then vmalloc (several
#     allocator events per request), at the same time: every request
#     counted exactly, by shape.
# The rates reached are printed (and kept in build/artifacts).
source "$(dirname "$0")/../lib.sh"

require_bpf
command -v jq >/dev/null || fail "jq not installed"
[ -x "$TOOLS/provoke" ] && [ -x "$TOOLS/enomem" ] || fail "tools not built (make tools)"
STORM=${STORM:-300000}
ROUNDS=${ROUNDS:-150}

# --- 1: bare ENOMEM, as fast as two CPUs go -------------------------------
# storm [RECORD OPTIONS]: the default ring buffer, then one of 4 KiB that must drop.
storm() {
	fragscope_start record --comm enomem "$@" -o "$TMP/storm.fsr"
	start=$(date +%s%N)
	"$TOOLS/enomem" rlimit-as "$STORM" >"$TMP/e1.out" &
	e1=$!
	"$TOOLS/enomem" rlimit-as "$STORM" >"$TMP/e2.out" &
	e2=$!
	wait $e1 || fail "enomem 1: $(cat "$TMP/e1.out")"
	wait $e2 || fail "enomem 2: $(cat "$TMP/e2.out")"
	ms=$((($(date +%s%N) - start) / 1000000))
	sleep 1.2 # one more reading of the kernel's counters
	fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
	"$FRAGSCOPE" report -i "$TMP/storm.fsr" -F json >"$TMP/storm.json" || fail "report -F json"
	jq '{request_summary: .request_summary, lost: .meta.lost}' "$TMP/storm.json" >"$ARTIFACTS/requests-storm-enomem${2:+-ringbuf-$2}.json"
	total=$(($(val "$TMP/e1.out" enomem.failed) + $(val "$TMP/e2.out" enomem.failed)))
	[ "$total" = $((2 * STORM)) ] || fail "the processes saw $total ENOMEM, expected $((2 * STORM))"
	kernel=$(jq .request_summary.kernel.enomem_no_allocation "$TMP/storm.json")
	seen=$(jq .request_summary.seen.enomem_no_allocation "$TMP/storm.json")
	lost=$(jq .meta.lost.syscall_end "$TMP/storm.json")
	counted=$(jq '.request_summary.failed + .request_summary.detail_lost' "$TMP/storm.json")
	listed=$(jq '.requests | length' "$TMP/storm.json")
	in_records=$(jq '[.requests[].count] | add // 0' "$TMP/storm.json")
	by=$(jq '[.request_summary.by[] | select(.api == "commit" and .cause == "rlimit") | .count] | add // 0' "$TMP/storm.json")
	echo "storm ($*): $total failed mmaps in $ms ms ($((total * 1000 / (ms ? ms : 1))) requests/s); kernel counted $kernel;" \
		"user space saw $seen (in $listed records, all $by given their cause), the ring buffer dropped $lost"
	[ "$kernel" = "$total" ] || fail "the kernel counted $kernel bare ENOMEMs, the processes saw $total"
	[ $((seen + lost)) = "$total" ] || fail "seen $seen + dropped $lost != $total"
	[ "$by" = "$seen" ] || fail "$seen seen, $by counted as commit/rlimit"
	[ "$counted" = "$total" ] || fail "the report counts $counted failed requests (with lost detail), expected $total"
	# Each process's mmaps are the same request again: one record each, counted.
	[ "$listed" = 2 ] && [ "$in_records" = "$seen" ] && [ "$(jq .request_summary.not_listed "$TMP/storm.json")" = 0 ] ||
		fail "$listed records holding $in_records requests, $seen seen: $(jq -c .request_summary "$TMP/storm.json")"
	pass "storm ($*): $total requests at $((total * 1000 / (ms ? ms : 1)))/s, all counted ($seen with their cause, $lost only by the kernel)"
}
storm
storm --ringbuf-kb 4

# --- 2: multi-event requests in two full memory cgroups at once -----------
memcg_create storm-a $((32 << 20)) || fail "cannot create a memory cgroup"
cga=$MEMCG
memcg_create storm-b $((32 << 20)) || fail "cannot create a memory cgroup"
cgb=$MEMCG
fragscope_start record --comm provoke -o "$TMP/memcg.fsr"
start=$(date +%s%N)
memcg_run "$cga" "$TOOLS/provoke" fail kmalloc "$ROUNDS" >"$TMP/pa.out" &
pa=$!
memcg_run "$cgb" "$TOOLS/provoke" fail kmalloc "$ROUNDS" >"$TMP/pb.out" &
pb=$!
wait $pa || fail "provoke a: $(cat "$TMP/pa.out")"
wait $pb || fail "provoke b: $(cat "$TMP/pb.out")"
ms=$((($(date +%s%N) - start) / 1000000))
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
"$FRAGSCOPE" report -i "$TMP/memcg.fsr" -F json >"$TMP/memcg.json" || fail "report -F json"
jq '{request_summary: .request_summary, lost: .meta.lost}' "$TMP/memcg.json" >"$ARTIFACTS/requests-storm-memcg.json"
for p in a b; do
	cg=$([ $p = a ] && echo "$cga" || echo "$cgb")
	want=$(val "$TMP/p$p.out" fail.kmalloc.failed)
	got=$(jq --arg cg "/$(basename "$cg")" '[.requests[] | select(.api == "kvmalloc" and .cause == "memcg_limit" and
		.outcome == "failed" and .cgroup == $cg and .caller == "__bpf_map_area_alloc" and .bytes == 4408) | .count] | add // 0' "$TMP/memcg.json")
	[ "$got" = "$want" ] || fail "cgroup $p: $got kvmalloc requests, provoke saw $want fail"
done
all=$(jq '[.requests[].count] | add' "$TMP/memcg.json")
events=$(jq '[.requests[] | .count * ([.events[].count] | add // 0)] | add' "$TMP/memcg.json")
[ "$(jq .request_summary.detail_lost "$TMP/memcg.json")" = 0 ] && [ "$(jq .meta.lost.total "$TMP/memcg.json")" = 0 ] ||
	fail "lost: $(jq -c '{s: .request_summary, l: .meta.lost}' "$TMP/memcg.json")"
echo "memcg storm: $all requests of $events allocator events in $ms ms ($((all * 1000 / (ms ? ms : 1))) requests/s, $((events * 1000 / (ms ? ms : 1))) events/s)"
pass "two cgroups at once: $((2 * ROUNDS)) kvmalloc requests exact per cgroup, nothing lost"
