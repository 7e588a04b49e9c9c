// ironlb-frr-supervisor: the entrypoint of the ironlb-frr image (docs/image.md, "The FRR
// image"; docs/bgp.md, "How FRR runs beside the speaker").
//
// As PID 1 of FRR's container it starts FRR's daemons (zebra, bgpd, bfdd by default) in the
// foreground with an empty configuration, their control sockets in /var/run/frr (the volume the
// speaker shares), then drops to the frr user. It never restarts a daemon: when one exits it
// stops the others and exits 1, so the kubelet restarts the container and the speaker, seeing
// the sockets go away, applies everything again. On SIGTERM or SIGINT it first waits, at most
// IRONLB_FRR_STOP_WAIT_SECONDS, for the speaker's withdrawal marker
// /var/run/frr/ironlb-withdrawn (the speaker has withdrawn its routes), then stops the daemons
// and exits 0. A marker left by an earlier run is removed at start.
//
// Environment: IRONLB_FRR_DAEMONS (space-separated, default "zebra bgpd bfdd"; zebra is always
// started first), IRONLB_FRR_STOP_WAIT_SECONDS (0-3600, default 20).
//
// Standalone on purpose: it links only the C library (libstdc++ statically), so the FRR image
// carries none of ironlb's libraries, and it uses the monotonic clock directly rather than the
// daemons' util::Clock.

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kRunDir = "/var/run/frr";
constexpr const char* kMarker = "/var/run/frr/ironlb-withdrawn";
constexpr const char* kZservSocket = "/var/run/frr/zserv.api";
constexpr const char* kConfig = "/etc/frr/frr.conf";
constexpr const char* kLibexec = "/usr/lib/frr/";
constexpr const char* kUser = "frr";
constexpr const char* kDaemonsVar = "IRONLB_FRR_DAEMONS";
constexpr const char* kStopWaitVar = "IRONLB_FRR_STOP_WAIT_SECONDS";
constexpr int kDefaultStopWaitSeconds = 20;
constexpr int kMaxStopWaitSeconds = 3600;
// How long zebra has to create its API socket, and the daemons to exit after SIGTERM.
constexpr std::chrono::seconds kZebraStartTimeout{10};
constexpr std::chrono::seconds kDaemonStopTimeout{10};
constexpr std::chrono::milliseconds kPollInterval{50};
constexpr std::string_view kKnownDaemons[] = {"zebra", "bgpd", "bfdd"};

using Clock = std::chrono::steady_clock;

struct Daemon {
  std::string name;
  pid_t pid = -1;  // -1 once reaped
  int status = 0;
};

void say(const std::string& text) {
  std::string line = "ironlb-frr-supervisor: " + text + "\n";
  (void)!write(STDERR_FILENO, line.data(), line.size());
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by ") + strsignal(WTERMSIG(status));
  return "stopped";
}

bool knownDaemon(std::string_view name) {
  for (auto known : kKnownDaemons) {
    if (known == name) return true;
  }
  return false;
}

// The daemons to run, zebra first (the others connect to it). Empty on error (reported).
std::vector<std::string> daemonsFromEnv() {
  const char* raw = getenv(kDaemonsVar);
  std::string text = raw != nullptr && *raw != '\0' ? raw : "zebra bgpd bfdd";
  std::vector<std::string> names;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string name = text.substr(pos, end - pos);
    pos = end + 1;
    if (name.empty()) continue;
    if (!knownDaemon(name)) {
      say(std::string(kDaemonsVar) + "=\"" + text + "\": unknown daemon \"" + name +
          "\" (known: zebra bgpd bfdd)");
      return {};
    }
    bool seen = false;
    for (const auto& n : names)
      seen = seen || n == name;
    if (!seen) names.push_back(name);
  }
  std::vector<std::string> ordered{"zebra"};
  for (const auto& n : names) {
    if (n != "zebra") ordered.push_back(n);
  }
  return ordered;
}

// Seconds to wait for the marker on SIGTERM; -1 on error (reported).
int stopWaitFromEnv() {
  const char* raw = getenv(kStopWaitVar);
  if (raw == nullptr || *raw == '\0') return kDefaultStopWaitSeconds;
  char* end = nullptr;
  errno = 0;
  long value = strtol(raw, &end, 10);
  if (errno != 0 || *end != '\0' || value < 0 || value > kMaxStopWaitSeconds) {
    say(std::string(kStopWaitVar) + "=\"" + raw + "\": want whole seconds, 0-" +
        std::to_string(kMaxStopWaitSeconds));
    return -1;
  }
  return static_cast<int>(value);
}

pid_t startDaemon(const std::string& name, const sigset_t& original) {
  std::string binary = std::string(kLibexec) + name;
  std::string pidFile = std::string(kRunDir) + "/" + name + ".pid";
  std::vector<std::string> args = {binary,  "-u",    kUser,    "-g",           kUser,        "-f",
                                   kConfig, "-i",    pidFile,  "-z",           kZservSocket, "-P",
                                   "0",     "--log", "stdout", "--vty_socket", kRunDir};
  pid_t pid = fork();
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &original, nullptr);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    std::string why = "cannot run " + binary + ": " + strerror(errno);
    say(why);
    _exit(127);
  }
  if (pid < 0) say("fork for " + name + ": " + strerror(errno));
  return pid;
}

class Supervisor {
 public:
  explicit Supervisor(int stopWaitSeconds) : stopWait_(stopWaitSeconds) {
    sigemptyset(&handled_);
    sigaddset(&handled_, SIGTERM);
    sigaddset(&handled_, SIGINT);
    sigaddset(&handled_, SIGCHLD);
    sigprocmask(SIG_BLOCK, &handled_, &original_);
  }

