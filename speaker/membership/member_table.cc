// Member table bookkeeping: expected-set replacement, digest maintenance, ring order.

#include "speaker/membership/member_table.h"

#include <algorithm>
#include <unordered_set>

#include "speaker/membership/crypto.h"

namespace ironlb::membership {
namespace {

// Kubernetes node names are DNS subdomains.
constexpr std::size_t kMaxNameBytes = 253;

}  // namespace

MemberTable::MemberTable(MemberSpec self, uint64_t selfIncarnation) {
  MemberEntry entry;
  entry.id = memberIdOf(self.name);
  entry.name = std::move(self.name);
  entry.endpoint = self.endpoint;
  entries_.push_back(std::move(entry));
  digest_ = contribution(entries_[0].id, 0, MemberStatus::kUnknown);
  unknown_ = 1;
  set(entries_[0], selfIncarnation, MemberStatus::kAlive);
  rebuildIndex();
}

uint64_t MemberTable::contribution(MemberId id, uint64_t incarnation, MemberStatus status) {
  // "Left" counts as "dead": a leave heard from the member itself and the same leave relayed
  // by others (taken as a death, docs/membership.md) are the same view, not a divergence.
  if (status == MemberStatus::kLeft) status = MemberStatus::kDead;
  // splitmix64 finaliser over the triple: XOR of these is order-free and updates in O(1).
  uint64_t z = id ^ (incarnation * 0x9e3779b97f4a7c15ull) ^ (static_cast<uint64_t>(status) << 56) ^
               0x5851f42d4c957f2dull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Status MemberTable::validate(std::span<const MemberSpec> specs) const {
  std::unordered_map<MemberId, std::string_view> ids;
  std::unordered_set<std::string_view> names;
  for (const auto& spec : specs) {
    if (spec.name.empty() || spec.name.size() > kMaxNameBytes) {
      return makeError("membership member \"" + spec.name + "\": name must be 1.." +
                       std::to_string(kMaxNameBytes) + " bytes");
    }
    if (!names.insert(spec.name).second) {
      return makeError("membership member \"" + spec.name + "\": listed twice");
    }
    if (spec.name == self().name) continue;  // our own endpoint comes from the config
    if (spec.endpoint.port == 0) {
      return makeError("membership member \"" + spec.name + "\": endpoint " +
                       toString(spec.endpoint) + " has port 0");
    }
    const MemberId id = memberIdOf(spec.name);
    if (id == self().id) {
      return makeError("membership member \"" + spec.name + "\": its id collides with ours (\"" +
                       self().name + "\"); rename one node");
    }
    auto [it, inserted] = ids.emplace(id, spec.name);
    if (!inserted) {
      return makeError("membership member \"" + spec.name + "\": its id collides with \"" +
                       std::string(it->second) + "\"; rename one node");
    }
  }
  return {};
}

MemberTable::Change MemberTable::replace(std::span<const MemberSpec> specs) {
  Change change;
  std::vector<MemberEntry> next;
  next.reserve(specs.size() + 1);
  next.push_back(std::move(entries_[self_]));
  std::unordered_set<MemberId> kept;
  for (const auto& spec : specs) {
    if (spec.name == next[0].name) continue;
    const MemberId id = memberIdOf(spec.name);
    if (MemberEntry* old = find(id); old != nullptr) {
      MemberEntry entry = std::move(*old);
      entry.endpoint = spec.endpoint;
      next.push_back(std::move(entry));
    } else {
      MemberEntry entry;
      entry.name = spec.name;
      entry.id = id;
      entry.endpoint = spec.endpoint;
      next.push_back(std::move(entry));
      change.added.push_back(spec.name);
    }
    kept.insert(id);
  }
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (i != self_ && !kept.contains(entries_[i].id)) change.removed.push_back(entries_[i].name);
  }
  entries_ = std::move(next);
  self_ = 0;
  digest_ = 0;
  reachableOthers_ = 0;
  unknown_ = 0;
  for (const auto& e : entries_) {
    digest_ ^= contribution(e.id, e.incarnation, e.status);
    if (&e != &entries_[self_] && isReachable(e.status)) ++reachableOthers_;
    if (e.status == MemberStatus::kUnknown) ++unknown_;
  }
  rebuildIndex();
  return change;
}

void MemberTable::rebuildIndex() {
  index_.clear();
  ring_.resize(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    index_.emplace(entries_[i].id, static_cast<uint32_t>(i));
    ring_[i] = static_cast<uint32_t>(i);
  }
  std::sort(ring_.begin(), ring_.end(),
            [this](uint32_t a, uint32_t b) { return entries_[a].id < entries_[b].id; });
  endpoints_.clear();
  for (const auto& e : entries_)
    endpoints_.emplace_back(e.endpoint.address, e.endpoint.port);
  std::sort(endpoints_.begin(), endpoints_.end());
}

bool MemberTable::isMemberEndpoint(const Endpoint& source) const {
  return std::binary_search(endpoints_.begin(), endpoints_.end(),
                            std::make_pair(source.address, source.port));
}

std::size_t MemberTable::ringPosition(MemberId id) const {
  auto it = std::lower_bound(ring_.begin(), ring_.end(), id,
                             [this](uint32_t idx, MemberId v) { return entries_[idx].id < v; });
  return static_cast<std::size_t>(it - ring_.begin()) % std::max<std::size_t>(ring_.size(), 1);
}

MemberEntry* MemberTable::find(MemberId id) {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const MemberEntry* MemberTable::find(MemberId id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

void MemberTable::set(MemberEntry& entry, uint64_t incarnation, MemberStatus status) {
  digest_ ^= contribution(entry.id, entry.incarnation, entry.status);
  digest_ ^= contribution(entry.id, incarnation, status);
  if (&entry != &entries_[self_]) {
    if (isReachable(entry.status)) --reachableOthers_;
    if (isReachable(status)) ++reachableOthers_;
  }
  if (entry.status == MemberStatus::kUnknown) --unknown_;
  if (status == MemberStatus::kUnknown) ++unknown_;
  entry.incarnation = incarnation;
  entry.status = status;
}

std::size_t MemberTable::stateBytes() const {
  std::size_t bytes = sizeof(*this) + entries_.capacity() * sizeof(MemberEntry) +
                      ring_.capacity() * sizeof(uint32_t);
  for (const auto& e : entries_) {
    if (e.name.capacity() > 15) bytes += e.name.capacity() + 1;  // beyond the inline buffer
  }
  // unordered_map: one node (key, value, next pointer, cached hash) per member + buckets.
  bytes += index_.size() * (sizeof(std::pair<const MemberId, uint32_t>) + 2 * sizeof(void*)) +
           index_.bucket_count() * sizeof(void*);
  return bytes;
}

}  // namespace ironlb::membership
