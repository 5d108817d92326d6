# Sourced by the VM integration tests (after tests/lib.sh): boot each kernel
# of $KERNELS in turn with one scenario, judge it, and require the same
# verdict on every kernel.
#
#   vm_matrix NAME SCENARIO TIMEOUT JUDGE [VAR=VALUE ...]
#
# boots tests/vm/run.sh KERNEL build/artifacts/vm-NAME-KERNEL with
# FRAGSCOPE_VM_SCENARIOS=SCENARIO and the extra environment given (e.g.
# FRAGSCOPE_VM_NODES=2), FRAGSCOPE_VM_TIMEOUT defaulting to TIMEOUT seconds;
# then JUDGE KERNEL OUTDIR, which fails the test or writes OUTDIR/verdict.
# One kernel after the other: each guest takes both of the machine's cores.
#
#   vm_matrix_prepare TOOL...
#
# first: skips without qemu, cpio, jq or busybox, fails without fragscope or
# the tools/TOOL the scenario runs; copies fragscope for the guests and sets
# sum (its sha256, which every guest must report) and KERNELS.
vm_matrix_prepare() {
	local tool
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
	command -v cpio >/dev/null || skip "cpio not installed"
	command -v jq >/dev/null || skip "jq not installed"
	{ command -v busybox >/dev/null || [ -x /bin/busybox ]; } || skip "busybox not installed (apt-get install busybox-static)"
	[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
	for tool in "$@"; do [ -x "$TOOLS/$tool" ] || fail "$TOOLS/$tool not built (make tools)"; done
	cp "$FRAGSCOPE" "$TMP/fragscope"
	sum=$(sha256sum "$TMP/fragscope" | cut -d' ' -f1)
	KERNELS=${FRAGSCOPE_VM_KERNELS:-5.10 6.1 6.12 7}
}

vm_matrix() {
	local name=$1 scenario=$2 timeout=$3 judge=$4 k out start rc secs first=
	shift 4
	for k in $KERNELS; do
		out=$ARTIFACTS/vm-$name-$k
		start=$(date +%s)
		env "$@" FRAGSCOPE=$TMP/fragscope TOOLS=$TOOLS FRAGSCOPE_VM_SCENARIOS=$scenario \
			FRAGSCOPE_VM_TIMEOUT=${FRAGSCOPE_VM_TIMEOUT:-$timeout} "$TOP/tests/vm/run.sh" "$k" "$out" 2>"$TMP/run.err"
		rc=$?
		secs=$(($(date +%s) - start))
		cat "$TMP/run.err"
		case $rc in
		0) ;;
		77) skip "$k: $(grep -m1 'unavailable' "$TMP/run.err")" ;;
		*) [ -f "$out/console.log" ] && grep -a 'VMTEST' "$out/console.log" | tail -20
		   fail "$k: the VM run failed (exit $rc after ${secs}s): $(tail -3 "$TMP/run.err")" ;;
		esac
		"$judge" "$k" "$out"
		echo "$k: ${secs}s for the whole VM run"
		[ -n "$first" ] || first=$(cat "$out/verdict")
		[ "$(cat "$out/verdict")" = "$first" ] || fail "$k's verdict '$(cat "$out/verdict")' differs from '$first'"
	done
	pass "the same verdict on $KERNELS: $first"
}
