# Shared helpers for integration tests (sourced, not run).
#
# A test is tests/integration/test_*.sh: exit 0 passes, 1 fails, 77 skips.
# With FRAGSCOPE_REQUIRE_BPF=1 (as in CI) a test that would skip for want of
# root or BPF fails instead, so no BPF test can skip silently.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRAGSCOPE=${FRAGSCOPE:-$TOP/fragscope}
TOOLS=${TOOLS:-$TOP/build/tests/tools}
ARTIFACTS=${ARTIFACTS:-$TOP/build/artifacts}
mkdir -p "$ARTIFACTS"
TMP=$(mktemp -d /tmp/fragscope-test.XXXXXX)
CLEANUPS=()

cleanup_all() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[$i]}" || true; done
	rm -rf "$TMP"
}
trap cleanup_all EXIT
on_exit() { CLEANUPS+=("$*"); }

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() {
	if [ "${FRAGSCOPE_REQUIRE_BPF:-0}" = 1 ]; then
		echo "FAIL (FRAGSCOPE_REQUIRE_BPF=1, would skip): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}
pass() { echo "ok: $*"; }

require_bpf() {
	[ "$(id -u)" = 0 ] || skip "needs root for BPF"
	[ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF at /sys/kernel/btf/vmlinux"
	[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
}

# Run a command in the background; its pid is in $! and it is stopped at exit.
start_bg() {
	"$@" &
	local pid=$!
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
}

# A memory cgroup (v1 or v2) that is removed at exit, with its tasks.
# Usage: memcg_create NAME LIMIT_BYTES; sets MEMCG to its directory.  (Not
# in $(...): the cleanup must be registered in this shell, not a subshell.)
memcg_create() {
	local name=$1 limit=$2 dir
	if [ -d /sys/fs/cgroup/memory ]; then
		dir=/sys/fs/cgroup/memory/fragscope-test-$name-$$
		mkdir "$dir" || return 1
		echo "$limit" >"$dir/memory.limit_in_bytes"
	else
		dir=/sys/fs/cgroup/fragscope-test-$name-$$
		mkdir "$dir" || return 1
		echo "$limit" >"$dir/memory.max"
	fi
	on_exit "memcg_remove $dir"
	MEMCG=$dir
}

memcg_remove() {
	local dir=$1 pid
	[ -d "$dir" ] || return 0
	for pid in $(cat "$dir/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
	for _ in $(seq 50); do rmdir "$dir" 2>/dev/null && return 0; sleep 0.1; done
	echo "warning: could not remove $dir" >&2
}

# Run a command inside a memory cgroup: memcg_run DIR CMD...
memcg_run() {
	local dir=$1
	shift
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$@"
}

# jq with a clear failure message: json_get FILE FILTER
json_get() { jq -er "$2" "$1" || fail "jq '$2' on $1"; }

# Is BINARY built with AddressSanitizer (make sanitize)?
is_sanitized() { [ -x "$1" ] && nm "$1" 2>/dev/null | grep -q '__asan_init'; }

# Start `fragscope ARGS...` in the background with stdout in $TMP/NAME.out
# and stderr in $TMP/NAME.err, and wait until it has attached:
# fragscope_bg NAME ARGS...  Sets BG_PID; returns 1 if fragscope exited or
# did not attach within 30 s (its stderr says why).  FRAGSCOPE_BIN, if set,
# names another binary (the sanitized build).
fragscope_bg() {
	local name=$1
	shift
	"${FRAGSCOPE_BIN:-$FRAGSCOPE}" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	BG_PID=$!
	on_exit "kill -CONT $BG_PID 2>/dev/null; kill -KILL $BG_PID 2>/dev/null; wait $BG_PID 2>/dev/null"
	for _ in $(seq 300); do
		grep -q "tracing (attached" "$TMP/$name.err" 2>/dev/null && return 0
		kill -0 "$BG_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# fragscope_bg with the outputs in $TMP/fs.{out,err}; fails the test if it
# does not attach.  Sets FS_PID.
fragscope_start() {
	fragscope_bg fs "$@" || fail "fragscope did not attach: $(cat "$TMP/fs.err")"
	FS_PID=$BG_PID
}

# The address a background `serve` listens on, from its stderr file.
serve_address() {
	local addr
	for _ in $(seq 100); do
		addr=$(sed -n 's|^fragscope: serving metrics at http://\(.*\)/metrics$|\1|p' "$1")
		[ -n "$addr" ] && echo "$addr" && return 0
		sleep 0.1
	done
	return 1
}

# SIGINT the background fragscope and wait for its report; returns its exit status.
fragscope_stop() {
	kill -INT "$FS_PID"
	wait "$FS_PID"
}

# Run a provoke workload that waits for a go line on stdin, so a tracer can
# be attached to its pid first.  Usage: provoke_prepare NAME [provoke args...]
# Sets PROVOKE_PID; provoke_go NAME releases it and waits for it to finish.
provoke_prepare() {
	local name=$1
	shift
	mkfifo "$TMP/$name.go"
	"$@" <"$TMP/$name.go" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	eval "PROVOKE_JOB_$name=$!"
	exec {fd}>"$TMP/$name.go"
	eval "PROVOKE_FD_$name=$fd"
	for _ in $(seq 100); do
		PROVOKE_PID=$(sed -n 's/^pid=//p' "$TMP/$name.out")
		[ -n "$PROVOKE_PID" ] && return 0
		sleep 0.05
	done
	fail "$name did not start: $(cat "$TMP/$name.err")"
}

provoke_go() {
	local name=$1 job fd
	eval "job=\$PROVOKE_JOB_$name; fd=\$PROVOKE_FD_$name"
	echo go >&"$fd"
	exec {fd}>&-
	wait "$job" || fail "$name failed: $(cat "$TMP/$name.out" "$TMP/$name.err")"
}

# The value of key=value line KEY in FILE (provoke's and enomem's output): val FILE KEY
val() { sed -n "s/^$2=//p" "$1" | tail -1; }

# The value of key=value line KEY in a provoke output file.
provoke_value() { sed -n "s/^$2=//p" "$TMP/$1.out" | tail -1; }
