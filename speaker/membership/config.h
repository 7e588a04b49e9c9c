#pragma once
// Membership tuning. The defaults target ungraceful detection + agreement well under 500 ms on
// a LAN at a fixed cost per node (see README.md for the arithmetic behind each number).

#include <chrono>
#include <cstdint>
#include <string>

#include "common/util/result.h"
#include "speaker/membership/types.h"

namespace ironlb::membership {

using std::chrono::milliseconds;

struct Timers {
  int monitors = 3;                           // k: ring successors that probe each member
  Duration probeInterval = milliseconds(50);  // each monitor probes each of its targets
  int suspectAfterMisses = 3;                 // consecutive unanswered probes before suspicion
  int helpers = 3;                            // members asked to probe a suspect indirectly
  int votesToConfirm = 2;  // "unreachable" answers needed (fewer if fewer helpers)
  Duration helperTimeout = milliseconds(60);   // a helper's wait before answering "unreachable"
  Duration helperRetry = milliseconds(25);     // a helper's second probe of the suspect
  Duration indirectRetry = milliseconds(150);  // ask new helpers if votes are missing
  // Every other member is silent too (we may be the one cut off): misses before death.
  int soloDeathMisses = 6;
  Duration revivalInterval = milliseconds(1000);  // probe of a dead/left/unknown member
  Duration startupWindow = milliseconds(500);     // join phase: everybody probes everybody
  Duration startupRetry = milliseconds(100);
  Duration isolationAfter = milliseconds(200);  // silence that makes us doubt ourselves
  // After our own link comes back, deaths wait until a peer echoes our return or this long
  // (the kernel re-resolves neighbours up to 1 s later, so peers stay silent that long).
  Duration linkSettle = milliseconds(2000);
  Duration stallThreshold = milliseconds(100);  // timer lateness treated as a local stall
  int leaveRepeats = 3;                         // redundant goodbye sends
  Duration leaveSpacing = milliseconds(10);
  Duration syncDelay = milliseconds(300);           // view digest mismatch this long => full sync
  Duration syncInterval = milliseconds(1000);       // at most one sync we start per interval
  Duration correctionInterval = milliseconds(200);  // per member: tell it our contrary view
  // Our announcing MACs go to one reachable member per interval (round robin; 4 packets/s), and
  // at once to everybody when they change and to a member that (re)joins.
  Duration macRefresh = milliseconds(250);
  // Incarnations are wall-clock milliseconds (plus bumps). A claim about another member is
  // accepted only up to our wall clock + this margin, a member's claim about itself up to twice
  // that, so a key holder cannot push a member's incarnation out of its own reach: the member
  // can always refute with a higher one (docs/membership.md). Must exceed the clock skew
  // between nodes (a node whose clock runs further ahead is rejected as future_incarnation).
  Duration incarnationMargin = std::chrono::minutes(5);
  int piggybackPerMessage = 8;
  int piggybackLambda = 3;  // each update piggybacked lambda * ceil(log2(n + 1)) times
};

struct Config {
  std::string selfName;
  Endpoint selfEndpoint;
  // > 0 and larger than any incarnation a previous process of this node used: the daemon passes
  // wall-clock milliseconds at start, so a restarted node is never taken for its dead self.
  uint64_t startIncarnation = 1;
  // Wall-clock milliseconds (since the epoch) at start(); 0 = startIncarnation. The core
  // derives "now" in wall-clock terms from it and the monotonic time it is given.
  uint64_t startWallMs = 0;
  // Sealed wire (version 2, docs/membership.md): with `requireSealed`, version-1 packets are
  // rejected and everything is sealed (once every speaker runs a version that seals).
  bool requireSealed = false;
  // 1: behave as a speaker from before sealing and `macs` (neither sent nor understood); only
  // for tests of mixed-version clusters.
  int wireVersion = 2;
  uint64_t randomSeed = 1;  // helper choice and probe phases
  Timers timers;
};

Status validate(const Config& config);

}  // namespace ironlb::membership
