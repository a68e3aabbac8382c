#!/bin/sh
# Build the decoder's libFuzzer target with clang (ASan + UBSan) and run it.
#   fuzz/run-fuzz.sh [SECONDS]     default 60
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
seconds=${1:-60}
command -v clang >/dev/null || { echo "run-fuzz: clang is needed (apt-get install clang)"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$top/include" "$here/fuzz-decode.c" "$top/src/decode.c" "$top/src/names.c" \
	-o "$out/fuzz-decode"
mkdir -p "$out/corpus"
# Seeds: one status word of each kind (little-endian).
for s in 00000000 00010000 09000000 8b000000 7f130000 7f138000 7f058000 7f850000 7f050100 ffff0000; do
	printf "$(echo $s | sed 's/../\\x&/g')" >"$out/corpus/$s"
done
"$out/fuzz-decode" -max_total_time="$seconds" -print_final_stats=1 "$out/corpus"
