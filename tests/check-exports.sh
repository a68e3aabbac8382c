#!/bin/sh
# The shared library exports exactly the names of its version script, each
# under a LIBSEIZE_ node, and nothing else; the static archive's other
# globals carry an internal module prefix, never the public seize_.
# Usage: check-exports.sh MAP [--shared LIB.so] [--static LIB.a]
set -eu
map=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n 's/^[[:space:]]*\(seize_[a-z_0-9]*\);.*/\1/p' "$map" | sort >"$tmp/listed"
status=0
[ -s "$tmp/listed" ] || { echo "FAIL: no names read from $map"; status=1; }
checked=
while [ $# -ge 2 ]; do
	case $1 in
	--shared)
		nm -D --defined-only "$2" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sed 's/@.*//' |
			sort >"$tmp/exported"
		objdump -T "$2" | awk '$NF ~ /^seize_/ && $(NF-1) !~ /^LIBSEIZE_/ { print $NF }' \
			>"$tmp/unversioned"
		if ! diff -u "$tmp/listed" "$tmp/exported"; then
			echo "FAIL: the exports differ from $map (- listed, + exported)"
			status=1
		fi
		if [ -s "$tmp/unversioned" ]; then
			echo "FAIL: not under a LIBSEIZE_ node:"; cat "$tmp/unversioned"
			status=1
		fi
		checked="$checked shared";;
	--static)
		nm -g --defined-only "$2" | awk '$2 ~ /^[TDBRVWCG]$/ { print $3 }' | sort -u \
			>"$tmp/globals"
		comm -23 "$tmp/globals" "$tmp/listed" >"$tmp/internal"
		# Internal names say so: the module they come from.
		grep -Ev '^(sys|decode|names|procfs|requests|tidmap|tracer)_' "$tmp/internal" >"$tmp/stray" || :
		if [ -s "$tmp/stray" ]; then
			echo "FAIL: globals of $2 neither in $map nor with an internal module prefix:"
			cat "$tmp/stray"
			status=1
		fi
		comm -13 "$tmp/globals" "$tmp/listed" >"$tmp/missing"
		if [ -s "$tmp/missing" ]; then
			echo "FAIL: listed in $map but not defined in $2:"; cat "$tmp/missing"
			status=1
		fi
		checked="$checked static($(wc -l <"$tmp/internal") internal)";;
	*)
		echo "usage: $0 MAP [--shared LIB.so] [--static LIB.a]"; exit 2;;
	esac
	shift 2
done
[ -n "$checked" ] || { echo "FAIL: nothing to check"; status=1; }
[ $status -eq 0 ] && echo "exports: $(wc -l <"$tmp/listed") names, each listed and versioned;$checked"
exit $status
