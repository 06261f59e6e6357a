#include "trainers/spurious_selftrain/celeba_domains.h"

#include <filesystem>
#include <unordered_map>

#include "base/errors.h"
#include "data/celeba.h"

namespace wei::spurious_selftrain {

namespace {

const std::vector<std::string> kGroups = {"dark_female", "dark_male", "blond_female", "blond_male"};

// Random test_fraction / rest split of `set`: {rest, test}.
std::pair<LabelledSet, LabelledSet> split(const LabelledSet& set, double test_fraction, at::Generator& gen) {
  const torch::Tensor order = torch::randperm(set.size(), gen);
  const auto test = static_cast<int64_t>(std::llround(test_fraction * static_cast<double>(set.size())));
  return {set.subset(order.slice(0, test)), set.subset(order.slice(0, 0, test))};
}

std::vector<int64_t> group_counts(const torch::Tensor& group) {
  const torch::Tensor counts = torch::bincount(group, {}, static_cast<int64_t>(kGroups.size()));
  return {counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + counts.numel()};
}

}  // namespace

DomainData make_celeba_domains(const std::string& root, const CelebaDomainOptions& options, at::Generator& split_gen,
                               const StopToken& stop) {
  const CelebaAttributes attrs = read_celeba_attributes(celeba_file(root, "list_attr_celeba.txt"));
  const std::string partition_path = celeba_file(root, "list_eval_partition.txt");
  std::unordered_map<std::string, int> partition;
  for (const auto& [file, part] : read_celeba_partition(partition_path)) partition.emplace(file, part);
  const std::filesystem::path image_dir = std::filesystem::path(root) / "img_align_celeba";
  if (!std::filesystem::is_directory(image_dir)) throw InputError(image_dir.string() + ": no such folder");

  const int64_t male_col = attrs.column("Male");
  const int64_t blond_col = attrs.column("Blond_Hair");
  auto values = attrs.values.accessor<int8_t, 2>();
  std::vector<torch::Tensor> images[2];
  std::vector<int64_t> labels[2], groups[2];
  int64_t taken_dark_women = 0, taken_blond_men = 0;
  std::array<int64_t, 3> partition_counts{};
  for (size_t i = 0; i < attrs.files.size(); ++i) {
    const std::filesystem::path path = image_dir / attrs.files[i];
    if (options.available_only && !std::filesystem::exists(path)) continue;
    const auto part = partition.find(attrs.files[i]);
    if (part == partition.end())
      throw InputError(partition_path + ": no entry for " + attrs.files[i] + " (listed in " + attrs.source + ")");
    ++partition_counts[static_cast<size_t>(part->second)];
    const bool male = values[static_cast<int64_t>(i)][male_col] == 1;
    const bool blond = values[static_cast<int64_t>(i)][blond_col] == 1;
    int domain = 1;  // target
    if (!male && !blond && taken_dark_women < options.dark_women) {
      ++taken_dark_women;
      domain = 0;
    } else if (male && blond && taken_blond_men < options.blond_men) {
      ++taken_blond_men;
      domain = 0;
    }
    stop.throw_if_requested();  // decoding a full CelebA takes minutes
    images[domain].push_back(load_celeba_image(path.string(), options.image_size));
    labels[domain].push_back(male ? 1 : 0);
    groups[domain].push_back(2 * (blond ? 1 : 0) + (male ? 1 : 0));
  }
  if (taken_dark_women < options.dark_women || taken_blond_men < options.blond_men)
    throw InputError(root + ": the source quotas ask for " + std::to_string(options.dark_women) +
                     " dark-haired women and " + std::to_string(options.blond_men) + " blond men; only " +
                     std::to_string(taken_dark_women) + " and " + std::to_string(taken_blond_men) + " are there");
  if (images[1].empty()) throw InputError(root + ": no images left for the target domain");

  LabelledSet domain_sets[2];
  for (int d = 0; d < 2; ++d)
    domain_sets[d] = {torch::stack(images[d]), torch::tensor(labels[d], torch::kInt64),
                      torch::tensor(groups[d], torch::kInt64)};
  DomainData data;
  std::tie(data.source_train, data.source_test) = split(domain_sets[0], options.test_fraction, split_gen);
  std::tie(data.target_train, data.target_test) = split(domain_sets[1], options.test_fraction, split_gen);
  data.classes = 2;
  data.group_names = kGroups;
  data.info = {{"source_train_size", data.source_train.size()},
               {"source_test_size", data.source_test.size()},
               {"target_train_size", data.target_train.size()},
               {"target_test_size", data.target_test.size()},
               {"groups", kGroups},
               {"source_group_counts", group_counts(domain_sets[0].group)},
               {"target_group_counts", group_counts(domain_sets[1].group)},
               {"official_partition_counts", partition_counts}};
  return data;
}

}  // namespace wei::spurious_selftrain
