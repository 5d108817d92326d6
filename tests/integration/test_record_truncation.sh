#!/usr/bin/env bash
# A real recording, cut or damaged, is reported safely.  A recording of
# provoked failures with --interval 50 (a block every 50 ms) is cut at
# every block boundary and at 200 random offsets: report -i exits 0 with a
# 'truncated' warning and valid JSON reporting no more failures than the
# whole file (or 5 for a cut inside the file header).  Single bytes damaged
# at random places in its blocks give exit 5 with a message, or the report
# of the blocks before the damage.  Nothing ever crashes (exit >= 128).
# SEED=N repeats a run's random offsets.
source "$(dirname "$0")/../lib.sh"
require_bpf
RANDOM_CUTS=200
CORRUPTIONS=100
seed=${SEED:-$$}
RANDOM=$seed
echo "SEED=$seed"

memcg_create truncation $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare trunc memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail all 2
fragscope_start record -p "$PROVOKE_PID" --cgroup "$MEMCG" --interval 50 -o "$TMP/rec.data"
provoke_go trunc
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
data=$TMP/rec.data
size=$(stat -c %s "$data")

# A report's failure count (-1 if its output is not the JSON report).
failures_of() { jq -e '[.failures[] | .count] | add // 0' "$1" 2>/dev/null || echo -1; }
# Hundreds of runs: of one copy, so a rebuild meanwhile cannot change the binary under them.
cp "$FRAGSCOPE" "$TMP/fragscope"
report() { "$TMP/fragscope" report -i "$1" -F json --top 1000000 >"$TMP/cut.json" 2>"$TMP/cut.err"; }
report "$data" || fail "report of the whole file exited $?: $(cat "$TMP/cut.err")"
full=$(failures_of "$TMP/cut.json")
[ "$full" -ge 1 ] || fail "the recording holds no failures"

# Block boundaries, from docs/file-format.md: a 28-byte file header whose
# u32 at 16 is the header payload's length, then blocks of a 32-byte header
# whose u32 at 20 is the compressed payload's length.
u32_at() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
header_end=$((28 + $(u32_at "$data" 16)))
boundaries=()
for ((off = header_end; off < size; off += 32 + $(u32_at "$data" $((off + 20))))); do
	boundaries+=("$off")
done
echo "$size bytes, header $header_end bytes, ${#boundaries[@]} blocks, $full failures"
[ "${#boundaries[@]}" -ge 10 ] || fail "only ${#boundaries[@]} blocks: --interval 50 should give many"

random_offset() { echo $(((RANDOM * 32768 + RANDOM) % $1)); }

# check_cut N: the file cut to N bytes is reported safely.
check_cut() {
	local n=$1 rc got
	head -c "$n" "$data" >"$TMP/cut.data"
	report "$TMP/cut.data"
	rc=$?
	[ "$rc" -lt 128 ] || fail "report -i crashed (exit $rc) on the file cut at $n bytes (SEED=$seed)"
	if [ "$n" -lt "$header_end" ]; then
		[ "$rc" = 5 ] || fail "cut at $n, inside the header: exit $rc, want 5: $(cat "$TMP/cut.err")"
		return
	fi
	[ "$rc" = 0 ] || fail "cut at $n: exit $rc, want 0: $(cat "$TMP/cut.err")"
	grep -q truncated "$TMP/cut.err" || fail "cut at $n: no 'truncated' warning: $(cat "$TMP/cut.err")"
	got=$(failures_of "$TMP/cut.json")
	[ "$got" -ge 0 ] || fail "cut at $n: the output is not the JSON report: $(head -c 300 "$TMP/cut.json")"
	[ "$got" -le "$full" ] || fail "cut at $n: $got failures, more than the whole file's $full"
}

for off in "${boundaries[@]}"; do check_cut "$off"; done
pass "cut at each of the ${#boundaries[@]} block boundaries: truncated, never more failures than $full"
for ((i = 0; i < RANDOM_CUTS; i++)); do check_cut "$(random_offset "$size")"; done
pass "cut at $RANDOM_CUTS random offsets: header cuts exit 5, others are truncated reports"

prefix_reports=0
for ((i = 0; i < CORRUPTIONS; i++)); do
	off=$((header_end + $(random_offset $((size - header_end)))))
	cp "$data" "$TMP/bad.data"
	old=$(od -An -tu1 -j "$off" -N1 "$data" | tr -d ' ')
	printf "$(printf '\\%03o' $(((old ^ (1 + RANDOM % 255)) & 255)))" |
		dd of="$TMP/bad.data" bs=1 seek="$off" conv=notrunc status=none
	cmp -s "$data" "$TMP/bad.data" && fail "byte $off was not changed"
	report "$TMP/bad.data"
	rc=$?
	[ "$rc" -lt 128 ] || fail "report -i crashed (exit $rc) on byte $off damaged (SEED=$seed)"
	case $rc in
	5) grep -q corrupt "$TMP/cut.err" || fail "byte $off damaged: exit 5 without saying it is corrupt: $(cat "$TMP/cut.err")" ;;
	0) got=$(failures_of "$TMP/cut.json")
	   [ "$got" -ge 0 ] && [ "$got" -le "$full" ] || fail "byte $off damaged: a report of $got failures (whole file: $full)"
	   prefix_reports=$((prefix_reports + 1)) ;;
	*) fail "byte $off damaged: exit $rc, want 5 or 0: $(cat "$TMP/cut.err")" ;;
	esac
done
pass "$CORRUPTIONS damaged bytes: exit 5 saying corrupt, or ($prefix_reports times) a report of the blocks before"
