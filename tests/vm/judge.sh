#!/usr/bin/env bash
# Judge one run of the guest checks (a VM's console log, or host-run.sh's):
# the DONE line, no FAIL line, a PASS for every named check (a guest that
# silently skipped one fails), the expected kernel and the expected
# fragscope binary.  Prints the VMTEST lines, then "verdict: <summary>",
# "bpf verdict: <summary>" (empty where case fail-bpf did not run) and
# "requests verdict: <summary>".
#
# Usage: tests/vm/judge.sh KERNEL CONSOLE_LOG SHA256
#   KERNEL  5.10, 6.1, 6.12, 7 (the guest's release must start with it), or host
# Exit: 0 judged good, 1 not.
set -uo pipefail
KERNEL=$1 LOG=$2 SUM=$3
bad() { echo "judge $KERNEL: $*" >&2; exit 1; }

[ -s "$LOG" ] || bad "no console log $LOG"
lines=$(tr -d '\r' <"$LOG" | grep -a -o 'VMTEST: .*')
echo "$lines" | grep -v '^VMTEST: INFO format '
# Here-strings, not `echo | grep -q`: under pipefail grep -q's early exit
# would fail the echo with SIGPIPE, at random.
grep -q '^VMTEST: DONE ' <<<"$lines" || bad "the guest did not finish its checks (no VMTEST: DONE line)"

release=$(echo "$lines" | sed -n 's/^VMTEST: INFO kernel: \([^ ]*\).*/\1/p')
case $KERNEL in
host) [ "$release" = "$(uname -r)" ] || bad "host run on '$release', not $(uname -r)" ;;
*) case $release in
	"$KERNEL".*) ;;
	*) bad "the guest ran kernel '$release', not a $KERNEL kernel" ;;
	esac
	[ "$release" != "$(uname -r)" ] || bad "the guest ran the host's own kernel $release" ;;
esac
guest_sum=$(echo "$lines" | sed -n 's/^VMTEST: INFO fragscope: sha256 //p')
[ "$guest_sum" = "$SUM" ] || bad "the run's fragscope is $guest_sum, not $SUM"

nfail=$(echo "$lines" | grep -c '^VMTEST: FAIL ')
[ "$nfail" = 0 ] || bad "$nfail checks failed: $(echo "$lines" | grep '^VMTEST: FAIL ' | tr '\n' ';')"
checks=(probes 'probes tp_btf' 'probe kmem:mm_page_alloc' 'probe kmem:kmalloc' 'probe kmem:kmem_cache_alloc'
	'probes none failed' state 'exact page allocations' 'record attach' 'record exit' 'record json' lost
	'report warnings' 'requests rlimit' 'requests max_map_count' 'requests kernel count')
# Case fail, on every kernel (provoke fail portable: no BPF map).
checks+=(provoke 'provoke failed pipe' 'provoke failed inotify' 'failures page' 'failures kmalloc' 'failures slab'
	'exact page+vmalloc' 'exact kmalloc' 'exact slab' 'requests pipe' 'requests inotify' 'requests fanotify'
	'stack kmalloc pipe' 'stack kmalloc inotify' 'stack page' 'cgroup filter')
# Case fail-bpf, where the kernel charges BPF maps to the memory cgroup
# (test_vm_kernels.sh accepts its WARN on 5.10 only); a kernel without
# vmalloc:alloc_vmap_area cannot size vmalloc requests (a WARN says so).
grep -q '^VMTEST: WARN case-fail-bpf: ' <<<"$lines" || {
	checks+=('bpf record attach' 'bpf record exit' 'bpf record json' 'bpf lost' 'bpf report warnings' 'bpf provoke'
		'bpf provoke failed kmalloc' 'bpf provoke failed large' 'bpf provoke failed vmalloc' 'bpf kernel stacks'
		'bpf failures page' 'bpf failures kmalloc' 'bpf failures vmalloc' 'bpf exact page' 'bpf exact vmalloc'
		'bpf exact kmalloc' 'bpf exact slab' 'bpf requests kmalloc' 'bpf requests large' 'bpf requests kvmalloc all'
		'bpf requests vmalloc all' 'bpf stack vmalloc' 'bpf stack vmalloc caller' 'bpf stack kmalloc' 'bpf stack page'
		'bpf cgroup filter')
	grep -q '^VMTEST: WARN bpf requests vmalloc: ' <<<"$lines" || checks+=('bpf requests vmalloc' 'bpf requests drains')
}
for check in "${checks[@]}"; do
	grep -q "^VMTEST: PASS $check: " <<<"$lines" || bad "check '$check' did not pass"
done
echo "verdict: $(echo "$lines" | sed -n 's/^VMTEST: VERDICT smoke: //p')"
echo "bpf verdict: $(echo "$lines" | sed -n 's/^VMTEST: VERDICT smoke-bpf: //p')"
echo "requests verdict: $(echo "$lines" | sed -n 's/^VMTEST: VERDICT requests: //p')"
