# The smoke scenario (sourced by tests/vm/init, or tests/vm/host-run.sh on
# the host): what this kernel offers, `fragscope probes`, `fragscope state`,
# then the cases, the kernel's own tracepoints counting the same events in
# a private tracefs instance (fragscope's figures must equal those):
#   pages  `fragscope record --cgroup` around `provoke pages 2000` in a
#          memory cgroup: every page allocation in it
#   enomem `fragscope record --comm` around mmaps refused before any
#          allocation (`VERDICT requests:`, the same on every kernel)
#   fail   `fragscope record --cgroup` around `provoke fail portable 2` in
#          a 32 MiB memory cgroup: failed page, kmalloc and slab allocations
#          and the failed requests, from pipe rings (F_SETPIPE_SZ), inotify
#          and fanotify events: charged to the memory cgroup and failing
#          without the OOM killer on every kernel, 5.10 included, cgroup v1
#          or v2, no BPF map (5.10 charges those to RLIMIT_MEMLOCK).
#          `VERDICT smoke:` must read the same on every kernel.
#   fail-bpf  the same around `provoke fail kmalloc,large,vmalloc 2`:
#          failed kvmalloc and vmalloc requests from BPF map creations, on
#          kernels that charge BPF maps to the memory cgroup (not 5.10: a
#          WARN says why).  `VERDICT smoke-bpf:` must read the same on
#          every kernel that runs it.
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
# A private tracefs instance per case (the host's global trace is left
# alone), events of provoke's pid only (set before any event is enabled:
# other tasks' failures, on a shared host, never enter), each filtered to
# failures.  5.10 has separate *_node tracepoints, later kernels one of each.
# With STACKS set, every failed page allocation's kernel stack too (a
# conditional trigger honours the pid filter), to tell vmalloc's pages from
# the others as the kernel itself shows them.  Usage: failure_instance NAME PID
PAGE_FAILED='pfn == 18446744073709551615'
failure_instance() {
	local ev
	TI=$T/instances/fragscope-$1-$$
	mkdir $TI
	echo 1 >$TI/options/event-fork
	echo $2 >$TI/set_event_pid
	for ev in kmalloc kmalloc_node kmem_cache_alloc kmem_cache_alloc_node; do
		[ -d $TI/events/kmem/$ev ] || continue
		echo 'ptr == 0' >$TI/events/kmem/$ev/filter && echo 1 >$TI/events/kmem/$ev/enable
	done
	[ -z "$STACKS" ] || echo "stacktrace if $PAGE_FAILED" >$TI/events/kmem/mm_page_alloc/trigger
	echo "$PAGE_FAILED" >$TI/events/kmem/mm_page_alloc/filter && echo 1 >$TI/events/kmem/mm_page_alloc/enable
}
# Stop the instance, keep its trace in KT, remove it.
failure_instance_end() {
	echo 0 >$TI/tracing_on
	grep -v '^#' $TI/trace >$KT
	[ -z "$STACKS" ] || echo "!stacktrace if $PAGE_FAILED" >$TI/events/kmem/mm_page_alloc/trigger
	rmdir $TI
}
kernel_count() { grep -cE " $1: " $KT; }
# The kernel stacks (<stack trace> blocks) that pass through vmalloc's page
# allocation: the names fragscope's kind vmalloc goes by (6.10+: _noprof).
kernel_vmalloc_stacks() {
	awk '/<stack trace>/ { n += vm; vm = 0; inside = 1; next }
		/^ => / { if (inside && $2 ~ /^(__vmalloc_area_node|vm_area_alloc_pages|__vmalloc_node_range)/) vm = 1; next }
		{ n += vm; vm = 0; inside = 0 }
		END { print n + vm }' $KT
}

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

