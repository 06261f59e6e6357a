#include "data/image_ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace wei::data {

namespace {

using Lut = std::array<uint8_t, 256>;

void apply_lut(ImageView image, int64_t channel, const Lut& lut) {
  uint8_t* p = image.data + channel * image.plane();
  for (int64_t i = 0; i < image.plane(); ++i) p[i] = lut[p[i]];
}

std::array<int64_t, 256> histogram(const ImageView& image, int64_t channel) {
  std::array<int64_t, 256> h{};
  const uint8_t* p = image.data + channel * image.plane();
  for (int64_t i = 0; i < image.plane(); ++i) ++h[p[i]];
  return h;
}

// PIL's blend of `image` (factor 1) with `degenerate` (factor 0), computed in float and truncated
// into [0, 255] as Image.blend does. `degenerate` holds C x H x W values like the image.
void blend_with(ImageView image, const std::vector<uint8_t>& degenerate, double factor) {
  const auto alpha = static_cast<float>(factor);
  const int64_t n = image.channels * image.plane();
  for (int64_t i = 0; i < n; ++i) {
    const float v = static_cast<float>(degenerate[i]) +
                    alpha * static_cast<float>(static_cast<int>(image.data[i]) - static_cast<int>(degenerate[i]));
    image.data[i] = v <= 0.0f ? 0 : v >= 255.0f ? 255 : static_cast<uint8_t>(v);
  }
}

std::vector<uint8_t> luma_plane(const ImageView& image) {
  std::vector<uint8_t> l(static_cast<size_t>(image.plane()));
  const int64_t n = image.plane();
  for (int64_t i = 0; i < n; ++i) l[i] = luma(image.data[i], image.data[n + i], image.data[2 * n + i]);
  return l;
}

// Inverse affine map of the output pixel centres, nearest neighbour, `fill` outside (PIL's
// Image.transform(AFFINE, (a, b, c, d, e, f), NEAREST)).
void affine(ImageView image, const std::array<double, 6>& m, uint8_t fill) {
  const std::vector<uint8_t> source(image.data, image.data + image.channels * image.plane());
  for (int64_t y = 0; y < image.height; ++y) {
    for (int64_t x = 0; x < image.width; ++x) {
      const double xs = m[0] * (static_cast<double>(x) + 0.5) + m[1] * (static_cast<double>(y) + 0.5) + m[2];
      const double ys = m[3] * (static_cast<double>(x) + 0.5) + m[4] * (static_cast<double>(y) + 0.5) + m[5];
      const int64_t xi = xs < 0.0 ? -1 : static_cast<int64_t>(xs);
      const int64_t yi = ys < 0.0 ? -1 : static_cast<int64_t>(ys);
      const bool inside = xi >= 0 && xi < image.width && yi >= 0 && yi < image.height;
      for (int64_t c = 0; c < image.channels; ++c) {
        image.at(c, y, x) = inside ? source[(c * image.height + yi) * image.width + xi] : fill;
      }
    }
  }
}

}  // namespace

