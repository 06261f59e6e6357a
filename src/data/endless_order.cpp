#include "data/endless_order.h"

#include <vector>

#include "base/seeding.h"

namespace wei::data {

torch::Tensor EndlessOrder::take(int64_t start, int64_t count) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t k = start; k < start + count; ++k) {
    const int64_t pass = k / n_;
    if (pass != cached_pass_) {
      auto gen = make_generator(seed_ + static_cast<uint64_t>(pass), "shuffle");
      cached_ = torch::randperm(n_, gen, torch::kInt64);
      cached_pass_ = pass;
    }
    out.push_back(cached_.data_ptr<int64_t>()[k % n_]);
  }
  return torch::tensor(out, torch::kInt64);
}

}  // namespace wei::data
