#!/bin/bash
# check-consumers.sh SOURCE_DIR VERSION
#
# Configure SOURCE_DIR afresh (tests and examples off), install it into a
# temporary prefix, and check what a user gets there: the headers, the
# libraries, the man pages and a seize.pc of VERSION; that the installed
# bin/seize-watch runs without LD_LIBRARY_PATH, there and from a moved copy,
# while a /usr install has no RUNPATH; and that the installed headers under
# plain -std=c99 stop with one #error naming _POSIX_C_SOURCE and compile
# with it.  Then build, run and expect "ok" from the consumers of consumers/:
#   meson   dependency('seize', fallback: ...) with the source tree as
#           subprojects/seize (the fallback forced, so it is what is tested)
#   meson-static  subproject('seize', default_options: default_library=static)
#   make    pkg-config --cflags --libs seize, built as C and as C++
#   cmake   pkg_check_modules(SEIZE REQUIRED IMPORTED_TARGET seize)
# A consumer whose tool (make, cmake, c++, pkg-config) is missing is skipped
# with the reason; under CI=true that is a failure.  Everything happens in
# one temporary directory, removed on exit.
#
# Exit: 0 pass, 1 fail, 77 skip (no consumer could be built).
set -euo pipefail

# Under `meson test --setup=valgrind` this script is itself run in memcheck,
# which then reports the leaks of bash.  valgrind is there for the C code:
# run the script natively (valgrind does not follow an exec).
case ${LD_PRELOAD:-} in
*vgpreload*)
	[ -n "${SEIZE_NATIVE:-}" ] || SEIZE_NATIVE=1 exec /bin/bash "$0" "$@" ;;
esac