uint8_t luma(uint8_t r, uint8_t g, uint8_t b) {
  return static_cast<uint8_t>((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16);
}

void auto_contrast(ImageView image) {
  for (int64_t c = 0; c < image.channels; ++c) {
    const auto h = histogram(image, c);
    int lo = 0, hi = 255;
    while (lo < 255 && h[lo] == 0) ++lo;
    while (hi > 0 && h[hi] == 0) --hi;
    if (hi <= lo) continue;
    const double scale = 255.0 / static_cast<double>(hi - lo);
    const double offset = -static_cast<double>(lo) * scale;
    Lut lut;
    for (int i = 0; i < 256; ++i) {
      const auto v = static_cast<int64_t>(static_cast<double>(i) * scale + offset);
      lut[i] = static_cast<uint8_t>(std::clamp<int64_t>(v, 0, 255));
    }
    apply_lut(image, c, lut);
  }
}

void equalize(ImageView image) {
  for (int64_t c = 0; c < image.channels; ++c) {
    const auto h = histogram(image, c);
    int64_t total = 0, last = 0, used = 0;
    for (int i = 0; i < 256; ++i) {
      if (h[i] == 0) continue;
      total += h[i];
      last = h[i];
      ++used;
    }
    if (used <= 1) continue;
    const int64_t step = (total - last) / 255;
    if (step == 0) continue;
    Lut lut;
    int64_t n = step / 2;
    for (int i = 0; i < 256; ++i) {
      lut[i] = static_cast<uint8_t>(std::min<int64_t>(n / step, 255));
      n += h[i];
    }
    apply_lut(image, c, lut);
  }
}

void posterize(ImageView image, int bits) {
  const auto mask = static_cast<uint8_t>(~((1 << (8 - std::clamp(bits, 0, 8))) - 1) & 0xff);
  const int64_t n = image.channels * image.plane();
  for (int64_t i = 0; i < n; ++i) image.data[i] &= mask;
}

void solarize(ImageView image, int threshold) {
  const int64_t n = image.channels * image.plane();
  for (int64_t i = 0; i < n; ++i) {
    if (image.data[i] >= threshold) image.data[i] = static_cast<uint8_t>(255 - image.data[i]);
  }
}

void color(ImageView image, double factor) {
  const auto l = luma_plane(image);
  std::vector<uint8_t> degenerate;
  for (int64_t c = 0; c < image.channels; ++c) degenerate.insert(degenerate.end(), l.begin(), l.end());
  blend_with(image, degenerate, factor);
}

void contrast(ImageView image, double factor) {
  const auto l = luma_plane(image);
  double sum = 0;
  for (const uint8_t v : l) sum += v;
  const auto mean = static_cast<uint8_t>(static_cast<int>(sum / static_cast<double>(l.size()) + 0.5));
  blend_with(image, std::vector<uint8_t>(static_cast<size_t>(image.channels * image.plane()), mean), factor);
}

void brightness(ImageView image, double factor) {
  blend_with(image, std::vector<uint8_t>(static_cast<size_t>(image.channels * image.plane()), 0), factor);
}

void sharpness(ImageView image, double factor) {
  // PIL's SMOOTH filter: 1 1 1 / 1 5 1 / 1 1 1, divided by 13 and rounded; the border pixels,
  // which the 3x3 window does not cover, stay as they are.
  std::vector<uint8_t> degenerate(image.data, image.data + image.channels * image.plane());
  for (int64_t c = 0; c < image.channels; ++c) {
    for (int64_t y = 1; y + 1 < image.height; ++y) {
      for (int64_t x = 1; x + 1 < image.width; ++x) {
        int sum = 4 * image.at(c, y, x);
        for (int64_t dy = -1; dy <= 1; ++dy) {
          for (int64_t dx = -1; dx <= 1; ++dx) sum += image.at(c, y + dy, x + dx);
        }
        degenerate[(c * image.height + y) * image.width + x] = static_cast<uint8_t>((sum + 6) / 13);
      }
    }
  }
  blend_with(image, degenerate, factor);
}

void rotate(ImageView image, double degrees, uint8_t fill) {
  // PIL's rotate: the inverse map rotates by -degrees about (w / 2, h / 2), cosines and sines
  // rounded to 15 decimals as PIL does (so 90 degrees is exact).
  const double radians = -degrees * M_PI / 180.0;
  const auto round15 = [](double v) { return std::round(v * 1e15) / 1e15; };
  const double a = round15(std::cos(radians)), b = round15(std::sin(radians));
  const double d = -b, e = a;
  const double cx = static_cast<double>(image.width) / 2.0, cy = static_cast<double>(image.height) / 2.0;
  const double c = a * -cx + b * -cy + cx;
  const double f = d * -cx + e * -cy + cy;
  affine(image, {a, b, c, d, e, f}, fill);
}

void shear_x(ImageView image, double s, uint8_t fill) { affine(image, {1, s, 0, 0, 1, 0}, fill); }
void shear_y(ImageView image, double s, uint8_t fill) { affine(image, {1, 0, 0, s, 1, 0}, fill); }

void translate_x(ImageView image, int64_t pixels, uint8_t fill) {
  affine(image, {1, 0, static_cast<double>(pixels), 0, 1, 0}, fill);
}

void translate_y(ImageView image, int64_t pixels, uint8_t fill) {
  affine(image, {1, 0, 0, 0, 1, static_cast<double>(pixels)}, fill);
}

void flip_x(ImageView image) {
  for (int64_t c = 0; c < image.channels; ++c) {
    for (int64_t y = 0; y < image.height; ++y) {
      uint8_t* row = &image.at(c, y, 0);
      std::reverse(row, row + image.width);
    }
  }
}

void cutout(ImageView image, int64_t cy, int64_t cx, int64_t size, uint8_t fill) {
  const int64_t y0 = std::max<int64_t>(0, cy - size / 2), y1 = std::min(image.height, cy + size / 2);
  const int64_t x0 = std::max<int64_t>(0, cx - size / 2), x1 = std::min(image.width, cx + size / 2);
  for (int64_t c = 0; c < image.channels; ++c) {
    for (int64_t y = y0; y < y1; ++y) {
      for (int64_t x = x0; x < x1; ++x) image.at(c, y, x) = fill;
    }
  }
}

}  // namespace wei::data
