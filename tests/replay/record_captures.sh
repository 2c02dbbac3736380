#!/usr/bin/env bash
# Regenerates tests/replay/captures/: real TCP traffic on loopback recorded by
# tcpdump in the link types Linux can capture directly, plus files derived
# from the Ethernet capture for the link types it cannot (see README.md).
# Needs root (tcpdump) and python3. Ports 47611/47612 on 127.0.0.1/::1 must be free.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/captures"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp"  # tcpdump drops privileges to its own user before writing

python3 "$here/traffic_gen.py" --sidecar "$tmp/loopback.streams" \
  --dump="$tmp/lo_ethernet.pcap,lo" \
  --dump="$tmp/lo_ethernet_nano.pcap,lo,--nano" \
  --dump="$tmp/any_sll2.pcap,any" \
  --dump="$tmp/any_sll.pcap,any,-y LINUX_SLL"

rewrite() { python3 "$here/rewrite_capture.py" "$@"; }
rewrite "$tmp/lo_ethernet.pcap" raw "$tmp/raw.pcap"
rewrite "$tmp/lo_ethernet.pcap" ipv4 "$tmp/ipv4_only.pcap"
rewrite "$tmp/lo_ethernet.pcap" ipv6 "$tmp/ipv6_only.pcap"
rewrite "$tmp/lo_ethernet.pcap" null_le "$tmp/null_le.pcap"
rewrite "$tmp/lo_ethernet.pcap" null_be "$tmp/null_be.pcap"
rewrite "$tmp/lo_ethernet.pcap" loop "$tmp/loop.pcap"
rewrite "$tmp/lo_ethernet.pcap" pcapng "$tmp/lo_ethernet.pcapng"
rewrite "$tmp/lo_ethernet_nano.pcap" vlan "$tmp/vlan_nano.pcapng"

mkdir -p "$out"
rm -f "$out"/*.pcap "$out"/*.pcapng "$out"/loopback.streams
cp "$tmp"/*.pcap "$tmp"/*.pcapng "$tmp"/loopback.streams "$out"/
chmod 644 "$out"/*
du -ch "$out"/* | tail -1
