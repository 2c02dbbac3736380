// Webhooks (tools/proxy/webhook_message.hpp, webhook_sender.hpp): the JSON
// bodies, parsed back with a small JSON reader written here, and the sender
// against a real HTTPS server on 127.0.0.1, also written here with OpenSSL
// and a plain socket on a thread of its own so that it can record each POST
// (with its arrival time) and answer 429, 500 or nothing at all on demand.
// Its certificate is self-signed, made by the openssl command at test time
// and trusted through the sender's ca_file: TLS verification stays on.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "../../tools/proxy/webhook_message.hpp"
#include "../../tools/proxy/webhook_sender.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace webhook_test {

using namespace rustguard::proxy;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// ---- a small JSON reader -------------------------------------------------

struct Json {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  // An object's members: keys[i] names items[i] (a vector of pairs would
  // need Json complete here, and libstdc++ under clang insists).
  std::vector<std::string> keys;

  const Json& operator[](std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return items[i];
    }
    throw std::runtime_error("no key " + std::string(key));
  }
  const Json& operator[](std::size_t i) const { return items.at(i); }
  bool has(std::string_view key) const {
    for (const auto& k : keys) {
      if (k == key) return true;
    }
    return false;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view in) : in_(in) {}

  // Throws on anything that is not one complete JSON value.
  Json document() {
    Json v = value();
    space();
    if (at_ != in_.size()) fail("trailing bytes");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("JSON: " + why + " at " + std::to_string(at_));
  }
  void space() {
    while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\n' || in_[at_] == '\r' || in_[at_] == '\t')) ++at_;
  }
  char next() {
    if (at_ >= in_.size()) fail("end of input");
    return in_[at_++];
  }
  void expect(std::string_view word) {
    if (in_.substr(at_, word.size()) != word) fail("expected " + std::string(word));
    at_ += word.size();
  }
  Json value() {
    space();
    if (at_ >= in_.size()) fail("end of input");
    Json v;
    const char c = in_[at_];
    if (c == '{') {
      v.kind = Json::Kind::object;
      ++at_;
      space();
      if (at_ < in_.size() && in_[at_] == '}') {
        ++at_;
        return v;
      }
      for (;;) {
        space();
        if (next() != '"') fail("expected a key");
        std::string key = string_body();
        space();
        if (next() != ':') fail("expected :");
        v.keys.push_back(std::move(key));
        v.items.push_back(value());
        space();
        const char sep = next();
        if (sep == '}') return v;
        if (sep != ',') fail("expected , or }");
      }
    }
    if (c == '[') {
      v.kind = Json::Kind::array;
      ++at_;
      space();
      if (at_ < in_.size() && in_[at_] == ']') {
        ++at_;
        return v;
      }
      for (;;) {
        v.items.push_back(value());
        space();
        const char sep = next();
        if (sep == ']') return v;
        if (sep != ',') fail("expected , or ]");
      }
    }
    if (c == '"') {
      ++at_;
      v.kind = Json::Kind::string;
      v.text = string_body();
      return v;
    }
    if (c == 't') {
      expect("true");
      v.kind = Json::Kind::boolean;
      v.boolean = true;
      return v;
    }
    if (c == 'f') {
      expect("false");
      v.kind = Json::Kind::boolean;
      return v;
    }
    if (c == 'n') {
      expect("null");
      return v;
    }
    const std::size_t start = at_;
    while (at_ < in_.size() && std::string_view("+-0123456789.eE").find(in_[at_]) != std::string_view::npos) ++at_;
    if (start == at_) fail("unexpected character");
    v.kind = Json::Kind::number;
    v.number = std::stod(std::string(in_.substr(start, at_ - start)));
    return v;
  }
  unsigned hex4() {
    unsigned u = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = next();
      u <<= 4;
      if (h >= '0' && h <= '9') u |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') u |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') u |= static_cast<unsigned>(h - 'A' + 10);
      else fail("bad \\u escape");
    }
    return u;
  }
  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  // After the opening quote; a raw control character is an error, as in JSON.
  std::string string_body() {
    std::string out;
    for (;;) {
      const char c = next();
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("raw control character in a string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char e = next();
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            expect("\\u");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4() - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  std::string_view in_;
  std::size_t at_ = 0;
};

Json parse(std::string_view text) { return JsonReader(text).document(); }

std::string field_value(const Json& embed, std::string_view name) {
  for (const Json& f : embed["fields"].items) {
    if (f["name"].text == name) return f["value"].text;
  }
  return "<none>";
}

webhook::Alert sample_alert() {
  webhook::Alert a;
  a.player = "Steve";
  a.uuid = "069a79f4-44e9-4726-a5be-fca90e38aaf5";
  a.address = "203.0.113.7:51234";
  a.check = "speed";
  a.type = "A";
  a.vl = 12.5;
  a.detail = "moved 0.91 b/t, limit 0.29";
  a.ping_ms = 45;
  a.version = "1.21.4";
  a.server = "lobby";
  a.at = std::chrono::system_clock::time_point(std::chrono::seconds(1796126285)) + 123ms;  // 2026-12-01T11:58:05.123Z
  return a;
}

// ---- an HTTPS server -----------------------------------------------------

// A self-signed certificate for 127.0.0.1, made once per test run.
struct TlsFiles {
  std::filesystem::path dir;
  std::string cert;
  std::string key;

  static const TlsFiles& get() {
    static const TlsFiles files = [] {
      TlsFiles f;
      char pattern[] = "/tmp/rustguard-webhook-XXXXXX";
      if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
      f.dir = pattern;
      f.cert = (f.dir / "cert.pem").string();
      f.key = (f.dir / "key.pem").string();
      const std::string command =
          "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
          "-days 1 -keyout '" + f.key + "' -out '" + f.cert + "' >/dev/null 2>&1";
      if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed (is openssl installed?)");
      return f;
    }();
    return files;
  }
  ~TlsFiles() {
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

class TestHttpsServer {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::string content_type;
    std::string body;
    Clock::time_point at;
  };
  struct Response {
    int status = 204;
    std::string headers;  // extra header lines, each ending in \r\n
    std::string body;
    bool hang = false;    // read the request, never answer
  };

  explicit TestHttpsServer(std::vector<Response> script = {}) : script_(script.begin(), script.end()) {
    // A client that hangs up while we write must not end the test process.
    std::signal(SIGPIPE, SIG_IGN);
    const TlsFiles& files = TlsFiles::get();
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (!ctx_ || SSL_CTX_use_certificate_chain_file(ctx_, files.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx_, files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
      throw std::runtime_error("TLS context setup failed");
    }
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 16) != 0) {
      throw std::runtime_error("listen failed");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  TestHttpsServer(const TestHttpsServer&) = delete;
  TestHttpsServer& operator=(const TestHttpsServer&) = delete;
  ~TestHttpsServer() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(ctx_);
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/api/webhooks/42/token"; }

  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds limit) const {
    const auto until = Clock::now() + limit;
    while (Clock::now() < until) {
      if (requests().size() >= n) return true;
      std::this_thread::sleep_for(5ms);
    }
    return requests().size() >= n;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      // Short receive timeouts so that a read in progress notices stop_.
      timeval tv{0, 20000};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      serve(ssl);
      SSL_free(ssl);
      ::close(fd);
    }
  }

  // A TLS call that may time out on the socket's receive timeout: retried
  // until done or stop_. False when the connection is over.
  template <typename F>
  bool retrying(SSL* ssl, F call, int& result) {
    for (;;) {
      ERR_clear_error();
      result = call();
      if (result > 0) return true;
      const int err = SSL_get_error(ssl, result);
      if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && !stop_) continue;
      if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK) && !stop_) continue;
      return false;
    }
  }

  void serve(SSL* ssl) {
    int r = 0;
    if (!retrying(ssl, [&] { return SSL_accept(ssl); }, r)) return;
    std::string in;
    char buf[16384];
    for (;;) {
      // One request: headers, then Content-Length bytes of body.
      std::size_t head_end;
      while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
        if (!retrying(ssl, [&] { return SSL_read(ssl, buf, sizeof buf); }, r)) return;
        in.append(buf, static_cast<std::size_t>(r));
      }
      const std::string head = in.substr(0, head_end);
      Request req;
      const auto sp1 = head.find(' ');
      const auto sp2 = head.find(' ', sp1 + 1);
      req.method = head.substr(0, sp1);
      req.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
      std::size_t content_length = 0;
      std::size_t line = head.find("\r\n");
      while (line != std::string::npos) {
        const std::size_t start = line + 2;
        const std::size_t stop = head.find("\r\n", start);
        std::string header = head.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
        const auto colon = header.find(':');
        if (colon != std::string::npos) {
          std::string name = header.substr(0, colon);
          for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          std::string value = header.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          if (name == "content-length") content_length = std::stoul(value);
          if (name == "content-type") req.content_type = value;
        }
        line = stop;
      }
      while (in.size() < head_end + 4 + content_length) {
        if (!retrying(ssl, [&] { return SSL_read(ssl, buf, sizeof buf); }, r)) return;
        in.append(buf, static_cast<std::size_t>(r));
      }
      req.body = in.substr(head_end + 4, content_length);
      in.erase(0, head_end + 4 + content_length);
      req.at = Clock::now();
      Response response;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(req));
        if (!script_.empty()) {
          response = script_.front();
          script_.pop_front();
        }
      }
      if (response.hang) {
        // Until the client gives up (it closes) or the test ends.
        while (retrying(ssl, [&] { return SSL_read(ssl, buf, sizeof buf); }, r)) {
        }
        return;
      }
      const std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Test\r\nContent-Length: " +
                              std::to_string(response.body.size()) + "\r\nContent-Type: application/json\r\n" +
                              response.headers + "\r\n" + response.body;
      if (!retrying(ssl, [&] { return SSL_write(ssl, out.data(), static_cast<int>(out.size())); }, r)) return;
    }
  }

  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::deque<Response> script_;     // mutex_
  std::vector<Request> requests_;   // mutex_
  std::thread thread_;
};

