#!/usr/bin/env bash
# `fragscope state` and `fragscope doctor` on the fixture trees: exit codes,
# messages for broken files, JSON keys, and each doctor condition found by
# the real binary.  Needs neither root nor BPF.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
FIX=$TOP/tests/fixtures/proc

expect_exit() {
	local want=$1 got
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	[ "$got" = "$want" ] || { cat "$TMP/err" >&2; fail "'$*' exited $got, not $want"; }
}

expect_exit 0 "$FRAGSCOPE" state --help
grep -q -- '--proc-root' "$TMP/out" || fail "state --help does not list --proc-root"
expect_exit 2 "$FRAGSCOPE" state --bogus
grep -q '^usage: fragscope state' "$TMP/err" || fail "state --bogus: no usage on stderr"
expect_exit 2 "$FRAGSCOPE" state -F yaml
expect_exit 2 "$FRAGSCOPE" state extra-argument
expect_exit 0 "$FRAGSCOPE" doctor --help
expect_exit 2 "$FRAGSCOPE" doctor -d 0
expect_exit 2 "$FRAGSCOPE" doctor -d ten
expect_exit 2 "$FRAGSCOPE" doctor -F xml
pass "usage errors exit 2 with usage on stderr"

# A broken file: exit 5, naming the file and the line.
expect_exit 5 "$FRAGSCOPE" state --proc-root "$FIX/bad-zoneinfo-number"
grep -q "bad-zoneinfo-number/proc/zoneinfo:102: '9k' of 'min' is not a number" "$TMP/err" ||
	fail "unclear message: $(cat "$TMP/err")"
expect_exit 5 "$FRAGSCOPE" doctor --proc-root "$FIX/bad-buddyinfo-truncated"
grep -q "proc/buddyinfo:3: truncated" "$TMP/err" || fail "unclear message: $(cat "$TMP/err")"
expect_exit 1 "$FRAGSCOPE" state --proc-root "$FIX/no-such-tree"
expect_exit 1 "$FRAGSCOPE" state --pagetypeinfo --proc-root "$FIX/minimal"
pass "broken and missing files: exit 5 and 1, naming file and line"

# A file without end (/dev/zero as proc/vmstat) is refused at its first 64 KiB
# line, not read until memory runs out.  A 1 GB address-space limit keeps a
# regression from filling the machine (ASan's shadow cannot run under one).
cp -r "$FIX/linux-6.18" "$TMP/endless"
ln -sf /dev/zero "$TMP/endless/proc/vmstat"
limit=1000000
is_sanitized "$FRAGSCOPE" && limit=unlimited
for cmd in state doctor; do
	(ulimit -v $limit && exec timeout 20 "$FRAGSCOPE" $cmd --proc-root "$TMP/endless") >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 5 ] || fail "$cmd with proc/vmstat -> /dev/zero exited $rc, want 5: $(cat "$TMP/err")"
	grep -q "proc/vmstat:1: a line longer than 65536 bytes" "$TMP/err" || fail "unclear message: $(cat "$TMP/err")"
done
pass "proc/vmstat -> /dev/zero: exit 5, 'a line longer than 65536 bytes'"

expect_exit 0 "$FRAGSCOPE" state -F json --pagetypeinfo --proc-root "$FIX/linux-6.1"
cp "$TMP/out" "$TMP/61.json"
json_get "$TMP/61.json" '.nr_orders == 11 and .pagetypeinfo.read and .pagetypeinfo.pages_per_block == 512' >/dev/null
json_get "$TMP/61.json" '.zones[] | select(.zone == "Normal") | .orders[7].extfrag_index == 0.981' >/dev/null
json_get "$TMP/61.json" '.zones[] | select(.zone == "Normal") | .pagetypes.CMA.pageblocks == 0' >/dev/null
json_get "$TMP/61.json" '.vmstat.allocstall == 45 and .meminfo.MemTotal == 16217196' >/dev/null
json_get "$TMP/61.json" '.sysctls["vm.min_free_kbytes"] == 67584 and .sysctls["transparent_hugepage.enabled"] == "always"' >/dev/null
expect_exit 0 "$FRAGSCOPE" state -F json --pagetypeinfo --proc-root "$FIX/capped"
json_get "$TMP/out" '.pagetypeinfo.capped and (.zones[] | select(.zone == "Normal") | .pagetypes.Movable.capped_orders == [0])' >/dev/null
expect_exit 0 "$FRAGSCOPE" state --proc-root "$FIX/numa2"
grep -q '^Node 1, zone Normal: 0 pages free' "$TMP/out" || fail "numa2: no node 1 Normal zone in the report"
grep -q 'no free block at all' "$TMP/out" || fail "numa2: the empty zone is not said to be empty"
pass "state JSON and text on the 6.1, capped and 2-node trees"

for c in fragmented:critical:external_fragmentation commit-limit:critical:commit_limit \
	thp-defrag-always:warning:thp_defrag min-free-low:warning:min_free_kbytes_low \
	min-free-high:warning:min_free_kbytes_high compaction:info:compaction_stalls \
	pollution:warning:pageblock_pollution; do
	IFS=: read -r tree severity id <<<"$c"
	expect_exit 0 "$FRAGSCOPE" doctor -F json --proc-root "$FIX/doctor-$tree"
	json_get "$TMP/out" ".findings[0] | .id == \"$id\" and .severity == \"$severity\"" >/dev/null ||
		fail "doctor-$tree: $(jq -c '[.findings[] | [.severity, .id]]' "$TMP/out")"
	expect_exit 0 "$FRAGSCOPE" doctor --proc-root "$FIX/doctor-$tree"
	grep -q "^1\. \[${severity^^}\]" "$TMP/out" || fail "doctor-$tree: text report: $(head -3 "$TMP/out")"
done
expect_exit 0 "$FRAGSCOPE" doctor -F json --proc-root "$FIX/linux-6.18"
json_get "$TMP/out" '.all_clear and (.findings | length == 0)' >/dev/null
expect_exit 0 "$FRAGSCOPE" doctor --proc-root "$FIX/linux-6.18"
grep -q '^fragscope doctor: all clear' "$TMP/out" || fail "healthy tree: no all-clear"
pass "doctor finds each fixture's condition, and gives the healthy tree the all-clear"

# Unprivileged: pagetypeinfo (mode 0400) is asked for -> exit 3; doctor goes without it.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ -r /proc/pagetypeinfo ]; then
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	expect_exit 3 as_nobody "$FRAGSCOPE" state --pagetypeinfo
	expect_exit 0 as_nobody "$FRAGSCOPE" state
	expect_exit 0 as_nobody "$FRAGSCOPE" doctor -F json
	json_get "$TMP/out" '.notes | any(test("pagetypeinfo not read \\(Permission denied\\)"))' >/dev/null
	pass "unprivileged: --pagetypeinfo exits 3, state and doctor work without it"
fi
