# The smoke scenario (sourced by tests/vm/init, or tests/vm/host-run.sh on
# the host): what this kernel offers, `fragscope probes`, `fragscope state`,
# then two cases, the kernel's own tracepoints counting the same events in
# a private tracefs instance (fragscope's figures must equal those):
#   pages  `fragscope record --cgroup` around `provoke pages 2000` in a
#          memory cgroup: every page allocation in it
#   fail   `fragscope record --cgroup` around `provoke fail portable 2` in
#          a 32 MiB memory cgroup: failed page, kmalloc and slab allocations
#          and the failed requests, from pipe rings (F_SETPIPE_SZ), inotify
#          and fanotify events: charged to the memory cgroup and failing
#          without the OOM killer on every kernel, 5.10 included, cgroup v1
#          or v2, no BPF map (5.10 charges those to RLIMIT_MEMLOCK).
# Ends with `VERDICT smoke:`, which must read the same on every kernel.
ROUNDS=2
W0=$W

# --- what this kernel offers (for the docs: the differences fragscope adapts to)
for ev in vmalloc/alloc_vmap_area oom/mark_victim kmem/kmalloc kmem/kmalloc_node kmem/kmem_cache_alloc kmem/kmem_cache_alloc_node; do
	if [ -r $T/events/$ev/format ]; then
		info "format $ev" "$(sed -n 's/^\tfield:\([^;]*\);.*/\1/p' $T/events/$ev/format | grep -v common_ | tr '\n' ',' | sed 's/,$//')"
	else
		info "format $ev" "no such tracepoint"
	fi
done
info gfp "$(grep -o '[^{]*"__GFP_DIRECT_RECLAIM"' $T/events/kmem/mm_page_alloc/format | head -1 | tr -d ' ')"

# --- fragscope probes -------------------------------------------------------
timeout 120 $FS probes >$WD/probes.out 2>$WD/probes.err
rc=$?
show probes $WD/probes.out
show probes-stderr $WD/probes.err
keep probes.txt $WD/probes.out
if [ $rc != 0 ]; then
	fail probes "fragscope probes exited $rc"
else
	pass probes "$(tail -1 $WD/probes.out)"
fi
# Whatever did not load: libbpf's and the verifier's log, for the record.
if [ $rc != 0 ] || grep -qE "retrying with classic tracepoints| failed " $WD/probes.out $WD/probes.err; then
	FRAGSCOPE_VERBOSE=1 timeout 120 $FS probes >/dev/null 2>$WD/probes.verbose
	grep -v '^fragscope: warning' $WD/probes.verbose | tail -80 >$WD/verifier.tail
	show verifier $WD/verifier.tail
	keep probes.verbose.txt $WD/probes.verbose
fi
# A typed (tp_btf) program refused although user space chose it: all fell back.
if grep -q "retrying with classic tracepoints" $WD/probes.err; then
	fail "probes tp_btf" "a typed tracepoint program the user-space checks chose was refused; all fell back to classic tracepoints"
else
	pass "probes tp_btf" "no typed tracepoint program was refused"
fi
for p in kmem:mm_page_alloc kmem:kmalloc kmem:kmem_cache_alloc oom:mark_victim; do
	line=$(grep "^$p " $WD/probes.out)
	case "$line" in
	*" attached "*) pass "probe $p" "$(echo "$line" | awk '{print "attached via " $3}')" ;;
	*) fail "probe $p" "${line:-not listed}" ;;
	esac
done
# A probe the kernel lacks is a warning; one it has but refused is a failure.
for name in $(awk '$2 == "missing" {print $1}' $WD/probes.out); do
	warn "probe $name" "missing on this kernel (reported, not fatal)"
done
n=$(grep -cE '^[a-z_]+:[a-z_]+ +failed ' $WD/probes.out)
[ "$n" = 0 ] && pass "probes none failed" "no probe the kernel has was refused" ||
	fail "probes none failed" "$n probes failed: $(grep -E ' failed ' $WD/probes.out | tr -s ' ' | tr '\n' ';')"

# --- fragscope state: /proc files, no BPF -----------------------------------
if timeout 60 $FS state -F json --pagetypeinfo >$WD/state.json 2>$WD/state.err && jq -e .zones $WD/state.json >/dev/null; then
	pass state "$(jq -r '"nr_orders \(.nr_orders), zones " + ([.zones[] | .zone] | join(","))' $WD/state.json); buddyinfo columns $(awk 'NR==1{print NF-4}' /proc/buddyinfo)"
else
	show state-stderr $WD/state.err
	fail state "fragscope state failed"
fi

