#!/usr/bin/env bash
# Violations per second into PostgreSQL with one and with three RustGuard
# instances (rustguard_bench_postgres, postgres_bench.cpp), on a throwaway
# PostgreSQL 15 with fsync ON, and the producers' cost per violation.
#
#   tools/bench/postgres_bench.sh [path/to/rustguard_bench_postgres]
#
# Environment: VIOLATIONS (per instance and run, default 1000000), PRODUCERS
# (threads per instance, default 1), PLAYERS (sessions per instance, default
# 100), RATE (violations/s offered in all in the paced runs, default 100000),
# DIAGNOSE=0 to skip the "where the time goes" runs, RUSTGUARD_POSTGRES_BIN
# (default /usr/lib/postgresql/15/bin). LOADGEN_BUILD=DIR (a build with
# rustguard and rustguard-loadgen) adds the whole proxy: load_bench.mjs with
# LOADGEN_PLAYERS (500) for LOADGEN_DURATION s (30), the proxy's database on
# this server, once alone and once while an instance floods the server at
# RATE; the loadgen's added latency is the packet path's.
#
# The server: initdb + pg_ctl into a temporary directory, Unix socket there,
# no TCP listener, trust authentication (as the tests' postgres_test_support
# .hpp does; as root, initdb and the server run as the postgres account
# through runuser). Every setting that decides durability or speed is
# PostgreSQL's default: fsync=on, synchronous_commit=on, full_page_writes=on,
# wal_level=replica, shared_buffers=128MB, max_wal_size=1GB - a production
# server that keeps every commit across a power cut. Only these differ, and
# none changes what a commit costs: listen_addresses='' and the socket
# directory (no port to collide with other servers on this host), and the
# port number inside that directory.
#
# Runs: one instance (instance id 1) into database `one`; then three processes
# at once (instance ids 1..3, each connected first, then all start at the
# same moment via --start-at) into database `three`. The table sums their
# rates and compares each instance's rows in the database (violations.id >>
# 40 is the instance, InstanceIds in violation_log.hpp) with what it says it
# wrote: nothing missing, nothing twice. Then the same two runs paced at
# RATE in all (databases `paced_one`, `paced_three`). The server is stopped and the
# directory removed at the end, on failure and on Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
bench=${1:-$here/build/release/tools/bench/rustguard_bench_postgres}
pgbin=${RUSTGUARD_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
violations=${VIOLATIONS:-1000000}
producers=${PRODUCERS:-1}
players=${PLAYERS:-100}
rate=${RATE:-100000}
diagnose=${DIAGNOSE:-1}
loadgen_build=${LOADGEN_BUILD:-}
loadgen_players=${LOADGEN_PLAYERS:-500}
loadgen_duration=${LOADGEN_DURATION:-30}

[[ -x $bench ]] || { echo "no bench binary at $bench (cmake --build ... --target rustguard_bench_postgres)" >&2; exit 2; }
for tool in initdb pg_ctl postgres psql; do
  [[ -x $pgbin/$tool ]] || { echo "$pgbin/$tool missing (apt-get install postgresql-15)" >&2; exit 2; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/rustguard-pgbench-XXXXXX")
as_server=()
if [[ $(id -u) == 0 ]]; then
  # initdb and postgres refuse to run as root.
  account=postgres
  getent passwd postgres >/dev/null || account=nobody
  chown "$account" "$dir"
  as_server=(runuser -u "$account" --)
fi
started=0
bench_pids=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ $started == 1 ]]; then
    (cd "$dir" && "${as_server[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

server() { (cd "$dir" && "${as_server[@]}" "$@"); }
sql() { "$pgbin/psql" -X -q -A -t -h "$dir" -p 5432 -U rustguard -d "$1" -c "$2"; }
url() { echo "postgresql://rustguard@/$1?host=$dir&port=5432"; }

server "$pgbin/initdb" -D "$dir/data" -U rustguard -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
server "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $dir -p 5432" start >/dev/null ||
  { cat "$dir/server.log" >&2; exit 1; }
started=1
echo "server: PostgreSQL $(sql postgres 'SHOW server_version'), fsync=$(sql postgres 'SHOW fsync')," \
  "synchronous_commit=$(sql postgres 'SHOW synchronous_commit'), full_page_writes=$(sql postgres 'SHOW full_page_writes')," \
  "shared_buffers=$(sql postgres 'SHOW shared_buffers'), max_wal_size=$(sql postgres 'SHOW max_wal_size')"
echo "machine: nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "per instance: $violations violations, $producers producer thread(s), $players players"

# What the server did during a run, to tell what limits the rate: its CPU
# (the postmaster's own and its reaped children's - the benches' backends
# have exited by then - plus the live background processes), the WAL it
# wrote and fsynced, and the checkpoints. Each run starts after a CHECKPOINT,
# so that no run inherits an earlier run's pending one.
clk_tck=$(getconf CLK_TCK)
server_cpu_ticks() {
  local pm total child
  pm=$(head -1 "$dir/data/postmaster.pid")
  # Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th.
  total=$(sed 's/.*) //' "/proc/$pm/stat" | awk '{print $12 + $13 + $14 + $15}')
  for child in $(ps -o pid= --ppid "$pm"); do
    total=$((total + $(sed 's/.*) //' "/proc/$child/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
  done
  echo "$total"
}
server_counters() {
  echo "$(server_cpu_ticks) $(sql postgres "SELECT wal_bytes::bigint, wal_sync FROM pg_stat_wal" | tr '|' ' ')" \
    "$(sql postgres "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter")"
}
measure_start() {
  sql postgres "CHECKPOINT"
  counters_before=$(server_counters)
  measure_t0=$(date +%s%3N)
}
# measure_end LABEL ROWS [WINDOW_MS]: one line into $dir/server-notes. The
# window (default: since measure_start) is the time the CPU is set against.
measure_end() {
  local after wall_ms
  after=$(server_counters)
  wall_ms=${3:-$(( $(date +%s%3N) - measure_t0 ))}
  read -r c0 w0 s0 k0 <<<"$counters_before"
  read -r c1 w1 s1 k1 <<<"$after"
  awk -v l="$1" -v rows="$2" -v c=$((c1 - c0)) -v hz="$clk_tck" -v wall="$wall_ms" -v wal=$((w1 - w0)) \
    -v syncs=$((s1 - s0)) -v ckpt=$((k1 - k0)) 'BEGIN {
      printf "  %s: server CPU %.1f s in %.1f s (%.2f cores), WAL %.0f MB (%.0f bytes/row), %d WAL fsyncs, %d checkpoint(s)\n",
        l, c / hz, wall / 1000, c / hz / (wall / 1000), wal / 1e6, wal / rows, syncs, ckpt }' >>"$dir/server-notes"
}

# Creates `db` and its schema (the log migrates it on connect): one
# instance-0 session row, outside the instances counted below.
prepare() {
  sql postgres "CREATE DATABASE $1"
  nice "$bench" --database "$(url "$1")" --instance-id 0 --violations 0 --players 1 --spill "$dir/prepare.spill" >/dev/null
}

# Runs instances `first`..`last` at once into `db`, flat out or each at
# `rate` violations/s; their output in $dir/run-<db>-<id>.out.
run_instances() {
  local db=$1 first=$2 last=$3 rate=${4:-0} start_at
  start_at=$(( $(date +%s%3N) + 3000 ))
  bench_pids=()
  for id in $(seq "$first" "$last"); do
    nice "$bench" --database "$(url "$db")" --instance-id "$id" --violations "$violations" --producers "$producers" \
      --rate "$rate" --players "$players" --start-at "$start_at" --spill "$dir/spill-$db-$id" >"$dir/run-$db-$id.out" &
    bench_pids+=($!)
  done
  local failed=0
  for pid in "${bench_pids[@]}"; do wait "$pid" || failed=1; done
  bench_pids=()
  if [[ $failed == 1 ]]; then
    cat "$dir"/run-"$db"-*.out >&2
    echo "a bench process failed (exit 2: records refused or dropped, 3: spilled instead of written)" >&2
    exit 1
  fi
}

row='| %-11s | %8s | %10s | %12s | %10s | %7s | %7s | %8s | %9s | %10s |\n'
field() { grep -o "$2=[^ ]*" <<<"$1" | head -1 | cut -d= -f2; }

# window_ms DB FIRST LAST: from the first instance's first violation to the
# last instance's last commit.
window_ms() {
  local lo=0 hi=0 id result s e
  for id in $(seq "$2" "$3"); do
    result=$(grep '^postgres_bench result' "$dir/run-$1-$id.out")
    s=$(field "$result" start_ms)
    e=$(field "$result" end_ms)
    if [[ $lo == 0 || $s -lt $lo ]]; then lo=$s; fi
    if [[ $e -gt $hi ]]; then hi=$e; fi
  done
  echo $((hi - lo))
}

# One table row per instance plus a total row for the run.
report() {
  local db=$1 first=$2 last=$3 label=$4
  local sum_rate=0 sum_written=0 min_start=0 max_end=0 rows_ok=yes
  for id in $(seq "$first" "$last"); do
    local out result latency written rate stored distinct
    out=$(cat "$dir/run-$db-$id.out")
    result=$(grep '^postgres_bench result' <<<"$out")
    latency=$(grep '^postgres_bench latency' <<<"$out")
    written=$(field "$result" written)
    rate=$(field "$result" violations_per_s)
    IFS='|' read -r stored distinct < <(sql "$db" \
      "SELECT count(*), count(DISTINCT id) FROM violations WHERE id >> 40 = $id")
    [[ $stored == "$written" && $distinct == "$stored" ]] || rows_ok=no
    printf "$row" "$label" "$id" "$written" "$rate" \
      "$(field "$result" rows_per_batch)" "$(field "$latency" p50_ns)" "$(field "$latency" p99_ns)" \
      "$(field "$latency" p999_ns)" "$(field "$latency" max_ns)" "$stored"
    sum_rate=$((sum_rate + rate))
    sum_written=$((sum_written + written))
    local s e
    s=$(field "$result" start_ms)
    e=$(field "$result" end_ms)
    if [[ $min_start == 0 || $s -lt $min_start ]]; then min_start=$s; fi
    if [[ $e -gt $max_end ]]; then max_end=$e; fi
  done
  local total_rows open_sessions
  total_rows=$(sql "$db" "SELECT count(*) FROM violations WHERE id >> 40 BETWEEN $first AND $last")
  open_sessions=$(sql "$db" "SELECT count(*) FROM sessions WHERE id >> 40 BETWEEN $first AND $last AND end_ms IS NULL")
  [[ $total_rows == "$sum_written" && $open_sessions == 0 ]] || rows_ok=no
  local window_rate=$(( sum_written * 1000 / (max_end - min_start) ))
  printf "$row" "$label" "total" "$sum_written" \
    "$sum_rate" "" "" "" "" "" "$total_rows"
  echo "$label: sum of the instances' rates $sum_rate/s; over the common window (first start to last commit," \
    "$(( max_end - min_start )) ms) $window_rate/s; rows in the database match what each instance wrote, each" \
    "once, and every session closed: $rows_ok" >>"$dir/notes"
  [[ $rows_ok == yes ]]
}

prepare one
measure_start
run_instances one 1 1
measure_end "1 instance" "$violations" "$(window_ms one 1 1)"
prepare three
measure_start
run_instances three 1 3
measure_end "3 instances" $((3 * violations)) "$(window_ms three 1 3)"
# Paced: the same total offered at `rate`, as a proxy's io threads hand
# violations over as they come, which shows the call's cost on its usual
# path (the lock-free channel) rather than a flat-out producer's (the
# overflow list, once the channel is full).
prepare paced_one
measure_start
run_instances paced_one 1 1 "$rate"
measure_end "1 instance at $rate/s" "$violations" "$(window_ms paced_one 1 1)"
prepare paced_three
measure_start
run_instances paced_three 1 3 $((rate / 3))
measure_end "3 instances at $((rate / 3))/s each" $((3 * violations)) "$(window_ms paced_three 1 3)"

echo
printf "$row" run instance violations violations/s rows/batch "p50 ns" "p99 ns" "p99.9 ns" "max ns" "rows in db"
echo "|-------------|----------|------------|--------------|------------|---------|---------|----------|-----------|------------|"
status=0
report one 1 1 "1 instance" || status=1
report three 1 3 "3 instances" || status=1
report paced_one 1 1 "1 paced" || status=1
report paced_three 1 3 "3 paced" || status=1
echo
cat "$dir/notes"
echo "the benches' CPU (writer: the process less its producer threads) and the server's, over each run:"
for f in "$dir"/run-*.out; do
  line=$(grep '^postgres_bench cpu' "$f")
  echo "  $(basename "$f" .out): writer thread $(field "$line" writer_s) s, producers $(field "$line" producers_s) s" \
    "of $(field "$line" wall_s) s"
done
cat "$dir/server-notes"
: >"$dir/server-notes"
echo "record-call latency: ViolationLog::log_violation() on the producing thread (the packet path's whole cost per violation);" \
  "flat out in the first two runs, at an offered $rate/s in total in the paced ones"

if [[ $diagnose == 1 ]]; then
  # Where the time goes: the sink alone (no writer thread, no producer), in
  # batches of the log's flush_rows and of its largest backlog batch, with
  # and without the commit's wait for the WAL flush (synchronous_commit=off
  # for the bench's own connection only: the server keeps fsync on).
  echo
  echo "where the time goes (one instance, $violations violations each):"
  sql postgres "CREATE DATABASE diag"
  for rows in 4096 16384; do
    for commit in on off; do
      measure_start
      line=$(PGOPTIONS="-c synchronous_commit=$commit" nice "$bench" --database "$(url diag)" --sink-only \
        --instance-id 7 --violations "$violations" --flush-rows "$rows" | grep '^postgres_bench sink_only')
      echo "  sink alone, $rows rows/batch, synchronous_commit=$commit: $(field "$line" violations_per_s)/s," \
        "batch p50 $(field "$line" batch_ms_p50) ms, p99 $(field "$line" batch_ms_p99) ms"
      measure_end "sink alone, $rows rows/batch, synchronous_commit=$commit" "$violations" \
        "$(awk -v s="$(field "$line" seconds)" 'BEGIN { printf "%d", s * 1000 }')"
    done
  done
  measure_start
  line=$(PGOPTIONS="-c synchronous_commit=off" nice "$bench" --database "$(url diag)" --instance-id 8 \
    --violations "$violations" --players "$players" --spill "$dir/spill-diag" | grep '^postgres_bench result')
  echo "  whole log, synchronous_commit=off: $(field "$line" violations_per_s)/s," \
    "$(field "$line" rows_per_batch) rows/batch"
  measure_end "whole log, synchronous_commit=off" "$violations" \
    $(( $(field "$line" end_ms) - $(field "$line" start_ms) ))
  cat "$dir/server-notes"
fi
if [[ -n $loadgen_build ]]; then
  # The whole proxy (`database: postgresql://...`, instance 9), direct and
  # through rustguard, first with the server otherwise idle, then while a
  # bench process (instance 10, its own database on the same server) offers
  # RATE violations/s for as long as load_bench runs.
  echo
  echo "the whole proxy, $loadgen_players players, protocol 47, ${loadgen_duration} s (load_bench.mjs):"
  sql postgres "CREATE DATABASE proxy"
  sql postgres "CREATE DATABASE flood"
  # shellcheck disable=SC2054  # the commas are load_bench's lists, not array separators
  lg=(node "$here/tools/bench/load_bench.mjs" --build "$loadgen_build" --players "$loadgen_players"
    --duration "$loadgen_duration" --modes direct,rustguard
    --set "database=$(url proxy),violation_log.spill_path=$dir/proxy.spill,violation_log.instance_id=9")
  echo "  without the flood (load $(cut -d' ' -f1 /proc/loadavg)):"
  nice "${lg[@]}" 2>&1 | awk '/^\| players/ { table = 1 } table && /^\|/ { print "    " $0 }'
  nice "$bench" --database "$(url flood)" --instance-id 10 --seconds 3600 --rate "$rate" --players "$players" \
    --spill "$dir/flood.spill" >"$dir/flood.out" &
  bench_pids=($!)
  sleep 3
  echo "  while an instance offers $rate violations/s to the same server (load $(cut -d' ' -f1 /proc/loadavg)):"
  nice "${lg[@]}" 2>&1 | awk '/^\| players/ { table = 1 } table && /^\|/ { print "    " $0 }'
  kill -TERM "${bench_pids[0]}"
  wait "${bench_pids[0]}" || echo "  the flood failed (exit $?): records refused, dropped or spilled"
  bench_pids=()
  line=$(grep '^postgres_bench result' "$dir/flood.out")
  latency=$(grep '^postgres_bench latency' "$dir/flood.out")
  echo "  the flood: $(field "$line" written) violations in $(field "$line" seconds) s," \
    "$(field "$line" violations_per_s)/s written; record call p50 $(field "$latency" p50_ns) ns," \
    "p99 $(field "$latency" p99_ns) ns, p99.9 $(field "$latency" p999_ns) ns"
  echo "  rows the proxy stored: $(sql proxy "SELECT count(*) FROM violations") violations," \
    "$(sql proxy "SELECT count(*) FROM sessions") sessions"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