WebhookSettings test_settings(const std::string& url) {
  WebhookSettings s;
  s.url = url;
  s.ca_file = TlsFiles::get().cert;
  s.interval = 150ms;
  s.timeout = 2000ms;
  s.first_backoff = 50ms;
  s.max_backoff = 200ms;
  s.max_attempts = 3;
  s.stop_grace = 500ms;
  return s;
}

template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 5000ms) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

std::uint64_t get(const std::atomic<std::uint64_t>& c) { return c.load(); }

}  // namespace

// ---- the message -----------------------------------------------------------

TEST_CASE("webhook JSON strings escape quotes, backslashes and control characters", "[webhook]") {
  CHECK(webhook::json_string("plain") == "\"plain\"");
  CHECK(webhook::json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(webhook::json_string("l1\nl2\r\t\b\f") == "\"l1\\nl2\\r\\t\\b\\f\"");
  CHECK(webhook::json_string(std::string("nul\0x\x01\x1f", 7)) == "\"nul\\u0000x\\u0001\\u001f\"");
  // Non-ASCII passes as UTF-8; bytes that are not UTF-8 become U+FFFD.
  CHECK(webhook::json_string("caf\xC3\xA9 \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  CHECK(webhook::json_string("bad\xFF\xC3") == "\"bad\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(webhook::json_string("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate
  CHECK(webhook::json_string("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong '/'
}

TEST_CASE("webhook message for one alert: an embed with every fact, parsed back", "[webhook]") {
  webhook::Alert a = sample_alert();
  a.detail = "quote \" backslash \\ newline\n tab\t ctl\x02 caf\xC3\xA9";
  webhook::MessageOptions options;
  const std::string body = webhook::alert_message(a, options);
  const Json j = parse(body);
  CHECK(j["username"].text == "RustGuard");
  CHECK(!j.has("content"));
  CHECK(j["allowed_mentions"]["parse"].items.empty());
  REQUIRE(j["embeds"].items.size() == 1);
  const Json& e = j["embeds"][0];
  CHECK(e["title"].text == "Steve failed speed (A)");
  // The detail's backslash is escaped as markdown too (the JSON escapes come back out in parse).
  CHECK(e["description"].text == "quote \" backslash \\\\ newline\n tab\t ctl\x02 caf\xC3\xA9");
  CHECK(e["timestamp"].text == "2026-12-01T11:58:05.123Z");
  CHECK(e["footer"]["text"].text == "RustGuard");
  CHECK(field_value(e, "Check") == "speed");
  CHECK(field_value(e, "Type") == "A");
  CHECK(field_value(e, "VL") == "12.5");
  CHECK(field_value(e, "Player") == "Steve");
  CHECK(field_value(e, "UUID") == a.uuid);
  CHECK(field_value(e, "Address") == "203.0.113.7:51234");
  CHECK(field_value(e, "Ping") == "45 ms");
  CHECK(field_value(e, "Version") == "1.21.4");
  CHECK(field_value(e, "Server") == "lobby");
}

TEST_CASE("webhook message leaves the address out when asked", "[webhook]") {
  webhook::MessageOptions options;
  options.include_addresses = false;
  options.content = "<@&123> alert";
  const std::string body = webhook::alert_message(sample_alert(), options);
  CHECK(body.find("203.0.113.7") == std::string::npos);
  const Json j = parse(body);
  CHECK(field_value(j["embeds"][0], "Address") == "<none>");
  CHECK(j["content"].text == "<@&123> alert");
  CHECK(j["allowed_mentions"]["parse"].items.empty());
}

TEST_CASE("webhook message for a batch lists each check with its count", "[webhook]") {
  webhook::PlayerBatch batch;
  for (int i = 0; i < 3; ++i) {
    webhook::Alert a = sample_alert();
    a.vl = 5 + i;
    a.detail = "speed " + std::to_string(i);
    batch.add(a);
  }
  for (int i = 0; i < 2; ++i) {
    webhook::Alert a = sample_alert();
    a.check = "fly";
    a.type = "B";
    a.vl = 2;
    a.detail = "hover " + std::to_string(i);
    a.ping_ms = 80;
    batch.add(a);
  }
  webhook::MessageOptions options;
  options.interval = 10s;
  const Json e = parse(webhook::batch_message(batch, options))["embeds"][0];
  CHECK(e["title"].text == "Steve: 5 alerts in 10 s");
  CHECK(e["description"].text ==
        "**speed (A)** \xC3\x97" "3, VL 7 \xE2\x80\x94 speed 2\n"
        "**fly (B)** \xC3\x97" "2, VL 2 \xE2\x80\x94 hover 1");
  CHECK(field_value(e, "Alerts") == "5");
  CHECK(field_value(e, "Checks") == "2");
  CHECK(field_value(e, "Ping") == "80 ms");  // the latest alert's
}

TEST_CASE("webhook markdown escaping: every markdown character, line starts, mentions", "[webhook]") {
  const std::string zwsp = "\xE2\x80\x8B";
  CHECK(webhook::escape_markdown("Steve") == "Steve");
  CHECK(webhook::escape_markdown("__x__") == "\\_\\_x\\_\\_");
  CHECK(webhook::escape_markdown("a\\b*c_d~e`f|g>h<i[j]k") == "a\\\\b\\*c\\_d\\~e\\`f\\|g\\>h\\<i\\[j\\]k");
  CHECK(webhook::escape_markdown("||spoiler||") == "\\|\\|spoiler\\|\\|");
  CHECK(webhook::escape_markdown("```code```") == "\\`\\`\\`code\\`\\`\\`");
  CHECK(webhook::escape_markdown("[click](https://evil.example)") == "\\[click\\](https://evil.example)");
  // # and - only where they start a line (a heading, a list item), indented or not.
  CHECK(webhook::escape_markdown("# big\n  - item\nvl -0.5 #3") == "\\# big\n  \\- item\nvl -0.5 #3");
  CHECK(webhook::escape_markdown("> quoted") == "\\> quoted");
  // Mentions: a zero-width space after every '@'; <@id> and <@&role> lose their '<' too.
  CHECK(webhook::escape_markdown("@everyone @here") == "@" + zwsp + "everyone @" + zwsp + "here");
  CHECK(webhook::escape_markdown("<@&123>") == "\\<@" + zwsp + "&123\\>");
  // UTF-8 passes through untouched.
  CHECK(webhook::escape_markdown("caf\xC3\xA9 \xF0\x9F\x98\x80_") == "caf\xC3\xA9 \xF0\x9F\x98\x80\\_");
}

TEST_CASE("webhook message escapes the player's name and the details, not its own markup", "[webhook]") {
  const std::string zwsp = "\xE2\x80\x8B";
  webhook::Alert a = sample_alert();
  a.player = "__evil*_";
  a.detail = "@everyone look at [this](https://x.example) `now`";
  webhook::MessageOptions options;
  options.content = "<@&123> alert";  // the operator's own mention stays as written
  const Json j = parse(webhook::alert_message(a, options));
  CHECK(j["content"].text == "<@&123> alert");
  CHECK(j["allowed_mentions"]["parse"].items.empty());
  const Json& e = j["embeds"][0];
  CHECK(e["title"].text == "\\_\\_evil\\*\\_ failed speed (A)");
  CHECK(field_value(e, "Player") == "\\_\\_evil\\*\\_");
  CHECK(e["description"].text == "@" + zwsp + "everyone look at \\[this\\](https://x.example) \\`now\\`");
  CHECK(field_value(e, "Check") == "speed");  // our own texts are not escaped

  // A batch: the title's name and each last detail escaped, the check names in bold as before.
  webhook::PlayerBatch batch;
  batch.add(a);
  a.check = "fly";
  a.type = "";
  a.detail = "> @here";
  batch.add(a);
  const Json b = parse(webhook::batch_message(batch, options))["embeds"][0];
  CHECK(b["title"].text == "\\_\\_evil\\*\\_: 2 alerts");
  CHECK(b["description"].text ==
        "**speed (A)** \xC3\x97" "1, VL 12.5 \xE2\x80\x94 @" + zwsp + "everyone look at \\[this\\](https://x.example) \\`now\\`\n"
        "**fly** \xC3\x97" "1, VL 12.5 \xE2\x80\x94 \\> @" + zwsp + "here");
  CHECK(field_value(b, "Player") == "\\_\\_evil\\*\\_");
}

TEST_CASE("webhook message keeps within Discord's limits", "[webhook]") {
  SECTION("title, description and field counts are cut with an ellipsis") {
    webhook::Embed e;
    e.title = std::string(300, 't');
    e.description = std::string(5000, 'd');
    for (int i = 0; i < 30; ++i) e.fields.push_back({"f" + std::to_string(i), "v", true});
    const Json j = parse(webhook::embed_json(e));
    CHECK(j["title"].text == std::string(255, 't') + "\xE2\x80\xA6");
    CHECK(j["description"].text == std::string(4095, 'd') + "\xE2\x80\xA6");
    REQUIRE(j["fields"].items.size() == 25);
    CHECK(j["fields"][23]["name"].text == "f23");
    CHECK(j["fields"][24]["value"].text == "6 more fields left out");
  }
  SECTION("a character outside the BMP counts as two, and is never split") {
    webhook::Embed e;
    std::string title;
    for (int i = 0; i < 200; ++i) title += "\xF0\x9F\x98\x80";  // 400 UTF-16 units
    e.title = title;
    const std::string t = parse(webhook::embed_json(e))["title"].text;
    CHECK(webhook::utf16_length(t) <= 256);
    CHECK(t == [] {
      std::string s;
      for (int i = 0; i < 127; ++i) s += "\xF0\x9F\x98\x80";
      return s + "\xE2\x80\xA6";
    }());
  }
  SECTION("the whole embed stays within 6000") {
    webhook::Embed e;
    e.title = "t";
    e.description = std::string(5000, 'd');
    for (int i = 0; i < 10; ++i) e.fields.push_back({"name", std::string(2000, 'v'), true});
    const Json j = parse(webhook::embed_json(e));
    std::size_t total = webhook::utf16_length(j["title"].text);
    if (j.has("description")) total += webhook::utf16_length(j["description"].text);
    for (const Json& f : j["fields"].items) {
      CHECK(webhook::utf16_length(f["value"].text) <= 1024);
      total += webhook::utf16_length(f["name"].text) + webhook::utf16_length(f["value"].text);
    }
    CHECK(total <= 6000);
    CHECK(j["fields"][0]["value"].text == std::string(1023, 'v') + "\xE2\x80\xA6");
  }
}

TEST_CASE("webhook 429 wait comes from Retry-After or the body's retry_after", "[webhook]") {
  CHECK(webhook_detail::parse_seconds(" 1\r\n") == 1000ms);
  CHECK(webhook_detail::parse_seconds("0.35") == 350ms);
  CHECK(webhook_detail::parse_seconds("soon") == -1ms);
  CHECK(webhook_detail::body_retry_after(R"({"message": "You are being rate limited.", "retry_after": 0.25, "global": false})") ==
        250ms);
  CHECK(webhook_detail::body_retry_after("{}") == -1ms);
}

// ---- the sender against a real HTTPS server ---------------------------------

TEST_CASE("webhook sender posts one alert as JSON over HTTPS", "[webhook]") {
  TestHttpsServer server;
  WebhookSender sender(test_settings(server.url()));
  CHECK(sender.submit(sample_alert()));
  REQUIRE(server.wait_for_requests(1, 5000ms));
  REQUIRE(eventually([&] { return get(sender.counters().sent) == 1; }));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/api/webhooks/42/token");
  CHECK(requests[0].content_type == "application/json");
  const Json e = parse(requests[0].body)["embeds"][0];
  CHECK(e["title"].text == "Steve failed speed (A)");
  CHECK(field_value(e, "Address") == "203.0.113.7:51234");
  CHECK(get(sender.counters().alerts_sent) == 1);
  CHECK(get(sender.counters().failed) == 0);
  CHECK(get(sender.counters().retried) == 0);
  CHECK(eventually([&] { return get(sender.counters().waiting) == 0; }));
}

TEST_CASE("webhook sender gathers a player's alerts in one message per interval", "[webhook]") {
  TestHttpsServer server;
  WebhookSettings settings = test_settings(server.url());
  settings.interval = 400ms;
  settings.include_addresses = false;
  WebhookSender sender(settings);
  for (int i = 0; i < 5; ++i) {
    webhook::Alert a = sample_alert();
    if (i >= 3) a.check = "fly";
    CHECK(sender.submit(a));
  }
  webhook::Alert other = sample_alert();
  other.player = "Alex";
  other.uuid = "ec561538-f3fd-461d-aff5-086b22154bce";
  CHECK(sender.submit(other));
  REQUIRE(eventually([&] { return get(sender.counters().sent) == 2; }));
  std::this_thread::sleep_for(200ms);  // nothing more comes
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  bool saw_steve = false;
  for (const auto& r : requests) {
    CHECK(r.body.find("203.0.113.7") == std::string::npos);
    const Json e = parse(r.body)["embeds"][0];
    if (e["title"].text == "Steve: 5 alerts in 0.4 s") {
      saw_steve = true;
      CHECK(field_value(e, "Alerts") == "5");
      CHECK(e["description"].text.find("**speed (A)** \xC3\x97" "3") != std::string::npos);
      CHECK(e["description"].text.find("**fly (A)** \xC3\x97" "2") != std::string::npos);
    } else {
      CHECK(e["title"].text == "Alex failed speed (A)");
    }
  }
  CHECK(saw_steve);
  CHECK(get(sender.counters().alerts_sent) == 6);
}

TEST_CASE("webhook sender waits for Retry-After after a 429", "[webhook]") {
  TestHttpsServer server({{429, "Retry-After: 1\r\n", R"({"retry_after": 1.0, "global": false})", false}});
  WebhookSender sender(test_settings(server.url()));
  CHECK(sender.submit(sample_alert()));
  REQUIRE(eventually([&] { return get(sender.counters().sent) == 1; }, 5000ms));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].at - requests[0].at >= 900ms);
  CHECK(requests[1].body == requests[0].body);
  CHECK(get(sender.counters().rate_limited) == 1);
  CHECK(get(sender.counters().retried) == 1);
  CHECK(get(sender.counters().failed) == 0);
}

TEST_CASE("webhook sender retries 5xx with backoff", "[webhook]") {
  TestHttpsServer server({{500, "", "", false}, {503, "", "", false}});
  WebhookSender sender(test_settings(server.url()));
  CHECK(sender.submit(sample_alert()));
  REQUIRE(eventually([&] { return get(sender.counters().sent) == 1; }));
  const auto requests = server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].at - requests[0].at >= 45ms);   // first_backoff
  CHECK(requests[2].at - requests[1].at >= 95ms);   // doubled
  CHECK(get(sender.counters().retried) == 2);
  CHECK(get(sender.counters().failed) == 0);
}

TEST_CASE("webhook sender gives up after max_attempts when the server is down", "[webhook]") {
  std::uint16_t closed_port = 0;
  {
    // A port that was free a moment ago and has no listener now.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    closed_port = ntohs(addr.sin_port);
    ::close(fd);
  }
  std::mutex log_mutex;
  std::vector<std::string> lines;
  WebhookSender sender(test_settings("https://127.0.0.1:" + std::to_string(closed_port) + "/hook"),
                       [&](std::string_view line) {
                         std::lock_guard lock(log_mutex);
                         lines.emplace_back(line);
                       });
  CHECK(sender.submit(sample_alert()));
  REQUIRE(eventually([&] { return get(sender.counters().failed) == 1; }));
  CHECK(get(sender.counters().sent) == 0);
  CHECK(get(sender.counters().retried) == 2);  // 3 attempts
  CHECK(get(sender.counters().alerts_failed) == 1);
  CHECK(eventually([&] { return get(sender.counters().waiting) == 0; }));
  std::lock_guard lock(log_mutex);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("after 3 attempts") != std::string::npos);
}

