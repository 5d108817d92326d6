#!/usr/bin/env bash
# Build the guest's initramfs for tests/vm/run.sh: a gzip'd newc cpio with
# busybox (static), the SAME fragscope binary the host tests (with the
# shared libraries and dynamic loader `ldd` names for it), every workload
# tool of build/tests/tools (provoke, ...) in /opt/fragscope, jq,
# tests/vm/init as /init and tests/vm/scenarios/*.sh in /scenarios.
#
# Usage: tests/vm/build-initramfs.sh OUT.cpio.gz [FRAGSCOPE [TOOLS_DIR]]
# Needs: busybox (Debian: busybox-static), cpio, gzip, ldd, jq.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
OUT=${1:?usage: build-initramfs.sh OUT.cpio.gz [FRAGSCOPE [TOOLS_DIR]]}
FRAGSCOPE_BIN=${2:-$TOP/fragscope}
TOOLS_DIR=${3:-$TOP/build/tests/tools}
PROVOKE_BIN=$TOOLS_DIR/provoke
BUSYBOX=${BUSYBOX:-$(command -v busybox || echo /bin/busybox)}

die() { echo "build-initramfs: $*" >&2; exit 1; }
for f in "$FRAGSCOPE_BIN" "$PROVOKE_BIN" "$BUSYBOX"; do [ -x "$f" ] || die "$f: not an executable"; done
command -v cpio >/dev/null || die "cpio not installed (apt-get install cpio)"
command -v jq >/dev/null || die "jq not installed (apt-get install jq)"
# A dynamically linked busybox would need its libraries too: insist on the static one.
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is dynamically linked: install busybox-static"; fi

ROOT=$(mktemp -d /tmp/fragscope-initramfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,sbin,proc,sys,dev,tmp,run,root,etc,opt/fragscope}

# Copy an executable and, at their own paths, every library ldd names plus
# the dynamic loader (the guest resolves them exactly as the host does).
copy_with_libs() {
	local src=$1 dst=$2 lib
	install -m 0755 "$src" "$ROOT/$dst"
	for lib in $(ldd "$src" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		[ -e "$ROOT$lib" ] && continue
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
}
copy_with_libs "$FRAGSCOPE_BIN" opt/fragscope/fragscope
for tool in "$TOOLS_DIR"/*; do
	[ -f "$tool" ] && [ -x "$tool" ] && copy_with_libs "$tool" "opt/fragscope/$(basename "$tool")"
done
copy_with_libs "$(command -v jq)" bin/jq
# Debian's merged /usr: the loader is asked for as /lib64/ld-linux-x86-64.so.2.
[ -e "$ROOT/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader was not copied"

install -m 0755 "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
install -m 0755 "$HERE/init" "$ROOT/init"
mkdir -p "$ROOT/scenarios"
install -m 0644 "$HERE"/scenarios/*.sh "$HERE/guest-lib.sh" "$ROOT/scenarios/"
# Provenance: the guest prints it, the host compares it with its binary.
sha256sum "$FRAGSCOPE_BIN" | awk '{print $1}' >"$ROOT/opt/fragscope/fragscope.sha256"
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: $OUT ($(du -k "$OUT" | cut -f1) KiB)"
