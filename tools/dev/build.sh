#!/usr/bin/env bash
# Configures and builds one flavour of RustGuard into build/<name>; with
# targets after the name, only those (tools/dev/build.sh clang-tsan rustguard).
#   tools/dev/build.sh release            g++, optimised: what run.sh starts
#   tools/dev/build.sh gcc                g++ Release (the optimisation run.sh ships, so the
#                                         tests see the same code and warnings), with tests
#   tools/dev/build.sh clang-sanitize     clang++ with AddressSanitizer + UBSan, unoptimised
#   tools/dev/build.sh clang-tsan         clang++ with ThreadSanitizer, optimised (-O2) since
#                                         TSan slows the proxy several times; no benches or fuzzers
# Both sanitizer flavours carry line tables (sanitizer_debug_info below).
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:-release}"
# The sanitizers' reports need files and lines, not variables: line tables
# only, which compile faster than full debug info (the whole ASan build,
# one try each on 2026-12-05: 4 min 30 s against 4 min 43 s).
sanitizer_debug_info=-gline-tables-only
case "$name" in
  release)        args=(-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DRUSTGUARD_BUILD_TESTS=OFF) ;;
  gcc)            args=(-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release) ;;
  clang)          args=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  clang-sanitize) args=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DRUSTGUARD_SANITIZE=ON -DRUSTGUARD_BUILD_BENCH=OFF
                        "-DCMAKE_CXX_FLAGS_DEBUG=$sanitizer_debug_info") ;;
  clang-tsan)     args=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUSTGUARD_SANITIZE_THREAD=ON
                        -DRUSTGUARD_BUILD_BENCH=OFF -DRUSTGUARD_BUILD_FUZZ=OFF
                        "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 $sanitizer_debug_info -DNDEBUG") ;;
  *) echo "build.sh: unknown flavour '$name'" >&2; exit 2 ;;
esac
cmake -S . -B "build/$name" -DRUSTGUARD_WERROR=ON "${args[@]}" >/dev/null
shift $(( $# > 0 ? 1 : 0 ))
targets=()
(( $# )) && targets=(--target "$@")
cmake --build "build/$name" -j"$(nproc)" "${targets[@]}"
