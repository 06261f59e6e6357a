#include "spec/common_options.h"

#include <cctype>

#include "base/device.h"

namespace wei {

const OptionSchema<CommonOptions>& common_options_schema() {
  static const OptionSchema<CommonOptions> schema = [] {
    OptionSchema<CommonOptions> s;
    s.field("name", "experiment name; results go to results/<name>/ (default: the spec file's stem)",
            &CommonOptions::name)
        .check([](const ParamValue& v) {
          for (const char c : std::get<std::string>(v)) {
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
              return std::string("must use only letters, digits, '_', '-' and '.'");
          }
          return std::string();
        });
    s.field("trainer", "trainer to run (see `wei-run list`)", &CommonOptions::trainer).required();
    s.field("seed", "the one seed every random stream is derived from", &CommonOptions::seed).at_least(0);
    s.field("device", "auto (CUDA if available, else CPU), cpu, cuda or cuda:N", &CommonOptions::device)
        .check([](const ParamValue& v) { return device_spec_problem(std::get<std::string>(v)); });
    s.field("threads", "CPU threads for torch; 0 = every core this process may use", &CommonOptions::threads)
        .at_least(0);
    return s;
  }();
  return schema;
}

}  // namespace wei
