#!/bin/bash
# check-man.sh [--symbols MAP] PAGE...
#
# Each man page renders with groff, warnings on (-ww), on the default device
# and on utf8 (what man(1) uses on a terminal), with no output at all.  The
# pages are laid out as installed (man1/, man3/, man7/), so that the .so line
# of an alias page resolves as man(1) resolves it, and each alias must be
# named in the NAME line of the page it points to.  A full section 3 page has
# the sections of the house style.  With --symbols, every seize_* name of the
# version script MAP has a page.
#
# Exit: 0 pass, 1 fail, 77 skip (groff missing; a failure under CI=true).
set -eu

# Under `meson test --setup=valgrind` this script is itself run in memcheck,
# which then reports the leaks of bash.  valgrind is there for the C code:
# run the script natively (valgrind does not follow an exec).
case ${LD_PRELOAD:-} in
*vgpreload*)
	[ -n "${SEIZE_NATIVE:-}" ] || SEIZE_NATIVE=1 exec /bin/bash "$0" "$@" ;;
esac

map=
if [ "${1:-}" = --symbols ]; then
	map=$(cd "$(dirname "$2")" && pwd)/${2##*/}
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: check-man.sh [--symbols MAP] PAGE..." >&2; exit 1; }

if ! command -v groff >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL: groff is not installed, and CI requires the man page check"
		exit 1
	fi
	echo "SKIP: groff is not installed"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for page; do
	[ -f "$page" ] || { echo "FAIL: no such page: $page"; exit 1; }
	name=${page##*/}
	mkdir -p "$tmp/man${name##*.}"
	cp "$page" "$tmp/man${name##*.}/$name"
done
cd "$tmp"

status=0
fail() {
	printf 'FAIL: %s\n' "$*"
	status=1
}

# The NAME line of a page: the names before "\-".
names_of() {
	sed -n '/^\.SH NAME/{n;p;q}' "$1" | sed 's/ *\\-.*//; s/\\//g; s/,/ /g'
}

checked=0
for page; do
	name=${page##*/}
	file=man${name##*.}/$name
	for device in '' -Tutf8; do
		# shellcheck disable=SC2086
		if ! out=$(LC_ALL=C.UTF-8 groff -man -ww -z $device "$file" 2>&1); then
			fail "$name: groff ${device:-(default device)} failed: $out"
		elif [ -n "$out" ]; then
			fail "$name: groff ${device:-(default device)} warns:"
			printf '%s\n' "$out"
		fi
	done
	checked=$((checked + 1))

	target=$(sed -n 's/^\.so  *//p' "$file")
	if [ -n "$target" ]; then
		if [ "$(grep -c . "$file")" -ne 1 ]; then
			fail "$name: an alias page holds its .so line and nothing else"
		elif [ ! -f "$target" ]; then
			fail "$name: .so $target: no such page among the arguments"
		elif ! names_of "$target" | tr ' ' '\n' | grep -qx "${name%.*}"; then
			fail "$name: not named in the NAME line of $target"
		fi
		continue
	fi

	grep -q "^\.TH ${name%.*} ${name##*.} " "$file" || fail "$name: .TH does not name the page"
	case $name in
	*.3)
		for section in NAME LIBRARY SYNOPSIS DESCRIPTION 'RETURN VALUE' ERRORS 'SEE ALSO'; do
			grep -q "^\.SH \"\\{0,1\\}$section\"\\{0,1\\}\$" "$file" ||
				fail "$name: no $section section"
		done
		grep -q '^\.SH \(VERSIONS\|NOTES\)$' "$file" || fail "$name: no VERSIONS or NOTES section"
		;;
	*.1)
		for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
			grep -q "^\.SH $section\$" "$file" || fail "$name: no $section section"
		done
		;;
	esac
done

if [ -n "$map" ]; then
	syms=$(sed -n 's/^[[:space:]]*\(seize_[a-z_0-9]*\);.*/\1/p' "$map")
	[ -n "$syms" ] || fail "no seize_* names read from $map"
	while read -r sym; do
		[ -f "man3/$sym.3" ] || fail "$sym is exported ($map) but has no page man3/$sym.3"
	done <<<"$syms"
fi

[ $status -eq 0 ] && echo "man: $checked pages render without a warning"
exit $status