# --- the fail cases: fragscope record --cgroup around provoke fail ---------
# fail_case NAME PREFIX ARGS...: `fragscope record --cgroup` (its report R)
# around `provoke --wait fail ARGS` in the memory cgroup (its output PO),
# the kernel's counts in a private instance (its trace KT); the checks
# common to the cases, named PREFIX<check> (the judge requires them by
# name), the report's failures on the console, the files kept as NAME.*.
# Returns 1 when there is no report to judge (a FAIL says why).
fail_case() {
	local name=$1 c=$2 rc_rec start
	shift 2
	R=$WD/$name.json PO=$WD/$name.provoke.out KT=$WD/$name.kernel-trace.txt
	timeout 200 $FS record -d 180 --cgroup "$CG" --no-file -F json --top 50 >$R 2>$WD/$name.err &
	FSPID=$!
	if wait_attached $WD/$name.err $FSPID; then
		pass "${c}record attach" "$(grep -m1 'tracing (attached' $WD/$name.err)"
	else
		show record-stderr $WD/$name.err
		fail "${c}record attach" "fragscope record --cgroup did not attach"
		kill -INT $FSPID 2>/dev/null
		return 1
	fi
	start_provoke $PO fail "$@"
	failure_instance $name $PP
	start=$(date +%s)
	release_provoke 120
	info "${c}provoke" "exit $PRC in $(($(date +%s) - start)) s"
	show provoke $PO
	kill -INT $FSPID
	wait $FSPID
	rc_rec=$?
	failure_instance_end
	keep $name.kernel-trace.txt $KT
	show record-stderr $WD/$name.err
	[ $rc_rec = 0 ] && pass "${c}record exit" "fragscope record exited 0" ||
		fail "${c}record exit" "fragscope record exited $rc_rec"
	if ! jq -e .failures $R >/dev/null 2>&1; then
		fail "${c}record json" "no JSON report with .failures"
		show record-out $R
		return 1
	fi
	pass "${c}record json" "$(jq '.failures | length' $R) failure groups, lost $(jq '.meta.lost.total' $R)"
	jq -c . $R >$WD/$name.compact.json
	keep $name.report.json $WD/$name.compact.json
	expect "${c}lost" 0 "$(jq '.meta.lost.total' $R)" "events lost"
	# The warnings in the report's header: one per probe this kernel lacks,
	# as `fragscope probes` said.
	expect "${c}report warnings" "$(awk '$2 == "missing"' $WD/probes.out | wc -l)" \
		"$(jq '[.meta.warnings // [] | .[] | select(test("not traced"))] | length' $R)" "probe warnings in the JSON header"
	# The report, trimmed, for the console and the docs.
	jq -c '.failures[] | {kind, count, memcg_at_limit, stack: .stack[0:6]}' $R >$WD/$name.short.json
	show json $WD/$name.short.json
	# Exact, against the kernel's own tracepoints (counted independently above).
	K_KMALLOC=$(( $(kernel_count kmalloc) + $(kernel_count kmalloc_node) ))
	K_SLAB=$(( $(kernel_count kmem_cache_alloc) + $(kernel_count kmem_cache_alloc_node) ))
	expect "${c}exact kmalloc" "$K_KMALLOC" "$(count_kind kmalloc)" "= kmalloc tracepoint events with ptr 0"
	expect "${c}exact slab" "$K_SLAB" "$(count_kind slab)" "= kmem_cache_alloc tracepoint events with ptr 0"
	cgid=$(stat -c %i "$CG")
	wrong=$(jq "[.failures[] | select(.cgroup_id != $cgid)] | length" $R)
	[ "$wrong" = 0 ] && pass "${c}cgroup filter" "every failure in memcg $cgid (--cgroup matched through the cgroup's ancestors)" ||
		fail "${c}cgroup filter" "$wrong failure groups outside memcg $cgid"
	info "${c}noprof frames" "$(jq '[.failures[].stack[] | select(test("_noprof\\+"))] | length' $R) (kernels before 6.10 have none: allocation profiling renamed the allocators)"
}
val() { sed -n "s/^$1=//p" $PO | tail -1; }
count_kind() { jq "[.failures[] | select(.kind == \"$1\") | .count] | add // 0" $R; }
# A failure of KIND with a frame matching REGEX: frame_check CHECK KIND REGEX FRAME
frame_check() {
	jq -e "[.failures[] | select(.kind == \"$2\") | .stack[] | select(test(\"$3\"))] | length > 0" $R >/dev/null &&
		pass "$1" "$4" || fail "$1" "no frame of $4"
}
# At least one failure of each KIND (the exact figures are checked apart).
some_failures() {
	local c=$1 kind n
	shift
	for kind in "$@"; do
		n=$(count_kind $kind)
		[ "$n" -ge 1 ] && pass "${c}failures $kind" "$n" || fail "${c}failures $kind" "none traced"
	done
}
# The failure kinds and their cause, then the requests that SELECT (a jq
# test) picks, each as FORMAT (a jq string): what must read the same on
# every kernel that runs the case.  Usage: fail_verdict NAME SELECT FORMAT
fail_verdict() {
	verdict $1 "$(jq -r '[.failures[] | "\(.kind):\(if .memcg_at_limit > 0 then "memcg_at_limit" else "other" end)"] | unique | join(",")' $R); requests $(jq -r "[.requests[] | select($2) | \"$3\"] | unique | join(\",\")" $R)"
}

