#pragma once
// Reads the frames of a pcap or pcapng file through libpcap, with capture
// timestamps in nanoseconds (libpcap scales microsecond files up, and pcapng
// files of any if_tsresol, to the precision asked for).
//
// This is the adapter between files and the pure decoding/reassembly layers:
// it owns the pcap_t and nothing else. A file that cannot be opened, or whose
// link type the decoder does not know, leaves the reader !ok() with a message;
// a file cut off mid-record ends with Next::error and the frames before the
// cut are still delivered.

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "packet_headers.hpp"

namespace rustguard::replay {

struct CaptureFrame {
  std::int64_t time_ns = 0;
  std::uint32_t original_length = 0;    // on the wire; more than bytes.size() if snapped
  std::span<const std::uint8_t> bytes;  // valid until the next call to next()
};

class CaptureReader {
 public:
  enum class Next : std::uint8_t { frame, end, error };

  explicit CaptureReader(const std::string& path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // libpcap reads each record with two small freads; a large stdio buffer
    // keeps that from turning into a read() per few packets.
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
      error_ = path + ": " + std::strerror(errno);
      return;
    }
    std::setvbuf(file, nullptr, _IOFBF, kReadBufferBytes);
    pcap_ = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (pcap_ == nullptr) {  // on failure the file is still ours to close
      std::fclose(file);
      error_ = path + ": " + errbuf;
      return;
    }
    link_type_ = pcap_datalink(pcap_);
    if (!is_supported_link_type(link_type_)) {
      const char* name = pcap_datalink_val_to_name(link_type_);
      error_ = path + ": unsupported link type " + std::to_string(link_type_) + (name ? std::string{" ("} + name + ")" : "");
      pcap_close(pcap_);
      pcap_ = nullptr;
    }
  }
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;
  CaptureReader(CaptureReader&& o) noexcept
      : pcap_(std::exchange(o.pcap_, nullptr)), link_type_(o.link_type_), error_(std::move(o.error_)) {}
  CaptureReader& operator=(CaptureReader&& o) noexcept {
    if (this != &o) {
      close();
      pcap_ = std::exchange(o.pcap_, nullptr);
      link_type_ = o.link_type_;
      error_ = std::move(o.error_);
    }
    return *this;
  }
  ~CaptureReader() { close(); }

  bool ok() const noexcept { return pcap_ != nullptr; }
  const std::string& error() const noexcept { return error_; }
  int link_type() const noexcept { return link_type_; }

  Next next(CaptureFrame& out) {
    if (pcap_ == nullptr) return Next::error;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    switch (pcap_next_ex(pcap_, &header, &data)) {
      case 1:
        // With nanosecond precision libpcap puts nanoseconds in tv_usec.
        out.time_ns = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                      static_cast<std::int64_t>(header->ts.tv_usec);
        out.original_length = header->len;
        out.bytes = {data, header->caplen};
        return Next::frame;
      case PCAP_ERROR_BREAK:
        return Next::end;
      default:
        error_ = pcap_geterr(pcap_);
        return Next::error;
    }
  }

 private:
  void close() noexcept {
    if (pcap_ != nullptr) pcap_close(pcap_);
    pcap_ = nullptr;
  }

  static constexpr std::size_t kReadBufferBytes = std::size_t{1} << 20;

  pcap_t* pcap_ = nullptr;
  int link_type_ = -1;
  std::string error_;
};

}  // namespace rustguard::replay
