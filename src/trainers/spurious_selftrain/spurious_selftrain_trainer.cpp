#include "trainers/spurious_selftrain/spurious_selftrain_trainer.h"

#include "trainers/spurious_selftrain/image_trainer.h"
#include "trainers/spurious_selftrain/toy_trainer.h"

namespace wei {

namespace {

ParamSchema spurious_schema() {
  ParamSchema s;
  s.add_choice("data.kind", "gaussian", {"gaussian", "colored_mnist", "celeba"}, "which experiment");
  s.add_string("data.root", "",
               "colored_mnist: folder of the MNIST idx files (.gz or plain); celeba: folder of the "
               "label files and img_align_celeba/; empty: a synthetic stand-in (colored_mnist only)");
  s.add_choice("adapt.method", "entropy", {"entropy", "pseudo_label"},
               "target adaptation: conditional-entropy minimisation or pseudo-labelling");
  spurious::add_toy_params(s);
  spurious::add_image_params(s);
  return s;
}

}  // namespace

TrainerInfo spurious_selftrain_trainer_info() {
  return {"spurious_selftrain",
          "self-training under domain shift with a spurious feature (Chen et al. 2020): "
          "Gaussian toy, colored MNIST, CelebA",
          spurious_schema,
          [](const RunContext& ctx) -> std::unique_ptr<Trainer> {
            if (ctx.spec.get_string("data.kind") == "gaussian") return spurious::make_toy_trainer(ctx);
            return spurious::make_image_trainer(ctx);
          }};
}

}  // namespace wei
