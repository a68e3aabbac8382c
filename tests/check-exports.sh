#!/bin/sh
# The shared library exports exactly the names of its version script, each
# under a LIBSEIZE_ node, and nothing else.
set -eu
lib=$1 map=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sed 's/@.*//' | sort >"$tmp/exported"
sed -n 's/^[[:space:]]*\(seize_[a-z_0-9]*\);.*/\1/p' "$map" | sort >"$tmp/listed"
objdump -T "$lib" | awk '$NF ~ /^seize_/ && $(NF-1) !~ /^LIBSEIZE_/ { print $NF }' >"$tmp/unversioned"
status=0
if ! diff -u "$tmp/listed" "$tmp/exported"; then
	echo "FAIL: the exports differ from $map (- listed, + exported)"
	status=1
fi
if [ -s "$tmp/unversioned" ]; then
	echo "FAIL: not under a LIBSEIZE_ node:"; cat "$tmp/unversioned"
	status=1
fi
[ -s "$tmp/listed" ] || { echo "FAIL: no names read from $map"; status=1; }
[ $status -eq 0 ] && echo "exports: $(wc -l <"$tmp/listed") names, each listed and versioned"
exit $status
