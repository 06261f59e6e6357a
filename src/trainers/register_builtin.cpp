// The one list of builtin trainers.
#include "trainers/register_builtin.h"

#include "trainers/all_layer_margin/all_layer_margin_trainer.h"
#include "trainers/hmm_prompt/hmm_prompt_trainer.h"
#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"
#include "trainers/label_noise_sgd/label_noise_sgd_trainer.h"
#include "trainers/large_lr_patch/large_lr_patch_trainer.h"
#include "trainers/max_margin/max_margin_trainer.h"
#include "trainers/self_training/self_training_trainer.h"
#include "trainers/sma_circuits/sma_circuits_trainer.h"
#include "trainers/spurious_selftrain/spurious_selftrain_trainer.h"

namespace wei {

const TrainerRegistry& builtin_registry() {
  static const TrainerRegistry registry = [] {
    TrainerRegistry r;
    r.add(label_noise_sgd_trainer_info());
    r.add(imbalanced_cifar_trainer_info());
    r.add(hmm_prompt_trainer_info());
    r.add(spurious_selftrain_trainer_info());
    r.add(max_margin_trainer_info());
    r.add(all_layer_margin_trainer_info());
    r.add(large_lr_patch_trainer_info());
    r.add(self_training_trainer_info());
    r.add(sma_circuits_trainer_info());
    return r;
  }();
  return registry;
}

}  // namespace wei
