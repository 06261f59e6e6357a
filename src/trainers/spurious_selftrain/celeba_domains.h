#pragma once
// The CelebA shift of Chen et al. (2020): label Male, spurious feature Blond_Hair. Scanning the
// attribute file in order, the source takes the first `dark_women` dark-haired women and the first
// `blond_men` blond men (paper: 1,749 and 1,250), so in the source hair colour predicts gender
// exactly; every other image is target. Each domain is split test_fraction / rest at random.
// Groups (hair, gender): dark_female, dark_male, blond_female, blond_male.
#include <ATen/core/Generator.h>

#include "base/stop_token.h"
#include "trainers/spurious_selftrain/domain_data.h"

namespace wei::spurious_selftrain {

struct CelebaDomainOptions {
  int64_t dark_women = 1749;
  int64_t blond_men = 1250;
  double test_fraction = 0.1;
  // Use only the rows whose image exists under img_align_celeba/ (for a subset of the images);
  // otherwise a missing image is an InputError.
  bool available_only = false;
  int64_t image_size = 32;
};

DomainData make_celeba_domains(const std::string& root, const CelebaDomainOptions& options,
                               at::Generator& split_gen, const StopToken& stop = StopToken());

}  // namespace wei::spurious_selftrain
