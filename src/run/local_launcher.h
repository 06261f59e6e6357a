#pragma once
// `wei-run run SPEC --nproc N`: starts N worker processes of this binary on this machine, as
// torchrun does. Each worker gets torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT: a free port) and rendezvouses with the
// others through c10d (train/collectives.h); the runner splits the cores between them.
//
// The workers live in their own process group, so a Ctrl-C on the terminal reaches the launcher
// only, which forwards each SIGINT/SIGTERM/SIGUSR1 to every worker: one signal stops them all after
// the same step (exit 130), a second one stops them at once. A worker whose launcher dies gets
// SIGTERM. When a worker dies (killed, or exit status other than 0 and 130), the others fail on
// their next collective; any still alive `grace` later are killed.
//
// Exit status: 0 when every worker succeeded; otherwise rank 0's status when it exited by itself
// (1 failed, 2 bad input, 3 io_error, 130 interrupted, ...), else 1.
#include <chrono>
#include <string>
#include <vector>

namespace wei {

struct LocalLaunch {
  int nproc = 1;
  // The worker's arguments after the program name (the launcher's own, without --nproc).
  std::vector<std::string> worker_args;
  std::chrono::seconds grace{330};
};

int launch_local_workers(const LocalLaunch& launch);

// A TCP port on 127.0.0.1 that nothing listens on now.
int free_local_port();

}  // namespace wei
