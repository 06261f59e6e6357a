#include "train/data_parallel.h"

#include <cstring>
#include <map>
#include <tuple>

#include "base/stopwatch.h"

namespace wei {

namespace {

// Per thread, so that tests can run several ranks in one process (one thread each).
thread_local DataParallel* g_current = nullptr;

// Gradients are reduced in flat buckets of at most this many bytes (DDP's default is 25 MiB).
constexpr int64_t kBucketBytes = 25 << 20;

}  // namespace

DataParallel::DataParallel(std::unique_ptr<Collectives> collectives, int rank, int world_size, StopToken local_stop)
    : collectives_(std::move(collectives)), rank_(rank), world_size_(world_size), local_stop_(std::move(local_stop)) {}

DataParallel::Range DataParallel::shard_range(int64_t rows) const {
  const int64_t base = rows / world_size_;
  const int64_t extra = rows % world_size_;
  Range r;
  r.length = base + (rank_ < extra ? 1 : 0);
  r.start = rank_ * base + std::min<int64_t>(rank_, extra);
  return r;
}

torch::Tensor DataParallel::shard(const torch::Tensor& global) const {
  const Range r = shard_range(global.size(0));
  return global.narrow(0, r.start, r.length);
}

DataParallel::StepSums DataParallel::sync_gradients(const std::vector<torch::Tensor>& params, double weight,
                                                    double loss, double reported_loss, double reported_weight) {
  const Stopwatch timer;
  // One small collective for the step's numbers and which parameters have a gradient anywhere,
  // then the weighted gradients.
  const int64_t fixed = 5;
  auto numbers = torch::zeros({fixed + static_cast<int64_t>(params.size())}, torch::kDouble);
  auto* n = numbers.data_ptr<double>();
  n[0] = weight;
  n[1] = weight * loss;
  n[2] = reported_loss;
  n[3] = reported_weight;
  n[4] = local_stop_.requested() ? 1.0 : 0.0;
  for (size_t i = 0; i < params.size(); ++i) n[fixed + i] = params[i].grad().defined() ? 1.0 : 0.0;
  std::vector<torch::Tensor> one{numbers};
  collectives_->allreduce_sum(one);

  StepSums sums;
  sums.weight = n[0];
  sums.loss = sums.weight > 0 ? n[1] / sums.weight : 0.0;
  sums.reported_loss = n[2];
  sums.reported_weight = n[3];
  sums.stop = n[4] > 0;
  if (sums.stop) stop_agreed_ = true;

  const double share = sums.weight > 0 ? weight / sums.weight : 0.0;
  // Buckets of gradients with the same dtype and device, in parameter order.
  std::map<std::tuple<int, int, int>, std::vector<size_t>> groups;
  for (size_t i = 0; i < params.size(); ++i) {
    if (n[fixed + i] == 0) continue;
    const auto& p = params[i];
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    groups[{static_cast<int>(p.scalar_type()), static_cast<int>(p.device().type()), p.device().index()}].push_back(i);
  }
  for (const auto& [key, members] : groups) {
    size_t first = 0;
    while (first < members.size()) {
      std::vector<torch::Tensor> flat;
      int64_t bytes = 0;
      size_t last = first;
      for (; last < members.size() && (last == first || bytes < kBucketBytes); ++last) {
        const auto& g = params[members[last]].grad();
        flat.push_back(g.reshape(-1).mul(share));
        bytes += g.numel() * static_cast<int64_t>(g.element_size());
      }
      std::vector<torch::Tensor> bucket{torch::cat(flat)};
      collectives_->allreduce_sum(bucket);
      torch::NoGradGuard no_grad;
      int64_t offset = 0;
      for (size_t k = first; k < last; ++k) {
        auto& g = params[members[k]].mutable_grad();
        g.copy_(bucket[0].narrow(0, offset, g.numel()).view_as(g));
        offset += g.numel();
      }
      first = last;
    }
  }
  communication_seconds_ += timer.seconds();
  return sums;
}

std::vector<double> DataParallel::sum(const std::vector<double>& values) {
  auto t = torch::tensor(values, torch::kDouble);
  std::vector<torch::Tensor> one{t};
  collectives_->allreduce_sum(one);
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

bool DataParallel::agree_stop(bool local) {
  if (sum({local ? 1.0 : 0.0})[0] > 0) stop_agreed_ = true;
  return stop_agreed_;
}

void DataParallel::broadcast(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> contiguous;
  for (const auto& t : tensors) contiguous.push_back(t.is_contiguous() ? t : t.contiguous());
  collectives_->broadcast(contiguous);
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].is_same(contiguous[i])) tensors[i].copy_(contiguous[i]);
  }
}

std::string DataParallel::broadcast_text(const std::string& text) {
  auto length = torch::tensor({static_cast<int64_t>(text.size())}, torch::kInt64);
  broadcast({length});
  auto bytes = torch::zeros({length.item<int64_t>()}, torch::kUInt8);
  if (rank_ == 0) std::memcpy(bytes.data_ptr<uint8_t>(), text.data(), text.size());
  broadcast({bytes});
  return std::string(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), static_cast<size_t>(bytes.numel()));
}

double DataParallel::take_communication_seconds() {
  const double s = communication_seconds_;
  communication_seconds_ = 0;
  return s;
}

DataParallel* current_data_parallel() { return g_current; }

ScopedDataParallel::ScopedDataParallel(DataParallel* group) : previous_(g_current) { g_current = group; }
ScopedDataParallel::~ScopedDataParallel() { g_current = previous_; }

}  // namespace wei
