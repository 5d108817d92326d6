#!/usr/bin/env bash
# The unusable-free-space and fragmentation indices `fragscope state -F json`
# computes from buddyinfo equal the kernel's own, which debugfs prints
# (extfrag/unusable_index and extfrag/extfrag_index).  Memory moves while we
# read, so the kernel's files are read just before and just after fragscope
# and each zone must equal one of the two reads; a round in which a zone
# changed both times is tried again.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to read debugfs"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
if ! mountpoint -q /sys/kernel/debug; then
	mount -t debugfs none /sys/kernel/debug || skip "cannot mount debugfs"
	on_exit "umount /sys/kernel/debug"
fi
EXTFRAG=/sys/kernel/debug/extfrag
[ -r $EXTFRAG/unusable_index ] || skip "no $EXTFRAG (kernel without CONFIG_COMPACTION or DEBUG_FS)"

# "Node 0, zone   Normal 0.000 0.078 ..." -> "0 Normal 0 78 ...", in thousandths.
# The kernel prints index/1000 and index%1000 with "%d.%03d", so -500 reads
# "0.-500" and -1000 reads "-1.000".
kernel_milli() {
	awk '{
		sub(",", "", $2); line = $2 " " $4
		for (i = 5; i <= NF; i++) {
			split($i, part, ".")
			v = part[1] ~ /^-/ ? part[1] * 1000 - part[2] : part[1] * 1000 + part[2]
			line = line " " v
		}
		print line
	}' "$1" | sort
}

# The same from fragscope's JSON, for one index key.
fragscope_milli() {
	jq -r --arg key "$2" '.zones[] | select(.populated) |
		"\(.node) \(.zone) " + ([.orders[][$key] * 1000 | round | tostring] | join(" "))' "$1" |
		sort
}

compare_round() {
	local round=$1 name file key
	for name in unusable_index extfrag_index; do
		cat $EXTFRAG/$name >"$TMP/$name.before"
	done
	"$FRAGSCOPE" state -F json >"$TMP/state.json" || fail "fragscope state exited $?"
	for name in unusable_index extfrag_index; do
		cat $EXTFRAG/$name >"$TMP/$name.after"
	done
	for key in unusable_index extfrag_index; do
		kernel_milli "$TMP/$key.before" >"$TMP/k.before"
		kernel_milli "$TMP/$key.after" >"$TMP/k.after"
		fragscope_milli "$TMP/state.json" "$key" >"$TMP/mine"
		[ -s "$TMP/mine" ] || fail "no populated zone in fragscope's JSON"
		[ "$(wc -l <"$TMP/mine")" = "$(wc -l <"$TMP/k.before")" ] ||
			fail "fragscope lists $(wc -l <"$TMP/mine") zones, the kernel $(wc -l <"$TMP/k.before")"
		while read -r line; do
			if ! grep -qxF "$line" "$TMP/k.before" && ! grep -qxF "$line" "$TMP/k.after"; then
				echo "round $round, $key: fragscope has '$line'; the kernel had:" >&2
				grep -h "^${line%% *} $(echo "$line" | cut -d' ' -f2) " "$TMP/k.before" "$TMP/k.after" >&2
				return 1
			fi
		done <"$TMP/mine"
	done
	cp "$TMP/mine" "$ARTIFACTS/state_live_extfrag_index.txt"
	return 0
}

for round in 1 2 3 4 5 6 7 8; do
	if compare_round $round; then
		pass "indices equal the kernel's (round $round): $(wc -l <"$TMP/mine") zones x $(jq .nr_orders "$TMP/state.json") orders"
		exit 0
	fi
	sleep 0.2
done
fail "fragscope's indices differed from the kernel's in every round"
