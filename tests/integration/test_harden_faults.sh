#!/usr/bin/env bash
# Faults of the environment during or before record:
#  - a full disk: record -o onto a 256 KiB tmpfs while failures make the file
#    grow: a clear message, exit 1, a readable .partial prefix, no FILE;
#  - a ring-buffer overrun (--ringbuf-kb 4, consumer stopped during a burst
#    of failures): lost events are counted and shown in the text header and
#    in JSON meta.lost, and reported + lost failures = what a second,
#    full-sized instance saw;
#  - no kernel BTF (/sys/kernel/btf hidden in a private mount namespace):
#    exit 4 with a message naming BTF;
#  - a masked tracepoint during record: marked "(not attached)" in the report,
#    and the other failures are still reported.
# Bounded: about 90 s.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create faults $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
failures_in() { jq -er '[.failures[]? | .count] | add // 0' "$1" || fail "jq on $1"; }
provoke_failures() {
	memcg_run "$cg" "$TOOLS/provoke" fail all 1 >"$TMP/provoke.out" 2>&1 ||
		fail "provoke fail: $(cat "$TMP/provoke.out")"
}

# 1. Full disk.
full=$TMP/full
mkdir "$full"
mount -t tmpfs -o size=256k fragscope-test-full "$full" || skip "cannot mount a tmpfs"
on_exit "umount -l $full"
fragscope_bg full record --cgroup "$cg" -o "$full/f.data" --interval 10 ||
	fail "record onto the small tmpfs exited early: $(cat "$TMP/full.err")"
pid=$BG_PID
for _ in $(seq 10); do
	kill -0 "$pid" 2>/dev/null || break
	memcg_run "$cg" "$TOOLS/provoke" fail all 1 >/dev/null 2>&1
done
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	df -k "$full"
	fail "record still running after filling: the file did not grow past 256 KiB"
fi
wait "$pid"
rc=$?
cat "$TMP/full.err"
df -k "$full" | tail -1
[ "$rc" = 1 ] || fail "record on a full disk exited $rc, want 1"
grep -q "No space left on device" "$TMP/full.err" || fail "record on a full disk did not say 'No space left on device'"
grep -q "f.data.partial holds a readable prefix" "$TMP/full.err" || fail "record on a full disk did not name the .partial"
[ ! -e "$full/f.data" ] || fail "a full disk left $full/f.data, which must only appear complete"
"$FRAGSCOPE" report -i "$full/f.data.partial" -F json >"$TMP/full.replay" 2>"$TMP/full.replay.err"
rc=$?
cat "$TMP/full.replay.err"
[ "$rc" = 0 ] || fail "report -i on the full disk's .partial exited $rc"
echo "full disk: .partial holds $(failures_in "$TMP/full.replay") failures"
pass "full disk: clear message, exit 1, readable .partial prefix, no corrupt file"

# 2. Ring-buffer overrun.
fragscope_bg ref record --cgroup "$cg" --no-file -F json || fail "reference record: $(cat "$TMP/ref.err")"
ref=$BG_PID
fragscope_bg tiny record --cgroup "$cg" --ringbuf-kb 4 -o "$TMP/tiny.data" -F json || fail "tiny record: $(cat "$TMP/tiny.err")"
tiny=$BG_PID
kill -STOP "$tiny" # the consumer stalls while a burst of failures fills its 4 KiB
provoke_failures
sleep 0.5
kill -CONT "$tiny"
sleep 0.5
kill -INT "$tiny" "$ref"
wait "$tiny" || fail "tiny record exited $?: $(cat "$TMP/tiny.err")"
wait "$ref" || fail "reference record exited $?: $(cat "$TMP/ref.err")"
lost=$(jq -er '.meta.lost.total' "$TMP/tiny.out") || fail "no meta.lost.total in JSON"
lost_fail=$(jq -er '.meta.lost | .page_fail + .kmalloc_fail + .slab_fail + .vmap_fail' "$TMP/tiny.out") || fail "no per-kind lost counts"
got=$(failures_in "$TMP/tiny.out")
want=$(failures_in "$TMP/ref.out")
ref_lost=$(jq -er '.meta.lost.total' "$TMP/ref.out")
echo "overrun: tiny buffer reported $got failures, lost $lost events ($lost_fail failures); full-size instance: $want failures, lost $ref_lost"
[ "$lost" -gt 0 ] || fail "a 4 KiB ring buffer with a stalled consumer lost nothing: overrun not forced or not counted"
"$FRAGSCOPE" report -i "$TMP/tiny.data" >"$TMP/tiny.txt" 2>&1 || fail "report -i of the overrun file exited $?"
grep -i "lost events" "$TMP/tiny.txt"
grep -i "lost events" "$TMP/tiny.txt" | grep -qv ": none" || fail "text header does not show the lost events"
[ "$ref_lost" = 0 ] || fail "the full-size instance lost $ref_lost events"
[ $((got + lost_fail)) = "$want" ] || fail "reported $got + lost $lost_fail failures != $want the kernel failed"
pass "ring-buffer overrun: $lost lost events counted and shown; $got reported + $lost_fail lost = $want failures"

# 3. No kernel BTF.
command -v unshare >/dev/null || skip "no unshare"
unshare -m --propagation private sh -c 'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh \
	"$FRAGSCOPE" record -d 1 --no-file >"$TMP/nobtf.out" 2>"$TMP/nobtf.err"
rc=$?
cat "$TMP/nobtf.err"
[ "$rc" = 4 ] || fail "record without BTF exited $rc, want 4"
grep -q "BTF" "$TMP/nobtf.err" && grep -q "/sys/kernel/btf/vmlinux" "$TMP/nobtf.err" ||
	fail "record without BTF did not say BTF is missing"
[ -r /sys/kernel/btf/vmlinux ] || fail "the private mount leaked: /sys/kernel/btf/vmlinux is gone"
pass "no kernel BTF: exit 4 naming /sys/kernel/btf/vmlinux"

# 4. A masked tracepoint during record.
fragscope_bg masked record --cgroup "$cg" --mask-probes kmalloc -o "$TMP/masked.data" -F json ||
	fail "record with a masked probe exited early: $(cat "$TMP/masked.err")"
pid=$BG_PID
provoke_failures
sleep 0.5
kill -INT "$pid"
wait "$pid" || fail "record with a masked probe exited $?: $(cat "$TMP/masked.err")"
# A masked probe (asked for) prints no stderr warning, unlike a missing one;
# the report's header marks it "(not attached)", which is what is checked.
"$FRAGSCOPE" report -i "$TMP/masked.data" >"$TMP/masked.txt" 2>&1 || fail "report -i of the masked recording exited $?"
grep -E "^#   kmem:kmalloc " "$TMP/masked.txt"
grep -Eq "^#   kmem:kmalloc .*\(not attached\)" "$TMP/masked.txt" || fail "the report does not mark kmem:kmalloc as not attached"
grep -Eq "^#   kmem:kmem_cache_alloc .*\(not attached\)" "$TMP/masked.txt" && fail "kmem_cache_alloc marked not attached too"
for k in page slab; do
	n=$(jq -er "[.failures[] | select(.kind == \"$k\") | .count] | add // 0" "$TMP/masked.out")
	echo "masked kmalloc: $k failures $n"
	[ "$n" -ge 1 ] || fail "with kmalloc masked, no $k failure reported"
done
pass "a masked tracepoint: marked not attached, and the other failures are still reported"