TEST_CASE("webhook sender times out a hanging server and submit never blocks", "[webhook]") {
  TestHttpsServer server({{0, "", "", true}});
  WebhookSettings settings = test_settings(server.url());
  settings.timeout = 600ms;
  settings.max_attempts = 1;
  settings.interval = 50ms;
  settings.stop_grace = 300ms;
  WebhookSender sender(settings);
  const auto start = Clock::now();
  CHECK(sender.submit(sample_alert()));
  REQUIRE(server.wait_for_requests(1, 3000ms));
  // The POST hangs now: submits only queue.
  auto slowest = Clock::duration::zero();
  for (int i = 0; i < 100; ++i) {
    const auto t0 = Clock::now();
    CHECK(sender.submit(sample_alert()));
    slowest = std::max(slowest, Clock::now() - t0);
  }
  CHECK(slowest < 20ms);
  REQUIRE(eventually([&] { return get(sender.counters().failed) == 1; }, 5000ms));
  CHECK(Clock::now() - start >= 550ms);
  CHECK(get(sender.counters().alerts_failed) == 1);
  // The next message (the 100 gathered meanwhile) goes to the answering server.
  REQUIRE(eventually([&] { return get(sender.counters().sent) == 1; }, 5000ms));
  CHECK(get(sender.counters().alerts_sent) == 100);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("webhook sender refuses alerts past its capacity and posts the rest at stop", "[webhook]") {
  TestHttpsServer server;
  WebhookSettings settings = test_settings(server.url());
  settings.queue_capacity = 3;
  settings.interval = 60s;  // nothing goes before the stop
  {
    WebhookSender sender(settings);
    CHECK(sender.submit(sample_alert()));
    CHECK(sender.submit(sample_alert()));
    CHECK(sender.submit(sample_alert()));
    CHECK_FALSE(sender.submit(sample_alert()));
    CHECK(get(sender.counters().dropped) == 1);
    CHECK(get(sender.counters().waiting) == 3);
    std::this_thread::sleep_for(50ms);
    CHECK(server.requests().empty());
    sender.stop();
    CHECK(get(sender.counters().sent) == 1);
    CHECK(get(sender.counters().alerts_sent) == 3);
    CHECK_FALSE(sender.submit(sample_alert()));  // stopped
    CHECK(get(sender.counters().dropped) == 2);
  }
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(parse(requests[0].body)["embeds"][0]["title"].text == "Steve: 3 alerts in 60 s");
}

}  // namespace webhook_test
