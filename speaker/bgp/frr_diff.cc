#include "speaker/bgp/frr_diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

namespace ironlb::bgp {
namespace {

// One line of a rendering and, for a block header, the lines inside it.
struct Node {
  std::string line;  // without indentation
  std::vector<Node> children;
  bool block = false;
};

std::size_t indentOf(const std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] == ' ')
    ++i;
  return i;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool isBlockHeader(std::string_view line) {
  return startsWith(line, "route-map ") || startsWith(line, "router bgp ") ||
         startsWith(line, "address-family ") || line == "bfd" || startsWith(line, "profile ");
}

bool isBlockEnd(std::string_view line) {
  return line == "exit" || line == "exit-address-family" || line == "!";
}

// Parses lines [pos, end) at `indent` into nodes; a header's children are the more indented
// lines up to its exit line (route-map entries' bodies are indented by one space too).
std::vector<Node> parseLevel(const std::vector<std::string>& lines, std::size_t& pos,
                             std::size_t indent) {
  std::vector<Node> out;
  while (pos < lines.size()) {
    const std::string& raw = lines[pos];
    const std::size_t i = indentOf(raw);
    const std::string text = raw.substr(i);
    if (text.empty() || text.front() == '!') {  // separators and comments
      ++pos;
      continue;
    }
    if (i < indent || isBlockEnd(text)) break;  // the enclosing block ends here
    ++pos;
    Node node{text, {}, isBlockHeader(text)};
    if (node.block) {
      node.children = parseLevel(lines, pos, i + 1);
      // The block's own exit line, at the header's indentation.
      if (pos < lines.size() && indentOf(lines[pos]) == i && isBlockEnd(lines[pos].substr(i))) {
        ++pos;
      }
    }
    out.push_back(std::move(node));
  }
  return out;
}

std::vector<Node> parse(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  std::size_t pos = 0;
  std::vector<Node> top;
  while (pos < lines.size()) {
    std::vector<Node> level = parseLevel(lines, pos, 0);
    for (Node& n : level)
      top.push_back(std::move(n));
    if (pos < lines.size()) ++pos;  // a stray exit: skip it
  }
  return top;
}

std::vector<std::string> tokens(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string t; in >> t;)
    out.push_back(t);
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i != 0) out += ' ';
    out += parts[i];
  }
  return out;
}

// For a line that sets a value, the part that names what is set: a new line with the same key
// replaces the old one. Empty for presence lines (`neighbor X activate`).
std::string valueKey(std::string_view line) {
  const std::vector<std::string> t = tokens(line);
  if (t.empty()) return "";
  // `network P [route-map R]`: FRR re-originates P with the new route map (or none) in place;
  // a `no network P` after it would remove P whatever its route map.
  if (t[0] == "network" && t.size() >= 2) return t[0] + " " + t[1];
  // graceful-restart, graceful-restart-disable, graceful-restart-helper: one setting (a `no`
  // of the old one after the new one would put the peer back to the global mode).
  if (t[0] == "neighbor" && t.size() == 3 && t[2].starts_with("graceful-restart")) {
    return t[0] + " " + t[1] + " graceful-restart";
  }
  if (t[0] == "neighbor" && t.size() >= 4) {
    if (t[2] == "interface" && t.size() >= 5 && t[3] == "remote-as")
      return t[0] + " " + t[1] + " remote-as";
    if (t[2] == "remote-as") return t[0] + " " + t[1] + " remote-as";
    if (t[2] == "timers") {
      return t[3] == "connect" ? join(t, 4) : join(t, 3);
    }
    if (t[2] == "port" || t[2] == "password" || t[2] == "update-source") return join(t, 3);
    if (t[2] == "bfd" && t[3] == "profile") return join(t, 4);
    return "";
  }
  static const std::vector<std::vector<std::string>> kValued = {{"bgp", "router-id"},
                                                                {"set", "local-preference"},
                                                                {"set", "community"},
                                                                {"set", "large-community"},
                                                                {"set", "tag"},
                                                                {"match", "tag"},
                                                                {"detect-multiplier"},
                                                                {"receive-interval"},
                                                                {"transmit-interval"},
                                                                {"echo", "receive-interval"},
                                                                {"echo", "transmit-interval"},
                                                                {"minimum-ttl"},
                                                                {"hostname"}};
  for (const auto& key : kValued) {
    if (t.size() > key.size() && std::equal(key.begin(), key.end(), t.begin())) {
      return join(t, key.size());
    }
  }
  return "";
}

// The neighbor a `neighbor X remote-as` line creates, or "".
std::string neighborCreated(std::string_view line) {
  const std::vector<std::string> t = tokens(line);
  if (t.size() >= 4 && t[0] == "neighbor" &&
      (t[2] == "remote-as" || (t[2] == "interface" && t[3] == "remote-as"))) {
    return t[1];
  }
  return "";
}

