#!/usr/bin/env python3
"""Derives the link types tcpdump cannot record on Linux loopback from a real
Ethernet capture of it (tcpdump -i lo): the IP packets are copied unchanged,
only the link-layer header and the file container are rewritten.

  rewrite_capture.py SRC.pcap KIND OUT

KIND:
  raw        LINKTYPE_RAW (101), bare IPv4/IPv6
  ipv4       LINKTYPE_IPV4 (228), only the IPv4 packets
  ipv6       LINKTYPE_IPV6 (229), only the IPv6 packets
  null_le    DLT_NULL (0) in a little-endian file, family in little-endian
             host order, AF_INET6 = 30 (Darwin's value)
  null_be    DLT_NULL (0) in a big-endian file, family in big-endian host
             order, AF_INET6 = 28 (FreeBSD's value)
  loop       DLT_LOOP (108), family in network byte order, AF_INET6 = 24
             (OpenBSD's value)
  pcapng     pcapng container, Ethernet, microsecond timestamps
  vlan       pcapng container, nanosecond timestamps (if_tsresol 9), every
             IPv4 frame gets one 802.1Q tag and every IPv6 frame an 802.1ad +
             802.1Q pair (QinQ)
"""

import struct
import sys

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD


def read_pcap(path):
    """Yields (seconds, nanoseconds, original length, Ethernet frame)."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    else:
        endian = ">"
        magic = struct.unpack(">I", data[:4])[0]
    nano = magic == 0xA1B23C4D
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"{path}: expected Ethernet (1), got {linktype}")
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[pos:pos + 16])
        pos += 16
        yield sec, frac if nano else frac * 1000, orig, data[pos:pos + incl]
        pos += incl


def write_pcap(path, linktype, records, endian="<"):
    with open(path, "wb") as f:
        f.write(struct.pack(endian + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for sec, nsec, orig, payload in records:
            f.write(struct.pack(endian + "IIII", sec, nsec // 1000, len(payload), orig))
            f.write(payload)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def block(block_type, body):
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def write_pcapng(path, linktype, records, nano):
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        options = b""
        if nano:
            options += struct.pack("<HH", 9, 1) + pad4(b"\x09")  # if_tsresol = 10^-9
        options += struct.pack("<HH", 0, 0)
        f.write(block(1, struct.pack("<HHI", linktype, 0, 262144) + options))
        for sec, nsec, orig, payload in records:
            ts = sec * 1_000_000_000 + nsec if nano else sec * 1_000_000 + nsec // 1000
            body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(payload), orig)
            f.write(block(6, body + pad4(payload)))


def ip_packets(src):
    for sec, nsec, orig, frame in read_pcap(src):
        ethertype = struct.unpack(">H", frame[12:14])[0]
        yield sec, nsec, orig - 14, frame[14:], ethertype


def main():
    src, kind, out = sys.argv[1:4]
    if kind == "raw":
        write_pcap(out, 101, ((s, n, o, p) for s, n, o, p, _ in ip_packets(src)))
    elif kind == "ipv4":
        write_pcap(out, 228, ((s, n, o, p) for s, n, o, p, t in ip_packets(src) if t == ETHERTYPE_IPV4))
    elif kind == "ipv6":
        write_pcap(out, 229, ((s, n, o, p) for s, n, o, p, t in ip_packets(src) if t == ETHERTYPE_IPV6))
    elif kind in ("null_le", "null_be", "loop"):
        endian, linktype, af6 = {"null_le": ("<", 0, 30), "null_be": (">", 0, 28), "loop": (">", 108, 24)}[kind]
        family_endian = ">" if kind == "loop" else endian
        records = []
        for s, n, o, p, t in ip_packets(src):
            family = 2 if t == ETHERTYPE_IPV4 else af6
            records.append((s, n, o + 4, struct.pack(family_endian + "I", family) + p))
        write_pcap(out, linktype, records, endian)
    elif kind == "pcapng":
        write_pcapng(out, 1, read_pcap(src), nano=False)
    elif kind == "vlan":
        records = []
        for s, n, o, frame in read_pcap(src):
            ethertype = struct.unpack(">H", frame[12:14])[0]
            if ethertype == ETHERTYPE_IPV4:
                tags = struct.pack(">HH", 0x8100, 42)
            else:
                tags = struct.pack(">HHHH", 0x88A8, 100, 0x8100, 7)
            records.append((s, n, o + len(tags), frame[:12] + tags + frame[12:]))
        write_pcapng(out, 1, records, nano=True)
    else:
        raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
