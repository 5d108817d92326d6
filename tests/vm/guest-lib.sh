# Helpers for the guest scenarios (sourced by tests/vm/init in the guest and
# by tests/vm/host-run.sh on the host, busybox sh or bash alike).  A
# scenario prints one line per check; the host judges them
# (tests/vm/judge.sh):
#   VMTEST: PASS <check>: <detail>
#   VMTEST: FAIL <check>: <detail>
#   VMTEST: WARN <check>: <detail>     (what this kernel cannot do: reported, not fatal)
#   VMTEST: INFO <what>: <detail>
#   VMTEST: VERDICT <case>: <summary>  (compared between kernels: must be identical)
#   VMTEST: DONE pass=N fail=N warn=N
# and keeps files with `keep NAME FILE` (run.sh writes them to
# build/artifacts/vm-<kernel>/NAME).
P=0 F=0 W=0
FS=${FS:-/opt/fragscope/fragscope}
TOOLDIR=${TOOLDIR:-/opt/fragscope}
PROVOKE=$TOOLDIR/provoke
T=${T:-/sys/kernel/tracing}
WD=${WD:-/tmp} # the scenarios' scratch files

say() { echo "VMTEST: $*"; }
pass() { P=$((P + 1)); say "PASS $1: $2"; }
fail() { F=$((F + 1)); say "FAIL $1: $2"; }
warn() { W=$((W + 1)); say "WARN $1: $2"; }
info() { say "INFO $1: $2"; }
verdict() { say "VERDICT $1: $2"; }
# Assert an exact figure: expect CHECK WANT GOT [what the figure is]
expect() {
	if [ "$2" = "$3" ]; then pass "$1" "$3${4:+ $4}"; else fail "$1" "got $3, want $2${4:+ ($4)}"; fi
}
# Show a file on the console, each line prefixed (the host strips "TAG| ").
show() { sed "s/^/$1| /" "$2"; }
# Keep a file: the host writes it to its artifacts directory as NAME (on
# the host itself, host-run.sh sets KEEP_DIR and it is copied there).
keep() { if [ -n "${KEEP_DIR:-}" ]; then cp "$2" "$KEEP_DIR/$1"; else sed "s/^/file:$1| /" "$2"; fi; }

# Set a sysctl the kernel has: sysctl_set vm/NAME VALUE; false if it has none.
sysctl_set() { [ -w "/proc/sys/$1" ] && echo "$2" >"/proc/sys/$1"; }

# Wait (up to 60 s) until FILE has a line matching PATTERN, while PID lives:
# wait_for_line PATTERN FILE PID; false if it never came.
wait_for_line() {
	local i=0
	while ! grep -q "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $3 2>/dev/null; then return 1; fi
		sleep 0.1
	done
}
# The fragment holder (fraglab fragment, pid PID, its output in OUT) takes
# the free blocks of its order or more that came free since it settled
# (tasks exited, compaction ran, per-CPU lists drained by its refused ring):
# resettle_holder CASE PID OUT.  Waits up to 30 s for its "resettled" line.
resettle_holder() {
	local before=$(grep -c '^resettled$' "$3") i=0
	kill -USR1 $2
	while [ "$(grep -c '^resettled$' "$3")" = "$before" ] && kill -0 $2 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	info "$1 resettle" "the holder took $(sed -n 's/^fraglab.fragment.resettled_rings=//p' "$3" | tail -1) blocks of order >= $(sed -n 's/^fraglab.fragment.block_order=//p' "$3") that had come free; $(sed -n 's/^fraglab.fragment.units_left=//p' "$3" | tail -1) left"
}
# Wait (up to 60 s) until fragscope, writing its stderr to $1 (pid $2), has attached.
wait_attached() { wait_for_line "tracing (attached" "$1" "$2"; }

# A memory cgroup limited to LIMIT bytes: cgroup v2 if mounted with the
# memory controller, else the v1 memory hierarchy.  Sets CG (empty on failure)
# and adds it to MEMCGS, which remove_memcgs removes (host-run.sh, at exit:
# a scenario that returns early leaves none behind on the host).
MEMCGS=
remove_memcgs() {
	local cg
	for cg in $MEMCGS; do [ ! -d "$cg" ] || rmdir "$cg"; done
	MEMCGS=
}
make_memcg() {
	local name=$1 limit=$2
	CG=
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory >/sys/fs/cgroup/cgroup.subtree_control
		mkdir "/sys/fs/cgroup/$name" && echo "$limit" >"/sys/fs/cgroup/$name/memory.max" && CG=/sys/fs/cgroup/$name
	elif [ -d /sys/fs/cgroup/memory ]; then
		mkdir "/sys/fs/cgroup/memory/$name" && echo "$limit" >"/sys/fs/cgroup/memory/$name/memory.limit_in_bytes" &&
			CG=/sys/fs/cgroup/memory/$name
	fi
	MEMCGS="$MEMCGS $CG"
}
