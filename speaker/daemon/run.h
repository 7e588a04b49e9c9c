#pragma once
// runSpeaker: the process around the Speaker — flags, logging, the Kubernetes client, packet I/O
// and link watching, the health/metrics server, signals — on one io_context. main.cc only calls
// it. Returns the process exit code.

namespace ironlb::speaker {

int runSpeaker(int argc, const char* const* argv);

}  // namespace ironlb::speaker
