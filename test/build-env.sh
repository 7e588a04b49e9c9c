#!/usr/bin/env bash
# Sourced by both README commands (test/run-tests.sh, test/sandbox.sh): the compiler cache
# outside the repository and one way to configure a build tree, so the two commands share
# build/ without reconfiguring it back and forth.
#   source test/build-env.sh; ironlb_configure_build <dir> <target> <cmake args...>

: "${root:?set root to the repository before sourcing build-env.sh}"
export IRONLB_CACHE=${IRONLB_CACHE:-$HOME/.cache/ironlb}
export CCACHE_DIR=$IRONLB_CACHE/ccache
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Clones at different paths share cache entries (paths are rewritten relative to the clone).
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
mkdir -p "$IRONLB_CACHE"

# The release tree's options (build/): both commands build it the same way. The unit tests
# are built and run once, in the ASan+UBSan tree (IRONLB_ASAN_ARGS): compiling them twice was
# a quarter of a cold run's build time.
IRONLB_RELEASE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DIRONLB_UNIT_TESTS=OFF)
# The ASan+UBSan tree: the unit tests, with line tables only (-g1: file and line in sanitizer
# reports; full debug information costs 5-15 % more compile time for nothing CI reads).
IRONLB_ASAN_ARGS=(-DIRONLB_SANITIZE=ON -DIRONLB_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=Debug
  "-DCMAKE_CXX_FLAGS_DEBUG=-g1" "-DCMAKE_C_FLAGS_DEBUG=-g1")
# The libFuzzer tree (clang): -O1 and line tables, as libFuzzer's documentation builds targets
# (15-20 % less compile time than -O2 -g).
IRONLB_FUZZ_ARGS=(-DIRONLB_FUZZ=ON -DIRONLB_BENCHMARKS=OFF -DCMAKE_C_COMPILER=clang
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG"
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG")

ironlb_configure_build() {  # <dir> <target> <cmake args...>; the configure log goes to <dir>.configure.log
  local dir=$1 target=$2
  shift 2
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  ninja -C "$dir" "$target"
}

# The arm64 daemons for the arm64 image (docs/image.md, "arm64"): Debian's cross compiler
# (cmake/toolchain-aarch64.cmake) against Debian's arm64 libraries (cmake/aarch64-sysroot.sh,
# cached), through the same compiler cache; only the two daemons, no tests or benchmarks.
ironlb_build_arm64() {  # <dir>
  local sysroot
  sysroot=$(bash "$root/cmake/aarch64-sysroot.sh") || return 1
  ironlb_configure_build "$1" ironlb-daemons "${IRONLB_RELEASE_ARGS[@]}" -DIRONLB_BENCHMARKS=OFF \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64.cmake" -DIRONLB_SYSROOT="$sysroot"
}
