#include "trainers/spurious_selftrain/colored_mnist.h"

namespace wei::spurious_selftrain {

torch::Tensor draw_colours(const torch::Tensor& labels, double correlation, at::Generator& gen) {
  const int64_t n = labels.size(0);
  const torch::Tensor tied = (labels.to(torch::kFloat) + torch::rand({n}, gen)) / 10;
  const torch::Tensor uniform = torch::rand({n}, gen);
  const torch::Tensor use_tied = torch::rand({n}, gen) < correlation;
  return torch::where(use_tied, tied, uniform);
}

torch::Tensor colorize(const torch::Tensor& images, const torch::Tensor& colours) {
  const torch::Tensor x = images.to(torch::kFloat).div(255).flatten(1);
  const torch::Tensor c = colours.to(torch::kFloat).unsqueeze(1);
  return torch::cat({x * c, x * (1 - c)}, 1);
}

MnistSplit synthetic_digits(int64_t count, at::Generator& template_gen, at::Generator& sample_gen) {
  constexpr int64_t kClasses = 10, kSide = 28, kStrokes = 3, kPointsPerStroke = 40, kShift = 2;
  torch::Tensor templates = torch::zeros({kClasses, kSide, kSide});
  auto t = templates.accessor<float, 3>();
  for (int64_t k = 0; k < kClasses; ++k) {
    const torch::Tensor ends = torch::randint(6, 22, {kStrokes, 4}, template_gen);
    auto e = ends.accessor<int64_t, 2>();
    for (int64_t s = 0; s < kStrokes; ++s) {
      for (int64_t p = 0; p <= kPointsPerStroke; ++p) {
        const double a = static_cast<double>(p) / kPointsPerStroke;
        const auto r = static_cast<int64_t>(e[s][0] + a * static_cast<double>(e[s][2] - e[s][0]));
        const auto c = static_cast<int64_t>(e[s][1] + a * static_cast<double>(e[s][3] - e[s][1]));
        for (int64_t dr = 0; dr <= 1; ++dr)
          for (int64_t dc = 0; dc <= 1; ++dc) t[k][r + dr][c + dc] = 1.0f;
      }
    }
  }
  const torch::Tensor labels = torch::arange(count, torch::kInt64).remainder(kClasses);
  torch::Tensor images = templates.index_select(0, labels);
  const torch::Tensor shifts = torch::randint(-kShift, kShift + 1, {count, 2}, sample_gen);
  auto sh = shifts.accessor<int64_t, 2>();
  for (int64_t i = 0; i < count; ++i)
    images[i] = torch::roll(images[i], {sh[i][0], sh[i][1]}, {0, 1});
  images = (images * 0.8 + 0.2 * torch::rand({count, kSide, kSide}, sample_gen)).clamp(0, 1);
  return {images.mul(255).round().to(torch::kUInt8), labels};
}

}  // namespace wei::spurious_selftrain

namespace wei::spurious_selftrain {

DomainData make_colored_mnist_domains(const MnistSplit& train, const MnistSplit& test, double correlation,
                                      at::Generator& colour_gen) {
  const int64_t n = train.labels.size(0);
  const int64_t half = n / 2;
  const int64_t source_fit = half * 2 / 3;
  auto make = [&](const MnistSplit& split, int64_t begin, int64_t end, double corr) {
    const torch::Tensor y = split.labels.slice(0, begin, end);
    return LabelledSet{colorize(split.images.slice(0, begin, end), draw_colours(y, corr, colour_gen)), y, {}};
  };
  DomainData d;
  d.source_train = make(train, 0, source_fit, correlation);
  d.source_test = make(train, source_fit, half, correlation);
  d.target_train = make(train, half, n, 0.0);
  d.target_test = make(test, 0, test.labels.size(0), 0.0);
  d.classes = 10;
  d.info = {{"source_train_size", d.source_train.size()},
            {"source_test_size", d.source_test.size()},
            {"target_train_size", d.target_train.size()},
            {"target_test_size", d.target_test.size()},
            {"correlation", correlation}};
  return d;
}

}  // namespace wei::spurious_selftrain
