#pragma once
// Training precision, and RAII bf16 autocast for the CPU (AutocastCPU dispatch key, LibTorch >= 1.10) or CUDA, the C++
// counterpart of `with torch.autocast(device_type, dtype=torch.bfloat16)`. Disabled scopes are
// no-ops; the previous state is restored on exit and the weight-cast cache cleared when the
// outermost scope ends.
#include <c10/core/Device.h>

#include "base/named_values.h"

namespace wei {

enum class Precision { kFp32, kBf16 };
// "fp32", "bf16".
const NamedValues<Precision>& precision_names();

class AutocastScope {
 public:
  AutocastScope(bool enabled, c10::Device device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_;
  bool cuda_;
  bool previous_enabled_ = false;
};

}  // namespace wei
