// WatchedFile.
#include "common/k8s/watched_file.h"

#include <sys/stat.h>

#include "common/k8s/cluster_config.h"

namespace ironlb::k8s {

WatchedFile::WatchedFile(std::string path, std::string initial, const util::Clock& clock,
                         util::Duration checkEvery)
    : path_(std::move(path)),
      clock_(clock),
      checkEvery_(checkEvery),
      contents_(std::move(initial)),
      checkedAt_(clock.now()) {
  statChanged();
}

std::optional<FileStamp> FileStamp::of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{.size = st.st_size, .mtime = st.st_mtim};
}

bool WatchedFile::statChanged() {
  const auto stamp = FileStamp::of(path_);
  if (!stamp) return false;
  const bool changed = !(*stamp == stamp_);
  stamp_ = *stamp;
  return changed;
}

std::optional<std::string> WatchedFile::changed() {
  std::lock_guard lock(mu_);
  const util::MonoTime now = clock_.now();
  if (now - checkedAt_ < checkEvery_) return std::nullopt;
  checkedAt_ = now;
  if (!statChanged()) return std::nullopt;
  auto text = readFileText(path_);
  if (!text || text->empty() || *text == contents_) return std::nullopt;
  contents_ = std::move(*text);
  return contents_;
}

}  // namespace ironlb::k8s
