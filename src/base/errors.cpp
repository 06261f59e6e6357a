#include "base/errors.h"

#include "base/suggest.h"

namespace wei {

SpecError::SpecError(std::vector<std::string> diagnostics)
    : InputError(join(diagnostics, "\n")), diagnostics_(std::move(diagnostics)) {}

std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace wei
