#pragma once
// The spec keys of trainer "spurious_selftrain". data.kind picks the experiment, and each
// experiment reads only its own section (gaussian.*, colored_mnist.* or celeba.*); adapt.method
// picks the keys of entropy minimisation or of pseudo-labelling within it. Setting a key the chosen
// experiment does not read is refused when the spec is loaded.
#include <cstdint>
#include <string>
#include <vector>

#include "base/named_values.h"
#include "spec/option_schema.h"

namespace wei::spurious_selftrain {

enum class DataKind { kGaussian, kColoredMnist, kCeleba };
enum class AdaptMethod { kEntropy, kPseudoLabel };
enum class OptimizerKind { kSgd, kAdam };

// The keys both image experiments have, each in its own section with its own defaults.
struct ImageTraining {
  int64_t source_epochs = 0;
  int64_t batch_size = 0;
  OptimizerKind optimizer = OptimizerKind::kSgd;
  double lr = 0;
  double momentum = 0;
  double weight_decay = 0;
  int64_t adapt_steps = 0;      // entropy
  double adapt_lr = 0;
  int64_t adapt_batch_size = 0;  // entropy; 0 = the whole target
  double entropy_weight = 1.0;   // entropy
  double source_weight = 0;
  int64_t log_every = 0;         // entropy
  int64_t pl_rounds = 3;         // pseudo_label
  int64_t pl_epochs = 1;         // pseudo_label
  double pl_threshold = 0.0;     // pseudo_label
};

struct Options {
  struct Data {
    DataKind kind = DataKind::kGaussian;
    std::string root;
  } data;
  struct Adapt {
    AdaptMethod method = AdaptMethod::kEntropy;
  } adapt;
  // Paper, Section 5.
  struct Gaussian {
    int64_t source_size = 10000;
    int64_t target_size = 10000;
    int64_t test_size = 10000;
    double signal_norm = 2.0;
    double spurious_prob = 0.8;
    double lr = 1e-3;
    int64_t source_steps = 20000;
    int64_t target_steps = 10000;
    bool fresh_batches = true;
    int64_t pl_rounds = 10;
    int64_t pl_steps = 1000;
    double pl_threshold = 0.1;
    int64_t log_every = 1000;
  } gaussian;
  // Paper: MLP 1568-128-64-10, SGD 0.03 momentum 0.9 wd 0.002, 30 epochs batch 64, then 300
  // full-batch entropy-minimisation steps.
  struct ColoredMnist : ImageTraining {
    double correlation = 0.95;
    std::vector<int64_t> hidden{128, 64};
    int64_t synthetic_train_size = 6000;
    int64_t synthetic_test_size = 1000;
    ColoredMnist() {
      source_epochs = 30;
      batch_size = 64;
      optimizer = OptimizerKind::kSgd;
      lr = 0.03;
      momentum = 0.9;
      weight_decay = 0.002;
      adapt_steps = 300;
      adapt_lr = 0.03;
      adapt_batch_size = 0;
      source_weight = 0.0;
      log_every = 30;
    }
  } colored_mnist;
  // Paper: VAT conv-small, Adam 1e-4 wd 0.002, then source + target entropy, weight 1.
  struct Celeba : ImageTraining {
    int64_t quota_dark_women = 1749;
    int64_t quota_blond_men = 1250;
    double test_fraction = 0.1;
    bool available_only = false;
    int64_t width = 96;
    Celeba() {
      source_epochs = 10;
      batch_size = 64;
      optimizer = OptimizerKind::kAdam;
      lr = 1e-4;
      momentum = 0.9;
      weight_decay = 0.002;
      adapt_steps = 2000;
      adapt_lr = 1e-4;
      adapt_batch_size = 64;
      source_weight = 1.0;
      log_every = 200;
    }
  } celeba;

  // The section of the image experiment data.kind picks (not gaussian).
  const ImageTraining& image_training() const {
    return data.kind == DataKind::kCeleba ? static_cast<const ImageTraining&>(celeba) : colored_mnist;
  }
};

const NamedValues<DataKind>& data_kind_names();
const OptionSchema<Options>& options_schema();

}  // namespace wei::spurious_selftrain