# --- case fail: provoke fail portable, on every kernel ----------------------
# Pipe rings, inotify and fanotify events: charged to the memory cgroup and
# failing without the OOM killer on every kernel, 5.10 included.
STACKS=
if fail_case smoke "" portable $ROUNDS; then
	[ "$(val status)" = ok ] && pass provoke "status=ok, pipe $(val fail.pipe.failed)/$ROUNDS inotify $(val fail.inotify.failed)/$ROUNDS failed, fanotify events lost $(val fail.slab.failed); filled by $(val fail.fill_pipe_rings) pipe rings of $(val fail.pipe_ring_fill_bytes) and $(val fail.fill_inotify_events) inotify events" ||
		fail provoke "$(val status) $(val error)"
	# What provoke saw fail, ROUNDS times each: F_SETPIPE_SZ with ENOMEM, reads
	# whose inotify event was lost.
	expect "provoke failed pipe" $ROUNDS "$(val fail.pipe.failed)" "F_SETPIPE_SZ failed with ENOMEM"
	expect "provoke failed inotify" $ROUNDS "$(val fail.inotify.failed)" "inotify events lost"
	# A failed page allocation is kind page, or vmalloc when vmalloc made it.
	k_page=$(kernel_count mm_page_alloc)
	info "kernel counts" "mm_page_alloc failed $k_page, kmalloc(_node) NULL $K_KMALLOC, kmem_cache_alloc(_node) NULL $K_SLAB"
	some_failures "" page kmalloc slab
	expect "exact page+vmalloc" "$k_page" $(( $(count_kind page) + $(count_kind vmalloc) )) "= failed mm_page_alloc events of provoke's"
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

	frame_check "stack kmalloc pipe" kmalloc '^pipe_resize_ring\\+' "pipe_resize_ring"
	frame_check "stack kmalloc inotify" kmalloc '^inotify_handle' "inotify_handle_(inode_)event"
	frame_check "stack page" page '^(__)?alloc_pages|^__alloc_frozen_pages' "the page allocator"
	fail_verdict smoke true '\(.syscall):\(.api):\(.cause):\(.outcome)'
fi

# --- case fail-bpf: kvmalloc and vmalloc failures, from BPF map creations ----
# provoke fail kmalloc,large,vmalloc: the cgroup filled by a BPF hash map,
# then BPF_MAP_CREATE of arrays whose bpf_map_area_alloc fails: kvmalloc of
# 4 KiB and 16 KiB (+ the array's header: kmalloc, kmalloc_large, then
# vmalloc), vmalloc alone of 1 MiB.  Only where BPF maps are charged to
# the memory cgroup (bpf_map_kmalloc_node, 5.11+): 5.10 charges them to
# RLIMIT_MEMLOCK, so nothing fills the cgroup there.
if ! grep -qw bpf_map_kmalloc_node /proc/kallsyms; then
	warn case-fail-bpf "not provokable here: this kernel charges BPF maps to RLIMIT_MEMLOCK, not to the memory cgroup (no bpf_map_kmalloc_node), so provoke fail cannot fill the cgroup with them"
