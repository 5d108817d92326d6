#!/usr/bin/env bash
# Judge one run of the guest checks (a VM's console log, or host-run.sh's):
# the DONE line, no FAIL line, a PASS for every named check (a guest that
# silently skipped one fails), the expected kernel and the expected
# fragscope binary.  Prints the VMTEST lines, then "verdict: <summary>".
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
# Case fail, unless this kernel cannot have it (a WARN says why).
grep -q '^VMTEST: WARN case-fail: ' <<<"$lines" ||
	checks+=(provoke 'provoke failed kmalloc' 'provoke failed large' 'provoke failed vmalloc' 'failures page'
		'failures kmalloc' 'failures vmalloc' 'exact page+vmalloc' 'exact kmalloc' 'exact slab' 'stack vmalloc'
		'stack vmalloc caller' 'stack kmalloc' 'stack page' 'cgroup filter' 'requests kmalloc' 'requests large')
# A kernel without vmalloc:alloc_vmap_area cannot size vmalloc requests (a WARN says so).
grep -q '^VMTEST: WARN case-fail: ' <<<"$lines" || grep -q '^VMTEST: WARN requests vmalloc: ' <<<"$lines" ||
	checks+=('requests vmalloc')
for check in "${checks[@]}"; do
	grep -q "^VMTEST: PASS $check: " <<<"$lines" || bad "check '$check' did not pass"
done
echo "verdict: $(echo "$lines" | sed -n 's/^VMTEST: VERDICT smoke: //p')"
echo "requests verdict: $(echo "$lines" | sed -n 's/^VMTEST: VERDICT requests: //p')"
