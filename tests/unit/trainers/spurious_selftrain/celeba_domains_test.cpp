#include <catch2/catch.hpp>

#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/errors.h"
#include "base/seeding.h"
#include "trainers/spurious_selftrain/celeba_domains.h"

namespace fs = std::filesystem;
using namespace wei::spurious_selftrain;

// The shared 2,600-image subset, extracted once into the git-ignored .cache/ with links to the
// label files; "" when ../shared/data/celeba is absent.
static std::string celeba_subset_root() {
  const std::string shared = std::string(WEI_SHARED_DATA_DIR) + "/celeba";
  if (!fs::exists(shared + "/img_align_celeba_subset.tar")) return "";
  const fs::path root = fs::path(WEI_SOURCE_DIR) / ".cache" / "celeba_subset_test";
  if (!fs::exists(root / ".complete")) {
    fs::create_directories(root);
    const std::string command = "tar -xf '" + shared + "/img_align_celeba_subset.tar' -C '" + root.string() + "'";
    if (std::system(command.c_str()) != 0) return "";
    for (const char* name : {"list_attr_celeba.txt.gz", "list_eval_partition.txt.gz"}) {
      fs::remove(root / name);
      fs::create_symlink(shared + "/" + name, root / name);
    }
    std::ofstream(root / ".complete") << "extracted\n";
  }
  return root.string();
}

TEST_CASE("celeba domains on the shared subset: quotas in file order, target = the rest", "[spurious_selftrain]") {
  const std::string root = celeba_subset_root();
  if (root.empty()) {
    WARN("skipped: " << WEI_SHARED_DATA_DIR << "/celeba is absent");
    return;
  }
  CelebaDomainOptions options;
  options.dark_women = 600;
  options.blond_men = 30;
  options.available_only = true;
  at::Generator gen = wei::make_generator(0, "data");
  const DomainData d = make_celeba_domains(root, options, gen);
  // Subset counts (README): dark women 888, dark men 486, blond women 1,188, blond men 38.
  CHECK(d.info["source_group_counts"] == std::vector<int64_t>{600, 0, 0, 30});
  CHECK(d.info["target_group_counts"] == std::vector<int64_t>{288, 486, 1188, 8});
  CHECK(d.source_train.size() + d.source_test.size() == 630);
  CHECK(d.source_test.size() == 63);
  CHECK(d.target_test.size() == 197);
  CHECK(d.source_train.x.sizes() == torch::IntArrayRef({567, 3, 32, 32}));
  // Label Male: in the source the men are exactly the blond (group 3) images.
  CHECK(torch::equal(d.source_train.y.eq(1), d.source_train.group.eq(3)));

}

TEST_CASE("celeba domains: quotas that do not fit and missing images are input errors", "[spurious_selftrain]") {
  const std::string subset = celeba_subset_root();
  if (subset.empty()) {
    WARN("skipped: " << WEI_SHARED_DATA_DIR << "/celeba is absent");
    return;
  }
  // Four real images under made-up labels: 000001 dark woman, 000002 blond man, 000003 blond
  // woman, 000004 dark man; the attribute file also lists 000005, which has no image.
  const fs::path root = fs::temp_directory_path() / ("wei_celeba_domains_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "img_align_celeba");
  for (const char* name : {"000001.jpg", "000002.jpg", "000003.jpg", "000004.jpg"})
    fs::copy_file(fs::path(subset) / "img_align_celeba" / name, root / "img_align_celeba" / name);
  std::ofstream(root / "list_attr_celeba.txt") << "5\nBlond_Hair Male\n000001.jpg -1 -1\n000002.jpg  1  1\n"
                                                   "000003.jpg  1 -1\n000004.jpg -1  1\n000005.jpg -1 -1\n";
  std::ofstream(root / "list_eval_partition.txt") << "000001.jpg 0\n000002.jpg 0\n000003.jpg 1\n000004.jpg 2\n"
                                                      "000005.jpg 2\n";
  CelebaDomainOptions options;
  options.dark_women = 1;
  options.blond_men = 1;
  options.test_fraction = 0.5;
  options.available_only = true;
  at::Generator gen = wei::make_generator(0, "data");
  const DomainData d = make_celeba_domains(root.string(), options, gen);
  CHECK(d.info["source_group_counts"] == std::vector<int64_t>{1, 0, 0, 1});
  CHECK(d.info["target_group_counts"] == std::vector<int64_t>{0, 1, 1, 0});
  CHECK(d.info["official_partition_counts"] == std::vector<int64_t>{2, 1, 1});
  CHECK(d.source_test.size() == 1);

  options.blond_men = 2;
  CHECK_THROWS_WITH(make_celeba_domains(root.string(), options, gen),
                    Catch::Matchers::Contains("2 blond men") && Catch::Matchers::Contains("only 1 and 1"));
  options.blond_men = 1;
  options.available_only = false;
  CHECK_THROWS_WITH(make_celeba_domains(root.string(), options, gen),
                    Catch::Matchers::Contains("000005.jpg: no such image"));
  fs::remove_all(root);
}
