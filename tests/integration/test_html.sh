#!/usr/bin/env bash
# The HTML report of a real, provoked allocation failure, opened in headless
# Chromium: the page loads without console errors, its flame graph shows
# the failing vmalloc's frames, its Doctor section blames the memory
# cgroup's limit, not fragmentation, and a screenshot is kept as
# build/artifacts/report.png.  Then a page of 50,000 distinct stacks (built
# by the unit test) must load and draw within LOAD_BOUND_MS.
source "$(dirname "$0")/../lib.sh"
require_bpf
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
LOAD_BOUND_MS=5000
[ -x "$CHROMIUM" ] || skip "no $CHROMIUM (apt-get install chromium)"
[ -x "$TOP/build/tests/test_html" ] || fail "$TOP/build/tests/test_html not built"

# Headless Chromium, offline and bounded in time, in a profile of its own;
# stderr (console messages) in $TMP/chromium.err.  Usage: browse ARGS... URL
browse() {
	local profile
	profile=$(mktemp -d "$TMP/profile.XXXXXX")
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 "$@" 2>"$TMP/chromium.err" &
	local pid=$! i
	for i in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		fail "chromium did not finish within 60 s: $(tail -5 "$TMP/chromium.err")"
	fi
	wait "$pid" || fail "chromium exited $?: $(tail -5 "$TMP/chromium.err")"
}

console_errors() { grep -E 'CONSOLE|Uncaught|SyntaxError|TypeError|ReferenceError' "$TMP/chromium.err"; }

memcg_create html $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
provoke_prepare fail memcg_run "$cg" "$TOOLS/provoke" --wait fail all 2
fragscope_start record -p "$PROVOKE_PID" --cgroup "$cg" -o "$TMP/fail.data" -F json
provoke_go fail
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
"$FRAGSCOPE" report -i "$TMP/fail.data" -F html -o "$TMP/report.html" || fail "report -F html exited $?"
cp "$TMP/report.html" "$ARTIFACTS/report.html"
grep -q '<script type="application/json" id="fs-data">' "$TMP/report.html" || fail "no data in the page"
grep -Eq 'src=|href=|@import|url\(' "$TMP/report.html" && fail "the page refers to something outside itself"
pass "report -F html wrote a self-contained page"

browse --dump-dom "file://$TMP/report.html" >"$TMP/dom.html"
console_errors && fail "console errors while loading the page"
grep -q 'data-load-ms=' "$TMP/dom.html" || fail "the page's script did not finish"
for frame in '__vmalloc_node_range(_noprof)?' '__bpf_map_area_alloc'; do
	grep -Eq "<rect [^>]*data-name=\"$frame\"" "$TMP/dom.html" || fail "flame graph without $frame"
done
grep -q '<td>vmalloc</td>' "$TMP/dom.html" || fail "no vmalloc row in the failures table"
pass "the page loads without console errors; its flame graph has the failing vmalloc's frames"

# The doctor's verdict on failures provoked inside a 32 MiB cgroup: its limit.
"$FRAGSCOPE" report -i "$TMP/fail.data" -F json >"$TMP/report.json" || fail "report -F json exited $?"
cp "$TMP/report.json" "$ARTIFACTS/report-doctor.json"
json_get "$TMP/report.json" '.doctor.findings[] | "\(.severity) \(.id): \(.title)"'
memcg='.doctor.findings[] | select(.id == "memcg_limit")'
json_get "$TMP/report.json" "$memcg | .title | test(\"memory cgroup limits, not fragmentation\")" >/dev/null
at_limit=$(json_get "$TMP/report.json" "$memcg | .facts.failures_at_limit")
total=$(json_get "$TMP/report.json" "$memcg | .facts.failures_total")
failures=$(json_get "$TMP/report.json" '[.failures[].count] | add')
[ "$total" = "$failures" ] || fail "the doctor counts $total failures, the report $failures"
# Every provoked failure was at the limit: none is left to blame on anything else.
if [ "$at_limit" = "$total" ]; then
	json_get "$TMP/report.json" '[.doctor.findings[] | select(.id == "allocation_failures")] | length == 0' >/dev/null ||
		fail "failures all at the memcg limit, yet an allocation_failures finding"
fi
grep -q '<section id="doctor"><h2>Doctor</h2>' "$TMP/dom.html" || fail "no Doctor section in the page"
grep -q '<div class="finding warning" data-id="memcg_limit"><p class="verdict"><span class="sev">warning</span> Allocation failures come from memory cgroup limits, not fragmentation' \
	"$TMP/dom.html" || fail "the Doctor section does not blame the memcg limit"
grep -q "<dt>failures_at_limit</dt><dd>$at_limit</dd>" "$TMP/dom.html" || fail "the memcg finding without its numbers"
grep -q 'the cgroup&#39;s memory.max' "$TMP/report.html" || fail "the advice is not escaped as expected"
pass "the Doctor section blames the memory cgroup's limit ($at_limit of $total failures at it), not fragmentation"

browse --screenshot="$TMP/report.png" --window-size=1400,2000 "file://$TMP/report.html"
[ -s "$TMP/report.png" ] || fail "no screenshot"
console_errors && fail "console errors while taking the screenshot"
cp "$TMP/report.png" "$ARTIFACTS/report.png"
pass "screenshot in $ARTIFACTS/report.png"

FRAGSCOPE_HTML_LARGE="$TMP/large.html" "$TOP/build/tests/test_html" >"$TMP/unit.log" 2>&1 ||
	fail "test_html could not write the large page: $(cat "$TMP/unit.log")"
size=$(stat -c %s "$TMP/large.html")
browse --dump-dom "file://$TMP/large.html" >"$TMP/large-dom.html"
console_errors && fail "console errors while loading the large page"
ms=$(sed -n 's/.*data-load-ms="\([0-9]*\)".*/\1/p' "$TMP/large-dom.html" | head -1)
[ -n "$ms" ] || fail "the large page's script did not finish"
echo "50,000 distinct stacks: page of $size bytes loaded and drawn in $ms ms"
[ "$ms" -lt "$LOAD_BOUND_MS" ] || fail "the large page took $ms ms (bound $LOAD_BOUND_MS ms)"
pass "a page of 50,000 distinct stacks loads in $ms ms"
