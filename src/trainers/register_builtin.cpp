// The one list of builtin trainers. Adding a trainer: its folder under src/trainers/, one line here.
#include "core/registry.h"
#include "trainers/hmm_prompt/hmm_prompt_trainer.h"
#include "trainers/imbalanced_cifar/imbalanced_cifar_trainer.h"
#include "trainers/label_noise_sgd/label_noise_sgd_trainer.h"
#include "trainers/spurious_selftrain/spurious_selftrain_trainer.h"

namespace wei {

void register_builtin_trainers(TrainerRegistry& registry) {
  registry.add(label_noise_sgd_trainer_info());
  registry.add(imbalanced_cifar_trainer_info());
  registry.add(hmm_prompt_trainer_info());
  registry.add(spurious_selftrain_trainer_info());
}

}  // namespace wei
