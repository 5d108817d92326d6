#!/usr/bin/env bash
# The same ./fragscope on a second kernel: Debian 12's stock 6.1 cloud
# kernel, booted under qemu-system-x86_64 -accel tcg (no KVM needed) with a
# busybox initramfs carrying this binary, its shared libraries and provoke.
# The guest (tests/vm/init) runs `fragscope probes`, then `fragscope record
# --cgroup` around `provoke fail all 2` in a 32 MiB memory cgroup, and
# prints VMTEST: PASS/FAIL/WARN lines on the serial console; this test
# judges that log.  See docs/second-kernel.md.
#
# Needs qemu-system-x86, busybox-static, cpio, jq and the Debian kernel
# package (downloaded once into build/vm-cache with apt-get download).
# Without them it skips, or fails under FRAGSCOPE_REQUIRE_BPF=1.
source "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
command -v cpio >/dev/null || skip "cpio not installed"
command -v jq >/dev/null || skip "jq not installed"
{ command -v busybox >/dev/null || [ -x /bin/busybox ]; } || skip "busybox not installed (apt-get install busybox-static)"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
[ -x "$TOOLS/provoke" ] || fail "$TOOLS/provoke not built (make tools)"

# A snapshot of the binary, so that a rebuild meanwhile cannot confuse the
# comparison of the guest's copy with the host's.
cp "$FRAGSCOPE" "$TMP/fragscope"
log=$ARTIFACTS/vm-second-kernel.console.log
start=$(date +%s)
FRAGSCOPE=$TMP/fragscope TOOLS=$TOOLS "$TOP/tests/vm/run.sh" "$log" 2>"$TMP/run.err"
rc=$?
secs=$(($(date +%s) - start))
cat "$TMP/run.err"
case $rc in
0) ;;
77) skip "$(grep -m1 'unavailable' "$TMP/run.err")" ;;
*) [ -f "$log" ] && grep -a 'VMTEST' "$log" | tail -20
   fail "the VM run failed (exit $rc after ${secs}s): $(tail -3 "$TMP/run.err")" ;;
esac

# The lines the guest printed; "json| " lines are the trimmed JSON report.
tr -d '\r' <"$log" | grep -a -o 'VMTEST: .*' >"$TMP/vmtest"
tr -d '\r' <"$log" | sed -n 's/^json| //p' >"$ARTIFACTS/vm-second-kernel.report.json"
cat "$TMP/vmtest"
grep -q '^VMTEST: DONE ' "$TMP/vmtest" || fail "the guest did not finish its checks (no VMTEST: DONE line)"

kernel=$(sed -n 's/^VMTEST: INFO kernel: \([^ ]*\).*/\1/p' "$TMP/vmtest")
[ -n "${FRAGSCOPE_VM_KERNEL:-}" ] || case $kernel in
	6.1.*) ;;
	*) fail "the guest ran kernel '$kernel', not Debian's 6.1" ;;
esac
[ "$kernel" != "$(uname -r)" ] || fail "the guest ran the host's own kernel $kernel: not a second kernel"
guest_sum=$(sed -n 's/^VMTEST: INFO fragscope: sha256 //p' "$TMP/vmtest")
[ "$guest_sum" = "$(sha256sum "$TMP/fragscope" | cut -d' ' -f1)" ] || fail "the guest's fragscope is not $FRAGSCOPE"
pass "kernel $kernel booted with the same fragscope binary"

nfail=$(grep -c '^VMTEST: FAIL ' "$TMP/vmtest")
[ "$nfail" = 0 ] || fail "$nfail guest checks failed: $(grep '^VMTEST: FAIL ' "$TMP/vmtest" | tr '\n' ';')"
# Every check that must have passed, by name: a guest that skipped one fails here.
for check in probes 'probes tp_btf' 'probe kmem:mm_page_alloc' 'probe kmem:kmalloc' 'probes none failed' \
	'record attach' 'record exit' provoke 'record json' 'failures page' 'failures kmalloc' \
	'failures vmalloc' 'stack vmalloc' 'stack vmalloc caller' 'stack kmalloc' 'stack page' \
	'cgroup filter' lost state; do
	grep -q "^VMTEST: PASS $check: " "$TMP/vmtest" || fail "guest check '$check' did not pass"
done
grep '^VMTEST: WARN ' "$TMP/vmtest" | sed 's/^VMTEST: WARN /note: /'
jq -e '.failures | length > 0' "$ARTIFACTS/vm-second-kernel.report.json" >/dev/null ||
	fail "the JSON report on the console does not parse"
pass "on $kernel: probes attach, page/kmalloc/vmalloc failures traced with their stacks in the memory cgroup (${secs}s)"
