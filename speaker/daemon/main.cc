// ironlb-speaker: see speaker/daemon/README.md.
#include "speaker/daemon/run.h"

int main(int argc, char** argv) {
  return ironlb::speaker::runSpeaker(argc, argv);
}
