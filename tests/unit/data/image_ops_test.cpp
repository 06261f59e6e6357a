#include "data/image_ops.h"

#include <catch2/catch.hpp>
#include <numeric>
#include <vector>

using wei::data::ImageView;

namespace {

// A C x H x W image held by its test.
struct Image {
  Image(int64_t c, int64_t h, int64_t w, uint8_t value = 0) : bytes(static_cast<size_t>(c * h * w), value), view{nullptr, c, h, w} {
    view.data = bytes.data();
  }
  std::vector<uint8_t> bytes;
  ImageView view;
  uint8_t& at(int64_t c, int64_t y, int64_t x) { return view.at(c, y, x); }
};

// 1 x 4 x 4 with pixel (x, y) = 10 (y * 4 + x) + 10.
Image numbered() {
  Image image(1, 4, 4);
  for (int64_t y = 0; y < 4; ++y) {
    for (int64_t x = 0; x < 4; ++x) image.at(0, y, x) = static_cast<uint8_t>(10 * (y * 4 + x) + 10);
  }
  return image;
}

}  // namespace

TEST_CASE("luma is PIL's rounded ITU-R 601-2 conversion", "[data][augment]") {
  CHECK(wei::data::luma(255, 255, 255) == 255);
  CHECK(wei::data::luma(0, 0, 0) == 0);
  CHECK(wei::data::luma(255, 0, 0) == 76);   // (19595 * 255 + 32768) >> 16
  CHECK(wei::data::luma(0, 255, 0) == 150);  // (38470 * 255 + 32768) >> 16
  CHECK(wei::data::luma(200, 100, 0) == 118);  // 7798768 >> 16
}

TEST_CASE("auto_contrast stretches each channel to 0..255 and leaves a flat channel", "[data][augment]") {
  Image image(2, 1, 3);
  image.at(0, 0, 0) = 10, image.at(0, 0, 1) = 20, image.at(0, 0, 2) = 30;
  image.at(1, 0, 0) = image.at(1, 0, 1) = image.at(1, 0, 2) = 77;
  wei::data::auto_contrast(image.view);
  // scale 255 / 20, offset -10 scale; values truncated.
  CHECK(image.at(0, 0, 0) == 0);
  CHECK(image.at(0, 0, 1) == 127);
  CHECK(image.at(0, 0, 2) == 255);
  CHECK(image.at(1, 0, 1) == 77);
}

TEST_CASE("equalize maps values through the cumulative histogram", "[data][augment]") {
  // 1024 pixels, a quarter each at 0, 50, 100 and 200: step = (1024 - 256) / 255 = 3, and value v
  // goes to (step / 2 + pixels below v) / step.
  Image image(1, 32, 32);
  for (int64_t i = 0; i < 1024; ++i) image.bytes[i] = std::vector<uint8_t>{0, 50, 100, 200}[i / 256];
  wei::data::equalize(image.view);
  CHECK(image.bytes[0] == 0);
  CHECK(image.bytes[256] == 85);    // (1 + 256) / 3
  CHECK(image.bytes[512] == 171);   // (1 + 512) / 3
  CHECK(image.bytes[768] == 255);   // (1 + 768) / 3 = 256, kept in range
  // Two values, fewer than 255 pixels outside the top one: unchanged.
  Image small(1, 2, 2);
  small.bytes = {3, 3, 9, 9};
  small.view.data = small.bytes.data();
  wei::data::equalize(small.view);
  CHECK(small.bytes == std::vector<uint8_t>{3, 3, 9, 9});
}

TEST_CASE("posterize keeps the top bits, solarize inverts from the threshold", "[data][augment]") {
  Image image(1, 1, 3);
  image.bytes = {0xAB, 0x7F, 0xFF};
  image.view.data = image.bytes.data();
  wei::data::posterize(image.view, 4);
  CHECK(image.bytes == std::vector<uint8_t>{0xA0, 0x70, 0xF0});
  wei::data::posterize(image.view, 0);
  CHECK(image.bytes == std::vector<uint8_t>{0, 0, 0});

  image.bytes = {127, 128, 200};
  wei::data::solarize(image.view, 128);
  CHECK(image.bytes == std::vector<uint8_t>{127, 127, 55});
  wei::data::solarize(image.view, 256);  // a threshold above every value changes nothing
  CHECK(image.bytes == std::vector<uint8_t>{127, 127, 55});
}

