#!/usr/bin/env bash
# Order 0 from /proc/vmstat (--order0, docs/performance.md "The
# page-allocation hot path"): by default mm_page_alloc gets page_above0_btf,
# which returns on a successful order-0 allocation, and the kernel's
# pgalloc_<zone> counters give order 0; an option that needs every order-0
# event (--min-order 0, --stack-order 0, -p, --comm, --cgroup, --order0
# traced) gets page_alloc_btf.  A workload touching N fresh anonymous pages
# shows up as >= N derived order-0 allocations, and the figures add up
# exactly: derived + sum over orders >= 1 of 2^order x (traced - failed)
# = the pages pgalloc counted between the attach and the last snapshot,
# which lie inside what /proc/vmstat counted around the whole run.
source "$(dirname "$0")/../lib.sh"
require_bpf
N=20000 # 78 MiB; provoke refuses more than a quarter of MemAvailable

# The program each probe got, as `fragscope probes` names it.
page_prog() {
	"$FRAGSCOPE" probes "$@" >"$TMP/probes.txt" 2>&1 || fail "probes $* exited $?: $(cat "$TMP/probes.txt")"
	awk '$1 == "kmem:mm_page_alloc" && $2 == "attached" { print $4 }' "$TMP/probes.txt"
}
p=$(page_prog)
[ "$p" = page_above0_btf ] || fail "default: mm_page_alloc got '$p', not page_above0_btf: $(cat "$TMP/probes.txt")"
grep -q 'counted from /proc/vmstat pgalloc' "$TMP/probes.txt" || fail "probes does not say where order 0 comes from"
for opts in "--min-order 0" "--stack-order 0" "--comm provoke" "-p 1" "--cgroup /sys/fs/cgroup/memory" \
	"--order0 traced"; do
	# shellcheck disable=SC2086 # several words
	p=$(page_prog $opts)
	[ "$p" = page_alloc_btf ] || fail "$opts: mm_page_alloc got '$p', not page_alloc_btf"
	grep -q "every order-0 allocation traced (${opts% *}" "$TMP/probes.txt" || fail "$opts: probes does not say why"
done
p=$(page_prog --order0 vmstat)
[ "$p" = page_above0_btf ] || fail "--order0 vmstat: mm_page_alloc got '$p'"
pass "probes: page_above0_btf by default and with --order0 vmstat, page_alloc_btf under the 6 options that need order 0"

"$FRAGSCOPE" record --no-file -d 1 --order0 vmstat --min-order 0 >/dev/null 2>"$TMP/conflict.err"
rc=$?
[ "$rc" = 2 ] || fail "--order0 vmstat --min-order 0 exited $rc, want 2 (usage)"
grep -q -- '--order0 vmstat conflicts with --min-order 0' "$TMP/conflict.err" || fail "no reason given: $(cat "$TMP/conflict.err")"
"$FRAGSCOPE" record --no-file -d 1 --order0 sometimes >/dev/null 2>"$TMP/bad.err"
rc=$?
[ "$rc" = 2 ] || fail "--order0 sometimes exited $rc, want 2 (usage)"
pass "--order0 vmstat with --min-order 0, and an unknown --order0, are usage errors"

# The programs the running fragscope holds, by the kernel's names (bpftool).
held_programs() {
	local ids
	ids=$(for fd in /proc/"$FS_PID"/fdinfo/*; do sed -n 's/^prog_id:[[:space:]]*//p' "$fd" 2>/dev/null; done |
		sort -u | paste -sd,)
	bpftool prog show -j | jq -r --argjson ids "[$ids]" '.[] | select(.id as $i | $ids | index($i)) | .name'
}
command -v bpftool >/dev/null || fail "bpftool not installed"
fragscope_start record --no-file -F json --min-order 0
held_programs >"$TMP/held-full.txt"
fragscope_stop || fail "record --min-order 0 exited $?"
grep -qx page_alloc_btf "$TMP/held-full.txt" || fail "--min-order 0 loaded no page_alloc_btf: $(paste -sd' ' "$TMP/held-full.txt")"
grep -qx page_above0_btf "$TMP/held-full.txt" && fail "--min-order 0 loaded page_above0_btf too"
[ "$(json_get "$TMP/fs.out" .page_alloc.order0_source)" = traced ] || fail "--min-order 0: order 0 not reported as traced"
pass "record --min-order 0 holds page_alloc_btf only, and reports order 0 traced"

