// wei-run's image operations against the Python Imaging Library itself, on seeded random images:
// tools/augment/pil_ops.py writes PIL's results (it needs Debian's python3-pil, which the set-up
// installs; the test skips with a message without it).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "data/image_ops.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using wei::data::ImageView;

namespace {

constexpr int64_t kImageBytes = 3 * 32 * 32;
constexpr uint8_t kFill = 128;

struct PilCase {
  std::string name;
  std::function<void(ImageView)> op;
};

// In the order of CASES in tools/augment/pil_ops.py.
std::vector<PilCase> pil_cases() {
  using namespace wei::data;
  return {
      {"autocontrast", [](ImageView v) { auto_contrast(v); }},
      {"equalize", [](ImageView v) { equalize(v); }},
      {"posterize2", [](ImageView v) { posterize(v, 2); }},
      {"solarize100", [](ImageView v) { solarize(v, 100); }},
      {"color0.3", [](ImageView v) { color(v, 0.3); }},
      {"color1.7", [](ImageView v) { color(v, 1.7); }},
      {"contrast0.3", [](ImageView v) { contrast(v, 0.3); }},
      {"contrast1.7", [](ImageView v) { contrast(v, 1.7); }},
      {"brightness0.3", [](ImageView v) { brightness(v, 0.3); }},
      {"brightness1.7", [](ImageView v) { brightness(v, 1.7); }},
      {"sharpness0.3", [](ImageView v) { sharpness(v, 0.3); }},
      {"sharpness1.7", [](ImageView v) { sharpness(v, 1.7); }},
      {"rotate17", [](ImageView v) { rotate(v, 17, kFill); }},
      {"rotate-30", [](ImageView v) { rotate(v, -30, kFill); }},
      {"shearx0.21", [](ImageView v) { shear_x(v, 0.21, kFill); }},
      {"sheary-0.3", [](ImageView v) { shear_y(v, -0.3, kFill); }},
      {"translatex3", [](ImageView v) { translate_x(v, 3, kFill); }},
      {"translatey-2", [](ImageView v) { translate_y(v, -2, kFill); }},
  };
}

}  // namespace

TEST_CASE("the image operations give PIL's results byte for byte on random images", "[data][augment]") {
  wei::testing::TempDir tmp;
  const fs::path out = tmp.path() / "pil_ops.bin";
  const fs::path script = fs::path(WEI_SOURCE_DIR) / "tools" / "augment" / "pil_ops.py";
  const std::string cmd = "/usr/bin/python3 -c 'import PIL, numpy' 2>/dev/null && /usr/bin/python3 '" +
                          script.string() + "' '" + out.string() + "'";
  if (std::system(cmd.c_str()) != 0 || !fs::exists(out)) {
    WARN("skipped: Debian's python3 with PIL and numpy (python3-pil, python3-numpy) is needed to run " +
         script.string());
    return;
  }
  const auto cases = pil_cases();
  std::ifstream in(out, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() == cases.size() * 2 * kImageBytes);
  for (size_t k = 0; k < cases.size(); ++k) {
    CAPTURE(cases[k].name);
    std::vector<uint8_t> image(bytes.begin() + static_cast<int64_t>(2 * k) * kImageBytes,
                               bytes.begin() + static_cast<int64_t>(2 * k + 1) * kImageBytes);
    const std::vector<uint8_t> pil(bytes.begin() + static_cast<int64_t>(2 * k + 1) * kImageBytes,
                                   bytes.begin() + static_cast<int64_t>(2 * k + 2) * kImageBytes);
    cases[k].op(ImageView{image.data(), 3, 32, 32});
    int worst = 0;
    int64_t differing = 0;
    for (int64_t i = 0; i < kImageBytes; ++i) {
      const int d = std::abs(static_cast<int>(image[i]) - static_cast<int>(pil[i]));
      worst = std::max(worst, d);
      differing += d != 0;
    }
    CAPTURE(worst);
    CHECK(differing == 0);  // byte for byte
  }
}
