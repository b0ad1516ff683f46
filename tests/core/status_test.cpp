#include "core/status.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>

namespace utrain {
namespace {

Status check_positive(int v) {
  UT_CHECK(v > 0, StatusCode::invalid_argument, "value must be positive");
  return ok_status();
}

Status check_equal(int got, int expected) {
  UT_CHECK_EQ(got, expected, StatusCode::shape_mismatch, "x columns must equal in_features");
  return ok_status();
}

Status forwards(int v) {
  UT_TRY(check_positive(v));
  return Status::error(StatusCode::unsupported, "reached the end");
}

std::string text(const Status& s) {
  char buf[256];
  return s.format(buf, sizeof buf);
}

TEST(Status, ok_by_default_formats_as_ok) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(text(s), "ok");
}

TEST(Status, check_macro_returns_code_and_sentence) {
  const Status s = check_positive(-1);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_EQ(text(s), "invalid argument: value must be positive");
}

TEST(Status, check_eq_reports_both_values) {
  EXPECT_TRUE(check_equal(4, 4).ok());
  const Status s = check_equal(63, 64);
  EXPECT_EQ(text(s), "shape mismatch: x columns must equal in_features (got 63, expected 64)");
}

TEST(Status, try_propagates_the_first_failure) {
  EXPECT_EQ(forwards(-3).code(), StatusCode::invalid_argument);
  EXPECT_EQ(forwards(3).code(), StatusCode::unsupported);
}

TEST(Status, subject_is_named_before_the_sentence) {
  const Status s = Status::error(StatusCode::invalid_argument, "data is null").about("linear forward: x");
  EXPECT_EQ(text(s), "invalid argument: linear forward: x: data is null");
}

TEST(Status, extreme_values_and_short_buffers_are_safe) {
  const Status s = Status::error(StatusCode::bad_data, "v", INT64_MIN, INT64_MAX);
  EXPECT_EQ(text(s), "bad data: v (got -9223372036854775808, expected 9223372036854775807)");
  char tiny[6];
  EXPECT_STREQ(s.format(tiny, sizeof tiny), "bad d");
}

}  // namespace
}  // namespace utrain
