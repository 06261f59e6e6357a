// The one list of builtin trainers. Adding a trainer: its folder under src/trainers/, one line here.
#include "core/registry.h"
#include "trainers/label_noise_sgd/label_noise_sgd_trainer.h"

namespace wei {

void register_builtin_trainers(TrainerRegistry& registry) {
  registry.add(label_noise_sgd_trainer_info());
}

}  // namespace wei
