// Bit-for-bit equality of two float arrays, for results that must not depend on how the work was
// split (a team's size): unlike ==, it tells -0 from +0 and compares NaNs.
#pragma once
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace utrain::testing {

// A failure names `what` and the first index whose bits differ, with both values.
inline ::testing::AssertionResult same_bits(const char* what, const std::vector<float>& got,
                                            const std::vector<float>& want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << what << ": " << got.size() << " values against " << want.size();
  for (size_t i = 0; i < got.size(); ++i)
    if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0)
      return ::testing::AssertionFailure() << what << "[" << i << "]: " << got[i] << " against " << want[i];
  return ::testing::AssertionSuccess();
}

}  // namespace utrain::testing
