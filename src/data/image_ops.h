#pragma once
// Photometric and geometric operations on one uint8 image, in place, computing what the Python
// Imaging Library computes, byte for byte (checked against Pillow on random images by
// tests/unit/data/image_ops_pil_test.cpp): the operations of RandAugment, data/rand_augment.h. An image is C x H x W bytes,
// channel-major (a row of a uint8 [N, C, H, W] tensor); C is 3 (RGB) unless an operation says
// otherwise. Each operation is a plain loop over at most a few thousand bytes, so a batch of
// CIFAR images is augmented on the host in well under a millisecond per image, without Python.
//
// Geometric operations sample with nearest neighbour, PIL's default, at the pixel centres:
// output pixel (x, y) takes input pixel floor(a (x + 0.5) + b (y + 0.5) + c) of the inverse affine
// map, and `fill` where that falls outside the image.
#include <cstdint>

namespace wei::data {

struct ImageView {
  uint8_t* data;
  int64_t channels = 3;
  int64_t height = 32;
  int64_t width = 32;

  int64_t plane() const { return height * width; }
  uint8_t& at(int64_t c, int64_t y, int64_t x) const { return data[(c * height + y) * width + x]; }
};

// ITU-R 601-2 luma of one pixel as PIL's convert("L") rounds it: (19595 R + 38470 G + 7471 B + 2^15) >> 16.
uint8_t luma(uint8_t r, uint8_t g, uint8_t b);

// Per channel, the darkest value to 0 and the brightest to 255, linearly (ImageOps.autocontrast);
// a channel of one value is left alone.
void auto_contrast(ImageView image);
// Per channel, values spread so that the cumulative histogram is close to linear (ImageOps.equalize).
void equalize(ImageView image);
// Keeps the top `bits` bits of every value (ImageOps.posterize), bits in [0, 8].
void posterize(ImageView image, int bits);
// Inverts every value at or above `threshold` (ImageOps.solarize): v < t ? v : 255 - v.
void solarize(ImageView image, int threshold);

// The ImageEnhance operations: a blend of the image with a degenerate version of it,
// degenerate + factor * (image - degenerate), truncated to [0, 255] as PIL's blend does. Factor 1
// leaves the image unchanged, 0 gives the degenerate image.
void color(ImageView image, double factor);       // degenerate: the image's grayscale (luma) copy
void contrast(ImageView image, double factor);    // degenerate: its mean luma, rounded, everywhere
void brightness(ImageView image, double factor);  // degenerate: black
void sharpness(ImageView image, double factor);   // degenerate: the 3x3 smoothed image, borders kept

// Counter-clockwise rotation by `degrees` about the image centre.
void rotate(ImageView image, double degrees, uint8_t fill);
// Shear with PIL's affine data (1, s, 0, 0, 1, 0) (x) or (1, 0, 0, s, 1, 0) (y): output (x, y)
// takes input (x + s y, y), or (x, y + s x).
void shear_x(ImageView image, double s, uint8_t fill);
void shear_y(ImageView image, double s, uint8_t fill);
// Output (x, y) takes input (x + pixels, y), or (x, y + pixels): the content moves left (up) by
// `pixels`, a negative count right (down).
void translate_x(ImageView image, int64_t pixels, uint8_t fill);
void translate_y(ImageView image, int64_t pixels, uint8_t fill);
// Horizontal mirror.
void flip_x(ImageView image);

// Sets to `fill` the square of side `size` centred at (cy, cx) (rows cy - size/2 .. cy + size/2 - 1,
// likewise columns), clipped to the image: Cutout (DeVries & Taylor 2017) as FixMatch's reference
// places it.
void cutout(ImageView image, int64_t cy, int64_t cx, int64_t size, uint8_t fill);

}  // namespace wei::data
