#include "train/schedule.h"

#include <algorithm>
#include <cmath>

namespace wei {

double schedule_value(const Schedule& schedule, int64_t unit) {
  if (unit < schedule.warmup) {
    return schedule.base * static_cast<double>(unit + 1) / static_cast<double>(schedule.warmup);
  }
  const double progress = schedule.total > 0 ? static_cast<double>(unit) / static_cast<double>(schedule.total) : 0.0;
  switch (schedule.kind) {
    case ScheduleKind::kFixed:
      return schedule.base;
    case ScheduleKind::kMultistep: {
      double value = schedule.base;
      for (const int64_t milestone : schedule.milestones) {
        if (unit >= milestone) value *= schedule.gamma;
      }
      return value;
    }
    case ScheduleKind::kCosine:
      return schedule.base * (1.0 + std::cos(M_PI * progress)) / 2.0;
    case ScheduleKind::kFixmatchCosine:
      return schedule.base * std::cos(7.0 * M_PI * progress / 16.0);
    case ScheduleKind::kLinear:
      return schedule.base * static_cast<double>(schedule.total - unit) /
             static_cast<double>(std::max<int64_t>(1, schedule.total - schedule.warmup));
  }
  return schedule.base;
}

}  // namespace wei
