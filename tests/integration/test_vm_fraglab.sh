#!/usr/bin/env bash
# The fragmentation lab (docs/fragmentation-lab.md): a 1 GiB guest under
# qemu TCG (tests/vm/run.sh, scenario tests/vm/scenarios/fraglab.sh) is
# fragmented for real by tests/tools/fraglab.c (one vmspliced page pinned in
# every 16-page block: no free block above order 3, 80% of memory free), and
# fragscope records a failing order-5 kmalloc, a hugetlb shortfall, THP
# faults falling back after direct compaction, a manual and a proactive
# compaction and mmaps refused under vm.overcommit_memory=2.  The guest
# compares fragscope's figures with /proc/vmstat, debugfs and an
# independent tracefs count and prints VMTEST: lines; this test judges them.
# `make test-vm-fraglab` runs it.
source "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
command -v cpio >/dev/null || skip "cpio not installed"
command -v jq >/dev/null || skip "jq not installed"
{ command -v busybox >/dev/null || [ -x /bin/busybox ]; } || skip "busybox not installed (apt-get install busybox-static)"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
for tool in provoke fraglab; do [ -x "$TOOLS/$tool" ] || fail "$TOOLS/$tool not built (make tools)"; done

cp "$FRAGSCOPE" "$TMP/fragscope"
log=$ARTIFACTS/vm-fraglab.console.log
start=$(date +%s)
FRAGSCOPE=$TMP/fragscope TOOLS=$TOOLS FRAGSCOPE_VM_SCENARIOS=fraglab FRAGSCOPE_VM_TIMEOUT=${FRAGSCOPE_VM_TIMEOUT:-400} \
	"$TOP/tests/vm/run.sh" "$log" 2>"$TMP/run.err"
rc=$?
secs=$(($(date +%s) - start))
cat "$TMP/run.err"
case $rc in
0) ;;
77) skip "$(grep -m1 'unavailable' "$TMP/run.err")" ;;
*) [ -f "$log" ] && grep -a 'VMTEST' "$log" | tail -20
   fail "the VM run failed (exit $rc after ${secs}s): $(tail -3 "$TMP/run.err")" ;;
esac

tr -d '\r' <"$log" | grep -a -o 'VMTEST: .*' >"$TMP/vmtest"
# The files the guest kept ("file:NAME| " lines): reports, doctor, state.
for name in $(tr -d '\r' <"$log" | sed -n 's/^file:\([A-Za-z0-9._-]*\)| .*/\1/p' | sort -u); do
	tr -d '\r' <"$log" | sed -n "s/^file:$name| //p" >"$ARTIFACTS/vm-fraglab.$name"
done
grep -v '^VMTEST: INFO format ' "$TMP/vmtest"
grep -q '^VMTEST: DONE ' "$TMP/vmtest" || fail "the guest did not finish the lab (no VMTEST: DONE line)"
kernel=$(sed -n 's/^VMTEST: INFO kernel: \([^ ]*\).*/\1/p' "$TMP/vmtest")
[ "$kernel" != "$(uname -r)" ] || fail "the guest ran the host's own kernel $kernel"
guest_sum=$(sed -n 's/^VMTEST: INFO fragscope: sha256 //p' "$TMP/vmtest")
[ "$guest_sum" = "$(sha256sum "$TMP/fragscope" | cut -d' ' -f1)" ] || fail "the guest's fragscope is not $FRAGSCOPE"

nfail=$(grep -c '^VMTEST: FAIL ' "$TMP/vmtest")
[ "$nfail" = 0 ] || fail "$nfail lab checks failed: $(grep '^VMTEST: FAIL ' "$TMP/vmtest" | tr '\n' ';')"
# Every check, by name: a guest that skipped one fails here.
for check in 'doctor fresh' fragmented 'free memory' unusable_index extfrag_index 'doctor fragmented' \
	'kmalloc fails' 'hugetlb shortfall' 'overcommit refused' 'lab record' 'tracefs overrun' \
	'kmalloc page failures' 'kmalloc failures' 'compaction attempts' 'compaction stalls traced' \
	'thp fallbacks provoked' 'thp failures traced' 'thp fallbacks vmstat' 'thp fell back' 'hugetlb failures traced' \
	'extfrag fallbacks' 'pageblock steals' 'tracepoint mm_compaction_begin' 'tracepoint mm_compaction_end' \
	'tracepoint mm_compaction_try_to_compact_pages' 'tracepoint mm_compaction_deferred' \
	'tracepoint mm_compaction_kcompactd_wake' 'manual compaction' 'proactive compaction' \
	'background compactions' lost; do
	grep -q "^VMTEST: PASS $check: " "$TMP/vmtest" || fail "lab check '$check' did not pass"
done
# The known differences between fragscope's figures and the kernel's
# counters (docs/fragmentation-lab.md): exactly these, no others.
warns=$(sed -n 's/^VMTEST: WARN \([^:]*\):.*/\1/p' "$TMP/vmtest" | sort | paste -sd,)
[ "$warns" = "compaction stalls,thp fallbacks" ] || fail "known differences: got '$warns', want 'compaction stalls,thp fallbacks'"
guest_secs=$(sed -n 's/^VMTEST: INFO lab time: \([0-9]*\) s.*/\1/p' "$TMP/vmtest")
pass "fragmentation lab on $kernel: every case provoked and counted exactly (lab ${guest_secs}s in the guest, ${secs}s in all)"
