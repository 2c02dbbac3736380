#!/usr/bin/env bash
# Installs what is missing, builds with g++ and with clang (+ASan/UBSan), and
# runs every test. Exit status 0 only when everything passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/setup.sh --tests

run_suite() {
  local flavour="$1"
  echo "== build $flavour"
  tools/dev/build.sh "$flavour"
  echo "== test $flavour"
  ctest --test-dir "build/$flavour" --output-on-failure --timeout 900 -j"$(nproc)"
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite gcc
run_suite clang-sanitize
echo "== all test suites passed"
