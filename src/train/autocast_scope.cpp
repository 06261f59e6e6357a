#include "train/autocast_scope.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace wei {
namespace {

// LibTorch 2.4 replaced the per-backend autocast setters with ones taking a device type (the old
// ones remain only as deprecated wrappers); Debian's 1.13 has only the old ones.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(bool cuda) { return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU); }
void enable_bf16_autocast(bool cuda, bool enabled) {
  const auto type = cuda ? at::kCUDA : at::kCPU;
  at::autocast::set_autocast_dtype(type, at::kBFloat16);
  at::autocast::set_autocast_enabled(type, enabled);
}
#else
bool autocast_enabled(bool cuda) { return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
void enable_bf16_autocast(bool cuda, bool enabled) {
  if (cuda) {
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(enabled);
  }
}
#endif

}  // namespace

const NamedValues<Precision>& precision_names() {
  static const NamedValues<Precision> names = {{"fp32", Precision::kFp32}, {"bf16", Precision::kBf16}};
  return names;
}

AutocastScope::AutocastScope(bool enabled, c10::Device device)
    : active_(enabled), cuda_(device.is_cuda()) {
  if (!active_) return;
  previous_enabled_ = autocast_enabled(cuda_);
  enable_bf16_autocast(cuda_, true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  enable_bf16_autocast(cuda_, previous_enabled_);
}

}  // namespace wei
