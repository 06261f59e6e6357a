#include "base/errors.h"

#include "base/suggest.h"

namespace wei {

SpecError::SpecError(std::vector<std::string> diagnostics)
    : InputError(join(diagnostics, "\n")), diagnostics_(std::move(diagnostics)) {}

}  // namespace wei
