#!/usr/bin/env bash
# provoke kmalloc N churns pipes and socketpairs: tracefs sees, per round,
# at least 10 kmem:kmem_cache_alloc (files, inodes, dentries, sockets, skbs)
# and 2 kmem:kmalloc (pipe_inode_info, pipe buffers, skb data) for its pid,
# and it reports its rate for benchmarks.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

provoke_require
N=2000
trace_event kmem/kmalloc
trace_event kmem/kmem_cache_alloc

out=$TMP/kmalloc.out
sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" kmalloc "$N" >"$out" || fail "provoke kmalloc: $(cat "$out")"
trace_save kmalloc
[ "$(val "$out" status)" = ok ] && [ "$(val "$out" kmalloc.errors)" = 0 ] || fail "provoke: $(cat "$out")"
pid=$(val "$out" pid)
between "$TMP/kmalloc.trace" kmalloc >"$TMP/loop"
cache=$(count "-$pid .* kmem_cache_alloc: " <"$TMP/loop")
kmalloc=$(count "-$pid .* kmalloc: " <"$TMP/loop")
pipes=$(count "kmalloc: call_site=alloc_pipe_info" <"$TMP/loop")
files=$(count "kmem_cache_alloc: call_site=alloc_empty_file" <"$TMP/loop")
echo "kmalloc $N: kmem_cache_alloc $cache, kmalloc $kmalloc (alloc_pipe_info $pipes), files $files;" \
	"$(val "$out" kmalloc.iterations_per_sec) rounds/s, $(val "$out" kmalloc.syscalls_per_sec) syscalls/s"
[ "$cache" -ge $((10 * N)) ] || fail "$cache kmem_cache_alloc for $N rounds"
[ "$kmalloc" -ge $((2 * N)) ] || fail "$kmalloc kmalloc for $N rounds"
[ "$files" -ge $((4 * N)) ] || fail "$files struct file allocations for $N rounds (2 pipe ends + 2 sockets each)"
[ "$(val "$out" kmalloc.iterations_per_sec)" -gt 0 ] || fail "no rate reported"
pass "kmalloc $N: $cache kmem_cache_alloc and $kmalloc kmalloc for pid $pid"
