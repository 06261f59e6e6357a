#include "trainers/spurious_selftrain/spurious_selftrain_trainer.h"

#include "trainers/spurious_selftrain/image_trainer.h"
#include "trainers/spurious_selftrain/spurious_options.h"
#include "trainers/spurious_selftrain/toy_trainer.h"

namespace wei {

TrainerInfo spurious_selftrain_trainer_info() {
  return trainer_info("spurious_selftrain",
                      "self-training under domain shift with a spurious feature (Chen et al. 2020): "
                      "Gaussian toy, colored MNIST, CelebA",
                      spurious_selftrain::options_schema(), [](const RunContext& ctx, const spurious_selftrain::Options& o) {
                        if (o.data.kind == spurious_selftrain::DataKind::kGaussian) return spurious_selftrain::make_toy_trainer(ctx, o);
                        return spurious_selftrain::make_image_trainer(ctx, o);
                      });
}

}  // namespace wei
