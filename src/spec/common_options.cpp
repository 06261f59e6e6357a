#include "spec/common_options.h"

#include <cctype>

#include "base/device.h"

namespace wei {

namespace {
constexpr size_t kMaxNameLength = 100;
}  // namespace

const OptionSchema<CommonOptions>& common_options_schema() {
  static const OptionSchema<CommonOptions> schema = [] {
    OptionSchema<CommonOptions> s;
    s.field("name", "experiment name; results go to results/<name>/ (default: the spec file's stem)",
            &CommonOptions::name)
        .check([](const ParamValue& v) {
          // One plain path component under results/, short enough for any filesystem with the
          // timestamp and sweep point names that go below it.
          const std::string& name = std::get<std::string>(v);
          for (const char c : name) {
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
              return std::string("must use only letters, digits, '_', '-' and '.'");
          }
          if (!name.empty() && name.front() == '.') return std::string("must not start with '.'");
          if (name.size() > kMaxNameLength) {
            return "must be at most " + std::to_string(kMaxNameLength) + " characters (it has " +
                   std::to_string(name.size()) + ")";
          }
          return std::string();
        });
    s.field("trainer", "trainer to run (see `wei-run list`)", &CommonOptions::trainer).required();
    s.field("seed", "the one seed every random stream is derived from", &CommonOptions::seed).at_least(0);
    s.field("device", "auto (CUDA if available, else CPU), cpu, cuda or cuda:N", &CommonOptions::device)
        .check([](const ParamValue& v) { return device_spec_problem(std::get<std::string>(v)); });
    s.field("threads", "CPU threads for torch; 0 = every core this process may use", &CommonOptions::threads)
        .at_least(0)
        .check([](const ParamValue& v) {
          const int64_t cores = usable_cores();
          if (std::get<int64_t>(v) <= cores) return std::string();
          return "more than the " + std::to_string(cores) + " core(s) this process may use (its CPU affinity)";
        });
    return s;
  }();
  return schema;
}

}  // namespace wei
