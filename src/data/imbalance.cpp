#include "data/imbalance.h"

#include <cmath>
#include <stdexcept>


namespace wei::data {

const NamedValues<ImbalanceProfile>& imbalance_profile_names() {
  static const NamedValues<ImbalanceProfile> names = {
      {"none", ImbalanceProfile::kNone}, {"exp", ImbalanceProfile::kExp}, {"step", ImbalanceProfile::kStep}};
  return names;
}

std::vector<int64_t> imbalanced_class_counts(int64_t n_max, int64_t num_classes,
                                             ImbalanceProfile profile, double ratio) {
  if (num_classes < 1 || n_max < 1 || !(ratio >= 1.0)) {
    throw std::invalid_argument("imbalanced_class_counts: need n_max >= 1, classes >= 1, ratio >= 1");
  }
  // Same arithmetic as the reference code (imb_factor = 1/ratio, then int()), so the counts agree
  // to the image: 5000 * 0.01^(9/9) is 50, not 49.
  const double factor = 1.0 / ratio;
  std::vector<int64_t> counts(num_classes, n_max);
  for (int64_t i = 0; i < num_classes; ++i) {
    if (profile == ImbalanceProfile::kExp && num_classes > 1) {
      const double exponent = static_cast<double>(i) / (static_cast<double>(num_classes) - 1.0);
      counts[i] = static_cast<int64_t>(static_cast<double>(n_max) * std::pow(factor, exponent));
    } else if (profile == ImbalanceProfile::kStep && i >= num_classes / 2) {
      counts[i] = static_cast<int64_t>(static_cast<double>(n_max) * factor);
    }
    counts[i] = std::max<int64_t>(counts[i], 1);
  }
  return counts;
}

std::vector<int64_t> class_counts(const torch::Tensor& labels, int64_t num_classes) {
  auto hist = torch::bincount(labels.to(torch::kCPU).to(torch::kInt64), {}, num_classes);
  std::vector<int64_t> counts(num_classes);
  for (int64_t c = 0; c < num_classes; ++c) counts[c] = hist[c].item<int64_t>();
  return counts;
}

}  // namespace wei::data
