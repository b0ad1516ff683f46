// A small test framework for programs that run on the device (bare metal, under QEMU) and, built
// from the same sources, on the host, where a debugger can step through them. It needs no C++
// standard header and no heap; it prints with printf (picolibc's on the device).
//
//   DEVICE_TEST(team_barrier_separates_phases) {
//     EXPECT_EQ(got, want);              // on failure: file:line, the expressions, both values
//     ASSERT_NEAR(x, y, 1e-6);           // the same, then returns from the function
//   }
//
// Every check is an expression that is true when it passed, so a loop can stop at its first
// failure: `if (!EXPECT_NEAR(...)) return;`. A Note adds a line of context (which kernel,
// which shape) to every failure reported while it exists. device_test_main.cpp runs all tests
// and ends with "N passed, N failed"; the exit status is 0 only if every test passed.
#pragma once
#include <stdint.h>

#include "kernels/exec_context.h"

namespace utrain::device_test {

struct TestCase {
  const char* name;
  void (*body)();
  TestCase* next;
};

// Appends a test to the program's list; DEVICE_TEST's static object does it before main().
struct Registration {
  explicit Registration(TestCase& test);
};

// Runs the tests whose name contains `filter` (all when null) on `context`, prints each result
// and the summary line, and returns the number of tests that failed (1 when none ran at all).
int run_tests(const ExecContext& context, const char* filter);

// The team and instruction sets of this run, for the tests.
const ExecContext& context();

// Whether a check of the running test has failed.
bool current_test_failed();

// A value of any type a check can print.
class Value {
 public:
  Value(bool v) : kind_(Kind::boolean) { as_.u = v; }
  Value(char v) : Value(static_cast<long long>(v)) {}
  Value(signed char v) : Value(static_cast<long long>(v)) {}
  Value(short v) : Value(static_cast<long long>(v)) {}
  Value(int v) : Value(static_cast<long long>(v)) {}
  Value(long v) : Value(static_cast<long long>(v)) {}
  Value(long long v) : kind_(Kind::signed_integer) { as_.i = v; }
  Value(unsigned char v) : Value(static_cast<unsigned long long>(v)) {}
  Value(unsigned short v) : Value(static_cast<unsigned long long>(v)) {}
  Value(unsigned v) : Value(static_cast<unsigned long long>(v)) {}
  Value(unsigned long v) : Value(static_cast<unsigned long long>(v)) {}
  Value(unsigned long long v) : kind_(Kind::unsigned_integer) { as_.u = v; }
  Value(float v) : Value(static_cast<double>(v)) {}
  Value(double v) : kind_(Kind::floating) { as_.f = v; }
  Value(const char* v) : kind_(Kind::text) { as_.s = v; }
  Value(const void* v) : kind_(Kind::pointer) { as_.p = v; }
  Value(decltype(nullptr)) : Value(static_cast<const void*>(nullptr)) {}
  template <class E>
    requires(__is_enum(E))
  Value(E v) : Value(static_cast<long long>(v)) {}

  void print() const;

 private:
  enum class Kind : uint8_t { boolean, signed_integer, unsigned_integer, floating, text, pointer };
  Kind kind_;
  union {
    long long i;
    unsigned long long u;
    double f;
    const char* s;
    const void* p;
  } as_;
};

// Records one check; on failure prints where, what and the values. Returns `passed`.
bool report(bool passed, const char* file, int line, const char* check);
bool report(bool passed, const char* file, int line, const char* check, const Value& a, const Value& b);
bool report_near(bool passed, const char* file, int line, const char* check, double a, double b,
                 double tolerance);

template <class A, class B>
bool check_eq(const A& a, const B& b, const char* file, int line, const char* check) {
  return report(a == b, file, line, check, Value(a), Value(b));
}

inline bool check_near(double a, double b, double tolerance, const char* file, int line, const char* check) {
  const double difference = a > b ? a - b : b - a;
  return report_near(difference <= tolerance, file, line, check, a, b, tolerance);
}

// A line of context printed with every failure reported while the Note exists (innermost last).
class Note {
 public:
  explicit Note(const char* format, ...) __attribute__((format(printf, 2, 3)));
  ~Note();
  Note(const Note&) = delete;
  Note& operator=(const Note&) = delete;

  const char* text() const { return text_; }

 private:
  char text_[160];
};

}  // namespace utrain::device_test

#define DEVICE_TEST(name)                                                                                    \
  static void device_test_##name();                                                                          \
  static ::utrain::device_test::TestCase device_test_case_##name{#name, &device_test_##name, nullptr};       \
  static const ::utrain::device_test::Registration device_test_registration_##name{device_test_case_##name}; \
  static void device_test_##name()

#define EXPECT_TRUE(condition) DEVICE_TEST_CHECK_TRUE("EXPECT_TRUE", condition)
#define EXPECT_EQ(a, b) DEVICE_TEST_CHECK_EQ("EXPECT_EQ", a, b)
#define EXPECT_NEAR(a, b, tolerance) DEVICE_TEST_CHECK_NEAR("EXPECT_NEAR", a, b, tolerance)
#define ASSERT_TRUE(condition)                                     \
  do {                                                             \
    if (!DEVICE_TEST_CHECK_TRUE("ASSERT_TRUE", condition)) return; \
  } while (0)
#define ASSERT_EQ(a, b)                                   \
  do {                                                    \
    if (!DEVICE_TEST_CHECK_EQ("ASSERT_EQ", a, b)) return; \
  } while (0)
#define ASSERT_NEAR(a, b, tolerance)                                     \
  do {                                                                   \
    if (!DEVICE_TEST_CHECK_NEAR("ASSERT_NEAR", a, b, tolerance)) return; \
  } while (0)

// The checks behind the macros above; `check` names the macro in the failure report.
#define DEVICE_TEST_CHECK_TRUE(check, condition) \
  ::utrain::device_test::report(static_cast<bool>(condition), __FILE__, __LINE__, check "(" #condition ")")
#define DEVICE_TEST_CHECK_EQ(check, a, b) \
  ::utrain::device_test::check_eq((a), (b), __FILE__, __LINE__, check "(" #a ", " #b ")")
#define DEVICE_TEST_CHECK_NEAR(check, a, b, tolerance)                         \
  ::utrain::device_test::check_near((a), (b), (tolerance), __FILE__, __LINE__, \
                                    check "(" #a ", " #b ", " #tolerance ")")
