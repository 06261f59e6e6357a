#pragma once
// The message of the InputError that `fn` throws, or "no error": for checking what a bad input
// file is told, not just that it is refused.
#include <functional>
#include <string>

#include "base/errors.h"

namespace wei::testing {

inline std::string input_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace wei::testing