# --- the kernel's own count: failed allocations of provoke's, by tracepoint --
# A private tracefs instance (the host's global trace is left alone), events
# of provoke's pid only (set before any event is enabled: other tasks'
# failures, on a shared host, never enter), each filtered to failures.
# 5.10 has separate *_node tracepoints, later kernels one of each.
TI=$T/instances/fragscope-smoke-$$
mkdir $TI
echo 1 >$TI/options/event-fork
enable_failure_events() {
	local ev
	for ev in kmalloc kmalloc_node kmem_cache_alloc kmem_cache_alloc_node; do
		[ -d $TI/events/kmem/$ev ] || continue
		echo 'ptr == 0' >$TI/events/kmem/$ev/filter && echo 1 >$TI/events/kmem/$ev/enable
	done
	echo 'pfn == 18446744073709551615' >$TI/events/kmem/mm_page_alloc/filter &&
		echo 1 >$TI/events/kmem/mm_page_alloc/enable
}
kernel_count() { grep -cE " $1: " $TI/trace; }

# provoke --wait ARGS in the memory cgroup, its output in OUT, blocked on a
# fifo until release_provoke: sets PP once it has printed its pid (so it
# allocates nothing more until released).  Usage: start_provoke OUT ARGS...
start_provoke() {
	local out=$1 i=0
	shift
	rm -f $WD/go && mkfifo $WD/go
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" "$PROVOKE" --wait "$@" <$WD/go >"$out" 2>&1 &
	PP=$!
	exec 3>$WD/go
	while ! grep -q '^pid=' "$out" && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
}
# Release it and wait for it, killed after SECS seconds; sets PRC to its exit status.
release_provoke() {
	local dog
	(sleep $1 && kill -9 $PP) 2>/dev/null &
	dog=$!
	echo go >&3
	exec 3>&-
	wait $PP
	PRC=$?
	kill $dog 2>/dev/null
	wait $dog 2>/dev/null
}

make_memcg fragscope-smoke-$$ $((32 << 20))
if [ -z "$CG" ]; then
	fail memcg "no memory cgroup could be created"
	return 0
fi
info cgroup "$CG"

