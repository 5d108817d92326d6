#!/usr/bin/env bash
# A table of bad invocations across every command: each must fail with a
# message, never succeed (exit 0) and never die of a signal (exit >= 128).
# Most are usage errors (exit 2); the table says which code each wants.
# Runs in a scratch directory so a default fragscope.data is never read or
# written.  Needs no root: a bad invocation is refused before any tracing.
source "$(dirname "$0")/../lib.sh"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
cd "$TMP" || fail "cd $TMP"
touch empty.data
printf 'kernel: a\0b\n' >nul.log # explain reads text: NUL bytes are bad input

n=0
# want-exit  arguments (word-split; '' is an empty argument)
while read -r want args; do
	[ -n "$want" ] && [ "${want:0:1}" != "#" ] || continue
	eval "set -- $args"
	timeout 20 "$FRAGSCOPE" "$@" </dev/null >out 2>err
	rc=$?
	n=$((n + 1))
	[ "$rc" != 124 ] || fail "'fragscope $args' did not finish within 20 s"
	[ "$rc" -lt 128 ] || fail "'fragscope $args' died with exit $rc: $(cat err)"
	[ "$rc" != 0 ] || fail "'fragscope $args' accepted bad input (exit 0)"
	[ -s err ] || fail "'fragscope $args' exited $rc without a message on stderr"
	[ "$want" = any ] || [ "$rc" = "$want" ] || fail "'fragscope $args' exited $rc, want $want: $(cat err)"
	[ ! -e fragscope.data ] && [ ! -e fragscope.data.partial ] || fail "'fragscope $args' wrote a record file"
	echo "exit $rc: fragscope $args: $(head -1 err)"
done <<'TABLE'
2 ''
2 frobnicate
2 --no-such-option
2 record -d
2 record -d abc
2 record -d 0
2 record -d -3
2 record -d nan
2 record --interval 5
2 record --interval x
2 record -o
2 record -o ''
2 record --top -1
2 record --sort nosuchkey
2 record --stacks nosuch
2 record -F nosuchformat
2 record --pid notapid
2 record --min-order -1
2 record --min-order 99
2 record --stack-order 1000
2 record --ringbuf-kb 0
2 record --ringbuf-kb 3
2 record --ringbuf-kb 99999999999
2 record --stack-map-entries 0
2 record --mask-probes nosuchprobe
2 record --mask-probes kmalloc,nosuchprobe
2 record --no-such-option
2 record unexpected-argument
2 report -i
2 report -i empty.data -F nosuch
2 report -i empty.data --since abc
2 report -i empty.data --since nan
2 report -i empty.data --since 5 --until 2
2 report -i empty.data --until 0
2 report -i empty.data --comm ''
2 report -i empty.data --top abc
2 report -i empty.data --kind nosuchkind
2 report extra
1 report -i no-such-file.data
5 report -i empty.data
2 trace -d -1
2 trace -d nan
2 trace --pid 0x
2 trace --no-such
2 trace extra
2 state --no-such
2 state extra
2 top --no-such
2 top extra
2 top -i nan
2 serve --no-such
2 serve --listen nonsense
2 serve --listen 127.0.0.1:99999
2 serve --listen 127.0.0.1:-1
2 serve --listen [::1]:http
2 serve -i nan
2 doctor --no-such
2 doctor -d abc
2 probes --no-such
2 probes extra
2 explain --no-such
2 explain -F yaml
2 explain one.log two.log
1 explain no-such-file.log
5 explain nul.log
TABLE
[ "$n" -ge 20 ] || fail "only $n invocations ran"
# An invalid value names its option, whether the value is glued (--min-order=20) or the next argument.
for cmd in record trace top serve probes; do
	for args in "--min-order 20" "--min-order=20"; do
		"$FRAGSCOPE" $cmd $args </dev/null >out 2>err
		grep -q "invalid value '20' for --min-order" err ||
			fail "'fragscope $cmd $args' does not name the option: $(head -1 err)"
	done
done
pass "$n bad invocations across all commands: a message, no exit 0, no signal"
