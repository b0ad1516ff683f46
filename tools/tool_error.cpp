#include "tools/tool_error.h"

namespace utrain::tools {

std::string status_message(std::string_view doing, const Status& status) {
  char buffer[256];
  std::string message(doing);
  message += ": ";
  message += status.format(buffer, sizeof buffer);
  return message;
}

void check_status(const Status& status, std::string_view doing) {
  if (!status.ok()) throw ToolError(status_message(doing, status));
}

}  // namespace utrain::tools
