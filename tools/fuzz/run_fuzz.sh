#!/bin/bash
# Runs one fuzz target against its corpus for a while, one process.
#   tools/fuzz/run_fuzz.sh BUILD_DIR TARGET SECONDS [MAX_LEN]
# New interesting inputs go to BUILD_DIR/fuzz-work/TARGET, crashes to
# BUILD_DIR/fuzz-artifacts/TARGET/; copy minimized crashes to tests/corpus/TARGET/.
set -eu
build=$1 target=$2 seconds=$3 max_len=${4:-4096}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$build/fuzz-work/$target" "$build/fuzz-artifacts/$target"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan_open.supp"
# ASan's default 256 MiB quarantine alone would approach -rss_limit_mb.
export ASAN_OPTIONS="quarantine_size_mb=32:detect_leaks=1"
exec "$build/tools/fuzz/fuzz_$target" "$build/fuzz-work/$target" "$root/tests/corpus/$target" \
  -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10 \
  -artifact_prefix="$build/fuzz-artifacts/$target/" -print_final_stats=1
