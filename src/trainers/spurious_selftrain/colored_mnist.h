#pragma once
// Colored MNIST of Chen et al. (2020): a grey digit x in [0, 1]^784 becomes the two channels
// [x * c, x * (1 - c)] (1,568 values) for a colour c in [0, 1]. In the source, with probability
// `correlation` the colour encodes the label, c = y/10 + U(0,1)/10, and is uniform otherwise; in
// the target it is always uniform, so only the shape predicts the label there.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "data/mnist_idx.h"

namespace wei::spurious_selftrain {

// Colours [N] for labels [N]; correlation 0 gives the target's uniform colours.
torch::Tensor draw_colours(const torch::Tensor& labels, double correlation, at::Generator& gen);
// uint8 images [N, 28, 28] and colours [N] -> float [N, 1568] (first channel x*c, then x*(1-c)).
torch::Tensor colorize(const torch::Tensor& images, const torch::Tensor& colours);

// A seeded digit-like stand-in for MNIST when no data.root is given: each class is a fixed
// template of three random strokes; a sample is its class template shifted by up to 2 pixels
// with pixel noise, as uint8 [N, 28, 28] with balanced labels. Not MNIST: numbers from it only
// show the pipeline runs.
MnistSplit synthetic_digits(int64_t count, at::Generator& template_gen, at::Generator& sample_gen);

}  // namespace wei::spurious_selftrain

#include "trainers/spurious_selftrain/domain_data.h"

namespace wei::spurious_selftrain {

// The paper's split: source = first half of `train` (its first two thirds for training, the rest
// held out; 20,000 / 10,000 on MNIST), unlabelled target = second half, target test = `test`;
// source colours follow `correlation`, target colours are uniform.
DomainData make_colored_mnist_domains(const MnistSplit& train, const MnistSplit& test, double correlation,
                                      at::Generator& colour_gen);

}  // namespace wei::spurious_selftrain
