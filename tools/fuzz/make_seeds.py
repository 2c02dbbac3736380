#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/corpus/<target>/seed-*.

Seeds come from the packet fixtures (tests/fixtures/packets/*.txt), the
recorded sessions (tests/fixtures/streams/*.session) and a few hand-built
PROXY / Velocity / zlib inputs, laid out as tools/fuzz/fuzz_entries.hpp
expects. Rerun after changing a layout; existing seed-* files are replaced,
crash-* / hang-* files (regressions) are kept.
    python3 tools/fuzz/make_seeds.py
"""
import hashlib
import os
import re
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "corpus")
GEN = os.path.join(ROOT, "include", "rustguard", "protocol", "packet_ids.gen.hpp")
MAX_FILE = 64 * 1024 - 1


def varint(v):
    v &= 0xFFFFFFFF
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def mc_string(s):
    b = s.encode()
    return varint(len(b)) + b


def frame(packet):
    return varint(len(packet)) + packet


def generated_tables():
    text = open(GEN).read()
    enum = re.search(r"enum class PacketKind : std::uint8_t \{(.*?)\};", text, re.S).group(1)
    kinds = [k.strip() for k in enum.replace("\n", "").split(",") if k.strip() and k.strip() != "count"]
    versions = re.findall(r'^\s*\{(\d+), "([^"]*)", "[^"]*", \{', text, re.M)
    releases = {}
    for index, (_, names) in enumerate(versions):
        for name in names.split(", "):
            releases[name] = index
    return kinds, releases


class Writer:
    def __init__(self, target):
        self.dir = os.path.join(CORPUS, target)
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            if f.startswith("seed-"):
                os.remove(os.path.join(self.dir, f))
        self.seen = set()

    def add(self, data):
        data = bytes(data[:MAX_FILE])
        digest = hashlib.sha1(data).hexdigest()[:16]
        if digest in self.seen:
            return
        self.seen.add(digest)
        with open(os.path.join(self.dir, "seed-" + digest), "wb") as f:
            f.write(data)


def load_session(path):
    data = open(path, "rb").read()
    records, i = [], 0
    while i + 13 <= len(data):
        direction = data[i]
        n = struct.unpack(">I", data[i + 9 : i + 13])[0]
        records.append((direction, data[i + 13 : i + 13 + n]))
        i += 13 + n
    return records


def session_records(records, limit):
    out = bytearray()
    for direction, payload in records:
        for at in range(0, len(payload), 4000):
            piece = payload[at : at + 4000]
            flag = 0x80 if direction else 0
            if len(piece) < 0x7F:
                rec = bytes([flag | len(piece)]) + piece
            else:
                rec = bytes([flag | 0x7F]) + struct.pack(">H", len(piece)) + piece
            if len(out) + len(rec) > limit:
                return bytes(out)
            out += rec
    return bytes(out)


def main():
    kinds, releases = generated_tables()
    fixtures = os.path.join(ROOT, "tests", "fixtures")

    packets = Writer("packets")
    inflater = Writer("inflater")
    velocity = Writer("velocity")
    bodies = []
    first_of = set()
    for name in sorted(os.listdir(os.path.join(fixtures, "packets"))):
        release = name[:-4]
        for line in open(os.path.join(fixtures, "packets", name)):
            words = line.split()
            if not words or words[0].startswith("#") or len(words) < 3:
                continue
            kind, packet_id, hexbody = words[0], int(words[1]), words[2]
            body = b"" if hexbody == "-" else bytes.fromhex(hexbody)
            if (release, kind) not in first_of:  # one seed per release and kind keeps the corpus small
                first_of.add((release, kind))
                packets.add(bytes([releases[release], kinds.index(kind)]) + body)
            bodies.append(varint(packet_id) + body)
            if kind == "login_plugin_response_c2s" and len(body) > 40:
                velocity.add(body)

    # Inflater: honest deflated packets (mode bit0|bit3), raw zlib with an exact claim, damaged streams.
    for packet in bodies[:: max(1, len(bodies) // 40)]:
        claim = struct.pack(">I", len(packet))[1:]
        inflater.add(bytes([0x09 | 0x60]) + claim + bytes([5]) + packet)
        inflater.add(bytes([0x00]) + claim + bytes([5]) + zlib.compress(packet))
        inflater.add(bytes([0x0B]) + claim + bytes([63]) + packet)
    inflater.add(bytes([0x00, 0x90, 0x00, 0x00, 0x05]) + zlib.compress(b"\x00" * 0x100000, 9))

    # Velocity: forwarding versions 1 and 4 with properties.
    def forwarding(version, props):
        data = b"\x11" * 32 + varint(version) + mc_string("203.0.113.7") + bytes(range(16)) + mc_string("Steve")
        data += varint(len(props))
        for name, value, sig in props:
            data += mc_string(name) + mc_string(value) + (b"\x01" + mc_string(sig) if sig else b"\x00")
        return data
    velocity.add(forwarding(1, []))
    velocity.add(forwarding(1, [("textures", "abc", "sig")]))
    velocity.add(forwarding(4, [("textures", "abc", None), ("x", "y", "z")]) + b"\x00\x01\x02")

    # PROXY protocol.
    proxy = Writer("proxy_protocol")
    proxy.add(b"PROXY TCP4 203.0.113.7 192.0.2.1 51234 25565\r\n\x10\x00")
    proxy.add(b"PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 1 65535\r\n")
    proxy.add(b"PROXY UNKNOWN\r\n")
    sig = bytes([0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A])
    proxy.add(sig + bytes([0x21, 0x11, 0, 12]) + bytes([203, 0, 113, 7, 192, 0, 2, 1]) + struct.pack(">HH", 51234, 25565))
    v6 = bytes(range(16)) + bytes(range(16, 32)) + struct.pack(">HH", 1, 2)
    proxy.add(sig + bytes([0x21, 0x21, 0, len(v6) + 7]) + v6 + bytes([0x04, 0, 4]) + b"tlv!")
    proxy.add(sig + bytes([0x20, 0x00, 0, 0]))
    proxy.add(b"10.0.0.0/8")
    proxy.add(b"2001:db8::/32")
    proxy.add(b"::ffff:1.2.3.4")

    # FrameDecoder and session: the recorded streams.
    frames = Writer("frame_decoder")
    session = Writer("session")
    for name in sorted(os.listdir(os.path.join(fixtures, "streams"))):
        path = os.path.join(fixtures, "streams", name)
        if name.endswith(".bin"):
            stream = open(path, "rb").read()[:16000]
            clientbound = 1 if "clientbound" in name else 0
            frames.add(bytes([clientbound, 0, 0, 7]) + stream)                 # uncompressed, handshake
            frames.add(bytes([clientbound | 2 | 4, 4, 64, 9]) + stream[:4000])  # compressed (threshold 256), play
        elif name.endswith(".session"):
            records = load_session(path)
            release = name[: -len(".session")]
            version = releases[release]
            for mode in (0, 1, 4):
                session.add(bytes([mode, version]) + session_records(records, 60000))
                session.add(bytes([mode, version]) + session_records(records[:12], 20000))
    for release in ("1.8.8", "1.12.2", "1.16.5", "1.20.6", "1.21.5", "26.1"):
        # Handshake prelude, then a Login Start for that version's layout is up to the fuzzer.
        for mode in (2, 3, 6):
            session.add(bytes([mode, releases[release], 0x05]) + frame(b"\x00" + mc_string("fuzz")))
    frames.add(bytes([0, 0, 0, 1]) + b"\xfe\x01\xfa" + b"\x00" * 20)  # legacy ping
    frames.add(bytes([3, 4, 64, 2]) + b"\x03\x00\x01\x02" + b"\x00\x00\x00")

    total = 0
    for d, _, files in os.walk(CORPUS):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    print("corpus bytes:", total, file=sys.stderr)


if __name__ == "__main__":
    main()