pgalloc() { awk '/^pgalloc_(dma|dma32|normal|high|movable|device) / { n += $2 } END { printf "%d", n }' /proc/vmstat; }
provoke_prepare work "$TOOLS/provoke" --wait pages "$N"
before=$(pgalloc)
fragscope_start record -F json -o "$TMP/o0.fsr"
held_programs >"$TMP/held.txt"
provoke_go work
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
after=$(pgalloc)
cp "$TMP/fs.out" "$ARTIFACTS/order0-vmstat.json"
grep -qx page_above0_btf "$TMP/held.txt" || fail "default record loaded no page_above0_btf: $(paste -sd' ' "$TMP/held.txt")"
grep -qx page_alloc_btf "$TMP/held.txt" && fail "default record loaded page_alloc_btf too"
pass "record holds page_above0_btf only by default"

touched=$(provoke_value work pages.touched)
[ "$touched" = "$N" ] || fail "provoke touched $touched pages, not $N"
j=$TMP/fs.out
[ "$(json_get "$j" .page_alloc.order0_source)" = vmstat ] || fail "order 0 not reported from vmstat"
derived=$(json_get "$j" .page_alloc.order0_from_vmstat.count)
pages=$(json_get "$j" .page_alloc.order0_from_vmstat.pgalloc_pages)
above0=$(json_get "$j" '[.page_alloc.by_order[] | select(.order > 0) | .count * pow(2; .order)] | add // 0 | floor')
failed_pages=$(json_get "$j" '[.page_alloc.order0_from_vmstat.failed_by_order | to_entries[] | select(.key > 0) |
	.value * pow(2; .key)] | add // 0 | floor')
traced0=$(json_get "$j" '[.page_alloc.by_order[] | select(.order == 0) | .count] | add // 0')
failed0=$(json_get "$j" '.page_alloc.order0_from_vmstat.failed_by_order[0]')
total=$(json_get "$j" .page_alloc.total)
traced=$(json_get "$j" '[.page_alloc.by_order[] | .count] | add // 0')
echo "pages touched $N; order 0 from vmstat $derived; pgalloc pages in the trace $pages (around it: $((after - before)));" \
	"pages of orders >= 1: $above0 traced, $failed_pages of them failed; order-0 events traced $traced0 ($failed0 failed)"
[ "$derived" -ge "$N" ] || fail "order 0 from vmstat: $derived, fewer than the $N pages touched"
[ $((derived + above0 - failed_pages)) = "$pages" ] ||
	fail "derived $derived + traced pages of orders >= 1 $((above0 - failed_pages)) != pgalloc's $pages"
[ "$pages" -le $((after - before)) ] || fail "pgalloc in the trace $pages, more than /proc/vmstat's $((after - before)) around it"
[ "$traced0" = "$failed0" ] || fail "order 0 traced $traced0 events, but $failed0 failures: successes were traced"
[ "$total" = $((derived + traced)) ] || fail "page_alloc.total $total != derived $derived + traced $traced"
pass "order 0 from vmstat: $derived >= $N touched; derived + traced pages of orders >= 1 = pgalloc's $pages exactly"

# The record file (format 6) replays to the same figures, and the text report says where order 0 came from.
"$FRAGSCOPE" report -i "$TMP/o0.fsr" -F json >"$TMP/replay.json" || fail "report exited $?"
for f in .page_alloc.order0_from_vmstat.count .page_alloc.order0_from_vmstat.pgalloc_pages .page_alloc.total; do
	[ "$(json_get "$TMP/replay.json" "$f")" = "$(json_get "$j" "$f")" ] || fail "the record file's $f differs from the live report's"
done
"$FRAGSCOPE" report -i "$TMP/o0.fsr" >"$TMP/replay.txt" || fail "text report exited $?"
grep -q '^\* order 0: from /proc/vmstat pgalloc, not split by migratetype/gfp class' "$TMP/replay.txt" ||
	fail "the text report does not say where order 0 came from"
row=$(awk '$1 == "order" { for (i = 1; i <= NF; i++) if ($i == "vmstat*") col = i } $1 == "0" && col { print $col; exit }' \
	"$TMP/replay.txt")
[ "$row" = "$derived" ] || fail "the text table's order-0 vmstat* cell is '$row', not $derived"
pass "the record file replays the same order 0 ($derived), shown in the text table's vmstat* column"