else
	STACKS=1
	if fail_case smoke-bpf "bpf " kmalloc,large,vmalloc $ROUNDS; then
		[ "$(val status)" = ok ] && pass "bpf provoke" "status=ok, kmalloc $(val fail.kmalloc.failed)/$ROUNDS large $(val fail.large.failed)/$ROUNDS vmalloc $(val fail.vmalloc.failed)/$ROUNDS failed, errno $(val fail.vmalloc.errno); filled by $(val fail.fill_elems) hash elements" ||
			fail "bpf provoke" "$(val status) $(val error)"
		# What provoke saw fail: every bpf() map creation of each kind, ROUNDS times.
		expect "bpf provoke failed kmalloc" $ROUNDS "$(val fail.kmalloc.failed)" "map creations failed with ENOMEM"
		expect "bpf provoke failed large" $ROUNDS "$(val fail.large.failed)" "map creations failed with ENOMEM"
		expect "bpf provoke failed vmalloc" $ROUNDS "$(val fail.vmalloc.failed)" "map creations failed with ENOMEM"
		# The page failures the kernel traced, told apart by their stacks:
		# vmalloc's pages (the kinds' fallbacks, the 1 MiB arrays, the
		# drains), the others (kmalloc_large's order 3).
		k_page=$(kernel_count mm_page_alloc)
		k_stacks=$(grep -c '<stack trace>' $KT)
		k_vmalloc=$(kernel_vmalloc_stacks)
		info "bpf kernel counts" "mm_page_alloc failed $k_page ($k_stacks stacks, $k_vmalloc through vmalloc), kmalloc(_node) NULL $K_KMALLOC, kmem_cache_alloc(_node) NULL $K_SLAB"
		expect "bpf kernel stacks" "$k_page" "$k_stacks" "a stack for every failed mm_page_alloc"
		some_failures "bpf " page kmalloc vmalloc
		expect "bpf exact page" $((k_page - k_vmalloc)) "$(count_kind page)" "= failed mm_page_alloc events whose stack has no vmalloc"
		expect "bpf exact vmalloc" "$k_vmalloc" "$(count_kind vmalloc)" "= failed mm_page_alloc events through __vmalloc_node_range"
		# The failed requests equal what provoke saw fail, per kind, whatever
		# number of allocator events each took: bpf(BPF_MAP_CREATE) from
		# __bpf_map_area_alloc in the full cgroup, of value_size + the array's
		# header bytes (struct bpf_array: its size is the kernel's, measured
		# from the 4 KiB kind's requests); kmalloc and large try kmalloc then
		# vmalloc (kvmalloc), vmalloc of 1 MiB goes to vmalloc alone, its
		# size that of the area without its guard page.
		bpf_requests() { jq "[.requests[] | select(.syscall == \"bpf\" and .caller == \"__bpf_map_area_alloc\" and
			.cause == \"memcg_limit\" and .outcome == \"failed\" and $1) | .count] | add // 0" $R; }
		hdr=$(( $(jq '[.requests[] | select(.syscall == "bpf" and .api == "kvmalloc" and .bytes > 4096 and .bytes < 8192) | .bytes] | min // 4096' $R) - 4096 ))
		info "bpf array header" "$hdr bytes (kvmalloc of 4096 + $hdr)"
		expect "bpf requests kmalloc" "$(val fail.kmalloc.failed)" "$(bpf_requests ".api == \"kvmalloc\" and .bytes == $((4096 + hdr))")" \
			"failed kvmalloc requests of $((4096 + hdr)) bytes"
		expect "bpf requests large" "$(val fail.large.failed)" "$(bpf_requests ".api == \"kvmalloc\" and .bytes == $((16384 + hdr))")" \
			"failed kvmalloc requests of $((16384 + hdr)) bytes"
		expect "bpf requests kvmalloc all" $(($(val fail.kmalloc.failed) + $(val fail.large.failed))) \
			"$(bpf_requests '.api == "kvmalloc"')" "failed kvmalloc requests of any size"
		# Every failed vmalloc request: the 1 MiB arrays and provoke's drains
		# (arrays larger than the whole cgroup, vmalloc alone).
		expect "bpf requests vmalloc all" $(($(val fail.vmalloc.failed) + $(val fail.fill_drains))) \
			"$(bpf_requests '.api == "vmalloc"')" "failed vmalloc requests: $(val fail.vmalloc.failed) of 1 MiB, $(val fail.fill_drains) drains"
		# vmalloc's size comes from the area it reserved (vmalloc:alloc_vmap_area): a
		# kernel without that tracepoint leaves it unknown, and the 1 MiB ones cannot
		# be told from the drains'.
		vm_bytes=$(( (1048576 + hdr + 4095) / 4096 * 4096 ))
		if grep -q '^vmalloc:alloc_vmap_area .* missing' $WD/probes.out; then
			warn "bpf requests vmalloc" "sizes unknown without vmalloc:alloc_vmap_area: the $(val fail.vmalloc.failed) of 1 MiB cannot be told from the drains'"
		else
			expect "bpf requests vmalloc" "$(val fail.vmalloc.failed)" "$(bpf_requests ".api == \"vmalloc\" and .bytes == $vm_bytes")" \
				"failed vmalloc requests of $vm_bytes bytes"
			# A drain is an array of (limit + 2 MiB) of 1 MiB values: above 512 pages,
			# vmalloc reserves a second area for its page pointers, which must not
			# stand for the request's size.
			drain_bytes=$(( ((32 + 2) * 1048576 + hdr + 4095) / 4096 * 4096 ))
			expect "bpf requests drains" "$(val fail.fill_drains)" "$(bpf_requests ".api == \"vmalloc\" and .bytes == $drain_bytes")" \
				"failed vmalloc requests of $drain_bytes bytes (provoke's drains)"
		fi
		frame_check "bpf stack vmalloc" vmalloc '^__vmalloc_node_range(_noprof)?\\+' "__vmalloc_node_range"
		frame_check "bpf stack vmalloc caller" vmalloc '^__bpf_map_area_alloc\\+' "__bpf_map_area_alloc"
		frame_check "bpf stack kmalloc" kmalloc '^__bpf_map_area_alloc\\+' "__bpf_map_area_alloc"
		frame_check "bpf stack page" page '^(__)?alloc_pages|^__alloc_frozen_pages' "the page allocator"
		fail_verdict smoke-bpf '.syscall == "bpf" and .caller == "__bpf_map_area_alloc"' '\(.api):\(.cause):\(.outcome)'
	fi
fi
remove_memcgs
