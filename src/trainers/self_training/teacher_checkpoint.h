#pragma once
// The teacher of method teacher_student read from another self_training run (spec key
// teacher.checkpoint): the run directory (or its checkpoints/last.pt), its config.yaml for the
// network's shape and the data it was trained on, and the checkpoint, verified before it is
// trusted. The network comes back with the weights' average in place when the run kept one (what
// that run evaluated).
//
// Refused, as an InputError naming teacher.checkpoint (exit 2): a path that holds no run, a run of
// another trainer or setting, a teacher trained on other data (the synthetic stand-in against real
// CIFAR-10, or the reverse) or with another normalisation, and a checkpoint that fails its checksum
// or holds another network.
#include <string>
#include <vector>

#include <torch/types.h>

#include "models/wide_resnet.h"

namespace wei::self_training {

// What the student's run reads, against which the teacher's run is checked.
struct TeacherExpectations {
  bool real_data;  // data.root set
  std::vector<double> mean, std;
};

struct LoadedTeacher {
  models::WideResNet network{nullptr};  // on the CPU, in eval mode
  std::string run_dir;
  std::string network_name;  // "WRN-28-2"
  bool averaged = false;     // the weights' average was put in place
};

LoadedTeacher load_teacher(const std::string& path, const TeacherExpectations& expected);

}  // namespace wei::self_training
