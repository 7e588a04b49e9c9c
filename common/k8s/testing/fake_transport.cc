// FakeTransport.
#include "common/k8s/testing/fake_transport.h"

#include <nlohmann/json.hpp>

namespace ironlb::k8s::testing {
namespace {

std::string stripQuery(const std::string& path) {
  return path.substr(0, path.find('?'));
}

}  // namespace

std::string statusBody(int code, const std::string& reason, const std::string& message) {
  return nlohmann::json{{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"status", "Failure"},
                        {"code", code},
                        {"reason", reason},
                        {"message", message},
                        {"metadata", nlohmann::json::object()}}
      .dump();
}

std::string watchLine(const std::string& type, const std::string& objectJson) {
  return "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}";
}

void FakeStream::push(std::string line) {
  std::lock_guard lock(mu_);
  lines_.push_back(std::move(line));
  cv_.notify_all();
}

void FakeStream::end() {
  std::lock_guard lock(mu_);
  ended_ = true;
  cv_.notify_all();
}

void FakeStream::fail(std::string message) {
  std::lock_guard lock(mu_);
  failure_ = message.empty() ? "connection reset" : std::move(message);
  cv_.notify_all();
}

size_t FakeStream::unread() const {
  std::lock_guard lock(mu_);
  return lines_.size();
}

void FakeTransport::respond(const std::string& method, const std::string& path, int status,
                            std::string body) {
  std::lock_guard lock(mu_);
  scripted_[{method, path}].push_back(HttpResponse{status, {}, std::move(body)});
}

void FakeTransport::failNext(const std::string& method, const std::string& path,
                             std::string message) {
  std::lock_guard lock(mu_);
  scripted_[{method, path}].push_back(makeError(std::move(message)));
}

void FakeTransport::setFallback(Handler handler) {
  std::lock_guard lock(mu_);
  fallback_ = std::move(handler);
}

std::shared_ptr<FakeStream> FakeTransport::queueStream(int status, std::string errorBody) {
  auto s = std::make_shared<FakeStream>(status, std::move(errorBody));
  std::lock_guard lock(mu_);
  streams_.push_back(s);
  cv_.notify_all();
  return s;
}

std::shared_ptr<FakeStream> FakeTransport::queueStreamFor(const std::string& path) {
  auto s = std::make_shared<FakeStream>();
  std::lock_guard lock(mu_);
  pathStreams_[path].push_back(s);
  cv_.notify_all();
  return s;
}

Result<HttpResponse> FakeTransport::send(const HttpRequest& request) {
  Handler fallback;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(
        {request.method, request.path, request.body, request.contentType, false, request.timeout});
    auto it = scripted_.find({request.method, stripQuery(request.path)});
    if (it != scripted_.end() && !it->second.empty()) {
      auto r = std::move(it->second.front());
      it->second.pop_front();
      return r;
    }
    fallback = fallback_;
  }
  if (request.cancel && request.cancel->cancelled()) return makeError("request cancelled");
  if (fallback) return fallback(request);
  return HttpResponse{
      404,
      {},
      statusBody(404, "NotFound",
                 "FakeTransport: no scripted response for " + request.method + " " + request.path)};
}

Result<HttpResponse> FakeTransport::stream(const HttpRequest& request, const LineHandler& onLine) {
  std::shared_ptr<FakeStream> s;
  // Wake up on cancel as well: the hook takes our lock and notifies. It is installed before we
  // take the lock (the token calls hooks under its own lock: the other order would deadlock).
  if (request.cancel) {
    request.cancel->setHook([this] {
      std::lock_guard l(mu_);
      cv_.notify_all();
    });
  }
  {
    std::unique_lock lock(mu_);
    requests_.push_back(
        {request.method, request.path, request.body, request.contentType, true, request.timeout});
    auto& forPath = pathStreams_[stripQuery(request.path)];
    cv_.wait(lock, [&] {
      return !forPath.empty() || !streams_.empty() ||
             (request.cancel && request.cancel->cancelled());
    });
    auto& from = !forPath.empty() ? forPath : streams_;
    if (from.empty()) {
      lock.unlock();
      if (request.cancel) request.cancel->clearHook();
      return makeError("request cancelled");
    }
    s = from.front();
    from.pop_front();
    ++streamsStarted_;
    cv_.notify_all();
  }
  if (request.cancel) {
    request.cancel->clearHook();
    request.cancel->setHook([s] {
      std::lock_guard l(s->mu_);
      s->cv_.notify_all();
    });
  }
  auto done = [&](Result<HttpResponse> r) {
    if (request.cancel) request.cancel->clearHook();
    return r;
  };
  if (s->status_ < 200 || s->status_ >= 300) {
    return done(HttpResponse{s->status_, {}, s->errorBody_});
  }
  for (;;) {
    std::string line;
    {
      std::unique_lock lock(s->mu_);
      s->cv_.wait(lock, [&] {
        return !s->lines_.empty() || s->ended_ || !s->failure_.empty() ||
               (request.cancel && request.cancel->cancelled());
      });
      if (request.cancel && request.cancel->cancelled()) {
        lock.unlock();
        return done(makeError("request cancelled"));
      }
      if (!s->lines_.empty()) {
        line = std::move(s->lines_.front());
        s->lines_.pop_front();
      } else if (!s->failure_.empty()) {
        const std::string failure = s->failure_;
        lock.unlock();
        return done(makeError(failure));
      } else {
        lock.unlock();
        return done(HttpResponse{s->status_, {}, ""});
      }
    }
    if (!onLine(line)) return done(HttpResponse{s->status_, {}, ""});
  }
}

std::vector<FakeTransport::Recorded> FakeTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t FakeTransport::count(const std::string& method, const std::string& path) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& r : requests_) {
    if (!r.stream && r.method == method && stripQuery(r.path) == path) ++n;
  }
  return n;
}

int FakeTransport::streamsStarted() const {
  std::lock_guard lock(mu_);
  return streamsStarted_;
}

bool FakeTransport::waitForStreams(int n, util::Duration timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return streamsStarted_ >= n; });
}

}  // namespace ironlb::k8s::testing