std::string exitFor(const Node& block) {
  return startsWith(block.line, "address-family ") ? "exit-address-family" : "exit";
}

// Writes a whole new block.
void writeBlock(const Node& block, std::vector<std::string>& out) {
  out.push_back(block.line);
  for (const Node& c : block.children) {
    if (c.block) {
      writeBlock(c, out);
    } else {
      out.push_back(c.line);
    }
  }
  out.push_back(exitFor(block));
}

// Removes a block that is no longer rendered.
void removeBlock(const Node& block, std::vector<std::string>& out) {
  if (startsWith(block.line, "address-family ") || block.line == "bfd") {
    // No `no` form: empty it instead.
    std::vector<std::string> inner;
    for (auto it = block.children.rbegin(); it != block.children.rend(); ++it) {
      if (it->block) {
        removeBlock(*it, inner);
      } else {
        inner.push_back("no " + it->line);
      }
    }
    if (inner.empty()) return;
    out.push_back(block.line);
    out.insert(out.end(), inner.begin(), inner.end());
    out.push_back(exitFor(block));
    return;
  }
  if (startsWith(block.line, "router bgp ")) {
    // Its neighbors first: `no neighbor` ends each session with a NOTIFICATION (Cease, peer
    // de-configured), so the router drops the routes at once. Deleting the instance alone
    // closes the connections without one, which a router with graceful restart takes for a
    // restart and keeps the routes as stale for minutes.
    std::vector<std::string> neighbors;
    for (const Node& c : block.children) {
      if (const std::string n = neighborCreated(c.line); !n.empty() && !c.block) {
        neighbors.push_back("no neighbor " + n);
      }
    }
    if (!neighbors.empty()) {
      out.push_back(block.line);
      out.insert(out.end(), neighbors.begin(), neighbors.end());
      out.push_back(exitFor(block));
    }
  }
  out.push_back("no " + block.line);
}

void diffChildren(const std::vector<Node>& before, const std::vector<Node>& after,
                  std::vector<std::string>& out);

// The tag a route-map entry matches ("" for none).
std::string matchedTag(const Node& entry) {
  for (const Node& c : entry.children) {
    if (startsWith(c.line, "match tag ")) return c.line.substr(10);
  }
  return "";
}

// For a route-map entry header, the header of an entry of the same map that neither rendering
// uses (the highest free number below the final deny), or "" if there is none.
std::string spareEntry(const std::string& header, const std::vector<Node>& before,
                       const std::vector<Node>& after) {
  const std::vector<std::string> t = tokens(header);
  if (t.size() != 4 || t[0] != "route-map") return "";
  std::set<std::string> used;
  for (const auto* level : {&before, &after}) {
    for (const Node& n : *level) {
      const std::vector<std::string> u = tokens(n.line);
      if (n.block && u.size() == 4 && u[0] == "route-map" && u[1] == t[1]) used.insert(u[3]);
    }
  }
  for (int number = 65534; number >= 1; --number) {
    if (used.count(std::to_string(number)) == 0) {
      return "route-map " + t[1] + " permit " + std::to_string(number);
    }
  }
  return "";
}

// Enters a block present on both sides when its content changed.
void diffBlock(const Node& before, const Node& after, std::vector<std::string>& out) {
  std::vector<std::string> inner;
  diffChildren(before.children, after.children, inner);
  if (inner.empty()) return;
  out.push_back(after.line);
  out.insert(out.end(), inner.begin(), inner.end());
  out.push_back(exitFor(after));
}

