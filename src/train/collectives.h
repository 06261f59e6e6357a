#pragma once
// The one thin wrapper over torch's c10d process groups that wei-run uses: Gloo for CPU tensors,
// NCCL for CUDA tensors, rendezvous through a c10d TCPStore on the master. Nothing else includes a
// c10d header, so the difference between torch 1.13 (ProcessGroupGloo derives from ProcessGroup)
// and 2.x (it derives from c10d::Backend) stays in collectives.cpp, which only uses the calls both
// have.
//
// Every collective is a blocking call that all ranks make in the same order. A peer that died
// makes it fail at once (its connection closes); one that hangs makes it fail after `timeout`.
// Either way it throws RunError naming this rank and the collective.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "base/world_info.h"

namespace wei {

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual std::string backend() const = 0;
  // Elementwise sum over the ranks, in place, of each tensor (all on the group's device).
  virtual void allreduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  // Rank 0's values into every rank's tensors, in place.
  virtual void broadcast(std::vector<torch::Tensor>& tensors) = 0;
};

// The backend this build offers for `device` ("gloo" on CPU, "nccl" on CUDA), or an empty string
// when this LibTorch (or this build of wei-run) has none for it.
std::string collective_backend_for(const torch::Device& device);

// Joins the world's process group: rank 0 serves the TCPStore at master_addr:master_port, the
// others connect to it, all within `timeout`. Throws InputError when no backend is built for the
// device, RunError when the rendezvous fails.
std::unique_ptr<Collectives> connect_collectives(const WorldInfo& world, const torch::Device& device,
                                                 std::chrono::seconds timeout);

}  // namespace wei
