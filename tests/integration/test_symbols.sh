#!/usr/bin/env bash
# Stacks are symbolised as function+0xoff; when kallsyms hides addresses
# fragscope says so, and it never prints a raw kernel address unless asked.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create symbols $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare fail memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail vmalloc 1
pid=$PROVOKE_PID
fragscope_start record -p "$pid" -o "$TMP/sym.data"
provoke_go fail
fragscope_stop || fail "record exited $?"
grep -Eq '^      __vmalloc_node_range(_noprof)?\+0x[0-9a-f]+$' "$TMP/fs.out" || fail "no symbolised frame in the report"
grep -Eq '0xffff[0-9a-f]{12}' "$TMP/fs.out" && fail "a raw kernel address was printed without --raw-addrs"
"$FRAGSCOPE" report -i "$TMP/sym.data" --raw-addrs >"$TMP/raw.txt" || fail "report --raw-addrs failed"
grep -Eq '__vmalloc_node_range(_noprof)?\+0x[0-9a-f]+ \(0xffff[0-9a-f]{12}\)' "$TMP/raw.txt" || fail "--raw-addrs shows no addresses"
pass "frames symbolised; raw addresses only with --raw-addrs"

old=$(cat /proc/sys/kernel/kptr_restrict)
on_exit "echo $old > /proc/sys/kernel/kptr_restrict"
echo 2 >/proc/sys/kernel/kptr_restrict
"$FRAGSCOPE" record -d 1 --no-file >"$TMP/hidden.out" 2>"$TMP/hidden.err" || fail "record exited $? with hidden kallsyms"
echo "$old" >/proc/sys/kernel/kptr_restrict
grep -q "hides addresses (kernel.kptr_restrict)" "$TMP/hidden.err" || fail "no warning about hidden kallsyms: $(cat "$TMP/hidden.err")"
grep -Eq '0xffff[0-9a-f]{12}' "$TMP/hidden.out" && fail "raw kernel addresses printed while kallsyms was hidden"
pass "hidden kallsyms is reported clearly"
