// ToolError: the one exception type of the host tools. Its message is a complete sentence for
// the user ("data/x.csv:12: field 65 (label): '11' is outside 0..9"); the `utrain` command
// prints it on one line and exits non-zero. The library below (core/ … graph/) returns Status
// instead, because it has no exceptions; check_status() turns one into the other.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/status.h"

namespace utrain::tools {

class ToolError : public std::runtime_error {
 public:
  explicit ToolError(const std::string& message) : std::runtime_error(message) {}
};

// "<doing>: <status formatted>" as a string, e.g. "planning the model: invalid_argument: ...".
std::string status_message(std::string_view doing, const Status& status);

// Throws ToolError(status_message(doing, status)) when status is not ok.
void check_status(const Status& status, std::string_view doing);

}  // namespace utrain::tools
