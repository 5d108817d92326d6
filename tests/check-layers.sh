#!/usr/bin/env bash
# The rooms of user/, top to bottom, and the two rules that keep the house
# one-way (docs/architecture.md explains what each room owns):
#
#  1. A file may include headers of its own room and of rooms below it,
#     never of a room above it nor of another room on its own line.
#     include/ (fragscope.h, shared with the BPF side) and build/ (the
#     skeleton) are below everything.
#  2. No user/ source file is longer than MAX_LINES unless it is one concern
#     that reads best whole and its opening comment says so with the words
#     "reads best whole" and why.
#
# A new directory under user/ must be given its place here before it builds
# clean.  Run by `make unit` and `make test` (the check-layers target).
#
# Usage: tests/check-layers.sh [user-dir]   (exit 0: clean, 1: violations)
set -u
cd "$(dirname "$0")/.." || exit 1
root=${1:-user}
MAX_LINES=600

# Top to bottom: a line is a level; rooms sharing a line are peers and may
# not include each other.
LAYERS=(
	"cli"      # parse the command line, pick a command
	"commands" # one file per command: wires the pieces it needs
	"session"  # source -> decode -> model -> sinks, signals, timing
	"source"   # live ring buffer and maps (tracer), record file (replay)
	"decode"   # a raw record -> a checked struct fs_event
	"live"     # sinks while tracing: top's screen, /metrics and its HTTP server
	"format"   # sinks at the end: text, json, folded, pprof, perf-script, html
	"record"   # the record file: container codec and the writer
	"model"    # what the events add up to: allocations, failures, stalls, OOM, window
	"kernel state" # the kernel's words (symbols, gfp, enum names); /proc parsers
	"util"     # containers, JSON, exit codes
)

declare -A level
for i in "${!LAYERS[@]}"; do
	for room in ${LAYERS[$i]}; do
		level[$room]=$i
	done
done

bad=0
complain() {
	echo "check-layers: $*" >&2
	bad=1
}

for dir in "$root"/*/; do
	room=$(basename "$dir")
	[ -n "${level[$room]+set}" ] || complain "$root/$room/ has no place in LAYERS (tests/check-layers.sh)"
done
for f in "$root"/*.[ch]; do
	[ -e "$f" ] && complain "$f is outside every room: move it into one"
done

while IFS= read -r -d '' f; do
	rel=${f#"$root"/}
	room=${rel%%/*}
	[ -n "${level[$room]+set}" ] || continue # reported above
	mine=${level[$room]}

	while IFS=: read -r lineno target; do
		case $target in
		../* | */../*)
			complain "$f:$lineno: includes \"$target\": name headers from user/, not relative paths"
			continue
			;;
		*/*) ;;
		*)
			# Same directory ("html_assets.h" style), include/, or generated in build/ (skeleton, tables).
			if [ -e "$(dirname "$f")/$target" ] || [ -e "include/$target" ] || [[ $target == *.skel.h || $target == *.inc ]]; then
				continue
			fi
			complain "$f:$lineno: includes \"$target\", which is in no room"
			continue
			;;
		esac
		theirs=${target%%/*}
		if [ -z "${level[$theirs]+set}" ]; then
			complain "$f:$lineno: includes \"$target\" from $theirs/, which has no place in LAYERS"
		elif [ "$theirs" != "$room" ] && [ "${level[$theirs]}" -le "$mine" ]; then
			if [ "${level[$theirs]}" -eq "$mine" ]; then
				complain "$f:$lineno: includes \"$target\": $room/ and $theirs/ are peers"
			else
				complain "$f:$lineno: includes \"$target\": $theirs/ is above $room/"
			fi
		fi
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1:\2/')

	lines=$(wc -l < "$f")
	if [ "$lines" -gt "$MAX_LINES" ] && ! head -n 40 "$f" | grep -q 'reads best whole'; then
		complain "$f: $lines lines (limit $MAX_LINES): split it by concern, or say in its opening comment why it reads best whole"
	fi
done < <(find "$root" -name '*.[ch]' -print0 | sort -z)

[ "$bad" = 0 ] && echo "check-layers: includes point down, files within $MAX_LINES lines (or say why not)"
exit "$bad"
