#pragma once
// Integer helpers shared by the trainers (batches per epoch, history rows per run).
#include <cstdint>

namespace wei {

// ceil(a / b) for a >= 0, b > 0.
constexpr int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace wei
