#!/usr/bin/env bash
# Bad input gets a clear message and a distinct exit code, never a crash.
source "$(dirname "$0")/../lib.sh"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"

expect_exit() {
	local want=$1 pattern=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want: $(cat "$TMP/err")"
	grep -Eqi -- "$pattern" "$TMP/err" "$TMP/out" || fail "'$*' did not say /$pattern/: $(cat "$TMP/err")"
}

expect_exit 2 "unknown command" "$FRAGSCOPE" frobnicate
expect_exit 2 "Usage" "$FRAGSCOPE"
expect_exit 2 "invalid duration" "$FRAGSCOPE" record -d -3
expect_exit 2 "invalid value" "$FRAGSCOPE" record --min-order 99
expect_exit 2 "invalid value" "$FRAGSCOPE" record -F nosuchformat
expect_exit 2 "invalid value" "$FRAGSCOPE" record --ringbuf-kb 3
expect_exit 2 "unexpected argument" "$FRAGSCOPE" trace extra
expect_exit 2 "invalid kind" "$FRAGSCOPE" report --kind nosuchkind
expect_exit 2 "until must be later" "$FRAGSCOPE" report --since 5 --until 2
expect_exit 0 "Usage: fragscope record" "$FRAGSCOPE" record --help
expect_exit 0 "Usage: fragscope report" "$FRAGSCOPE" report --help
expect_exit 0 "Usage: fragscope trace" "$FRAGSCOPE" trace --help
expect_exit 2 "takes text or json" "$FRAGSCOPE" explain -F xml
expect_exit 2 "unexpected argument" "$FRAGSCOPE" explain a b
expect_exit 0 "Usage: fragscope explain" "$FRAGSCOPE" explain --help
# The message names the option, whether its value is glued or a separate argument.
for cmd in record trace top serve probes; do
	expect_exit 2 "invalid value '0x' for --pid$" "$FRAGSCOPE" $cmd --pid 0x
	expect_exit 2 "invalid value '0x' for --pid$" "$FRAGSCOPE" $cmd --pid=0x
done
pass "usage errors exit 2 with a message"

# A filter on no process is refused before tracing: it would look like a quiet machine.
if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	no_pid=$(($(cat /proc/sys/kernel/pid_max) + 1)) # above pid_max: never a process
	for args in "record --no-file -d 1" "trace -d 1" "top" "serve --listen 127.0.0.1:0" "probes"; do
		# shellcheck disable=SC2086 # the command and its options, word-split
		expect_exit 2 "-p $no_pid: no such process" timeout 20 "$FRAGSCOPE" $args -p "$no_pid"
	done
	pass "-p of no process exits 2 before tracing"
elif [ "${FRAGSCOPE_REQUIRE_BPF:-0}" = 1 ]; then
	fail "-p of no process: needs root and BTF (FRAGSCOPE_REQUIRE_BPF=1)"
fi

# A missing or foreign record file is bad input, not a crash.
expect_exit 1 "No such file" "$FRAGSCOPE" report -i "$TMP/none.data"
head -c 4096 /dev/urandom >"$TMP/foreign.data"
expect_exit 5 "not a record file|foreign|magic" "$FRAGSCOPE" report -i "$TMP/foreign.data"
pass "bad record files are refused clearly"

# -o naming the record file read (itself or through a link) is refused before
# anything is opened for writing: the recording is left whole.
cp "$TOP/tests/fixtures/record/format5-pages.fsr" "$TMP/self.data"
ln -s self.data "$TMP/self-link.data"
expect_exit 2 "is the record file read" "$FRAGSCOPE" report -i "$TMP/self.data" -o "$TMP/self.data"
expect_exit 2 "is the record file read" "$FRAGSCOPE" report -i "$TMP/self.data" -o "$TMP/self-link.data"
cmp -s "$TOP/tests/fixtures/record/format5-pages.fsr" "$TMP/self.data" || fail "report -o onto its input changed the recording"
expect_exit 1 "cannot create .*/no/such/dir/r.txt: No such file" "$FRAGSCOPE" report -i "$TMP/self.data" -o "$TMP/no/such/dir/r.txt"
pass "report -o onto its own input: exit 2, the recording unchanged; an output that cannot be created: exit 1"

# explain: a missing file as report's; a binary file is not a log; garbage text is no report.
expect_exit 1 "cannot open" "$FRAGSCOPE" explain "$TMP/none.log"
expect_exit 5 "not text" "$FRAGSCOPE" explain "$TMP/foreign.data"
head -c 65536 /dev/urandom | tr -d '\000' >"$TMP/noise.log"
expect_exit 0 "^0 allocation-failure reports in [0-9]+ lines" "$FRAGSCOPE" explain "$TMP/noise.log"
expect_exit 0 "^1 allocation-failure report in 19 lines" "$FRAGSCOPE" explain - <"$TOP/tests/fixtures/dmesg/concourse-3127-iptables-4.14.89.log"
pass "explain: missing file 1, binary file 5, noise 0 reports, standard input read"

