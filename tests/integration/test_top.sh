#!/usr/bin/env bash
# `fragscope top` in a real terminal (tmux, 80x24): it shows a provoked
# vmalloc failure with process and frames, answers h, s and p, and quits on
# q.  With stdout not a terminal it prints one plain block per interval.
source "$(dirname "$0")/../lib.sh"
require_bpf
command -v tmux >/dev/null || skip "tmux missing (apt-get install tmux)"

# A private tmux server whose socket lives in $TMP, removed at exit.
tmx() { tmux -S "$TMP/tmux.sock" "$@"; }
screen() { tmx capture-pane -p -t top; }
# Waits up to $1 tenths of a second for the screen to match the regex $2.
wait_screen() {
	for _ in $(seq "$1"); do
		screen | grep -Eq "$2" && return 0
		sleep 0.1
	done
	return 1
}

memcg_create top $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare fail memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail vmalloc 2
pid=$PROVOKE_PID
tmx -f /dev/null new-session -d -s top -x 80 -y 24 \
	"$FRAGSCOPE top -i 1 -p $pid 2>$TMP/top.err; echo \$? >$TMP/top.rc; sleep 60"
on_exit "tmux -S $TMP/tmux.sock kill-server 2>/dev/null"
wait_screen 200 '^fragscope top ' || fail "top did not draw within 20 s: $(cat "$TMP/top.err")"
provoke_go fail
wait_screen 100 "^ *[0-9.]+s provoke +$pid vmalloc +o0 +4096B __" ||
	fail "no vmalloc failure of pid $pid on screen: $(screen)"
screen >"$ARTIFACTS/top.txt"
cat "$ARTIFACTS/top.txt"
# The refresh that lists the failure counts it in its interval.
grep -Eq '^FAILURES .*vmalloc [1-9]' "$ARTIFACTS/top.txt" || fail "the interval's vmalloc count is 0"
[ "$(wc -l <"$ARTIFACTS/top.txt")" -le 24 ] || fail "screen taller than 24 lines"
awk 'length > 80 { exit 1 }' "$ARTIFACTS/top.txt" || fail "screen wider than 80 columns"
for section in '^ALLOCATIONS/s' '^STALLS per interval' '^  compaction' '^FREE BLOCKS' ' free ' '^q quit'; do
	grep -Eq -- "$section" "$ARTIFACTS/top.txt" || fail "no '$section' on screen"
done
pass "top shows the provoked failure of pid $pid in 80x24"

tmx send-keys -t top h
wait_screen 30 'q   quit' || fail "h shows no help: $(screen)"
tmx send-keys -t top h
wait_screen 30 '^ALLOCATIONS' || fail "h again does not leave the help"
tmx send-keys -t top s
wait_screen 30 'sort: rate' || fail "s does not change the sort: $(screen)"
tmx send-keys -t top p
wait_screen 30 '\[paused\]' || fail "p does not pause: $(screen)"
tmx send-keys -t top q
for _ in $(seq 50); do [ -s "$TMP/top.rc" ] && break; sleep 0.1; done
[ "$(cat "$TMP/top.rc" 2>/dev/null)" = 0 ] || fail "top did not exit 0 on q: rc=$(cat "$TMP/top.rc" 2>/dev/null) $(cat "$TMP/top.err")"
pass "h, s, p answer; q quits with status 0"

# Not a terminal: plain blocks, no escape sequences, ended by SIGINT.
"$FRAGSCOPE" top -i 1 >"$TMP/plain.txt" 2>"$TMP/plain.err" &
plain_pid=$!
on_exit "kill -INT $plain_pid 2>/dev/null; wait $plain_pid 2>/dev/null"
for _ in $(seq 100); do
	[ "$(grep -c '^fragscope top ' "$TMP/plain.txt")" -ge 3 ] && break
	sleep 0.1
done
kill -INT "$plain_pid"
wait "$plain_pid" || fail "top exited $? on SIGINT: $(cat "$TMP/plain.err")"
blocks=$(grep -c '^fragscope top ' "$TMP/plain.txt")
[ "$blocks" -ge 3 ] || fail "$blocks plain blocks in 10 s at 1 s intervals"
grep -q $'\e' "$TMP/plain.txt" && fail "escape sequences in plain output"
grep -q '^ALLOCATIONS/s' "$TMP/plain.txt" || fail "no allocation table in plain output"
cp "$TMP/plain.txt" "$ARTIFACTS/top-plain.txt"
pass "plain text: $blocks blocks, one per interval"

# Its reader gone (a closed pipe): top stops at its next block instead of
# tracing on for nobody, and says the write failed (exit 1).
start=$SECONDS
timeout 30 "$FRAGSCOPE" top -i 0.5 2>"$TMP/pipe.err" | head -1 >"$TMP/pipe.txt"
rc=${PIPESTATUS[0]}
[ "$rc" != 124 ] || fail "top still ran 30 s after its reader (head -1) exited"
[ "$rc" = 1 ] || fail "top into a closed pipe exited $rc, want 1: $(cat "$TMP/pipe.err")"
grep -q "writing standard output" "$TMP/pipe.err" || fail "top did not say its output failed: $(cat "$TMP/pipe.err")"
grep -q '^fragscope top ' "$TMP/pipe.txt" || fail "head -1 got no block from top"
pass "top into a closed pipe: stopped after $((SECONDS - start)) s, exit 1, the failed write said"
