#include "trainers/max_margin/max_margin_trainer.h"

#include "trainers/max_margin/hypersphere_trainer.h"
#include "trainers/max_margin/linear_trainer.h"
#include "trainers/max_margin/max_margin_options.h"

namespace wei {

TrainerInfo max_margin_trainer_info() {
  return trainer_info("max_margin",
                      "max-margin generalises where uniform convergence fails, half the margin does not (Glasgow "
                      "et al. 2023): linear Gaussian setting, hypersphere ReLU network",
                      max_margin::options_schema(), [](const RunContext& ctx, const max_margin::Options& o) {
                        if (o.setting == max_margin::Setting::kLinear) return max_margin::make_linear_trainer(ctx, o);
                        return max_margin::make_hypersphere_trainer(ctx, o);
                      });
}

}  // namespace wei
