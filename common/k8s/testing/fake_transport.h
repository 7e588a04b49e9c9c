#pragma once
// FakeTransport: a scripted Transport for unit tests of code built on ApiClient (informers,
// writers, leader election, and the daemons' reconcilers). Not a fake API server: tests say
// exactly what each request gets.
//
//   FakeTransport t;
//   t.respond("GET", "/api/v1/namespaces/a/services/b", 200, svcJson);   // one-shot, FIFO
//   t.setFallback([](const HttpRequest& r) { ... });                       // everything else
//   auto s = t.queueStream();           // the next stream() call gets this stream
//   auto w = t.queueStreamFor("/api/v1/services");  // the next watch of that path gets it
//   s->push(R"({"type":"ADDED","object":{...}})");
//   s->end();                           // or s->fail("connection reset")
//
// send() matches queued responses by method and path (without query) in FIFO order; with no
// match it calls the fallback, or answers 404 with a Status naming the unscripted request.
// stream() takes the next stream queued for its path (query ignored), else the next one queued
// for any path (waiting for one to be queued, or for cancellation);
// it delivers pushed lines as they come and returns when the script ends or fails, or when the
// request is cancelled. Thread-safe; every request is recorded.

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/k8s/transport.h"

namespace ironlb::k8s::testing {

class FakeStream {
 public:
  explicit FakeStream(int status = 200, std::string errorBody = "")
      : status_(status), errorBody_(std::move(errorBody)) {}
  void push(std::string line);
  // The server closes the stream normally.
  void end();
  // The connection breaks (stream() returns a transport error).
  void fail(std::string message);
  // Lines not yet consumed by the reader.
  size_t unread() const;

 private:
  friend class FakeTransport;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  const int status_;
  const std::string errorBody_;
  std::deque<std::string> lines_;
  bool ended_ = false;
  std::string failure_;
};

class FakeTransport final : public Transport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  Result<HttpResponse> send(const HttpRequest& request) override;
  Result<HttpResponse> stream(const HttpRequest& request, const LineHandler& onLine) override;
  std::string server() const override { return "https://fake.invalid"; }

  void respond(const std::string& method, const std::string& path, int status,
               std::string body = "{}");
  // A request that fails without a response (connection refused...).
  void failNext(const std::string& method, const std::string& path, std::string message);
  void setFallback(Handler handler);
  std::shared_ptr<FakeStream> queueStream(int status = 200, std::string errorBody = "");
  // A stream only for a watch of `path` (without query): several informers can watch at once.
  std::shared_ptr<FakeStream> queueStreamFor(const std::string& path);

  struct Recorded {
    std::string method{};
    std::string path{};  // with query
    std::string body{};
    std::string contentType{};
    bool stream = false;
    util::Duration timeout{0};  // HttpRequest::timeout as sent
  };
  std::vector<Recorded> requests() const;
  // send() requests (not streams) with this method and path (query ignored).
  size_t count(const std::string& method, const std::string& path) const;
  // Streams started so far.
  int streamsStarted() const;
  // Blocks until `n` streams have been started or `timeout` passes.
  bool waitForStreams(int n, util::Duration timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::map<std::pair<std::string, std::string>, std::deque<Result<HttpResponse>>> scripted_;
  Handler fallback_;
  std::deque<std::shared_ptr<FakeStream>> streams_;
  std::map<std::string, std::deque<std::shared_ptr<FakeStream>>> pathStreams_;
  std::vector<Recorded> requests_;
  int streamsStarted_ = 0;
};

// {"kind":"Status",...} bodies for scripted errors.
std::string statusBody(int code, const std::string& reason, const std::string& message);
// One watch line: {"type":type,"object":object}.
std::string watchLine(const std::string& type, const std::string& objectJson);

}  // namespace ironlb::k8s::testing
