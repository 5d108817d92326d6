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
# carries the kernel's line in record's own report, and in `report -i` of
# the recording (the report's kmsg records are in the file, REC_KLOG).  A
# second record, of another command name, traces none of provoke's requests:
# the kernel's report is shown on its own there, with explain's verdict.
source "$(dirname "$0")/../lib.sh"
require_bpf
ROUNDS=2

memcg_create explain $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
provoke_prepare fail memcg_run "$cg" "$TOOLS/provoke" --wait fail iptables "$ROUNDS"
pid=$PROVOKE_PID
fragscope_start record -p "$pid" --cgroup "$cg" -o "$TMP/explain.rec" -F json
# Both sessions run during the one provocation: the kernel reports once per 10 s.
fragscope_bg other record --comm fragscope-none -o "$TMP/other.rec" -F json ||
	fail "the second record did not attach: $(cat "$TMP/other.err")"
other_pid=$BG_PID
# And a trace of that other name: the kernel's report, untraced, is a KERNEL-LOG line live.
fragscope_bg othertrace trace --comm fragscope-none ||
	fail "the trace did not attach: $(cat "$TMP/othertrace.err")"
othertrace_pid=$BG_PID
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
kill -INT "$other_pid"
wait "$other_pid" || fail "the second record exited $?: $(cat "$TMP/other.err")"
kill -INT "$othertrace_pid"
wait "$othertrace_pid" || fail "the trace exited $?: $(cat "$TMP/othertrace.err")"
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

# report -i of the recording: the same kernel line on the same requests (the file's REC_KLOG records, joined again).
replayed=$(jq -er --arg h "$header" "[.requests[] | select(.pid == $pid and .syscall == \"setsockopt\" and .kernel_log == \$h)] | length" "$TMP/live.json") ||
	fail "jq on report -i"
echo "report -i: setsockopt requests with the kernel's line: $replayed"
[ "$replayed" = "$logged" ] || fail "report -i: $replayed requests carry the kernel's line '$header', record showed $joined"
for f in "$TMP/fs.out" "$TMP/live.json"; do
	stray=$(json_get "$f" "[.kernel_reports_unjoined[] | select(.pid == $pid)] | length")
	[ "$stray" = 0 ] || fail "$f: $stray of provoke's kernel reports left unjoined, all were traced"
done
"$FRAGSCOPE" report -i "$TMP/explain.rec" >"$TMP/live.txt" || fail "report -i (text) exited $?"
grep -qxF "          kernel log: $header" "$TMP/live.txt" || fail "report -i (text) does not show the kernel's line"
pass "report -i shows the kernel's line on the $logged requests record joined it to"

# The second record traced no request of provoke: its report stands alone, explain's verdict, live and replayed.
"$FRAGSCOPE" report -F json -i "$TMP/other.rec" >"$TMP/other-replay.json" || fail "report -i other exited $?"
"$FRAGSCOPE" report -i "$TMP/other.rec" >"$TMP/other.txt" || fail "report -i other (text) exited $?"
cp "$TMP/other.out" "$ARTIFACTS/explain-live-other-record.json"
cp "$TMP/other.txt" "$ARTIFACTS/explain-live-other-report.txt"
for f in "$TMP/other.out" "$TMP/other-replay.json"; do
	traced=$(json_get "$f" "[.requests[] | select(.pid == $pid)] | length")
	[ "$traced" = 0 ] || fail "$f: $traced requests of provoke traced under --comm fragscope-none"
	jq -r ".kernel_reports_unjoined[] | $verdict" "$f" >"$TMP/unjoined.verdicts"
	alone=$(wc -l <"$TMP/unjoined.verdicts")
	[ "$alone" = "$logged" ] || fail "$f: $alone unjoined kernel reports of provoke, the kernel logged $logged"
	[ "$(sort -u "$TMP/unjoined.verdicts")" = "$(sort -u "$TMP/kernel.verdicts")" ] ||
		fail "$f: unjoined '$(sort -u "$TMP/unjoined.verdicts")', explain says '$(sort -u "$TMP/kernel.verdicts")'"
	line=$(jq -r "[.kernel_reports_unjoined[] | select(.pid == $pid)][0].kernel_log" "$f")
	[ "$line" = "$header" ] || fail "$f: unjoined report's line '$line', the kernel's '$header'"
done
grep -q "^Kernel reports the trace did not see: [1-9]" "$TMP/other.txt" || fail "report -i (text): no section of unjoined reports"
n=$(grep -c "^- .* provoke *$pid KERNEL-LOG .*kvmalloc.* in xt_alloc_table_info .*memcg" "$TMP/othertrace.out")
[ "$n" = "$logged" ] || fail "trace printed $n KERNEL-LOG lines for provoke, the kernel logged $logged: $(grep KERNEL-LOG "$TMP/othertrace.out")"
grep -qF "kernel log: $header" "$TMP/othertrace.out" || fail "trace's KERNEL-LOG line lacks the kernel's line"
cp "$TMP/othertrace.out" "$ARTIFACTS/explain-live-other-trace.txt"
grep -qxF "          kernel log: $header" "$TMP/other.txt" || fail "report -i (text): the unjoined report's line is missing"
pass "a record of another command: provoke's $logged kernel report(s) shown alone, $(sort -u "$TMP/unjoined.verdicts")"
