#!/usr/bin/env bash
# Installs what is missing, checks that the generated headers are current
# (codegen_check), builds with g++ and with clang (+ASan/UBSan), and runs every
# test; then builds the proxy and its threaded tests with ThreadSanitizer and
# runs those (tsan_suite below). Exit status 0 only when everything passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/setup.sh --tests

# run_suite FLAVOUR [CTEST ARGS...]: build one flavour and run its tests.
run_suite() {
  local flavour="$1"
  shift
  echo "== build $flavour"
  tools/dev/build.sh "$flavour"
  echo "== test $flavour"
  ctest --test-dir "build/$flavour" --output-on-failure --timeout 900 -j"$(nproc)" "$@"
}

# Under ASan/UBSan every unit test runs, and of the end-to-end suites those
# that drive the proxy's own I/O paths hardest: e2e (every packet of six
# versions through the proxy), e2e_failures (backend down or killed,
# shutdown) and e2e_hostile (attacking clients); load and replay_verify run
# too. Left to the g++ run, for time (~3.5 min on two cores under ASan):
# e2e_detection (~80 s) and e2e_combat (~80 s) feed the
# same proxy code as e2e and reach the checks, which the checks and engine
# unit tests already run under ASan through the whole engine (and combat's
# timing checks are only reported, not asserted, under a sanitizer); and
# e2e_parity (~45 s) adds rustguard-replay, whose parsing the replay unit
# tests and replay_verify cover under ASan, for a comparison that needs a
# widened timing bound there. e2e_model and e2e_model_reload (~90 s each
# under ASan) drive the same proxy paths again with fighting bots; the model
# check's code runs under ASan in the checks and replay unit tests (the
# corpus replayed through it), and the reload's rules in reload_test.
# e2e_fleet (~40 s, a 12 s database outage in it) runs three proxies at
# once on two cores; the violation log over PostgreSQL it drives runs under
# ASan in the postgres unit tests.
sanitize_skip='^(e2e_detection|e2e_combat|e2e_parity|e2e_setbacks|e2e_model|e2e_model_reload|e2e_fleet)$'

# ThreadSanitizer over the threaded code: the violation log's writer thread
# against many producers (storage), the proxy's unit tests (single-threaded,
# so only lock misuse could show there, but cheap), and the e2e suites that
# run the real proxy with `threads: 2` (e2e, e2e_failures): about 2.5 min to
# build and 1 min to run on two idle cores. Only what they need is built.
# Left out for time: e2e_detection and e2e_hostile (1.5-2 min each under
# TSan; hostile's peak-RSS limits also leave no room for TSan's shadow
# memory), and the replay tests (the same violation log as storage, from one
# producer); the other unit tests start no threads. TSAN_OPTIONS (a report
# fails the test) come from tests/CMakeLists.txt; tsan_reports fails when a
# proxy under e2e wrote a report.
tsan_suite() {
  echo "== build clang-tsan"
  tools/dev/build.sh clang-tsan rustguard rustguard_storage_tests rustguard_proxy_tests
  echo "== test clang-tsan"
  local run=()
  # clang 14's TSan cannot map its shadow memory with more than 28 bits of
  # mmap randomisation (newer kernels default to 32); run without ASLR then.
  if (( $(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28) > 28 )); then run=(setarch "$(uname -m)" -R); fi
  "${run[@]}" ctest --test-dir build/clang-tsan --output-on-failure --timeout 900 -j"$(nproc)" \
    -R '^(storage|proxy|e2e|e2e_failures)$'
}

# The committed generated headers against what tools/codegen makes of the
# minecraft-data pinned in tests/node (installed above): stale = failure.
codegen_check() {
  echo "== codegen --check"
  node tools/codegen/generate_packet_ids.mjs --check
  node tools/codegen/generate_attribute_ids.mjs --check
  node tools/codegen/generate_entity_dimensions.mjs --check
}

# One stage after another, on purpose: building the sanitizer flavours
# under SCHED_IDLE while the g++ suite's tests ran (2026-12-04) slowed those
# tests by 10-95 %, jittered the bots' click timers and failed e2e_combat
# (docs/status.md, "CI time").
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
codegen_check
run_suite gcc
run_suite clang-sanitize -E "$sanitize_skip"
tsan_suite
echo "== all test suites passed"