void diffChildren(const std::vector<Node>& before, const std::vector<Node>& after,
                  std::vector<std::string>& out) {
  std::map<std::string, const Node*> oldBlocks;
  std::set<std::string> oldLines;
  std::set<std::string> newLines;
  std::set<std::string> newKeys;
  std::set<std::string> newBlockHeaders;
  for (const Node& n : before) {
    if (n.block) {
      oldBlocks.emplace(n.line, &n);
    } else {
      oldLines.insert(n.line);
    }
  }
  for (const Node& n : after) {
    if (n.block) {
      newBlockHeaders.insert(n.line);
      continue;
    }
    newLines.insert(n.line);
    if (const std::string key = valueKey(n.line); !key.empty()) newKeys.insert(key);
  }
  // 1. new lines (and new values), in rendering order
  for (const Node& n : after) {
    if (!n.block && oldLines.count(n.line) == 0) out.push_back(n.line);
  }
  // 2. sub-blocks
  std::vector<std::string> spares;
  for (const Node& n : after) {
    if (!n.block) continue;
    const auto old = oldBlocks.find(n.line);
    if (old == oldBlocks.end()) {
      writeBlock(n, out);
      continue;
    }
    // An entry that keeps its number but matches another tag (the number now belongs to
    // another profile) would, once edited, match neither tag until the prefixes are retagged
    // further down: a copy of the old entry holds the old tag meanwhile.
    if (const std::string was = matchedTag(*old->second); !was.empty() && was != matchedTag(n)) {
      if (const std::string spare = spareEntry(n.line, before, after); !spare.empty()) {
        Node copy = *old->second;
        copy.line = spare;
        writeBlock(copy, out);
        spares.push_back("no " + spare);
      }
    }
    diffBlock(*old->second, n, out);
  }
  // blocks gone, in reverse order, still before the lines: an address family empties before
  // its neighbor goes, a route is withdrawn before the route map that tags it goes
  for (auto it = before.rbegin(); it != before.rend(); ++it) {
    if (it->block && newBlockHeaders.count(it->line) == 0) removeBlock(*it, out);
  }
  out.insert(out.end(), spares.begin(), spares.end());  // every prefix carries its new tag now
  // 3. lines gone without a replacement; a removed neighbor takes its other lines with it
  std::set<std::string> removedNeighbors;
  for (const Node& n : before) {
    if (n.block || newLines.count(n.line) != 0) continue;
    const std::string key = valueKey(n.line);
    if (!key.empty() && newKeys.count(key) != 0) continue;
    if (const std::string neighbor = neighborCreated(n.line); !neighbor.empty()) {
      removedNeighbors.insert(neighbor);
    }
  }
  std::vector<std::string> removals;
  for (const Node& n : before) {
    if (n.block || newLines.count(n.line) != 0) continue;
    const std::string key = valueKey(n.line);
    if (!key.empty() && newKeys.count(key) != 0) continue;
    const std::vector<std::string> t = tokens(n.line);
    const bool neighborLine = t.size() >= 2 && t[0] == "neighbor";
    if (neighborLine && removedNeighbors.count(t[1]) != 0 && neighborCreated(n.line).empty()) {
      continue;
    }
    removals.push_back("no " + n.line);
  }
  // Undone in reverse order of writing: `no neighbor X bfd profile P` before `no neighbor X bfd`
  // (the other way round FRR turns BFD back on with the default profile).
  out.insert(out.end(), removals.rbegin(), removals.rend());
}

bool fileOnly(const Node& n) {
  return startsWith(n.line, "frr ") || startsWith(n.line, "hostname ") ||
         startsWith(n.line, "log ");
}

std::vector<Node> forDaemon(const std::vector<Node>& all, FrrDaemon daemon) {
  std::vector<Node> out;
  for (const Node& n : all) {
    if (fileOnly(n)) continue;
    if ((n.line == "bfd") == (daemon == FrrDaemon::kBfdd)) out.push_back(n);
  }
  return out;
}

// A neighbor starts connecting the moment `neighbor X remote-as` is entered, before the lines
// after it (password, timers, graceful restart, its address families) are: its first OPEN
// could lack capabilities the router requires (BIRD then refuses it and, during a graceful
// restart, flushes the routes it kept). So a new neighbor is held down while it is configured
// and let go at the end of the batch.
void holdNewNeighbors(std::vector<std::string>& commands) {
  std::vector<std::pair<std::string, std::vector<std::string>>> held;  // instance -> neighbors
  std::vector<std::string> out;
  std::string instance;
  for (const std::string& c : commands) {
    out.push_back(c);
    if (startsWith(c, "router bgp ")) instance = c;
    const std::string neighbor = neighborCreated(c);
    if (neighbor.empty() || instance.empty()) continue;
    out.push_back("neighbor " + neighbor + " shutdown");
    if (held.empty() || held.back().first != instance) held.push_back({instance, {}});
    held.back().second.push_back(neighbor);
  }
  for (const auto& [header, neighbors] : held) {
    out.push_back(header);
    for (const std::string& n : neighbors)
      out.push_back("no neighbor " + n + " shutdown");
    out.push_back("exit");
  }
  commands = std::move(out);
}

}  // namespace

std::vector<FrrCommands> diffFrrConfig(const std::string& before, const std::string& after) {
  const std::vector<Node> oldNodes = parse(before);
  const std::vector<Node> newNodes = parse(after);
  std::vector<FrrCommands> out;
  for (FrrDaemon daemon : {FrrDaemon::kBfdd, FrrDaemon::kBgpd}) {
    std::vector<std::string> commands;
    diffChildren(forDaemon(oldNodes, daemon), forDaemon(newNodes, daemon), commands);
    if (commands.empty()) continue;
    if (daemon == FrrDaemon::kBgpd) holdNewNeighbors(commands);
    commands.insert(commands.begin(), "configure terminal");
    commands.push_back("end");
    out.push_back({daemon, std::move(commands)});
  }
  return out;
}

}  // namespace ironlb::bgp
