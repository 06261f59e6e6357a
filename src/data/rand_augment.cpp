#include "data/rand_augment.h"

#include <functional>
#include <stdexcept>

#include "base/seeding.h"

namespace wei::data {

namespace {

constexpr double kParameterMax = 10;  // the reference's PARAMETER_MAX: levels are 0..10

int int_parameter(int64_t level, double max) { return static_cast<int>(static_cast<double>(level) * max / kParameterMax); }
double float_parameter(int64_t level, double max) { return static_cast<double>(level) * max / kParameterMax; }

// numpy's "reflect" index for a shift past the border (the edge is not repeated).
int64_t reflect(int64_t i, int64_t n) {
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}

ImageView view_of(const torch::Tensor& images, int64_t i) {
  return ImageView{images[i].data_ptr<uint8_t>(), images.size(1), images.size(2), images.size(3)};
}

torch::Tensor augmented_copy(const torch::Tensor& images, const std::function<void(ImageView)>& augment) {
  if (images.dim() != 4 || images.scalar_type() != torch::kUInt8 || !images.device().is_cpu()) {
    throw std::invalid_argument("augmentation expects uint8 [N, C, H, W] images on the CPU");
  }
  torch::Tensor out = images.contiguous().clone();
  for (int64_t i = 0; i < out.size(0); ++i) augment(view_of(out, i));
  return out;
}

}  // namespace

const NamedValues<RandAugmentOp>& rand_augment_op_names() {
  static const NamedValues<RandAugmentOp> names = {
      {"Identity", RandAugmentOp::kIdentity},       {"AutoContrast", RandAugmentOp::kAutoContrast},
      {"Equalize", RandAugmentOp::kEqualize},       {"Rotate", RandAugmentOp::kRotate},
      {"Solarize", RandAugmentOp::kSolarize},       {"Color", RandAugmentOp::kColor},
      {"Contrast", RandAugmentOp::kContrast},       {"Brightness", RandAugmentOp::kBrightness},
      {"Sharpness", RandAugmentOp::kSharpness},     {"ShearX", RandAugmentOp::kShearX},
      {"TranslateX", RandAugmentOp::kTranslateX},   {"TranslateY", RandAugmentOp::kTranslateY},
      {"Posterize", RandAugmentOp::kPosterize},     {"ShearY", RandAugmentOp::kShearY}};
  return names;
}

void apply_rand_augment_op(ImageView image, RandAugmentOp op, int64_t level, bool negate, uint8_t fill) {
  const double sign = negate ? -1.0 : 1.0;
  const double enhance = float_parameter(level, 1.8) + 0.1;
  switch (op) {
    case RandAugmentOp::kIdentity: return;
    case RandAugmentOp::kAutoContrast: return auto_contrast(image);
    case RandAugmentOp::kEqualize: return equalize(image);
    case RandAugmentOp::kRotate: return rotate(image, sign * int_parameter(level, 30), fill);
    case RandAugmentOp::kSolarize: return solarize(image, 256 - int_parameter(level, 256));
    case RandAugmentOp::kColor: return color(image, enhance);
    case RandAugmentOp::kContrast: return contrast(image, enhance);
    case RandAugmentOp::kBrightness: return brightness(image, enhance);
    case RandAugmentOp::kSharpness: return sharpness(image, enhance);
    case RandAugmentOp::kShearX: return shear_x(image, sign * float_parameter(level, 0.3), fill);
    case RandAugmentOp::kShearY: return shear_y(image, sign * float_parameter(level, 0.3), fill);
    case RandAugmentOp::kTranslateX:
      return translate_x(image, static_cast<int64_t>(sign) * int_parameter(level, 10), fill);
    case RandAugmentOp::kTranslateY:
      return translate_y(image, static_cast<int64_t>(sign) * int_parameter(level, 10), fill);
    case RandAugmentOp::kPosterize: return posterize(image, 4 - int_parameter(level, 4));
  }
}

ImageAugmenter::ImageAugmenter(int64_t padding, StrongAugmentSettings strong) : padding_(padding), strong_(strong) {
  if (padding < 0) throw std::invalid_argument("augmentation padding must be >= 0");
  if (strong.ops < 0 || strong.cutout < 0) throw std::invalid_argument("RandAugment ops and cutout must be >= 0");
  const int64_t lowest = strong.kind == StrongAugment::kReference ? 2 : 0;
  if (strong.magnitude < lowest || strong.magnitude > 10) {
    throw std::invalid_argument("RandAugment magnitude must be in [" + std::to_string(lowest) + ", 10]");
  }
}

void ImageAugmenter::weak(ImageView image, std::mt19937_64& rng) const {
  if (uniform01(rng) < 0.5) flip_x(image);
  if (padding_ == 0) return;
  if (padding_ >= image.height || padding_ >= image.width) {
    throw std::invalid_argument("a reflected translation must be smaller than the image");
  }
  const int64_t dx = uniform_below(rng, 2 * padding_ + 1) - padding_;
  const int64_t dy = uniform_below(rng, 2 * padding_ + 1) - padding_;
  if (dx == 0 && dy == 0) return;
  const std::vector<uint8_t> source(image.data, image.data + image.channels * image.plane());
  for (int64_t c = 0; c < image.channels; ++c) {
    for (int64_t y = 0; y < image.height; ++y) {
      const int64_t ys = reflect(y + dy, image.height);
      for (int64_t x = 0; x < image.width; ++x) {
        image.at(c, y, x) = source[(c * image.height + ys) * image.width + reflect(x + dx, image.width)];
      }
    }
  }
}

std::vector<DrawnOp> ImageAugmenter::strong(ImageView image, std::mt19937_64& rng) const {
  weak(image, rng);
  const auto& names = rand_augment_op_names();
  std::vector<DrawnOp> drawn;
  for (int64_t k = 0; k < strong_.ops; ++k) {
    DrawnOp d;
    d.op = names[static_cast<size_t>(uniform_below(rng, static_cast<int64_t>(names.size())))].second;
    const bool reference = strong_.kind == StrongAugment::kReference;
    d.level = reference ? 1 + uniform_below(rng, strong_.magnitude - 1) : strong_.magnitude;
    d.applied = reference ? uniform01(rng) < 0.5 : true;
    d.negate = uniform01(rng) < 0.5;
    if (d.applied) apply_rand_augment_op(image, d.op, d.level, d.negate, strong_.fill);
    drawn.push_back(d);
  }
  if (strong_.cutout > 0) {
    const int64_t cy = uniform_below(rng, image.height);
    const int64_t cx = uniform_below(rng, image.width);
    cutout(image, cy, cx, strong_.cutout, strong_.fill);
  }
  return drawn;
}

torch::Tensor ImageAugmenter::weak_batch(const torch::Tensor& images, std::mt19937_64& rng) const {
  return augmented_copy(images, [&](ImageView image) { weak(image, rng); });
}

torch::Tensor ImageAugmenter::strong_batch(const torch::Tensor& images, std::mt19937_64& rng) const {
  return augmented_copy(images, [&](ImageView image) { strong(image, rng); });
}

}  // namespace wei::data
