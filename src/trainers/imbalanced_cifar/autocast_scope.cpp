#include "trainers/imbalanced_cifar/autocast_scope.h"

#include <ATen/autocast_mode.h>

namespace wei::imbalanced_cifar {

AutocastScope::AutocastScope(bool enabled, c10::Device device)
    : active_(enabled), cuda_(device.is_cuda()) {
  if (!active_) return;
  if (cuda_) {
    previous_enabled_ = at::autocast::is_enabled();
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    previous_enabled_ = at::autocast::is_cpu_enabled();
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
    at::autocast::set_enabled(previous_enabled_);
  } else {
    at::autocast::set_cpu_enabled(previous_enabled_);
  }
}

}  // namespace wei::imbalanced_cifar
