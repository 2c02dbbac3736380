#!/usr/bin/env bash
# ctest load_proxy: the real rustguard binary between rustguard-loadgen's
# simulated players and its in-process backend, for protocols 47 (1.8) and
# 769 (1.21.4) side by side (one proxy and one load generator each).
# Asserts, per protocol: every player logged in and stayed, no measured packet
# was mismatched or lost on the way through the proxy (loadgen
# --require-clean), and the proxy's database holds one session per player and
# not a single violation or action: honest players must raise nothing. The
# players look about (--look-about: a rotation on most ticks, by whole mouse
# counts), so the aim checks judge a few windows of each.
#
# And the load generator's two clocks agree: every measured packet reached
# its receiving socket (the kernel's stamp) no later than the load generator
# handled it, so at every quantile the latency to the stamp is at most the
# latency to the handling, over the same packets.
#
# Nothing here depends on speed: 20 players are light even under sanitizers,
# and the only deadlines are generous ones (startup, login, shutdown).
#
#   tests/load/proxy_load.sh PATH/TO/rustguard PATH/TO/rustguard-loadgen [players] [seconds]
# Exit 77 (skipped) when the sqlite3 command is missing.
set -euo pipefail

proxy_bin=$1
loadgen_bin=$2
players=${3:-20}
seconds=${4:-8}

if ! command -v sqlite3 >/dev/null; then
  echo "sqlite3 not installed (tools/dev/setup.sh --tests): skipped"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rustguard-load.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# A TCP port nobody listens on and that this script has not handed out yet,
# drawn from below the kernel's ephemeral range: a port inside it can be taken
# at any moment by the local end of an outgoing connection (the load
# generator's own players), and then the proxy's bind fails (seen in CI:
# "cannot serve /metrics ...: Address already in use"). Sets $port; not
# called through $(...) so that $taken survives.
taken=" "
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
pick_port() {
  local low=10000 span=$((ephemeral_low - 10000))
  while :; do
    port=$((low + RANDOM % span))
    [[ $taken == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      taken+="$port "
      return
    fi
  done
}

wait_listening() {  # port pid
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Starts proxy + loadgen for one protocol in the background; the result lands in $work/$protocol/.
start_run() {
  local protocol=$1 dir=$work/$1
  mkdir -p "$dir"
  local listen backend admin port
  pick_port; listen=$port
  pick_port; backend=$port
  pick_port; admin=$port
  cat >"$dir/config.yml" <<EOF
# written by tests/load/proxy_load.sh
listen: 127.0.0.1:$listen
backend: 127.0.0.1:$backend
admin: 127.0.0.1:$admin
database: $dir/rustguard.db
threads: 2
log_level: info
connections:
  # every simulated player comes from 127.0.0.1
  per_ip_rate: 100000
  per_ip_burst: 100000
EOF
  "$proxy_bin" --config "$dir/config.yml" >"$dir/proxy.log" 2>&1 &
  echo $! >"$dir/proxy.pid"
  pids+=("$(cat "$dir/proxy.pid")")
  if ! wait_listening "$listen" "$(cat "$dir/proxy.pid")"; then
    echo "protocol $protocol: rustguard did not start listening on $listen"
    tail -20 "$dir/proxy.log"
    return 1
  fi
  "$loadgen_bin" --target "127.0.0.1:$listen" --backend-listen "$backend" --players "$players" \
    --protocol "$protocol" --duration "$seconds" --ramp 1 --threads 1 --attack-every 1 --chat-every 3 --look-about \
    --login-timeout 30 --require-clean --json >"$dir/loadgen.out" 2>&1 &
  echo $! >"$dir/loadgen.pid"
  pids+=("$(cat "$dir/loadgen.pid")")
}

finish_run() {
  local protocol=$1 dir=$work/$1 failed=0
  local loadgen_rc=0
  wait "$(cat "$dir/loadgen.pid")" || loadgen_rc=$?
  local proxy_pid
  proxy_pid=$(cat "$dir/proxy.pid")
  kill -TERM "$proxy_pid" 2>/dev/null || true
  local proxy_rc=0
  wait "$proxy_pid" || proxy_rc=$?
  echo "== protocol $protocol"
  head -n -1 "$dir/loadgen.out"
  if [[ $loadgen_rc -ne 0 ]]; then
    echo "FAIL protocol $protocol: rustguard-loadgen exited $loadgen_rc (not every player logged in and stayed, or packets were lost)"
    failed=1
  fi
  if [[ $proxy_rc -ne 0 ]]; then
    echo "FAIL protocol $protocol: rustguard exited $proxy_rc"
    failed=1
  fi
  local stamps
  if ! stamps=$(tail -n 1 "$dir/loadgen.out" | node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const bad = [];
      for (const dir of ["serverbound", "clientbound"]) {
        const k = r[dir].latency_us, h = r[dir].latency_at_read_us;
        if (!(k.count > 0) || k.count !== h.count) bad.push(`${dir}: ${k.count} stamped, ${h.count} handled`);
        for (const p of ["p50", "p99", "p999", "max"]) if (k[p] > h[p]) bad.push(`${dir} ${p}: ${k[p]} us to the stamp > ${h[p]} us to the handling`);
        console.log(`${dir}: p50/p99 ${k.p50}/${k.p99} us to the kernel stamp, ${h.p50}/${h.p99} us to the handling`);
      }
      if (bad.length) { console.log(bad.join("\n")); process.exit(1); }' 2>&1); then
    echo "$stamps"
    echo "FAIL protocol $protocol: the load generator's kernel stamps disagree with its own clock"
    failed=1
  else
    echo "$stamps"
  fi
  local violations sessions actions
  violations=$(sqlite3 "$dir/rustguard.db" "select count(*) from violations")
  sessions=$(sqlite3 "$dir/rustguard.db" "select count(*) from sessions")
  actions=$(sqlite3 "$dir/rustguard.db" "select count(*) from actions")
  echo "database: $sessions sessions, $violations violations, $actions actions"
  if [[ $violations -ne 0 || $actions -ne 0 ]]; then
    echo "FAIL protocol $protocol: honest players raised violations:"
    sqlite3 "$dir/rustguard.db" "select check_name, type, count, detail from violations limit 20"
    failed=1
  fi
  if [[ $sessions -ne $players ]]; then
    echo "FAIL protocol $protocol: $sessions sessions recorded, expected $players"
    failed=1
  fi
  if [[ $failed -ne 0 ]]; then
    echo "-- proxy log (last lines) --"
    tail -20 "$dir/proxy.log"
  fi
  return $failed
}

start_run 47
start_run 769
status=0
finish_run 47 || status=1
finish_run 769 || status=1
if [[ $status -eq 0 ]]; then rm -rf "$work"; else echo "kept $work"; fi
exit $status
