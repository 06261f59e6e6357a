#pragma once
// A resolved, validated spec: every key it reads has a value of its declared type. Its schema holds
// only the keys read under the spec's own conditions (a colored MNIST spec has no gaussian.* keys).
// Built by load_spec() (spec_loader.h); trainers receive it bound to their typed options
// (spec/option_schema.h), the runner reads the common keys the same way.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "spec/param_schema.h"

namespace wei {

class Spec {
 public:
  Spec(ParamSchema schema, std::map<std::string, ParamValue> values, std::string source,
       std::vector<std::string> warnings = {});

  // Typed getters. Asking for an undeclared key or the wrong type is a programming error
  // (std::logic_error), never a user error: validation already guaranteed the types.
  // True when the spec reads `path` (declared, and its conditions hold).
  bool has(const std::string& path) const { return values_.count(path) > 0; }
  int64_t get_int(const std::string& path) const;
  double get_float(const std::string& path) const;
  bool get_bool(const std::string& path) const;
  const std::string& get_string(const std::string& path) const;  // kString and kChoice
  const std::vector<int64_t>& get_int_list(const std::string& path) const;
  const std::vector<double>& get_float_list(const std::string& path) const;
  const std::vector<std::string>& get_string_list(const std::string& path) const;

  const ParamSchema& schema() const { return schema_; }
  const std::map<std::string, ParamValue>& values() const { return values_; }
  // Where the spec came from (the YAML file path), for messages.
  const std::string& source() const { return source_; }
  // Keys the spec sets that this spec does not read, a line each ("x.yaml:9:3: noise.delta: ignored,
  // not read when method is gd (read when ...)"); the run logs them and records them in metrics.json.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Nested objects in schema declaration order.
  nlohmann::ordered_json to_json() const;
  // Block-style YAML in schema declaration order; load_spec() of it gives the same Spec.
  std::string to_yaml() const;

 private:
  const ParamValue& value(const std::string& path) const;
  ParamSchema schema_;
  std::map<std::string, ParamValue> values_;
  std::string source_;
  std::vector<std::string> warnings_;
};

}  // namespace wei
