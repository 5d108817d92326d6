#!/usr/bin/env bash
# Fetch one of the matrix's Debian cloud kernels (once) and print the
# directory holding its `vmlinuz` and `config`.
#
#   5.10  bullseye's (bullseye-security's newest)     linux-image-5.10.*-cloud-amd64
#   6.1   bookworm's (bookworm-security's newest)     linux-image-6.1.*-cloud-amd64
#   6.12  trixie's (trixie-security's newest)         linux-image-6.12.*-cloud-amd64
#   7     trixie-backports' newest 7.x                linux-image-7.*-cloud-amd64, whose
#         vmlinuz and config are in linux-binary-VER and linux-base-VER, under
#         /usr/lib/modules/VER/ (the image package itself is empty)
#
# Each suite set gets its own sources.list and apt lists directory under
# build/vm-cache/apt/<kernel>/, passed to apt-get for that download only:
# the machine's own apt sources are never read or changed.  The kernel is
# resolved through the suite's meta-package linux-image-cloud-amd64, and
# cached in build/vm-cache/kernel-<kernel>/ (vmlinuz, config, package): a
# cached kernel costs no network at all.  FRAGSCOPE_VM_REFRESH=1 resolves
# (and downloads, if newer) again.
#
# Usage: tests/vm/fetch-kernel.sh KERNEL        (5.10, 6.1, 6.12 or 7)
# Environment: FRAGSCOPE_VM_CACHE (build/vm-cache), FRAGSCOPE_VM_MIRROR
#   (http://deb.debian.org), FRAGSCOPE_VM_PACKAGE (an image package to take
#   instead of the meta-package's choice).
# Exit: 0 printed the directory, 1 error, 77 the kernel cannot be had here.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KERNEL=${1:?usage: fetch-kernel.sh KERNEL (5.10, 6.1, 6.12 or 7)}
CACHE=${FRAGSCOPE_VM_CACHE:-$TOP/build/vm-cache}
MIRROR=${FRAGSCOPE_VM_MIRROR:-http://deb.debian.org}

unavailable() { echo "vm: unavailable: $*" >&2; exit 77; }
die() { echo "vm: $*" >&2; exit 1; }

# The suites each kernel comes from: the newest build is in the security
# (or backports) suite, the release suite keeps the meta-package resolvable.
case $KERNEL in
5.10) suites="bullseye bullseye-security" ;;
6.1) suites="bookworm bookworm-security" ;;
6.12) suites="trixie trixie-security" ;;
7) suites="trixie-backports" ;;
*) die "unknown kernel '$KERNEL' (the matrix has 5.10, 6.1, 6.12 and 7)" ;;
esac

OUT=$CACHE/kernel-$KERNEL
if [ -z "${FRAGSCOPE_VM_REFRESH:-}" ] && [ -s "$OUT/vmlinuz" ] && [ -s "$OUT/config" ]; then
	echo "$OUT"
	exit 0
fi
command -v apt-get >/dev/null || unavailable "no apt-get: the kernels come from Debian's archive"
command -v dpkg-deb >/dev/null || unavailable "no dpkg-deb"

# --- apt, configured for this kernel's suites only --------------------------
APTDIR=$CACHE/apt/$KERNEL
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/debs"
: >"$APTDIR/sources.list.tmp"
for s in $suites; do
	case $s in *-security) repo=debian-security ;; *) repo=debian ;; esac
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR/$repo $s main" >>"$APTDIR/sources.list.tmp"
done
mv "$APTDIR/sources.list.tmp" "$APTDIR/sources.list"
# Root does the fetching (no _apt sandbox): the directories are the build's.
APT_OPTS=(-q -o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache"
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	-o APT::Sandbox::User=root -o Acquire::Languages=none)
echo "vm: apt-get update for $suites" >&2
timeout 300 apt-get "${APT_OPTS[@]}" update >"$APTDIR/update.log" 2>&1 ||
	unavailable "apt-get update for $suites failed: $(tail -2 "$APTDIR/update.log" | tr '\n' ' ')"

pkg=${FRAGSCOPE_VM_PACKAGE:-$(apt-cache "${APT_OPTS[@]}" depends linux-image-cloud-amd64 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
[ -n "$pkg" ] || unavailable "$suites: no linux-image-cloud-amd64 meta-package"
ver=${pkg#linux-image-}
ver=${ver%-cloud-amd64}
case $ver in
"$KERNEL".*) ;;
*) die "$suites: linux-image-cloud-amd64 depends on $pkg, not a $KERNEL kernel" ;;
esac
# 7.x splits the image: the files are in linux-binary-VER and linux-base-VER.
pkgs=$pkg
for dep in $(apt-cache "${APT_OPTS[@]}" depends "$pkg" 2>/dev/null |
	awk '/Depends: linux-(binary|base)-[0-9]/ {print $2}' | sort -u); do
	pkgs="$pkgs $dep"
done

# --- download and extract only the kernel and its config --------------------
rm -rf "$APTDIR/debs" && mkdir -p "$APTDIR/debs"
echo "vm: downloading $pkgs" >&2
(cd "$APTDIR/debs" && timeout 600 apt-get "${APT_OPTS[@]}" download $pkgs) >&2 ||
	unavailable "apt-get download $pkgs failed"
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp/root"
for deb in "$APTDIR"/debs/*.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$OUT.tmp/root" --wildcards \
		'./boot/vmlinuz-*' './boot/config-*' './usr/lib/modules/*/vmlinuz' './usr/lib/modules/*/config' \
		2>/dev/null
done
vmlinuz=$(ls "$OUT.tmp"/root/boot/vmlinuz-* "$OUT.tmp"/root/usr/lib/modules/*/vmlinuz 2>/dev/null | head -1)
config=$(ls "$OUT.tmp"/root/boot/config-* "$OUT.tmp"/root/usr/lib/modules/*/config 2>/dev/null | head -1)
[ -n "$vmlinuz" ] && [ -n "$config" ] || die "$pkgs: no vmlinuz and config inside"
mv "$vmlinuz" "$OUT.tmp/vmlinuz" && mv "$config" "$OUT.tmp/config"
rm -rf "$OUT.tmp/root"
# What was fetched, for the logs and docs: package names and versions.
for deb in "$APTDIR"/debs/*.deb; do
	dpkg-deb -f "$deb" Package Version | sed 's/^[A-Za-z]*: //' | paste -sd' '
done >"$OUT.tmp/package"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
rm -rf "$APTDIR/debs" "$APTDIR/cache/archives"/*.deb
echo "vm: $KERNEL is $(paste -sd, "$OUT/package")" >&2
echo "$OUT"
