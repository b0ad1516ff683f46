#include "harness/device_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

namespace utrain::device_test {

namespace {

// Failures printed per test; later ones are only counted, so a broken kernel cannot flood the
// emulator's output.
constexpr int kFailuresShown = 10;
constexpr int kMaxNotes = 8;

TestCase* g_first = nullptr;
TestCase* g_last = nullptr;
const ExecContext* g_context = nullptr;
int g_checks = 0;
int g_failures = 0;
const Note* g_notes[kMaxNotes];
int g_note_count = 0;

// Prints the start of a failure report, or returns false once enough were printed.
bool begin_failure(const char* file, int line, const char* check) {
  ++g_failures;
  if (g_failures > kFailuresShown) return false;
  printf("%s:%d: failure: %s\n", file, line, check);
  return true;
}

void end_failure() {
  for (int i = 0; i < g_note_count && i < kMaxNotes; ++i) printf("  while: %s\n", g_notes[i]->text());
  if (g_failures == kFailuresShown) printf("  (further failures of this test are counted, not shown)\n");
}

}  // namespace

Registration::Registration(TestCase& test) {
  test.next = nullptr;
  (g_last != nullptr ? g_last->next : g_first) = &test;
  g_last = &test;
}

const ExecContext& context() { return *g_context; }

bool current_test_failed() { return g_failures != 0; }

void Value::print() const {
  switch (kind_) {
    case Kind::boolean:
      printf("%s", as_.u != 0 ? "true" : "false");
      break;
    case Kind::signed_integer:
      printf("%lld", as_.i);
      break;
    case Kind::unsigned_integer:
      printf("%llu", as_.u);
      break;
    case Kind::floating:
      printf("%.9g", as_.f);
      break;
    case Kind::text:
      printf("\"%s\"", as_.s != nullptr ? as_.s : "(null)");
      break;
    case Kind::pointer:
      printf("%p", as_.p);
      break;
  }
}

bool report(bool passed, const char* file, int line, const char* check) {
  ++g_checks;
  if (!passed && begin_failure(file, line, check)) end_failure();
  return passed;
}

bool report(bool passed, const char* file, int line, const char* check, const Value& a, const Value& b) {
  ++g_checks;
  if (!passed && begin_failure(file, line, check)) {
    printf("  left:  ");
    a.print();
    printf("\n  right: ");
    b.print();
    printf("\n");
    end_failure();
  }
  return passed;
}

bool report_near(bool passed, const char* file, int line, const char* check, double a, double b,
                 double tolerance) {
  ++g_checks;
  if (!passed && begin_failure(file, line, check)) {
    printf("  left: %.9g  right: %.9g  difference: %.3g  tolerance: %.3g\n", a, b, a > b ? a - b : b - a,
           tolerance);
    end_failure();
  }
  return passed;
}

Note::Note(const char* format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(text_, sizeof text_, format, args);
  va_end(args);
  if (g_note_count < kMaxNotes) g_notes[g_note_count] = this;
  ++g_note_count;
}

Note::~Note() { --g_note_count; }

int run_tests(const ExecContext& context, const char* filter) {
  g_context = &context;
  int passed = 0, failed = 0;
  for (TestCase* test = g_first; test != nullptr; test = test->next) {
    if (filter != nullptr && strstr(test->name, filter) == nullptr) continue;
    printf("[ RUN    ] %s\n", test->name);
    g_checks = 0;
    g_failures = 0;
    test->body();
    if (g_failures == 0 && g_checks > 0) {
      ++passed;
      printf("[     OK ] %s (%d checks)\n", test->name, g_checks);
    } else {
      ++failed;
      if (g_checks == 0)  // a test that checks nothing proves nothing
        printf("[ FAILED ] %s (it made no check)\n", test->name);
      else
        printf("[ FAILED ] %s (%d of %d checks failed)\n", test->name, g_failures, g_checks);
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  if (passed + failed == 0) {  // an image built without its tests, or a filter matching none
    printf("no test ran\n");
    return 1;
  }
  return failed;
}

}  // namespace utrain::device_test
