#include "train/collectives.h"

#include "base/errors.h"

#if defined(WEI_HAVE_GLOO) || defined(WEI_HAVE_NCCL)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef WEI_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef WEI_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace wei {

std::string collective_backend_for(const torch::Device& device) {
#ifdef WEI_HAVE_GLOO
  if (device.is_cpu()) return "gloo";
#endif
#ifdef WEI_HAVE_NCCL
  if (device.is_cuda()) return "nccl";
#endif
  return "";
}

#if defined(WEI_HAVE_GLOO) || defined(WEI_HAVE_NCCL)

namespace {

// One process group of type Group (ProcessGroupGloo or ProcessGroupNCCL). Templated on the
// concrete type so that it needs neither c10d::ProcessGroup (1.13) nor c10d::Backend (2.x).
template <typename Group>
class C10dCollectives : public Collectives {
 public:
  C10dCollectives(c10::intrusive_ptr<Group> group, std::string backend, int rank)
      : group_(std::move(group)), backend_(std::move(backend)), rank_(rank) {}

  std::string backend() const override { return backend_; }

  void allreduce_sum(std::vector<torch::Tensor>& tensors) override {
    for (auto& t : tensors) {
      std::vector<at::Tensor> one{t};
      wait(group_->allreduce(one), "allreduce");
    }
  }

  void broadcast(std::vector<torch::Tensor>& tensors) override {
    for (auto& t : tensors) {
      std::vector<at::Tensor> one{t};
      c10d::BroadcastOptions options;
      options.rootRank = 0;
      wait(group_->broadcast(one, options), "broadcast");
    }
  }

 private:
  template <typename Work>
  void wait(const Work& work, const char* what) {
    try {
      work->wait();
    } catch (const std::exception& e) {
      throw RunError("data-parallel rank " + std::to_string(rank_) + ": " + what +
                     " failed: another rank died, hung past the timeout or stopped early (" + first_line(e.what()) +
                     ")");
    }
  }

  c10::intrusive_ptr<Group> group_;
  std::string backend_;
  int rank_;
};

c10::intrusive_ptr<c10d::TCPStore> rendezvous(const WorldInfo& world, std::chrono::seconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(world.master_port);
  options.isServer = world.rank == 0;
  options.numWorkers = world.world_size;
  options.waitWorkers = true;
  options.timeout = timeout;
  try {
    return c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
  } catch (const std::exception& e) {
    throw RunError("data-parallel rank " + std::to_string(world.rank) + ": rendezvous at " + world.master_addr + ":" +
                   std::to_string(world.master_port) + " failed within " + std::to_string(timeout.count()) +
                   " s: " + first_line(e.what()));
  }
}

}  // namespace

std::unique_ptr<Collectives> connect_collectives(const WorldInfo& world, const torch::Device& device,
                                                 std::chrono::seconds timeout) {
  const std::string backend = collective_backend_for(device);
  if (backend.empty()) {
    throw InputError("data-parallel training on " + device.str() + " needs a c10d backend that this build lacks (" +
                     (device.is_cpu() ? "Gloo: install libgloo-dev and rebuild" : "NCCL: build against a CUDA LibTorch") +
                     ")");
  }
  auto store = rendezvous(world, timeout);
  try {
#ifdef WEI_HAVE_GLOO
    if (backend == "gloo") {
      auto options = c10d::ProcessGroupGloo::Options::create();
      options->timeout = timeout;
      // On one machine every rank talks over loopback; across machines over the interface of this
      // machine's hostname.
      const bool local = world.master_addr == "127.0.0.1" || world.master_addr == "localhost";
      options->devices.push_back(local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                       : c10d::ProcessGroupGloo::createDefaultDevice());
      auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, world.rank, world.world_size, options);
      return std::make_unique<C10dCollectives<c10d::ProcessGroupGloo>>(group, backend, world.rank);
    }
#endif
#ifdef WEI_HAVE_NCCL
    if (backend == "nccl") {
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, world.rank, world.world_size, options);
      return std::make_unique<C10dCollectives<c10d::ProcessGroupNCCL>>(group, backend, world.rank);
    }
#endif
  } catch (const RunError&) {
    throw;
  } catch (const std::exception& e) {
    throw RunError("data-parallel rank " + std::to_string(world.rank) + ": cannot create the " + backend +
                   " process group: " + first_line(e.what()));
  }
  throw InputError("no c10d backend for " + device.str());
}

#else

std::unique_ptr<Collectives> connect_collectives(const WorldInfo& world, const torch::Device& device,
                                                 std::chrono::seconds timeout) {
  throw InputError("this wei-run was built without torch c10d (no Gloo headers: install libgloo-dev and rebuild), so "
                   "it runs in one process only; world size " +
                   std::to_string(world.world_size) + " was asked for");
}

#endif

}  // namespace wei
