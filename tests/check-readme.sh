#!/bin/sh
# The README's C example must compile against the public header as written.
set -eu
readme=$1 include=$2 cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$readme" >"$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "FAIL: no C example in $readme"; exit 1; }
"$cc" -std=gnu11 -Wall -Wextra -Werror -I"$include" -c "$tmp/example.c" -o "$tmp/example.o"
echo "README example: $(wc -l <"$tmp/example.c") lines, compiles"