# Input without newlines costs a line's bound, not its size: 300 MB of NULs or
# of one text line, read under a 200 MB address-space limit (ASan's shadow
# memory cannot run under one).
if ! is_sanitized "$FRAGSCOPE"; then
	head -c 300M /dev/zero | (ulimit -v 200000 && exec "$FRAGSCOPE" explain) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 5 ] && grep -q "not text" "$TMP/err" || fail "explain of 300 MB of NULs exited $rc: $(cat "$TMP/err" "$TMP/out")"
	head -c 300M /dev/zero | tr '\0' a | (ulimit -v 200000 && exec "$FRAGSCOPE" explain) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 0 ] && grep -q "^0 allocation-failure reports in 1 line (" "$TMP/out" ||
		fail "explain of a 300 MB line exited $rc: $(cat "$TMP/err" "$TMP/out")"
	pass "explain: 300 MB without a newline read in bounded memory (NULs: exit 5; text: 1 line)"
fi

# record -o naming a directory fails before tracing, not after the recording.
if [ "$(id -u)" = 0 ]; then
	mkdir "$TMP/outdir"
	expect_exit 1 "cannot create .*outdir: Is a directory" "$FRAGSCOPE" record -d 5 -o "$TMP/outdir"
	grep -q "tracing" "$TMP/err" && fail "record -o DIR traced before failing: $(cat "$TMP/err")"
	[ ! -e "$TMP/outdir.partial" ] || fail "record -o DIR left $TMP/outdir.partial"
	pass "record -o DIR: exit 1 before tracing, nothing written"
fi

# Without privileges, the message names what is missing (exit 3).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	expect_exit 3 "CAP_BPF" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$FRAGSCOPE" record -d 1 --no-file
	pass "unprivileged tracing names CAP_BPF and CAP_PERFMON"
fi

# Output that does not arrive is a failure with a message, not a silent exit 0:
# every command's standard output and report -o, onto /dev/full.
if [ -w /dev/full ]; then
	rec=$TOP/tests/fixtures/record/format2-memcg-fail.fsr # failures: every format has output
	dmesg=$TOP/tests/fixtures/dmesg/concourse-3127-iptables-4.14.89.log
	expect_full() {
		"$@" >/dev/full 2>"$TMP/err"
		local rc=$?
		[ "$rc" = 1 ] || fail "'$* >/dev/full' exited $rc, want 1: $(cat "$TMP/err")"
		grep -Eq "writing (standard output|/dev/full): (No space left on device|write error)" "$TMP/err" ||
			fail "'$* >/dev/full' did not say the write failed: $(cat "$TMP/err")"
	}
	for fmt in text json folded pprof perf-script html; do
		expect_full "$FRAGSCOPE" report -i "$rec" -F "$fmt"
		expect_full "$FRAGSCOPE" report -i "$rec" -F "$fmt" -o /dev/full
	done
	expect_full "$FRAGSCOPE" explain "$dmesg"
	expect_full "$FRAGSCOPE" explain -F json "$dmesg"
	expect_full "$FRAGSCOPE" state
	expect_full "$FRAGSCOPE" state -F json
	expect_full "$FRAGSCOPE" --help
	expect_full "$FRAGSCOPE" report --help
	pass "a full output device: exit 1 saying the write failed, for report (6 formats, stdout and -o), explain, state, help"
fi

# A closed standard output (>&-): a failure if the report was to go there, none if it went to -o.
"$FRAGSCOPE" report -i "$TOP/tests/fixtures/record/format2-memcg-fail.fsr" >&- 2>"$TMP/err"
rc=$?
[ "$rc" = 1 ] && grep -q "writing standard output: Bad file descriptor" "$TMP/err" ||
	fail "report to a closed stdout exited $rc: $(cat "$TMP/err")"
"$FRAGSCOPE" report -i "$TOP/tests/fixtures/record/format2-memcg-fail.fsr" -o "$TMP/closed.txt" >&- 2>"$TMP/err"
rc=$?
[ "$rc" = 0 ] || fail "report -o FILE with stdout closed exited $rc: $(cat "$TMP/err")"
grep -q "^# fragscope .* report" "$TMP/closed.txt" || fail "report -o FILE with stdout closed wrote no report"
# A closed stderr is no place for -o FILE to land: the truncation warning of
# a cut recording must not end up inside the report file.
head -c 12000 "$TOP/tests/fixtures/record/format2-memcg-fail.fsr" >"$TMP/cut.data"
"$FRAGSCOPE" report -i "$TMP/cut.data" -o "$TMP/cut.txt" 2>&-
rc=$?
[ "$rc" = 0 ] || fail "report -i of a cut file with stderr closed exited $rc"
grep -q "^# fragscope .* report" "$TMP/cut.txt" || fail "report -o FILE with stderr closed wrote no report"
grep -n "^fragscope report: warning" "$TMP/cut.txt" && fail "the warning meant for the closed stderr went into the report file"
pass "a closed stdout: exit 1 when the report goes there, 0 with -o FILE; a closed stderr's warning stays out of -o FILE"