# --- case pages: every page allocation in the memory cgroup -----------------
# provoke, the cgroup's only task, started and blocked (--wait: it has
# printed pid=), waits until both counters follow it (the kernel's by pid,
# fragscope's by --cgroup): neither sees anything the other does not.
TP=$T/instances/fragscope-pages-$$
PAGES=2000
mkdir $TP
start_provoke $WD/provoke-pages.out pages $PAGES
echo $PP >$TP/set_event_pid
echo 1 >$TP/events/kmem/mm_page_alloc/enable
timeout 100 $FS record -d 90 --cgroup "$CG" --no-file -F json >$WD/pages.json 2>$WD/pages.err &
FSPID=$!
if wait_attached $WD/pages.err $FSPID; then
	release_provoke 60
	info "provoke pages" "exit $PRC $(grep -E '^pages.(touched|minflt)=' $WD/provoke-pages.out | tr '\n' ' ')"
	echo 0 >$TP/tracing_on
	kill -INT $FSPID
	wait $FSPID
	grep -v '^#' $TP/trace >$WD/pages-trace.txt
	keep pages.kernel-trace.txt $WD/pages-trace.txt
	jq -c . $WD/pages.json >$WD/pages.compact.json
	keep pages.report.json $WD/pages.compact.json
	expect "exact page allocations" "$(grep -cE -- "-$PP +\[.* mm_page_alloc: " $TP/trace)" "$(jq '.page_alloc.total' $WD/pages.json)" \
		"= mm_page_alloc events of provoke pages $PAGES, the cgroup's only task"
else
	exec 3>&-
	kill $PP 2>/dev/null
	show pages-stderr $WD/pages.err
	fail "exact page allocations" "fragscope record --cgroup did not attach"
fi
rmdir $TP

# --- case enomem: mmaps refused before any allocation, on every kernel -----
# RLIMIT_AS and vm.max_map_count refuse them in the mm, the same way on every
# kernel since long before 5.10: each refused mmap is one failed request,
# told by the syscall's exit, with its cause.
ENOMEM_TOOL=$(dirname "$PROVOKE")/enomem
timeout 100 $FS record -d 90 --comm enomem --no-file -F json >$WD/enomem.json 2>$WD/enomem.err &
FSPID=$!
if wait_attached $WD/enomem.err $FSPID; then
	timeout 30 $ENOMEM_TOOL rlimit-as 3 >$WD/enomem-as.out 2>&1
	timeout 30 $ENOMEM_TOOL map-count 2 >$WD/enomem-map.out 2>&1
	sleep 1
	kill -INT $FSPID
	wait $FSPID
	jq -c '{request_summary, requests: [.requests[] | {comm, syscall, api, cause, outcome, count, why}]}' \
		$WD/enomem.json >$WD/enomem.compact.json
	keep enomem.report.json $WD/enomem.compact.json
	enomem_requests() { jq "[.requests[] | select(.comm == \"enomem\" and .syscall == \"mmap\" and $1) | .count] | add // 0" $WD/enomem.json; }
	expect "requests rlimit" "$(sed -n 's/^enomem.failed=//p' $WD/enomem-as.out)" \
		"$(enomem_requests '.api == "commit" and .cause == "rlimit" and .evidence.rlimit == "RLIMIT_AS"')" "= mmaps RLIMIT_AS refused (3 asked)"
	expect "requests max_map_count" "$(sed -n 's/^enomem.failed=//p' $WD/enomem-map.out)" \
		"$(enomem_requests '.api == "commit" and .cause == "max_map_count"')" "= mmaps vm.max_map_count refused (2 asked)"
	expect "requests kernel count" 5 "$(jq .request_summary.kernel.enomem_no_allocation $WD/enomem.json)" \
		"ENOMEM returns the kernel counted with no allocation before them"
	verdict requests "$(jq -r '[.requests[] | select(.comm == "enomem") | "\(.api):\(.cause):\(.outcome)"] | unique | join(",")' $WD/enomem.json)"
else
	show enomem-stderr $WD/enomem.err
	fail "requests rlimit" "fragscope record --comm did not attach"
fi

# --- fragscope record around provoke fail, in the memory cgroup -------------
timeout 200 $FS record -d 180 --cgroup "$CG" --no-file -F json --top 50 >$WD/rec.json 2>$WD/rec.err &
FSPID=$!
if wait_attached $WD/rec.err $FSPID; then
	pass "record attach" "$(grep -m1 'tracing (attached' $WD/rec.err)"
else
	show record-stderr $WD/rec.err
	fail "record attach" "fragscope record --cgroup did not attach"
	kill -INT $FSPID 2>/dev/null
	return 0
fi
start_provoke $WD/provoke.out fail portable $ROUNDS
echo $PP >$TI/set_event_pid
enable_failure_events
start=$(date +%s)
release_provoke 120
info provoke "exit $PRC in $(($(date +%s) - start)) s"
show provoke $WD/provoke.out
kill -INT $FSPID
wait $FSPID
rc_rec=$?
echo 0 >$TI/tracing_on
grep -v '^#' $TI/trace >$WD/kernel-trace.txt
keep smoke.kernel-trace.txt $WD/kernel-trace.txt
show record-stderr $WD/rec.err
[ $rc_rec = 0 ] && pass "record exit" "fragscope record exited 0" || fail "record exit" "fragscope record exited $rc_rec"
val() { sed -n "s/^$1=//p" $WD/provoke.out | tail -1; }
R=$WD/rec.json
if ! jq -e .failures $R >/dev/null 2>&1; then
	fail "record json" "no JSON report with .failures"
	show record-out $R
	rm -f $WD/rec.json; rmdir $TI $CG 2>/dev/null
	return 0
fi
pass "record json" "$(jq '.failures | length' $R) failure groups, lost $(jq '.meta.lost.total' $R)"
jq -c . $R >$WD/rec.compact.json
keep smoke.report.json $WD/rec.compact.json
expect lost 0 "$(jq '.meta.lost.total' $R)" "events lost"
# The warnings in the report's header: one per probe this kernel lacks, as
# `fragscope probes` said.
expect "report warnings" "$(awk '$2 == "missing"' $WD/probes.out | wc -l)" \
	"$(jq '[.meta.warnings // [] | .[] | select(test("not traced"))] | length' $R)" "probe warnings in the JSON header"
[ "$(val status)" = ok ] && pass provoke "status=ok, pipe $(val fail.pipe.failed)/$ROUNDS inotify $(val fail.inotify.failed)/$ROUNDS failed, fanotify events lost $(val fail.slab.failed); filled by $(val fail.fill_pipe_rings) pipe rings of $(val fail.pipe_ring_fill_bytes) and $(val fail.fill_inotify_events) inotify events" ||
	fail provoke "$(val status) $(val error)"
# What provoke saw fail, ROUNDS times each: F_SETPIPE_SZ with ENOMEM, reads
# whose inotify event was lost.
expect "provoke failed pipe" $ROUNDS "$(val fail.pipe.failed)" "F_SETPIPE_SZ failed with ENOMEM"
expect "provoke failed inotify" $ROUNDS "$(val fail.inotify.failed)" "inotify events lost"

# The report, trimmed, for the console and the docs.
jq -c '.failures[] | {kind, count, memcg_at_limit, stack: .stack[0:6]}' $R >$WD/rec.short.json
show json $WD/rec.short.json

count_kind() { jq "[.failures[] | select(.kind == \"$1\") | .count] | add // 0" $R; }
has_frame() { jq -e "[.failures[] | select(.kind == \"$1\") | .stack[] | select(test(\"$2\"))] | length > 0" $R >/dev/null; }
# Exact, against the kernel's own tracepoints (counted independently above):
# a failed page allocation is kind page, or vmalloc when vmalloc made it.
k_page=$(kernel_count mm_page_alloc)
k_kmalloc=$(( $(kernel_count kmalloc) + $(kernel_count kmalloc_node) ))
k_slab=$(( $(kernel_count kmem_cache_alloc) + $(kernel_count kmem_cache_alloc_node) ))
info "kernel counts" "mm_page_alloc failed $k_page, kmalloc(_node) NULL $k_kmalloc, kmem_cache_alloc(_node) NULL $k_slab"
for kind in page kmalloc slab; do
	n=$(count_kind $kind)
	[ "$n" -ge 1 ] && pass "failures $kind" "$n" || fail "failures $kind" "none traced"
done
expect "exact page+vmalloc" "$k_page" $(( $(count_kind page) + $(count_kind vmalloc) )) "= failed mm_page_alloc events of provoke's"
expect "exact kmalloc" "$k_kmalloc" "$(count_kind kmalloc)" "= kmalloc tracepoint events with ptr 0"
expect "exact slab" "$k_slab" "$(count_kind slab)" "= kmem_cache_alloc tracepoint events with ptr 0"
# The failed requests equal what provoke saw fail, whatever number of
# allocator events each took, every one in the full cgroup: each
# F_SETPIPE_SZ that failed with ENOMEM (the filler's, the drains' and the
# ROUNDS asked: the ring's kmalloc_large), each read whose inotify event
# (kmalloc) or fanotify event (kmem_cache) was lost.
requests() { jq "[.requests[] | select(.cause == \"memcg_limit\" and .outcome == \"failed\" and $1) | .count] | add // 0" $R; }
expect "requests pipe" "$(val fail.setpipe_enomem_total)" "$(requests '.syscall == "fcntl" and .caller == "pipe_resize_ring"')" \
	"failed F_SETPIPE_SZ, $(val fail.pipe.failed) of them asked"
expect "requests inotify" $(($(val fail.fill_inotify_lost) + $(val fail.inotify.failed))) \
	"$(requests '(.syscall | test("^pread")) and (.caller | test("^inotify_handle"))')" \
	"reads whose inotify event was lost, $(val fail.inotify.failed) of them asked"
expect "requests fanotify" "$(val fail.slab.failed)" "$(requests '(.syscall | test("^pread")) and .caller == "fanotify_handle_event"')" \
	"reads whose fanotify event was lost"

has_frame kmalloc '^pipe_resize_ring\\+' && pass "stack kmalloc pipe" "pipe_resize_ring" ||
	fail "stack kmalloc pipe" "no pipe_resize_ring frame"
has_frame kmalloc '^inotify_handle' && pass "stack kmalloc inotify" "inotify_handle_(inode_)event" ||
	fail "stack kmalloc inotify" "no inotify_handle_event frame"
has_frame page '^(__)?alloc_pages|^__alloc_frozen_pages' && pass "stack page" "the page allocator" ||
	fail "stack page" "no alloc_pages frame"
info "noprof frames" "$(jq '[.failures[].stack[] | select(test("_noprof\\+"))] | length' $R) (kernels before 6.10 have none: allocation profiling renamed the allocators)"

cgid=$(stat -c %i "$CG")
wrong=$(jq "[.failures[] | select(.cgroup_id != $cgid)] | length" $R)
[ "$wrong" = 0 ] && pass "cgroup filter" "every failure in memcg $cgid (--cgroup matched through the cgroup's ancestors)" ||
	fail "cgroup filter" "$wrong failure groups outside memcg $cgid"
# What must read the same on every kernel: the failure kinds and their cause.
verdict smoke "$(jq -r '[.failures[] | "\(.kind):\(if .memcg_at_limit > 0 then "memcg_at_limit" else "other" end)"] | unique | join(",")' $R); requests $(jq -r '[.requests[] | "\(.syscall):\(.api):\(.cause):\(.outcome)"] | unique | join(",")' $R)"
rmdir $TI $CG 2>/dev/null
