// pause: the process that holds a test pod's namespaces open, like Kubernetes' own pause image.
// It sleeps until SIGTERM or SIGINT and then exits 0. As PID 1 of the pod's PID namespace it
// also inherits orphaned processes, so it reaps every child that exits. Built static
// (gcc -static -Os) so the image needs nothing but this file.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static volatile sig_atomic_t stopRequested = 0;

static void onStop(int sig) {
  (void)sig;
  stopRequested = 1;
}

// Only interrupts sigsuspend; the children are reaped in the main loop.
static void onChild(int sig) {
  (void)sig;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    puts("pause (ironlb test cluster)");
    return 0;
  }
  // Block the signals we wait for, so one arriving between the checks below and sigsuspend
  // stays pending instead of being lost; sigsuspend unblocks them atomically.
  sigset_t waitFor;
  sigset_t whileWaiting;
  sigemptyset(&waitFor);
  sigaddset(&waitFor, SIGTERM);
  sigaddset(&waitFor, SIGINT);
  sigaddset(&waitFor, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &waitFor, &whileWaiting) != 0) {
    perror("pause: sigprocmask");
    return 1;
  }
  sigdelset(&whileWaiting, SIGTERM);
  sigdelset(&whileWaiting, SIGINT);
  sigdelset(&whileWaiting, SIGCHLD);

  // Handlers, not SIG_IGN/SIG_DFL: PID 1 gets no default actions, and an ignored SIGCHLD
  // would never wake sigsuspend.
  struct sigaction stop;
  memset(&stop, 0, sizeof stop);
  stop.sa_handler = onStop;
  sigemptyset(&stop.sa_mask);
  struct sigaction child = stop;
  child.sa_handler = onChild;
  child.sa_flags = SA_NOCLDSTOP;
  if (sigaction(SIGTERM, &stop, NULL) != 0 || sigaction(SIGINT, &stop, NULL) != 0 ||
      sigaction(SIGCHLD, &child, NULL) != 0) {
    perror("pause: sigaction");
    return 1;
  }

  for (;;) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    if (stopRequested) return 0;
    sigsuspend(&whileWaiting);
  }
}
