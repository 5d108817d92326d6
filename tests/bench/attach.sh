# Waiting for a benchmark's tracer to attach (sourced by run.sh and traffic.sh).

# wait_for FILE PATTERN PID: until FILE has PATTERN (0), PID exits (1) or 15 s pass (2).
wait_for() {
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 2
}

# wait_perf PID: perf prints nothing once attached: wait for its event fds, then
# a little more; non-zero if it has exited.
wait_perf() {
	for _ in $(seq 100); do
		ls -l /proc/"$1"/fd 2>/dev/null | grep -q perf_event && break
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	sleep 0.5
	kill -0 "$1" 2>/dev/null
}

# attached RC WHY_FILE LOG_FILES...: the end of a start_tracer: when RC says the
# tracer did not attach, write why (with the end of its logs) to WHY_FILE, stop
# it by pid and return 1; otherwise note the start time in T_START.
attached() {
	local rc=$1 why=$2
	shift 2
	if [ "$rc" != 0 ]; then
		{ echo "did not attach (rc $rc):"; tail -3 "$@" 2>/dev/null; } | tr '\n' ' ' >"$why"
		[ -n "$BG_PID" ] && { kill -INT "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
		BG_PID=
		return 1
	fi
	T_START=$(date +%s.%N)
}
