#!/usr/bin/env bash
# Installs what RustGuard needs on Debian 12, and nothing that is already there.
#   tools/dev/setup.sh          build and run dependencies
#   tools/dev/setup.sh --tests  also what the tests need (clang, tcpdump, sqlite3, PostgreSQL 15, HAProxy, Node packages)
#   tools/dev/setup.sh --bench  also what the load benchmark needs (HAProxy, Node, sqlite3)
# Safe to run again and again: it only calls apt-get/npm when something is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

want_tests=0
want_bench=0
[[ "${1:-}" == "--tests" ]] && want_tests=1
[[ "${1:-}" == "--bench" ]] && want_bench=1

# libcurl4-openssl-dev: webhooks (tools/proxy/webhook_sender.hpp); libssl-dev:
# the HTTPS server its tests run (tests/proxy/webhook_test.cpp); liburing-dev:
# the io threads' rings for players in play (tools/proxy/uring_loop.hpp).
packages=(g++ cmake make pkg-config libasio-dev libyaml-cpp-dev libsqlite3-dev libcli11-dev libfmt-dev
          catch2 libpcap-dev zlib1g-dev libcurl4-openssl-dev libssl-dev liburing-dev)
if (( want_tests )); then
  # openssl: the webhook tests make their self-signed certificate with it.
  # tshark: the pcapng writer's tests check that Wireshark decodes its files
  # (DEBIAN_FRONTEND below answers wireshark-common's capture question: no).
  # postgresql-15, libpq-dev: the violation log's PostgreSQL sink and its
  # tests, which start a throwaway server of their own with initdb / pg_ctl
  # from /usr/lib/postgresql/15/bin (tests/postgres/postgres_test_support.hpp);
  # the package's own cluster and service are not used.
  packages+=(postgresql-15 libpq-dev)
  # haproxy: e2e_fleet (tests/e2e/fleet.mjs) puts three proxies behind a real
  # HAProxy with PROXY protocol v2, as a fleet is deployed (docs/deployment.md).
  packages+=(haproxy)
  packages+=(clang libclang-rt-14-dev tcpdump sqlite3 e2fsprogs openssl tshark libxgboost-dev)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi
if (( want_bench )); then
  # HAProxy in TCP mode is the floor of what forwarding costs (tools/bench/load_bench.mjs).
  packages+=(haproxy sqlite3)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  (( EUID != 0 )) && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if (( want_tests )); then
  # Real Minecraft peers for the tests (minecraft-protocol, mineflayer, flying-squid),
  # pinned by tests/node/package-lock.json.
  if [[ ! -d tests/node/node_modules ]] || [[ tests/node/package-lock.json -nt tests/node/node_modules ]]; then
    echo "setup: installing Node packages in tests/node"
    (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
    touch tests/node/node_modules
  fi
fi
echo "setup: ok"