TEST_CASE("the enhance operations blend with their degenerate image and truncate", "[data][augment]") {
  Image pixel(3, 1, 1);
  pixel.bytes = {200, 100, 0};
  pixel.view.data = pixel.bytes.data();
  Image same = pixel;
  same.view.data = same.bytes.data();
  wei::data::color(same.view, 1.0);
  CHECK(same.bytes == pixel.bytes);
  wei::data::color(pixel.view, 0.5);  // luma 118: 118 + 0.5 (v - 118), truncated
  CHECK(pixel.bytes == std::vector<uint8_t>{159, 109, 59});
  wei::data::color(pixel.view, 0.0);
  CHECK(pixel.bytes[0] == pixel.bytes[1]);
  CHECK(pixel.bytes[1] == pixel.bytes[2]);

  Image two(3, 1, 2);
  two.bytes = {0, 255, 0, 255, 0, 255};  // black and white pixels; mean luma 127.5 -> 128
  two.view.data = two.bytes.data();
  wei::data::contrast(two.view, 0.0);
  CHECK(two.bytes == std::vector<uint8_t>(6, 128));

  Image bright(1, 1, 2);
  bright.bytes = {201, 200};
  bright.view.data = bright.bytes.data();
  wei::data::brightness(bright.view, 0.5);
  CHECK(bright.bytes == std::vector<uint8_t>{100, 100});
  wei::data::brightness(bright.view, 3.0);  // extrapolation clips
  CHECK(bright.bytes == std::vector<uint8_t>{255, 255});

  // Sharpness 0: the smoothed image, (4 centre + the 3 x 3 sum) / 13 rounded, inside the border.
  Image sharp = numbered();
  wei::data::sharpness(sharp.view, 0.0);
  const Image original = numbered();
  const int centre_sum = 4 * 60 + (10 + 20 + 30 + 50 + 60 + 70 + 90 + 100 + 110);
  CHECK(sharp.at(0, 1, 1) == (centre_sum + 6) / 13);
  CHECK(sharp.at(0, 0, 0) == original.bytes[0]);
  CHECK(sharp.at(0, 3, 2) == original.bytes[14]);
}

TEST_CASE("rotation, shear and translation map pixel centres through PIL's inverse affine map", "[data][augment]") {
  const Image original = numbered();
  const auto in = [&](int64_t x, int64_t y) { return original.bytes[static_cast<size_t>(y * 4 + x)]; };

  Image turned = numbered();
  wei::data::rotate(turned.view, 90, 1);  // counter-clockwise: output (x, y) <- input (3 - y, x)
  for (int64_t y = 0; y < 4; ++y) {
    for (int64_t x = 0; x < 4; ++x) CHECK(turned.at(0, y, x) == in(3 - y, x));
  }
  Image full = numbered();
  wei::data::rotate(full.view, 360, 1);
  CHECK(full.bytes == original.bytes);
  Image slanted(1, 32, 32, 9);
  wei::data::rotate(slanted.view, 30, 1);
  CHECK(slanted.at(0, 0, 0) == 1);    // a corner falls outside: fill
  CHECK(slanted.at(0, 16, 16) == 9);  // the centre stays

  Image sheared = numbered();
  wei::data::shear_x(sheared.view, 0.5, 1);  // output (x, y) <- input (floor(x + 0.5 + 0.5 (y + 0.5)), y)
  for (int64_t y = 0; y < 4; ++y) {
    for (int64_t x = 0; x < 4; ++x) {
      const auto xs = static_cast<int64_t>(static_cast<double>(x) + 0.5 + 0.5 * (static_cast<double>(y) + 0.5));
      CHECK(sheared.at(0, y, x) == (xs < 4 ? in(xs, y) : 1));
    }
  }
  Image sheared_y = numbered();
  wei::data::shear_y(sheared_y.view, -0.5, 1);
  CHECK(sheared_y.at(0, 0, 0) == in(0, 0));
  CHECK(sheared_y.at(0, 0, 3) == 1);  // 0.5 - 0.5 * 3.5 < 0: outside

  Image left = numbered();
  wei::data::translate_x(left.view, 1, 1);  // content moves left
  CHECK(left.at(0, 2, 0) == in(1, 2));
  CHECK(left.at(0, 2, 3) == 1);
  Image down = numbered();
  wei::data::translate_y(down.view, -2, 1);  // content moves down
  CHECK(down.at(0, 0, 1) == 1);
  CHECK(down.at(0, 1, 1) == 1);
  CHECK(down.at(0, 3, 1) == in(1, 1));
}

TEST_CASE("flip mirrors rows, and cutout fills its clipped square", "[data][augment]") {
  Image flipped = numbered();
  wei::data::flip_x(flipped.view);
  CHECK(flipped.at(0, 1, 0) == 80);
  CHECK(flipped.at(0, 1, 3) == 50);

  Image corner(3, 32, 32, 5);
  wei::data::cutout(corner.view, 0, 0, 16, 128);
  int64_t filled = 0;
  for (const uint8_t v : corner.bytes) filled += v == 128;
  CHECK(filled == 3 * 8 * 8);  // rows and columns 0..7
  CHECK(corner.at(2, 7, 7) == 128);
  CHECK(corner.at(2, 8, 7) == 5);

  Image centre(3, 32, 32, 5);
  wei::data::cutout(centre.view, 16, 16, 16, 128);
  CHECK(centre.at(0, 8, 8) == 128);
  CHECK(centre.at(0, 23, 23) == 128);
  CHECK(centre.at(0, 24, 16) == 5);
  CHECK(centre.at(0, 7, 16) == 5);
}
