// Status: the result of every public entry point. Freestanding (no exceptions, no heap).
//
// A failed check carries a code, a static sentence naming what was wrong ("linear forward:
// x columns must equal in_features"), and optionally the value found and the value expected,
// so a host tool can print "shape mismatch: linear forward: x columns must equal in_features
// (got 63, expected 64)" without the core ever formatting text itself.
#pragma once
#include <stdint.h>
#include <stddef.h>

namespace utrain {

enum class StatusCode : uint8_t {
  ok = 0,
  invalid_argument,  // a parameter outside its allowed range (negative size, null pointer, ...)
  shape_mismatch,    // tensors whose shapes do not fit together
  out_of_memory,     // an arena or buffer too small for what was asked
  misaligned,        // memory not aligned as the callee requires
  unsupported,       // valid request this build or target cannot serve (dtype, ISA, layout)
  io_error,          // host only: a file could not be read or written
  bad_data,          // host only: a file was read but its content is malformed
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  constexpr Status() = default;

  static constexpr Status error(StatusCode code, const char* what) {
    Status s;
    s.code_ = code;
    s.what_ = what;
    return s;
  }
  // The same, with the offending value and the value that was expected.
  static constexpr Status error(StatusCode code, const char* what, int64_t got, int64_t expected) {
    Status s = error(code, what);
    s.got_ = got;
    s.expected_ = expected;
    s.has_values_ = true;
    return s;
  }

  // The same error, said of a named subject: "linear forward: x" + "data is null".
  constexpr Status about(const char* subject) const {
    Status s = *this;
    s.subject_ = subject;
    return s;
  }

  constexpr bool ok() const { return code_ == StatusCode::ok; }
  constexpr StatusCode code() const { return code_; }
  constexpr const char* what() const { return what_; }
  constexpr const char* subject() const { return subject_; }
  constexpr bool has_values() const { return has_values_; }
  constexpr int64_t got() const { return got_; }
  constexpr int64_t expected() const { return expected_; }

  // Writes "<code name>: [<subject>: ]<what>[ (got G, expected E)]" into buf (always NUL-terminated when
  // capacity > 0) and returns buf. Needs no libc formatting, so it works on every target.
  const char* format(char* buf, size_t capacity) const;

 private:
  StatusCode code_ = StatusCode::ok;
  bool has_values_ = false;
  const char* what_ = "ok";
  const char* subject_ = nullptr;
  int64_t got_ = 0;
  int64_t expected_ = 0;
};

constexpr Status ok_status() { return Status(); }

}  // namespace utrain

// Returns the error to the caller when `cond` is false.
#define UT_CHECK(cond, code, what)                              \
  do {                                                          \
    if (!(cond)) return ::utrain::Status::error((code), (what)); \
  } while (0)

// Returns the error with both values when `got != expected`.
#define UT_CHECK_EQ(got, expected, code, what)                                          \
  do {                                                                                  \
    const int64_t ut_got_ = static_cast<int64_t>(got);                                  \
    const int64_t ut_expected_ = static_cast<int64_t>(expected);                        \
    if (ut_got_ != ut_expected_)                                                        \
      return ::utrain::Status::error((code), (what), ut_got_, ut_expected_);            \
  } while (0)

// Propagates a failed Status.
#define UT_TRY(expr)                            \
  do {                                          \
    const ::utrain::Status ut_status_ = (expr); \
    if (!ut_status_.ok()) return ut_status_;    \
  } while (0)
