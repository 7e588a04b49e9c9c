#pragma once
// WatchedFile: notices that a file's contents changed, for material a long-running daemon must
// pick up without a restart: the service account's CA bundle (docs/kubernetes-client.md, "CA
// bundle reload"). The file is stat()ed at most every `checkEvery`; it is read when its mtime or
// size changed. A file that vanished, cannot be read or is empty keeps the last contents (a
// rotation in progress is not a reason to lose trust). Thread-safe.
//
//   WatchedFile ca(path, initialText, clock);
//   if (auto text = ca.changed()) rebuildTrust(*text);

#include <ctime>
#include <mutex>
#include <optional>
#include <string>

#include "common/util/clock.h"

namespace ironlb::k8s {

// What tells a rewritten file from an unchanged one without reading it: size and mtime.
// TokenSource and WatchedFile both decide on it.
struct FileStamp {
  long long size = -1;
  std::timespec mtime{};

  // The stamp of `path`, or nullopt when it cannot be stat()ed.
  static std::optional<FileStamp> of(const std::string& path);
  friend bool operator==(const FileStamp& a, const FileStamp& b) {
    return a.size == b.size && a.mtime.tv_sec == b.mtime.tv_sec &&
           a.mtime.tv_nsec == b.mtime.tv_nsec;
  }
};

class WatchedFile {
 public:
  // `initial` is what the caller already read from `path`; the first stat is taken now.
  WatchedFile(std::string path, std::string initial, const util::Clock& clock,
              util::Duration checkEvery = std::chrono::seconds(10));

  // New contents when the file changed since the last contents returned (or `initial`).
  std::optional<std::string> changed();
  const std::string& path() const { return path_; }

 private:
  bool statChanged();

  const std::string path_;
  const util::Clock& clock_;
  const util::Duration checkEvery_;
  std::mutex mu_;
  std::string contents_;
  util::MonoTime checkedAt_;
  FileStamp stamp_{};
};

}  // namespace ironlb::k8s
