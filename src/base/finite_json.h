#pragma once
// JSON cannot hold NaN or infinity, and wei-run never writes them: a non-finite number in a history
// row or a metrics block is a divergence (train/fit.h), or a programming error (run/run_files.h).
#include <string>

#include <nlohmann/json.hpp>

namespace wei {

// The path of the first non-finite number in `value` ("a.b[1]"), "(value)" for a bare number, or ""
// when every number is finite.
std::string first_non_finite(const nlohmann::ordered_json& value, const std::string& prefix = "");

}  // namespace wei
