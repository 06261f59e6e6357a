#include <catch2/catch.hpp>

#include "base/errors.h"
#include "trainers/all_layer_margin/all_layer_margin_estimate.h"

namespace {

using wei::all_layer_margin::MarginSearch;
using wei::models::WideResNet;
using wei::models::WideResNetOptions;

struct MarginCase {
  WideResNet model{nullptr};
  torch::Tensor x, y;
};

// A tiny WRN with its BatchNorm statistics set by a few training-mode passes, and a batch whose
// labels are half the model's predictions (margin > 0) and half something else (margin 0).
MarginCase margin_case() {
  torch::manual_seed(5);
  MarginCase c;
  c.model = WideResNet(WideResNetOptions{10, 1, 10});
  c.model->to(torch::kDouble);
  c.x = torch::randn({12, 3, 32, 32}, torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    c.model->train();
    for (int i = 0; i < 5; ++i) c.model->forward(c.x);
    c.model->eval();
    const auto predicted = c.model->forward(c.x).argmax(1);
    c.y = predicted.clone();
    c.y.narrow(0, 6, 6).add_(1).remainder_(10);
  }
  c.model->train();
  return c;
}

}  // namespace

TEST_CASE("margin estimates: 0 when misclassified, positive and at most max_radius otherwise", "[all_layer_margin]") {
  MarginCase c = margin_case();
  const auto buffers_before = c.model->named_buffers()["bn2.running_mean"].clone();
  MarginSearch search;
  search.steps = 8;
  search.bisections = 8;
  search.max_radius = 4.0;
  search.batch_size = 5;  // three batches, the last partial
  const auto margins = wei::all_layer_margin::estimate_all_layer_margins(c.model, c.x, c.y, search, {});
  REQUIRE(margins.sizes() == torch::IntArrayRef({12}));
  CHECK(margins.scalar_type() == torch::kDouble);
  for (int64_t i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(margins[i].item<double>() > 0);
    CHECK(margins[i].item<double>() <= 4.0);
  }
  CHECK(margins.narrow(0, 6, 6).abs().max().item<double>() == 0);
  // Eval mode inside; the training mode and the statistics are as they were.
  CHECK(c.model->is_training());
  CHECK(torch::equal(c.model->named_buffers()["bn2.running_mean"], buffers_before));

  // Capped well below every estimate, the search flips no correctly classified example: each is
  // censored at the cap.
  MarginSearch capped = search;
  capped.max_radius = margins.narrow(0, 0, 6).min().item<double>() / 4;
  const auto low = wei::all_layer_margin::estimate_all_layer_margins(c.model, c.x, c.y, capped, {});
  CHECK(torch::allclose(low.narrow(0, 0, 6), torch::full({6}, capped.max_radius, torch::kDouble)));
  CHECK(low.narrow(0, 6, 6).abs().max().item<double>() == 0);
}

TEST_CASE("the all-layer margin does not change when the classifier is scaled", "[all_layer_margin]") {
  // The perturbations are relative to each layer's activations, and the classifier's scale changes
  // no prediction: the margin is a property of the decision, unlike the output margin.
  MarginCase c = margin_case();
  MarginSearch search;
  search.steps = 6;
  search.bisections = 6;
  const auto before = wei::all_layer_margin::estimate_all_layer_margins(c.model, c.x, c.y, search, {});
  {
    torch::NoGradGuard no_grad;
    for (auto& item : c.model->named_parameters()) {
      if (item.key().rfind("fc.", 0) == 0) item.value().mul_(7.0);
    }
  }
  const auto after = wei::all_layer_margin::estimate_all_layer_margins(c.model, c.x, c.y, search, {});
  CHECK(torch::allclose(before, after, 0, 1e-9));
}

TEST_CASE("a stop request interrupts a margin search", "[all_layer_margin]") {
  MarginCase c = margin_case();
  int polls = 0;
  const wei::StopToken stop([&polls] { return ++polls > 2; });
  MarginSearch search;
  CHECK_THROWS_AS(wei::all_layer_margin::estimate_all_layer_margins(c.model, c.x, c.y, search, stop),
                  wei::InterruptedError);
  CHECK(c.model->is_training());
}
