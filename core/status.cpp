#include "core/status.h"

namespace utrain {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::invalid_argument: return "invalid argument";
    case StatusCode::shape_mismatch: return "shape mismatch";
    case StatusCode::out_of_memory: return "out of memory";
    case StatusCode::misaligned: return "misaligned";
    case StatusCode::unsupported: return "unsupported";
    case StatusCode::io_error: return "I/O error";
    case StatusCode::bad_data: return "bad data";
  }
  return "unknown status";
}

namespace {

// Appends text to buf[*len], keeping room for the terminating NUL.
void append(char* buf, size_t capacity, size_t* len, const char* text) {
  while (*text != '\0' && *len + 1 < capacity) buf[(*len)++] = *text++;
}

void append_int(char* buf, size_t capacity, size_t* len, int64_t value) {
  char digits[24];
  int n = 0;
  // Work in the negative range so that INT64_MIN has no overflow.
  int64_t v = value < 0 ? value : -value;
  do {
    digits[n++] = static_cast<char>('0' - v % 10);
    v /= 10;
  } while (v != 0);
  if (value < 0) append(buf, capacity, len, "-");
  char text[24];
  for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  text[n] = '\0';
  append(buf, capacity, len, text);
}

}  // namespace

const char* Status::format(char* buf, size_t capacity) const {
  if (capacity == 0) return buf;
  size_t len = 0;
  append(buf, capacity, &len, status_code_name(code_));
  if (!ok()) {
    append(buf, capacity, &len, ": ");
    if (subject_ != nullptr) {
      append(buf, capacity, &len, subject_);
      append(buf, capacity, &len, ": ");
    }
    append(buf, capacity, &len, what_);
    if (has_values_) {
      append(buf, capacity, &len, " (got ");
      append_int(buf, capacity, &len, got_);
      append(buf, capacity, &len, ", expected ");
      append_int(buf, capacity, &len, expected_);
      append(buf, capacity, &len, ")");
    }
  }
  buf[len] = '\0';
  return buf;
}

}  // namespace utrain
