// Throughput of the capture-reading layer: libpcap file reading + frame
// decoding + TCP reassembly into a sink that only counts (what the replay
// tool does with the bytes is measured by its own benchmark).
// Prints packets/s and MB/s (captured frame bytes) for one core.
//
//   rustguard_capture_bench FILE... [--repeat N]
//       reads each file N times (a fresh reassembler per pass)
//   rustguard_capture_bench --synthesize OUT.pcap [--flows F] [--packets P] [--repeat N]
//       first writes a synthetic Ethernet capture shaped like game traffic
//       (small segments both ways, pure ACKs, ~1% reordered and ~1%
//       retransmitted), then reads it

#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "replay/capture_feed.hpp"

namespace {

using namespace rustguard::replay;

class CountingSink final : public StreamSink {
 public:
  void on_data(const FlowInfo&, Direction, std::span<const std::uint8_t> bytes, std::int64_t) override {
    sum_ = sum_ * 31 + bytes.front() + bytes.back();
    bytes_ += bytes.size();
  }
  std::uint64_t bytes_ = 0;
  std::uint64_t sum_ = 0;
};

struct Rng {
  std::uint64_t s = 0x243F6A8885A308D3ull;
  std::uint32_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<std::uint32_t>(s >> 16);
  }
};

void put16(std::vector<std::uint8_t>& f, std::size_t at, std::uint32_t v) {
  f[at] = static_cast<std::uint8_t>(v >> 8);
  f[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& f, std::size_t at, std::uint32_t v) {
  put16(f, at, v >> 16);
  put16(f, at + 2, v & 0xFFFF);
}

struct SynthFlow {
  std::uint16_t client_port;
  std::uint32_t seq[2];
  int stage = 0;
};

// Ethernet + IPv4 + TCP (with a 12-byte timestamp option, as Linux sends).
std::vector<std::uint8_t> frame(const SynthFlow& fl, int dir, std::uint8_t flags, std::uint32_t seq,
                                std::uint32_t ack, std::size_t payload, Rng& rng) {
  std::vector<std::uint8_t> f(14 + 20 + 32 + payload, 0);
  put16(f, 12, 0x0800);
  f[14] = 0x45;
  put16(f, 16, static_cast<std::uint32_t>(20 + 32 + payload));
  f[22] = 64;
  f[23] = 6;
  const std::uint32_t client_ip = 0x0A000002, server_ip = 0x0A000001;
  put32(f, 26, dir == 0 ? client_ip : server_ip);
  put32(f, 30, dir == 0 ? server_ip : client_ip);
  put16(f, 34, dir == 0 ? fl.client_port : 25565);
  put16(f, 36, dir == 0 ? 25565 : fl.client_port);
  put32(f, 38, seq);
  put32(f, 42, ack);
  f[46] = 8 << 4;
  f[47] = flags;
  put16(f, 48, 512);
  f[54] = 1;
  f[55] = 1;
  f[56] = 8;
  f[57] = 10;
  for (std::size_t i = 0; i < payload; ++i) f[66 + i] = static_cast<std::uint8_t>(rng.next());
  return f;
}

bool synthesize(const char* path, int flows, long packets) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* out = pcap_dump_open(dead, path);
  if (out == nullptr) {
    std::fprintf(stderr, "%s\n", pcap_geterr(dead));
    pcap_close(dead);
    return false;
  }
  Rng rng;
  std::vector<SynthFlow> fl(static_cast<std::size_t>(flows));
  for (int i = 0; i < flows; ++i) {
    fl[static_cast<std::size_t>(i)].client_port = static_cast<std::uint16_t>(40000 + i);
    fl[static_cast<std::size_t>(i)].seq[0] = rng.next();
    fl[static_cast<std::size_t>(i)].seq[1] = rng.next();
  }
  long written = 0;
  std::int64_t t_us = 1'700'000'000'000'000;
  auto dump = [&](const std::vector<std::uint8_t>& f) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(t_us / 1'000'000);
    h.ts.tv_usec = static_cast<suseconds_t>(t_us % 1'000'000);
    h.caplen = h.len = static_cast<bpf_u_int32>(f.size());
    pcap_dump(reinterpret_cast<u_char*>(out), &h, f.data());
    ++written;
    t_us += 3;
  };
  std::vector<std::uint8_t> held;  // a segment delayed to create reordering
  while (written < packets) {
    SynthFlow& s = fl[rng.next() % fl.size()];
    using namespace rustguard::replay::tcp_flag;
    if (s.stage == 0) {
      dump(frame(s, 0, syn, s.seq[0]++, 0, 0, rng));
      dump(frame(s, 1, syn | ack, s.seq[1]++, s.seq[0], 0, rng));
      dump(frame(s, 0, ack, s.seq[0], s.seq[1], 0, rng));
      s.stage = 1;
      continue;
    }
    const int dir = static_cast<int>(rng.next() & 1);
    const std::size_t len = 10 + rng.next() % 290;
    auto f = frame(s, dir, psh | ack, s.seq[dir], s.seq[1 - dir], len, rng);
    s.seq[dir] += static_cast<std::uint32_t>(len);
    const std::uint32_t roll = rng.next() % 100;
    if (roll == 0 && held.empty()) {
      held = std::move(f);  // sent after the next segment of the run
      continue;
    }
    dump(f);
    if (roll == 1) dump(f);  // retransmission
    if (!held.empty()) {
      dump(held);
      held.clear();
    }
    dump(frame(s, 1 - dir, ack, s.seq[1 - dir], s.seq[dir], 0, rng));
  }
  pcap_dump_close(out);
  pcap_close(dead);
  std::printf("synthesized %ld packets in %d flows to %s\n", written, flows, path);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  int repeat = 1, flows = 200;
  long packets = 2'000'000;
  const char* synth = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (a == "--flows" && i + 1 < argc) flows = std::atoi(argv[++i]);
    else if (a == "--packets" && i + 1 < argc) packets = std::atol(argv[++i]);
    else if (a == "--synthesize" && i + 1 < argc) synth = argv[++i];
    else files.push_back(a);
  }
  if (synth != nullptr) {
    if (!synthesize(synth, flows, packets)) return 1;
    files.push_back(synth);
  }
  if (files.empty() || repeat < 1 || flows < 1) {
    std::fprintf(stderr, "usage: %s FILE... [--repeat N] | --synthesize OUT [--flows F] [--packets P]\n", argv[0]);
    return 2;
  }

  CaptureStats total;
  std::uint64_t delivered = 0, checksum = 0, flows_seen = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < repeat; ++pass) {
    for (const std::string& path : files) {
      CountingSink sink;
      TcpReassembler reassembler{sink};
      CaptureReader reader{path};
      CaptureStats stats;
      if (const std::string err = feed_capture(reader, reassembler, stats); !err.empty()) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
      }
      reassembler.finish(0);
      total += stats;
      delivered += sink.bytes_;
      checksum += sink.sum_;
      flows_seen += reassembler.stats().flows;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("frames %llu  tcp %llu  flows %llu  payload delivered %llu B  (checksum %016llx)\n",
              static_cast<unsigned long long>(total.frames), static_cast<unsigned long long>(total.tcp_segments),
              static_cast<unsigned long long>(flows_seen), static_cast<unsigned long long>(delivered),
              static_cast<unsigned long long>(checksum));
  std::printf("%.3f s  %.2f Mpackets/s  %.1f MB/s (frame bytes)  %.1f MB/s (payload)\n", secs,
              static_cast<double>(total.frames) / secs / 1e6, static_cast<double>(total.bytes) / secs / 1e6,
              static_cast<double>(delivered) / secs / 1e6);
  return 0;
}
