# What a running process holds, for tests and the benchmark (sourced).

# BPF map memory held by PID: memlock of every map fd it has open, once per map id.
map_bytes() {
	local pid=$1 fd
	for fd in /proc/"$pid"/fdinfo/*; do
		awk '/^map_id:/ { id = $2 } /^memlock:/ { m = $2 } END { if (id != "") print id, m }' "$fd" 2>/dev/null
	done | sort -u | awk '{ s += $2 } END { print s + 0 }'
}

# VmRSS of PID in kB (empty once it has exited).
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}
