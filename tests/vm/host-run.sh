#!/usr/bin/env bash
# Run guest scenarios on this machine's own kernel, exactly as the guest
# runs them (tests/vm/init), for the matrix's host column: the same checks,
# the same VMTEST lines, judged by tests/vm/judge.sh like a guest's.
#
# Usage: tests/vm/host-run.sh OUTDIR [SCENARIO...]     (default: smoke; as root)
# Writes OUTDIR/console.log and the kept files.  FRAGSCOPE and TOOLS name
# the binaries (default ./fragscope, build/tests/tools).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${1:?usage: host-run.sh OUTDIR [SCENARIO...]}
shift
[ $# -gt 0 ] || set -- smoke
rm -rf "$OUT" && mkdir -p "$OUT"
export FS=${FRAGSCOPE:-$TOP/fragscope} TOOLDIR=${TOOLS:-$TOP/build/tests/tools} KEEP_DIR=$OUT
WD=$(mktemp -d /tmp/fragscope-host-run.XXXXXX)
export WD
trap 'command -v remove_memcgs >/dev/null && remove_memcgs; rm -rf "$WD"' EXIT
{
	. "$HERE/guest-lib.sh"
	info kernel "$(uname -r) $(uname -v)"
	info fragscope "sha256 $(sha256sum "$FS" | cut -d' ' -f1)"
	for s in "$@"; do
		info scenario "$s begins"
		. "$HERE/scenarios/$s.sh"
	done
	say "DONE pass=$P fail=$F warn=$W"
} >"$OUT/console.log" 2>&1