[ $# -eq 2 ] || { echo "usage: check-consumers.sh SOURCE_DIR VERSION" >&2; exit 1; }
src=$(cd "$1" && pwd)
version=$2
meson=${MESON:-meson}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
log=$tmp/log
status=0 built=0 skipped=0

fail() {
	echo "FAIL: $*"
	status=1
}

# Run a step quietly; on failure show its output and fail.
step() {
	local what=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		fail "$what: $*"
		sed 's/^/    /' "$log"
		return 1
	fi
}

# A consumer's program must print exactly "ok" and exit 0.
expect_ok() {
	local what=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		fail "$what: $* exited non-zero: $out"
	elif [ "$out" != ok ]; then
		fail "$what: $* printed '$out', not 'ok'"
	else
		echo "ok: $what"
		built=$((built + 1))
	fi
}

skip() {
	if [ "${CI:-}" = true ]; then
		fail "$1 (and CI requires every consumer)"
	else
		echo "SKIP: $1"
		skipped=$((skipped + 1))
	fi
}

need() {
	command -v "$1" >/dev/null 2>&1
}

# ---- install ------------------------------------------------------------

# Not through the build directory under test: it may be a sanitizer or
# werror build, and a consumer must link what a plain install gives.
step "configure" "$meson" setup "$tmp/build" "$src" --prefix="$prefix" --libdir=lib \
	-Dtests=disabled -Dexamples=false || exit 1
step "build" "$meson" compile -C "$tmp/build" || exit 1
step "install" "$meson" install -C "$tmp/build" || exit 1

for f in include/seize/seize.h include/seize/tracer.h lib/libseize.so lib/libseize.a \
	 lib/pkgconfig/seize.pc share/man/man3/seize_attach.3 share/man/man3/seize_decode_waitid.3 \
	 share/man/man7/seize.7 share/man/man1/seize-watch.1; do
	[ -e "$prefix/$f" ] || fail "install: $f is missing from the prefix"
done

# The installed seize-watch runs from this prefix without LD_LIBRARY_PATH
# (a RUNPATH relative to $ORIGIN), and from a copy of the prefix elsewhere.
cp -a "$prefix" "$tmp/moved"
for p in "$prefix" "$tmp/moved"; do
	if ! out=$(env -u LD_LIBRARY_PATH "$p/bin/seize-watch" --version 2>&1); then
		fail "installed seize-watch: $p/bin/seize-watch --version failed: $out"
	elif [ "$out" != "seize-watch $version" ]; then
		fail "installed seize-watch: $p/bin/seize-watch --version printed '$out'"
	else
		echo "ok: installed seize-watch runs from ${p#"$tmp"/}"
	fi
done
rm -rf "$tmp/moved"

# A /usr install (as a distribution package builds it) has no RUNPATH.
if ! need readelf; then
	skip "/usr install: readelf is not installed"
elif step "/usr install: configure" "$meson" setup "$tmp/build-usr" "$src" --prefix=/usr \
	-Dtests=disabled -Dexamples=false &&
     step "/usr install: build" "$meson" compile -C "$tmp/build-usr" &&
     step "/usr install: install" env DESTDIR="$tmp/destdir" "$meson" install -C "$tmp/build-usr"; then
	if readelf -d "$tmp/destdir/usr/bin/seize-watch" | grep -E 'RPATH|RUNPATH' >"$log"; then
		fail "/usr install: bin/seize-watch has a run path:"
		sed 's/^/    /' "$log"
	else
		echo "ok: /usr install: bin/seize-watch has no RUNPATH"
	fi
fi
rm -rf "$tmp/build-usr" "$tmp/destdir"

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
if need pkg-config; then
	got=$(pkg-config --modversion seize 2>&1) || got="(none: $got)"
	[ "$got" = "$version" ] || fail "pkg-config --modversion seize is $got, the project is $version"
fi

# ---- the installed headers under strict C99 ---------------------------------

# siginfo_t is POSIX: with plain -std=c99 the headers must stop with exactly
# one #error that names _POSIX_C_SOURCE, and compile cleanly once it is set.
cc=${CC:-cc}
printf '#include <seize/seize.h>\n#include <seize/tracer.h>\ntypedef int seize_c99_only;\n' >"$tmp/c99-include.c"
{ cat "$tmp/c99-include.c"; printf 'int seize_c99(void);\nint seize_c99(void) { return seize_tracer_event_name(SEIZE_TRACER_ATTACHED) != NULL; }\n'; } >"$tmp/c99.c"
if ! need "$cc"; then
	skip "strict C99 headers: $cc is not installed"
elif "$cc" -std=c99 -pedantic-errors -I"$prefix/include" -c "$tmp/c99-include.c" -o "$tmp/c99.o" >"$log" 2>&1; then
	fail "strict C99 headers: -std=c99 without _POSIX_C_SOURCE compiled; expected one #error naming it"
elif [ "$(grep -c ': error' "$log")" != 1 ] || ! grep ': error' "$log" | grep '#error' | grep -q _POSIX_C_SOURCE; then
	fail "strict C99 headers: -std=c99 gave other than one #error naming _POSIX_C_SOURCE:"
	sed 's/^/    /' "$log"
elif step "strict C99 headers: -std=c99 -D_POSIX_C_SOURCE=200809L" \
	"$cc" -std=c99 -pedantic-errors -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
	-I"$prefix/include" -c "$tmp/c99.c" -o "$tmp/c99.o"; then
	echo "ok: strict C99 headers (one #error without _POSIX_C_SOURCE, clean with it)"
fi

# ---- a meson project, libseize as its subproject --------------------------

mkdir -p "$tmp/meson/subprojects"
cp "$src/consumers/meson/meson.build" "$src/consumers/consumer.c" "$tmp/meson/"
ln -s "$src" "$tmp/meson/subprojects/seize"
if step "meson consumer: configure" env -u PKG_CONFIG_PATH "$meson" setup "$tmp/meson/build" "$tmp/meson" \
	--force-fallback-for=seize -Dseize:tests=disabled -Dseize:examples=false &&
   step "meson consumer: build" "$meson" compile -C "$tmp/meson/build"; then
	[ -e "$tmp/meson/build/subprojects/seize/libseize.so" ] ||
		fail "meson consumer: libseize was not built as its subproject"
	expect_ok "meson subproject consumer" "$tmp/meson/build/consumer"
fi

# ---- a meson project, libseize as its static subproject --------------------

# Only subproject('seize', default_options: ['default_library=static']): no
# -Dseize: options.  It must set up (the tests need a shared library and must
# not be read), build, link libseize in and run.
mkdir -p "$tmp/meson-static/subprojects"
cp "$src/consumers/meson-static/meson.build" "$src/consumers/consumer.c" "$tmp/meson-static/"
ln -s "$src" "$tmp/meson-static/subprojects/seize"
if step "static subproject consumer: configure" env -u PKG_CONFIG_PATH "$meson" setup \
	"$tmp/meson-static/build" "$tmp/meson-static" &&
   step "static subproject consumer: build" "$meson" compile -C "$tmp/meson-static/build"; then
	[ -e "$tmp/meson-static/build/subprojects/seize/libseize.a" ] ||
		fail "static subproject consumer: libseize.a was not built as its subproject"
	if "$meson" introspect --tests "$tmp/meson-static/build" | grep -q '"name"'; then
		fail "static subproject consumer: the subproject defined tests"
	fi
	if need readelf && readelf -d "$tmp/meson-static/build/consumer" | grep -q 'NEEDED.*libseize'; then
		fail "static subproject consumer: consumer links libseize.so, not libseize.a"
	fi
	expect_ok "meson static subproject consumer" "$tmp/meson-static/build/consumer"
fi

# ---- a Makefile with pkg-config, as C and as C++ ---------------------------

cp -r "$src/consumers/make" "$tmp/make"
cp "$src/consumers/consumer.c" "$tmp/make/"
if ! need make; then
	skip "make consumer: make is not installed"
elif ! need pkg-config; then
	skip "make consumer: pkg-config is not installed"
elif step "make consumer: build" make -C "$tmp/make" consumer; then
	expect_ok "make (pkg-config) consumer" env LD_LIBRARY_PATH="$prefix/lib" "$tmp/make/consumer"
	if ! need "${CXX:-c++}"; then
		skip "C++ consumer: ${CXX:-c++} is not installed"
	elif step "C++ consumer: build" make -C "$tmp/make" consumer-cxx; then
		expect_ok "make (pkg-config) consumer as C++" env LD_LIBRARY_PATH="$prefix/lib" "$tmp/make/consumer-cxx"
	fi
fi

# ---- a CMake project with pkg_check_modules ---------------------------------

cp -r "$src/consumers/cmake" "$tmp/cmake"
cp "$src/consumers/consumer.c" "$tmp/cmake/"
generator=()
need ninja && generator=(-G Ninja)
if ! need cmake; then
	skip "cmake consumer: cmake is not installed"
elif ! need pkg-config; then
	skip "cmake consumer: pkg-config is not installed"
elif step "cmake consumer: configure" cmake -S "$tmp/cmake" -B "$tmp/cmake/build" "${generator[@]}" &&
     step "cmake consumer: build" cmake --build "$tmp/cmake/build"; then
	expect_ok "cmake (pkg_check_modules) consumer" env LD_LIBRARY_PATH="$prefix/lib" "$tmp/cmake/build/consumer"
fi

if [ $status -eq 0 ] && [ $built -eq 0 ]; then
	echo "SKIP: no consumer could be built"
	exit 77
fi
[ $status -eq 0 ] && echo "consumers: $built built and ran against $version, $skipped skipped"
exit $status
