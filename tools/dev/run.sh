#!/usr/bin/env bash
# Installs what is missing, builds, and starts the RustGuard proxy with config.yml.
# Extra arguments go to the proxy, e.g. tools/dev/run.sh --backend 127.0.0.1:25566
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/setup.sh
tools/dev/build.sh release
exec build/release/tools/proxy/rustguard --config config.yml "$@"