  int run(const std::vector<std::string>& names) {
    if (mkdir(kRunDir, 0755) != 0 && errno != EEXIST) {
      say(std::string("cannot create ") + kRunDir + ": " + strerror(errno));
      return 1;
    }
    if (unlink(kMarker) == 0) {
      say(std::string("removed ") + kMarker + " left by an earlier run");
    } else if (errno != ENOENT) {
      say(std::string("cannot remove ") + kMarker + ": " + strerror(errno));
      return 1;
    }
    for (const auto& name : names) {
      pid_t pid = startDaemon(name, original_);
      if (pid < 0) return stopAll(1);
      daemons_.push_back({name, pid, 0});
      say("started " + name + " (pid " + std::to_string(pid) + ")");
      if (name == "zebra" && !waitForZebra()) return stopAll(1);
    }
    if (!dropPrivileges()) return stopAll(1);
    return supervise();
  }

 private:
  // Waits for one handled signal at most `timeout`; 0 when none came. Reaps on SIGCHLD.
  int nextSignal(std::chrono::milliseconds timeout) {
    timespec ts{static_cast<time_t>(timeout.count() / 1000),
                static_cast<long>(timeout.count() % 1000) * 1000000L};
    int sig = sigtimedwait(&handled_, nullptr, &ts);
    if (sig == SIGCHLD) reap();
    return sig > 0 ? sig : 0;
  }

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      for (auto& d : daemons_) {
        if (d.pid == pid) {
          d.pid = -1;
          d.status = status;
          if (!stopping_) say(d.name + " " + describeStatus(status));
        }
      }
    }
  }

  const Daemon* exited() const {
    for (const auto& d : daemons_) {
      if (d.pid == -1) return &d;
    }
    return nullptr;
  }

  bool waitForZebra() {
    auto deadline = Clock::now() + kZebraStartTimeout;
    struct stat st {};
    while (stat(kZservSocket, &st) != 0) {
      int sig = nextSignal(kPollInterval);
      if (exited() != nullptr) return false;
      if (sig == SIGTERM || sig == SIGINT) {
        say("stopped while zebra was starting");
        return false;
      }
      if (Clock::now() > deadline) {
        say(std::string("zebra did not create ") + kZservSocket + " within " +
            std::to_string(kZebraStartTimeout.count()) + "s");
        return false;
      }
    }
    return true;
  }

  // The daemons drop to frr themselves; this process needs no privilege after starting them,
  // and as frr it can still signal them.
  bool dropPrivileges() {
    if (geteuid() != 0) return true;
    const passwd* pw = getpwnam(kUser);
    if (pw == nullptr) {
      say(std::string("no user ") + kUser + " in /etc/passwd");
      return false;
    }
    if (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
      say(std::string("cannot become ") + kUser + ": " + strerror(errno));
      return false;
    }
    return true;
  }

  int supervise() {
    say("running; on SIGTERM waits up to " + std::to_string(stopWait_) + "s for " + kMarker);
    while (true) {
      int sig = nextSignal(std::chrono::seconds(1));
      if (const Daemon* d = exited()) {
        say(d->name + " is gone; stopping the others so that the container restarts");
        return stopAll(1);
      }
      if (sig == SIGTERM || sig == SIGINT) return gracefulStop(sig);
    }
  }

  int gracefulStop(int sig) {
    say(std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT") + ": waiting up to " +
        std::to_string(stopWait_) + "s for the speaker's withdrawal marker " + kMarker);
    auto start = Clock::now();
    auto deadline = start + std::chrono::seconds(stopWait_);
    struct stat st {};
    bool found = false;
    while (!(found = stat(kMarker, &st) == 0) && Clock::now() < deadline) {
      nextSignal(kPollInterval);
    }
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    char seconds[32];
    snprintf(seconds, sizeof seconds, "%.1fs", static_cast<double>(waited.count()) / 1000);
    say(found ? std::string("withdrawal marker found after ") + seconds
              : std::string("no withdrawal marker after ") + seconds + "; stopping anyway");
    return stopAll(0);
  }

  // SIGTERM to the daemons still running, last started first; SIGKILL after the timeout.
  int stopAll(int code) {
    stopping_ = true;
    for (auto it = daemons_.rbegin(); it != daemons_.rend(); ++it) {
      if (it->pid > 0) kill(it->pid, SIGTERM);
    }
    auto deadline = Clock::now() + kDaemonStopTimeout;
    while (running() && Clock::now() < deadline)
      nextSignal(kPollInterval);
    for (const auto& d : daemons_) {
      if (d.pid > 0) {
        say(d.name + " still running after " + std::to_string(kDaemonStopTimeout.count()) +
            "s; killing it");
        kill(d.pid, SIGKILL);
      }
    }
    while (running())
      nextSignal(kPollInterval);
    say("stopped (exit " + std::to_string(code) + ")");
    return code;
  }

  bool running() const {
    for (const auto& d : daemons_) {
      if (d.pid > 0) return true;
    }
    return false;
  }

  int stopWait_;
  bool stopping_ = false;
  sigset_t handled_{};
  sigset_t original_{};
  std::vector<Daemon> daemons_;
};

}  // namespace

int main() {
  std::vector<std::string> names = daemonsFromEnv();
  int stopWait = stopWaitFromEnv();
  if (names.empty() || stopWait < 0) return 2;
  Supervisor supervisor(stopWait);
  return supervisor.run(names);
}
