#pragma once
// Builds a trainer the way the runner would — schema defaults plus overrides, a CPU RunContext —
// without the CLI or the runner, so trainer tests can drive prepare/train_epoch/save/load directly.
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <spdlog/logger.h>

#include "trainers/trainer.h"

namespace wei::testing {

class TrainerFixture {
 public:
  TrainerFixture(const TrainerInfo& info, const std::map<std::string, ParamValue>& overrides, uint64_t seed = 0,
                 StopRequested stop = [] { return false; })
      : info_(info),
        spec_(make_spec(info, overrides)),
        log_(std::make_shared<spdlog::logger>(info.name + "-test")),
        ctx_{spec_, torch::Device(torch::kCPU), seed, *log_, std::move(stop)} {}

  const RunContext& ctx() const { return ctx_; }
  std::unique_ptr<Trainer> trainer() const { return info_.create(ctx_); }

 private:
  static Spec make_spec(const TrainerInfo& info, const std::map<std::string, ParamValue>& overrides) {
    ParamSchema schema = info.schema();
    std::map<std::string, ParamValue> values;
    for (const ParamDef& def : schema.params()) values.emplace(def.path, *def.default_value);
    for (const auto& [path, value] : overrides) {
      if (!schema.find(path)) throw std::logic_error("test override of an undeclared key " + path);
      values[path] = value;
    }
    return Spec(std::move(schema), std::move(values), "<test>");
  }

  TrainerInfo info_;
  Spec spec_;
  std::shared_ptr<spdlog::logger> log_;
  RunContext ctx_;
};

}  // namespace wei::testing
