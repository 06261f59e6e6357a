#include <catch2/catch.hpp>

#include <cmath>

#include "base/seeding.h"
#include "trainers/max_margin/classifier_metrics.h"
#include "trainers/max_margin/hard_margin_svm.h"
#include "trainers/max_margin/linear_classifier.h"

namespace wei::max_margin {

// Glasgow et al.'s point on a small case: n = 50, d = 5000, sigma = 1, ||mu|| = 8. The signal is
// strong enough for the max-margin classifier to generalise (n ||mu||^4 / (sigma^4 d) = 41), yet
// the noise supplies most of every training margin (sigma^2 d > n ||mu||^2), so negating the
// noise (S') flips almost every training point: uniform convergence over any class containing the
// max-margin classifier is vacuous here. A classifier with half the max margin can then ignore the
// signal altogether and be worse than chance.
TEST_CASE("a regime where max-margin generalises, its S' error is near 1, and half margin fails", "[max_margin]") {
  for (const uint64_t seed : {0, 1, 2}) {
    CAPTURE(seed);
    at::Generator gen = wei::make_generator(seed, "regime-test");
    const LinearProblem p = make_linear_problem(8.0, 1.0, 5000, 50, gen);
    CHECK(signal_to_noise(p) == Approx(50 * 4096 / 4999.0));
    const SvmSolution svm = solve_hard_margin_svm(label_kernel(p), 1e-10, 1000000);
    REQUIRE(svm.converged);
    const LinearClassifier max_margin = from_dual(p, svm.alpha);
    const ClassifierMetrics mm = classifier_metrics(p, max_margin);
    CAPTURE(mm.test_error, mm.s_prime_error);
    CHECK(mm.train_error == 0);
    CHECK(mm.test_error < 1e-3);
    CHECK(mm.s_prime_error > 0.95);

    const auto half = remove_signal_to_margin(p, noise_memoriser(p), 0.5 * mm.normalized_margin);
    REQUIRE(half);
    const ClassifierMetrics hm = classifier_metrics(p, half->classifier);
    CAPTURE(hm.test_error, hm.normalized_margin, half->removed);
    CHECK(hm.normalized_margin == Approx(0.5 * mm.normalized_margin).epsilon(1e-9));
    CHECK(hm.train_error == 0);  // still separates the training set, with half the margin
    CHECK(half->removed > 0);
    CHECK(hm.test_error > 0.5);

    // While a (1 - epsilon)-max-margin classifier built the same adversarial way still generalises.
    const auto near = remove_signal_to_margin(p, max_margin, 0.95 * mm.normalized_margin);
    REQUIRE(near);
    CHECK(near->removed > 0);
    CHECK(classifier_metrics(p, near->classifier).test_error < 0.02);
  }
}

}  // namespace wei::max_margin
