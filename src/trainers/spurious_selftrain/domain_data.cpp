#include "trainers/spurious_selftrain/domain_data.h"

namespace wei::spurious_selftrain {

LabelledSet LabelledSet::subset(const torch::Tensor& indices) const {
  return {x.index_select(0, indices), y.index_select(0, indices),
          group.defined() ? group.index_select(0, indices) : torch::Tensor()};
}

LabelledSet LabelledSet::to(torch::Device device) const {
  return {x.to(device), y.to(device), group.defined() ? group.to(device) : torch::Tensor()};
}

}  // namespace wei::spurious_selftrain
