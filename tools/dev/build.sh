#!/usr/bin/env bash
# Configures and builds one flavour of RustGuard into build/<name>.
#   tools/dev/build.sh release            g++, optimised: what run.sh starts
#   tools/dev/build.sh gcc                g++ Release (the optimisation run.sh ships, so the
#                                         tests see the same code and warnings), with tests
#   tools/dev/build.sh clang-sanitize     clang++ with AddressSanitizer + UBSan
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:-release}"
case "$name" in
  release)        args=(-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DRUSTGUARD_BUILD_TESTS=OFF) ;;
  gcc)            args=(-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release) ;;
  clang)          args=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  clang-sanitize) args=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DRUSTGUARD_SANITIZE=ON -DRUSTGUARD_BUILD_BENCH=OFF) ;;
  *) echo "build.sh: unknown flavour '$name'" >&2; exit 2 ;;
esac
cmake -S . -B "build/$name" -DRUSTGUARD_WERROR=ON "${args[@]}" >/dev/null
cmake --build "build/$name" -j"$(nproc)"
