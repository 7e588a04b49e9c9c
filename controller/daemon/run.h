#pragma once
// runController: the controller process from parsed flags to exit code: cluster configuration,
// transport, metrics and health server, the daemon on one io_context, SIGTERM/SIGINT handling.

#include "controller/daemon/flags.h"

namespace ironlb::controller {

// Returns the process exit code (0 after a graceful stop, 1 when start-up failed).
int runController(const ControllerFlags& flags);

}  // namespace ironlb::controller
