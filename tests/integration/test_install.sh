#!/usr/bin/env bash
# make install honours PREFIX and DESTDIR.
source "$(dirname "$0")/../lib.sh"
make -C "$TOP" -s install DESTDIR="$TMP/root" PREFIX=/opt/fs >/dev/null || fail "make install failed"
[ -x "$TMP/root/opt/fs/sbin/fragscope" ] || fail "not installed at DESTDIR/PREFIX/sbin"
"$TMP/root/opt/fs/sbin/fragscope" --version | grep -q '^fragscope ' || fail "installed binary does not run"
pass "installed under DESTDIR and PREFIX"
