#!/usr/bin/env python3
"""Generates real TCP traffic on loopback while tcpdump records it.

Run by record_captures.sh (as root). It starts one tcpdump per requested link
type, waits until each one listens, then runs several concurrent client/server
conversations over 127.0.0.1 and ::1 and writes every byte each side sent to a
sidecar file, so the capture-reading tests can check that reassembly returns
exactly those bytes.

Sidecar format (binary, one record per connection, in client-port order):
  "flow <family 4|6> <client_port> <server_port> <c2s_len> <s2c_len> <close>\n"
  followed by the c2s bytes and then the s2c bytes.
<close> is client_fin, server_fin, rst or open (still open when tcpdump stops).

The bytes come from random.Random(connection index), so a rerun sends the same
contents; ports and timings differ from run to run.
"""

import argparse
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

PORT_V4 = 47611
PORT_V6 = 47612

# (family, close kind, client MSS or 0, rounds)
CONNECTIONS = [
    (4, "client_fin", 536, 6),
    (4, "server_fin", 0, 5),
    (4, "rst", 700, 4),
    (4, "open", 536, 3),
    (6, "client_fin", 536, 6),
    (6, "server_fin", 0, 4),
    (6, "rst", 600, 3),
]


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed early")
        buf += chunk
    return bytes(buf)


def recv_until_eof(sock):
    while sock.recv(65536):
        pass


class Log:
    """What each side of one connection sent, in order."""

    def __init__(self):
        self.c2s = bytearray()
        self.s2c = bytearray()


def message(rng, lo, hi):
    n = rng.randint(lo, hi)
    return struct.pack(">I", n) + rng.randbytes(n)


def serve_one(conn, logs, lock):
    # The client's first 4 bytes name the connection index, which fixes the
    # server's script too.
    hdr = recv_exact(conn, 4)
    index = struct.unpack(">I", hdr)[0]
    family, close, _mss, rounds = CONNECTIONS[index]
    rng = random.Random(1000 + index)
    sent = bytearray()
    for r in range(rounds):
        n = struct.unpack(">I", recv_exact(conn, 4))[0]
        recv_exact(conn, n)
        reply = message(rng, 1, 1400)
        if r == 1:
            # Two replies back to back, and an unsolicited push.
            reply += message(rng, 1, 300)
        conn.sendall(reply)
        sent += reply
    if close == "server_fin":
        tail = message(rng, 100, 900)
        conn.sendall(tail)
        sent += tail
        with lock:
            logs[index].s2c = sent
        conn.shutdown(socket.SHUT_WR)
        recv_until_eof(conn)
        conn.close()
        return
    with lock:
        logs[index].s2c = sent
    try:
        recv_until_eof(conn)
    except ConnectionResetError:
        pass
    conn.close()


def server(listener, logs, lock):
    threads = []
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            break
        t = threading.Thread(target=serve_one, args=(conn, logs, lock), daemon=True)
        t.start()
        threads.append(t)


def client(index, logs, lock, lingering, ports):
    family, close, mss, rounds = CONNECTIONS[index]
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    host = "127.0.0.1" if family == 4 else "::1"
    sock = socket.socket(af, socket.SOCK_STREAM)
    if mss:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    sock.connect((host, PORT_V4 if family == 4 else PORT_V6))
    ports[index] = sock.getsockname()[1]
    rng = random.Random(index)
    sent = bytearray(struct.pack(">I", index))
    sock.sendall(sent)
    for r in range(rounds):
        msg = message(rng, 1, 2500 if r % 2 == 0 else 200)
        sock.sendall(msg)
        sent += msg
        n = struct.unpack(">I", recv_exact(sock, 4))[0]
        recv_exact(sock, n)
        if r == 1:
            n = struct.unpack(">I", recv_exact(sock, 4))[0]
            recv_exact(sock, n)
    with lock:
        logs[index].c2s = sent
    if close == "client_fin":
        sock.shutdown(socket.SHUT_WR)
        recv_until_eof(sock)
        sock.close()
    elif close == "server_fin":
        n = struct.unpack(">I", recv_exact(sock, 4))[0]
        recv_exact(sock, n)
        recv_until_eof(sock)
        sock.close()
    elif close == "rst":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    else:
        lingering.append(sock)


def start_tcpdump(out, iface, extra):
    filt = f"tcp port {PORT_V4} or tcp port {PORT_V6}"
    cmd = ["tcpdump", "-i", iface, "-B", "16384", "-U", "-n", "-w", out] + extra + [filt]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    seen = ""
    while True:
        line = proc.stderr.readline()
        seen += line
        if "listening on" in line:
            return proc
        if not line:
            raise RuntimeError(f"tcpdump did not start: {seen}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sidecar", required=True)
    ap.add_argument("--dump", action="append", default=[], metavar="FILE,IFACE[,FLAGS]",
                    help="tcpdump output file, interface and extra flags (space separated)")
    args = ap.parse_args()

    dumps = []
    try:
        for spec in args.dump:
            out, iface, *flags = spec.split(",", 2)
            dumps.append(start_tcpdump(out, iface, flags[0].split() if flags else []))
        time.sleep(0.3)
        run_traffic(args.sidecar, dumps)
    finally:
        for p in dumps:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                p.wait(timeout=10)


def run_traffic(sidecar, dumps):

    logs = [Log() for _ in CONNECTIONS]
    lock = threading.Lock()
    listeners = []
    for af, host, port in ((socket.AF_INET, "127.0.0.1", PORT_V4), (socket.AF_INET6, "::1", PORT_V6)):
        s = socket.socket(af, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(16)
        threading.Thread(target=server, args=(s, logs, lock), daemon=True).start()
        listeners.append(s)

    lingering = []
    ports = [0] * len(CONNECTIONS)
    clients = [threading.Thread(target=client, args=(i, logs, lock, lingering, ports))
               for i in range(len(CONNECTIONS))]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    # Let the final FIN/ACK/RST exchanges reach the capture, and let
    # TPACKET_V3's 1 s block timeout hand the last block to tcpdump.
    time.sleep(2.5)

    for p in dumps:
        p.send_signal(signal.SIGINT)
    for p in dumps:
        p.wait(timeout=10)
        report = p.stderr.read()
        sys.stderr.write(report)
        for line in report.splitlines():
            if line.endswith("packets dropped by kernel") and not line.startswith("0 "):
                raise RuntimeError("tcpdump dropped packets; rerun")
    for s in lingering:
        s.close()
    for s in listeners:
        s.close()

    with open(sidecar, "wb") as f:
        for i in sorted(range(len(CONNECTIONS)), key=lambda k: ports[k]):
            family, close, _mss, _rounds = CONNECTIONS[i]
            server_port = PORT_V4 if family == 4 else PORT_V6
            f.write(f"flow {family} {ports[i]} {server_port} {len(logs[i].c2s)} "
                    f"{len(logs[i].s2c)} {close}\n".encode())
            f.write(logs[i].c2s)
            f.write(logs[i].s2c)


if __name__ == "__main__":
    main()
