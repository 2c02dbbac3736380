// Session recordings asked for through the admin address (admin_http.hpp,
// recording_requests.hpp): GET, POST and DELETE /recordings.

#include <catch2/catch.hpp>

#include <string>

#include "../../tools/proxy/admin_http.hpp"

// Own namespace: a folder's tests compile as one unit (tests/CMakeLists.txt).
namespace recording_requests_test {

using namespace rustguard::proxy;

namespace {
std::string status_of(const std::string& response) { return response.substr(0, response.find("\r\n")); }
std::string body_of(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }
}  // namespace

TEST_CASE("admin: recordings asked for by name", "[proxy][recordings][admin]") {
  Metrics m;
  PlayerDirectory players;
  RecordingRequests requests;
  int writer_starts = 0;
  std::string writer_problem;
  AdminRecordings admin{requests, [&] {
                          ++writer_starts;
                          return writer_problem;
                        }};
  auto ask = [&](const std::string& line) { return admin_response(line + "\r\nHost: x\r\n\r\n", m, players, &admin); };

  CHECK(status_of(ask("GET /recordings HTTP/1.1")) == "HTTP/1.1 200 OK");
  CHECK(body_of(ask("GET /recordings HTTP/1.1")) == "{\"requested\":[]}\n");
  CHECK_FALSE(requests.any());

  const std::string added = ask("POST /recordings?player=Steve HTTP/1.1");
  CHECK(status_of(added) == "HTTP/1.1 200 OK");
  CHECK(body_of(added) == "{\"requested\":[\"Steve\"]}\n");
  CHECK(writer_starts == 1);
  CHECK(requests.any());
  CHECK(requests.has("steve"));  // names ignore case
  CHECK_FALSE(requests.has("Alex"));
  CHECK(body_of(ask("POST /recordings?player=STEVE HTTP/1.1")) == "{\"requested\":[\"Steve\"]}\n");  // once
  CHECK(body_of(ask("POST /recordings?player=Alex_2 HTTP/1.1")) == "{\"requested\":[\"Steve\",\"Alex_2\"]}\n");

  // Not a Minecraft name: refused, nothing added.
  CHECK(status_of(ask("POST /recordings?player=../x HTTP/1.1")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_of(ask("POST /recordings?player= HTTP/1.1")) == "HTTP/1.1 400 Bad Request");
  CHECK(status_of(ask("POST /recordings?player=ThisNameIsWayTooLong HTTP/1.1")) == "HTTP/1.1 400 Bad Request");

  CHECK(status_of(ask("DELETE /recordings?player=steve HTTP/1.1")) == "HTTP/1.1 200 OK");
  CHECK_FALSE(requests.has("Steve"));
  CHECK(status_of(ask("DELETE /recordings?player=steve HTTP/1.1")) == "HTTP/1.1 404 Not Found");
  CHECK(status_of(ask("DELETE /recordings?player=Alex_2 HTTP/1.1")) == "HTTP/1.1 200 OK");
  CHECK_FALSE(requests.any());

  // The writer cannot start (a folder it may not create): the request fails and says why.
  writer_problem = "cannot start the writer (see the log)";
  const std::string refused = ask("POST /recordings?player=Steve HTTP/1.1");
  CHECK(status_of(refused) == "HTTP/1.1 503 Service Unavailable");
  CHECK(body_of(refused) == "recordings: cannot start the writer (see the log)\n");
  CHECK_FALSE(requests.any());

  // Without the recordings hook (older callers), the paths are unknown.
  CHECK(status_of(admin_response("GET /recordings HTTP/1.1\r\n\r\n", m, players)) == "HTTP/1.1 404 Not Found");
  CHECK(status_of(ask("PUT /recordings?player=Steve HTTP/1.1")) == "HTTP/1.1 404 Not Found");
}

TEST_CASE("admin: the requested list is bounded", "[proxy][recordings][admin]") {
  RecordingRequests requests;
  for (std::size_t i = 0; i < RecordingRequests::kMaxNames; ++i) REQUIRE(requests.add("p" + std::to_string(i)));
  CHECK_FALSE(requests.add("one_more"));
  CHECK(requests.add("p7"));  // already there
  CHECK(requests.names().size() == RecordingRequests::kMaxNames);
}

}  // namespace recording_requests_test
