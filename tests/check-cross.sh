#!/bin/sh
# The library (and seize-stack, where libdw's headers are) compile for
# aarch64 with -Werror: the typed registers and the seccomp filter have an
# aarch64 side that no machine here runs.  Compile only; nothing is linked.
# Usage: check-cross.sh CC SRCDIR VERSION
set -eu
cc=$1 src=$2 version=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fvisibility=hidden"
n=0
for f in "$src"/src/*.c; do
	"$cc" $flags -I"$src/include" -I"$src/src" -c "$f" -o "$tmp/o.o"
	n=$((n + 1))
done
echo "ok: $n files of src/ compile for aarch64"
if [ -e /usr/include/elfutils/libdwfl.h ]; then
	"$cc" $flags -I"$src/include" -DSEIZE_VERSION="\"$version\"" -idirafter /usr/include \
		-c "$src/tools/seize-stack.c" -o "$tmp/o.o"
	echo "ok: seize-stack compiles for aarch64"
fi
