// The text a host tool would print for a Status, so tests can compare whole error messages.
#pragma once
#include <string>

#include "core/status.h"

namespace utrain::testing {

inline std::string status_text(const Status& s) {
  char buf[512];
  return s.format(buf, sizeof buf);
}

}  // namespace utrain::testing
