#!/usr/bin/env bash
# Per-process page counts follow exec: `bash -c 'exec A'` where A makes
# THPS order-9 THP faults and then execs B (a copy of the same program under
# another name, same pid) which makes THPS more.  fragscope must file exactly
# A's huge pages under A's comm and B's under B's, none under bash: the comm
# is the task's at the time of each allocation, not the pid's first one.
# (Before, the pid's entry kept the comm of its first order-9 allocation,
# A's, and B's pages were counted under it.)
source "$(dirname "$0")/../lib.sh"
require_bpf
THPS=4
cp "$TOOLS/provoke" "$TMP/fs-exec-first"
cp "$TOOLS/provoke" "$TMP/fs-exec-second"

provoke_prepare chain bash -c 'exec "$@"' bash "$TMP/fs-exec-first" --wait \
	--exec-after "$TMP/fs-exec-second" thp "$THPS"
pid=$PROVOKE_PID
fragscope_start record -p "$pid" --no-file -F json
provoke_go chain
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/exec-comm.json"

# Each program printed its own block of key=value lines: first A's, then B's.
huge_first=$(sed -n 's/^thp\.huge=//p' "$TMP/chain.out" | head -1)
huge_second=$(sed -n 's/^thp\.huge=//p' "$TMP/chain.out" | sed -n 2p)
pids=$(sed -n 's/^pid=//p' "$TMP/chain.out" | sort -u)
[ "$pids" = "$pid" ] || fail "the programs ran as pids '$pids', not one pid $pid"
[ "$huge_first" = "$THPS" ] && [ "$huge_second" = "$THPS" ] ||
	fail "huge pages mapped: $huge_first then $huge_second, not $THPS each (THP unavailable?)"
by_comm() { json_get "$TMP/fs.out" "[.page_alloc.by_process[] | select(.pid == $pid and .order == 9 and .comm == \"$1\") | .count] | add // 0"; }
first=$(by_comm fs-exec-first)
second=$(by_comm fs-exec-second)
all=$(json_get "$TMP/fs.out" "[.page_alloc.by_process[] | select(.pid == $pid and .order == 9) | .count] | add // 0")
echo "order-9 allocations of pid $pid: fs-exec-first $first (mapped $huge_first), fs-exec-second $second (mapped $huge_second), all comms $all"
[ "$first" = "$huge_first" ] || fail "fs-exec-first: $first order-9 allocations counted, $huge_first huge pages mapped"
[ "$second" = "$huge_second" ] || fail "fs-exec-second: $second order-9 allocations counted, $huge_second huge pages mapped"
[ "$all" = $((first + second)) ] || fail "$((all - first - second)) order-9 allocations of pid $pid under another comm"
pass "after exec, pid $pid's pages are under the comm that allocated them: $first + $second order-9, exactly"
