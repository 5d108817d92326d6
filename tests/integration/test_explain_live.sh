#!/usr/bin/env bash
# `explain` on the kernel's log and `report` on a recording of the same
# incident give the same verdict.  provoke fills a memory cgroup (32 MiB) to
# its limit and asks for a 1 MiB iptables table (IPT_SO_SET_REPLACE, in a
# network namespace of its own) ROUNDS times: xt_alloc_table_info's kvmalloc
# falls back to vmalloc, whose charge fails, and the kernel logs it with
# warn_alloc ("vmalloc error: ... failed to allocate pages") and a Mem-Info
# dump, while fragscope records the requests.  The log is captured from
# dmesg and from /dev/kmsg between two markers written to /dev/kmsg.
# record also reads /dev/kmsg itself: the request the kernel reported
# carries the kernel's line in record's own report.
source "$(dirname "$0")/../lib.sh"
require_bpf
ROUNDS=2

memcg_create explain $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
provoke_prepare fail memcg_run "$cg" "$TOOLS/provoke" --wait fail iptables "$ROUNDS"
pid=$PROVOKE_PID
fragscope_start record -p "$pid" --cgroup "$cg" -o "$TMP/explain.rec" -F json
# warn_alloc prints one report per 10 s machine-wide (nopage_rs): start in a quiet window.
last_warn() { dmesg | grep -E "allocation failure|vmalloc error|callbacks suppressed" | tail -1 | sed -n 's/^\[ *\([0-9]*\)\..*/\1/p'; }
for _ in $(seq 30); do
	last=$(last_warn)
	[ -z "$last" ] || [ $(($(cut -d. -f1 /proc/uptime) - last)) -ge 11 ] && break
	sleep 1
done
echo "fragscope-test: explain begin $pid" >/dev/kmsg
provoke_go fail
echo "fragscope-test: explain end $pid" >/dev/kmsg
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fail.out" "$ARTIFACTS/explain-live-provoke.txt"

failed=$(provoke_value fail fail.iptables.failed)
[ "$failed" = "$ROUNDS" ] && [ "$(provoke_value fail fail.iptables.errno)" = ENOMEM ] ||
	fail "provoke: $failed of $ROUNDS IPT_SO_SET_REPLACE failed ($(provoke_value fail fail.iptables.errno))"

window() { sed -n "/fragscope-test: explain begin $pid\$/,/fragscope-test: explain end $pid\$/p"; }
dmesg | window >"$TMP/kernel.log"
dd if=/dev/kmsg iflag=nonblock bs=65536 2>/dev/null | window >"$TMP/kmsg.log"
cp "$TMP/kernel.log" "$ARTIFACTS/explain-live-dmesg.log"
cp "$TMP/kmsg.log" "$ARTIFACTS/explain-live-kmsg.log"
# The kernel rate-limits warn_alloc: the reports it printed (the first, then
# none for 10 s) are what explain can see.
logged=$(grep -c "provoke: vmalloc error: size 0, failed to allocate pages" "$TMP/kernel.log")
echo "IPT_SO_SET_REPLACE failures: $failed; reported in the kernel log: $logged"
[ "$logged" -ge 1 ] && [ "$logged" -le "$failed" ] || fail "$logged warn_alloc reports for $failed failures"

# The live verdicts, from the recording.
"$FRAGSCOPE" report -F json -i "$TMP/explain.rec" >"$TMP/live.json" || fail "report exited $?"
cp "$TMP/live.json" "$ARTIFACTS/explain-live-report.json"
# A record stands for .count requests alike (the same request of the same process again).
verdict='select(.pid == '"$pid"' and .syscall == "setsockopt") | range(.count) as $_ | [.comm, .api, .caller, .cause] | join(" ")'
jq -r ".requests[] | $verdict" "$TMP/live.json" >"$TMP/live.verdicts"
n=$(wc -l <"$TMP/live.verdicts")
echo "live setsockopt requests: $n"; sort "$TMP/live.verdicts" | uniq -c
[ "$n" = "$ROUNDS" ] || fail "$n setsockopt requests recorded, $ROUNDS provoked"
[ "$(sort -u "$TMP/live.verdicts")" = "provoke kvmalloc xt_alloc_table_info memcg_limit" ] ||
	fail "live verdict: $(sort -u "$TMP/live.verdicts")"
pass "report: $ROUNDS kvmalloc requests in xt_alloc_table_info failed at the memcg limit"

# explain's, from each capture of the log: one request per logged report, the same verdict.
for capture in kernel kmsg; do
	"$FRAGSCOPE" explain -F json "$TMP/$capture.log" >"$TMP/$capture.json" || fail "explain $capture exited $?"
	cp "$TMP/$capture.json" "$ARTIFACTS/explain-live-$capture.json"
	jq -r ".requests[] | $verdict" "$TMP/$capture.json" >"$TMP/$capture.verdicts"
	m=$(wc -l <"$TMP/$capture.verdicts")
	echo "explain ($capture): $m requests"; sort "$TMP/$capture.verdicts" | uniq -c
	[ "$m" = "$logged" ] || fail "explain found $m reports of pid $pid in the $capture capture, the kernel logged $logged"
	[ "$(sort -u "$TMP/$capture.verdicts")" = "$(sort -u "$TMP/live.verdicts")" ] ||
		fail "explain ($capture) says '$(sort -u "$TMP/$capture.verdicts")', report says '$(sort -u "$TMP/live.verdicts")'"
	zones=$(json_get "$TMP/$capture.json" "[.requests[] | select(.pid == $pid) | .evidence.zones | length] | min")
	[ "$zones" -ge 1 ] || fail "explain ($capture): no zone figures from the Mem-Info dump"
done
pass "explain on dmesg and on /dev/kmsg: $logged reports, the same comm, api, caller and cause as report"

# record's own report: the request the kernel reported carries its line (read live from /dev/kmsg).
cp "$TMP/fs.out" "$ARTIFACTS/explain-live-record.json"
header=$(grep -m1 "provoke: vmalloc error" "$TMP/kernel.log" | sed 's/^\[[^]]*\] //')
joined=$(jq -er --arg h "$header" "[.requests[] | select(.pid == $pid and .syscall == \"setsockopt\" and .kernel_log == \$h)] | length" "$TMP/fs.out") ||
	fail "jq on record's report"
echo "record's setsockopt requests with the kernel's line: $joined"
[ "$joined" = "$logged" ] || fail "$joined of record's requests carry the kernel's line '$header', $logged were logged"
pass "record joined the kernel's report to the request it traced"
